/* store_workflow.h — the staff workflow of a case in the store: triage
 * (分类交办), transfer (流转), reply, 办结, the escalation form (企业问题提级
 * 协调审批表) with each level's decision, ratings, and the staff views (the
 * list, one case in full, the printable form).
 *
 * Every action is one transaction that, under the store lock:
 *   1. loads the case (state, platform/street, current co-units);
 *   2. asks sd_perm_allows (perm.h) whether the actor may do it to this case,
 *      so the check and the change see the same lead and co-units;
 *   3. computes the new state with qf_case_apply (the rules: kinds,
 *      deadlines on the working-day calendar, the automatic whistle, the
 *      escalation ladder, closure and reopening live in qf_case.c only);
 *   4. writes the state, its denormalised columns, a case_events row and an
 *      audit row with the state before and after (store_cases.h
 *      sd_store_case_save_locked), plus this module's own rows: case_units
 *      (lead history with since/until, co-units), escalations, ratings.
 *
 * Units are given as a unit id ("unit-018"), or the exact name or an alias
 * of a unit of the published catalog (catalog_items, section "units"); ids
 * are stored. Leads are departments, platforms or streets (catalog kinds
 * department / platform / street); co-units may be any catalog unit.
 *
 * The escalation ladder (分级分类协调机制 二、4 and 三、3; 全流程闭环 二、(四)-(六)):
 *   - the lead files the form (sd_store_wf_escalate): the case moves from
 *     level unit to task_force (qf_case ESCALATE) and an escalations row
 *     waits for the task force's decision;
 *   - the task force decides "escalate" (→ district_leader, a new row waits
 *     there) or "reassign" with a named lead unit: the request does not
 *     qualify, and so that it does not "idle" (空转) the task force hands it
 *     to a lead it names, and the case continues at level unit;
 *   - the district leader in charge decides "escalate" (→ principal) or
 *     "assign" a lead; the principal (书记/区长) can only "assign": the rules
 *     refuse escalating past the top.
 * Every decision keeps its level, opinion, signer and time.
 *
 * Reassigning (改派) is qf_case's REASSIGN event with the named lead, the
 * case's platform/street and the named kind (none given: the rules keep the
 * current kind or, for a simple/single case given to a platform/street,
 * make it whistle): the case goes back to level unit with a fresh time limit
 * from the decision. Which kinds fit which lead, which counters restart and
 * the deadline arithmetic are qf_case's (see qf_case.h, REASSIGN); this
 * module only checks that a named kind suits the request type (135 vs 3135)
 * and writes the lead history, co-units and the decision. See
 * wf_reassign_state in store_workflow.c.
 *
 * Not here: request parsing and replies (h_workflow.c, ctl_case.c), the
 * permission table (perm.c), the rules (qf_case.c), supervision records
 * (store_supervision.c writes them; show reads them), the submitter's own
 * feedback endpoint (h_cases.c; store_cases.c records its rating too). */
#ifndef SD_STORE_WORKFLOW_H
#define SD_STORE_WORKFLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "perm.h"
#include "qf_calendar.h"
#include "qf_case.h"
#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

/* Limits. Text lengths are in characters (UTF-8 code points). */
#define SD_WF_CO_MAX        10    /* co-units named in one triage or decision */
#define SD_WF_CO_CAP        32    /* current co-units a case may have at all */
#define SD_WF_TEXT_MAX      2000  /* a reply, an opinion, the prior coordination */
#define SD_WF_NOTE_MAX      500   /* the note of 办结, a rating's comment */
#define SD_WF_SIGNER_MAX    50
#define SD_WF_UNIT_TEXT_MAX 64    /* a unit as typed: id, name or alias */
#define SD_WF_LIST_DEFAULT  50
#define SD_WF_LIST_MAX      500   /* rows one listing returns at most */

/* Who acts, when, on which calendar. Borrowed. */
typedef struct sd_wf_actor {
    const char *name;          /* audit actor: "staff:ID", "operator:NAME", "ctl" */
    const sd_principal *who;   /* checked with sd_perm_allows; NULL is qifu-ctl run
                                  locally by the operator, who may do everything */
    const char *signer;        /* the name signed on forms when the request gives
                                  none (a staff member's name), or NULL */
    qf_instant now;
    const qf_calendar *cal;
} sd_wf_actor;

/* Why an action failed. field names the input at fault for QF_ERR_INVALID
 * ("lead", "co", "kind" …), "" otherwise; msg is a sentence for people. */
typedef struct sd_wf_err {
    char field[32];
    char msg[384];
} sd_wf_err;

/* Result codes of the actions:
 *   QF_ERR_NOT_FOUND  no such case;
 *   QF_ERR_DENIED     the actor may not (msg is perm.c's reason);
 *   QF_ERR_STATE      the rules refuse it now (msg is qf_case's reason, or
 *                     why the workflow does: no escalation waiting …);
 *   QF_ERR_CONFLICT   an escalation already waits, or the decision was
 *                     meant for another level;
 *   QF_ERR_INVALID    a bad input (field says which): unknown unit, a
 *                     department where a platform is needed …;
 *   QF_ERR_LIMIT      too many co-units;
 *   QF_ERR_STORAGE, QF_ERR_NOMEM.
 * On success *summary (optional) gets the staff summary of the case after
 * the change (sd_store_wf_summary's shape). Ownership: json_decref it. */

/* Case kinds as the workflow takes them: simple, single, whistle, or
 * fallback with its 3135 level (1 现场办, 3 局长办, 5 研讨办); the fallback
 * levels' own names (onsite, director, deliberation) are accepted too.
 * level is 0 when not given. */
qf_err sd_wf_kind_parse(const char *kind, int level, qf_case_kind *out, char *err, size_t errlen);

typedef struct sd_wf_triage_in {
    const char *kind;
    int level;                 /* fallback only: 1, 3 or 5; 0 otherwise */
    const char *lead;          /* unit */
    const char *const *co;     /* nco units, 0..SD_WF_CO_MAX */
    size_t nco;
    const char *platform;      /* the platform/street the case belongs to; NULL:
                                  the lead when it is one, else the actor's
                                  unit when it is one, else none yet */
} sd_wf_triage_in;

/* 分类交办: kind, lead and co-units; the deadline runs from now. A 诉求
 * (request) case takes simple/single/whistle, a 兜底 (fallback) case one of
 * the 3135 levels. */
qf_err sd_store_wf_triage(sd_store *store, const sd_wf_actor *a, const char *no,
                          const sd_wf_triage_in *in, json_t **summary, sd_wf_err *e);

/* 流转 to another lead. A simple/single case moved to a second department
 * becomes whistle, led by its platform/street (qf_case), the department
 * joining as co-unit. platform (optional) names the platform/street for a
 * case that has none on record yet. */
qf_err sd_store_wf_transfer(sd_store *store, const sd_wf_actor *a, const char *no,
                            const char *lead, const char *platform, json_t **summary,
                            sd_wf_err *e);

/* The lead's (or a co-unit's) answer; text is shown to the submitter. */
qf_err sd_store_wf_reply(sd_store *store, const sd_wf_actor *a, const char *no,
                         const char *text, json_t **summary, sd_wf_err *e);

/* 办结 by the lead; note (optional) is shown to the submitter. */
qf_err sd_store_wf_done(sd_store *store, const sd_wf_actor *a, const char *no,
                        const char *note, json_t **summary, sd_wf_err *e);

/* The lead's part of the 提级协调审批表. */
typedef struct sd_wf_form_in {
    const char *request;       /* "escalate" (申请提级协调) or "change_lead"
                                  (申请更换主办部门协调) */
    const char *prior;         /* 前期协调情况, required */
    const char *opinion;       /* 主办部门意见 beyond the request, optional */
    const char *signer;        /* 主办部门主要领导; NULL: a->signer */
    const char *enterprise;    /* 企业名称; NULL: as submitted */
    const char *problem;       /* 问题描述; NULL: as submitted */
    const char *locality;      /* 属地 (unit); NULL: the case's platform/street */
} sd_wf_form_in;

qf_err sd_store_wf_escalate(sd_store *store, const sd_wf_actor *a, const char *no,
                            const sd_wf_form_in *in, json_t **summary, sd_wf_err *e);

/* A level's decision on the waiting escalation. */
typedef struct sd_wf_decision_in {
    const char *decision;      /* "escalate", "reassign" (task force) or
                                  "assign" (leaders); reassign and assign are
                                  accepted at every level and mean the same */
    const char *opinion;       /* required */
    const char *signer;        /* NULL: a->signer */
    const char *lead;          /* reassign/assign: the new lead, required */
    const char *const *co;     /* reassign/assign: NULL keeps the co-units;
                                  non-NULL replaces them with these nco */
    size_t nco;
    const char *kind;          /* reassign/assign: NULL keeps the kind */
    int level;                 /* with kind "fallback" */
    const char *expect_level;  /* optional guard: the level the decider
                                  believes waits (task_force, district_leader,
                                  principal); QF_ERR_CONFLICT otherwise */
} sd_wf_decision_in;

qf_err sd_store_wf_decide(sd_store *store, const sd_wf_actor *a, const char *no,
                          const sd_wf_decision_in *in, json_t **summary, sd_wf_err *e);

/* Ratings besides the submitter's 好差评 (which comes with the feedback):
 *   helper: the submitter's stars (1-5) for the helper who assisted
 *           (cases.helper_id), entered at the kiosk (a device principal,
 *           whose handler has checked phone4) or by the operator;
 *   lead:   the helper's stars for the lead's handling, after 办结; only the
 *           case's own helper (or an operator).
 * A second rating by the same rater replaces the first (audited). */
qf_err sd_store_wf_rate(sd_store *store, const sd_wf_actor *a, const char *no, const char *kind,
                        int score, const char *comment, json_t **summary, sd_wf_err *e);

/* Listing filters; NULL / 0 for "any". */
typedef struct sd_wf_filter {
    const char *status;        /* a status wire name */
    const char *unit;          /* leads or co-handles (unit as typed) */
    const char *kind;          /* a kind wire name, or "fallback" for the three */
    bool overdue;              /* in progress and at or past the deadline at now */
    size_t limit;              /* 0: SD_WF_LIST_DEFAULT; at most SD_WF_LIST_MAX */
    size_t offset;
} sd_wf_filter;

/* {"cases":[…],"total":N|null,"limit","offset"}: newest first (overdue:
 * most overdue first). A department handler sees only cases its unit leads
 * or co-handles, a platform/street triager those of its platform/street and
 * untriaged ones nobody owns. */
qf_err sd_store_wf_list(sd_store *store, const sd_wf_actor *a, const sd_wf_filter *f,
                        json_t **out, sd_wf_err *e);

/* One case in full for staff: the submission, state, kind, lead, co-units,
 * deadline, the unit history, escalations, ratings, supervision records,
 * the timeline with actors and the audit trail. */
qf_err sd_store_wf_show(sd_store *store, const sd_wf_actor *a, const char *no, json_t **out,
                        sd_wf_err *e);

/* The summary the actions answer with:
 * {"case_no","status","kind","level","lead","platform","co_units",
 *  "deadline","overdue","reopen_count","auto_whistle"}. */
qf_err sd_store_wf_summary(sd_store *store, const sd_wf_actor *a, const char *no, json_t **out,
                           sd_wf_err *e);

/* The 提级协调审批表 of the case's latest filing as data:
 * {"case_no","enterprise","problem","prior_coordination","locality","lead",
 *  "co_units","request","filed":bool,"levels":[{"level","title_zh",
 *  "signer_title_zh","decision","decision_zh","opinion","signer",
 *  "signed_at"}×4]}, units as {"id","name"}. A case with no filing gives
 * the form prefilled from the case, with every opinion blank. */
qf_err sd_store_wf_form(sd_store *store, const sd_wf_actor *a, const char *no, json_t **out,
                        sd_wf_err *e);

/* Lays a form (sd_store_wf_form's shape) out as fixed-width printable text,
 * 72 columns (a CJK character counts two), LF line ends: the title, each
 * field, each level's opinion with its signer and date, and blank lines and
 * rules for signatures not yet given. Ownership: free(*out). */
qf_err sd_wf_form_render(const json_t *form, char **out);

#endif
