/* test_ks_app_search.c — the search screen's session state (ks_app_search.c)
 * over the shipped catalog, without SDL: typing recomputes the hits and
 * notifies; BackSpace drops a whole UTF-8 character; an over-long query
 * stops growing; a session end wipes the query; opening hits goes to the
 * guide, the bundle, the station or the FAQ answer; and the lifetimes: a
 * catalog replaced while its index is in use stays alive (hits keep
 * pointing into it) until the new catalog's index arrives, and an index
 * built for a catalog replaced since is dropped. ASan checks the frees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ks_app.h"

#define SHIPPED_DIR QIFU_SOURCE_DIR "/assets/catalog"

/* libpinyin/libdb's known leak per index build (see test_search.c). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdb-5.3.so\n";
}

static unsigned seen;

static void observe(void *ud, unsigned changes)
{
    (void)ud;
    seen |= changes;
}

static qf_catalog *load(void)
{
    qf_catalog *cat = NULL;
    char err[256];
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    assert_int_equal(qf_catalog_load_dir(cat, SHIPPED_DIR, err, sizeof err), QF_OK);
    return cat;
}

static ks_search *index_of(const qf_catalog *cat)
{
    ks_search *idx = NULL;
    char err[256];
    assert_int_equal(ks_search_build(cat, &idx, err, sizeof err), QF_OK);
    return idx;
}

/* An app in a session on the search screen with the shipped catalog indexed. */
static void app_ready(ks_app *app)
{
    ks_app_init(app, 90);
    ks_app_set_observer(app, observe, NULL);
    ks_app_catalog_take(app, load(), 1);
    ks_app_search_index_take(app, index_of(app->catalog), app->search.catalog_gen);
    ks_app_session_start(app, 0);
    ks_app_search_open(app);
    assert_int_equal(ks_app_screen(app), KS_SCREEN_SEARCH);
}

static long find_hit(const ks_app *app, ks_hit_kind kind, const char *title_part)
{
    for (size_t i = 0; i < app->search.hits_count; i++)
        if (app->search.hits[i].kind == kind && strstr(app->search.hits[i].title, title_part))
            return (long)i;
    return -1;
}

static void test_typing_refreshes_hits_and_backspace_drops_a_character(void **state)
{
    (void)state;
    ks_app app;
    app_ready(&app);
    seen = 0;
    ks_app_search_type(&app, "qykb");
    assert_true(seen & KS_CHANGE_SEARCH);
    assert_true(find_hit(&app, KS_HIT_BUNDLE, "市场准入") >= 0);
    ks_app_search_type(&app, "人");
    assert_string_equal(app.search.query, "qykb人");
    ks_app_search_backspace(&app);
    assert_string_equal(app.search.query, "qykb");
    for (int i = 0; i < 10; i++)
        ks_app_search_backspace(&app);
    assert_string_equal(app.search.query, "");
    assert_int_equal(app.search.hits_count, 0);
    /* A query stops at KS_SEARCH_QUERY_MAX bytes, never mid-character. */
    for (int i = 0; i < 40; i++)
        ks_app_search_type(&app, "人");
    assert_int_equal(strlen(app.search.query), (KS_SEARCH_QUERY_MAX / 3) * 3);
    assert_true(app.search.hits_count <= KS_SEARCH_HITS_MAX);
    ks_app_session_end(&app);
    assert_string_equal(app.search.query, "");
    assert_int_equal(app.search.hits_count, 0);
    ks_app_cleanup(&app);
}

static void test_hits_open_guide_bundle_station_and_faq(void **state)
{
    (void)state;
    ks_app app;
    app_ready(&app);
    ks_app_search_type(&app, "qykb");
    long b = find_hit(&app, KS_HIT_BUNDLE, "市场准入");
    assert_true(b >= 0);
    ks_app_search_hit_open(&app, (size_t)b);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_BUNDLE);
    assert_string_equal(app.bundle_id, "bundle-market-entry");
    ks_app_back(&app);
    long st = find_hit(&app, KS_HIT_STATION_ITEM, "");
    assert_true(st >= 0);
    ks_app_search_hit_open(&app, (size_t)st);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_STATION);
    assert_non_null(ks_app_station(&app));
    ks_app_back(&app);
    long sv = find_hit(&app, KS_HIT_SERVICE, "");
    assert_true(sv >= 0);
    ks_app_search_hit_open(&app, (size_t)sv);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_GUIDE);
    assert_string_equal(app.service_id, app.search.hits[sv].id);
    ks_app_back(&app);
    while (app.search.query[0])
        ks_app_search_backspace(&app);
    ks_app_search_type(&app, "出入境证件");
    long f = find_hit(&app, KS_HIT_FAQ, "出入境");
    assert_true(f >= 0);
    ks_app_search_hit_open(&app, (size_t)f);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_SEARCH);
    assert_non_null(ks_app_search_faq(&app));
    ks_app_search_faq_close(&app);
    assert_null(ks_app_search_faq(&app));
    ks_app_cleanup(&app);
}

static void test_replaced_catalog_lives_until_the_new_index_arrives(void **state)
{
    (void)state;
    ks_app app;
    app_ready(&app);
    ks_app_search_type(&app, "rencai");
    assert_true(app.search.hits_count > 0);
    qf_catalog *old = app.catalog;
    uint64_t old_gen = app.search.catalog_gen;
    /* An index built for the old catalog, still on its way. */
    ks_search *stale = index_of(old);

    ks_app_catalog_take(&app, load(), 2);
    assert_ptr_equal(app.search.idx_catalog, old);   /* kept, not freed */
    assert_ptr_not_equal(app.catalog, old);
    /* The old index still answers (its strings live in the old catalog). */
    ks_app_search_type(&app, "z");
    ks_app_search_backspace(&app);
    assert_true(app.search.hits_count > 0);
    assert_non_null(strstr(app.search.hits[0].title, "人才"));

    ks_app_search_index_take(&app, stale, old_gen);   /* dropped: freed */
    assert_ptr_equal(app.search.idx_catalog, old);

    seen = 0;
    ks_app_search_index_take(&app, index_of(app.catalog), app.search.catalog_gen);
    assert_true(seen & KS_CHANGE_SEARCH);
    assert_ptr_equal(app.search.idx_catalog, app.catalog);   /* old one freed */
    assert_true(app.search.hits_count > 0);                  /* query re-run */

    /* Two catalogs in a row before any index: only the indexed one is kept. */
    ks_app_catalog_take(&app, load(), 3);
    ks_app_catalog_take(&app, load(), 4);
    assert_ptr_not_equal(app.search.idx_catalog, app.catalog);
    ks_app_cleanup(&app);   /* frees the index, the kept catalog and the current one */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typing_refreshes_hits_and_backspace_drops_a_character),
        cmocka_unit_test(test_hits_open_guide_bundle_station_and_faq),
        cmocka_unit_test(test_replaced_catalog_lives_until_the_new_index_arrives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
