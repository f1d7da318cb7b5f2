/* test_calendar.c — qf_calendar against the shipped State Council notices
 * (config/holidays/2024–2026.ini) and against malformed files: holidays,
 * make-up days, deadlines, counting, and the Monday–Friday fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "qf_calendar.h"

#define HOLIDAY_DIR QIFU_SOURCE_DIR "/config/holidays"

static qf_day D(int y, int m, int d) { return qf_day_from_ymd(y, m, d); }

static int setup_shipped(void **state)
{
    qf_calendar *cal;
    char err[256];
    if (qf_calendar_new(&cal) != QF_OK)
        return -1;
    if (qf_calendar_load_dir(cal, HOLIDAY_DIR, err, sizeof err) != QF_OK) {
        fprintf(stderr, "%s\n", err);
        qf_calendar_free(cal);
        return -1;
    }
    *state = cal;
    return 0;
}

static int teardown_cal(void **state)
{
    qf_calendar_free(*state);
    return 0;
}

/* Writes text to a fresh temp file; the caller unlinks path. */
static void write_temp(char *path, const char *text)
{
    strcpy(path, "/tmp/qifu-cal-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_shipped_years_are_loaded(void **state)
{
    qf_calendar *cal = *state;
    assert_true(qf_calendar_has_year(cal, 2024));
    assert_true(qf_calendar_has_year(cal, 2025));
    assert_true(qf_calendar_has_year(cal, 2026));
    assert_false(qf_calendar_has_year(cal, 2023));
}

typedef struct day_case {
    int y, m, d;
    bool workday;
    const char *why;
} day_case;

static void test_holidays_and_makeup_days(void **state)
{
    qf_calendar *cal = *state;
    static const day_case cases[] = {
        { 2025, 1, 1, false, "元旦 on a Wednesday" },
        { 2025, 1, 26, true, "Sunday make-up day before Spring Festival" },
        { 2025, 1, 28, false, "除夕 is a holiday from 2025" },
        { 2025, 2, 4, false, "last day of Spring Festival" },
        { 2025, 2, 5, true, "first working day after" },
        { 2025, 2, 8, true, "Saturday make-up day" },
        { 2025, 5, 2, false, "劳动节" },
        { 2025, 4, 27, true, "Sunday make-up for 劳动节" },
        { 2025, 10, 8, false, "8-day National Day + Mid-Autumn" },
        { 2025, 10, 11, true, "Saturday make-up" },
        { 2024, 2, 18, true, "Sunday make-up after Spring Festival 2024" },
        { 2024, 9, 14, true, "Saturday make-up for 中秋 2024" },
        { 2024, 6, 10, false, "端午 2024 on a Monday" },
        { 2026, 1, 2, false, "元旦 2026 Friday" },
        { 2026, 1, 4, true, "Sunday make-up 2026" },
        { 2026, 2, 23, false, "last day of the 9-day Spring Festival 2026" },
        { 2026, 5, 9, true, "Saturday make-up for 劳动节 2026" },
        { 2026, 9, 20, true, "Sunday make-up for National Day 2026" },
        { 2026, 11, 24, true, "an ordinary Tuesday" },
        { 2026, 11, 28, false, "an ordinary Saturday" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const day_case *c = &cases[i];
        if (qf_calendar_is_workday(cal, D(c->y, c->m, c->d)) != c->workday)
            fail_msg("%04d-%02d-%02d (%s): expected %s", c->y, c->m, c->d, c->why,
                     c->workday ? "working day" : "day off");
    }
}

static void test_every_makeup_day_is_a_weekend(void **state)
{
    /* A [workdays] entry only makes sense on a Saturday or Sunday; a typo in
     * a shipped file would show here. */
    qf_calendar *cal = *state;
    int makeup = 0;
    for (qf_day d = D(2024, 1, 1); d <= D(2026, 12, 31); d++) {
        const char *name = qf_calendar_day_name(cal, d);
        if (name && qf_calendar_is_workday(cal, d)) {
            assert_true(qf_day_weekday(d) >= 6);
            makeup++;
        }
    }
    assert_int_equal(makeup, 8 + 5 + 6);
}

static void test_working_days_per_year_match_the_notices(void **state)
{
    /* The yearly totals follow from each notice: weekdays, minus holidays that
     * fall on weekdays, plus make-up days.
     *   2024: 262 weekdays - 19 + 8 = 251
     *   2025: 261 weekdays - 18 + 5 = 248
     *   2026: 261 weekdays - 19 + 6 = 248 */
    qf_calendar *cal = *state;
    static const int years[] = { 2024, 2025, 2026 };
    static const int weekdays_want[] = { 262, 261, 261 };
    static const int work_want[] = { 251, 248, 248 };
    for (int i = 0; i < 3; i++) {
        int weekdays = 0, work = 0;
        for (qf_day d = D(years[i], 1, 1); d <= D(years[i], 12, 31); d++) {
            weekdays += qf_day_weekday(d) <= 5;
            work += qf_calendar_is_workday(cal, d);
        }
        assert_int_equal(weekdays, weekdays_want[i]);
        assert_int_equal(work, work_want[i]);
    }
}

typedef struct add_case {
    const char *start;
    int n;
    const char *want;
} add_case;

static void test_add_workdays_across_holidays(void **state)
{
    qf_calendar *cal = *state;
    static const add_case cases[] = {
        { "2025-01-27", 1, "2025-02-05" }, /* Mon before the break */
        { "2025-01-24", 1, "2025-01-26" }, /* Fri → Sunday make-up */
        { "2025-01-24", 2, "2025-01-27" },
        { "2025-01-24", 3, "2025-02-05" },
        { "2025-09-30", 1, "2025-10-09" },
        { "2025-09-30", 3, "2025-10-11" }, /* Saturday make-up */
        { "2024-04-30", 5, "2024-05-10" },
        { "2024-04-30", 6, "2024-05-11" }, /* Saturday make-up */
        { "2026-02-13", 1, "2026-02-14" }, /* Fri → Saturday make-up */
        { "2026-02-13", 2, "2026-02-24" },
        { "2025-03-03", 0, "2025-03-03" },
        { "2025-03-01", 0, "2025-03-01" }, /* n = 0 returns start even on Saturday */
        { "2026-12-30", 3, "2027-01-04" }, /* into an unloaded year: Mon–Fri */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        qf_day start, want, got;
        char buf[11];
        assert_int_equal(qf_day_parse(cases[i].start, &start), QF_OK);
        assert_int_equal(qf_day_parse(cases[i].want, &want), QF_OK);
        assert_int_equal(qf_calendar_add_workdays(cal, start, cases[i].n, &got), QF_OK);
        qf_day_format(got, buf, sizeof buf);
        if (got != want)
            fail_msg("%s + %d: got %s, want %s", cases[i].start, cases[i].n, buf, cases[i].want);
        assert_int_equal(qf_calendar_workdays_between(cal, start, got), cases[i].n);
    }
}

static void test_add_workdays_rejects_bad_n(void **state)
{
    qf_calendar *cal = *state;
    qf_day out = 0;
    assert_int_equal(qf_calendar_add_workdays(cal, D(2025, 1, 1), -1, &out), QF_ERR_RANGE);
    assert_int_equal(qf_calendar_add_workdays(cal, D(2025, 1, 1), 100000, &out), QF_ERR_RANGE);
    assert_int_equal(out, 0);
}

static void test_workdays_between_is_signed(void **state)
{
    qf_calendar *cal = *state;
    /* (2025-01-24, 2025-02-08]: 01-26, 01-27, 02-05, 02-06, 02-07, 02-08 */
    assert_int_equal(qf_calendar_workdays_between(cal, D(2025, 1, 24), D(2025, 2, 8)), 6);
    assert_int_equal(qf_calendar_workdays_between(cal, D(2025, 2, 8), D(2025, 1, 24)), -6);
    assert_int_equal(qf_calendar_workdays_between(cal, D(2025, 2, 8), D(2025, 2, 8)), 0);
}

static void test_deadline_is_midnight_after_the_nth_workday(void **state)
{
    qf_calendar *cal = *state;
    qf_instant start, got, want;
    char buf[32];
    /* Triaged 2025-01-27 17:45 Shanghai; 3 working days: 02-05, 02-06, 02-07;
     * the deadline is 2025-02-08T00:00+08:00. */
    assert_int_equal(qf_clock_parse_iso8601("2025-01-27T17:45:00+08:00", &start, NULL, 0), QF_OK);
    assert_int_equal(qf_calendar_deadline(cal, start, 3, &got), QF_OK);
    assert_int_equal(qf_clock_parse_iso8601("2025-02-08T00:00:00+08:00", &want, NULL, 0), QF_OK);
    qf_clock_format_iso8601(got, buf, sizeof buf);
    assert_string_equal(buf, "2025-02-08T00:00:00+08:00");
    assert_int_equal(got, want);
    /* Late at night UTC is already the next Shanghai day. */
    assert_int_equal(qf_clock_parse_iso8601("2025-01-24T16:30:00Z", &start, NULL, 0), QF_OK);
    assert_int_equal(qf_calendar_deadline(cal, start, 1, &got), QF_OK);
    qf_clock_format_iso8601(got, buf, sizeof buf);
    /* 2025-01-24T16:30Z is Sat 00:30 in Shanghai; the next working day is
     * the Sunday make-up day 01-26, so the deadline is 01-27T00:00. */
    assert_string_equal(buf, "2025-01-27T00:00:00+08:00");
}

static void test_unloaded_year_falls_back_to_weekdays(void **state)
{
    (void)state;
    qf_calendar *empty;
    assert_int_equal(qf_calendar_new(&empty), QF_OK);
    /* With no notice, 2025-01-28 (a Tuesday) counts as a working day and the
     * Sunday make-up day does not. */
    assert_true(qf_calendar_is_workday(empty, D(2025, 1, 28)));
    assert_false(qf_calendar_is_workday(empty, D(2025, 1, 26)));
    assert_null(qf_calendar_day_name(empty, D(2025, 1, 28)));
    qf_calendar_free(empty);
}

static void test_day_names_come_from_the_file(void **state)
{
    qf_calendar *cal = *state;
    assert_string_equal(qf_calendar_day_name(cal, D(2025, 1, 29)), "春节");
    assert_string_equal(qf_calendar_day_name(cal, D(2025, 2, 8)), "春节调休上班");
    assert_null(qf_calendar_day_name(cal, D(2025, 3, 3)));
}

typedef struct bad_file {
    const char *text;
    const char *reason; /* substring the error must contain */
} bad_file;

static void test_malformed_files_are_rejected_whole(void **state)
{
    (void)state;
    static const bad_file cases[] = {
        { "[holidays]\n2030-01-01 = x\n", "year" },
        { "[notice]\nyear = 2030\n[holidays]\n2031-01-01 = 元旦\n", "outside" },
        { "[notice]\nyear = 2030\n[holidays]\n2030-02-30 = x\n", "bad entry" },
        { "[notice]\nyear = 2030\n[holidays]\n2030-01-01 = a\n2030-01-01 = b\n", "twice" },
        { "[notice]\nyear = 2030\n[vacations]\n2030-01-01 = a\n", "unknown section" },
        { "[notice]\nyear = 20x0\n", "bad entry" },
        { "[notice]\nyear = 2030\n[holidays]\nthis line has no equals sign\n", "line 4" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        qf_calendar *cal;
        char path[64], err[256] = "";
        write_temp(path, cases[i].text);
        assert_int_equal(qf_calendar_new(&cal), QF_OK);
        assert_int_not_equal(qf_calendar_load_file(cal, path, err, sizeof err), QF_OK);
        if (!strstr(err, cases[i].reason))
            fail_msg("case %zu: error '%s' lacks '%s'", i, err, cases[i].reason);
        /* nothing from the bad file took effect */
        assert_false(qf_calendar_has_year(cal, 2030));
        assert_true(qf_calendar_is_workday(cal, D(2030, 1, 1)));
        qf_calendar_free(cal);
        unlink(path);
    }
}

static void test_loading_a_year_twice_is_refused(void **state)
{
    qf_calendar *cal = *state;
    char err[256];
    assert_int_equal(qf_calendar_load_file(cal, HOLIDAY_DIR "/2025.ini", err, sizeof err),
                     QF_ERR_INVALID);
    assert_non_null(strstr(err, "already loaded"));
}

static void test_missing_folder_is_an_io_error(void **state)
{
    (void)state;
    qf_calendar *cal;
    char err[256];
    assert_int_equal(qf_calendar_new(&cal), QF_OK);
    assert_int_equal(qf_calendar_load_dir(cal, "/nonexistent/qifu", err, sizeof err), QF_ERR_IO);
    qf_calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shipped_years_are_loaded, setup_shipped, teardown_cal),
        cmocka_unit_test_setup_teardown(test_holidays_and_makeup_days, setup_shipped, teardown_cal),
        cmocka_unit_test_setup_teardown(test_every_makeup_day_is_a_weekend, setup_shipped, teardown_cal),
        cmocka_unit_test_setup_teardown(test_working_days_per_year_match_the_notices, setup_shipped, teardown_cal),
        cmocka_unit_test_setup_teardown(test_add_workdays_across_holidays, setup_shipped, teardown_cal),
        cmocka_unit_test_setup_teardown(test_add_workdays_rejects_bad_n, setup_shipped, teardown_cal),
        cmocka_unit_test_setup_teardown(test_workdays_between_is_signed, setup_shipped, teardown_cal),
        cmocka_unit_test_setup_teardown(test_deadline_is_midnight_after_the_nth_workday, setup_shipped, teardown_cal),
        cmocka_unit_test(test_unloaded_year_falls_back_to_weekdays),
        cmocka_unit_test_setup_teardown(test_day_names_come_from_the_file, setup_shipped, teardown_cal),
        cmocka_unit_test(test_malformed_files_are_rejected_whole),
        cmocka_unit_test_setup_teardown(test_loading_a_year_twice_is_refused, setup_shipped, teardown_cal),
        cmocka_unit_test(test_missing_folder_is_an_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
