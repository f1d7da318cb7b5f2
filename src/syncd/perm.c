/* perm.c — the permission table of the case workflow and the unit rule.
 *
 * Two steps, in this order:
 *   1. The table: may this role ever do this action? One row per role,
 *      a bit per action. Operators (an operator token, or a staff account
 *      with role operator) may do everything; technicians nothing here;
 *      devices only SUBMIT (their own kiosk intake is checked elsewhere).
 *   2. The unit rule, only when the caller passes the case (c != NULL) and
 *      the action concerns one case (not CASE_LIST, OVERDUE, SUBMIT,
 *      STAFF_ADMIN):
 *        department — acts only on cases its unit leads (主办); a co-unit
 *                     (协办) may also VIEW and REPLY, never finish, escalate
 *                     or transfer;
 *        triage     — acts on cases of its platform/street (the case's
 *                     platform unit, or the platform leading a multi-
 *                     department case itself), and on cases not yet
 *                     triaged that no platform owns yet.
 *      Other roles have no unit rule.
 * With c == NULL the answer is the role-level one (step 1): listing
 * handlers use it and then filter rows by unit themselves.
 *
 * Deliberately not here: who the caller is (the dispatcher resolves the
 * token), which routes a principal kind may call (routes.c), workflow
 * state (whether the case is in a state that allows the action). */
#include "perm.h"

#include <string.h>

#define A(x) (1u << SD_ACT_##x)
#define SD_PERM_ALL ((1u << SD_ACT__COUNT) - 1u)

typedef enum sd_unit_rule {
    SD_UNIT_NONE = 0,   /* no unit restriction */
    SD_UNIT_DEPARTMENT, /* lead unit; co-unit may view and reply */
    SD_UNIT_PLATFORM,   /* own platform/street, or untriaged and unowned */
} sd_unit_rule;

typedef struct sd_perm_row {
    const char *role;
    unsigned allowed;   /* bit set of A(action) */
    sd_unit_rule rule;
} sd_perm_row;

/* role × action. Keep one row per role; the unit tests mirror this table. */
static const sd_perm_row sd_perm_table[] = {
    { "helper",     A(SUBMIT) | A(CASE_VIEW) | A(RATE_LEAD),                     SD_UNIT_NONE },
    { "triage",     A(CASE_VIEW) | A(CASE_LIST) | A(TRIAGE) | A(TRANSFER) | A(REPLY) | A(DONE) |
                    A(ESCALATE) | A(OVERDUE),                                     SD_UNIT_PLATFORM },
    { "department", A(CASE_VIEW) | A(CASE_LIST) | A(REPLY) | A(DONE) | A(ESCALATE) |
                    A(TRANSFER) | A(OVERDUE),                                     SD_UNIT_DEPARTMENT },
    { "taskforce",  A(DECIDE_TASKFORCE) | A(CASE_VIEW) | A(CASE_LIST) | A(OVERDUE), SD_UNIT_NONE },
    { "leader",     A(DECIDE_LEADER) | A(CASE_VIEW) | A(CASE_LIST) | A(OVERDUE),    SD_UNIT_NONE },
    { "operator",   SD_PERM_ALL,                                                  SD_UNIT_NONE },
    { "technician", 0,                                                            SD_UNIT_NONE },
};

/* Devices are not staff: a row of their own, not looked up by role. */
static const sd_perm_row sd_perm_device = { "device", A(SUBMIT), SD_UNIT_NONE };

static const char *const sd_action_names[SD_ACT__COUNT] = {
    [SD_ACT_CASE_VIEW] = "case_view",
    [SD_ACT_CASE_LIST] = "case_list",
    [SD_ACT_TRIAGE] = "triage",
    [SD_ACT_TRANSFER] = "transfer",
    [SD_ACT_REPLY] = "reply",
    [SD_ACT_DONE] = "done",
    [SD_ACT_ESCALATE] = "escalate",
    [SD_ACT_DECIDE_TASKFORCE] = "decide_taskforce",
    [SD_ACT_DECIDE_LEADER] = "decide_leader",
    [SD_ACT_RATE_LEAD] = "rate_lead",
    [SD_ACT_SUBMIT] = "submit",
    [SD_ACT_OVERDUE] = "overdue",
    [SD_ACT_STAFF_ADMIN] = "staff_admin",
};

const char *sd_action_name(sd_action action)
{
    if ((unsigned)action >= SD_ACT__COUNT || !sd_action_names[action])
        return "unknown";
    return sd_action_names[action];
}

static const sd_perm_row *sd_perm_row_find(const char *role)
{
    for (size_t i = 0; i < sizeof sd_perm_table / sizeof sd_perm_table[0]; i++)
        if (strcmp(sd_perm_table[i].role, role) == 0)
            return &sd_perm_table[i];
    return NULL;
}

/* An operator token acts with the staff role operator's row. */
static const sd_perm_row *sd_perm_row_of(const sd_principal *who)
{
    switch (who->kind) {
    case SD_PRINCIPAL_OPERATOR:
        return sd_perm_row_find("operator");
    case SD_PRINCIPAL_DEVICE:
        return &sd_perm_device;
    case SD_PRINCIPAL_STAFF:
        return sd_perm_row_find(who->role);
    case SD_PRINCIPAL_NONE:
        break;
    }
    return NULL;
}

/* Actions that are about one case, where the unit rule applies. */
static bool sd_action_per_case(sd_action action)
{
    return action != SD_ACT_CASE_LIST && action != SD_ACT_OVERDUE && action != SD_ACT_SUBMIT &&
           action != SD_ACT_STAFF_ADMIN;
}

static bool sd_unit_eq(const char *a, const char *b)
{
    return a && b && *a && strcmp(a, b) == 0;
}

static bool sd_unit_is_co(const char *unit, const sd_perm_case *c)
{
    if (!c->co_units)
        return false;
    for (const char *const *u = c->co_units; *u; u++)
        if (sd_unit_eq(unit, *u))
            return true;
    return false;
}

static bool sd_deny(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return false;
}

bool sd_perm_allows(const sd_principal *who, sd_action action, const sd_perm_case *c,
                    const char **why)
{
    const sd_perm_row *row;

    if (why)
        *why = NULL;
    if ((unsigned)action >= SD_ACT__COUNT)
        return sd_deny(why, "This action is unknown.");
    if (!who || who->kind == SD_PRINCIPAL_NONE)
        return sd_deny(why, "You need to sign in first.");
    row = sd_perm_row_of(who);
    if (!row)
        return sd_deny(why, "Your account has no role that may act on cases.");
    if (!(row->allowed & (1u << action))) {
        if (who->kind == SD_PRINCIPAL_DEVICE)
            return sd_deny(why, "A kiosk may not do this; staff must sign in.");
        return sd_deny(why, "Your role may not do this.");
    }
    if (!c || !sd_action_per_case(action) || row->rule == SD_UNIT_NONE)
        return true;

    if (!who->unit[0])
        return sd_deny(why, "Your account belongs to no unit, so it may not act on cases.");
    switch (row->rule) {
    case SD_UNIT_DEPARTMENT:
        if (sd_unit_eq(who->unit, c->lead_unit))
            return true;
        if ((action == SD_ACT_REPLY || action == SD_ACT_CASE_VIEW) && sd_unit_is_co(who->unit, c))
            return true;
        if (sd_unit_is_co(who->unit, c))
            return sd_deny(why, "Your unit co-handles this case: it may reply, but only the "
                                "lead unit may finish, escalate or transfer it.");
        return sd_deny(why, "This case is not led by your unit.");
    case SD_UNIT_PLATFORM:
        if (sd_unit_eq(who->unit, c->platform_unit) || sd_unit_eq(who->unit, c->lead_unit))
            return true;
        if (!c->lead_unit && (!c->platform_unit || !*c->platform_unit))
            return true;  /* not yet triaged and no platform owns it: first come */
        return sd_deny(why, "This case belongs to another platform or street.");
    case SD_UNIT_NONE:
        break;
    }
    return true;
}
