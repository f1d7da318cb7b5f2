/* qf_case.h — the rules of an enterprise case (企业问题/诉求) as pure functions:
 * its kinds and time limits, its state machine, the escalation ladder and the
 * supervision (督办) schedule. The rules come from three district documents:
 *   - 杭州市钱塘区企业服务分级分类协调机制 (钱委办发〔2023〕21号): roles, the
 *     "135" time limits, the four-level escalation ladder (提级协调);
 *   - 企业问题办理"全流程"闭环机制 (钱塘企服专班〔2023〕1号): intake channels,
 *     simple / single-department / whistle handling, the automatic whistle
 *     after two lead departments, closure (办结 + 已解决), 督查督办 instants;
 *   - 兜底服务功能板块工作管理制度: the fallback window's "3135" levels
 *     现场办 (1 working day) / 局长办 (3) / 研讨办 (5).
 *
 * Owns: the enums and their wire names, the case-rules state (a plain value
 * struct, no pointers), the one table of legal transitions, deadline and
 * supervision arithmetic on top of qf_calendar.
 *
 * Does not own: storage, ids, texts of the request, people, notifications,
 * JSON codecs, or "now". Every function here is pure: no I/O, no clock reads,
 * no allocation; the instant of an event and "now" are passed in. It does not
 * decide *who* may send an event (the submitter vs a department): the daemon
 * authenticates and authorises before calling qf_case_apply.
 *
 * Instants equal to QF_CASE_NO_TIME (0) mean "not yet". */
#ifndef QF_CASE_H
#define QF_CASE_H

#include <stdbool.h>
#include <stddef.h>

#include "qf_calendar.h"
#include "qf_clock.h"
#include "qf_error.h"

#define QF_CASE_NO_TIME ((qf_instant)0)

/* A unit (department, platform or street) is named by its short code from the
 * district's unit list, e.g. "scjgj" or "street-xiasha": 1..31 bytes of
 * [A-Za-z0-9._:-]. A code rather than an integer id because the code is the
 * stable key in the unit list (config), reads well in JSON, logs and printed
 * slips, and lets the rules compare leads without a registry; a fixed array
 * keeps the state a copyable value with no ownership questions. */
#define QF_CASE_UNIT_MAX 32

/* Case kinds. The first three are the enterprise-service "135" kinds, the last
 * three the fallback window's "3135" levels. */
typedef enum qf_case_kind {
    QF_CASE_KIND_NONE = 0,      /* "none": not yet triaged */
    QF_CASE_KIND_SIMPLE,        /* "simple": 简单问题, 1 working day */
    QF_CASE_KIND_SINGLE,        /* "single": 单一部门问题, 3 */
    QF_CASE_KIND_WHISTLE,       /* "whistle": 吹哨问题 (multi-department), 5 */
    QF_CASE_KIND_ONSITE,        /* "onsite": 兜底办 现场办, 1 */
    QF_CASE_KIND_DIRECTOR,      /* "director": 兜底办 局长办, 3 */
    QF_CASE_KIND_DELIBERATION,  /* "deliberation": 兜底办 研讨办, 5 */
    QF_CASE_KIND__COUNT
} qf_case_kind;

typedef enum qf_case_status {
    QF_CASE_SUBMITTED = 0,      /* "submitted": 待交办, awaiting triage */
    QF_CASE_IN_PROGRESS,        /* "in_progress": 办理中 (also after a reopen) */
    QF_CASE_LEAD_FINISHED,      /* "lead_finished": 已办结, awaiting the submitter */
    QF_CASE_CLOSED,             /* "closed": 闭环 (办结 + 已解决) */
    QF_CASE_WITHDRAWN,          /* "withdrawn": 已撤回 by the submitter */
    QF_CASE_STATUS__COUNT
} qf_case_status;

typedef enum qf_case_event_type {
    QF_CASE_EV_TRIAGE = 0,      /* "triage": 分类交办 (kind + lead unit) */
    QF_CASE_EV_REPLY,           /* "reply": the lead answers; first one recorded */
    QF_CASE_EV_TRANSFER,        /* "transfer": 流转 to another lead unit */
    QF_CASE_EV_ESCALATE,        /* "escalate": 提级协调, one step up the ladder */
    QF_CASE_EV_FINISH,          /* "finish": the lead clicks 办结 */
    QF_CASE_EV_RESOLVED,        /* "resolved": the submitter answers 已解决 */
    QF_CASE_EV_UNRESOLVED,      /* "unresolved": the submitter answers 未解决 */
    QF_CASE_EV_WITHDRAW,        /* "withdraw": the submitter withdraws */
    QF_CASE_EV_REASSIGN,        /* "reassign": 改派, the task force or a district
                                   leader hands the case to a named lead */
    QF_CASE_EV__COUNT
} qf_case_event_type;

typedef enum qf_case_channel {
    QF_CASE_CH_KIOSK = 0,       /* "kiosk": the hall's self-service kiosk */
    QF_CASE_CH_REQUEST_QR,      /* "request_qr": 企业诉求码 / 企业码 */
    QF_CASE_CH_HOTLINE,         /* "hotline": 钱塘营商热线 85901890 */
    QF_CASE_CH_HELPER,          /* "helper": 助企员 visit, submitted online */
    QF_CASE_CH_SELF_ONLINE,     /* "self_online": enterprise's own online submission */
    QF_CASE_CH_PLATFORM,        /* "platform": 平台、街道 online submission */
    QF_CASE_CH_LEADER_VISIT,    /* "leader_visit": 区领导走访 */
    QF_CASE_CH_DIRECT_LINE,     /* "direct_line": 书记区长"直通车" meetings */
    QF_CASE_CH_OTHER,           /* "other": 人大、政协、商会、行业协会 */
    QF_CASE_CH__COUNT
} qf_case_channel;

/* The escalation ladder, in the strict order of 分级协调机制 三、3. */
typedef enum qf_case_level {
    QF_CASE_LEVEL_UNIT = 0,         /* "unit": 部门/平台/街道专题协调 */
    QF_CASE_LEVEL_TASK_FORCE,       /* "task_force": 专班协调 */
    QF_CASE_LEVEL_DISTRICT_LEADER,  /* "district_leader": 分管区领导 (周例会) */
    QF_CASE_LEVEL_PRINCIPAL,        /* "principal": 区主要领导 */
    QF_CASE_LEVEL__COUNT
} qf_case_level;

typedef enum qf_case_lead {
    QF_CASE_LEAD_NONE = 0,      /* "none": before triage */
    QF_CASE_LEAD_DEPARTMENT,    /* "department": 部门 */
    QF_CASE_LEAD_PLATFORM,      /* "platform": 平台 or 街道 */
    QF_CASE_LEAD__COUNT
} qf_case_lead;

typedef enum qf_case_action {
    QF_CASE_ACT_URGE = 0,       /* "urge": 专班 phone urge + online supervision */
    QF_CASE_ACT_VISIT,          /* "visit": 督查考评组 calls or visits the lead */
    QF_CASE_ACT__COUNT
} qf_case_action;

/* Wire names ("simple", "in_progress" …) for JSON and the API, and Chinese
 * labels for screens and slips. Both are static strings and never NULL: an
 * out-of-range value gives "?", which no _parse accepts. _parse is exact and
 * case-sensitive; unknown names are QF_ERR_INVALID and leave *out alone. */
const char *qf_case_kind_name(qf_case_kind kind);
const char *qf_case_kind_label(qf_case_kind kind);
qf_err qf_case_kind_parse(const char *name, qf_case_kind *out);
const char *qf_case_status_name(qf_case_status status);
const char *qf_case_status_label(qf_case_status status);
qf_err qf_case_status_parse(const char *name, qf_case_status *out);
const char *qf_case_event_name(qf_case_event_type type);
const char *qf_case_event_label(qf_case_event_type type);
qf_err qf_case_event_parse(const char *name, qf_case_event_type *out);
const char *qf_case_channel_name(qf_case_channel channel);
const char *qf_case_channel_label(qf_case_channel channel);
qf_err qf_case_channel_parse(const char *name, qf_case_channel *out);
const char *qf_case_level_name(qf_case_level level);
const char *qf_case_level_label(qf_case_level level);
qf_err qf_case_level_parse(const char *name, qf_case_level *out);
const char *qf_case_lead_name(qf_case_lead lead);
const char *qf_case_lead_label(qf_case_lead lead);
qf_err qf_case_lead_parse(const char *name, qf_case_lead *out);
const char *qf_case_action_name(qf_case_action action);
const char *qf_case_action_label(qf_case_action action);
qf_err qf_case_action_parse(const char *name, qf_case_action *out);

/* Working days allowed for a kind (1, 3 or 5); 0 for NONE or out of range. */
int qf_case_kind_days(qf_case_kind kind);
/* True for the fallback window's 3135 levels (onsite, director, deliberation). */
bool qf_case_kind_is_fallback(qf_case_kind kind);

/* The deadline of a kind started at `start`: 24:00 Asia/Shanghai at the end
 * of the n-th working day after start's day (qf_calendar_deadline). */
qf_err qf_case_deadline(qf_case_kind kind, qf_instant start, const qf_calendar *cal,
                        qf_instant *out, char *err, size_t errlen);

/* True for units and code strings the rules accept (see QF_CASE_UNIT_MAX). */
bool qf_case_unit_valid(const char *unit);

/* The rules' view of one case. A plain value: copy it, compare it, store it. */
typedef struct qf_case_state {
    qf_case_status status;
    qf_case_channel channel;
    qf_case_kind kind;                  /* NONE until triage */
    qf_case_lead lead_kind;             /* NONE until triage */
    char lead_unit[QF_CASE_UNIT_MAX];   /* "" until triage */
    /* Departments that have led the case since its triage or its last
     * reassignment (a platform/street lead counts 0). Exact for the rule
     * that needs it ("has a second department led?"); a fallback case going
     * back to an earlier department (A→B→A) counts it again, because the
     * state keeps only the current lead. */
    int lead_dept_count;
    int transfer_count;
    bool auto_whistle;                  /* became whistle by the two-lead rule */
    qf_case_level level;                /* UNIT until escalated */
    bool lead_finished;                 /* 办结 clicked and not since reopened */
    int reopen_count;                   /* 未解决 answers; counts against 解决率 */
    qf_instant submitted_at;
    qf_instant triaged_at;              /* first triage */
    qf_instant period_start;            /* start of the current time limit:
                                           triage, auto-whistle, reassignment
                                           or reopen */
    qf_instant deadline;                /* end of the current time limit */
    qf_instant first_reply_at;          /* first REPLY (or FINISH) */
    qf_instant finished_at;             /* last 办结; NO_TIME after a reopen */
    qf_instant escalated_at;            /* last escalation */
    qf_instant closed_at;               /* closed or withdrawn */
    qf_instant updated_at;              /* instant of the last applied event */
} qf_case_state;

/* An event. Only the fields listed for its type are read. */
typedef struct qf_case_event {
    qf_case_event_type type;
    qf_instant at;                      /* all: when it happened; must not
                                           precede the state's updated_at */
    qf_case_kind kind;                  /* TRIAGE; REASSIGN: the new kind, or
                                           NONE to keep the current one */
    char unit[QF_CASE_UNIT_MAX];        /* TRIAGE, TRANSFER, REASSIGN: the
                                           (new) lead */
    bool unit_is_platform;              /* TRIAGE, TRANSFER, REASSIGN: lead is
                                           平台/街道 */
    char platform[QF_CASE_UNIT_MAX];    /* TRANSFER of a simple/single case:
                                           the platform/street the case belongs
                                           to, which leads it if it turns
                                           whistle. REASSIGN: optional (""),
                                           checked as a unit code when given;
                                           the state does not keep it */
} qf_case_event;

/* A fresh case in SUBMITTED. QF_ERR_INVALID for an unknown channel or a
 * submitted_at that is not after the epoch; *out is then untouched. */
qf_err qf_case_state_init(qf_case_state *out, qf_case_channel channel, qf_instant submitted_at,
                          char *err, size_t errlen);

/* Computes the state after ev. On success writes *out (which may be `in`).
 * On any error *out is untouched:
 *   QF_ERR_STATE   the (status, event) pair is not in the transition table
 *                  (the reason names both), or a rule forbids it now
 *                  (escalating past 区主要领导);
 *   QF_ERR_INVALID malformed state or event (enum out of range, bad unit,
 *                  whistle triage without a platform/street lead, event
 *                  earlier than the last one, transfer to the current lead);
 *   QF_ERR_LIMIT   a counter would overflow;
 *   errors of qf_calendar_deadline (QF_ERR_RANGE) pass through.
 * Rules applied, beyond the table:
 *   TRIAGE     simple/single need a department lead, whistle a platform/street
 *              lead, fallback kinds either; deadline from `at`.
 *   TRANSFER   simple/single: to another department; the second department
 *              makes the case whistle, led by ev->platform, deadline 5 working
 *              days from `at`. Whistle: to another platform/street, kind and
 *              deadline kept. Fallback kinds: any unit, kind and deadline kept.
 *   ESCALATE   one step up the ladder; QF_ERR_STATE at the top. Deadline kept.
 *   FINISH     lead_finished; also the first reply if none was recorded.
 *   RESOLVED   closes: needs the lead's 办结 first (status LEAD_FINISHED).
 *   UNRESOLVED reopens: IN_PROGRESS, reopen_count + 1, lead_finished cleared,
 *              new deadline of the same kind from `at`.
 *   WITHDRAW   any status before CLOSED; closed_at = at.
 *   REASSIGN   改派 by the task force or a district leader (at any level,
 *              in IN_PROGRESS only): ev->unit becomes the lead and the case
 *              restarts coordination there: level UNIT, period_start = at,
 *              a fresh deadline of the (new) kind from `at`. The kind is
 *              ev->kind, or the current kind when ev->kind is NONE; it must
 *              fit the lead as at triage. A simple/single case handed to a
 *              platform/street without a kind becomes whistle (the only
 *              enterprise kind a platform leads); a whistle case handed to a
 *              department needs ev->kind simple or single. Fallback kinds
 *              stay fallback and enterprise kinds stay enterprise. Rejected
 *              (QF_ERR_INVALID): the current lead, a bad unit, a kind out
 *              of range, a kind that does not fit. lead_dept_count restarts
 *              (1 for a department lead, 0 for a platform/street, as at
 *              triage) so the two-lead auto-whistle counts from the new
 *              lead; transfer_count, reopen_count, auto_whistle, triaged_at,
 *              first_reply_at and escalated_at are kept (a decision of a
 *              coordinating level is not a 流转 between leads). */
qf_err qf_case_apply(const qf_case_state *in, const qf_case_event *ev, const qf_calendar *cal,
                     qf_case_state *out, char *err, size_t errlen);

/* The legal transitions, for tests and documentation. Every (from, event)
 * pair appears at most once; every pair not listed is QF_ERR_STATE. */
typedef struct qf_case_transition {
    qf_case_status from;
    qf_case_event_type event;
    qf_case_status to;
} qf_case_transition;

size_t qf_case_transition_count(void);
/* The i-th row; QF_ERR_RANGE when i >= qf_case_transition_count(). */
qf_err qf_case_transition_get(size_t i, qf_case_transition *out);
/* True when (from, event) is in the table; *to (optional) gets the target. */
bool qf_case_transition_find(qf_case_status from, qf_case_event_type event, qf_case_status *to);

/* True when the case is open with the lead (IN_PROGRESS) and now is at or
 * past its deadline. A finished case awaiting the submitter is not overdue:
 * the time limit is the lead's. A submitted case has no deadline yet. */
bool qf_case_is_overdue(const qf_case_state *st, qf_instant now);

/* One supervision step: at `at`, if the case is still not finished, do
 * `action`. `workday` is k in "the k-th working day after the start day". */
typedef struct qf_case_supervision {
    qf_instant at;
    qf_case_action action;
    int workday;
} qf_case_supervision;

#define QF_CASE_SUPERVISION_MAX 2

/* The supervision schedule of a kind whose time limit started at `start`
 * (state.period_start; the triage instant for a fresh case), per 全流程闭环
 * 三、(一): simple → urge at 09:00 of working day 2 (the day after the 1-day
 * limit); single → urge at 12:00 of working day 3, visit at 09:00 of day 4;
 * whistle → urge at 12:00 of day 5, visit at 09:00 of day 6. Writes up to max
 * steps and the number needed to *count; QF_ERR_LIMIT (with *count set) when
 * max is too small, QF_ERR_INVALID for kind NONE. */
qf_err qf_case_supervision_plan(qf_case_kind kind, qf_instant start, const qf_calendar *cal,
                                qf_case_supervision *out, size_t max, size_t *count,
                                char *err, size_t errlen);

#endif
