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

static char dir[256];
static qf_catalog *cat;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/qifu-kiosk-browse-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char err[256];
    if (qf_catalog_new(&cat) != QF_OK ||
        qf_catalog_load_dir(cat, QIFU_SOURCE_DIR "/assets/catalog", err, sizeof err) != QF_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    qf_catalog_free(cat);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void write_config(int idle_timeout_s)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[server]\n"
             "url =\n"
             "[kiosk]\n"
             "state_dir = %s/state\n"
             "hall_name = 钱塘区企业综合服务中心\n"
             "idle_timeout_s = %d\n"
             "language = zh\n"
             "catalog_dir = %s/assets/catalog\n",
             dir, idle_timeout_s, QIFU_SOURCE_DIR);
    write_file("kiosk.ini", text);
}

/* Runs the kiosk in dir on the script file scr; returns its exit status;
 * its stderr is left in dir/stderr.txt and echoed. */
static int run_kiosk_file(const char *scr)
{
    char cfg[512], errpath[512];
    snprintf(cfg, sizeof cfg, "%s/kiosk.ini", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(errpath, "w", stderr) || chdir(dir) != 0)
            _exit(127);
        execl(QIFU_KIOSK_BIN, "qifu-kiosk", "--config", cfg, "--headless", "--script", scr,
              (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    FILE *fp = fopen(errpath, "r");
    if (fp) {
        char line[1024];
        while (fgets(line, sizeof line, fp))
            fprintf(stderr, "  | %s", line);
        fclose(fp);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs the kiosk on a script given as text (written to dir/script.txt). */
static int run_kiosk(const char *script)
{
    write_file("script.txt", script);
    char scr[512];
    snprintf(scr, sizeof scr, "%s/script.txt", dir);
    return run_kiosk_file(scr);
}

static json_t *load_dump(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

static const char *dump_screen(json_t *j)
{
    return json_string_value(json_object_get(j, "screen"));
}

/* The first widget whose text contains needle (and whose role is role,
 * unless role is NULL), or NULL. */
static json_t *dump_find(json_t *j, const char *role, const char *needle)
{
    json_t *arr = json_object_get(j, "widgets"), *w;
    size_t i;
    json_array_foreach(arr, i, w) {
        const char *t = json_string_value(json_object_get(w, "text"));
        const char *r = json_string_value(json_object_get(w, "role"));
        if (t && strstr(t, needle) && (!role || (r && strcmp(r, role) == 0)))
            return w;
    }
    return NULL;
}

static long rect_at(json_t *w, size_t i)
{
    return (long)json_integer_value(json_array_get(json_object_get(w, "rect"), i));
}

/* Widgets in the dump whose role is role. */
static size_t dump_count_role(json_t *j, const char *role)
{
    json_t *w;
    size_t i, n = 0;
    json_array_foreach(json_object_get(j, "widgets"), i, w) {
        const char *r = json_string_value(json_object_get(w, "role"));
        if (r && strcmp(r, role) == 0)
            n++;
    }
    return n;
}

static void test_bundles_list_then_market_entry_shows_items_sides_and_paths(void **state)
{
    (void)state;
    assert_int_equal(cat->bundles_count, 14);
    const qf_catalog_bundle *b = qf_catalog_bundle_get(cat, "bundle-market-entry");
    assert_non_null(b);
    write_config(90);
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
             dir, dir, dir, dir, dir, dir, dir);
    assert_int_equal(run_kiosk(script), 0);

    json_t *j = load_dump("bundles.json");
    assert_string_equal(dump_screen(j), "bundles");
    assert_int_equal(dump_count_role(j, "item"), 14);
    for (size_t i = 0; i < cat->bundles_count; i++)
        if (!dump_find(j, "item", cat->bundles[i].name))
            fail_msg("bundle list has no row for %s", cat->bundles[i].name);
    assert_non_null(dump_find(j, "item", "市场准入一类事"));
    assert_non_null(dump_find(j, "label", "附件6"));
    assert_non_null(dump_find(j, "label", "附件7"));
    /* 附件6's group comes before 附件7's. */
    assert_true(rect_at(dump_find(j, "label", "附件6"), 1) <
                rect_at(dump_find(j, "label", "附件7"), 1));
    json_decref(j);

    j = load_dump("bundle.json");
    assert_string_equal(dump_screen(j), "bundle");
    assert_non_null(dump_find(j, NULL, "市场准入一类事"));     /* the title */
    assert_non_null(dump_find(j, NULL, b->needs));
    assert_non_null(dump_find(j, "label", "1. 公司设立登记"));  /* numbered */
    assert_non_null(dump_find(j, "label", "政府侧"));
    assert_non_null(dump_find(j, "label", b->value_added[0].text));
    assert_non_null(dump_find(j, "label", b->value_added[0].providers.items[0]));
    json_decref(j);

    /* Long text scrolls: further down come the enterprise side and the paths. */
    j = load_dump("bundle_scrolled.json");
    assert_string_equal(dump_screen(j), "bundle");
    assert_true(json_integer_value(json_object_get(j, "scroll")) > 0);
    assert_non_null(dump_find(j, "label", "企业侧"));
    assert_non_null(dump_find(j, "label", "中介代办服务"));
    assert_non_null(dump_find(j, "label", "线上路径"));
    assert_non_null(dump_find(j, "label", "改革保障"));
    json_decref(j);

    j = load_dump("back.json");
    assert_string_equal(dump_screen(j), "bundles");
    json_decref(j);
    j = load_dump("home.json");
    assert_string_equal(dump_screen(j), "home");
    json_decref(j);
}

static void test_basic_items_show_units_in_brackets(void **state)
{
    (void)state;
    /* A bundle whose first basic item names units and is delegated. */
    const qf_catalog_bundle *b = qf_catalog_bundle_get(cat, "bundle-bio-rnd");
    assert_non_null(b);
    const qf_catalog_basic_item *it = NULL;
    size_t at = 0;
    for (size_t i = 0; i < b->basic_items_count && !it; i++)
        if (b->basic_items[i].units.count) {
            it = &b->basic_items[i];
            at = i;
        }
    assert_non_null(it);
    write_config(90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 一类事\n"
             "tap-text %s\n"
             "wait-text %s 1000\n"
             "dump %s/bundle.json\n"
             "quit\n",
             b->name, it->name, dir);
    assert_int_equal(run_kiosk(script), 0);
    json_t *j = load_dump("bundle.json");
    char want[1024];
    snprintf(want, sizeof want, "%zu. %s（%s", at + 1, it->name, it->units.items[0]);
    if (!dump_find(j, "label", want))
        fail_msg("no basic item row \"%s\"", want);
    json_decref(j);
}

static void test_stations_list_then_bio_station_shows_address_contacts_items(void **state)
{
    (void)state;
    assert_int_equal(cat->stations_count, 6);
    const qf_catalog_station *s = qf_catalog_station_get(cat, "station-bio");
    assert_non_null(s);
    write_config(90);
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
             dir, dir, dir, dir, dir);
    assert_int_equal(run_kiosk(script), 0);

    json_t *j = load_dump("stations.json");
    assert_string_equal(dump_screen(j), "stations");
    assert_int_equal(dump_count_role(j, "item"), 6);
    for (size_t i = 0; i < cat->stations_count; i++) {
        json_t *row = dump_find(j, "item", cat->stations[i].name);
        if (!row)
            fail_msg("station list has no row for %s", cat->stations[i].name);
        const char *t = json_string_value(json_object_get(row, "text"));
        assert_non_null(strstr(t, cat->stations[i].industry));
        assert_non_null(strstr(t, cat->stations[i].address));
    }
    json_decref(j);

    j = load_dump("station.json");
    assert_string_equal(dump_screen(j), "station");
    assert_non_null(dump_find(j, "label", "钱塘区下沙街道福城路501号"));
    assert_non_null(dump_find(j, "label", s->address));
    /* The first item's contact, with its phone as published. */
    assert_true(s->items_count > 0 && s->items[0].contacts_count > 0);
    char contact[256];
    snprintf(contact, sizeof contact, "%s  %s", s->items[0].contacts[0].name,
             s->items[0].contacts[0].phone);
    assert_non_null(dump_find(j, "label", contact));
    /* Services grouped by category, with a provider mark. */
    assert_non_null(dump_find(j, "label", s->items[0].category));
    json_t *row = dump_find(j, "label", s->items[0].description);
    assert_non_null(row);
    const char *t = json_string_value(json_object_get(row, "text"));
    assert_true(strncmp(t, "★", strlen("★")) == 0 || strncmp(t, "▲", strlen("▲")) == 0 ||
                strncmp(t, "●", strlen("●")) == 0);
    json_decref(j);

    j = load_dump("back.json");
    assert_string_equal(dump_screen(j), "stations");
    json_decref(j);
}

/* Each distinct (name, phone) pair of a station's items is listed once. */
static void test_station_contacts_are_distinct(void **state)
{
    (void)state;
    const qf_catalog_station *s = qf_catalog_station_get(cat, "station-bio");
    assert_non_null(s);
    write_config(90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 产业驿站\n"
             "tap-text 生物医药产业服务驿站\n"
             "dump %s/station.json\n"
             "quit\n",
             dir);
    assert_int_equal(run_kiosk(script), 0);
    json_t *j = load_dump("station.json");
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
    write_config(90);
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
             dir, dir, dir, dir, dir, dir, dir);
    assert_int_equal(run_kiosk(script), 0);
    static const struct { const char *a, *b, *role, *text; } cmp[] = {
        { "bundles_n.json", "bundles_l.json", "item", "市场准入一类事" },
        { "bundle_n.json", "bundle_l.json", "label", "公司设立登记" },
        { "stations_n.json", "stations_l.json", "item", "生物医药产业服务驿站" },
    };
    for (size_t k = 0; k < sizeof cmp / sizeof cmp[0]; k++) {
        json_t *a = load_dump(cmp[k].a), *b = load_dump(cmp[k].b);
        assert_true(json_is_true(json_object_get(b, "large_text")));
        json_t *wa = dump_find(a, cmp[k].role, cmp[k].text);
        json_t *wb = dump_find(b, cmp[k].role, cmp[k].text);
        if (!wa || !wb)
            fail_msg("%s: no %s \"%s\" in both modes", cmp[k].a, cmp[k].role, cmp[k].text);
        printf("%s: height %ld -> %ld\n", cmp[k].text, rect_at(wa, 3), rect_at(wb, 3));
        assert_true(rect_at(wb, 3) > rect_at(wa, 3));
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
