/* kn_staff.h — the sync worker's staff requests: helper sign-in (PIN or
 * badge) and sign-out, technician sign-in, the citizen's help call and its
 * polling, a helper's list of open calls and its ack / close, and the
 * device's own inspection and maintenance notice. Each request is queued
 * from the UI thread and answered with one KN_EVENT_STAFF (kn_sync.h)
 * carrying its op and request id.
 *
 * A helper's staff session token stays in the worker (kn_staff.c): the UI
 * never sees it; it is used for the help-call list, ack and close, and
 * ended with POST /api/v1/staff/logout on sign-out. PINs and badges are
 * kept only until sent, then zeroed.
 *
 * The second half is kn_sync.c's and kn_staff.c's private contract (the
 * worker's loop calls kn_staff_step; kn_staff.c calls back into kn_sync.c
 * for HTTP and events). */
#ifndef KN_STAFF_H
#define KN_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kn_sync.h"

typedef enum kn_staff_op {
    KN_STAFF_HELPER_LOGIN = 0,
    KN_STAFF_TECH_LOGIN,
    KN_STAFF_HELPER_LOGOUT,
    KN_STAFF_HELP_CALL,
    KN_STAFF_HELP_POLL,
    KN_STAFF_HELP_LIST,
    KN_STAFF_HELP_ACT,         /* ack or close; then the list again */
    KN_STAFF_INSPECTION,
    KN_STAFF_MAINTENANCE,
    KN_STAFF__COUNT
} kn_staff_op;

/* One request per op may wait; a newer one replaces it. Any thread.
 * QF_ERR_INVALID for a NULL sync or inputs over their limits. */
qf_err kn_staff_helper_login(kn_sync *sync, const char *staff_id, const char *pin,
                             const char *badge, uint64_t request_id);
qf_err kn_staff_tech_login(kn_sync *sync, const char *staff_id, const char *pin,
                           uint64_t request_id);
void kn_staff_helper_logout(kn_sync *sync);   /* no answer event */
qf_err kn_staff_help_call(kn_sync *sync, const char *screen);
qf_err kn_staff_help_poll(kn_sync *sync, int64_t call_id);
qf_err kn_staff_help_list(kn_sync *sync);
qf_err kn_staff_help_act(kn_sync *sync, int64_t call_id, bool close);
/* op KN_STAFF_INSPECTION or KN_STAFF_MAINTENANCE: body is the JSON for
 * POST /api/v1/devices/{this device}/inspections or …/maintenance. */
qf_err kn_staff_device_post(kn_sync *sync, kn_staff_op op, const char *body);

/* ---- private: kn_sync.c <-> kn_staff.c ----------------------------------- */
typedef struct kn_staff kn_staff;

kn_staff *kn_staff_new(void);                 /* NULL when out of memory */
void kn_staff_free(kn_staff *st);             /* wipes the secrets; NULL is fine */
/* Whether a request waits (kn_sync's lock held). */
bool kn_staff_pending(const kn_staff *st);
/* Runs the waiting requests (worker thread, lock not held). */
void kn_staff_step(kn_sync *sync);

/* Provided by kn_sync.c for kn_staff.c. */
kn_staff *kn_sync_staff(kn_sync *sync);
void kn_sync_lock(kn_sync *sync);
void kn_sync_unlock_wake(kn_sync *sync, bool wake);
/* One call to the daemon on the worker thread: GET without a body, POST
 * with one; bearer NULL = the device token. QF_OK when an answer came
 * (*status, *out_body: owned by the caller, may be NULL, NUL-terminated);
 * otherwise no answer (the link goes down, err says why). */
qf_err kn_sync_request(kn_sync *sync, const char *path, const char *body, const char *bearer,
                       long *status, long *retry_after_s, char **out_body, char *err,
                       size_t errlen);
void kn_sync_deliver(kn_sync *sync, const kn_event *ev);
bool kn_sync_enrolled(kn_sync *sync);         /* worker thread */

#endif
