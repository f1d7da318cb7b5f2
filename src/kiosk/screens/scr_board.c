/* scr_board.c — one board: its description and lead units, then its
 * services as a scrolling list, each with its provider mark (★ government,
 * ▲ market/enterprise, ● society) and frequency. A tap opens the guide. */
#include "scr.h"

#include <stdio.h>
#include <string.h>


const char *scr_provider_mark(qf_catalog_provider p)
{
    switch (p) {
    case QF_CATALOG_PROVIDER_GOVERNMENT: return "★";
    case QF_CATALOG_PROVIDER_MARKET:
    case QF_CATALOG_PROVIDER_ENTERPRISE: return "▲";
    case QF_CATALOG_PROVIDER_SOCIETY: return "●";
    default: return "";
    }
}

const char *scr_frequency_text(const scr_env *env, qf_catalog_frequency f)
{
    bool en = env->app->english;
    switch (f) {
    case QF_CATALOG_FREQUENCY_HIGH: return en ? "frequent" : "高频";
    case QF_CATALOG_FREQUENCY_MEDIUM: return en ? "regular" : "中频";
    case QF_CATALOG_FREQUENCY_LOW: return en ? "occasional" : "低频";
    default: return "";
    }
}

static void scr_board_on_service(void *ud, int tag)
{
    scr_env *env = ud;
    const qf_catalog *cat = env->app->catalog;
    if (cat && tag >= 0 && (size_t)tag < cat->services_count)
        ks_app_service_open(env->app, cat->services[tag].id);
}

void scr_board_build(scr_env *env)
{
    int u = env->ui->unit;
    char buf[1024];
    const qf_catalog_board *b = ks_app_board(env->app);
    const qf_catalog *cat = env->app->catalog;
    int top = scr_header(env, b ? (env->app->english && b->name_en ? b->name_en : b->name) : "",
                         true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    if (!b || !cat) {
        scr_flow_end(&f);
        return;
    }
    if (b->description)
        scr_flow_add(&f, UI_LABEL, b->description, u * 3 / 4);
    if (b->lead_units.count) {
        size_t off = (size_t)snprintf(buf, sizeof buf, "%s",
                                      env->app->english ? "Lead units: " : "牵头单位：");
        for (size_t i = 0; i < b->lead_units.count && off < sizeof buf; i++)
            off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s", i ? "、" : "",
                                    b->lead_units.items[i]);
        ui_widget *w = scr_flow_add(&f, UI_LABEL, buf, u * 3 / 4);
        if (w)
            w->fg = SCR_COLOR_MUTED;
    }
    ui_widget *legend = scr_flow_add(&f, UI_LABEL,
                                     env->app->english
                                         ? "★ government  ▲ market  ● society"
                                         : "★ 政府侧  ▲ 市场侧  ● 社会侧",
                                     u * 3 / 4);
    if (legend)
        legend->fg = SCR_COLOR_MUTED;
    int gap = f.gap;
    f.gap = 0;
    for (size_t i = 0; i < cat->services_count; i++) {
        const qf_catalog_service *s = &cat->services[i];
        if (!s->board || strcmp(s->board, b->id) != 0)
            continue;
        const char *freq = scr_frequency_text(env, s->frequency);
        snprintf(buf, sizeof buf, "%s %s%s%s", scr_provider_mark(s->provider),
                 s->category3 ? s->category3 : s->content, *freq ? " · " : "", freq);
        ui_widget *w = scr_flow_add(&f, UI_ITEM, buf, u);
        if (w) {
            w->on_tap = scr_board_on_service;
            w->ud = env;
            w->tag = (int)i;
        }
    }
    f.gap = gap;
    scr_flow_end(&f);
}
