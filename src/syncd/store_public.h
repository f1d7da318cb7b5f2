/* store_public.h — read-only look-ups behind the public pages
 * (h_public.c): a queue ticket found by its printed number, with where it
 * stands in its window's queue now.
 *
 * The rules this reads by — call order (priority, then the time the slip
 * was printed, then seq), one number per (hall, day) — are store_queues.c's
 * (see store_queues.h); the people-ahead query repeats its call order and
 * must change with it. Nothing here writes. */
#ifndef SD_STORE_PUBLIC_H
#define SD_STORE_PUBLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"
#include "store_queues.h"

/* Where a ticket stands. */
typedef struct sd_ticket_position {
    char window[SD_QUEUE_ID_MAX + 1];
    char number[SD_QUEUE_NUMBER_MAX];
    char status[8];                         /* leased, waiting, called, done, expired */
    bool priority;
    qf_instant issued_at, called_at;        /* 0 when unset */
    int64_t people_ahead;                   /* waiting tickets called before it (waiting only) */
    int64_t waiting;                        /* waiting tickets of its window */
    char last_called[SD_QUEUE_NUMBER_MAX];  /* the window's last call, "" when none */
} sd_ticket_position;

/* Finds ticket number of (hall, day). QF_ERR_NOT_FOUND when that day has
 * no such number. */
qf_err sd_store_ticket_position(sd_store *store, const char *hall, const char *day,
                                const char *number, sd_ticket_position *out);

#endif
