/* store_cases.h — cases (诉求 and 兜底 requests) in the store: creating one
 * with its idempotency record and day-numbered case number in a single
 * transaction, reading one back with its timeline, applying rule events
 * (qf_case_apply) and the submitter's feedback, and counting by status.
 *
 * A case row keeps the submission (what the citizen typed, normalised), the
 * rules' state (qf_case_state) as JSON in `state` and its status name in
 * `status` (for queries). Every change appends a case_events row; the first
 * one is "submit", later ones carry qf_case event names. case_events.detail
 * is a JSON object or NULL; its "note" member (a string) is the only part of
 * it the submitter's timeline shows — anything else (who, internal remarks)
 * stays staff-side.
 *
 * Owns: the SQL of cases, case_events, case_counters and idempotency, the
 * submitter's own row in ratings (kind 'case', rater 'submitter': the
 * latest 好差评 as a score 1-5, written with the feedback), and the JSON
 * codec of qf_case_state. Does not own: the staff workflow's other rows
 * (case_units, escalations, other ratings: store_workflow.c), validation
 * of what people typed (h_cases.c does it before calling here),
 * authorisation, or who may send which event. Full mobiles and credit codes are stored (staff must
 * call back) but never logged from here.
 *
 * Every function takes the store lock for its whole run; every write is one
 * BEGIN IMMEDIATE … COMMIT, so when it returns QF_OK the change is durable
 * (WAL, synchronous=FULL) and the caller may acknowledge it. The "_locked"
 * functions at the end are the exception: they are for other store_*.c
 * files (store_workflow.c) that hold the lock and their own transaction.
 *
 * Every state change (creation included) also, in the same transaction:
 *   - refreshes the denormalised columns the workflow and the supervision
 *     scheduler query by: case_kind (NULL before triage), lead_unit (NULL
 *     before triage), platform_unit (set by the workflow; a platform-led
 *     case with none recorded gets its lead), deadline (NULL while none),
 *     triaged_at, closed_at;
 *   - appends an audit row (store_audit.h) "case.<event>" with the
 *     qf_case_state JSON before and after and the event's detail. */
#ifndef SD_STORE_CASES_H
#define SD_STORE_CASES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "qf_calendar.h"
#include "qf_case.h"
#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

/* "QT20261124-0042": prefix, Shanghai day, per-day sequence (4 digits, more
 * past 9999). Buffers of SD_CASE_NO_MAX always suffice. */
#define SD_CASE_NO_MAX 32
#define SD_CASE_NO_PREFIX "QT"

/* True when no has the shape of a case number (it may still not exist). */
bool sd_case_no_valid(const char *no);

/* What a new case is made of, already validated and normalised by the
 * caller. All strings are borrowed; NULL means absent where allowed. */
typedef struct sd_case_new {
    const char *caller;          /* idempotency scope: "device:ID" or "staff:ID" */
    const char *idem_key;        /* the Idempotency-Key header */
    const char *body_hash;       /* SHA-256 hex of the raw request body */
    const char *device_id;       /* the submitting kiosk, NULL for staff */
    const char *kind;            /* "request" (诉求) or "fallback" (兜底) */
    const char *board;           /* board id; NULL allowed for fallback */
    const char *fallback_category; /* fallback only, else NULL */
    qf_case_channel channel;
    const char *enterprise_name;
    const char *uscc;            /* normalised, valid */
    const char *contact_name;
    const char *mobile;          /* canonical (qf_phone_parse) */
    const char *description;
    const char *helper_id;       /* NULL when not assisted */
    qf_instant now;
} sd_case_new;

/* Looks up an earlier submission under (caller, key):
 *   QF_OK            found with the same body hash; no_out holds its number;
 *   QF_ERR_CONFLICT  found with a different body hash (no_out holds it);
 *   QF_ERR_NOT_FOUND the key has not been used (yet);
 *   QF_ERR_STORAGE   the database failed. */
qf_err sd_store_case_idem_find(sd_store *store, const char *caller, const char *key,
                               const char *body_hash, char no_out[SD_CASE_NO_MAX]);

/* Creates the case in one transaction: re-checks the idempotency key (a
 * concurrent twin may have won), takes the next number of nc->now's
 * Shanghai day, inserts the case, its "submit" event and the key. On QF_OK
 * *replayed says whether the key was already there (no_out is then the
 * first case's number and nothing was written). QF_ERR_CONFLICT: the key
 * was used with another body. QF_ERR_STORAGE: the database failed. */
qf_err sd_store_case_create(sd_store *store, const sd_case_new *nc, char no_out[SD_CASE_NO_MAX],
                            bool *replayed, char *err, size_t errlen);

/* One case as stored. Ownership: strings are owned; release them with
 * sd_case_cleanup (which leaves a zeroed struct). */
typedef struct sd_case {
    char no[SD_CASE_NO_MAX];
    char kind[16];               /* "request" or "fallback" */
    qf_instant created_at, updated_at;
    char *device_id, *helper_id, *board, *fallback_category;
    char *enterprise_name, *uscc, *contact_name, *mobile, *description;
    char *rating, *rating_comment;
    qf_case_channel channel;
    qf_case_state state;
} sd_case;

void sd_case_cleanup(sd_case *c);

/* Reads case no. QF_ERR_NOT_FOUND when there is none; QF_ERR_STORAGE also
 * when its stored state does not decode. */
qf_err sd_store_case_get(sd_store *store, const char *no, sd_case *out);

/* The timeline of case no, oldest first, as a new JSON array of
 * {"id","at" (instant),"actor","event","detail" (object or null)}.
 * Ownership: the caller json_decref's *out. An unknown case gives []. */
qf_err sd_store_case_events(sd_store *store, const char *no, json_t **out);

/* Applies ev to case no through qf_case_apply with cal and saves the new
 * state and an event row (actor, detail: borrowed, detail may be NULL) in
 * one transaction. ev->at earlier than the case's last change is raised to
 * it (a clock stepping back must not make the rules refuse). out (optional)
 * gets the new state. Errors: QF_ERR_NOT_FOUND, the rules' QF_ERR_STATE /
 * QF_ERR_INVALID / QF_ERR_LIMIT / QF_ERR_RANGE with the reason in err,
 * QF_ERR_STORAGE. */
qf_err sd_store_case_apply(sd_store *store, const char *no, const qf_case_event *ev,
                           const char *actor, const json_t *detail, const qf_calendar *cal,
                           qf_case_state *out, char *err, size_t errlen);

/* The submitter's answer after the lead's 办结: RESOLVED (closes) or
 * UNRESOLVED (reopens), with rating (a wire name) and an optional comment,
 * in one transaction. QF_ERR_STATE when the case is not lead_finished;
 * *status_out (optional) then holds its status. Other errors as for
 * sd_store_case_apply. */
qf_err sd_store_case_feedback(sd_store *store, const char *no, bool resolved, const char *rating,
                              const char *comment, const char *actor, qf_instant now,
                              const qf_calendar *cal, qf_case_state *out,
                              qf_case_status *status_out, char *err, size_t errlen);

/* The five-level satisfaction scale (好差评) as stored in ratings.score:
 * very_satisfied 5, satisfied 4, basic 3, dissatisfied 2,
 * very_dissatisfied 1. _score gives 0 for an unknown name, _name NULL for a
 * score outside 1..5. */
int sd_case_rating_score(const char *name);
const char *sd_case_rating_name(int score);

/* Cases per status, indexed by qf_case_status. */
qf_err sd_store_case_counts(sd_store *store, long counts[QF_CASE_STATUS__COUNT]);

/* Is board a board id of the published catalog (catalog_items, section
 * "boards", not deleted)? With no catalog imported, the nine boards the
 * district plan names are accepted. */
qf_err sd_store_case_board_known(sd_store *store, const char *board, bool *known);

/* The qf_case_state codec: instants as integers, enums by wire name.
 * _to_json returns a new object (NULL on allocation failure); _from_json
 * checks every member and returns QF_ERR_INVALID with the reason. */
json_t *sd_case_state_to_json(const qf_case_state *st);
qf_err sd_case_state_from_json(const json_t *obj, qf_case_state *out, char *err, size_t errlen);

/* ---- for store_*.c only: inside the caller's transaction ------------------
 * The caller holds the store lock (sd_store_lock) and has begun a write
 * transaction (sd_store_begin); these neither lock nor commit, so what they
 * write commits or rolls back with the caller's other changes. */

/* Reads the rules' state of case no. QF_ERR_NOT_FOUND when there is none,
 * QF_ERR_STORAGE when the row is damaged. */
qf_err sd_store_case_load_locked(sd_store *store, const char *no, qf_case_state *out);

/* What one change of a case records besides the new state. Borrowed. */
typedef struct sd_case_change {
    const char *actor;         /* audit and case_events actor */
    const char *event;         /* case_events.event: a qf_case event name
                                  ("reassign" included), or another verb
                                  ("submit") */
    const char *action;        /* audit action; NULL: "case.<event>" */
    const char *detail;        /* JSON object text for case_events.detail and
                                  the audit detail, or NULL. Its "note" member
                                  is shown to the submitter (see above). */
    const char *platform_unit; /* non-NULL: sets cases.platform_unit */
    json_t *before_extra;      /* objects whose members are added to the
                                  audit's before/after state JSON (the units,
                                  an escalation…), or NULL; borrowed */
    json_t *after_extra;
} sd_case_change;

/* Saves `after` (reached from `before` at instant at) as the case's state:
 * the row with its denormalised columns, a case_events row and the audit
 * row. The caller computed `after` with qf_case_apply (or, for a change the
 * rules have no event for, from it: see store_workflow.c). */
qf_err sd_store_case_save_locked(sd_store *store, const char *no, const qf_case_state *before,
                                 const qf_case_state *after, qf_instant at,
                                 const sd_case_change *ch);

#endif
