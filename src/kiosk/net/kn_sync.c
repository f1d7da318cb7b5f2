/* kn_sync.c — the sync worker: one thread that enrolls the kiosk once,
 * keeps the catalog cache (kn_cache.c) current with the daemon, sends the
 * heartbeat, delivers the outbox (kn_outbox.c) and answers ticket, queue
 * and case look-up requests. See kn_sync.h for the contract.
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
 *   4. The outbox (kn_outbox.c, its own handle on STATE_DIR/outbox.db): see
 *      "The outbox" below.
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
 * The outbox. Each round, before the catalog (a citizen is waiting on it),
 * after kn_sync_outbox_poke, at every start and right after the link comes
 * back, the worker sends the items that are due, oldest first: POST
 * item->path with the stored body, and for cases and ratings the header
 * Idempotency-Key: item->key, the same on every retry, so the daemon
 * answers a repeat with the first result (200) and never makes a second
 * case. The answer decides the item's fate:
 *   2xx              delivered (body wiped) + KN_EVENT_DELIVERED ok with
 *                    the receipt's fields;
 *   no answer, 5xx,  retry later: attempts + 1, the next try after the
 *   429, 408         item's own backoff (2 s, 4 s … capped at 5 min, equal
 *                    jitter; 429 at least its Retry-After); no event, the
 *                    screen already said "saved". Transport failures and
 *                    429/503 end the round (the others would fare the same);
 *   401              the revoked path; the item stays pending untouched;
 *   other 4xx        refused for good (body wiped, the answer kept for the
 *                    operator) + KN_EVENT_DELIVERED not ok with the code and
 *                    the daemon's sentences.
 * Feedback (POST /api/v1/cases/{no}/feedback) has no idempotency key: the
 * daemon's answer to a repeat after a lost reply is 409 already_closed
 * (our "resolved" went through) or 409 not_finished (our "unresolved"
 * reopened it). So before sending a feedback item the worker records the
 * attempt (kn_outbox_retry_at, which also schedules the retry should the
 * process die mid-send); a 409 of those two codes on an item with an
 * earlier attempt counts as delivered, with that answer as the result — the
 * citizen's view (GET) shows which way it went. The price: if the earlier
 * attempt never reached the daemon and someone else's feedback closed the
 * case in between, ours is reported delivered though it was not recorded.
 * On a first attempt those 409s are refusals.
 * At every start the due items go; when the link comes back (the first
 * answer after a transport failure) and on kn_sync_poke, items waiting out
 * a backoff are made due at once too (kn_outbox_hurry): that backoff was
 * earned while the daemon could not be reached and would only delay the
 * citizen's request by up to 5 minutes.
 * The wait between rounds also ends at the outbox's next due time
 * (kn_outbox_depth), converted from the wall clock the outbox stores to the
 * monotonic clock the wait uses. The heartbeat reports the outbox depth.
 * If outbox.db cannot be opened (e.g. it is not a database), the worker
 * runs without it and says so once with KN_EVENT_ERROR: the file may hold
 * undelivered requests and needs an operator, not a silent replacement.
 *
 * Offline ticket numbers (kn_lease.c, API.md "Offline ticket numbers").
 * While the daemon answers, each round (at most every sync_interval_s, and
 * right after a ticket or a new catalog) the worker keeps a block of
 * leased numbers per ticket window of its cached catalog: POST
 * /api/v1/tickets/lease for KN_LEASE_BLOCK more when fewer than
 * KN_LEASE_LOW are left today. Numbers of earlier days are dropped first
 * (Asia/Shanghai midnight). A lease refused for good (409 lease_limit,
 * queue_full, no_ticket_prefix; 404 unknown_window) is not asked again
 * that day. When a ticket request gets no answer at all (transport
 * failure), the worker issues the next unused number of the window
 * (kn_lease_issue: marked used and its registration put in the outbox in
 * one transaction) and answers KN_EVENT_TICKET ok with .leased and
 * people_ahead -1; the outbox registers it once the link is back (a 409
 * lease_expired / not_leased is a refusal kept for the operator). With no
 * number left, or lease.db unusable, it stays "offline".
 *
 * Case look-ups (kn_sync_case_lookup): GET /api/v1/cases/{no}?phone4=, one
 * at a time, answered with one KN_EVENT_CASE; the digits are zeroed once
 * the URL is built and sent.
 *
 * Staff requests (kn_staff.c): helper and technician sign-in, help calls,
 * the device's inspection and maintenance notice. Each round runs the ones
 * queued (kn_staff_step), even while halted (they are answered "offline"
 * then); kn_sync_request is their HTTP call, with a helper's staff session
 * as the bearer where needed. The heartbeat's answer names the device
 * (STATE_DIR/device_id) and feeds kn_sync_status_get.
 *
 * Not here: the SQLite cache (kn_cache.c) and outbox (kn_outbox.c), the
 * UI's reaction to events (the UI pushes an SDL event from the callback),
 * printing. */
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

#include "kn_lease.h"
#include "kn_outbox.h"
#include "kn_staff.h"
#include "qf_clock.h"
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
#define KN_OUTBOX_BACKOFF_BASE_MS 2000
#define KN_OUTBOX_BACKOFF_CAP_MS  (5 * 60 * 1000)
#define KN_OUTBOX_ROUND_MAX       64u  /* items per round, so stop/tickets are not kept waiting */
#define KN_RETRY_AFTER_MAX_S      3600L

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
    long retry_after_s;    /* Retry-After in seconds; 0 when absent */
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
    bool outbox_poked;     /* kn_sync_outbox_poke */
    bool lookup_pending;   /* a case look-up waits for the worker */
    char lookup_no[32];
    char lookup_phone4[5]; /* zeroed as soon as the worker took it */
    uint64_t lookup_id;
    kn_staff *staff;       /* staff requests (kn_staff.c): its slots are guarded by mu */
    kn_sync_status status; /* for kn_sync_status_get: guarded by mu */

    /* Worker-only from here. */
    const char *bearer;    /* kn_sync_request: a staff session instead of the token */
    CURL *curl;
    kn_cache *cache;
    kn_outbox *outbox;     /* NULL when outbox.db could not be opened */
    char outbox_err[200];  /* why, told once at the worker's start */
    bool outbox_kick;      /* the link just came up: send what is due */
    bool outbox_hurry;     /* … after being down: and what waits out a backoff */
    int64_t outbox_pause_ms; /* wall ms: the outbox rests after a storage failure */
    kn_lease *lease;       /* leased numbers; NULL when unusable (no offline numbers) */
    bool lease_kick;       /* check the blocks at the next good round */
    uint64_t next_lease;   /* monotonic ms of the next block check */
    int64_t lwin_version;  /* the catalog version lwin was read from; 0 none */
    size_t lwin_count;
    struct {
        char id[64];
        char name[160];
        char refused_day[KN_LEASE_DAY_MAX]; /* a lease refused for good that day */
    } lwin[KN_QUEUES_MAX]; /* the windows with a ticket_prefix */
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
        s->outbox_hurry = s->outbox_hurry || s->link == KN_LINK_DOWN;
        s->link = KN_LINK_UP;
        s->outbox_kick = true;
        pthread_mutex_lock(&s->mu);
        s->status.link = 1;
        pthread_mutex_unlock(&s->mu);
        qf_info("sync: daemon reachable");
        emit(s, KN_EVENT_ONLINE, NULL, "online");
    }
}

static void link_down(kn_sync *s, const char *why)
{
    s->failures++;
    if (atomic_load(&s->stop))
        return; /* the transfer was aborted by kn_sync_stop: not news */
    pthread_mutex_lock(&s->mu);
    s->status.link = 2;
    snprintf(s->status.last_error, sizeof s->status.last_error, "%s", why);
    pthread_mutex_unlock(&s->mu);
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
    } else if (len > 12 && strncasecmp(data, "retry-after:", 12) == 0) {
        /* The delta-seconds form only (the daemon sends no dates). */
        long v = 0;
        size_t i = 12;
        while (i < len && (data[i] == ' ' || data[i] == '\t'))
            i++;
        while (i < len && data[i] >= '0' && data[i] <= '9' && v <= KN_RETRY_AFTER_MAX_S)
            v = v * 10 + (data[i++] - '0');
        r->retry_after_s = v > KN_RETRY_AFTER_MAX_S ? KN_RETRY_AFTER_MAX_S : v;
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
static qf_err http_call_key(kn_sync *s, const char *method, const char *path,
                            const char *json_body, bool with_token, const char *if_none_match,
                            const char *idem_key, kn_resp *r, char *err, size_t errlen)
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
        snprintf(line, sizeof line, "Authorization: Bearer %s", s->bearer ? s->bearer : s->token);
        KN_APPEND(line);
    }
    if (if_none_match && *if_none_match) {
        snprintf(line, sizeof line, "If-None-Match: %s", if_none_match);
        KN_APPEND(line);
    }
    if (idem_key && *idem_key) {
        snprintf(line, sizeof line, "Idempotency-Key: %s", idem_key);
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

/* http_call_key without an idempotency key. */
static qf_err http_call(kn_sync *s, const char *method, const char *path, const char *json_body,
                        bool with_token, const char *if_none_match, kn_resp *r, char *err,
                        size_t errlen)
{
    return http_call_key(s, method, path, json_body, with_token, if_none_match, NULL, r, err,
                         errlen);
}

/* POST a JSON body built by the caller (body is consumed). QF_OK: the
 * daemon answered (*r filled, the link marked up; resp_cleanup it);
 * QF_ERR_NOMEM: the body could not be built (nothing sent); QF_ERR_IO: no
 * answer (err says why, the link marked down). */
static qf_err post_json(kn_sync *s, const char *path, json_t *body, bool with_token, kn_resp *r,
                        char *err, size_t errlen)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return QF_ERR_NOMEM;
    }
    qf_err rc = http_call(s, "POST", path, text, with_token, NULL, r, err, errlen);
    free(text);
    if (rc != QF_OK) {
        resp_cleanup(r);
        link_down(s, err);
        return QF_ERR_IO;
    }
    link_up(s);
    return QF_OK;
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
    enum kn_outcome out = KN_RETRY;

    if (!s->enroll_code || !*s->enroll_code) {
        emit(s, KN_EVENT_ERROR, NULL, "not enrolled: no enrollment code configured");
        return KN_HALT;
    }
    body = json_pack("{s:s, s:s}", "code", s->enroll_code, "name",
                     s->device_name && *s->device_name ? s->device_name : "kiosk");
    switch (post_json(s, "/api/v1/devices/enroll", body, false, &r, err, sizeof err)) {
    case QF_OK: break;
    case QF_ERR_NOMEM: return KN_RETRY;
    default: return KN_NET;
    }
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

/* STATE_DIR/device_id: the id the daemon gave this kiosk, kept so that an
 * inspection can name it before the first heartbeat after a restart. */
static void device_id_load(kn_sync *s)
{
    char path[4200], buf[64] = "";
    snprintf(path, sizeof path, "%s/device_id", s->state_dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    if (fgets(buf, sizeof buf, fp))
        buf[strcspn(buf, "\r\n")] = '\0';
    fclose(fp);
    snprintf(s->status.device_id, sizeof s->status.device_id, "%s", buf);
}

/* The heartbeat's answer names the device; the status gets the rest. */
static void heartbeat_taken(kn_sync *s, const kn_resp *r, size_t depth)
{
    json_t *root = r->body.data ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;
    const char *id = json_string_value(json_object_get(root, "device_id"));
    bool changed = false;
    pthread_mutex_lock(&s->mu);
    s->status.last_ok_s = (int64_t)time(NULL);
    s->status.catalog_version = s->version;
    s->status.outbox_depth = depth;
    s->status.last_error[0] = '\0';
    if (id && strlen(id) < sizeof s->status.device_id && strcmp(id, s->status.device_id) != 0) {
        snprintf(s->status.device_id, sizeof s->status.device_id, "%s", id);
        changed = true;
    }
    pthread_mutex_unlock(&s->mu);
    if (changed) {
        char path[4200];
        snprintf(path, sizeof path, "%s/device_id", s->state_dir);
        FILE *fp = fopen(path, "w");
        if (!fp || fprintf(fp, "%s\n", id) < 0)
            qf_warn("sync: %s: cannot write", path);
        if (fp)
            fclose(fp);
    }
    json_decref(root);
}

static enum kn_outcome step_heartbeat(kn_sync *s)
{
    char err[256], status[16], code[64];
    struct statvfs vfs;
    long long free_mb = 0;
    size_t depth = 0;
    json_t *body;
    kn_resp r;
    enum kn_outcome out = KN_DONE;

    pthread_mutex_lock(&s->mu);
    memcpy(status, s->printer_status, sizeof status);
    pthread_mutex_unlock(&s->mu);
    if (s->outbox && kn_outbox_depth(s->outbox, &depth, NULL, err, sizeof err) != QF_OK) {
        qf_warn("sync: %s", err);
        depth = 0;
    }
    if (statvfs(s->state_dir, &vfs) == 0)
        free_mb = (long long)((unsigned long long)vfs.f_bavail * vfs.f_frsize / (1024u * 1024u));
    body = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I}", "software_version", s->software_version,
                     "catalog_version", (json_int_t)(s->version > 0 ? s->version : 0),
                     "printer_status", status, "outbox_depth", (json_int_t)depth, "disk_free_mb",
                     (json_int_t)free_mb, "uptime_s",
                     (json_int_t)((mono_ms() - ((uint64_t)s->started.tv_sec * 1000u +
                                                (uint64_t)s->started.tv_nsec / 1000000u)) /
                                  1000u));
    switch (post_json(s, "/api/v1/devices/heartbeat", body, true, &r, err, sizeof err)) {
    case QF_OK: break;
    case QF_ERR_NOMEM: return KN_RETRY;
    default: return KN_NET;
    }
    if (r.status == 200)
        heartbeat_taken(s, &r, depth);
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

/* ---- leased ticket numbers ---------------------------------------------------- */

/* Today in Asia/Shanghai, "YYYY-MM-DD". */
static void lease_today(char day[KN_LEASE_DAY_MAX])
{
    qf_day_format(qf_instant_day(qf_clock_now()), day, KN_LEASE_DAY_MAX);
}

/* The ticket windows of the cached catalog, re-read when its version moved. */
static void lease_windows(kn_sync *s)
{
    char err[256];
    qf_catalog *cat = NULL;
    int64_t version = 0;

    if (s->version <= 0 || s->version == s->lwin_version)
        return;
    if (kn_cache_build(s->cache, &cat, &version, err, sizeof err) != QF_OK) {
        qf_warn("sync: lease: catalog cache: %s", err);
        return;
    }
    s->lwin_count = 0;
    for (size_t i = 0; i < cat->windows_count && s->lwin_count < KN_QUEUES_MAX; i++) {
        const qf_catalog_window *w = &cat->windows[i];
        if (!w->ticket_prefix || !*w->ticket_prefix || strlen(w->id) >= sizeof s->lwin[0].id)
            continue;
        snprintf(s->lwin[s->lwin_count].id, sizeof s->lwin[0].id, "%s", w->id);
        snprintf(s->lwin[s->lwin_count].name, sizeof s->lwin[0].name, "%s",
                 w->name ? w->name : "");
        s->lwin[s->lwin_count].refused_day[0] = '\0';
        s->lwin_count++;
    }
    s->lwin_version = version;
    qf_catalog_free(cat);
}

/* One lease request for window lwin[i]: n more numbers. *end_round: the
 * daemon is busy (429, 5xx): the other windows wait for the next round. */
static enum kn_outcome lease_one(kn_sync *s, size_t i, size_t n, const char *today,
                                 bool *end_round)
{
    char err[256], code[64], day[KN_LEASE_DAY_MAX];
    const char *numbers[KN_LEASE_COUNT_MAX];
    json_t *body, *root = NULL, *arr;
    kn_resp r;
    size_t count = 0, k;
    enum kn_outcome out = KN_DONE;

    body = json_pack("{s:s, s:I}", "window", s->lwin[i].id, "count", (json_int_t)n);
    switch (post_json(s, "/api/v1/tickets/lease", body, true, &r, err, sizeof err)) {
    case QF_OK: break;
    case QF_ERR_NOMEM: return KN_RETRY;
    default: return KN_NET;
    }
    if (r.status == 200 || r.status == 201) {
        json_t *v;
        root = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
        arr = json_object_get(root, "numbers");
        const char *d = json_string_value(json_object_get(root, "day"));
        snprintf(day, sizeof day, "%s", d ? d : "");
        json_array_foreach(arr, k, v) {
            if (json_is_string(v) && count < KN_LEASE_COUNT_MAX)
                numbers[count++] = json_string_value(v);
        }
        if (!count || kn_lease_store(s->lease, s->lwin[i].id, day, numbers, count, err,
                                     sizeof err) != QF_OK)
            qf_warn("sync: lease for %s not kept: %s", s->lwin[i].id,
                    count ? err : "no numbers in the answer");
        else
            qf_info("sync: leased %s..%s for %s (%s)", numbers[0], numbers[count - 1],
                    s->lwin[i].id, day);
        if (strcmp(day, today) != 0) {
            /* The daemon's day is not ours (a clock off around midnight):
             * the block does not count as today's here, and asking again
             * each round would only run into the daemon's cap. */
            qf_warn("sync: leased for %s but this kiosk's day is %s; no more leases today",
                    day[0] ? day : "?", today);
            snprintf(s->lwin[i].refused_day, sizeof s->lwin[i].refused_day, "%s", today);
        }
    } else if (r.status == 401) {
        out = KN_DENIED;
    } else {
        error_code(&r, code, sizeof code);
        qf_warn("sync: lease for %s answered %ld %s", s->lwin[i].id, r.status, code);
        if (r.status == 404 || r.status == 409) /* lease_limit, queue_full, …: not today */
            snprintf(s->lwin[i].refused_day, sizeof s->lwin[i].refused_day, "%s", today);
        else
            *end_round = r.status == 429 || r.status >= 500;
    }
    json_decref(root);
    resp_cleanup(&r);
    return out;
}

/* Keeps a block per ticket window topped up; drops earlier days' numbers. */
static enum kn_outcome step_leases(kn_sync *s)
{
    char today[KN_LEASE_DAY_MAX], err[256];
    size_t dropped = 0;

    if (!s->lease || !s->token[0])
        return KN_DONE;
    lease_today(today);
    if (kn_lease_drop_before(s->lease, today, &dropped, err, sizeof err) != QF_OK)
        qf_warn("sync: %s", err);
    else if (dropped)
        qf_info("sync: %zu unused leased number(s) of earlier days dropped", dropped);
    lease_windows(s);
    for (size_t i = 0; i < s->lwin_count && !atomic_load(&s->stop); i++) {
        size_t unused = 0, n;
        if (strcmp(s->lwin[i].refused_day, today) == 0)
            continue;
        if (kn_lease_unused(s->lease, s->lwin[i].id, today, &unused, err, sizeof err) != QF_OK) {
            qf_warn("sync: %s", err);
            return KN_DONE;
        }
        n = kn_lease_topup_count(unused);
        if (n == 0)
            continue;
        bool end_round = false;
        enum kn_outcome rc = lease_one(s, i, n, today, &end_round);
        if (rc != KN_DONE || end_round)
            return rc;
    }
    return KN_DONE;
}

/* The daemon did not answer a ticket request: the next leased number of
 * the window, if any (ev filled in); false when none is held. */
static bool issue_leased(kn_sync *s, const char *window, bool priority, kn_event *ev)
{
    char today[KN_LEASE_DAY_MAX], at[32], err[256], ref[KN_OUTBOX_REF_MAX];
    kn_ticket *t = &ev->ticket;

    if (!s->lease)
        return false;
    lease_today(today);
    /* Midnight may have passed offline: yesterday's numbers go now (they
     * would not be issued anyway: only today's are). */
    if (kn_lease_drop_before(s->lease, today, NULL, err, sizeof err) != QF_OK)
        qf_warn("sync: %s", err);
    qf_clock_format_iso8601(qf_clock_now(), at, sizeof at);
    qf_err rc = kn_lease_issue(s->lease, window, today, priority, at, t->number,
                               sizeof t->number, ref, sizeof ref, err, sizeof err);
    if (rc != QF_OK) {
        if (rc != QF_ERR_NOT_FOUND)
            qf_error("sync: offline ticket: %s", err);
        else
            qf_warn("sync: offline ticket: no leased number of %s left today", window);
        return false;
    }
    lease_windows(s);
    for (size_t i = 0; i < s->lwin_count; i++)
        if (strcmp(s->lwin[i].id, window) == 0)
            snprintf(t->window_name, sizeof t->window_name, "%s", s->lwin[i].name);
    t->ok = true;
    t->leased = true;
    t->offline = true;
    t->people_ahead = -1;
    t->priority = priority;
    snprintf(t->issued_at, sizeof t->issued_at, "%s", at);
    qf_info("sync: offline ticket %s for %s (leased; registration %s in the outbox)", t->number,
            window, ref);
    s->lease_kick = true;
    return true;
}

/* One ticket request: always tried at once (the citizen is waiting), so
 * it ignores the backoff; its outcome also moves the link state. */
static void step_ticket(kn_sync *s, const char *window, bool priority, uint64_t id)
{
    char err[256], code[64];
    kn_resp r;
    kn_event ev;
    json_t *body, *root = NULL;

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
    qf_err sent = post_json(s, "/api/v1/tickets", body, true, &r, err, sizeof err);
    if (sent == QF_ERR_NOMEM) {
        snprintf(ev.message, sizeof ev.message, "out of memory");
        s->notify(s->ud, &ev);
        return;
    }
    if (sent != QF_OK) {
        ev.ticket.offline = true;
        snprintf(ev.message, sizeof ev.message, "%s", err);
        issue_leased(s, window, priority, &ev);   /* ok with a leased number, if one is held */
        s->notify(s->ud, &ev);
        return;
    }
    s->lease_kick = true;  /* an online ticket: a good moment to check the blocks */
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

/* ---- the outbox ------------------------------------------------------------- */

/* memset through a volatile pointer, so wiping the look-up digits is not
 * optimised away (explicit_bzero is not in strict C11). */
static void *(*const volatile kn_memset)(void *, int, size_t) = memset;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An item's wait before try number attempts + 1: 2 s, 4 s, 8 s … capped at
 * 5 min, with equal jitter (half fixed, half random) so kiosks that lost
 * the network together do not come back in step. */
static int64_t item_backoff_ms(kn_sync *s, unsigned attempts)
{
    int64_t step = KN_OUTBOX_BACKOFF_BASE_MS;
    for (unsigned i = 1; i < attempts && step < KN_OUTBOX_BACKOFF_CAP_MS; i++)
        step *= 2;
    if (step > KN_OUTBOX_BACKOFF_CAP_MS)
        step = KN_OUTBOX_BACKOFF_CAP_MS;
    return step / 2 + (int64_t)((unsigned)rand_r(&s->rand_state) % (unsigned)(step / 2 + 1));
}

static void copy_member(const json_t *obj, const char *name, char *out, size_t outlen)
{
    const char *v = json_string_value(json_object_get(obj, name));
    snprintf(out, outlen, "%s", v ? v : "");
}

/* "QT20261125-0001" from "/api/v1/cases/QT20261125-0001/feedback". */
static void case_no_from_path(const char *path, char *out, size_t outlen)
{
    static const char prefix[] = "/api/v1/cases/";
    size_t n;
    out[0] = '\0';
    if (strncmp(path, prefix, sizeof prefix - 1) != 0)
        return;
    path += sizeof prefix - 1;
    n = strcspn(path, "/?");
    if (n < outlen)
        snprintf(out, outlen, "%.*s", (int)n, path);
}

/* One KN_EVENT_DELIVERED from the daemon's answer r (status and body). */
static void emit_delivery(kn_sync *s, const kn_outbox_item *it, const kn_resp *r, bool ok,
                          const char *note)
{
    kn_event *ev = calloc(1, sizeof *ev);
    json_t *root, *e;
    kn_delivery *d;

    if (!ev) {
        qf_error("sync: out of memory; outbox item %s's answer not shown", it->ref);
        return;
    }
    ev->kind = KN_EVENT_DELIVERED;
    d = &ev->delivery;
    snprintf(d->ref, sizeof d->ref, "%s", it->ref);
    d->kind = (int)it->kind;
    d->ok = ok;
    root = r->body.data ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;
    if (ok) {
        copy_member(root, "case_no", d->case_no, sizeof d->case_no);
        if (!d->case_no[0])
            case_no_from_path(it->path, d->case_no, sizeof d->case_no);
        copy_member(root, "tracking_url", d->tracking_url, sizeof d->tracking_url);
        copy_member(root, "mobile_masked", d->mobile_masked, sizeof d->mobile_masked);
        copy_member(root, "submitted_at", d->submitted_at, sizeof d->submitted_at);
        copy_member(json_object_get(root, "deadline_rule"), "rule", d->rule, sizeof d->rule);
    } else {
        e = json_object_get(root, "error");
        copy_member(e, "code", d->error_code, sizeof d->error_code);
        copy_member(e, "message", d->error_message, sizeof d->error_message);
        copy_member(e, "message_zh", d->error_zh, sizeof d->error_zh);
        if (!d->error_code[0])
            snprintf(d->error_code, sizeof d->error_code, "http_%ld", r->status);
    }
    snprintf(ev->message, sizeof ev->message, "%s %s (%ld%s%s)", it->ref,
             ok ? "delivered" : "refused", r->status, note ? ", " : "", note ? note : "");
    json_decref(root);
    s->notify(s->ud, ev);
    free(ev);
}

/* What the outbox keeps as the answer: the daemon's body, or the status
 * alone when it sent none. */
static const char *answer_text(const kn_resp *r, char *buf, size_t buflen)
{
    if (r->body.data && r->body.len)
        return r->body.data;
    snprintf(buf, buflen, "{\"status\":%ld}", r->status);
    return buf;
}

/* A storage failure must not turn into resending the same item in a tight
 * loop: the outbox rests for a while. */
static void outbox_trouble(kn_sync *s, const char *what, const char *why)
{
    qf_error("sync: outbox: %s: %s", what, why);
    s->outbox_pause_ms = wall_ms() + 30000;
}

/* Sends one due item and records the outcome. *end_round: the others would
 * fare the same now (no network, rate limited, store unavailable). */
static enum kn_outcome send_item(kn_sync *s, kn_outbox_item *it, bool *end_round)
{
    char err[256], code[64], buf[96];
    const bool keyed = it->kind != KN_OUTBOX_FEEDBACK;
    const unsigned earlier = it->attempts; /* sends started before this one (feedback) */
    int64_t now = wall_ms(), marked_until = 0, delay;
    enum kn_outcome out = KN_DONE;
    kn_resp r;

    *end_round = false;
    if (!keyed) {
        /* No key: write the attempt down first, so that after a lost reply
         * (or kill -9 mid-send) the 409 on the retry is read rightly. */
        marked_until = now + item_backoff_ms(s, it->attempts + 1);
        if (kn_outbox_retry_at(s->outbox, it->id, marked_until, "sent; no answer yet", err,
                               sizeof err) != QF_OK) {
            outbox_trouble(s, it->ref, err);
            *end_round = true;
            return KN_DONE;
        }
        it->attempts++;
    }
    if (http_call_key(s, "POST", it->path, it->body, true, NULL, keyed ? it->key : NULL, &r, err,
                      sizeof err)) {
        resp_cleanup(&r);
        link_down(s, err);
        if (keyed && kn_outbox_retry_at(s->outbox, it->id, now + item_backoff_ms(s, earlier + 1),
                                        err, err, sizeof err) != QF_OK)
            outbox_trouble(s, it->ref, err);
        *end_round = true;
        return KN_NET;
    }
    link_up(s);
    error_code(&r, code, sizeof code);
    if (r.status >= 200 && r.status < 300) {
        if (kn_outbox_delivered(s->outbox, it->id, answer_text(&r, buf, sizeof buf), err,
                                sizeof err) != QF_OK)
            outbox_trouble(s, it->ref, err); /* resent later: the key makes that harmless */
        qf_info("sync: outbox %s delivered (%ld)", it->ref, r.status);
        emit_delivery(s, it, &r, true, NULL);
    } else if (r.status == 401) {
        out = KN_DENIED; /* the item waits for a new enrollment */
        *end_round = true;
    } else if (!keyed && earlier > 0 && r.status == 409 &&
               (strcmp(code, "already_closed") == 0 || strcmp(code, "not_finished") == 0)) {
        /* See the top comment: an earlier send of this feedback went through. */
        if (kn_outbox_delivered(s->outbox, it->id, answer_text(&r, buf, sizeof buf), err,
                                sizeof err) != QF_OK)
            outbox_trouble(s, it->ref, err);
        qf_info("sync: outbox %s delivered earlier (409 %s on the retry)", it->ref, code);
        emit_delivery(s, it, &r, true, code);
    } else if (r.status == 408 || r.status == 429 || r.status >= 500 || r.status < 200 ||
               (r.status >= 300 && r.status < 400)) {
        delay = item_backoff_ms(s, earlier + 1);
        if (r.retry_after_s * 1000 > delay)
            delay = r.retry_after_s * 1000;
        snprintf(buf, sizeof buf, "%ld %s", r.status, code);
        qf_warn("sync: outbox %s answered %s; retry in %lld ms", it->ref, buf, (long long)delay);
        if ((keyed || now + delay > marked_until) &&
            kn_outbox_retry_at(s->outbox, it->id, now + delay, buf, err, sizeof err) != QF_OK)
            outbox_trouble(s, it->ref, err);
        *end_round = r.status == 429 || r.status == 503;
    } else {
        if (kn_outbox_refused(s->outbox, it->id, answer_text(&r, buf, sizeof buf), err,
                              sizeof err) != QF_OK)
            outbox_trouble(s, it->ref, err);
        qf_warn("sync: outbox %s refused (%ld %s)", it->ref, r.status, code);
        emit_delivery(s, it, &r, false, NULL);
    }
    resp_cleanup(&r);
    return out;
}

/* Whether an outbox item is due now (wall clock). */
static bool outbox_due(kn_sync *s)
{
    char err[256];
    int64_t next = INT64_MAX;
    if (!s->outbox || wall_ms() < s->outbox_pause_ms)
        return false;
    if (kn_outbox_depth(s->outbox, NULL, &next, err, sizeof err) != QF_OK) {
        outbox_trouble(s, "depth", err);
        return false;
    }
    return next <= wall_ms();
}

/* Sends what is due, oldest first, up to KN_OUTBOX_ROUND_MAX items. hurry:
 * the link just came back or a sync was asked for, so items waiting out a
 * backoff go now too. */
static enum kn_outcome step_outbox(kn_sync *s, bool hurry)
{
    char err[256];
    enum kn_outcome out = KN_DONE;
    size_t moved = 0;

    hurry = hurry || s->outbox_hurry;
    s->outbox_kick = s->outbox_hurry = false;
    if (!s->outbox || !s->token[0] || wall_ms() < s->outbox_pause_ms)
        return KN_DONE;
    if (hurry && kn_outbox_hurry(s->outbox, wall_ms(), &moved, err, sizeof err) != QF_OK)
        qf_warn("sync: outbox: %s", err); /* they go at their own time then */
    if (moved)
        qf_info("sync: outbox: %zu waiting item(s) sent early", moved);
    for (unsigned n = 0; n < KN_OUTBOX_ROUND_MAX && !atomic_load(&s->stop); n++) {
        kn_outbox_item it;
        bool end_round = false;
        qf_err rc = kn_outbox_next_due(s->outbox, wall_ms(), &it, err, sizeof err);
        if (rc == QF_ERR_NOT_FOUND)
            break;
        if (rc) {
            outbox_trouble(s, "next item", err);
            break;
        }
        out = send_item(s, &it, &end_round);
        kn_outbox_item_free(&it);
        if (out != KN_DONE || end_round)
            break;
        if (s->outbox_hurry) {
            /* This send found the link back: the others need not wait. */
            s->outbox_hurry = false;
            if (kn_outbox_hurry(s->outbox, wall_ms(), &moved, err, sizeof err) != QF_OK)
                qf_warn("sync: outbox: %s", err);
        }
    }
    /* A link that came up during these sends needs no second pass (and
     * one that came up with a 429 or 503 is not a reason to hurry). */
    s->outbox_kick = s->outbox_hurry = false;
    return out;
}

/* ---- case look-up ----------------------------------------------------------- */

static void take_case_view(kn_case_view *v, const json_t *root)
{
    const json_t *tl = json_object_get(root, "timeline"), *e;
    size_t i;

    v->found = true;
    copy_member(root, "case_no", v->case_no, sizeof v->case_no);
    copy_member(root, "type", v->type, sizeof v->type);
    copy_member(root, "status", v->status, sizeof v->status);
    copy_member(root, "status_label_zh", v->status_label_zh, sizeof v->status_label_zh);
    copy_member(root, "kind", v->kind, sizeof v->kind);
    copy_member(root, "deadline", v->deadline, sizeof v->deadline);
    v->overdue = json_is_true(json_object_get(root, "overdue"));
    copy_member(root, "submitted_at", v->submitted_at, sizeof v->submitted_at);
    copy_member(root, "mobile_masked", v->mobile_masked, sizeof v->mobile_masked);
    copy_member(root, "enterprise_name", v->enterprise_name, sizeof v->enterprise_name);
    /* The newest events matter most when a long history does not fit. */
    i = json_array_size(tl) > KN_TIMELINE_MAX ? json_array_size(tl) - KN_TIMELINE_MAX : 0;
    for (; i < json_array_size(tl); i++) {
        e = json_array_get(tl, i);
        copy_member(e, "at", v->timeline[v->timeline_count].at, sizeof v->timeline[0].at);
        copy_member(e, "event", v->timeline[v->timeline_count].event,
                    sizeof v->timeline[0].event);
        copy_member(e, "label_zh", v->timeline[v->timeline_count].label_zh,
                    sizeof v->timeline[0].label_zh);
        copy_member(e, "note", v->timeline[v->timeline_count].note, sizeof v->timeline[0].note);
        v->timeline_count++;
    }
}

/* One look-up; phone4 is zeroed here, whatever happens. */
static void step_lookup(kn_sync *s, const char *case_no, char *phone4, uint64_t id)
{
    char path[96], err[256], code[64];
    kn_event *ev = calloc(1, sizeof *ev);
    kn_case_view *v;
    kn_resp r;

    snprintf(path, sizeof path, "/api/v1/cases/%s?phone4=%s", case_no, phone4);
    kn_memset(phone4, 0, 5);
    if (!ev) {
        kn_memset(path, 0, sizeof path);
        qf_error("sync: out of memory; case look-up dropped");
        return;
    }
    ev->kind = KN_EVENT_CASE;
    v = &ev->lookup;
    v->request_id = id;
    snprintf(v->case_no, sizeof v->case_no, "%s", case_no);
    if (!s->token[0]) {
        v->offline = true;
        snprintf(ev->message, sizeof ev->message, "not enrolled");
    } else if (http_call(s, "GET", path, NULL, true, NULL, &r, err, sizeof err)) {
        resp_cleanup(&r);
        link_down(s, err);
        v->offline = true;
        snprintf(ev->message, sizeof ev->message, "%s", err);
    } else {
        link_up(s);
        if (r.status == 200) {
            json_t *root = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
            if (json_is_object(root))
                take_case_view(v, root);
            else
                snprintf(ev->message, sizeof ev->message, "case answer malformed");
            json_decref(root);
        } else if (r.status == 429) {
            v->rate_limited = true;
            snprintf(ev->message, sizeof ev->message, "rate limited; retry in %ld s",
                     r.retry_after_s);
        } else if (r.status == 404) {
            snprintf(ev->message, sizeof ev->message, "no case matches");
        } else {
            error_code(&r, code, sizeof code);
            v->offline = r.status == 401 || r.status >= 500; /* not the citizen's mistake */
            snprintf(ev->message, sizeof ev->message, "case look-up answered %ld %s", r.status,
                     code);
        }
        resp_cleanup(&r);
    }
    kn_memset(path, 0, sizeof path);
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

    if (!s->outbox)
        emit(s, KN_EVENT_ERROR, NULL, "outbox unusable: %s", s->outbox_err);
    pthread_mutex_lock(&s->mu);
    while (!atomic_load(&s->stop)) {
        uint64_t now, wake;
        struct timespec until;
        bool poked = s->poked, hb_now = s->heartbeat_now, ticket = s->ticket_pending;
        bool queues = s->queues_pending, ob_poked = s->outbox_poked;
        bool lookup = s->lookup_pending;
        char lookup_no[sizeof s->lookup_no], lookup_phone4[sizeof s->lookup_phone4];
        uint64_t lookup_id = s->lookup_id;
        char ticket_window[sizeof s->ticket_window];
        bool ticket_priority = s->ticket_priority;
        uint64_t ticket_id = s->ticket_id;
        enum kn_outcome rc = KN_DONE;

        memcpy(ticket_window, s->ticket_window, sizeof ticket_window);
        memcpy(lookup_no, s->lookup_no, sizeof lookup_no);
        memcpy(lookup_phone4, s->lookup_phone4, sizeof lookup_phone4);
        kn_memset(s->lookup_phone4, 0, sizeof s->lookup_phone4);
        s->poked = s->heartbeat_now = s->ticket_pending = s->queues_pending = false;
        s->outbox_poked = s->lookup_pending = false;
        pthread_mutex_unlock(&s->mu);

        if (lookup)
            step_lookup(s, lookup_no, lookup_phone4, lookup_id); /* zeroes the digits */
        kn_memset(lookup_phone4, 0, sizeof lookup_phone4);
        if (queues)
            step_queues(s);
        if (ticket)
            step_ticket(s, ticket_window, ticket_priority, ticket_id);
        kn_staff_step(s);   /* helpers, help calls, maintenance (kn_staff.c); answered even halted */
        now = mono_ms();
        if (hb_now && !halted)
            next_heartbeat = now;
        if (poked && !halted)
            next_enroll = next_catalog = next_heartbeat = now;
        if (!halted && !s->token[0] && now >= next_enroll)
            rc = step_enroll(s);
        /* The outbox before the catalog: a citizen may be waiting on it. */
        if (!halted && rc == KN_DONE && s->token[0] &&
            (ob_poked || poked || s->outbox_kick || outbox_due(s)))
            rc = step_outbox(s, poked);
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
        if (!halted && rc == KN_DONE && s->token[0] && s->lease &&
            (s->lease_kick || now >= s->next_lease)) {
            s->lease_kick = false;
            rc = step_leases(s);
            s->next_lease = now + (uint64_t)s->sync_interval_s * 1000u;
        }
        /* The link came back during this round (catalog or heartbeat). */
        if (!halted && rc == KN_DONE && s->token[0] && s->outbox_kick)
            rc = step_outbox(s, false);
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
        if (!halted && s->token[0] && s->outbox) {
            /* The outbox's next due time, from its wall clock to ours. */
            char err[256];
            int64_t next_ms = INT64_MAX, wall = wall_ms();
            if (kn_outbox_depth(s->outbox, NULL, &next_ms, err, sizeof err) != QF_OK)
                outbox_trouble(s, "depth", err);
            if (next_ms != INT64_MAX) {
                if (next_ms < s->outbox_pause_ms)
                    next_ms = s->outbox_pause_ms;
                if (now + (uint64_t)(next_ms > wall ? next_ms - wall : 0) < wake)
                    wake = now + (uint64_t)(next_ms > wall ? next_ms - wall : 0);
            }
        }
        if (wake < now)
            wake = now;
        until.tv_sec = (time_t)(wake / 1000u);
        until.tv_nsec = (long)(wake % 1000u) * 1000000L;

        pthread_mutex_lock(&s->mu);
        while (!atomic_load(&s->stop) && !s->poked && !s->ticket_pending && !s->heartbeat_now &&
               !s->queues_pending && !s->outbox_poked && !s->lookup_pending &&
               !kn_staff_pending(s->staff)) {
            if (halted) {
                pthread_cond_wait(&s->cv, &s->mu); /* until stop (a poke cannot fix it) */
                s->poked = s->outbox_poked = false;
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
    kn_outbox_close(s->outbox);
    kn_staff_free(s->staff);
    kn_lease_close(s->lease);
    kn_memset(s->lookup_phone4, 0, sizeof s->lookup_phone4);
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

    s->staff = kn_staff_new();
    if (!s->staff) {
        result = qf_err_set(err, errlen, QF_ERR_NOMEM, "sync: out of memory");
        goto fail;
    }
    snprintf(s->status.printer_status, sizeof s->status.printer_status, "ok");
    device_id_load(s);
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
    /* Not fatal: catalog, tickets and heartbeat work without it, and the
     * worker reports it (KN_EVENT_ERROR) for an operator. */
    if (kn_outbox_open(s->state_dir, &s->outbox, s->outbox_err, sizeof s->outbox_err) !=
        QF_OK) {
        qf_error("sync: %s", s->outbox_err);
        s->outbox = NULL;
    } else {
        char why[256] = "";
        if (kn_lease_open(s->state_dir, &s->lease, why, sizeof why) != QF_OK) {
            /* Not fatal either: tickets work online, only offline numbers are lost. */
            qf_error("sync: leased ticket numbers unusable: %s", why);
            s->lease = NULL;
        }
    }
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
            snprintf(sync->status.printer_status, sizeof sync->status.printer_status, "%s",
                     allowed[i]);
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

void kn_sync_outbox_poke(kn_sync *sync)
{
    if (!sync)
        return;
    pthread_mutex_lock(&sync->mu);
    sync->outbox_poked = true;
    pthread_cond_signal(&sync->cv);
    pthread_mutex_unlock(&sync->mu);
}

/* "QT" + 8 digits + "-" + 4 or 5 digits, after trimming blanks and
 * upper-casing (typed as "qt20261125-0001" it is the same number). */
static bool case_no_normalise(const char *in, char *out, size_t outlen)
{
    size_t n = 0, len;
    while (*in == ' ' || *in == '\t')
        in++;
    len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '\r' ||
                       in[len - 1] == '\n'))
        len--;
    if (len < 15 || len > 16 || len >= outlen)
        return false;
    for (n = 0; n < len; n++)
        out[n] = (in[n] >= 'a' && in[n] <= 'z') ? (char)(in[n] - 'a' + 'A') : in[n];
    out[len] = '\0';
    if (out[0] != 'Q' || out[1] != 'T' || out[10] != '-')
        return false;
    for (n = 2; n < len; n++)
        if (n != 10 && (out[n] < '0' || out[n] > '9'))
            return false;
    return true;
}

qf_err kn_sync_case_lookup(kn_sync *sync, const char *case_no, const char *phone4,
                           uint64_t request_id)
{
    char no[sizeof sync->lookup_no];
    if (!sync || !case_no || !phone4 || !case_no_normalise(case_no, no, sizeof no))
        return QF_ERR_INVALID;
    for (size_t i = 0; i < 4; i++)
        if (phone4[i] < '0' || phone4[i] > '9')
            return QF_ERR_INVALID;
    if (phone4[4] != '\0')
        return QF_ERR_INVALID;
    pthread_mutex_lock(&sync->mu);
    memcpy(sync->lookup_no, no, sizeof no);
    memcpy(sync->lookup_phone4, phone4, 5);
    sync->lookup_id = request_id;
    sync->lookup_pending = true;
    pthread_cond_signal(&sync->cv);
    pthread_mutex_unlock(&sync->mu);
    return QF_OK;
}

/* ---- for the staff requests (kn_staff.h) and the diagnostics -------------- */

void kn_sync_status_get(kn_sync *sync, kn_sync_status *out)
{
    memset(out, 0, sizeof *out);
    if (!sync)
        return;
    pthread_mutex_lock(&sync->mu);
    *out = sync->status;
    out->enrolled = out->device_id[0] != '\0';
    pthread_mutex_unlock(&sync->mu);
}

kn_staff *kn_sync_staff(kn_sync *sync)
{
    return sync ? sync->staff : NULL;
}

void kn_sync_lock(kn_sync *sync)
{
    pthread_mutex_lock(&sync->mu);
}

void kn_sync_unlock_wake(kn_sync *sync, bool wake)
{
    if (wake)
        pthread_cond_signal(&sync->cv);
    pthread_mutex_unlock(&sync->mu);
}

qf_err kn_sync_request(kn_sync *sync, const char *path, const char *body, const char *bearer,
                       long *status, long *retry_after_s, char **out_body, char *err,
                       size_t errlen)
{
    kn_resp r;
    *out_body = NULL;
    sync->bearer = bearer;
    qf_err rc = http_call_key(sync, body ? "POST" : "GET", path, body, true, NULL, NULL, &r, err,
                              errlen);
    sync->bearer = NULL;
    if (rc != QF_OK) {
        resp_cleanup(&r);
        link_down(sync, err);
        return rc;
    }
    link_up(sync);
    *status = r.status;
    if (retry_after_s)
        *retry_after_s = r.retry_after_s;
    *out_body = r.body.data;   /* NUL-terminated by on_body */
    r.body.data = NULL;
    resp_cleanup(&r);
    return QF_OK;
}

void kn_sync_deliver(kn_sync *sync, const kn_event *ev)
{
    sync->notify(sync->ud, ev);
}

bool kn_sync_enrolled(kn_sync *sync)
{
    return sync->token[0] != '\0';
}
