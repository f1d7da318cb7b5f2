/* test_ks_app_toast.c — the toast (ks_app_toast.c) and the online toasts
 * (ks_app_online_event): a toast is shown at once, counts in
 * ks_app_next_deadline_ms on every screen (the idle one included) and is
 * gone at exactly KS_TOAST_MS on the app clock, telling the observer both
 * times; a newer one replaces it and starts its time again; a long text is
 * cut at a character boundary. The first sync report shows no toast, a
 * change from online to offline says 网络已断开，本机继续提供服务, back says
 * 网络已恢复, a repeated report says nothing. No SDL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ks_app.h"
#include "qf_text.h"

static unsigned seen;

static void on_change(void *ud, unsigned changes)
{
    (void)ud;
    seen |= changes;
}

static void start(ks_app *app)
{
    ks_app_init(app, 90);
    ks_app_set_observer(app, on_change, NULL);
    ks_app_configure(app, false, true);
    seen = 0;
}

static void test_a_toast_shows_and_goes_by_itself_after_3_s_on_any_screen(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_IDLE);
    assert_int_equal(ks_app_next_deadline_ms(&app, 1000), UINT32_MAX);
    ks_app_toast(&app, "已保存", "Saved", 1000);
    assert_true(app.toast.shown);
    assert_string_equal(app.toast.zh, "已保存");
    assert_string_equal(app.toast.en, "Saved");
    assert_true(seen & KS_CHANGE_TOAST);
    /* On the idle screen too the loop wakes for it. */
    assert_int_equal(ks_app_next_deadline_ms(&app, 1000), KS_TOAST_MS);
    assert_int_equal(ks_app_next_deadline_ms(&app, 2500), KS_TOAST_MS - 1500);
    seen = 0;
    ks_app_tick(&app, 1000 + KS_TOAST_MS - 1);
    assert_true(app.toast.shown);
    assert_int_equal(seen, 0);
    ks_app_tick(&app, 1000 + KS_TOAST_MS);
    assert_false(app.toast.shown);
    assert_true(seen & KS_CHANGE_TOAST);
    assert_int_equal(ks_app_next_deadline_ms(&app, 1000 + KS_TOAST_MS), UINT32_MAX);
    ks_app_cleanup(&app);
}

static void test_a_toast_during_a_session_is_the_nearest_deadline_and_a_newer_one_restarts(
    void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_session_start(&app, 0);             /* idle timer: 90 s */
    ks_app_toast(&app, "一", NULL, 10000);
    assert_string_equal(app.toast.en, "");
    assert_int_equal(ks_app_next_deadline_ms(&app, 10000), KS_TOAST_MS);
    ks_app_toast(&app, "二", "two", 12000);      /* replaces it; 3 s from now */
    assert_string_equal(app.toast.zh, "二");
    ks_app_tick(&app, 13000);
    assert_true(app.toast.shown);
    ks_app_tick(&app, 12000 + KS_TOAST_MS);
    assert_false(app.toast.shown);
    /* The session's own timer is untouched. */
    assert_int_equal(ks_app_next_deadline_ms(&app, 20000), 70000);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_HOME);
    ks_app_toast(&app, "", "empty", 20000);     /* nothing to say: nothing shown */
    assert_false(app.toast.shown);
    ks_app_cleanup(&app);
}

static void test_a_long_toast_is_cut_at_a_character_boundary(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    char zh[3 * 200 + 1] = "";
    for (int i = 0; i < 200; i++)
        strcat(zh, "网");                        /* 3 bytes each */
    ks_app_toast(&app, zh, NULL, 0);
    size_t n = strlen(app.toast.zh);
    assert_true(n < KS_TOAST_TEXT_MAX);
    assert_int_equal(n % 3, 0);                  /* whole characters only */
    assert_int_equal(qf_utf8_cut(app.toast.zh, n, n), n);
    ks_app_cleanup(&app);
}

static void test_online_changes_toast_but_the_first_report_and_repeats_do_not(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_online_event(&app, true, 500);       /* the first report at start */
    assert_true(app.online);
    assert_false(app.toast.shown);
    ks_app_online_event(&app, true, 600);       /* no change */
    assert_false(app.toast.shown);
    seen = 0;
    ks_app_online_event(&app, false, 1000);
    assert_false(app.online);
    assert_true(app.toast.shown);
    assert_string_equal(app.toast.zh, "网络已断开，本机继续提供服务");
    assert_true(seen & KS_CHANGE_STATUS);
    ks_app_tick(&app, 1000 + KS_TOAST_MS);
    assert_false(app.toast.shown);
    ks_app_online_event(&app, false, 5000);     /* still offline: quiet */
    assert_false(app.toast.shown);
    ks_app_online_event(&app, true, 6000);
    assert_true(app.online);
    assert_true(app.toast.shown);
    assert_string_equal(app.toast.zh, "网络已恢复");
    assert_string_equal(app.toast.en, "Back online");
    ks_app_cleanup(&app);
}

static void test_starting_offline_shows_no_toast_until_it_changes(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_online_event(&app, false, 100);      /* no network at start: the mark says it */
    assert_false(app.toast.shown);
    ks_app_online_event(&app, true, 200);
    assert_true(app.toast.shown);
    assert_string_equal(app.toast.zh, "网络已恢复");
    ks_app_cleanup(&app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_toast_shows_and_goes_by_itself_after_3_s_on_any_screen),
        cmocka_unit_test(
            test_a_toast_during_a_session_is_the_nearest_deadline_and_a_newer_one_restarts),
        cmocka_unit_test(test_a_long_toast_is_cut_at_a_character_boundary),
        cmocka_unit_test(test_online_changes_toast_but_the_first_report_and_repeats_do_not),
        cmocka_unit_test(test_starting_offline_shows_no_toast_until_it_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
