/* test_search.c — the kiosk search index over the SHIPPED catalog
 * (assets/catalog): Chinese text, pinyin initials and full pinyin find
 * services, station items, bundles and FAQ entries; polyphonic characters
 * match on each reading; results come best first; odd queries (empty, no
 * match, over-long) are safe. Also prints (never asserts) the index build
 * time and per-keystroke query times; the 2 ms goal is a benchmark's
 * business, not a test's.
 *
 * The catalog and index are built once for the group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ks_search.h"

#define SHIPPED_DIR QIFU_SOURCE_DIR "/assets/catalog"
#define MAX_HITS 64

/* libpinyin's pinyin_init opens three Berkeley DB handles (db_create) that
 * pinyin_fini never releases: a leak inside libpinyin/libdb, one set per
 * context, not in our code. LeakSanitizer's fast unwinder only sees libdb's
 * __os_malloc frame, so the suppression names the libdb module. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdb-5.3.so\n";
}

typedef struct fixture {
    qf_catalog *cat;
    ks_search *idx;
    qf_err rc;
    char err[512];
    double build_ms;
} fixture;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int group_setup(void **state)
{
    static fixture f;
    f.rc = qf_catalog_new(&f.cat);
    if (f.rc == QF_OK)
        f.rc = qf_catalog_load_dir(f.cat, SHIPPED_DIR, f.err, sizeof f.err);
    if (f.rc == QF_OK) {
        double t0 = now_ms();
        f.rc = ks_search_build(f.cat, &f.idx, f.err, sizeof f.err);
        f.build_ms = now_ms() - t0;
        printf("# search index build: %.2f ms\n", f.build_ms);
    }
    *state = &f;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *f = *state;
    ks_search_free(f->idx);
    qf_catalog_free(f->cat);
    return 0;
}

static const ks_search *idx_get(void **state)
{
    fixture *f = *state;
    if (f->rc != QF_OK)
        fail_msg("index not built: %s: %s", qf_err_str(f->rc), f->err);
    return f->idx;
}

/* The first hit of kind whose title contains needle, or NULL. */
static const ks_hit *find_hit(const ks_hit *hits, size_t n, ks_hit_kind kind, const char *needle)
{
    for (size_t i = 0; i < n; i++)
        if (hits[i].kind == kind && strstr(hits[i].title, needle))
            return &hits[i];
    return NULL;
}

static void assert_finds(const ks_search *idx, const char *query, ks_hit_kind kind,
                         const char *title_part)
{
    ks_hit hits[MAX_HITS];
    size_t n = ks_search_query(idx, query, hits, MAX_HITS);
    if (!find_hit(hits, n, kind, title_part))
        fail_msg("query \"%s\" (%zu hits) did not find kind %d titled …%s…", query, n, (int)kind,
                 title_part);
}

static void test_initials_qykb_find_the_enterprise_setup_bundle(void **state)
{
    /* No service title in the shipped catalog contains 企业开办 (the
     * services say 开办前指导服务, 新开办企业领票…); the bundle
     * 市场准入一类事 describes 企业开办 in its needs, a secondary field. */
    const ks_search *idx = idx_get(state);
    ks_hit hits[MAX_HITS];
    size_t n = ks_search_query(idx, "qykb", hits, MAX_HITS);
    assert_true(n > 0);
    const ks_hit *h = find_hit(hits, n, KS_HIT_BUNDLE, "市场准入");
    assert_non_null(h);
    /* and the same by text and by full pinyin, typed as far as "qiyekai" */
    assert_finds(idx, "企业开办", KS_HIT_BUNDLE, "市场准入");
    assert_finds(idx, "qiyekai", KS_HIT_BUNDLE, "市场准入");
    assert_finds(idx, "qiyekaiban", KS_HIT_BUNDLE, "市场准入");
}

static void test_initials_find_service_titles_containing_kaiban(void **state)
{
    const ks_search *idx = idx_get(state);
    assert_finds(idx, "kbq", KS_HIT_SERVICE, "开办前指导服务");
    assert_finds(idx, "xkbqy", KS_HIT_SERVICE, "新开办企业");
    ks_hit hits[MAX_HITS];
    size_t n = ks_search_query(idx, "kbqzdfw", hits, MAX_HITS);
    assert_true(n > 0);
    assert_string_equal(hits[0].title, "开办前指导服务"); /* exact initials: best */
}

static void test_full_pinyin_rencai_finds_talent_services(void **state)
{
    const ks_search *idx = idx_get(state);
    ks_hit hits[MAX_HITS];
    size_t n = ks_search_query(idx, "rencai", hits, MAX_HITS);
    size_t services = 0;
    for (size_t i = 0; i < n; i++)
        if (hits[i].kind == KS_HIT_SERVICE && strstr(hits[i].title, "人才"))
            services++;
    assert_true(services >= 5);
    /* titles starting with 人才 outrank titles with 人才 inside */
    assert_non_null(strstr(hits[0].title, "人才"));
    assert_memory_equal(hits[0].title, "人才", strlen("人才"));
    /* spaces are ignored, and a half-typed last syllable matches */
    assert_finds(idx, "ren cai", KS_HIT_SERVICE, "人才贷办理服务");
    assert_finds(idx, "rencaid", KS_HIT_SERVICE, "人才贷办理服务");
    assert_finds(idx, "rc", KS_HIT_SERVICE, "人才贷办理服务");
}

static void test_chinese_text_finds_talent_services(void **state)
{
    const ks_search *idx = idx_get(state);
    ks_hit hits[MAX_HITS];
    size_t n = ks_search_query(idx, "人才", hits, MAX_HITS);
    assert_true(n >= 5);
    assert_non_null(find_hit(hits, n, KS_HIT_SERVICE, "高层次人才专员服务"));
    for (size_t i = 0; i < n && hits[i].score > 10000; i++) /* title matches */
        assert_non_null(strstr(hits[i].title, "人才"));
}

static void test_polyphonic_hang_xing_matches_either_reading(void **state)
{
    /* 行 reads hang (银行) and xing (履行); libpinyin lists both (and heng),
     * so either reading's initial and full pinyin matches either word. */
    const ks_search *idx = idx_get(state);
    assert_finds(idx, "yhxd", KS_HIT_SERVICE, "银行信贷服务");
    assert_finds(idx, "yxxd", KS_HIT_SERVICE, "银行信贷服务");
    assert_finds(idx, "yinhang", KS_HIT_SERVICE, "银行信贷服务");
    assert_finds(idx, "yinxing", KS_HIT_SERVICE, "银行信贷服务");
    assert_finds(idx, "lxjc", KS_HIT_SERVICE, "履行检察职能");
    assert_finds(idx, "lhjc", KS_HIT_SERVICE, "履行检察职能");
    assert_finds(idx, "lvxing", KS_HIT_SERVICE, "履行检察职能");
}

static void test_nonsense_queries_find_nothing(void **state)
{
    /* "zzz" itself is not nonsense here: 开展知识产权 has 展知识, and 识
     * reads zhi as well as shi, so z-z-z are three initials in a row (FAQ
     * "如何开展知识产权保护？"). No syllable starts with v, and no catalog
     * text has eight z-initials in a row. */
    const ks_search *idx = idx_get(state);
    ks_hit hits[MAX_HITS];
    assert_int_equal(ks_search_query(idx, "vvv", hits, MAX_HITS), 0);
    assert_int_equal(ks_search_query(idx, "zzzzzzzz", hits, MAX_HITS), 0);
    assert_int_equal(ks_search_query(idx, "qqqqqqqq", hits, MAX_HITS), 0);
    assert_int_equal(ks_search_query(idx, "火星", hits, MAX_HITS), 0);
    assert_non_null(find_hit(hits, ks_search_query(idx, "zzz", hits, MAX_HITS), KS_HIT_FAQ,
                             "开展知识产权"));
}

static void test_empty_query_gives_nothing(void **state)
{
    const ks_search *idx = idx_get(state);
    ks_hit hits[MAX_HITS];
    assert_int_equal(ks_search_query(idx, "", hits, MAX_HITS), 0);
    assert_int_equal(ks_search_query(idx, "   ", hits, MAX_HITS), 0);
    assert_int_equal(ks_search_query(idx, NULL, hits, MAX_HITS), 0);
    assert_int_equal(ks_search_query(idx, "rencai", hits, 0), 0);
}

static void test_results_are_best_first_and_capped(void **state)
{
    const ks_search *idx = idx_get(state);
    ks_hit hits[MAX_HITS];
    size_t n = ks_search_query(idx, "fw", hits, MAX_HITS);
    assert_true(n > 1);
    for (size_t i = 1; i < n; i++)
        assert_true(hits[i - 1].score >= hits[i].score);
    ks_hit few[3];
    size_t k = ks_search_query(idx, "fw", few, 3);
    assert_int_equal(k, 3);
    for (size_t i = 0; i < k; i++) { /* the cap keeps the same best three */
        assert_ptr_equal(few[i].title, hits[i].title);
        assert_int_equal(few[i].score, hits[i].score);
    }
    /* an exact title beats a prefix beats a substring */
    n = ks_search_query(idx, "人才贷办理服务", hits, MAX_HITS);
    assert_true(n > 0);
    assert_string_equal(hits[0].title, "人才贷办理服务");
}

static void test_overlong_query_is_cut_not_overflowing(void **state)
{
    const ks_search *idx = idx_get(state);
    ks_hit hits[MAX_HITS];
    char q[4096];
    memset(q, 'a', sizeof q - 1);
    q[sizeof q - 1] = '\0';
    (void)ks_search_query(idx, q, hits, MAX_HITS); /* ASan watches */
    /* 30 × 人 (90 bytes) plus a tail: cut at a character boundary ≤ 64 */
    char cjk[4096] = "";
    for (int i = 0; i < 30; i++)
        strcat(cjk, "人");
    strcat(cjk, "才");
    assert_int_equal(ks_search_query(idx, cjk, hits, MAX_HITS), 0);
    /* a long query whose first 64 bytes match still finds it */
    char longq[256];
    snprintf(longq, sizeof longq, "%s", "rencaidaibanlifuwu");
    size_t l = strlen(longq);
    memset(longq + l, ' ', 64 - l);
    snprintf(longq + 64, sizeof longq - 64, "%s", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
    assert_finds(idx, longq, KS_HIT_SERVICE, "人才贷办理服务");
}

static void test_station_items_bundles_and_faq_are_found(void **state)
{
    const ks_search *idx = idx_get(state);
    assert_finds(idx, "生物医药企业人才申报", KS_HIT_STATION_ITEM, "生物医药企业人才申报");
    assert_finds(idx, "shengwuyiyao", KS_HIT_STATION_ITEM, "生物医药");
    assert_finds(idx, "fwzl", KS_HIT_BUNDLE, "房屋租赁一类事");
    assert_finds(idx, "rcajly", KS_HIT_BUNDLE, "人才安居乐业一类事"); /* 乐 le */
    assert_finds(idx, "shichangzhunru", KS_HIT_BUNDLE, "市场准入一类事");
    assert_finds(idx, "知识产权保护", KS_HIT_FAQ, "如何开展知识产权保护");
    assert_finds(idx, "rhcwhy", KS_HIT_FAQ, "如何成为会员企业");
    assert_finds(idx, "QE", KS_HIT_STATION_ITEM, "QE人才申报"); /* Latin, any case */
}

/* Times every prefix of a few typed queries (the keystrokes); prints the
 * median and p99 in µs. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_prints_query_time_per_keystroke(void **state)
{
    const ks_search *idx = idx_get(state);
    static const char *const typed[] = {
        "qiyekaibanfuwu", "rencaidaibanlifuwu", "qykb", "yinhangxindaifuwu",
        "gaocengcirencaizhuanyuanfuwu", "zhishichanquanbaohu", "shengwuyiyao",
    };
    double t[256];
    size_t nt = 0;
    ks_hit hits[MAX_HITS];
    while (nt < 100) {
        for (size_t i = 0; i < sizeof typed / sizeof typed[0] && nt < 100; i++) {
            size_t len = strlen(typed[i]);
            for (size_t l = 1; l <= len && nt < 100; l++) {
                char q[80];
                memcpy(q, typed[i], l);
                q[l] = '\0';
                double t0 = now_ms();
                (void)ks_search_query(idx, q, hits, MAX_HITS);
                t[nt++] = (now_ms() - t0) * 1e3;
            }
        }
    }
    /* and Chinese text as an IME commits it */
    static const char *const han[] = {"人", "人才", "企业", "企业开办", "银行信贷"};
    for (size_t i = 0; i < sizeof han / sizeof han[0]; i++) {
        double t0 = now_ms();
        (void)ks_search_query(idx, han[i], hits, MAX_HITS);
        t[nt++] = (now_ms() - t0) * 1e3;
    }
    qsort(t, nt, sizeof t[0], cmp_double);
    printf("# search query over %zu keystrokes: median %.1f us, p99 %.1f us, max %.1f us\n", nt,
           t[nt / 2], t[(nt * 99) / 100], t[nt - 1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initials_qykb_find_the_enterprise_setup_bundle),
        cmocka_unit_test(test_initials_find_service_titles_containing_kaiban),
        cmocka_unit_test(test_full_pinyin_rencai_finds_talent_services),
        cmocka_unit_test(test_chinese_text_finds_talent_services),
        cmocka_unit_test(test_polyphonic_hang_xing_matches_either_reading),
        cmocka_unit_test(test_nonsense_queries_find_nothing),
        cmocka_unit_test(test_empty_query_gives_nothing),
        cmocka_unit_test(test_results_are_best_first_and_capped),
        cmocka_unit_test(test_overlong_query_is_cut_not_overflowing),
        cmocka_unit_test(test_station_items_bundles_and_faq_are_found),
        cmocka_unit_test(test_prints_query_time_per_keystroke),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
