/* qf_case.c — the case rules: names of the case enums, the kind table (time
 * limits and supervision patterns), the one transition table and the effect of
 * each legal transition.
 *
 * Owns: qf_case_apply and the arithmetic of deadlines and 督办 instants.
 * Does not own: storage, authorisation, JSON, the clock, or the working-day
 * calendar itself (qf_calendar.c). Pure: no I/O, no clock reads, no malloc.
 *
 * How apply works (Redis-style, checks once before dispatch): validate the
 * input state and event, look the (status, event) pair up in qf_case_rules —
 * anything not listed is QF_ERR_STATE — then run that row's effect on a copy
 * and publish the copy only if the effect succeeded. */
#include "qf_case.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

/* --- names and labels ------------------------------------------------------ */

typedef struct qf_case_name {
    const char *name;   /* wire name, JSON/API */
    const char *label;  /* Chinese label for screens and slips */
} qf_case_name;

static const qf_case_name qf_case_kind_names[QF_CASE_KIND__COUNT] = {
    [QF_CASE_KIND_NONE] = { "none", "未分类" },
    [QF_CASE_KIND_SIMPLE] = { "simple", "简单问题" },
    [QF_CASE_KIND_SINGLE] = { "single", "单一部门问题" },
    [QF_CASE_KIND_WHISTLE] = { "whistle", "吹哨问题" },
    [QF_CASE_KIND_ONSITE] = { "onsite", "现场办" },
    [QF_CASE_KIND_DIRECTOR] = { "director", "局长办" },
    [QF_CASE_KIND_DELIBERATION] = { "deliberation", "研讨办" },
};

static const qf_case_name qf_case_status_names[QF_CASE_STATUS__COUNT] = {
    [QF_CASE_SUBMITTED] = { "submitted", "待交办" },
    [QF_CASE_IN_PROGRESS] = { "in_progress", "办理中" },
    [QF_CASE_LEAD_FINISHED] = { "lead_finished", "已办结待评价" },
    [QF_CASE_CLOSED] = { "closed", "已闭环" },
    [QF_CASE_WITHDRAWN] = { "withdrawn", "已撤回" },
};

static const qf_case_name qf_case_event_names[QF_CASE_EV__COUNT] = {
    [QF_CASE_EV_TRIAGE] = { "triage", "分类交办" },
    [QF_CASE_EV_REPLY] = { "reply", "回复" },
    [QF_CASE_EV_TRANSFER] = { "transfer", "流转" },
    [QF_CASE_EV_ESCALATE] = { "escalate", "提级协调" },
    [QF_CASE_EV_FINISH] = { "finish", "办结" },
    [QF_CASE_EV_RESOLVED] = { "resolved", "已解决" },
    [QF_CASE_EV_UNRESOLVED] = { "unresolved", "未解决" },
    [QF_CASE_EV_WITHDRAW] = { "withdraw", "撤回" },
    [QF_CASE_EV_REASSIGN] = { "reassign", "改派" },
};

static const qf_case_name qf_case_channel_names[QF_CASE_CH__COUNT] = {
    [QF_CASE_CH_KIOSK] = { "kiosk", "自助服务终端" },
    [QF_CASE_CH_REQUEST_QR] = { "request_qr", "企业诉求码" },
    [QF_CASE_CH_HOTLINE] = { "hotline", "钱塘营商热线85901890" },
    [QF_CASE_CH_HELPER] = { "helper", "助企员在线提交" },
    [QF_CASE_CH_SELF_ONLINE] = { "self_online", "企业自主在线提交" },
    [QF_CASE_CH_PLATFORM] = { "platform", "平台、街道在线提交" },
    [QF_CASE_CH_LEADER_VISIT] = { "leader_visit", "区领导走访" },
    [QF_CASE_CH_DIRECT_LINE] = { "direct_line", "书记区长“直通车”" },
    [QF_CASE_CH_OTHER] = { "other", "其他渠道（人大、政协、商会、行业协会）" },
};

static const qf_case_name qf_case_level_names[QF_CASE_LEVEL__COUNT] = {
    [QF_CASE_LEVEL_UNIT] = { "unit", "部门、平台、街道专题协调" },
    [QF_CASE_LEVEL_TASK_FORCE] = { "task_force", "专班协调" },
    [QF_CASE_LEVEL_DISTRICT_LEADER] = { "district_leader", "分管区领导协调（周例会）" },
    [QF_CASE_LEVEL_PRINCIPAL] = { "principal", "区主要领导协调" },
};

static const qf_case_name qf_case_lead_names[QF_CASE_LEAD__COUNT] = {
    [QF_CASE_LEAD_NONE] = { "none", "未确定" },
    [QF_CASE_LEAD_DEPARTMENT] = { "department", "部门" },
    [QF_CASE_LEAD_PLATFORM] = { "platform", "平台、街道" },
};

static const qf_case_name qf_case_action_names[QF_CASE_ACT__COUNT] = {
    [QF_CASE_ACT_URGE] = { "urge", "电话催办并在线督办" },
    [QF_CASE_ACT_VISIT] = { "visit", "督查考评组电话或上门督办" },
};

static const char *qf_case_name_of(const qf_case_name *tab, int n, int v, bool label)
{
    if (v < 0 || v >= n)
        return "?";
    return label ? tab[v].label : tab[v].name;
}

static qf_err qf_case_name_find(const qf_case_name *tab, int n, const char *name, int *out)
{
    if (!name)
        return QF_ERR_INVALID;
    for (int i = 0; i < n; i++) {
        if (strcmp(tab[i].name, name) == 0) {
            *out = i;
            return QF_OK;
        }
    }
    return QF_ERR_INVALID;
}

/* One name/label/parse triple per enum, all over the tables above. */
#define QF_CASE_NAMES(fn, type, tab, count)                                                        \
    const char *qf_case_##fn##_name(type v)                                                        \
    {                                                                                              \
        return qf_case_name_of(tab, count, (int)v, false);                                         \
    }                                                                                              \
    const char *qf_case_##fn##_label(type v)                                                       \
    {                                                                                              \
        return qf_case_name_of(tab, count, (int)v, true);                                          \
    }                                                                                              \
    qf_err qf_case_##fn##_parse(const char *name, type *out)                                       \
    {                                                                                              \
        int v;                                                                                     \
        if (qf_case_name_find(tab, count, name, &v) != QF_OK)                                      \
            return QF_ERR_INVALID;                                                                 \
        *out = (type)v;                                                                            \
        return QF_OK;                                                                              \
    }

QF_CASE_NAMES(kind, qf_case_kind, qf_case_kind_names, QF_CASE_KIND__COUNT)
QF_CASE_NAMES(status, qf_case_status, qf_case_status_names, QF_CASE_STATUS__COUNT)
QF_CASE_NAMES(event, qf_case_event_type, qf_case_event_names, QF_CASE_EV__COUNT)
QF_CASE_NAMES(channel, qf_case_channel, qf_case_channel_names, QF_CASE_CH__COUNT)
QF_CASE_NAMES(level, qf_case_level, qf_case_level_names, QF_CASE_LEVEL__COUNT)
QF_CASE_NAMES(lead, qf_case_lead, qf_case_lead_names, QF_CASE_LEAD__COUNT)
QF_CASE_NAMES(action, qf_case_action, qf_case_action_names, QF_CASE_ACT__COUNT)

/* --- kinds: time limits and supervision patterns --------------------------- */

/* A supervision step relative to the start day: working day k, hh:mm. */
typedef struct qf_case_step {
    int workday;
    int hour;
    int minute;
    qf_case_action action;
} qf_case_step;

/* 全流程闭环 三、(一)1: a simple case not answered within its one working day
 * is urged "在次日上午9:00前" — by 09:00 of the next working day. */
static const qf_case_step qf_case_steps_1[] = {
    { 2, 9, 0, QF_CASE_ACT_URGE },
};
/* 三、(一)2: single-department — 12:00 of working day 3, then working day 4.
 * The seed gives no hour for day 4; 09:00, the start of office hours, is ours. */
static const qf_case_step qf_case_steps_3[] = {
    { 3, 12, 0, QF_CASE_ACT_URGE },
    { 4, 9, 0, QF_CASE_ACT_VISIT },
};
/* 三、(一)3: whistle — 12:00 of working day 5, then working day 6 (09:00). */
static const qf_case_step qf_case_steps_5[] = {
    { 5, 12, 0, QF_CASE_ACT_URGE },
    { 6, 9, 0, QF_CASE_ACT_VISIT },
};

#define QF_CASE_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The fallback window's 3135 rules set answer limits only; its 督办 is left to
 * "监督考核". We give its levels the supervision pattern of the enterprise kind
 * with the same number of days (现场办 like simple, 局长办 like single, 研讨办
 * like whistle) so that every open case has the same kind of safety net. */
static const struct qf_case_kind_rule {
    int days;
    const qf_case_step *steps;
    size_t nsteps;
} qf_case_kinds[QF_CASE_KIND__COUNT] = {
    [QF_CASE_KIND_NONE] = { 0, NULL, 0 },
    [QF_CASE_KIND_SIMPLE] = { 1, qf_case_steps_1, QF_CASE_COUNT(qf_case_steps_1) },
    [QF_CASE_KIND_SINGLE] = { 3, qf_case_steps_3, QF_CASE_COUNT(qf_case_steps_3) },
    [QF_CASE_KIND_WHISTLE] = { 5, qf_case_steps_5, QF_CASE_COUNT(qf_case_steps_5) },
    [QF_CASE_KIND_ONSITE] = { 1, qf_case_steps_1, QF_CASE_COUNT(qf_case_steps_1) },
    [QF_CASE_KIND_DIRECTOR] = { 3, qf_case_steps_3, QF_CASE_COUNT(qf_case_steps_3) },
    [QF_CASE_KIND_DELIBERATION] = { 5, qf_case_steps_5, QF_CASE_COUNT(qf_case_steps_5) },
};

static bool qf_case_kind_known(qf_case_kind kind)
{
    return (int)kind > (int)QF_CASE_KIND_NONE && (int)kind < (int)QF_CASE_KIND__COUNT;
}

int qf_case_kind_days(qf_case_kind kind)
{
    return qf_case_kind_known(kind) ? qf_case_kinds[kind].days : 0;
}

bool qf_case_kind_is_fallback(qf_case_kind kind)
{
    return kind == QF_CASE_KIND_ONSITE || kind == QF_CASE_KIND_DIRECTOR ||
           kind == QF_CASE_KIND_DELIBERATION;
}

/* Department-led enterprise kinds: the ones the two-lead rule turns whistle. */
static bool qf_case_kind_department_led(qf_case_kind kind)
{
    return kind == QF_CASE_KIND_SIMPLE || kind == QF_CASE_KIND_SINGLE;
}

qf_err qf_case_deadline(qf_case_kind kind, qf_instant start, const qf_calendar *cal,
                        qf_instant *out, char *err, size_t errlen)
{
    qf_err rc;
    if (!qf_case_kind_known(kind))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "case kind '%s' has no time limit",
                          qf_case_kind_name(kind));
    if (!cal || !out)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no calendar or output given");
    rc = qf_calendar_deadline(cal, start, qf_case_kinds[kind].days, out);
    if (rc != QF_OK)
        return qf_err_set(err, errlen, rc, "cannot compute a %d-working-day deadline: %s",
                          qf_case_kinds[kind].days, qf_err_str(rc));
    return QF_OK;
}

qf_err qf_case_supervision_plan(qf_case_kind kind, qf_instant start, const qf_calendar *cal,
                                qf_case_supervision *out, size_t max, size_t *count,
                                char *err, size_t errlen)
{
    const struct qf_case_kind_rule *rule;
    qf_day start_day = qf_instant_day(start);

    if (!qf_case_kind_known(kind))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "case kind '%s' has no supervision plan",
                          qf_case_kind_name(kind));
    if (!cal || !count || (max > 0 && !out))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no calendar or output given");
    rule = &qf_case_kinds[kind];
    *count = rule->nsteps;
    if (max < rule->nsteps)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "a '%s' plan has %zu steps, room for %zu",
                          qf_case_kind_name(kind), rule->nsteps, max);
    for (size_t i = 0; i < rule->nsteps; i++) {
        const qf_case_step *s = &rule->steps[i];
        qf_day day;
        qf_err rc = qf_calendar_add_workdays(cal, start_day, s->workday, &day);
        if (rc != QF_OK)
            return qf_err_set(err, errlen, rc, "cannot find working day %d: %s", s->workday,
                              qf_err_str(rc));
        out[i].at = qf_day_at(day, s->hour, s->minute);
        out[i].action = s->action;
        out[i].workday = s->workday;
    }
    return QF_OK;
}

/* --- units --------------------------------------------------------------- */

/* Checks inside the fixed array, so an unterminated array is caught too. */
static bool qf_case_unit_field_valid(const char unit[QF_CASE_UNIT_MAX])
{
    const char *end = memchr(unit, '\0', QF_CASE_UNIT_MAX);
    return end && qf_case_unit_valid(unit);
}

bool qf_case_unit_valid(const char *unit)
{
    size_t n = 0;
    if (!unit)
        return false;
    for (; unit[n]; n++) {
        char c = unit[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok || n + 1 >= QF_CASE_UNIT_MAX)
            return false;
    }
    return n > 0;
}

/* --- state ----------------------------------------------------------------- */

qf_err qf_case_state_init(qf_case_state *out, qf_case_channel channel, qf_instant submitted_at,
                          char *err, size_t errlen)
{
    if (!out)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no state given");
    if ((int)channel < 0 || channel >= QF_CASE_CH__COUNT)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "unknown intake channel %d", (int)channel);
    if (submitted_at <= QF_CASE_NO_TIME)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "submission instant must be after 1970");
    memset(out, 0, sizeof *out);
    out->status = QF_CASE_SUBMITTED;
    out->channel = channel;
    out->kind = QF_CASE_KIND_NONE;
    out->lead_kind = QF_CASE_LEAD_NONE;
    out->level = QF_CASE_LEVEL_UNIT;
    out->submitted_at = submitted_at;
    out->updated_at = submitted_at;
    return QF_OK;
}

/* --- effects: one per legal transition ------------------------------------- */

/* An effect changes `next` (a copy of the input) for event ev; the status and
 * updated_at are set by qf_case_apply after it succeeds. On error the copy is
 * dropped, so an effect may fail half-way. */
typedef qf_err (*qf_case_effect)(qf_case_state *next, const qf_case_event *ev,
                                 const qf_calendar *cal, char *err, size_t errlen);

static qf_err qf_case_on_triage(qf_case_state *next, const qf_case_event *ev,
                                const qf_calendar *cal, char *err, size_t errlen)
{
    qf_instant deadline;
    qf_err rc;

    if (!qf_case_kind_known(ev->kind))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "triage needs a case kind, got '%s'",
                          qf_case_kind_name(ev->kind));
    if (!qf_case_unit_field_valid(ev->unit))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "triage needs a lead unit code (1-%d of A-Z a-z 0-9 . _ : -)",
                          QF_CASE_UNIT_MAX - 1);
    /* 吹哨问题由平台、街道牵头主办，各部门协办. */
    if (ev->kind == QF_CASE_KIND_WHISTLE && !ev->unit_is_platform)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "a whistle case must be led by a platform or street, not '%s'",
                          ev->unit);
    /* 由平台、街道确定主办部门: simple and single cases have a department as
     * lead; a platform/street leading its case is the whistle shape. */
    if (qf_case_kind_department_led(ev->kind) && ev->unit_is_platform)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "a %s case is led by a department, not the platform/street '%s'",
                          qf_case_kind_name(ev->kind), ev->unit);
    rc = qf_case_deadline(ev->kind, ev->at, cal, &deadline, err, errlen);
    if (rc != QF_OK)
        return rc;

    next->kind = ev->kind;
    memcpy(next->lead_unit, ev->unit, QF_CASE_UNIT_MAX);
    next->lead_kind = ev->unit_is_platform ? QF_CASE_LEAD_PLATFORM : QF_CASE_LEAD_DEPARTMENT;
    next->lead_dept_count = ev->unit_is_platform ? 0 : 1;
    next->level = QF_CASE_LEVEL_UNIT;
    next->triaged_at = ev->at;
    next->period_start = ev->at;
    next->deadline = deadline;
    return QF_OK;
}

static qf_err qf_case_on_reply(qf_case_state *next, const qf_case_event *ev,
                               const qf_calendar *cal, char *err, size_t errlen)
{
    (void)cal, (void)err, (void)errlen;
    if (next->first_reply_at == QF_CASE_NO_TIME)
        next->first_reply_at = ev->at;
    return QF_OK;
}

/* Transfer (流转). The auto-whistle rule, 全流程闭环 二、(三)1: "平台、街道初次判断
 * 为单一部门问题的，在流转两个及以上主办部门以后，系统直接调整为吹哨问题，由平台、
 * 街道牵头主办". Our reading:
 *   - "two or more lead departments" counts the first lead, so the first
 *     transfer of a department-led case to a different department is the
 *     trigger (lead_dept_count reaches 2);
 *   - it applies to simple cases as well as single-department ones: both are
 *     judged at triage to need one department, and a "simple" question that
 *     had to pass to a second department was not simple;
 *   - the new whistle case is led by the platform/street the case belongs to
 *     (ev->platform), the moved-to department becoming a co-handler;
 *   - its deadline is 5 working days from the transfer instant, not from the
 *     original triage: the system re-classifies the case and a new lead must
 *     convene the whistle meeting, so it gets the whistle time limit in full,
 *     as a case judged whistle at triage would. triaged_at keeps the history
 *     for reports on how long the case has really been open.
 * Transfers that do not trigger it keep the kind and the deadline: passing a
 * case on does not buy the district more time. */
static qf_err qf_case_on_transfer(qf_case_state *next, const qf_case_event *ev,
                                  const qf_calendar *cal, char *err, size_t errlen)
{
    qf_err rc;

    if (!qf_case_unit_field_valid(ev->unit))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "transfer needs a lead unit code (1-%d of A-Z a-z 0-9 . _ : -)",
                          QF_CASE_UNIT_MAX - 1);
    if (strcmp(ev->unit, next->lead_unit) == 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "'%s' already leads the case", ev->unit);
    if (next->transfer_count == INT_MAX || next->lead_dept_count == INT_MAX)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "too many transfers");

    if (next->kind == QF_CASE_KIND_WHISTLE) {
        if (!ev->unit_is_platform)
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "a whistle case can only pass to another platform or street, "
                              "not the department '%s'",
                              ev->unit);
        memcpy(next->lead_unit, ev->unit, QF_CASE_UNIT_MAX);
        next->lead_kind = QF_CASE_LEAD_PLATFORM;
    } else if (qf_case_kind_department_led(next->kind)) {
        qf_instant deadline;
        if (ev->unit_is_platform)
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "a %s case passes between departments; '%s' is a platform/street",
                              qf_case_kind_name(next->kind), ev->unit);
        if (!qf_case_unit_field_valid(ev->platform))
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "transfer of a %s case needs the platform/street it belongs to",
                              qf_case_kind_name(next->kind));
        /* Department-led cases always have exactly one department so far, so
         * a different department is the second: the case turns whistle. */
        rc = qf_case_deadline(QF_CASE_KIND_WHISTLE, ev->at, cal, &deadline, err, errlen);
        if (rc != QF_OK)
            return rc;
        next->lead_dept_count++;
        next->kind = QF_CASE_KIND_WHISTLE;
        next->auto_whistle = true;
        memcpy(next->lead_unit, ev->platform, QF_CASE_UNIT_MAX);
        next->lead_kind = QF_CASE_LEAD_PLATFORM;
        next->period_start = ev->at;
        next->deadline = deadline;
    } else {
        /* Fallback (3135) cases: the window's own levels, no whistle rule. */
        memcpy(next->lead_unit, ev->unit, QF_CASE_UNIT_MAX);
        next->lead_kind = ev->unit_is_platform ? QF_CASE_LEAD_PLATFORM : QF_CASE_LEAD_DEPARTMENT;
        if (!ev->unit_is_platform)
            next->lead_dept_count++;
    }
    next->transfer_count++;
    return QF_OK;
}

/* 提级协调: one step at a time ("严格按照…四级的先后顺序"). The seed gives the
 * upper levels no fixed time limit ("根据会议时间安排"), so the deadline is
 * kept and an escalated case past it stays overdue in reports. */
static qf_err qf_case_on_escalate(qf_case_state *next, const qf_case_event *ev,
                                  const qf_calendar *cal, char *err, size_t errlen)
{
    (void)cal;
    if (next->level >= QF_CASE_LEVEL_PRINCIPAL)
        return qf_err_set(err, errlen, QF_ERR_STATE,
                          "case is already at level '%s', the top of the escalation ladder",
                          qf_case_level_name(next->level));
    next->level = (qf_case_level)(next->level + 1);
    next->escalated_at = ev->at;
    return QF_OK;
}

/* 办结 is also an answer to the enterprise, so it records the first reply if
 * the lead finished without a separate reply. */
static qf_err qf_case_on_finish(qf_case_state *next, const qf_case_event *ev,
                                const qf_calendar *cal, char *err, size_t errlen)
{
    (void)cal, (void)err, (void)errlen;
    next->lead_finished = true;
    next->finished_at = ev->at;
    if (next->first_reply_at == QF_CASE_NO_TIME)
        next->first_reply_at = ev->at;
    return QF_OK;
}

/* 闭环 = 办结 + 已解决. The table only allows RESOLVED from LEAD_FINISHED; the
 * flag check also refuses a hand-made state whose flag and status disagree. */
static qf_err qf_case_on_resolved(qf_case_state *next, const qf_case_event *ev,
                                  const qf_calendar *cal, char *err, size_t errlen)
{
    (void)cal;
    if (!next->lead_finished)
        return qf_err_set(err, errlen, QF_ERR_STATE, "closure needs the lead's 办结 first");
    next->closed_at = ev->at;
    return QF_OK;
}

/* 未解决: back to the lead with a fresh time limit of the same kind, counted
 * from the reopen instant; the escalation level reached is kept. */
static qf_err qf_case_on_unresolved(qf_case_state *next, const qf_case_event *ev,
                                    const qf_calendar *cal, char *err, size_t errlen)
{
    qf_instant deadline;
    qf_err rc;

    if (next->reopen_count == INT_MAX)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "too many reopens");
    rc = qf_case_deadline(next->kind, ev->at, cal, &deadline, err, errlen);
    if (rc != QF_OK)
        return rc;
    next->reopen_count++;
    next->lead_finished = false;
    next->finished_at = QF_CASE_NO_TIME;
    next->period_start = ev->at;
    next->deadline = deadline;
    return QF_OK;
}

static qf_err qf_case_on_withdraw(qf_case_state *next, const qf_case_event *ev,
                                  const qf_calendar *cal, char *err, size_t errlen)
{
    (void)cal, (void)err, (void)errlen;
    next->closed_at = ev->at;
    return QF_OK;
}

/* 改派 (分级分类协调机制 三、3: the task force "escalates or reassigns with a
 * named lead"; the leaders may assign). The deciding level hands the case to
 * a lead it names and the case restarts coordination there, so this is a new
 * triage of an open case by that level:
 *   - level back to UNIT: the named lead coordinates first, and may file the
 *     提级协调审批表 again;
 *   - a fresh time limit of the (new) kind from `at`, as at triage: the new
 *     lead starts from nothing, like one named at triage;
 *   - the kind must fit the lead exactly as at triage. Without a new kind
 *     the current one is kept, except that a simple/single case given to a
 *     platform/street becomes whistle (the only enterprise kind a platform
 *     leads); a whistle case given to a department must be told whether it
 *     is now simple or single, which the rules cannot guess. Fallback (3135)
 *     cases keep to 3135 kinds and enterprise cases to 135 kinds;
 *   - lead_dept_count restarts as at triage (1 for a department, 0 for a
 *     platform/street), so the two-lead auto-whistle counts from the named
 *     lead: a department the deciding level chose is a new first lead, not a
 *     second one that would at once turn the case whistle on its next
 *     transfer. transfer_count is kept: it counts 流转 between leads, not
 *     decisions of a coordinating level;
 *   - triaged_at, first_reply_at, reopen_count, auto_whistle and escalated_at
 *     are history and are kept. */
static qf_err qf_case_on_reassign(qf_case_state *next, const qf_case_event *ev,
                                  const qf_calendar *cal, char *err, size_t errlen)
{
    qf_case_kind kind = ev->kind;
    qf_instant deadline;
    qf_err rc;

    if (!qf_case_unit_field_valid(ev->unit))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "reassignment needs a lead unit code (1-%d of A-Z a-z 0-9 . _ : -)",
                          QF_CASE_UNIT_MAX - 1);
    if (ev->platform[0] != '\0' && !qf_case_unit_field_valid(ev->platform))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "reassignment names a malformed platform/street code");
    if (strcmp(ev->unit, next->lead_unit) == 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "'%s' already leads the case", ev->unit);
    if ((int)kind < 0 || kind >= QF_CASE_KIND__COUNT)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "unknown case kind %d", (int)kind);
    if (kind == QF_CASE_KIND_NONE) {
        kind = next->kind;
        if (qf_case_kind_department_led(kind) && ev->unit_is_platform)
            kind = QF_CASE_KIND_WHISTLE;
        else if (kind == QF_CASE_KIND_WHISTLE && !ev->unit_is_platform)
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "a whistle case handed to the department '%s' needs a new kind "
                              "(simple or single)",
                              ev->unit);
    }
    if (!qf_case_kind_known(kind))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "reassignment needs a case kind, got '%s'",
                          qf_case_kind_name(kind));
    if (qf_case_kind_is_fallback(kind) != qf_case_kind_is_fallback(next->kind))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "a %s case cannot become %s: fallback (3135) and enterprise (135) "
                          "kinds do not mix",
                          qf_case_kind_name(next->kind), qf_case_kind_name(kind));
    if (kind == QF_CASE_KIND_WHISTLE && !ev->unit_is_platform)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "a whistle case must be led by a platform or street, not '%s'",
                          ev->unit);
    if (qf_case_kind_department_led(kind) && ev->unit_is_platform)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "a %s case is led by a department, not the platform/street '%s'",
                          qf_case_kind_name(kind), ev->unit);
    rc = qf_case_deadline(kind, ev->at, cal, &deadline, err, errlen);
    if (rc != QF_OK)
        return rc;

    next->kind = kind;
    memcpy(next->lead_unit, ev->unit, QF_CASE_UNIT_MAX);
    next->lead_kind = ev->unit_is_platform ? QF_CASE_LEAD_PLATFORM : QF_CASE_LEAD_DEPARTMENT;
    next->lead_dept_count = ev->unit_is_platform ? 0 : 1;
    next->level = QF_CASE_LEVEL_UNIT;
    next->period_start = ev->at;
    next->deadline = deadline;
    return QF_OK;
}

/* --- the transition table -------------------------------------------------- */

/* Every legal (status, event) pair, once. Anything else is QF_ERR_STATE.
 * Withdrawal is possible until closure; feedback (resolved/unresolved) only
 * after the lead's 办结; replies, transfers, escalation and reassignment only
 * while the case is with the lead. */
static const struct qf_case_rule {
    qf_case_status from;
    qf_case_event_type event;
    qf_case_status to;
    qf_case_effect effect;
} qf_case_rules[] = {
    { QF_CASE_SUBMITTED, QF_CASE_EV_TRIAGE, QF_CASE_IN_PROGRESS, qf_case_on_triage },
    { QF_CASE_SUBMITTED, QF_CASE_EV_WITHDRAW, QF_CASE_WITHDRAWN, qf_case_on_withdraw },
    { QF_CASE_IN_PROGRESS, QF_CASE_EV_REPLY, QF_CASE_IN_PROGRESS, qf_case_on_reply },
    { QF_CASE_IN_PROGRESS, QF_CASE_EV_TRANSFER, QF_CASE_IN_PROGRESS, qf_case_on_transfer },
    { QF_CASE_IN_PROGRESS, QF_CASE_EV_ESCALATE, QF_CASE_IN_PROGRESS, qf_case_on_escalate },
    { QF_CASE_IN_PROGRESS, QF_CASE_EV_FINISH, QF_CASE_LEAD_FINISHED, qf_case_on_finish },
    { QF_CASE_IN_PROGRESS, QF_CASE_EV_WITHDRAW, QF_CASE_WITHDRAWN, qf_case_on_withdraw },
    { QF_CASE_IN_PROGRESS, QF_CASE_EV_REASSIGN, QF_CASE_IN_PROGRESS, qf_case_on_reassign },
    { QF_CASE_LEAD_FINISHED, QF_CASE_EV_RESOLVED, QF_CASE_CLOSED, qf_case_on_resolved },
    { QF_CASE_LEAD_FINISHED, QF_CASE_EV_UNRESOLVED, QF_CASE_IN_PROGRESS, qf_case_on_unresolved },
    { QF_CASE_LEAD_FINISHED, QF_CASE_EV_WITHDRAW, QF_CASE_WITHDRAWN, qf_case_on_withdraw },
};

static const struct qf_case_rule *qf_case_rule_find(qf_case_status from, qf_case_event_type ev)
{
    for (size_t i = 0; i < QF_CASE_COUNT(qf_case_rules); i++)
        if (qf_case_rules[i].from == from && qf_case_rules[i].event == ev)
            return &qf_case_rules[i];
    return NULL;
}

size_t qf_case_transition_count(void)
{
    return QF_CASE_COUNT(qf_case_rules);
}

qf_err qf_case_transition_get(size_t i, qf_case_transition *out)
{
    if (i >= QF_CASE_COUNT(qf_case_rules) || !out)
        return QF_ERR_RANGE;
    out->from = qf_case_rules[i].from;
    out->event = qf_case_rules[i].event;
    out->to = qf_case_rules[i].to;
    return QF_OK;
}

bool qf_case_transition_find(qf_case_status from, qf_case_event_type event, qf_case_status *to)
{
    const struct qf_case_rule *r = qf_case_rule_find(from, event);
    if (r && to)
        *to = r->to;
    return r != NULL;
}

/* --- apply ----------------------------------------------------------------- */

static bool qf_case_state_sane(const qf_case_state *st)
{
    return (int)st->status >= 0 && st->status < QF_CASE_STATUS__COUNT &&
           (int)st->kind >= 0 && st->kind < QF_CASE_KIND__COUNT &&
           (int)st->level >= 0 && st->level < QF_CASE_LEVEL__COUNT &&
           (int)st->lead_kind >= 0 && st->lead_kind < QF_CASE_LEAD__COUNT &&
           memchr(st->lead_unit, '\0', QF_CASE_UNIT_MAX) != NULL &&
           (st->kind != QF_CASE_KIND_NONE || st->status == QF_CASE_SUBMITTED ||
            st->status == QF_CASE_WITHDRAWN); /* withdrawn before triage */
}

qf_err qf_case_apply(const qf_case_state *in, const qf_case_event *ev, const qf_calendar *cal,
                     qf_case_state *out, char *err, size_t errlen)
{
    const struct qf_case_rule *rule;
    qf_case_state next;
    qf_err rc;

    if (!in || !ev || !out)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no state, event or output given");
    if (!qf_case_state_sane(in))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "case state is malformed");
    if ((int)ev->type < 0 || ev->type >= QF_CASE_EV__COUNT)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "unknown event type %d", (int)ev->type);

    rule = qf_case_rule_find(in->status, ev->type);
    if (!rule)
        return qf_err_set(err, errlen, QF_ERR_STATE, "event '%s' is not allowed in state '%s'",
                          qf_case_event_name(ev->type), qf_case_status_name(in->status));
    if (ev->at < in->updated_at) {
        char at[32], last[32];
        qf_clock_format_iso8601(ev->at, at, sizeof at);
        qf_clock_format_iso8601(in->updated_at, last, sizeof last);
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "event '%s' at %s precedes the case's last change at %s",
                          qf_case_event_name(ev->type), at, last);
    }
    if (!cal)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no working-day calendar given");

    next = *in;
    rc = rule->effect(&next, ev, cal, err, errlen);
    if (rc != QF_OK)
        return rc;
    next.status = rule->to;
    next.updated_at = ev->at;
    *out = next;
    return QF_OK;
}

bool qf_case_is_overdue(const qf_case_state *st, qf_instant now)
{
    return st && st->status == QF_CASE_IN_PROGRESS && st->deadline != QF_CASE_NO_TIME &&
           now >= st->deadline;
}
