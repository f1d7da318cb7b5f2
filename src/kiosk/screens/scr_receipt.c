/* scr_receipt.c — what the citizen sees after submitting: 已受理 with the
 * daemon's case number, the deadline rule (“135” or “3135”), the masked
 * phone and the tracking QR — only once the daemon acknowledged; before
 * that 正在提交…; offline 已保存，联网后自动提交 with the kiosk's local
 * reference (the outbox delivers it later). 已受理 offers 打印回执 (the
 * runtime's print worker prints the receipt slip; the screen says 已打印
 * only when it did, else why, pointing at the QR). Then 再提一个问题
 * (another issue of the same visit) or home. */
#include "scr.h"

#include <stdio.h>
#include <string.h>

static void scr_receipt_on_another(void *ud, int tag)
{
    (void)tag;
    ks_app_form_another(((scr_env *)ud)->app);
}

static void scr_receipt_on_home(void *ud, int tag)
{
    (void)tag;
    ks_app_back(((scr_env *)ud)->app);
}

static void scr_receipt_on_print(void *ud, int tag)
{
    (void)tag;
    ks_app_receipt_print(((scr_env *)ud)->app);
}

/* 打印回执 and what came of it: 已打印 only when the printer took the
 * whole slip; otherwise why not, pointing at the QR on screen. */
static void scr_receipt_print_row(scr_env *env, scr_flow *f)
{
    const ks_receipt_print *rp = &env->app->form.receipt_print;
    int u = env->ui->unit;
    char buf[512];
    ui_widget *w = NULL;
    switch (rp->phase) {
    case KS_PRINT_ASK:
    case KS_PRINT_PRINTING:
        w = scr_flow_add(f, UI_LABEL, scr_tr(env, "正在打印回执……", "Printing the receipt…", buf,
                                              sizeof buf),
                         u * 3 / 4);
        break;
    case KS_PRINT_DONE:
        if (rp->printed) {
            w = scr_flow_add(f, UI_LABEL,
                             scr_tr(env, "回执已打印，请取走", "Receipt printed: please take it",
                                    buf, sizeof buf),
                             u * 3 / 4);
            break;
        }
        w = scr_flow_add(f, UI_LABEL,
                         rp->timed_out
                             ? scr_tr(env, "打印超时，请用手机扫码保存回执",
                                      "Printing timed out — scan the code with your phone", buf,
                                      sizeof buf)
                         : strcmp(rp->printer_status, "paper_out") == 0
                             ? scr_tr(env, "打印机缺纸，请用手机扫码保存回执",
                                      "Printer out of paper — scan the code with your phone",
                                      buf, sizeof buf)
                             : scr_tr(env, "回执未能打印，请用手机扫码保存回执",
                                      "The receipt could not be printed — scan the code with "
                                      "your phone",
                                      buf, sizeof buf),
                         u * 3 / 4);
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
                                    scr_tr(env, "打印回执", "Print receipt", buf, sizeof buf), u);
        if (b) {
            b->align = UI_ALIGN_CENTER;
            b->on_tap = scr_receipt_on_print;
            b->ud = env;
        }
    }
}

static const char *scr_rule_text(const scr_env *env, const ks_app_form *fm, char *buf, size_t len)
{
    if (fm->fallback)
        return scr_tr(env,
                      "“3135兜底办”：现场能办的1个工作日内答复，领导领衔的3个工作日内答复，"
                      "需多部门研究的5个工作日内答复，自交办次日起算。",
                      "3135 fallback: on-site matters answered within 1 working day, "
                      "director-led within 3, several departments within 5, counted from the day "
                      "after triage.",
                      buf, len);
    return scr_tr(env,
                  "“135”限时办结：简单咨询1个工作日内回复，单一部门3个工作日内、多部门5个工作日内"
                  "反馈处理意见，自交办次日起算。",
                  "135 time limits: a simple question within 1 working day, one department within "
                  "3, several within 5, counted from the day after triage.",
                  buf, len);
}

void scr_receipt_build(scr_env *env)
{
    ks_app *app = env->app;
    const ks_app_form *fm = &app->form;
    int u = env->ui->unit;
    char buf[1024], zh[256], en[256];
    const char *title;
    switch (fm->phase) {
    case KS_FORM_ACCEPTED: title = scr_tr(env, "已受理", "Accepted", buf, sizeof buf); break;
    case KS_FORM_SAVED:
        title = scr_tr(env, "已保存，联网后自动提交", "Saved: it is sent when the network is back",
                       buf, sizeof buf);
        break;
    case KS_FORM_REFUSED: title = scr_tr(env, "未能受理", "Not accepted", buf, sizeof buf); break;
    default: title = scr_tr(env, "正在提交…", "Submitting…", buf, sizeof buf); break;
    }
    int top = scr_header(env, title, true);
    scr_flow f;
    scr_flow_begin(&f, env, top);

    if (fm->phase == KS_FORM_ACCEPTED) {
        snprintf(zh, sizeof zh, "受理编号 %s", fm->case_no);
        snprintf(en, sizeof en, "Case number %s", fm->case_no);
        ui_widget *no = scr_flow_add(&f, UI_LABEL, scr_tr(env, zh, en, buf, sizeof buf),
                                     u * 3 / 2);
        if (no)
            no->align = UI_ALIGN_CENTER;
        scr_flow_add(&f, UI_LABEL, scr_rule_text(env, fm, buf, sizeof buf), u * 3 / 4);
        snprintf(zh, sizeof zh, "联系电话 %s · 查询进度时请输入电话后4位", fm->mobile_masked);
        snprintf(en, sizeof en, "Phone %s · to look up progress, enter its last 4 digits",
                 fm->mobile_masked);
        scr_flow_add(&f, UI_LABEL, scr_tr(env, zh, en, buf, sizeof buf), u * 3 / 4);
        if (fm->tracking_url[0]) {
            int side = u * 9;
            ui_widget *qr = ui_scene_add(env->scene, env->ui, UI_QR,
                                         (SDL_Rect){ (env->w - side) / 2, f.y, side, side },
                                         fm->tracking_url, u);
            if (qr) {
                qr->in_scroll = true;
                qr->rect.h = side;
                f.y += side + f.gap;
            }
            ui_widget *cap = scr_flow_add(&f, UI_LABEL,
                                          scr_tr(env, "手机扫码查看办理进度",
                                                 "Scan with your phone to follow the case", buf,
                                                 sizeof buf),
                                          u * 3 / 4);
            if (cap)
                cap->align = UI_ALIGN_CENTER;
        }
        scr_receipt_print_row(env, &f);
    } else if (fm->phase == KS_FORM_SAVED || fm->phase == KS_FORM_SENDING) {
        snprintf(zh, sizeof zh, "本机编号 %s", fm->ref);
        snprintf(en, sizeof en, "Kiosk reference %s", fm->ref);
        ui_widget *no = scr_flow_add(&f, UI_LABEL, scr_tr(env, zh, en, buf, sizeof buf),
                                     u * 5 / 4);
        if (no)
            no->align = UI_ALIGN_CENTER;
        if (fm->phase == KS_FORM_SAVED)
            scr_flow_add(&f, UI_LABEL,
                         scr_tr(env,
                                "网络暂时中断。您的诉求已安全保存在本机，网络恢复后会自动提交，"
                                "不会丢失，也不会重复。提交后工作人员将按您留下的电话与您联系。",
                                "The network is down. Your request is stored safely on this kiosk "
                                "and is sent automatically, once, when the network is back. Staff "
                                "will then call you on the number given.",
                                buf, sizeof buf),
                         u * 3 / 4);
        scr_flow_add(&f, UI_LABEL, scr_rule_text(env, fm, buf, sizeof buf), u * 3 / 4);
    } else if (fm->phase == KS_FORM_REFUSED) {
        ui_widget *e = scr_flow_add(&f, UI_LABEL, fm->refusal, u);
        if (e)
            e->fg = 0xB3261E;
        scr_flow_add(&f, UI_LABEL,
                     scr_tr(env, "请联系现场工作人员或拨打 85901890 帮您处理。",
                            "Please ask the staff here or call 85901890.", buf, sizeof buf),
                     u * 3 / 4);
    }

    ui_widget *an = scr_flow_add(&f, UI_BUTTON,
                                 scr_tr(env, "再提一个问题", "Raise another issue", buf, sizeof buf),
                                 u);
    if (an) {
        an->align = UI_ALIGN_CENTER;
        an->on_tap = scr_receipt_on_another;
        an->ud = env;
    }
    ui_widget *home = scr_flow_add(&f, UI_BUTTON, scr_tr(env, "完成", "Done", buf, sizeof buf), u);
    if (home) {
        home->align = UI_ALIGN_CENTER;
        home->bg = SCR_COLOR_PRIMARY;
        home->fg = 0xFFFFFF;
        home->on_tap = scr_receipt_on_home;
        home->ud = env;
    }
    scr_flow_end(&f);
}
