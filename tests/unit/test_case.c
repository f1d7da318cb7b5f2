/* test_case.c — the case rules (qf_case.c): deadlines and 督办 instants of
 * every kind around real holidays, the transition table, auto-whistle, the
 * escalation ladder, closure, reopening and withdrawal.
 *
 * The calendar is a fixture written here, not the shipped config: two temp INI
 * files with the State Council's real 2024 and 2025 schedules, so the
 * expected instants below stay true whatever happens to config/holidays.
 * Does not test the calendar itself (test_calendar.c does). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qf_calendar.h"
#include "qf_case.h"
#include "qf_clock.h"

/* 国办发明电〔2024〕12号 (2025) and 国办发明电〔2023〕7号 (2024). */
static const char qf_test_2025_ini[] =
    "[notice]\n"
    "year = 2025\n"
    "title = 国务院办公厅关于2025年部分节假日安排的通知\n"
    "published = 2024-11-12\n"
    "source = 国办发明电〔2024〕12号\n"
    "[holidays]\n"
    "2025-01-01 = 元旦\n"
    "2025-01-28 = 春节\n"
    "2025-01-29 = 春节\n"
    "2025-01-30 = 春节\n"
    "2025-01-31 = 春节\n"
    "2025-02-01 = 春节\n"
    "2025-02-02 = 春节\n"
    "2025-02-03 = 春节\n"
    "2025-02-04 = 春节\n"
    "2025-04-04 = 清明节\n"
    "2025-04-05 = 清明节\n"
    "2025-04-06 = 清明节\n"
    "2025-05-01 = 劳动节\n"
    "2025-05-02 = 劳动节\n"
    "2025-05-03 = 劳动节\n"
    "2025-05-04 = 劳动节\n"
    "2025-05-05 = 劳动节\n"
    "2025-05-31 = 端午节\n"
    "2025-06-01 = 端午节\n"
    "2025-06-02 = 端午节\n"
    "2025-10-01 = 国庆节、中秋节\n"
    "2025-10-02 = 国庆节、中秋节\n"
    "2025-10-03 = 国庆节、中秋节\n"
    "2025-10-04 = 国庆节、中秋节\n"
    "2025-10-05 = 国庆节、中秋节\n"
    "2025-10-06 = 国庆节、中秋节\n"
    "2025-10-07 = 国庆节、中秋节\n"
    "2025-10-08 = 国庆节、中秋节\n"
    "[workdays]\n"
    "2025-01-26 = 春节调休上班\n"
    "2025-02-08 = 春节调休上班\n"
    "2025-04-27 = 劳动节调休上班\n"
    "2025-09-28 = 国庆节调休上班\n"
    "2025-10-11 = 国庆节调休上班\n";

static const char qf_test_2024_ini[] =
    "[notice]\n"
    "year = 2024\n"
    "title = 国务院办公厅关于2024年部分节假日安排的通知\n"
    "published = 2023-10-25\n"
    "source = 国办发明电〔2023〕7号\n"
    "[holidays]\n"
    "2024-01-01 = 元旦\n"
    "2024-02-10 = 春节\n"
    "2024-02-11 = 春节\n"
    "2024-02-12 = 春节\n"
    "2024-02-13 = 春节\n"
    "2024-02-14 = 春节\n"
    "2024-02-15 = 春节\n"
    "2024-02-16 = 春节\n"
    "2024-02-17 = 春节\n"
    "2024-04-04 = 清明节\n"
    "2024-04-05 = 清明节\n"
    "2024-04-06 = 清明节\n"
    "2024-05-01 = 劳动节\n"
    "2024-05-02 = 劳动节\n"
    "2024-05-03 = 劳动节\n"
    "2024-05-04 = 劳动节\n"
    "2024-05-05 = 劳动节\n"
    "2024-06-10 = 端午节\n"
    "2024-09-15 = 中秋节\n"
    "2024-09-16 = 中秋节\n"
    "2024-09-17 = 中秋节\n"
    "2024-10-01 = 国庆节\n"
    "2024-10-02 = 国庆节\n"
    "2024-10-03 = 国庆节\n"
    "2024-10-04 = 国庆节\n"
    "2024-10-05 = 国庆节\n"
    "2024-10-06 = 国庆节\n"
    "2024-10-07 = 国庆节\n"
    "[workdays]\n"
    "2024-02-04 = 春节调休上班\n"
    "2024-02-18 = 春节调休上班\n"
    "2024-04-07 = 清明节调休上班\n"
    "2024-04-28 = 劳动节调休上班\n"
    "2024-05-11 = 劳动节调休上班\n"
    "2024-09-14 = 中秋节调休上班\n"
    "2024-09-29 = 国庆节调休上班\n"
    "2024-10-12 = 国庆节调休上班\n";

static qf_calendar *g_cal;

static int load_temp_ini(const char *text)
{
    char path[] = "/tmp/qifu-test-case-XXXXXX";
    char err[256] = "";
    size_t len = strlen(text);
    int fd = mkstemp(path);
    qf_err rc;

    if (fd < 0)
        return -1;
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        unlink(path);
        return -1;
    }
    close(fd);
    rc = qf_calendar_load_file(g_cal, path, err, sizeof err);
    unlink(path);
    if (rc != QF_OK)
        fprintf(stderr, "fixture calendar: %s\n", err);
    return rc == QF_OK ? 0 : -1;
}

static int group_setup(void **state)
{
    (void)state;
    if (qf_calendar_new(&g_cal) != QF_OK)
        return -1;
    if (load_temp_ini(qf_test_2024_ini) != 0 || load_temp_ini(qf_test_2025_ini) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    qf_calendar_free(g_cal);
    g_cal = NULL;
    return 0;
}

/* --- helpers ---------------------------------------------------------------- */

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static qf_instant T(const char *iso)
{
    qf_instant t = 0;
    char err[128] = "";
    if (qf_clock_parse_iso8601(iso, &t, err, sizeof err) != QF_OK)
        fail_msg("bad timestamp in test: %s (%s)", iso, err);
    return t;
}

static void assert_instant(qf_instant got, const char *want_iso)
{
    char got_s[32], want_s[32];
    qf_instant want = T(want_iso);
    if (got != want) {
        qf_clock_format_iso8601(got, got_s, sizeof got_s);
        qf_clock_format_iso8601(want, want_s, sizeof want_s);
        fail_msg("instant %s, expected %s", got_s, want_s);
    }
}

static qf_case_event ev_triage(const char *at, qf_case_kind kind, const char *unit,
                               bool is_platform)
{
    qf_case_event ev = { .type = QF_CASE_EV_TRIAGE, .at = T(at), .kind = kind,
                         .unit_is_platform = is_platform };
    snprintf(ev.unit, sizeof ev.unit, "%s", unit);
    return ev;
}

static qf_case_event ev_transfer(const char *at, const char *unit, bool is_platform,
                                 const char *platform)
{
    qf_case_event ev = { .type = QF_CASE_EV_TRANSFER, .at = T(at),
                         .unit_is_platform = is_platform };
    snprintf(ev.unit, sizeof ev.unit, "%s", unit);
    snprintf(ev.platform, sizeof ev.platform, "%s", platform);
    return ev;
}

static qf_case_event ev_reassign(const char *at, const char *unit, bool is_platform,
                                 qf_case_kind kind)
{
    qf_case_event ev = { .type = QF_CASE_EV_REASSIGN, .at = T(at), .kind = kind,
                         .unit_is_platform = is_platform };
    snprintf(ev.unit, sizeof ev.unit, "%s", unit);
    snprintf(ev.platform, sizeof ev.platform, "%s", "street-xiasha");
    return ev;
}

static qf_case_event ev_plain(qf_case_event_type type, const char *at)
{
    qf_case_event ev = { .type = type, .at = T(at) };
    return ev;
}

/* Applies and asserts success; returns the new state. */
static qf_case_state apply_ok(const qf_case_state *in, const qf_case_event *ev)
{
    qf_case_state out;
    char err[256] = "";
    qf_err rc = qf_case_apply(in, ev, g_cal, &out, err, sizeof err);
    if (rc != QF_OK)
        fail_msg("apply '%s' in '%s' failed: %s", qf_case_event_name(ev->type),
                 qf_case_status_name(in->status), err);
    return out;
}

/* Applies expecting `want`; asserts *out was left untouched. */
static void apply_fails(const qf_case_state *in, const qf_case_event *ev, qf_err want,
                        char *err, size_t errlen)
{
    qf_case_state out, before;
    memset(&out, 0xA5, sizeof out);
    before = out;
    assert_int_equal(qf_case_apply(in, ev, g_cal, &out, err, errlen), want);
    assert_memory_equal(&out, &before, sizeof out);
}

static qf_case_state new_case(const char *at)
{
    qf_case_state st;
    assert_int_equal(qf_case_state_init(&st, QF_CASE_CH_KIOSK, T(at), NULL, 0), QF_OK);
    return st;
}

/* A single-department case triaged at 2025-09-26T09:00 by dept "scjgj". */
static qf_case_state single_case(void)
{
    qf_case_state st = new_case("2025-09-26T08:30:00+08:00");
    qf_case_event ev = ev_triage("2025-09-26T09:00:00+08:00", QF_CASE_KIND_SINGLE, "scjgj", false);
    return apply_ok(&st, &ev);
}

/* --- names, kinds, fixture ------------------------------------------------- */

static void test_names_round_trip_and_reject_unknown(void **state)
{
    (void)state;
    for (int v = 0; v < QF_CASE_KIND__COUNT; v++) {
        qf_case_kind k = QF_CASE_KIND__COUNT;
        assert_int_equal(qf_case_kind_parse(qf_case_kind_name((qf_case_kind)v), &k), QF_OK);
        assert_int_equal(k, v);
        assert_true(strlen(qf_case_kind_label((qf_case_kind)v)) > 0);
    }
    for (int v = 0; v < QF_CASE_STATUS__COUNT; v++) {
        qf_case_status s = QF_CASE_STATUS__COUNT;
        assert_int_equal(qf_case_status_parse(qf_case_status_name((qf_case_status)v), &s), QF_OK);
        assert_int_equal(s, v);
    }
    for (int v = 0; v < QF_CASE_EV__COUNT; v++) {
        qf_case_event_type e = QF_CASE_EV__COUNT;
        assert_int_equal(qf_case_event_parse(qf_case_event_name((qf_case_event_type)v), &e), QF_OK);
        assert_int_equal(e, v);
    }
    for (int v = 0; v < QF_CASE_CH__COUNT; v++) {
        qf_case_channel c = QF_CASE_CH__COUNT;
        assert_int_equal(qf_case_channel_parse(qf_case_channel_name((qf_case_channel)v), &c),
                         QF_OK);
        assert_int_equal(c, v);
    }
    for (int v = 0; v < QF_CASE_LEVEL__COUNT; v++) {
        qf_case_level l = QF_CASE_LEVEL__COUNT;
        assert_int_equal(qf_case_level_parse(qf_case_level_name((qf_case_level)v), &l), QF_OK);
        assert_int_equal(l, v);
    }
    for (int v = 0; v < QF_CASE_LEAD__COUNT; v++) {
        qf_case_lead l = QF_CASE_LEAD__COUNT;
        assert_int_equal(qf_case_lead_parse(qf_case_lead_name((qf_case_lead)v), &l), QF_OK);
        assert_int_equal(l, v);
    }
    for (int v = 0; v < QF_CASE_ACT__COUNT; v++) {
        qf_case_action a = QF_CASE_ACT__COUNT;
        assert_int_equal(qf_case_action_parse(qf_case_action_name((qf_case_action)v), &a), QF_OK);
        assert_int_equal(a, v);
    }
    {
        qf_case_kind k = QF_CASE_KIND_SINGLE;
        assert_int_equal(qf_case_kind_parse("Simple", &k), QF_ERR_INVALID);
        assert_int_equal(qf_case_kind_parse("?", &k), QF_ERR_INVALID);
        assert_int_equal(qf_case_kind_parse(NULL, &k), QF_ERR_INVALID);
        assert_int_equal(k, QF_CASE_KIND_SINGLE);
        assert_string_equal(qf_case_kind_name(QF_CASE_KIND__COUNT), "?");
        assert_string_equal(qf_case_status_name((qf_case_status)-1), "?");
        assert_string_equal(qf_case_channel_name(QF_CASE_CH_HOTLINE), "hotline");
        assert_string_equal(qf_case_level_name(QF_CASE_LEVEL_TASK_FORCE), "task_force");
    }
}

static void test_kind_days_are_135_and_3135(void **state)
{
    static const struct {
        qf_case_kind kind;
        int days;
        bool fallback;
    } rows[] = {
        { QF_CASE_KIND_NONE, 0, false },       { QF_CASE_KIND_SIMPLE, 1, false },
        { QF_CASE_KIND_SINGLE, 3, false },     { QF_CASE_KIND_WHISTLE, 5, false },
        { QF_CASE_KIND_ONSITE, 1, true },      { QF_CASE_KIND_DIRECTOR, 3, true },
        { QF_CASE_KIND_DELIBERATION, 5, true }, { QF_CASE_KIND__COUNT, 0, false },
    };
    (void)state;
    for (size_t i = 0; i < NELEMS(rows); i++) {
        assert_int_equal(qf_case_kind_days(rows[i].kind), rows[i].days);
        assert_int_equal(qf_case_kind_is_fallback(rows[i].kind), rows[i].fallback);
    }
}

static void test_fixture_calendar_has_the_real_make_up_days(void **state)
{
    static const struct {
        const char *date;
        bool work;
    } rows[] = {
        { "2025-01-25", false }, { "2025-01-26", true },  { "2025-01-27", true },
        { "2025-01-28", false }, { "2025-02-04", false }, { "2025-02-05", true },
        { "2025-02-08", true },  { "2025-09-28", true },  { "2025-10-01", false },
        { "2025-10-08", false }, { "2025-10-11", true },  { "2024-04-28", true },
        { "2024-05-01", false }, { "2024-05-05", false }, { "2024-05-11", true },
    };
    (void)state;
    assert_true(qf_calendar_has_year(g_cal, 2024));
    assert_true(qf_calendar_has_year(g_cal, 2025));
    for (size_t i = 0; i < NELEMS(rows); i++) {
        qf_day d;
        assert_int_equal(qf_day_parse(rows[i].date, &d), QF_OK);
        if (qf_calendar_is_workday(g_cal, d) != rows[i].work)
            fail_msg("%s should be a %s", rows[i].date, rows[i].work ? "workday" : "day off");
    }
}

/* --- deadlines ---------------------------------------------------------------- */

static const struct deadline_row {
    qf_case_kind kind;
    const char *start;
    const char *deadline;
} deadline_rows[] = {
    /* Spring Festival 2025: off 01-28..02-04, worked Sun 01-26 and Sat 02-08. */
    { QF_CASE_KIND_SIMPLE, "2025-01-27T10:00:00+08:00", "2025-02-06T00:00:00+08:00" },
    { QF_CASE_KIND_SIMPLE, "2025-01-25T10:00:00+08:00", "2025-01-27T00:00:00+08:00" },
    { QF_CASE_KIND_SINGLE, "2025-01-25T10:00:00+08:00", "2025-02-06T00:00:00+08:00" },
    { QF_CASE_KIND_WHISTLE, "2025-01-24T16:30:00+08:00", "2025-02-08T00:00:00+08:00" },
    { QF_CASE_KIND_WHISTLE, "2025-01-27T23:59:00+08:00", "2025-02-11T00:00:00+08:00" },
    /* 17:00Z on Sunday is 01:00 Monday in Hangzhou: the Shanghai day counts. */
    { QF_CASE_KIND_SIMPLE, "2025-01-26T17:00:00Z", "2025-02-06T00:00:00+08:00" },
    /* National Day 2025: off 10-01..10-08, worked Sun 09-28 and Sat 10-11. */
    { QF_CASE_KIND_SINGLE, "2025-09-26T09:00:00+08:00", "2025-10-01T00:00:00+08:00" },
    { QF_CASE_KIND_SIMPLE, "2025-09-30T15:00:00+08:00", "2025-10-10T00:00:00+08:00" },
    { QF_CASE_KIND_WHISTLE, "2025-09-30T15:00:00+08:00", "2025-10-15T00:00:00+08:00" },
    /* Labour Day 2024: off 05-01..05-05, worked Sun 04-28 and Sat 05-11. */
    { QF_CASE_KIND_ONSITE, "2024-04-27T11:00:00+08:00", "2024-04-29T00:00:00+08:00" },
    { QF_CASE_KIND_SINGLE, "2024-04-26T10:00:00+08:00", "2024-05-01T00:00:00+08:00" },
    { QF_CASE_KIND_DIRECTOR, "2024-04-29T09:00:00+08:00", "2024-05-08T00:00:00+08:00" },
    { QF_CASE_KIND_DELIBERATION, "2024-04-30T17:00:00+08:00", "2024-05-11T00:00:00+08:00" },
    { QF_CASE_KIND_DIRECTOR, "2024-05-10T09:00:00+08:00", "2024-05-15T00:00:00+08:00" },
};

static void test_deadline_of_every_kind_around_holidays(void **state)
{
    (void)state;
    for (size_t i = 0; i < NELEMS(deadline_rows); i++) {
        qf_instant got = 0;
        assert_int_equal(qf_case_deadline(deadline_rows[i].kind, T(deadline_rows[i].start), g_cal,
                                          &got, NULL, 0),
                         QF_OK);
        assert_instant(got, deadline_rows[i].deadline);
    }
}

/* The same table through TRIAGE: the state carries the deadline of its kind. */
static void test_triage_sets_the_deadline_of_its_kind(void **state)
{
    (void)state;
    for (size_t i = 0; i < NELEMS(deadline_rows); i++) {
        const struct deadline_row *r = &deadline_rows[i];
        qf_case_state st = new_case("2024-01-02T09:00:00+08:00");
        bool platform = r->kind == QF_CASE_KIND_WHISTLE;
        qf_case_event ev = ev_triage(r->start, r->kind, platform ? "street-xiasha" : "scjgj",
                                     platform);
        qf_case_state out = apply_ok(&st, &ev);
        assert_int_equal(out.status, QF_CASE_IN_PROGRESS);
        assert_int_equal(out.kind, r->kind);
        assert_int_equal(out.triaged_at, T(r->start));
        assert_int_equal(out.period_start, T(r->start));
        assert_instant(out.deadline, r->deadline);
    }
}

static void test_deadline_rejects_kind_none(void **state)
{
    qf_instant got = 42;
    char err[128] = "";
    (void)state;
    assert_int_equal(qf_case_deadline(QF_CASE_KIND_NONE, T("2025-01-27T10:00:00+08:00"), g_cal,
                                      &got, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(got, 42);
    assert_non_null(strstr(err, "none"));
}

/* --- supervision ------------------------------------------------------------- */

static void test_supervision_plan_of_every_kind(void **state)
{
    static const struct {
        qf_case_kind kind;
        const char *start;
        size_t n;
        struct {
            const char *at;
            qf_case_action action;
            int workday;
        } steps[QF_CASE_SUPERVISION_MAX];
    } rows[] = {
        /* simple: 09:00 on the working day after the 1-day limit. */
        { QF_CASE_KIND_SIMPLE, "2025-01-27T10:00:00+08:00", 1,
          { { "2025-02-06T09:00:00+08:00", QF_CASE_ACT_URGE, 2 } } },
        { QF_CASE_KIND_SIMPLE, "2025-09-30T15:00:00+08:00", 1,
          { { "2025-10-10T09:00:00+08:00", QF_CASE_ACT_URGE, 2 } } },
        /* single: noon of day 3, visit on day 4 (after National Day). */
        { QF_CASE_KIND_SINGLE, "2025-09-26T09:00:00+08:00", 2,
          { { "2025-09-30T12:00:00+08:00", QF_CASE_ACT_URGE, 3 },
            { "2025-10-09T09:00:00+08:00", QF_CASE_ACT_VISIT, 4 } } },
        /* whistle: noon of day 5, visit on day 6 — a Saturday make-up day. */
        { QF_CASE_KIND_WHISTLE, "2025-01-24T16:30:00+08:00", 2,
          { { "2025-02-07T12:00:00+08:00", QF_CASE_ACT_URGE, 5 },
            { "2025-02-08T09:00:00+08:00", QF_CASE_ACT_VISIT, 6 } } },
        { QF_CASE_KIND_WHISTLE, "2024-04-30T17:00:00+08:00", 2,
          { { "2024-05-10T12:00:00+08:00", QF_CASE_ACT_URGE, 5 },
            { "2024-05-11T09:00:00+08:00", QF_CASE_ACT_VISIT, 6 } } },
        /* fallback levels follow the kind with the same day count. */
        { QF_CASE_KIND_ONSITE, "2024-04-27T11:00:00+08:00", 1,
          { { "2024-04-29T09:00:00+08:00", QF_CASE_ACT_URGE, 2 } } },
        { QF_CASE_KIND_DIRECTOR, "2024-04-29T09:00:00+08:00", 2,
          { { "2024-05-07T12:00:00+08:00", QF_CASE_ACT_URGE, 3 },
            { "2024-05-08T09:00:00+08:00", QF_CASE_ACT_VISIT, 4 } } },
        { QF_CASE_KIND_DELIBERATION, "2025-09-30T15:00:00+08:00", 2,
          { { "2025-10-14T12:00:00+08:00", QF_CASE_ACT_URGE, 5 },
            { "2025-10-15T09:00:00+08:00", QF_CASE_ACT_VISIT, 6 } } },
    };
    (void)state;
    for (size_t i = 0; i < NELEMS(rows); i++) {
        qf_case_supervision plan[QF_CASE_SUPERVISION_MAX + 1];
        size_t count = 99;
        char err[128] = "";
        assert_int_equal(qf_case_supervision_plan(rows[i].kind, T(rows[i].start), g_cal, plan,
                                                  NELEMS(plan), &count, err, sizeof err),
                         QF_OK);
        assert_int_equal(count, rows[i].n);
        for (size_t j = 0; j < count; j++) {
            assert_instant(plan[j].at, rows[i].steps[j].at);
            assert_int_equal(plan[j].action, rows[i].steps[j].action);
            assert_int_equal(plan[j].workday, rows[i].steps[j].workday);
        }
    }
}

/* Single and whistle are urged at noon of their deadline day, i.e. 12 hours
 * before the deadline instant, whatever holidays lie between. */
static void test_supervision_urge_is_noon_of_the_deadline_day(void **state)
{
    static const qf_case_kind kinds[] = { QF_CASE_KIND_SINGLE, QF_CASE_KIND_WHISTLE,
                                          QF_CASE_KIND_DIRECTOR, QF_CASE_KIND_DELIBERATION };
    (void)state;
    for (size_t i = 0; i < NELEMS(kinds); i++) {
        for (size_t r = 0; r < NELEMS(deadline_rows); r++) {
            qf_case_supervision plan[QF_CASE_SUPERVISION_MAX];
            size_t count;
            qf_instant start = T(deadline_rows[r].start), deadline;
            assert_int_equal(qf_case_deadline(kinds[i], start, g_cal, &deadline, NULL, 0), QF_OK);
            assert_int_equal(qf_case_supervision_plan(kinds[i], start, g_cal, plan, NELEMS(plan),
                                                      &count, NULL, 0),
                             QF_OK);
            assert_int_equal(plan[0].at, deadline - 12 * 3600);
            assert_true(plan[1].at > deadline);
        }
    }
}

static void test_supervision_plan_reports_room_needed(void **state)
{
    qf_case_supervision plan[1];
    size_t count = 0;
    char err[128] = "";
    (void)state;
    assert_int_equal(qf_case_supervision_plan(QF_CASE_KIND_SINGLE, T("2025-09-26T09:00:00+08:00"),
                                              g_cal, plan, 1, &count, err, sizeof err),
                     QF_ERR_LIMIT);
    assert_int_equal(count, 2);
    assert_int_equal(qf_case_supervision_plan(QF_CASE_KIND_SIMPLE, T("2025-09-26T09:00:00+08:00"),
                                              g_cal, plan, 1, &count, NULL, 0),
                     QF_OK);
    assert_int_equal(count, 1);
    assert_int_equal(qf_case_supervision_plan(QF_CASE_KIND_NONE, T("2025-09-26T09:00:00+08:00"),
                                              g_cal, plan, 1, &count, NULL, 0),
                     QF_ERR_INVALID);
}

/* --- triage ----------------------------------------------------------------- */

static void test_triage_sets_lead_and_starts_at_unit_level(void **state)
{
    qf_case_state st;
    (void)state;
    st = single_case();
    assert_int_equal(st.status, QF_CASE_IN_PROGRESS);
    assert_int_equal(st.kind, QF_CASE_KIND_SINGLE);
    assert_string_equal(st.lead_unit, "scjgj");
    assert_int_equal(st.lead_kind, QF_CASE_LEAD_DEPARTMENT);
    assert_int_equal(st.lead_dept_count, 1);
    assert_int_equal(st.level, QF_CASE_LEVEL_UNIT);
    assert_int_equal(st.channel, QF_CASE_CH_KIOSK);
    assert_int_equal(st.updated_at, T("2025-09-26T09:00:00+08:00"));
    assert_false(st.lead_finished);
    assert_int_equal(st.first_reply_at, QF_CASE_NO_TIME);
}

static void test_whistle_triage_requires_platform_lead(void **state)
{
    qf_case_state st = new_case("2025-01-24T09:00:00+08:00"), out;
    qf_case_event ev = ev_triage("2025-01-24T10:00:00+08:00", QF_CASE_KIND_WHISTLE, "scjgj", false);
    char err[256] = "";
    (void)state;
    apply_fails(&st, &ev, QF_ERR_INVALID, err, sizeof err);
    assert_non_null(strstr(err, "platform or street"));

    ev = ev_triage("2025-01-24T10:00:00+08:00", QF_CASE_KIND_WHISTLE, "street-xiasha", true);
    out = apply_ok(&st, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_WHISTLE);
    assert_int_equal(out.lead_kind, QF_CASE_LEAD_PLATFORM);
    assert_int_equal(out.lead_dept_count, 0);
    assert_false(out.auto_whistle);
}

static void test_simple_and_single_triage_need_a_department_lead(void **state)
{
    static const qf_case_kind kinds[] = { QF_CASE_KIND_SIMPLE, QF_CASE_KIND_SINGLE };
    qf_case_state st = new_case("2025-01-24T09:00:00+08:00");
    (void)state;
    for (size_t i = 0; i < NELEMS(kinds); i++) {
        qf_case_event ev = ev_triage("2025-01-24T10:00:00+08:00", kinds[i], "street-xiasha", true);
        apply_fails(&st, &ev, QF_ERR_INVALID, NULL, 0);
    }
    /* The fallback window's levels accept either kind of lead. */
    {
        qf_case_event ev = ev_triage("2025-01-24T10:00:00+08:00", QF_CASE_KIND_DIRECTOR,
                                     "street-xiasha", true);
        qf_case_state out = apply_ok(&st, &ev);
        assert_int_equal(out.lead_kind, QF_CASE_LEAD_PLATFORM);
    }
}

static void test_triage_rejects_kind_none_and_malformed_units(void **state)
{
    static const struct {
        qf_case_kind kind;
        const char *unit;
    } bad[] = {
        { QF_CASE_KIND_NONE, "scjgj" },
        { QF_CASE_KIND__COUNT, "scjgj" },
        { QF_CASE_KIND_SINGLE, "" },
        { QF_CASE_KIND_SINGLE, "sc jgj" },
        { QF_CASE_KIND_SINGLE, "市场监管局" },
        { QF_CASE_KIND_SINGLE, "scjgj/../x" },
    };
    qf_case_state st = new_case("2025-01-24T09:00:00+08:00");
    (void)state;
    for (size_t i = 0; i < NELEMS(bad); i++) {
        qf_case_event ev = ev_triage("2025-01-24T10:00:00+08:00", bad[i].kind, bad[i].unit, false);
        apply_fails(&st, &ev, QF_ERR_INVALID, NULL, 0);
    }
    {
        /* An array with no terminator is caught, not read past. */
        qf_case_event ev = ev_triage("2025-01-24T10:00:00+08:00", QF_CASE_KIND_SINGLE, "x", false);
        memset(ev.unit, 'a', sizeof ev.unit);
        apply_fails(&st, &ev, QF_ERR_INVALID, NULL, 0);
        /* 31 bytes is the longest accepted code. */
        ev.unit[QF_CASE_UNIT_MAX - 1] = '\0';
        (void)apply_ok(&st, &ev);
    }
}

/* --- transfers and auto-whistle ----------------------------------------------- */

static void test_second_lead_department_turns_single_into_whistle(void **state)
{
    qf_case_state st, out;
    qf_case_event ev;
    (void)state;
    st = single_case();
    ev = ev_transfer("2025-09-29T10:00:00+08:00", "zjj", false, "street-xiasha");
    out = apply_ok(&st, &ev);
    assert_int_equal(out.status, QF_CASE_IN_PROGRESS);
    assert_int_equal(out.kind, QF_CASE_KIND_WHISTLE);
    assert_true(out.auto_whistle);
    assert_string_equal(out.lead_unit, "street-xiasha");
    assert_int_equal(out.lead_kind, QF_CASE_LEAD_PLATFORM);
    assert_int_equal(out.lead_dept_count, 2);
    assert_int_equal(out.transfer_count, 1);
    /* 5 working days from the transfer: 09-30, 10-09, 10-10, 10-11 (Sat), 10-13. */
    assert_instant(out.period_start, "2025-09-29T10:00:00+08:00");
    assert_instant(out.deadline, "2025-10-14T00:00:00+08:00");
    /* The original triage is kept for reports. */
    assert_instant(out.triaged_at, "2025-09-26T09:00:00+08:00");
}

static void test_second_lead_department_turns_simple_into_whistle(void **state)
{
    qf_case_state st = new_case("2025-01-24T09:00:00+08:00"), out;
    qf_case_event ev = ev_triage("2025-01-24T10:00:00+08:00", QF_CASE_KIND_SIMPLE, "rsj", false);
    (void)state;
    st = apply_ok(&st, &ev);
    assert_instant(st.deadline, "2025-01-27T00:00:00+08:00");
    ev = ev_transfer("2025-01-27T09:00:00+08:00", "swj", false, "platform-yiyaogang");
    out = apply_ok(&st, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_WHISTLE);
    assert_string_equal(out.lead_unit, "platform-yiyaogang");
    /* 02-05, 02-06, 02-07, 02-08 (Sat), 02-10. */
    assert_instant(out.deadline, "2025-02-11T00:00:00+08:00");
}

static void test_whistle_transfer_keeps_kind_and_deadline(void **state)
{
    qf_case_state st, out;
    qf_case_event ev;
    char err[256] = "";
    (void)state;
    st = single_case();
    ev = ev_transfer("2025-09-29T10:00:00+08:00", "zjj", false, "street-xiasha");
    st = apply_ok(&st, &ev);

    /* A whistle case only moves between platforms/streets. */
    ev = ev_transfer("2025-09-30T10:00:00+08:00", "fgj", false, "street-xiasha");
    apply_fails(&st, &ev, QF_ERR_INVALID, err, sizeof err);
    assert_non_null(strstr(err, "fgj"));

    ev = ev_transfer("2025-09-30T10:00:00+08:00", "street-baiyang", true, "");
    out = apply_ok(&st, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_WHISTLE);
    assert_string_equal(out.lead_unit, "street-baiyang");
    assert_int_equal(out.deadline, st.deadline);
    assert_int_equal(out.period_start, st.period_start);
    assert_int_equal(out.lead_dept_count, 2);
    assert_int_equal(out.transfer_count, 2);
}

static void test_transfer_rejects_same_lead_platform_target_and_missing_platform(void **state)
{
    qf_case_state st;
    qf_case_event bad[3];
    (void)state;
    st = single_case();
    bad[0] = ev_transfer("2025-09-29T10:00:00+08:00", "scjgj", false, "street-xiasha");
    bad[1] = ev_transfer("2025-09-29T10:00:00+08:00", "street-xiasha", true, "street-xiasha");
    bad[2] = ev_transfer("2025-09-29T10:00:00+08:00", "zjj", false, "");
    for (size_t i = 0; i < NELEMS(bad); i++)
        apply_fails(&st, &bad[i], QF_ERR_INVALID, NULL, 0);
}

static void test_fallback_transfer_keeps_kind_and_deadline(void **state)
{
    qf_case_state st = new_case("2024-04-29T08:00:00+08:00"), out;
    qf_case_event ev = ev_triage("2024-04-29T09:00:00+08:00", QF_CASE_KIND_DIRECTOR, "xzspj", false);
    (void)state;
    st = apply_ok(&st, &ev);
    ev = ev_transfer("2024-04-30T09:00:00+08:00", "gtj", false, "");
    out = apply_ok(&st, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_DIRECTOR);
    assert_false(out.auto_whistle);
    assert_string_equal(out.lead_unit, "gtj");
    assert_int_equal(out.lead_dept_count, 2);
    assert_instant(out.deadline, "2024-05-08T00:00:00+08:00");
}

/* --- escalation ---------------------------------------------------------------- */

static void test_escalation_climbs_one_step_at_a_time_and_stops_at_top(void **state)
{
    static const qf_case_level ladder[] = { QF_CASE_LEVEL_TASK_FORCE,
                                            QF_CASE_LEVEL_DISTRICT_LEADER,
                                            QF_CASE_LEVEL_PRINCIPAL };
    static const char *const when[] = { "2025-09-29T10:00:00+08:00", "2025-09-30T10:00:00+08:00",
                                        "2025-10-09T10:00:00+08:00" };
    qf_case_state st;
    qf_case_event ev;
    char err[256] = "";
    (void)state;
    st = single_case();
    for (size_t i = 0; i < NELEMS(ladder); i++) {
        qf_instant deadline = st.deadline;
        ev = ev_plain(QF_CASE_EV_ESCALATE, when[i]);
        st = apply_ok(&st, &ev);
        assert_int_equal(st.level, ladder[i]);
        assert_int_equal(st.status, QF_CASE_IN_PROGRESS);
        assert_int_equal(st.escalated_at, T(when[i]));
        assert_int_equal(st.deadline, deadline);
    }
    ev = ev_plain(QF_CASE_EV_ESCALATE, "2025-10-10T10:00:00+08:00");
    apply_fails(&st, &ev, QF_ERR_STATE, err, sizeof err);
    assert_non_null(strstr(err, "principal"));
}

static void test_escalation_only_while_the_case_is_open(void **state)
{
    qf_case_state st;
    qf_case_event ev;
    char err[256] = "";
    (void)state;
    st = new_case("2025-09-26T08:30:00+08:00");
    ev = ev_plain(QF_CASE_EV_ESCALATE, "2025-09-26T09:00:00+08:00");
    apply_fails(&st, &ev, QF_ERR_STATE, err, sizeof err);
    assert_non_null(strstr(err, "submitted"));

    st = single_case();
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-09-29T09:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_ESCALATE, "2025-09-29T10:00:00+08:00");
    apply_fails(&st, &ev, QF_ERR_STATE, err, sizeof err);
    assert_non_null(strstr(err, "lead_finished"));
}

/* --- reassignment (改派) ------------------------------------------------------ */

static void test_reassign_row_is_in_progress_only(void **state)
{
    qf_case_status to = QF_CASE_CLOSED;
    (void)state;
    assert_true(qf_case_transition_find(QF_CASE_IN_PROGRESS, QF_CASE_EV_REASSIGN, &to));
    assert_int_equal(to, QF_CASE_IN_PROGRESS);
    assert_false(qf_case_transition_find(QF_CASE_SUBMITTED, QF_CASE_EV_REASSIGN, NULL));
    assert_false(qf_case_transition_find(QF_CASE_LEAD_FINISHED, QF_CASE_EV_REASSIGN, NULL));
    assert_false(qf_case_transition_find(QF_CASE_CLOSED, QF_CASE_EV_REASSIGN, NULL));
    assert_false(qf_case_transition_find(QF_CASE_WITHDRAWN, QF_CASE_EV_REASSIGN, NULL));
    assert_string_equal(qf_case_event_name(QF_CASE_EV_REASSIGN), "reassign");
    assert_string_equal(qf_case_event_label(QF_CASE_EV_REASSIGN), "改派");
}

/* The task force hands an escalated single case to another department on
 * the eve of 国庆: back to unit level, 3 working days from the decision
 * across the holiday, counters as documented in qf_case.h. */
static void test_reassign_from_task_force_restarts_at_unit_level_across_holiday(void **state)
{
    qf_case_state st, out;
    qf_case_event ev;
    (void)state;
    st = single_case();
    ev = ev_plain(QF_CASE_EV_REPLY, "2025-09-26T11:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_ESCALATE, "2025-09-29T09:00:00+08:00");
    st = apply_ok(&st, &ev);
    assert_int_equal(st.level, QF_CASE_LEVEL_TASK_FORCE);

    ev = ev_reassign("2025-09-30T10:00:00+08:00", "zjj", false, QF_CASE_KIND_NONE);
    out = apply_ok(&st, &ev);
    assert_int_equal(out.status, QF_CASE_IN_PROGRESS);
    assert_int_equal(out.level, QF_CASE_LEVEL_UNIT);
    assert_int_equal(out.kind, QF_CASE_KIND_SINGLE);
    assert_string_equal(out.lead_unit, "zjj");
    assert_int_equal(out.lead_kind, QF_CASE_LEAD_DEPARTMENT);
    assert_int_equal(out.lead_dept_count, 1);
    assert_int_equal(out.transfer_count, 0);
    assert_int_equal(out.reopen_count, 0);
    assert_false(out.auto_whistle);
    assert_instant(out.period_start, "2025-09-30T10:00:00+08:00");
    /* 10-01..10-08 holiday: 10-09, 10-10, 10-11 (Sat, make-up day). */
    assert_instant(out.deadline, "2025-10-12T00:00:00+08:00");
    assert_instant(out.triaged_at, "2025-09-26T09:00:00+08:00");
    assert_instant(out.first_reply_at, "2025-09-26T11:00:00+08:00");
    assert_instant(out.escalated_at, "2025-09-29T09:00:00+08:00");
    assert_instant(out.updated_at, "2025-09-30T10:00:00+08:00");

    /* The named department is a first lead: its first transfer is the
     * second department and turns the case whistle. */
    ev = ev_transfer("2025-10-09T10:00:00+08:00", "fgj", false, "street-xiasha");
    out = apply_ok(&out, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_WHISTLE);
    assert_int_equal(out.lead_dept_count, 2);
    assert_int_equal(out.transfer_count, 1);
}

static void test_reassign_kind_follows_the_new_lead(void **state)
{
    qf_case_state st, out;
    qf_case_event ev;
    char err[256] = "";
    (void)state;
    /* simple/single to a platform/street without a kind becomes whistle */
    st = single_case();
    ev = ev_plain(QF_CASE_EV_ESCALATE, "2025-09-29T09:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_reassign("2025-09-29T15:00:00+08:00", "street-baiyang", true, QF_CASE_KIND_NONE);
    out = apply_ok(&st, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_WHISTLE);
    assert_int_equal(out.lead_kind, QF_CASE_LEAD_PLATFORM);
    assert_int_equal(out.lead_dept_count, 0);
    assert_false(out.auto_whistle);
    /* 5 working days: 09-30, 10-09, 10-10, 10-11 (Sat), 10-13. */
    assert_instant(out.deadline, "2025-10-14T00:00:00+08:00");
    /* …and with a department-led kind it is refused */
    ev = ev_reassign("2025-09-29T15:00:00+08:00", "street-baiyang", true, QF_CASE_KIND_SINGLE);
    apply_fails(&st, &ev, QF_ERR_INVALID, err, sizeof err);
    assert_non_null(strstr(err, "street-baiyang"));

    /* whistle to a department needs simple or single */
    st = out;
    ev = ev_reassign("2025-09-30T09:00:00+08:00", "zjj", false, QF_CASE_KIND_NONE);
    apply_fails(&st, &ev, QF_ERR_INVALID, err, sizeof err);
    assert_non_null(strstr(err, "simple or single"));
    ev = ev_reassign("2025-09-30T09:00:00+08:00", "zjj", false, QF_CASE_KIND_WHISTLE);
    apply_fails(&st, &ev, QF_ERR_INVALID, NULL, 0);
    ev = ev_reassign("2025-09-30T09:00:00+08:00", "zjj", false, QF_CASE_KIND_SIMPLE);
    out = apply_ok(&st, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_SIMPLE);
    assert_int_equal(out.lead_kind, QF_CASE_LEAD_DEPARTMENT);
    assert_int_equal(out.lead_dept_count, 1);
    /* 1 working day: 10-09 */
    assert_instant(out.deadline, "2025-10-10T00:00:00+08:00");

    /* a fallback case may go to any unit and change level within 3135 */
    st = new_case("2024-04-29T08:00:00+08:00");
    ev = ev_triage("2024-04-29T09:00:00+08:00", QF_CASE_KIND_DIRECTOR, "xzspj", false);
    st = apply_ok(&st, &ev);
    ev = ev_reassign("2024-04-30T09:00:00+08:00", "street-xiasha", true, QF_CASE_KIND_NONE);
    out = apply_ok(&st, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_DIRECTOR);
    assert_int_equal(out.lead_kind, QF_CASE_LEAD_PLATFORM);
    /* 3 working days: 05-06, 05-07, 05-08 */
    assert_instant(out.deadline, "2024-05-09T00:00:00+08:00");
    ev = ev_reassign("2024-04-30T09:00:00+08:00", "gtj", false, QF_CASE_KIND_ONSITE);
    out = apply_ok(&st, &ev);
    assert_int_equal(out.kind, QF_CASE_KIND_ONSITE);
    assert_instant(out.deadline, "2024-05-07T00:00:00+08:00");
}

static void test_reassign_rejections(void **state)
{
    qf_case_state st, fb;
    qf_case_event bad[7], ev;
    char err[256] = "";
    (void)state;
    st = single_case();
    fb = new_case("2024-04-29T08:00:00+08:00");
    ev = ev_triage("2024-04-29T09:00:00+08:00", QF_CASE_KIND_DIRECTOR, "xzspj", false);
    fb = apply_ok(&fb, &ev);

    /* the same lead as now */
    ev = ev_reassign("2025-09-29T10:00:00+08:00", "scjgj", false, QF_CASE_KIND_SIMPLE);
    apply_fails(&st, &ev, QF_ERR_INVALID, err, sizeof err);
    assert_non_null(strstr(err, "already leads"));
    /* invalid units, kinds out of range, bad platform code */
    bad[0] = ev_reassign("2025-09-29T10:00:00+08:00", "", false, QF_CASE_KIND_NONE);
    bad[1] = ev_reassign("2025-09-29T10:00:00+08:00", "zj j", false, QF_CASE_KIND_NONE);
    bad[2] = ev_reassign("2025-09-29T10:00:00+08:00", "zjj", false, QF_CASE_KIND__COUNT);
    bad[3] = ev_reassign("2025-09-29T10:00:00+08:00", "zjj", false, (qf_case_kind)-1);
    bad[4] = ev_reassign("2025-09-29T10:00:00+08:00", "zjj", false, QF_CASE_KIND_SINGLE);
    snprintf(bad[4].platform, sizeof bad[4].platform, "%s", "bad platform");
    /* enterprise ↔ fallback kinds */
    bad[5] = ev_reassign("2025-09-29T10:00:00+08:00", "zjj", false, QF_CASE_KIND_DIRECTOR);
    bad[6] = ev_reassign("2025-09-29T10:00:00+08:00", "zjj", false, QF_CASE_KIND_ONSITE);
    for (size_t i = 0; i < NELEMS(bad); i++)
        apply_fails(&st, &bad[i], QF_ERR_INVALID, NULL, 0);
    ev = ev_reassign("2024-04-30T09:00:00+08:00", "gtj", false, QF_CASE_KIND_SINGLE);
    apply_fails(&fb, &ev, QF_ERR_INVALID, err, sizeof err);
    assert_non_null(strstr(err, "fallback"));

    /* not before triage, not after 办结 */
    ev = ev_reassign("2025-09-29T10:00:00+08:00", "zjj", false, QF_CASE_KIND_NONE);
    {
        qf_case_state sub = new_case("2025-09-26T08:30:00+08:00"), fin;
        qf_case_event f = ev_plain(QF_CASE_EV_FINISH, "2025-09-29T09:00:00+08:00");
        apply_fails(&sub, &ev, QF_ERR_STATE, err, sizeof err);
        assert_non_null(strstr(err, "reassign"));
        fin = apply_ok(&st, &f);
        apply_fails(&fin, &ev, QF_ERR_STATE, err, sizeof err);
        assert_non_null(strstr(err, "lead_finished"));
    }
}

/* --- closure, reopening, withdrawal ----------------------------------------- */

static void test_closure_needs_finish_and_resolved(void **state)
{
    qf_case_state st;
    qf_case_event ev;
    char err[256] = "";
    (void)state;
    st = single_case();
    /* The submitter's 已解决 alone does not close. */
    ev = ev_plain(QF_CASE_EV_RESOLVED, "2025-09-29T09:00:00+08:00");
    apply_fails(&st, &ev, QF_ERR_STATE, err, sizeof err);
    assert_non_null(strstr(err, "resolved"));
    assert_non_null(strstr(err, "in_progress"));

    /* The lead's 办结 alone does not close either. */
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-09-29T10:00:00+08:00");
    st = apply_ok(&st, &ev);
    assert_int_equal(st.status, QF_CASE_LEAD_FINISHED);
    assert_true(st.lead_finished);
    assert_int_equal(st.closed_at, QF_CASE_NO_TIME);
    assert_false(qf_case_is_overdue(&st, T("2025-12-31T00:00:00+08:00")));

    ev = ev_plain(QF_CASE_EV_RESOLVED, "2025-09-29T15:00:00+08:00");
    st = apply_ok(&st, &ev);
    assert_int_equal(st.status, QF_CASE_CLOSED);
    assert_instant(st.closed_at, "2025-09-29T15:00:00+08:00");
    assert_int_equal(st.reopen_count, 0);
}

static void test_resolved_refused_when_finish_flag_disagrees(void **state)
{
    qf_case_state st;
    qf_case_event ev;
    (void)state;
    st = single_case();
    st.status = QF_CASE_LEAD_FINISHED; /* a hand-made, inconsistent state */
    st.lead_finished = false;
    ev = ev_plain(QF_CASE_EV_RESOLVED, "2025-09-29T15:00:00+08:00");
    apply_fails(&st, &ev, QF_ERR_STATE, NULL, 0);
}

static void test_unresolved_reopens_with_count_and_fresh_deadline(void **state)
{
    qf_case_state st = new_case("2025-01-24T09:00:00+08:00");
    qf_case_event ev = ev_triage("2025-01-24T10:00:00+08:00", QF_CASE_KIND_SINGLE, "scjgj", false);
    (void)state;
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-01-26T16:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_UNRESOLVED, "2025-01-27T10:00:00+08:00");
    st = apply_ok(&st, &ev);
    assert_int_equal(st.status, QF_CASE_IN_PROGRESS);
    assert_int_equal(st.reopen_count, 1);
    assert_false(st.lead_finished);
    assert_int_equal(st.finished_at, QF_CASE_NO_TIME);
    assert_int_equal(st.kind, QF_CASE_KIND_SINGLE);
    /* 3 working days from Mon 01-27: 02-05, 02-06, 02-07. */
    assert_instant(st.period_start, "2025-01-27T10:00:00+08:00");
    assert_instant(st.deadline, "2025-02-08T00:00:00+08:00");
    assert_instant(st.triaged_at, "2025-01-24T10:00:00+08:00");

    ev = ev_plain(QF_CASE_EV_FINISH, "2025-02-05T10:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_UNRESOLVED, "2025-02-05T11:00:00+08:00");
    st = apply_ok(&st, &ev);
    assert_int_equal(st.reopen_count, 2);
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-02-06T10:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_RESOLVED, "2025-02-06T11:00:00+08:00");
    st = apply_ok(&st, &ev);
    assert_int_equal(st.status, QF_CASE_CLOSED);
    assert_int_equal(st.reopen_count, 2); /* still counts against 解决率 */
}

static void test_reopened_auto_whistle_case_keeps_whistle_time_limit(void **state)
{
    qf_case_state st;
    qf_case_event ev;
    (void)state;
    st = single_case();
    ev = ev_transfer("2025-09-29T10:00:00+08:00", "zjj", false, "street-xiasha");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_ESCALATE, "2025-09-30T10:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-10-09T10:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_UNRESOLVED, "2025-10-09T15:00:00+08:00");
    st = apply_ok(&st, &ev);
    assert_int_equal(st.kind, QF_CASE_KIND_WHISTLE);
    assert_int_equal(st.level, QF_CASE_LEVEL_TASK_FORCE);
    /* 5 working days from 10-09: 10-10, 10-11 (Sat), 10-13, 10-14, 10-15. */
    assert_instant(st.deadline, "2025-10-16T00:00:00+08:00");
}

static void test_withdraw_allowed_until_closure(void **state)
{
    qf_case_state states[3], closed;
    qf_case_event ev;
    char err[256] = "";
    (void)state;
    states[0] = new_case("2025-09-26T08:30:00+08:00");
    states[1] = single_case();
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-09-29T09:00:00+08:00");
    states[2] = apply_ok(&states[1], &ev);
    for (size_t i = 0; i < NELEMS(states); i++) {
        qf_case_state out;
        ev = ev_plain(QF_CASE_EV_WITHDRAW, "2025-09-29T11:00:00+08:00");
        out = apply_ok(&states[i], &ev);
        assert_int_equal(out.status, QF_CASE_WITHDRAWN);
        assert_instant(out.closed_at, "2025-09-29T11:00:00+08:00");
    }
    ev = ev_plain(QF_CASE_EV_RESOLVED, "2025-09-29T10:00:00+08:00");
    closed = apply_ok(&states[2], &ev);
    ev = ev_plain(QF_CASE_EV_WITHDRAW, "2025-09-29T11:00:00+08:00");
    apply_fails(&closed, &ev, QF_ERR_STATE, err, sizeof err);
    assert_non_null(strstr(err, "withdraw"));
    assert_non_null(strstr(err, "closed"));
}

static void test_reply_records_only_the_first_reply(void **state)
{
    qf_case_state st, other;
    qf_case_event ev;
    (void)state;
    st = single_case();
    ev = ev_plain(QF_CASE_EV_REPLY, "2025-09-26T11:00:00+08:00");
    st = apply_ok(&st, &ev);
    ev = ev_plain(QF_CASE_EV_REPLY, "2025-09-28T11:00:00+08:00");
    st = apply_ok(&st, &ev);
    assert_int_equal(st.status, QF_CASE_IN_PROGRESS);
    assert_instant(st.first_reply_at, "2025-09-26T11:00:00+08:00");
    assert_instant(st.updated_at, "2025-09-28T11:00:00+08:00");

    /* 办结 without a reply counts as the first reply. */
    other = single_case();
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-09-29T09:00:00+08:00");
    other = apply_ok(&other, &ev);
    assert_instant(other.first_reply_at, "2025-09-29T09:00:00+08:00");
}

/* --- the table ------------------------------------------------------------------ */

/* A case in each status, reached through legal events only. */
static qf_case_state case_in_status(qf_case_status status)
{
    qf_case_state st = new_case("2025-09-26T08:30:00+08:00");
    qf_case_event ev;
    if (status == QF_CASE_SUBMITTED)
        return st;
    if (status == QF_CASE_WITHDRAWN) {
        ev = ev_plain(QF_CASE_EV_WITHDRAW, "2025-09-26T08:40:00+08:00");
        return apply_ok(&st, &ev);
    }
    st = single_case();
    if (status == QF_CASE_IN_PROGRESS)
        return st;
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-09-26T12:00:00+08:00");
    st = apply_ok(&st, &ev);
    if (status == QF_CASE_LEAD_FINISHED)
        return st;
    ev = ev_plain(QF_CASE_EV_RESOLVED, "2025-09-26T13:00:00+08:00");
    return apply_ok(&st, &ev);
}

/* A valid event of each type, later than every state above. */
static qf_case_event any_event(qf_case_event_type type)
{
    const char *at = "2025-09-29T10:00:00+08:00";
    switch (type) {
    case QF_CASE_EV_TRIAGE:
        return ev_triage(at, QF_CASE_KIND_SINGLE, "fgj", false);
    case QF_CASE_EV_TRANSFER:
        return ev_transfer(at, "zjj", false, "street-xiasha");
    case QF_CASE_EV_REASSIGN:
        return ev_reassign(at, "zjj", false, QF_CASE_KIND_NONE);
    default:
        return ev_plain(type, at);
    }
}

static void test_every_pair_follows_the_transition_table(void **state)
{
    size_t legal = 0;
    (void)state;
    for (int s = 0; s < QF_CASE_STATUS__COUNT; s++) {
        qf_case_state st = case_in_status((qf_case_status)s);
        assert_int_equal(st.status, s);
        for (int e = 0; e < QF_CASE_EV__COUNT; e++) {
            qf_case_event ev = any_event((qf_case_event_type)e);
            qf_case_status to;
            char err[256] = "";
            if (qf_case_transition_find((qf_case_status)s, (qf_case_event_type)e, &to)) {
                qf_case_state out = apply_ok(&st, &ev);
                assert_int_equal(out.status, to);
                assert_int_equal(out.updated_at, ev.at);
                legal++;
            } else {
                apply_fails(&st, &ev, QF_ERR_STATE, err, sizeof err);
                if (!strstr(err, qf_case_status_name((qf_case_status)s)) ||
                    !strstr(err, qf_case_event_name((qf_case_event_type)e)))
                    fail_msg("reason '%s' should name the state and event", err);
            }
        }
    }
    assert_int_equal(legal, qf_case_transition_count());
}

static void test_transition_table_rows_are_unique_and_bounded(void **state)
{
    size_t n = qf_case_transition_count();
    qf_case_transition t;
    (void)state;
    assert_int_equal(n, 11);
    for (size_t i = 0; i < n; i++) {
        qf_case_transition a;
        qf_case_status to;
        assert_int_equal(qf_case_transition_get(i, &a), QF_OK);
        assert_true(qf_case_transition_find(a.from, a.event, &to));
        assert_int_equal(to, a.to);
        /* Terminal statuses have no way out. */
        assert_int_not_equal(a.from, QF_CASE_CLOSED);
        assert_int_not_equal(a.from, QF_CASE_WITHDRAWN);
        for (size_t j = i + 1; j < n; j++) {
            qf_case_transition b;
            assert_int_equal(qf_case_transition_get(j, &b), QF_OK);
            assert_false(a.from == b.from && a.event == b.event);
        }
    }
    assert_int_equal(qf_case_transition_get(n, &t), QF_ERR_RANGE);
}

/* --- overdue, validation ------------------------------------------------------- */

static void test_is_overdue_at_the_deadline_instant(void **state)
{
    qf_case_state open_case, finished, submitted;
    qf_case_event ev;
    (void)state;
    open_case = single_case(); /* deadline 2025-10-01T00:00+08:00 */
    submitted = new_case("2025-09-26T08:30:00+08:00");
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-10-09T09:00:00+08:00");
    finished = apply_ok(&open_case, &ev);
    {
        const struct {
            const qf_case_state *st;
            const char *now;
            bool overdue;
        } rows[] = {
            { &open_case, "2025-09-30T23:59:59+08:00", false },
            { &open_case, "2025-10-01T00:00:00+08:00", true },
            { &open_case, "2025-10-08T12:00:00+08:00", true },
            { &finished, "2025-10-09T10:00:00+08:00", false },
            { &submitted, "2026-01-01T00:00:00+08:00", false },
        };
        for (size_t i = 0; i < NELEMS(rows); i++)
            if (qf_case_is_overdue(rows[i].st, T(rows[i].now)) != rows[i].overdue)
                fail_msg("row %zu: overdue at %s should be %d", i, rows[i].now, rows[i].overdue);
    }
    /* Reopening gives a fresh limit: no longer overdue right after. */
    ev = ev_plain(QF_CASE_EV_UNRESOLVED, "2025-10-09T10:00:00+08:00");
    finished = apply_ok(&finished, &ev);
    assert_false(qf_case_is_overdue(&finished, T("2025-10-09T10:00:00+08:00")));
    assert_false(qf_case_is_overdue(NULL, 0));
}

static void test_event_earlier_than_last_change_is_rejected(void **state)
{
    qf_case_state st;
    qf_case_event ev;
    char err[256] = "";
    (void)state;
    st = single_case();
    ev = ev_plain(QF_CASE_EV_REPLY, "2025-09-26T08:59:59+08:00");
    apply_fails(&st, &ev, QF_ERR_INVALID, err, sizeof err);
    assert_non_null(strstr(err, "precedes"));
    /* The same instant is fine. */
    ev = ev_plain(QF_CASE_EV_REPLY, "2025-09-26T09:00:00+08:00");
    (void)apply_ok(&st, &ev);
}

static void test_init_and_apply_reject_malformed_input(void **state)
{
    qf_case_state st, bad;
    qf_case_event ev;
    (void)state;
    assert_int_equal(qf_case_state_init(&st, QF_CASE_CH__COUNT, T("2025-01-01T00:00:00+08:00"),
                                        NULL, 0),
                     QF_ERR_INVALID);
    assert_int_equal(qf_case_state_init(&st, QF_CASE_CH_HOTLINE, 0, NULL, 0), QF_ERR_INVALID);
    st = single_case();

    bad = st;
    bad.status = QF_CASE_STATUS__COUNT;
    ev = ev_plain(QF_CASE_EV_REPLY, "2025-09-29T09:00:00+08:00");
    apply_fails(&bad, &ev, QF_ERR_INVALID, NULL, 0);

    bad = st;
    bad.kind = QF_CASE_KIND_NONE; /* in progress without a kind */
    apply_fails(&bad, &ev, QF_ERR_INVALID, NULL, 0);

    ev.type = QF_CASE_EV__COUNT;
    apply_fails(&st, &ev, QF_ERR_INVALID, NULL, 0);

    ev = ev_plain(QF_CASE_EV_REPLY, "2025-09-29T09:00:00+08:00");
    assert_int_equal(qf_case_apply(&st, &ev, NULL, &bad, NULL, 0), QF_ERR_INVALID);
}

static void test_apply_may_write_over_its_input(void **state)
{
    qf_case_state st;
    qf_case_event ev;
    (void)state;
    st = single_case();
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-09-29T09:00:00+08:00");
    assert_int_equal(qf_case_apply(&st, &ev, g_cal, &st, NULL, 0), QF_OK);
    assert_int_equal(st.status, QF_CASE_LEAD_FINISHED);
    /* And a failed apply leaves it as it was. */
    ev = ev_plain(QF_CASE_EV_FINISH, "2025-09-29T10:00:00+08:00");
    assert_int_equal(qf_case_apply(&st, &ev, g_cal, &st, NULL, 0), QF_ERR_STATE);
    assert_int_equal(st.status, QF_CASE_LEAD_FINISHED);
    assert_int_equal(st.updated_at, T("2025-09-29T09:00:00+08:00"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip_and_reject_unknown),
        cmocka_unit_test(test_kind_days_are_135_and_3135),
        cmocka_unit_test(test_fixture_calendar_has_the_real_make_up_days),
        cmocka_unit_test(test_deadline_of_every_kind_around_holidays),
        cmocka_unit_test(test_triage_sets_the_deadline_of_its_kind),
        cmocka_unit_test(test_deadline_rejects_kind_none),
        cmocka_unit_test(test_supervision_plan_of_every_kind),
        cmocka_unit_test(test_supervision_urge_is_noon_of_the_deadline_day),
        cmocka_unit_test(test_supervision_plan_reports_room_needed),
        cmocka_unit_test(test_triage_sets_lead_and_starts_at_unit_level),
        cmocka_unit_test(test_whistle_triage_requires_platform_lead),
        cmocka_unit_test(test_simple_and_single_triage_need_a_department_lead),
        cmocka_unit_test(test_triage_rejects_kind_none_and_malformed_units),
        cmocka_unit_test(test_second_lead_department_turns_single_into_whistle),
        cmocka_unit_test(test_second_lead_department_turns_simple_into_whistle),
        cmocka_unit_test(test_whistle_transfer_keeps_kind_and_deadline),
        cmocka_unit_test(test_transfer_rejects_same_lead_platform_target_and_missing_platform),
        cmocka_unit_test(test_fallback_transfer_keeps_kind_and_deadline),
        cmocka_unit_test(test_escalation_climbs_one_step_at_a_time_and_stops_at_top),
        cmocka_unit_test(test_escalation_only_while_the_case_is_open),
        cmocka_unit_test(test_reassign_row_is_in_progress_only),
        cmocka_unit_test(test_reassign_from_task_force_restarts_at_unit_level_across_holiday),
        cmocka_unit_test(test_reassign_kind_follows_the_new_lead),
        cmocka_unit_test(test_reassign_rejections),
        cmocka_unit_test(test_closure_needs_finish_and_resolved),
        cmocka_unit_test(test_resolved_refused_when_finish_flag_disagrees),
        cmocka_unit_test(test_unresolved_reopens_with_count_and_fresh_deadline),
        cmocka_unit_test(test_reopened_auto_whistle_case_keeps_whistle_time_limit),
        cmocka_unit_test(test_withdraw_allowed_until_closure),
        cmocka_unit_test(test_reply_records_only_the_first_reply),
        cmocka_unit_test(test_every_pair_follows_the_transition_table),
        cmocka_unit_test(test_transition_table_rows_are_unique_and_bounded),
        cmocka_unit_test(test_is_overdue_at_the_deadline_instant),
        cmocka_unit_test(test_event_earlier_than_last_change_is_rejected),
        cmocka_unit_test(test_init_and_apply_reject_malformed_input),
        cmocka_unit_test(test_apply_may_write_over_its_input),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
