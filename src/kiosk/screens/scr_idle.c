/* scr_idle.c — the attract screen: hall name, "点击屏幕开始办事", the
 * clock and the hotline. A tap anywhere starts a session. */
#include "scr.h"

#include <stdio.h>

#include "qf_clock.h"

#define SCR_HOTLINE "0571-85901890"

static void scr_idle_on_tap(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_session_start(env->app, env->now_ms);
}

void scr_idle_build(scr_env *env)
{
    int u = env->ui->unit;
    ui_scene *sc = env->scene;
    sc->bg = SCR_COLOR_HEADER;
    sc->view = (SDL_Rect){ 0, 0, 0, 0 };
    sc->on_background = scr_idle_on_tap;
    sc->background_ud = env;
    int y = env->h / 6;
    ui_widget *w = ui_scene_add(sc, env->ui, UI_LABEL, (SDL_Rect){ u, y, env->w - 2 * u, 0 },
                                env->hall_name, u * 3 / 2);
    if (w) {
        w->bg = 0;
        w->fg = 0xFFFFFF;
        w->align = UI_ALIGN_CENTER;
        y += w->rect.h + 2 * u;
    }
    /* The hall's clock is Shanghai time (UTC+8, no DST) whatever the host's
     * TZ says (QIFU_FAKE_NOW, when set, fixes the instant for tests). */
    char clock[32] = "";
    qf_instant t = qf_clock_now();
    int64_t sod = t - qf_day_at(qf_instant_day(t), 0, 0);
    snprintf(clock, sizeof clock, "%02d:%02d", (int)(sod / 3600), (int)(sod / 60 % 60));
    w = ui_scene_add(sc, env->ui, UI_LABEL, (SDL_Rect){ u, y, env->w - 2 * u, 0 }, clock, u * 3);
    if (w) {
        w->bg = 0;
        w->fg = 0xFFFFFF;
        w->align = UI_ALIGN_CENTER;
        y += w->rect.h + 3 * u;
    }
    w = ui_scene_add(sc, env->ui, UI_BUTTON, (SDL_Rect){ 3 * u, y, env->w - 6 * u, 0 },
                     "点击屏幕开始办事\nTap to start", u * 3 / 2);
    if (w) {
        w->bg = SCR_COLOR_PRIMARY;
        w->fg = 0xFFFFFF;
        w->align = UI_ALIGN_CENTER;
        w->pad = u;
        w->rect.h += 2 * u;
        w->on_tap = scr_idle_on_tap;
        w->ud = env;
    }
    w = ui_scene_add(sc, env->ui, UI_LABEL, (SDL_Rect){ u, env->h - 4 * u, env->w - 2 * u, 0 },
                     "服务热线 Hotline " SCR_HOTLINE, u);
    if (w) {
        w->bg = 0;
        w->fg = 0xDDE6F5;
        w->align = UI_ALIGN_CENTER;
    }
    if (!env->app->catalog) {
        w = ui_scene_add(sc, env->ui, UI_LABEL, (SDL_Rect){ u, env->h - 7 * u, env->w - 2 * u, 0 },
                         "目录暂不可用 Catalog not available yet", u * 3 / 4);
        if (w) {
            w->bg = 0;
            w->fg = 0xFFD27F;
            w->align = UI_ALIGN_CENTER;
        }
    }
}
