/* test_kiosk_browse.c — qifu-kiosk's "一类事" bundle and industry-station
 * screens driven by headless scripts: home → 一类事 lists the catalog's 14
 * bundles grouped by 附件6/附件7 → a bundle shows its basic items with units,
 * its value-added items by side with providers, its paths and guarantees;
 * home → 产业驿站 lists the six stations → a station shows its address,
 * contacts and services grouped by category with ★▲● marks; back returns
 * to the list; large-text mode reflows the screens (taller rows). The kiosk
 * runs from assets/catalog with no server. The script helpers are copied
 * from test_kiosk_ui.c. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "qf_catalog.h"

#include "kiosk_run.h"

static kiosk_run kr;

static int setup(void **state)
{
    (void)state;
    return kiosk_run_setup(&kr, "browse");
}

static int teardown(void **state)
{
    (void)state;
    return kiosk_run_teardown(&kr);
}

static void test_bundles_list_then_market_entry_shows_items_sides_and_paths(void **state)
{
    (void)state;
    assert_int_equal(kr.cat->bundles_count, 14);
    const qf_catalog_bundle *b = qf_catalog_bundle_get(kr.cat, "bundle-market-entry");
    assert_non_null(b);
    kiosk_write_config(&kr, 90);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 一类事\n"
             "dump %s/bundles.json\n"
             "screenshot %s/bundles.png\n"
             "tap-text 市场准入一类事\n"
             "dump %s/bundle.json\n"
             "screenshot %s/bundle.png\n"
             "drag 540 1700 540 300 2000\n"
             "dump %s/bundle_scrolled.json\n"
             "key Escape\n"
             "dump %s/back.json\n"
             "tap-text 返回\n"
             "dump %s/home.json\n"
             "quit\n",
             kr.dir, kr.dir, kr.dir, kr.dir, kr.dir, kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);

    json_t *j = kiosk_load_dump(&kr, "bundles.json");
    assert_string_equal(kiosk_dump_screen(j), "bundles");
    assert_int_equal(kiosk_dump_count_role(j, "item"), 14);
    for (size_t i = 0; i < kr.cat->bundles_count; i++)
        if (!kiosk_dump_find(j, "item", kr.cat->bundles[i].name))
            fail_msg("bundle list has no row for %s", kr.cat->bundles[i].name);
    assert_non_null(kiosk_dump_find(j, "item", "市场准入一类事"));
    assert_non_null(kiosk_dump_find(j, "label", "附件6"));
    assert_non_null(kiosk_dump_find(j, "label", "附件7"));
    /* 附件6's group comes before 附件7's. */
    assert_true(kiosk_rect_at(kiosk_dump_find(j, "label", "附件6"), 1) <
                kiosk_rect_at(kiosk_dump_find(j, "label", "附件7"), 1));
    json_decref(j);

    j = kiosk_load_dump(&kr, "bundle.json");
    assert_string_equal(kiosk_dump_screen(j), "bundle");
    assert_non_null(kiosk_dump_find(j, NULL, "市场准入一类事"));     /* the title */
    assert_non_null(kiosk_dump_find(j, NULL, b->needs));
    assert_non_null(kiosk_dump_find(j, "label", "1. 公司设立登记"));  /* numbered */
    assert_non_null(kiosk_dump_find(j, "label", "政府侧"));
    assert_non_null(kiosk_dump_find(j, "label", b->value_added[0].text));
    assert_non_null(kiosk_dump_find(j, "label", b->value_added[0].providers.items[0]));
    json_decref(j);

    /* Long text scrolls: further down come the enterprise side and the paths. */
    j = kiosk_load_dump(&kr, "bundle_scrolled.json");
    assert_string_equal(kiosk_dump_screen(j), "bundle");
    assert_true(json_integer_value(json_object_get(j, "scroll")) > 0);
    assert_non_null(kiosk_dump_find(j, "label", "企业侧"));
    assert_non_null(kiosk_dump_find(j, "label", "中介代办服务"));
    assert_non_null(kiosk_dump_find(j, "label", "线上路径"));
    assert_non_null(kiosk_dump_find(j, "label", "改革保障"));
    json_decref(j);

    j = kiosk_load_dump(&kr, "back.json");
    assert_string_equal(kiosk_dump_screen(j), "bundles");
    json_decref(j);
    j = kiosk_load_dump(&kr, "home.json");
    assert_string_equal(kiosk_dump_screen(j), "home");
    json_decref(j);
}

static void test_basic_items_show_units_in_brackets(void **state)
{
    (void)state;
    /* A bundle whose first basic item names units and is delegated. */
    const qf_catalog_bundle *b = qf_catalog_bundle_get(kr.cat, "bundle-bio-rnd");
    assert_non_null(b);
    const qf_catalog_basic_item *it = NULL;
    size_t at = 0;
    for (size_t i = 0; i < b->basic_items_count && !it; i++)
        if (b->basic_items[i].units.count) {
            it = &b->basic_items[i];
            at = i;
        }
    assert_non_null(it);
    kiosk_write_config(&kr, 90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 一类事\n"
             "tap-text %s\n"
             "wait-text %s 1000\n"
             "dump %s/bundle.json\n"
             "quit\n",
             b->name, it->name, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *j = kiosk_load_dump(&kr, "bundle.json");
    char want[1024];
    snprintf(want, sizeof want, "%zu. %s（%s", at + 1, it->name, it->units.items[0]);
    if (!kiosk_dump_find(j, "label", want))
        fail_msg("no basic item row \"%s\"", want);
    json_decref(j);
}

static void test_stations_list_then_bio_station_shows_address_contacts_items(void **state)
{
    (void)state;
    assert_int_equal(kr.cat->stations_count, 6);
    const qf_catalog_station *s = qf_catalog_station_get(kr.cat, "station-bio");
    assert_non_null(s);
    kiosk_write_config(&kr, 90);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 产业驿站\n"
             "dump %s/stations.json\n"
             "screenshot %s/stations.png\n"
             "tap-text 生物医药产业服务驿站\n"
             "dump %s/station.json\n"
             "screenshot %s/station.png\n"
             "tap-text 返回\n"
             "dump %s/back.json\n"
             "quit\n",
             kr.dir, kr.dir, kr.dir, kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);

    json_t *j = kiosk_load_dump(&kr, "stations.json");
    assert_string_equal(kiosk_dump_screen(j), "stations");
    assert_int_equal(kiosk_dump_count_role(j, "item"), 6);
    for (size_t i = 0; i < kr.cat->stations_count; i++) {
        json_t *row = kiosk_dump_find(j, "item", kr.cat->stations[i].name);
        if (!row)
            fail_msg("station list has no row for %s", kr.cat->stations[i].name);
        const char *t = json_string_value(json_object_get(row, "text"));
        assert_non_null(strstr(t, kr.cat->stations[i].industry));
        assert_non_null(strstr(t, kr.cat->stations[i].address));
    }
    json_decref(j);

    j = kiosk_load_dump(&kr, "station.json");
    assert_string_equal(kiosk_dump_screen(j), "station");
    assert_non_null(kiosk_dump_find(j, "label", "钱塘区下沙街道福城路501号"));
    assert_non_null(kiosk_dump_find(j, "label", s->address));
    /* The first item's contact, with its phone as published. */
    assert_true(s->items_count > 0 && s->items[0].contacts_count > 0);
    char contact[256];
    snprintf(contact, sizeof contact, "%s  %s", s->items[0].contacts[0].name,
             s->items[0].contacts[0].phone);
    assert_non_null(kiosk_dump_find(j, "label", contact));
    /* Services grouped by category, with a provider mark. */
    assert_non_null(kiosk_dump_find(j, "label", s->items[0].category));
    json_t *row = kiosk_dump_find(j, "label", s->items[0].description);
    assert_non_null(row);
    const char *t = json_string_value(json_object_get(row, "text"));
    assert_true(strncmp(t, "★", strlen("★")) == 0 || strncmp(t, "▲", strlen("▲")) == 0 ||
                strncmp(t, "●", strlen("●")) == 0);
    json_decref(j);

    j = kiosk_load_dump(&kr, "back.json");
    assert_string_equal(kiosk_dump_screen(j), "stations");
    json_decref(j);
}

/* Each distinct (name, phone) pair of a station's items is listed once. */
static void test_station_contacts_are_distinct(void **state)
{
    (void)state;
    const qf_catalog_station *s = qf_catalog_station_get(kr.cat, "station-bio");
    assert_non_null(s);
    kiosk_write_config(&kr, 90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 产业驿站\n"
             "tap-text 生物医药产业服务驿站\n"
             "dump %s/station.json\n"
             "quit\n",
             kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *j = kiosk_load_dump(&kr, "station.json");
    char contact[256];
    snprintf(contact, sizeof contact, "%s  %s", s->items[0].contacts[0].name,
             s->items[0].contacts[0].phone);
    size_t n = 0;
    json_t *w;
    size_t i;
    json_array_foreach(json_object_get(j, "widgets"), i, w) {
        const char *t = json_string_value(json_object_get(w, "text"));
        if (t && strcmp(t, contact) == 0)
            n++;
    }
    assert_int_equal(n, 1);
    json_decref(j);
}

static void test_large_text_reflows_bundle_and_station_screens(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 一类事\n"
             "dump %s/bundles_n.json\n"
             "tap-text 市场准入一类事\n"
             "dump %s/bundle_n.json\n"
             "key Escape\n"
             "key Escape\n"
             "tap-text 产业驿站\n"
             "dump %s/stations_n.json\n"
             "key Escape\n"
             "tap-text 大字模式\n"
             "tap-text 一类事\n"
             "dump %s/bundles_l.json\n"
             "tap-text 市场准入一类事\n"
             "dump %s/bundle_l.json\n"
             "screenshot %s/bundle_large.png\n"
             "key Escape\n"
             "key Escape\n"
             "tap-text 产业驿站\n"
             "dump %s/stations_l.json\n"
             "quit\n",
             kr.dir, kr.dir, kr.dir, kr.dir, kr.dir, kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    static const struct { const char *a, *b, *role, *text; } cmp[] = {
        { "bundles_n.json", "bundles_l.json", "item", "市场准入一类事" },
        { "bundle_n.json", "bundle_l.json", "label", "公司设立登记" },
        { "stations_n.json", "stations_l.json", "item", "生物医药产业服务驿站" },
    };
    for (size_t k = 0; k < sizeof cmp / sizeof cmp[0]; k++) {
        json_t *a = kiosk_load_dump(&kr, cmp[k].a), *b = kiosk_load_dump(&kr, cmp[k].b);
        assert_true(json_is_true(json_object_get(b, "large_text")));
        json_t *wa = kiosk_dump_find(a, cmp[k].role, cmp[k].text);
        json_t *wb = kiosk_dump_find(b, cmp[k].role, cmp[k].text);
        if (!wa || !wb)
            fail_msg("%s: no %s \"%s\" in both modes", cmp[k].a, cmp[k].role, cmp[k].text);
        printf("%s: height %ld -> %ld\n", cmp[k].text, kiosk_rect_at(wa, 3), kiosk_rect_at(wb, 3));
        assert_true(kiosk_rect_at(wb, 3) > kiosk_rect_at(wa, 3));
        json_decref(a);
        json_decref(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundles_list_then_market_entry_shows_items_sides_and_paths),
        cmocka_unit_test(test_basic_items_show_units_in_brackets),
        cmocka_unit_test(test_stations_list_then_bio_station_shows_address_contacts_items),
        cmocka_unit_test(test_station_contacts_are_distinct),
        cmocka_unit_test(test_large_text_reflows_bundle_and_station_screens),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
