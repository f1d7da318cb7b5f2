/* test_kiosk_search.c — the kiosk's search screen, headless: home → 搜索
 * → typing pinyin initials (qykb) finds the 市场准入一类事 bundle through its
 * needs text; Chinese (人才) finds the talent services; BackSpace edits the
 * query; tapping a service hit opens its guide; an FAQ hit shows its answer
 * in a dialog. The index builds on a worker thread after start, so every
 * check waits for its text with a bound (wait-text), never a fixed wait.
 * Also prints the time per keystroke (query + rebuild + draw) the kiosk
 * reports. The kiosk runs from catalog_dir (assets/catalog), no server. */
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
    return kiosk_run_setup(&kr, "search");
}

static int teardown(void **state)
{
    (void)state;
    return kiosk_run_teardown(&kr);
}

/* The field's text in a dump (NULL when empty: dumps leave out empty text). */
static const char *dump_field(json_t *j)
{
    json_t *arr = json_object_get(j, "widgets"), *w;
    size_t i;
    json_array_foreach(arr, i, w) {
        const char *r = json_string_value(json_object_get(w, "role"));
        if (r && strcmp(r, "field") == 0)
            return json_string_value(json_object_get(w, "text"));
    }
    return NULL;
}

static void print_keystroke_time(void)
{
    const char *k = strstr(kiosk_read_stderr(&kr), " keystrokes, ");
    if (k)
        printf("search keystroke to frame: %.2f ms mean (debug build)\n",
               atof(k + strlen(" keystrokes, ")));
}

static void test_search_initials_qykb_find_market_entry_bundle(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 搜索\n"
             "dump %s/empty.json\n"
             "type qykb\n"
             "wait-text 市场准入 5000\n"
             /* again, one key at a time, with the index ready (timing) */
             "key BackSpace\nkey BackSpace\nkey BackSpace\nkey BackSpace\n"
             "type q\ntype y\ntype k\ntype b\n"
             "wait-text 市场准入 5000\n"
             "dump %s/qykb.json\n"
             "quit\n",
             kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    print_keystroke_time();
    json_t *j = kiosk_load_dump(&kr, "empty.json");
    assert_string_equal(kiosk_dump_screen(j), "search");
    assert_null(dump_field(j));
    json_decref(j);
    j = kiosk_load_dump(&kr, "qykb.json");
    assert_string_equal(kiosk_dump_screen(j), "search");
    const char *q = dump_field(j);
    assert_non_null(q);
    assert_string_equal(q, "qykb");
    json_t *hit = kiosk_dump_find(j, "item", "市场准入一类事");
    assert_non_null(hit);
    assert_non_null(strstr(json_string_value(json_object_get(hit, "text")), "一类事 Bundle"));
    json_decref(j);
}

static void test_search_chinese_rencai_finds_talent_services(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 搜索\n"
             "type 人才\n"
             "wait-text 服务 Service 5000\n"
             "dump %s/rencai.json\n"
             "quit\n",
             kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *j = kiosk_load_dump(&kr, "rencai.json");
    assert_string_equal(kiosk_dump_screen(j), "search");
    /* The visible service hits are catalog services titled with 人才, and
     * at least one of them is on the 人才服务 board. */
    json_t *arr = json_object_get(j, "widgets"), *w;
    size_t i, services = 0, talent = 0;
    json_array_foreach(arr, i, w) {
        const char *t = json_string_value(json_object_get(w, "text"));
        const char *prefix = "服务 Service · ";
        if (!t || strncmp(t, prefix, strlen(prefix)) != 0)
            continue;
        const char *title = t + strlen(prefix);
        assert_non_null(strstr(title, "人才"));
        services++;
        for (size_t k = 0; k < kr.cat->services_count; k++) {
            const qf_catalog_service *sv = &kr.cat->services[k];
            if (sv->category3 && strcmp(sv->category3, title) == 0 &&
                strcmp(sv->board, "board-talent") == 0) {
                talent++;
                break;
            }
        }
    }
    assert_true(services >= 3);
    assert_true(talent >= 1);
    json_decref(j);
}

static void test_search_backspace_edits_query(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 搜索\n"
             "type qykbzz\n"
             "wait-text 没有找到 5000\n"
             "key BackSpace\n"
             "key BackSpace\n"
             "wait-text 市场准入 5000\n"
             "dump %s/qykb.json\n"
             "type 人才\n"
             "key BackSpace\n"
             "dump %s/mixed.json\n"
             "quit\n",
             kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *j = kiosk_load_dump(&kr, "qykb.json");
    assert_string_equal(dump_field(j), "qykb");
    assert_non_null(kiosk_dump_find(j, "item", "市场准入一类事"));
    json_decref(j);
    j = kiosk_load_dump(&kr, "mixed.json");
    assert_string_equal(dump_field(j), "qykb人");   /* BackSpace drops a whole character */
    json_decref(j);
}

static void test_search_tap_service_hit_opens_its_guide(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 搜索\n"
             "type rencai\n"
             "wait-text 人才政策服务 5000\n"
             "tap-text 人才政策服务\n"
             "dump %s/guide.json\n"
             "key Escape\n"
             "dump %s/back.json\n"
             "quit\n",
             kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *j = kiosk_load_dump(&kr, "guide.json");
    assert_string_equal(kiosk_dump_screen(j), "guide");
    assert_non_null(kiosk_dump_find(j, NULL, "人才政策服务"));
    json_decref(j);
    j = kiosk_load_dump(&kr, "back.json");
    assert_string_equal(kiosk_dump_screen(j), "search");
    assert_string_equal(dump_field(j), "rencai");   /* back keeps the search */
    json_decref(j);
}

static void test_search_faq_hit_shows_answer_in_dialog(void **state)
{
    (void)state;
    const qf_catalog_faq *faq = qf_catalog_faq_get(kr.cat, "faq-002");
    assert_non_null(faq);
    kiosk_write_config(&kr, 90);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 搜索\n"
             "type 出入境证件\n"
             "wait-text 问答 FAQ 5000\n"
             "tap-text 问答 FAQ\n"
             "dump %s/faq.json\n"
             "tap-text 关闭\n"
             "dump %s/closed.json\n"
             "quit\n",
             kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *j = kiosk_load_dump(&kr, "faq.json");
    assert_string_equal(kiosk_dump_screen(j), "search");
    json_t *d = kiosk_dump_find(j, "dialog", faq->q);
    assert_non_null(d);
    assert_non_null(strstr(json_string_value(json_object_get(d, "text")), "急事急办"));
    assert_null(kiosk_dump_find(j, "item", "问答 FAQ"));   /* under the dialog */
    json_decref(j);
    j = kiosk_load_dump(&kr, "closed.json");
    assert_null(kiosk_dump_find(j, "dialog", faq->q));
    assert_non_null(kiosk_dump_find(j, "item", "问答 FAQ"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_initials_qykb_find_market_entry_bundle),
        cmocka_unit_test(test_search_chinese_rencai_finds_talent_services),
        cmocka_unit_test(test_search_backspace_edits_query),
        cmocka_unit_test(test_search_tap_service_hit_opens_its_guide),
        cmocka_unit_test(test_search_faq_hit_shows_answer_in_dialog),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
