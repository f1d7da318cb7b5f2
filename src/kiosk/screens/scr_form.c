/* scr_form.c — the request (我要提诉求) and fallback (办不成事) form and its
 * review screen. The form: the enterprise fields, contact, mobile, the
 * description, the board (request) or the difficulty (fallback), the
 * privacy notice to agree to, then 核对 Review. Each field has a label, a
 * hint and its inline error in plain words; the keyboard sits under the
 * scroll view and the focused field is scrolled into sight above it. The
 * review reads everything back (the mobile masked) with 修改 Edit and
 * 提交 Submit. Everything here is built from app->form; taps are ks_app
 * actions. */
#include "scr.h"

#include <stdio.h>
#include <string.h>

#include "qf_phone.h"

#define SCR_ERROR_COLOR 0xB3261E

static const char *const scr_privacy_zh =
    "个人信息使用说明：您填写的企业信息、联系人和电话仅用于办理本次诉求，由钱塘区企业综合服务中心及"
    "承办部门依法使用和保管，不会用于其他用途。办理过程中工作人员可能通过您留下的电话与您联系。"
    "查询进度时需要提供电话后4位。本机不保存您输入的内容，离开或超时后自动清除。";
static const char *const scr_privacy_en =
    "Privacy notice: the enterprise details, contact and phone number you give are used only to "
    "handle this request, by the Qiantang enterprise service center and the departments handling "
    "it, as the law allows. Staff may call you on the number given. Looking up progress needs the "
    "last 4 digits of that number. This kiosk keeps nothing you type once you leave or time out.";

static void scr_form_on_field(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app_field_focus(env->app, (ks_field)tag);
}

void scr_field_add(struct scr_flow *f, ks_field field, const char *label_zh, const char *label_en,
                   const char *hint_zh, const char *hint_en)
{
    scr_env *env = f->env;
    const ks_app_form *fm = &env->app->form;
    int u = env->ui->unit;
    char buf[512];
    ui_widget *l = scr_flow_add(f, UI_LABEL, scr_tr(env, label_zh, label_en, buf, sizeof buf),
                                u * 3 / 4);
    if (l) {
        l->fg = SCR_COLOR_HEADER;
        l->on_tap = scr_form_on_field;   /* a tap on the label focuses the field too */
        l->ud = env;
        l->tag = (int)field;
        f->y -= f->gap / 2;
    }
    bool area = field == KS_FIELD_DESCRIPTION || field == KS_FIELD_COMMENT;
    int lh = ui_line_height(env->ui, u);
    int h = area ? 4 * lh + u : lh + u;
    if (env->app->english)
        snprintf(buf, sizeof buf, "%s %s", hint_en, hint_zh);
    else
        snprintf(buf, sizeof buf, "%s %s", hint_zh, hint_en);
    ui_widget *w = ui_scene_add_field(env->scene, env->ui, (SDL_Rect){ f->x, f->y, f->w, h },
                                      fm->text[field], buf, u, NULL, NULL);
    if (w) {
        w->in_scroll = true;
        w->focused = fm->focus == field;
        w->on_tap = scr_form_on_field;
        w->ud = env;
        w->tag = (int)field;
        f->y += h + f->gap / 2;
    }
    if (fm->error[field][0]) {
        ui_widget *e = scr_flow_add(f, UI_LABEL, fm->error[field], u * 3 / 4);
        if (e)
            e->fg = SCR_ERROR_COLOR;
    }
    f->y += f->gap / 2;
}

/* Keeps the focused field in sight above the keyboard. */
static void scr_form_follow_focus(scr_env *env)
{
    ui_scene *sc = env->scene;
    for (size_t i = 0; i < sc->count; i++) {
        const ui_widget *w = &sc->w[i];
        if (w->role != UI_FIELD || !w->focused || !w->in_scroll)
            continue;
        int u = env->ui->unit;
        int top = w->rect.y - 2 * u;          /* its label too */
        int bottom = w->rect.y + w->rect.h + u;
        if (top < sc->scroll_y)
            sc->scroll_y = top > 0 ? top : 0;
        else if (bottom > sc->scroll_y + sc->view.h)
            sc->scroll_y = bottom - sc->view.h;
        int max = sc->content_h - sc->view.h;
        if (sc->scroll_y > max)
            sc->scroll_y = max > 0 ? max : 0;
        return;
    }
}

static void scr_form_on_board(void *ud, int tag)
{
    scr_env *env = ud;
    const qf_catalog *cat = env->app->catalog;
    if (cat && tag >= 0 && (size_t)tag < cat->boards_count)
        ks_app_form_board(env->app, cat->boards[tag].id);
}

static void scr_form_on_category(void *ud, int tag)
{
    ks_app_form_category(((scr_env *)ud)->app, (ks_fallback_cat)tag);
}

static void scr_form_on_agree(void *ud, int tag)
{
    (void)tag;
    ks_app_form_agree_toggle(((scr_env *)ud)->app);
}

static void scr_form_on_privacy(void *ud, int tag)
{
    (void)tag;
    ks_app_form_privacy_toggle(((scr_env *)ud)->app);
}

static void scr_form_on_review(void *ud, int tag)
{
    (void)tag;
    ks_app_form_review(((scr_env *)ud)->app);
}

/* A grid of choice buttons (two a row); the chosen one is filled. */
static ui_widget *scr_choice(scr_flow *f, int i, const char *text, bool chosen, ui_tap_fn fn,
                             int tag)
{
    scr_env *env = f->env;
    int u = env->ui->unit;
    int half = (f->w - f->gap) / 2;
    int col = i % 2;
    ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                (SDL_Rect){ f->x + col * (half + f->gap), f->y, half, 0 }, text,
                                u * 3 / 4);
    if (!b)
        return NULL;
    if (b->rect.h < u * 5 / 2)
        b->rect.h = u * 5 / 2;
    b->in_scroll = true;
    b->align = UI_ALIGN_CENTER;
    b->on_tap = fn;
    b->ud = env;
    b->tag = tag;
    if (chosen) {
        b->bg = SCR_COLOR_PRIMARY;
        b->fg = 0xFFFFFF;
    }
    return b;
}

static void scr_choice_row_end(scr_flow *f, ui_widget *a, ui_widget *b)
{
    int h = 0;
    if (a)
        h = a->rect.h;
    if (b && b->rect.h > h)
        h = b->rect.h;
    if (a)
        a->rect.h = h;
    if (b)
        b->rect.h = h;
    f->y += h + f->gap;
}

static void scr_form_choices(scr_flow *f)
{
    scr_env *env = f->env;
    const ks_app_form *fm = &env->app->form;
    int u = env->ui->unit;
    char buf[256];
    ui_widget *prev = NULL;
    int n = 0;
    if (!fm->fallback) {
        const qf_catalog *cat = env->app->catalog;
        ui_widget *l = scr_flow_add(f, UI_LABEL,
                                    scr_tr(env, "诉求所属服务板块", "Which board it concerns", buf,
                                           sizeof buf),
                                    u * 3 / 4);
        if (l)
            l->fg = SCR_COLOR_HEADER;
        for (size_t i = 0; cat && i < cat->boards_count; i++) {
            const qf_catalog_board *b = &cat->boards[i];
            ui_widget *w = scr_choice(f, n, scr_tr(env, b->name, b->name_en, buf, sizeof buf),
                                      strcmp(fm->board_id, b->id) == 0, scr_form_on_board, (int)i);
            if (n % 2 == 1)
                scr_choice_row_end(f, prev, w);
            prev = w;
            n++;
        }
    } else {
        ui_widget *l = scr_flow_add(f, UI_LABEL,
                                    scr_tr(env, "办不成事的类型", "What kind of difficulty", buf,
                                           sizeof buf),
                                    u * 3 / 4);
        if (l)
            l->fg = SCR_COLOR_HEADER;
        for (int c = KS_FALLBACK_NO_PLACE; c < KS_FALLBACK__COUNT; c++) {
            ui_widget *w = scr_choice(f, n,
                                      scr_tr(env, ks_fallback_label((ks_fallback_cat)c, false),
                                             ks_fallback_label((ks_fallback_cat)c, true), buf,
                                             sizeof buf),
                                      fm->category == (ks_fallback_cat)c, scr_form_on_category, c);
            if (n % 2 == 1)
                scr_choice_row_end(f, prev, w);
            prev = w;
            n++;
        }
    }
    if (n % 2 == 1)
        scr_choice_row_end(f, prev, NULL);
}

static void scr_form_privacy(scr_flow *f)
{
    scr_env *env = f->env;
    const ks_app_form *fm = &env->app->form;
    int u = env->ui->unit;
    char buf[512];
    ui_widget *a = scr_flow_add(f, UI_BUTTON,
                                scr_tr(env,
                                       fm->agreed ? "☑ 我已阅读并同意个人信息使用说明"
                                                  : "☐ 我已阅读并同意个人信息使用说明",
                                       fm->agreed ? "☑ I have read and agree to the privacy notice"
                                                  : "☐ I have read and agree to the privacy notice",
                                       buf, sizeof buf),
                                u * 3 / 4);
    if (a) {
        a->on_tap = scr_form_on_agree;
        a->ud = env;
        if (fm->agreed) {
            a->bg = SCR_COLOR_PRIMARY;
            a->fg = 0xFFFFFF;
        }
    }
    ui_widget *v = scr_flow_add(f, UI_BUTTON,
                                fm->privacy_open
                                    ? scr_tr(env, "收起说明", "Hide the notice", buf, sizeof buf)
                                    : scr_tr(env, "查看个人信息使用说明", "Read the privacy notice",
                                             buf, sizeof buf),
                                u * 3 / 4);
    if (v) {
        v->on_tap = scr_form_on_privacy;
        v->ud = env;
    }
    if (fm->privacy_open) {
        ui_widget *t = scr_flow_add(f, UI_LABEL, env->app->english ? scr_privacy_en : scr_privacy_zh,
                                    u * 3 / 4);
        if (t)
            t->fg = SCR_COLOR_MUTED;
    }
}

void scr_form_build(scr_env *env)
{
    ks_app *app = env->app;
    const ks_app_form *fm = &app->form;
    int u = env->ui->unit;
    char buf[512];
    int top = fm->fallback
                  ? scr_header(env, scr_tr(env, "办不成事 · 兜底办", "Can't get it done? Fallback help",
                                           buf, sizeof buf), true)
                  : scr_header(env, scr_tr(env, "我要提诉求", "Submit a request", buf, sizeof buf),
                               true);
    int kb_top = scr_keyboard_build(env);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    env->scene->view.h = kb_top - top;

    const char *intro_zh = fm->fallback
        ? "窗口办不成、找不到地方办的事，由兜底办牵头协调。简单问题1个工作日内答复，需领导领衔的3个工作日内，"
          "需多部门研究的5个工作日内答复。"
        : "企业在经营中遇到的困难和问题，都可以在这里提出。简单咨询1个工作日内回复，涉及单一部门的3个工作日内、"
          "涉及多部门的5个工作日内反馈处理意见。";
    const char *intro_en = fm->fallback
        ? "What no window could do, or nobody handles, the fallback desk takes on: simple matters "
          "are answered within 1 working day, those a director leads within 3, those needing "
          "several departments within 5."
        : "Any difficulty your enterprise meets can be raised here: a simple question is answered "
          "within 1 working day, a matter for one department within 3, for several within 5.";
    ui_widget *in = scr_flow_add(&f, UI_LABEL, scr_tr(env, intro_zh, intro_en, buf, sizeof buf),
                                 u * 3 / 4);
    if (in)
        in->fg = SCR_COLOR_MUTED;
    if (fm->submitted > 0) {
        char zh[96], en[96];
        snprintf(zh, sizeof zh, "本次已提交%u个问题，企业信息已为您保留", fm->submitted);
        snprintf(en, sizeof en, "%u issue%s filed in this visit; the enterprise details are kept",
                 fm->submitted, fm->submitted == 1 ? "" : "s");
        scr_flow_add(&f, UI_LABEL, scr_tr(env, zh, en, buf, sizeof buf), u * 3 / 4);
    }
    scr_field_add(&f, KS_FIELD_ENTERPRISE, "企业名称", "Enterprise name", "营业执照上的名称",
                  "as on the business licence");
    scr_field_add(&f, KS_FIELD_USCC, "统一社会信用代码", "Unified social credit code",
                  "18位，可扫描企业码", "18 characters; or scan the enterprise code");
    scr_field_add(&f, KS_FIELD_CONTACT, "联系人", "Contact name", "姓名", "your name");
    scr_field_add(&f, KS_FIELD_MOBILE, "联系电话", "Phone", "手机号码或带区号的固定电话",
                  "mobile, or landline with area code");
    scr_field_add(&f, KS_FIELD_DESCRIPTION, "问题描述", "Describe the matter",
                  "10至1000个字，说明遇到的问题和希望得到的帮助",
                  "10 to 1000 characters: the problem and the help you hope for");
    scr_form_choices(&f);
    scr_form_privacy(&f);
    if (fm->choose_error[0]) {
        ui_widget *e = scr_flow_add(&f, UI_LABEL, fm->choose_error, u * 3 / 4);
        if (e)
            e->fg = SCR_ERROR_COLOR;
    }
    ui_widget *next = scr_flow_add(&f, UI_BUTTON,
                                   scr_tr(env, "下一步：核对信息", "Next: review", buf, sizeof buf),
                                   u);
    if (next) {
        next->align = UI_ALIGN_CENTER;
        next->bg = SCR_COLOR_PRIMARY;
        next->fg = 0xFFFFFF;
        next->on_tap = scr_form_on_review;
        next->ud = env;
    }
    scr_flow_end(&f);
    scr_form_follow_focus(env);
}

static void scr_review_on_edit(void *ud, int tag)
{
    (void)tag;
    ks_app_form_edit(((scr_env *)ud)->app);
}

static void scr_review_on_submit(void *ud, int tag)
{
    (void)tag;
    ks_app_form_submit(((scr_env *)ud)->app);
}

static void scr_review_row(scr_flow *f, const char *zh, const char *en, const char *value)
{
    scr_env *env = f->env;
    char buf[KS_FIELD_TEXT_MAX + 128];
    int u = env->ui->unit;
    snprintf(buf, sizeof buf, "%s %s：%s", env->app->english ? en : zh,
             env->app->english ? zh : en, value);
    scr_flow_add(f, UI_LABEL, buf, u * 7 / 8);
}

void scr_review_build(scr_env *env)
{
    ks_app *app = env->app;
    const ks_app_form *fm = &app->form;
    int u = env->ui->unit;
    char buf[512], masked[QF_PHONE_MASK_MAX];
    int top = scr_header(env, scr_tr(env, "请核对信息", "Please check", buf, sizeof buf), true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    scr_review_row(&f, "类型", "Kind",
                   fm->fallback ? (app->english ? "Fallback help 办不成事" : "办不成事（兜底办）")
                                : (app->english ? "Request 诉求" : "企业诉求"));
    if (fm->fallback)
        scr_review_row(&f, "类别", "Category", ks_fallback_label(fm->category, app->english));
    if (fm->board_id[0] && app->catalog) {
        const qf_catalog_board *b = qf_catalog_board_get(app->catalog, fm->board_id);
        if (b)
            scr_review_row(&f, "板块", "Board",
                           app->english && b->name_en ? b->name_en : b->name);
    }
    scr_review_row(&f, "企业名称", "Enterprise", fm->text[KS_FIELD_ENTERPRISE]);
    scr_review_row(&f, "信用代码", "Credit code", fm->text[KS_FIELD_USCC]);
    scr_review_row(&f, "联系人", "Contact", fm->text[KS_FIELD_CONTACT]);
    /* Read back masked: the screen faces a public hall. */
    qf_phone_mask(fm->text[KS_FIELD_MOBILE], masked, sizeof masked);
    scr_review_row(&f, "联系电话", "Phone", masked);
    scr_review_row(&f, "问题描述", "Description", fm->text[KS_FIELD_DESCRIPTION]);
    if (fm->helper_id[0])
        scr_review_row(&f, "帮办人员", "Assisted by", fm->helper_id);
    if (fm->phase == KS_FORM_FAILED) {
        char zh[KS_FIELD_ERROR_MAX + 64];
        snprintf(zh, sizeof zh, "%s（%s）",
                 app->english ? "Could not save on this kiosk; please ask the staff"
                              : "本机保存失败，请联系工作人员",
                 fm->refusal);
        ui_widget *e = scr_flow_add(&f, UI_LABEL, zh, u * 3 / 4);
        if (e)
            e->fg = SCR_ERROR_COLOR;
    }
    int half = (f.w - f.gap) / 2;
    ui_widget *ed = ui_scene_add(env->scene, env->ui, UI_BUTTON, (SDL_Rect){ f.x, f.y, half, 0 },
                                 scr_tr(env, "返回修改", "Edit", buf, sizeof buf), u);
    ui_widget *sb = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                 (SDL_Rect){ f.x + half + f.gap, f.y, half, 0 },
                                 fm->phase == KS_FORM_SAVE
                                     ? scr_tr(env, "正在提交…", "Submitting…", buf, sizeof buf)
                                     : scr_tr(env, "确认提交", "Submit", buf, sizeof buf),
                                 u);
    if (ed && sb) {
        int h = ed->rect.h > sb->rect.h ? ed->rect.h : sb->rect.h;
        ed->rect.h = sb->rect.h = h;
        ed->in_scroll = sb->in_scroll = true;
        ed->align = sb->align = UI_ALIGN_CENTER;
        ed->on_tap = scr_review_on_edit;
        sb->on_tap = scr_review_on_submit;
        ed->ud = sb->ud = env;
        sb->bg = SCR_COLOR_PRIMARY;
        sb->fg = 0xFFFFFF;
        f.y += h + f.gap;
    }
    scr_flow_end(&f);
}
