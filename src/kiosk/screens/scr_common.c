/* scr_common.c — what every screen shares: the bilingual string helper, the
 * header bar with its back button, the vertical flow layout through the
 * scroll view, and the idle countdown dialog. */
#include "scr.h"

#include <stdio.h>

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

int scr_header(scr_env *env, const char *title, bool back)
{
    int u = env->ui->unit;
    char buf[256];
    int bw = back ? 5 * u : 0;
    int px = u * 5 / 4;
    bool offline = env->app->server && !env->app->online;
    int mark_w = offline ? 4 * u : 0;
    int hc_w = 5 * u;              /* the contrast toggle, right of the title */
    /* The bar first (drawn first), then the title, whose height sets the
     * bar's; the back button matches it. */
    ui_widget *bar = ui_scene_add(env->scene, env->ui, UI_LABEL, (SDL_Rect){ 0, 0, env->w, 1 }, "",
                                  px);
    ui_widget *t = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                (SDL_Rect){ bw + u, u / 2, env->w - bw - 2 * u - mark_w - hc_w, 0 },
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
    if (back) {
        ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                    (SDL_Rect){ u / 4, u / 4, bw, h - u / 2 },
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
