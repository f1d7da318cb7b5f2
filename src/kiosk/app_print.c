/* app_print.c — the kiosk's print worker (see app_print.h): a queue
 * ticket, a case receipt or a service guide is copied into a job (plain
 * data: the thread never reads the UI's state or the catalog, which a sync
 * may replace meanwhile), rendered and sent on its own thread, and
 * the outcome comes back through ev_print to the UI thread, which alone
 * touches ks_app and the sync worker's printer status. */
#include "app_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "pr.h"
#include "qf_clock.h"

#define KAPP_PRINT_TIMEOUT_DEFAULT_S 15
#define KAPP_PRINT_TIMEOUT_MAX_S 300

typedef enum kapp_slip {
    KAPP_SLIP_TICKET = 0,
    KAPP_SLIP_RECEIPT,
    KAPP_SLIP_GUIDE,
} kapp_slip;

typedef struct kapp_print_job {
    kapp_slip kind;
    uint64_t id;               /* ticket: its request_id; receipt, guide: the job number */
    char sink[512];
    pr_layout lay;
    char font[1200];
    char hall[256];
    /* A ticket. */
    char window_name[160], number[16], issued_at[40], status_url[512];
    int people_ahead;          /* < 0: an offline number, no people-ahead line */
    bool priority;
    /* A receipt. */
    char case_no[32], kind_text[32], mobile_masked[32], submitted_at[40], tracking_url[512];
    const char *rule_text;     /* a string literal */
    /* A guide: owned (pr_guide_from_catalog's copy), freed with the job. */
    pr_guide *guide;
    char service_id[QF_CATALOG_MAX_ID + 1];
    Uint32 ev;
    /* The outcome. */
    bool printed;
    pr_status status;
    bool sink_failed;          /* the sink could not be opened (no printer) */
    char why[256];
} kapp_print_job;

/* Receipt and guide job numbers: one kapp per process, and only the UI thread starts
 * jobs, so a file-level counter is enough; it outlives the session wipe
 * (which zeroes the form), so a late outcome never matches a new job. */
static uint64_t kapp_print_seq;

static void kapp_print_job_free(kapp_print_job *job)
{
    if (!job)
        return;
    pr_guide_free(job->guide);
    free(job);
}

static qf_instant kapp_print_instant(const char *iso)
{
    qf_instant at = 0;
    char why[128];
    if (!iso || !*iso || qf_clock_parse_iso8601(iso, &at, why, sizeof why) != QF_OK)
        at = qf_clock_now();
    return at;
}

static qf_err kapp_print_render(kapp_print_job *job, pr_bitmap **bm)
{
    if (job->kind == KAPP_SLIP_TICKET) {
        pr_ticket t = {
            .hall_name = job->hall,
            .window_name = job->window_name,
            .number = job->number,
            .people_ahead = job->people_ahead,
            .issued_at = kapp_print_instant(job->issued_at),
            .priority = job->priority,
            .status_url = job->status_url,
            .guidance = job->people_ahead < 0 ? "网络恢复后可扫码查看排队位置，请留意叫号屏"
                                              : "请留意叫号屏，过号请重新取号",
        };
        return pr_render_ticket(&job->lay, &t, bm, job->why, sizeof job->why);
    }
    if (job->kind == KAPP_SLIP_GUIDE)
        return pr_render_guide(&job->lay, job->guide, bm, job->why, sizeof job->why);
    pr_receipt r = {
        .hall_name = job->hall,
        .case_no = job->case_no,
        .kind_text = job->kind_text,
        .deadline_rule = job->rule_text,
        .mobile_masked = job->mobile_masked,
        .submitted_at = kapp_print_instant(job->submitted_at),
        .tracking_url = job->tracking_url,
    };
    return pr_render_receipt(&job->lay, &r, bm, job->why, sizeof job->why);
}

static int kapp_print_worker(void *ud)
{
    kapp_print_job *job = ud;
    job->lay.font_path = job->font;
    if (strncmp(job->sink, "png:", 4) == 0)
        mkdir(job->sink + 4, 0700);   /* the development folder; an error shows below */
    pr_bitmap *bm = NULL;
    pr_sink *sink = NULL;
    qf_err rc = kapp_print_render(job, &bm);
    if (rc == QF_OK) {
        rc = pr_sink_open(job->sink, &sink, job->why, sizeof job->why);
        if (rc != QF_OK)
            job->sink_failed = true;
    }
    if (rc == QF_OK)
        rc = pr_sink_print(sink, bm, &job->status, job->why, sizeof job->why);
    job->printed = rc == QF_OK;
    pr_sink_close(sink);
    pr_bitmap_free(bm);
    SDL_Event e;
    SDL_zero(e);
    e.type = job->ev;
    e.user.data1 = job;
    if (SDL_PushEvent(&e) != 1)
        kapp_print_job_free(job);   /* the thread is joined at cleanup all the same */
    return 0;
}

static void kapp_print_join(kapp *k)
{
    if (k->print_thread)
        SDL_WaitThread(k->print_thread, NULL);
    k->print_thread = NULL;
}

bool kapp_print_busy(const kapp *k)
{
    return k->print_thread != NULL;
}

static uint32_t kapp_print_timeout_ms(const kapp *k)
{
    long s = KAPP_PRINT_TIMEOUT_DEFAULT_S;
    if (qf_config_get_int(k->cfg, "printer", "timeout_s", 1, KAPP_PRINT_TIMEOUT_MAX_S,
                          KAPP_PRINT_TIMEOUT_DEFAULT_S, &s, NULL, 0) != QF_OK)
        s = KAPP_PRINT_TIMEOUT_DEFAULT_S;   /* checked at start: cannot happen */
    return (uint32_t)s * 1000u;
}

qf_err kapp_print_init(kapp *k, char *err, size_t errlen)
{
    long s = 0;
    return qf_config_get_int(k->cfg, "printer", "timeout_s", 1, KAPP_PRINT_TIMEOUT_MAX_S,
                             KAPP_PRINT_TIMEOUT_DEFAULT_S, &s, err, errlen);
}

/* A job with the sink, layout, font and hall filled in; NULL when out of
 * memory. */
static kapp_print_job *kapp_print_job_new(const kapp *k, kapp_slip kind, uint64_t id)
{
    kapp_print_job *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->kind = kind;
    job->id = id;
    snprintf(job->sink, sizeof job->sink, "%s", k->printer_sink);
    pr_layout_default(&job->lay, NULL);
    job->lay.width_dots = k->printer_width_dots;
    snprintf(job->font, sizeof job->font, "%s", k->font_path);
    snprintf(job->hall, sizeof job->hall, "%s", k->hall_name);
    job->ev = k->ev_print;
    return job;
}

/* Starts the thread; false (job freed) when it cannot run: a slip still
 * on its way, or no thread. */
static bool kapp_print_spawn(kapp *k, kapp_print_job *job, const char **state)
{
    if (k->print_thread) {
        /* A stalled printer still has the previous slip: this one is not
         * queued behind it (the citizen would wait for nothing). */
        fprintf(stderr, "qifu-kiosk: printer busy with an earlier slip; this one not printed\n");
        kapp_print_job_free(job);
        *state = "busy";
        return false;
    }
    k->print_thread = SDL_CreateThread(kapp_print_worker, "qifu-print", job);
    if (!k->print_thread) {
        fprintf(stderr, "qifu-kiosk: print worker: %s\n", SDL_GetError());
        kapp_print_job_free(job);
        *state = "error";
        return false;
    }
    return true;
}

void kapp_print_ticket(kapp *k)
{
    const ks_app_ticket *t = &k->state.ticket;
    uint64_t id = t->request_id;
    const char *state = "error";
    kapp_print_job *job = kapp_print_job_new(k, KAPP_SLIP_TICKET, id);
    if (job) {
        snprintf(job->window_name, sizeof job->window_name, "%s", t->window_name);
        snprintf(job->number, sizeof job->number, "%s", t->number);
        snprintf(job->issued_at, sizeof job->issued_at, "%s", t->issued_at);
        snprintf(job->status_url, sizeof job->status_url, "%s", t->status_url);
        job->people_ahead = t->leased ? -1 : t->people_ahead;
        job->priority = t->priority;
        if (kapp_print_spawn(k, job, &state)) {
            ks_app_ticket_print_started(&k->state, id, kapp_now(k), kapp_print_timeout_ms(k));
            return;
        }
    }
    ks_app_ticket_printed(&k->state, id, false, state, kapp_now(k));
}

/* The deadline rule as the receipt states it (the same words as
 * qifu-ctl print receipt). */
static const char *kapp_print_rule(const ks_app_form *fm)
{
    if (fm->fallback || strcmp(fm->rule, "3135") == 0)
        return "3135: 现场办1个工作日、局长办3个工作日、研讨办5个工作日";
    return "135: 简单问题1个工作日、单一部门问题3个工作日、吹哨问题5个工作日";
}

/* 打印指南 asked for (KS_PRINT_ASK): the guide copied out of the catalog
 * here, on the UI thread, then printed like a receipt. */
static void kapp_print_guide(kapp *k)
{
    const ks_guide_print *gp = &k->state.guide_print;
    uint64_t id = ++kapp_print_seq;
    const char *state = "error";
    char why[256] = "";
    ks_app_guide_print_started(&k->state, id, kapp_now(k), kapp_print_timeout_ms(k));
    kapp_print_job *job = kapp_print_job_new(k, KAPP_SLIP_GUIDE, id);
    if (job) {
        snprintf(job->service_id, sizeof job->service_id, "%s", gp->service_id);
        if (pr_guide_from_catalog(k->state.catalog, gp->service_id, &job->guide, why,
                                  sizeof why) != QF_OK) {
            fprintf(stderr, "qifu-kiosk: guide %s not printed: %s\n", gp->service_id, why);
            kapp_print_job_free(job);
            job = NULL;
        }
    }
    if (job && kapp_print_spawn(k, job, &state))
        return;
    ks_app_guide_printed(&k->state, id, false, state, kapp_now(k));
}

void kapp_print_update(kapp *k)
{
    if (k->state.guide_print.slip.phase == KS_PRINT_ASK)
        kapp_print_guide(k);
    const ks_app_form *fm = &k->state.form;
    if (fm->receipt_print.phase != KS_PRINT_ASK)
        return;
    uint64_t id = ++kapp_print_seq;
    const char *state = "error";
    kapp_print_job *job = kapp_print_job_new(k, KAPP_SLIP_RECEIPT, id);
    /* Started (or not) first, so a refusal below finds it PRINTING. */
    ks_app_receipt_print_started(&k->state, id, kapp_now(k), kapp_print_timeout_ms(k));
    if (job) {
        snprintf(job->case_no, sizeof job->case_no, "%s", fm->case_no);
        snprintf(job->kind_text, sizeof job->kind_text, "%s", fm->fallback ? "兜底" : "诉求");
        snprintf(job->mobile_masked, sizeof job->mobile_masked, "%s", fm->mobile_masked);
        snprintf(job->submitted_at, sizeof job->submitted_at, "%s", fm->submitted_at);
        snprintf(job->tracking_url, sizeof job->tracking_url, "%s", fm->tracking_url);
        job->rule_text = kapp_print_rule(fm);
        if (kapp_print_spawn(k, job, &state))
            return;
    }
    ks_app_receipt_printed(&k->state, id, false, state, kapp_now(k));
}

/* The heartbeat's words for a print outcome. */
static const char *kapp_printer_state(const kapp_print_job *job)
{
    switch (job->status) {
    case PR_STATUS_OK: return "ok";
    case PR_STATUS_PAPER_NEAR_END: return "paper_low";
    case PR_STATUS_PAPER_OUT: return "paper_out";
    case PR_STATUS_OFFLINE: return "offline";
    case PR_STATUS_COVER_OPEN:
    case PR_STATUS_ERROR: return "error";
    case PR_STATUS_UNKNOWN: break;
    }
    if (job->printed)
        return "ok";     /* a sink that cannot answer (png, plain file) took it */
    return job->sink_failed ? "offline" : "error";
}

void kapp_print_event(kapp *k, const SDL_Event *ev)
{
    kapp_print_job *job = ev->user.data1;
    kapp_print_join(k);           /* it has posted: it is ending */
    const char *state = kapp_printer_state(job);
    const char *what = job->kind == KAPP_SLIP_TICKET    ? "ticket"
                       : job->kind == KAPP_SLIP_RECEIPT ? "receipt"
                                                        : "guide";
    const char *name = job->kind == KAPP_SLIP_TICKET    ? job->number
                       : job->kind == KAPP_SLIP_RECEIPT ? job->case_no
                                                        : job->service_id;
    /* Whether the screen still waits for this slip (not given up at its
     * deadline, not replaced by a newer one). */
    bool waited;
    if (job->kind == KAPP_SLIP_TICKET)
        waited = ks_app_screen(&k->state) == KS_SCREEN_TICKET &&
                 k->state.ticket.phase == KS_TICKET_PRINTING &&
                 k->state.ticket.request_id == job->id;
    else if (job->kind == KAPP_SLIP_RECEIPT)
        waited = k->state.form.receipt_print.phase == KS_PRINT_PRINTING &&
                 k->state.form.receipt_print.job == job->id;
    else
        waited = k->state.guide_print.slip.phase == KS_PRINT_PRINTING &&
                 k->state.guide_print.slip.job == job->id;
    if (job->printed)
        fprintf(stderr, "qifu-kiosk: %s %s printed (%s)%s\n", what, name, state,
                waited ? "" : "; too late for the screen, ignored");
    else
        fprintf(stderr, "qifu-kiosk: %s %s not printed (%s): %s%s\n", what, name, state,
                job->why, waited ? "" : "; too late for the screen, ignored");
    if (k->sync)
        kn_sync_set_printer_status(k->sync, state);
    if (job->kind == KAPP_SLIP_TICKET)
        ks_app_ticket_printed(&k->state, job->id, job->printed, state, kapp_now(k));
    else if (job->kind == KAPP_SLIP_RECEIPT)
        ks_app_receipt_printed(&k->state, job->id, job->printed, state, kapp_now(k));
    else
        ks_app_guide_printed(&k->state, job->id, job->printed, state, kapp_now(k));
    kapp_print_job_free(job);
}

void kapp_print_cleanup(kapp *k)
{
    kapp_print_join(k);
    if (k->ev_print && SDL_WasInit(SDL_INIT_EVENTS)) {
        SDL_Event e;
        while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, k->ev_print, k->ev_print) == 1)
            kapp_print_job_free(e.user.data1);
    }
}
