/* scr_staff.c — the staff screens a citizen may see: the sign-in of a
 * helper or a technician (staff number, PIN on a keypad, or a scanned
 * badge), a helper's list of open help calls with 前往 (ack) and 关闭
 * (close), the out-of-service and closed screens, and the night-dimmed
 * idle screen. Shared with scr_tech.c: scr_staff_button, scr_staff_input. */
#include "scr.h"
#include "scr_staff.h"

#include <stdio.h>
#include <string.h>

ui_widget *scr_staff_button(scr_flow *f, const char *text, ui_tap_fn fn, int tag, bool primary)
{
    ui_widget *b = scr_flow_add(f, UI_BUTTON, text, f->env->ui->unit * 3 / 4);
    if (b) {
        b->align = UI_ALIGN_CENTER;
        b->on_tap = fn;
        b->ud = f->env;
        b->tag = tag;
        if (primary) {
            b->bg = SCR_COLOR_PRIMARY;
            b->fg = 0xFFFFFF;
        }
    }
    return b;
}

static void scr_staff_on_edit(void *ud, const char *text);

/* The field's tag is its ks_sin; the edit callback finds it through the
 * state's focus (only the focused field takes text). */
static void scr_staff_on_field(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app_staff_focus(env->app, (ks_sin)tag);
}

static void scr_staff_on_edit(void *ud, const char *text)
{
    scr_env *env = ud;
    ks_app_staff_edit(env->app, env->app->staff.focus, text);
}

ui_widget *scr_staff_input(scr_flow *f, ks_sin which, const char *label, const char *hint,
                           bool secret)
{
    scr_env *env = f->env;
    const ks_app_staff *st = &env->app->staff;
    int u = env->ui->unit;
    ui_widget *l = scr_flow_add(f, UI_LABEL, label, u * 3 / 4);
    if (l) {                       /* the label focuses its field too */
        l->on_tap = scr_staff_on_field;
        l->ud = env;
        l->tag = (int)which;
    }
    char shown[KS_SIN_TEXT_MAX];
    if (secret) {
        size_t n = strlen(st->text[which]);
        size_t k = 0;
        for (; k < n && k * 3 + 4 < sizeof shown; k++)
            memcpy(shown + k * 3, "●", 3);
        shown[k * 3] = '\0';
    } else {
        snprintf(shown, sizeof shown, "%s", st->text[which]);
    }
    int fh = ui_line_height(env->ui, u) + u;
    ui_widget *w = ui_scene_add_field(env->scene, env->ui, (SDL_Rect){ f->x, f->y, f->w, fh },
                                      shown, hint, u, scr_staff_on_edit, env);
    if (w) {
        w->in_scroll = true;
        w->on_tap = scr_staff_on_field;
        w->tag = (int)which;
        if (st->focus == which)
            ui_scene_focus(env->scene, w);
        f->y += fh + f->gap;
    }
    qf_wipe(shown, sizeof shown);
    return w;
}

/* ---- sign-in ---------------------------------------------------------------- */

static void scr_login_on_submit(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_login_submit(env->app, env->now_ms);
}

/* The keypad: digits and ⌫ (tag 10) into the focused input. */
static void scr_login_on_key(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app *app = env->app;
    if (app->staff.focus == KS_SIN_NONE)
        ks_app_staff_focus(app, KS_SIN_PIN);
    if (tag == 10) {
        ks_app_staff_edit(app, app->staff.focus, NULL);
    } else {
        char d[2] = { (char)('0' + tag), '\0' };
        ks_app_staff_edit(app, app->staff.focus, d);
    }
}

static void scr_keypad(scr_env *env, scr_flow *f)
{
    int u = env->ui->unit;
    int cols = 4, gap = u / 3;
    int bw = (f->w - (cols - 1) * gap) / cols, bh = 2 * u + u / 2;
    static const char *const labels[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "⌫" };
    for (int i = 0; i < 11; i++) {
        int tag = i < 9 ? i + 1 : i == 9 ? 0 : 10;
        SDL_Rect r = { f->x + (i % cols) * (bw + gap), f->y + (i / cols) * (bh + gap), bw, bh };
        ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON, r, labels[i], u);
        if (!b)
            continue;
        b->in_scroll = true;
        b->align = UI_ALIGN_CENTER;
        b->on_tap = scr_login_on_key;
        b->ud = env;
        b->tag = tag;
        b->rect.h = bh;
    }
    f->y += 3 * (bh + gap) + gap;
}

void scr_staff_login_build(scr_env *env)
{
    ks_app *app = env->app;
    const ks_app_staff *st = &app->staff;
    char buf[512];
    bool tech = st->login_role == KS_ROLE_TECH;
    int top = scr_header(env, tech ? scr_tr(env, "运维登录", "Maintenance sign-in", buf, sizeof buf)
                                   : scr_tr(env, "工作人员登录", "Staff sign-in", buf, sizeof buf),
                         true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    int u = env->ui->unit;
    ui_widget *w = scr_flow_add(&f, UI_LABEL,
                                tech ? scr_tr(env, "请输入技术员工号和密码", "Technician number and PIN",
                                              buf, sizeof buf)
                                     : scr_tr(env, "请输入工号和密码，或扫描工作证",
                                              "Staff number and PIN, or scan your badge", buf,
                                              sizeof buf),
                                u * 3 / 4);
    if (w)
        w->fg = SCR_COLOR_MUTED;
    scr_staff_input(&f, KS_SIN_ID, "工号 Staff number", "", false);
    scr_staff_input(&f, KS_SIN_PIN, "密码 PIN", "", true);
    const char *status = NULL;
    if (st->login == KS_LOGIN_WAIT || st->login == KS_LOGIN_ASK || st->login == KS_LOGIN_VERIFY)
        status = "正在验证… / Checking…";
    else if (st->message[0])
        status = st->message;
    if (status) {
        w = scr_flow_add(&f, UI_LABEL, status, u * 3 / 4);
        if (w && st->login != KS_LOGIN_WAIT)
            w->fg = 0xB3261E;
    }
    scr_staff_button(&f, scr_tr(env, "登录", "Sign in", buf, sizeof buf), scr_login_on_submit, 0,
                     true);
    scr_keypad(env, &f);
    scr_flow_end(&f);
}

/* ---- the helper's list of calls -------------------------------------------------- */

static void scr_calls_on_refresh(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_calls_refresh(env->app);
}

/* tag: index * 2 + (1 = close, 0 = ack). */
static void scr_calls_on_act(void *ud, int tag)
{
    scr_env *env = ud;
    size_t i = (size_t)(tag / 2);
    if (i < env->app->staff.calls_count)
        ks_app_staff_call_act(env->app, env->app->staff.calls[i].id, tag % 2 == 1);
}

void scr_help_calls_build(scr_env *env)
{
    const ks_app_staff *st = &env->app->staff;
    char buf[512], line[512];
    int u = env->ui->unit;
    int top = scr_header(env, scr_tr(env, "呼叫列表", "Help calls", buf, sizeof buf), true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    scr_staff_button(&f, scr_tr(env, "刷新", "Refresh", buf, sizeof buf), scr_calls_on_refresh, 0,
                     false);
    if (st->list_error[0]) {
        ui_widget *w = scr_flow_add(&f, UI_LABEL, st->list_error, u * 3 / 4);
        if (w)
            w->fg = 0xB3261E;
    }
    if (!st->list_loaded)
        scr_flow_add(&f, UI_LABEL, "正在加载… / Loading…", u * 3 / 4);
    else if (st->calls_count == 0)
        scr_flow_add(&f, UI_LABEL, scr_tr(env, "暂无待处理的呼叫", "No open calls", buf, sizeof buf),
                     u * 3 / 4);
    for (size_t i = 0; i < st->calls_count; i++) {
        const ks_help_row *c = &st->calls[i];
        bool acked = strcmp(c->state, "acknowledged") == 0;
        snprintf(line, sizeof line, "#%lld %s · %s · %ld 秒前%s", (long long)c->id,
                 c->where[0] ? c->where : "?", c->screen, c->age_s, acked ? " · 已响应" : "");
        scr_flow_add(&f, UI_LABEL, line, u * 3 / 4);
        if (!acked)
            scr_staff_button(&f, scr_tr(env, "前往处理", "On my way", buf, sizeof buf),
                             scr_calls_on_act, (int)i * 2, true);
        scr_staff_button(&f, scr_tr(env, "关闭呼叫", "Close call", buf, sizeof buf),
                         scr_calls_on_act, (int)i * 2 + 1, false);
    }
    scr_flow_end(&f);
}

/* ---- blocking screens ------------------------------------------------------------- */

static void scr_blocking(scr_env *env, const char *title, const char *body)
{
    int u = env->ui->unit;
    env->scene->bg = 0x3A3F47;
    env->scene->view = (SDL_Rect){ 0, 0, 0, 0 };
    int y = env->h / 4;
    ui_widget *w = ui_scene_add(env->scene, env->ui, UI_LABEL, (SDL_Rect){ u, y, env->w - 2 * u, 0 },
                                title, u * 2);
    if (w) {
        w->bg = 0;
        w->fg = 0xFFFFFF;
        w->align = UI_ALIGN_CENTER;
        y += w->rect.h + 2 * u;
    }
    w = ui_scene_add(env->scene, env->ui, UI_LABEL, (SDL_Rect){ u, y, env->w - 2 * u, 0 }, body, u);
    if (w) {
        w->bg = 0;
        w->fg = 0xDDE6F5;
        w->align = UI_ALIGN_CENTER;
    }
}

void scr_out_of_service_build(scr_env *env)
{
    const ks_app_staff *st = &env->app->staff;
    char until[40] = "", body[400];
    if (st->oos_to) {
        /* Shanghai wall time of the window's end. */
        qf_instant t = (qf_instant)st->oos_to;
        int64_t sod = t - qf_day_at(qf_instant_day(t), 0, 0);
        snprintf(until, sizeof until, "%02d:%02d", (int)(sod / 3600), (int)(sod / 60 % 60));
    }
    snprintf(body, sizeof body,
             "设备维护中，预计 %s 恢复。请使用其他终端或前往服务窗口。\nUnder maintenance until %s. "
             "Please use another terminal or a service window.",
             until, until);
    scr_blocking(env, "暂停服务\nOut of service", body);
}

void scr_closed_build(scr_env *env)
{
    const ks_schedule *s = &env->app->staff.sched;
    char body[400];
    snprintf(body, sizeof body, "开放时间 %02d:%02d–%02d:%02d\nOpening hours %02d:%02d–%02d:%02d",
             s->open_min / 60, s->open_min % 60, s->close_min / 60, s->close_min % 60,
             s->open_min / 60, s->open_min % 60, s->close_min / 60, s->close_min % 60);
    scr_blocking(env, "暂停服务\nClosed", body);
}

/* The idle screen, darker at night: the same screen with every colour at
 * a third of its brightness. */
void scr_idle_sched_build(scr_env *env)
{
    scr_idle_build(env);
    if (!env->app->staff.dim)
        return;
    ui_scene *sc = env->scene;
#define SCR_DIM(c) ((((c) >> 16 & 0xFF) / 3) << 16 | (((c) >> 8 & 0xFF) / 3) << 8 | ((c)&0xFF) / 3)
    sc->bg = SCR_DIM(sc->bg);
    for (size_t i = 0; i < sc->count; i++) {
        sc->w[i].fg = SCR_DIM(sc->w[i].fg);
        if (sc->w[i].bg)
            sc->w[i].bg = SCR_DIM(sc->w[i].bg);
    }
#undef SCR_DIM
}
