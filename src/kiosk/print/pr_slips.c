/* pr_slips.c — the three slips (queue ticket, case receipt, service guide)
 * laid out into a 1-bit bitmap at the printer's width.
 *
 * Each slip is drawn top to bottom with a cursor into a tall scratch bitmap
 * (PR_MAX_HEIGHT rows; calloc'd pages that are never touched cost nothing)
 * and then cropped to the height used. Text is wrapped with qf_text_wrap and
 * measured with the real font; labels are Chinese first, English second. Every
 * string input is NULL-safe and cut at PR_FIELD_MAX bytes (at a character
 * boundary); a slip that would run past the scratch height is cut with a
 * visible "truncated" line rather than failing. Sizes are in dots (1 dot =
 * 1/8 mm at 203 dpi), fixed across 58 and 80 mm paper: wider paper gets more
 * characters per line, not bigger ones.
 *
 * It does not encode ESC/POS or talk to printers (pr_escpos.c, pr_sink.c). */
#include "pr_draw.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_phone.h"
#include "qf_text.h"

#define PR_FIELD_MAX 1024        /* bytes kept of any one string input */
#define PR_NUMBER_MAX 32         /* bytes kept of a ticket number */
#define PR_GUIDE_MAX_ITEMS 30    /* steps / materials printed */
#define PR_WRAP_MAX_LINES 64     /* lines of one wrapped paragraph */
#define PR_FOOTER_RESERVE 200    /* dots kept for a caption, the truncation note, the tail */
#define PR_GUIDE_CONTACT 240     /* dots kept on a guide for unit and phone */

#define PR_SIZE_SMALL 20
#define PR_SIZE_BODY 24
#define PR_SIZE_HEAD 32
#define PR_SIZE_NUMBER 96

/* ---- layout defaults ----------------------------------------------------- */

/* pr_layout holds a borrowed const char *font_path, so the path built from
 * data_dir must outlive the call: a small process-wide table of interned
 * paths (static storage, never freed, a handful of distinct data dirs). */
#define PR_PATHS 8
#define PR_PATH_MAX 1024
static pthread_mutex_t pr_paths_lock = PTHREAD_MUTEX_INITIALIZER;
static char pr_paths[PR_PATHS][PR_PATH_MAX];
static size_t pr_npaths;

void pr_layout_default(pr_layout *lay, const char *data_dir)
{
    if (!lay)
        return;
    lay->width_dots = 384;
    lay->dots_per_mm = 8;
    lay->font_index = 2;
    lay->font_path = NULL;   /* the render then fails with a clear reason */
    char path[PR_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/fonts/NotoSansCJK-Regular.ttc",
                     data_dir && *data_dir ? data_dir : ".");
    if (n < 0 || (size_t)n >= sizeof path)
        return;
    pthread_mutex_lock(&pr_paths_lock);
    for (size_t i = 0; i < pr_npaths; i++)
        if (strcmp(pr_paths[i], path) == 0) {
            lay->font_path = pr_paths[i];
            break;
        }
    if (!lay->font_path && pr_npaths < PR_PATHS) {
        memcpy(pr_paths[pr_npaths], path, (size_t)n + 1);
        lay->font_path = pr_paths[pr_npaths++];
    }
    pthread_mutex_unlock(&pr_paths_lock);
}

/* ---- drawing context ----------------------------------------------------- */

typedef struct pr_ctx {
    const pr_layout *lay;
    pr_bitmap *bm;          /* scratch, PR_MAX_HEIGHT rows */
    int margin, inner_w;    /* left/right margin and the width between */
    int y;                  /* cursor: top of the next thing drawn */
    int limit;              /* text stops here; the rest is for QR and footer */
    bool truncated;         /* something was left out for lack of room */
    qf_err rc;              /* first drawing failure */
} pr_ctx;

typedef enum pr_align { PR_LEFT, PR_CENTER } pr_align;

static pr_font_spec pr_font(const pr_ctx *c, int size, bool bold)
{
    return (pr_font_spec){ c->lay->font_path, c->lay->font_index, size, bold };
}

/* NULL becomes "", anything longer than max bytes is cut at a character. */
static const char *pr_field(const char *s, char *buf, size_t max)
{
    if (!s)
        return "";
    /* Look 3 bytes past max so a character straddling it is seen whole
     * (and dropped), not mistaken for invalid bytes and kept in part. */
    size_t len = strnlen(s, max + 3);
    size_t n = qf_utf8_cut(s, len, max);
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static int pr_measure_cb(const char *s, size_t len, void *ud)
{
    return pr_font_measure(ud, s, len);
}

/* Draws text wrapped to width w starting at x (centred lines when asked). */
static void pr_para_at(pr_ctx *c, const pr_font_spec *f, int x, int w, const char *text,
                       pr_align align)
{
    if (!text || !*text || w <= 0)
        return;
    qf_text_line lines[PR_WRAP_MAX_LINES];
    size_t n = 0;
    qf_err rc = qf_text_wrap(text, w, pr_measure_cb, (void *)f, lines, PR_WRAP_MAX_LINES, &n);
    if (rc == QF_ERR_LIMIT)
        c->truncated = true;
    else if (rc != QF_OK)
        return;
    int lh = pr_font_line_height(f);
    for (size_t i = 0; i < n; i++) {
        if (c->y + lh > c->limit) {
            c->truncated = true;
            return;
        }
        const char *s = text + lines[i].start;
        int lx = x;
        if (align == PR_CENTER) {
            int lw = pr_font_measure(f, s, lines[i].len);
            lx = x + (w - lw) / 2;
        }
        qf_err drc = pr_font_draw(c->bm, f, lx, c->y, s, lines[i].len, false);
        if (drc != QF_OK && drc != QF_ERR_INVALID && c->rc == QF_OK)
            c->rc = drc;
        c->y += lh;
    }
}

static void pr_para(pr_ctx *c, int size, bool bold, const char *text, pr_align align)
{
    pr_font_spec f = pr_font(c, size, bold);
    pr_para_at(c, &f, c->margin, c->inner_w, text, align);
}

/* "label value" as one wrapped paragraph: 排队号 Queue number: A023. */
static void pr_field_line(pr_ctx *c, const char *label, const char *value)
{
    char line[PR_FIELD_MAX + 128];
    snprintf(line, sizeof line, "%s：%s", label, value);
    pr_para(c, PR_SIZE_BODY, false, line, PR_LEFT);
}

/* A numbered or bulleted item with a hanging indent. */
static void pr_item(pr_ctx *c, const char *prefix, const char *text)
{
    pr_font_spec f = pr_font(c, PR_SIZE_BODY, false);
    int pw = pr_font_measure(&f, prefix, strlen(prefix));
    int lh = pr_font_line_height(&f);
    if (c->y + lh > c->limit) {
        c->truncated = true;
        return;
    }
    pr_font_draw(c->bm, &f, c->margin, c->y, prefix, strlen(prefix), false);
    int y0 = c->y;
    pr_para_at(c, &f, c->margin + pw, c->inner_w - pw, text, PR_LEFT);
    if (c->y == y0)
        c->y += lh;   /* empty item: still one line */
}

static void pr_gap(pr_ctx *c, int dots)
{
    c->y += dots;
}

static void pr_rule(pr_ctx *c)
{
    pr_gap(c, 8);
    pr_bitmap_fill(c->bm, c->margin, c->y, c->inner_w, 2, true);
    pr_gap(c, 2 + 10);
}

static void pr_qr(pr_ctx *c, const char *url, const char *caption, char *err, size_t errlen)
{
    if (!url || !*url)
        return;
    /* A cut URL would be a wrong link: refuse instead of cutting. */
    if (strnlen(url, PR_FIELD_MAX + 1) > PR_FIELD_MAX) {
        if (c->rc == QF_OK)
            c->rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "QR URL longer than %d bytes",
                               PR_FIELD_MAX);
        return;
    }
    int h = 0;
    qf_err rc = pr_qr_draw(c->bm, url, c->lay->dots_per_mm, c->margin, c->inner_w, c->y, &h,
                           err, errlen);
    if (rc != QF_OK) {
        if (c->rc == QF_OK)
            c->rc = rc;
        return;
    }
    c->y += h;
    c->limit = c->bm->height;   /* the caption goes under the code whatever came before */
    pr_para(c, PR_SIZE_SMALL, false, caption, PR_CENTER);
}

/* "YYYY-MM-DD HH:MM", Asia/Shanghai. */
static void pr_format_time(qf_instant t, char *buf, size_t buflen)
{
    char iso[32];
    qf_clock_format_iso8601(t, iso, sizeof iso);
    iso[10] = ' ';
    iso[16] = '\0';
    snprintf(buf, buflen, "%s", iso);
}

static qf_err pr_begin(pr_ctx *c, const pr_layout *lay, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->lay = lay;
    if (!lay)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no layout");
    if (lay->width_dots < 128 || lay->width_dots > PR_MAX_WIDTH)
        return qf_err_set(err, errlen, QF_ERR_RANGE, "printer width %d dots outside 128..%d",
                          lay->width_dots, PR_MAX_WIDTH);
    if (lay->dots_per_mm < 4 || lay->dots_per_mm > 24)
        return qf_err_set(err, errlen, QF_ERR_RANGE, "%d dots/mm outside 4..24",
                          lay->dots_per_mm);
    if (!lay->font_path)
        return qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "no font path in the layout");
    pr_font_spec f = { lay->font_path, lay->font_index, PR_SIZE_BODY, false };
    qf_err rc = pr_font_check(&f, err, errlen);
    if (rc != QF_OK)
        return rc;
    rc = pr_bitmap_new(lay->width_dots, PR_MAX_HEIGHT, &c->bm);
    if (rc != QF_OK)
        return qf_err_set(err, errlen, rc, "cannot allocate the slip bitmap");
    c->margin = 2 * lay->dots_per_mm > 24 ? 24 : 2 * lay->dots_per_mm;
    if (lay->width_dots >= 512)
        c->margin = 3 * lay->dots_per_mm;
    c->inner_w = lay->width_dots - 2 * c->margin;
    c->y = lay->dots_per_mm * 2;
    /* Text stops early enough that the QR (never wider, so never taller,
     * than inner_w) and its caption still fit below it. */
    c->limit = PR_MAX_HEIGHT - c->inner_w - PR_FOOTER_RESERVE;
    return QF_OK;
}

/* Crops the scratch to the used height and hands it to *out. */
static qf_err pr_finish(pr_ctx *c, pr_bitmap **out, char *err, size_t errlen)
{
    qf_err rc = c->rc;
    if (rc != QF_OK) {
        if (err && errlen && !*err)
            qf_err_set(err, errlen, rc, "drawing the slip failed");
        goto out;
    }
    if (c->truncated) {
        c->limit = c->bm->height;
        pr_para(c, PR_SIZE_SMALL, false, "（内容过长，已截断 Truncated）", PR_CENTER);
    }
    pr_gap(c, 4 * c->lay->dots_per_mm);   /* white tail before the cutter */
    int h = c->y > c->bm->height ? c->bm->height : c->y;
    pr_bitmap *bm = NULL;
    rc = pr_bitmap_new(c->bm->width, h, &bm);
    if (rc != QF_OK) {
        qf_err_set(err, errlen, rc, "cannot allocate the slip bitmap");
        goto out;
    }
    memcpy(bm->bits, c->bm->bits, (size_t)h * bm->stride);
    *out = bm;
out:
    pr_bitmap_free(c->bm);
    c->bm = NULL;
    return rc;
}

/* ---- the slips ----------------------------------------------------------- */

qf_err pr_render_ticket(const pr_layout *lay, const pr_ticket *t, pr_bitmap **out, char *err,
                        size_t errlen)
{
    if (err && errlen)
        *err = '\0';
    if (!out)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no output");
    *out = NULL;
    if (!t)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no ticket");
    pr_ctx c;
    qf_err rc = pr_begin(&c, lay, err, errlen);
    if (rc != QF_OK)
        return rc;
    char b1[PR_FIELD_MAX + 1], b2[PR_FIELD_MAX + 1];
    char num[PR_NUMBER_MAX + 1], line[PR_FIELD_MAX + 128], when[32];

    pr_para(&c, PR_SIZE_BODY, true, pr_field(t->hall_name, b1, PR_FIELD_MAX), PR_CENTER);
    pr_gap(&c, 4);
    snprintf(line, sizeof line, "窗口 Window：%s", pr_field(t->window_name, b1, PR_FIELD_MAX));
    pr_para(&c, PR_SIZE_BODY, false, line, PR_CENTER);
    pr_rule(&c);

    if (t->priority) {
        /* A black band with white letters: seen at a glance by the staff. */
        pr_font_spec f = pr_font(&c, PR_SIZE_HEAD, true);
        const char *txt = "优先 Priority";
        int lh = pr_font_line_height(&f);
        int w = pr_font_measure(&f, txt, strlen(txt));
        pr_bitmap_fill(c.bm, c.margin, c.y, c.inner_w, lh + 8, true);
        pr_font_draw(c.bm, &f, c.margin + (c.inner_w - w) / 2, c.y + 4, txt, strlen(txt), true);
        pr_gap(&c, lh + 8 + 4);
        pr_para(&c, PR_SIZE_SMALL, false, "老幼孕残优先 Elderly, children, pregnant, disabled",
                PR_CENTER);
        pr_gap(&c, 4);
    }

    pr_para(&c, PR_SIZE_SMALL, false, "排队号 Queue number", PR_CENTER);
    pr_field(t->number, num, PR_NUMBER_MAX);
    {
        /* The number as large as fits: 96 dots (12 mm), smaller only for a
         * number too long for the paper. */
        int size = PR_SIZE_NUMBER;
        pr_font_spec f = pr_font(&c, size, true);
        while (size > PR_SIZE_HEAD && pr_font_measure(&f, num, strlen(num)) > c.inner_w) {
            size -= 8;
            f = pr_font(&c, size, true);
        }
        pr_para_at(&c, &f, c.margin, c.inner_w, num, PR_CENTER);
    }
    pr_gap(&c, 4);
    /* An offline number (leased block) has no known place in the queue
     * until it is registered: no line rather than a wrong "0 ahead". */
    if (t->people_ahead >= 0) {
        snprintf(line, sizeof line, "前面还有 %d 人 People ahead: %d", t->people_ahead,
                 t->people_ahead);
        pr_para(&c, PR_SIZE_BODY, false, line, PR_CENTER);
    }
    pr_format_time(t->issued_at, when, sizeof when);
    snprintf(line, sizeof line, "取号时间 Issued：%s", when);
    pr_para(&c, PR_SIZE_SMALL, false, line, PR_CENTER);
    pr_rule(&c);
    pr_para(&c, PR_SIZE_BODY, false, pr_field(t->guidance, b2, PR_FIELD_MAX), PR_CENTER);
    pr_gap(&c, 8);
    pr_qr(&c, t->status_url, "扫码查看排队进度 Scan for queue status",
          err, errlen);
    return pr_finish(&c, out, err, errlen);
}

/* The mobile as printed: never a full number, even if a caller passes one. */
static const char *pr_mobile_safe(const char *in, char *buf, size_t buflen)
{
    if (!in || !*in)
        return "";
    if (strchr(in, '*'))
        return in;
    size_t digits = 0;
    for (const char *p = in; *p; p++)
        digits += (*p >= '0' && *p <= '9');
    if (digits < 7)
        return in;
    if (buflen >= QF_PHONE_MASK_MAX && qf_phone_mask(in, buf, buflen) == QF_OK && !strstr(buf, in))
        return buf;
    return "***";
}

qf_err pr_render_receipt(const pr_layout *lay, const pr_receipt *r, pr_bitmap **out, char *err,
                         size_t errlen)
{
    if (err && errlen)
        *err = '\0';
    if (!out)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no output");
    *out = NULL;
    if (!r)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no receipt");
    pr_ctx c;
    qf_err rc = pr_begin(&c, lay, err, errlen);
    if (rc != QF_OK)
        return rc;
    char b[PR_FIELD_MAX + 1], m[QF_PHONE_MASK_MAX + 8], when[32];

    pr_para(&c, PR_SIZE_BODY, true, pr_field(r->hall_name, b, PR_FIELD_MAX), PR_CENTER);
    pr_gap(&c, 4);
    pr_para(&c, PR_SIZE_HEAD, true, "受理回执 Case receipt", PR_CENTER);
    pr_rule(&c);
    pr_para(&c, PR_SIZE_SMALL, false, "案件编号 Case number", PR_LEFT);
    pr_para(&c, PR_SIZE_HEAD, true, pr_field(r->case_no, b, PR_FIELD_MAX), PR_LEFT);
    pr_gap(&c, 6);
    pr_field_line(&c, "类型 Kind", pr_field(r->kind_text, b, PR_FIELD_MAX));
    pr_field_line(&c, "办理时限 Deadline", pr_field(r->deadline_rule, b, PR_FIELD_MAX));
    pr_field(r->mobile_masked, b, PR_FIELD_MAX);
    pr_field_line(&c, "手机 Mobile", pr_mobile_safe(b, m, sizeof m));
    pr_format_time(r->submitted_at, when, sizeof when);
    pr_field_line(&c, "提交时间 Submitted", when);
    pr_rule(&c);
    pr_qr(&c, r->tracking_url, "扫码查询办理进度 Scan to track your case",
          err, errlen);
    return pr_finish(&c, out, err, errlen);
}

qf_err pr_render_guide(const pr_layout *lay, const pr_guide *g, pr_bitmap **out, char *err,
                       size_t errlen)
{
    if (err && errlen)
        *err = '\0';
    if (!out)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no output");
    *out = NULL;
    if (!g || (g->nsteps && !g->steps) || (g->nmaterials && !g->materials))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no guide or a missing list");
    pr_ctx c;
    qf_err rc = pr_begin(&c, lay, err, errlen);
    if (rc != QF_OK)
        return rc;
    char b[PR_FIELD_MAX + 1], prefix[16];

    pr_para(&c, PR_SIZE_HEAD, true, pr_field(g->title, b, PR_FIELD_MAX), PR_CENTER);
    pr_gap(&c, 4);
    pr_para(&c, PR_SIZE_SMALL, false, "办事指南 Service guide", PR_CENTER);
    pr_rule(&c);

    /* Long lists give way to the unit and phone, not the other way round. */
    int text_limit = c.limit;
    c.limit -= PR_GUIDE_CONTACT;
    size_t nsteps = g->nsteps > PR_GUIDE_MAX_ITEMS ? PR_GUIDE_MAX_ITEMS : g->nsteps;
    if (nsteps < g->nsteps)
        c.truncated = true;
    if (nsteps) {
        pr_para(&c, PR_SIZE_BODY, true, "办理步骤 Steps", PR_LEFT);
        for (size_t i = 0; i < nsteps; i++) {
            snprintf(prefix, sizeof prefix, "%zu. ", i + 1);
            pr_item(&c, prefix, pr_field(g->steps[i], b, PR_FIELD_MAX));
        }
        pr_gap(&c, 8);
    }
    size_t nmat = g->nmaterials > PR_GUIDE_MAX_ITEMS ? PR_GUIDE_MAX_ITEMS : g->nmaterials;
    if (nmat < g->nmaterials)
        c.truncated = true;
    if (nmat) {
        pr_para(&c, PR_SIZE_BODY, true, "所需材料 Materials", PR_LEFT);
        for (size_t i = 0; i < nmat; i++)
            pr_item(&c, "· ", pr_field(g->materials[i], b, PR_FIELD_MAX));
        pr_gap(&c, 8);
    }
    c.limit = text_limit;
    pr_rule(&c);
    pr_field_line(&c, "责任单位 Unit", pr_field(g->unit, b, PR_FIELD_MAX));
    pr_field_line(&c, "咨询电话 Phone", pr_field(g->phone, b, PR_FIELD_MAX));
    if (g->online_url && *g->online_url) {
        pr_gap(&c, 8);
        pr_qr(&c, g->online_url, "扫码在线办理 Scan to apply online",
              err, errlen);
    }
    return pr_finish(&c, out, err, errlen);
}
