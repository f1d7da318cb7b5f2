/* ks_app_staff.c — the staff actions (see ks_app_staff.h): helper sign-in
 * and its session, help calls, maintenance mode with its local lock-out,
 * the inspection and notice forms and their JSON, the out-of-service
 * window and the daily schedule. Every action ends by telling the observer
 * (KS_CHANGE_STAFF, plus KS_CHANGE_SCREEN when the stack moved). Nothing
 * here draws, sleeps or does I/O. */
#include "ks_app.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "qf_clock.h"
#include "qf_mem.h"

static const struct {
    const char *code, *zh, *en;
} ks_checks[KS_CHECK__COUNT] = {
    [KS_CHECK_SCREEN] = { "screen", "显示屏", "Display" },
    [KS_CHECK_TOUCH] = { "touch", "触摸", "Touch" },
    [KS_CHECK_PRINTER] = { "printer", "打印机与纸张", "Printer and paper" },
    [KS_CHECK_SCANNER] = { "scanner", "扫码器", "Scanner" },
    [KS_CHECK_NETWORK] = { "network", "网络", "Network" },
    [KS_CHECK_CASING] = { "casing", "外壳与清洁", "Casing and cleanliness" },
    [KS_CHECK_POWER] = { "power", "开关机计划", "Power schedule" },
    [KS_CHECK_SOFTWARE] = { "software", "软件版本", "Software version" },
};

const char *ks_check_code(int check)
{
    return check >= 0 && check < KS_CHECK__COUNT ? ks_checks[check].code : "";
}

const char *ks_check_label(int check, bool english)
{
    if (check < 0 || check >= KS_CHECK__COUNT)
        return "";
    return english ? ks_checks[check].en : ks_checks[check].zh;
}

static void ks_staff_wipe_text(ks_app_staff *st, ks_sin f)
{
    qf_wipe(st->text[f], sizeof st->text[f]);
}

void ks_app_staff_init(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    st->focus = KS_SIN_NONE;
    st->sched = (ks_schedule){ 0, 1440, -1, -1, -1 };
    st->notice_duration_min = 30;
}

void ks_app_staff_focus(ks_app *app, ks_sin f)
{
    if (f < KS_SIN_NONE || f >= KS_SIN__COUNT)
        return;
    app->staff.focus = f;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

/* Per input: characters allowed (a staff id and a PIN are short ASCII). */
static size_t ks_sin_max_chars(ks_sin f)
{
    switch (f) {
    case KS_SIN_ID: return 64;
    case KS_SIN_PIN: return 64;
    case KS_SIN_INSPECTOR:
    case KS_SIN_UNIT: return 64;
    case KS_SIN_NOTES: return 300;
    case KS_SIN_REASON: return 300;
    default: return 0;
    }
}

static size_t ks_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void ks_app_staff_edit(ks_app *app, ks_sin f, const char *text)
{
    ks_app_staff *st = &app->staff;
    if (f < 0 || f >= KS_SIN__COUNT)
        return;
    char *t = st->text[f];
    size_t len = strlen(t);
    if (!text) {
        while (len > 0 && ((unsigned char)t[len - 1] & 0xC0) == 0x80)
            len--;
        if (len > 0)
            len--;
        t[len] = '\0';
    } else {
        bool ascii_only = f == KS_SIN_ID || f == KS_SIN_PIN;
        size_t chars = ks_utf8_chars(t), max = ks_sin_max_chars(f);
        for (const unsigned char *p = (const unsigned char *)text; *p && chars < max; p++) {
            if (*p < 0x20 || *p == 0x7F || (ascii_only && (*p >= 0x80 || *p == ' ')))
                continue;
            if (len + 1 >= KS_SIN_TEXT_MAX)
                break;
            t[len++] = (char)*p;
            if ((*p & 0xC0) != 0x80)
                chars++;
        }
        /* A multi-byte character cut by the limit is dropped whole. */
        while (len > 0 && ((unsigned char)t[len - 1] & 0x80)) {
            size_t start = len - 1;
            while (start > 0 && ((unsigned char)t[start] & 0xC0) == 0x80)
                start--;
            unsigned char lead = (unsigned char)t[start];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (len - start >= need)
                break;
            len = start;
        }
        t[len] = '\0';
    }
    if (st->login == KS_LOGIN_REFUSED && (f == KS_SIN_ID || f == KS_SIN_PIN))
        st->login = KS_LOGIN_EDIT;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

/* ---- sign-in ------------------------------------------------------------- */

static bool ks_staff_locked(ks_app *app, uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    if (st->locked_until_ms && now_ms < st->locked_until_ms) {
        unsigned left = (unsigned)((st->locked_until_ms - now_ms + 999u) / 1000u);
        st->login = KS_LOGIN_LOCKED;
        snprintf(st->message, sizeof st->message,
                 "尝试次数过多，请 %u 秒后再试 / Too many attempts: try again in %u s", left, left);
        return true;
    }
    if (st->locked_until_ms) {     /* the lock has run out: a fresh start */
        st->locked_until_ms = 0;
        st->fails = 0;
        if (st->login == KS_LOGIN_LOCKED)
            st->login = KS_LOGIN_EDIT;
    }
    return false;
}

void ks_app_staff_login_open(ks_app *app, ks_staff_role role, uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    ks_staff_wipe_text(st, KS_SIN_ID);
    ks_staff_wipe_text(st, KS_SIN_PIN);
    qf_wipe(st->badge, sizeof st->badge);
    st->login_role = role;
    st->login = KS_LOGIN_EDIT;
    st->message[0] = '\0';
    st->focus = KS_SIN_ID;
    ks_staff_locked(app, now_ms);
    if (role == KS_ROLE_TECH) {
        /* Maintenance starts from the idle screen: a fresh visit. */
        app->last_activity_ms = now_ms;
        ks_app_reset_to(app, KS_SCREEN_STAFF_LOGIN);
    } else if (ks_app_screen(app) != KS_SCREEN_STAFF_LOGIN) {
        ks_app_push(app, KS_SCREEN_STAFF_LOGIN);
    }
    ks_app_notify(app, KS_CHANGE_STAFF | KS_CHANGE_SCREEN);
}

void ks_app_staff_login_submit(ks_app *app, uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    if (st->login == KS_LOGIN_ASK || st->login == KS_LOGIN_WAIT || st->login == KS_LOGIN_VERIFY)
        return;
    if (ks_staff_locked(app, now_ms)) {
        ks_app_notify(app, KS_CHANGE_STAFF);
        return;
    }
    if (!st->text[KS_SIN_ID][0] || !st->text[KS_SIN_PIN][0]) {
        st->login = KS_LOGIN_REFUSED;
        snprintf(st->message, sizeof st->message, "请输入工号和密码 / Enter your staff number and PIN");
        ks_app_notify(app, KS_CHANGE_STAFF);
        return;
    }
    st->badge[0] = '\0';
    st->login = KS_LOGIN_ASK;
    st->login_id++;
    st->message[0] = '\0';
    ks_app_notify(app, KS_CHANGE_STAFF);
}

bool ks_app_staff_badge(ks_app *app, const char *text, uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    static const char prefix[] = "QIFU-STAFF:";
    if (ks_app_screen(app) != KS_SCREEN_STAFF_LOGIN || st->login_role != KS_ROLE_HELPER ||
        strncmp(text, prefix, sizeof prefix - 1) != 0)
        return false;
    size_t n = strcspn(text, "\r\n");
    ks_staff_wipe_text(st, KS_SIN_ID);   /* the scanner typed it into the focused input */
    ks_staff_wipe_text(st, KS_SIN_PIN);
    if (ks_staff_locked(app, now_ms) || n >= sizeof st->badge) {
        if (n >= sizeof st->badge) {
            st->login = KS_LOGIN_REFUSED;
            snprintf(st->message, sizeof st->message, "无法识别的工作证 / Unreadable badge");
        }
        ks_app_notify(app, KS_CHANGE_STAFF);
        return true;
    }
    memcpy(st->badge, text, n);
    st->badge[n] = '\0';
    st->login = KS_LOGIN_ASK;
    st->login_id++;
    st->message[0] = '\0';
    ks_app_notify(app, KS_CHANGE_STAFF);
    return true;
}

void ks_app_staff_login_sent(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    if (st->login != KS_LOGIN_ASK)
        return;
    st->login = KS_LOGIN_WAIT;
    /* A technician's PIN is kept for the offline check until the answer. */
    if (st->login_role == KS_ROLE_HELPER)
        ks_staff_wipe_text(st, KS_SIN_PIN);
    qf_wipe(st->badge, sizeof st->badge);
    ks_app_notify(app, KS_CHANGE_STAFF);
}

static void ks_staff_failed(ks_app *app, uint64_t now_ms, const char *why)
{
    ks_app_staff *st = &app->staff;
    ks_staff_wipe_text(st, KS_SIN_PIN);
    st->fails++;
    st->login = KS_LOGIN_REFUSED;
    snprintf(st->message, sizeof st->message, "%s", why);
    st->focus = KS_SIN_PIN;
    if (st->fails >= KS_LOGIN_FAILS_MAX) {
        st->locked_until_ms = now_ms + KS_LOGIN_LOCK_MS;
        ks_staff_locked(app, now_ms);
    }
}

/* Signed in: the helper's session, or maintenance mode. */
static void ks_staff_signed_in(ks_app *app, const char *staff_id, const char *name)
{
    ks_app_staff *st = &app->staff;
    st->fails = 0;
    st->login = KS_LOGIN_EDIT;
    st->message[0] = '\0';
    st->focus = KS_SIN_NONE;
    ks_staff_wipe_text(st, KS_SIN_PIN);
    ks_staff_wipe_text(st, KS_SIN_ID);
    if (st->login_role == KS_ROLE_HELPER) {
        st->helper = true;
        snprintf(app->form.helper_id, sizeof app->form.helper_id, "%s", staff_id ? staff_id : "");
        snprintf(st->helper_name, sizeof st->helper_name, "%s",
                 name && *name ? name : app->form.helper_id);
        if (ks_app_screen(app) == KS_SCREEN_STAFF_LOGIN && app->depth > 1)
            app->depth--;          /* back where the helper started */
        if (ks_app_screen(app) == KS_SCREEN_IDLE)
            ks_app_push(app, KS_SCREEN_HOME);
    } else {
        st->tech = true;
        snprintf(st->tech_id, sizeof st->tech_id, "%s", staff_id ? staff_id : "");
        snprintf(st->tech_name, sizeof st->tech_name, "%s", name && *name ? name : st->tech_id);
        /* The inspector is usually the technician: pre-filled, editable. */
        snprintf(st->text[KS_SIN_INSPECTOR], sizeof st->text[0], "%s", st->tech_name);
        ks_app_reset_to(app, KS_SCREEN_TECH);
    }
}

void ks_app_staff_login_answer(ks_app *app, uint64_t login_id, ks_login_answer a,
                               const char *staff_id, const char *name, long retry_s,
                               uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    if (login_id != st->login_id || st->login != KS_LOGIN_WAIT ||
        ks_app_screen(app) != KS_SCREEN_STAFF_LOGIN)
        return;                    /* stale, or the visit ended meanwhile */
    switch (a) {
    case KS_ANSWER_OK:
        ks_staff_signed_in(app, staff_id, name);
        break;
    case KS_ANSWER_REFUSED:
        ks_staff_failed(app, now_ms, "工号或密码错误 / Wrong staff number or PIN");
        break;
    case KS_ANSWER_LOCKED:
        ks_staff_failed(app, now_ms, "账号已锁定 / Locked");
        st->login = KS_LOGIN_LOCKED;
        if (retry_s > 0) {
            uint64_t until = now_ms + (uint64_t)retry_s * 1000u;
            if (until > st->locked_until_ms)
                st->locked_until_ms = until;
        }
        ks_staff_locked(app, now_ms);
        break;
    case KS_ANSWER_ROLE:
        ks_staff_wipe_text(st, KS_SIN_PIN);
        st->login = KS_LOGIN_REFUSED;
        snprintf(st->message, sizeof st->message, "该账号无此权限 / Not allowed for this account");
        break;
    case KS_ANSWER_OFFLINE:
        if (st->login_role == KS_ROLE_TECH) {
            st->login = KS_LOGIN_VERIFY;   /* the runtime checks the stored hash */
        } else {
            ks_staff_wipe_text(st, KS_SIN_PIN);
            st->login = KS_LOGIN_REFUSED;
            snprintf(st->message, sizeof st->message,
                     "网络不可用，暂时无法登录 / Offline: cannot sign in now");
        }
        break;
    }
    ks_app_notify(app, KS_CHANGE_STAFF | KS_CHANGE_SCREEN | KS_CHANGE_FORM);
}

void ks_app_staff_tech_verified(ks_app *app, bool ok, bool known, uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    if (st->login != KS_LOGIN_VERIFY)
        return;
    if (ok) {
        char id[65];
        snprintf(id, sizeof id, "%.64s", st->text[KS_SIN_ID]);
        ks_staff_signed_in(app, id, id);
    } else if (!known) {
        ks_staff_wipe_text(st, KS_SIN_PIN);
        st->login = KS_LOGIN_REFUSED;
        snprintf(st->message, sizeof st->message,
                 "网络不可用，且本机无此工号的离线凭据 / Offline, and no offline credential "
                 "for this staff number here");
    } else {
        ks_staff_failed(app, now_ms, "工号或密码错误（离线校验）/ Wrong staff number or PIN "
                                     "(offline check)");
    }
    ks_app_notify(app, KS_CHANGE_STAFF | KS_CHANGE_SCREEN);
}

static void ks_staff_helper_clear(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    if (st->helper)
        st->logout_wanted = true;
    st->helper = false;
    qf_wipe(st->helper_name, sizeof st->helper_name);
    qf_wipe(app->form.helper_id, sizeof app->form.helper_id);
    st->calls_count = 0;
    st->list_loaded = st->list_wanted = false;
    st->act_id = 0;
}

void ks_app_staff_helper_logout(ks_app *app)
{
    ks_staff_helper_clear(app);
    if (ks_app_screen(app) == KS_SCREEN_HELP_CALLS && app->depth > 1)
        app->depth--;
    ks_app_notify(app, KS_CHANGE_STAFF | KS_CHANGE_SCREEN | KS_CHANGE_FORM);
}

bool ks_app_staff_corner_tap(ks_app *app, uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    if (st->corner_n == KS_CORNER_TAPS) {
        memmove(st->corner, st->corner + 1, (KS_CORNER_TAPS - 1) * sizeof st->corner[0]);
        st->corner_n--;
    }
    st->corner[st->corner_n++] = now_ms;
    if (st->corner_n < KS_CORNER_TAPS || now_ms - st->corner[0] > KS_CORNER_MS)
        return false;
    st->corner_n = 0;
    ks_app_staff_login_open(app, KS_ROLE_TECH, now_ms);
    return true;
}

/* ---- help calls ------------------------------------------------------------ */

void ks_app_staff_help_call(ks_app *app, const char *screen_name)
{
    ks_app_staff *st = &app->staff;
    if (st->help == KS_HELP_ASK || st->help == KS_HELP_WAIT || st->help == KS_HELP_OPEN ||
        st->help == KS_HELP_COMING)
        return;                    /* one call at a time (the daemon agrees) */
    snprintf(st->help_screen, sizeof st->help_screen, "%s", screen_name ? screen_name : "home");
    st->help = KS_HELP_ASK;
    st->help_error[0] = '\0';
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_help_sent(ks_app *app)
{
    if (app->staff.help != KS_HELP_ASK)
        return;
    app->staff.help = KS_HELP_WAIT;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_help_state(ks_app *app, int64_t id, const char *state, bool failed,
                             const char *why, uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    if (st->help == KS_HELP_NONE || st->help == KS_HELP_ASK)
        return;                    /* the visit ended: a late answer */
    if (st->help_id && id && id != st->help_id)
        return;
    if (failed) {
        if (st->help == KS_HELP_WAIT) {
            st->help = KS_HELP_FAILED;
            snprintf(st->help_error, sizeof st->help_error, "%s", why ? why : "");
        }                          /* a failed poll: the next one tries again */
        st->help_next_poll_ms = now_ms + KS_HELP_POLL_MS;
        ks_app_notify(app, KS_CHANGE_STAFF);
        return;
    }
    st->help_id = id;
    if (state && strcmp(state, "acknowledged") == 0)
        st->help = KS_HELP_COMING;
    else if (state && strcmp(state, "closed") == 0)
        st->help = KS_HELP_CLOSED;
    else
        st->help = KS_HELP_OPEN;
    st->help_next_poll_ms = now_ms + KS_HELP_POLL_MS;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_help_polled(ks_app *app)
{
    app->staff.help_poll_wanted = false;
}

void ks_app_staff_help_dismiss(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    if (st->help != KS_HELP_CLOSED && st->help != KS_HELP_FAILED)
        return;
    st->help = KS_HELP_NONE;
    st->help_id = 0;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_calls_open(ks_app *app)
{
    if (!app->staff.helper)
        return;
    if (ks_app_screen(app) != KS_SCREEN_HELP_CALLS)
        ks_app_push(app, KS_SCREEN_HELP_CALLS);
    app->staff.list_wanted = true;
    ks_app_notify(app, KS_CHANGE_STAFF | KS_CHANGE_SCREEN);
}

void ks_app_staff_calls_refresh(ks_app *app)
{
    if (!app->staff.helper)
        return;
    app->staff.list_wanted = true;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_calls_answer(ks_app *app, const ks_help_row *rows, size_t n, const char *why)
{
    ks_app_staff *st = &app->staff;
    if (!st->helper)
        return;
    st->list_loaded = true;
    snprintf(st->list_error, sizeof st->list_error, "%s", why ? why : "");
    if (!why || !*why) {
        st->calls_count = n < KS_HELP_LIST_MAX ? n : KS_HELP_LIST_MAX;
        if (st->calls_count)
            memcpy(st->calls, rows, st->calls_count * sizeof rows[0]);
    }
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_call_act(ks_app *app, int64_t id, bool close)
{
    if (!app->staff.helper || id <= 0)
        return;
    app->staff.act_id = id;
    app->staff.act_close = close;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

/* ---- maintenance mode ---------------------------------------------------------- */

void ks_app_staff_tech_open(ks_app *app, ks_screen s)
{
    ks_app_staff *st = &app->staff;
    if (!st->tech || (s != KS_SCREEN_DIAG && s != KS_SCREEN_INSPECT && s != KS_SCREEN_NOTICE))
        return;
    st->focus = KS_SIN_NONE;
    if (s == KS_SCREEN_DIAG) {
        st->diag = KS_DIAG_REPORT;
        st->report_wanted = true;
    } else if (s == KS_SCREEN_INSPECT) {
        if (st->inspect != KS_SUBMIT_WAIT && st->inspect != KS_SUBMIT_ASK)
            st->inspect = KS_SUBMIT_EDIT;
        st->inspect_message[0] = '\0';
    } else {
        if (st->notice != KS_SUBMIT_WAIT && st->notice != KS_SUBMIT_ASK)
            st->notice = KS_SUBMIT_EDIT;
        st->notice_message[0] = '\0';
        st->focus = KS_SIN_REASON;   /* the one thing to type */
    }
    ks_app_push(app, s);
    ks_app_notify(app, KS_CHANGE_STAFF | KS_CHANGE_SCREEN);
}

void ks_app_staff_tech_exit(ks_app *app)
{
    ks_app_session_end(app);
}

void ks_app_staff_diag_mode(ks_app *app, ks_diag_mode m)
{
    ks_app_staff *st = &app->staff;
    st->diag = m;
    st->colour = 0;
    memset(st->touch_hit, 0, sizeof st->touch_hit);
    memset(st->touch_err_px, 0, sizeof st->touch_err_px);
    if (m == KS_DIAG_REPORT)
        st->report_wanted = true;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_colour_next(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    if (++st->colour >= KS_DIAG_COLOURS) {
        ks_app_staff_diag_mode(app, KS_DIAG_REPORT);   /* the last colour's tap ends the check */
        return;
    }
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_touch_target(int i, int w, int h, int *cx, int *cy)
{
    int m = (w < h ? w : h) / 12;  /* the margin from the edges */
    switch (i) {
    case 0: *cx = m; *cy = m; break;
    case 1: *cx = w - m; *cy = m; break;
    case 2: *cx = m; *cy = h - m; break;
    case 3: *cx = w - m; *cy = h - m; break;
    default: *cx = w / 2; *cy = h / 2; break;
    }
}

void ks_app_staff_touch(ks_app *app, int x, int y, int w, int h)
{
    ks_app_staff *st = &app->staff;
    /* The nearest target not hit yet takes the tap. */
    int best = -1;
    long best_d = 0;
    for (int i = 0; i < KS_TOUCH_TARGETS; i++) {
        int cx, cy;
        if (st->touch_hit[i])
            continue;
        ks_touch_target(i, w, h, &cx, &cy);
        long d = (long)(x - cx) * (x - cx) + (long)(y - cy) * (y - cy);
        if (best < 0 || d < best_d) {
            best = i;
            best_d = d;
        }
    }
    if (best < 0)
        return;
    int r = 0;
    while ((long)(r + 1) * (r + 1) <= best_d)
        r++;
    st->touch_hit[best] = true;
    st->touch_err_px[best] = r;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_report_set(ks_app *app, const char *report)
{
    snprintf(app->staff.report, sizeof app->staff.report, "%s", report ? report : "");
    app->staff.report_wanted = false;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_print_test(ks_app *app)
{
    if (!app->staff.tech)
        return;
    app->staff.print_wanted = true;
    snprintf(app->staff.print_result, sizeof app->staff.print_result, "正在打印… / Printing…");
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_print_result(ks_app *app, const char *result)
{
    app->staff.print_wanted = false;
    snprintf(app->staff.print_result, sizeof app->staff.print_result, "%s", result ? result : "");
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_export(ks_app *app)
{
    if (!app->staff.tech)
        return;
    app->staff.export_wanted = true;
    app->staff.export_result[0] = '\0';
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_export_result(ks_app *app, const char *result)
{
    app->staff.export_wanted = false;
    snprintf(app->staff.export_result, sizeof app->staff.export_result, "%s",
             result ? result : "");
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_check_set(ks_app *app, int check, int value)
{
    if (check < 0 || check >= KS_CHECK__COUNT || value < 0 || value > 2)
        return;
    app->staff.checks[check] = value;
    if (app->staff.inspect == KS_SUBMIT_FAILED)
        app->staff.inspect = KS_SUBMIT_EDIT;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_inspect_submit(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    if (!st->tech || st->inspect == KS_SUBMIT_ASK || st->inspect == KS_SUBMIT_WAIT)
        return;
    for (int i = 0; i < KS_CHECK__COUNT; i++)
        if (st->checks[i] == 0) {
            st->inspect = KS_SUBMIT_FAILED;
            snprintf(st->inspect_message, sizeof st->inspect_message,
                     "请逐项选择通过或不通过：%s / Choose pass or fail for every check",
                     ks_check_label(i, false));
            ks_app_notify(app, KS_CHANGE_STAFF);
            return;
        }
    if (!st->text[KS_SIN_INSPECTOR][0] || ks_utf8_chars(st->text[KS_SIN_INSPECTOR]) > 64) {
        st->inspect = KS_SUBMIT_FAILED;
        snprintf(st->inspect_message, sizeof st->inspect_message,
                 "请填写巡检人姓名 / Enter the inspector's name");
        ks_app_notify(app, KS_CHANGE_STAFF);
        return;
    }
    st->inspect = KS_SUBMIT_ASK;
    st->inspect_message[0] = '\0';
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_notice_start(ks_app *app, int minutes)
{
    if (minutes < 0 || minutes > 7 * 24 * 60)
        return;
    app->staff.notice_start_min = minutes;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_notice_duration(ks_app *app, int minutes)
{
    if (minutes < 1 || minutes > 1440)
        return;
    app->staff.notice_duration_min = minutes;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_notice_submit(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    if (!st->tech || st->notice == KS_SUBMIT_ASK || st->notice == KS_SUBMIT_WAIT)
        return;
    if (!st->text[KS_SIN_REASON][0]) {
        st->notice = KS_SUBMIT_FAILED;
        snprintf(st->notice_message, sizeof st->notice_message,
                 "请填写维护内容 / Enter what will be done");
        ks_app_notify(app, KS_CHANGE_STAFF);
        return;
    }
    st->notice = KS_SUBMIT_ASK;
    st->notice_message[0] = '\0';
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_submit_sent(ks_app *app, ks_screen which)
{
    ks_submit_phase *p = which == KS_SCREEN_INSPECT ? &app->staff.inspect : &app->staff.notice;
    if (*p == KS_SUBMIT_ASK)
        *p = KS_SUBMIT_WAIT;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_submit_answer(ks_app *app, ks_screen which, ks_submit_phase phase,
                                const char *message)
{
    ks_app_staff *st = &app->staff;
    bool inspect = which == KS_SCREEN_INSPECT;
    ks_submit_phase *p = inspect ? &st->inspect : &st->notice;
    char *msg = inspect ? st->inspect_message : st->notice_message;
    if (*p != KS_SUBMIT_WAIT && *p != KS_SUBMIT_ASK)
        return;
    *p = phase;
    snprintf(msg, sizeof st->inspect_message, "%s", message ? message : "");
    if (inspect && (phase == KS_SUBMIT_DONE || phase == KS_SUBMIT_QUEUED)) {
        memset(st->checks, 0, sizeof st->checks);
        ks_staff_wipe_text(st, KS_SIN_NOTES);
    }
    if (!inspect && phase == KS_SUBMIT_DONE)
        ks_staff_wipe_text(st, KS_SIN_REASON);
    ks_app_notify(app, KS_CHANGE_STAFF);
}

void ks_app_staff_oos_window(ks_app *app, int64_t from_s, int64_t to_s)
{
    if (to_s <= from_s)
        return;
    app->staff.oos_from = from_s;
    app->staff.oos_to = to_s;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

qf_err ks_app_staff_inspect_body(const ks_app *app, char **out)
{
    const ks_app_staff *st = &app->staff;
    *out = NULL;
    json_t *checks = json_object();
    bool all_ok = true;
    for (int i = 0; checks && i < KS_CHECK__COUNT; i++) {
        all_ok = all_ok && st->checks[i] == 1;
        json_object_set_new(checks, ks_check_code(i), json_string(st->checks[i] == 1 ? "ok" : "fail"));
    }
    json_t *o = json_pack("{s:s, s:s, s:o*}", "inspector", st->text[KS_SIN_INSPECTOR], "result",
                          all_ok ? "pass" : "fail", "checks", checks);
    if (!o)
        return QF_ERR_NOMEM;
    if (st->text[KS_SIN_UNIT][0])
        json_object_set_new(o, "inspector_unit", json_string(st->text[KS_SIN_UNIT]));
    if (st->text[KS_SIN_NOTES][0])
        json_object_set_new(o, "notes", json_string(st->text[KS_SIN_NOTES]));
    *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return *out ? QF_OK : QF_ERR_NOMEM;
}

qf_err ks_app_staff_notice_body(const ks_app *app, int64_t now_s, char **out)
{
    const ks_app_staff *st = &app->staff;
    char at[40], reason[KS_SIN_TEXT_MAX + 256];
    *out = NULL;
    qf_clock_format_iso8601((qf_instant)(now_s + (int64_t)st->notice_start_min * 60), at,
                            sizeof at);
    /* Who files it travels in the reason: the device token is the caller. */
    snprintf(reason, sizeof reason, "%s（报备人 %s %s）", st->text[KS_SIN_REASON], st->tech_name,
             st->tech_id);
    json_t *o = json_pack("{s:s, s:s, s:i}", "reason", reason, "planned_at", at, "duration_min",
                          st->notice_duration_min);
    if (!o)
        return QF_ERR_NOMEM;
    *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return *out ? QF_OK : QF_ERR_NOMEM;
}

void ks_app_staff_took(ks_app *app, ks_staff_took what)
{
    ks_app_staff *st = &app->staff;
    switch (what) {
    case KS_TOOK_LOGOUT: st->logout_wanted = false; break;
    case KS_TOOK_LIST: st->list_wanted = false; break;
    case KS_TOOK_ACT: st->act_id = 0; break;
    case KS_TOOK_PRINT: st->print_wanted = false; break;
    }
}

/* ---- schedule -------------------------------------------------------------- */

void ks_app_staff_schedule(ks_app *app, const ks_schedule *sched)
{
    app->staff.sched = *sched;
    ks_app_notify(app, KS_CHANGE_STAFF);
}

bool ks_schedule_in(int from, int to, int m)
{
    if (from < 0 || to < 0)
        return false;
    if (from == 0 && to >= 1440)
        return true;
    if (from == to)
        return false;
    if (from < to)
        return m >= from && m < to;
    return m >= from || m < to;    /* across midnight */
}

int ks_schedule_parse(const char *s)
{
    if (!s || !(s[0] >= '0' && s[0] <= '9') || !(s[1] >= '0' && s[1] <= '9') || s[2] != ':' ||
        !(s[3] >= '0' && s[3] <= '9') || !(s[4] >= '0' && s[4] <= '9') || s[5])
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

void ks_app_staff_clock(ks_app *app, int64_t wall_s, int day_min)
{
    ks_app_staff *st = &app->staff;
    st->wall_s = wall_s;
    st->day_min = day_min;
    bool dim = ks_schedule_in(st->sched.dim_from, st->sched.dim_to, day_min);
    if (dim != st->dim) {
        st->dim = dim;
        ks_app_notify(app, KS_CHANGE_STAFF);
    }
}

/* The screen that blocks service now, or KS_SCREEN_IDLE when none does. */
static ks_screen ks_staff_blocker(const ks_app *app)
{
    const ks_app_staff *st = &app->staff;
    if (st->tech)
        return KS_SCREEN_IDLE;     /* the technician works through the window */
    if (st->oos_to && st->wall_s >= st->oos_from && st->wall_s < st->oos_to)
        return KS_SCREEN_OUT_OF_SERVICE;
    if (!ks_schedule_in(st->sched.open_min, st->sched.close_min, st->day_min))
        return KS_SCREEN_CLOSED;
    return KS_SCREEN_IDLE;
}

bool ks_app_staff_tick(ks_app *app, uint64_t now_ms)
{
    ks_app_staff *st = &app->staff;
    ks_screen here = ks_app_screen(app);
    /* Maintenance starts from the blocking screens too (the corner). */
    bool staff_login = here == KS_SCREEN_STAFF_LOGIN && st->login_role == KS_ROLE_TECH;
    ks_screen block = staff_login ? KS_SCREEN_IDLE : ks_staff_blocker(app);
    if (block != KS_SCREEN_IDLE) {
        if (here != block) {
            if (here != KS_SCREEN_IDLE && here != KS_SCREEN_OUT_OF_SERVICE &&
                here != KS_SCREEN_CLOSED)
                ks_app_session_end(app);   /* wipes the visit first */
            app->stack[0] = block;
            app->depth = 1;
            ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_STAFF);
        }
        return true;
    }
    if (here == KS_SCREEN_OUT_OF_SERVICE || here == KS_SCREEN_CLOSED) {
        ks_app_reset_to(app, KS_SCREEN_IDLE);
        ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_STAFF);
        return true;
    }
    if (st->sched.restart_min >= 0 && here == KS_SCREEN_IDLE && !st->restart_due &&
        now_ms >= KS_RESTART_MIN_UPTIME_MS) {
        int into = st->day_min - st->sched.restart_min;
        if (into < 0)
            into += 1440;
        if (into < KS_RESTART_WINDOW_MIN) {
            st->restart_due = true;
            ks_app_notify(app, KS_CHANGE_STAFF);
        }
    }
    if ((st->help == KS_HELP_OPEN || st->help == KS_HELP_COMING) && !st->help_poll_wanted &&
        now_ms >= st->help_next_poll_ms && st->help != KS_HELP_COMING) {
        st->help_poll_wanted = true;
        st->help_next_poll_ms = now_ms + KS_HELP_POLL_MS;
        ks_app_notify(app, KS_CHANGE_STAFF);
    }
    return false;
}

uint32_t ks_app_staff_deadline_ms(const ks_app *app, uint64_t now_ms)
{
    const ks_app_staff *st = &app->staff;
    if (st->help != KS_HELP_OPEN)
        return UINT32_MAX;
    return st->help_next_poll_ms > now_ms ? (uint32_t)(st->help_next_poll_ms - now_ms) : 0;
}

bool ks_app_staff_back(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    ks_screen here = ks_app_screen(app);
    if (here == KS_SCREEN_DIAG && st->diag != KS_DIAG_REPORT) {
        ks_app_staff_diag_mode(app, KS_DIAG_REPORT);   /* back ends a test first */
        return true;
    }
    if (here == KS_SCREEN_OUT_OF_SERVICE || here == KS_SCREEN_CLOSED)
        return true;
    if (here == KS_SCREEN_STAFF_LOGIN) {
        ks_staff_wipe_text(st, KS_SIN_PIN);
        qf_wipe(st->badge, sizeof st->badge);
        st->focus = KS_SIN_NONE;
        if (st->login == KS_LOGIN_ASK || st->login == KS_LOGIN_WAIT ||
            st->login == KS_LOGIN_VERIFY)
            st->login = KS_LOGIN_EDIT;   /* its answer arrives stale */
    }
    if (here == KS_SCREEN_INSPECT || here == KS_SCREEN_NOTICE)
        st->focus = KS_SIN_NONE;
    return false;
}

void ks_app_staff_session_end(ks_app *app)
{
    ks_app_staff *st = &app->staff;
    ks_staff_helper_clear(app);    /* form.helper_id was wiped by the caller already */
    for (int f = 0; f < KS_SIN__COUNT; f++)
        ks_staff_wipe_text(st, (ks_sin)f);
    qf_wipe(st->badge, sizeof st->badge);
    st->focus = KS_SIN_NONE;
    if (st->login != KS_LOGIN_LOCKED)
        st->login = KS_LOGIN_EDIT;
    st->login_id++;                /* an answer on its way is stale now */
    st->message[0] = '\0';
    st->help = KS_HELP_NONE;
    st->help_id = 0;
    st->help_poll_wanted = false;
    st->help_error[0] = '\0';
    st->tech = false;
    qf_wipe(st->tech_id, sizeof st->tech_id);
    qf_wipe(st->tech_name, sizeof st->tech_name);
    st->diag = KS_DIAG_REPORT;
    st->report[0] = '\0';
    st->report_wanted = st->print_wanted = st->export_wanted = false;
    st->print_result[0] = st->export_result[0] = '\0';
    memset(st->checks, 0, sizeof st->checks);
    if (st->inspect != KS_SUBMIT_WAIT)
        st->inspect = KS_SUBMIT_EDIT;
    if (st->notice != KS_SUBMIT_WAIT)
        st->notice = KS_SUBMIT_EDIT;
    st->inspect_message[0] = st->notice_message[0] = '\0';
    st->notice_start_min = 0;
    st->notice_duration_min = 30;
}
