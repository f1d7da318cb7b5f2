/* scr.h — the screens and the one screen table. A screen builds widgets
 * into the scene from the session state and turns widget taps into ks_app
 * actions; it never does SQL, HTTP or printing and never reaches into
 * another screen. Navigation is the state's screen stack (ks_app); this
 * table maps each ks_screen to its builder. */
#ifndef SCR_H
#define SCR_H

#include "ks_app.h"
#include "ui.h"

typedef struct scr_env {
    ks_app *app;
    ui_ctx *ui;
    ui_scene *scene;
    int w, h;                  /* screen size in px */
    const char *hall_name;
    uint64_t now_ms;           /* app clock (for actions that need it) */
} scr_env;

typedef struct scr_def {
    ks_screen id;
    const char *name;          /* "idle", "home" … (dumps, logs) */
    void (*build)(scr_env *env);
} scr_def;

const scr_def *scr_get(ks_screen id);

/* Builds the countdown dialog over whatever screen is up (scr_common.c). */
void scr_countdown_build(scr_env *env);
/* Builds the toast (app->toast) over whatever screen and dialog are up,
 * low on the screen and off any button (scr_common.c). */
void scr_toast_build(scr_env *env);

/* The on-screen keyboard from app->kb at the bottom of the screen, when it
 * is open; returns its top (env->h when closed) so the screen's scroll view
 * ends above it (scr_keyboard.c). */
int scr_keyboard_build(scr_env *env);

/* A labelled text field of the session's form (app->form.text[f]) with its
 * hint and inline error, in the flow; a tap focuses it (scr_form.c). */
struct scr_flow;
void scr_field_add(struct scr_flow *f, ks_field field, const char *label_zh,
                   const char *label_en, const char *hint_zh, const char *hint_en);

/* ---- helpers shared by the screens (scr_common.c) ----------------------- */

#define SCR_COLOR_PRIMARY 0x1F5FBF
#define SCR_COLOR_HEADER  0x16407F
#define SCR_COLOR_MUTED   0x5A6474

/* The UI string in the session's language: "中文\nEnglish" (Chinese first)
 * or "English\n中文". Returns buf. */
const char *scr_tr(const scr_env *env, const char *zh, const char *en, char *buf, size_t len);
/* Header bar with a back button (when back) and a title; returns its height. */
int scr_header(scr_env *env, const char *title, bool back);
/* A layout cursor through the scroll view. */
typedef struct scr_flow {
    scr_env *env;
    int x, y, w;
    int gap;
} scr_flow;
void scr_flow_begin(scr_flow *f, scr_env *env, int top);
ui_widget *scr_flow_add(scr_flow *f, ui_role role, const char *text, int px);
void scr_flow_end(scr_flow *f);

/* ★ government, ▲ market or enterprise, ● society; "" when unset
 * (scr_board.c). */
const char *scr_provider_mark(qf_catalog_provider p);
/* 高频/中频/低频 (or English); "" when unset (scr_board.c). */
const char *scr_frequency_text(const scr_env *env, qf_catalog_frequency f);

#endif
