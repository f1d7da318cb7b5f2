/* test_kiosk_ui.c — qifu-kiosk's headless mode driven by scripts: the
 * catalog journey idle → home (the nine boards) → 人才服务 → a service with
 * an online channel → its guide, whose on-screen QR code zbarimg reads back
 * as the catalog's URL; large-text mode makes text taller; a drag scrolls
 * the service list and a quick one glides on; the idle timeout shows its countdown and then wipes the
 * session back to the idle screen on the app clock (no real waiting); a bad
 * command exits non-zero naming its line. The kiosk runs from catalog_dir
 * (assets/catalog) with no server. Also prints the time to first frame. */
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
#include <dirent.h>

#include "qf_catalog.h"

#include "kiosk_run.h"

static kiosk_run kr;

static int setup(void **state)
{
    (void)state;
    return kiosk_run_setup(&kr, "ui");
}

static int teardown(void **state)
{
    (void)state;
    return kiosk_run_teardown(&kr);
}

/* The first talent service with an online URL: the guide the journey opens. */
static const qf_catalog_service *talent_service_with_url(void)
{
    for (size_t i = 0; i < kr.cat->services_count; i++) {
        const qf_catalog_service *s = &kr.cat->services[i];
        if (strcmp(s->board, "board-talent") == 0 && s->online && s->online->url && s->category3)
            return s;
    }
    return NULL;
}

static void test_journey_idle_home_board_guide_qr_reads_catalog_url(void **state)
{
    (void)state;
    const qf_catalog_service *svc = talent_service_with_url();
    assert_non_null(svc);
    kiosk_write_config(&kr, 90);
    char script[4096];
    snprintf(script, sizeof script,
             "# the catalog journey\n"
             "dump %s/idle.json\n"
             "tap 540 1200\n"
             "dump %s/home.json\n"
             "tap-text 人才服务\n"
             "dump %s/board.json\n"
             "tap-text %s\n"
             "wait-text 线上办理 1000\n"
             "dump %s/guide.json\n"
             "screenshot %s/guide.png\n"
             "key Escape\n"
             "dump %s/back.json\n"
             "quit\n",
             kr.dir, kr.dir, kr.dir, svc->category3, kr.dir, kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    const char *ff = strstr(kiosk_read_stderr(&kr), "first frame after ");
    assert_non_null(ff);
    printf("time to first frame: %.1f ms\n", atof(ff + strlen("first frame after ")));

    json_t *j = kiosk_load_dump(&kr, "idle.json");
    assert_string_equal(kiosk_dump_screen(j), "idle");
    assert_non_null(kiosk_dump_find(j, NULL, "点击屏幕开始办事"));
    assert_non_null(kiosk_dump_find(j, NULL, "0571-85901890"));
    json_decref(j);

    j = kiosk_load_dump(&kr, "home.json");
    assert_string_equal(kiosk_dump_screen(j), "home");
    assert_int_equal(kr.cat->boards_count, 9);
    for (size_t i = 0; i < kr.cat->boards_count; i++)
        if (!kiosk_dump_find(j, "tile", kr.cat->boards[i].name))
            fail_msg("home has no tile for %s", kr.cat->boards[i].name);
    assert_non_null(kiosk_dump_find(j, "tile", "人才服务"));
    assert_non_null(kiosk_dump_find(j, "tile", "审批服务"));
    json_decref(j);

    j = kiosk_load_dump(&kr, "board.json");
    assert_string_equal(kiosk_dump_screen(j), "board");
    json_t *item = kiosk_dump_find(j, "item", svc->category3);
    assert_non_null(item);
    const char *t = json_string_value(json_object_get(item, "text"));
    assert_true(strstr(t, "★") || strstr(t, "▲") || strstr(t, "●"));
    assert_true(strstr(t, "频") != NULL);
    json_decref(j);

    j = kiosk_load_dump(&kr, "guide.json");
    assert_string_equal(kiosk_dump_screen(j), "guide");
    assert_non_null(kiosk_dump_find(j, "qr", svc->online->url));
    assert_non_null(kiosk_dump_find(j, NULL, "1. "));            /* numbered flow */
    json_decref(j);

    j = kiosk_load_dump(&kr, "back.json");
    assert_string_equal(kiosk_dump_screen(j), "board");
    json_decref(j);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s/guide.png' 2>/dev/null", kr.dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char got[1024] = "";
    if (!fgets(got, sizeof got, p))
        got[0] = '\0';
    int zrc = pclose(p);
    got[strcspn(got, "\r\n")] = '\0';
    if (zrc != 0)
        fail_msg("zbarimg found no QR code in %s/guide.png", kr.dir);
    assert_string_equal(got, svc->online->url);
}

static void test_large_text_mode_makes_text_taller(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "dump %s/normal.json\n"
             "tap-text 大字模式\n"
             "dump %s/large.json\n"
             "tap-text 标准字体\n"
             "dump %s/again.json\n",
             kr.dir, kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *a = kiosk_load_dump(&kr, "normal.json"), *b = kiosk_load_dump(&kr, "large.json"), *c = kiosk_load_dump(&kr, "again.json");
    json_t *wa = kiosk_dump_find(a, "tile", "人才服务"), *wb = kiosk_dump_find(b, "tile", "人才服务");
    json_t *la = kiosk_dump_find(a, "label", "请选择服务"), *lb = kiosk_dump_find(b, "label", "请选择服务");
    json_t *wc = kiosk_dump_find(c, "tile", "人才服务");
    assert_non_null(wa);
    assert_non_null(wb);
    assert_non_null(la);
    assert_non_null(lb);
    assert_non_null(wc);
    printf("tile height %ld -> %ld, title height %ld -> %ld\n", kiosk_rect_at(wa, 3), kiosk_rect_at(wb, 3),
           kiosk_rect_at(la, 3), kiosk_rect_at(lb, 3));
    assert_true(kiosk_rect_at(wb, 3) > kiosk_rect_at(wa, 3));
    /* The title is one line in both modes: its height is the font's. */
    assert_true(kiosk_rect_at(lb, 3) * 10 >= kiosk_rect_at(la, 3) * 14);
    assert_int_equal(kiosk_rect_at(wc, 3), kiosk_rect_at(wa, 3));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void test_drag_scrolls_the_service_list(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 人才服务\n"
             "dump %s/top.json\n"
             "drag 540 1700 540 700 300\n"
             "dump %s/scrolled.json\n",
             kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *a = kiosk_load_dump(&kr, "top.json"), *b = kiosk_load_dump(&kr, "scrolled.json");
    assert_string_equal(kiosk_dump_screen(b), "board");     /* a drag is not a tap */
    /* The last list row visible before the drag is still visible after it,
     * about 1000 px higher (the drag's length). */
    const char *last_a = NULL;
    json_t *w;
    size_t i;
    json_array_foreach(json_object_get(a, "widgets"), i, w) {
        const char *r = json_string_value(json_object_get(w, "role"));
        if (r && strcmp(r, "item") == 0)
            last_a = json_string_value(json_object_get(w, "text"));
    }
    assert_non_null(last_a);
    json_t *before = kiosk_dump_find(a, "item", last_a), *after = kiosk_dump_find(b, "item", last_a);
    assert_non_null(after);
    long moved = kiosk_rect_at(before, 1) - kiosk_rect_at(after, 1);
    printf("drag of 1000 px moved the list by %ld px\n", moved);
    assert_true(moved > 900 && moved <= 1000);
    json_decref(a);
    json_decref(b);
}

static long dump_scroll(const char *name)
{
    json_t *j = kiosk_load_dump(&kr, name);
    long v = (long)json_integer_value(json_object_get(j, "scroll"));
    json_decref(j);
    return v;
}

static void test_quick_drag_glides_on_slow_drag_stops(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 人才服务\n"
             "drag 540 1500 540 900 96\n"
             "dump %s/quick.json\n"
             "wait 3000\n"
             "dump %s/glided.json\n"
             "tap-text 返回\n"
             "tap-text 人才服务\n"
             "drag 540 1500 540 900 3000\n"
             "dump %s/slow.json\n"
             "wait 3000\n"
             "dump %s/still.json\n",
             kr.dir, kr.dir, kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    long quick = dump_scroll("quick.json"), glided = dump_scroll("glided.json");
    long slow = dump_scroll("slow.json"), still = dump_scroll("still.json");
    printf("quick drag 600 px: %ld -> %ld after gliding; slow drag: %ld -> %ld\n", quick, glided,
           slow, still);
    assert_int_equal(quick, 600);
    assert_true(glided > quick + 300);
    assert_int_equal(slow, 600);
    assert_int_equal(still, slow);
}

static void test_idle_timeout_counts_down_then_wipes_the_session(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 30);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 大字模式\n"
             "tap-text 人才服务\n"
             "wait 29000\n"
             "dump %s/before.json\n"
             "wait 2000\n"
             "dump %s/countdown.json\n"
             "tap-text 继续使用\n"
             "dump %s/continued.json\n"
             "wait 41000\n"
             "dump %s/idle.json\n"
             "tap 540 1200\n"
             "wait-text 大字模式 500\n"
             "dump %s/fresh.json\n",
             kr.dir, kr.dir, kr.dir, kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *j = kiosk_load_dump(&kr, "before.json");
    assert_string_equal(kiosk_dump_screen(j), "board");
    assert_null(kiosk_dump_find(j, "dialog", "秒后返回"));
    json_decref(j);
    j = kiosk_load_dump(&kr, "countdown.json");
    assert_non_null(kiosk_dump_find(j, "dialog", "秒后返回"));
    json_decref(j);
    j = kiosk_load_dump(&kr, "continued.json");
    assert_string_equal(kiosk_dump_screen(j), "board");
    assert_null(kiosk_dump_find(j, "dialog", "秒后返回"));
    json_decref(j);
    j = kiosk_load_dump(&kr, "idle.json");    /* 30 s idle + 10 s countdown passed */
    assert_string_equal(kiosk_dump_screen(j), "idle");
    json_decref(j);
    j = kiosk_load_dump(&kr, "fresh.json");   /* a new session starts clean */
    assert_string_equal(kiosk_dump_screen(j), "home");
    assert_false(json_is_true(json_object_get(j, "large_text")));
    json_decref(j);
}

static void test_bad_command_exits_nonzero_with_its_line(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    assert_int_not_equal(kiosk_run_script(&kr, "tap 10 10\n# comment\nfrobnicate 1 2\nquit\n"), 0);
    assert_non_null(strstr(kiosk_read_stderr(&kr), "script.txt:3:"));
    assert_int_not_equal(kiosk_run_script(&kr, "tap 540 1200\ntap-text 没有这个按钮\n"), 0);
    assert_non_null(strstr(kiosk_read_stderr(&kr), "script.txt:2:"));
    assert_int_not_equal(kiosk_run_script(&kr, "wait-text 没有这个按钮 300\n"), 0);
    assert_non_null(strstr(kiosk_read_stderr(&kr), "script.txt:1:"));
}

/* Every journey under tests/ui (*.txt) runs to its end (exit 0). */
static void test_shipped_ui_scripts_pass(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 90);
    DIR *d = opendir(QIFU_SOURCE_DIR "/tests/ui");
    assert_non_null(d);
    struct dirent *e;
    int ran = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/ui/%s", QIFU_SOURCE_DIR, e->d_name);
        printf("tests/ui/%s\n", e->d_name);
        if (kiosk_run_file(&kr, path) != 0)
            fail_msg("tests/ui/%s failed", e->d_name);
        ran++;
    }
    closedir(d);
    assert_true(ran >= 3);
    char png[512];
    snprintf(png, sizeof png, "zbarimg --raw -q '%s/guide_qr.png' 2>/dev/null | "
             "grep -qx 'https://zcps.rlsbt.zj.gov.cn/'", kr.dir);
    assert_int_equal(system(png), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journey_idle_home_board_guide_qr_reads_catalog_url),
        cmocka_unit_test(test_large_text_mode_makes_text_taller),
        cmocka_unit_test(test_drag_scrolls_the_service_list),
        cmocka_unit_test(test_quick_drag_glides_on_slow_drag_stops),
        cmocka_unit_test(test_idle_timeout_counts_down_then_wipes_the_session),
        cmocka_unit_test(test_bad_command_exits_nonzero_with_its_line),
        cmocka_unit_test(test_shipped_ui_scripts_pass),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
