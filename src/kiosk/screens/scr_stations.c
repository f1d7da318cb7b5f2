/* scr_stations.c — PLACEHOLDER while the screen is written; replaced before commit. */
#include "scr.h"
void scr_stations_build(scr_env *env)
{
    scr_header(env, "……", true);
}
void scr_station_build(scr_env *env)
{
    scr_header(env, "……", true);
}
