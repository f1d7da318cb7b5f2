/* scr_guide.c — one service's guide: content, the flow as numbered steps,
 * responsible units, target, region, the online channel with an on-screen
 * QR code of its URL (when it has one), the offline place and the contacts;
 * materials and FAQ from a matching guides[] entry when the catalog has
 * one; at the end 打印指南 (the runtime's print worker prints the guide
 * slip; the screen says 已打印 only when the printer took all of it, else
 * why not) and 评价这项服务 (the 好差评 rating). Both come last: the guide
 * and its QR keep the first view. */
#include "scr.h"

#include <stdio.h>
#include <string.h>


static void scr_guide_heading(scr_flow *f, const char *zh, const char *en)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", f->env->app->english ? en : zh);
    ui_widget *w = scr_flow_add(f, UI_LABEL, buf, f->env->ui->unit * 7 / 8);
    if (w)
        w->fg = SCR_COLOR_PRIMARY;
}

static void scr_guide_text(scr_flow *f, const char *text)
{
    if (text && *text)
        scr_flow_add(f, UI_LABEL, text, f->env->ui->unit * 3 / 4);
}

static void scr_guide_join(char *buf, size_t len, const qf_catalog_strv *v, const char *sep)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->count && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? sep : "", v->items[i]);
}

static void scr_guide_on_print(void *ud, int tag)
{
    (void)tag;
    ks_app_guide_print(((scr_env *)ud)->app);
}

/* 打印指南 and what came of it. A slip that did not print points at the
 * QR above when the service has one, else at the staff. */
static void scr_guide_print_row(scr_env *env, scr_flow *f, bool has_qr)
{
    const ks_receipt_print *rp = &env->app->guide_print.slip;
    int u = env->ui->unit;
    char buf[512], zh[160], en[200];
    const char *zh_then = has_qr ? "，可用手机扫描上方二维码" : "，请向工作人员咨询";
    const char *en_then =
        has_qr ? ": scan the code above with your phone" : ": please ask the staff";
    ui_widget *w = NULL;
    switch (rp->phase) {
    case KS_PRINT_ASK:
    case KS_PRINT_PRINTING:
        w = scr_flow_add(f, UI_LABEL,
                         scr_tr(env, "正在打印指南……", "Printing the guide…", buf, sizeof buf),
                         u * 3 / 4);
        break;
    case KS_PRINT_DONE:
        if (rp->printed) {
            w = scr_flow_add(f, UI_LABEL,
                             scr_tr(env, "指南已打印，请取走", "Guide printed: please take it", buf,
                                    sizeof buf),
                             u * 3 / 4);
            break;
        }
        if (rp->timed_out) {
            snprintf(zh, sizeof zh, "打印超时%s", zh_then);
            snprintf(en, sizeof en, "Printing timed out%s", en_then);
        } else if (strcmp(rp->printer_status, "paper_out") == 0) {
            snprintf(zh, sizeof zh, "打印机缺纸%s", zh_then);
            snprintf(en, sizeof en, "Printer out of paper%s", en_then);
        } else {
            snprintf(zh, sizeof zh, "指南未能打印%s", zh_then);
            snprintf(en, sizeof en, "The guide could not be printed%s", en_then);
        }
        w = scr_flow_add(f, UI_LABEL, scr_tr(env, zh, en, buf, sizeof buf), u * 3 / 4);
        if (w)
            w->fg = 0xB00020;
        break;
    case KS_PRINT_NONE:
        break;
    }
    if (w)
        w->align = UI_ALIGN_CENTER;
    if (rp->phase == KS_PRINT_NONE || (rp->phase == KS_PRINT_DONE && !rp->printed)) {
        ui_widget *b = scr_flow_add(f, UI_BUTTON,
                                    scr_tr(env, "打印指南", "Print this guide", buf, sizeof buf),
                                    u * 7 / 8);
        if (b) {
            b->align = UI_ALIGN_CENTER;
            b->on_tap = scr_guide_on_print;
            b->ud = env;
        }
    }
}

static void scr_guide_on_rate(void *ud, int tag)
{
    (void)tag;
    ks_app_rate_open(((scr_env *)ud)->app, "guide");
}

void scr_guide_build(scr_env *env)
{
    int u = env->ui->unit;
    char buf[4096];
    const qf_catalog_service *s = ks_app_service(env->app);
    int top = scr_header(env, s ? (s->category3 ? s->category3 : s->category2) : "", true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    if (!s) {
        scr_flow_end(&f);
        return;
    }
    const char *freq = scr_frequency_text(env, s->frequency);
    snprintf(buf, sizeof buf, "%s %s%s%s", scr_provider_mark(s->provider),
             s->category2 ? s->category2 : "", *freq ? " · " : "", freq);
    ui_widget *w = scr_flow_add(&f, UI_LABEL, buf, u * 3 / 4);
    if (w)
        w->fg = SCR_COLOR_MUTED;

    scr_guide_heading(&f, "服务内容", "What it is");
    scr_guide_text(&f, s->content);
    if (s->flow.count) {
        scr_guide_heading(&f, "办理流程", "Steps");
        for (size_t i = 0; i < s->flow.count; i++) {
            snprintf(buf, sizeof buf, "%zu. %s", i + 1, s->flow.items[i]);
            scr_guide_text(&f, buf);
        }
    }
    if (s->units.count) {
        scr_guide_heading(&f, "责任单位", "Responsible units");
        scr_guide_join(buf, sizeof buf, &s->units, "、");
        scr_guide_text(&f, buf);
    }
    if (s->target) {
        scr_guide_heading(&f, "服务对象", "Who can apply");
        scr_guide_text(&f, s->target);
    }
    if (s->region) {
        scr_guide_heading(&f, "服务区域", "Region");
        scr_guide_text(&f, s->region);
    }
    if (s->period) {
        scr_guide_heading(&f, "办理时限", "Time");
        scr_guide_text(&f, s->period);
    }
    if (s->online) {
        scr_guide_heading(&f, "线上办理", "Online");
        scr_guide_text(&f, s->online->name);
        if (s->online->url && *s->online->url) {
            int side = 10 * u;
            if (side > f.w)
                side = f.w;
            ui_widget *q = ui_scene_add(env->scene, env->ui, UI_QR,
                                        (SDL_Rect){ f.x, f.y, side, side }, s->online->url, u);
            if (q) {
                q->in_scroll = true;
                f.y += side + f.gap;
            }
            w = scr_flow_add(&f, UI_LABEL, s->online->url, u * 5 / 8);
            if (w)
                w->fg = SCR_COLOR_MUTED;
            scr_guide_text(&f, env->app->english ? "Scan with your phone to apply online"
                                                 : "手机扫码即可线上办理");
        }
    }
    if (s->offline) {
        scr_guide_heading(&f, "线下办理", "In person");
        scr_guide_text(&f, s->offline);
    }
    if (s->contacts_count) {
        scr_guide_heading(&f, "联系方式", "Contacts");
        for (size_t i = 0; i < s->contacts_count; i++) {
            const qf_catalog_contact *c = &s->contacts[i];
            snprintf(buf, sizeof buf, "%s%s%s", c->name ? c->name : "", c->name ? " " : "",
                     c->phone ? c->phone : "");
            scr_guide_text(&f, buf);
        }
    }
    const qf_catalog_guide *g = qf_catalog_guide_for_service(env->app->catalog, s->id);
    if (g && g->materials_count) {
        scr_guide_heading(&f, "申请材料", "Materials");
        for (size_t i = 0; i < g->materials_count; i++) {
            snprintf(buf, sizeof buf, "%zu. %s", i + 1, g->materials[i].name);
            scr_guide_text(&f, buf);
        }
    }
    if (g && g->faq_count) {
        scr_guide_heading(&f, "常见问题", "FAQ");
        for (size_t i = 0; i < g->faq_count; i++) {
            snprintf(buf, sizeof buf, "问：%s\n答：%s", g->faq[i].q, g->faq[i].a);
            scr_guide_text(&f, buf);
        }
    }
    scr_guide_print_row(env, &f, s->online && s->online->url && *s->online->url);
    ui_widget *rate = scr_flow_add(&f, UI_BUTTON,
                                   scr_tr(env, "评价这项服务", "Rate this service", buf, sizeof buf),
                                   u * 7 / 8);
    if (rate) {
        rate->align = UI_ALIGN_CENTER;
        rate->on_tap = scr_guide_on_rate;
        rate->ud = env;
    }
    scr_flow_end(&f);
}
