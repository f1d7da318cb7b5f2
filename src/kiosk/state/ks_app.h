/* ks_app.h — the kiosk's session state: which catalog is shown, where the
 * citizen is (the screen stack and the board, service, bundle or station
 * they opened), their display preferences (large text, language) and the
 * idle timer with its countdown. Plain data changed only by the ks_app_*
 * actions below; each action tells the one observer what changed (a
 * KS_CHANGE_* mask).
 *
 * Deliberately not here: SDL, drawing, widgets, I/O. Time comes in as an
 * argument (milliseconds on the app's clock), so the headless script clock
 * and the real clock drive the same code. */
#ifndef KS_APP_H
#define KS_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_catalog.h"
#include "ks_search.h"

typedef enum ks_screen {
    KS_SCREEN_IDLE = 0,        /* attract screen; no session */
    KS_SCREEN_HOME,            /* the board tiles */
    KS_SCREEN_BOARD,           /* one board: its service list */
    KS_SCREEN_GUIDE,           /* one service: its guide */
    KS_SCREEN_SEARCH,          /* search box and live results */
    KS_SCREEN_BUNDLES,         /* the "一类事" bundles */
    KS_SCREEN_BUNDLE,          /* one bundle */
    KS_SCREEN_STATIONS,        /* the six industry stations */
    KS_SCREEN_STATION,         /* one station: address, contacts, services */
    KS_SCREEN_TICKET,          /* 取号: choose a window, the number, the slip */
    KS_SCREEN__COUNT
} ks_screen;

enum {
    KS_CHANGE_SCREEN    = 1u << 0,   /* stack or selection changed */
    KS_CHANGE_CATALOG   = 1u << 1,
    KS_CHANGE_PREFS     = 1u << 2,   /* large text, language */
    KS_CHANGE_COUNTDOWN = 1u << 3,   /* countdown shown, hidden or ticked */
    KS_CHANGE_STATUS    = 1u << 4,   /* online/offline mark */
    KS_CHANGE_TICKET    = 1u << 9,   /* the ticket flow moved on (ks_app_ticket.c) */
    KS_CHANGE_SEARCH    = 1u << 8,   /* query, hits, index or FAQ answer (ks_app_search.c) */
};

#define KS_APP_STACK_MAX 16
#define KS_APP_COUNTDOWN_S 10
#define KS_APP_IDLE_DEFAULT_S 90

typedef void (*ks_app_observer)(void *ud, unsigned changes);

#define KS_SEARCH_HITS_MAX 50
#define KS_SEARCH_QUERY_MAX 64               /* bytes; ks_search cuts there too */

/* The search screen's state (actions in ks_app_search.c). The index borrows
 * the strings of idx_catalog, and so do the hits: an indexed catalog that a
 * newer one replaces stays alive here until the newer one's index arrives
 * (built off the UI thread), so search keeps working meanwhile. */
typedef struct ks_app_search {
    ks_search *idx;                          /* owned; NULL until the first index */
    qf_catalog *idx_catalog;                 /* what idx borrows: == catalog, or an
                                                older catalog owned here */
    uint64_t catalog_gen;                    /* bumped by every ks_app_catalog_take */
    char query[KS_SEARCH_QUERY_MAX + 1];
    ks_hit hits[KS_SEARCH_HITS_MAX];
    size_t hits_count;
    char faq_id[QF_CATALOG_MAX_ID + 1];      /* the FAQ answer shown; "" none */
} ks_app_search;

/* The 取号 flow (actions in ks_app_ticket.c). CHOOSE: windows and the
 * priority toggle; REQUEST: a confirm waits for the kiosk runtime to hand
 * the request to the sync worker (it watches KS_CHANGE_TICKET); WAIT: the
 * daemon is asked; PRINTING: a number, the slip on its way; DONE: the
 * number on screen with the print outcome; FAILED: no number (.error). */
typedef enum ks_ticket_phase {
    KS_TICKET_CHOOSE = 0,
    KS_TICKET_REQUEST,
    KS_TICKET_WAIT,
    KS_TICKET_PRINTING,
    KS_TICKET_DONE,
    KS_TICKET_FAILED,
} ks_ticket_phase;

typedef enum ks_ticket_failure {
    KS_TICKET_FAIL_NONE = 0,
    KS_TICKET_FAIL_OFFLINE,        /* the daemon unreachable / no server */
    KS_TICKET_FAIL_REFUSED,        /* it answered with an error */
} ks_ticket_failure;

#define KS_TICKET_RESULT_MS 20000u
#define KS_TICKET_COUNTS_MAX 32 /* the result screen returns home after this */

typedef struct ks_app_ticket {
    ks_ticket_phase phase;
    char window_id[QF_CATALOG_MAX_ID + 1];
    bool priority;
    uint64_t request_id;           /* bumped by every confirm */
    char number[16];
    char window_name[160];
    char issued_at[40];
    char status_url[512];          /* the QR: the queue-status page */
    int people_ahead;
    bool printed;                  /* DONE: the printer took the whole slip */
    char printer_status[16];       /* DONE: "paper_out", … ("" unknown) */
    ks_ticket_failure failure;
    char error[128];
    bool queues_wanted;            /* the runtime should ask for the counts */
    size_t counts_count;           /* 0: unknown (then none are shown) */
    struct {
        char window[QF_CATALOG_MAX_ID + 1];
        int waiting;
    } counts[KS_TICKET_COUNTS_MAX];
    uint64_t result_ms;            /* when DONE/FAILED began (app clock) */
} ks_app_ticket;

typedef struct ks_app {
    qf_catalog *catalog;                 /* owned; may be NULL (nothing loaded) */
    int64_t catalog_version;
    ks_screen stack[KS_APP_STACK_MAX];   /* stack[depth-1] is shown */
    size_t depth;
    char board_id[QF_CATALOG_MAX_ID + 1];
    char service_id[QF_CATALOG_MAX_ID + 1];
    char bundle_id[QF_CATALOG_MAX_ID + 1];    /* KS_SCREEN_BUNDLE's */
    char station_id[QF_CATALOG_MAX_ID + 1];   /* KS_SCREEN_STATION's */
    bool large_text;
    bool english;
    bool default_english;                /* the language a session starts in */
    bool server;                         /* a sync server is configured */
    bool online;                         /* it answered last time */
    unsigned idle_timeout_s;
    uint64_t last_activity_ms;
    bool countdown;                      /* the "still there?" dialog is up */
    int countdown_left_s;
    ks_app_search search;
    ks_app_ticket ticket;
    ks_app_observer observer;
    void *observer_ud;
} ks_app;

void ks_app_init(ks_app *app, unsigned idle_timeout_s);
void ks_app_cleanup(ks_app *app);          /* frees the catalog */
void ks_app_set_observer(ks_app *app, ks_app_observer fn, void *ud);
/* From the config, at start: the language sessions start in (and return to
 * when wiped) and whether a sync server is configured (the offline mark). */
void ks_app_configure(ks_app *app, bool english, bool server);

ks_screen ks_app_screen(const ks_app *app);
const qf_catalog_board *ks_app_board(const ks_app *app);     /* borrowed; NULL if none */
const qf_catalog_service *ks_app_service(const ks_app *app); /* borrowed; NULL if none */
const qf_catalog_bundle *ks_app_bundle(const ks_app *app);   /* borrowed; NULL if none */
const qf_catalog_station *ks_app_station(const ks_app *app); /* borrowed; NULL if none */

/* Ownership: takes cat (frees the previous one). A board or service that
 * the new catalog lacks sends the citizen back to home. */
void ks_app_catalog_take(ks_app *app, qf_catalog *cat, int64_t version);
void ks_app_set_online(ks_app *app, bool online);

void ks_app_session_start(ks_app *app, uint64_t now_ms);   /* idle -> home */
void ks_app_session_end(ks_app *app);                       /* wipe -> idle */
void ks_app_activity(ks_app *app, uint64_t now_ms);         /* any input */
void ks_app_tick(ks_app *app, uint64_t now_ms);             /* timers */
/* Milliseconds from now until ks_app_tick has something to do; UINT32_MAX
 * when nothing is pending. */
uint32_t ks_app_next_deadline_ms(const ks_app *app, uint64_t now_ms);

void ks_app_board_open(ks_app *app, const char *board_id);
void ks_app_service_open(ks_app *app, const char *service_id);
/* The "一类事" bundle list and one bundle; the industry station list and one
 * station. An id the catalog lacks changes nothing. */
void ks_app_bundles_open(ks_app *app);
void ks_app_bundle_open(ks_app *app, const char *bundle_id);
void ks_app_stations_open(ks_app *app);
void ks_app_station_open(ks_app *app, const char *station_id);
/* Search (ks_app_search.c): open the screen, edit the query (results are
 * recomputed on every edit), open a hit (a service's guide, a bundle, a
 * station item's station, or an FAQ's answer shown over the results). */
void ks_app_search_open(ks_app *app);
void ks_app_search_type(ks_app *app, const char *text);   /* appends UTF-8 */
void ks_app_search_backspace(ks_app *app);               /* drops the last character */
void ks_app_search_hit_open(ks_app *app, size_t i);
void ks_app_search_faq_close(ks_app *app);
const qf_catalog_faq *ks_app_search_faq(const ks_app *app);   /* borrowed; NULL if none */
/* Ownership: takes idx, built for the catalog of generation gen; an index
 * for a catalog that has been replaced since is freed. */
void ks_app_search_index_take(ks_app *app, ks_search *idx, uint64_t gen);
/* For ks_app.c: wipe the query and hits (session end), free the index and
 * any catalog kept for it (cleanup). Neither notifies. */
void ks_app_search_wipe(ks_app *app);
void ks_app_search_release(ks_app *app);
/* 取号 (ks_app_ticket.c): open the screen, pick a window (an id the catalog
 * lacks or one without ticket_prefix changes nothing), toggle priority,
 * confirm (CHOOSE -> REQUEST, or FAILED/offline without a server), then
 * the runtime's reports: sent (REQUEST -> WAIT), the daemon's answer
 * (-> PRINTING or FAILED; a stale request_id is ignored), the print
 * outcome (-> DONE). ks_app_ticket_close returns home. */
void ks_app_ticket_open(ks_app *app);
void ks_app_ticket_window(ks_app *app, const char *window_id);
void ks_app_ticket_priority_toggle(ks_app *app);
void ks_app_ticket_confirm(ks_app *app, uint64_t now_ms);
void ks_app_ticket_sent(ks_app *app);
void ks_app_ticket_issued(ks_app *app, uint64_t request_id, const char *number,
                          const char *window_name, const char *issued_at, int people_ahead,
                          bool priority, const char *status_url);
void ks_app_ticket_failed(ks_app *app, uint64_t request_id, ks_ticket_failure why,
                          const char *error, uint64_t now_ms);
void ks_app_ticket_printed(ks_app *app, uint64_t request_id, bool printed,
                           const char *printer_status, uint64_t now_ms);
void ks_app_ticket_close(ks_app *app);
/* The waiting counts: the runtime asked (clears queues_wanted, no
 * notification), and the answer (n windows; ids and waiting in step). */
void ks_app_ticket_queues_asked(ks_app *app);
void ks_app_ticket_queues(ks_app *app, const char *const *windows, const int *waiting,
                          size_t n);
/* How many wait at window_id; -1 when unknown. */
int ks_app_ticket_waiting(const ks_app *app, const char *window_id);
/* For ks_app.c: the result screen's timeout (true when it closed it) and
 * the time left until it (UINT32_MAX when none). */
bool ks_app_ticket_tick(ks_app *app, uint64_t now_ms);
uint32_t ks_app_ticket_deadline_ms(const ks_app *app, uint64_t now_ms);
void ks_app_back(ks_app *app);
void ks_app_large_text_toggle(ks_app *app);
void ks_app_language_toggle(ks_app *app);

#endif
