/* store_report.h — the case workflow's numbers: the period report behind
 * `qifu-ctl report` (办结率, 解决率, satisfaction, overdue) and the helper
 * scorecard behind `qifu-ctl helper scorecard` (助企服务联络员考核), plus the
 * helper activity log that feeds it (一月一联系，两月一走访).
 *
 * Report definitions (a case belongs to the report when it was CREATED in
 * [from 00:00, to+1 00:00) Asia/Shanghai; everything else is its state as
 * stored now, decoded from cases.state, the rules' authority):
 *   received          cases created in the range
 *   withdrawn         status withdrawn (撤回) — left out of the rate bases
 *   untriaged         status submitted (待交办)
 *   triaged           triaged_at set (分类交办 happened)
 *   in_progress       status in_progress (办理中, also after a reopen)
 *   finished          status lead_finished or closed: the lead's 办结 stands
 *   finished_on_time  finished, and the last 办结 (finished_at) is at or
 *                     before the deadline of its period ("135" 时效). The
 *                     lead's click is what the limit binds (全流程闭环 二;
 *                     qf_case_is_overdue): how long the enterprise takes to
 *                     answer is not held against the lead
 *   closed            status closed (闭环: 办结 + 已解决)
 *   resolved          closed with no reopen (reopen_count == 0): a case the
 *                     enterprise once answered 未解决 counts against 解决率
 *                     even when later closed
 *   reopened          reopen_count > 0
 *   counted           received − withdrawn: the base of both rates
 *   finish_rate       办结率 = finished_on_time / counted (null when 0)
 *   resolution_rate   解决率 = resolved / counted (null when 0)
 *   rated             cases with a rating (the latest 好差评 on cases.rating)
 *   satisfied         rated 非常满意 or 满意
 *   satisfaction_rate satisfied / rated (null when 0)
 *   avg_score         mean of 非常满意 5, 满意 4, 基本满意 3, 不满意 2,
 *                     非常不满意 1 over the rated (null when 0)
 *   overdue_now       in_progress with deadline <= now (qf_case_is_overdue)
 *   supervised        cases with at least one 督办 record
 *   enterprises       distinct credit codes (企业) among the received — the
 *                     unit assessment's 服务企业数量
 * Rates are rounded to 4 decimals, avg_score to 2.
 *
 * Owns: the SQL of these reads and of helper_activity. Does not own: the
 * formatting (ctl_report.c, ctl_helper.c), who may run them (qifu-ctl runs
 * on the host, as root or the service user).
 *
 * Every function takes the store lock; callers must not hold it. */
#ifndef SD_STORE_REPORT_H
#define SD_STORE_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

#define SD_REPORT_DAYS_MAX      3660    /* longest range, in days */
#define SD_REPORT_GROUPS_MAX    10000   /* groups one report holds */
#define SD_REPORT_OVERDUE_MAX   1000    /* overdue cases listed */
#define SD_HELPER_ENTERPRISE_MAX 200    /* bytes */
#define SD_HELPER_NOTE_MAX      1000    /* bytes */

typedef enum sd_report_by {
    SD_REPORT_BY_NONE = 0,  /* only the total */
    SD_REPORT_BY_BOARD,     /* cases.board (增值服务板块) */
    SD_REPORT_BY_UNIT,      /* the lead unit now (主办单位); "" before triage */
    SD_REPORT_BY_HELPER,    /* cases.helper_id (助企员) */
    SD_REPORT_BY_CHANNEL,   /* cases.channel (问题收集渠道) */
    SD_REPORT_BY__COUNT
} sd_report_by;

/* "board", "unit", "helper", "channel" (and "none"); QF_ERR_INVALID else. */
qf_err sd_report_by_parse(const char *name, sd_report_by *out);
const char *sd_report_by_name(sd_report_by by);

/* The report for cases created on days from..to (inclusive) at now:
 *   {"from","to","by" (null for none),"now",
 *    "groups":[ROW…] (by key; [] for none), "total":ROW,
 *    "overdue":[{"case_no","group","kind","lead_unit","deadline",
 *                "overdue_by_s"}…] (most overdue first),
 *    "overdue_truncated":bool}
 * ROW = {"group" (key, null when empty),"label" (name of the board, unit,
 * helper or channel; "(none)"/"(untriaged)" for an empty key; "(total)"),
 * then the counters and rates above in that order}.
 * QF_ERR_INVALID (with err) for to < from or a range over
 * SD_REPORT_DAYS_MAX; QF_ERR_LIMIT for more than SD_REPORT_GROUPS_MAX
 * groups. Ownership: json_decref(*out). */
qf_err sd_store_report(sd_store *store, qf_day from, qf_day to, sd_report_by by, qf_instant now,
                       json_t **out, char *err, size_t errlen);

/* Appends one helper activity (kind "contact", "visit" or "upload") of
 * helper at `at`, with its audit entry ("helper.log", actor) in the same
 * transaction; *id_out (optional) gets the row id. enterprise and note may
 * be NULL; each has its byte limit above and must not hold control
 * characters. QF_ERR_NOT_FOUND: no staff account helper; QF_ERR_STATE: the
 * account is not a helper or is disabled; QF_ERR_INVALID: a bad field. */
qf_err sd_store_helper_log(sd_store *store, const char *helper, qf_instant at, const char *kind,
                           const char *enterprise, const char *note, const char *actor,
                           qf_instant now, int64_t *id_out, char *err, size_t errlen);

/* The scorecard of helper for month (year, month 1..12) at now — the
 * fields of 杭州市钱塘区助企服务联络员考核管理办法 and its 评分细则 that the
 * system records, each with the rule it comes from, and the points of the
 * items those fields decide (the rest are the task force's and come back
 * with points null). See ctl_helper.c and the operations guide for the
 * field list. Errors as sd_store_helper_log (the account must be a helper,
 * disabled or not). Ownership: json_decref(*out). */
qf_err sd_store_helper_scorecard(sd_store *store, const char *helper, int year, int month,
                                 qf_instant now, json_t **out, char *err, size_t errlen);

#endif
