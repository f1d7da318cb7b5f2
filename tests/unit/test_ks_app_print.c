/* test_ks_app_print.c — the slips' state (ks_app_ticket.c, ks_app_form.c):
 * a ticket's slip has a deadline from the moment the runtime starts it;
 * past it the screen shows 打印超时 (DONE, not printed) and a late
 * "printed" is ignored; an outcome in time is taken and the deadline is
 * gone; an offline (leased) number has no people-ahead count; 打印回执 is
 * offered only for an ACCEPTED case, a stale job's outcome is ignored, a
 * slip that did not print (or timed out) may be asked again, one that
 * printed may not. No SDL, no printer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_catalog.h"

#include "ks_app.h"

static void start(ks_app *app)
{
    ks_app_init(app, 90);
    ks_app_catalog_take(app, load_catalog(), 1);
    ks_app_configure(app, false, true);
    ks_app_set_online(app, true);
    ks_app_session_start(app, 0);
}

/* A ticket of win-tax issued for the current request; its id. */
static uint64_t issued(ks_app *app, uint64_t now)
{
    ks_app_ticket_open(app);
    ks_app_ticket_window(app, "win-tax");
    ks_app_ticket_confirm(app, now);
    uint64_t id = app->ticket.request_id;
    ks_app_ticket_sent(app);
    ks_app_ticket_issued(app, id, "E006", "纳税服务综合受理窗口", "2026-11-24T10:05:12+08:00", 4,
                         false, "https://h/queue/E006");
    assert_int_equal(app->ticket.phase, KS_TICKET_PRINTING);
    return id;
}

static void test_ticket_slip_past_its_deadline_times_out_and_ignores_a_late_printed(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    uint64_t id = issued(&app, 1000);
    ks_app_activity(&app, 2000);
    /* No deadline until the runtime started the slip. */
    assert_int_equal(ks_app_ticket_deadline_ms(&app, 2000), UINT32_MAX);
    ks_app_ticket_print_started(&app, id + 1, 2000, 15000);      /* another request: ignored */
    assert_int_equal(ks_app_ticket_deadline_ms(&app, 2000), UINT32_MAX);
    ks_app_ticket_print_started(&app, id, 2000, 15000);
    assert_int_equal(ks_app_next_deadline_ms(&app, 2000), 15000);
    ks_app_tick(&app, 16999);
    assert_int_equal(app.ticket.phase, KS_TICKET_PRINTING);
    ks_app_tick(&app, 17000);
    assert_int_equal(app.ticket.phase, KS_TICKET_DONE);
    assert_true(app.ticket.print_timed_out);
    assert_false(app.ticket.printed);
    assert_string_equal(app.ticket.number, "E006");       /* the number stays */
    ks_app_ticket_printed(&app, id, true, "ok", 20000);   /* too late */
    assert_false(app.ticket.printed);
    assert_true(app.ticket.print_timed_out);
    /* The result returns home as usual, counted from the timeout. */
    ks_app_activity(&app, 17000);
    ks_app_tick(&app, 17000 + KS_TICKET_RESULT_MS - 1);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_TICKET);
    ks_app_tick(&app, 17000 + KS_TICKET_RESULT_MS);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_HOME);
    ks_app_cleanup(&app);
}

static void test_ticket_printed_in_time_is_printed_and_leased_has_no_count(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    uint64_t id = issued(&app, 1000);
    assert_int_equal(app.ticket.people_ahead, 4);
    ks_app_ticket_set_leased(&app, id + 1);                /* stale: ignored */
    assert_false(app.ticket.leased);
    ks_app_ticket_set_leased(&app, id);
    assert_true(app.ticket.leased);
    assert_int_equal(app.ticket.people_ahead, -1);
    ks_app_ticket_print_started(&app, id, 1000, 15000);
    ks_app_ticket_printed(&app, id, true, "ok", 3000);
    assert_int_equal(app.ticket.phase, KS_TICKET_DONE);
    assert_true(app.ticket.printed);
    assert_false(app.ticket.print_timed_out);
    ks_app_tick(&app, 16000);                              /* the old deadline: nothing */
    assert_true(app.ticket.printed);
    assert_false(app.ticket.print_timed_out);
    /* A new ticket starts clean. */
    ks_app_ticket_close(&app);
    issued(&app, 20000);
    assert_false(app.ticket.leased);
    assert_int_equal(app.ticket.print_deadline_ms, 0);
    ks_app_cleanup(&app);
}

/* The form to ACCEPTED with a receipt on screen (the review steps are
 * test_ks_app_form.c's business: the phase is set to SAVE directly). */
static void accepted(ks_app *app)
{
    ks_app_form_open(app, false);
    app->form.phase = KS_FORM_SAVE;
    ks_app_form_saved(app, "L20261124-0001", 1000);
    assert_int_equal(ks_app_screen(app), KS_SCREEN_RECEIPT);
    assert_int_equal(app->form.phase, KS_FORM_SENDING);
    ks_app_receipt_print(app);                              /* not accepted yet */
    assert_int_equal(app->form.receipt_print.phase, KS_PRINT_NONE);
    ks_app_form_delivered(app, "L20261124-0001", true, "QT20261124-0001",
                          "https://h/track/QT20261124-0001", "138****5678",
                          "2026-11-24T10:00:00+08:00", "135", NULL);
    assert_int_equal(app->form.phase, KS_FORM_ACCEPTED);
}

static void test_receipt_print_outcomes_timeouts_and_asking_again(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    accepted(&app);
    ks_app_receipt_print(&app);
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_ASK);
    ks_app_receipt_print_started(&app, 5, 2000, 15000);
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_PRINTING);
    assert_int_equal(ks_app_form_deadline_ms(&app, 2000), 15000);
    ks_app_receipt_print(&app);                             /* already on its way */
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_PRINTING);
    ks_app_receipt_printed(&app, 4, true, "ok", 3000);      /* stale job */
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_PRINTING);
    ks_app_receipt_printed(&app, 5, false, "paper_out", 3000);
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_DONE);
    assert_false(app.form.receipt_print.printed);
    assert_string_equal(app.form.receipt_print.printer_status, "paper_out");

    /* Again, and this time the printer does not finish in time. */
    ks_app_receipt_print(&app);
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_ASK);
    ks_app_receipt_print_started(&app, 6, 4000, 15000);
    ks_app_tick(&app, 18999);
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_PRINTING);
    ks_app_tick(&app, 19000);
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_DONE);
    assert_true(app.form.receipt_print.timed_out);
    ks_app_receipt_printed(&app, 6, true, "ok", 21000);     /* too late */
    assert_false(app.form.receipt_print.printed);

    /* Again, printed: then no more. */
    ks_app_receipt_print(&app);
    ks_app_receipt_print_started(&app, 7, 22000, 15000);
    ks_app_receipt_printed(&app, 7, true, "ok", 23000);
    assert_true(app.form.receipt_print.printed);
    assert_false(app.form.receipt_print.timed_out);
    ks_app_receipt_print(&app);
    assert_int_equal(app.form.receipt_print.phase, KS_PRINT_DONE);
    ks_app_cleanup(&app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_ticket_slip_past_its_deadline_times_out_and_ignores_a_late_printed),
        cmocka_unit_test(test_ticket_printed_in_time_is_printed_and_leased_has_no_count),
        cmocka_unit_test(test_receipt_print_outcomes_timeouts_and_asking_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
