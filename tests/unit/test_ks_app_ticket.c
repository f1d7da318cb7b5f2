/* test_ks_app_ticket.c — the 取号 flow's state actions (ks_app_ticket.c):
 * only windows with a ticket_prefix can be chosen; confirm asks for a
 * request (or fails as offline without a server); an answer for an older
 * request is ignored; the result shows whether the slip printed; the
 * result returns home after KS_TICKET_RESULT_MS; waiting counts are kept
 * per window. No SDL, no network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_catalog.h"

#include "ks_app.h"

static void start(ks_app *app, bool server)
{
    ks_app_init(app, 90);
    ks_app_catalog_take(app, load_catalog(), 1);
    ks_app_configure(app, false, server);
    ks_app_session_start(app, 0);
    ks_app_ticket_open(app);
}

static void test_unknown_window_cannot_be_chosen_and_confirm_needs_one(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_TICKET);
    assert_true(app.ticket.queues_wanted);
    ks_app_ticket_window(&app, "win-nonexistent");
    assert_string_equal(app.ticket.window_id, "");
    ks_app_ticket_confirm(&app, 0);
    assert_int_equal(app.ticket.phase, KS_TICKET_CHOOSE);
    ks_app_ticket_window(&app, "win-tax");
    assert_string_equal(app.ticket.window_id, "win-tax");
    ks_app_cleanup(&app);
}

static void test_issued_then_paper_out_is_not_printed_and_returns_home(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true);
    ks_app_ticket_window(&app, "win-tax");
    ks_app_ticket_priority_toggle(&app);
    ks_app_ticket_confirm(&app, 1000);
    assert_int_equal(app.ticket.phase, KS_TICKET_REQUEST);
    uint64_t id = app.ticket.request_id;
    ks_app_ticket_sent(&app);
    assert_int_equal(app.ticket.phase, KS_TICKET_WAIT);
    ks_app_ticket_issued(&app, id + 7, "E999", "x", "", 0, false, "u");   /* stale */
    assert_int_equal(app.ticket.phase, KS_TICKET_WAIT);
    ks_app_ticket_issued(&app, id, "E001", "纳税服务综合受理窗口", "2026-11-24T09:30:00+08:00", 2,
                         true, "https://h/queue/E001");
    assert_int_equal(app.ticket.phase, KS_TICKET_PRINTING);
    assert_string_equal(app.ticket.number, "E001");
    ks_app_ticket_printed(&app, id, false, "paper_out", 2000);
    assert_int_equal(app.ticket.phase, KS_TICKET_DONE);
    assert_false(app.ticket.printed);
    assert_string_equal(app.ticket.printer_status, "paper_out");
    ks_app_activity(&app, 2000);
    assert_int_equal(ks_app_next_deadline_ms(&app, 2000), KS_TICKET_RESULT_MS);
    ks_app_tick(&app, 2000 + KS_TICKET_RESULT_MS - 1);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_TICKET);
    ks_app_tick(&app, 2000 + KS_TICKET_RESULT_MS);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_HOME);
    ks_app_cleanup(&app);
}

static void test_without_a_server_confirm_fails_as_offline(void **state)
{
    (void)state;
    ks_app app;
    start(&app, false);
    ks_app_ticket_window(&app, "win-fallback");
    ks_app_ticket_confirm(&app, 0);
    assert_int_equal(app.ticket.phase, KS_TICKET_FAILED);
    assert_int_equal(app.ticket.failure, KS_TICKET_FAIL_OFFLINE);
    assert_string_equal(app.ticket.number, "");
    ks_app_cleanup(&app);
}

static void test_waiting_counts_are_kept_per_window(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true);
    assert_int_equal(ks_app_ticket_waiting(&app, "win-tax"), -1);
    const char *ids[] = { "win-fallback", "win-tax" };
    int waiting[] = { 0, 4 };
    ks_app_ticket_queues(&app, ids, waiting, 2);
    assert_int_equal(ks_app_ticket_waiting(&app, "win-tax"), 4);
    assert_int_equal(ks_app_ticket_waiting(&app, "win-fallback"), 0);
    assert_int_equal(ks_app_ticket_waiting(&app, "win-police"), -1);
    ks_app_cleanup(&app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_window_cannot_be_chosen_and_confirm_needs_one),
        cmocka_unit_test(test_issued_then_paper_out_is_not_printed_and_returns_home),
        cmocka_unit_test(test_without_a_server_confirm_fails_as_offline),
        cmocka_unit_test(test_waiting_counts_are_kept_per_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
