/* kn_sync.c — the sync worker: one thread that enrolls the kiosk once,
 * keeps the catalog cache (kn_cache.c) current with the daemon, and sends
 * the heartbeat. See kn_sync.h for the contract.
 *
 * The thread's life:
 *   1. No token in STATE_DIR/token: POST /api/v1/devices/enroll with the
 *      configured one-time code; store the token (0600, temp + fsync +
 *      rename). A refused code is KN_EVENT_ERROR and the worker stops
 *      trying until it is started again with a new config.
 *   2. Each round: the catalog when due (GET /api/v1/catalog?since=V with
 *      If-None-Match, or the full snapshot when the cache is empty or a
 *      delta cannot be placed), then the heartbeat when due.
 *   3. Between rounds it waits on a condition variable (CLOCK_MONOTONIC) up
 *      to the next due time, so kn_sync_poke and kn_sync_stop act at once;
 *      a transfer in progress is aborted by kn_sync_stop through libcurl's
 *      progress callback.
 * A transport failure (DNS, refused, timeout, TLS) is KN_EVENT_OFFLINE once
 * per transition and a retry after an exponential backoff with jitter
 * (1 s, 2 s, 4 s … capped at sync_interval_s); any HTTP answer counts as
 * online. A 401 on the stored token is KN_EVENT_ERROR "device revoked": the
 * token is moved aside (STATE_DIR/token.revoked) and the worker idles.
 *
 * TLS: only https:// URLs; CURLOPT_CAINFO is the configured CA and the
 * system CA path is switched off, so only the daemon's CA is trusted (the
 * pin); peer and host verification stay on; TLS 1.2 or newer.
 *
 * libcurl's global init: kn_sync_start calls curl_global_init once per
 * process (pthread_once) and never cleans up: libcurl reference-counts
 * init/cleanup, so a main() that also calls curl_global_init and
 * curl_global_cleanup in pairs is unaffected, and the worker's reference
 * lives until exit.
 *
 * The token is never logged, never put in an event message, and only
 * crosses into libcurl as the Authorization header.
 *
 * Not here: the SQLite cache (kn_cache.c), the UI's reaction to events
 * (the UI pushes an SDL event from the callback), printing, the outbox. */
#include "kn_sync.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "qf_log.h"
#include "qf_version.h"

#define KN_MAX_RESPONSE        (16u * 1024u * 1024u) /* decoded body cap */
#define KN_CONNECT_TIMEOUT_S   5L
#define KN_TOTAL_TIMEOUT_S     30L
#define KN_DEFAULT_INTERVAL_S  60u
#define KN_TOKEN_MAX           128u
#define KN_ETAG_MAX            128u
#define KN_BACKOFF_BASE_MS     1000u
/* A delta carries no positions: an item whose text changed and that also
 * moved keeps its old place here. A daily full fetch (304 when nothing was
 * published since the last snapshot) bounds how long that can last. */
#define KN_FULL_RESYNC_MS      (24u * 3600u * 1000u)

enum kn_outcome {
    KN_DONE = 0,   /* the daemon answered and the step is finished */
    KN_NET,        /* no answer: transport failure (offline) */
    KN_RETRY,      /* answered, but try again later (429, 5xx, bad body) */
    KN_DENIED,     /* 401 on the stored token: revoked */
    KN_HALT,       /* needs an operator: the worker idles */
};

typedef struct kn_buf {
    char *data;
    size_t len, cap;
    bool over;             /* the body passed KN_MAX_RESPONSE */
} kn_buf;

typedef struct kn_resp {
    long status;
    kn_buf body;
    char etag[KN_ETAG_MAX];
} kn_resp;

typedef enum kn_link { KN_LINK_UNKNOWN, KN_LINK_UP, KN_LINK_DOWN } kn_link;

struct kn_sync {
    /* Config (owned copies). */
    char *url, *ca_file, *enroll_code, *device_name, *state_dir, *software_version;
    unsigned sync_interval_s, heartbeat_s;
    kn_notify_fn notify;
    void *ud;

    pthread_t thread;
    pthread_mutex_t mu;    /* guards poked, printer_status; cond waits on it */
    pthread_cond_t cv;
    atomic_bool stop;      /* read by the curl progress callback without mu */
    bool poked;
    char printer_status[16];
    bool heartbeat_now;    /* the printer status changed: send it soon */
    bool ticket_pending;   /* a ticket request waits for the worker */
    bool queues_pending;   /* a waiting-count request waits for the worker */
    char ticket_window[64];
    bool ticket_priority;
    uint64_t ticket_id;

    /* Worker-only from here. */
    CURL *curl;
    kn_cache *cache;
    char token[KN_TOKEN_MAX];
    char etag[KN_ETAG_MAX];
    int64_t version;       /* 0 = the cache is empty */
    uint64_t last_full_ms; /* monotonic time of the last full snapshot */
    kn_link link;
    unsigned failures;     /* consecutive, for the backoff */
    unsigned rand_state;
    struct timespec started;
};

static pthread_once_t kn_curl_once = PTHREAD_ONCE_INIT;
static CURLcode kn_curl_init_result = CURLE_OK;

static void curl_init_once(void)
{
    kn_curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- events ---------------------------------------------------------------- */

static void emit(kn_sync *s, kn_event_kind kind, qf_catalog *cat, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void emit(kn_sync *s, kn_event_kind kind, qf_catalog *cat, const char *fmt, ...)
{
    kn_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.catalog = cat;
    ev.catalog_version = s->version;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ev.message, sizeof ev.message, fmt, ap);
        va_end(ap);
    }
    s->notify(s->ud, &ev);
}

static void link_up(kn_sync *s)
{
    s->failures = 0;
    if (s->link != KN_LINK_UP) {
        s->link = KN_LINK_UP;
        qf_info("sync: daemon reachable");
        emit(s, KN_EVENT_ONLINE, NULL, "online");
    }
}

static void link_down(kn_sync *s, const char *why)
{
    s->failures++;
    if (atomic_load(&s->stop))
        return; /* the transfer was aborted by kn_sync_stop: not news */
    if (s->link != KN_LINK_DOWN) {
        s->link = KN_LINK_DOWN;
        qf_warn("sync: offline: %s", why);
        emit(s, KN_EVENT_OFFLINE, NULL, "%s", why);
    }
}

/* ---- HTTP -------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    kn_buf *b = ud;
    size_t add = size * n;
    if (add > KN_MAX_RESPONSE - b->len) {
        b->over = true;
        return 0; /* aborts the transfer */
    }
    if (b->len + add + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64u * 1024u;
        char *grown;
        while (cap < b->len + add + 1)
            cap *= 2;
        if (cap > KN_MAX_RESPONSE + 1)
            cap = KN_MAX_RESPONSE + 1;
        grown = realloc(b->data, cap);
        if (!grown)
            return 0;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    kn_resp *r = ud;
    size_t len = size * n;
    if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
        size_t i = 5, end = len;
        while (i < end && (data[i] == ' ' || data[i] == '\t'))
            i++;
        while (end > i && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
            end--;
        if (end - i < sizeof r->etag) {
            memcpy(r->etag, data + i, end - i);
            r->etag[end - i] = '\0';
        }
    }
    return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    kn_sync *s = ud;
    (void)dt, (void)dn, (void)ut, (void)un;
    return atomic_load(&s->stop) ? 1 : 0; /* non-zero aborts: kn_sync_stop is waiting */
}

static void resp_cleanup(kn_resp *r)
{
    free(r->body.data);
    memset(r, 0, sizeof *r);
}

/* One request. QF_OK when an HTTP answer came (any status); otherwise the
 * reason is in err. Ownership: the caller cleans up *r in every case. */
static qf_err http_call(kn_sync *s, const char *method, const char *path, const char *json_body,
                        bool with_token, const char *if_none_match, kn_resp *r, char *err,
                        size_t errlen)
{
    struct curl_slist *hdr = NULL, *grown;
    char url[2048], line[KN_TOKEN_MAX + 64], ua[64], curl_err[CURL_ERROR_SIZE];
    CURLcode result = CURLE_OK;
    qf_err out = QF_OK;
    int n;

    memset(r, 0, sizeof *r);
    n = snprintf(url, sizeof url, "%s%s", s->url, path);
    if (n < 0 || (size_t)n >= sizeof url)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "URL too long");
    curl_err[0] = '\0';
    curl_easy_reset(s->curl); /* keeps the connection cache: keep-alive to the daemon */

#define KN_APPEND(text)                                             \
    do {                                                            \
        grown = curl_slist_append(hdr, (text));                     \
        if (!grown) {                                               \
            out = qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory"); \
            goto done;                                              \
        }                                                           \
        hdr = grown;                                                \
    } while (0)

    KN_APPEND("Accept: application/json");
    KN_APPEND("Expect:");
    if (with_token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", s->token);
        KN_APPEND(line);
    }
    if (if_none_match && *if_none_match) {
        snprintf(line, sizeof line, "If-None-Match: %s", if_none_match);
        KN_APPEND(line);
    }
    if (json_body)
        KN_APPEND("Content-Type: application/json");
#undef KN_APPEND
    snprintf(ua, sizeof ua, "qifu-kiosk/%s", s->software_version);

    curl_easy_setopt(s->curl, CURLOPT_URL, url);
    curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(s->curl, CURLOPT_CAINFO, s->ca_file);
    curl_easy_setopt(s->curl, CURLOPT_CAPATH, NULL); /* only the pinned CA */
    curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(s->curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, KN_CONNECT_TIMEOUT_S);
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, KN_TOTAL_TIMEOUT_S);
    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->curl, CURLOPT_ACCEPT_ENCODING, ""); /* gzip (and whatever libcurl has) */
    curl_easy_setopt(s->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)KN_MAX_RESPONSE);
    curl_easy_setopt(s->curl, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(s->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(s->curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(s->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(s->curl, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(s->curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, curl_err);
    if (json_body) {
        curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, json_body);
        curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(json_body));
    } else {
        curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(s->curl, CURLOPT_HTTPGET, 1L);
    }
    (void)method; /* GET without a body, POST with one */

    result = curl_easy_perform(s->curl);
    if (result == CURLE_OK) {
        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &r->status);
    } else if (r->body.over || result == CURLE_FILESIZE_EXCEEDED) {
        out = qf_err_set(err, errlen, QF_ERR_LIMIT, "%s: answer over %u bytes", path,
                         KN_MAX_RESPONSE);
    } else {
        out = qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", curl_easy_strerror(result),
                         curl_err[0] ? curl_err : "no detail");
    }
done:
    /* Drop the header list (it holds the token) and the pointers into this
     * stack frame before leaving. */
    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdr);
    memset(line, 0, sizeof line);
    return out;
}

/* The daemon's error code from {"error":{"code":…}}, or "" */
static void error_code(const kn_resp *r, char *out, size_t outlen)
{
    json_t *root = r->body.data ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;
    const char *code = json_string_value(json_object_get(json_object_get(root, "error"), "code"));
    snprintf(out, outlen, "%s", code ? code : "");
    json_decref(root);
}

/* ---- the token file -------------------------------------------------------- */

static bool token_ok(const char *t)
{
    size_t n = strlen(t);
    if (n < 16 || n >= KN_TOKEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (t[i] <= ' ' || t[i] > '~')
            return false;
    return true;
}

/* Reads STATE_DIR/token. QF_ERR_NOT_FOUND when there is none. */
static qf_err token_read(kn_sync *s, char *err, size_t errlen)
{
    char path[4200], buf[KN_TOKEN_MAX + 2];
    struct stat st;
    ssize_t got;
    int fd;

    snprintf(path, sizeof path, "%s/token", s->state_dir);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return QF_ERR_NOT_FOUND;
        return qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return qf_err_set(err, errlen, QF_ERR_IO, "%s: not a regular file", path);
    }
    if (st.st_mode & 077) {
        qf_warn("sync: %s was readable by others; mode set to 0600", path);
        if (fchmod(fd, 0600) != 0) {
            close(fd);
            return qf_err_set(err, errlen, QF_ERR_IO, "%s: chmod: %s", path, strerror(errno));
        }
    }
    got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got < 0)
        return qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", path, strerror(errno));
    buf[got] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!token_ok(buf)) {
        memset(buf, 0, sizeof buf);
        return qf_err_set(err, errlen, QF_ERR_INVALID, "%s: not a token", path);
    }
    memcpy(s->token, buf, strlen(buf) + 1);
    memset(buf, 0, sizeof buf);
    return QF_OK;
}

/* Writes the token: STATE_DIR/token.tmp (0600), fsync, rename, fsync the
 * folder, so a power cut leaves the old file or the new one. */
static qf_err token_write(kn_sync *s, const char *token, char *err, size_t errlen)
{
    char path[4200], tmp[4200];
    size_t len = strlen(token);
    qf_err result = QF_OK;
    int fd, dfd;

    snprintf(path, sizeof path, "%s/token", s->state_dir);
    snprintf(tmp, sizeof tmp, "%s/token.tmp", s->state_dir);
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", tmp, strerror(errno));
    if (fchmod(fd, 0600) != 0 || write(fd, token, len) != (ssize_t)len ||
        write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        result = qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return result;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        result = qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return result;
    }
    dfd = open(s->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return QF_OK;
}

/* ---- steps ------------------------------------------------------------------ */

static enum kn_outcome step_enroll(kn_sync *s)
{
    char err[256], code[64];
    kn_resp r;
    json_t *body = NULL, *root = NULL;
    char *text = NULL;
    enum kn_outcome out = KN_RETRY;

    if (!s->enroll_code || !*s->enroll_code) {
        emit(s, KN_EVENT_ERROR, NULL, "not enrolled: no enrollment code configured");
        return KN_HALT;
    }
    body = json_pack("{s:s, s:s}", "code", s->enroll_code, "name",
                     s->device_name && *s->device_name ? s->device_name : "kiosk");
    text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return KN_RETRY;
    if (http_call(s, "POST", "/api/v1/devices/enroll", text, false, NULL, &r, err, sizeof err)) {
        free(text);
        resp_cleanup(&r);
        link_down(s, err);
        return KN_NET;
    }
    free(text);
    link_up(s);
    if (r.status == 200 || r.status == 201) {
        const char *token, *device;
        root = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
        token = json_string_value(json_object_get(root, "token"));
        device = json_string_value(json_object_get(root, "device_id"));
        if (!token || !token_ok(token)) {
            qf_warn("sync: enrollment answer without a usable token");
        } else if (token_write(s, token, err, sizeof err)) {
            /* The code is spent now; without the file the next boot cannot
             * call. Keep the token in memory and tell the operator. */
            snprintf(s->token, sizeof s->token, "%s", token);
            emit(s, KN_EVENT_ERROR, NULL, "token not saved: %s", err);
            out = KN_DONE;
        } else {
            snprintf(s->token, sizeof s->token, "%s", token);
            qf_info("sync: enrolled as %s", device ? device : "?");
            emit(s, KN_EVENT_ENROLLED, NULL, "enrolled as %s", device ? device : "?");
            out = KN_DONE;
        }
    } else if (r.status == 401 || r.status == 400) {
        error_code(&r, code, sizeof code);
        qf_warn("sync: enrollment refused (%ld %s)", r.status, code);
        emit(s, KN_EVENT_ERROR, NULL, "enrollment code refused%s%s", code[0] ? ": " : "", code);
        out = KN_HALT;
    } else {
        qf_warn("sync: enrollment answered %ld", r.status);
    }
    json_decref(root);
    resp_cleanup(&r);
    return out;
}

static enum kn_outcome fetch_catalog(kn_sync *s, bool full, int depth);

/* A 200 body: a full snapshot or a delta. */
static enum kn_outcome take_catalog(kn_sync *s, const kn_resp *r, int depth)
{
    char err[256];
    json_error_t jerr;
    json_t *root = json_loadb(r->body.data ? r->body.data : "", r->body.len,
                              JSON_REJECT_DUPLICATES, &jerr);
    json_t *version = json_object_get(root, "version"), *full = json_object_get(root, "full");
    qf_catalog *cat = NULL;
    enum kn_outcome out = KN_RETRY;
    qf_err rc;

    if (!json_is_integer(version) || !json_is_boolean(full)) {
        qf_warn("sync: catalog answer malformed: %s", root ? "no version/full" : jerr.text);
        goto out;
    }
    if (json_is_true(full)) {
        json_t *inner = json_object_get(root, "catalog");
        char *text = json_is_object(inner) ? json_dumps(inner, JSON_COMPACT) : NULL;
        if (!text || qf_catalog_new(&cat) ||
            (rc = qf_catalog_decode_json(cat, text, strlen(text), err, sizeof err)) != QF_OK) {
            qf_warn("sync: snapshot v%lld does not decode: %s",
                    (long long)json_integer_value(version), text ? err : "no catalog");
            free(text);
            goto out;
        }
        free(text);
        if ((rc = kn_cache_store_snapshot(s->cache, inner, json_integer_value(version), r->etag,
                                          err, sizeof err)) != QF_OK)
            qf_warn("sync: catalog cache not updated: %s", err); /* still show it */
        s->version = json_integer_value(version);
        s->last_full_ms = mono_ms();
        snprintf(s->etag, sizeof s->etag, "%s", r->etag);
        qf_info("sync: catalog v%lld (full)", (long long)s->version);
        emit(s, KN_EVENT_CATALOG, cat, "catalog v%lld", (long long)s->version);
        cat = NULL;
        out = KN_DONE;
    } else {
        json_t *changed = json_object_get(root, "changed");
        json_t *deleted = json_object_get(root, "deleted");
        int64_t v = json_integer_value(version);
        if (v == s->version && json_object_size(changed) == 0 && json_array_size(deleted) == 0) {
            out = KN_DONE; /* nothing new */
            goto out;
        }
        rc = kn_cache_apply_delta(s->cache, changed, deleted, v, &cat, err, sizeof err);
        if (rc) {
            /* Unplaceable (new or moved items) or broken: the snapshot is the
             * authority. depth keeps a misbehaving daemon from looping us. */
            qf_info("sync: delta v%lld not applied (%s); fetching the snapshot", (long long)v,
                    err);
            out = depth == 0 ? fetch_catalog(s, true, depth + 1) : KN_RETRY;
            goto out;
        }
        s->version = v;
        s->etag[0] = '\0';
        qf_info("sync: catalog v%lld (delta)", (long long)v);
        emit(s, KN_EVENT_CATALOG, cat, "catalog v%lld", (long long)v);
        cat = NULL;
        out = KN_DONE;
    }
out:
    qf_catalog_free(cat);
    json_decref(root);
    return out;
}

static enum kn_outcome fetch_catalog(kn_sync *s, bool full, int depth)
{
    char path[64], err[256];
    kn_resp r;
    enum kn_outcome out = KN_RETRY;

    if (full || s->version <= 0)
        snprintf(path, sizeof path, "/api/v1/catalog");
    else
        snprintf(path, sizeof path, "/api/v1/catalog?since=%lld", (long long)s->version);
    /* If-None-Match: on a ?since request the daemon ignores it (harmless);
     * on the daily full fetch it turns an unchanged snapshot into a 304. The
     * fallback after an unplaceable delta (depth 1) must get the body. */
    if (http_call(s, "GET", path, NULL, true, depth ? NULL : s->etag, &r, err, sizeof err)) {
        resp_cleanup(&r);
        link_down(s, err);
        return KN_NET;
    }
    link_up(s);
    switch (r.status) {
    case 200:
        out = take_catalog(s, &r, depth);
        break;
    case 304:
        if (full)
            s->last_full_ms = mono_ms();
        out = KN_DONE;
        break;
    case 401:
        out = KN_DENIED;
        break;
    case 404:
        /* Nothing published yet. With nothing to show, ask again soon (the
         * backoff); with a catalog in hand, at the usual interval. */
        qf_info("sync: no catalog published yet");
        out = s->version > 0 ? KN_DONE : KN_RETRY;
        break;
    default:
        qf_warn("sync: catalog answered %ld", r.status);
        break;
    }
    resp_cleanup(&r);
    return out;
}

static enum kn_outcome step_heartbeat(kn_sync *s)
{
    char err[256], status[16], code[64];
    struct statvfs vfs;
    long long free_mb = 0;
    json_t *body;
    char *text;
    kn_resp r;
    enum kn_outcome out = KN_DONE;

    pthread_mutex_lock(&s->mu);
    memcpy(status, s->printer_status, sizeof status);
    pthread_mutex_unlock(&s->mu);
    if (statvfs(s->state_dir, &vfs) == 0)
        free_mb = (long long)((unsigned long long)vfs.f_bavail * vfs.f_frsize / (1024u * 1024u));
    body = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I}", "software_version", s->software_version,
                     "catalog_version", (json_int_t)(s->version > 0 ? s->version : 0),
                     "printer_status", status, "outbox_depth", (json_int_t)0, "disk_free_mb",
                     (json_int_t)free_mb, "uptime_s",
                     (json_int_t)((mono_ms() - ((uint64_t)s->started.tv_sec * 1000u +
                                                (uint64_t)s->started.tv_nsec / 1000000u)) /
                                  1000u));
    text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return KN_RETRY;
    if (http_call(s, "POST", "/api/v1/devices/heartbeat", text, true, NULL, &r, err,
                  sizeof err)) {
        free(text);
        resp_cleanup(&r);
        link_down(s, err);
        return KN_NET;
    }
    free(text);
    link_up(s);
    if (r.status == 401) {
        out = KN_DENIED;
    } else if (r.status != 200) {
        /* A 400 is our bug and a retry would not fix it; 429/5xx pass with
         * time. Either way the next heartbeat comes at the usual interval. */
        error_code(&r, code, sizeof code);
        qf_warn("sync: heartbeat answered %ld %s", r.status, code);
    }
    resp_cleanup(&r);
    return out;
}

/* One ticket request: always tried at once (the citizen is waiting), so
 * it ignores the backoff; its outcome also moves the link state. */
static void step_ticket(kn_sync *s, const char *window, bool priority, uint64_t id)
{
    char err[256], code[64];
    kn_resp r;
    kn_event ev;
    json_t *body, *root = NULL;
    char *text;

    memset(&ev, 0, sizeof ev);
    ev.kind = KN_EVENT_TICKET;
    ev.ticket.request_id = id;
    snprintf(ev.ticket.window, sizeof ev.ticket.window, "%s", window);
    if (!s->token[0]) {
        ev.ticket.offline = true;
        snprintf(ev.message, sizeof ev.message, "not enrolled");
        s->notify(s->ud, &ev);
        return;
    }
    body = json_pack("{s:s, s:b}", "window", window, "priority", priority);
    text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        snprintf(ev.message, sizeof ev.message, "out of memory");
        s->notify(s->ud, &ev);
        return;
    }
    if (http_call(s, "POST", "/api/v1/tickets", text, true, NULL, &r, err, sizeof err)) {
        free(text);
        resp_cleanup(&r);
        link_down(s, err);
        ev.ticket.offline = true;
        snprintf(ev.message, sizeof ev.message, "%s", err);
        s->notify(s->ud, &ev);
        return;
    }
    free(text);
    link_up(s);
    if (r.status == 200 || r.status == 201) {
        root = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
        const char *num = json_string_value(json_object_get(root, "number"));
        const char *wn = json_string_value(json_object_get(root, "window_name"));
        const char *at = json_string_value(json_object_get(root, "issued_at"));
        json_t *ahead = json_object_get(root, "people_ahead");
        if (num && strlen(num) < sizeof ev.ticket.number) {
            ev.ticket.ok = true;
            snprintf(ev.ticket.number, sizeof ev.ticket.number, "%s", num);
            snprintf(ev.ticket.window_name, sizeof ev.ticket.window_name, "%s", wn ? wn : "");
            snprintf(ev.ticket.issued_at, sizeof ev.ticket.issued_at, "%s", at ? at : "");
            ev.ticket.people_ahead = json_is_integer(ahead) ? (int)json_integer_value(ahead) : 0;
            ev.ticket.priority = json_is_true(json_object_get(root, "priority"));
            qf_info("sync: ticket %s for %s", num, window);
        } else {
            snprintf(ev.message, sizeof ev.message, "ticket answer without a number");
        }
    } else {
        error_code(&r, code, sizeof code);
        qf_warn("sync: ticket answered %ld %s", r.status, code);
        snprintf(ev.message, sizeof ev.message, "%ld %s", r.status, code);
    }
    json_decref(root);
    resp_cleanup(&r);
    s->notify(s->ud, &ev);
}

static void step_queues(kn_sync *s)
{
    char err[256];
    kn_resp r;
    kn_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return;
    ev->kind = KN_EVENT_QUEUES;
    if (!s->token[0]) {
        snprintf(ev->message, sizeof ev->message, "not enrolled");
    } else if (http_call(s, "GET", "/api/v1/queues", NULL, true, NULL, &r, err, sizeof err)) {
        resp_cleanup(&r);
        link_down(s, err);
        snprintf(ev->message, sizeof ev->message, "%s", err);
    } else {
        link_up(s);
        json_t *root = r.status == 200 ? json_loadb(r.body.data ? r.body.data : "", r.body.len,
                                                    0, NULL)
                                       : NULL;
        json_t *arr = json_object_get(root, "windows"), *w;
        size_t i;
        if (json_is_array(arr)) {
            ev->queues.ok = true;
            json_array_foreach(arr, i, w) {
                const char *id = json_string_value(json_object_get(w, "window"));
                json_t *n = json_object_get(w, "waiting");
                if (!id || !json_is_integer(n) || ev->queues.count >= KN_QUEUES_MAX ||
                    strlen(id) >= sizeof ev->queues.w[0].window)
                    continue;
                snprintf(ev->queues.w[ev->queues.count].window,
                         sizeof ev->queues.w[0].window, "%s", id);
                ev->queues.w[ev->queues.count].waiting = (int)json_integer_value(n);
                ev->queues.count++;
            }
        } else {
            snprintf(ev->message, sizeof ev->message, "queues answered %ld", r.status);
        }
        json_decref(root);
        resp_cleanup(&r);
    }
    s->notify(s->ud, ev);
    free(ev);
}

/* ---- the thread ------------------------------------------------------------- */

/* Exponential backoff with "equal jitter": half the step fixed, half random,
 * the step doubling from 1 s up to sync_interval_s. */
static uint64_t backoff_ms(kn_sync *s)
{
    uint64_t cap = (uint64_t)s->sync_interval_s * 1000u, step = KN_BACKOFF_BASE_MS;
    for (unsigned i = 1; i < s->failures && step < cap; i++)
        step *= 2;
    if (step > cap)
        step = cap;
    return step / 2 + (uint64_t)rand_r(&s->rand_state) % (step / 2 + 1);
}

static void revoked(kn_sync *s)
{
    char path[4200], aside[4200];
    snprintf(path, sizeof path, "%s/token", s->state_dir);
    snprintf(aside, sizeof aside, "%s/token.revoked", s->state_dir);
    if (rename(path, aside) != 0)
        qf_warn("sync: could not move the revoked token aside: %s", strerror(errno));
    memset(s->token, 0, sizeof s->token);
    qf_warn("sync: the daemon refused the device token (revoked)");
    emit(s, KN_EVENT_ERROR, NULL, "device revoked");
}

static void *worker(void *arg)
{
    kn_sync *s = arg;
    uint64_t next_enroll = 0, next_catalog = 0, next_heartbeat = 0;
    bool halted = false;

    pthread_mutex_lock(&s->mu);
    while (!atomic_load(&s->stop)) {
        uint64_t now, wake;
        struct timespec until;
        bool poked = s->poked, hb_now = s->heartbeat_now, ticket = s->ticket_pending;
        bool queues = s->queues_pending;
        char ticket_window[sizeof s->ticket_window];
        bool ticket_priority = s->ticket_priority;
        uint64_t ticket_id = s->ticket_id;
        enum kn_outcome rc = KN_DONE;

        memcpy(ticket_window, s->ticket_window, sizeof ticket_window);
        s->poked = s->heartbeat_now = s->ticket_pending = s->queues_pending = false;
        pthread_mutex_unlock(&s->mu);

        if (queues)
            step_queues(s);
        if (ticket)
            step_ticket(s, ticket_window, ticket_priority, ticket_id);
        now = mono_ms();
        if (hb_now && !halted)
            next_heartbeat = now;
        if (poked && !halted)
            next_enroll = next_catalog = next_heartbeat = now;
        if (!halted && !s->token[0] && now >= next_enroll)
            rc = step_enroll(s);
        if (!halted && rc == KN_DONE && s->token[0] && now >= next_catalog) {
            rc = fetch_catalog(s, now - s->last_full_ms >= KN_FULL_RESYNC_MS, 0);
            if (rc == KN_DONE)
                next_catalog = now + (uint64_t)s->sync_interval_s * 1000u;
        }
        if (!halted && rc == KN_DONE && s->token[0] && now >= next_heartbeat) {
            rc = step_heartbeat(s);
            if (rc == KN_DONE)
                next_heartbeat = now + (uint64_t)s->heartbeat_s * 1000u;
        }
        if (rc == KN_DENIED) {
            revoked(s);
            halted = true;
        } else if (rc == KN_HALT) {
            halted = true;
        } else if (rc == KN_NET || rc == KN_RETRY) {
            uint64_t delay;
            if (rc == KN_RETRY)
                s->failures++;
            delay = backoff_ms(s);
            next_enroll = now + delay;
            if (next_catalog <= now)
                next_catalog = now + delay;
            if (next_heartbeat <= now)
                next_heartbeat = now + delay;
        }

        now = mono_ms();
        if (!s->token[0])
            wake = next_enroll;
        else
            wake = next_catalog < next_heartbeat ? next_catalog : next_heartbeat;
        if (wake < now)
            wake = now;
        until.tv_sec = (time_t)(wake / 1000u);
        until.tv_nsec = (long)(wake % 1000u) * 1000000L;

        pthread_mutex_lock(&s->mu);
        while (!atomic_load(&s->stop) && !s->poked && !s->ticket_pending && !s->heartbeat_now &&
               !s->queues_pending) {
            if (halted) {
                pthread_cond_wait(&s->cv, &s->mu); /* until stop (a poke cannot fix it) */
                s->poked = false;
                continue;
            }
            if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
                break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- public ----------------------------------------------------------------- */

static void sync_free(kn_sync *s)
{
    if (!s)
        return;
    if (s->curl)
        curl_easy_cleanup(s->curl);
    kn_cache_close(s->cache);
    memset(s->token, 0, sizeof s->token);
    free(s->url);
    free(s->ca_file);
    if (s->enroll_code)
        memset(s->enroll_code, 0, strlen(s->enroll_code));
    free(s->enroll_code);
    free(s->device_name);
    free(s->state_dir);
    free(s->software_version);
    free(s);
}

static bool version_ok(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    if (n < 1 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] <= ' ' || v[i] > '~')
            return false;
    return true;
}

qf_err kn_sync_start(const kn_sync_config *cfg, kn_notify_fn notify, void *ud, kn_sync **out,
                     char *err, size_t errlen)
{
    kn_sync *s = NULL;
    pthread_condattr_t ca;
    qf_err result = QF_OK;
    bool have_mu = false, have_cv = false;

    *out = NULL;
    if (!cfg || !notify || !cfg->url || !cfg->ca_file || !cfg->state_dir)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "sync: url, ca_file, state_dir and a "
                                                       "notify callback are required");
    if (strncmp(cfg->url, "https://", 8) != 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "sync: url must be https://");
    if (cfg->software_version && !version_ok(cfg->software_version))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "sync: software_version must be 1-32 printable ASCII, no spaces");
    pthread_once(&kn_curl_once, curl_init_once);
    if (kn_curl_init_result != CURLE_OK)
        return qf_err_set(err, errlen, QF_ERR_STATE, "sync: curl_global_init: %s",
                          curl_easy_strerror(kn_curl_init_result));
    if (mkdir(cfg->state_dir, 0700) != 0 && errno != EEXIST)
        return qf_err_set(err, errlen, QF_ERR_IO, "sync: %s: %s", cfg->state_dir,
                          strerror(errno));

    s = calloc(1, sizeof *s);
    if (!s)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "sync: out of memory");
    s->url = strdup(cfg->url);
    s->ca_file = strdup(cfg->ca_file);
    s->enroll_code = cfg->enroll_code ? strdup(cfg->enroll_code) : NULL;
    s->device_name = cfg->device_name ? strdup(cfg->device_name) : NULL;
    s->state_dir = strdup(cfg->state_dir);
    s->software_version = strdup(cfg->software_version ? cfg->software_version : QF_VERSION);
    if (!s->url || !s->ca_file || !s->state_dir || !s->software_version ||
        (cfg->enroll_code && !s->enroll_code) || (cfg->device_name && !s->device_name)) {
        result = qf_err_set(err, errlen, QF_ERR_NOMEM, "sync: out of memory");
        goto fail;
    }
    /* Drop a trailing slash so paths join cleanly. */
    for (size_t n = strlen(s->url); n > 8 && s->url[n - 1] == '/'; n--)
        s->url[n - 1] = '\0';
    s->sync_interval_s = cfg->sync_interval_s ? cfg->sync_interval_s : KN_DEFAULT_INTERVAL_S;
    s->heartbeat_s = cfg->heartbeat_s ? cfg->heartbeat_s : KN_DEFAULT_INTERVAL_S;
    s->notify = notify;
    s->ud = ud;
    snprintf(s->printer_status, sizeof s->printer_status, "ok");
    atomic_init(&s->stop, false);
    clock_gettime(CLOCK_MONOTONIC, &s->started);
    s->last_full_ms = mono_ms();
    s->rand_state = (unsigned)s->started.tv_nsec ^ (unsigned)getpid();

    result = kn_cache_open(s->state_dir, &s->cache, err, errlen);
    if (result)
        goto fail;
    result = kn_cache_version(s->cache, &s->version, s->etag, sizeof s->etag, err, errlen);
    if (result == QF_ERR_NOT_FOUND) {
        s->version = 0;
        result = QF_OK;
    }
    if (result)
        goto fail;
    result = token_read(s, err, errlen);
    if (result == QF_ERR_NOT_FOUND)
        result = QF_OK;
    if (result)
        goto fail;
    s->curl = curl_easy_init();
    if (!s->curl) {
        result = qf_err_set(err, errlen, QF_ERR_NOMEM, "sync: curl_easy_init failed");
        goto fail;
    }
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        result = qf_err_set(err, errlen, QF_ERR_STATE, "sync: mutex");
        goto fail;
    }
    have_mu = true;
    if (pthread_condattr_init(&ca) != 0 ||
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&s->cv, &ca) != 0) {
        result = qf_err_set(err, errlen, QF_ERR_STATE, "sync: condition variable");
        goto fail;
    }
    pthread_condattr_destroy(&ca);
    have_cv = true;
    if (pthread_create(&s->thread, NULL, worker, s) != 0) {
        result = qf_err_set(err, errlen, QF_ERR_STATE, "sync: cannot start the thread");
        goto fail;
    }
    *out = s;
    return QF_OK;
fail:
    if (have_cv)
        pthread_cond_destroy(&s->cv);
    if (have_mu)
        pthread_mutex_destroy(&s->mu);
    sync_free(s);
    return result;
}

void kn_sync_stop(kn_sync *sync)
{
    if (!sync)
        return;
    pthread_mutex_lock(&sync->mu);
    atomic_store(&sync->stop, true);
    pthread_cond_signal(&sync->cv);
    pthread_mutex_unlock(&sync->mu);
    pthread_join(sync->thread, NULL);
    pthread_cond_destroy(&sync->cv);
    pthread_mutex_destroy(&sync->mu);
    sync_free(sync);
}

void kn_sync_poke(kn_sync *sync)
{
    if (!sync)
        return;
    pthread_mutex_lock(&sync->mu);
    sync->poked = true;
    pthread_cond_signal(&sync->cv);
    pthread_mutex_unlock(&sync->mu);
}

qf_err kn_sync_set_printer_status(kn_sync *sync, const char *status)
{
    static const char *const allowed[] = { "ok", "paper_low", "paper_out", "offline", "error" };
    if (!sync || !status)
        return QF_ERR_INVALID;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        if (strcmp(status, allowed[i]) == 0) {
            pthread_mutex_lock(&sync->mu);
            if (strcmp(sync->printer_status, allowed[i]) != 0) {
                /* The fleet view should see a change soon, not a minute later. */
                sync->heartbeat_now = true;
                pthread_cond_signal(&sync->cv);
            }
            snprintf(sync->printer_status, sizeof sync->printer_status, "%s", allowed[i]);
            pthread_mutex_unlock(&sync->mu);
            return QF_OK;
        }
    }
    return QF_ERR_INVALID;
}

qf_err kn_sync_ticket_request(kn_sync *sync, const char *window, bool priority,
                              uint64_t request_id)
{
    if (!sync || !window || !*window || strlen(window) >= sizeof sync->ticket_window)
        return QF_ERR_INVALID;
    pthread_mutex_lock(&sync->mu);
    snprintf(sync->ticket_window, sizeof sync->ticket_window, "%s", window);
    sync->ticket_priority = priority;
    sync->ticket_id = request_id;
    sync->ticket_pending = true;
    pthread_cond_signal(&sync->cv);
    pthread_mutex_unlock(&sync->mu);
    return QF_OK;
}

void kn_sync_queues_request(kn_sync *sync)
{
    if (!sync)
        return;
    pthread_mutex_lock(&sync->mu);
    sync->queues_pending = true;
    pthread_cond_signal(&sync->cv);
    pthread_mutex_unlock(&sync->mu);
}
