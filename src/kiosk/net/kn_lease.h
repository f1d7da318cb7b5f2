/* kn_lease.h — the kiosk's leased ticket numbers, for 取号 while the
 * daemon cannot be reached (API.md "Offline ticket numbers").
 *
 * While online the sync worker keeps a block of numbers per ticket window
 * topped up (POST /api/v1/tickets/lease: KN_LEASE_BLOCK more when fewer
 * than KN_LEASE_LOW are left, never holding more than the daemon's cap).
 * The numbers are stored durably; they are valid only on their day
 * (Asia/Shanghai), so older days are dropped and a number is only ever
 * issued on its own day. Offline, kn_lease_issue hands out the next unused
 * number of a window and, in the same SQLite transaction, marks it used and
 * puts its registration (POST /api/v1/tickets {window, leased_number,
 * issued_at, priority}, kind KN_OUTBOX_TICKET) in the outbox, so a number
 * is never printed twice and never printed without its registration (and
 * vice versa), whatever kill -9 or a power cut does.
 *
 * Storage: the table ticket_lease inside STATE_DIR/outbox.db — one file, so
 * one transaction covers both (SQLite transactions across ATTACHed WAL
 * files are not atomic as a set). The outbox's schema is created first by
 * kn_outbox_open. One kn_lease handle belongs to one thread (the worker).
 *
 * Not here: HTTP (kn_sync.c asks for leases and decides when), delivering
 * the registrations (the outbox's rules: kn_sync.c). */
#ifndef KN_LEASE_H
#define KN_LEASE_H

#include <stdbool.h>
#include <stddef.h>

#include "qf_error.h"

#define KN_LEASE_LOW 3          /* top a window up when fewer are left */
#define KN_LEASE_BLOCK 10       /* numbers asked for at a time */
#define KN_LEASE_COUNT_MAX 50   /* the API's limit per request */
#define KN_LEASE_HELD_MAX 100   /* the API's cap on unused numbers per window and day */
#define KN_LEASE_NUMBER_MAX 8   /* a letter and 3-6 digits, NUL */
#define KN_LEASE_DAY_MAX 11     /* YYYY-MM-DD, NUL */

typedef struct kn_lease kn_lease;

/* Opens (creating) the table in STATE_DIR/outbox.db (the outbox's schema
 * is made first). QF_ERR_STORAGE when outbox.db is not usable (it is never
 * replaced: it may hold undelivered requests). Ownership: kn_lease_close. */
qf_err kn_lease_open(const char *state_dir, kn_lease **out, char *err, size_t errlen);
void kn_lease_close(kn_lease *l);          /* NULL is fine */

/* How many numbers to lease for a window that holds `unused` unused ones
 * today: 0 while at least KN_LEASE_LOW are left, else KN_LEASE_BLOCK,
 * capped so the window never holds more than KN_LEASE_HELD_MAX. */
size_t kn_lease_topup_count(size_t unused);

/* Unused numbers of window on day ("YYYY-MM-DD"). */
qf_err kn_lease_unused(kn_lease *l, const char *window, const char *day, size_t *out,
                       char *err, size_t errlen);

/* Stores the daemon's answer to a lease: numbers[0..n) of window for day,
 * in one transaction. A number already held is left as it is. QF_ERR_INVALID
 * for a malformed window, day or number (nothing stored). */
qf_err kn_lease_store(kn_lease *l, const char *window, const char *day,
                      const char *const *numbers, size_t n, char *err, size_t errlen);

/* Forgets every number of a day before `day` (midnight: they are no good
 * any more). out_unused (may be NULL) gets how many of them were never
 * issued. Issued ones have their registration in the outbox already. */
qf_err kn_lease_drop_before(kn_lease *l, const char *day, size_t *out_unused, char *err,
                            size_t errlen);

/* Offline issue: the lowest unused number of window on day, marked used,
 * and its registration put in the outbox, in one transaction that is on
 * disk when this returns. issued_at: ISO 8601 with an offset (the time of
 * printing). number gets the number, ref (may be NULL) the outbox item's
 * local reference. QF_ERR_NOT_FOUND when no number of that window and day
 * is left (nothing changed). */
qf_err kn_lease_issue(kn_lease *l, const char *window, const char *day, bool priority,
                      const char *issued_at, char *number, size_t numlen, char *ref,
                      size_t reflen, char *err, size_t errlen);

#endif
