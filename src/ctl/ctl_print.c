/* ctl_print.c — `qifu-ctl print`: slips through the same library the kiosk
 * uses (pr_render_* then pr_sink_print), for installing and checking
 * printers.
 *
 *   print test-slip --sink SINK [--width 384|576]
 *         a queue ticket with sample data and its QR
 *   print receipt --case NO --sink SINK [--width 384|576] [--public-url URL]
 *         the receipt of a stored case (--db): number, kind, the 135/3135
 *         rule, the MASKED mobile, the tracking URL (URL/track/NO; default
 *         https://127.0.0.1:8443) as QR
 *   print guide --service ID --sink SINK [--catalog DIR] [--width 384|576]
 *         a service's guide from the catalog (default --data-dir +
 *         /assets/catalog): title (category3), the flow as numbered steps,
 *         the materials of a guide that names the service, the units, the
 *         first contact's phone, the online channel's URL as QR
 *
 * SINK is escpos-file:PATH, escpos-tcp:HOST:PORT or png:DIR. The font is
 * --data-dir + /fonts/NotoSansCJK-Regular.ttc (pr_layout_default).
 *
 * Exit codes: 0 printed; 1 the printer refused or failed (the status named
 * on stderr, e.g. "打印机缺纸 / printer out of paper"), unknown case, render
 * failure; 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "pr.h"
#include "pr_draw.h"
#include "qf_case.h"
#include "qf_catalog.h"
#include "qf_clock.h"
#include "qf_phone.h"
#include "store.h"
#include "store_cases.h"

#define CTL_PRINT_HALL "钱塘区企业综合服务中心"
#define CTL_PRINT_URL_DEFAULT "https://127.0.0.1:8443"

typedef struct ctl_print_args {
    const char *sink, *width, *case_no, *public_url, *service, *catalog;
} ctl_print_args;

static int ctl_print_usage(void)
{
    fprintf(stderr, "usage: qifu-ctl print test-slip --sink SINK [--width 384|576]\n"
                    "       qifu-ctl print receipt --case NO --sink SINK [--width 384|576] "
                    "[--public-url URL]\n"
                    "       qifu-ctl print guide --service ID --sink SINK [--catalog DIR] "
                    "[--width 384|576]\n"
                    "  SINK: escpos-file:PATH | escpos-tcp:HOST:PORT | png:DIR\n");
    return CTL_EXIT_USAGE;
}

/* Renders nothing; sends bm to the sink and reports. */
static int ctl_print_send(const char *spec, const pr_bitmap *bm)
{
    pr_sink *sink = NULL;
    pr_status st = PR_STATUS_UNKNOWN;
    char err[512] = "";
    int rc = CTL_EXIT_NO;

    if (pr_sink_open(spec, &sink, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: print: %s\n", err);
        goto out;
    }
    if (pr_sink_print(sink, bm, &st, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: print: %s\n", err);
        goto out;
    }
    printf("printed %d x %d dots (printer status %s)\n", bm->width, bm->height,
           pr_status_name(st));
    if (st == PR_STATUS_PAPER_NEAR_END)
        fprintf(stderr, "qifu-ctl: print: 打印纸将尽 / paper low: replace the roll soon\n");
    rc = CTL_EXIT_OK;
out:
    pr_sink_close(sink);
    return rc;
}

static int ctl_print_test_slip(const ctl_options *opts, const ctl_print_args *a)
{
    pr_layout lay;
    pr_bitmap *bm = NULL;
    char err[256] = "", url[128];
    int rc;

    pr_layout_default(&lay, opts->data_dir);
    if (a->width)
        lay.width_dots = atoi(a->width);
    snprintf(url, sizeof url, "%s/queue/A023",
             a->public_url ? a->public_url : CTL_PRINT_URL_DEFAULT);
    pr_ticket t = {
        .hall_name = CTL_PRINT_HALL,
        .window_name = "纳税服务",
        .number = "A023",
        .people_ahead = 4,
        .issued_at = qf_clock_now(),
        .priority = false,
        .status_url = url,
        .guidance = "请留意叫号屏",
    };
    if (pr_render_ticket(&lay, &t, &bm, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: print: cannot render the ticket: %s\n", err);
        return CTL_EXIT_NO;
    }
    rc = ctl_print_send(a->sink, bm);
    pr_bitmap_free(bm);
    return rc;
}

/* The time-limit rule a receipt states, by the case's kind. */
static const char *ctl_print_rule(const sd_case *c)
{
    if (strcmp(c->kind, "fallback") == 0)
        return "3135: 现场办1个工作日、局长办3个工作日、研讨办5个工作日";
    return "135: 简单问题1个工作日、单一部门问题3个工作日、吹哨问题5个工作日";
}

static int ctl_print_receipt(const ctl_options *opts, const ctl_print_args *a)
{
    sd_store *store = NULL;
    sd_case c;
    pr_layout lay;
    pr_bitmap *bm = NULL;
    char err[256] = "", url[512], masked[QF_PHONE_MASK_MAX], kind[128];
    int rc = CTL_EXIT_NO;
    bool have_case = false;

    memset(&c, 0, sizeof c);
    if (!opts->db_path) {
        fprintf(stderr, "qifu-ctl: print receipt: needs --db PATH or --config FILE\n");
        return CTL_EXIT_USAGE;
    }
    if (!sd_case_no_valid(a->case_no)) {
        fprintf(stderr, "qifu-ctl: print receipt: '%s' is not a case number\n", a->case_no);
        return CTL_EXIT_NO;
    }
    if (sd_store_open(opts->db_path, &store, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s\n", err);
        goto out;
    }
    qf_err e = sd_store_case_get(store, a->case_no, &c);
    if (e != QF_OK) {
        fprintf(stderr, "qifu-ctl: print receipt: case %s: %s\n", a->case_no,
                e == QF_ERR_NOT_FOUND ? "no such case" : qf_err_str(e));
        goto out;
    }
    have_case = true;
    if (qf_phone_mask(c.mobile, masked, sizeof masked) != QF_OK)
        masked[0] = '\0';
    snprintf(kind, sizeof kind, "%s%s%s", strcmp(c.kind, "fallback") == 0 ? "兜底" : "诉求",
             c.state.kind != QF_CASE_KIND_NONE ? " · " : "",
             c.state.kind != QF_CASE_KIND_NONE ? qf_case_kind_label(c.state.kind) : "");
    snprintf(url, sizeof url, "%s/track/%s",
             a->public_url ? a->public_url : CTL_PRINT_URL_DEFAULT, c.no);
    pr_receipt r = {
        .hall_name = CTL_PRINT_HALL,
        .case_no = c.no,
        .kind_text = kind,
        .deadline_rule = ctl_print_rule(&c),
        .mobile_masked = masked,
        .submitted_at = c.created_at,
        .tracking_url = url,
    };
    pr_layout_default(&lay, opts->data_dir);
    if (a->width)
        lay.width_dots = atoi(a->width);
    if (pr_render_receipt(&lay, &r, &bm, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: print: cannot render the receipt: %s\n", err);
        goto out;
    }
    rc = ctl_print_send(a->sink, bm);
out:
    pr_bitmap_free(bm);
    if (have_case)
        sd_case_cleanup(&c);
    sd_store_close(store);
    return rc;
}

static int ctl_print_guide(const ctl_options *opts, const ctl_print_args *a)
{
    qf_catalog *cat = NULL;
    pr_guide *g = NULL;
    pr_layout lay;
    pr_bitmap *bm = NULL;
    char err[512] = "", dir[4096];
    int rc = CTL_EXIT_NO;

    if (a->catalog)
        snprintf(dir, sizeof dir, "%s", a->catalog);
    else
        snprintf(dir, sizeof dir, "%s/assets/catalog", opts->data_dir);
    if (qf_catalog_new(&cat) != QF_OK) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        goto out;
    }
    if (qf_catalog_load_dir(cat, dir, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s: %s\n", dir, err);
        goto out;
    }
    /* The same mapping as the kiosk's 打印指南 (pr_guide.c). */
    qf_err e = pr_guide_from_catalog(cat, a->service, &g, err, sizeof err);
    if (e == QF_ERR_NOT_FOUND) {
        fprintf(stderr, "qifu-ctl: print guide: no service '%s' in %s\n", a->service, dir);
        goto out;
    }
    if (e != QF_OK) {
        fprintf(stderr, "qifu-ctl: print guide: %s\n", err);
        goto out;
    }
    pr_layout_default(&lay, opts->data_dir);
    if (a->width)
        lay.width_dots = atoi(a->width);
    if (pr_render_guide(&lay, g, &bm, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: print: cannot render the guide: %s\n", err);
        goto out;
    }
    rc = ctl_print_send(a->sink, bm);
out:
    pr_bitmap_free(bm);
    pr_guide_free(g);
    qf_catalog_free(cat);
    return rc;
}

int ctl_print_main(const ctl_options *opts, int argc, char **argv)
{
    ctl_print_args a = { 0 };

    if (argc < 2)
        return ctl_print_usage();
    for (int i = 2; i < argc; i++) {
        const char **dst = NULL;
        if (strcmp(argv[i], "--sink") == 0)
            dst = &a.sink;
        else if (strcmp(argv[i], "--width") == 0)
            dst = &a.width;
        else if (strcmp(argv[i], "--case") == 0)
            dst = &a.case_no;
        else if (strcmp(argv[i], "--public-url") == 0)
            dst = &a.public_url;
        else if (strcmp(argv[i], "--service") == 0)
            dst = &a.service;
        else if (strcmp(argv[i], "--catalog") == 0)
            dst = &a.catalog;
        if (!dst || i + 1 >= argc)
            return ctl_print_usage();
        *dst = argv[++i];
    }
    if (!a.sink)
        return ctl_print_usage();
    if (a.width && strcmp(a.width, "384") != 0 && strcmp(a.width, "576") != 0)
        return ctl_print_usage();
    if (a.public_url && strlen(a.public_url) > 256)
        return ctl_print_usage();
    int rc;
    if (strcmp(argv[1], "test-slip") == 0 && !a.case_no && !a.service)
        rc = ctl_print_test_slip(opts, &a);
    else if (strcmp(argv[1], "guide") == 0 && a.service && !a.case_no)
        rc = ctl_print_guide(opts, &a);
    else if (strcmp(argv[1], "receipt") == 0 && a.case_no && !a.service)
        rc = ctl_print_receipt(opts, &a);
    else
        return ctl_print_usage();
    pr_font_shutdown(); /* the renderer's font cache */
    return rc;
}
