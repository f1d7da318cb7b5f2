/* ks_app_ticket.c — the 取号 flow's state actions (see ks_app.h). No I/O:
 * the kiosk runtime watches KS_CHANGE_TICKET, hands a REQUEST to the sync
 * worker, starts the print worker for a PRINTING ticket, and reports back
 * through the actions below. A number may be an offline one from the
 * kiosk's leased block (leased: its queue position is unknown). PRINTING
 * has a deadline on the app clock (ks_app_ticket_print_started): a
 * printer that never answers cannot hold the screen, and a late outcome
 * is ignored, so 已打印 is never shown for a slip the screen gave up on. */
#include "ks_app.h"

#include <stdio.h>
#include <string.h>

static void ks_ticket_notify(ks_app *app, unsigned changes)
{
    if (app->observer)
        app->observer(app->observer_ud, changes);
}

static bool ks_ticket_window_ok(const ks_app *app, const char *id)
{
    const qf_catalog_window *w = app->catalog && id ? qf_catalog_window_get(app->catalog, id)
                                                    : NULL;
    return w && w->ticket_prefix && *w->ticket_prefix;
}

void ks_app_ticket_open(ks_app *app)
{
    uint64_t id = app->ticket.request_id;
    memset(&app->ticket, 0, sizeof app->ticket);
    app->ticket.request_id = id;
    app->ticket.queues_wanted = true;
    if (app->depth < KS_APP_STACK_MAX)
        app->stack[app->depth++] = KS_SCREEN_TICKET;
    else
        app->stack[app->depth - 1] = KS_SCREEN_TICKET;
    ks_ticket_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_TICKET);
}

void ks_app_ticket_window(ks_app *app, const char *window_id)
{
    if (app->ticket.phase != KS_TICKET_CHOOSE || !ks_ticket_window_ok(app, window_id))
        return;
    snprintf(app->ticket.window_id, sizeof app->ticket.window_id, "%s", window_id);
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

void ks_app_ticket_priority_toggle(ks_app *app)
{
    if (app->ticket.phase != KS_TICKET_CHOOSE)
        return;
    app->ticket.priority = !app->ticket.priority;
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

void ks_app_ticket_confirm(ks_app *app, uint64_t now_ms)
{
    ks_app_ticket *t = &app->ticket;
    if (t->phase != KS_TICKET_CHOOSE || !ks_ticket_window_ok(app, t->window_id))
        return;
    t->request_id++;
    if (!app->server) {
        t->phase = KS_TICKET_FAILED;
        t->failure = KS_TICKET_FAIL_OFFLINE;
        snprintf(t->error, sizeof t->error, "no server configured");
        t->result_ms = now_ms;
    } else {
        t->phase = KS_TICKET_REQUEST;
    }
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

void ks_app_ticket_sent(ks_app *app)
{
    if (app->ticket.phase != KS_TICKET_REQUEST)
        return;
    app->ticket.phase = KS_TICKET_WAIT;
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

static bool ks_ticket_current(const ks_app *app, uint64_t request_id)
{
    return ks_app_screen(app) == KS_SCREEN_TICKET && request_id == app->ticket.request_id;
}

void ks_app_ticket_issued(ks_app *app, uint64_t request_id, const char *number,
                          const char *window_name, const char *issued_at, int people_ahead,
                          bool priority, const char *status_url)
{
    ks_app_ticket *t = &app->ticket;
    if (!ks_ticket_current(app, request_id) ||
        (t->phase != KS_TICKET_WAIT && t->phase != KS_TICKET_REQUEST))
        return;
    snprintf(t->number, sizeof t->number, "%s", number ? number : "");
    snprintf(t->window_name, sizeof t->window_name, "%s", window_name ? window_name : "");
    snprintf(t->issued_at, sizeof t->issued_at, "%s", issued_at ? issued_at : "");
    snprintf(t->status_url, sizeof t->status_url, "%s", status_url ? status_url : "");
    t->people_ahead = people_ahead;
    t->priority = priority;
    t->phase = KS_TICKET_PRINTING;
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

void ks_app_ticket_failed(ks_app *app, uint64_t request_id, ks_ticket_failure why,
                          const char *error, uint64_t now_ms)
{
    ks_app_ticket *t = &app->ticket;
    if (!ks_ticket_current(app, request_id) ||
        (t->phase != KS_TICKET_WAIT && t->phase != KS_TICKET_REQUEST))
        return;
    t->phase = KS_TICKET_FAILED;
    t->failure = why;
    snprintf(t->error, sizeof t->error, "%s", error ? error : "");
    t->result_ms = now_ms;
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

void ks_app_ticket_printed(ks_app *app, uint64_t request_id, bool printed,
                           const char *printer_status, uint64_t now_ms)
{
    ks_app_ticket *t = &app->ticket;
    if (!ks_ticket_current(app, request_id) || t->phase != KS_TICKET_PRINTING)
        return;
    t->printed = printed;
    snprintf(t->printer_status, sizeof t->printer_status, "%s",
             printer_status ? printer_status : "");
    t->phase = KS_TICKET_DONE;
    t->result_ms = now_ms;
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

void ks_app_ticket_set_leased(ks_app *app, uint64_t request_id)
{
    ks_app_ticket *t = &app->ticket;
    if (!ks_ticket_current(app, request_id) || t->phase != KS_TICKET_PRINTING)
        return;
    t->leased = true;
    t->people_ahead = -1;
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

void ks_app_ticket_print_started(ks_app *app, uint64_t request_id, uint64_t now_ms,
                                 uint32_t timeout_ms)
{
    ks_app_ticket *t = &app->ticket;
    if (!ks_ticket_current(app, request_id) || t->phase != KS_TICKET_PRINTING)
        return;
    /* Never 0: that reads as "no deadline". */
    t->print_deadline_ms = now_ms + (timeout_ms ? timeout_ms : KS_PRINT_TIMEOUT_MS);
}

void ks_app_ticket_close(ks_app *app)
{
    if (ks_app_screen(app) != KS_SCREEN_TICKET)
        return;
    uint64_t id = app->ticket.request_id;
    memset(&app->ticket, 0, sizeof app->ticket);
    app->ticket.request_id = id;
    while (app->depth > 1 && app->stack[app->depth - 1] != KS_SCREEN_HOME)
        app->depth--;
    ks_ticket_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_TICKET);
}

static bool ks_ticket_has_result(const ks_app *app)
{
    return ks_app_screen(app) == KS_SCREEN_TICKET &&
           (app->ticket.phase == KS_TICKET_DONE || app->ticket.phase == KS_TICKET_FAILED);
}

/* A slip on its way whose deadline is set. */
static bool ks_ticket_printing(const ks_app *app)
{
    return ks_app_screen(app) == KS_SCREEN_TICKET && app->ticket.phase == KS_TICKET_PRINTING &&
           app->ticket.print_deadline_ms > 0;
}

bool ks_app_ticket_tick(ks_app *app, uint64_t now_ms)
{
    ks_app_ticket *t = &app->ticket;
    if (ks_ticket_printing(app) && now_ms >= t->print_deadline_ms) {
        /* The printer has not finished: show the number and the QR and
         * stop waiting. The outcome, if it ever comes, is ignored. */
        t->phase = KS_TICKET_DONE;
        t->printed = false;
        t->print_timed_out = true;
        snprintf(t->printer_status, sizeof t->printer_status, "timeout");
        t->result_ms = now_ms;
        ks_ticket_notify(app, KS_CHANGE_TICKET);
        return false;
    }
    if (!ks_ticket_has_result(app) || now_ms < t->result_ms + KS_TICKET_RESULT_MS)
        return false;
    ks_app_ticket_close(app);
    return true;
}

uint32_t ks_app_ticket_deadline_ms(const ks_app *app, uint64_t now_ms)
{
    if (ks_ticket_printing(app)) {
        uint64_t due = app->ticket.print_deadline_ms;
        return now_ms >= due ? 0 : (uint32_t)(due - now_ms);
    }
    if (!ks_ticket_has_result(app))
        return UINT32_MAX;
    uint64_t end = app->ticket.result_ms + KS_TICKET_RESULT_MS;
    return now_ms >= end ? 0 : (uint32_t)(end - now_ms);
}

void ks_app_ticket_queues_asked(ks_app *app)
{
    app->ticket.queues_wanted = false;
}

void ks_app_ticket_queues(ks_app *app, const char *const *windows, const int *waiting, size_t n)
{
    ks_app_ticket *t = &app->ticket;
    if (ks_app_screen(app) != KS_SCREEN_TICKET)
        return;
    t->counts_count = 0;
    for (size_t i = 0; i < n && t->counts_count < KS_TICKET_COUNTS_MAX; i++) {
        if (!windows[i] || strlen(windows[i]) >= sizeof t->counts[0].window || waiting[i] < 0)
            continue;
        snprintf(t->counts[t->counts_count].window, sizeof t->counts[0].window, "%s",
                 windows[i]);
        t->counts[t->counts_count].waiting = waiting[i];
        t->counts_count++;
    }
    ks_ticket_notify(app, KS_CHANGE_TICKET);
}

int ks_app_ticket_waiting(const ks_app *app, const char *window_id)
{
    for (size_t i = 0; i < app->ticket.counts_count; i++)
        if (strcmp(app->ticket.counts[i].window, window_id) == 0)
            return app->ticket.counts[i].waiting;
    return -1;
}
