/* app_staff.h — the runtime's side of helpers, help calls, maintenance
 * mode and the daily schedule (app_staff.c): the [schedule] config, the
 * kiosk's own log lines (a tee of stderr into a small ring), the hidden
 * corner and badge scans, the staff requests to the sync worker and their
 * answers, the technician's offline credential, the diagnostics report, the
 * log export and the nightly restart. Called from app.c only. */
#ifndef APP_STAFF_H
#define APP_STAFF_H

#include <SDL.h>
#include <stdbool.h>

#include "kn_sync.h"

struct kapp;

/* The exit status of a nightly restart (EX_TEMPFAIL): systemd restarts
 * the unit either way; the status tells the journal why it ended. */
#define KAPP_EXIT_RESTART 75

/* Reads [schedule] and [kiosk] usb_dir, starts the log tee. A malformed
 * [schedule] time is an error (the kiosk does not start on a bad config). */
qf_err kapp_staff_init(struct kapp *k, char *err, size_t errlen);
void kapp_staff_cleanup(struct kapp *k);
/* Input the staff side takes before the screen sees it (the hidden corner,
 * a badge scan, the touch test); true when it took it. */
bool kapp_staff_event(struct kapp *k, const SDL_Event *ev);
/* KN_EVENT_STAFF. */
void kapp_staff_sync_event(struct kapp *k, const kn_event *ev);
/* After every batch of events: the wall clock, requests the state asks
 * for, the nightly restart. */
void kapp_staff_update(struct kapp *k);
/* 0, or KAPP_EXIT_RESTART when the loop ended for the nightly restart. */
int kapp_staff_exit_status(const struct kapp *k);

/* The last n log lines, oldest first, joined with newlines (for the
 * diagnostics screen and the export). Returns buf. */
const char *kapp_staff_log_tail(size_t n, char *buf, size_t len);

#endif
