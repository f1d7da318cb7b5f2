/* scr_bundles.c — the "一类事" bundles: the list of the catalog's bundles
 * grouped by their source (附件6, 附件7), and one bundle: the needs it meets,
 * its basic items as a numbered list with their units in brackets (and the
 * unit that handles one on commission), its value-added items grouped by
 * side (政府侧 / 企业侧 / 社会侧) with their providers, the online and offline
 * paths and the reform guarantees. Everything flows through the scroll view,
 * so long text wraps and scrolls and large-text mode reflows it.
 *
 * Not here: searching bundles (scr_search.c), printing them. */
#include "scr.h"

#include <stdio.h>
#include <string.h>

static void scr_bundles_on_open(void *ud, int tag)
{
    scr_env *env = ud;
    const qf_catalog *cat = env->app->catalog;
    if (cat && tag >= 0 && (size_t)tag < cat->bundles_count)
        ks_app_bundle_open(env->app, cat->bundles[tag].id);
}

static void scr_bundles_heading(scr_flow *f, const char *zh, const char *en)
{
    char buf[256];
    ui_widget *w = scr_flow_add(f, UI_LABEL, scr_tr(f->env, zh, en, buf, sizeof buf),
                                f->env->ui->unit * 7 / 8);
    if (w)
        w->fg = SCR_COLOR_PRIMARY;
}

static void scr_bundles_text(scr_flow *f, const char *text)
{
    if (text && *text)
        scr_flow_add(f, UI_LABEL, text, f->env->ui->unit * 3 / 4);
}

/* Appends the strings of v joined by sep to buf at *off (truncating). */
static void scr_bundles_join(char *buf, size_t len, size_t *off, const qf_catalog_strv *v,
                             const char *sep)
{
    for (size_t i = 0; i < v->count && *off < len; i++) {
        int n = snprintf(buf + *off, len - *off, "%s%s", i ? sep : "", v->items[i]);
        if (n < 0)
            return;
        *off += (size_t)n;
    }
    if (*off >= len)
        *off = len - 1;
}

void scr_bundles_build(scr_env *env)
{
    int u = env->ui->unit;
    char buf[512], zh[128], en[128];
    int top = scr_header(env, scr_tr(env, "一类事", "Bundles", buf, sizeof buf), true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    const qf_catalog *cat = env->app->catalog;
    if (!cat || cat->bundles_count == 0) {
        scr_flow_add(&f, UI_LABEL,
                     scr_tr(env, "暂无一类事，请咨询工作人员。",
                            "No bundles are available yet; please ask the staff.", buf, sizeof buf),
                     u);
        scr_flow_end(&f);
        return;
    }
    scr_bundles_text(&f, scr_tr(env, "把相关联的多个事项合成一件事，一次办好。",
                                "Related procedures combined into one case, done in one go.", buf,
                                sizeof buf));
    /* One group per source, in the enum's order; bundles without one last. */
    static const qf_catalog_source order[] = { QF_CATALOG_SOURCE_ANNEX6, QF_CATALOG_SOURCE_ANNEX7,
                                               QF_CATALOG_SOURCE_UNSET };
    for (size_t g = 0; g < sizeof order / sizeof order[0]; g++) {
        size_t n = 0;
        for (size_t i = 0; i < cat->bundles_count; i++)
            n += cat->bundles[i].source == order[g];
        if (n == 0)
            continue;
        const char *src = qf_catalog_source_name(order[g]);
        if (src) {
            snprintf(zh, sizeof zh, "%s · %zu 项", src, n);
            snprintf(en, sizeof en, "Annex %s · %zu bundles",
                     order[g] == QF_CATALOG_SOURCE_ANNEX6 ? "6" : "7", n);
        } else {
            snprintf(zh, sizeof zh, "其他 · %zu 项", n);
            snprintf(en, sizeof en, "Other · %zu bundles", n);
        }
        scr_bundles_heading(&f, zh, en);
        int gap = f.gap;
        f.gap = 0;
        for (size_t i = 0; i < cat->bundles_count; i++) {
            const qf_catalog_bundle *b = &cat->bundles[i];
            if (b->source != order[g])
                continue;
            ui_widget *w = scr_flow_add(&f, UI_ITEM, b->name, u);
            if (w) {
                w->on_tap = scr_bundles_on_open;
                w->ud = env;
                w->tag = (int)i;
            }
        }
        f.gap = gap;
        f.y += gap;
    }
    scr_flow_end(&f);
}

static const char *scr_bundle_side_zh(qf_catalog_provider p)
{
    switch (p) {
    case QF_CATALOG_PROVIDER_GOVERNMENT: return "政府侧";
    case QF_CATALOG_PROVIDER_MARKET:
    case QF_CATALOG_PROVIDER_ENTERPRISE: return "企业侧";
    case QF_CATALOG_PROVIDER_SOCIETY: return "社会侧";
    default: return "其他";
    }
}

static const char *scr_bundle_side_en(qf_catalog_provider p)
{
    switch (p) {
    case QF_CATALOG_PROVIDER_GOVERNMENT: return "Government";
    case QF_CATALOG_PROVIDER_MARKET:
    case QF_CATALOG_PROVIDER_ENTERPRISE: return "Enterprise";
    case QF_CATALOG_PROVIDER_SOCIETY: return "Society";
    default: return "Other";
    }
}

void scr_bundle_build(scr_env *env)
{
    int u = env->ui->unit;
    char buf[4096];
    const qf_catalog_bundle *b = ks_app_bundle(env->app);
    int top = scr_header(env, b ? b->name : "", true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    if (!b) {
        scr_flow_end(&f);
        return;
    }
    const char *src = qf_catalog_source_name(b->source);
    if (src) {
        char en[32];
        snprintf(en, sizeof en, "Annex %s", b->source == QF_CATALOG_SOURCE_ANNEX6 ? "6" : "7");
        ui_widget *w = scr_flow_add(&f, UI_LABEL, scr_tr(env, src, en, buf, sizeof buf), u * 5 / 8);
        if (w)
            w->fg = SCR_COLOR_MUTED;
    }
    if (b->needs) {
        scr_bundles_heading(&f, "企业需求", "What firms need");
        scr_bundles_text(&f, b->needs);
    }
    if (b->basic_items_count) {
        scr_bundles_heading(&f, "基本服务事项", "Basic items");
        for (size_t i = 0; i < b->basic_items_count; i++) {
            const qf_catalog_basic_item *it = &b->basic_items[i];
            size_t off = 0;
            int n = snprintf(buf, sizeof buf, "%zu. %s", i + 1, it->name);
            off = n > 0 ? (size_t)n : 0;
            if (off < sizeof buf && it->units.count) {
                n = snprintf(buf + off, sizeof buf - off, "（");
                off += n > 0 ? (size_t)n : 0;
                scr_bundles_join(buf, sizeof buf, &off, &it->units, "、");
                if (off < sizeof buf && it->delegated_to) {
                    n = snprintf(buf + off, sizeof buf - off,
                                 env->app->english ? "; handled on commission by %s"
                                                   : "，委托%s办理",
                                 it->delegated_to);
                    off += n > 0 ? (size_t)n : 0;
                }
                if (off < sizeof buf)
                    snprintf(buf + off, sizeof buf - off, "）");
            }
            scr_bundles_text(&f, buf);
        }
    }
    if (b->value_added_count) {
        scr_bundles_heading(&f, "增值服务事项", "Value-added services");
        static const qf_catalog_provider sides[] = {
            QF_CATALOG_PROVIDER_GOVERNMENT, QF_CATALOG_PROVIDER_ENTERPRISE,
            QF_CATALOG_PROVIDER_SOCIETY, QF_CATALOG_PROVIDER_UNSET
        };
        for (size_t s = 0; s < sizeof sides / sizeof sides[0]; s++) {
            size_t k = 0;
            for (size_t i = 0; i < b->value_added_count; i++) {
                const qf_catalog_value_added *v = &b->value_added[i];
                qf_catalog_provider side = v->side == QF_CATALOG_PROVIDER_MARKET
                                               ? QF_CATALOG_PROVIDER_ENTERPRISE
                                               : v->side;
                bool known = side == QF_CATALOG_PROVIDER_GOVERNMENT ||
                             side == QF_CATALOG_PROVIDER_ENTERPRISE ||
                             side == QF_CATALOG_PROVIDER_SOCIETY;
                if (sides[s] == QF_CATALOG_PROVIDER_UNSET ? known : side != sides[s])
                    continue;
                if (k++ == 0) {
                    char zh[64], en[64];
                    snprintf(zh, sizeof zh, "%s %s", scr_provider_mark(sides[s]),
                             scr_bundle_side_zh(sides[s]));
                    snprintf(en, sizeof en, "%s %s", scr_provider_mark(sides[s]),
                             scr_bundle_side_en(sides[s]));
                    ui_widget *h = scr_flow_add(&f, UI_LABEL, scr_tr(env, zh, en, buf, sizeof buf),
                                                u * 3 / 4);
                    if (h)
                        h->fg = SCR_COLOR_HEADER;
                }
                size_t off = 0;
                int n = snprintf(buf, sizeof buf, "%zu. %s", k, v->text);
                off = n > 0 ? (size_t)n : 0;
                if (off < sizeof buf && v->providers.count) {
                    n = snprintf(buf + off, sizeof buf - off, "\n%s",
                                 env->app->english ? "Provided by: " : "提供单位：");
                    off += n > 0 ? (size_t)n : 0;
                    scr_bundles_join(buf, sizeof buf, &off, &v->providers, "、");
                }
                scr_bundles_text(&f, buf);
            }
        }
    }
    if (b->online_path) {
        scr_bundles_heading(&f, "线上路径", "Online");
        scr_bundles_text(&f, b->online_path);
    }
    if (b->offline_path) {
        scr_bundles_heading(&f, "线下路径", "In person");
        scr_bundles_text(&f, b->offline_path);
    }
    if (b->guarantees.count) {
        scr_bundles_heading(&f, "改革保障", "Reform guarantees");
        for (size_t i = 0; i < b->guarantees.count; i++) {
            snprintf(buf, sizeof buf, "%zu. %s", i + 1, b->guarantees.items[i]);
            scr_bundles_text(&f, buf);
        }
    }
    scr_flow_end(&f);
}
