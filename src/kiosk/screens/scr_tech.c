/* scr_tech.c — the maintenance-mode screens: the menu, diagnostics (the
 * report the runtime builds, colour bars and solid colours for dead
 * pixels, the five-target touch test, the log export), the quarterly
 * inspection checklist and the maintenance notice. Nothing here leaves the
 * kiosk's own screens: no desktop, shell or file dialog exists to reach. */
#include "scr.h"
#include "scr_staff.h"

#include <stdio.h>
#include <string.h>

static void scr_tech_on_open(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app_staff_tech_open(env->app, (ks_screen)tag);
}

static void scr_tech_on_exit(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_tech_exit(env->app);
}

void scr_tech_build(scr_env *env)
{
    const ks_app_staff *st = &env->app->staff;
    char buf[512], who[300];
    int top = scr_header(env, scr_tr(env, "运维模式", "Maintenance mode", buf, sizeof buf), true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    snprintf(who, sizeof who, "技术员 Technician: %s (%s)", st->tech_name, st->tech_id);
    scr_flow_add(&f, UI_LABEL, who, env->ui->unit * 3 / 4);
    scr_staff_button(&f, scr_tr(env, "设备诊断", "Diagnostics", buf, sizeof buf), scr_tech_on_open,
                     KS_SCREEN_DIAG, true);
    scr_staff_button(&f, scr_tr(env, "季度联合巡检", "Quarterly inspection", buf, sizeof buf),
                     scr_tech_on_open, KS_SCREEN_INSPECT, true);
    scr_staff_button(&f, scr_tr(env, "维护报备", "Maintenance notice", buf, sizeof buf),
                     scr_tech_on_open, KS_SCREEN_NOTICE, true);
    scr_staff_button(&f, scr_tr(env, "退出运维模式", "Leave maintenance mode", buf, sizeof buf),
                     scr_tech_on_exit, 0, false);
    scr_flow_end(&f);
}

/* ---- diagnostics --------------------------------------------------------------- */

static const uint32_t scr_bars[] = { 0xFFFFFF, 0xFFFF00, 0x00FFFF, 0x00FF00,
                                     0xFF00FF, 0xFF0000, 0x0000FF, 0x000000 };
static const uint32_t scr_solids[KS_DIAG_COLOURS] = { 0, 0xFF0000, 0x00FF00, 0x0000FF,
                                                      0xFFFFFF, 0x000000, 0x808080 };

static void scr_diag_on_mode(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app_staff_diag_mode(env->app, (ks_diag_mode)tag);
}

static void scr_diag_on_colour(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_colour_next(env->app);
}

static void scr_diag_on_export(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_export(env->app);
}

static void scr_diag_on_print(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_print_test(env->app);
}

static void scr_diag_colour(scr_env *env)
{
    const ks_app_staff *st = &env->app->staff;
    ui_scene *sc = env->scene;
    sc->view = (SDL_Rect){ 0, 0, 0, 0 };
    sc->on_background = scr_diag_on_colour;
    sc->background_ud = env;
    if (st->colour == 0) {
        int n = (int)(sizeof scr_bars / sizeof scr_bars[0]);
        for (int i = 0; i < n; i++) {
            ui_widget *w = ui_scene_add(sc, env->ui, UI_LABEL,
                                        (SDL_Rect){ i * env->w / n, 0, env->w / n + 1, env->h },
                                        i == 0 ? "色条 Colour bars" : "", env->ui->unit / 2);
            if (w) {
                w->bg = scr_bars[i];
                w->fg = 0x000000;
                w->rect.h = env->h;
            }
        }
        return;
    }
    sc->bg = scr_solids[st->colour];
}

static void scr_diag_touch(scr_env *env)
{
    const ks_app_staff *st = &env->app->staff;
    int u = env->ui->unit;
    char text[64];
    env->scene->view = (SDL_Rect){ 0, 0, 0, 0 };
    env->scene->bg = 0xFFFFFF;
    int hits = 0;
    for (int i = 0; i < KS_TOUCH_TARGETS; i++) {
        int cx, cy;
        ks_touch_target(i, env->w, env->h, &cx, &cy);
        if (st->touch_hit[i]) {
            hits++;
            snprintf(text, sizeof text, "%d px", st->touch_err_px[i]);
        } else {
            snprintf(text, sizeof text, "+");
        }
        ui_widget *w = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                    (SDL_Rect){ cx - u, cy - u, 2 * u, 2 * u }, text, u / 2);
        if (w) {
            w->bg = st->touch_hit[i] ? 0x2E7D32 : 0xB3261E;
            w->fg = 0xFFFFFF;
            w->align = UI_ALIGN_CENTER;
            w->rect.h = 2 * u;
        }
    }
    char summary[200];
    int worst = 0;
    for (int i = 0; i < KS_TOUCH_TARGETS; i++)
        if (st->touch_hit[i] && st->touch_err_px[i] > worst)
            worst = st->touch_err_px[i];
    snprintf(summary, sizeof summary,
             "触摸测试：依次点击 5 个目标（%d/5，最大偏差 %d px）\nTouch test: tap the 5 targets "
             "(%d/5, worst %d px). Back to finish.",
             hits, worst, hits, worst);
    ui_widget *w = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                (SDL_Rect){ 3 * u, env->h / 3, env->w - 6 * u, 0 }, summary,
                                u * 3 / 4);
    if (w) {
        w->bg = 0;
        w->fg = 0x000000;
        w->align = UI_ALIGN_CENTER;
    }
}

void scr_diag_build(scr_env *env)
{
    const ks_app_staff *st = &env->app->staff;
    char buf[512];
    if (st->diag == KS_DIAG_COLOUR) {
        scr_diag_colour(env);
        return;
    }
    if (st->diag == KS_DIAG_TOUCH) {
        scr_diag_touch(env);
        return;
    }
    int top = scr_header(env, scr_tr(env, "设备诊断", "Diagnostics", buf, sizeof buf), true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    scr_staff_button(&f, scr_tr(env, "色条与坏点检测", "Colour bars and dead pixels", buf, sizeof buf),
                     scr_diag_on_mode, KS_DIAG_COLOUR, false);
    scr_staff_button(&f, scr_tr(env, "触摸测试", "Touch test", buf, sizeof buf), scr_diag_on_mode,
                     KS_DIAG_TOUCH, false);
    scr_staff_button(&f, scr_tr(env, "刷新", "Refresh", buf, sizeof buf), scr_diag_on_mode,
                     KS_DIAG_REPORT, false);
    scr_staff_button(&f, scr_tr(env, "打印测试页", "Print a test slip", buf, sizeof buf),
                     scr_diag_on_print, 0, false);
    if (st->print_result[0])
        scr_flow_add(&f, UI_LABEL, st->print_result, env->ui->unit * 3 / 4);
    scr_staff_button(&f, scr_tr(env, "导出日志到U盘", "Export logs to USB", buf, sizeof buf),
                     scr_diag_on_export, 0, false);
    if (st->export_result[0])
        scr_flow_add(&f, UI_LABEL, st->export_result, env->ui->unit * 3 / 4);
    ui_widget *w = scr_flow_add(&f, UI_LABEL, st->report[0] ? st->report : "…",
                                env->ui->unit * 3 / 5);
    if (w)
        w->fg = 0x1E2630;
    scr_flow_end(&f);
}

/* ---- the inspection ---------------------------------------------------------- */

/* tag: check * 4 + value (1 ok, 2 fail). */
static void scr_inspect_on_check(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app_staff_check_set(env->app, tag / 4, tag % 4);
}

static void scr_inspect_on_submit(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_inspect_submit(env->app);
}

void scr_inspect_build(scr_env *env)
{
    const ks_app_staff *st = &env->app->staff;
    char buf[512];
    int u = env->ui->unit;
    int top = scr_header(env, scr_tr(env, "季度联合巡检", "Quarterly inspection", buf, sizeof buf),
                         true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    int gap = u / 2, bw = (f.w - 2 * gap) / 3;
    for (int i = 0; i < KS_CHECK__COUNT; i++) {
        /* One row: the check's name, 通过, 不通过 (the chosen one filled). */
        int rowh = ui_line_height(env->ui, u * 3 / 4) + u;
        ui_widget *l = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                    (SDL_Rect){ f.x, f.y, bw, rowh }, ks_check_label(i, false),
                                    u * 3 / 4);
        if (l) {
            l->in_scroll = true;
            l->bg = 0;
        }
        for (int v = 1; v <= 2; v++) {
            char label[64];
            snprintf(label, sizeof label, "%s %s", v == 1 ? "通过" : "不通过", ks_check_code(i));
            ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                        (SDL_Rect){ f.x + v * (bw + gap), f.y, bw, rowh }, label,
                                        u * 3 / 5);
            if (!b)
                continue;
            b->in_scroll = true;
            b->rect.h = rowh;
            b->align = UI_ALIGN_CENTER;
            b->on_tap = scr_inspect_on_check;
            b->ud = env;
            b->tag = i * 4 + v;
            if (st->checks[i] == v) {
                b->bg = v == 1 ? 0x2E7D32 : 0xB3261E;
                b->fg = 0xFFFFFF;
            }
        }
        f.y += rowh + gap;
    }
    scr_staff_input(&f, KS_SIN_INSPECTOR, "巡检人 Inspector", "点击填写巡检人", false);
    scr_staff_input(&f, KS_SIN_UNIT, "巡检单位 Unit", "点击填写巡检单位", false);
    scr_staff_input(&f, KS_SIN_NOTES, "备注 Notes", "点击填写备注（可选）", false);
    const char *status = NULL;
    if (st->inspect == KS_SUBMIT_ASK || st->inspect == KS_SUBMIT_WAIT)
        status = "正在提交… / Submitting…";
    else if (st->inspect_message[0])
        status = st->inspect_message;
    if (status)
        scr_flow_add(&f, UI_LABEL, status, u * 3 / 4);
    scr_staff_button(&f, scr_tr(env, "提交巡检", "Submit inspection", buf, sizeof buf),
                     scr_inspect_on_submit, 0, true);
    scr_flow_end(&f);
}

/* ---- the maintenance notice -------------------------------------------------- */

static void scr_notice_on_start(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app_staff_notice_start(env->app, tag);
}

static void scr_notice_on_duration(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app_staff_notice_duration(env->app, tag);
}

static void scr_notice_on_submit(void *ud, int tag)
{
    (void)tag;
    scr_env *env = ud;
    ks_app_staff_notice_submit(env->app);
}

/* A row of choices; the chosen one filled. */
static void scr_choices(scr_flow *f, const int *values, const char *const *labels, size_t n,
                        int chosen, ui_tap_fn fn)
{
    scr_env *env = f->env;
    int u = env->ui->unit, gap = u / 2;
    int bw = (f->w - (int)(n - 1) * gap) / (int)n, bh = 2 * u;
    for (size_t i = 0; i < n; i++) {
        ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON,
                                    (SDL_Rect){ f->x + (int)i * (bw + gap), f->y, bw, bh },
                                    labels[i], u * 3 / 4);
        if (!b)
            continue;
        b->in_scroll = true;
        b->rect.h = bh;
        b->align = UI_ALIGN_CENTER;
        b->on_tap = fn;
        b->ud = env;
        b->tag = values[i];
        if (values[i] == chosen) {
            b->bg = SCR_COLOR_PRIMARY;
            b->fg = 0xFFFFFF;
        }
    }
    f->y += bh + f->gap;
}

void scr_notice_build(scr_env *env)
{
    const ks_app_staff *st = &env->app->staff;
    char buf[512];
    int u = env->ui->unit;
    int top = scr_header(env, scr_tr(env, "维护报备", "Maintenance notice", buf, sizeof buf), true);
    scr_flow f;
    scr_flow_begin(&f, env, top);
    scr_staff_input(&f, KS_SIN_REASON, "维护内容 What", "点击填写维护内容", false);
    static const int starts[] = { 0, 30, 120 };
    static const char *const start_labels[] = { "立即开始", "30 分钟后", "2 小时后" };
    static const int durations[] = { 30, 60, 120, 240 };
    static const char *const duration_labels[] = { "30 分钟", "1 小时", "2 小时", "4 小时" };
    scr_flow_add(&f, UI_LABEL, "开始 Start", u * 3 / 4);
    scr_choices(&f, starts, start_labels, 3, st->notice_start_min, scr_notice_on_start);
    scr_flow_add(&f, UI_LABEL, "时长 Duration", u * 3 / 4);
    scr_choices(&f, durations, duration_labels, 4, st->notice_duration_min,
                scr_notice_on_duration);
    char who[300];
    snprintf(who, sizeof who, "报备人 Reported by: %s (%s)", st->tech_name, st->tech_id);
    scr_flow_add(&f, UI_LABEL, who, u * 3 / 4);
    const char *status = NULL;
    if (st->notice == KS_SUBMIT_ASK || st->notice == KS_SUBMIT_WAIT)
        status = "正在提交… / Submitting…";
    else if (st->notice_message[0])
        status = st->notice_message;
    if (status)
        scr_flow_add(&f, UI_LABEL, status, u * 3 / 4);
    scr_staff_button(&f, scr_tr(env, "提交报备", "File the notice", buf, sizeof buf),
                     scr_notice_on_submit, 0, true);
    scr_flow_end(&f);
}
