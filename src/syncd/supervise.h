/* supervise.h — the daemon's supervision (督办) scheduler: a thread that runs
 * the pass of store_supervision.h every supervise_interval_s seconds at
 * qf_clock_now().
 *
 * Start runs the first pass in the caller's thread, before the daemon
 * serves, so reminders that fell due while it was down are fired (once:
 * the store's keys see to that) by the time it reports ready. Later passes
 * run on the scheduler thread, which waits on a condition variable with a
 * timed wait on the monotonic clock: stop wakes it at once, and a pass in
 * progress finishes (it is one short transaction) before stop returns.
 *
 * Owns: the thread and its timing. Does not own: what a pass does
 * (store_supervision.c) or the calendar (loaded by main.c, read-only here,
 * which is what makes sharing it with the HTTP threads safe). */
#ifndef SD_SUPERVISE_H
#define SD_SUPERVISE_H

#include <stddef.h>

#include "qf_calendar.h"
#include "qf_error.h"
#include "store.h"

#define SD_SUPERVISE_INTERVAL_DEFAULT 60    /* seconds; [syncd] supervise_interval_s */
#define SD_SUPERVISE_INTERVAL_MAX     86400

typedef struct sd_supervisor sd_supervisor;

/* Starts the scheduler: one pass now, then one every interval_s seconds.
 * interval_s == 0 disables supervision in this daemon (no pass, no thread;
 * *out is NULL) — for a second daemon on a shared database, or drills
 * driven by `qifu-ctl supervise run`. A failing first pass is logged, not
 * fatal: the next pass tries again. store and cal are borrowed and must
 * outlive the scheduler. QF_ERR_INVALID for an interval out of range,
 * QF_ERR_NOMEM / QF_ERR_STATE when the thread cannot start.
 * Ownership: stop it with sd_supervisor_stop. */
qf_err sd_supervisor_start(sd_store *store, const qf_calendar *cal, long interval_s,
                           sd_supervisor **out, char *err, size_t errlen);

/* Wakes the thread, waits for it to end and frees it. NULL is fine. */
void sd_supervisor_stop(sd_supervisor *sup);

#endif
