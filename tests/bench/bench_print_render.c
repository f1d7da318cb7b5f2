/* bench_print_render.c — the slip benchmark: time to render a queue ticket
 * and encode it as ESC/POS, and the size of what goes to the printer, at
 * 58 mm (384 dots) and 80 mm (576 dots). Prints medians; asserts nothing
 * (timing goals live in tests/bench, never in unit tests).
 *
 * Usage: bench_print_render [DATA_DIR [ITERATIONS]]
 *   DATA_DIR holds fonts/ (default: the build's QIFU_SOURCE_DIR or "."). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pr.h"
#include "pr_draw.h"

#ifndef QIFU_SOURCE_DIR
#define QIFU_SOURCE_DIR "."
#endif

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    const char *data_dir = argc > 1 ? argv[1] : QIFU_SOURCE_DIR;
    int iters = argc > 2 ? atoi(argv[2]) : 50;
    if (iters < 1 || iters > 100000) {
        fprintf(stderr, "usage: %s [DATA_DIR [ITERATIONS 1..100000]]\n", argv[0]);
        return 2;
    }
    double *tr = calloc((size_t)iters, sizeof *tr), *te = calloc((size_t)iters, sizeof *te);
    if (!tr || !te)
        return 1;
    const pr_ticket t = {
        .hall_name = "钱塘区企业综合服务中心",
        .window_name = "纳税服务",
        .number = "A023",
        .people_ahead = 5,
        .issued_at = 1795998600,
        .status_url = "https://qifu.example.cn/q/status?t=A023&d=2026-11-30",
        .guidance = "请留意叫号屏，过号请重新取号。",
    };
    int rc = 0;
    const int widths[] = { 384, 576 };
    for (size_t w = 0; w < 2 && rc == 0; w++) {
        pr_layout lay;
        pr_layout_default(&lay, data_dir);
        lay.width_dots = widths[w];
        size_t bytes = 0;
        int height = 0;
        double first = 0;
        for (int i = 0; i < iters; i++) {
            pr_bitmap *bm = NULL;
            pr_buf buf = { 0 };
            char err[256] = "";
            double a = now_ms();
            if (pr_render_ticket(&lay, &t, &bm, err, sizeof err) != QF_OK) {
                fprintf(stderr, "render: %s\n", err);
                rc = 1;
                break;
            }
            double b = now_ms();
            if (pr_escpos_encode(bm, &buf) != QF_OK) {
                fprintf(stderr, "encode failed\n");
                pr_bitmap_free(bm);
                rc = 1;
                break;
            }
            double c = now_ms();
            if (i == 0)
                first = c - a;
            tr[i] = b - a;
            te[i] = c - b;
            bytes = buf.len;
            height = bm->height;
            pr_buf_cleanup(&buf);
            pr_bitmap_free(bm);
        }
        if (rc)
            break;
        printf("ticket %d dots: %dx%d, bitmap %zu bytes, ESC/POS %zu bytes; "
               "first (cold font) %.2f ms; median render %.2f ms, encode %.3f ms (n=%d)\n",
               widths[w], widths[w], height, (size_t)((widths[w] + 7) / 8) * (size_t)height,
               bytes, first, median(tr, iters), median(te, iters), iters);
    }
    pr_font_shutdown();
    free(tr);
    free(te);
    return rc;
}
