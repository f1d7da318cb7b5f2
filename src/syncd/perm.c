/* perm.c — PLACEHOLDER while the module is written; replaced before commit. */
#include "perm.h"
bool sd_perm_allows(const sd_principal *who, sd_action action, const sd_perm_case *c,
                    const char **why)
{
    (void)who; (void)action; (void)c;
    if (why)
        *why = "permissions are not built yet";
    return false;
}
const char *sd_action_name(sd_action action) { (void)action; return "?"; }
