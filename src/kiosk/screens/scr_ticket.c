/* scr_ticket.c — 取号 Take a ticket: the catalog's windows that issue
 * tickets (ticket_prefix), a 老幼孕残 priority toggle and a confirm button;
 * then, as the state moves on, "getting your number", the number large
 * with the queue-status QR and the print outcome (已打印 only when the
 * printer took the slip; 打印超时 when the printer did not finish in
 * time), or why there is no number. An offline number (from the kiosk's
 * leased block) says its queue position is known once the network is
 * back, instead of a people-ahead count. No I/O here: the runtime talks
 * to the daemon and the printer and reports into ks_app. */
#include "scr.h"

#include <stdio.h>
#include <string.h>

static void scr_ticket_on_window(void *ud, int tag)
{
    scr_env *env = ud;
    const qf_catalog *cat = env->app->catalog;
    if (cat && tag >= 0 && (size_t)tag < cat->windows_count)
        ks_app_ticket_window(env->app, cat->windows[tag].id);
}

static void scr_ticket_on_priority(void *ud, int tag)
{
    (void)tag;
    ks_app_ticket_priority_toggle(((scr_env *)ud)->app);
}

static void scr_ticket_on_confirm(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_ticket_confirm(env->app, env->now_ms);
}

static void scr_ticket_on_done(void *ud, int tag)
{
    (void)tag;
    ks_app_ticket_close(((scr_env *)ud)->app);
}

static void scr_ticket_on_rate(void *ud, int tag)
{
    (void)tag;
    ks_app_rate_open(((scr_env *)ud)->app, "ticket");
}

static ui_widget *scr_ticket_button(scr_flow *f, const char *text, void (*fn)(void *, int),
                                    uint32_t bg)
{
    ui_widget *w = scr_flow_add(f, UI_BUTTON, text, f->env->ui->unit);
    if (w) {
        w->align = UI_ALIGN_CENTER;
        w->on_tap = fn;
        w->ud = f->env;
        if (bg) {
            w->bg = bg;
            w->fg = 0xFFFFFF;
        }
    }
    return w;
}

static void scr_ticket_choose(scr_flow *f)
{
    scr_env *env = f->env;
    const ks_app_ticket *t = &env->app->ticket;
    const qf_catalog *cat = env->app->catalog;
    int u = env->ui->unit;
    char buf[512], line[600];
    scr_flow_add(f, UI_LABEL, scr_tr(env, "请选择办理窗口", "Choose a window", buf, sizeof buf),
                 u);
    size_t shown = 0;
    int gap = f->gap;
    f->gap = u / 4;
    for (size_t i = 0; cat && i < cat->windows_count; i++) {
        const qf_catalog_window *w = &cat->windows[i];
        if (!w->ticket_prefix || !*w->ticket_prefix)
            continue;
        bool sel = strcmp(t->window_id, w->id) == 0;
        int waiting = ks_app_ticket_waiting(env->app, w->id);
        int len = snprintf(line, sizeof line, "%s %s  %s", sel ? "●" : "○", w->ticket_prefix,
                           scr_tr(env, w->name, w->name_en, buf, sizeof buf));
        if (waiting >= 0 && len > 0 && (size_t)len < sizeof line)
            snprintf(line + len, sizeof line - (size_t)len,
                     env->app->english ? "\n%d waiting · 等候 %d 人" : "\n等候 %d 人 · %d waiting",
                     waiting, waiting);
        ui_widget *it = scr_flow_add(f, UI_ITEM, line, u);
        if (it) {
            it->on_tap = scr_ticket_on_window;
            it->ud = env;
            it->tag = (int)i;
            if (sel) {
                it->bg = SCR_COLOR_PRIMARY;
                it->fg = 0xFFFFFF;
            }
        }
        shown++;
    }
    f->gap = gap;
    if (!shown) {
        scr_flow_add(f, UI_LABEL,
                     scr_tr(env, "暂无可取号的窗口，请咨询工作人员。",
                            "No window issues tickets now; please ask the staff.", buf,
                            sizeof buf),
                     u);
        return;
    }
    /* ○/● as on the window rows (the font has no ballot-box glyphs). */
    snprintf(line, sizeof line, "%s %s", t->priority ? "●" : "○",
             t->priority ? scr_tr(env, "老幼孕残优先（已选）",
                                  "Priority: elderly, young children, pregnant, disabled (on)",
                                  buf, sizeof buf)
                         : scr_tr(env, "老幼孕残优先",
                                  "Priority: elderly, young children, pregnant, disabled", buf,
                                  sizeof buf));
    scr_ticket_button(f, line, scr_ticket_on_priority, t->priority ? SCR_COLOR_HEADER : 0);
    if (t->window_id[0])
        scr_ticket_button(f, scr_tr(env, "确认取号", "Confirm", buf, sizeof buf),
                          scr_ticket_on_confirm, SCR_COLOR_PRIMARY);
}

static void scr_ticket_number(scr_flow *f)
{
    scr_env *env = f->env;
    const ks_app_ticket *t = &env->app->ticket;
    int u = env->ui->unit;
    char buf[512], line[600];
    ui_widget *n = scr_flow_add(f, UI_LABEL, t->number, u * 4);
    if (n)
        n->align = UI_ALIGN_CENTER;
    if (t->priority) {
        ui_widget *p = scr_flow_add(f, UI_LABEL,
                                    scr_tr(env, "老幼孕残优先", "Priority ticket", buf, sizeof buf),
                                    u);
        if (p)
            p->align = UI_ALIGN_CENTER;
    }
    if (t->window_name[0]) {
        ui_widget *w = scr_flow_add(f, UI_LABEL, t->window_name, u);
        if (w)
            w->align = UI_ALIGN_CENTER;
    }
    ui_widget *a;
    if (t->leased || t->people_ahead < 0) {
        /* An offline number: the daemon learns of it when the network is
         * back, and only then is its place in the queue known. */
        a = scr_flow_add(f, UI_LABEL,
                         scr_tr(env, "网络暂时中断：排队位置将在网络恢复后确定，请留意叫号屏",
                                "Offline: your place in the queue is known once the network "
                                "is back; watch the call screen",
                                buf, sizeof buf),
                         u * 3 / 4);
    } else {
        snprintf(line, sizeof line,
                 env->app->english ? "%d waiting ahead of you\n前面还有 %d 人"
                                   : "前面还有 %d 人\n%d waiting ahead of you",
                 t->people_ahead, t->people_ahead);
        a = scr_flow_add(f, UI_LABEL, line, u);
    }
    if (a)
        a->align = UI_ALIGN_CENTER;
}

static void scr_ticket_qr(scr_flow *f)
{
    scr_env *env = f->env;
    const ks_app_ticket *t = &env->app->ticket;
    int u = env->ui->unit;
    if (!t->status_url[0])
        return;
    int side = 9 * u;
    if (side > f->w)
        side = f->w;
    ui_widget *q = ui_scene_add(env->scene, env->ui, UI_QR,
                                (SDL_Rect){ f->x + (f->w - side) / 2, f->y, side, side },
                                t->status_url, u);
    if (q) {
        q->in_scroll = true;
        f->y += side + f->gap;
    }
}

void scr_ticket_build(scr_env *env)
{
    int u = env->ui->unit;
    char buf[512];
    const ks_app_ticket *t = &env->app->ticket;
    int top = scr_header(env, scr_tr(env, "取号", "Take a ticket", buf, sizeof buf),
                         t->phase == KS_TICKET_CHOOSE);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    ui_widget *w = NULL;
    switch (t->phase) {
    case KS_TICKET_CHOOSE:
        scr_ticket_choose(&f);
        break;
    case KS_TICKET_REQUEST:
    case KS_TICKET_WAIT:
        w = scr_flow_add(&f, UI_LABEL,
                         scr_tr(env, "正在取号，请稍候……", "Getting your number…", buf, sizeof buf),
                         u);
        break;
    case KS_TICKET_PRINTING:
        scr_ticket_number(&f);
        w = scr_flow_add(&f, UI_LABEL,
                         scr_tr(env, "正在打印……", "Printing…", buf, sizeof buf), u);
        break;
    case KS_TICKET_DONE:
        scr_ticket_number(&f);
        if (t->printed) {
            w = scr_flow_add(&f, UI_LABEL,
                             scr_tr(env, "已打印，请取走小票", "Printed: please take your slip",
                                    buf, sizeof buf),
                             u);
        } else {
            bool paper = strcmp(t->printer_status, "paper_out") == 0;
            w = scr_flow_add(&f, UI_LABEL,
                             t->print_timed_out
                                 ? scr_tr(env, "打印超时，请用手机扫码记下号码",
                                          "Printing timed out — scan the code with your phone",
                                          buf, sizeof buf)
                             : paper ? scr_tr(env, "打印机缺纸，请用手机扫码记下号码",
                                              "Printer out of paper — scan the code with your "
                                              "phone",
                                              buf, sizeof buf)
                                     : scr_tr(env, "小票未能打印，请用手机扫码记下号码",
                                              "The slip could not be printed — scan the code "
                                              "with your phone",
                                              buf, sizeof buf),
                             u);
            if (w)
                w->fg = 0xB00020;
        }
        scr_ticket_qr(&f);
        scr_ticket_button(&f, scr_tr(env, "评价本次服务", "Rate the service", buf, sizeof buf),
                          scr_ticket_on_rate, 0);
        scr_ticket_button(&f, scr_tr(env, "完成", "Done", buf, sizeof buf), scr_ticket_on_done,
                          SCR_COLOR_PRIMARY);
        break;
    case KS_TICKET_FAILED:
        w = scr_flow_add(&f, UI_LABEL,
                         t->failure == KS_TICKET_FAIL_OFFLINE
                             ? scr_tr(env, "网络不可用，暂时无法取号，请咨询工作人员。",
                                      "Network unavailable — tickets cannot be taken now; please "
                                      "ask the staff.",
                                      buf, sizeof buf)
                             : scr_tr(env, "暂时无法取号，请咨询工作人员。",
                                      "No ticket could be issued; please ask the staff.", buf,
                                      sizeof buf),
                         u);
        if (w)
            w->fg = 0xB00020;
        scr_ticket_button(&f, scr_tr(env, "完成", "Done", buf, sizeof buf), scr_ticket_on_done,
                          SCR_COLOR_PRIMARY);
        break;
    }
    scr_flow_end(&f);
}
