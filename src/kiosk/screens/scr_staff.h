/* scr_staff.h — the staff screens' builders for the screen table
 * (scr_stack.c) and the two helpers scr_staff.c shares with scr_tech.c. */
#ifndef SCR_STAFF_H
#define SCR_STAFF_H

#include "qf_clock.h"
#include "qf_mem.h"
#include "scr.h"

void scr_staff_login_build(scr_env *env);
void scr_help_calls_build(scr_env *env);
void scr_tech_build(scr_env *env);
void scr_diag_build(scr_env *env);
void scr_inspect_build(scr_env *env);
void scr_notice_build(scr_env *env);
void scr_out_of_service_build(scr_env *env);
void scr_closed_build(scr_env *env);
/* The idle screen (scr_idle.c), dimmed at night. */
void scr_idle_build(scr_env *env);
void scr_idle_sched_build(scr_env *env);

/* A button in the flow; tag goes to fn. */
ui_widget *scr_staff_button(scr_flow *f, const char *text, ui_tap_fn fn, int tag, bool primary);
/* A labelled input of app->staff.text[which] in the flow (secret: shown
 * as dots); a tap focuses it, text input edits it. */
ui_widget *scr_staff_input(scr_flow *f, ks_sin which, const char *label, const char *hint,
                           bool secret);

#endif
