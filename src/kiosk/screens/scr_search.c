/* scr_search.c — PLACEHOLDER while the screen is written; replaced before commit. */
#include "scr.h"
void scr_search_build(scr_env *env)
{
    scr_header(env, "……", true);
}
