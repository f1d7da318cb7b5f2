/* test_kiosk_a11y.c — qifu-kiosk's accessibility rules, checked from its
 * headless dumps and screenshots (catalog_dir, no server):
 *   touch targets: every button, tile and list item on the home, board and
 *     guide screens, the request form with the on-screen keyboard and its
 *     candidate bar (and home in large-text mode) is at least 15 mm in both
 *     dimensions at 1080x1920, taking the panel as 299 mm wide (a 24" 16:9
 *     panel in portrait: the most px per mm of the panels we expect, so the
 *     strictest case; the kiosk's default screen_width_mm is 340), and at
 *     1920x1080 on the same panel in landscape (531 mm wide);
 *   high contrast: the header's 高对比 button switches the theme (black
 *     background, the dump says so) and a second tap switches it back;
 *   the idle clock shows Asia/Shanghai time whatever TZ the host has
 *     (QIFU_FAKE_NOW fixes the instant, TZ is set to New York). */
#include <jansson.h>
#include <png.h>
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

#define LSAN_SUPP QIFU_SOURCE_DIR "/tests/lsan-libpinyin.supp"
#define PANEL_MM 299
#define MIN_TARGET_MM 15.0

static char dir[256];
static qf_catalog *cat;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/qifu-kiosk-a11y-XXXXXX");
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

static int panel_mm = PANEL_MM;   /* what write_config puts in screen_width_mm */
static const char *panel_size = "1080x1920";

static void write_config(void)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[server]\n"
             "url =\n"
             "[kiosk]\n"
             "state_dir = %s/state\n"
             "hall_name = 钱塘区企业综合服务中心\n"
             "idle_timeout_s = 90\n"
             "language = zh\n"
             "screen_width_mm = %d\n"
             "catalog_dir = %s/assets/catalog\n",
             dir, panel_mm, QIFU_SOURCE_DIR);
    write_file("kiosk.ini", text);
}

/* Runs the kiosk on script text; env: NULL, or NAME, VALUE, … , NULL. */
static int run_kiosk(const char *script, const char *const *env)
{
    write_file("script.txt", script);
    char cfg[512], scr[512], errpath[512];
    snprintf(cfg, sizeof cfg, "%s/kiosk.ini", dir);
    snprintf(scr, sizeof scr, "%s/script.txt", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("LSAN_OPTIONS", "suppressions=" LSAN_SUPP, 1);
        for (size_t i = 0; env && env[i] && env[i + 1]; i += 2)
            setenv(env[i], env[i + 1], 1);
        if (!freopen(errpath, "w", stderr) || chdir(dir) != 0)
            _exit(127);
        execl(QIFU_KIOSK_BIN, "qifu-kiosk", "--config", cfg, "--headless", "--script", scr,
              "--size", panel_size, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    FILE *fp = fopen(errpath, "r");
    if (fp) {
        char line[1024];
        while (fgets(line, sizeof line, fp))
            if (!strstr(line, "libdb") && !strstr(line, "----") && !strstr(line, "uppressions"))
                fprintf(stderr, "  | %s", line);
        fclose(fp);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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

static bool dump_has(json_t *j, const char *needle)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(j, "widgets"), i, w) {
        const char *t = json_string_value(json_object_get(w, "text"));
        if (t && strstr(t, needle))
            return true;
    }
    return false;
}

static long rect_at(json_t *w, size_t i)
{
    return (long)json_integer_value(json_array_get(json_object_get(w, "rect"), i));
}

/* Every tappable widget in dump name is >= 15 mm both ways; returns how
 * many were checked. */
static size_t check_targets(const char *name, const char *want_screen)
{
    json_t *j = load_dump(name);
    assert_string_equal(dump_screen(j), want_screen);
    json_t *size = json_object_get(j, "size");
    long sw = (long)json_integer_value(json_array_get(size, 0));
    long mm = (long)json_integer_value(json_object_get(j, "screen_width_mm"));
    assert_int_equal(sw, atoi(panel_size));
    assert_int_equal(mm, panel_mm);
    double px_per_mm = (double)sw / (double)mm;
    size_t i, n = 0;
    json_t *w;
    json_array_foreach(json_object_get(j, "widgets"), i, w) {
        const char *role = json_string_value(json_object_get(w, "role"));
        if (!role || (strcmp(role, "button") != 0 && strcmp(role, "tile") != 0 &&
                      strcmp(role, "item") != 0))
            continue;
        double wmm = (double)rect_at(w, 2) / px_per_mm, hmm = (double)rect_at(w, 3) / px_per_mm;
        if (wmm < MIN_TARGET_MM || hmm < MIN_TARGET_MM)
            fail_msg("%s: %s '%s' is %.1f x %.1f mm (%ld x %ld px), under %.0f mm", name, role,
                     json_string_value(json_object_get(w, "text")), wmm, hmm, rect_at(w, 2),
                     rect_at(w, 3), MIN_TARGET_MM);
        n++;
    }
    json_decref(j);
    return n;
}

static const qf_catalog_service *talent_service(void)
{
    for (size_t i = 0; i < cat->services_count; i++) {
        const qf_catalog_service *s = &cat->services[i];
        if (strcmp(s->board, "board-talent") == 0 && s->online && s->online->url && s->category3)
            return s;
    }
    return NULL;
}

static void check_touch_targets(void)
{
    const qf_catalog_service *svc = talent_service();
    assert_non_null(svc);
    write_config();
    char script[4096];
    snprintf(script, sizeof script,
             "tap 540 540\n"
             "wait-text 人才服务 1000\n"
             "dump %s/home.json\n"
             "tap-text 我要提诉求\n"
             "tap-text 企业名称\n"
             "wait-text 中→英 20000\n"
             "type qi\n"
             "dump %s/form.json\n"
             "key Escape\n"
             "key Escape\n"
             "tap-text 人才服务\n"
             "wait-text %s 1000\n"
             "dump %s/board.json\n"
             "tap-text %s\n"
             "wait-text %s 1000\n"
             "dump %s/guide.json\n"
             "key Escape\n"
             "key Escape\n"
             "wait-text 大字模式 1000\n"
             "tap-text 大字模式\n"
             "dump %s/home-large.json\n"
             "quit\n",
             dir, dir, svc->category3, dir, svc->category3, svc->category3, dir, dir);
    assert_int_equal(run_kiosk(script, NULL), 0);
    size_t n = check_targets("home.json", "home");
    assert_true(n >= 9);   /* the nine board tiles at least */
    n += check_targets("form.json", "form");   /* with the keyboard and its candidates */
    n += check_targets("board.json", "board");
    n += check_targets("guide.json", "guide");
    n += check_targets("home-large.json", "home");
    json_t *j = load_dump("home-large.json");
    assert_true(json_is_true(json_object_get(j, "large_text")));
    json_decref(j);
    printf("touch targets checked at %s: %zu, all >= %.0f mm at %d mm wide\n", panel_size, n,
           MIN_TARGET_MM, panel_mm);
}

static void test_touch_targets_are_at_least_15_mm(void **state)
{
    (void)state;
    panel_size = "1080x1920";
    panel_mm = PANEL_MM;
    check_touch_targets();
}

/* The same 24" panel in landscape: 1920 px over about 531 mm. */
static void test_touch_targets_are_at_least_15_mm_in_landscape(void **state)
{
    (void)state;
    panel_size = "1920x1080";
    panel_mm = 531;
    check_touch_targets();
}

/* The RGB of pixel (x, y) of a PNG. */
static uint32_t png_pixel(const char *name, int x, int y)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, path));
    img.format = PNG_FORMAT_RGB;
    png_bytep buf = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(buf);
    assert_true(png_image_finish_read(&img, NULL, buf, 0, NULL));
    assert_true(x >= 0 && y >= 0 && (png_uint_32)x < img.width && (png_uint_32)y < img.height);
    png_bytep p = buf + ((size_t)y * img.width + (size_t)x) * 3;
    uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    free(buf);
    png_image_free(&img);
    return rgb;
}

static void test_high_contrast_toggle_in_the_header(void **state)
{
    (void)state;
    panel_size = "1080x1920";
    panel_mm = PANEL_MM;
    write_config();
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 1200\n"
             "wait-text 人才服务 1000\n"
             "screenshot %s/normal.png\n"
             "tap-text 高对比\n"
             "dump %s/hc-home.json\n"
             "screenshot %s/hc-home.png\n"
             "tap-text 人才服务\n"
             "dump %s/hc-board.json\n"
             "tap-text 高对比\n"
             "dump %s/normal-board.json\n"
             "quit\n",
             dir, dir, dir, dir, dir);
    assert_int_equal(run_kiosk(script, NULL), 0);
    json_t *j = load_dump("hc-home.json");
    assert_string_equal(dump_screen(j), "home");
    assert_true(json_is_true(json_object_get(j, "high_contrast")));
    json_decref(j);
    j = load_dump("hc-board.json");   /* it stays on for the session */
    assert_string_equal(dump_screen(j), "board");
    assert_true(json_is_true(json_object_get(j, "high_contrast")));
    assert_true(dump_has(j, "高对比"));
    json_decref(j);
    j = load_dump("normal-board.json");
    assert_false(json_is_true(json_object_get(j, "high_contrast")));
    json_decref(j);
    /* The page background at the bottom corner: light, then black. */
    uint32_t before = png_pixel("normal.png", 4, 1915), after = png_pixel("hc-home.png", 4, 1915);
    assert_int_not_equal(before, 0x000000);
    assert_int_equal(after, 0x000000);
}

static void test_idle_clock_is_shanghai_time_whatever_the_host_tz(void **state)
{
    (void)state;
    panel_size = "1080x1920";
    panel_mm = PANEL_MM;
    write_config();
    char script[512];
    snprintf(script, sizeof script, "dump %s/idle.json\nquit\n", dir);
    /* 01:05 UTC: 09:05 in Shanghai, 20:05 the day before in New York. */
    const char *env[] = { "TZ", "America/New_York", "QIFU_FAKE_NOW", "2026-11-24T01:05:00Z",
                          NULL };
    assert_int_equal(run_kiosk(script, env), 0);
    json_t *j = load_dump("idle.json");
    assert_string_equal(dump_screen(j), "idle");
    assert_true(dump_has(j, "09:05"));
    assert_false(dump_has(j, "20:05"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_touch_targets_are_at_least_15_mm),
        cmocka_unit_test(test_touch_targets_are_at_least_15_mm_in_landscape),
        cmocka_unit_test(test_high_contrast_toggle_in_the_header),
        cmocka_unit_test(test_idle_clock_is_shanghai_time_whatever_the_host_tz),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
