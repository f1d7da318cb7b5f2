/* store_help.h — help calls (呼叫帮办) in the store: a kiosk asks for a
 * helper, a helper (or an operator) acknowledges the call and later closes
 * it, and the response times (acknowledged − created) are reported.
 *
 * States: open → acknowledged → closed, or open → closed directly (the
 * citizen left, or a helper was already there). Anything else is
 * QF_ERR_STATE. A kiosk has at most one call that is not closed: asking
 * again returns that call instead of making a second one.
 *
 * Owns: the SQL on the help_calls table (migration 4) and the audit
 * entries of acknowledging and closing ("help.ack", "help.close"). Does
 * not own: who may do what (h_help.c, qifu-ctl), request parsing, or the
 * kiosk's screens.
 *
 * Locking: every function takes the store lock itself; callers must not
 * hold it. Times are passed in (QIFU_FAKE_NOW in tests and drills). */
#ifndef SD_STORE_HELP_H
#define SD_STORE_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"
#include "store_devices.h"

#define SD_HELP_SCREEN_MAX   32        /* [a-z0-9_-]: the kiosk screen the call came from */
#define SD_HELP_NOTE_MAX     200       /* characters (UTF-8 code points) */
#define SD_HELP_ACTOR_MAX    95        /* bytes of "staff:ID" / "operator:NAME" / "ctl" */
#define SD_HELP_LIST_MAX     500       /* calls one listing returns at most */
#define SD_HELP_STATS_MAX    100000    /* acknowledged calls one statistic reads at most */

typedef enum sd_help_state {
    SD_HELP_OPEN = 0,
    SD_HELP_ACKNOWLEDGED,
    SD_HELP_CLOSED,
} sd_help_state;

/* "open", "acknowledged", "closed". */
const char *sd_help_state_name(sd_help_state state);
/* The reverse; QF_ERR_INVALID for any other word. */
qf_err sd_help_state_parse(const char *text, sd_help_state *out);

typedef struct sd_help_call {
    int64_t id;
    char device_id[SD_DEVICE_ID_LEN + 1];
    char device_name[256];          /* the kiosk's name when the call was made */
    char hall[256];
    char screen[SD_HELP_SCREEN_MAX + 1];
    char note[SD_HELP_NOTE_MAX * 4 + 1];        /* "" when none */
    sd_help_state state;
    qf_instant created_at;
    qf_instant acked_at;            /* 0: not acknowledged */
    char acked_by[SD_HELP_ACTOR_MAX + 1];
    char helper_id[32];             /* the staff id who answered, "" when not known */
    qf_instant closed_at;           /* 0: not closed */
    char closed_by[SD_HELP_ACTOR_MAX + 1];
    char close_note[SD_HELP_NOTE_MAX * 4 + 1];  /* "" when none */
} sd_help_call;

/* Opens a call from device_id at now, copying the device's name and hall.
 * screen is the kiosk screen ("guide"), note optional (NULL). When the
 * device already has a call that is not closed, nothing is written, *out
 * is that call and *existing is true. QF_ERR_NOT_FOUND for an unknown or
 * revoked device. The caller has checked screen and note. */
qf_err sd_store_help_call_open(sd_store *store, const char *device_id, const char *screen,
                               const char *note, qf_instant now, sd_help_call *out,
                               bool *existing);

/* One call; QF_ERR_NOT_FOUND when id is unknown. */
qf_err sd_store_help_call_get(sd_store *store, int64_t id, sd_help_call *out);

/* Calls in state (NULL: every state), newest first, at most limit
 * (≤ SD_HELP_LIST_MAX). Ownership: free(*out). */
qf_err sd_store_help_call_list(sd_store *store, const sd_help_state *state, size_t limit,
                               sd_help_call **out, size_t *count);

/* Acknowledges open call id at now. actor is who acted (audit and
 * acked_by), helper_id the staff id answering (NULL: an operator or the
 * command line without --staff). QF_ERR_NOT_FOUND, or QF_ERR_STATE when the
 * call is not open (*out then holds it as it is). */
qf_err sd_store_help_call_ack(sd_store *store, int64_t id, const char *actor,
                              const char *helper_id, qf_instant now, sd_help_call *out);

/* Closes call id (open or acknowledged) at now, with an optional note.
 * QF_ERR_NOT_FOUND, or QF_ERR_STATE when it is closed already. */
qf_err sd_store_help_call_close(sd_store *store, int64_t id, const char *actor,
                                const char *note, qf_instant now, sd_help_call *out);

/* The call as the API and `qifu-ctl help list --json` show it:
 * {"id","device_id","device_name","hall","screen","note","state",
 *  "created_at","age_s","acknowledged_at","acknowledged_by","helper_id",
 *  "response_s","closed_at","closed_by","close_note"}; age_s counts from
 * creation to now (to closing once closed), response_s is acknowledged −
 * created (null until acknowledged); absent texts are null. Owned. */
json_t *sd_help_call_to_json(const sd_help_call *c, qf_instant now);

/* Response times of one helper (or of everyone). Percentiles are
 * nearest-rank over whole seconds: the median is the ⌈n/2⌉-th smallest,
 * p90 the ⌈0.9·n⌉-th. */
typedef struct sd_help_stats_row {
    char who[SD_HELP_ACTOR_MAX + 1];  /* staff id, or the actor when no staff id is known */
    size_t acknowledged;
    int64_t median_s;
    int64_t p90_s;
    int64_t max_s;
} sd_help_stats_row;

typedef struct sd_help_stats {
    size_t calls, open, acknowledged, closed;  /* calls made in the range, by state now */
    size_t closed_unacknowledged;              /* closed straight from open */
    sd_help_stats_row all;                     /* every acknowledged call ("who" is "") */
    sd_help_stats_row *helpers;                /* one per helper, ordered by who */
    size_t nhelpers;
} sd_help_stats;

/* Statistics of the calls made in [from, to). QF_ERR_LIMIT when more than
 * SD_HELP_STATS_MAX were acknowledged in the range (narrow it).
 * Ownership: sd_help_stats_cleanup(out) afterwards, also on error. */
qf_err sd_store_help_stats(sd_store *store, qf_instant from, qf_instant to,
                           sd_help_stats *out);
void sd_help_stats_cleanup(sd_help_stats *stats);

#endif
