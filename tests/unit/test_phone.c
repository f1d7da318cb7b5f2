/* test_phone.c — qf_phone: mobiles and area-coded landlines in the forms
 * people write them, the numbering-plan rules that decide where an area code
 * ends, what is refused and why, and masking that never shows a full number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qf_phone.h"

/* Parses in and asserts it is accepted as kind with canonical form want. */
static void expect_number(const char *in, qf_phone_kind want_kind, const char *want)
{
    char out[QF_PHONE_NORM_MAX], err[256] = "";
    qf_phone_kind kind = QF_PHONE_UNKNOWN;
    qf_err rc = qf_phone_parse(in, &kind, out, sizeof out, err, sizeof err);
    if (rc != QF_OK)
        fail_msg("'%s' refused: %s", in, err);
    assert_int_equal(kind, want_kind);
    assert_string_equal(out, want);
}

/* Parses in and asserts it is refused with a reason containing why. */
static void expect_refused(const char *in, const char *why)
{
    char out[QF_PHONE_NORM_MAX], err[256] = "";
    qf_phone_kind kind = QF_PHONE_MOBILE;
    qf_err rc = qf_phone_parse(in, &kind, out, sizeof out, err, sizeof err);
    if (rc == QF_OK)
        fail_msg("'%s' accepted as '%s'", in, out);
    assert_int_equal(rc, QF_ERR_INVALID);
    assert_int_equal(kind, QF_PHONE_UNKNOWN);
    assert_string_equal(out, "");
    if (!strstr(err, why))
        fail_msg("'%s': reason '%s' does not mention '%s'", in, err, why);
}

static void expect_mask(const char *in, const char *want)
{
    char out[QF_PHONE_MASK_MAX];
    assert_int_equal(qf_phone_mask(in, out, sizeof out), QF_OK);
    assert_string_equal(out, want);
}

static void test_mobile_accepts_second_digit_3_to_9(void **state)
{
    (void)state;
    for (char d = '3'; d <= '9'; d++) {
        char in[12];
        snprintf(in, sizeof in, "1%c912345678", d);
        expect_number(in, QF_PHONE_MOBILE, in);
    }
}

static void test_mobile_refuses_wrong_length_and_prefixes_10_to_12(void **state)
{
    (void)state;
    expect_refused("1381234567", "11 digits; this has 10");
    expect_refused("138123456789", "11 digits; this has 12");
    expect_refused("10012345678", "begins with 10");
    expect_refused("11012345678", "begins with 11");
    expect_refused("12012345678", "begins with 12");
    expect_refused("", "no digits");
    expect_refused(" - ", "no digits");
}

static void test_mobile_country_prefixes_and_grouping_are_removed(void **state)
{
    (void)state;
    expect_number("+86 138 1234 5678", QF_PHONE_MOBILE, "13812345678");
    expect_number("+86-13812345678", QF_PHONE_MOBILE, "13812345678");
    expect_number("+8613812345678", QF_PHONE_MOBILE, "13812345678");
    expect_number("0086 13812345678", QF_PHONE_MOBILE, "13812345678");
    expect_number("8613812345678", QF_PHONE_MOBILE, "13812345678");
    expect_number("138-1234-5678", QF_PHONE_MOBILE, "13812345678");
    expect_number("\t138 1234 5678 ", QF_PHONE_MOBILE, "13812345678");
    /* Full-width digits, ＋ and the ideographic space from a Chinese IME. */
    expect_number("＋８６\xE3\x80\x80１３８１２３４５６７８", QF_PHONE_MOBILE, "13812345678");
    expect_number("１３８－１２３４－５６７８", QF_PHONE_MOBILE, "13812345678");
    /* Only +86; a bare 86 only where it cannot be part of the number. */
    expect_refused("+1 415 555 0100", "+86");
    expect_refused("+86", "nothing after the country code");
    expect_refused("86138123456", "a landline needs its area code");
    expect_refused("138+12345678", "'+' may only start");
}

static void test_landline_forms_normalise_to_area_hyphen_subscriber(void **state)
{
    (void)state;
    expect_number("0571-85901890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_number("0571 85901890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_number("057185901890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_number("(0571)85901890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_number("(0571) 8590-1890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_number("0571-8590-1890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_number("（０５７１）８５９０１８９０", QF_PHONE_LANDLINE, "0571-85901890");
}

static void test_landline_three_digit_area_codes_are_010_and_02x(void **state)
{
    (void)state;
    /* Only 010 and 020–029 have three digits, so 11 digits starting 010 are
     * 3 + 8 and 11 digits starting 0912 are 4 + 7. */
    expect_number("010-62345678", QF_PHONE_LANDLINE, "010-62345678");
    expect_number("01062345678", QF_PHONE_LANDLINE, "010-62345678");
    expect_number("021 6888 1234", QF_PHONE_LANDLINE, "021-68881234");
    expect_number("02968881234", QF_PHONE_LANDLINE, "029-68881234");
    expect_number("09123456789", QF_PHONE_LANDLINE, "0912-3456789");
    expect_number("0912-3456789", QF_PHONE_LANDLINE, "0912-3456789");
    expect_refused("011-62345678", "no area code begins 01 except 010");
    /* The grouping must agree with the numbering plan. */
    expect_refused("057-185901890", "the area code is 0571, but the first group has 3 digits");
    expect_refused("0106-2345678", "the area code is 010, but the first group has 4 digits");
}

static void test_landline_subscriber_rules(void **state)
{
    (void)state;
    /* Subscriber numbers have 7 or 8 digits and never begin with 0 or 1: so
     * 010-12345678 (a placeholder often seen in forms) is refused. */
    expect_refused("010-12345678", "cannot begin with 1");
    expect_refused("0571-05901890", "cannot begin with 0");
    expect_refused("0571-859018", "7 or 8 digits; this has 6");
    expect_refused("0571-859018901", "7 or 8 digits; this has 9");
    expect_refused("85901890", "a landline needs its area code");
    expect_refused("0044 20 7946 0000", "not a mainland number");
}

static void test_landline_international_form_restores_the_trunk_zero(void **state)
{
    (void)state;
    expect_number("+86 571 85901890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_number("+86-10-62345678", QF_PHONE_LANDLINE, "010-62345678");
    expect_number("0086 571 8590 1890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_number("+86 (0571) 85901890", QF_PHONE_LANDLINE, "0571-85901890");
    expect_refused("+86 57 185901890", "the area code is 0571, but the first group has 3 digits");
}

static void test_extensions_and_stray_characters_are_refused(void **state)
{
    (void)state;
    expect_refused("0571-85901890-123", "extensions are not accepted");
    expect_refused("0571-85901890 8021", "extensions are not accepted");
    expect_refused("0571-85901890转123", "extensions (转, ext) are not accepted");
    expect_refused("0571-85901890 ext 12", "extensions (转, ext) are not accepted");
    expect_refused("138.1234.5678", "unexpected character '.'");
    expect_refused("138１２３4５６７８?", "unexpected character '?'");
    expect_refused("１３８１２３４５６７８号", "unexpected character (byte 0xE5)");
    expect_refused("(0571))85901890", "')' without a matching '('");
    expect_refused("(0571 85901890", "'(' without a matching ')'");
}

static void test_reasons_never_repeat_the_number(void **state)
{
    static const char *const bad[] = {
        "1381234567", "138123456789", "12012345678", "0571-859018", "0571-85901890-123",
        "85901890", "010-12345678",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "", digits[32];
        size_t n = 0;
        assert_int_not_equal(qf_phone_parse(bad[i], NULL, NULL, 0, err, sizeof err), QF_OK);
        for (const char *p = bad[i]; *p; p++)
            if (*p >= '0' && *p <= '9')
                digits[n++] = *p;
        digits[n] = '\0';
        /* No run of 5 of the number's digits appears in the reason. */
        for (size_t k = 0; k + 5 <= n; k++) {
            char run[6];
            memcpy(run, digits + k, 5);
            run[5] = '\0';
            if (strstr(err, run))
                fail_msg("reason for '%s' repeats '%s': %s", bad[i], run, err);
        }
    }
}

static void test_parse_limits_and_buffers(void **state)
{
    char big[QF_PHONE_INPUT_MAX + 2], out[QF_PHONE_NORM_MAX], small[11], err[128];
    qf_phone_kind kind = QF_PHONE_MOBILE;
    (void)state;
    memset(big, ' ', sizeof big);
    memcpy(big, "13812345678", 11);
    big[sizeof big - 1] = '\0';
    assert_int_equal(qf_phone_parse(big, &kind, out, sizeof out, err, sizeof err), QF_ERR_LIMIT);
    assert_int_equal(kind, QF_PHONE_UNKNOWN);
    big[QF_PHONE_INPUT_MAX] = '\0';
    assert_int_equal(qf_phone_parse(big, &kind, out, sizeof out, err, sizeof err), QF_OK);
    /* 11 digits need 12 bytes; 11 is refused and nothing partial is left. */
    kind = QF_PHONE_MOBILE;
    assert_int_equal(qf_phone_parse("13812345678", &kind, small, sizeof small, err, sizeof err),
                     QF_ERR_LIMIT);
    assert_string_equal(small, "");
    assert_int_equal(kind, QF_PHONE_UNKNOWN);
    /* Checking only, without output. */
    assert_int_equal(qf_phone_parse("0571 85901890", &kind, NULL, 0, NULL, 0), QF_OK);
    assert_int_equal(kind, QF_PHONE_LANDLINE);
    assert_int_equal(qf_phone_parse(NULL, &kind, out, sizeof out, err, sizeof err),
                     QF_ERR_INVALID);
    assert_string_equal(qf_phone_kind_str(QF_PHONE_MOBILE), "mobile");
    assert_string_equal(qf_phone_kind_str(QF_PHONE_LANDLINE), "landline");
    assert_string_equal(qf_phone_kind_str((qf_phone_kind)42), "unknown");
}

static void test_mask_shows_prefix_and_last_four_of_a_mobile(void **state)
{
    (void)state;
    expect_mask("13812345678", "138****5678");
    expect_mask("+86 138-1234-5678", "138****5678");
    expect_mask("１３８１２３４５６７８", "138****5678");
    expect_mask("8619912345678", "199****5678");
}

static void test_mask_shows_area_code_and_last_four_of_a_landline(void **state)
{
    (void)state;
    expect_mask("0571-85901890", "0571-****1890");
    expect_mask("057185901890", "0571-****1890");
    expect_mask("+86 10 62345678", "010-****5678");
    /* Always four stars: a 7-digit subscriber number looks the same. */
    expect_mask("0912-3456789", "0912-****6789");
}

static void test_mask_of_anything_else_keeps_at_most_two_characters(void **state)
{
    char big[QF_PHONE_INPUT_MAX + 2];
    (void)state;
    expect_mask("1381234567", "****67");        /* a mobile short of one digit */
    expect_mask("138123456789", "****89");
    expect_mask("0571-85901890-123", "****23");
    expect_mask("call me", "****me");           /* 6 letters, so the last 2 show */
    expect_mask("12345", "****");
    expect_mask("abc", "****");
    expect_mask("", "");
    expect_mask(NULL, "");
    memset(big, '9', sizeof big);
    big[sizeof big - 1] = '\0';
    expect_mask(big, "****");                   /* over the limit: nothing shown */
}

static void test_mask_never_reveals_more_than_7_digits_of_a_mobile(void **state)
{
    uint32_t x = 86u;
    (void)state;
    for (int n = 0; n < 3000; n++) {
        char mobile[12], in[40], out[QF_PHONE_MASK_MAX];
        int digits = 0;
        mobile[0] = '1';
        for (int i = 1; i < 11; i++) {
            x = x * 1103515245u + 12345u;
            mobile[i] = (char)('0' + (x >> 16) % 10);
        }
        mobile[1] = (char)('3' + mobile[1] % 7);
        mobile[11] = '\0';
        /* The same number as people write it, and near-misses around it. */
        switch (n % 7) {
        case 0: snprintf(in, sizeof in, "%s", mobile); break;
        case 1: snprintf(in, sizeof in, "+86 %.3s %.4s %.4s", mobile, mobile + 3, mobile + 7); break;
        case 2: snprintf(in, sizeof in, "%.3s-%.4s-%.4s", mobile, mobile + 3, mobile + 7); break;
        case 3: snprintf(in, sizeof in, "0086%s", mobile); break;
        case 4: snprintf(in, sizeof in, "86%s", mobile); break;
        case 5: snprintf(in, sizeof in, "%s5", mobile); break;      /* 12 digits */
        default: snprintf(in, sizeof in, "%.10s", mobile); break;   /* 10 digits */
        }
        assert_int_equal(qf_phone_mask(in, out, sizeof out), QF_OK);
        for (const char *p = out; *p; p++)
            digits += *p >= '0' && *p <= '9';
        assert_true(digits <= 7);
        if (n % 7 <= 4) {
            char want[12];
            snprintf(want, sizeof want, "%.3s****%s", mobile, mobile + 7);
            assert_string_equal(out, want);
        } else {
            assert_true(digits <= 2);
        }
    }
}

static void test_mask_buffers_too_small_leave_nothing_partial(void **state)
{
    char out[8];
    (void)state;
    memset(out, 'x', sizeof out);
    assert_int_equal(qf_phone_mask("13812345678", out, sizeof out), QF_ERR_LIMIT);
    assert_string_equal(out, "");
    assert_int_equal(qf_phone_mask("13812345678", out, 0), QF_ERR_INVALID);
    assert_int_equal(qf_phone_mask("13812345678", NULL, 16), QF_ERR_INVALID);
    /* Exactly enough room: 11 characters and the NUL. */
    char exact[12];
    assert_int_equal(qf_phone_mask("13812345678", exact, sizeof exact), QF_OK);
    assert_string_equal(exact, "138****5678");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mobile_accepts_second_digit_3_to_9),
        cmocka_unit_test(test_mobile_refuses_wrong_length_and_prefixes_10_to_12),
        cmocka_unit_test(test_mobile_country_prefixes_and_grouping_are_removed),
        cmocka_unit_test(test_landline_forms_normalise_to_area_hyphen_subscriber),
        cmocka_unit_test(test_landline_three_digit_area_codes_are_010_and_02x),
        cmocka_unit_test(test_landline_subscriber_rules),
        cmocka_unit_test(test_landline_international_form_restores_the_trunk_zero),
        cmocka_unit_test(test_extensions_and_stray_characters_are_refused),
        cmocka_unit_test(test_reasons_never_repeat_the_number),
        cmocka_unit_test(test_parse_limits_and_buffers),
        cmocka_unit_test(test_mask_shows_prefix_and_last_four_of_a_mobile),
        cmocka_unit_test(test_mask_shows_area_code_and_last_four_of_a_landline),
        cmocka_unit_test(test_mask_of_anything_else_keeps_at_most_two_characters),
        cmocka_unit_test(test_mask_never_reveals_more_than_7_digits_of_a_mobile),
        cmocka_unit_test(test_mask_buffers_too_small_leave_nothing_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
