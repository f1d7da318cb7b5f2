/* test_ks_app_staff.c — the staff state (ks_app_staff.c) without SDL or a
 * daemon: the hidden five-tap entry and its 3 s window, the sign-in answers
 * and the local lock-out on the app clock, a helper's session ending with
 * the citizen's, help-call polling, the inspection's JSON, and the
 * schedule's windows (opening hours, a dim window across midnight, the
 * nightly restart only when idle and not right after a start). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "ks_app.h"

static unsigned changes_seen;

static void on_change(void *ud, unsigned changes)
{
    (void)ud;
    changes_seen |= changes;
}

static void app_new(ks_app *app)
{
    ks_app_init(app, 90);
    ks_app_set_observer(app, on_change, NULL);
    changes_seen = 0;
}

static void type(ks_app *app, ks_sin f, const char *text)
{
    ks_app_staff_focus(app, f);
    ks_app_staff_edit(app, f, text);
}

static void test_five_corner_taps_within_3_s_open_the_technician_sign_in(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    for (int i = 0; i < 4; i++)
        assert_false(ks_app_staff_corner_tap(&app, 1000 + (uint64_t)i * 700));
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_IDLE);
    assert_true(ks_app_staff_corner_tap(&app, 1000 + 4 * 700));   /* 2.8 s after the first */
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_STAFF_LOGIN);
    assert_int_equal(app.staff.login_role, KS_ROLE_TECH);
    assert_true(changes_seen & KS_CHANGE_SCREEN);
    ks_app_cleanup(&app);
}

static void test_five_corner_taps_spread_over_more_than_3_s_do_nothing(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    for (int i = 0; i < 5; i++)
        assert_false(ks_app_staff_corner_tap(&app, 1000 + (uint64_t)i * 800));   /* 3.2 s */
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_IDLE);
    /* The window slides: one more quick tap makes the last five fit. */
    assert_true(ks_app_staff_corner_tap(&app, 1000 + 4 * 800 + 100));
    ks_app_cleanup(&app);
}

static void sign_in_attempt(ks_app *app, const char *pin, uint64_t now)
{
    type(app, KS_SIN_ID, "T1");
    type(app, KS_SIN_PIN, pin);
    ks_app_staff_login_submit(app, now);
}

static void test_five_wrong_answers_lock_the_sign_in_for_60_s(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_app_staff_login_open(&app, KS_ROLE_TECH, 0);
    for (int i = 0; i < KS_LOGIN_FAILS_MAX; i++) {
        uint64_t now = 1000 + (uint64_t)i * 1000;
        sign_in_attempt(&app, "000000", now);
        assert_int_equal(app.staff.login, KS_LOGIN_ASK);
        ks_app_staff_login_sent(&app);
        assert_int_equal(app.staff.login, KS_LOGIN_WAIT);
        ks_app_staff_login_answer(&app, app.staff.login_id, KS_ANSWER_REFUSED, NULL, NULL, 0, now);
        assert_string_equal(app.staff.text[KS_SIN_PIN], "");   /* a wrong PIN is not kept */
    }
    assert_int_equal(app.staff.login, KS_LOGIN_LOCKED);
    assert_non_null(strstr(app.staff.message, "尝试次数过多"));
    /* Locked: even the right PIN is not sent. */
    sign_in_attempt(&app, "135790", 6000);
    assert_int_equal(app.staff.login, KS_LOGIN_LOCKED);
    sign_in_attempt(&app, "135790", 5000 + KS_LOGIN_LOCK_MS - 1);
    assert_int_equal(app.staff.login, KS_LOGIN_LOCKED);
    /* After 60 s on the app clock it may be tried again. */
    sign_in_attempt(&app, "135790", 5000 + KS_LOGIN_LOCK_MS);
    assert_int_equal(app.staff.login, KS_LOGIN_ASK);
    ks_app_staff_login_sent(&app);
    ks_app_staff_login_answer(&app, app.staff.login_id, KS_ANSWER_OK, "T1", "技术员老张", 0,
                              5000 + KS_LOGIN_LOCK_MS);
    assert_true(app.staff.tech);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_TECH);
    assert_int_equal(app.staff.fails, 0);
    assert_string_equal(app.staff.text[KS_SIN_INSPECTOR], "技术员老张");
    ks_app_cleanup(&app);
}

static void test_a_wrong_role_is_refused_without_counting_to_the_lock(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_app_staff_login_open(&app, KS_ROLE_TECH, 0);
    sign_in_attempt(&app, "246810", 10);
    ks_app_staff_login_sent(&app);
    ks_app_staff_login_answer(&app, app.staff.login_id, KS_ANSWER_ROLE, NULL, NULL, 0, 20);
    assert_int_equal(app.staff.login, KS_LOGIN_REFUSED);
    assert_int_equal(app.staff.fails, 0);
    assert_false(app.staff.tech);
    ks_app_cleanup(&app);
}

static void test_an_offline_technician_goes_to_the_local_check_and_a_stale_answer_is_ignored(
    void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_app_staff_login_open(&app, KS_ROLE_TECH, 0);
    sign_in_attempt(&app, "135790", 10);
    uint64_t id = app.staff.login_id;
    ks_app_staff_login_sent(&app);
    assert_string_equal(app.staff.text[KS_SIN_PIN], "135790");   /* kept for the local check */
    ks_app_staff_login_answer(&app, id + 1, KS_ANSWER_OK, "T1", "x", 0, 20);   /* stale */
    assert_false(app.staff.tech);
    ks_app_staff_login_answer(&app, id, KS_ANSWER_OFFLINE, NULL, NULL, 0, 20);
    assert_int_equal(app.staff.login, KS_LOGIN_VERIFY);
    ks_app_staff_tech_verified(&app, false, true, 30);
    assert_int_equal(app.staff.login, KS_LOGIN_REFUSED);
    assert_int_equal(app.staff.fails, 1);
    assert_string_equal(app.staff.text[KS_SIN_PIN], "");
    ks_app_cleanup(&app);
}

static void test_a_helpers_session_ends_with_the_citizens(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_app_session_start(&app, 0);
    ks_app_staff_login_open(&app, KS_ROLE_HELPER, 100);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_STAFF_LOGIN);
    assert_true(ks_app_staff_badge(&app, "QIFU-STAFF:H1:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
                                   200));
    assert_int_equal(app.staff.login, KS_LOGIN_ASK);
    ks_app_staff_login_sent(&app);
    assert_string_equal(app.staff.badge, "");     /* handed on, then wiped */
    ks_app_staff_login_answer(&app, app.staff.login_id, KS_ANSWER_OK, "H1", "帮办小李", 0, 300);
    assert_true(app.staff.helper);
    assert_string_equal(app.form.helper_id, "H1");
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_HOME);   /* back where it started */
    /* The citizen leaves: idle timeout and countdown. */
    ks_app_tick(&app, 300 + 90000 + 10000);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_IDLE);
    assert_false(app.staff.helper);
    assert_string_equal(app.form.helper_id, "");
    assert_true(app.staff.logout_wanted);          /* the daemon session is ended too */
    ks_app_cleanup(&app);
}

static void test_an_open_help_call_is_polled_every_3_s_until_acknowledged(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_app_session_start(&app, 0);
    ks_app_staff_help_call(&app, "home");
    assert_int_equal(app.staff.help, KS_HELP_ASK);
    ks_app_staff_help_sent(&app);
    ks_app_staff_help_state(&app, 7, "open", false, NULL, 1000);
    assert_int_equal(app.staff.help, KS_HELP_OPEN);
    assert_int_equal(ks_app_next_deadline_ms(&app, 1000), KS_HELP_POLL_MS);
    ks_app_tick(&app, 1000 + KS_HELP_POLL_MS - 1);
    assert_false(app.staff.help_poll_wanted);
    ks_app_tick(&app, 1000 + KS_HELP_POLL_MS);
    assert_true(app.staff.help_poll_wanted);
    ks_app_staff_help_polled(&app);
    ks_app_staff_help_state(&app, 7, "acknowledged", false, NULL, 5000);
    assert_int_equal(app.staff.help, KS_HELP_COMING);
    ks_app_tick(&app, 20000);
    assert_false(app.staff.help_poll_wanted);      /* answered: no more polling */
    ks_app_cleanup(&app);
}

static void test_the_inspection_needs_every_check_and_fails_when_one_fails(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_app_staff_login_open(&app, KS_ROLE_TECH, 0);
    sign_in_attempt(&app, "135790", 10);
    ks_app_staff_login_sent(&app);
    ks_app_staff_login_answer(&app, app.staff.login_id, KS_ANSWER_OK, "T1", "老张", 0, 20);
    ks_app_staff_tech_open(&app, KS_SCREEN_INSPECT);
    for (int i = 0; i < KS_CHECK__COUNT - 1; i++)
        ks_app_staff_check_set(&app, i, 1);
    ks_app_staff_inspect_submit(&app);
    assert_int_equal(app.staff.inspect, KS_SUBMIT_FAILED);   /* software not chosen */
    ks_app_staff_check_set(&app, KS_CHECK_SOFTWARE, 2);
    type(&app, KS_SIN_UNIT, "区数据局");
    ks_app_staff_inspect_submit(&app);
    assert_int_equal(app.staff.inspect, KS_SUBMIT_ASK);
    char *body = NULL;
    assert_int_equal(ks_app_staff_inspect_body(&app, &body), QF_OK);
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "result")), "fail");
    assert_string_equal(json_string_value(json_object_get(j, "inspector")), "老张");
    assert_string_equal(json_string_value(json_object_get(j, "inspector_unit")), "区数据局");
    json_t *checks = json_object_get(j, "checks");
    assert_int_equal(json_object_size(checks), KS_CHECK__COUNT);
    assert_string_equal(json_string_value(json_object_get(checks, "software")), "fail");
    assert_string_equal(json_string_value(json_object_get(checks, "screen")), "ok");
    json_decref(j);
    free(body);
    ks_app_cleanup(&app);
}

static void test_schedule_windows_including_one_across_midnight(void **state)
{
    (void)state;
    assert_true(ks_schedule_in(0, 1440, 0));        /* 7×24 */
    assert_true(ks_schedule_in(0, 1440, 1439));
    assert_true(ks_schedule_in(540, 1020, 540));     /* 09:00–17:00 */
    assert_false(ks_schedule_in(540, 1020, 1020));
    assert_false(ks_schedule_in(540, 1020, 539));
    assert_true(ks_schedule_in(1320, 420, 1320));    /* 22:00–07:00 */
    assert_true(ks_schedule_in(1320, 420, 0));
    assert_true(ks_schedule_in(1320, 420, 419));
    assert_false(ks_schedule_in(1320, 420, 420));
    assert_false(ks_schedule_in(1320, 420, 720));
    assert_false(ks_schedule_in(600, 600, 600));     /* empty */
    assert_false(ks_schedule_in(-1, 420, 0));        /* off */
    assert_int_equal(ks_schedule_parse("07:30"), 450);
    assert_int_equal(ks_schedule_parse("24:00"), 1440);
    assert_int_equal(ks_schedule_parse("24:01"), -1);
    assert_int_equal(ks_schedule_parse("7:30"), -1);
    assert_int_equal(ks_schedule_parse("07:60"), -1);
}

static void test_outside_the_opening_hours_the_closed_screen_ends_a_visit(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_schedule sc = { 8 * 60, 20 * 60, 22 * 60, 7 * 60, -1 };
    ks_app_staff_schedule(&app, &sc);
    ks_app_staff_clock(&app, 1000, 12 * 60);
    ks_app_session_start(&app, 0);
    ks_app_tick(&app, 10);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_HOME);
    assert_false(app.staff.dim);
    ks_app_staff_clock(&app, 2000, 23 * 60);        /* closed, and night */
    assert_true(app.staff.dim);
    ks_app_tick(&app, 20);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_CLOSED);
    assert_int_equal(app.depth, 1);
    ks_app_back(&app);                               /* no way out */
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_CLOSED);
    ks_app_staff_clock(&app, 3000, 8 * 60);         /* opening time */
    ks_app_tick(&app, 30);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_IDLE);
    ks_app_cleanup(&app);
}

static void test_a_maintenance_window_blocks_service_but_not_the_technician(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_app_staff_clock(&app, 10000, 600);
    ks_app_staff_oos_window(&app, 10000, 10000 + 1800);
    ks_app_tick(&app, 10);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_OUT_OF_SERVICE);
    /* The corner still leads to the sign-in, and maintenance mode works. */
    assert_false(ks_app_staff_corner_tap(&app, 100));
    for (int i = 1; i < KS_CORNER_TAPS; i++)
        ks_app_staff_corner_tap(&app, 100 + (uint64_t)i);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_STAFF_LOGIN);
    ks_app_tick(&app, 200);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_STAFF_LOGIN);
    ks_app_staff_clock(&app, 10000 + 1800, 630);    /* the window is over */
    ks_app_staff_tech_exit(&app);
    ks_app_tick(&app, 300);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_IDLE);
    ks_app_cleanup(&app);
}

static void test_the_nightly_restart_waits_for_idle_and_for_some_uptime(void **state)
{
    (void)state;
    ks_app app;
    app_new(&app);
    ks_schedule sc = { 0, 1440, -1, -1, 3 * 60 };
    ks_app_staff_schedule(&app, &sc);
    ks_app_staff_clock(&app, 1, 3 * 60 + 1);
    ks_app_tick(&app, 60000);                        /* just started: no loop */
    assert_false(app.staff.restart_due);
    ks_app_session_start(&app, KS_RESTART_MIN_UPTIME_MS);
    ks_app_tick(&app, KS_RESTART_MIN_UPTIME_MS + 1);
    assert_false(app.staff.restart_due);             /* a citizen is there */
    ks_app_session_end(&app);
    ks_app_tick(&app, KS_RESTART_MIN_UPTIME_MS + 2);
    assert_true(app.staff.restart_due);
    ks_app cold;
    app_new(&cold);
    ks_app_staff_schedule(&cold, &sc);
    ks_app_staff_clock(&cold, 1, 3 * 60 + KS_RESTART_WINDOW_MIN);   /* past the window */
    ks_app_tick(&cold, KS_RESTART_MIN_UPTIME_MS + 1);
    assert_false(cold.staff.restart_due);
    ks_app_cleanup(&cold);
    ks_app_cleanup(&app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_five_corner_taps_within_3_s_open_the_technician_sign_in),
        cmocka_unit_test(test_five_corner_taps_spread_over_more_than_3_s_do_nothing),
        cmocka_unit_test(test_five_wrong_answers_lock_the_sign_in_for_60_s),
        cmocka_unit_test(test_a_wrong_role_is_refused_without_counting_to_the_lock),
        cmocka_unit_test(
            test_an_offline_technician_goes_to_the_local_check_and_a_stale_answer_is_ignored),
        cmocka_unit_test(test_a_helpers_session_ends_with_the_citizens),
        cmocka_unit_test(test_an_open_help_call_is_polled_every_3_s_until_acknowledged),
        cmocka_unit_test(test_the_inspection_needs_every_check_and_fails_when_one_fails),
        cmocka_unit_test(test_schedule_windows_including_one_across_midnight),
        cmocka_unit_test(test_outside_the_opening_hours_the_closed_screen_ends_a_visit),
        cmocka_unit_test(test_a_maintenance_window_blocks_service_but_not_the_technician),
        cmocka_unit_test(test_the_nightly_restart_waits_for_idle_and_for_some_uptime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
