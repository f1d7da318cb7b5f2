/* ks_app.h — the kiosk's session state: which catalog is shown, where the
 * citizen is (the screen stack and the board, service, bundle or station
 * they opened), their display preferences (large text, language), the
 * idle timer with its countdown, and the toast over any screen. Plain data
 * changed only by the ks_app_* actions below; each action tells the one
 * observer what changed (a KS_CHANGE_* mask).
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
#include "ks_keyboard.h"
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
    KS_SCREEN_FORM,            /* 我要提诉求 / 办不成事: the fields */
    KS_SCREEN_REVIEW,          /* the form read back before submitting */
    KS_SCREEN_RECEIPT,         /* 已受理 with the case number, or 已保存 offline */
    KS_SCREEN_PROGRESS,        /* my case: number + 4 digits -> state, timeline, feedback */
    KS_SCREEN_RATE,            /* 好差评 of a service or a ticket */
    /* staff (ks_app_staff.h) */
    KS_SCREEN_STAFF_LOGIN,     /* helper / technician sign-in */
    KS_SCREEN_HELP_CALLS,      /* a helper's list of open help calls */
    KS_SCREEN_TECH,            /* maintenance mode: the menu */
    KS_SCREEN_DIAG,            /* diagnostics */
    KS_SCREEN_INSPECT,         /* the quarterly inspection checklist */
    KS_SCREEN_NOTICE,          /* the maintenance notice (报备) */
    KS_SCREEN_OUT_OF_SERVICE,  /* during a notice's window */
    KS_SCREEN_CLOSED,          /* outside the opening hours */
    KS_SCREEN__COUNT
} ks_screen;

#include "ks_app_staff.h"

enum {
    KS_CHANGE_SCREEN    = 1u << 0,   /* stack or selection changed */
    KS_CHANGE_CATALOG   = 1u << 1,
    KS_CHANGE_PREFS     = 1u << 2,   /* large text, language */
    KS_CHANGE_COUNTDOWN = 1u << 3,   /* countdown shown, hidden or ticked */
    KS_CHANGE_STATUS    = 1u << 4,   /* online/offline mark */
    KS_CHANGE_TICKET    = 1u << 9,   /* the ticket flow moved on (ks_app_ticket.c) */
    KS_CHANGE_SEARCH    = 1u << 8,   /* query, hits, index or FAQ answer (ks_app_search.c) */
    KS_CHANGE_FORM      = 1u << 10,  /* a form field, its error or the submission (ks_app_form.c) */
    KS_CHANGE_KEYBOARD  = 1u << 11,  /* the on-screen keyboard opened, closed or composed */
    KS_CHANGE_PROGRESS  = 1u << 12,  /* the case look-up or its feedback (ks_app_progress.c) */
    KS_CHANGE_TOAST     = 1u << 13,  /* a toast shown or gone (ks_app_toast.c) */
    KS_CHANGE_GUIDE     = 1u << 14,  /* 打印指南 moved on (its slip's state) */
    KS_CHANGE_STAFF     = 1u << 20,  /* helper, help call, maintenance, schedule (ks_app_staff.c) */
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
    /* An offline number from the kiosk's leased block (kn_lease.h): its
     * place in the queue is known only once the daemon has it. */
    bool leased;
    uint64_t print_deadline_ms;    /* PRINTING: past it, 打印超时 (0: none set) */
    bool print_timed_out;          /* DONE: the printer did not finish in time */
} ks_app_ticket;

/* How long a slip (ticket or receipt) may take before the screen gives up
 * on it: the number and the QR stay, "打印超时", never 已打印. */
#define KS_PRINT_TIMEOUT_MS 15000u

/* A slip a citizen asked for: 打印回执, the case receipt after 已受理
 * (actions in ks_app_form.c), and 打印指南, the guide shown (ks_app.c).
 * ASK: the runtime should start the print worker; PRINTING: the worker
 * has it (deadline_ms on the app clock); DONE: printed or not (.status). */
typedef enum ks_print_phase {
    KS_PRINT_NONE = 0,
    KS_PRINT_ASK,
    KS_PRINT_PRINTING,
    KS_PRINT_DONE,
} ks_print_phase;

typedef struct ks_receipt_print {
    ks_print_phase phase;
    uint64_t job;                  /* the runtime's print job id (PRINTING/DONE) */
    uint64_t deadline_ms;
    bool printed;                  /* DONE: the printer took the whole slip */
    bool timed_out;                /* DONE: no outcome before the deadline */
    char printer_status[16];       /* DONE: "paper_out", … ("" unknown) */
} ks_receipt_print;

/* The slip's rules (ks_app_slip.c), for the receipt and the guide: ask
 * (false while one is on its way or after one printed), the print worker
 * took it, its outcome (false for a stale job), the deadline passed (true
 * when it gave up), the time left (UINT32_MAX when none). */
bool ks_slip_ask(ks_receipt_print *rp);
bool ks_slip_started(ks_receipt_print *rp, uint64_t job, uint64_t now_ms, uint32_t timeout_ms);
bool ks_slip_printed(ks_receipt_print *rp, uint64_t job, bool printed, const char *printer_status);
bool ks_slip_tick(ks_receipt_print *rp, uint64_t now_ms);
uint32_t ks_slip_deadline_ms(const ks_receipt_print *rp, uint64_t now_ms);

/* 打印指南: the guide slip of the service shown (KS_SCREEN_GUIDE). */
typedef struct ks_guide_print {
    ks_receipt_print slip;         /* the same phases and outcome as 打印回执 */
    char service_id[QF_CATALOG_MAX_ID + 1];   /* the guide asked for (ASK onwards) */
} ks_guide_print;

/* A toast: a short message over any screen that goes by itself after
 * KS_TOAST_MS on the app clock (ks_app_toast.c). A newer one replaces it. */
#define KS_TOAST_MS 3000u
#define KS_TOAST_TEXT_MAX 160
typedef struct ks_toast {
    bool shown;
    char zh[KS_TOAST_TEXT_MAX];
    char en[KS_TOAST_TEXT_MAX];
    uint64_t until_ms;             /* shown: it goes at this time (app clock) */
} ks_toast;

/* ---- writing at the kiosk (ks_app_form.c, ks_app_progress.c) ----------- */

/* The fields a citizen types, in screen order. Board / fallback category
 * and the privacy agreement are chosen by tapping, not typed. */
typedef enum ks_field {
    KS_FIELD_ENTERPRISE = 0,   /* 企业名称 2–100 characters */
    KS_FIELD_USCC,             /* 统一社会信用代码 */
    KS_FIELD_CONTACT,          /* 联系人 1–50 */
    KS_FIELD_MOBILE,           /* 手机 (or a landline with area code) */
    KS_FIELD_DESCRIPTION,      /* 问题描述 10–1000 */
    KS_FIELD_CASE_NO,          /* progress: the case number */
    KS_FIELD_PHONE4,           /* progress: last four digits */
    KS_FIELD_COMMENT,          /* feedback / rating comment, up to 500 */
    KS_FIELD__COUNT,
    KS_FIELD_NONE = -1,
} ks_field;

/* The seed's 兜底办 categories, in the order the form offers them. */
typedef enum ks_fallback_cat {
    KS_FALLBACK_NONE = 0,
    KS_FALLBACK_NO_PLACE,      /* 无处受理 */
    KS_FALLBACK_NO_LEAD,       /* 多部门无牵头 */
    KS_FALLBACK_NO_PRECEDENT,  /* 无先例 */
    KS_FALLBACK_SPECIAL_GROUP, /* 老幼孕残外特殊群体 */
    KS_FALLBACK_OTHER,         /* 其他非常规事项 */
    KS_FALLBACK__COUNT,
} ks_fallback_cat;

#define KS_FIELD_TEXT_MAX 4096   /* bytes: 1000 CJK characters fit */
#define KS_FIELD_ERROR_MAX 256

typedef enum ks_form_phase {
    KS_FORM_EDIT = 0,          /* typing */
    KS_FORM_REVIEW,            /* read back; 修改 or 提交 */
    KS_FORM_SAVE,              /* submit tapped: the runtime writes the outbox item */
    KS_FORM_SENDING,           /* in the outbox; waiting for the daemon's answer */
    KS_FORM_ACCEPTED,          /* 已受理: the daemon's case number */
    KS_FORM_SAVED,             /* 已保存，联网后自动提交: the local reference */
    KS_FORM_REFUSED,           /* the daemon refused it (.refusal) */
    KS_FORM_FAILED,            /* the outbox could not be written (.refusal) */
} ks_form_phase;

/* How long a receipt waits for the daemon before saying "saved, sent when
 * the network is back" (the outbox keeps sending either way). */
#define KS_FORM_ACK_WAIT_MS 8000u

typedef struct ks_app_form {
    bool fallback;             /* 办不成事 (else 我要提诉求) */
    ks_form_phase phase;
    char text[KS_FIELD__COUNT][KS_FIELD_TEXT_MAX];   /* wiped with zeros at session end */
    char error[KS_FIELD__COUNT][KS_FIELD_ERROR_MAX]; /* inline error shown under a field */
    bool touched[KS_FIELD__COUNT];                   /* left once: errors shown from then on */
    ks_field focus;
    size_t scan_mark;          /* bytes of the focused field before the current input burst */
    char board_id[QF_CATALOG_MAX_ID + 1];
    ks_fallback_cat category;
    bool agreed;               /* the privacy notice */
    bool privacy_open;         /* the notice's full text is shown */
    char choose_error[KS_FIELD_ERROR_MAX];   /* board/category/agreement missing */
    /* The submission (SAVE onwards). */
    char ref[32];              /* the outbox's local reference */
    char case_no[32];
    char tracking_url[512];
    char mobile_masked[32];
    char submitted_at[40];
    char rule[8];              /* "135" / "3135" */
    char refusal[KS_FIELD_ERROR_MAX];
    uint64_t sent_ms;          /* SENDING began (app clock) */
    unsigned submitted;        /* cases filed in this visit (再提一个问题) */
    char helper_id[65];        /* a signed-in helper (帮办), "" none */
    ks_receipt_print receipt_print;  /* 打印回执 of an ACCEPTED case */
} ks_app_form;

typedef enum ks_progress_phase {
    KS_PROGRESS_EDIT = 0,      /* typing the number and the digits */
    KS_PROGRESS_ASK,           /* the runtime should send the look-up */
    KS_PROGRESS_WAIT,
    KS_PROGRESS_SHOWN,         /* .view holds the case */
    KS_PROGRESS_NONE,          /* nothing matches (no oracle: one message) */
    KS_PROGRESS_OFFLINE,
    KS_PROGRESS_LIMITED,       /* too many look-ups of that number */
} ks_progress_phase;

#define KS_PROGRESS_TIMELINE_MAX 24

typedef struct ks_app_progress {
    ks_progress_phase phase;
    uint64_t request_id;
    /* The case shown (copied from the worker's answer). */
    char case_no[32];
    char status[24];
    char status_label[48];
    char kind[24];
    char deadline[40];
    bool overdue;
    char submitted_at[40];
    char mobile_masked[32];
    size_t timeline_count;
    struct {
        char at[40];
        char label[48];
        char note[512];
    } timeline[KS_PROGRESS_TIMELINE_MAX];
    /* Feedback once lead_finished: solved?, 1–5 (5 = 非常满意), the comment
     * in form.text[KS_FIELD_COMMENT]. */
    int resolved;              /* -1 unset, 0 no, 1 yes */
    int rating;                /* 0 unset, 1..5 */
    bool feedback_save;        /* the runtime should put it in the outbox */
    bool feedback_saved;
    char feedback_error[KS_FIELD_ERROR_MAX];
} ks_app_progress;

/* 好差评 of a service (after a guide) or of a ticket. */
typedef struct ks_app_rate {
    char target[16];           /* "guide", "ticket" */
    char service_id[QF_CATALOG_MAX_ID + 1];
    char window_id[QF_CATALOG_MAX_ID + 1];
    char ticket[16];
    char title[256];           /* what is rated, for the screen */
    int rating;                /* 0 unset, 1..5 */
    bool save;                 /* the runtime should put it in the outbox */
    bool saved;
    char error[KS_FIELD_ERROR_MAX];
} ks_app_rate;

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
    bool online_known;                   /* a sync report came (ks_app_online_event) */
    unsigned idle_timeout_s;
    uint64_t last_activity_ms;
    bool countdown;                      /* the "still there?" dialog is up */
    int countdown_left_s;
    ks_app_search search;
    ks_app_ticket ticket;
    ks_app_form form;
    ks_app_progress progress;
    ks_app_rate rate;
    ks_guide_print guide_print;          /* 打印指南 of the guide shown */
    ks_toast toast;
    ks_app_staff staff;                  /* helpers, help calls, maintenance (ks_app_staff.h) */
    ks_keyboard kb;
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
/* The sync worker's report at now_ms: sets the mark as ks_app_set_online,
 * and a change from a known state shows a toast (网络已断开，本机继续提供
 * 服务 / 网络已恢复); the first report at start shows none (the mark says it). */
void ks_app_online_event(ks_app *app, bool online, uint64_t now_ms);

/* ---- the toast (ks_app_toast.c) ------------------------------------------
 * ks_app_toast shows zh / en (cut at KS_TOAST_TEXT_MAX bytes, at a
 * character boundary; en may be NULL) until now_ms + KS_TOAST_MS; the tick
 * hides it then, and ks_app_next_deadline_ms counts it on every screen. */
void ks_app_toast(ks_app *app, const char *zh, const char *en, uint64_t now_ms);
/* For ks_app.c: hides a toast past its time (true when it did), and the
 * time left until then (UINT32_MAX when none is shown). */
bool ks_app_toast_tick(ks_app *app, uint64_t now_ms);
uint32_t ks_app_toast_deadline_ms(const ks_app *app, uint64_t now_ms);

/* ---- 打印指南 (ks_app.c) ---------------------------------------------------
 * The tap on the guide screen (-> ASK for the service shown; again only
 * after a slip that did not print), the runtime started job (-> PRINTING
 * with a deadline, timeout_ms 0: KS_PRINT_TIMEOUT_MS), its outcome (-> DONE,
 * and when printed a toast saying where to take it; a stale job or one past
 * the deadline is ignored). Opening another guide,
 * leaving it and the session's end forget the slip (a late outcome is then
 * stale). The deadline runs in ks_app_tick. */
void ks_app_guide_print(ks_app *app);
void ks_app_guide_print_started(ks_app *app, uint64_t job, uint64_t now_ms, uint32_t timeout_ms);
void ks_app_guide_printed(ks_app *app, uint64_t job, bool printed, const char *printer_status,
                          uint64_t now_ms);

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
/* An offline (leased) number: set right after ks_app_ticket_issued for
 * the same request; people_ahead becomes unknown (-1). */
void ks_app_ticket_set_leased(ks_app *app, uint64_t request_id);
/* The runtime started the slip of a PRINTING ticket: past now_ms +
 * timeout_ms, ks_app_ticket_tick gives it up (DONE, print_timed_out); an
 * outcome after that (ks_app_ticket_printed) is ignored. */
void ks_app_ticket_print_started(ks_app *app, uint64_t request_id, uint64_t now_ms,
                                 uint32_t timeout_ms);
bool ks_app_ticket_tick(ks_app *app, uint64_t now_ms);
uint32_t ks_app_ticket_deadline_ms(const ks_app *app, uint64_t now_ms);
/* ---- writing (ks_app_form.c) -----------------------------------------------
 * The request (诉求) and fallback (兜底) form: open it (fallback or not;
 * the enterprise fields and contact are kept from an earlier case of this
 * visit), focus a field (opens the keyboard in that field's layer), edit
 * the focused field (the keyboard's output or a physical keyboard's),
 * choose the board / category, agree, review (validates everything; the
 * first wrong field gets the focus), back to editing, submit (REVIEW ->
 * SAVE). The runtime then writes the outbox item (ks_app_form_body gives
 * its JSON) and reports: saved (-> SENDING), or save_failed (-> FAILED);
 * the daemon's answer (-> ACCEPTED / REFUSED; a late acceptance upgrades
 * a SAVED receipt); no answer in KS_FORM_ACK_WAIT_MS or offline -> SAVED.
 * ks_app_form_another starts the next issue of the same visit. */
void ks_app_form_open(ks_app *app, bool fallback);
void ks_app_field_focus(ks_app *app, ks_field f);
/* The focused field's edit: the keyboard's output (commit / backspace /
 * enter / close). Enter moves to the next field. */
void ks_app_field_edit(ks_app *app, const ks_kb_out *out);
/* A key of the on-screen keyboard, text from a physical keyboard, a
 * candidate picked: through app->kb, then ks_app_field_edit. */
void ks_app_key(ks_app *app, const char *key);
void ks_app_text(ks_app *app, const char *text);
void ks_app_candidate(ks_app *app, size_t i);
void ks_app_candidate_page(ks_app *app, bool next);
/* A burst from the barcode scanner ended (Return): text is what it typed
 * into the focused field. An enterprise code / QR carrying a credit code
 * fills the enterprise fields; a receipt QR fills the case number. False
 * when text carries neither (then it was typing: Return is Return). */
bool ks_app_scan(ks_app *app, const char *text);
void ks_app_form_board(ks_app *app, const char *board_id);
void ks_app_form_category(ks_app *app, ks_fallback_cat cat);
void ks_app_form_agree_toggle(ks_app *app);
void ks_app_form_privacy_toggle(ks_app *app);
void ks_app_form_review(ks_app *app);
void ks_app_form_edit(ks_app *app);
void ks_app_form_submit(ks_app *app);
void ks_app_form_saved(ks_app *app, const char *ref, uint64_t now_ms);
void ks_app_form_save_failed(ks_app *app, const char *why);
void ks_app_form_delivered(ks_app *app, const char *ref, bool ok, const char *case_no,
                           const char *tracking_url, const char *mobile_masked,
                           const char *submitted_at, const char *rule, const char *why);
void ks_app_form_another(ks_app *app);
/* 打印回执 (an ACCEPTED case's receipt slip): the tap (-> ASK; again after
 * a slip that did not print), the runtime started job (-> PRINTING with a
 * deadline), its outcome (-> DONE; a stale job or one past the deadline
 * is ignored). The deadline is run by ks_app_form_tick. */
void ks_app_receipt_print(ks_app *app);
void ks_app_receipt_print_started(ks_app *app, uint64_t job, uint64_t now_ms,
                                  uint32_t timeout_ms);
void ks_app_receipt_printed(ks_app *app, uint64_t job, bool printed,
                            const char *printer_status, uint64_t now_ms);
/* For ks_app.c: the ack wait (true when it moved SENDING -> SAVED), its
 * deadline, and the wipe (zeros) at session end. */
bool ks_app_form_tick(ks_app *app, uint64_t now_ms);
uint32_t ks_app_form_deadline_ms(const ks_app *app, uint64_t now_ms);
void ks_app_form_wipe(ks_app *app);
/* Validation of one field's text; "" when fine. Language per app->english. */
void ks_app_field_check(const ks_app *app, ks_field f, char *why, size_t len);
/* The outbox item for the form: POST /api/v1/cases JSON. Ownership: the
 * caller frees *out (and should zero it first: it holds personal data). */
qf_err ks_app_form_body(const ks_app *app, char **out);
/* The API names of the fallback categories and their labels. */
const char *ks_fallback_code(ks_fallback_cat cat);
const char *ks_fallback_label(ks_fallback_cat cat, bool english);

/* ---- my case progress and feedback (ks_app_progress.c) ------------------ */
void ks_app_progress_open(ks_app *app);
void ks_app_progress_lookup(ks_app *app);        /* EDIT -> ASK when both fields are fine */
void ks_app_progress_asked(ks_app *app);         /* ASK -> WAIT (the runtime sent it) */
/* The worker's answer: found (the case's fields), or none / offline / limited. */
void ks_app_progress_answer(ks_app *app, uint64_t request_id, ks_progress_phase phase,
                            const ks_app_progress *view);
void ks_app_progress_resolved(ks_app *app, bool resolved);
void ks_app_progress_rating(ks_app *app, int rating);
void ks_app_progress_feedback(ks_app *app);      /* sets feedback_save when complete */
void ks_app_progress_feedback_saved(ks_app *app, bool ok, const char *why);
qf_err ks_app_progress_feedback_body(const ks_app *app, char **out_path, char **out_body);

/* ---- 好差评 (ks_app_progress.c) ------------------------------------------ */
/* After a guide (target "guide", the service shown) or a ticket ("ticket"). */
void ks_app_rate_open(ks_app *app, const char *target);
void ks_app_rate_set(ks_app *app, int rating);
void ks_app_rate_submit(ks_app *app);
void ks_app_rate_saved(ks_app *app, bool ok, const char *why);
qf_err ks_app_rate_body(const ks_app *app, char **out);
/* The five levels: 5 非常满意 … 1 非常不满意; API names very_satisfied …. */
const char *ks_rating_label(int rating, bool english);
const char *ks_rating_code(int rating);

void ks_app_back(ks_app *app);
/* For the ks_app_*.c files: tell the observer, push a screen, or make
 * [idle, s] the whole stack. */
void ks_app_notify(ks_app *app, unsigned changes);
void ks_app_push(ks_app *app, ks_screen s);
void ks_app_reset_to(ks_app *app, ks_screen s);
void ks_app_large_text_toggle(ks_app *app);
void ks_app_language_toggle(ks_app *app);

#endif
