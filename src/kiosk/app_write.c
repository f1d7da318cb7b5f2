/* app_write.c — the runtime's side of writing at the kiosk: loading the
 * pinyin engine off the UI thread, routing keys and scanner bursts to the
 * session's fields, writing what the citizen submits into the durable
 * outbox (net/kn_outbox.h) before anything is shown as saved, asking the
 * sync worker to send it, and turning the worker's answers (deliveries,
 * case look-ups) into ks_app actions.
 *
 * The outbox put runs on the UI thread on purpose: "saved" may only be
 * said once the row is on disk (one fsync'd SQLite commit, a few ms). */
#include "app.h"
#include "app_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_mem.h"
#include "qf_log.h"

/* A scanner in keyboard mode types a whole code within a few ms per
 * character and ends with Return; nobody types 10 characters at 50 ms
 * each by hand. */
#define KAPP_SCAN_MIN_CHARS 10
#define KAPP_SCAN_GAP_MS 50

static int kapp_ime_worker(void *ud)
{
    kapp *k = ud;
    ks_ime *ime = NULL;
    char why[256] = "";
    double t = kapp_mono_ms();
    if (ks_ime_open(&ime, why, sizeof why) != QF_OK)
        fprintf(stderr, "qifu-kiosk: pinyin input unavailable (latin keys only): %s\n", why);
    else
        fprintf(stderr, "qifu-kiosk: pinyin engine loaded in %.1f ms\n", kapp_mono_ms() - t);
    SDL_Event e;
    SDL_zero(e);
    e.type = k->ev_ime;
    e.user.data1 = ime;
    if (SDL_PushEvent(&e) != 1)
        ks_ime_close(ime);
    return 0;
}

void kapp_write_init(kapp *k)
{
    const char *state_dir = qf_config_get(k->cfg, "kiosk", "state_dir");
    char why[256] = "";
    if (state_dir && *state_dir &&
        kn_outbox_open(state_dir, &k->outbox, why, sizeof why) != QF_OK) {
        /* Without an outbox nothing may be submitted: the form says so. */
        fprintf(stderr, "qifu-kiosk: outbox: %s\n", why);
        k->outbox = NULL;
    }
}

/* The engine's tables cost 6-9 MB: they are loaded the first time a
 * keyboard opens (a form or the search screen), not at start, and kept. */
static void kapp_ime_load(kapp *k)
{
    if (k->ime || k->ime_thread || k->ime_tried)
        return;
    k->ime_tried = true;
    k->ime_thread = SDL_CreateThread(kapp_ime_worker, "qifu-ime", k);
    if (!k->ime_thread)
        fprintf(stderr, "qifu-kiosk: pinyin loader: %s\n", SDL_GetError());
}

void kapp_write_event(kapp *k, const SDL_Event *ev)
{
    if (k->ime_thread) {
        SDL_WaitThread(k->ime_thread, NULL);    /* it has posted: it is ending */
        k->ime_thread = NULL;
    }
    ks_ime_close(k->ime);
    k->ime = ev->user.data1;
    ks_keyboard_set_ime(&k->state.kb, k->ime);
    /* A field focused before the engine arrived opened on latin letters:
     * open it again in its own layer. */
    if (k->ime && k->state.form.focus != KS_FIELD_NONE)
        ks_app_field_focus(&k->state, k->state.form.focus);
    ks_app_notify(&k->state, KS_CHANGE_KEYBOARD);
}

void kapp_write_cleanup(kapp *k)
{
    if (k->ime_thread)
        SDL_WaitThread(k->ime_thread, NULL);
    k->ime_thread = NULL;
    if (k->ev_ime && SDL_WasInit(SDL_INIT_EVENTS)) {
        SDL_Event e;
        while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, k->ev_ime, k->ev_ime) == 1)
            ks_ime_close(e.user.data1);
    }
    ks_keyboard_set_ime(&k->state.kb, NULL);
    ks_ime_close(k->ime);
    k->ime = NULL;
    kn_outbox_close(k->outbox);
    k->outbox = NULL;
    qf_wipe(k->scan, sizeof k->scan);
}

/* Puts one item; false (with why) when the outbox is missing or failed. */
static bool kapp_put(kapp *k, kn_outbox_kind kind, const char *path, const char *body, char *ref,
                     size_t reflen, char *why, size_t whylen)
{
    if (!k->outbox) {
        snprintf(why, whylen, "no outbox on this kiosk");
        return false;
    }
    if (kn_outbox_put(k->outbox, kind, path, body, ref, reflen, why, whylen) != QF_OK)
        return false;
    if (k->sync)
        kn_sync_outbox_poke(k->sync);
    return true;
}

static void kapp_free_secret(char *s)
{
    if (s) {
        qf_wipe(s, strlen(s));
        free(s);
    }
}

void kapp_write_update(kapp *k)
{
    ks_app *app = &k->state;
    char ref[KN_OUTBOX_REF_MAX] = "", why[256] = "";

    if (app->kb.open)
        kapp_ime_load(k);
    if (app->form.phase == KS_FORM_SAVE) {
        char *body = NULL;
        if (ks_app_form_body(app, &body) != QF_OK)
            snprintf(why, sizeof why, "out of memory");
        if (body && kapp_put(k, KN_OUTBOX_CASE, "/api/v1/cases", body, ref, sizeof ref, why,
                             sizeof why)) {
            qf_info("kiosk: %s saved in the outbox", app->form.fallback ? "fallback" : "request");
            ks_app_form_saved(app, ref, kapp_now(k));
        } else {
            fprintf(stderr, "qifu-kiosk: could not save the request: %s\n", why);
            ks_app_form_save_failed(app, why);
        }
        kapp_free_secret(body);
    }
    if (app->progress.phase == KS_PROGRESS_ASK) {
        if (k->sync && kn_sync_case_lookup(k->sync, app->form.text[KS_FIELD_CASE_NO],
                                           app->form.text[KS_FIELD_PHONE4],
                                           app->progress.request_id) == QF_OK)
            ks_app_progress_asked(app);
        else
            ks_app_progress_answer(app, app->progress.request_id, KS_PROGRESS_OFFLINE, NULL);
    }
    if (app->progress.feedback_save) {
        char *path = NULL, *body = NULL;
        bool ok = ks_app_progress_feedback_body(app, &path, &body) == QF_OK &&
                  kapp_put(k, KN_OUTBOX_FEEDBACK, path, body, ref, sizeof ref, why, sizeof why);
        ks_app_progress_feedback_saved(app, ok, ok ? NULL : why);
        if (ok)
            ks_app_toast(app, "已保存，感谢您的反馈", "Saved: thank you for your feedback",
                         kapp_now(k));
        free(path);
        kapp_free_secret(body);
    }
    if (app->rate.save) {
        char *body = NULL;
        bool ok = ks_app_rate_body(app, &body) == QF_OK &&
                  kapp_put(k, KN_OUTBOX_RATING, "/api/v1/ratings", body, ref, sizeof ref, why,
                           sizeof why);
        ks_app_rate_saved(app, ok, ok ? NULL : why);
        kapp_free_secret(body);
    }
}

static ks_progress_phase kapp_lookup_phase(const kn_case_view *v)
{
    if (v->found)
        return KS_PROGRESS_SHOWN;
    if (v->rate_limited)
        return KS_PROGRESS_LIMITED;
    return v->offline ? KS_PROGRESS_OFFLINE : KS_PROGRESS_NONE;
}

void kapp_write_sync_event(kapp *k, const kn_event *ev)
{
    ks_app *app = &k->state;
    if (ev->kind == KN_EVENT_DELIVERED) {
        const kn_delivery *d = &ev->delivery;
        if (d->kind != KN_OUTBOX_CASE)
            return;    /* feedback and ratings were already thanked for */
        const char *why = d->error_zh[0] && !app->english ? d->error_zh : d->error_message;
        ks_app_form_delivered(app, d->ref, d->ok, d->case_no, d->tracking_url, d->mobile_masked,
                              d->submitted_at, d->rule, why);
        return;
    }
    if (ev->kind == KN_EVENT_CASE) {
        const kn_case_view *v = &ev->lookup;
        ks_app_progress *view = calloc(1, sizeof *view);
        if (!view)
            return;
        snprintf(view->case_no, sizeof view->case_no, "%s", v->case_no);
        snprintf(view->status, sizeof view->status, "%s", v->status);
        snprintf(view->status_label, sizeof view->status_label, "%s", v->status_label_zh);
        snprintf(view->kind, sizeof view->kind, "%s", v->kind);
        snprintf(view->deadline, sizeof view->deadline, "%s", v->deadline);
        view->overdue = v->overdue;
        snprintf(view->submitted_at, sizeof view->submitted_at, "%s", v->submitted_at);
        snprintf(view->mobile_masked, sizeof view->mobile_masked, "%s", v->mobile_masked);
        view->timeline_count = v->timeline_count < KS_PROGRESS_TIMELINE_MAX
                                   ? v->timeline_count : KS_PROGRESS_TIMELINE_MAX;
        for (size_t i = 0; i < view->timeline_count; i++) {
            snprintf(view->timeline[i].at, sizeof view->timeline[i].at, "%s", v->timeline[i].at);
            snprintf(view->timeline[i].label, sizeof view->timeline[i].label, "%s",
                     v->timeline[i].label_zh);
            snprintf(view->timeline[i].note, sizeof view->timeline[i].note, "%s",
                     v->timeline[i].note);
        }
        ks_app_progress_answer(app, v->request_id, kapp_lookup_phase(v), view);
        free(view);
    }
}

/* ---- keys --------------------------------------------------------------- */

static bool kapp_writing(const kapp *k)
{
    return k->state.form.focus != KS_FIELD_NONE;
}

bool kapp_write_text(kapp *k, const char *text)
{
    uint64_t now = kapp_now(k);
    /* The burst so far: reset by a pause or by Return. */
    if (k->scan_len > 0 && now - k->scan_last_ms > KAPP_SCAN_GAP_MS) {
        qf_wipe(k->scan, sizeof k->scan);
        k->scan_len = 0;
    }
    size_t n = strlen(text);
    if (k->scan_len + n < sizeof k->scan) {
        memcpy(k->scan + k->scan_len, text, n + 1);
        k->scan_len += n;
    }
    k->scan_last_ms = now;
    if (!kapp_writing(k))
        return false;
    ks_app_text(&k->state, text);
    return true;
}

void kapp_write_burst_end(kapp *k)
{
    qf_wipe(k->scan, sizeof k->scan);
    k->scan_len = 0;
}

bool kapp_write_key(kapp *k, SDL_Keycode sym)
{
    if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) {
        size_t chars = 0;
        for (size_t i = 0; i < k->scan_len; i++)
            chars += ((unsigned char)k->scan[i] & 0xC0) != 0x80;
        bool burst = chars >= KAPP_SCAN_MIN_CHARS &&
                     kapp_now(k) - k->scan_last_ms <= KAPP_SCAN_GAP_MS;
        char copy[sizeof k->scan];
        memcpy(copy, k->scan, sizeof copy);
        kapp_write_burst_end(k);
        bool scanned = burst && ks_app_scan(&k->state, copy);
        qf_wipe(copy, sizeof copy);
        if (scanned)
            return true;     /* the burst was a code: its Return is spent */
        if (!kapp_writing(k))
            return false;
        ks_app_key(&k->state, "enter");
        return true;
    }
    /* Scanners send text and Return only: any other key ends a burst. */
    kapp_write_burst_end(k);
    if (!kapp_writing(k))
        return false;
    if (sym == SDLK_BACKSPACE) {
        ks_app_key(&k->state, "backspace");
        return true;
    }
    if (sym == SDLK_TAB) {
        ks_app_key(&k->state, "enter");     /* to the next field */
        return true;
    }
    return false;
}
