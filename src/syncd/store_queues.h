/* store_queues.h — the queue tickets of every hall: issuing numbers, leasing
 * blocks of numbers to kiosks for offline use, registering leased numbers,
 * calling the next ticket and counting who waits.
 *
 * A ticket belongs to (hall, day, window) and has a sequence number seq from
 * queue_counters(hall, day, window): the one counter both online tickets and
 * leases draw from, bumped in the same transaction that writes the ticket
 * rows, so no number is ever handed out twice and online numbers have no
 * gaps (leases leave gaps the online series steps over). The printed number
 * is the window's letter and seq: A023 (at least three digits).
 *
 * A ticket's status goes leased -> waiting (registered) or straight to
 * waiting (issued online), then called. "done" and "expired" are reserved
 * for later issues. Call order within a window: priority tickets (老幼孕残)
 * first, then by the time the slip was printed (issued_at), then by seq. For
 * online tickets issued_at follows seq, so this is plain number order; a
 * leased number printed offline takes its place by the time its holder
 * arrived, not by the (earlier) time its block was leased.
 *
 * Also here: the queue windows of the published catalog (catalog_items,
 * section 'windows'), read on each call; the catalog import owns that table.
 *
 * Not here: who may call what (routes.c), the day (the handler passes the
 * Asia/Shanghai day of its "now"), JSON (h_queues.c). */
#ifndef SD_STORE_QUEUES_H
#define SD_STORE_QUEUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

#define SD_QUEUE_SEQ_MAX          9999  /* numbers per window and day */
#define SD_QUEUE_LEASE_MAX        50    /* numbers per lease request */
#define SD_QUEUE_LEASE_OUTSTANDING 100  /* unregistered leased numbers per
                                           device, window and day */
#define SD_QUEUE_LEASE_LOOKBACK_DAYS 7 /* older leases are simply unknown */
#define SD_QUEUE_ID_MAX           64    /* bytes in a window id or hall */
#define SD_QUEUE_NUMBER_MAX       16    /* bytes of a number, with its NUL */

/* A window of the published catalog. Ownership: the list owns the strings;
 * free it with sd_queue_windows_free. */
typedef struct sd_queue_window {
    char *id;
    char *name;
    char prefix;        /* 'A'..'Z'; 0 when the window issues no tickets */
} sd_queue_window;

/* One ticket as stored. Times are 0 when unset. */
typedef struct sd_ticket {
    char hall[SD_QUEUE_ID_MAX + 1];
    char day[11];                        /* YYYY-MM-DD */
    char window[SD_QUEUE_ID_MAX + 1];
    char number[SD_QUEUE_NUMBER_MAX];
    int64_t seq;
    bool priority;
    char status[8];                      /* leased, waiting, called … */
    char device_id[SD_QUEUE_ID_MAX + 1]; /* the issuing or leasing device */
    char called_by[SD_QUEUE_ID_MAX + 16];/* "staff:ID" / "operator:NAME" */
    qf_instant issued_at, called_at;
    int64_t people_ahead;                /* waiting tickets called before it */
} sd_ticket;

/* Per-window counts of one hall and day. */
typedef struct sd_queue_count {
    char window[SD_QUEUE_ID_MAX + 1];
    int64_t waiting, priority_waiting;
    char last_called[SD_QUEUE_NUMBER_MAX]; /* "" when none called yet */
} sd_queue_count;

/* Writes prefix and seq as a number: A001 … A999, A1000 …; buf needs
 * SD_QUEUE_NUMBER_MAX bytes. */
void sd_queue_number_format(char prefix, int64_t seq, char *buf, size_t buflen);

/* The catalog's windows in catalog order. A prefix that is not one letter
 * A-Z, or that an earlier window already uses, is dropped (logged): that
 * window issues no tickets rather than numbers that could be confused.
 * QF_ERR_NOT_FOUND when no catalog has been imported (no live item at all).
 * Ownership: *out is the caller's (sd_queue_windows_free). */
qf_err sd_store_queue_windows(sd_store *store, sd_queue_window **out, size_t *out_count);
void sd_queue_windows_free(sd_queue_window *windows, size_t count);

/* Issues the next number of (hall, day, window) to device_id as a waiting
 * ticket at now, and fills *out (people_ahead included) — one transaction.
 * QF_ERR_LIMIT past SD_QUEUE_SEQ_MAX; QF_ERR_CONFLICT when the number is
 * already taken that day (a prefix moved between windows mid-day). */
qf_err sd_store_ticket_issue(sd_store *store, const char *hall, const char *day,
                             const char *window, char prefix, bool priority,
                             const char *device_id, qf_instant now, sd_ticket *out);

/* Reserves the next count (1..SD_QUEUE_LEASE_MAX) numbers of (hall, day,
 * window) for device_id: rows with status leased. *out_first gets the
 * first seq; the block is first .. first + count - 1. QF_ERR_INVALID for a
 * bad count; QF_ERR_LIMIT past SD_QUEUE_SEQ_MAX; QF_ERR_STATE when the
 * device would hold more than SD_QUEUE_LEASE_OUTSTANDING unregistered
 * numbers of the window that day. The reason is in err. */
qf_err sd_store_ticket_lease(sd_store *store, const char *hall, const char *day,
                             const char *window, char prefix, int count,
                             const char *device_id, qf_instant now, int64_t *out_first,
                             char *err, size_t errlen);

/* Registers a number leased to device_id that its kiosk printed at
 * issued_at: the device's latest lease of that number in (hall, window)
 * over the last SD_QUEUE_LEASE_LOOKBACK_DAYS days (today is YYYY-MM-DD).
 * issued_at is clamped into [leased at, now] (kiosk clocks drift).
 * QF_OK with *out_replayed false: it is now waiting; QF_OK with
 * *out_replayed true: it was registered before and *out is that ticket;
 * QF_ERR_NOT_FOUND: this device holds no lease of that number;
 * QF_ERR_STATE: the lease is from a day before today (never registered).
 * *out is filled on QF_OK, people_ahead included. */
qf_err sd_store_ticket_register(sd_store *store, const char *hall, const char *today,
                                const char *window, const char *number,
                                const char *device_id, qf_instant issued_at, bool priority,
                                qf_instant now, sd_ticket *out, bool *out_replayed);

/* Calls the next waiting ticket of (hall, day, window): marks it called at
 * now by called_by and remembers it as the window's last call. *out_found
 * is false (and *out untouched) when nobody waits. */
qf_err sd_store_queue_call(sd_store *store, const char *hall, const char *day,
                           const char *window, const char *called_by, qf_instant now,
                           sd_ticket *out, bool *out_found);

/* Counts of every window that has tickets or a counter in (hall, day).
 * Ownership: *out is malloc'd (NULL when *out_count is 0); free() it. */
qf_err sd_store_queue_counts(sd_store *store, const char *hall, const char *day,
                             sd_queue_count **out, size_t *out_count);

#endif
