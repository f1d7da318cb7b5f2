/* scr_progress.c — "my case progress" and the service rating (好差评).
 * Progress: the case number (typed, or scanned from the receipt's QR) and
 * the last four digits of the phone, 查询; then the state, the deadline
 * and the public timeline; once the case is 办结 the submitter says
 * 已解决 / 未解决 and rates it on the five levels with an optional comment.
 * A wrong number and wrong digits show the same "nothing found" (the
 * daemon gives no oracle either). Rating: the five levels, a comment, 提交.
 * Both go through the outbox like a case (the runtime does that). */
#include "scr.h"

#include <stdio.h>
#include <string.h>

static void scr_progress_on_lookup(void *ud, int tag)
{
    (void)tag;
    ks_app_progress_lookup(((scr_env *)ud)->app);
}

static void scr_progress_on_resolved(void *ud, int tag)
{
    ks_app_progress_resolved(((scr_env *)ud)->app, tag == 1);
}

static void scr_progress_on_rating(void *ud, int tag)
{
    ks_app_progress_rating(((scr_env *)ud)->app, tag);
}

static void scr_progress_on_feedback(void *ud, int tag)
{
    (void)tag;
    ks_app_progress_feedback(((scr_env *)ud)->app);
}

static void scr_rate_on_level(void *ud, int tag)
{
    ks_app_rate_set(((scr_env *)ud)->app, tag);
}

static void scr_rate_on_submit(void *ud, int tag)
{
    (void)tag;
    ks_app_rate_submit(((scr_env *)ud)->app);
}

static ui_widget *scr_primary(scr_flow *f, const char *text, ui_tap_fn fn)
{
    ui_widget *b = scr_flow_add(f, UI_BUTTON, text, f->env->ui->unit);
    if (b) {
        b->align = UI_ALIGN_CENTER;
        b->bg = SCR_COLOR_PRIMARY;
        b->fg = 0xFFFFFF;
        b->on_tap = fn;
        b->ud = f->env;
    }
    return b;
}

static void scr_error(scr_flow *f, const char *text)
{
    if (!text || !*text)
        return;
    ui_widget *e = scr_flow_add(f, UI_LABEL, text, f->env->ui->unit * 3 / 4);
    if (e)
        e->fg = 0xB3261E;
}

/* The five levels, 非常满意 first, one button each; the chosen one filled. */
static void scr_levels(scr_flow *f, int chosen, ui_tap_fn fn)
{
    scr_env *env = f->env;
    char buf[128];
    for (int r = 5; r >= 1; r--) {
        ui_widget *b = scr_flow_add(f, UI_BUTTON,
                                    scr_tr(env, ks_rating_label(r, false), ks_rating_label(r, true),
                                           buf, sizeof buf),
                                    env->ui->unit * 7 / 8);
        if (!b)
            continue;
        b->align = UI_ALIGN_CENTER;
        b->on_tap = fn;
        b->ud = env;
        b->tag = r;
        if (r == chosen) {
            b->bg = SCR_COLOR_PRIMARY;
            b->fg = 0xFFFFFF;
        }
    }
}

static void scr_progress_feedback(scr_flow *f)
{
    scr_env *env = f->env;
    const ks_app_progress *p = &env->app->progress;
    int u = env->ui->unit;
    char buf[256];
    if (p->feedback_saved) {
        scr_flow_add(f, UI_LABEL,
                     scr_tr(env, "感谢您的评价，已记录。", "Thank you: your feedback is recorded.",
                            buf, sizeof buf),
                     u);
        return;
    }
    ui_widget *q = scr_flow_add(f, UI_LABEL,
                                scr_tr(env, "问题解决了吗？", "Was it solved?", buf, sizeof buf), u);
    if (q)
        q->fg = SCR_COLOR_HEADER;
    int half = (f->w - f->gap) / 2;
    ui_widget *yes = ui_scene_add(env->scene, env->ui, UI_BUTTON, (SDL_Rect){ f->x, f->y, half, 0 },
                                  scr_tr(env, "已解决", "Solved", buf, sizeof buf), u);
    ui_widget *no = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                 (SDL_Rect){ f->x + half + f->gap, f->y, half, 0 },
                                 scr_tr(env, "未解决", "Not solved", buf, sizeof buf), u);
    if (yes && no) {
        int h = yes->rect.h > no->rect.h ? yes->rect.h : no->rect.h;
        yes->rect.h = no->rect.h = h;
        yes->in_scroll = no->in_scroll = true;
        yes->align = no->align = UI_ALIGN_CENTER;
        yes->on_tap = no->on_tap = scr_progress_on_resolved;
        yes->ud = no->ud = env;
        yes->tag = 1;
        no->tag = 0;
        ui_widget *chosen = p->resolved == 1 ? yes : p->resolved == 0 ? no : NULL;
        if (chosen) {
            chosen->bg = SCR_COLOR_PRIMARY;
            chosen->fg = 0xFFFFFF;
        }
        f->y += h + f->gap;
    }
    ui_widget *r = scr_flow_add(f, UI_LABEL,
                                scr_tr(env, "对办理结果的满意程度", "How satisfied are you?", buf,
                                       sizeof buf),
                                u);
    if (r)
        r->fg = SCR_COLOR_HEADER;
    scr_levels(f, p->rating, scr_progress_on_rating);
    scr_field_add(f, KS_FIELD_COMMENT, "意见建议（可不填）", "Comment (optional)", "最多500个字",
                  "up to 500 characters");
    scr_error(f, p->feedback_error);
    scr_primary(f,
                p->feedback_save ? scr_tr(env, "正在提交…", "Sending…", buf, sizeof buf)
                                 : scr_tr(env, "提交评价", "Send feedback", buf, sizeof buf),
                scr_progress_on_feedback);
}

static void scr_progress_case(scr_flow *f)
{
    scr_env *env = f->env;
    const ks_app_progress *p = &env->app->progress;
    int u = env->ui->unit;
    char buf[1024], line[1024];
    snprintf(line, sizeof line, "%s · %s", p->case_no, p->status_label);
    ui_widget *h = scr_flow_add(f, UI_LABEL, line, u * 5 / 4);
    if (h)
        h->fg = SCR_COLOR_HEADER;
    snprintf(line, sizeof line, "%s %.16s · %s %s", env->app->english ? "Submitted" : "提交时间",
             p->submitted_at, env->app->english ? "Phone" : "联系电话", p->mobile_masked);
    scr_flow_add(f, UI_LABEL, line, u * 3 / 4);
    if (p->deadline[0]) {
        char zh[128], en[128];
        snprintf(zh, sizeof zh, "办理时限 %.10s%s", p->deadline, p->overdue ? "（已超期，已督办）" : "");
        snprintf(en, sizeof en, "Due %.10s%s", p->deadline, p->overdue ? " (overdue: supervised)" : "");
        ui_widget *d = scr_flow_add(f, UI_LABEL, scr_tr(env, zh, en, buf, sizeof buf), u * 3 / 4);
        if (d && p->overdue)
            d->fg = 0xB3261E;
    }
    for (size_t i = 0; i < p->timeline_count; i++) {
        /* "2026-11-25 09:10 分类交办 — note" */
        snprintf(line, sizeof line, "%.10s %.5s  %s%s%s", p->timeline[i].at,
                 strlen(p->timeline[i].at) > 11 ? p->timeline[i].at + 11 : "",
                 p->timeline[i].label, p->timeline[i].note[0] ? " — " : "", p->timeline[i].note);
        scr_flow_add(f, UI_ITEM, line, u * 3 / 4);
    }
    if (strcmp(p->status, "lead_finished") == 0)
        scr_progress_feedback(f);
}

void scr_progress_build(scr_env *env)
{
    ks_app *app = env->app;
    const ks_app_progress *p = &app->progress;
    int u = env->ui->unit;
    char buf[512];
    int top = scr_header(env, scr_tr(env, "我的诉求进度", "My case progress", buf, sizeof buf), true);
    int kb_top = scr_keyboard_build(env);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    env->scene->view.h = kb_top - top;
    if (p->phase != KS_PROGRESS_SHOWN) {
        ui_widget *in = scr_flow_add(&f, UI_LABEL,
                                     scr_tr(env, "请输入回执上的受理编号（或扫描回执二维码）和预留电话的后4位。",
                                            "Enter the case number on your receipt (or scan its "
                                            "QR code) and the last 4 digits of the phone given.",
                                            buf, sizeof buf),
                                     u * 3 / 4);
        if (in)
            in->fg = SCR_COLOR_MUTED;
        scr_field_add(&f, KS_FIELD_CASE_NO, "受理编号", "Case number", "如 QT20261125-0001",
                      "e.g. QT20261125-0001");
        scr_field_add(&f, KS_FIELD_PHONE4, "电话后4位", "Last 4 digits of the phone", "4位数字",
                      "4 digits");
    }
    switch (p->phase) {
    case KS_PROGRESS_ASK:
    case KS_PROGRESS_WAIT:
        scr_flow_add(&f, UI_LABEL, scr_tr(env, "正在查询…", "Looking it up…", buf, sizeof buf), u);
        break;
    case KS_PROGRESS_NONE:
        scr_error(&f, scr_tr(env, "没有找到与该编号和电话后4位相符的诉求，请核对后重试。",
                             "No case matches that number and those digits; please check them.",
                             buf, sizeof buf));
        break;
    case KS_PROGRESS_OFFLINE:
        scr_error(&f, scr_tr(env, "网络暂时中断，暂时无法查询，请稍后再试或拨打 85901890。",
                             "The network is down; please try again later or call 85901890.", buf,
                             sizeof buf));
        break;
    case KS_PROGRESS_LIMITED:
        scr_error(&f, scr_tr(env, "该编号查询次数过多，请一分钟后再试。",
                             "Too many look-ups of that number; please wait a minute.", buf,
                             sizeof buf));
        break;
    case KS_PROGRESS_SHOWN:
        scr_progress_case(&f);
        break;
    default:
        break;
    }
    if (p->phase != KS_PROGRESS_SHOWN && p->phase != KS_PROGRESS_ASK &&
        p->phase != KS_PROGRESS_WAIT)
        scr_primary(&f, scr_tr(env, "查询", "Look up", buf, sizeof buf), scr_progress_on_lookup);
    scr_flow_end(&f);
}

void scr_rate_build(scr_env *env)
{
    ks_app *app = env->app;
    const ks_app_rate *r = &app->rate;
    int u = env->ui->unit;
    char buf[512];
    int top = scr_header(env, scr_tr(env, "服务评价", "Rate this service", buf, sizeof buf), true);
    int kb_top = scr_keyboard_build(env);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    env->scene->view.h = kb_top - top;
    ui_widget *t = scr_flow_add(&f, UI_LABEL, r->title, u);
    if (t)
        t->fg = SCR_COLOR_HEADER;
    if (r->saved) {
        scr_flow_add(&f, UI_LABEL,
                     scr_tr(env, "感谢您的评价！您的意见将帮助我们改进服务。",
                            "Thank you! Your rating helps us improve.", buf, sizeof buf),
                     u);
    } else {
        scr_flow_add(&f, UI_LABEL,
                     scr_tr(env, "您对本次服务满意吗？", "How satisfied are you with this service?",
                            buf, sizeof buf),
                     u * 7 / 8);
        scr_levels(&f, r->rating, scr_rate_on_level);
        scr_field_add(&f, KS_FIELD_COMMENT, "意见建议（可不填）", "Comment (optional)",
                      "最多500个字", "up to 500 characters");
        scr_error(&f, r->error);
        scr_primary(&f,
                    r->save ? scr_tr(env, "正在提交…", "Sending…", buf, sizeof buf)
                            : scr_tr(env, "提交评价", "Send", buf, sizeof buf),
                    scr_rate_on_submit);
    }
    scr_flow_end(&f);
}
