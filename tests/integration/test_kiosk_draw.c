/* test_kiosk_draw.c — the kiosk's partial redraw, headless, end to end:
 * a session (idle → home → search typing qykb → back home → the idle
 * countdown ticking) played once with partial redraws and once with every
 * frame drawn whole (QIFU_UI_FULL_REDRAW) leaves byte-identical
 * screenshots at each step, and the partial run really did draw partially
 * (QIFU_UI_DRAW_LOG: one stderr line per frame with its repainted pixels).
 * The countdown's seconds each repaint under 8% of the 1080x1920 screen
 * (the dialog's two text rows).
 * The kiosk runs from catalog_dir (assets/catalog), no server, with the
 * wall clock fixed (QIFU_FAKE_NOW) so both runs show the same time. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk_run.h"

static kiosk_run kr;

static int setup(void **state)
{
    (void)state;
    setenv("QIFU_FAKE_NOW", "2026-03-02T10:41:30+08:00", 1);
    return kiosk_run_setup(&kr, "draw");
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("QIFU_FAKE_NOW");
    return kiosk_run_teardown(&kr);
}

/* Ownership: the caller frees *out. */
static size_t read_all(const char *path, unsigned char **out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n > 0);
    rewind(fp);
    *out = malloc((size_t)n);
    assert_non_null(*out);
    assert_int_equal(fread(*out, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return (size_t)n;
}

static void assert_same_file(const char *a, const char *b)
{
    unsigned char *x = NULL, *y = NULL;
    size_t nx = read_all(a, &x), ny = read_all(b, &y);
    if (nx != ny || memcmp(x, y, nx) != 0)
        fail_msg("%s and %s differ (%zu and %zu bytes)", a, b, nx, ny);
    free(x);
    free(y);
}

/* The session, writing screenshots NAME-home.png, NAME-search.png … */
static int run_session(const char *name)
{
    char script[2048];
    snprintf(script, sizeof script,
             "screenshot %s/%s-idle.png\n"
             "tap 540 1200\n"
             "screenshot %s/%s-home.png\n"
             "tap-text 搜索\n"
             "type qykb\n"
             "wait-text 市场准入 5000\n"
             "type x\n"
             "key BackSpace\n"
             "screenshot %s/%s-search.png\n"
             "key Escape\n"
             "wait 100\n"
             "screenshot %s/%s-back.png\n"
             "wait 6000\n"                   /* idle 5 s: the countdown from 10 */
             "wait 3000\n"
             "screenshot %s/%s-countdown.png\n"
             "quit\n",
             kr.dir, name, kr.dir, name, kr.dir, name, kr.dir, name, kr.dir, name);
    return kiosk_run_script(&kr, script);
}

static void test_partial_redraws_equal_full_redraws(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 5);
    setenv("QIFU_UI_DRAW_LOG", "1", 1);
    assert_int_equal(run_session("partial"), 0);
    const char *log = kiosk_read_stderr(&kr);
    size_t partial = 0;
    for (const char *p = log; (p = strstr(p, " partial ")) != NULL; p++)
        partial++;
    assert_true(partial >= 3);         /* typing, countdown seconds at least */
    setenv("QIFU_UI_FULL_REDRAW", "1", 1);
    assert_int_equal(run_session("full"), 0);
    unsetenv("QIFU_UI_FULL_REDRAW");
    unsetenv("QIFU_UI_DRAW_LOG");
    assert_null(strstr(kiosk_read_stderr(&kr), " partial "));
    const char *steps[] = { "idle", "home", "search", "back", "countdown" };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/partial-%s.png", kr.dir, steps[i]);
        snprintf(b, sizeof b, "%s/full-%s.png", kr.dir, steps[i]);
        assert_same_file(a, b);
    }
}

/* After the countdown dialog appears (a full frame: the screen dims), each
 * second repaints only the rows of the dialog's text that hold the number. */
static void test_countdown_seconds_repaint_a_small_area(void **state)
{
    (void)state;
    kiosk_write_config(&kr, 5);
    setenv("QIFU_UI_DRAW_LOG", "1", 1);
    int rc = kiosk_run_script(&kr, "tap 540 1200\nwait 5500\nwait 4000\nquit\n");
    unsetenv("QIFU_UI_DRAW_LOG");
    assert_int_equal(rc, 0);
    const char *log = kiosk_read_stderr(&kr);
    const char *last_full = NULL;
    for (const char *p = log; (p = strstr(p, " full ")) != NULL; p++)
        last_full = p;
    assert_non_null(last_full);
    size_t seconds = 0;
    for (const char *p = last_full; (p = strstr(p, "qifu-kiosk: draw ")) != NULL; p++) {
        const char *pct = strchr(p, '(');
        const char *kind = strchr(p + strlen("qifu-kiosk: draw "), ' ');
        assert_non_null(pct);
        assert_non_null(kind);
        if (strncmp(kind, " none ", 6) == 0)
            continue;
        assert_int_equal(strncmp(kind, " partial ", 9), 0);
        assert_true(atof(pct + 1) < 8.0);
        seconds++;
    }
    assert_true(seconds >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partial_redraws_equal_full_redraws),
        cmocka_unit_test(test_countdown_seconds_repaint_a_small_area),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
