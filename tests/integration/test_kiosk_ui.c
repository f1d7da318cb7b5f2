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

static char dir[256];
static qf_catalog *cat;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/qifu-kiosk-ui-XXXXXX");
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

static char *read_stderr(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
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

/* The first talent service with an online URL: the guide the journey opens. */
static const qf_catalog_service *talent_service_with_url(void)
{
    for (size_t i = 0; i < cat->services_count; i++) {
        const qf_catalog_service *s = &cat->services[i];
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
    write_config(90);
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
             dir, dir, dir, svc->category3, dir, dir, dir);
    assert_int_equal(run_kiosk(script), 0);
    const char *ff = strstr(read_stderr(), "first frame after ");
    assert_non_null(ff);
    printf("time to first frame: %.1f ms\n", atof(ff + strlen("first frame after ")));

    json_t *j = load_dump("idle.json");
    assert_string_equal(dump_screen(j), "idle");
    assert_non_null(dump_find(j, NULL, "点击屏幕开始办事"));
    assert_non_null(dump_find(j, NULL, "0571-85901890"));
    json_decref(j);

    j = load_dump("home.json");
    assert_string_equal(dump_screen(j), "home");
    assert_int_equal(cat->boards_count, 9);
    for (size_t i = 0; i < cat->boards_count; i++)
        if (!dump_find(j, "tile", cat->boards[i].name))
            fail_msg("home has no tile for %s", cat->boards[i].name);
    assert_non_null(dump_find(j, "tile", "人才服务"));
    assert_non_null(dump_find(j, "tile", "审批服务"));
    json_decref(j);

    j = load_dump("board.json");
    assert_string_equal(dump_screen(j), "board");
    json_t *item = dump_find(j, "item", svc->category3);
    assert_non_null(item);
    const char *t = json_string_value(json_object_get(item, "text"));
    assert_true(strstr(t, "★") || strstr(t, "▲") || strstr(t, "●"));
    assert_true(strstr(t, "频") != NULL);
    json_decref(j);

    j = load_dump("guide.json");
    assert_string_equal(dump_screen(j), "guide");
    assert_non_null(dump_find(j, "qr", svc->online->url));
    assert_non_null(dump_find(j, NULL, "1. "));            /* numbered flow */
    json_decref(j);

    j = load_dump("back.json");
    assert_string_equal(dump_screen(j), "board");
    json_decref(j);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s/guide.png' 2>/dev/null", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char got[1024] = "";
    if (!fgets(got, sizeof got, p))
        got[0] = '\0';
    int zrc = pclose(p);
    got[strcspn(got, "\r\n")] = '\0';
    if (zrc != 0)
        fail_msg("zbarimg found no QR code in %s/guide.png", dir);
    assert_string_equal(got, svc->online->url);
}

static void test_large_text_mode_makes_text_taller(void **state)
{
    (void)state;
    write_config(90);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "dump %s/normal.json\n"
             "tap-text 大字模式\n"
             "dump %s/large.json\n"
             "tap-text 标准字体\n"
             "dump %s/again.json\n",
             dir, dir, dir);
    assert_int_equal(run_kiosk(script), 0);
    json_t *a = load_dump("normal.json"), *b = load_dump("large.json"), *c = load_dump("again.json");
    json_t *wa = dump_find(a, "tile", "人才服务"), *wb = dump_find(b, "tile", "人才服务");
    json_t *la = dump_find(a, "label", "请选择服务"), *lb = dump_find(b, "label", "请选择服务");
    json_t *wc = dump_find(c, "tile", "人才服务");
    assert_non_null(wa);
    assert_non_null(wb);
    assert_non_null(la);
    assert_non_null(lb);
    assert_non_null(wc);
    printf("tile height %ld -> %ld, title height %ld -> %ld\n", rect_at(wa, 3), rect_at(wb, 3),
           rect_at(la, 3), rect_at(lb, 3));
    assert_true(rect_at(wb, 3) > rect_at(wa, 3));
    /* The title is one line in both modes: its height is the font's. */
    assert_true(rect_at(lb, 3) * 10 >= rect_at(la, 3) * 14);
    assert_int_equal(rect_at(wc, 3), rect_at(wa, 3));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void test_drag_scrolls_the_service_list(void **state)
{
    (void)state;
    write_config(90);
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "tap-text 人才服务\n"
             "dump %s/top.json\n"
             "drag 540 1700 540 700 300\n"
             "dump %s/scrolled.json\n",
             dir, dir);
    assert_int_equal(run_kiosk(script), 0);
    json_t *a = load_dump("top.json"), *b = load_dump("scrolled.json");
    assert_string_equal(dump_screen(b), "board");     /* a drag is not a tap */
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
    json_t *before = dump_find(a, "item", last_a), *after = dump_find(b, "item", last_a);
    assert_non_null(after);
    long moved = rect_at(before, 1) - rect_at(after, 1);
    printf("drag of 1000 px moved the list by %ld px\n", moved);
    assert_true(moved > 900 && moved <= 1000);
    json_decref(a);
    json_decref(b);
}

static long dump_scroll(const char *name)
{
    json_t *j = load_dump(name);
    long v = (long)json_integer_value(json_object_get(j, "scroll"));
    json_decref(j);
    return v;
}

static void test_quick_drag_glides_on_slow_drag_stops(void **state)
{
    (void)state;
    write_config(90);
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
             dir, dir, dir, dir);
    assert_int_equal(run_kiosk(script), 0);
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
    write_config(30);
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
             dir, dir, dir, dir, dir);
    assert_int_equal(run_kiosk(script), 0);
    json_t *j = load_dump("before.json");
    assert_string_equal(dump_screen(j), "board");
    assert_null(dump_find(j, "dialog", "秒后返回"));
    json_decref(j);
    j = load_dump("countdown.json");
    assert_non_null(dump_find(j, "dialog", "秒后返回"));
    json_decref(j);
    j = load_dump("continued.json");
    assert_string_equal(dump_screen(j), "board");
    assert_null(dump_find(j, "dialog", "秒后返回"));
    json_decref(j);
    j = load_dump("idle.json");    /* 30 s idle + 10 s countdown passed */
    assert_string_equal(dump_screen(j), "idle");
    json_decref(j);
    j = load_dump("fresh.json");   /* a new session starts clean */
    assert_string_equal(dump_screen(j), "home");
    assert_false(json_is_true(json_object_get(j, "large_text")));
    json_decref(j);
}

static void test_bad_command_exits_nonzero_with_its_line(void **state)
{
    (void)state;
    write_config(90);
    assert_int_not_equal(run_kiosk("tap 10 10\n# comment\nfrobnicate 1 2\nquit\n"), 0);
    assert_non_null(strstr(read_stderr(), "script.txt:3:"));
    assert_int_not_equal(run_kiosk("tap 540 1200\ntap-text 没有这个按钮\n"), 0);
    assert_non_null(strstr(read_stderr(), "script.txt:2:"));
    assert_int_not_equal(run_kiosk("wait-text 没有这个按钮 300\n"), 0);
    assert_non_null(strstr(read_stderr(), "script.txt:1:"));
}

/* Every journey under tests/ui (*.txt) runs to its end (exit 0). */
static void test_shipped_ui_scripts_pass(void **state)
{
    (void)state;
    write_config(90);
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
        if (run_kiosk_file(path) != 0)
            fail_msg("tests/ui/%s failed", e->d_name);
        ran++;
    }
    closedir(d);
    assert_true(ran >= 3);
    char png[512];
    snprintf(png, sizeof png, "zbarimg --raw -q '%s/guide_qr.png' 2>/dev/null | "
             "grep -qx 'https://zcps.rlsbt.zj.gov.cn/'", dir);
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
