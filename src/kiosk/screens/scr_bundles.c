/* scr_bundles.c — PLACEHOLDER while the screen is written; replaced before commit. */
#include "scr.h"
void scr_bundles_build(scr_env *env)
{
    scr_header(env, "……", true);
}
void scr_bundle_build(scr_env *env)
{
    scr_header(env, "……", true);
}
