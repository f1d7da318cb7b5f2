/* test_kiosk_sync.c — the kiosk's sync worker (src/kiosk/net) against the
 * real qifu-syncd over TLS, the harness's self-signed certificate as the
 * pinned CA: first boot enrolls and stores a 0600 token and fetches the
 * full catalog; heartbeats reach the fleet list; a published change
 * arrives as a delta after a poke; a refused code and a wrong CA are
 * reported, never retried into a catalog; the cache gives the same catalog
 * with the daemon down; a revoked device is reported.
 *
 * The tests run in order on one daemon (each builds on the state the one
 * before left). Events are awaited on a condition variable with a deadline;
 * nothing sleeps to pass. Where the daemon's own state is observed (the
 * fleet list, a revocation passing its one-second token cache) the test
 * polls a bounded number of times. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "kn_sync.h"

#define CATALOG_DIR QIFU_SOURCE_DIR "/assets/catalog"
#define CHANGED_SERVICE "svc-common-001"
#define CHANGED_TEXT "测试：同步工作线程收到的修改内容。"
#define EVENT_DEADLINE_MS 15000u
#define MAX_EVENTS 64

/* ---- event collector ------------------------------------------------------ */

typedef struct rec {
    kn_event_kind kind;
    int64_t version;
    char message[256];
    qf_catalog *catalog;        /* owned */
} rec;

typedef struct collector {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rec ev[MAX_EVENTS];
    size_t n;
} collector;

static void collector_init(collector *c)
{
    pthread_condattr_t ca;
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
}

static void collector_clear(collector *c)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++)
        qf_catalog_free(c->ev[i].catalog);
    memset(c->ev, 0, sizeof c->ev);
    c->n = 0;
    pthread_mutex_unlock(&c->mu);
}

static void collector_cleanup(collector *c)
{
    collector_clear(c);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
}

/* The notify callback: runs on the worker thread. */
static void on_event(void *ud, const kn_event *ev)
{
    collector *c = ud;
    pthread_mutex_lock(&c->mu);
    if (c->n < MAX_EVENTS) {
        rec *r = &c->ev[c->n++];
        r->kind = ev->kind;
        r->version = ev->catalog_version;
        snprintf(r->message, sizeof r->message, "%s", ev->message);
        r->catalog = ev->catalog;
    } else {
        qf_catalog_free(ev->catalog);
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Index of the first event of kind at or after from, waiting up to
 * deadline_ms; -1 when none came. */
static int wait_event(collector *c, kn_event_kind kind, size_t from, unsigned deadline_ms)
{
    uint64_t end = now_ms() + deadline_ms;
    struct timespec until = { .tv_sec = (time_t)(end / 1000u),
                              .tv_nsec = (long)(end % 1000u) * 1000000L };
    int found = -1;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        for (size_t i = from; i < c->n; i++) {
            if (c->ev[i].kind == kind) {
                found = (int)i;
                break;
            }
        }
        if (found >= 0 || pthread_cond_timedwait(&c->cv, &c->mu, &until) == ETIMEDOUT)
            break;
    }
    if (found < 0 && deadline_ms > 0) {
        for (size_t i = from; i < c->n; i++) /* what did come, for the failure message */
            fprintf(stderr, "  event %zu: kind %d v%lld %s\n", i, (int)c->ev[i].kind,
                    (long long)c->ev[i].version, c->ev[i].message);
    }
    pthread_mutex_unlock(&c->mu);
    return found;
}

static size_t event_count(collector *c)
{
    size_t n;
    pthread_mutex_lock(&c->mu);
    n = c->n;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static bool saw_kind(collector *c, kn_event_kind kind)
{
    bool seen = false;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++)
        seen = seen || c->ev[i].kind == kind;
    pthread_mutex_unlock(&c->mu);
    return seen;
}

/* ---- fixture ------------------------------------------------------------- */

typedef struct fixture {
    harness h;
    collector c;
    char state_dir[64];         /* the main kiosk's state folder */
    char other_dir[64];         /* throwaway kiosks (refused code, wrong CA) */
    char changed_dir[64];       /* the edited catalog copy */
    char moved_dir[64];         /* a copy with two items swapped, one deleted */
    char wrong_ca_dir[64];      /* another self-signed certificate */
    char first_code[64];
    char device_id[64];
    kn_sync *sync;
    qf_catalog *latest;         /* the last catalog the worker handed over (owned) */
    int64_t latest_version;
} fixture;

static fixture fx;

static void make_tmp(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/qifu-it-kn-%s-XXXXXX", tag);
    assert_non_null(mkdtemp(dir));
}

static void remove_tree(const char *dir)
{
    char cmd[200];
    if (dir[0] && strncmp(dir, "/tmp/qifu-it-kn-", 16) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

static void ctl_ok(const char *const *args, char **out)
{
    char *text = NULL;
    int rc = harness_ctl(&fx.h, &text, args);
    if (rc != 0)
        fail_msg("qifu-ctl %s %s: exit %d: %s", args[0], args[1], rc, text ? text : "");
    if (out)
        *out = text;
    else
        free(text);
}

/* A fresh one-time code for a device called name. */
static void enroll_code(const char *name, char code[64])
{
    const char *args[] = { "device", "enroll", name, "--hall", "qiantang", NULL };
    char *out = NULL, *p;
    ctl_ok(args, &out);
    p = strstr(out, "code: ");
    assert_non_null(p);
    assert_int_equal(sscanf(p + 6, "%63s", code), 1);
    free(out);
}

static void run_ctl_plain(const char *const *argv)
{
    int status = 0;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static kn_sync_config config_for(const char *state_dir, const char *ca, const char *code)
{
    kn_sync_config cfg = {
        .url = fx.h.base,
        .ca_file = ca,
        .enroll_code = code,
        .device_name = "kiosk-t",
        .state_dir = state_dir,
        .software_version = "0.1.0-test",
        /* Long intervals: only the first round and pokes drive the tests. */
        .sync_interval_s = 600,
        .heartbeat_s = 600,
    };
    return cfg;
}

static kn_sync *start_worker(const kn_sync_config *cfg)
{
    kn_sync *s = NULL;
    char err[256] = "";
    if (kn_sync_start(cfg, on_event, &fx.c, &s, err, sizeof err) != QF_OK)
        fail_msg("kn_sync_start: %s", err);
    return s;
}

/* Takes the catalog out of event i. */
static qf_catalog *take_catalog(size_t i)
{
    qf_catalog *cat;
    pthread_mutex_lock(&fx.c.mu);
    cat = fx.c.ev[i].catalog;
    fx.c.ev[i].catalog = NULL;
    pthread_mutex_unlock(&fx.c.mu);
    return cat;
}

/* The daemon serves a new version within about a second of the import
 * (it checks once a second): wait until its snapshot is version v. */
static void wait_published(int64_t v)
{
    char op[64], want[32];
    uint64_t end = now_ms() + EVENT_DEADLINE_MS;
    harness_operator(&fx.h, "ops-pub", op);
    snprintf(want, sizeof want, "\"catalog-v%lld\"", (long long)v);
    while (now_ms() < end) {
        harness_response r = harness_request(&fx.h, "GET", "/api/v1/catalog", op, NULL, NULL);
        bool ok = r.status == 200 && r.headers && strstr(r.headers, want);
        harness_response_free(&r);
        if (ok)
            return;
        poll(NULL, 0, 20); /* the next look; the daemon refreshes once a second */
    }
    fail_msg("the daemon did not serve catalog v%lld in time", (long long)v);
}

static int group_setup(void **state)
{
    const char *import[] = { "catalog", "import", CATALOG_DIR, NULL };
    (void)state;
    memset(&fx, 0, sizeof fx);
    collector_init(&fx.c);
    harness_start(&fx.h, true);
    ctl_ok(import, NULL);
    wait_published(1);
    make_tmp(fx.state_dir, sizeof fx.state_dir, "state");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    kn_sync_stop(fx.sync);
    fx.sync = NULL;
    qf_catalog_free(fx.latest);
    collector_cleanup(&fx.c);
    harness_stop(&fx.h);
    remove_tree(fx.state_dir);
    remove_tree(fx.other_dir);
    remove_tree(fx.changed_dir);
    remove_tree(fx.moved_dir);
    remove_tree(fx.wrong_ca_dir);
    return 0;
}

/* ---- the fleet list ------------------------------------------------------ */

/* Polls GET /api/v1/devices until the device named kiosk-t has field equal
 * to want (an integer when want_int, else a string); fails at the deadline. */
static void wait_fleet(const char *field, const char *want_str, long long want_int,
                       bool want_int_kind)
{
    char op[64];
    uint64_t end = now_ms() + EVENT_DEADLINE_MS;
    char last[512] = "";
    harness_operator(&fx.h, "ops-kn", op);
    while (now_ms() < end) {
        harness_response r = harness_request(&fx.h, "GET", "/api/v1/devices", op, NULL, NULL);
        json_t *root = json_loadb(r.body, r.len, 0, NULL), *dev;
        size_t i;
        bool ok = false;
        json_array_foreach(json_object_get(root, "devices"), i, dev) {
            const char *id = json_string_value(json_object_get(dev, "id"));
            json_t *v = json_object_get(dev, field);
            if (!id || strcmp(id, fx.device_id) != 0)
                continue;
            snprintf(last, sizeof last, "%s", r.body);
            ok = json_is_true(json_object_get(dev, "online")) &&
                 (want_int_kind ? json_is_integer(v) && json_integer_value(v) == want_int
                                : json_is_string(v) && strcmp(json_string_value(v), want_str) == 0);
        }
        json_decref(root);
        harness_response_free(&r);
        if (ok)
            return;
        poll(NULL, 0, 50); /* the next look at the daemon's record */
    }
    fail_msg("device %s never showed %s as wanted; last list: %s", fx.device_id, field, last);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_first_sync_enrolls_stores_0600_token_and_fetches_full_catalog(void **state)
{
    char path[128];
    struct stat st;
    kn_sync_config cfg;
    uint64_t t0, t1;
    int i, e, saved_err, log_fd;
    char log_path[128], token[64] = "", *log_text;
    FILE *f;
    size_t n;
    (void)state;

    enroll_code("kiosk-t", fx.first_code);
    cfg = config_for(fx.state_dir, fx.h.cert, fx.first_code);
    /* The worker's log goes to a file for this test, to look for the token. */
    snprintf(log_path, sizeof log_path, "%s/worker.log", fx.state_dir);
    fflush(stderr);
    saved_err = dup(2);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved_err >= 0 && log_fd >= 0);
    dup2(log_fd, 2);
    close(log_fd);
    t0 = now_ms();
    fx.sync = start_worker(&cfg);
    i = wait_event(&fx.c, KN_EVENT_CATALOG, 0, EVENT_DEADLINE_MS);
    t1 = now_ms();
    fflush(stderr);
    dup2(saved_err, 2);
    close(saved_err);
    assert_true(i >= 0);
    fprintf(stderr, "# time to first catalog (enroll + full fetch + cache): %llu ms\n",
            (unsigned long long)(t1 - t0));

    e = wait_event(&fx.c, KN_EVENT_ENROLLED, 0, 0);
    assert_true(e >= 0 && e < i);
    assert_int_equal(sscanf(fx.c.ev[e].message, "enrolled as %63s", fx.device_id), 1);
    assert_true(wait_event(&fx.c, KN_EVENT_ONLINE, 0, 0) >= 0);
    assert_false(saw_kind(&fx.c, KN_EVENT_OFFLINE));
    assert_false(saw_kind(&fx.c, KN_EVENT_ERROR));

    assert_int_equal(fx.c.ev[i].version, 1);
    fx.latest = take_catalog((size_t)i);
    fx.latest_version = 1;
    assert_non_null(fx.latest);
    assert_int_equal(fx.latest->services_count, 174);
    assert_non_null(fx.latest->meta);

    snprintf(path, sizeof path, "%s/token", fx.state_dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 44); /* 43 characters and a newline */

    /* The token is in the file and nowhere in the log or the events. */
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%63s", token), 1);
    fclose(f);
    assert_int_equal(strlen(token), 43);
    log_text = calloc(1, 65536);
    assert_non_null(log_text);
    f = fopen(log_path, "r");
    assert_non_null(f);
    n = fread(log_text, 1, 65535, f);
    fclose(f);
    assert_true(n > 0); /* the worker did log ("enrolled as …") */
    assert_null(strstr(log_text, token));
    free(log_text);
    unlink(log_path);
    for (size_t k = 0; k < event_count(&fx.c); k++)
        assert_null(strstr(fx.c.ev[k].message, token));

    snprintf(path, sizeof path, "%s/catalog.db", fx.state_dir);
    assert_int_equal(stat(path, &st), 0);
    fprintf(stderr, "# catalog.db: %lld bytes", (long long)st.st_size);
    snprintf(path, sizeof path, "%s/catalog.db-wal", fx.state_dir);
    if (stat(path, &st) == 0)
        fprintf(stderr, " (+ %lld bytes WAL)", (long long)st.st_size);
    fprintf(stderr, "\n");
}

static void test_heartbeat_shows_device_online_with_catalog_version_and_printer(void **state)
{
    (void)state;
    assert_non_null(fx.sync);
    wait_fleet("catalog_version", NULL, 1, true);
    wait_fleet("software_version", "0.1.0-test", 0, false);
    wait_fleet("printer_status", "ok", 0, false);

    assert_int_equal(kn_sync_set_printer_status(fx.sync, "toner_low"), QF_ERR_INVALID);
    assert_int_equal(kn_sync_set_printer_status(fx.sync, "paper_low"), QF_OK);
    kn_sync_poke(fx.sync);
    wait_fleet("printer_status", "paper_low", 0, false);
}

static void edit_service(json_t *root)
{
    size_t i;
    json_t *svc;
    json_array_foreach(json_object_get(root, "services"), i, svc) {
        if (strcmp(json_string_value(json_object_get(svc, "id")), CHANGED_SERVICE) == 0) {
            assert_int_equal(json_object_set_new(svc, "content", json_string(CHANGED_TEXT)), 0);
            return;
        }
    }
    fail_msg("no %s in services-common-1.json", CHANGED_SERVICE);
}

/* Copies every file of from into a fresh folder dir. */
static void copy_dir(const char *from, char *dir, size_t dirlen, const char *tag)
{
    DIR *d = opendir(from);
    struct dirent *e;

    make_tmp(dir, dirlen, tag);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char src[600], dst[600], buf[8192];
        FILE *in, *out;
        size_t n;
        if (e->d_name[0] == '.')
            continue;
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", dir, e->d_name);
        in = fopen(src, "rb");
        out = fopen(dst, "wb");
        assert_non_null(in);
        assert_non_null(out);
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(in);
        assert_int_equal(fclose(out), 0);
    }
    closedir(d);
}

/* Loads dir/file, lets edit change it, writes it back. */
static void edit_json(const char *dir, const char *file, void (*edit)(json_t *root))
{
    char path[600];
    json_error_t jerr;
    json_t *root;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("%s: %s", path, jerr.text);
    edit(root);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
    json_decref(root);
}

/* The catalog a folder holds, as the daemon publishes it. */
static qf_catalog *load_dir(const char *dir)
{
    qf_catalog *cat = NULL;
    char err[256] = "";
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    if (qf_catalog_load_dir(cat, dir, err, sizeof err) != QF_OK)
        fail_msg("%s: %s", dir, err);
    return cat;
}

static void copy_changed_catalog(void)
{
    copy_dir(CATALOG_DIR, fx.changed_dir, sizeof fx.changed_dir, "cat");
    edit_json(fx.changed_dir, "services-common-1.json", edit_service);
}

static void test_poke_after_import_delivers_delta_as_version_2(void **state)
{
    const char *import[] = { "catalog", "import", NULL, NULL };
    const qf_catalog_service *svc;
    kn_cache *cache = NULL;
    char etag[128], err[256];
    int64_t v = 0;
    size_t from;
    int i;
    (void)state;

    copy_changed_catalog();
    import[2] = fx.changed_dir;
    ctl_ok(import, NULL);
    from = event_count(&fx.c);
    kn_sync_poke(fx.sync);
    i = wait_event(&fx.c, KN_EVENT_CATALOG, from, EVENT_DEADLINE_MS);
    assert_true(i >= 0);
    assert_int_equal(fx.c.ev[i].version, 2);
    qf_catalog_free(fx.latest);
    fx.latest = take_catalog((size_t)i);
    fx.latest_version = 2;
    assert_int_equal(fx.latest->services_count, 174);
    svc = qf_catalog_service_get(fx.latest, CHANGED_SERVICE);
    assert_non_null(svc);
    assert_string_equal(svc->content, CHANGED_TEXT);
    {
        qf_catalog *want = load_dir(fx.changed_dir);
        bool same = qf_catalog_equal(fx.latest, want);
        qf_catalog_free(want);
        assert_true(same); /* the merged delta is exactly the published snapshot */
    }

    /* It came as a delta: a snapshot would have left its ETag in the cache. */
    assert_int_equal(kn_cache_open(fx.state_dir, &cache, err, sizeof err), QF_OK);
    assert_int_equal(kn_cache_version(cache, &v, etag, sizeof etag, err, sizeof err), QF_OK);
    kn_cache_close(cache);
    assert_int_equal(v, 2);
    assert_string_equal(etag, "");

    wait_fleet("catalog_version", NULL, 2, true); /* the poke also sent a heartbeat */
}

static void edit_swap_faq_delete_online(json_t *root)
{
    json_t *faq = json_object_get(root, "faq");
    json_t *first = json_incref(json_array_get(faq, 0));
    assert_true(json_array_size(faq) >= 2);
    assert_int_equal(json_array_remove(faq, 0), 0);
    assert_int_equal(json_array_insert_new(faq, 1, first), 0);
}

static void edit_delete_online(json_t *root)
{
    json_t *list = json_object_get(root, "online_services");
    assert_true(json_array_size(list) > 21);
    assert_int_equal(json_array_remove(list, 20), 0);
}

/* A delta that only moves items cannot be placed (it carries no positions):
 * the worker fetches the snapshot instead and still ends up with exactly
 * what was published. */
static void test_moved_items_fall_back_to_the_full_snapshot(void **state)
{
    const char *import[] = { "catalog", "import", NULL, NULL };
    kn_cache *cache = NULL;
    char etag[128], err[256];
    qf_catalog *want;
    int64_t v = 0;
    size_t from;
    int i;
    bool same;
    (void)state;

    copy_dir(fx.changed_dir, fx.moved_dir, sizeof fx.moved_dir, "moved");
    edit_json(fx.moved_dir, "info.json", edit_swap_faq_delete_online);
    edit_json(fx.moved_dir, "online.json", edit_delete_online);
    import[2] = fx.moved_dir;
    ctl_ok(import, NULL);
    wait_published(3); /* the fallback reads the in-memory snapshot */
    from = event_count(&fx.c);
    kn_sync_poke(fx.sync);
    i = wait_event(&fx.c, KN_EVENT_CATALOG, from, EVENT_DEADLINE_MS);
    assert_true(i >= 0);
    assert_int_equal(fx.c.ev[i].version, 3);
    qf_catalog_free(fx.latest);
    fx.latest = take_catalog((size_t)i);
    fx.latest_version = 3;
    want = load_dir(fx.moved_dir);
    same = qf_catalog_equal(fx.latest, want);
    qf_catalog_free(want);
    assert_true(same);
    assert_int_equal(fx.latest->online_services_count, 39);

    assert_int_equal(kn_cache_open(fx.state_dir, &cache, err, sizeof err), QF_OK);
    assert_int_equal(kn_cache_version(cache, &v, etag, sizeof etag, err, sizeof err), QF_OK);
    kn_cache_close(cache);
    assert_int_equal(v, 3);
    assert_string_equal(etag, "\"catalog-v3\""); /* it came whole */
}

static void test_refused_enrollment_code_is_an_error_without_token(void **state)
{
    char path[128];
    kn_sync_config cfg;
    kn_sync *s;
    size_t from = event_count(&fx.c);
    int i;
    (void)state;

    make_tmp(fx.other_dir, sizeof fx.other_dir, "other");
    cfg = config_for(fx.other_dir, fx.h.cert, fx.first_code); /* already spent */
    s = start_worker(&cfg);
    i = wait_event(&fx.c, KN_EVENT_ERROR, from, EVENT_DEADLINE_MS);
    kn_sync_stop(s);
    assert_true(i >= 0);
    assert_non_null(strstr(fx.c.ev[i].message, "enrollment code refused"));
    assert_int_equal(wait_event(&fx.c, KN_EVENT_CATALOG, from, 0), -1);
    assert_int_equal(wait_event(&fx.c, KN_EVENT_ENROLLED, from, 0), -1);
    snprintf(path, sizeof path, "%s/token", fx.other_dir);
    assert_int_not_equal(access(path, F_OK), 0);
    remove_tree(fx.other_dir);
    fx.other_dir[0] = '\0';
}

static void test_wrong_ca_is_offline_and_never_a_catalog(void **state)
{
    char cert[128], key[128], code[64], path[128];
    kn_sync_config cfg;
    kn_sync *s;
    size_t from = event_count(&fx.c);
    int i;
    (void)state;

    make_tmp(fx.wrong_ca_dir, sizeof fx.wrong_ca_dir, "ca");
    snprintf(cert, sizeof cert, "%s/other.crt", fx.wrong_ca_dir);
    snprintf(key, sizeof key, "%s/other.key", fx.wrong_ca_dir);
    {
        const char *argv[] = { QIFU_CTL_BIN, "cert", "self-signed", "--cert", cert, "--key",
                               key, "--host", "127.0.0.1", NULL };
        run_ctl_plain(argv);
    }
    enroll_code("kiosk-wrong-ca", code);
    make_tmp(fx.other_dir, sizeof fx.other_dir, "other");
    cfg = config_for(fx.other_dir, cert, code);
    s = start_worker(&cfg);
    i = wait_event(&fx.c, KN_EVENT_OFFLINE, from, EVENT_DEADLINE_MS);
    kn_sync_poke(s); /* a second attempt: still refused, no second OFFLINE */
    kn_sync_stop(s);
    assert_true(i >= 0);
    fprintf(stderr, "# wrong CA: %s\n", fx.c.ev[i].message);
    assert_true(fx.c.ev[i].message[0] != '\0');
    assert_int_equal(wait_event(&fx.c, KN_EVENT_CATALOG, from, 0), -1);
    assert_int_equal(wait_event(&fx.c, KN_EVENT_ENROLLED, from, 0), -1);
    assert_int_equal(wait_event(&fx.c, KN_EVENT_ONLINE, from, 0), -1);
    assert_int_equal(wait_event(&fx.c, KN_EVENT_OFFLINE, (size_t)i + 1, 0), -1);
    snprintf(path, sizeof path, "%s/token", fx.other_dir);
    assert_int_not_equal(access(path, F_OK), 0);
    remove_tree(fx.other_dir);
    fx.other_dir[0] = '\0';
}

static void test_cache_gives_same_catalog_with_daemon_down(void **state)
{
    qf_catalog *cat = NULL, *none = NULL;
    char err[256] = "";
    int64_t v = 0;
    kn_sync_config cfg;
    size_t from;
    uint64_t t0;
    (void)state;

    kn_sync_stop(fx.sync);
    fx.sync = NULL;
    harness_kill9(&fx.h); /* the network is down from here */
    {
        char path[128];
        struct stat st;
        snprintf(path, sizeof path, "%s/catalog.db", fx.state_dir);
        assert_int_equal(stat(path, &st), 0);
        fprintf(stderr, "# catalog.db after the worker closed it: %lld bytes\n",
                (long long)st.st_size);
    }

    t0 = now_ms();
    if (kn_cache_load(fx.state_dir, &cat, &v, err, sizeof err) != QF_OK)
        fail_msg("kn_cache_load: %s", err);
    fprintf(stderr, "# offline start from the cache: %llu ms\n",
            (unsigned long long)(now_ms() - t0));
    assert_int_equal(v, fx.latest_version);
    assert_true(qf_catalog_equal(cat, fx.latest));
    qf_catalog_free(cat);

    /* An empty folder is a first boot, not an error. */
    make_tmp(fx.other_dir, sizeof fx.other_dir, "other");
    assert_int_equal(kn_cache_load(fx.other_dir, &none, &v, err, sizeof err), QF_ERR_NOT_FOUND);
    assert_null(none);
    remove_tree(fx.other_dir);
    fx.other_dir[0] = '\0';

    /* The worker started with the daemon down says offline, once. */
    from = event_count(&fx.c);
    cfg = config_for(fx.state_dir, fx.h.cert, NULL);
    fx.sync = start_worker(&cfg);
    assert_true(wait_event(&fx.c, KN_EVENT_OFFLINE, from, EVENT_DEADLINE_MS) >= 0);
    kn_sync_stop(fx.sync);
    fx.sync = NULL;
    assert_int_equal(wait_event(&fx.c, KN_EVENT_CATALOG, from, 0), -1);
    assert_int_equal(wait_event(&fx.c, KN_EVENT_ERROR, from, 0), -1);
}

static void test_revoked_device_is_an_error_and_token_is_set_aside(void **state)
{
    const char *revoke[] = { "device", "revoke", fx.device_id, NULL };
    char path[128];
    kn_sync_config cfg;
    uint64_t end;
    size_t from;
    int i = -1;
    (void)state;

    harness_restart(&fx.h); /* a new port: the config follows */
    from = event_count(&fx.c);
    cfg = config_for(fx.state_dir, fx.h.cert, NULL);
    fx.sync = start_worker(&cfg);
    assert_true(wait_event(&fx.c, KN_EVENT_ONLINE, from, EVENT_DEADLINE_MS) >= 0);
    ctl_ok(revoke, NULL);
    /* The daemon honours a revocation within a second (its token cache):
     * poke until the worker hears 401, with a deadline. */
    end = now_ms() + EVENT_DEADLINE_MS;
    while (i < 0 && now_ms() < end) {
        kn_sync_poke(fx.sync);
        i = wait_event(&fx.c, KN_EVENT_ERROR, from, 250);
    }
    assert_true(i >= 0);
    assert_string_equal(fx.c.ev[i].message, "device revoked");
    /* Same version as the cache: no catalog was handed over again. */
    assert_int_equal(wait_event(&fx.c, KN_EVENT_CATALOG, from, 0), -1);
    kn_sync_stop(fx.sync);
    fx.sync = NULL;
    snprintf(path, sizeof path, "%s/token", fx.state_dir);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/token.revoked", fx.state_dir);
    assert_int_equal(access(path, F_OK), 0);
}

/* The cache is a copy: a file that is not a database is refused by
 * kn_cache_load (the UI starts without a catalog) and replaced by the
 * worker's kn_cache_open, never fatal. */
static void test_garbage_cache_file_is_refused_then_replaced(void **state)
{
    char path[128], err[256] = "";
    qf_catalog *cat = NULL;
    kn_cache *cache = NULL;
    int64_t v = 0;
    FILE *f;
    (void)state;

    make_tmp(fx.other_dir, sizeof fx.other_dir, "other");
    snprintf(path, sizeof path, "%s/catalog.db", fx.other_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    for (int k = 0; k < 1000; k++)
        fputs("this is not a database. ", f);
    assert_int_equal(fclose(f), 0);
    assert_int_not_equal(kn_cache_load(fx.other_dir, &cat, &v, err, sizeof err), QF_OK);
    assert_null(cat);
    if (kn_cache_open(fx.other_dir, &cache, err, sizeof err) != QF_OK)
        fail_msg("kn_cache_open: %s", err);
    assert_int_equal(kn_cache_version(cache, &v, NULL, 0, err, sizeof err), QF_ERR_NOT_FOUND);
    kn_cache_close(cache);
    remove_tree(fx.other_dir);
    fx.other_dir[0] = '\0';
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_sync_enrolls_stores_0600_token_and_fetches_full_catalog),
        cmocka_unit_test(test_heartbeat_shows_device_online_with_catalog_version_and_printer),
        cmocka_unit_test(test_poke_after_import_delivers_delta_as_version_2),
        cmocka_unit_test(test_moved_items_fall_back_to_the_full_snapshot),
        cmocka_unit_test(test_refused_enrollment_code_is_an_error_without_token),
        cmocka_unit_test(test_wrong_ca_is_offline_and_never_a_catalog),
        cmocka_unit_test(test_cache_gives_same_catalog_with_daemon_down),
        cmocka_unit_test(test_revoked_device_is_an_error_and_token_is_set_aside),
        cmocka_unit_test(test_garbage_cache_file_is_refused_then_replaced),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
