/* ks_app_staff.h — the staff side of the kiosk's session state: a helper
 * (帮办) signed in to work for a citizen, the citizen's call for a helper
 * (呼叫帮办) and the helper's list of open calls, the technician's
 * maintenance mode (hidden five-tap entry, PIN sign-in with a local
 * lock-out, diagnostics, the quarterly inspection checklist, the
 * maintenance notice and the out-of-service window, the log export) and
 * the daily schedule (opening hours, the dimmed night screen, the nightly
 * restart). Included from ks_app.h; the actions take the whole ks_app.
 *
 * Like the rest of the state: plain data, no SDL, no I/O. The app clock
 * (ms) comes in as arguments, the wall clock through ks_app_staff_clock.
 * The runtime (app_staff.c) watches the *_wanted flags and the ASK phases,
 * hands the requests to the sync worker and reports the answers back.
 *
 * Secrets: the PIN is kept only until the runtime has handed it on (or,
 * offline, verified it) and then wiped; a helper's session token never
 * enters this state (the sync worker keeps it). */
#ifndef KS_APP_STAFF_H
#define KS_APP_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_error.h"

/* ks_screen comes from ks_app.h, which includes this file after it. */
struct ks_app;

/* The staff screens' own text inputs (the citizen form's ks_field machinery
 * belongs to ks_app_form.c). */
typedef enum ks_sin {
    KS_SIN_ID = 0,             /* staff number */
    KS_SIN_PIN,
    KS_SIN_INSPECTOR,          /* inspection: the inspector's name */
    KS_SIN_UNIT,               /* inspection: the inspector's unit */
    KS_SIN_NOTES,              /* inspection: notes */
    KS_SIN_REASON,             /* maintenance notice: what is done */
    KS_SIN__COUNT,
    KS_SIN_NONE = -1,
} ks_sin;

#define KS_SIN_TEXT_MAX 1024   /* bytes; the daemon's limits are checked on submit */

typedef enum ks_staff_role { KS_ROLE_HELPER = 0, KS_ROLE_TECH } ks_staff_role;

typedef enum ks_login_phase {
    KS_LOGIN_EDIT = 0,
    KS_LOGIN_ASK,              /* the runtime should send it (id + PIN, or .badge) */
    KS_LOGIN_WAIT,             /* the worker is asking the daemon */
    KS_LOGIN_VERIFY,           /* offline technician: check the stored hash */
    KS_LOGIN_REFUSED,          /* .message says why; editing again */
    KS_LOGIN_LOCKED,           /* locally or by the daemon, until .locked_until_ms */
} ks_login_phase;

/* Local lock-out across both sign-ins: KS_LOGIN_FAILS_MAX wrong answers in
 * a row lock the entry for KS_LOGIN_LOCK_MS on the app clock. */
#define KS_LOGIN_FAILS_MAX 5
#define KS_LOGIN_LOCK_MS 60000u
/* The hidden maintenance entry: KS_CORNER_TAPS taps within KS_CORNER_MS. */
#define KS_CORNER_TAPS 5
#define KS_CORNER_MS 3000u
/* An open help call is polled this often. */
#define KS_HELP_POLL_MS 3000u

typedef enum ks_help_phase {
    KS_HELP_NONE = 0,
    KS_HELP_ASK,               /* the runtime should post the call */
    KS_HELP_WAIT,              /* posted, no answer yet */
    KS_HELP_OPEN,              /* the daemon has it; polled */
    KS_HELP_COMING,            /* acknowledged: 帮办人员正在赶来 */
    KS_HELP_CLOSED,
    KS_HELP_FAILED,            /* .error */
} ks_help_phase;

#define KS_HELP_LIST_MAX 16

typedef struct ks_help_row {
    int64_t id;
    char where[128];           /* device name */
    char screen[33];
    char state[16];            /* open / acknowledged */
    long age_s;
} ks_help_row;

/* The quarterly joint inspection: the checks, in screen order. */
enum {
    KS_CHECK_SCREEN = 0, KS_CHECK_TOUCH, KS_CHECK_PRINTER, KS_CHECK_SCANNER, KS_CHECK_NETWORK,
    KS_CHECK_CASING, KS_CHECK_POWER, KS_CHECK_SOFTWARE, KS_CHECK__COUNT
};

typedef enum ks_submit_phase {
    KS_SUBMIT_EDIT = 0,
    KS_SUBMIT_ASK,             /* the runtime should send it */
    KS_SUBMIT_WAIT,
    KS_SUBMIT_DONE,            /* the daemon took it */
    KS_SUBMIT_QUEUED,          /* offline: kept in the outbox */
    KS_SUBMIT_FAILED,          /* .message */
} ks_submit_phase;

typedef enum ks_diag_mode {
    KS_DIAG_REPORT = 0,        /* the text report and the tests' buttons */
    KS_DIAG_COLOUR,            /* colour bars, then solid colours, one per tap */
    KS_DIAG_TOUCH,             /* five targets: the corners and the centre */
} ks_diag_mode;

#define KS_DIAG_COLOURS 7      /* bars, red, green, blue, white, black, grey */
#define KS_TOUCH_TARGETS 5

/* The daily schedule in minutes of the (Shanghai) day; -1 = off. */
typedef struct ks_schedule {
    int open_min, close_min;   /* opening hours; 0 and 1440 = 7×24 */
    int dim_from, dim_to;      /* the darker idle screen */
    int restart_min;           /* the nightly restart */
} ks_schedule;

/* Uptime before a nightly restart may happen (the restarted kiosk starts
 * inside the same restart minute and must not restart again). */
#define KS_RESTART_MIN_UPTIME_MS (10u * 60u * 1000u)
#define KS_RESTART_WINDOW_MIN 5

typedef struct ks_app_staff {
    /* Inputs. */
    char text[KS_SIN__COUNT][KS_SIN_TEXT_MAX];   /* wiped with zeros */
    ks_sin focus;
    /* Sign-in (KS_SCREEN_STAFF_LOGIN). */
    ks_staff_role login_role;
    ks_login_phase login;
    char badge[160];           /* a scanned QIFU-STAFF badge waiting to be sent */
    uint64_t login_id;         /* bumped by every attempt; stale answers ignored */
    char message[256];         /* why refused / locked */
    unsigned fails;            /* wrong answers in a row */
    uint64_t locked_until_ms;
    uint64_t corner[KS_CORNER_TAPS];   /* the last corner taps (app clock) */
    size_t corner_n;
    /* The helper signed in (form.helper_id holds the id for the cases). */
    bool helper;
    char helper_name[128];
    bool logout_wanted;        /* the runtime should end the daemon session */
    /* The citizen's help call. */
    ks_help_phase help;
    int64_t help_id;
    char help_screen[33];
    char help_error[128];
    uint64_t help_next_poll_ms;
    bool help_poll_wanted;
    /* The helper's list of open calls (KS_SCREEN_HELP_CALLS). */
    bool list_wanted;
    bool list_loaded;
    char list_error[128];
    ks_help_row calls[KS_HELP_LIST_MAX];
    size_t calls_count;
    int64_t act_id;            /* ack / close wanted for this call (0 none) */
    bool act_close;
    /* Maintenance mode. */
    bool tech;
    char tech_id[65];
    char tech_name[128];
    ks_diag_mode diag;
    int colour;                /* KS_DIAG_COLOUR: which one is shown */
    bool touch_hit[KS_TOUCH_TARGETS];
    int touch_err_px[KS_TOUCH_TARGETS];   /* distance from the target's centre */
    bool report_wanted;        /* the runtime should (re)build .report */
    char report[6144];
    bool print_wanted;         /* the runtime should print a test slip */
    char print_result[128];
    bool export_wanted;
    char export_result[256];
    /* Inspection (KS_SCREEN_INSPECT): 0 unset, 1 ok, 2 fail. */
    int checks[KS_CHECK__COUNT];
    ks_submit_phase inspect;
    char inspect_message[256];
    /* Maintenance notice (KS_SCREEN_NOTICE). */
    int notice_start_min;      /* minutes from now: 0, 30, 120 */
    int notice_duration_min;
    ks_submit_phase notice;
    char notice_message[256];
    /* The out-of-service window (wall clock, unix s; 0 none). */
    int64_t oos_from, oos_to;
    /* The schedule and the wall clock. */
    ks_schedule sched;
    int64_t wall_s;
    int day_min;               /* minute of the day, 0..1439 */
    bool dim;                  /* the idle screen is darker now */
    bool restart_due;          /* the runtime should exit for the nightly restart */
} ks_app_staff;

/* The checks' API names and labels. */
const char *ks_check_code(int check);
const char *ks_check_label(int check, bool english);

/* ---- actions (ks_app_staff.c) ------------------------------------------- */
void ks_app_staff_init(struct ks_app *app);          /* from ks_app_init */
void ks_app_staff_focus(struct ks_app *app, ks_sin f);
/* A focused input's edit: text to append, or NULL for backspace. */
void ks_app_staff_edit(struct ks_app *app, ks_sin f, const char *text);

/* Sign-in: open the screen (helper: from the header; tech: the corner),
 * submit id + PIN, or a scanned badge (helpers only). */
void ks_app_staff_login_open(struct ks_app *app, ks_staff_role role, uint64_t now_ms);
void ks_app_staff_login_submit(struct ks_app *app, uint64_t now_ms);
bool ks_app_staff_badge(struct ks_app *app, const char *text, uint64_t now_ms);
void ks_app_staff_login_sent(struct ks_app *app);    /* ASK -> WAIT; wipes the PIN */
/* The answers. ok: name (helper: the session is on; tech: maintenance mode).
 * refused: a wrong id or PIN (counts to the lock-out); locked: the daemon's
 * lock (retry_s), also counted; offline: a helper cannot sign in offline,
 * a technician goes to VERIFY (the PIN stays until ks_app_staff_tech_verified). */
typedef enum ks_login_answer {
    KS_ANSWER_OK = 0,
    KS_ANSWER_REFUSED,
    KS_ANSWER_LOCKED,
    KS_ANSWER_ROLE,            /* right PIN, wrong role: not a lock-out failure */
    KS_ANSWER_OFFLINE,
} ks_login_answer;
void ks_app_staff_login_answer(struct ks_app *app, uint64_t login_id, ks_login_answer a,
                               const char *staff_id, const char *name, long retry_s,
                               uint64_t now_ms);
/* Offline technician: the PIN checked against the stored hash (no hash:
 * ok false, known false). */
void ks_app_staff_tech_verified(struct ks_app *app, bool ok, bool known, uint64_t now_ms);
void ks_app_staff_helper_logout(struct ks_app *app);

/* A tap in the hidden corner (the runtime decides where that is); true
 * when it was the fifth within KS_CORNER_MS and the sign-in opened. */
bool ks_app_staff_corner_tap(struct ks_app *app, uint64_t now_ms);

/* Help calls. */
void ks_app_staff_help_call(struct ks_app *app, const char *screen_name);
void ks_app_staff_help_sent(struct ks_app *app);
/* The daemon's view of our call: id and state ("open", "acknowledged",
 * "closed"), or failed (offline / refused: why). */
void ks_app_staff_help_state(struct ks_app *app, int64_t id, const char *state, bool failed,
                             const char *why, uint64_t now_ms);
void ks_app_staff_help_polled(struct ks_app *app);   /* clears help_poll_wanted */
void ks_app_staff_help_dismiss(struct ks_app *app);
void ks_app_staff_calls_open(struct ks_app *app);
void ks_app_staff_calls_refresh(struct ks_app *app);
void ks_app_staff_calls_answer(struct ks_app *app, const ks_help_row *rows, size_t n,
                               const char *why);
void ks_app_staff_call_act(struct ks_app *app, int64_t id, bool close);

/* Maintenance mode. */
void ks_app_staff_tech_open(struct ks_app *app, ks_screen s);   /* diag, inspect, notice */
void ks_app_staff_tech_exit(struct ks_app *app);
void ks_app_staff_diag_mode(struct ks_app *app, ks_diag_mode m);
void ks_app_staff_colour_next(struct ks_app *app);
/* A tap during the touch test at (x, y) on a w x h screen. */
void ks_app_staff_touch(struct ks_app *app, int x, int y, int w, int h);
/* Where touch target i is drawn (its centre) on a w x h screen. */
void ks_touch_target(int i, int w, int h, int *cx, int *cy);
void ks_app_staff_report_set(struct ks_app *app, const char *report);
/* A test slip: print_wanted for the runtime, then its result. */
void ks_app_staff_print_test(struct ks_app *app);
void ks_app_staff_print_result(struct ks_app *app, const char *result);
void ks_app_staff_export(struct ks_app *app);
void ks_app_staff_export_result(struct ks_app *app, const char *result);
void ks_app_staff_check_set(struct ks_app *app, int check, int value);
void ks_app_staff_inspect_submit(struct ks_app *app);
void ks_app_staff_notice_start(struct ks_app *app, int minutes);
void ks_app_staff_notice_duration(struct ks_app *app, int minutes);
void ks_app_staff_notice_submit(struct ks_app *app);
/* The runtime's reports for the inspection and the notice. */
void ks_app_staff_submit_sent(struct ks_app *app, ks_screen which);
void ks_app_staff_submit_answer(struct ks_app *app, ks_screen which, ks_submit_phase phase,
                                const char *message);
/* The notice's window as the daemon recorded it (unix s). */
void ks_app_staff_oos_window(struct ks_app *app, int64_t from_s, int64_t to_s);
/* The inspection / notice JSON for the daemon. Ownership: free(*out). */
qf_err ks_app_staff_inspect_body(const struct ks_app *app, char **out);
qf_err ks_app_staff_notice_body(const struct ks_app *app, int64_t now_s, char **out);

/* The runtime took a request the state asked for (clears its flag; no
 * notification, like ks_app_ticket_queues_asked). */
typedef enum ks_staff_took {
    KS_TOOK_LOGOUT = 0,        /* logout_wanted */
    KS_TOOK_LIST,              /* list_wanted */
    KS_TOOK_ACT,               /* act_id */
    KS_TOOK_PRINT,             /* print_wanted */
} ks_staff_took;
void ks_app_staff_took(struct ks_app *app, ks_staff_took what);

/* Schedule and wall clock: set at start, then the time on every update. */
void ks_app_staff_schedule(struct ks_app *app, const ks_schedule *sched);
void ks_app_staff_clock(struct ks_app *app, int64_t wall_s, int day_min);
/* Whether minute m lies in [from, to), a window that may cross midnight;
 * from == to is empty, except 0..1440 (all day). */
bool ks_schedule_in(int from, int to, int m);
/* "HH:MM" (00:00–24:00) to minutes; -1 when malformed. */
int ks_schedule_parse(const char *hhmm);

/* For ks_app.c: session end (wipes everything of this visit; a helper
 * session ends), tick (true when a blocking screen — out of service,
 * closed — is up and nothing else should run), the next deadline, and
 * back (true when it was handled here). */
void ks_app_staff_session_end(struct ks_app *app);
bool ks_app_staff_tick(struct ks_app *app, uint64_t now_ms);
uint32_t ks_app_staff_deadline_ms(const struct ks_app *app, uint64_t now_ms);
bool ks_app_staff_back(struct ks_app *app);

#endif
