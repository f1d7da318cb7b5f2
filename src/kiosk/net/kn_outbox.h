/* kn_outbox.h — the kiosk's durable outbox: what a citizen submitted
 * (a case, feedback on a finished case, a service rating) is written here
 * first, in one SQLite transaction (WAL, synchronous=FULL) with a fresh
 * UUID idempotency key, and only then sent by the sync worker, which
 * reuses the key on every retry. Nothing typed is lost to a dead network,
 * a refused request that needs an operator, or kill -9: an item leaves the
 * outbox only as delivered (with the daemon's answer) or refused (kept for
 * the operator, never silently dropped).
 *
 * Privacy: the body holds the citizen's data only while it waits; once the
 * item is delivered or refused the body is overwritten with zeros and then
 * NULLed (secure_delete is on), and what is kept is the daemon's answer,
 * which carries the masked mobile only.
 *
 * STATE_DIR/outbox.db. One kn_outbox handle belongs to one thread: the UI
 * thread puts, the sync worker sends; each opens its own handle. */
#ifndef KN_OUTBOX_H
#define KN_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_error.h"

typedef enum kn_outbox_kind {
    KN_OUTBOX_CASE = 0,        /* POST /api/v1/cases (Idempotency-Key) */
    KN_OUTBOX_FEEDBACK,        /* POST /api/v1/cases/{no}/feedback */
    KN_OUTBOX_RATING,          /* POST /api/v1/ratings (Idempotency-Key) */
    KN_OUTBOX_INSPECTION = 3,  /* POST /api/v1/devices/{id}/inspections, queued offline */
    KN_OUTBOX_TICKET = 4,      /* POST /api/v1/tickets, leased form: an offline
                                  number's registration. Written by kn_lease_issue
                                  (kn_lease.h) with kn_outbox_insert in the
                                  transaction that marks the number used.
                                  Idempotent on the daemon's side (200 on a
                                  repeat); the key header is sent and ignored. */
} kn_outbox_kind;              /* stored in outbox.db: never renumbered */

typedef enum kn_outbox_state {
    KN_OUTBOX_PENDING = 0,
    KN_OUTBOX_DELIVERED,
    KN_OUTBOX_REFUSED,         /* a 4xx the body cannot recover from */
} kn_outbox_state;

#define KN_OUTBOX_REF_MAX 32   /* "L20261124-0007" */
#define KN_OUTBOX_KEY_MAX 40   /* UUID v4, 36 characters */

typedef struct kn_outbox_item {
    int64_t id;
    char ref[KN_OUTBOX_REF_MAX];      /* the local reference shown offline */
    char key[KN_OUTBOX_KEY_MAX];      /* the idempotency key */
    kn_outbox_kind kind;
    kn_outbox_state state;
    char *path;                       /* owned: "/api/v1/cases" */
    char *body;                       /* owned: JSON; NULL once delivered/refused */
    char *result;                     /* owned: the daemon's JSON answer, or NULL */
    unsigned attempts;
    int64_t created_at;               /* unix seconds */
    int64_t next_attempt_ms;          /* unix ms; 0 = now */
    char last_error[160];
} kn_outbox_item;

typedef struct kn_outbox kn_outbox;

/* Opens (creating) STATE_DIR/outbox.db. Unlike the catalog cache, a file
 * that is not a database is NOT replaced (it may hold undelivered cases):
 * QF_ERR_STORAGE. Ownership: kn_outbox_close. */
qf_err kn_outbox_open(const char *state_dir, kn_outbox **out, char *err, size_t errlen);
void kn_outbox_close(kn_outbox *ob);             /* NULL is fine */

/* Writes one item in one transaction; returns only after the commit is on
 * disk. ref gets the local reference (L + Shanghai date + - + the day's
 * sequence on this kiosk). */
qf_err kn_outbox_put(kn_outbox *ob, kn_outbox_kind kind, const char *path, const char *json_body,
                     char *ref, size_t reflen, char *err, size_t errlen);

/* The oldest pending item due at now_ms (unix ms). QF_ERR_NOT_FOUND when
 * none is due. Ownership: kn_outbox_item_free. */
qf_err kn_outbox_next_due(kn_outbox *ob, int64_t now_ms, kn_outbox_item *out, char *err,
                          size_t errlen);
/* Any item by its local reference. QF_ERR_NOT_FOUND if unknown. */
qf_err kn_outbox_get(kn_outbox *ob, const char *ref, kn_outbox_item *out, char *err,
                     size_t errlen);
void kn_outbox_item_free(kn_outbox_item *item);

/* The same write inside a transaction the caller holds on its own
 * connection to STATE_DIR/outbox.db (kn_lease marks a number used and queues
 * its registration in one commit). No BEGIN/COMMIT here. */
struct sqlite3;
qf_err kn_outbox_insert(struct sqlite3 *db, kn_outbox_kind kind, const char *path,
                        const char *json_body, char *ref, size_t reflen, char *err,
                        size_t errlen);

/* Outcomes of one attempt: delivered with the daemon's answer (the body is
 * wiped); failed for now (attempts + 1, next try at next_attempt_ms);
 * refused for good (the body is wiped, the answer kept for the operator). */
qf_err kn_outbox_delivered(kn_outbox *ob, int64_t id, const char *result_json, char *err,
                           size_t errlen);
qf_err kn_outbox_retry_at(kn_outbox *ob, int64_t id, int64_t next_attempt_ms, const char *why,
                          char *err, size_t errlen);
qf_err kn_outbox_refused(kn_outbox *ob, int64_t id, const char *result_json, char *err,
                         size_t errlen);

/* Makes every pending item due at now_ms (its attempts and last error are
 * kept): the link came back, or someone asked for a sync, so the backoff
 * earned while the daemon was unreachable no longer applies. out_count
 * (may be NULL) gets how many were moved forward. */
qf_err kn_outbox_hurry(kn_outbox *ob, int64_t now_ms, size_t *out_count, char *err,
                       size_t errlen);

/* How many items wait (pending), and the next due time of any (unix ms;
 * INT64_MAX when none). */
qf_err kn_outbox_depth(kn_outbox *ob, size_t *out_pending, int64_t *out_next_ms, char *err,
                       size_t errlen);

/* A fresh UUID v4 from getrandom(2). */
qf_err kn_uuid4(char out[KN_OUTBOX_KEY_MAX]);

#endif
