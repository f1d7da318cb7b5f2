/* scr_search.c — the search screen: a text field at the top (focused, so a
 * keyboard types straight into it), the live results below it (up to
 * KS_SEARCH_HITS_MAX rows, each with its kind and title, in the scroll
 * view), and at the bottom the on-screen keyboard (scr_keyboard.c), whose
 * keys edit the query like a physical keyboard does.
 *
 * Every edit is a ks_app action that recomputes the hits; the scene is then
 * rebuilt from the state. A tap on a hit opens it through ks_app (guide,
 * bundle, station, or an FAQ's answer in a dialog over the results).
 * Not here: the index or the matching (state/ks_search.c). */
#include "scr.h"

#include <stdio.h>

#define SCR_SEARCH_HINT "输入服务名称、拼音或首字母 Type a name, pinyin or initials"

static void scr_search_on_edit(void *ud, const char *text)
{
    scr_env *env = ud;
    if (text)
        ks_app_search_type(env->app, text);
    else
        ks_app_search_backspace(env->app);
}

static void scr_search_on_hit(void *ud, int tag)
{
    scr_env *env = ud;
    if (tag >= 0)
        ks_app_search_hit_open(env->app, (size_t)tag);
}

static void scr_search_on_faq_close(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_search_faq_close(env->app);
}

static const char *scr_search_kind(const scr_env *env, ks_hit_kind kind)
{
    bool en = env->app->english;
    switch (kind) {
    case KS_HIT_SERVICE: return en ? "Service 服务" : "服务 Service";
    case KS_HIT_STATION_ITEM: return en ? "Station 驿站" : "驿站 Station";
    case KS_HIT_BUNDLE: return en ? "Bundle 一类事" : "一类事 Bundle";
    case KS_HIT_FAQ: return en ? "FAQ 问答" : "问答 FAQ";
    }
    return "";
}

/* The FAQ answer as a dialog over the results, with a close button. */
static void scr_search_faq_dialog(scr_env *env, const qf_catalog_faq *faq)
{
    int u = env->ui->unit;
    char text[4096], buf[128];
    snprintf(text, sizeof text, "%s %s\n\n%s", env->app->english ? "Q:" : "问：", faq->q,
             faq->a ? faq->a : "");
    int dw = env->w - 2 * u;
    ui_widget *panel = ui_scene_add(env->scene, env->ui, UI_DIALOG, (SDL_Rect){ u, 0, dw, 0 },
                                    text, u * 3 / 4);
    if (!panel)
        return;
    panel->in_dialog = true;
    ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                (SDL_Rect){ u + dw / 4, 0, dw / 2, 0 },
                                scr_tr(env, "关闭", "Close", buf, sizeof buf), u * 3 / 4);
    int bh = b ? b->rect.h : 0;
    int text_h = panel->rect.h;
    int max_h = env->h - 2 * u;
    if (text_h + bh + panel->pad > max_h)
        text_h = max_h - bh - panel->pad;   /* a very long answer is cut */
    panel->rect.h = text_h + bh + panel->pad;
    panel->rect.y = (env->h - panel->rect.h) / 2;
    if (b) {
        b->rect.y = panel->rect.y + text_h;
        b->in_dialog = true;
        b->align = UI_ALIGN_CENTER;
        b->fg = 0xFFFFFF;
        b->bg = SCR_COLOR_PRIMARY;
        b->on_tap = scr_search_on_faq_close;
        b->ud = env;
    }
    env->scene->dialog = true;
}

void scr_search_build(scr_env *env)
{
    ks_app *app = env->app;
    const ks_app_search *s = &app->search;
    int u = env->ui->unit;
    char buf[1024];
    int top = scr_header(env, scr_tr(env, "搜索", "Search", buf, sizeof buf), true);

    /* The field, fixed under the header. */
    int fh = ui_line_height(env->ui, u) + u;
    ui_widget *field = ui_scene_add_field(env->scene, env->ui,
                                          (SDL_Rect){ u, top + u / 2, env->w - 2 * u, fh },
                                          s->query, SCR_SEARCH_HINT, u, scr_search_on_edit, env);
    ui_scene_focus(env->scene, field);
    top += u / 2 + fh + u / 2;

    /* The on-screen keyboard, letters first: pinyin and initials match as
     * typed (its 中/英 key switches to pinyin input for Chinese). */
    int kb_top = scr_keyboard_build(env);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    env->scene->view.h = kb_top - top;

    const char *status = NULL;
    if (!s->idx)
        status = scr_tr(env, "正在准备搜索…", "Preparing search…", buf, sizeof buf);
    else if (s->query[0] && s->hits_count == 0)
        status = scr_tr(env, "没有找到相关结果", "No results", buf, sizeof buf);
    else if (s->hits_count == KS_SEARCH_HITS_MAX) {
        char zh[64], en[64];
        snprintf(zh, sizeof zh, "前 %d 条结果", KS_SEARCH_HITS_MAX);
        snprintf(en, sizeof en, "First %d results", KS_SEARCH_HITS_MAX);
        status = scr_tr(env, zh, en, buf, sizeof buf);
    } else if (s->hits_count) {
        char zh[64], en[64];
        snprintf(zh, sizeof zh, "找到 %zu 条结果", s->hits_count);
        snprintf(en, sizeof en, "%zu result%s", s->hits_count, s->hits_count == 1 ? "" : "s");
        status = scr_tr(env, zh, en, buf, sizeof buf);
    }
    if (status) {
        ui_widget *w = scr_flow_add(&f, UI_LABEL, status, u * 3 / 4);
        if (w)
            w->fg = SCR_COLOR_MUTED;
    }

    int gap = f.gap;
    f.gap = 0;
    for (size_t i = 0; i < s->hits_count; i++) {
        const ks_hit *h = &s->hits[i];
        snprintf(buf, sizeof buf, "%s · %s", scr_search_kind(env, h->kind), h->title);
        ui_widget *w = scr_flow_add(&f, UI_ITEM, buf, u);
        if (w) {
            w->on_tap = scr_search_on_hit;
            w->ud = env;
            w->tag = (int)i;
        }
    }
    f.gap = gap;
    scr_flow_end(&f);

    const qf_catalog_faq *faq = ks_app_search_faq(app);
    if (faq)
        scr_search_faq_dialog(env, faq);
}
