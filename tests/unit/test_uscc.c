/* test_uscc.c — qf_uscc: both check characters recomputed here from the
 * standards' arithmetic (not copied from the library), published codes,
 * every single-character substitution and adjacent transposition caught,
 * input normalisation, and each problem reported with its details in English
 * and Chinese. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qf_uscc.h"

/* ---- reference arithmetic, written independently of qf_uscc.c ---------- */

static const char ALPHABET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY"; /* no I O S V Z */

static int ref_value(char c)
{
    const char *p = c ? strchr(ALPHABET, c) : NULL;
    assert_non_null(p);
    return (int)(p - ALPHABET);
}

/* GB 32100-2015: C18 = 31 - (sum of value_i * 3^(i-1) mod 31) mod 31, with 31
 * written as '0'. The weights are produced by repeated multiplication here
 * rather than taken from a table. */
static char ref_check(const char *c17)
{
    int w = 1, sum = 0, r;
    for (int i = 0; i < 17; i++) {
        sum += ref_value(c17[i]) * w;
        w = w * 3 % 31;
    }
    r = 31 - sum % 31;
    return ALPHABET[r == 31 ? 0 : r];
}

/* GB 11714-1997: digits are 0-9, A-Z are 10-35; C9 = 11 - sum mod 11, with 10
 * written as 'X' and 11 as '0'. */
static char ref_org_check(const char *b8)
{
    static const int w[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
    int sum = 0, r;
    for (int i = 0; i < 8; i++) {
        char c = b8[i];
        sum += (c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10) * w[i];
    }
    r = 11 - sum % 11;
    return r == 10 ? 'X' : r == 11 ? '0' : (char)('0' + r);
}

/* Positions 1–16 given; fills position 17 (organisation check) and 18. */
static void ref_complete(const char *first16, char out[QF_USCC_LEN + 1])
{
    memcpy(out, first16, 16);
    out[16] = ref_org_check(out + 8);
    out[17] = ref_check(out);
    out[18] = '\0';
}

/* Published codes whose two check characters we verified by hand (see
 * test_hand_worked_codes_pass_both_checks for the arithmetic of two of them
 * and test_published_codes_are_valid for the others, recomputed by the
 * reference functions above). */
static const char *const published[] = {
    "914403001922038216",   /* 华为技术有限公司 */
    "91440300708461136T",   /* 深圳市腾讯计算机系统有限公司 */
    "91110108551385082Q",   /* 小米科技有限责任公司 */
    "91110000802100433B",
    "91330100716105852F",
    "12440600MB2C07549J",   /* a 事业单位 (authority 1, type 2) in Foshan */
};
#define N_PUBLISHED (sizeof published / sizeof published[0])

/* ---- check arithmetic --------------------------------------------------- */

static void test_weights_are_powers_of_three_mod_31(void **state)
{
    /* The weights GB 32100 prints: 3^0..3^16 mod 31. */
    static const int printed[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
    int w = 1;
    (void)state;
    for (int i = 0; i < 17; i++) {
        assert_int_equal(w, printed[i]);
        w = w * 3 % 31;
    }
    /* A 1 in one position and 0 elsewhere isolates that weight: the check is
     * 31 - w (mod 31). Position 17 has weight 28, so the check is 3. */
    assert_int_equal(qf_uscc_check_char("00000000000000001"), '3');
    /* Position 1 has weight 1: the check is 31 - 1 = 30, the last letter, Y. */
    assert_int_equal(qf_uscc_check_char("10000000000000000"), 'Y');
}

static void test_hand_worked_codes_pass_both_checks(void **state)
{
    (void)state;
    /* 914403001922038216 (华为技术有限公司).
     * chars:   9  1  4   4  0  3  0  0  1   9  2  2 0  3  8  2  1
     * weights: 1  3  9  27 19 26 16 17 20  29 25 13 8 24 10 30 28
     * products 9  3 36 108  0 78  0  0 20 261 50 26 0 72 80 60 28
     * sum = 831 = 26*31 + 25, so the check is 31 - 25 = 6 -> '6'.
     * Organisation code 19220382-1:
     *   1*3 + 9*7 + 2*9 + 2*10 + 0*5 + 3*8 + 8*4 + 2*2
     *   = 3 + 63 + 18 + 20 + 0 + 24 + 32 + 4 = 164 = 14*11 + 10,
     *   so the check is 11 - 10 = 1 -> '1'. */
    assert_int_equal(ref_check("91440300192203821"), '6');
    assert_int_equal(qf_uscc_check_char("91440300192203821"), '6');
    assert_int_equal(ref_org_check("19220382"), '1');
    assert_int_equal(qf_uscc_org_check_char("19220382"), '1');

    /* 12440600MB2C07549J — letters count by their place in the alphabet
     * (M = 21, B = 11, C = 12) for position 18:
     * chars:   1 2  4   4 0  6 0 0  M=21  B=11 2  C=12 0  7  5  4  9
     * products 1 6 36 108 0 156 0 0 420   319 50 156  0 168 50 120 252
     * sum = 1842 = 59*31 + 13, check = 31 - 13 = 18 -> ALPHABET[18] = 'J'.
     * In GB 11714 letters count A = 10 … Z = 35 (M = 22, B = 11, C = 12):
     *   22*3 + 11*7 + 2*9 + 12*10 + 0*5 + 7*8 + 5*4 + 4*2
     *   = 66 + 77 + 18 + 120 + 0 + 56 + 20 + 8 = 365 = 33*11 + 2,
     *   check = 11 - 2 = 9 -> '9'. */
    assert_int_equal(ref_check("12440600MB2C07549"), 'J');
    assert_int_equal(qf_uscc_check_char("12440600MB2C07549"), 'J');
    assert_int_equal(qf_uscc_org_check_char("MB2C0754"), '9');
    assert_int_equal(qf_uscc_validate("914403001922038216", NULL, NULL, NULL, 0), QF_OK);
    assert_int_equal(qf_uscc_validate("12440600MB2C07549J", NULL, NULL, NULL, 0), QF_OK);
}

static void test_check_remainder_zero_is_written_0(void **state)
{
    (void)state;
    /* 91440300708461136 sums to 966 = 31*31 + 5 (check 26 -> 'T'). Position
     * 17 has weight 28; replacing its '6' (6) by 'J' (18) adds 28*12 = 336:
     * 966 + 336 = 1302 = 42*31, remainder 0, so 31 - 0 = 31 is written '0'. */
    assert_int_equal(qf_uscc_check_char("91440300708461136"), 'T');
    assert_int_equal(qf_uscc_check_char("9144030070846113J"), '0');
    assert_int_equal(ref_check("9144030070846113J"), '0');
}

static void test_check_char_matches_reference_and_reaches_all_31(void **state)
{
    char c17[18] = { 0 };
    int seen[31] = { 0 }, distinct = 0;
    uint32_t x = 20250127u;
    (void)state;
    for (int n = 0; n < 5000; n++) {
        for (int i = 0; i < 17; i++) {
            x = x * 1103515245u + 12345u;
            c17[i] = ALPHABET[(x >> 16) % 31];
        }
        char got = qf_uscc_check_char(c17);
        assert_int_equal(got, ref_check(c17));
        seen[ref_value(got)] = 1;
    }
    for (int i = 0; i < 31; i++)
        distinct += seen[i];
    assert_int_equal(distinct, 31);
}

static void test_check_chars_refuse_characters_outside_their_alphabet(void **state)
{
    (void)state;
    assert_int_equal(qf_uscc_check_char("9144030070846113I"), '\0');
    assert_int_equal(qf_uscc_check_char("9144030070846113a"), '\0');
    assert_int_equal(qf_uscc_check_char("91440300 08461136"), '\0');
    assert_int_equal(qf_uscc_org_check_char("7084611a"), '\0');
    assert_int_equal(qf_uscc_org_check_char("7084-611"), '\0');
}

static void test_org_check_writes_10_as_X_and_11_as_0(void **state)
{
    (void)state;
    /* 00000000: sum 0, 11 - 0 = 11 -> '0'.
     * 00000006: 6*2 = 12 = 11 + 1, 11 - 1 = 10 -> 'X'.
     * MA27U8GY: 22*3+10*7+2*9+7*10+30*5+8*8+16*4+34*2 = 570 = 51*11 + 9 -> '2'. */
    assert_int_equal(qf_uscc_org_check_char("00000000"), '0');
    assert_int_equal(qf_uscc_org_check_char("00000006"), 'X');
    assert_int_equal(qf_uscc_org_check_char("MA27U8GY"), '2');
    /* GB 11714 bodies may use I, O, S, V, Z even though a USCC may not. */
    assert_int_equal(qf_uscc_org_check_char("ZZZZZZZZ"), ref_org_check("ZZZZZZZZ"));

    /* Whole codes whose organisation check is 'X' and '0' are accepted. */
    char code[QF_USCC_LEN + 1];
    ref_complete("9133010000000006", code);
    assert_int_equal(code[16], 'X');
    assert_int_equal(qf_uscc_validate(code, NULL, NULL, NULL, 0), QF_OK);
    ref_complete("9133010000000000", code);
    assert_int_equal(code[16], '0');
    assert_int_equal(qf_uscc_validate(code, NULL, NULL, NULL, 0), QF_OK);
}

static void test_published_codes_are_valid(void **state)
{
    char norm[QF_USCC_LEN + 1], err[256];
    qf_uscc_problem problem;
    (void)state;
    for (size_t i = 0; i < N_PUBLISHED; i++) {
        const char *c = published[i];
        assert_int_equal(c[16], ref_org_check(c + 8));
        assert_int_equal(c[17], ref_check(c));
        problem = QF_USCC_PROBLEM__COUNT;
        assert_int_equal(qf_uscc_validate(c, norm, &problem, err, sizeof err), QF_OK);
        assert_int_equal(problem, QF_USCC_PROBLEM_NONE);
        assert_string_equal(norm, c);
    }
}

/* ---- error detection ---------------------------------------------------- */

static void test_every_single_substitution_is_caught(void **state)
{
    char codes[N_PUBLISHED + 40][QF_USCC_LEN + 1];
    size_t n = 0, tried = 0;
    uint32_t x = 32100u;
    (void)state;
    for (size_t i = 0; i < N_PUBLISHED; i++)
        memcpy(codes[n++], published[i], QF_USCC_LEN + 1);
    /* Plus 40 generated codes over all authorities and random bodies. */
    static const char *const kinds[] = { "91", "92", "93", "11", "12", "51", "53", "N2", "Y1", "A9" };
    for (int k = 0; k < 40; k++) {
        char first16[17];
        memcpy(first16, kinds[k % 10], 2);
        for (int i = 2; i < 16; i++) {
            x = x * 1103515245u + 12345u;
            first16[i] = i < 8 ? (char)('0' + (x >> 16) % 10) : ALPHABET[(x >> 16) % 31];
        }
        first16[16] = '\0';
        ref_complete(first16, codes[n]);
        assert_int_equal(qf_uscc_validate(codes[n], NULL, NULL, NULL, 0), QF_OK);
        n++;
    }
    for (size_t c = 0; c < n; c++) {
        for (int pos = 0; pos < QF_USCC_LEN; pos++) {
            for (int a = 0; a < 31; a++) {
                char bad[QF_USCC_LEN + 1];
                qf_uscc_problem problem = QF_USCC_PROBLEM_NONE;
                if (ALPHABET[a] == codes[c][pos])
                    continue;
                memcpy(bad, codes[c], sizeof bad);
                bad[pos] = ALPHABET[a];
                if (qf_uscc_validate(bad, NULL, &problem, NULL, 0) == QF_OK)
                    fail_msg("substitution %s -> %s (position %d) was accepted", codes[c], bad,
                             pos + 1);
                assert_int_not_equal(problem, QF_USCC_PROBLEM_NONE);
                tried++;
            }
        }
    }
    assert_int_equal(tried, n * QF_USCC_LEN * 30);
}

static void test_every_adjacent_transposition_in_first_17_is_caught(void **state)
{
    (void)state;
    /* Swapping values a, b at positions i, i+1 changes the sum by
     * (a - b)(w_i - w_i+1) = (a - b) * w_i * (1 - 3), never 0 mod 31. */
    for (size_t c = 0; c < N_PUBLISHED; c++) {
        for (int i = 0; i + 1 < 17; i++) {
            char bad[QF_USCC_LEN + 1];
            memcpy(bad, published[c], sizeof bad);
            if (bad[i] == bad[i + 1])
                continue;
            bad[i] = published[c][i + 1];
            bad[i + 1] = published[c][i];
            assert_int_not_equal(qf_uscc_validate(bad, NULL, NULL, NULL, 0), QF_OK);
        }
    }
}

/* ---- normalisation ------------------------------------------------------ */

static void test_normalize_folds_full_width_lower_case_and_separators(void **state)
{
    char out[QF_USCC_LEN + 1];
    (void)state;
    /* Full-width digits and letters, ideographic space U+3000, full-width
     * hyphen U+FF0D, full-width lower-case ｔ (U+FF54). */
    assert_int_equal(qf_uscc_normalize("９１４４０３００\xE3\x80\x80７０８４６１１３－６ｔ", out,
                                       NULL, 0), QF_OK);
    assert_string_equal(out, "91440300708461136T");
    assert_int_equal(qf_uscc_normalize("９１４４０３００ＭＢ２Ｃ０７５４９Ｊ", out, NULL, 0), QF_OK);
    assert_string_equal(out, "91440300MB2C07549J");
    assert_int_equal(qf_uscc_normalize(" 9144-0300-7084-6113-6t\t", out, NULL, 0), QF_OK);
    assert_string_equal(out, "91440300708461136T");
    assert_int_equal(qf_uscc_normalize("12440600mb2c07549j", out, NULL, 0), QF_OK);
    assert_string_equal(out, "12440600MB2C07549J");
    /* Normalising alone does not validate: a half-typed field is fine. */
    assert_int_equal(qf_uscc_normalize("91 44", out, NULL, 0), QF_OK);
    assert_string_equal(out, "9144");
    assert_int_equal(qf_uscc_normalize("", out, NULL, 0), QF_OK);
    assert_string_equal(out, "");

    /* validate normalises the same way. */
    char norm[QF_USCC_LEN + 1];
    assert_int_equal(qf_uscc_validate("9144 0300 7084 6113 6t", norm, NULL, NULL, 0), QF_OK);
    assert_string_equal(norm, "91440300708461136T");
    assert_int_equal(qf_uscc_validate("９１１１０１０８５５１３８５０８２ｑ", norm, NULL, NULL, 0), QF_OK);
    assert_string_equal(norm, "91110108551385082Q");
}

static void test_normalize_refuses_long_or_non_ascii_input(void **state)
{
    char out[QF_USCC_LEN + 1], err[256];
    (void)state;
    strcpy(out, "junk");
    assert_int_equal(qf_uscc_normalize("91440300708461136T1", out, err, sizeof err),
                     QF_ERR_INVALID);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "19 characters"));
    assert_int_equal(qf_uscc_normalize("9144和", out, err, sizeof err), QF_ERR_INVALID);
    assert_non_null(strstr(err, "character 5"));
    assert_int_equal(qf_uscc_normalize("9144\n", out, err, sizeof err), QF_ERR_INVALID);
    assert_int_equal(qf_uscc_normalize(NULL, out, err, sizeof err), QF_ERR_INVALID);
}

/* ---- each problem, with its details ------------------------------------- */

static void test_length_problem_reports_the_count(void **state)
{
    char norm[QF_USCC_LEN + 1], err[256];
    qf_uscc_problem problem;
    (void)state;
    assert_int_equal(qf_uscc_validate("91440300708461136", norm, &problem, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(problem, QF_USCC_PROBLEM_LENGTH);
    assert_string_equal(err, "a code has 18 characters; this has 17");
    assert_string_equal(norm, "");
    assert_int_equal(qf_uscc_validate("91440300708461136TT", norm, &problem, err, sizeof err),
                     QF_ERR_INVALID);
    assert_string_equal(err, "a code has 18 characters; this has 19");
    assert_int_equal(qf_uscc_validate(" - \t", norm, &problem, err, sizeof err), QF_ERR_INVALID);
    assert_string_equal(err, "a code has 18 characters; this has 0");
    assert_int_equal(qf_uscc_validate(NULL, norm, &problem, NULL, 0), QF_ERR_INVALID);
    assert_int_equal(problem, QF_USCC_PROBLEM_LENGTH);
}

static void test_input_over_the_limit_is_refused(void **state)
{
    char big[QF_USCC_INPUT_MAX + 2], norm[QF_USCC_LEN + 1], err[256];
    qf_uscc_problem problem;
    (void)state;
    /* 18 real characters padded with spaces past the byte limit. */
    memset(big, ' ', sizeof big);
    memcpy(big, "91440300708461136T", 18);
    big[sizeof big - 1] = '\0';
    assert_int_equal(qf_uscc_validate(big, norm, &problem, err, sizeof err), QF_ERR_LIMIT);
    assert_int_equal(problem, QF_USCC_PROBLEM_LENGTH);
    assert_non_null(strstr(err, "longer than 256 bytes"));
    assert_int_equal(qf_uscc_normalize(big, norm, err, sizeof err), QF_ERR_LIMIT);
    /* Exactly at the limit is still read. */
    big[QF_USCC_INPUT_MAX] = '\0';
    assert_int_equal(qf_uscc_validate(big, norm, &problem, err, sizeof err), QF_OK);
}

static void test_excluded_letters_are_bad_characters_at_their_position(void **state)
{
    static const char excluded[] = "IOSVZ";
    char err[256], want[128];
    qf_uscc_problem problem;
    (void)state;
    for (int e = 0; e < 5; e++) {
        for (int pos = 0; pos < QF_USCC_LEN; pos++) {
            char bad[QF_USCC_LEN + 1];
            memcpy(bad, "91440300708461136T", sizeof bad);
            bad[pos] = excluded[e];
            assert_int_equal(qf_uscc_validate(bad, NULL, &problem, err, sizeof err),
                             QF_ERR_INVALID);
            assert_int_equal(problem, QF_USCC_PROBLEM_CHAR);
            snprintf(want, sizeof want, "character %d ('%c') is not allowed", pos + 1,
                     excluded[e]);
            assert_memory_equal(err, want, strlen(want));
        }
    }
    /* Lower-case o is folded to O and then refused, not mistaken for 0. */
    assert_int_equal(qf_uscc_validate("9144030070846113o6", NULL, &problem, NULL, 0),
                     QF_ERR_INVALID);
    assert_int_equal(problem, QF_USCC_PROBLEM_CHAR);
}

static void test_non_ascii_and_broken_utf8_are_named_with_position(void **state)
{
    qf_uscc_report r;
    char msg[256];
    (void)state;
    assert_int_equal(qf_uscc_inspect("9144和300708461136T", &r), QF_ERR_INVALID);
    assert_int_equal(r.problem, QF_USCC_PROBLEM_CHAR);
    assert_int_equal(r.position, 5);
    assert_string_equal(r.got, "和");
    qf_uscc_report_describe_zh(&r, msg, sizeof msg);
    assert_non_null(strstr(msg, "第5位“和”"));

    assert_int_equal(qf_uscc_inspect("91440300" "\xFF" "08461136T", &r), QF_ERR_INVALID);
    assert_int_equal(r.position, 9);
    assert_string_equal(r.got, "\\xFF");

    /* A literal '?' before a foreign character is reported as itself. */
    assert_int_equal(qf_uscc_inspect("9?440300和08461136T", &r), QF_ERR_INVALID);
    assert_int_equal(r.position, 2);
    assert_string_equal(r.got, "?");
    /* A truncated UTF-8 sequence at the end is one bad character. */
    assert_int_equal(qf_uscc_inspect("91440300708461136\xE5", &r), QF_ERR_INVALID);
    assert_int_equal(r.position, 18);
}

static const char *const table_pairs[] = {
    /* GB 32100-2015 Table 1 and later assignments, as documented in qf_uscc.c. */
    "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39",
    "41", "49", "51", "52", "53", "59", "61", "62", "69", "71", "72", "79",
    "81", "89", "91", "92", "93", "A1", "A9", "N1", "N2", "N3", "N9", "Y1",
};

static void test_only_registered_authority_type_pairs_are_accepted(void **state)
{
    (void)state;
    /* Every pair over the alphabet, with correct check characters, so the
     * pair is the only thing that can be wrong. */
    for (int a = 0; a < 31; a++) {
        for (int t = 0; t < 31; t++) {
            char first16[17], code[QF_USCC_LEN + 1];
            qf_uscc_problem problem;
            bool listed = false, authority = false;
            snprintf(first16, sizeof first16, "%c%c330106MA27U8GY", ALPHABET[a], ALPHABET[t]);
            ref_complete(first16, code);
            for (size_t i = 0; i < sizeof table_pairs / sizeof table_pairs[0]; i++) {
                authority |= table_pairs[i][0] == ALPHABET[a];
                listed |= table_pairs[i][0] == ALPHABET[a] && table_pairs[i][1] == ALPHABET[t];
            }
            qf_err rc = qf_uscc_validate(code, NULL, &problem, NULL, 0);
            if (listed) {
                assert_int_equal(rc, QF_OK);
            } else {
                assert_int_equal(rc, QF_ERR_INVALID);
                assert_int_equal(problem, authority ? QF_USCC_PROBLEM_TYPE
                                                    : QF_USCC_PROBLEM_AUTHORITY);
            }
        }
    }
}

static void test_authority_and_type_problems_name_the_character(void **state)
{
    char code[QF_USCC_LEN + 1], err[256];
    qf_uscc_problem problem;
    (void)state;
    ref_complete("B1330106MA27U8GY", code);
    assert_int_equal(qf_uscc_validate(code, NULL, &problem, err, sizeof err), QF_ERR_INVALID);
    assert_int_equal(problem, QF_USCC_PROBLEM_AUTHORITY);
    assert_string_equal(err, "position 1 ('B') is not a registration authority code");
    ref_complete("94330106MA27U8GY", code);
    assert_int_equal(qf_uscc_validate(code, NULL, &problem, err, sizeof err), QF_ERR_INVALID);
    assert_int_equal(problem, QF_USCC_PROBLEM_TYPE);
    assert_string_equal(err,
                        "position 2 ('4') is not an organisation type of registration authority '9'");
    assert_string_equal(qf_uscc_authority_zh('9'), "工商");
    assert_string_equal(qf_uscc_type_zh('9', '2'), "个体工商户");
    assert_string_equal(qf_uscc_type_zh('5', '3'), "基金会");
    assert_null(qf_uscc_authority_zh('B'));
    assert_null(qf_uscc_type_zh('9', '9'));
}

static void test_division_code_must_be_six_digits(void **state)
{
    char code[QF_USCC_LEN + 1];
    qf_uscc_report r;
    (void)state;
    for (int pos = 2; pos < 8; pos++) {
        char first16[17];
        memcpy(first16, "91330106MA27U8GY", 17);
        first16[pos] = 'A';
        ref_complete(first16, code);
        assert_int_equal(qf_uscc_inspect(code, &r), QF_ERR_INVALID);
        assert_int_equal(r.problem, QF_USCC_PROBLEM_DIVISION);
        assert_int_equal(r.position, pos + 1);
        assert_string_equal(r.got, "A");
    }
    /* The national-level division 100000 is fine: only digits are checked. */
    ref_complete("91100000MA27U8GY", code);
    assert_int_equal(qf_uscc_inspect(code, &r), QF_OK);
}

static void test_organisation_check_failure_names_expected_character(void **state)
{
    char code[QF_USCC_LEN + 1], err[256];
    qf_uscc_problem problem;
    (void)state;
    /* 91330106MA27U8GY: organisation check is '2' (570 mod 11 = 9). Put '3'
     * there and recompute position 18 so only the organisation check fails. */
    memcpy(code, "91330106MA27U8GY3", 17);
    code[17] = ref_check(code);
    code[18] = '\0';
    assert_int_equal(qf_uscc_validate(code, NULL, &problem, err, sizeof err), QF_ERR_INVALID);
    assert_int_equal(problem, QF_USCC_PROBLEM_ORG_CHECK);
    assert_string_equal(err, "organisation code (positions 9-17) fails its check: "
                             "position 17 expected '2', got '3'");
}

static void test_final_check_failure_says_expected_and_got(void **state)
{
    char norm[QF_USCC_LEN + 1], err[256], zh[256];
    qf_uscc_problem problem;
    qf_uscc_report r;
    (void)state;
    assert_int_equal(qf_uscc_validate("91440300708461136u", norm, &problem, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(problem, QF_USCC_PROBLEM_CHECK);
    assert_string_equal(err, "check character (position 18) is wrong: expected 'T', got 'U'");
    /* The normalised code is returned even though it is invalid. */
    assert_string_equal(norm, "91440300708461136U");
    assert_int_equal(qf_uscc_inspect("91440300708461136U", &r), QF_ERR_INVALID);
    assert_int_equal(r.expected, 'T');
    assert_int_equal(r.position, 18);
    qf_uscc_report_describe_zh(&r, zh, sizeof zh);
    assert_string_equal(zh, "第18位校验码不符：应为“T”，输入的是“U”，请核对代码");
}

static void test_problem_phrases_exist_in_english_and_chinese(void **state)
{
    (void)state;
    assert_string_equal(qf_uscc_problem_zh(QF_USCC_PROBLEM_LENGTH), "长度应为18位");
    assert_string_equal(qf_uscc_problem_zh(QF_USCC_PROBLEM_CHECK), "校验码不符");
    assert_string_equal(qf_uscc_problem_str(QF_USCC_PROBLEM_LENGTH), "must be 18 characters");
    for (int p = 0; p < QF_USCC_PROBLEM__COUNT; p++) {
        assert_true(strlen(qf_uscc_problem_str((qf_uscc_problem)p)) > 0);
        assert_true(strlen(qf_uscc_problem_zh((qf_uscc_problem)p)) > 0);
        for (int q = 0; q < p; q++)
            assert_string_not_equal(qf_uscc_problem_zh((qf_uscc_problem)p),
                                    qf_uscc_problem_zh((qf_uscc_problem)q));
    }
    assert_non_null(qf_uscc_problem_zh(QF_USCC_PROBLEM__COUNT));
    assert_non_null(qf_uscc_problem_str((qf_uscc_problem)-1));
}

static void test_small_error_buffers_are_truncated_safely(void **state)
{
    char err[8], zh[5];
    qf_uscc_report r;
    (void)state;
    memset(err, 'x', sizeof err);
    assert_int_equal(qf_uscc_validate("91440300708461136U", NULL, NULL, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(err[sizeof err - 1], '\0');
    assert_string_equal(err, "check c");
    assert_int_equal(qf_uscc_inspect("91440300708461136U", &r), QF_ERR_INVALID);
    qf_uscc_report_describe_zh(&r, zh, sizeof zh);
    assert_int_equal(zh[sizeof zh - 1], '\0');
    /* A NULL or empty buffer is simply not written. */
    assert_int_equal(qf_uscc_validate("91440300708461136U", NULL, NULL, NULL, 99),
                     QF_ERR_INVALID);
    qf_uscc_report_describe(&r, err, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_are_powers_of_three_mod_31),
        cmocka_unit_test(test_hand_worked_codes_pass_both_checks),
        cmocka_unit_test(test_check_remainder_zero_is_written_0),
        cmocka_unit_test(test_check_char_matches_reference_and_reaches_all_31),
        cmocka_unit_test(test_check_chars_refuse_characters_outside_their_alphabet),
        cmocka_unit_test(test_org_check_writes_10_as_X_and_11_as_0),
        cmocka_unit_test(test_published_codes_are_valid),
        cmocka_unit_test(test_every_single_substitution_is_caught),
        cmocka_unit_test(test_every_adjacent_transposition_in_first_17_is_caught),
        cmocka_unit_test(test_normalize_folds_full_width_lower_case_and_separators),
        cmocka_unit_test(test_normalize_refuses_long_or_non_ascii_input),
        cmocka_unit_test(test_length_problem_reports_the_count),
        cmocka_unit_test(test_input_over_the_limit_is_refused),
        cmocka_unit_test(test_excluded_letters_are_bad_characters_at_their_position),
        cmocka_unit_test(test_non_ascii_and_broken_utf8_are_named_with_position),
        cmocka_unit_test(test_only_registered_authority_type_pairs_are_accepted),
        cmocka_unit_test(test_authority_and_type_problems_name_the_character),
        cmocka_unit_test(test_division_code_must_be_six_digits),
        cmocka_unit_test(test_organisation_check_failure_names_expected_character),
        cmocka_unit_test(test_final_check_failure_says_expected_and_got),
        cmocka_unit_test(test_problem_phrases_exist_in_english_and_chinese),
        cmocka_unit_test(test_small_error_buffers_are_truncated_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
