/* app_print.h — the kiosk's print worker: the slips a citizen takes away
 * (the queue ticket of 取号, the case receipt of 打印回执 and the service
 * guide of 打印指南, pr_guide_from_catalog), rendered by
 * qifu-print (pr.h) and sent to [printer] sink off the UI thread.
 *
 * One thread per slip, one slip at a time: the thread posts ev_print with
 * its job and the outcome, and the UI thread joins it there. The screen's
 * state gets the outcome (ks_app_ticket_printed / _receipt_printed / _guide_printed)
 * and says 已打印 only when pr_sink_print returned QF_OK. Each slip has a
 * deadline on the app clock ([printer] timeout_s, default 15 s, through
 * ks_app_*_print_started): past it the state gives up on the slip, and a
 * late outcome is logged and ignored. While a slip is still on its way
 * (a stalled printer) another is not started: it is reported not printed
 * ("busy") at once rather than queued behind a printer that does not
 * answer. The printer state of every real outcome goes into the next
 * heartbeat (kn_sync_set_printer_status).
 *
 * Not here: what the slips look like (pr_slips.c), the sinks (pr_sink.c),
 * what the screens say (scr_ticket.c, scr_receipt.c, scr_guide.c). */
#ifndef APP_PRINT_H
#define APP_PRINT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "qf_error.h"

struct kapp;

/* Checks [printer] timeout_s (1-300 s) at start. */
qf_err kapp_print_init(struct kapp *k, char *err, size_t errlen);
/* The ticket in PRINTING (just issued): starts its slip. */
void kapp_print_ticket(struct kapp *k);
/* Every loop turn: a receipt or guide slip asked for (KS_PRINT_ASK) is
 * started. */
void kapp_print_update(struct kapp *k);
/* ev_print: joins the thread and reports the outcome. */
void kapp_print_event(struct kapp *k, const SDL_Event *ev);
/* A slip thread runs (started and its event not yet handled). */
bool kapp_print_busy(const struct kapp *k);
/* Joins a running thread (bounded by the sink's own I/O timeouts) and
 * frees outcomes never handled. */
void kapp_print_cleanup(struct kapp *k);

#endif
