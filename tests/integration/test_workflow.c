/* test_workflow.c — the staff workflow of a case on a real qifu-syncd and
 * the real qifu-ctl: deadlines of every kind across real holidays and
 * make-up days, the automatic whistle, escalation with reassignment and up
 * to the principal, reopening after 未解决, ratings, permissions over HTTP
 * and the audit trail.
 *
 * The clock: QIFU_FAKE_NOW is set in this process's environment before the
 * daemon starts (2025-01-01 09:00, before every scenario instant, so every
 * case is submitted then) and before each qifu-ctl run, which inherits it:
 * each staff action happens at the instant its table row or step names.
 * The daemon loads the shipped holiday files through a --config file, so
 * its own actions (feedback, HTTP actions) use the same calendar.
 *
 * Staff sessions are made directly in the daemon's database (a staff row
 * and a token through sd_auth_token_store), independent of the login code.
 * Nothing sleeps: every step waits for its own command or request. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "auth.h"
#include "harness.h"
#include "store.h"

#define START_NOW "2025-01-01T09:00:00+08:00"
#define VALID_USCC "91330100716105852F"

typedef struct suite {
    harness h;
    char config[64];
    char device_token[64], device_id[64];
    char op_token[64];
    /* staff sessions */
    char dept018[SD_TOKEN_LEN + 1];   /* department, unit-018 区市场监管局 */
    char dept023[SD_TOKEN_LEN + 1];   /* department, unit-023 区住建局 */
    char dept044[SD_TOKEN_LEN + 1];   /* department, unit-044 区应急管理局 */
    char triage086[SD_TOKEN_LEN + 1]; /* triage, unit-086 下沙街道 */
    char helper1[SD_TOKEN_LEN + 1];   /* helper h-001 */
    char helper2[SD_TOKEN_LEN + 1];   /* helper h-002 */
    int idem;
} suite;

/* ---- set-up -------------------------------------------------------------- */

static void staff_add(suite *s, sd_store *store, const char *id, const char *name,
                      const char *role, const char *unit, char token[SD_TOKEN_LEN + 1])
{
    char sql[512];
    char *msg = NULL;

    snprintf(sql, sizeof sql,
             "INSERT INTO staff (id, name, role, unit, pin_hash, created_at) VALUES "
             "('%s', '%s', '%s', %s%s%s, 'not-a-hash', 1735693200)",
             id, name, role, unit ? "'" : "", unit ? unit : "NULL", unit ? "'" : "");
    sd_store_lock(store);
    if (sqlite3_exec(sd_store_db(store), sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("staff %s: %s", id, msg);
    sd_store_unlock(store);
    (void)s;
    if (!token)
        return;
    assert_int_equal(sd_auth_token_new(token), QF_OK);
    assert_int_equal(sd_auth_token_store(store, token, SD_PRINCIPAL_STAFF, id, role, 1735693200, 0),
                     QF_OK);
}

static int setup(void **state)
{
    static suite s;
    const char *import[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    char err[256];
    sd_store *store = NULL;
    FILE *f;
    int fd;

    memset(&s, 0, sizeof s);
    setenv("QIFU_FAKE_NOW", START_NOW, 1);
    snprintf(s.config, sizeof s.config, "/tmp/qifu-wf-XXXXXX");
    fd = mkstemp(s.config);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "[calendar]\nholidays = %s/config/holidays\n", QIFU_SOURCE_DIR);
    fclose(f);
    snprintf(s.h.extra_args, sizeof s.h.extra_args, "--config %s", s.config);
    harness_start(&s.h, false);
    assert_int_equal(harness_ctl(&s.h, NULL, import), 0);
    harness_enroll(&s.h, "kiosk-wf", s.device_token, s.device_id);
    harness_operator(&s.h, "op-wf", s.op_token);

    if (sd_store_open(s.h.db, &store, err, sizeof err) != QF_OK)
        fail_msg("store: %s", err);
    staff_add(&s, store, "d018", "市监王科长", "department", "unit-018", s.dept018);
    staff_add(&s, store, "d023", "住建李科长", "department", "unit-023", s.dept023);
    staff_add(&s, store, "d044", "应急赵科长", "department", "unit-044", s.dept044);
    staff_add(&s, store, "t086", "下沙街道孙主任", "triage", "unit-086", s.triage086);
    staff_add(&s, store, "tf01", "专班周组长", "taskforce", NULL, NULL);
    staff_add(&s, store, "ld01", "吴副区长", "leader", NULL, NULL);
    staff_add(&s, store, "h-001", "助企员陈", "helper", NULL, s.helper1);
    staff_add(&s, store, "h-002", "助企员林", "helper", NULL, s.helper2);
    sd_store_close(store);
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    suite *s = *state;
    harness_stop(&s->h);
    unlink(s->config);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* Submits a case through the kiosk API; writes its number. */
static void submit(suite *s, const char *type, const char *helper, char no[32])
{
    char body[1024], key[64], idem[96];
    const char *headers[] = { idem, NULL };
    harness_response r;
    json_t *j;

    snprintf(key, sizeof key, "wf-case-%04d", ++s->idem);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",%s\"enterprise_name\":\"杭州钱塘示例生物科技有限公司\","
             "\"credit_code\":\"" VALID_USCC "\",\"contact_name\":\"王女士\","
             "\"mobile\":\"13812345678\",\"description\":\"厂房消防验收进度咨询，希望了解还缺"
             "哪些材料。\"%s%s%s}",
             type,
             strcmp(type, "fallback") == 0 ? "\"fallback_category\":\"no_lead\","
                                           : "\"board\":\"board-request\",",
             helper ? ",\"helper_id\":\"" : "", helper ? helper : "", helper ? "\"" : "");
    r = harness_request(&s->h, "POST", "/api/v1/cases", s->device_token, body, headers);
    if (r.status != 201)
        fail_msg("submit: %ld %s", r.status, r.body);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    snprintf(no, 32, "%s", json_string_value(json_object_get(j, "case_no")));
    json_decref(j);
    harness_response_free(&r);
}

/* Runs qifu-ctl at instant `at` (QIFU_FAKE_NOW); returns the exit code and
 * (out, optional) stdout. */
static int ctl_at(suite *s, const char *at, char **out, const char *const *args)
{
    int rc;
    setenv("QIFU_FAKE_NOW", at, 1);
    rc = harness_ctl(&s->h, out, args);
    setenv("QIFU_FAKE_NOW", START_NOW, 1);
    return rc;
}

/* ctl_at that must succeed. */
static void ctl_ok(suite *s, const char *at, const char *const *args)
{
    char *out = NULL;
    int rc = ctl_at(s, at, &out, args);
    if (rc != 0)
        fail_msg("qifu-ctl %s %s %s failed (%d): %s", args[0], args[1], args[2] ? args[2] : "",
                 rc, out ? out : "");
    free(out);
}

/* `case show NO --json`, parsed. Ownership: json_decref. */
static json_t *show(suite *s, const char *no)
{
    const char *args[] = { "case", "show", no, "--json", NULL };
    char *out = NULL;
    json_t *j;
    assert_int_equal(ctl_at(s, START_NOW, &out, args), 0);
    j = json_loads(out ? out : "", 0, NULL);
    if (!j)
        fail_msg("case show %s: not JSON: %s", no, out ? out : "");
    free(out);
    return j;
}

static const char *js(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : "(null)";
}

static const char *lead_of(const json_t *c)
{
    return js(json_object_get(c, "lead"), "id");
}

static bool has_co(const json_t *c, const char *unit)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(c, "co_units"), i, v)
        if (strcmp(js(v, "id"), unit) == 0)
            return true;
    return false;
}

static long status_of(suite *s, const char *method, const char *path, const char *token,
                      const char *body)
{
    harness_response r = harness_request(&s->h, method, path, token, body, NULL);
    long st = r.status;
    harness_response_free(&r);
    return st;
}

/* ---- deadlines: every kind across holidays and make-up days -------------- */

typedef struct deadline_row {
    const char *type;            /* request or fallback */
    const char *kind, *level;    /* as given to --kind / --level */
    const char *lead;
    const char *at;              /* the triage instant */
    const char *want_kind;       /* the stored kind */
    const char *want_deadline;   /* 24:00 of the n-th working day after at's day */
} deadline_row;

#define DEPT "unit-018"    /* 区市场监管局, a department */
#define STREET "unit-086"  /* 下沙街道, a street */
#define WINDOW "unit-007"  /* 区行政审批局, leads the 兜底办 window */

/* The 2025 and 2026 notices (config/holidays): 2025 春节 01-28..02-04 off,
 * 01-26 (Sun) and 02-08 (Sat) worked; 国庆 10-01..10-08 off, 09-28 (Sun)
 * and 10-11 (Sat) worked; 2026 春节 02-15..02-23 off, 02-14 (Sat) and 02-28
 * (Sat) worked. Days count from the day after triage (期限从次日起算), and
 * the deadline is the end (24:00 = next day 00:00) of the n-th working day. */
static const deadline_row deadline_rows[] = {
    /* A. Mon 2025-01-27, the last working day before the Spring Festival.
     *    Working days after it: 02-05, 02-06, 02-07, 02-08 (Sat, 调休), 02-10. */
    { "request", "simple", NULL, DEPT, "2025-01-27T10:00:00+08:00", "simple",
      "2025-02-06T00:00:00+08:00" },                    /* 1st: 02-05 */
    { "request", "single", NULL, DEPT, "2025-01-27T10:00:00+08:00", "single",
      "2025-02-08T00:00:00+08:00" },                    /* 3rd: 02-07 */
    { "request", "whistle", NULL, STREET, "2025-01-27T10:00:00+08:00", "whistle",
      "2025-02-11T00:00:00+08:00" },                    /* 5th: 02-10, via Sat 02-08 */
    { "fallback", "fallback", "1", WINDOW, "2025-01-27T10:00:00+08:00", "onsite",
      "2025-02-06T00:00:00+08:00" },                    /* 现场办, 1st: 02-05 */
    { "fallback", "fallback", "3", WINDOW, "2025-01-27T10:00:00+08:00", "director",
      "2025-02-08T00:00:00+08:00" },                    /* 局长办, 3rd: 02-07 */
    { "fallback", "fallback", "5", STREET, "2025-01-27T10:00:00+08:00", "deliberation",
      "2025-02-11T00:00:00+08:00" },                    /* 研讨办, 5th: 02-10 */
    /* B. Fri 2025-01-24 16:00; Sun 01-26 is a make-up working day.
     *    Working days after it: 01-26, 01-27, 02-05, 02-06, 02-07. */
    { "request", "simple", NULL, DEPT, "2025-01-24T16:00:00+08:00", "simple",
      "2025-01-27T00:00:00+08:00" },                    /* 1st: Sun 01-26 */
    { "request", "single", NULL, DEPT, "2025-01-24T16:00:00+08:00", "single",
      "2025-02-06T00:00:00+08:00" },                    /* 3rd: 02-05 */
    { "request", "whistle", NULL, STREET, "2025-01-24T16:00:00+08:00", "whistle",
      "2025-02-08T00:00:00+08:00" },                    /* 5th: 02-07 */
    { "fallback", "fallback", "1", WINDOW, "2025-01-24T16:00:00+08:00", "onsite",
      "2025-01-27T00:00:00+08:00" },
    { "fallback", "fallback", "3", WINDOW, "2025-01-24T16:00:00+08:00", "director",
      "2025-02-06T00:00:00+08:00" },
    { "fallback", "fallback", "5", WINDOW, "2025-01-24T16:00:00+08:00", "deliberation",
      "2025-02-08T00:00:00+08:00" },
    /* C. Tue 2025-09-30, the eve of National Day.
     *    Working days after it: 10-09, 10-10, 10-11 (Sat, 调休), 10-13, 10-14. */
    { "request", "simple", NULL, DEPT, "2025-09-30T09:00:00+08:00", "simple",
      "2025-10-10T00:00:00+08:00" },                    /* 1st: 10-09 */
    { "request", "single", NULL, DEPT, "2025-09-30T09:00:00+08:00", "single",
      "2025-10-12T00:00:00+08:00" },                    /* 3rd: Sat 10-11 */
    { "request", "whistle", NULL, STREET, "2025-09-30T09:00:00+08:00", "whistle",
      "2025-10-15T00:00:00+08:00" },                    /* 5th: 10-14 */
    { "fallback", "fallback", "1", WINDOW, "2025-09-30T09:00:00+08:00", "onsite",
      "2025-10-10T00:00:00+08:00" },
    { "fallback", "fallback", "3", WINDOW, "2025-09-30T09:00:00+08:00", "director",
      "2025-10-12T00:00:00+08:00" },
    { "fallback", "fallback", "5", WINDOW, "2025-09-30T09:00:00+08:00", "deliberation",
      "2025-10-15T00:00:00+08:00" },
    /* D. Fri 2026-02-13, before the 2026 Spring Festival; Sat 02-14 is worked.
     *    Working days after it: 02-14, 02-24, 02-25, 02-26, 02-27. */
    { "request", "simple", NULL, DEPT, "2026-02-13T11:00:00+08:00", "simple",
      "2026-02-15T00:00:00+08:00" },                    /* 1st: Sat 02-14 */
    { "request", "single", NULL, DEPT, "2026-02-13T11:00:00+08:00", "single",
      "2026-02-26T00:00:00+08:00" },                    /* 3rd: 02-25 */
    { "request", "whistle", NULL, STREET, "2026-02-13T11:00:00+08:00", "whistle",
      "2026-02-28T00:00:00+08:00" },                    /* 5th: 02-27 */
    { "fallback", "fallback", "1", WINDOW, "2026-02-13T11:00:00+08:00", "onsite",
      "2026-02-15T00:00:00+08:00" },
    { "fallback", "fallback", "3", WINDOW, "2026-02-13T11:00:00+08:00", "director",
      "2026-02-26T00:00:00+08:00" },
    { "fallback", "fallback", "5", WINDOW, "2026-02-13T11:00:00+08:00", "deliberation",
      "2026-02-28T00:00:00+08:00" },
    /* E. Fri 2025-09-26 17:30, late; Sun 09-28 is worked.
     *    Working days after it: 09-28, 09-29, 09-30, 10-09, 10-10. */
    { "request", "simple", NULL, DEPT, "2025-09-26T17:30:00+08:00", "simple",
      "2025-09-29T00:00:00+08:00" },                    /* 1st: Sun 09-28 */
    { "request", "single", NULL, DEPT, "2025-09-26T17:30:00+08:00", "single",
      "2025-10-01T00:00:00+08:00" },                    /* 3rd: 09-30 */
    { "request", "whistle", NULL, STREET, "2025-09-26T17:30:00+08:00", "whistle",
      "2025-10-11T00:00:00+08:00" },                    /* 5th: 10-10, over 国庆 */
};

static void test_deadline_of_every_kind_follows_holidays_and_make_up_days(void **state)
{
    suite *s = *state;
    for (size_t i = 0; i < sizeof deadline_rows / sizeof deadline_rows[0]; i++) {
        const deadline_row *row = &deadline_rows[i];
        const char *args[16];
        char no[32];
        json_t *c;
        int n = 0;

        submit(s, row->type, NULL, no);
        args[n++] = "case";
        args[n++] = "triage";
        args[n++] = no;
        args[n++] = "--kind";
        args[n++] = row->kind;
        if (row->level) {
            args[n++] = "--level";
            args[n++] = row->level;
        }
        args[n++] = "--lead";
        args[n++] = row->lead;
        args[n] = NULL;
        ctl_ok(s, row->at, args);
        c = show(s, no);
        if (strcmp(js(c, "deadline"), row->want_deadline) != 0 ||
            strcmp(js(c, "kind"), row->want_kind) != 0)
            fail_msg("row %zu (%s %s at %s): kind %s deadline %s, want %s %s", i, row->kind,
                     row->level ? row->level : "", row->at, js(c, "kind"), js(c, "deadline"),
                     row->want_kind, row->want_deadline);
        assert_string_equal(js(c, "status"), "in_progress");
        assert_string_equal(lead_of(c), row->lead);
        json_decref(c);
    }
}

static void test_triage_refuses_a_kind_that_does_not_fit(void **state)
{
    suite *s = *state;
    char no[32], fb[32], *out = NULL;

    submit(s, "request", NULL, no);
    submit(s, "fallback", NULL, fb);
    {   /* a whistle case is led by a platform or street */
        const char *args[] = { "case", "triage", no, "--kind", "whistle", "--lead", DEPT, NULL };
        assert_int_equal(ctl_at(s, "2025-03-03T09:00:00+08:00", NULL, args), 1);
    }
    {   /* a 诉求 is not a 3135 case, a 兜底 request is */
        const char *args[] = { "case", "triage", no, "--kind", "fallback", "--level", "3",
                               "--lead", WINDOW, NULL };
        const char *args2[] = { "case", "triage", fb, "--kind", "single", "--lead", DEPT, NULL };
        assert_int_equal(ctl_at(s, "2025-03-03T09:00:00+08:00", NULL, args), 1);
        assert_int_equal(ctl_at(s, "2025-03-03T09:00:00+08:00", NULL, args2), 1);
    }
    {   /* a fallback kind needs its level; an unknown unit is refused */
        const char *args[] = { "case", "triage", fb, "--kind", "fallback", "--lead", WINDOW,
                               NULL };
        const char *args2[] = { "case", "triage", no, "--kind", "single", "--lead", "不存在的局",
                                NULL };
        assert_int_equal(ctl_at(s, "2025-03-03T09:00:00+08:00", NULL, args), 1);
        assert_int_equal(ctl_at(s, "2025-03-03T09:00:00+08:00", NULL, args2), 1);
    }
    {   /* units by name and alias are stored as ids; co-units 0-10 */
        const char *args[] = { "case", "triage", no, "--kind", "single", "--lead",
                               "区市场监督管理局", "--co", "区住建局", "unit-044",
                               "--platform", "下沙街道", NULL };
        json_t *c;
        assert_int_equal(ctl_at(s, "2025-03-03T09:00:00+08:00", &out, args), 0);
        free(out);
        c = show(s, no);
        assert_string_equal(lead_of(c), "unit-018");
        assert_true(has_co(c, "unit-023"));
        assert_true(has_co(c, "unit-044"));
        assert_string_equal(js(json_object_get(c, "platform"), "id"), "unit-086");
        json_decref(c);
    }
    {   /* triage happens once */
        const char *args[] = { "case", "triage", no, "--kind", "simple", "--lead", DEPT, NULL };
        assert_int_equal(ctl_at(s, "2025-03-04T09:00:00+08:00", NULL, args), 1);
    }
}

/* ---- the automatic whistle ----------------------------------------------- */

static void test_single_moved_to_a_second_department_becomes_whistle_led_by_the_street(
    void **state)
{
    suite *s = *state;
    char no[32];
    json_t *c, *units, *u;
    size_t i;
    bool old_closed = false, street_open = false;

    submit(s, "request", NULL, no);
    {
        const char *args[] = { "case", "triage", no, "--kind", "single", "--lead", DEPT, "--co",
                               "unit-044", "--platform", STREET, NULL };
        ctl_ok(s, "2025-01-24T16:00:00+08:00", args);
    }
    c = show(s, no);
    assert_string_equal(js(c, "deadline"), "2025-02-06T00:00:00+08:00");
    json_decref(c);
    {   /* the second department: 区住建局 */
        const char *args[] = { "case", "transfer", no, "--lead", "unit-023", NULL };
        ctl_ok(s, "2025-01-27T10:00:00+08:00", args);
    }
    c = show(s, no);
    assert_string_equal(js(c, "kind"), "whistle");
    assert_true(json_is_true(json_object_get(c, "auto_whistle")));
    assert_string_equal(lead_of(c), STREET);
    assert_true(has_co(c, "unit-023")); /* the moved-to department co-handles */
    assert_true(has_co(c, "unit-044"));
    /* five working days from the transfer: 02-05, 02-06, 02-07, 02-08 (Sat), 02-10 */
    assert_string_equal(js(c, "deadline"), "2025-02-11T00:00:00+08:00");
    units = json_object_get(c, "units");
    json_array_foreach(units, i, u) {
        if (strcmp(js(u, "id"), DEPT) == 0 && strcmp(js(u, "role"), "lead") == 0)
            old_closed = strcmp(js(u, "until"), "2025-01-27T10:00:00+08:00") == 0;
        if (strcmp(js(u, "id"), STREET) == 0 && strcmp(js(u, "role"), "lead") == 0)
            street_open = json_is_null(json_object_get(u, "until"));
    }
    assert_true(old_closed);
    assert_true(street_open);
    json_decref(c);
    {   /* a whistle case passes only to another platform or street */
        const char *args[] = { "case", "transfer", no, "--lead", "unit-023", NULL };
        assert_int_equal(ctl_at(s, "2025-01-27T11:00:00+08:00", NULL, args), 1);
    }
    {   /* a single case with no platform on record cannot be moved */
        char other[32];
        const char *tri[] = { "case", "triage", other, "--kind", "single", "--lead", DEPT, NULL };
        const char *mv[] = { "case", "transfer", other, "--lead", "unit-023", NULL };
        submit(s, "request", NULL, other);
        ctl_ok(s, "2025-01-24T16:00:00+08:00", tri);
        assert_int_equal(ctl_at(s, "2025-01-27T10:00:00+08:00", NULL, mv), 1);
    }
}

/* ---- escalation ---------------------------------------------------------- */

static void test_task_force_reassigns_an_escalation_to_a_named_lead(void **state)
{
    suite *s = *state;
    char no[32], path[128], body[512];
    harness_response r;
    json_t *c, *esc, *audit, *a;
    size_t i;

    submit(s, "request", NULL, no);
    {
        const char *args[] = { "case", "triage", no, "--kind", "single", "--lead", DEPT,
                               "--platform", STREET, NULL };
        ctl_ok(s, "2025-03-03T09:00:00+08:00", args);
    }
    /* the lead's department files the form over HTTP (its head signs) */
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/escalate", no);
    snprintf(body, sizeof body,
             "{\"request\":\"change_lead\",\"prior_coordination\":\"3月3日召开专题协调会，"
             "涉及住建审批，本部门无权限。\",\"opinion\":\"申请更换主办部门\","
             "\"signer\":\"市监局张局长\"}");
    assert_int_equal(status_of(s, "POST", path, s->dept023, body), 403); /* not its case */
    r = harness_request(&s->h, "POST", path, s->dept018, body, NULL);
    if (r.status != 200)
        fail_msg("escalate: %ld %s", r.status, r.body);
    harness_response_free(&r);
    assert_int_equal(status_of(s, "POST", path, s->dept018, body), 409); /* one at a time */
    c = show(s, no);
    assert_string_equal(js(c, "level"), "task_force");
    json_decref(c);
    {   /* a department may not decide; the task force names no lead → refused */
        const char *dept[] = { "case", "decide", no, "--decision", "reassign", "--lead",
                               "unit-023", "--opinion", "x", "--as", "d018", NULL };
        const char *nolead[] = { "case", "decide", no, "--decision", "reassign", "--opinion",
                                 "不符合提级条件", "--as", "tf01", NULL };
        const char *wrong[] = { "case", "decide", no, "--decision", "escalate", "--opinion",
                                "x", "--at-level", "principal", "--as", "tf01", NULL };
        assert_int_equal(ctl_at(s, "2025-03-05T10:00:00+08:00", NULL, dept), 1);
        assert_int_equal(ctl_at(s, "2025-03-05T10:00:00+08:00", NULL, nolead), 1);
        assert_int_equal(ctl_at(s, "2025-03-05T10:00:00+08:00", NULL, wrong), 1);
    }
    {   /* 不符合提级条件：重新交办，指定主办部门 (requests must not idle) */
        const char *args[] = { "case", "decide", no, "--decision", "reassign", "--lead",
                               "区住建局", "--co", "unit-018", "--opinion",
                               "不符合提级条件，由区住建局主办，区市场监管局协办。", "--at-level",
                               "task_force", "--as", "tf01", NULL };
        ctl_ok(s, "2025-03-05T10:00:00+08:00", args);
    }
    c = show(s, no);
    assert_string_equal(lead_of(c), "unit-023");
    assert_string_equal(js(c, "level"), "unit");
    assert_string_equal(js(c, "kind"), "single");
    assert_true(has_co(c, "unit-018"));
    /* a fresh time limit from the decision: 03-06, 03-07, 03-10 */
    assert_string_equal(js(c, "deadline"), "2025-03-11T00:00:00+08:00");
    esc = json_array_get(json_object_get(c, "escalations"), 0);
    assert_string_equal(js(esc, "level"), "task_force");
    assert_string_equal(js(esc, "decision"), "reassign");
    assert_string_equal(js(esc, "signer"), "专班周组长"); /* the staff member's name */
    assert_string_equal(js(esc, "decided_at"), "2025-03-05T10:00:00+08:00");
    assert_string_equal(js(esc, "opinion"), "不符合提级条件，由区住建局主办，区市场监管局协办。");
    assert_string_equal(js(json_object_get(esc, "form"), "request"), "change_lead");
    assert_string_equal(js(json_object_get(esc, "form"), "signer"), "市监局张局长");
    /* the audit trail: every action with the state before and after */
    audit = json_object_get(c, "audit");
    {
        static const char *const want[] = { "case.submit", "case.triage", "case.escalate",
                                            "case.decide" };
        assert_int_equal(json_array_size(audit), 4);
        json_array_foreach(audit, i, a) {
            assert_string_equal(js(a, "action"), want[i]);
            assert_true(json_is_object(json_object_get(a, "after")));
            assert_true(i == 0 ? json_is_null(json_object_get(a, "before"))
                               : json_is_object(json_object_get(a, "before")));
        }
        a = json_array_get(audit, 2);
        assert_string_equal(js(a, "actor"), "staff:d018");
        assert_string_equal(js(json_object_get(a, "before"), "level"), "unit");
        assert_string_equal(js(json_object_get(a, "after"), "level"), "task_force");
        a = json_array_get(audit, 3);
        assert_string_equal(js(a, "actor"), "staff:tf01");
        assert_string_equal(js(json_object_get(a, "before"), "lead_unit"), DEPT);
        assert_string_equal(js(json_object_get(a, "after"), "lead_unit"), "unit-023");
        assert_string_equal(js(json_object_get(a, "after"), "level"), "unit");
    }
    json_decref(c);

    /* the form, printable: each level's opinion, signer and date */
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/escalation-form", no);
    r = harness_request(&s->h, "GET", path, s->op_token, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "text/plain; charset=utf-8"));
    assert_non_null(strstr(r.body, "企业问题提级协调审批表"));
    assert_non_null(strstr(r.body, "企业名称：杭州钱塘示例生物科技有限公司"));
    assert_non_null(strstr(r.body, "主办部门意见：申请更换主办部门协调"));
    assert_non_null(strstr(r.body, "主办部门主要领导签字：市监局张局长"));
    assert_non_null(strstr(r.body, "专班意见：重新交办，主办单位：区住建局"));
    assert_non_null(strstr(r.body, "专班领导签字：专班周组长"));
    assert_non_null(strstr(r.body, "日期：2025年03月05日"));
    assert_non_null(strstr(r.body, "分管区领导签字：________________"));
    assert_non_null(strstr(r.body, "书记/区长签字：________________"));
    harness_response_free(&r);
    /* the new lead may file again later; the old one may no longer act */
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/done", no);
    assert_int_equal(status_of(s, "POST", path, s->dept018, NULL), 403);
}

static void test_escalation_climbs_to_the_principal_and_no_further(void **state)
{
    suite *s = *state;
    char no[32], *out = NULL;
    json_t *c;

    submit(s, "request", NULL, no);
    {
        const char *tri[] = { "case", "triage", no, "--kind", "whistle", "--lead", STREET, "--co",
                              DEPT, "unit-023", NULL };
        const char *file[] = { "case", "escalate", no, "--request", "escalate", "--prior",
                               "街道两次召开协调会，仍不能解决。", "--signer", "街道孙主任", NULL };
        const char *tf[] = { "case", "decide", no, "--decision", "escalate", "--opinion",
                             "提交分管区领导周例会。", "--as", "tf01", NULL };
        const char *ld[] = { "case", "decide", no, "--decision", "escalate", "--opinion",
                             "涉及主办部门变更，报区主要领导。", "--as", "ld01", NULL };
        ctl_ok(s, "2025-04-07T09:00:00+08:00", tri);
        ctl_ok(s, "2025-04-14T09:00:00+08:00", file);
        {   /* the task force's step is not a leader's */
            const char *early[] = { "case", "decide", no, "--decision", "escalate", "--opinion",
                                    "x", "--as", "ld01", NULL };
            assert_int_equal(ctl_at(s, "2025-04-15T09:00:00+08:00", NULL, early), 1);
        }
        ctl_ok(s, "2025-04-16T09:00:00+08:00", tf);
        c = show(s, no);
        assert_string_equal(js(c, "level"), "district_leader");
        json_decref(c);
        ctl_ok(s, "2025-04-21T09:00:00+08:00", ld);
    }
    c = show(s, no);
    assert_string_equal(js(c, "level"), "principal");
    assert_int_equal(json_array_size(json_object_get(c, "escalations")), 3);
    json_decref(c);
    {   /* the top of the ladder: the rules refuse another step */
        const char *top[] = { "case", "decide", no, "--decision", "escalate", "--opinion",
                              "再提级", "--signer", "区长", NULL };
        assert_int_equal(ctl_at(s, "2025-04-28T09:00:00+08:00", &out, top), 1);
        free(out);
    }
    c = show(s, no);
    assert_string_equal(js(c, "level"), "principal");
    json_decref(c);
    {   /* the principal assigns a lead; the case goes on at unit level */
        const char *assign[] = { "case", "decide", no, "--decision", "assign", "--kind", "single",
                                 "--lead", "unit-023", "--opinion", "由区住建局牵头办理。",
                                 "--signer", "区长", NULL };
        ctl_ok(s, "2025-04-28T09:00:00+08:00", assign);
    }
    c = show(s, no);
    assert_string_equal(js(c, "level"), "unit");
    assert_string_equal(lead_of(c), "unit-023");
    assert_string_equal(js(c, "kind"), "single");
    json_decref(c);
    {
        const char *form[] = { "case", "form", no, NULL };
        assert_int_equal(ctl_at(s, START_NOW, &out, form), 0);
        assert_non_null(strstr(out, "专班意见：同意提级协调"));
        assert_non_null(strstr(out, "分管区领导签字：吴副区长"));
        assert_non_null(strstr(out, "书记/区长签字：区长"));
        assert_non_null(strstr(out, "日期：2025年04月28日"));
        free(out);
    }
}

/* ---- closure and reopening ----------------------------------------------- */

static void test_unresolved_reopens_with_a_new_deadline_and_resolved_closes(void **state)
{
    suite *s = *state;
    char no[32];
    json_t *c, *ratings, *rt;
    size_t i;
    int case_ratings = 0;

    submit(s, "request", NULL, no);
    {
        const char *tri[] = { "case", "triage", no, "--kind", "simple", "--lead", DEPT, NULL };
        const char *early[] = { "case", "feedback", no, "--resolved", "yes", "--rating", "5",
                                NULL };
        const char *done[] = { "case", "done", no, "--note", "已电话告知所需材料。", NULL };
        const char *no_fb[] = { "case", "feedback", no, "--resolved", "no", "--rating", "2",
                                "--comment", "材料清单不完整", NULL };
        ctl_ok(s, "2025-09-30T09:00:00+08:00", tri);
        assert_int_equal(ctl_at(s, "2025-10-09T09:00:00+08:00", NULL, early), 1); /* not done */
        ctl_ok(s, "2025-10-09T10:00:00+08:00", done);
        ctl_ok(s, "2025-10-09T15:00:00+08:00", no_fb);
    }
    c = show(s, no);
    assert_string_equal(js(c, "status"), "in_progress");
    assert_int_equal(json_integer_value(json_object_get(c, "reopen_count")), 1);
    /* one working day from the reopen: Fri 10-10 */
    assert_string_equal(js(c, "deadline"), "2025-10-11T00:00:00+08:00");
    json_decref(c);
    {
        const char *done[] = { "case", "done", no, NULL };
        const char *yes[] = { "case", "feedback", no, "--resolved", "yes", "--rating", "5",
                              NULL };
        ctl_ok(s, "2025-10-10T10:00:00+08:00", done);
        ctl_ok(s, "2025-10-10T16:00:00+08:00", yes);
    }
    c = show(s, no);
    assert_string_equal(js(c, "status"), "closed");
    assert_string_equal(js(json_object_get(c, "state"), "status"), "closed");
    assert_int_equal(json_integer_value(json_object_get(c, "reopen_count")), 1);
    assert_string_equal(js(c, "rating"), "very_satisfied");
    ratings = json_object_get(c, "ratings");
    json_array_foreach(ratings, i, rt) {
        if (strcmp(js(rt, "kind"), "case") == 0) {
            case_ratings++;
            assert_int_equal(json_integer_value(json_object_get(rt, "score")), 5);
            assert_string_equal(js(rt, "subject"), DEPT);
        }
    }
    assert_int_equal(case_ratings, 1); /* the latest answer; each round is in the timeline */
    json_decref(c);
    {   /* closed takes nothing more */
        const char *again[] = { "case", "reply", no, "--text", "补充说明", NULL };
        assert_int_equal(ctl_at(s, "2025-10-13T09:00:00+08:00", NULL, again), 1);
    }
}

/* ---- permissions and ratings over HTTP ----------------------------------- */

static void test_staff_endpoints_check_role_and_unit(void **state)
{
    suite *s = *state;
    char no[32], path[160], other[32];
    harness_response r;
    json_t *j;

    submit(s, "request", "h-001", no);
    {
        const char *tri[] = { "case", "triage", no, "--kind", "single", "--lead", DEPT, "--co",
                              "unit-044", "--platform", STREET, NULL };
        ctl_ok(s, "2025-05-06T09:00:00+08:00", tri);
    }
    /* a kiosk token is not staff */
    assert_int_equal(status_of(s, "GET", "/api/v1/staff/cases", s->device_token, NULL), 403);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s", no);
    assert_int_equal(status_of(s, "GET", path, s->device_token, NULL), 403);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/reply", no);
    assert_int_equal(status_of(s, "POST", path, s->device_token, "{\"text\":\"x\"}"), 403);

    /* another unit's handler may neither reply nor finish */
    r = harness_request(&s->h, "POST", path, s->dept023, "{\"text\":\"我局已知悉\"}", NULL);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "not led by your unit"));
    harness_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/done", no);
    assert_int_equal(status_of(s, "POST", path, s->dept023, NULL), 403);
    /* the co-unit may reply, not finish */
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/reply", no);
    assert_int_equal(status_of(s, "POST", path, s->dept044, "{\"text\":\"协办意见已反馈\"}"), 200);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/done", no);
    assert_int_equal(status_of(s, "POST", path, s->dept044, NULL), 403);
    /* a triager of the street may see it; the lead replies and finishes */
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s", no);
    assert_int_equal(status_of(s, "GET", path, s->triage086, NULL), 200);
    assert_int_equal(status_of(s, "GET", path, s->dept023, NULL), 403);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/reply", no);
    assert_int_equal(status_of(s, "POST", path, s->dept018, "{\"text\":\"已受理，正在核查。\"}"),
                     200);
    /* bad fields are named; unknown cases are 404; illegal steps 409 */
    r = harness_request(&s->h, "POST", path, s->dept018, "{\"txt\":\"x\"}", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"field\":\"txt\""));
    harness_response_free(&r);
    assert_int_equal(status_of(s, "POST", "/api/v1/staff/cases/QT20990101-0001/reply",
                               s->op_token, "{\"text\":\"x\"}"),
                     404);
    submit(s, "request", NULL, other);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/done", other);
    r = harness_request(&s->h, "POST", path, s->op_token, NULL, NULL);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "not allowed in state 'submitted'"));
    harness_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/triage", other);
    r = harness_request(&s->h, "POST", path, s->op_token,
                        "{\"kind\":\"single\",\"lead\":\"unit-018\",\"co\":[\"unit-018\"]}", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"field\":\"co\""));
    harness_response_free(&r);

    /* listing is filtered by unit */
    r = harness_request(&s->h, "GET", "/api/v1/staff/cases?unit=unit-018&limit=500", s->dept023,
                        NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, no));
    harness_response_free(&r);
    r = harness_request(&s->h, "GET", "/api/v1/staff/cases?limit=500", s->dept018, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, no));
    harness_response_free(&r);

    /* 办结 by the lead; then ratings */
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/done", no);
    assert_int_equal(status_of(s, "POST", path, s->dept018, "{\"note\":\"已办结\"}"), 200);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s/rate", no);
    assert_int_equal(status_of(s, "POST", path, s->helper2, "{\"kind\":\"lead\",\"score\":3}"),
                     403); /* not this case's helper */
    assert_int_equal(status_of(s, "POST", path, s->helper1, "{\"kind\":\"lead\",\"score\":4}"),
                     200);
    assert_int_equal(status_of(s, "POST", path, s->device_token,
                               "{\"kind\":\"helper\",\"score\":5,\"phone4\":\"0000\"}"),
                     404);
    assert_int_equal(status_of(s, "POST", path, s->device_token,
                               "{\"kind\":\"helper\",\"score\":5,\"phone4\":\"5678\"}"),
                     200);
    assert_int_equal(status_of(s, "POST", path, s->device_token,
                               "{\"kind\":\"lead\",\"score\":5,\"phone4\":\"5678\"}"),
                     403);
    assert_int_equal(status_of(s, "POST", path, s->helper1, "{\"kind\":\"lead\",\"score\":9}"),
                     400);
    /* the submitter's feedback through the kiosk records a ratings row */
    snprintf(path, sizeof path, "/api/v1/cases/%s/feedback", no);
    assert_int_equal(status_of(s, "POST", path, s->device_token,
                               "{\"phone4\":\"5678\",\"resolved\":true,\"rating\":\"satisfied\"}"),
                     200);
    snprintf(path, sizeof path, "/api/v1/staff/cases/%s", no);
    r = harness_request(&s->h, "GET", path, s->op_token, NULL, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(js(j, "status"), "closed");
    {
        json_t *rt;
        size_t i;
        int seen = 0;
        json_array_foreach(json_object_get(j, "ratings"), i, rt) {
            const char *kind = js(rt, "kind");
            int score = (int)json_integer_value(json_object_get(rt, "score"));
            if (strcmp(kind, "lead") == 0 && score == 4 && strcmp(js(rt, "subject"), DEPT) == 0)
                seen |= 1;
            if (strcmp(kind, "helper") == 0 && score == 5 &&
                strcmp(js(rt, "subject"), "h-001") == 0)
                seen |= 2;
            if (strcmp(kind, "case") == 0 && score == 4)
                seen |= 4;
        }
        assert_int_equal(seen, 7);
    }
    json_decref(j);
    harness_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadline_of_every_kind_follows_holidays_and_make_up_days),
        cmocka_unit_test(test_triage_refuses_a_kind_that_does_not_fit),
        cmocka_unit_test(test_single_moved_to_a_second_department_becomes_whistle_led_by_the_street),
        cmocka_unit_test(test_task_force_reassigns_an_escalation_to_a_named_lead),
        cmocka_unit_test(test_escalation_climbs_to_the_principal_and_no_further),
        cmocka_unit_test(test_unresolved_reopens_with_a_new_deadline_and_resolved_closes),
        cmocka_unit_test(test_staff_endpoints_check_role_and_unit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
