/* scr_stack.c — the one screen table: every ks_screen and the function that
 * builds it. The stack itself is session state (ks_app.stack). */
#include "scr.h"

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

static const scr_def scr_table[KS_SCREEN__COUNT] = {
    [KS_SCREEN_IDLE] = { KS_SCREEN_IDLE, "idle", scr_idle_build },
    [KS_SCREEN_HOME] = { KS_SCREEN_HOME, "home", scr_home_build },
    [KS_SCREEN_BOARD] = { KS_SCREEN_BOARD, "board", scr_board_build },
    [KS_SCREEN_GUIDE] = { KS_SCREEN_GUIDE, "guide", scr_guide_build },
    [KS_SCREEN_SEARCH] = { KS_SCREEN_SEARCH, "search", scr_search_build },
    [KS_SCREEN_BUNDLES] = { KS_SCREEN_BUNDLES, "bundles", scr_bundles_build },
    [KS_SCREEN_BUNDLE] = { KS_SCREEN_BUNDLE, "bundle", scr_bundle_build },
    [KS_SCREEN_STATIONS] = { KS_SCREEN_STATIONS, "stations", scr_stations_build },
    [KS_SCREEN_STATION] = { KS_SCREEN_STATION, "station", scr_station_build },
    [KS_SCREEN_TICKET] = { KS_SCREEN_TICKET, "ticket", scr_ticket_build },
};

const scr_def *scr_get(ks_screen id)
{
    return id < KS_SCREEN__COUNT ? &scr_table[id] : &scr_table[KS_SCREEN_IDLE];
}
