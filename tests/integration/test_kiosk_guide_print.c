/* test_kiosk_guide_print.c — 打印指南 at a headless kiosk without a server
 * ([printer] sink = png:DIR):
 *   - a talent service's guide, scrolled to its end, 打印指南: the screen
 *     says 指南已打印, one PNG slip is in the folder and its QR reads
 *     (zbarimg) as the service's online URL; a toast says where to take it,
 *     sits low on the screen over no button, and is gone 4 s later (app
 *     clock) while 指南已打印 stays;
 *   - a printer that refuses the connection: 指南未能打印, never 已打印,
 *     no toast, and 打印指南 is offered again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk_run.h"

static kiosk_run kr;

static int setup(void **state)
{
    (void)state;
    return kiosk_run_setup(&kr, "gprint");
}

static int teardown(void **state)
{
    (void)state;
    return kiosk_run_teardown(&kr);
}

/* The first talent service with an online URL (its guide has a QR). */
static const qf_catalog_service *talent_service_with_url(void)
{
    for (size_t i = 0; i < kr.cat->services_count; i++) {
        const qf_catalog_service *s = &kr.cat->services[i];
        if (strcmp(s->board, "board-talent") == 0 && s->online && s->online->url && s->category3)
            return s;
    }
    return NULL;
}

/* kiosk.ini: no server, the shipped catalog, the given printer sink. */
static void write_config(const char *sink)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[server]\n"
             "url =\n"
             "[kiosk]\n"
             "state_dir = %s/state\n"
             "hall_name = 钱塘区企业综合服务中心\n"
             "idle_timeout_s = 300\n"
             "language = zh\n"
             "catalog_dir = %s/assets/catalog\n"
             "[printer]\n"
             "sink = %s\n"
             "timeout_s = 20\n",
             kr.dir, QIFU_SOURCE_DIR, sink);
    kiosk_write_file(&kr, "kiosk.ini", text);
}

/* Home, 人才服务, the service's guide, scrolled to its end (past the glide). */
#define GUIDE_TO_END                                                              \
    "tap 540 1200\n"                                                              \
    "tap-text 人才服务\n"                                                         \
    "tap-text %s\n"                                                               \
    "wait-text 线上办理 1000\n"                                                   \
    "drag 540 1800 540 200 200\n"                                                 \
    "wait 3000\n"                                                                 \
    "drag 540 1800 540 200 200\n"                                                 \
    "wait 3000\n"                                                                 \
    "drag 540 1800 540 200 200\n"                                                 \
    "wait 3000\n"                                                                 \
    "drag 540 1800 540 200 200\n"                                                 \
    "wait 3000\n"                                                                 \
    "wait-text 打印指南 2000\n"

/* The only PNG in dir (its path in out); fails unless there is exactly one. */
static void only_png(const char *dir, char *out, size_t len)
{
    char cmd[600], line[600];
    size_t n = 0;
    snprintf(cmd, sizeof cmd, "ls '%s' 2>/dev/null | grep '\\.png$'", dir);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        if (n++ == 0)
            assert_true((size_t)snprintf(out, len, "%s/%s", dir, line) < len);
    }
    pclose(fp);
    if (n != 1)
        fail_msg("%zu PNG slips in %s, want 1", n, dir);
}

static bool rects_overlap(json_t *a, json_t *b)
{
    long ax = kiosk_rect_at(a, 0), ay = kiosk_rect_at(a, 1), aw = kiosk_rect_at(a, 2),
         ah = kiosk_rect_at(a, 3);
    long bx = kiosk_rect_at(b, 0), by = kiosk_rect_at(b, 1), bw = kiosk_rect_at(b, 2),
         bh = kiosk_rect_at(b, 3);
    return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

static void test_guide_prints_a_slip_whose_qr_is_the_online_url_and_a_toast_goes_by_itself(
    void **state)
{
    (void)state;
    const qf_catalog_service *svc = talent_service_with_url();
    assert_non_null(svc);
    char slips[400], sink[420];
    snprintf(slips, sizeof slips, "%s/slips", kr.dir);
    snprintf(sink, sizeof sink, "png:%s", slips);
    write_config(sink);
    char script[4096];
    snprintf(script, sizeof script,
             GUIDE_TO_END
             "tap-text 打印指南\n"
             "wait-text 指南已打印 20000\n"
             "dump %s/printed.json\n"
             "screenshot %s/printed.png\n"
             "wait 4000\n"
             "dump %s/later.json\n"
             "quit\n",
             svc->category3, kr.dir, kr.dir, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);

    char png[800], got[1024];
    only_png(slips, png, sizeof png);
    char cmd[900];
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s'", png);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    if (!fgets(got, sizeof got, fp))
        got[0] = '\0';
    int zrc = pclose(fp);
    got[strcspn(got, "\r\n")] = '\0';
    if (zrc != 0)
        fail_msg("zbarimg found no QR code in %s", png);
    assert_string_equal(got, svc->online->url);

    json_t *j = kiosk_load_dump(&kr, "printed.json");
    assert_string_equal(kiosk_dump_screen(j), "guide");
    assert_non_null(kiosk_dump_find(j, "label", "指南已打印"));
    assert_null(kiosk_dump_find(j, "button", "打印指南"));      /* one slip per visit */
    assert_int_equal(kiosk_dump_count_role(j, "toast"), 1);
    json_t *toast = kiosk_dump_find(j, "toast", "取走");
    assert_non_null(toast);
    long sh = (long)json_integer_value(json_array_get(json_object_get(j, "size"), 1));
    assert_true(kiosk_rect_at(toast, 1) > sh / 2);                 /* low on the screen */
    assert_true(kiosk_rect_at(toast, 1) + kiosk_rect_at(toast, 3) <= sh);
    json_t *w;
    size_t i;
    json_array_foreach(json_object_get(j, "widgets"), i, w) {
        const char *role = json_string_value(json_object_get(w, "role"));
        if (role && (strcmp(role, "button") == 0 || strcmp(role, "tile") == 0) &&
            rects_overlap(toast, w))
            fail_msg("the toast covers the %s '%s'", role,
                     json_string_value(json_object_get(w, "text")));
    }
    json_decref(j);

    j = kiosk_load_dump(&kr, "later.json");
    assert_string_equal(kiosk_dump_screen(j), "guide");
    assert_int_equal(kiosk_dump_count_role(j, "toast"), 0);
    assert_non_null(kiosk_dump_find(j, "label", "指南已打印"));
    json_decref(j);
    const char *err = kiosk_read_stderr(&kr);
    assert_non_null(strstr(err, "guide"));
    assert_non_null(strstr(err, svc->id));
}

static void test_a_refused_printer_never_says_printed_and_offers_the_button_again(void **state)
{
    (void)state;
    const qf_catalog_service *svc = talent_service_with_url();
    assert_non_null(svc);
    write_config("escpos-tcp:127.0.0.1:1");    /* nothing listens on port 1 */
    char script[4096];
    snprintf(script, sizeof script,
             GUIDE_TO_END
             "tap-text 打印指南\n"
             "wait-text 指南未能打印 20000\n"
             "dump %s/failed.json\n"
             "quit\n",
             svc->category3, kr.dir);
    assert_int_equal(kiosk_run_script(&kr, script), 0);
    json_t *j = kiosk_load_dump(&kr, "failed.json");
    assert_string_equal(kiosk_dump_screen(j), "guide");
    json_t *why = kiosk_dump_find(j, "label", "指南未能打印");
    assert_non_null(why);
    assert_non_null(strstr(json_string_value(json_object_get(why, "text")), "二维码"));
    assert_null(kiosk_dump_find(j, NULL, "已打印"));
    assert_int_equal(kiosk_dump_count_role(j, "toast"), 0);
    assert_non_null(kiosk_dump_find(j, "button", "打印指南"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_guide_prints_a_slip_whose_qr_is_the_online_url_and_a_toast_goes_by_itself, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_refused_printer_never_says_printed_and_offers_the_button_again, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
