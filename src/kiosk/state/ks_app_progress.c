/* ks_app_progress.c — "my case progress" (case number + the last four
 * digits of the phone -> the case's state and timeline, then 已解决/未解决
 * and the five-level rating once it is 办结) and the service rating
 * (好差评) after a guide or a ticket. No I/O: the runtime sends the
 * look-up (phase ASK) and puts feedback and ratings in the outbox
 * (feedback_save / rate.save), then reports back (see ks_app.h). */
#include "ks_app.h"
#include "qf_mem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *code, *zh, *en;
} ks_ratings[6] = {
    { NULL, "", "" },
    { "very_dissatisfied", "非常不满意", "Very dissatisfied" },
    { "dissatisfied", "不满意", "Dissatisfied" },
    { "basic", "基本满意", "Fairly satisfied" },
    { "satisfied", "满意", "Satisfied" },
    { "very_satisfied", "非常满意", "Very satisfied" },
};

const char *ks_rating_label(int rating, bool english)
{
    if (rating < 1 || rating > 5)
        return "";
    return english ? ks_ratings[rating].en : ks_ratings[rating].zh;
}

const char *ks_rating_code(int rating)
{
    return rating >= 1 && rating <= 5 ? ks_ratings[rating].code : NULL;
}

void ks_app_progress_open(ks_app *app)
{
    uint64_t id = app->progress.request_id;     /* a late answer stays stale */
    qf_wipe(&app->progress, sizeof app->progress);
    app->progress.request_id = id;
    app->progress.resolved = -1;
    qf_wipe(app->form.text[KS_FIELD_CASE_NO], sizeof app->form.text[0]);
    qf_wipe(app->form.text[KS_FIELD_PHONE4], sizeof app->form.text[0]);
    qf_wipe(app->form.text[KS_FIELD_COMMENT], sizeof app->form.text[0]);
    app->form.error[KS_FIELD_CASE_NO][0] = app->form.error[KS_FIELD_PHONE4][0] = '\0';
    app->form.touched[KS_FIELD_CASE_NO] = app->form.touched[KS_FIELD_PHONE4] = false;
    app->form.focus = KS_FIELD_NONE;
    ks_keyboard_close(&app->kb);
    ks_app_push(app, KS_SCREEN_PROGRESS);
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_PROGRESS | KS_CHANGE_KEYBOARD);
    ks_app_field_focus(app, KS_FIELD_CASE_NO);
}

void ks_app_progress_lookup(ks_app *app)
{
    ks_app_progress *p = &app->progress;
    ks_app_form *fm = &app->form;
    if (ks_app_screen(app) != KS_SCREEN_PROGRESS || p->phase == KS_PROGRESS_ASK ||
        p->phase == KS_PROGRESS_WAIT)
        return;
    fm->touched[KS_FIELD_CASE_NO] = fm->touched[KS_FIELD_PHONE4] = true;
    ks_app_field_check(app, KS_FIELD_CASE_NO, fm->error[KS_FIELD_CASE_NO],
                       sizeof fm->error[0]);
    ks_app_field_check(app, KS_FIELD_PHONE4, fm->error[KS_FIELD_PHONE4], sizeof fm->error[0]);
    if (fm->error[KS_FIELD_CASE_NO][0] || fm->error[KS_FIELD_PHONE4][0]) {
        ks_app_notify(app, KS_CHANGE_PROGRESS);
        return;
    }
    ks_app_field_focus(app, KS_FIELD_NONE);
    p->request_id++;
    p->phase = app->server ? KS_PROGRESS_ASK : KS_PROGRESS_OFFLINE;
    p->timeline_count = 0;
    p->resolved = -1;
    p->rating = 0;
    p->feedback_save = p->feedback_saved = false;
    p->feedback_error[0] = '\0';
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

void ks_app_progress_asked(ks_app *app)
{
    if (app->progress.phase != KS_PROGRESS_ASK)
        return;
    app->progress.phase = KS_PROGRESS_WAIT;
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

void ks_app_progress_answer(ks_app *app, uint64_t request_id, ks_progress_phase phase,
                            const ks_app_progress *view)
{
    ks_app_progress *p = &app->progress;
    if (ks_app_screen(app) != KS_SCREEN_PROGRESS || request_id != p->request_id ||
        (p->phase != KS_PROGRESS_WAIT && p->phase != KS_PROGRESS_ASK))
        return;
    if (phase == KS_PROGRESS_SHOWN && view) {
        memcpy(p->case_no, view->case_no, sizeof p->case_no);
        memcpy(p->status, view->status, sizeof p->status);
        memcpy(p->status_label, view->status_label, sizeof p->status_label);
        memcpy(p->kind, view->kind, sizeof p->kind);
        memcpy(p->deadline, view->deadline, sizeof p->deadline);
        p->overdue = view->overdue;
        memcpy(p->submitted_at, view->submitted_at, sizeof p->submitted_at);
        memcpy(p->mobile_masked, view->mobile_masked, sizeof p->mobile_masked);
        p->timeline_count = view->timeline_count < KS_PROGRESS_TIMELINE_MAX
                                ? view->timeline_count : KS_PROGRESS_TIMELINE_MAX;
        memcpy(p->timeline, view->timeline, sizeof p->timeline[0] * p->timeline_count);
    }
    p->phase = phase;
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

void ks_app_progress_resolved(ks_app *app, bool resolved)
{
    ks_app_progress *p = &app->progress;
    if (p->phase != KS_PROGRESS_SHOWN || strcmp(p->status, "lead_finished") != 0 ||
        p->feedback_saved)
        return;
    p->resolved = resolved;
    p->feedback_error[0] = '\0';
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

void ks_app_progress_rating(ks_app *app, int rating)
{
    ks_app_progress *p = &app->progress;
    if (p->phase != KS_PROGRESS_SHOWN || rating < 1 || rating > 5 || p->feedback_saved)
        return;
    p->rating = rating;
    p->feedback_error[0] = '\0';
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

void ks_app_progress_feedback(ks_app *app)
{
    ks_app_progress *p = &app->progress;
    char why[KS_FIELD_ERROR_MAX];
    if (p->phase != KS_PROGRESS_SHOWN || strcmp(p->status, "lead_finished") != 0 ||
        p->feedback_saved || p->feedback_save)
        return;
    ks_app_field_check(app, KS_FIELD_COMMENT, why, sizeof why);
    if (p->resolved < 0 || p->rating == 0)
        snprintf(p->feedback_error, sizeof p->feedback_error, "%s",
                 app->english ? "Say whether it was solved and choose a rating."
                              : "请选择是否已解决，并选择满意程度");
    else if (why[0])
        snprintf(p->feedback_error, sizeof p->feedback_error, "%s", why);
    else
        p->feedback_save = true;
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

void ks_app_progress_feedback_saved(ks_app *app, bool ok, const char *why)
{
    ks_app_progress *p = &app->progress;
    if (!p->feedback_save)
        return;
    p->feedback_save = false;
    p->feedback_saved = ok;
    snprintf(p->feedback_error, sizeof p->feedback_error, "%s", ok ? "" : (why ? why : ""));
    if (ok)
        qf_wipe(app->form.text[KS_FIELD_COMMENT], sizeof app->form.text[0]);
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

qf_err ks_app_progress_feedback_body(const ks_app *app, char **out_path, char **out_body)
{
    const ks_app_progress *p = &app->progress;
    json_t *o = NULL;
    char path[96];
    qf_err rc = QF_ERR_NOMEM;
    *out_path = *out_body = NULL;
    if (!p->case_no[0] || p->resolved < 0 || !ks_rating_code(p->rating))
        return QF_ERR_INVALID;
    snprintf(path, sizeof path, "/api/v1/cases/%s/feedback", p->case_no);
    o = json_pack("{s:s, s:b, s:s}", "phone4", app->form.text[KS_FIELD_PHONE4], "resolved",
                  p->resolved == 1, "rating", ks_rating_code(p->rating));
    if (!o)
        return rc;
    if (app->form.text[KS_FIELD_COMMENT][0] &&
        json_object_set_new(o, "comment", json_string(app->form.text[KS_FIELD_COMMENT])))
        goto done;
    *out_body = json_dumps(o, JSON_COMPACT);
    *out_path = strdup(path);
    if (!*out_body || !*out_path) {
        free(*out_body);
        free(*out_path);
        *out_body = *out_path = NULL;
        goto done;
    }
    rc = QF_OK;
done:
    json_decref(o);
    return rc;
}

void ks_app_rate_open(ks_app *app, const char *target)
{
    ks_app_rate *r = &app->rate;
    memset(r, 0, sizeof *r);
    qf_wipe(app->form.text[KS_FIELD_COMMENT], sizeof app->form.text[0]);
    app->form.focus = KS_FIELD_NONE;
    ks_keyboard_close(&app->kb);
    if (target && strcmp(target, "guide") == 0) {
        const qf_catalog_service *svc = ks_app_service(app);
        if (!svc)
            return;
        snprintf(r->target, sizeof r->target, "guide");
        snprintf(r->service_id, sizeof r->service_id, "%s", svc->id);
        snprintf(r->title, sizeof r->title, "%s",
                 svc->category3 ? svc->category3 : svc->category2 ? svc->category2 : svc->id);
    } else if (target && strcmp(target, "ticket") == 0) {
        const ks_app_ticket *t = &app->ticket;
        if (!t->number[0])
            return;
        snprintf(r->target, sizeof r->target, "ticket");
        snprintf(r->window_id, sizeof r->window_id, "%s", t->window_id);
        snprintf(r->ticket, sizeof r->ticket, "%s", t->number);
        snprintf(r->title, sizeof r->title, "%s %s", t->window_name, t->number);
    } else {
        return;
    }
    ks_app_push(app, KS_SCREEN_RATE);
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_PROGRESS | KS_CHANGE_KEYBOARD);
}

void ks_app_rate_set(ks_app *app, int rating)
{
    if (ks_app_screen(app) != KS_SCREEN_RATE || rating < 1 || rating > 5 || app->rate.saved)
        return;
    app->rate.rating = rating;
    app->rate.error[0] = '\0';
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

void ks_app_rate_submit(ks_app *app)
{
    ks_app_rate *r = &app->rate;
    char why[KS_FIELD_ERROR_MAX];
    if (ks_app_screen(app) != KS_SCREEN_RATE || r->saved || r->save)
        return;
    ks_app_field_check(app, KS_FIELD_COMMENT, why, sizeof why);
    if (r->rating == 0)
        snprintf(r->error, sizeof r->error, "%s",
                 app->english ? "Choose one of the five levels." : "请选择满意程度");
    else if (why[0])
        snprintf(r->error, sizeof r->error, "%s", why);
    else {
        ks_app_field_focus(app, KS_FIELD_NONE);
        r->save = true;
    }
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

void ks_app_rate_saved(ks_app *app, bool ok, const char *why)
{
    ks_app_rate *r = &app->rate;
    if (!r->save)
        return;
    r->save = false;
    r->saved = ok;
    snprintf(r->error, sizeof r->error, "%s", ok ? "" : (why ? why : ""));
    if (ok)
        qf_wipe(app->form.text[KS_FIELD_COMMENT], sizeof app->form.text[0]);
    ks_app_notify(app, KS_CHANGE_PROGRESS);
}

qf_err ks_app_rate_body(const ks_app *app, char **out)
{
    const ks_app_rate *r = &app->rate;
    json_t *o;
    qf_err rc = QF_ERR_NOMEM;
    *out = NULL;
    if (!r->target[0] || !ks_rating_code(r->rating))
        return QF_ERR_INVALID;
    o = json_pack("{s:s, s:s}", "target", r->target, "rating", ks_rating_code(r->rating));
    if (!o)
        return rc;
    if ((r->service_id[0] && json_object_set_new(o, "service", json_string(r->service_id))) ||
        (r->window_id[0] && json_object_set_new(o, "window", json_string(r->window_id))) ||
        (r->ticket[0] && json_object_set_new(o, "ticket", json_string(r->ticket))) ||
        (app->form.text[KS_FIELD_COMMENT][0] &&
         json_object_set_new(o, "comment", json_string(app->form.text[KS_FIELD_COMMENT]))) ||
        (app->form.helper_id[0] &&
         json_object_set_new(o, "helper_id", json_string(app->form.helper_id))))
        goto done;
    *out = json_dumps(o, JSON_COMPACT);
    rc = *out ? QF_OK : QF_ERR_NOMEM;
done:
    json_decref(o);
    return rc;
}
