/* scr_stack.c — the one screen table: every ks_screen and the function that
 * builds it. The stack itself is session state (ks_app.stack). */
#include "scr.h"
#include "scr_staff.h"

void scr_idle_build(scr_env *env);
void scr_home_build(scr_env *env);
void scr_board_build(scr_env *env);
void scr_guide_build(scr_env *env);
void scr_search_build(scr_env *env);
void scr_bundles_build(scr_env *env);
void scr_bundle_build(scr_env *env);
void scr_stations_build(scr_env *env);
void scr_station_build(scr_env *env);
void scr_ticket_build(scr_env *env);
void scr_form_build(scr_env *env);
void scr_review_build(scr_env *env);
void scr_receipt_build(scr_env *env);
void scr_progress_build(scr_env *env);
void scr_rate_build(scr_env *env);

static const scr_def scr_table[KS_SCREEN__COUNT] = {
    [KS_SCREEN_IDLE] = { KS_SCREEN_IDLE, "idle", scr_idle_sched_build },   /* dimmed at night */
    [KS_SCREEN_HOME] = { KS_SCREEN_HOME, "home", scr_home_build },
    [KS_SCREEN_BOARD] = { KS_SCREEN_BOARD, "board", scr_board_build },
    [KS_SCREEN_GUIDE] = { KS_SCREEN_GUIDE, "guide", scr_guide_build },
    [KS_SCREEN_SEARCH] = { KS_SCREEN_SEARCH, "search", scr_search_build },
    [KS_SCREEN_BUNDLES] = { KS_SCREEN_BUNDLES, "bundles", scr_bundles_build },
    [KS_SCREEN_BUNDLE] = { KS_SCREEN_BUNDLE, "bundle", scr_bundle_build },
    [KS_SCREEN_STATIONS] = { KS_SCREEN_STATIONS, "stations", scr_stations_build },
    [KS_SCREEN_STATION] = { KS_SCREEN_STATION, "station", scr_station_build },
    [KS_SCREEN_TICKET] = { KS_SCREEN_TICKET, "ticket", scr_ticket_build },
    [KS_SCREEN_FORM] = { KS_SCREEN_FORM, "form", scr_form_build },
    [KS_SCREEN_REVIEW] = { KS_SCREEN_REVIEW, "review", scr_review_build },
    [KS_SCREEN_RECEIPT] = { KS_SCREEN_RECEIPT, "receipt", scr_receipt_build },
    [KS_SCREEN_PROGRESS] = { KS_SCREEN_PROGRESS, "progress", scr_progress_build },
    [KS_SCREEN_RATE] = { KS_SCREEN_RATE, "rate", scr_rate_build },
    /* staff (scr_staff.c, scr_tech.c) */
    [KS_SCREEN_STAFF_LOGIN] = { KS_SCREEN_STAFF_LOGIN, "staff_login", scr_staff_login_build },
    [KS_SCREEN_HELP_CALLS] = { KS_SCREEN_HELP_CALLS, "help_calls", scr_help_calls_build },
    [KS_SCREEN_TECH] = { KS_SCREEN_TECH, "tech", scr_tech_build },
    [KS_SCREEN_DIAG] = { KS_SCREEN_DIAG, "diag", scr_diag_build },
    [KS_SCREEN_INSPECT] = { KS_SCREEN_INSPECT, "inspect", scr_inspect_build },
    [KS_SCREEN_NOTICE] = { KS_SCREEN_NOTICE, "notice", scr_notice_build },
    [KS_SCREEN_OUT_OF_SERVICE] = { KS_SCREEN_OUT_OF_SERVICE, "out_of_service",
                                   scr_out_of_service_build },
    [KS_SCREEN_CLOSED] = { KS_SCREEN_CLOSED, "closed", scr_closed_build },
};

const scr_def *scr_get(ks_screen id)
{
    return id < KS_SCREEN__COUNT ? &scr_table[id] : &scr_table[KS_SCREEN_IDLE];
}
