/* store_supervision.h — 督办 (supervision) records in the store: one pass
 * that fires every reminder the rules say is due, the list of records
 * fired so far, and the list of overdue cases with their records.
 *
 * What a pass does. For every case that is open with its lead (status
 * in_progress) and triaged, it takes the plan of qf_case_supervision_plan
 * (kind, state.period_start) — simple: urge at 09:00 of working day 2;
 * single: urge at 12:00 of working day 3, visit at 09:00 of day 4; whistle:
 * urge at 12:00 of day 5, visit at 09:00 of day 6 — and for each step whose
 * instant is at or before `now` it inserts a row into `supervision`
 * (INSERT OR IGNORE) keyed
 *     (case_no, period = state.period_start, seq = 1-based step number).
 * Only when the row was really inserted (sqlite3_changes) is an audit entry
 * appended ("supervision.urge" / "supervision.visit"), in the same
 * transaction. So each reminder fires exactly once, across passes, restarts
 * and concurrent runners (the daemon's scheduler and `qifu-ctl supervise
 * run`), by construction: the primary key refuses a second row.
 *
 * Why period = period_start (the instant, in seconds). The rules restart the
 * time limit on triage, on the automatic whistle (a second department) and
 * on a reopen (未解决) and on a reassignment (改派) by a coordinating
 * level (qf_case REASSIGN, used by store_workflow.c) — each setting
 * period_start to the event's instant; nothing else changes it. A new
 * period therefore gets new keys and its own reminders; the same period
 * always maps to the same keys. Two periods can share an instant only when
 * the earlier one lasted zero seconds, and then none of its reminders (all
 * a working day or more later) had fired.
 *
 * A case finished (lead_finished), closed or withdrawn gets no more
 * records: only in_progress cases are looked at. A case finished after its
 * instant but before any pass ran gets none either — the pass decides by
 * the state it finds. A pass after downtime fires every step already due,
 * with due_at the planned instant and fired_at the pass's `now`.
 *
 * Owns: the SQL on `supervision` and the pass. Does not own: the plan
 * arithmetic (qf_case.c), when passes run (supervise.c, ctl_supervise.c),
 * who may read the lists (h_overdue.c with perm.c). Nothing here touches
 * case_events: supervision is staff-side and stays out of the submitter's
 * timeline.
 *
 * Every function takes the store lock; callers must not hold it. */
#ifndef SD_STORE_SUPERVISION_H
#define SD_STORE_SUPERVISION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "qf_calendar.h"
#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

#define SD_SUPERVISE_ACTOR       "system:scheduler" /* the daemon's audit actor */
#define SD_SUPERVISE_PASS_MAX    100000  /* open cases one pass looks at (most overdue first) */
#define SD_SUPERVISION_LIST_MAX  10000   /* records one listing returns at most */
#define SD_OVERDUE_LIST_MAX      1000    /* cases one overdue listing returns at most */

/* One pass at now with cal (the daemon's working-day calendar), in one
 * transaction. actor names who ran it in the audit trail (SD_SUPERVISE_ACTOR
 * for the daemon, "ctl" for qifu-ctl). *fired (optional) gets the number of
 * records inserted by this pass. A case whose plan cannot be computed (a
 * date outside the calendar's range) is logged and skipped; the others
 * still fire. QF_ERR_STORAGE / QF_ERR_NOMEM roll the whole pass back (no
 * record of it stays), so the next pass fires them. */
qf_err sd_store_supervise(sd_store *store, const qf_calendar *cal, qf_instant now,
                          const char *actor, size_t *fired, char *err, size_t errlen);

/* Records fired so far, of one case (case_no) or all (NULL), oldest first
 * (by fired_at, then case, period, seq), at most SD_SUPERVISION_LIST_MAX
 * (the newest ones when there are more), as a JSON array of
 *   {"case_no","period_start","seq","action","action_zh","due_at","fired_at"}
 * with instants as ISO 8601 (+08:00). Ownership: json_decref(*out). */
qf_err sd_store_supervision_list(sd_store *store, const char *case_no, json_t **out);

/* Cases overdue at now (status in_progress and deadline <= now, as
 * qf_case_is_overdue), most overdue first, at most SD_OVERDUE_LIST_MAX;
 * *truncated (optional) says there were more. A JSON array of
 *   {"case_no","kind","lead_unit","platform_unit","co_units":[…],
 *    "enterprise_name","board","deadline","overdue_by_s",
 *    "supervision":[{"action","due_at","fired_at","period_start","seq"}]}
 * lead_unit/platform_unit/board are null when unknown; supervision lists
 * every record of the case (all periods), oldest first.
 * Ownership: json_decref(*out). */
qf_err sd_store_overdue_list(sd_store *store, qf_instant now, json_t **out, bool *truncated);

#endif
