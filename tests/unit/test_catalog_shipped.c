/* test_catalog_shipped.c — the catalog we ship (assets/catalog) loads,
 * passes every validation check, and holds what the reform document lists:
 * 174 common services (附件4), 202 station items in six stations (附件5),
 * 40 online services (附件8), nine boards, bundles from 附件6 and 附件7 and
 * at least one service guide; and it survives an encode/decode round trip.
 *
 * The folder is loaded once for the group. When it does not load, every test
 * fails with the loader's reason (file and field path) rather than crashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qf_catalog.h"

#define SHIPPED_DIR QIFU_SOURCE_DIR "/assets/catalog"

typedef struct shipped {
    qf_catalog *cat;
    qf_err rc;
    char err[1024];
} shipped;

static int shipped_setup(void **state)
{
    static shipped s;
    s.rc = qf_catalog_new(&s.cat);
    if (s.rc == QF_OK)
        s.rc = qf_catalog_load_dir(s.cat, SHIPPED_DIR, s.err, sizeof s.err);
    else
        snprintf(s.err, sizeof s.err, "out of memory");
    *state = &s;
    return 0;
}

static int shipped_teardown(void **state)
{
    shipped *s = *state;
    qf_catalog_free(s->cat);
    s->cat = NULL;
    return 0;
}

/* The loaded catalog, or a failed test naming why it did not load. */
static const qf_catalog *loaded(void **state)
{
    shipped *s = *state;
    if (s->rc != QF_OK)
        fail_msg("%s did not load (%s): %s", SHIPPED_DIR, qf_err_str(s->rc), s->err);
    return s->cat;
}

/* assert_int_equal prints hex; these counts read better in decimal. */
static void expect_count(const char *what, size_t got, size_t want)
{
    if (got != want)
        fail_msg("expected %zu %s in %s, found %zu", want, what, SHIPPED_DIR, got);
}

static void print_problem(const qf_catalog_problem *p, void *ud)
{
    size_t *n = ud;
    if ((*n)++ < 100)
        print_message("  %s (%s): %s\n", p->path, p->id ? p->id : "-", p->message);
}

static void test_shipped_catalog_loads_with_meta(void **state)
{
    const qf_catalog *cat = loaded(state);
    assert_non_null(cat->meta);
    assert_non_null(cat->meta->version);
}

static void test_shipped_catalog_has_no_validation_problems(void **state)
{
    const qf_catalog *cat = loaded(state);
    size_t printed = 0, count = 0;
    qf_err rc = qf_catalog_validate(cat, print_problem, &printed, &count);
    if (count)
        fail_msg("qf_catalog_validate found %zu problem(s) in %s (listed above)", count,
                 SHIPPED_DIR);
    assert_int_equal(rc, QF_OK);
}

static void test_shipped_catalog_has_174_common_services(void **state)
{
    const qf_catalog *cat = loaded(state);
    expect_count("common services (附件4)", cat->services_count, 174);
    char id[32];
    for (int row = 1; row <= 174; row++) {
        snprintf(id, sizeof id, "svc-common-%03d", row);
        const qf_catalog_service *s = qf_catalog_service_get(cat, id);
        if (!s)
            fail_msg("no service %s", id);
        if (s->row != row)
            fail_msg("%s has row %d", id, s->row);
    }
}

static void test_shipped_catalog_has_202_station_items_in_six_stations(void **state)
{
    static const struct {
        const char *id, *industry;
        size_t items;
    } want[] = {
        { "station-bio", "生物医药", 75 },     { "station-digital", "数字经济", 24 },
        { "station-equipment", "高端装备", 21 }, { "station-materials", "新材料", 29 },
        { "station-bonded", "综合保税", 33 },  { "station-ic", "集成电路", 20 },
    };
    const qf_catalog *cat = loaded(state);
    expect_count("stations", cat->stations_count, 6);
    expect_count("station items (附件5)", qf_catalog_count(cat, QF_CATALOG_STATION_ITEM), 202);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const qf_catalog_station *st = qf_catalog_station_get(cat, want[i].id);
        if (!st)
            fail_msg("no station %s (%s)", want[i].id, want[i].industry);
        if (!st->industry || strcmp(st->industry, want[i].industry) != 0)
            fail_msg("%s: industry \"%s\", expected \"%s\"", want[i].id,
                     st->industry ? st->industry : "(none)", want[i].industry);
        if (st->items_count != want[i].items)
            fail_msg("%s (%s): %zu items, expected %zu", want[i].id, want[i].industry,
                     st->items_count, want[i].items);
    }
}

/* 附件5 sums its own list up: 政府侧 140 项、企业侧 30 项、社会侧 32 项. */
static void test_shipped_station_items_match_the_documents_provider_totals(void **state)
{
    const qf_catalog *cat = loaded(state);
    size_t by[QF_CATALOG_PROVIDER__COUNT] = { 0 };
    for (size_t i = 0; i < cat->stations_count; i++) {
        for (size_t k = 0; k < cat->stations[i].items_count; k++) {
            qf_catalog_provider p = cat->stations[i].items[k].provider;
            by[(int)p >= 0 && p < QF_CATALOG_PROVIDER__COUNT ? p : 0]++;
        }
    }
    expect_count("government (★) station items", by[QF_CATALOG_PROVIDER_GOVERNMENT], 140);
    expect_count("enterprise (▲) station items", by[QF_CATALOG_PROVIDER_ENTERPRISE], 30);
    expect_count("society (●) station items", by[QF_CATALOG_PROVIDER_SOCIETY], 32);
}

static void test_shipped_catalog_has_40_online_services(void **state)
{
    const qf_catalog *cat = loaded(state);
    expect_count("online services (附件8)", cat->online_services_count, 40);
    assert_non_null(qf_catalog_online_get(cat, "online-01"));
    assert_non_null(qf_catalog_online_get(cat, "online-40"));
}

static void test_shipped_catalog_has_the_nine_boards(void **state)
{
    static const char *const ids[] = {
        "board-talent", "board-scitech", "board-policy", "board-finance", "board-open",
        "board-law", "board-request", "board-fallback", "board-approval",
    };
    const qf_catalog *cat = loaded(state);
    expect_count("boards", cat->boards_count, 9);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        if (!qf_catalog_board_get(cat, ids[i]))
            fail_msg("no board %s", ids[i]);
    }
}

static void test_shipped_catalog_has_bundles_from_both_annexes(void **state)
{
    const qf_catalog *cat = loaded(state);
    qf_catalog_stats *st = NULL;
    assert_int_equal(qf_catalog_stats_new(cat, &st), QF_OK);
    size_t a6 = st->bundles_by_source[QF_CATALOG_SOURCE_ANNEX6];
    size_t a7 = st->bundles_by_source[QF_CATALOG_SOURCE_ANNEX7];
    qf_catalog_stats_free(st);
    /* 附件6 lists ten "一类事"; the tenth (a tax bundle) survives the PDF
     * extraction only as its last two cells, so nine are carried (see
     * assets/catalog/README.md, "Known gaps"). 附件7 has five rows. */
    expect_count("bundles from 附件6", a6, 9);
    expect_count("bundles from 附件7", a7, 5);
    expect_count("bundles (附件6 + 附件7)", cat->bundles_count, a6 + a7);
    static const char *const ids[] = {
        "bundle-market-entry", "bundle-industrial-project-start", "bundle-house-lease",
        "bundle-labor-employment", "bundle-talent-settlement", "bundle-bio-startup",
        "bundle-bio-sales",
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (!qf_catalog_bundle_get(cat, ids[i]))
            fail_msg("no bundle %s", ids[i]);
}

static void test_shipped_catalog_has_a_guide(void **state)
{
    const qf_catalog *cat = loaded(state);
    if (cat->guides_count < 1)
        fail_msg("no service guides in %s", SHIPPED_DIR);
}

static void test_shipped_catalog_survives_an_encode_decode_round_trip(void **state)
{
    const qf_catalog *cat = loaded(state);
    qf_catalog *again = NULL;
    char *text = NULL, err[512] = "";
    assert_int_equal(qf_catalog_encode_json(cat, &text), QF_OK);
    assert_int_equal(qf_catalog_new(&again), QF_OK);
    if (qf_catalog_decode_json(again, text, strlen(text), err, sizeof err) != QF_OK)
        fail_msg("re-decoding the encoded catalog failed: %s", err);
    assert_true(qf_catalog_equal(cat, again));
    free(text);
    qf_catalog_free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_catalog_loads_with_meta),
        cmocka_unit_test(test_shipped_catalog_has_no_validation_problems),
        cmocka_unit_test(test_shipped_catalog_has_174_common_services),
        cmocka_unit_test(test_shipped_catalog_has_202_station_items_in_six_stations),
        cmocka_unit_test(test_shipped_station_items_match_the_documents_provider_totals),
        cmocka_unit_test(test_shipped_catalog_has_40_online_services),
        cmocka_unit_test(test_shipped_catalog_has_the_nine_boards),
        cmocka_unit_test(test_shipped_catalog_has_bundles_from_both_annexes),
        cmocka_unit_test(test_shipped_catalog_has_a_guide),
        cmocka_unit_test(test_shipped_catalog_survives_an_encode_decode_round_trip),
    };
    return cmocka_run_group_tests(tests, shipped_setup, shipped_teardown);
}
