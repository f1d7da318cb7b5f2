/* kn_sync.h — the kiosk's link to qifu-syncd: a worker thread (libcurl,
 * HTTPS with the daemon's CA pinned from config, bearer token from
 * enrollment) that keeps the local catalog cache current and sends the
 * heartbeat. It never touches the UI: results are handed over through the
 * notify callback (called on the worker thread — the UI pushes an SDL event
 * from it and returns at once).
 *
 * The catalog cache is a SQLite file in the kiosk's state folder, so the
 * kiosk starts from it with the network down. Deltas are applied in one
 * transaction and the new catalog is handed to the UI whole (swapped in
 * atomically). */
#ifndef KN_SYNC_H
#define KN_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_catalog.h"
#include "qf_error.h"

typedef struct kn_sync_config {
    const char *url;           /* https://127.0.0.1:8443 */
    const char *ca_file;       /* the daemon's CA (self-signed cert in dev) */
    const char *enroll_code;   /* used once when no token is stored */
    const char *device_name;   /* sent with the enrollment */
    const char *state_dir;     /* token (mode 0600) and catalog cache */
    const char *software_version;
    unsigned sync_interval_s;  /* catalog poll; default 60 */
    unsigned heartbeat_s;      /* default 60 */
} kn_sync_config;

typedef enum kn_event_kind {
    KN_EVENT_CATALOG,          /* a newer catalog: ownership of .catalog passes */
    KN_EVENT_ONLINE,           /* the daemon answered */
    KN_EVENT_OFFLINE,          /* it did not; .message says why */
    KN_EVENT_ENROLLED,         /* a token was obtained and stored */
    KN_EVENT_ERROR,            /* needs an operator (bad code, revoked) */
    KN_EVENT_TICKET,           /* the answer to kn_sync_ticket_request: .ticket */
    KN_EVENT_QUEUES,           /* the answer to kn_sync_queues_request: .queues */
    KN_EVENT_DELIVERED,        /* an outbox item was delivered or refused: .delivery */
    KN_EVENT_CASE,             /* the answer to kn_sync_case_lookup: .lookup */
    KN_EVENT_STAFF,            /* an answer to a kn_staff_* request (kn_staff.h): .staff */
} kn_event_kind;

#define KN_QUEUES_MAX 32
/* KN_EVENT_QUEUES: how many wait at each window (GET /api/v1/queues); ok
 * false when the daemon could not say. */
typedef struct kn_queues {
    bool ok;
    size_t count;
    struct {
        char window[64];
        int waiting;
    } w[KN_QUEUES_MAX];
} kn_queues;

/* KN_EVENT_TICKET: ok with the ticket's fields, or not ok with .message
 * (offline: the daemon did not answer at all). With no answer and a
 * leased number of the window held for today, ok, offline and leased
 * together: an offline number (people_ahead -1). */
typedef struct kn_ticket {
    uint64_t request_id;       /* as passed to kn_sync_ticket_request */
    bool ok;
    bool offline;              /* no answer (transport failure, not enrolled) */
    char number[16];           /* E023 */
    char window[64];           /* window id */
    char window_name[160];
    char issued_at[40];        /* ISO 8601 +08:00 */
    int people_ahead;          /* -1 when leased: unknown until registered */
    bool priority;
    /* An offline number: the daemon could not be reached, so the worker
     * issued the next number of its leased block (kn_lease.h) and put the
     * registration in the outbox. */
    bool leased;
} kn_ticket;

/* KN_EVENT_DELIVERED: one outbox item reached the daemon (ok) or was
 * refused for good (not ok: .error_code / .error_message, the Chinese
 * sentence in .error_zh when the daemon gave one). For a case, the
 * receipt's fields from the daemon's answer. */
typedef struct kn_delivery {
    char ref[32];              /* the outbox item's local reference */
    int kind;                  /* kn_outbox_kind */
    bool ok;
    char case_no[32];
    char tracking_url[512];
    char mobile_masked[32];
    char submitted_at[40];
    char rule[8];              /* "135" or "3135" */
    char error_code[48];
    char error_message[256];
    char error_zh[256];
} kn_delivery;

#define KN_TIMELINE_MAX 24
/* KN_EVENT_CASE: the submitter's view (GET /api/v1/cases/{no}?phone4=),
 * or found false (unknown number or wrong digits: one answer for both),
 * or offline / rate limited. */
typedef struct kn_case_view {
    uint64_t request_id;
    bool found;
    bool offline;
    bool rate_limited;
    char case_no[32];
    char type[16];             /* request / fallback */
    char status[24];           /* submitted, in_progress, lead_finished, closed, withdrawn */
    char status_label_zh[48];
    char kind[24];             /* "" until triaged */
    char deadline[40];         /* "" until triaged */
    bool overdue;
    char submitted_at[40];
    char mobile_masked[32];
    char enterprise_name[304];
    size_t timeline_count;
    struct {
        char at[40];
        char event[24];
        char label_zh[48];
        char note[512];        /* "" none */
    } timeline[KN_TIMELINE_MAX];
} kn_case_view;

/* KN_EVENT_STAFF: the answer to one staff request (kn_staff.h). ok: the
 * daemon said 2xx; offline: no answer at all; otherwise .status and .code
 * (the daemon's error code) say why. */
#define KN_STAFF_CALLS_MAX 16
typedef struct kn_staff_answer {
    int op;                    /* kn_staff_op */
    uint64_t request_id;
    bool ok, offline;
    long status;
    char code[48];
    char message[200];         /* the daemon's message_zh or message */
    long retry_after_s;
    char staff_id[65], name[128];
    char offline_hash[192];    /* technician sign-in: crypto_pwhash_str */
    int64_t call_id;
    char call_state[16];
    size_t calls_count;
    struct {
        int64_t id;
        char device_name[128];
        char screen[33];
        char state[16];
        long age_s;
    } calls[KN_STAFF_CALLS_MAX];
    char planned_at[40], planned_end[40];
} kn_staff_answer;

typedef struct kn_event {
    kn_event_kind kind;
    qf_catalog *catalog;       /* KN_EVENT_CATALOG only; the receiver frees it */
    int64_t catalog_version;
    kn_ticket ticket;          /* KN_EVENT_TICKET only */
    kn_queues queues;          /* KN_EVENT_QUEUES only */
    kn_delivery delivery;      /* KN_EVENT_DELIVERED only */
    kn_case_view lookup;       /* KN_EVENT_CASE only */
    kn_staff_answer staff;     /* KN_EVENT_STAFF only */
    char message[256];
} kn_event;

typedef void (*kn_notify_fn)(void *ud, const kn_event *ev);

typedef struct kn_sync kn_sync;

/* Starts the worker. Ownership: stop with kn_sync_stop (joins the thread).
 * Synchronous checks only (config, state folder, cache file, token file);
 * everything on the network is reported through notify. The url must be
 * https://. libcurl: calls curl_global_init once per process (pthread_once)
 * and keeps that reference until exit; main() may call curl_global_init /
 * curl_global_cleanup itself as well (libcurl counts them). */
qf_err kn_sync_start(const kn_sync_config *cfg, kn_notify_fn notify, void *ud, kn_sync **out,
                     char *err, size_t errlen);
/* Wakes the worker, aborts a transfer in progress and joins; no callback
 * runs after it returns. NULL is fine. */
void kn_sync_stop(kn_sync *sync);

/* Asks the worker to sync now (e.g. after a tap on the offline mark): the
 * catalog and the heartbeat, skipping any backoff wait. Any thread. */
void kn_sync_poke(kn_sync *sync);

/* Sets the printer state sent with the next heartbeat: "ok" (the default
 * until printing is wired), "paper_low", "paper_out", "offline" or "error".
 * QF_ERR_INVALID for anything else. Any thread. */
qf_err kn_sync_set_printer_status(kn_sync *sync, const char *status);

/* Queues a ticket request (POST /api/v1/tickets {window, priority}) for
 * the worker, which answers with one KN_EVENT_TICKET carrying request_id
 * (a leased number when the daemon cannot be reached: see kn_sync.c).
 * One request at a time: a newer one replaces one not yet sent. Any
 * thread; QF_ERR_INVALID on a bad window id. */
qf_err kn_sync_ticket_request(kn_sync *sync, const char *window, bool priority,
                              uint64_t request_id);

/* Asks the worker for the waiting counts (GET /api/v1/queues); answered
 * with one KN_EVENT_QUEUES. Any thread. */
void kn_sync_queues_request(kn_sync *sync);

/* The outbox (kn_outbox.h): something was put in it, send now. The worker
 * also sends on its own after every start and when the link comes back;
 * each item's answer is one KN_EVENT_DELIVERED. Any thread. */
void kn_sync_outbox_poke(kn_sync *sync);

/* Asks for a case's submitter view (case_no as typed or scanned, phone4 =
 * the last four digits); answered with one KN_EVENT_CASE carrying
 * request_id. One look-up at a time: a newer one replaces one not yet
 * sent. The digits are kept only until sent, then zeroed. Any thread;
 * QF_ERR_INVALID when phone4 is not 4 digits or case_no is malformed. */
qf_err kn_sync_case_lookup(kn_sync *sync, const char *case_no, const char *phone4,
                           uint64_t request_id);

/* What the worker last knew, for the diagnostics screen: a copy taken
 * under the worker's lock. Any thread. */
typedef struct kn_sync_status {
    int link;                  /* 0 unknown, 1 up, 2 down */
    int64_t last_ok_s;         /* wall clock of the last heartbeat the daemon took; 0 never */
    int64_t catalog_version;
    size_t outbox_depth;       /* at the last heartbeat */
    char last_error[200];
    char printer_status[16];
    char device_id[64];        /* "" until the daemon named it */
    bool enrolled;
} kn_sync_status;
void kn_sync_status_get(kn_sync *sync, kn_sync_status *out);

/* --- the catalog cache (kn_cache.c) --------------------------------------
 * Used by the worker and by tests; the UI needs only kn_cache_load. One
 * kn_cache handle belongs to one thread. Added to this header (not a new
 * one) so the interface stays in one place. */
struct json_t;                 /* jansson's; kept opaque for the UI */
typedef struct kn_cache kn_cache;

/* Opens (creating) STATE_DIR/catalog.db. A file that is not a database is
 * replaced: the cache can always be refetched. Ownership: kn_cache_close. */
qf_err kn_cache_open(const char *state_dir, kn_cache **out, char *err, size_t errlen);
void kn_cache_close(kn_cache *cache);    /* NULL is fine */

/* The cached version and the ETag of the last full snapshot (etag gets ""
 * when none; may be NULL). QF_ERR_NOT_FOUND when the cache is empty. */
qf_err kn_cache_version(kn_cache *cache, int64_t *out_version, char *etag, size_t etaglen,
                        char *err, size_t errlen);

/* Replaces everything with a snapshot: catalog is the snapshot's "catalog"
 * object (sections → arrays of items with "id", or an object for meta).
 * One transaction. */
qf_err kn_cache_store_snapshot(kn_cache *cache, const struct json_t *catalog, int64_t version,
                               const char *etag, char *err, size_t errlen);

/* Applies a delta (changed: {section: [items]} or {meta: {…}}; deleted:
 * [ids]) and bumps the version, then builds the new catalog, all inside one
 * transaction: either *out is the new catalog and the cache holds it, or
 * nothing changed. QF_ERR_CONFLICT when the delta cannot be placed without
 * positions (a new id, or an item whose text is unchanged, i.e. it moved):
 * the caller fetches the full snapshot instead. Ownership: caller frees *out. */
qf_err kn_cache_apply_delta(kn_cache *cache, const struct json_t *changed,
                            const struct json_t *deleted, int64_t version, qf_catalog **out,
                            char *err, size_t errlen);

/* Rebuilds a qf_catalog from the rows. QF_ERR_NOT_FOUND when empty.
 * Ownership: the caller frees *out. */
qf_err kn_cache_build(kn_cache *cache, qf_catalog **out, int64_t *out_version, char *err,
                      size_t errlen);

/* Reads the cached catalog for an offline start: QF_ERR_NOT_FOUND when the
 * cache is empty (first boot). Ownership: the caller frees *out. */
qf_err kn_cache_load(const char *state_dir, qf_catalog **out, int64_t *out_version, char *err,
                     size_t errlen);

#endif
