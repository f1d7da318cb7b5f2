/* scr_stations.c — the industry service stations (产业服务驿站): the list of
 * the catalog's stations with industry and address, and one station: its
 * address (and platform), the distinct contacts of its items (names with
 * their phones, as the catalog publishes them), and its services grouped by
 * category in catalog order, each with its provider mark (★ 政府 ▲ 企业
 * ● 社会). Everything flows through the scroll view.
 *
 * Not here: searching station items (scr_search.c), calling anyone. */
#include "scr.h"

#include <stdio.h>
#include <string.h>

/* A station lists at most this many distinct contacts and categories. */
#define SCR_STATION_CONTACTS_MAX 64
#define SCR_STATION_CATEGORIES_MAX 64

static void scr_stations_on_open(void *ud, int tag)
{
    scr_env *env = ud;
    const qf_catalog *cat = env->app->catalog;
    if (cat && tag >= 0 && (size_t)tag < cat->stations_count)
        ks_app_station_open(env->app, cat->stations[tag].id);
}

static void scr_stations_heading(scr_flow *f, const char *zh, const char *en)
{
    char buf[256];
    ui_widget *w = scr_flow_add(f, UI_LABEL, scr_tr(f->env, zh, en, buf, sizeof buf),
                                f->env->ui->unit * 7 / 8);
    if (w)
        w->fg = SCR_COLOR_PRIMARY;
}

static void scr_stations_text(scr_flow *f, const char *text)
{
    if (text && *text)
        scr_flow_add(f, UI_LABEL, text, f->env->ui->unit * 3 / 4);
}

void scr_stations_build(scr_env *env)
{
    int u = env->ui->unit;
    char buf[1024];
    int top = scr_header(env, scr_tr(env, "产业驿站", "Industry stations", buf, sizeof buf), true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    const qf_catalog *cat = env->app->catalog;
    if (!cat || cat->stations_count == 0) {
        scr_flow_add(&f, UI_LABEL,
                     scr_tr(env, "暂无产业驿站信息，请咨询工作人员。",
                            "No station information yet; please ask the staff.", buf, sizeof buf),
                     u);
        scr_flow_end(&f);
        return;
    }
    scr_stations_text(&f, scr_tr(env, "驿站就近为产业链企业提供政府、企业、社会三侧服务。",
                                 "Stations near each industry offer services of government, "
                                 "enterprises and society.",
                                 buf, sizeof buf));
    for (size_t i = 0; i < cat->stations_count; i++) {
        const qf_catalog_station *s = &cat->stations[i];
        snprintf(buf, sizeof buf, "%s\n%s%s · %s", s->name,
                 env->app->english ? "Industry: " : "产业：", s->industry ? s->industry : "",
                 s->address ? s->address : "");
        ui_widget *w = scr_flow_add(&f, UI_ITEM, buf, u * 7 / 8);
        if (w) {
            w->on_tap = scr_stations_on_open;
            w->ud = env;
            w->tag = (int)i;
        }
    }
    scr_flow_end(&f);
}

static bool scr_station_str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The station's contacts, each (name, phone) pair once, in catalog order. */
static size_t scr_station_contacts(const qf_catalog_station *s, const qf_catalog_contact **out,
                                   size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->items_count; i++)
        for (size_t c = 0; c < s->items[i].contacts_count; c++) {
            const qf_catalog_contact *ct = &s->items[i].contacts[c];
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = scr_station_str_eq(out[k]->name, ct->name) &&
                       scr_station_str_eq(out[k]->phone, ct->phone);
            if (!seen && n < max)
                out[n++] = ct;
        }
    return n;
}

/* One service as text on a white panel. A label, not a list row: nothing
 * opens from a station item, so it must not look tappable. */
static void scr_station_row(scr_flow *f, const char *text, int px)
{
    scr_env *env = f->env;
    int pad = env->ui->unit / 3;
    ui_widget *panel = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                    (SDL_Rect){ f->x, f->y, f->w, 1 }, "", px);
    ui_widget *t = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                (SDL_Rect){ f->x + pad, f->y + pad, f->w - 2 * pad, 0 }, text, px);
    if (!panel || !t)
        return;
    panel->in_scroll = t->in_scroll = true;
    panel->bg = 0xFFFFFF;
    panel->rect.h = t->rect.h + 2 * pad;
    t->bg = 0;
    f->y += panel->rect.h + 2;
}

void scr_station_build(scr_env *env)
{
    int u = env->ui->unit;
    char buf[4096];
    const qf_catalog_station *s = ks_app_station(env->app);
    int top = scr_header(env, s ? s->name : "", true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    if (!s) {
        scr_flow_end(&f);
        return;
    }
    if (s->industry) {
        snprintf(buf, sizeof buf, "%s%s", env->app->english ? "Industry: " : "产业：", s->industry);
        ui_widget *w = scr_flow_add(&f, UI_LABEL, buf, u * 3 / 4);
        if (w)
            w->fg = SCR_COLOR_MUTED;
    }
    if (s->address) {
        scr_stations_heading(&f, "地址", "Address");
        scr_stations_text(&f, s->address);
    }
    if (s->platform) {
        scr_stations_heading(&f, "依托平台", "Platform");
        scr_stations_text(&f, s->platform);
    }
    const qf_catalog_contact *contacts[SCR_STATION_CONTACTS_MAX];
    size_t nc = scr_station_contacts(s, contacts, SCR_STATION_CONTACTS_MAX);
    if (nc) {
        scr_stations_heading(&f, "联系人", "Contacts");
        for (size_t i = 0; i < nc; i++) {
            snprintf(buf, sizeof buf, "%s%s%s", contacts[i]->name ? contacts[i]->name : "",
                     contacts[i]->name ? "  " : "", contacts[i]->phone ? contacts[i]->phone : "");
            scr_stations_text(&f, buf);
        }
    }
    /* Categories in the order they first appear. */
    const char *cats[SCR_STATION_CATEGORIES_MAX];
    size_t ncat = 0;
    bool uncategorised = false;
    for (size_t i = 0; i < s->items_count; i++) {
        const char *c = s->items[i].category;
        if (!c || !*c) {
            uncategorised = true;
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < ncat && !seen; k++)
            seen = strcmp(cats[k], c) == 0;
        if (!seen && ncat < SCR_STATION_CATEGORIES_MAX)
            cats[ncat++] = c;
    }
    if (s->items_count) {
        scr_stations_heading(&f, "服务事项", "Services");
        ui_widget *legend = scr_flow_add(&f, UI_LABEL,
                                         env->app->english
                                             ? "★ government  ▲ enterprise  ● society"
                                             : "★ 政府  ▲ 企业  ● 社会",
                                         u * 3 / 4);
        if (legend)
            legend->fg = SCR_COLOR_MUTED;
    }
    for (size_t g = 0; g < ncat + (uncategorised ? 1 : 0); g++) {
        const char *cat = g < ncat ? cats[g] : NULL;
        ui_widget *h = scr_flow_add(&f, UI_LABEL,
                                    cat ? cat : (env->app->english ? "Other" : "其他"), u * 3 / 4);
        if (h)
            h->fg = SCR_COLOR_HEADER;
        int gap = f.gap;
        f.gap = 0;
        for (size_t i = 0; i < s->items_count; i++) {
            const qf_catalog_station_item *it = &s->items[i];
            bool match = cat ? (it->category && strcmp(it->category, cat) == 0)
                             : (!it->category || !*it->category);
            if (!match)
                continue;
            const char *mark = scr_provider_mark(it->provider);
            snprintf(buf, sizeof buf, "%s%s%s", mark, *mark ? " " : "",
                     it->description ? it->description : "");
            scr_station_row(&f, buf, u * 3 / 4);
        }
        f.gap = gap;
        f.y += gap;
    }
    scr_flow_end(&f);
}
