/* test_clock.c — qf_clock: civil-day arithmetic, ISO 8601 parsing with
 * offsets, Asia/Shanghai regardless of the host TZ (CTest runs this with
 * TZ=America/New_York), and the QIFU_FAKE_NOW override. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "qf_clock.h"

static void test_day_zero_is_unix_epoch_thursday(void **state)
{
    (void)state;
    assert_int_equal(qf_day_from_ymd(1970, 1, 1), 0);
    assert_int_equal(qf_day_weekday(0), 4);
}

static void test_day_roundtrips_every_day_2000_to_2040(void **state)
{
    (void)state;
    qf_day first = qf_day_from_ymd(2000, 1, 1), last = qf_day_from_ymd(2040, 12, 31);
    int prev_wd = qf_day_weekday(first - 1);
    for (qf_day d = first; d <= last; d++) {
        int y, m, md;
        qf_day_to_ymd(d, &y, &m, &md);
        assert_int_equal(qf_day_from_ymd(y, m, md), d);
        assert_int_equal(qf_day_weekday(d), prev_wd % 7 + 1);
        prev_wd = qf_day_weekday(d);
    }
}

static void test_known_weekdays(void **state)
{
    (void)state;
    assert_int_equal(qf_day_weekday(qf_day_from_ymd(2025, 1, 28)), 2); /* 除夕, Tuesday */
    assert_int_equal(qf_day_weekday(qf_day_from_ymd(2024, 2, 29)), 4); /* leap day, Thursday */
    assert_int_equal(qf_day_weekday(qf_day_from_ymd(2026, 11, 24)), 2);
}

static void test_day_parse_accepts_only_real_dates(void **state)
{
    (void)state;
    qf_day d;
    assert_int_equal(qf_day_parse("2024-02-29", &d), QF_OK);
    assert_int_equal(d, qf_day_from_ymd(2024, 2, 29));
    assert_int_equal(qf_day_parse("2025-02-29", &d), QF_ERR_INVALID);
    assert_int_equal(qf_day_parse("2025-13-01", &d), QF_ERR_INVALID);
    assert_int_equal(qf_day_parse("2025-1-01", &d), QF_ERR_INVALID);
    assert_int_equal(qf_day_parse("2025-01-01x", &d), QF_ERR_INVALID);
    assert_int_equal(qf_day_parse("", &d), QF_ERR_INVALID);
    assert_int_equal(qf_day_parse(NULL, &d), QF_ERR_INVALID);
}

static void test_day_format_pads(void **state)
{
    (void)state;
    char buf[11];
    qf_day_format(qf_day_from_ymd(2025, 2, 5), buf, sizeof buf);
    assert_string_equal(buf, "2025-02-05");
}

static void test_iso8601_offsets_give_the_same_instant(void **state)
{
    (void)state;
    qf_instant a, b, c;
    assert_int_equal(qf_clock_parse_iso8601("2025-01-27T10:00:00+08:00", &a, NULL, 0), QF_OK);
    assert_int_equal(qf_clock_parse_iso8601("2025-01-27T02:00:00Z", &b, NULL, 0), QF_OK);
    assert_int_equal(qf_clock_parse_iso8601("2025-01-26T21:00-05:00", &c, NULL, 0), QF_OK);
    assert_int_equal(a, b);
    assert_int_equal(a, c);
    /* 2025-01-27T02:00Z = 20115 days * 86400 + 7200 s */
    assert_int_equal(b, (qf_instant)20115 * 86400 + 7200);
}

static void test_iso8601_requires_offset_and_valid_fields(void **state)
{
    (void)state;
    qf_instant t;
    char err[128];
    assert_int_equal(qf_clock_parse_iso8601("2025-01-27T10:00:00", &t, err, sizeof err),
                     QF_ERR_INVALID);
    assert_non_null(strstr(err, "offset"));
    assert_int_equal(qf_clock_parse_iso8601("2025-01-27T24:00:00+08:00", &t, NULL, 0),
                     QF_ERR_INVALID);
    assert_int_equal(qf_clock_parse_iso8601("2025-02-30T10:00:00+08:00", &t, NULL, 0),
                     QF_ERR_INVALID);
    assert_int_equal(qf_clock_parse_iso8601("yesterday", &t, NULL, 0), QF_ERR_INVALID);
}

static void test_shanghai_day_ignores_host_tz(void **state)
{
    (void)state;
    qf_instant t;
    char buf[32];
    /* 16:30Z is already the next day (00:30) in Shanghai; New York (the TZ
     * CTest sets) would still say 11:30 on the same day. */
    assert_int_equal(qf_clock_parse_iso8601("2025-01-27T16:30:00Z", &t, NULL, 0), QF_OK);
    assert_int_equal(qf_instant_day(t), qf_day_from_ymd(2025, 1, 28));
    qf_clock_format_iso8601(t, buf, sizeof buf);
    assert_string_equal(buf, "2025-01-28T00:30:00+08:00");
    assert_int_equal(qf_day_at(qf_day_from_ymd(2025, 1, 28), 0, 30), t);
}

static void test_instant_day_before_epoch_floors(void **state)
{
    (void)state;
    /* 1969-12-31T15:59:59Z is 23:59:59 Shanghai: still 1969-12-31. */
    assert_int_equal(qf_instant_day(-8 * 3600 - 1), -1);
    assert_int_equal(qf_instant_day(-8 * 3600), 0);
}

static void test_fake_now_fixes_the_clock(void **state)
{
    (void)state;
    qf_instant want;
    char err[160];
    assert_int_equal(qf_clock_parse_iso8601("2025-02-05T09:30:00+08:00", &want, NULL, 0), QF_OK);
    setenv("QIFU_FAKE_NOW", "2025-02-05T09:30:00+08:00", 1);
    assert_int_equal(qf_clock_check_env(err, sizeof err), QF_OK);
    assert_int_equal(qf_clock_now(), want);
    assert_int_equal(qf_clock_now(), want);
    unsetenv("QIFU_FAKE_NOW");
    assert_true(qf_clock_now() > want);
}

static void test_malformed_fake_now_is_reported(void **state)
{
    (void)state;
    char err[160];
    setenv("QIFU_FAKE_NOW", "2025-02-05 09:30", 1);
    assert_int_equal(qf_clock_check_env(err, sizeof err), QF_ERR_INVALID);
    assert_non_null(strstr(err, "QIFU_FAKE_NOW"));
    /* now() falls back to the real clock rather than a guess */
    assert_true(qf_clock_now() > (qf_instant)1700000000);
    unsetenv("QIFU_FAKE_NOW");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_zero_is_unix_epoch_thursday),
        cmocka_unit_test(test_day_roundtrips_every_day_2000_to_2040),
        cmocka_unit_test(test_known_weekdays),
        cmocka_unit_test(test_day_parse_accepts_only_real_dates),
        cmocka_unit_test(test_day_format_pads),
        cmocka_unit_test(test_iso8601_offsets_give_the_same_instant),
        cmocka_unit_test(test_iso8601_requires_offset_and_valid_fields),
        cmocka_unit_test(test_shanghai_day_ignores_host_tz),
        cmocka_unit_test(test_instant_day_before_epoch_floors),
        cmocka_unit_test(test_fake_now_fixes_the_clock),
        cmocka_unit_test(test_malformed_fake_now_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
