/* scr_common.c — what every screen shares: the bilingual string helper, the
 * header bar with its back button, the vertical flow layout through the
 * scroll view, and what goes over any screen: the idle countdown dialog and
 * the toast. */
#include "scr.h"

#include <stdio.h>
#include <string.h>

const char *scr_tr(const scr_env *env, const char *zh, const char *en, char *buf, size_t len)
{
    if (!en || !*en)
        snprintf(buf, len, "%s", zh);
    else if (env->app->english)
        snprintf(buf, len, "%s\n%s", en, zh);
    else
        snprintf(buf, len, "%s\n%s", zh, en);
    return buf;
}

static void scr_on_back(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_back(env->app);
}

/* The high-contrast theme (black / white / yellow) is a draw-time switch of
 * the ui context: nothing is rebuilt, the tap's redraw shows it. */
static void scr_on_contrast(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    env->ui->high_contrast = !env->ui->high_contrast;
}

/* ---- the staff corner of the header (ks_app_staff.h) ------------------------
 * On the citizens' screens: 呼叫帮办 and a small 工作人员 entry for helpers,
 * left of the contrast toggle; under the bar, a strip when a helper is
 * signed in (who, 呼叫列表, 退出) or a help call is under way. */
static bool scr_staff_screen(ks_screen s)
{
    return s == KS_SCREEN_STAFF_LOGIN || s == KS_SCREEN_TECH || s == KS_SCREEN_DIAG ||
           s == KS_SCREEN_INSPECT || s == KS_SCREEN_NOTICE || s == KS_SCREEN_HELP_CALLS;
}

static void scr_on_help(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_help_call(env->app, scr_get(ks_app_screen(env->app))->name);
}

static void scr_on_staff(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    if (env->app->staff.helper)
        ks_app_staff_calls_open(env->app);
    else
        ks_app_staff_login_open(env->app, KS_ROLE_HELPER, env->now_ms);
}

static void scr_on_staff_strip(void *ud, int tag)
{
    scr_env *env = ud;
    if (tag == 0)
        ks_app_staff_helper_logout(env->app);
    else if (tag == 1)
        ks_app_staff_calls_open(env->app);
    else
        ks_app_staff_help_dismiss(env->app);
}

static ui_widget *scr_strip_button(scr_env *env, int x, int y, int w, int h, const char *text,
                                   int tag)
{
    ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON, (SDL_Rect){ x, y, w, h }, text,
                                env->ui->unit / 2);
    if (b) {
        b->rect.h = h;
        b->align = UI_ALIGN_CENTER;
        b->on_tap = scr_on_staff_strip;
        b->ud = env;
        b->tag = tag;
    }
    return b;
}

/* The strip under the bar at y; returns its height (0 when nothing shows). */
static int scr_staff_strip(scr_env *env, int y)
{
    const ks_app_staff *st = &env->app->staff;
    int u = env->ui->unit;
    char text[600], buf[300];
    const char *msg = NULL;
    int buttons = 0;
    bool dismiss = false;
    switch (st->help) {
    case KS_HELP_ASK:
    case KS_HELP_WAIT:
    case KS_HELP_OPEN:
        msg = scr_tr(env, "已呼叫帮办，请稍候", "A helper has been called", buf, sizeof buf);
        break;
    case KS_HELP_COMING:
        msg = scr_tr(env, "帮办人员正在赶来", "A helper is on the way", buf, sizeof buf);
        break;
    case KS_HELP_CLOSED:
        msg = scr_tr(env, "呼叫已结束", "The call has ended", buf, sizeof buf);
        dismiss = true;
        break;
    case KS_HELP_FAILED:
        snprintf(text, sizeof text, "呼叫失败，请到服务窗口求助 / Call failed (%s)", st->help_error);
        msg = text;
        dismiss = true;
        break;
    case KS_HELP_NONE:
        break;
    }
    if (st->helper) {              /* the helper bar, with the call's state if any */
        char call[300];
        snprintf(call, sizeof call, "%.290s", msg ? msg : "");
        snprintf(text, sizeof text, "帮办 Helper: %s%s%.200s", st->helper_name, msg ? " · " : "",
                 call);
        msg = text;
        buttons = 2;
    } else if (dismiss) {
        buttons = 1;
    }
    if (!msg)
        return 0;
    int h = 2 * u, bw = 4 * u;
    ui_widget *bar = ui_scene_add(env->scene, env->ui, UI_LABEL, (SDL_Rect){ 0, y, env->w, h },
                                  msg, u * 3 / 4);
    if (bar) {
        bar->rect.h = h;
        bar->bg = st->help == KS_HELP_COMING ? 0x2E7D32 : 0xFFF4CE;
        bar->fg = st->help == KS_HELP_COMING ? 0xFFFFFF : 0x1E2630;
        bar->pad = u / 2;
    }
    int x = env->w - u / 4;
    if (buttons == 2) {
        x -= bw;
        scr_strip_button(env, x, y + u / 4, bw, h - u / 2,
                         scr_tr(env, "退出", "Sign out", buf, sizeof buf), 0);
        x -= bw + u / 4;
        scr_strip_button(env, x, y + u / 4, bw, h - u / 2,
                         scr_tr(env, "呼叫列表", "Calls", buf, sizeof buf), 1);
    } else if (buttons == 1) {
        x -= bw;
        scr_strip_button(env, x, y + u / 4, bw, h - u / 2,
                         scr_tr(env, "知道了", "OK", buf, sizeof buf), 2);
    }
    return h;
}

int scr_header(scr_env *env, const char *title, bool back)
{
    int u = env->ui->unit;
    char buf[256];
    int bw = back ? 5 * u : 0;
    int px = u * 5 / 4;
    bool offline = env->app->server && !env->app->online;
    int mark_w = offline ? 4 * u : 0;
    int hc_w = 5 * u;              /* the contrast toggle, right of the title */
    bool citizen = !scr_staff_screen(ks_app_screen(env->app));
    int help_w = citizen ? 5 * u : 0, staff_w = citizen ? 3 * u : 0;
    /* The bar first (drawn first), then the title, whose height sets the
     * bar's; the back button matches it. */
    ui_widget *bar = ui_scene_add(env->scene, env->ui, UI_LABEL, (SDL_Rect){ 0, 0, env->w, 1 }, "",
                                  px);
    ui_widget *t = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                (SDL_Rect){ bw + u, u / 2,
                                            env->w - bw - 2 * u - mark_w - hc_w - help_w - staff_w,
                                            0 },
                                title,
                                px);
    int h = t ? t->rect.h + u : 2 * u;
    if (t) {
        t->fg = 0xFFFFFF;
        t->bg = 0;                 /* transparent over the bar */
    }
    if (bar) {
        bar->rect.h = h;
        bar->bg = SCR_COLOR_HEADER;
    }
    if (offline) {
        /* A quiet mark: the kiosk works from its cache meanwhile. */
        ui_widget *m = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                    (SDL_Rect){ env->w - mark_w - u / 2, u / 2, mark_w, 0 },
                                    "离线\nOffline", u / 2);
        if (m) {
            m->bg = 0;
            m->fg = 0xC8D3E6;
            m->align = UI_ALIGN_CENTER;
        }
    }
    ui_widget *hc = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                 (SDL_Rect){ env->w - mark_w - hc_w - u / 4, u / 4, hc_w, h - u / 2 },
                                 scr_tr(env, "高对比", "Contrast", buf, sizeof buf), u / 2);
    if (hc) {
        hc->align = UI_ALIGN_CENTER;
        hc->on_tap = scr_on_contrast;
        hc->ud = env;
    }
    if (citizen) {
        int x = env->w - mark_w - hc_w - u / 4 - help_w - staff_w;
        ui_widget *sb = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                     (SDL_Rect){ x, u / 4, staff_w - u / 4, h - u / 2 },
                                     env->app->staff.helper ? "呼叫列表" : "工作人员", u / 3);
        if (sb) {
            sb->rect.h = h - u / 2;
            sb->align = UI_ALIGN_CENTER;
            sb->bg = SCR_COLOR_HEADER;   /* discreet: the bar's own colour */
            sb->fg = 0x9FB3D1;
            sb->on_tap = scr_on_staff;
            sb->ud = env;
        }
        ui_widget *hb = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                     (SDL_Rect){ x + staff_w, u / 4, help_w - u / 4, h - u / 2 },
                                     scr_tr(env, "呼叫帮办", "Call a helper", buf, sizeof buf),
                                     u / 2);
        if (hb) {
            hb->rect.h = h - u / 2;
            hb->align = UI_ALIGN_CENTER;
            hb->bg = 0xF2A900;
            hb->fg = 0x1E2630;
            hb->on_tap = scr_on_help;
            hb->ud = env;
        }
    }
    int bar_h = h;
    h += scr_staff_strip(env, h);
    if (back) {
        ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                    (SDL_Rect){ u / 4, u / 4, bw, bar_h - u / 2 },
                                    scr_tr(env, "返回", "Back", buf, sizeof buf), u * 3 / 4);
        if (b) {
            b->align = UI_ALIGN_CENTER;
            b->on_tap = scr_on_back;
            b->ud = env;
        }
    }
    return h;
}

void scr_flow_begin(scr_flow *f, scr_env *env, int top)
{
    int u = env->ui->unit;
    f->env = env;
    f->x = u;
    f->y = u / 2;
    f->w = env->w - 2 * u;
    f->gap = u / 2;
    env->scene->view = (SDL_Rect){ 0, top, env->w, env->h - top };
}

ui_widget *scr_flow_add(scr_flow *f, ui_role role, const char *text, int px)
{
    ui_widget *w = ui_scene_add(f->env->scene, f->env->ui, role, (SDL_Rect){ f->x, f->y, f->w, 0 },
                                text, px);
    if (!w)
        return NULL;
    w->in_scroll = true;
    if (role == UI_LABEL)
        w->bg = 0;
    f->y += w->rect.h + f->gap;
    return w;
}

void scr_flow_end(scr_flow *f)
{
    ui_scene_set_view(f->env->scene, f->env->scene->view, f->y + f->env->ui->unit);
}

static void scr_on_continue(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_activity(env->app, env->now_ms);
}

/* Where the toast's box (w x h, centred) may sit: low on the screen, moved
 * up past anything that takes a tap as the scene stands now (it takes
 * none itself, so a tap on it would still work, but a finger should see
 * its target). No free place in the lower half: the bottom after all. */
static int scr_toast_y(const scr_env *env, int w, int h)
{
    const ui_scene *sc = env->scene;
    int u = env->ui->unit, bottom = env->h - h - u;
    SDL_Rect box = { (env->w - w) / 2, bottom, w, h };
    for (int moves = 0; moves < 16; moves++) {
        bool moved = false;
        for (size_t i = 0; i < sc->count; i++) {
            const ui_widget *o = &sc->w[i];
            if ((!o->on_tap && !o->on_edit) || !ui_widget_visible(sc, o, env->w, env->h))
                continue;
            SDL_Rect r = ui_widget_screen_rect(sc, o), hit;
            if (!SDL_IntersectRect(&box, &r, &hit))
                continue;
            box.y = r.y - h - u / 4;
            moved = true;
        }
        if (!moved)
            return box.y;
        if (box.y < env->h / 2)
            break;
    }
    return bottom;
}

/* The toast (ks_app_toast.c): a small dark box low on the screen, as wide
 * as its text (scr_toast_y). It takes no taps (UI_TOAST), so whatever it
 * overlaps still works. */
void scr_toast_build(scr_env *env)
{
    const ks_toast *t = &env->app->toast;
    if (!t->shown)
        return;
    int u = env->ui->unit, px = u * 5 / 8, pad = u / 2;
    char buf[2 * KS_TOAST_TEXT_MAX + 2];
    const char *text = scr_tr(env, t->zh, t->en, buf, sizeof buf);
    int tw = 0;
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        int lw = ui_text_width(env->ui, line, len, px);
        tw = lw > tw ? lw : tw;
        line += len + (line[len] == '\n');
    }
    int max_w = env->w - 4 * u;
    int w = tw + 2 * pad + 2 * UI_INK_MARGIN;
    if (w > max_w)
        w = max_w;
    ui_widget *toast = ui_scene_add(env->scene, env->ui, UI_TOAST,
                                    (SDL_Rect){ (env->w - w) / 2, 0, w, 0 }, text, px);
    if (!toast)
        return;
    toast->pad = pad;
    toast->rect.h = (int)toast->lines_count * ui_line_height(env->ui, px) + 2 * pad;
    toast->rect.y = scr_toast_y(env, w, toast->rect.h);
    toast->align = UI_ALIGN_CENTER;
    toast->fg = 0xFFFFFF;
    toast->bg = 0x2B2F36;
}

/* The idle countdown: a modal dialog with 继续使用. */
void scr_countdown_build(scr_env *env)
{
    ks_app *app = env->app;
    if (!app->countdown)
        return;
    int u = env->ui->unit;
    char zh[128], en[128], buf[300];
    snprintf(zh, sizeof zh, "长时间无操作，%d 秒后返回首页", app->countdown_left_s);
    snprintf(en, sizeof en, "No activity: returning to the start screen in %d s",
             app->countdown_left_s);
    int dw = env->w - 4 * u;
    ui_widget *panel = ui_scene_add(env->scene, env->ui, UI_DIALOG,
                                    (SDL_Rect){ 2 * u, 0, dw, 0 }, scr_tr(env, zh, en, buf, sizeof buf),
                                    u);
    if (!panel)
        return;
    panel->in_dialog = true;
    ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON, (SDL_Rect){ 2 * u + dw / 4, 0, dw / 2, 0 },
                                scr_tr(env, "继续使用", "Continue", buf, sizeof buf), u * 3 / 4);
    int bh = b ? b->rect.h : 0;
    int text_h = panel->rect.h;
    panel->rect.h = text_h + bh + panel->pad;
    panel->rect.y = (env->h - panel->rect.h) / 2;
    if (b) {
        b->rect.y = panel->rect.y + text_h;
        b->in_dialog = true;
        b->align = UI_ALIGN_CENTER;
        b->fg = 0xFFFFFF;
        b->bg = SCR_COLOR_PRIMARY;
        b->on_tap = scr_on_continue;
        b->ud = env;
    }
    env->scene->dialog = true;
}


