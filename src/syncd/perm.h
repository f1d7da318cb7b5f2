/* perm.h — who may do what in the case workflow: one table of role ×
 * action (data, in perm.c), plus the unit rule (a department handler acts
 * only on cases its unit leads or co-handles). Handlers and qifu-ctl ask
 * here; nobody else decides permissions. */
#ifndef SD_PERM_H
#define SD_PERM_H

#include <stdbool.h>

#include "syncd.h"

typedef enum sd_action {
    SD_ACT_CASE_VIEW,      /* see a case's full staff view */
    SD_ACT_CASE_LIST,
    SD_ACT_TRIAGE,         /* 分类交办 */
    SD_ACT_TRANSFER,
    SD_ACT_REPLY,
    SD_ACT_DONE,           /* 办结 */
    SD_ACT_ESCALATE,       /* file the 提级协调审批表 */
    SD_ACT_DECIDE_TASKFORCE,
    SD_ACT_DECIDE_LEADER,
    SD_ACT_RATE_LEAD,      /* a helper rates the lead's handling */
    SD_ACT_SUBMIT,         /* submit on a citizen's behalf (帮办代办) */
    SD_ACT_OVERDUE,
    SD_ACT_STAFF_ADMIN,
    SD_ACT__COUNT
} sd_action;

/* What the caller knows about the case for the unit rule. */
typedef struct sd_perm_case {
    const char *lead_unit;       /* NULL before triage */
    const char *const *co_units; /* NULL-terminated, may be NULL */
    const char *platform_unit;   /* the platform/street the case belongs to */
} sd_perm_case;

/* May who do action (on c, when the action concerns one case)? When not,
 * *why (optional) gets a plain sentence for the 403. */
bool sd_perm_allows(const sd_principal *who, sd_action action, const sd_perm_case *c,
                    const char **why);

const char *sd_action_name(sd_action action);

#endif
