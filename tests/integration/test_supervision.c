/* test_supervision.c — 督办 (supervision), the overdue listing, the period
 * report and the helper scorecard on a real qifu-syncd and qifu-ctl.
 *
 * Time is QIFU_FAKE_NOW: set with setenv before `qifu-ctl` runs (the child
 * inherits it) and before the daemon is (re)started (it keeps the value it
 * started with). The daemon runs with a config file giving the shipped
 * holiday calendar (so the 2025 Spring Festival break counts) and a one-hour
 * scheduler interval, so the only scheduler pass during a test is the one
 * every start makes before "listening on" — which is what the restart tests
 * use; one test runs a daemon with a pass every second to see the thread
 * fire, polling the database for the record with a deadline.
 *
 * Cases are submitted through POST /api/v1/cases with an enrolled kiosk's
 * token and triaged with `qifu-ctl case triage` (the workflow's command);
 * later steps (办结, the submitter's answer, withdrawal) go through the store
 * API on the daemon's live database (sd_store_case_apply /
 * sd_store_case_feedback, as test_cases.c does) at explicit instants, which
 * this file needs and the workflow's own tests cover over HTTP.
 *
 * Dates: Mon 2025-01-27 is the last working day before the break (1-28 ..
 * 2-4 off; Sat 2-8 is a make-up working day). Counting working days after
 * the 27th: 1 = Wed 2-5, 2 = Thu 2-6, 3 = Fri 2-7, 4 = Sat 2-8, 5 = Mon 2-10,
 * 6 = Tue 2-11. Nothing sleeps. */
#include <jansson.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"
#include "qf_calendar.h"
#include "qf_case.h"
#include "qf_clock.h"
#include "qf_uscc.h"
#include "store.h"
#include "store_cases.h"

#define TRIAGE_AT "2025-01-27T10:00:00+08:00"

typedef struct suite {
    harness h;
    char config[64];
    char token[64], device[64];
} suite;

/* ---- set-up --------------------------------------------------------------- */

static void set_now(const char *iso)
{
    assert_int_equal(setenv("QIFU_FAKE_NOW", iso, 1), 0);
}

static qf_instant at(const char *iso)
{
    qf_instant t = 0;
    char err[128];
    if (qf_clock_parse_iso8601(iso, &t, err, sizeof err) != QF_OK)
        fail_msg("bad instant %s: %s", iso, err);
    return t;
}

static void iso(qf_instant t, char buf[32])
{
    qf_clock_format_iso8601(t, buf, 32);
}

/* A daemon started at `now` with the shipped calendar, the catalog and a
 * scheduler pass every interval_s seconds. */
static void suite_start_every(suite *s, const char *now, int interval_s)
{
    const char *import[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    FILE *f;
    int fd;

    memset(s, 0, sizeof *s);
    snprintf(s->config, sizeof s->config, "/tmp/qifu-sup-XXXXXX");
    fd = mkstemp(s->config);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "[syncd]\nsupervise_interval_s = %d\n[calendar]\nholidays = %s\n", interval_s,
            QIFU_SOURCE_DIR "/config/holidays");
    fclose(f);
    snprintf(s->h.extra_args, sizeof s->h.extra_args, "--config %s", s->config);
    set_now(now);
    harness_start(&s->h, false);
    assert_int_equal(harness_ctl(&s->h, NULL, import), 0);
    harness_enroll(&s->h, "kiosk-sup", s->token, s->device);
}

/* The usual daemon: only the pass at start runs during a test. */
static void suite_start(suite *s, const char *now)
{
    suite_start_every(s, now, 3600);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int setup(void **state)
{
    static suite s;
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    suite *s = *state;
    harness_stop(&s->h);
    unlink(s->config);
    unsetenv("QIFU_FAKE_NOW");
    return 0;
}

/* Kills the daemon with SIGKILL and starts it again at `now`. */
static void restart_at(suite *s, const char *now)
{
    harness_kill9(&s->h);
    set_now(now);
    harness_restart(&s->h);
}

/* ---- cases ---------------------------------------------------------------- */

/* A valid credit code from an 8-digit organisation number. */
static void make_uscc(const char *org8, char out[QF_USCC_LEN + 1])
{
    char first17[18];
    snprintf(first17, sizeof first17, "91330100%s%c", org8, qf_uscc_org_check_char(org8));
    snprintf(out, QF_USCC_LEN + 1, "%s%c", first17, qf_uscc_check_char(first17));
}

typedef struct submission {
    const char *board;
    const char *channel;   /* NULL: the kiosk's default */
    const char *helper_id; /* NULL: none */
    const char *org8;      /* the enterprise */
} submission;

static void submit(suite *s, const submission *sub, char no[SD_CASE_NO_MAX])
{
    static unsigned n;
    char key[64], header[96], uscc[QF_USCC_LEN + 1];
    const char *headers[] = { header, NULL };
    json_t *body, *reply;
    harness_response r;
    char *text;

    make_uscc(sub->org8 ? sub->org8 : "71610585", uscc);
    body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "kind", "request", "board", sub->board,
                     "enterprise_name", "杭州钱塘督办测试有限公司", "credit_code", uscc,
                     "contact_name", "王女士", "mobile", "138 1234 5678", "description",
                     "厂房消防验收进度咨询，希望了解还缺哪些材料。");
    if (sub->channel)
        json_object_set_new(body, "channel", json_string(sub->channel));
    if (sub->helper_id)
        json_object_set_new(body, "helper_id", json_string(sub->helper_id));
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    snprintf(key, sizeof key, "sup-%04u", ++n);
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    r = harness_request(&s->h, "POST", "/api/v1/cases", s->token, text, headers);
    free(text);
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    reply = json_loads(r.body, 0, NULL);
    assert_non_null(reply);
    snprintf(no, SD_CASE_NO_MAX, "%s", json_string_value(json_object_get(reply, "case_no")));
    json_decref(reply);
    harness_response_free(&r);
}

/* Opens the daemon's live database and the shipped calendar. */
static void store_open(suite *s, sd_store **store, qf_calendar **cal)
{
    char err[256];
    assert_int_equal(sd_store_open(s->h.db, store, err, sizeof err), QF_OK);
    assert_int_equal(qf_calendar_new(cal), QF_OK);
    assert_int_equal(qf_calendar_load_dir(*cal, QIFU_SOURCE_DIR "/config/holidays", err,
                                          sizeof err),
                     QF_OK);
}

static void store_close(sd_store *store, qf_calendar *cal)
{
    qf_calendar_free(cal);
    sd_store_close(store);
}

/* One rules event on case no at instant `when`. */
static void apply(suite *s, const char *no, qf_case_event ev, const char *when)
{
    sd_store *store = NULL;
    qf_calendar *cal = NULL;
    char err[256] = "";
    ev.at = at(when);
    store_open(s, &store, &cal);
    if (sd_store_case_apply(store, no, &ev, "staff:test", NULL, cal, NULL, err, sizeof err) !=
        QF_OK)
        fail_msg("%s on %s at %s: %s", qf_case_event_name(ev.type), no, when, err);
    store_close(store, cal);
}

/* 分类交办 with the workflow's own command at `when`:
 * `qifu-ctl case triage NO --kind K --lead UNIT` (the operator at the
 * server). The lead's catalog kind (department, or street/platform for a
 * whistle case) is the workflow's check. */
static void triage(suite *s, const char *no, qf_case_kind kind, const char *lead,
                   const char *when)
{
    const char *args[] = { "case", "triage", no, "--kind", qf_case_kind_name(kind), "--lead",
                           lead, NULL };
    char *out = NULL;
    set_now(when);
    if (harness_ctl(&s->h, &out, args) != 0)
        fail_msg("case triage %s --kind %s --lead %s failed: %s", no, qf_case_kind_name(kind),
                 lead, out ? out : "");
    free(out);
}

static void finish(suite *s, const char *no, const char *when)
{
    apply(s, no, (qf_case_event){ .type = QF_CASE_EV_FINISH }, when);
}

static void feedback(suite *s, const char *no, bool resolved, const char *rating, const char *when)
{
    sd_store *store = NULL;
    qf_calendar *cal = NULL;
    char err[256] = "";
    store_open(s, &store, &cal);
    if (sd_store_case_feedback(store, no, resolved, rating, NULL, "submitter via test", at(when),
                               cal, NULL, NULL, err, sizeof err) != QF_OK)
        fail_msg("feedback on %s: %s", no, err);
    store_close(store, cal);
}

/* ---- reading results -------------------------------------------------------- */

/* One number from the daemon's database, opened read-only beside it. */
static long long db_scalar(suite *s, const char *sql, const char *arg)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    assert_int_equal(sqlite3_open_v2(s->h.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static long long records_of(suite *s, const char *no)
{
    return db_scalar(s, "SELECT count(*) FROM supervision WHERE case_no = ?1", no);
}

/* `qifu-ctl supervise run` at now; returns how many records it fired. */
static int supervise_run(suite *s, const char *now)
{
    const char *args[] = { "supervise", "run", NULL };
    char *out = NULL;
    int fired = -1;
    set_now(now);
    if (harness_ctl(&s->h, &out, args) != 0)
        fail_msg("supervise run at %s failed: %s", now, out ? out : "");
    assert_non_null(out);
    if (sscanf(out, "fired %d supervision record(s)", &fired) != 1)
        fail_msg("supervise run printed: %s", out);
    free(out);
    return fired;
}

/* Runs qifu-ctl with args and parses its stdout as JSON. */
static json_t *ctl_json(suite *s, const char *const *args)
{
    char *out = NULL;
    json_t *j;
    int rc = harness_ctl(&s->h, &out, args);
    if (rc != 0)
        fail_msg("qifu-ctl %s %s exited %d: %s", args[0], args[1], rc, out ? out : "");
    j = json_loads(out ? out : "", 0, NULL);
    if (!j)
        fail_msg("qifu-ctl %s %s printed no JSON: %s", args[0], args[1], out ? out : "");
    free(out);
    return j;
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static long long jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return (long long)json_integer_value(v);
}

/* A rate: the hand-computed fraction, to the report's 4 decimals. */
static void expect_rate(json_t *o, const char *key, double want)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("%s is %s, want %.4f", key, json_is_null(v) ? "null" : "not a number", want);
    if (json_number_value(v) < want - 0.00006 || json_number_value(v) > want + 0.00006)
        fail_msg("%s is %.6f, want %.4f", key, json_number_value(v), want);
}

/* ---- supervision: each kind at its instants, exactly once ------------------ */

/* The plan of each kind for a case triaged Mon 2025-01-27 10:00, derived by
 * hand from 全流程闭环 三、(一) and the 2025 calendar (see the top). */
static const struct kind_plan {
    qf_case_kind kind;
    const char *lead;
    size_t n;
    const char *due[2];
    const char *action[2];
} kind_plans[] = {
    /* simple: not answered in 1 working day → urged by 09:00 of the next */
    { QF_CASE_KIND_SIMPLE, "unit-018", 1,
      { "2025-02-06T09:00:00+08:00" }, { "urge" } },
    /* single: 12:00 of working day 3, then working day 4 (a Saturday
     * worked in exchange for the holiday) */
    { QF_CASE_KIND_SINGLE, "unit-018", 2,
      { "2025-02-07T12:00:00+08:00", "2025-02-08T09:00:00+08:00" }, { "urge", "visit" } },
    /* whistle: 12:00 of working day 5, then working day 6 */
    { QF_CASE_KIND_WHISTLE, "unit-014", 2,
      { "2025-02-10T12:00:00+08:00", "2025-02-11T09:00:00+08:00" }, { "urge", "visit" } },
};
#define NKINDS (sizeof kind_plans / sizeof kind_plans[0])

static void test_each_kind_fires_at_its_planned_instants_exactly_once(void **state)
{
    suite *s = *state;
    char no[NKINDS][SD_CASE_NO_MAX];
    long long expect[NKINDS] = { 0 };
    submission sub = { .board = "board-request" };
    json_t *list;

    suite_start(s, TRIAGE_AT);
    for (size_t k = 0; k < NKINDS; k++) {
        submit(s, &sub, no[k]);
        triage(s, no[k], kind_plans[k].kind, kind_plans[k].lead, TRIAGE_AT);
    }
    /* The planned instants of all kinds are distinct and, in this table,
     * in time order kind by kind; walk them in order. */
    for (size_t k = 0; k < NKINDS; k++) {
        for (size_t i = 0; i < kind_plans[k].n; i++) {
            const char *due = kind_plans[k].due[i];
            char before[32], sql[200];
            iso(at(due) - 1, before);

            /* one second early: nothing anywhere */
            assert_int_equal(supervise_run(s, before), 0);
            for (size_t j = 0; j < NKINDS; j++)
                assert_int_equal(records_of(s, no[j]), expect[j]);
            /* at the instant: exactly this record */
            assert_int_equal(supervise_run(s, due), 1);
            expect[k]++;
            for (size_t j = 0; j < NKINDS; j++)
                assert_int_equal(records_of(s, no[j]), expect[j]);
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM supervision WHERE case_no = ?1 AND seq = %zu AND "
                     "due_at = %lld AND fired_at = %lld AND action = '%s' AND period = %lld",
                     i + 1, (long long)at(due), (long long)at(due), kind_plans[k].action[i],
                     (long long)at(TRIAGE_AT));
            assert_int_equal(db_scalar(s, sql, no[k]), 1);
            /* again at the same instant: nothing new */
            assert_int_equal(supervise_run(s, due), 0);
            assert_int_equal(records_of(s, no[k]), expect[k]);
        }
    }
    /* long after: every plan is spent */
    assert_int_equal(supervise_run(s, "2025-03-31T18:00:00+08:00"), 0);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM supervision", NULL), 5);
    /* one audit entry per record, by the ctl pass, none more */
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM audit WHERE action IN "
                                  "('supervision.urge', 'supervision.visit') AND actor = 'ctl'",
                               NULL),
                     5);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM audit WHERE action = "
                                  "'supervision.visit' AND case_no = ?1",
                               no[1]),
                     1);

    /* the listing, all and per case */
    {
        const char *all[] = { "supervise", "list", "--json", NULL };
        const char *one[] = { "supervise", "list", "--case", no[1], "--json", NULL };
        list = ctl_json(s, all);
        assert_int_equal(json_array_size(list), 5);
        json_decref(list);
        list = ctl_json(s, one);
        assert_int_equal(json_array_size(list), 2);
        assert_string_equal(jstr(json_array_get(list, 0), "action"), "urge");
        assert_string_equal(jstr(json_array_get(list, 0), "due_at"), kind_plans[1].due[0]);
        assert_string_equal(jstr(json_array_get(list, 1), "action"), "visit");
        assert_string_equal(jstr(json_array_get(list, 1), "due_at"), kind_plans[1].due[1]);
        assert_string_equal(jstr(json_array_get(list, 1), "fired_at"), kind_plans[1].due[1]);
        assert_string_equal(jstr(json_array_get(list, 1), "case_no"), no[1]);
        json_decref(list);
    }
}

/* ---- the daemon's scheduler: fires on start, never twice ------------------- */

static void test_daemon_scheduler_fires_once_across_kill9_restarts(void **state)
{
    suite *s = *state;
    char no[SD_CASE_NO_MAX];
    submission sub = { .board = "board-request" };

    suite_start(s, TRIAGE_AT);
    submit(s, &sub, no);
    triage(s, no, QF_CASE_KIND_SIMPLE, "unit-018", TRIAGE_AT);
    assert_int_equal(records_of(s, no), 0);

    /* down over the due instant; the pass at start catches up, before the
     * daemon says it is listening */
    restart_at(s, "2025-02-06T09:30:00+08:00");
    assert_int_equal(records_of(s, no), 1);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM supervision WHERE case_no = ?1 AND "
                                  "due_at = 1738803600 AND fired_at = 1738805400",
                               no), /* 2025-02-06 09:00 / 09:30 +08:00 */
                     1);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM audit WHERE actor = 'system:scheduler' "
                                  "AND action = 'supervision.urge' AND case_no = ?1",
                               no),
                     1);
    /* a manual pass at the same instant finds nothing to do */
    assert_int_equal(supervise_run(s, "2025-02-06T09:30:00+08:00"), 0);
    /* kill -9 and start again, at the same instant and later: no duplicate */
    restart_at(s, "2025-02-06T09:30:00+08:00");
    assert_int_equal(records_of(s, no), 1);
    restart_at(s, "2025-02-20T09:00:00+08:00");
    assert_int_equal(records_of(s, no), 1);
    assert_int_equal(supervise_run(s, "2025-02-20T09:00:00+08:00"), 0);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM audit WHERE action LIKE "
                                  "'supervision.%' AND case_no = ?1",
                               no),
                     1);
    /* SIGTERM stops the scheduler at once, an hour before its next pass
     * (a condition variable, not a sleep); teardown's stop is then a no-op */
    {
        uint64_t t0 = mono_ms();
        harness_stop(&s->h);
        assert_true(mono_ms() - t0 < 5000);
    }
}

/* ---- the scheduler thread: a pass every interval --------------------------------- */

static void test_scheduler_thread_fires_what_falls_due_while_running(void **state)
{
    suite *s = *state;
    sd_store *store = NULL;
    qf_calendar *cal = NULL;
    char uscc[QF_USCC_LEN + 1], no[SD_CASE_NO_MAX], err[256];
    bool replayed = false;
    uint64_t deadline;

    /* a daemon frozen at Thu 2-6 10:00, one pass a second */
    suite_start_every(s, "2025-02-06T10:00:00+08:00", 1);
    /* then a simple case appears that was triaged on 1-27 (its urge was due
     * at 09:00 today): only the thread's next pass can fire it */
    make_uscc("71610585", uscc);
    sd_case_new nc = {
        .caller = "device:test", .idem_key = "thread-1", .body_hash = "00", .kind = "request",
        .board = "board-request", .channel = QF_CASE_CH_KIOSK, .enterprise_name = "杭州钱塘公司",
        .uscc = uscc, .contact_name = "李先生", .mobile = "13812345678",
        .description = "诉求。", .now = at("2025-01-27T09:00:00+08:00"),
    };
    store_open(s, &store, &cal);
    if (sd_store_case_create(store, &nc, no, &replayed, err, sizeof err) != QF_OK)
        fail_msg("create: %s", err);
    store_close(store, cal);
    triage(s, no, QF_CASE_KIND_SIMPLE, "unit-018", TRIAGE_AT);
    /* wait for the condition, bounded: passes come every second */
    deadline = mono_ms() + 10000;
    while (records_of(s, no) == 0 && mono_ms() < deadline)
        poll(NULL, 0, 20);
    assert_int_equal(records_of(s, no), 1);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM audit WHERE actor = 'system:scheduler' "
                                  "AND case_no = ?1",
                               no),
                     1);
    /* a manual pass at the daemon's instant finds it fired already */
    assert_int_equal(supervise_run(s, "2025-02-06T10:00:00+08:00"), 0);
    assert_int_equal(records_of(s, no), 1);
}

/* ---- finished, closed, withdrawn and reopened cases -------------------------- */

static void test_finished_closed_or_withdrawn_cases_get_no_more_records(void **state)
{
    suite *s = *state;
    char no[SD_CASE_NO_MAX], gone[SD_CASE_NO_MAX], early[SD_CASE_NO_MAX];
    submission sub = { .board = "board-request" };

    suite_start(s, TRIAGE_AT);
    submit(s, &sub, no);
    submit(s, &sub, gone);
    submit(s, &sub, early);
    triage(s, no, QF_CASE_KIND_SINGLE, "unit-018", TRIAGE_AT);
    triage(s, gone, QF_CASE_KIND_SINGLE, "unit-018", TRIAGE_AT);
    triage(s, early, QF_CASE_KIND_SINGLE, "unit-018", TRIAGE_AT);
    apply(s, gone, (qf_case_event){ .type = QF_CASE_EV_WITHDRAW }, "2025-02-05T10:00:00+08:00");
    finish(s, early, "2025-02-07T11:59:59+08:00"); /* one second before the urge */

    assert_int_equal(supervise_run(s, "2025-02-07T12:00:00+08:00"), 1);
    assert_int_equal(records_of(s, no), 1);
    /* 办结 before the visit: the visit never fires */
    finish(s, no, "2025-02-07T15:00:00+08:00");
    assert_int_equal(supervise_run(s, "2025-02-08T09:00:00+08:00"), 0);
    assert_int_equal(supervise_run(s, "2025-03-01T09:00:00+08:00"), 0);
    assert_int_equal(records_of(s, no), 1);
    assert_int_equal(records_of(s, gone), 0);
    assert_int_equal(records_of(s, early), 0);

    /* 未解决 reopens it with a new time limit from Mon 2-10 10:00: working
     * day 3 is Thu 2-13 (urge 12:00), day 4 Fri 2-14 (visit 09:00) — a new
     * period, so new records */
    feedback(s, no, false, "dissatisfied", "2025-02-10T10:00:00+08:00");
    assert_int_equal(supervise_run(s, "2025-02-13T11:59:59+08:00"), 0);
    assert_int_equal(supervise_run(s, "2025-02-13T12:00:00+08:00"), 1);
    assert_int_equal(records_of(s, no), 2);
    assert_int_equal(db_scalar(s, "SELECT count(DISTINCT period) FROM supervision "
                                  "WHERE case_no = ?1",
                               no),
                     2);
    assert_int_equal(db_scalar(s, "SELECT max(period) FROM supervision WHERE case_no = ?1", no),
                     at("2025-02-10T10:00:00+08:00"));
    /* closed (办结 + 已解决): nothing more, ever */
    finish(s, no, "2025-02-13T16:00:00+08:00");
    feedback(s, no, true, "satisfied", "2025-02-13T17:00:00+08:00");
    assert_int_equal(supervise_run(s, "2025-02-14T09:00:00+08:00"), 0);
    assert_int_equal(supervise_run(s, "2025-06-30T09:00:00+08:00"), 0);
    assert_int_equal(records_of(s, no), 2);
}

/* ---- GET /api/v1/staff/overdue ------------------------------------------------ */

static void test_overdue_endpoint_lists_the_overdue_case_with_its_records(void **state)
{
    suite *s = *state;
    char simple[SD_CASE_NO_MAX], single[SD_CASE_NO_MAX], op[64];
    submission sub = { .board = "board-request" };
    harness_response r;
    json_t *j, *cases, *c, *recs;

    suite_start(s, TRIAGE_AT);
    submit(s, &sub, simple);
    submit(s, &sub, single);
    triage(s, simple, QF_CASE_KIND_SIMPLE, "unit-018", TRIAGE_AT);
    triage(s, single, QF_CASE_KIND_SINGLE, "unit-018", TRIAGE_AT);

    r = harness_request(&s->h, "GET", "/api/v1/staff/overdue", NULL, NULL, NULL);
    assert_int_equal(r.status, 401);
    harness_response_free(&r);
    r = harness_request(&s->h, "GET", "/api/v1/staff/overdue", s->token, NULL, NULL);
    assert_int_equal(r.status, 403); /* a kiosk is not staff */
    harness_response_free(&r);

    /* Fri 2-7 13:00: the simple case's deadline (end of Wed 2-5) has passed
     * by 37 hours; the single case is within its limit (end of Fri 2-7)
     * although urged at 12:00. The start pass fires both urges. */
    restart_at(s, "2025-02-07T13:00:00+08:00");
    harness_operator(&s->h, "duty", op);
    r = harness_request(&s->h, "GET", "/api/v1/staff/overdue", op, NULL, NULL);
    if (r.status != 200)
        fail_msg("overdue: %ld %s", r.status, r.body);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(jstr(j, "now"), "2025-02-07T13:00:00+08:00");
    assert_int_equal(jint(j, "count"), 1);
    cases = json_object_get(j, "cases");
    assert_int_equal(json_array_size(cases), 1);
    c = json_array_get(cases, 0);
    assert_string_equal(jstr(c, "case_no"), simple);
    assert_string_equal(jstr(c, "kind"), "simple");
    assert_string_equal(jstr(c, "lead_unit"), "unit-018");
    assert_string_equal(jstr(c, "deadline"), "2025-02-06T00:00:00+08:00");
    assert_int_equal(jint(c, "overdue_by_s"), 37 * 3600);
    recs = json_object_get(c, "supervision");
    assert_int_equal(json_array_size(recs), 1);
    assert_string_equal(jstr(json_array_get(recs, 0), "action"), "urge");
    assert_string_equal(jstr(json_array_get(recs, 0), "due_at"), "2025-02-06T09:00:00+08:00");
    assert_string_equal(jstr(json_array_get(recs, 0), "fired_at"), "2025-02-07T13:00:00+08:00");
    json_decref(j);
    harness_response_free(&r);
    /* the single case was urged although not overdue */
    assert_int_equal(records_of(s, single), 1);

    /* staff: a department sees the overdue cases its unit leads, another
     * department none; a helper's role may not list them at all */
    {
        const char *add_d1[] = { "staff", "add", "d018", "--name", "市场监管", "--role",
                                 "department", "--unit", "unit-018", NULL };
        const char *add_d2[] = { "staff", "add", "d003", "--name", "发改", "--role",
                                 "department", "--unit", "unit-003", NULL };
        const char *add_h[] = { "staff", "add", "h002", "--name", "助企员", "--role", "helper",
                                NULL };
        struct {
            const char *id;
            long status;
            long long count;
        } who[] = { { "d018", 200, 1 }, { "d003", 200, 0 }, { "h002", 403, -1 } };
        assert_int_equal(harness_ctl_stdin(&s->h, "135790\n", NULL, add_d1), 0);
        assert_int_equal(harness_ctl_stdin(&s->h, "135790\n", NULL, add_d2), 0);
        assert_int_equal(harness_ctl_stdin(&s->h, "135790\n", NULL, add_h), 0);
        for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
            char body[128], token[96];
            json_t *lj;
            snprintf(body, sizeof body, "{\"id\":\"%s\",\"pin\":\"135790\"}", who[i].id);
            r = harness_request(&s->h, "POST", "/api/v1/staff/login", NULL, body, NULL);
            if (r.status != 200)
                fail_msg("login %s: %ld %s", who[i].id, r.status, r.body);
            lj = json_loads(r.body, 0, NULL);
            snprintf(token, sizeof token, "%s", jstr(lj, "token"));
            json_decref(lj);
            harness_response_free(&r);
            r = harness_request(&s->h, "GET", "/api/v1/staff/overdue", token, NULL, NULL);
            if (r.status != who[i].status)
                fail_msg("%s: %ld %s", who[i].id, r.status, r.body);
            if (who[i].count >= 0) {
                j = json_loads(r.body, 0, NULL);
                assert_int_equal(jint(j, "count"), who[i].count);
                json_decref(j);
            }
            harness_response_free(&r);
        }
    }

    /* once finished it leaves the list */
    finish(s, simple, "2025-02-07T13:05:00+08:00");
    r = harness_request(&s->h, "GET", "/api/v1/staff/overdue", op, NULL, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_int_equal(jint(j, "count"), 0);
    json_decref(j);
    harness_response_free(&r);
}

/* ---- the report ------------------------------------------------------------------ */

/* Six cases created Mon 2025-03-03 10:00 (the daemon's now) and one on
 * Tue 3-4 (through the store), with known outcomes; the report runs at
 * 2025-03-20 10:00. No holidays in March 2025.
 *   A request/kiosk/h001/ent1 single unit-018: 办结 3-4 (limit end of 3-6),
 *     已解决 非常满意 → closed, on time, resolved
 *   B request/hotline/ent2    single unit-018: 办结 3-7 10:00 (late),
 *     已解决 基本满意 → closed, late, resolved
 *   C policy/kiosk/h001/ent1  simple unit-003: 办结 3-3, 未解决 不满意
 *     (reopen, new limit end of 3-4), 办结 3-4 11:00, 已解决 满意 → closed,
 *     on time, NOT resolved (reopened)
 *   D policy/kiosk/ent3       whistle unit-014: open, limit end of 3-10 →
 *     overdue by 9 d 10 h at 3-20 10:00; urged and visited
 *   E request/kiosk/ent2      withdrawn before triage
 *   F request/kiosk/ent4      never triaged
 *   G request/kiosk/ent5      created 3-4 09:00: outside a 3-3 report */
typedef struct dataset {
    char a[SD_CASE_NO_MAX], b[SD_CASE_NO_MAX], c[SD_CASE_NO_MAX], d[SD_CASE_NO_MAX],
        e[SD_CASE_NO_MAX], f[SD_CASE_NO_MAX];
} dataset;

static void build_dataset(suite *s, dataset *ds)
{
    const char *t = "2025-03-03T10:00:00+08:00";
    submission sa = { "board-request", NULL, "h001", "10000001" };
    submission sb = { "board-request", "hotline", NULL, "10000002" };
    submission sc = { "board-policy", NULL, "h001", "10000001" };
    submission sd = { "board-policy", NULL, NULL, "10000003" };
    submission se = { "board-request", NULL, NULL, "10000002" };
    submission sf = { "board-request", NULL, NULL, "10000004" };

    suite_start(s, t);
    submit(s, &sa, ds->a);
    submit(s, &sb, ds->b);
    submit(s, &sc, ds->c);
    submit(s, &sd, ds->d);
    submit(s, &se, ds->e);
    submit(s, &sf, ds->f);

    triage(s, ds->a, QF_CASE_KIND_SINGLE, "unit-018", t);
    finish(s, ds->a, "2025-03-04T10:00:00+08:00");
    feedback(s, ds->a, true, "very_satisfied", "2025-03-04T12:00:00+08:00");

    triage(s, ds->b, QF_CASE_KIND_SINGLE, "unit-018", t);
    finish(s, ds->b, "2025-03-07T10:00:00+08:00");
    feedback(s, ds->b, true, "basic", "2025-03-07T11:00:00+08:00");

    triage(s, ds->c, QF_CASE_KIND_SIMPLE, "unit-003", t);
    finish(s, ds->c, "2025-03-03T15:00:00+08:00");
    feedback(s, ds->c, false, "dissatisfied", "2025-03-03T16:00:00+08:00");
    finish(s, ds->c, "2025-03-04T11:00:00+08:00");
    feedback(s, ds->c, true, "satisfied", "2025-03-04T12:00:00+08:00");

    triage(s, ds->d, QF_CASE_KIND_WHISTLE, "unit-014", t);
    apply(s, ds->e, (qf_case_event){ .type = QF_CASE_EV_WITHDRAW }, "2025-03-03T11:00:00+08:00");

    /* G, on the next day, straight through the store */
    {
        sd_store *store = NULL;
        qf_calendar *cal = NULL;
        char uscc[QF_USCC_LEN + 1], no[SD_CASE_NO_MAX], err[256];
        bool replayed = false;
        make_uscc("10000005", uscc);
        sd_case_new nc = {
            .caller = "device:test", .idem_key = "report-g", .body_hash = "00",
            .kind = "request", .board = "board-request", .channel = QF_CASE_CH_KIOSK,
            .enterprise_name = "杭州钱塘另一家公司", .uscc = uscc, .contact_name = "李先生",
            .mobile = "13812345678", .description = "另一天的诉求。",
            .now = at("2025-03-04T09:00:00+08:00"),
        };
        store_open(s, &store, &cal);
        if (sd_store_case_create(store, &nc, no, &replayed, err, sizeof err) != QF_OK)
            fail_msg("create G: %s", err);
        store_close(store, cal);
    }
    /* D is urged (3-10 12:00) and visited (3-11 09:00); A B C are closed */
    assert_int_equal(supervise_run(s, "2025-03-20T10:00:00+08:00"), 2);
    assert_int_equal(records_of(s, ds->d), 2);
}

static json_t *group_of(json_t *doc, const char *key)
{
    json_t *groups = json_object_get(doc, "groups");
    for (size_t i = 0; i < json_array_size(groups); i++) {
        json_t *g = json_array_get(groups, i);
        const char *k = jstr(g, "group");
        if ((!key && !k) || (key && k && strcmp(k, key) == 0))
            return g;
    }
    fail_msg("no group %s", key ? key : "(empty)");
    return NULL;
}

static void test_report_numbers_equal_the_hand_computed_ones(void **state)
{
    suite *s = *state;
    dataset ds;
    const char *total_args[] = { "report", "--from", "2025-03-03", "--to", "2025-03-03",
                                 "--json", NULL };
    json_t *doc, *t, *g;

    build_dataset(s, &ds);
    set_now("2025-03-20T10:00:00+08:00");
    doc = ctl_json(s, total_args);
    assert_string_equal(jstr(doc, "from"), "2025-03-03");
    assert_true(json_is_null(json_object_get(doc, "by")));
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 0);
    t = json_object_get(doc, "total");
    assert_int_equal(jint(t, "received"), 6);          /* A..F; G is on 3-4 */
    assert_int_equal(jint(t, "withdrawn"), 1);         /* E */
    assert_int_equal(jint(t, "untriaged"), 1);         /* F */
    assert_int_equal(jint(t, "triaged"), 4);           /* A B C D */
    assert_int_equal(jint(t, "in_progress"), 1);       /* D */
    assert_int_equal(jint(t, "finished"), 3);          /* A B C */
    assert_int_equal(jint(t, "finished_on_time"), 2);  /* A, C (B was late) */
    assert_int_equal(jint(t, "closed"), 3);            /* A B C */
    assert_int_equal(jint(t, "resolved"), 2);          /* A B; C was reopened */
    assert_int_equal(jint(t, "reopened"), 1);          /* C */
    assert_int_equal(jint(t, "counted"), 5);           /* 6 received − 1 withdrawn */
    expect_rate(t, "finish_rate", 2.0 / 5.0);          /* 办结率 = 2 / 5 = 0.4 */
    expect_rate(t, "resolution_rate", 2.0 / 5.0);      /* 解决率 = 2 / 5 = 0.4 */
    assert_int_equal(jint(t, "rated"), 3);             /* A 5, B 3, C 4 (its latest) */
    assert_int_equal(jint(t, "satisfied"), 2);         /* A 非常满意, C 满意 */
    expect_rate(t, "satisfaction_rate", 2.0 / 3.0);    /* 0.6667 */
    expect_rate(t, "avg_score", (5 + 3 + 4) / 3.0);    /* 4.00 */
    assert_int_equal(jint(t, "overdue_now"), 1);       /* D */
    assert_int_equal(jint(t, "supervised"), 1);        /* D */
    assert_int_equal(jint(t, "enterprises"), 4);       /* ent1 (A C), ent2 (B E), ent3, ent4 */
    assert_int_equal(json_array_size(json_object_get(doc, "overdue")), 1);
    g = json_array_get(json_object_get(doc, "overdue"), 0);
    assert_string_equal(jstr(g, "case_no"), ds.d);
    assert_string_equal(jstr(g, "deadline"), "2025-03-11T00:00:00+08:00");
    assert_int_equal(jint(g, "overdue_by_s"), 9 * 86400 + 10 * 3600); /* 3-11 00:00 → 3-20 10:00 */
    json_decref(doc);

    /* by board: policy = C D, request = A B E F */
    {
        const char *args[] = { "report", "--from", "2025-03-03", "--to", "2025-03-03", "--by",
                               "board", "--json", NULL };
        doc = ctl_json(s, args);
        assert_int_equal(json_array_size(json_object_get(doc, "groups")), 2);
        g = group_of(doc, "board-policy");
        assert_string_equal(jstr(g, "label"), "政策服务");
        assert_int_equal(jint(g, "received"), 2);
        assert_int_equal(jint(g, "finished_on_time"), 1);  /* C */
        expect_rate(g, "finish_rate", 1.0 / 2.0);
        expect_rate(g, "resolution_rate", 0.0);            /* C reopened, D open */
        expect_rate(g, "satisfaction_rate", 1.0);          /* C 满意 */
        expect_rate(g, "avg_score", 4.0);
        assert_int_equal(jint(g, "overdue_now"), 1);
        assert_int_equal(jint(g, "enterprises"), 2);
        g = group_of(doc, "board-request");
        assert_int_equal(jint(g, "received"), 4);
        assert_int_equal(jint(g, "counted"), 3);           /* E withdrawn */
        expect_rate(g, "finish_rate", 1.0 / 3.0);          /* A on time; B late; F open */
        expect_rate(g, "resolution_rate", 2.0 / 3.0);      /* A B */
        expect_rate(g, "satisfaction_rate", 1.0 / 2.0);    /* A yes, B 基本满意 no */
        expect_rate(g, "avg_score", (5 + 3) / 2.0);
        assert_int_equal(jint(g, "overdue_now"), 0);
        assert_int_equal(jint(g, "enterprises"), 3);       /* ent1, ent2, ent4 */
        json_decref(doc);
    }
    /* by unit: untriaged E F, unit-003 C, unit-014 D, unit-018 A B */
    {
        const char *args[] = { "report", "--from", "2025-03-03", "--to", "2025-03-03", "--by",
                               "unit", "--json", NULL };
        doc = ctl_json(s, args);
        assert_int_equal(json_array_size(json_object_get(doc, "groups")), 4);
        g = group_of(doc, NULL);
        assert_string_equal(jstr(g, "label"), "(untriaged)");
        assert_int_equal(jint(g, "received"), 2);
        g = group_of(doc, "unit-018");
        assert_string_equal(jstr(g, "label"), "区市场监管局");
        expect_rate(g, "finish_rate", 1.0 / 2.0);
        expect_rate(g, "resolution_rate", 1.0);
        g = group_of(doc, "unit-014");
        assert_int_equal(jint(g, "overdue_now"), 1);
        assert_int_equal(jint(g, "supervised"), 1);
        json_decref(doc);
    }
    /* by channel and by helper */
    {
        const char *args[] = { "report", "--from", "2025-03-03", "--to", "2025-03-03", "--by",
                               "channel", "--json", NULL };
        doc = ctl_json(s, args);
        g = group_of(doc, "hotline");
        assert_int_equal(jint(g, "received"), 1);
        assert_int_equal(jint(g, "finished_on_time"), 0);
        g = group_of(doc, "kiosk");
        assert_int_equal(jint(g, "received"), 5);
        json_decref(doc);
    }
    {
        const char *args[] = { "report", "--from", "2025-03-03", "--to", "2025-03-03", "--by",
                               "helper", "--json", NULL };
        doc = ctl_json(s, args);
        g = group_of(doc, "h001");
        assert_int_equal(jint(g, "received"), 2);           /* A C */
        expect_rate(g, "resolution_rate", 1.0 / 2.0);       /* A */
        expect_rate(g, "finish_rate", 1.0);                 /* A C */
        g = group_of(doc, NULL);
        assert_int_equal(jint(g, "received"), 4);
        json_decref(doc);
    }
    /* both days inclusive: G joins; G alone on 3-4 */
    {
        const char *args[] = { "report", "--from", "2025-03-03", "--to", "2025-03-04",
                               "--json", NULL };
        const char *args2[] = { "report", "--from", "2025-03-04", "--to", "2025-03-04",
                                "--json", NULL };
        doc = ctl_json(s, args);
        assert_int_equal(jint(json_object_get(doc, "total"), "received"), 7);
        json_decref(doc);
        doc = ctl_json(s, args2);
        assert_int_equal(jint(json_object_get(doc, "total"), "received"), 1);
        assert_int_equal(jint(json_object_get(doc, "total"), "untriaged"), 1);
        json_decref(doc);
    }
}

static void test_report_csv_has_a_header_and_one_row_per_group(void **state)
{
    suite *s = *state;
    dataset ds;
    const char *args[] = { "report", "--from", "2025-03-03", "--to", "2025-03-03", "--by",
                           "board", "--csv", NULL };
    const char *bad[][8] = {
        { "report", "--from", "2025-03-03", NULL },
        { "report", "--from", "2025-03-04", "--to", "2025-03-03", NULL },
        { "report", "--from", "2025-3-3", "--to", "2025-03-03", NULL },
        { "report", "--from", "2025-03-03", "--to", "2025-03-03", "--by", "street", NULL },
        { "report", "--from", "2025-03-03", "--to", "2025-03-03", "--json", "--csv", NULL },
    };
    char *out = NULL, *line, *save = NULL;
    int n = 0;

    build_dataset(s, &ds);
    set_now("2025-03-20T10:00:00+08:00");
    assert_int_equal(harness_ctl(&s->h, &out, args), 0);
    assert_non_null(out);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
        if (n == 0)
            assert_string_equal(line,
                                "group,label,received,withdrawn,untriaged,triaged,in_progress,"
                                "finished,finished_on_time,finish_rate,closed,resolved,"
                                "resolution_rate,reopened,rated,satisfied,satisfaction_rate,"
                                "avg_score,overdue_now,supervised,enterprises");
        else if (n == 1)
            assert_string_equal(line,
                                "board-policy,政策服务,2,0,0,2,1,1,1,0.5,1,0,0,1,1,1,1,4,1,1,2");
        else if (n == 3) /* received 6, withdrawn 1 … 办结率 0.4 … 满意率 0.6667, avg 4 */
            assert_string_equal(line, "(total),(total),6,1,1,4,1,3,2,0.4,3,2,0.4,1,3,2,0.6667,4,"
                                      "1,1,4");
    }
    assert_int_equal(n, 4); /* header, two boards, the total */
    free(out);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(harness_ctl(&s->h, NULL, bad[i]), 2);
}

/* ---- the helper scorecard -------------------------------------------------------- */

static void helper_log(suite *s, const char *id, const char *kind, const char *enterprise,
                       const char *when, int want)
{
    const char *args[12] = { "helper", "log", id, "--kind", kind };
    int n = 5;
    if (enterprise) {
        args[n++] = "--enterprise";
        args[n++] = enterprise;
    }
    if (when) {
        args[n++] = "--at";
        args[n++] = when;
    }
    args[n] = NULL;
    assert_int_equal(harness_ctl(&s->h, NULL, args), want);
}

static json_t *field(json_t *card, const char *name)
{
    json_t *f = json_object_get(json_object_get(json_object_get(card, "fields"), name), "value");
    if (!f)
        fail_msg("no field %s", name);
    assert_non_null(jstr(json_object_get(json_object_get(card, "fields"), name), "rule"));
    return f;
}

static json_t *score(json_t *card, const char *item)
{
    json_t *scores = json_object_get(card, "scores");
    for (size_t i = 0; i < json_array_size(scores); i++)
        if (strcmp(jstr(json_array_get(scores, i), "item"), item) == 0)
            return json_object_get(json_array_get(scores, i), "points");
    fail_msg("no score item %s", item);
    return NULL;
}

static void test_helper_scorecard_counts_logged_activity_and_cases(void **state)
{
    suite *s = *state;
    dataset ds;
    const char *add_h[] = { "staff", "add", "h001", "--name", "王助企", "--role", "helper", NULL };
    const char *add_o[] = { "staff", "add", "op01", "--name", "值班员", "--role", "operator",
                            NULL };
    const char *card_args[] = { "helper", "scorecard", "h001", "--month", "2025-03", "--json",
                                NULL };
    json_t *card;

    build_dataset(s, &ds);
    assert_int_equal(harness_ctl_stdin(&s->h, "135790\n", NULL, add_h), 0);
    assert_int_equal(harness_ctl_stdin(&s->h, "135790\n", NULL, add_o), 0);

    set_now("2025-03-20T10:00:00+08:00");
    helper_log(s, "h001", "contact", "钱塘甲公司", "2025-03-05T10:00:00+08:00", 0);
    helper_log(s, "h001", "contact", "钱塘乙公司", "2025-03-18T15:00:00+08:00", 0);
    helper_log(s, "h001", "contact", NULL, NULL, 0);            /* now: 3-20 */
    helper_log(s, "h001", "visit", "钱塘甲公司", "2025-02-10T10:00:00+08:00", 0); /* Feb */
    helper_log(s, "h001", "upload", NULL, "2025-03-06T10:00:00+08:00", 0);
    helper_log(s, "h001", "contact", "钱塘甲公司", "2025-04-01T10:00:00+08:00", 0); /* Apr */
    helper_log(s, "nobody", "contact", NULL, NULL, 1);          /* no such account */
    helper_log(s, "op01", "contact", NULL, NULL, 1);            /* not a helper */
    helper_log(s, "h001", "call", NULL, NULL, 2);               /* no such kind */
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM helper_activity", NULL), 6);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM audit WHERE action = 'helper.log'", NULL),
                     6);
    /* the enterprises' stars for the helper (the workflow's rate action
     * writes these rows; here they are put in directly) */
    {
        sqlite3 *db = NULL;
        char sql[400];
        assert_int_equal(sqlite3_open(s->h.db, &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        snprintf(sql, sizeof sql,
                 "INSERT INTO ratings (case_no, kind, rater, subject, score, at) VALUES "
                 "('%s', 'helper', 'device:k1', 'h001', 5, %lld), "
                 "('%s', 'helper', 'device:k1', 'h001', 4, %lld)",
                 ds.a, (long long)at("2025-03-05T10:00:00+08:00"), ds.c,
                 (long long)at("2025-03-06T10:00:00+08:00"));
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }

    card = ctl_json(s, card_args);
    assert_string_equal(jstr(card, "helper"), "h001");
    assert_string_equal(jstr(card, "name"), "王助企");
    assert_string_equal(jstr(card, "month"), "2025-03");
    assert_int_equal(json_integer_value(field(card, "contacts")), 3);      /* 3-5, 3-18, 3-20 */
    assert_int_equal(json_integer_value(field(card, "visits")), 0);
    assert_int_equal(json_integer_value(field(card, "visits_two_months")), 1); /* 2-10 */
    assert_int_equal(json_integer_value(field(card, "enterprises_reached")), 2); /* 甲, 乙 */
    assert_true(json_is_true(field(card, "contact_met")));
    assert_true(json_is_true(field(card, "visit_met")));
    assert_int_equal(json_integer_value(field(card, "problems_uploaded")), 2); /* A C */
    assert_int_equal(json_integer_value(field(card, "records_uploaded")), 1);
    assert_int_equal(json_integer_value(field(card, "handled_on_time")), 2);
    assert_int_equal(json_integer_value(field(card, "late")), 0);
    assert_int_equal(json_integer_value(field(card, "resolved")), 1);          /* A */
    expect_rate(json_object_get(json_object_get(card, "fields"), "resolution_rate"), "value",
                0.5);
    assert_int_equal(json_integer_value(field(card, "ratings_received")), 2);
    expect_rate(json_object_get(json_object_get(card, "fields"), "average_stars"), "value", 4.5);
    /* points: 走访 5 (both met), 上传 10 (5 + 5 × 3, capped), 办结率 5 (none
     * late), 解决率 10 − (100 − 50) < 0 → 0, 企业评价 10 − 3 × (5 − 4.5) = 8.5 */
    assert_int_equal(json_integer_value(score(card, "visits")), 5);
    assert_int_equal(json_integer_value(score(card, "uploads")), 10);
    assert_int_equal(json_integer_value(score(card, "on_time")), 5);
    assert_true(json_number_value(score(card, "resolution")) == 0.0);
    assert_true(json_number_value(score(card, "enterprise_rating")) == 8.5);
    assert_true(json_is_null(score(card, "monthly_check")));
    assert_true(json_number_value(json_object_get(card, "points_computed")) == 28.5);
    assert_int_equal(jint(card, "points_computed_max"), 40);
    json_decref(card);

    /* a month with nothing: visits of February still count for March's
     * two-month window, not for April's */
    {
        const char *apr[] = { "helper", "scorecard", "h001", "--month", "2025-04", "--json",
                              NULL };
        const char *bad[] = { "helper", "scorecard", "h001", "--month", "2025-13", NULL };
        const char *who[] = { "helper", "scorecard", "nobody", "--month", "2025-03", NULL };
        card = ctl_json(s, apr);
        assert_int_equal(json_integer_value(field(card, "contacts")), 1);
        assert_int_equal(json_integer_value(field(card, "visits_two_months")), 0);
        assert_true(json_is_false(field(card, "visit_met")));
        assert_int_equal(json_integer_value(score(card, "visits")), 0);
        assert_true(json_is_null(score(card, "resolution")));
        json_decref(card);
        assert_int_equal(harness_ctl(&s->h, NULL, bad), 2);
        assert_int_equal(harness_ctl(&s->h, NULL, who), 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_kind_fires_at_its_planned_instants_exactly_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_daemon_scheduler_fires_once_across_kill9_restarts,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_scheduler_thread_fires_what_falls_due_while_running,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_finished_closed_or_withdrawn_cases_get_no_more_records, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_overdue_endpoint_lists_the_overdue_case_with_its_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_numbers_equal_the_hand_computed_ones, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_report_csv_has_a_header_and_one_row_per_group,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_helper_scorecard_counts_logged_activity_and_cases,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
