/* ks_app_slip.c — one slip a citizen asked for (打印回执, 打印指南): its
 * phases ASK → PRINTING (a deadline on the app clock) → DONE, printed or
 * not, and the deadline that gives up on a printer that does not answer.
 * The receipt (ks_app_form.c) and the guide (ks_app.c) keep one
 * ks_receipt_print each and notify their own change; the rules are here. */
#include "ks_app.h"

#include <stdio.h>
#include <string.h>

bool ks_slip_ask(ks_receipt_print *rp)
{
    if (rp->phase == KS_PRINT_ASK || rp->phase == KS_PRINT_PRINTING ||
        (rp->phase == KS_PRINT_DONE && rp->printed))
        return false;    /* one slip at a time; again only after one that did not print */
    memset(rp, 0, sizeof *rp);
    rp->phase = KS_PRINT_ASK;
    return true;
}

bool ks_slip_started(ks_receipt_print *rp, uint64_t job, uint64_t now_ms, uint32_t timeout_ms)
{
    if (rp->phase != KS_PRINT_ASK)
        return false;
    rp->phase = KS_PRINT_PRINTING;
    rp->job = job;
    rp->deadline_ms = now_ms + (timeout_ms ? timeout_ms : KS_PRINT_TIMEOUT_MS);
    return true;
}

bool ks_slip_printed(ks_receipt_print *rp, uint64_t job, bool printed, const char *printer_status)
{
    if (rp->phase != KS_PRINT_PRINTING || rp->job != job)
        return false;    /* stale, or given up at the deadline */
    rp->phase = KS_PRINT_DONE;
    rp->printed = printed;
    snprintf(rp->printer_status, sizeof rp->printer_status, "%s",
             printer_status ? printer_status : "");
    return true;
}

bool ks_slip_tick(ks_receipt_print *rp, uint64_t now_ms)
{
    if (rp->phase != KS_PRINT_PRINTING || now_ms < rp->deadline_ms)
        return false;
    rp->phase = KS_PRINT_DONE;
    rp->printed = false;
    rp->timed_out = true;
    snprintf(rp->printer_status, sizeof rp->printer_status, "timeout");
    return true;
}

uint32_t ks_slip_deadline_ms(const ks_receipt_print *rp, uint64_t now_ms)
{
    if (rp->phase != KS_PRINT_PRINTING)
        return UINT32_MAX;
    return rp->deadline_ms > now_ms ? (uint32_t)(rp->deadline_ms - now_ms) : 0;
}
