/* test_text.c — qf_text: UTF-8 decoding and line breaking. Widths come from a
 * fixed-width measure (each CJK character 2 units, everything else 1), so
 * every expected line can be worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qf_text.h"

static int cells(const char *s, size_t len, void *ud)
{
    int *calls = ud;
    if (calls)
        (*calls)++;
    int w = 0;
    size_t pos = 0;
    while (pos < len) {
        uint32_t cp;
        pos += qf_utf8_decode(s + pos, len - pos, &cp);
        w += qf_text_is_cjk(cp) ? 2 : 1;
    }
    return w;
}

/* Wraps text at width and asserts the lines are exactly want[] (NULL-ended). */
static void expect_wrap(const char *text, int width, const char *const *want)
{
    qf_text_line lines[64];
    size_t n = 99;
    assert_int_equal(qf_text_wrap(text, width, cells, NULL, lines, 64, &n), QF_OK);
    size_t nwant = 0;
    while (want[nwant])
        nwant++;
    for (size_t i = 0; i < n && i < nwant; i++) {
        char got[256];
        snprintf(got, sizeof got, "%.*s", (int)lines[i].len, text + lines[i].start);
        if (strcmp(got, want[i]) != 0)
            fail_msg("'%s' at %d: line %zu is '%s', want '%s'", text, width, i, got, want[i]);
        assert_true(cells(got, strlen(got), NULL) <= width || strlen(got) <= 4);
    }
    if (n != nwant)
        fail_msg("'%s' at %d: %zu lines, want %zu", text, width, n, nwant);
}

static void test_cjk_breaks_between_any_two_characters(void **state)
{
    (void)state;
    expect_wrap("钱塘区企业综合服务中心", 8,
                (const char *const[]){ "钱塘区企", "业综合服", "务中心", NULL });
    expect_wrap("钱塘区企业综合服务中心", 9,
                (const char *const[]){ "钱塘区企", "业综合服", "务中心", NULL });
}

static void test_latin_words_are_kept_whole_and_break_at_spaces(void **state)
{
    (void)state;
    expect_wrap("Queue number please wait", 12,
                (const char *const[]){ "Queue number", "please wait", NULL });
    expect_wrap("Scan for queue status", 10,
                (const char *const[]){ "Scan for", "queue", "status", NULL });
    /* Several spaces at a soft break are all dropped. */
    expect_wrap("ab   cd", 3, (const char *const[]){ "ab", "cd", NULL });
}

static void test_line_never_starts_with_closing_punctuation(void **state)
{
    (void)state;
    /* 。 would start line 2: 务 moves down with it (push-out, never wider). */
    expect_wrap("请到综合服务。谢谢", 12,
                (const char *const[]){ "请到综合服", "务。谢谢", NULL });
    expect_wrap("请到综合服务窗。谢谢", 14,
                (const char *const[]){ "请到综合服务", "窗。谢谢", NULL });
    expect_wrap("材料齐全，当场办结", 8,
                (const char *const[]){ "材料齐", "全，当场", "办结", NULL });
    /* Full-width ）and 」 too, and ASCII , after CJK. */
    expect_wrap("营业执照（副本）复印件", 14,
                (const char *const[]){ "营业执照（副", "本）复印件", NULL });
    expect_wrap("一二三四,五", 8, (const char *const[]){ "一二三", "四,五", NULL });
}

static void test_line_never_ends_with_opening_punctuation(void **state)
{
    (void)state;
    /* （ would end line 1: it moves down to the next line. */
    expect_wrap("营业执照（副本）", 10,
                (const char *const[]){ "营业执照", "（副本）", NULL });
    expect_wrap("请出示「身份证」", 8,
                (const char *const[]){ "请出示", "「身份", "证」", NULL });
}

static void test_single_word_wider_than_line_is_hard_broken(void **state)
{
    (void)state;
    expect_wrap("https://qifu.example/q/A023", 10,
                (const char *const[]){ "https://qi", "fu.example", "/q/A023", NULL });
    expect_wrap("see abcdefghijkl now", 6,
                (const char *const[]){ "see", "abcdef", "ghijkl", "now", NULL });
}

static void test_mixed_chinese_and_latin(void **state)
{
    (void)state;
    /* The word Queue stays whole; breaks fall between CJK and Latin. */
    expect_wrap("排队号 Queue number A023", 12,
                (const char *const[]){ "排队号 Queue", "number A023", NULL });
    expect_wrap("请扫码QRcode查看", 10,
                (const char *const[]){ "请扫码", "QRcode查看", NULL });
}

static void test_explicit_newlines_always_break(void **state)
{
    (void)state;
    expect_wrap("一\n二三\n\nabc", 20, (const char *const[]){ "一", "二三", "", "abc", NULL });
    /* A trailing newline does not add an empty line; \r\n works. */
    expect_wrap("ab\r\ncd\n", 20, (const char *const[]){ "ab", "cd", NULL });
}

static void test_invalid_utf8_is_kept_and_never_split(void **state)
{
    (void)state;
    const char bad[] = "ab\xff\xfe\xc3 \xe4\xb8 \xf0\x9f\x98 \xed\xa0\x80 "
                       "\xc0\xaf\xe4\xb8\x80\xe4\xb8";
    for (int w = 1; w < 20; w++) {
        qf_text_line lines[64];
        size_t n = 0, total = 0;
        assert_int_equal(qf_text_wrap(bad, w, cells, NULL, lines, 64, &n), QF_OK);
        for (size_t i = 0; i < n; i++) {
            assert_true(lines[i].start + lines[i].len <= sizeof bad - 1);
            total += lines[i].len;
        }
        assert_true(total > 0);
    }
    uint32_t cp;
    assert_int_equal(qf_utf8_decode("\xe4\xb8", 2, &cp), 1);
    assert_int_equal(cp, QF_UTF8_REPLACEMENT);
    assert_int_equal(qf_utf8_decode("\xc0\xaf", 2, &cp), 1);      /* overlong */
    assert_int_equal(cp, QF_UTF8_REPLACEMENT);
    assert_int_equal(qf_utf8_decode("\xed\xa0\x80", 3, &cp), 1);  /* surrogate */
    assert_int_equal(qf_utf8_decode("\xe4\xb8\x80", 3, &cp), 3);
    assert_int_equal(cp, 0x4E00);
    assert_int_equal(qf_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
}

static void test_utf8_cut_never_leaves_half_a_character(void **state)
{
    (void)state;
    const char *s = "一二三";   /* 9 bytes */
    assert_int_equal(qf_utf8_cut(s, 9, 9), 9);
    assert_int_equal(qf_utf8_cut(s, 9, 8), 6);
    assert_int_equal(qf_utf8_cut(s, 9, 4), 3);
    assert_int_equal(qf_utf8_cut(s, 9, 2), 0);
    assert_int_equal(qf_utf8_cut("ab\xff", 3, 3), 3);
}

static void test_limits_and_bad_arguments(void **state)
{
    (void)state;
    qf_text_line lines[2];
    size_t n = 7;
    assert_int_equal(qf_text_wrap(NULL, 10, cells, NULL, lines, 2, &n), QF_ERR_INVALID);
    assert_int_equal(n, 0);
    assert_int_equal(qf_text_wrap("a", 0, cells, NULL, lines, 2, &n), QF_ERR_INVALID);
    assert_int_equal(qf_text_wrap("a", 10, NULL, NULL, lines, 2, &n), QF_ERR_INVALID);
    assert_int_equal(qf_text_wrap("a", 10, cells, NULL, lines, 2, NULL), QF_ERR_INVALID);

    /* Empty text: no lines. */
    assert_int_equal(qf_text_wrap("", 10, cells, NULL, lines, 2, &n), QF_OK);
    assert_int_equal(n, 0);

    /* More lines than room: the first ones are filled, QF_ERR_LIMIT. */
    assert_int_equal(qf_text_wrap("一二三四五六", 2, cells, NULL, lines, 2, &n), QF_ERR_LIMIT);
    assert_int_equal(n, 2);
    assert_int_equal(lines[1].start, 3);
    /* lines NULL counts only. */
    assert_int_equal(qf_text_wrap("一二三四五六", 2, cells, NULL, NULL, 0, &n), QF_OK);
    assert_int_equal(n, 6);

    /* A character wider than the line gets a line of its own, no loop. */
    assert_int_equal(qf_text_wrap("一a二", 1, cells, NULL, NULL, 0, &n), QF_OK);
    assert_int_equal(n, 3);

    /* Longer than QF_TEXT_MAX_BYTES: refused before measuring anything. */
    char *big = malloc(QF_TEXT_MAX_BYTES + 2);
    assert_non_null(big);
    memset(big, 'a', QF_TEXT_MAX_BYTES + 1);
    big[QF_TEXT_MAX_BYTES + 1] = '\0';
    int calls = 0;
    assert_int_equal(qf_text_wrap(big, 10, cells, &calls, NULL, 0, &n), QF_ERR_LIMIT);
    assert_int_equal(calls, 0);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cjk_breaks_between_any_two_characters),
        cmocka_unit_test(test_latin_words_are_kept_whole_and_break_at_spaces),
        cmocka_unit_test(test_line_never_starts_with_closing_punctuation),
        cmocka_unit_test(test_line_never_ends_with_opening_punctuation),
        cmocka_unit_test(test_single_word_wider_than_line_is_hard_broken),
        cmocka_unit_test(test_mixed_chinese_and_latin),
        cmocka_unit_test(test_explicit_newlines_always_break),
        cmocka_unit_test(test_invalid_utf8_is_kept_and_never_split),
        cmocka_unit_test(test_utf8_cut_never_leaves_half_a_character),
        cmocka_unit_test(test_limits_and_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
