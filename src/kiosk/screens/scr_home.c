/* scr_home.c — the home screen: the large-text and language toggles, 取号
 * Take a ticket, 搜索 Search, the writing entries (我要提诉求, 办不成事,
 * 我的诉求进度), a row with "一类事" bundles and 产业驿站 industry
 * stations, then the catalog's boards as tiles (the eight boards and
 * 审批服务). */
#include "scr.h"

#include <stdio.h>

/* Three tiles a row; two in large-text mode so English words still fit. */
#define SCR_HOME_COLS 3
#define SCR_HOME_COLS_LARGE 2

static void scr_home_on_board(void *ud, int tag)
{
    scr_env *env = ud;
    const qf_catalog *cat = env->app->catalog;
    if (cat && tag >= 0 && (size_t)tag < cat->boards_count)
        ks_app_board_open(env->app, cat->boards[tag].id);
}

static void scr_home_on_large(void *ud, int tag)
{
    (void)tag;
    ks_app_large_text_toggle(((scr_env *)ud)->app);
}

static void scr_home_on_language(void *ud, int tag)
{
    (void)tag;
    ks_app_language_toggle(((scr_env *)ud)->app);
}

static void scr_home_on_bundles(void *ud, int tag)
{
    (void)tag;
    ks_app_bundles_open(((scr_env *)ud)->app);
}

static void scr_home_on_stations(void *ud, int tag)
{
    (void)tag;
    ks_app_stations_open(((scr_env *)ud)->app);
}

/* "一类事" bundles and industry stations: one row of two buttons at f->y. */
static void scr_home_browse_row(scr_flow *f)
{
    scr_env *env = f->env;
    char buf[128];
    int half = (f->w - f->gap) / 2;
    ui_widget *bu = ui_scene_add(env->scene, env->ui, UI_BUTTON, (SDL_Rect){ f->x, f->y, half, 0 },
                                 scr_tr(env, "一类事", "Bundles", buf, sizeof buf),
                                 env->ui->unit * 7 / 8);
    ui_widget *st = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                 (SDL_Rect){ f->x + half + f->gap, f->y, half, 0 },
                                 scr_tr(env, "产业驿站", "Stations", buf, sizeof buf),
                                 env->ui->unit * 7 / 8);
    if (!bu || !st)
        return;
    int h = bu->rect.h > st->rect.h ? bu->rect.h : st->rect.h;
    bu->rect.h = st->rect.h = h;
    bu->in_scroll = st->in_scroll = true;
    bu->align = st->align = UI_ALIGN_CENTER;
    bu->on_tap = scr_home_on_bundles;
    st->on_tap = scr_home_on_stations;
    bu->ud = st->ud = env;
    f->y += h + f->gap * 2;
}

static void scr_home_on_ticket(void *ud, int tag)
{
    (void)tag;
    ks_app_ticket_open(((scr_env *)ud)->app);
}

static void scr_home_on_search(void *ud, int tag)
{
    (void)tag;
    ks_app_search_open(((scr_env *)ud)->app);
}

static void scr_home_on_write(void *ud, int tag)
{
    scr_env *env = ud;
    if (tag == 2)
        ks_app_progress_open(env->app);
    else
        ks_app_form_open(env->app, tag == 1);
}

/* 我要提诉求 · 办不成事 · 我的诉求进度: one row of three buttons. */
static void scr_home_write_row(scr_flow *f)
{
    scr_env *env = f->env;
    char buf[160];
    static const char *const zh[] = { "我要提诉求", "办不成事", "我的诉求进度" };
    static const char *const en[] = { "Submit a request", "Can't get it done?", "My case progress" };
    int third = (f->w - 2 * f->gap) / 3;
    ui_widget *w[3];
    int h = 0;
    for (int i = 0; i < 3; i++) {
        w[i] = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                            (SDL_Rect){ f->x + i * (third + f->gap), f->y, third, 0 },
                            scr_tr(env, zh[i], en[i], buf, sizeof buf), env->ui->unit * 7 / 8);
        if (w[i] && w[i]->rect.h > h)
            h = w[i]->rect.h;
    }
    for (int i = 0; i < 3; i++) {
        if (!w[i])
            continue;
        w[i]->rect.h = h;
        w[i]->in_scroll = true;
        w[i]->align = UI_ALIGN_CENTER;
        w[i]->on_tap = scr_home_on_write;
        w[i]->ud = env;
        w[i]->tag = i;
        if (i < 2) {
            w[i]->bg = 0x0F7B6C;       /* the writing entries stand out from browsing */
            w[i]->fg = 0xFFFFFF;
        }
    }
    f->y += h + f->gap;
}

void scr_home_build(scr_env *env)
{
    int u = env->ui->unit;
    char buf[512];
    int top = scr_header(env, scr_tr(env, "请选择服务", "Choose a service", buf, sizeof buf), true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    /* The toggles come first, so they stay in reach whatever the text size. */
    int half = (f.w - f.gap) / 2;
    ui_widget *lt = ui_scene_add(env->scene, env->ui, UI_BUTTON, (SDL_Rect){ f.x, f.y, half, 0 },
                                 env->app->large_text
                                     ? scr_tr(env, "标准字体", "Standard text", buf, sizeof buf)
                                     : scr_tr(env, "大字模式", "Large text", buf, sizeof buf),
                                 u * 7 / 8);
    ui_widget *lg = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                 (SDL_Rect){ f.x + half + f.gap, f.y, half, 0 },
                                 env->app->english ? "中文\nChinese" : "English\n英文", u * 7 / 8);
    if (lt && lg) {
        int h = lt->rect.h > lg->rect.h ? lt->rect.h : lg->rect.h;
        lt->rect.h = lg->rect.h = h;
        lt->in_scroll = lg->in_scroll = true;
        lt->align = lg->align = UI_ALIGN_CENTER;
        lt->on_tap = scr_home_on_large;
        lg->on_tap = scr_home_on_language;
        lt->ud = lg->ud = env;
        f.y += h + f.gap * 2;
    }
    ui_widget *tk = scr_flow_add(&f, UI_BUTTON,
                                 scr_tr(env, "取号", "Take a ticket", buf, sizeof buf), u * 7 / 8);
    if (tk) {
        tk->align = UI_ALIGN_CENTER;
        tk->bg = SCR_COLOR_PRIMARY;
        tk->fg = 0xFFFFFF;
        tk->on_tap = scr_home_on_ticket;
        tk->ud = env;
    }
    ui_widget *se = scr_flow_add(&f, UI_BUTTON, scr_tr(env, "搜索", "Search", buf, sizeof buf),
                                 u * 7 / 8);
    if (se) {
        se->align = UI_ALIGN_CENTER;
        se->on_tap = scr_home_on_search;
        se->ud = env;
    }
    scr_home_write_row(&f);
    scr_home_browse_row(&f);
    const qf_catalog *cat = env->app->catalog;
    if (!cat || cat->boards_count == 0) {
        scr_flow_add(&f, UI_LABEL,
                     scr_tr(env, "服务目录暂不可用，请咨询工作人员。",
                            "The service catalog is not available yet; please ask the staff.", buf,
                            sizeof buf),
                     u);
    } else {
        int gap = u / 2;
        int cols = env->app->large_text ? SCR_HOME_COLS_LARGE : SCR_HOME_COLS;
        int tw = (f.w - gap * (cols - 1)) / cols;
        size_t row_start = 0;
        int row_h = 0;
        for (size_t i = 0; i < cat->boards_count; i++) {
            const qf_catalog_board *b = &cat->boards[i];
            int col = (int)(i % (size_t)cols);
            ui_widget *t = ui_scene_add(env->scene, env->ui, UI_TILE,
                                        (SDL_Rect){ f.x + col * (tw + gap), f.y, tw, 0 },
                                        scr_tr(env, b->name, b->name_en, buf, sizeof buf),
                                        u * 9 / 8);
            if (t) {
                t->in_scroll = true;
                t->pad = u * 3 / 4;
                t->rect.h += u;
                t->align = UI_ALIGN_CENTER;
                t->bg = SCR_COLOR_PRIMARY;
                t->fg = 0xFFFFFF;
                t->on_tap = scr_home_on_board;
                t->ud = env;
                t->tag = (int)i;
                if (t->rect.h > row_h)
                    row_h = t->rect.h;
            }
            if (col == cols - 1 || i + 1 == cat->boards_count) {
                /* One height per row: the tallest tile's. */
                for (size_t k = env->scene->count; k-- > 0;) {
                    ui_widget *w = &env->scene->w[k];
                    if (w->role != UI_TILE || w->tag < (int)row_start)
                        break;
                    w->rect.h = row_h;
                }
                f.y += row_h + gap;
                row_start = i + 1;
                row_h = 0;
            }
        }
    }
    scr_flow_end(&f);
}
