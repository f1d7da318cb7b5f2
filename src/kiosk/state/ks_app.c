/* ks_app.c — the session state actions (see ks_app.h): navigation, the
 * idle timer, the online mark and 打印指南's slip. Every action ends by
 * telling the observer what it changed; nothing here draws or sleeps. */
#include "ks_app.h"

#include <stdio.h>
#include <string.h>

void ks_app_notify(ks_app *app, unsigned changes)
{
    if (changes && app->observer)
        app->observer(app->observer_ud, changes);
}

void ks_app_init(ks_app *app, unsigned idle_timeout_s)
{
    memset(app, 0, sizeof *app);
    app->idle_timeout_s = idle_timeout_s ? idle_timeout_s : KS_APP_IDLE_DEFAULT_S;
    app->stack[0] = KS_SCREEN_IDLE;
    app->depth = 1;
    ks_keyboard_init(&app->kb);
    app->form.focus = KS_FIELD_NONE;
    app->progress.resolved = -1;
    ks_app_staff_init(app);
}

void ks_app_cleanup(ks_app *app)
{
    ks_app_search_release(app);    /* the index before the catalog it borrows */
    qf_catalog_free(app->catalog);
    app->catalog = NULL;
}

void ks_app_set_observer(ks_app *app, ks_app_observer fn, void *ud)
{
    app->observer = fn;
    app->observer_ud = ud;
}

void ks_app_configure(ks_app *app, bool english, bool server)
{
    app->default_english = app->english = english;
    app->server = server;
    ks_app_notify(app, KS_CHANGE_PREFS | KS_CHANGE_STATUS);
}

ks_screen ks_app_screen(const ks_app *app)
{
    return app->stack[app->depth - 1];
}

const qf_catalog_board *ks_app_board(const ks_app *app)
{
    if (!app->catalog || !app->board_id[0])
        return NULL;
    return qf_catalog_board_get(app->catalog, app->board_id);
}

const qf_catalog_service *ks_app_service(const ks_app *app)
{
    if (!app->catalog || !app->service_id[0])
        return NULL;
    return qf_catalog_service_get(app->catalog, app->service_id);
}

const qf_catalog_bundle *ks_app_bundle(const ks_app *app)
{
    if (!app->catalog || !app->bundle_id[0])
        return NULL;
    return qf_catalog_bundle_get(app->catalog, app->bundle_id);
}

const qf_catalog_station *ks_app_station(const ks_app *app)
{
    if (!app->catalog || !app->station_id[0])
        return NULL;
    return qf_catalog_station_get(app->catalog, app->station_id);
}

void ks_app_push(ks_app *app, ks_screen s)
{
    if (app->depth < KS_APP_STACK_MAX)
        app->stack[app->depth++] = s;
    else
        app->stack[app->depth - 1] = s;
}

void ks_app_reset_to(ks_app *app, ks_screen s)
{
    app->stack[0] = KS_SCREEN_IDLE;
    app->depth = 1;
    if (s != KS_SCREEN_IDLE)
        ks_app_push(app, s);
}

void ks_app_catalog_take(ks_app *app, qf_catalog *cat, int64_t version)
{
    unsigned changes = KS_CHANGE_CATALOG;
    /* The search index borrows its catalog: that one stays (owned by
     * app->search) until the next index replaces it. */
    if (app->catalog != app->search.idx_catalog)
        qf_catalog_free(app->catalog);
    app->search.catalog_gen++;
    app->catalog = cat;
    app->catalog_version = version;
    /* What the citizen was looking at may be gone from the new catalog. */
    bool lost = (app->board_id[0] && !ks_app_board(app)) ||
                (app->service_id[0] && !ks_app_service(app)) ||
                (app->bundle_id[0] && !ks_app_bundle(app)) ||
                (app->station_id[0] && !ks_app_station(app));
    if (lost && ks_app_screen(app) != KS_SCREEN_IDLE) {
        app->board_id[0] = app->service_id[0] = '\0';
        app->bundle_id[0] = app->station_id[0] = '\0';
        ks_app_reset_to(app, KS_SCREEN_HOME);
        changes |= KS_CHANGE_SCREEN;
    }
    ks_app_notify(app, changes);
}

void ks_app_set_online(ks_app *app, bool online)
{
    if (app->online == online)
        return;
    app->online = online;
    ks_app_notify(app, KS_CHANGE_STATUS);
}

void ks_app_online_event(ks_app *app, bool online, uint64_t now_ms)
{
    bool known = app->online_known;
    app->online_known = true;
    if (known && app->online != online) {
        /* A citizen mid-session should know a case is kept, not lost. */
        if (online)
            ks_app_toast(app, "网络已恢复", "Back online", now_ms);
        else
            ks_app_toast(app, "网络已断开，本机继续提供服务",
                         "Offline: this kiosk keeps working", now_ms);
    }
    ks_app_set_online(app, online);
}

void ks_app_session_start(ks_app *app, uint64_t now_ms)
{
    app->last_activity_ms = now_ms;
    if (ks_app_screen(app) != KS_SCREEN_IDLE)
        return;
    ks_app_push(app, KS_SCREEN_HOME);
    ks_app_notify(app, KS_CHANGE_SCREEN);
}

void ks_app_session_end(ks_app *app)
{
    /* Everything the citizen chose or typed goes; the catalog stays. */
    app->board_id[0] = app->service_id[0] = '\0';
    app->bundle_id[0] = app->station_id[0] = '\0';
    app->large_text = false;
    app->english = app->default_english;
    app->countdown = false;
    app->countdown_left_s = 0;
    {
        uint64_t id = app->ticket.request_id;   /* a late answer stays stale */
        memset(&app->ticket, 0, sizeof app->ticket);
        app->ticket.request_id = id;
    }
    ks_app_search_wipe(app);
    {
        uint64_t id = app->progress.request_id;
        ks_app_form_wipe(app);     /* zeros everything typed, incl. the helper */
        app->progress.request_id = id;
    }
    ks_app_staff_session_end(app);   /* the helper's session ends with the citizen's */
    memset(&app->guide_print, 0, sizeof app->guide_print);
    ks_app_reset_to(app, KS_SCREEN_IDLE);
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_PREFS | KS_CHANGE_COUNTDOWN |
                           KS_CHANGE_FORM | KS_CHANGE_KEYBOARD | KS_CHANGE_PROGRESS |
                           KS_CHANGE_GUIDE);
}

void ks_app_activity(ks_app *app, uint64_t now_ms)
{
    app->last_activity_ms = now_ms;
    if (app->countdown) {
        app->countdown = false;
        ks_app_notify(app, KS_CHANGE_COUNTDOWN);
    }
}

void ks_app_tick(ks_app *app, uint64_t now_ms)
{
    ks_app_toast_tick(app, now_ms);   /* over any screen, idle included */
    if (ks_app_staff_tick(app, now_ms))
        return;                    /* out of service or closed: no session runs */
    if (ks_app_screen(app) == KS_SCREEN_IDLE)
        return;
    if (ks_app_ticket_tick(app, now_ms))
        return;
    ks_app_form_tick(app, now_ms);
    if (ks_slip_tick(&app->guide_print.slip, now_ms))   /* given up: never 已打印 */
        ks_app_notify(app, KS_CHANGE_GUIDE);
    uint64_t idle_ms = (uint64_t)app->idle_timeout_s * 1000u;
    uint64_t since = now_ms > app->last_activity_ms ? now_ms - app->last_activity_ms : 0;
    if (since < idle_ms)
        return;
    uint64_t into = since - idle_ms;
    if (into >= (uint64_t)KS_APP_COUNTDOWN_S * 1000u) {
        ks_app_session_end(app);
        return;
    }
    int left = KS_APP_COUNTDOWN_S - (int)(into / 1000u);
    if (!app->countdown || left != app->countdown_left_s) {
        app->countdown = true;
        app->countdown_left_s = left;
        ks_app_notify(app, KS_CHANGE_COUNTDOWN);
    }
}

uint32_t ks_app_next_deadline_ms(const ks_app *app, uint64_t now_ms)
{
    uint32_t toast = ks_app_toast_deadline_ms(app, now_ms);
    if (ks_app_screen(app) == KS_SCREEN_IDLE || ks_app_screen(app) == KS_SCREEN_OUT_OF_SERVICE ||
        ks_app_screen(app) == KS_SCREEN_CLOSED)
        return toast;              /* no session timers (the wall clock ends those screens) */
    uint32_t ticket = ks_app_ticket_deadline_ms(app, now_ms);
    uint32_t form = ks_app_form_deadline_ms(app, now_ms);
    if (form < ticket)
        ticket = form;
    uint32_t guide = ks_slip_deadline_ms(&app->guide_print.slip, now_ms);
    if (guide < ticket)
        ticket = guide;
    if (toast < ticket)
        ticket = toast;
    uint32_t staff = ks_app_staff_deadline_ms(app, now_ms);
    if (staff < ticket)
        ticket = staff;
    uint64_t idle_ms = (uint64_t)app->idle_timeout_s * 1000u;
    uint64_t since = now_ms > app->last_activity_ms ? now_ms - app->last_activity_ms : 0;
    if (since < idle_ms)
        return (uint32_t)(idle_ms - since) < ticket ? (uint32_t)(idle_ms - since) : ticket;
    uint64_t into = since - idle_ms;
    return (uint32_t)(1000u - into % 1000u);   /* the next countdown second */
}

void ks_app_board_open(ks_app *app, const char *board_id)
{
    if (!app->catalog || !qf_catalog_board_get(app->catalog, board_id))
        return;
    snprintf(app->board_id, sizeof app->board_id, "%s", board_id);
    ks_app_push(app, KS_SCREEN_BOARD);
    ks_app_notify(app, KS_CHANGE_SCREEN);
}

void ks_app_service_open(ks_app *app, const char *service_id)
{
    if (!app->catalog || !qf_catalog_service_get(app->catalog, service_id))
        return;
    snprintf(app->service_id, sizeof app->service_id, "%s", service_id);
    memset(&app->guide_print, 0, sizeof app->guide_print);   /* a new guide, a new slip */
    ks_app_push(app, KS_SCREEN_GUIDE);
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_GUIDE);
}

void ks_app_bundles_open(ks_app *app)
{
    ks_app_push(app, KS_SCREEN_BUNDLES);
    ks_app_notify(app, KS_CHANGE_SCREEN);
}

void ks_app_bundle_open(ks_app *app, const char *bundle_id)
{
    if (!app->catalog || !qf_catalog_bundle_get(app->catalog, bundle_id))
        return;
    snprintf(app->bundle_id, sizeof app->bundle_id, "%s", bundle_id);
    ks_app_push(app, KS_SCREEN_BUNDLE);
    ks_app_notify(app, KS_CHANGE_SCREEN);
}

void ks_app_stations_open(ks_app *app)
{
    ks_app_push(app, KS_SCREEN_STATIONS);
    ks_app_notify(app, KS_CHANGE_SCREEN);
}

void ks_app_station_open(ks_app *app, const char *station_id)
{
    if (!app->catalog || !qf_catalog_station_get(app->catalog, station_id))
        return;
    snprintf(app->station_id, sizeof app->station_id, "%s", station_id);
    ks_app_push(app, KS_SCREEN_STATION);
    ks_app_notify(app, KS_CHANGE_SCREEN);
}

void ks_app_search_open(ks_app *app)
{
    ks_app_search_wipe(app);       /* every search starts empty */
    ks_app_push(app, KS_SCREEN_SEARCH);
    ks_keyboard_open(&app->kb, KS_KB_LATIN);   /* letters: pinyin and initials match as typed */
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_SEARCH);
}

void ks_app_back(ks_app *app)
{
    if (app->depth <= 1 || ks_app_staff_back(app))
        return;
    ks_screen here = ks_app_screen(app);
    if (app->kb.open && app->form.focus != KS_FIELD_NONE &&
        (here == KS_SCREEN_FORM || here == KS_SCREEN_PROGRESS || here == KS_SCREEN_RATE)) {
        ks_app_field_focus(app, KS_FIELD_NONE);   /* back closes the keyboard first */
        return;
    }
    if (ks_app_screen(app) == KS_SCREEN_SEARCH && app->search.faq_id[0]) {
        ks_app_search_faq_close(app);   /* back closes the answer first */
        return;
    }
    ks_screen leaving = app->stack[--app->depth];
    if (leaving == KS_SCREEN_GUIDE) {
        app->service_id[0] = '\0';
        memset(&app->guide_print, 0, sizeof app->guide_print);
    }
    else if (leaving == KS_SCREEN_BOARD)
        app->board_id[0] = '\0';
    else if (leaving == KS_SCREEN_BUNDLE)
        app->bundle_id[0] = '\0';
    else if (leaving == KS_SCREEN_STATION)
        app->station_id[0] = '\0';
    else if (leaving == KS_SCREEN_TICKET)
        app->ticket.phase = KS_TICKET_CHOOSE;
    else if (leaving == KS_SCREEN_REVIEW && app->form.phase == KS_FORM_REVIEW)
        app->form.phase = KS_FORM_EDIT;
    if (leaving == KS_SCREEN_FORM || leaving == KS_SCREEN_PROGRESS || leaving == KS_SCREEN_RATE ||
        leaving == KS_SCREEN_SEARCH) {
        app->form.focus = KS_FIELD_NONE;
        ks_keyboard_close(&app->kb);
    }
    if (ks_app_screen(app) == KS_SCREEN_IDLE) {
        ks_app_session_end(app);   /* back from home ends the session */
        return;
    }
    ks_app_notify(app, KS_CHANGE_SCREEN);
}

void ks_app_large_text_toggle(ks_app *app)
{
    app->large_text = !app->large_text;
    ks_app_notify(app, KS_CHANGE_PREFS);
}

void ks_app_language_toggle(ks_app *app)
{
    app->english = !app->english;
    ks_app_notify(app, KS_CHANGE_PREFS);
}

/* ---- 打印指南 ---------------------------------------------------------------- */

void ks_app_guide_print(ks_app *app)
{
    ks_guide_print *gp = &app->guide_print;
    if (ks_app_screen(app) != KS_SCREEN_GUIDE || !ks_app_service(app) || !ks_slip_ask(&gp->slip))
        return;    /* one slip per visit to a guide; again only after one that did not print */
    snprintf(gp->service_id, sizeof gp->service_id, "%s", app->service_id);
    ks_app_notify(app, KS_CHANGE_GUIDE);
}

void ks_app_guide_print_started(ks_app *app, uint64_t job, uint64_t now_ms, uint32_t timeout_ms)
{
    if (ks_slip_started(&app->guide_print.slip, job, now_ms, timeout_ms))
        ks_app_notify(app, KS_CHANGE_GUIDE);
}

void ks_app_guide_printed(ks_app *app, uint64_t job, bool printed, const char *printer_status,
                          uint64_t now_ms)
{
    if (!ks_slip_printed(&app->guide_print.slip, job, printed, printer_status))
        return;    /* stale (another guide, the session ended), or given up at the deadline */
    ks_app_notify(app, KS_CHANGE_GUIDE);
    /* The button was at the end of a long guide: say where the paper is
     * wherever the citizen has scrolled to. */
    if (printed)
        ks_app_toast(app, "请在出纸口取走打印的指南", "Take the printed guide from the slot",
                     now_ms);
}
