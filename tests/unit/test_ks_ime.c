/* test_ks_ime.c — the pinyin engine (state/ks_ime.c) on the real libpinyin
 * tables: full pinyin, initials and separators give the expected phrases,
 * the whole-sentence candidate comes first and covers all the input,
 * phrases cover their leading syllables, no traditional forms reach the
 * candidates, candidates are unique, bad input is rejected, and the private
 * user folder is gone after close.
 *
 * The engine is opened once for the group (tens of ms) inside a private
 * TMPDIR, so the user-folder test can look at what it left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ks_ime.h"

/* libpinyin's pinyin_init opens Berkeley DB handles that pinyin_fini never
 * releases (see tests/unit/test_search.c): a leak inside libdb, not ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdb-5.3.so\n";
}

typedef struct fixture {
    char tmp[64];
    ks_ime *ime;
} fixture;

static fixture g_f;

/* Number of entries in dir other than . and .., or -1 if it cannot be read. */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static int group_setup(void **state)
{
    char err[256] = "";
    snprintf(g_f.tmp, sizeof g_f.tmp, "/tmp/test-ks-ime-XXXXXX");
    if (!mkdtemp(g_f.tmp))
        return -1;
    setenv("TMPDIR", g_f.tmp, 1);
    if (ks_ime_open(&g_f.ime, err, sizeof err) != QF_OK) {
        fprintf(stderr, "ks_ime_open: %s\n", err);
        return -1;
    }
    *state = &g_f;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    ks_ime_close(g_f.ime);
    g_f.ime = NULL;
    rmdir(g_f.tmp);
    return 0;
}

/* The index of candidate s, or -1. */
static long find(const ks_ime *ime, const char *s)
{
    for (size_t i = 0; i < ks_ime_count(ime); i++)
        if (strcmp(ks_ime_candidate(ime, i), s) == 0)
            return (long)i;
    return -1;
}

static bool any_contains(const ks_ime *ime, const char *s)
{
    for (size_t i = 0; i < ks_ime_count(ime); i++)
        if (strstr(ks_ime_candidate(ime, i), s))
            return true;
    return false;
}

static void test_qiye_gives_qiye_on_the_first_page(void **state)
{
    fixture *f = *state;
    assert_int_equal(ks_ime_compose(f->ime, "qiye"), QF_OK);
    long i = find(f->ime, "企业");
    assert_true(i >= 0 && i < 6);
    assert_int_equal(ks_ime_consumed(f->ime, (size_t)i), 4);
}

static void test_qiyekaiban_sentence_first_and_covers_all(void **state)
{
    fixture *f = *state;
    assert_int_equal(ks_ime_compose(f->ime, "qiyekaiban"), QF_OK);
    assert_true(ks_ime_count(f->ime) > 1);
    assert_string_equal(ks_ime_candidate(f->ime, 0), "企业开办");
    assert_int_equal(ks_ime_consumed(f->ime, 0), 10);
}

static void test_qiyekaiban_phrase_covers_its_syllables(void **state)
{
    fixture *f = *state;
    assert_int_equal(ks_ime_compose(f->ime, "qiyekaiban"), QF_OK);
    long i = find(f->ime, "企业");
    assert_true(i > 0);
    assert_int_equal(ks_ime_consumed(f->ime, (size_t)i), 4); /* "kaiban" remains */
    long c = find(f->ime, "企");
    assert_true(c > i);                                      /* phrases before characters */
    assert_int_equal(ks_ime_consumed(f->ime, (size_t)c), 2);
}

static void test_initials_qykb_find_qiye(void **state)
{
    fixture *f = *state;
    assert_int_equal(ks_ime_compose(f->ime, "qykb"), QF_OK);
    long whole = find(f->ime, "企业开办");
    long qiye = find(f->ime, "企业");
    assert_true(whole >= 0 || (qiye >= 0 && qiye < 6));
    if (qiye >= 0)
        assert_int_equal(ks_ime_consumed(f->ime, (size_t)qiye), 2);
    assert_int_equal(ks_ime_consumed(f->ime, 0), 4); /* the sentence: all of it */
}

static void test_separator_is_covered(void **state)
{
    fixture *f = *state;
    assert_int_equal(ks_ime_compose(f->ime, "xi'an"), QF_OK);
    assert_string_equal(ks_ime_candidate(f->ime, 0), "西安");
    assert_int_equal(ks_ime_consumed(f->ime, 0), 5);
    /* a single character before the separator takes the separator along */
    long xi = find(f->ime, "西");
    assert_true(xi > 0);
    assert_int_equal(ks_ime_consumed(f->ime, (size_t)xi), 3);
}

static void test_unparsed_tail_is_not_consumed(void **state)
{
    fixture *f = *state;
    /* "v" alone is no syllable: the sentence covers "qiye" only */
    assert_int_equal(ks_ime_compose(f->ime, "qiyev"), QF_OK);
    assert_true(ks_ime_count(f->ime) > 0);
    assert_string_equal(ks_ime_candidate(f->ime, 0), "企业");
    assert_int_equal(ks_ime_consumed(f->ime, 0), 4);
}

static void test_no_traditional_forms(void **state)
{
    fixture *f = *state;
    assert_int_equal(ks_ime_compose(f->ime, "guo"), QF_OK);
    assert_true(find(f->ime, "国") >= 0);
    assert_true(find(f->ime, "过") >= 0);
    assert_false(any_contains(f->ime, "國"));
    assert_false(any_contains(f->ime, "過"));

    assert_int_equal(ks_ime_compose(f->ime, "kaiban"), QF_OK);
    assert_true(find(f->ime, "开办") >= 0);
    assert_false(any_contains(f->ime, "開"));
    assert_false(any_contains(f->ime, "辦"));

    assert_int_equal(ks_ime_compose(f->ime, "zhongguo"), QF_OK);
    assert_string_equal(ks_ime_candidate(f->ime, 0), "中国");
    assert_false(any_contains(f->ime, "衆"));
}

static void test_candidates_unique_bounded_and_cover_something(void **state)
{
    fixture *f = *state;
    static const char *const inputs[] = {"q", "shi", "qiyekaiban", "qykb", "a'", "zhuanli"};
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        assert_int_equal(ks_ime_compose(f->ime, inputs[k]), QF_OK);
        size_t n = ks_ime_count(f->ime);
        assert_true(n > 0);
        assert_true(n <= KS_IME_CANDIDATES_MAX);
        for (size_t i = 0; i < n; i++) {
            size_t used = ks_ime_consumed(f->ime, i);
            assert_true(used >= 1 && used <= strlen(inputs[k]));
            for (size_t j = i + 1; j < n; j++)
                assert_string_not_equal(ks_ime_candidate(f->ime, i), ks_ime_candidate(f->ime, j));
        }
        assert_null(ks_ime_candidate(f->ime, n));
        assert_int_equal(ks_ime_consumed(f->ime, n), 0);
    }
}

static void test_empty_clears(void **state)
{
    fixture *f = *state;
    assert_int_equal(ks_ime_compose(f->ime, "qiye"), QF_OK);
    assert_true(ks_ime_count(f->ime) > 0);
    assert_int_equal(ks_ime_compose(f->ime, ""), QF_OK);
    assert_int_equal(ks_ime_count(f->ime), 0);
    assert_null(ks_ime_candidate(f->ime, 0));
    /* a lone separator is no syllable: nothing, and no error */
    assert_int_equal(ks_ime_compose(f->ime, "'"), QF_OK);
    assert_int_equal(ks_ime_count(f->ime), 0);
}

static void test_compose_rejects_bad_input(void **state)
{
    fixture *f = *state;
    char longer[KS_IME_PINYIN_MAX + 2];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    char longest[KS_IME_PINYIN_MAX + 1];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';

    assert_int_equal(ks_ime_compose(f->ime, "Qiye"), QF_ERR_INVALID);
    assert_int_equal(ks_ime_compose(f->ime, "qi1"), QF_ERR_INVALID);
    assert_int_equal(ks_ime_compose(f->ime, "qi ye"), QF_ERR_INVALID);
    assert_int_equal(ks_ime_compose(f->ime, "企业"), QF_ERR_INVALID);
    assert_int_equal(ks_ime_compose(f->ime, longer), QF_ERR_INVALID);
    assert_int_equal(ks_ime_compose(f->ime, NULL), QF_ERR_INVALID);
    assert_int_equal(ks_ime_compose(NULL, "qiye"), QF_ERR_INVALID);
    assert_int_equal(ks_ime_compose(f->ime, longest), QF_OK); /* the limit itself is fine */
    assert_int_equal(ks_ime_count(NULL), 0);
    assert_null(ks_ime_candidate(NULL, 0));
}

static void test_close_removes_the_user_folder(void **state)
{
    fixture *f = *state;
    char err[256] = "";
    ks_ime *other = NULL;
    int before = dir_entries(f->tmp);
    assert_int_equal(before, 1); /* the group's engine */
    assert_int_equal(ks_ime_open(&other, err, sizeof err), QF_OK);
    assert_int_equal(dir_entries(f->tmp), 2);
    assert_int_equal(ks_ime_compose(other, "qiye"), QF_OK);
    assert_string_equal(ks_ime_candidate(other, 0), "企业");
    ks_ime_close(other);
    assert_int_equal(dir_entries(f->tmp), 1);
    ks_ime_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qiye_gives_qiye_on_the_first_page),
        cmocka_unit_test(test_qiyekaiban_sentence_first_and_covers_all),
        cmocka_unit_test(test_qiyekaiban_phrase_covers_its_syllables),
        cmocka_unit_test(test_initials_qykb_find_qiye),
        cmocka_unit_test(test_separator_is_covered),
        cmocka_unit_test(test_unparsed_tail_is_not_consumed),
        cmocka_unit_test(test_no_traditional_forms),
        cmocka_unit_test(test_candidates_unique_bounded_and_cover_something),
        cmocka_unit_test(test_empty_clears),
        cmocka_unit_test(test_compose_rejects_bad_input),
        cmocka_unit_test(test_close_removes_the_user_folder),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
