/* test_outbox.c — the kiosk's outbox (kn_outbox.c) delivered by the sync
 * worker (kn_sync.c) to the real qifu-syncd over TLS: a case put with the
 * daemon up is delivered once with its receipt; put with the daemon down
 * it waits, and is delivered exactly once when the daemon comes back; a
 * lost reply (the row set back to pending) resent with the same key gives
 * the same case, not a second one; a body the daemon refuses is reported
 * with its Chinese reason; the submitter's look-up answers right digits
 * and not wrong ones; feedback resent after a lost reply counts as
 * delivered (409 already_closed); an item written by a process killed with
 * SIGKILL before it could send is delivered by the next worker; the
 * heartbeat carries the number of items waiting; when the link comes back
 * an item waiting out a long backoff goes at once.
 *
 * The tests run in order on one daemon and one kiosk state folder. Events
 * are awaited on a condition variable with a deadline; nothing sleeps to
 * pass. Where the outbox's own record is observed after an event (the
 * worker writes it right after) the test polls it a bounded number of
 * times. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
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
#include "kn_outbox.h"
#include "kn_sync.h"

#define EVENT_DEADLINE_MS 20000u
#define MAX_EVENTS 48
#define VALID_USCC "91330100716105852F"
#define BAD_USCC "91330100716105852A"
#define MOBILE "13812345678"

static char *case_body(const char *uscc, const char *description)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "request", "board",
                          "board-request", "enterprise_name", "杭州钱塘示例生物科技有限公司",
                          "credit_code", uscc, "contact_name", "王女士", "mobile", MOBILE,
                          "description", description);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(text);
    return text;
}

/* ---- event collector (the worker's notify runs on its thread) ------------- */

typedef struct collector {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    kn_event ev[MAX_EVENTS];   /* catalogs are freed on arrival */
    size_t n;
} collector;

typedef struct fixture {
    harness h;
    collector c;
    char state_dir[64];
    kn_sync_config cfg;
    char code[64];
    kn_sync *sync;
    kn_outbox *ui;              /* the "UI thread's" handle */
    char ref1[KN_OUTBOX_REF_MAX], case1[32];
    char *body1;                /* owned: test 1's body, byte for byte */
} fixture;

static fixture fx;

static void on_event(void *ud, const kn_event *ev)
{
    collector *c = ud;
    pthread_mutex_lock(&c->mu);
    qf_catalog_free(ev->catalog); /* not this test's concern */
    if (c->n < MAX_EVENTS) {
        c->ev[c->n] = *ev;
        c->ev[c->n].catalog = NULL;
        c->n++;
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

static size_t event_count(void)
{
    size_t n;
    pthread_mutex_lock(&fx.c.mu);
    n = fx.c.n;
    pthread_mutex_unlock(&fx.c.mu);
    return n;
}

/* The first event at or after from that match() accepts, copied to *out;
 * false when none came within deadline_ms. */
static bool wait_for(size_t from, unsigned deadline_ms, bool (*match)(const kn_event *, const void *),
                     const void *arg, kn_event *out)
{
    uint64_t end = now_ms() + deadline_ms;
    struct timespec until = { .tv_sec = (time_t)(end / 1000u),
                              .tv_nsec = (long)(end % 1000u) * 1000000L };
    bool found = false;
    pthread_mutex_lock(&fx.c.mu);
    for (;;) {
        for (size_t i = from; i < fx.c.n && !found; i++) {
            if (match(&fx.c.ev[i], arg)) {
                if (out)
                    *out = fx.c.ev[i];
                found = true;
            }
        }
        if (found || pthread_cond_timedwait(&fx.c.cv, &fx.c.mu, &until) == ETIMEDOUT)
            break;
    }
    if (!found && deadline_ms > 0)
        for (size_t i = from; i < fx.c.n; i++)
            fprintf(stderr, "  event %zu: kind %d %s\n", i, (int)fx.c.ev[i].kind,
                    fx.c.ev[i].message);
    pthread_mutex_unlock(&fx.c.mu);
    return found;
}

static bool is_delivery_of(const kn_event *ev, const void *ref)
{
    return ev->kind == KN_EVENT_DELIVERED && strcmp(ev->delivery.ref, ref) == 0;
}

static bool is_kind(const kn_event *ev, const void *kind)
{
    return ev->kind == *(const kn_event_kind *)kind;
}

static bool is_case_answer(const kn_event *ev, const void *id)
{
    return ev->kind == KN_EVENT_CASE && ev->lookup.request_id == *(const uint64_t *)id;
}

/* ---- helpers ---------------------------------------------------------------- */

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

/* How many cases the daemon holds, and how many carry case_no (may be NULL). */
static size_t daemon_cases(const char *case_no, size_t *with_no)
{
    const char *args[] = { "case", "list", "--json", NULL };
    char *out = NULL;
    json_t *root, *row;
    size_t i, n;
    ctl_ok(args, &out);
    root = json_loads(out, 0, NULL);
    if (!root)
        fail_msg("case list --json: not JSON: %s", out);
    free(out);
    n = json_array_size(json_object_get(root, "cases"));
    if (with_no) {
        *with_no = 0;
        json_array_foreach(json_object_get(root, "cases"), i, row) {
            const char *no = json_string_value(json_object_get(row, "case_no"));
            *with_no += no && case_no && strcmp(no, case_no) == 0;
        }
    }
    json_decref(root);
    return n;
}

static void put(kn_outbox_kind kind, const char *path, const char *body, char ref[KN_OUTBOX_REF_MAX])
{
    char err[256] = "";
    if (kn_outbox_put(fx.ui, kind, path, body, ref, KN_OUTBOX_REF_MAX, err, sizeof err) != QF_OK)
        fail_msg("put: %s", err);
}

static kn_outbox_item get_item(const char *ref)
{
    kn_outbox_item it;
    char err[256] = "";
    if (kn_outbox_get(fx.ui, ref, &it, err, sizeof err) != QF_OK)
        fail_msg("get %s: %s", ref, err);
    return it;
}

/* Waits until the worker has recorded at least one attempt on ref (it does
 * so right after the event that tells of the failure). */
static void wait_attempted(const char *ref)
{
    uint64_t end = now_ms() + EVENT_DEADLINE_MS;
    while (now_ms() < end) {
        kn_outbox_item it = get_item(ref);
        bool done = it.attempts > 0;
        kn_outbox_item_free(&it);
        if (done)
            return;
        poll(NULL, 0, 20); /* the worker's write is a few ms behind its event */
    }
    fail_msg("no attempt recorded on %s", ref);
}

/* Sets an item back to pending with its body, as if the reply had been lost
 * before the worker could record it. */
static void reset_to_pending(const char *ref, const char *body)
{
    char path[128];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    snprintf(path, sizeof path, "%s/outbox.db", fx.state_dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE items SET state = 0, body = ?1, result = NULL,"
                                        " next_attempt_ms = 0 WHERE ref = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static kn_sync *start_worker(void)
{
    kn_sync *s = NULL;
    char err[256] = "";
    if (kn_sync_start(&fx.cfg, on_event, &fx.c, &s, err, sizeof err) != QF_OK)
        fail_msg("kn_sync_start: %s", err);
    return s;
}

/* ---- setup -------------------------------------------------------------------- */

static int group_setup(void **state)
{
    const char *enroll[] = { "device", "enroll", "kiosk-ob", "--hall", "qiantang", NULL };
    const char *import[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    pthread_condattr_t ca;
    char *out = NULL, *p, err[256] = "";
    kn_event_kind enrolled = KN_EVENT_ENROLLED;
    (void)state;

    memset(&fx, 0, sizeof fx);
    pthread_mutex_init(&fx.c.mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&fx.c.cv, &ca);
    pthread_condattr_destroy(&ca);
    harness_start(&fx.h, true);
    ctl_ok(import, NULL); /* boards for the cases, units for the triage */
    ctl_ok(enroll, &out);
    p = strstr(out, "code: ");
    assert_non_null(p);
    assert_int_equal(sscanf(p + 6, "%63s", fx.code), 1);
    free(out);
    snprintf(fx.state_dir, sizeof fx.state_dir, "/tmp/qifu-it-ob-XXXXXX");
    assert_non_null(mkdtemp(fx.state_dir));
    fx.cfg = (kn_sync_config){
        .url = fx.h.base,
        .ca_file = fx.h.cert,
        .enroll_code = fx.code,
        .device_name = "kiosk-ob",
        .state_dir = fx.state_dir,
        .software_version = "0.1.0-test",
        .sync_interval_s = 600, /* only the outbox and pokes drive these tests */
        .heartbeat_s = 600,
    };
    fx.sync = start_worker();
    assert_true(wait_for(0, EVENT_DEADLINE_MS, is_kind, &enrolled, NULL));
    if (kn_outbox_open(fx.state_dir, &fx.ui, err, sizeof err) != QF_OK)
        fail_msg("outbox: %s", err);
    return 0;
}

static int group_teardown(void **state)
{
    char cmd[128];
    (void)state;
    kn_sync_stop(fx.sync);
    kn_outbox_close(fx.ui);
    free(fx.body1);
    harness_stop(&fx.h);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx.state_dir);
    if (strncmp(fx.state_dir, "/tmp/qifu-it-ob-", 16) == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fx.state_dir);
    pthread_cond_destroy(&fx.c.cv);
    pthread_mutex_destroy(&fx.c.mu);
    return 0;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_case_put_online_is_delivered_once_with_receipt(void **state)
{
    size_t from = event_count(), with_no;
    kn_event ev;
    kn_outbox_item it;
    (void)state;

    uint64_t t0, t1, t2;
    fx.body1 = case_body(VALID_USCC, "厂房消防验收进度咨询，希望了解还缺哪些材料。");
    t0 = now_ms();
    put(KN_OUTBOX_CASE, "/api/v1/cases", fx.body1, fx.ref1);
    t1 = now_ms();
    kn_sync_outbox_poke(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, fx.ref1, &ev));
    t2 = now_ms();
    fprintf(stderr, "# put (committed) %llu ms; put to receipt event %llu ms\n",
            (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t0));
    assert_true(ev.delivery.ok);
    assert_int_equal(ev.delivery.kind, KN_OUTBOX_CASE);
    assert_int_equal(strncmp(ev.delivery.case_no, "QT", 2), 0);
    assert_int_equal(strlen(ev.delivery.case_no), 15);
    assert_non_null(strstr(ev.delivery.tracking_url, ev.delivery.case_no));
    assert_string_equal(ev.delivery.mobile_masked, "138****5678");
    assert_string_equal(ev.delivery.rule, "135");
    assert_true(strlen(ev.delivery.submitted_at) >= 25);
    snprintf(fx.case1, sizeof fx.case1, "%s", ev.delivery.case_no);

    assert_int_equal(daemon_cases(fx.case1, &with_no), 1);
    assert_int_equal(with_no, 1);
    it = get_item(fx.ref1);
    assert_int_equal(it.state, KN_OUTBOX_DELIVERED);
    assert_null(it.body);
    assert_non_null(strstr(it.result, fx.case1));
    assert_null(strstr(it.result, MOBILE));
    kn_outbox_item_free(&it);
}

static void test_case_put_offline_waits_then_is_delivered_exactly_once(void **state)
{
    char ref[KN_OUTBOX_REF_MAX], *body;
    const char *port = strrchr(fx.h.base, ':');
    kn_event_kind offline = KN_EVENT_OFFLINE;
    size_t from, with_no;
    kn_event ev;
    kn_outbox_item it;
    (void)state;

    assert_non_null(port);
    harness_kill9(&fx.h);
    from = event_count();
    body = case_body(VALID_USCC, "断网时提交的诉求：希望咨询厂房租赁补贴政策。");
    put(KN_OUTBOX_CASE, "/api/v1/cases", body, ref);
    free(body);
    kn_sync_outbox_poke(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_kind, &offline, NULL));
    wait_attempted(ref);
    it = get_item(ref);
    assert_int_equal(it.state, KN_OUTBOX_PENDING);
    assert_non_null(it.body);
    assert_true(it.next_attempt_ms > 0);
    assert_true(it.last_error[0] != '\0');
    kn_outbox_item_free(&it);
    assert_false(wait_for(from, 0, is_delivery_of, ref, NULL));

    /* The daemon comes back on the same address; no poke: the item's own
     * retry time wakes the worker. */
    snprintf(fx.h.extra_args, sizeof fx.h.extra_args, "--listen 127.0.0.1%s", port);
    harness_restart(&fx.h);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, ref, &ev));
    assert_true(ev.delivery.ok);
    assert_int_equal(strncmp(ev.delivery.case_no, "QT", 2), 0);
    assert_string_not_equal(ev.delivery.case_no, fx.case1);
    assert_int_equal(daemon_cases(ev.delivery.case_no, &with_no), 2);
    assert_int_equal(with_no, 1);
    /* Exactly one delivery event for it. */
    {
        size_t n = 0;
        pthread_mutex_lock(&fx.c.mu);
        for (size_t i = from; i < fx.c.n; i++)
            n += is_delivery_of(&fx.c.ev[i], ref);
        pthread_mutex_unlock(&fx.c.mu);
        assert_int_equal(n, 1);
    }
}

static void test_lost_reply_resent_with_same_key_gives_the_same_case(void **state)
{
    size_t from, with_no;
    kn_event ev;
    kn_outbox_item it;
    char token[128] = "", path[128], hdr[96];
    const char *headers[] = { hdr, NULL };
    harness_response r;
    json_t *root;
    FILE *f;
    (void)state;

    assert_true(fx.case1[0] != '\0');
    reset_to_pending(fx.ref1, fx.body1);
    from = event_count();
    kn_sync_outbox_poke(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, fx.ref1, &ev));
    assert_true(ev.delivery.ok);
    assert_string_equal(ev.delivery.case_no, fx.case1);
    assert_int_equal(daemon_cases(fx.case1, &with_no), 2);
    assert_int_equal(with_no, 1);

    /* What the daemon answered the worker: the replay (200), shown by
     * sending the same key and body with the kiosk's own token. */
    it = get_item(fx.ref1);
    snprintf(path, sizeof path, "%s/token", fx.state_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%127s", token), 1);
    fclose(f);
    snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", it.key);
    r = harness_request(&fx.h, "POST", "/api/v1/cases", token, fx.body1, headers);
    assert_int_equal(r.status, 200);
    root = json_loadb(r.body, r.len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(root, "case_no")), fx.case1);
    json_decref(root);
    harness_response_free(&r);
    kn_outbox_item_free(&it);
    memset(token, 0, sizeof token);
    assert_int_equal(daemon_cases(NULL, NULL), 2);
}

static void test_refused_body_is_reported_with_its_chinese_reason(void **state)
{
    char ref[KN_OUTBOX_REF_MAX], *body;
    size_t from = event_count();
    kn_event ev;
    kn_outbox_item it;
    (void)state;

    body = case_body(BAD_USCC, "信用代码有误的诉求，应当被拒绝并说明原因。");
    put(KN_OUTBOX_CASE, "/api/v1/cases", body, ref);
    free(body);
    kn_sync_outbox_poke(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, ref, &ev));
    assert_false(ev.delivery.ok);
    assert_string_equal(ev.delivery.error_code, "invalid_field");
    assert_non_null(strstr(ev.delivery.error_message, "credit_code"));
    assert_non_null(strstr(ev.delivery.error_zh, "校验码"));
    assert_string_equal(ev.delivery.case_no, "");
    it = get_item(ref);
    assert_int_equal(it.state, KN_OUTBOX_REFUSED);
    assert_null(it.body);
    assert_non_null(strstr(it.result, "invalid_field"));
    kn_outbox_item_free(&it);
    assert_int_equal(daemon_cases(NULL, NULL), 2);
}

static void test_case_lookup_answers_right_digits_only(void **state)
{
    uint64_t right = 11, wrong = 12;
    char lower[48];
    kn_event ev;
    size_t from = event_count();
    (void)state;

    assert_int_equal(kn_sync_case_lookup(fx.sync, "QT2026-1", "5678", 1), QF_ERR_INVALID);
    assert_int_equal(kn_sync_case_lookup(fx.sync, fx.case1, "56a8", 1), QF_ERR_INVALID);
    assert_int_equal(kn_sync_case_lookup(fx.sync, fx.case1, "56789", 1), QF_ERR_INVALID);
    /* As typed: lower case and blanks are the same number. */
    snprintf(lower, sizeof lower, " q%s ", fx.case1 + 1);
    lower[2] = 't';
    assert_int_equal(kn_sync_case_lookup(fx.sync, lower, "5678", right), QF_OK);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_case_answer, &right, &ev));
    assert_true(ev.lookup.found);
    assert_false(ev.lookup.offline);
    assert_string_equal(ev.lookup.case_no, fx.case1);
    assert_string_equal(ev.lookup.status, "submitted");
    assert_string_equal(ev.lookup.type, "request");
    assert_string_equal(ev.lookup.mobile_masked, "138****5678");
    assert_string_equal(ev.lookup.kind, ""); /* not triaged */
    assert_true(ev.lookup.timeline_count >= 1);
    assert_string_equal(ev.lookup.timeline[0].event, "submit");

    assert_int_equal(kn_sync_case_lookup(fx.sync, fx.case1, "0000", wrong), QF_OK);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_case_answer, &wrong, &ev));
    assert_false(ev.lookup.found);
    assert_false(ev.lookup.offline);
    assert_false(ev.lookup.rate_limited);
    assert_string_equal(ev.lookup.status, "");
}

static void test_feedback_resent_after_lost_reply_counts_as_delivered(void **state)
{
    const char *tri[] = { "case", "triage", fx.case1, "--kind", "simple", "--lead", "unit-018",
                          NULL };
    const char *done[] = { "case", "done", fx.case1, NULL };
    static const char fb[] = "{\"phone4\":\"5678\",\"resolved\":true,\"rating\":\"非常满意\"}";
    char ref[KN_OUTBOX_REF_MAX], path[96];
    size_t from;
    kn_event ev;
    kn_outbox_item it;
    (void)state;

    ctl_ok(tri, NULL);
    ctl_ok(done, NULL);
    snprintf(path, sizeof path, "/api/v1/cases/%s/feedback", fx.case1);
    from = event_count();
    put(KN_OUTBOX_FEEDBACK, path, fb, ref);
    kn_sync_outbox_poke(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, ref, &ev));
    assert_true(ev.delivery.ok);
    assert_string_equal(ev.delivery.case_no, fx.case1);
    it = get_item(ref);
    assert_non_null(strstr(it.result, "\"closed\""));
    assert_int_equal(it.attempts, 1); /* written down before the send */
    kn_outbox_item_free(&it);

    /* The reply "was lost": the same feedback again meets 409 already_closed,
     * which after an earlier attempt means ours went through. */
    reset_to_pending(ref, fb);
    from = event_count();
    kn_sync_outbox_poke(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, ref, &ev));
    assert_true(ev.delivery.ok);
    assert_non_null(strstr(ev.message, "already_closed"));
    it = get_item(ref);
    assert_int_equal(it.state, KN_OUTBOX_DELIVERED);
    assert_non_null(strstr(it.result, "already_closed"));
    kn_outbox_item_free(&it);

    /* A first attempt that meets the same 409 is a refusal. */
    from = event_count();
    put(KN_OUTBOX_FEEDBACK, path, fb, ref);
    kn_sync_outbox_poke(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, ref, &ev));
    assert_false(ev.delivery.ok);
    assert_string_equal(ev.delivery.error_code, "already_closed");
}

/* The child half of the kill -9 test (main() runs it when asked): put one
 * case, tell the parent its reference, wait to be killed. */
static int child_put(const char *state_dir)
{
    kn_outbox *ob = NULL;
    char ref[KN_OUTBOX_REF_MAX], err[256];
    char *body = NULL;
    json_t *o;
    if (kn_outbox_open(state_dir, &ob, err, sizeof err) != QF_OK)
        return 1;
    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "request", "board",
                  "board-request", "enterprise_name", "杭州钱塘示例生物科技有限公司",
                  "credit_code", VALID_USCC, "contact_name", "王女士", "mobile", MOBILE,
                  "description", "提交后终端被强制终止的诉求，重启后应送达。");
    body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!body || kn_outbox_put(ob, KN_OUTBOX_CASE, "/api/v1/cases", body, ref, sizeof ref, err,
                               sizeof err) != QF_OK)
        return 1;
    printf("%s\n", ref);
    fflush(stdout);
    for (;;)
        pause(); /* SIGKILL ends it with the handle open, as a crash would */
}

static void test_item_of_a_killed_process_is_delivered_by_the_next_worker(void **state)
{
    char ref[KN_OUTBOX_REF_MAX] = "", exe[4096];
    int pipefd[2], status = 0;
    ssize_t got;
    size_t from, with_no, before;
    pid_t pid;
    kn_event ev;
    FILE *in;
    (void)state;

    before = daemon_cases(NULL, NULL);
    kn_sync_stop(fx.sync); /* the kiosk is down */
    fx.sync = NULL;
    got = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(got > 0);
    exe[got] = '\0';
    assert_int_equal(pipe(pipefd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        execl(exe, exe, "--child-put", fx.state_dir, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    in = fdopen(pipefd[0], "r");
    assert_non_null(in);
    assert_non_null(fgets(ref, sizeof ref, in)); /* after the commit */
    fclose(in);
    ref[strcspn(ref, "\n")] = '\0';
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_int_equal(ref[0], 'L');

    /* The kiosk starts again: no poke, the worker sends what waits. */
    from = event_count();
    fx.sync = start_worker();
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, ref, &ev));
    assert_true(ev.delivery.ok);
    assert_int_equal(daemon_cases(ev.delivery.case_no, &with_no), before + 1);
    assert_int_equal(with_no, 1);
}

static void test_heartbeat_reports_the_outbox_depth(void **state)
{
    char ref[KN_OUTBOX_REF_MAX], err[256] = "", op[64], last[2048] = "", *body;
    struct timespec wall;
    kn_outbox_item it;
    uint64_t end;
    bool seen = false;
    (void)state;

    /* With the kiosk down, one item that waits an hour (as after many
     * failed tries): the first heartbeat after the start counts it. */
    kn_sync_stop(fx.sync);
    fx.sync = NULL;
    body = case_body(VALID_USCC, "等待重试的诉求，用于检查心跳上报的待发数量。");
    put(KN_OUTBOX_CASE, "/api/v1/cases", body, ref);
    free(body);
    it = get_item(ref);
    clock_gettime(CLOCK_REALTIME, &wall);
    assert_int_equal(kn_outbox_retry_at(fx.ui, it.id, (int64_t)wall.tv_sec * 1000 + 3600000,
                                        "test: later", err, sizeof err),
                     QF_OK);
    kn_outbox_item_free(&it);
    fx.sync = start_worker();

    harness_operator(&fx.h, "ops-ob", op);
    end = now_ms() + EVENT_DEADLINE_MS;
    while (!seen && now_ms() < end) {
        harness_response r = harness_request(&fx.h, "GET", "/api/v1/devices", op, NULL, NULL);
        json_t *root = json_loadb(r.body, r.len, 0, NULL), *dev;
        size_t i;
        json_array_foreach(json_object_get(root, "devices"), i, dev) {
            json_t *depth = json_object_get(dev, "outbox_depth");
            seen = seen || (json_is_integer(depth) && json_integer_value(depth) == 1);
        }
        snprintf(last, sizeof last, "%s", r.body ? r.body : "");
        json_decref(root);
        harness_response_free(&r);
        if (!seen)
            poll(NULL, 0, 50); /* the next look at the daemon's record */
    }
    if (!seen)
        fail_msg("the fleet list never showed outbox_depth 1: %s", last);
    it = get_item(ref);
    assert_int_equal(it.state, KN_OUTBOX_PENDING); /* not due: not sent at the start */
    kn_outbox_item_free(&it);
}

static void test_link_coming_back_sends_items_waiting_out_a_backoff(void **state)
{
    const char *port = strrchr(fx.h.base, ':');
    kn_event_kind offline = KN_EVENT_OFFLINE, online = KN_EVENT_ONLINE;
    kn_outbox_item it;
    char ref[KN_OUTBOX_REF_MAX];
    size_t from;
    kn_event ev;
    (void)state;

    /* The previous test left one item waiting an hour. */
    {
        char err[256] = "";
        assert_int_equal(kn_outbox_next_due(fx.ui, INT64_MAX, &it, err, sizeof err), QF_OK);
        snprintf(ref, sizeof ref, "%s", it.ref);
        assert_true(it.next_attempt_ms > 0);
        kn_outbox_item_free(&it);
    }
    /* The worker sees the daemon gone (a waiting-count request fails) … */
    assert_non_null(port);
    harness_kill9(&fx.h);
    from = event_count();
    kn_sync_queues_request(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_kind, &offline, NULL));
    /* … and back (the next request answers): no poke, the hour is waived. */
    snprintf(fx.h.extra_args, sizeof fx.h.extra_args, "--listen 127.0.0.1%s", port);
    harness_restart(&fx.h);
    from = event_count();
    kn_sync_queues_request(fx.sync);
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_kind, &online, NULL));
    assert_true(wait_for(from, EVENT_DEADLINE_MS, is_delivery_of, ref, &ev));
    assert_true(ev.delivery.ok);
    it = get_item(ref);
    assert_int_equal(it.state, KN_OUTBOX_DELIVERED);
    kn_outbox_item_free(&it);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_put_online_is_delivered_once_with_receipt),
        cmocka_unit_test(test_case_put_offline_waits_then_is_delivered_exactly_once),
        cmocka_unit_test(test_lost_reply_resent_with_same_key_gives_the_same_case),
        cmocka_unit_test(test_refused_body_is_reported_with_its_chinese_reason),
        cmocka_unit_test(test_case_lookup_answers_right_digits_only),
        cmocka_unit_test(test_feedback_resent_after_lost_reply_counts_as_delivered),
        cmocka_unit_test(test_item_of_a_killed_process_is_delivered_by_the_next_worker),
        cmocka_unit_test(test_heartbeat_reports_the_outbox_depth),
        cmocka_unit_test(test_link_coming_back_sends_items_waiting_out_a_backoff),
    };
    if (argc == 3 && strcmp(argv[1], "--child-put") == 0)
        return child_put(argv[2]);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
