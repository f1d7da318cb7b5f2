/* test_print_render.c — the slip renderer: each slip at 58 and 80 mm widths,
 * QR codes that decode back to their URLs (with zbarimg, as a phone would
 * see the printed dots), the priority mark, a missing font, over-long and
 * NULL inputs, and the ticket number drawn large. Prints (never asserts) the
 * time to render a ticket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pr.h"
#include "pr_draw.h"

static pr_layout layout_at(int width)
{
    pr_layout lay;
    pr_layout_default(&lay, QIFU_SOURCE_DIR);
    lay.width_dots = width;
    return lay;
}

static const pr_ticket ticket_a023 = {
    .hall_name = "钱塘区企业综合服务中心",
    .window_name = "纳税服务",
    .number = "A023",
    .people_ahead = 5,
    .issued_at = 1795998600,   /* 2026-11-30 08:30 +08:00 */
    .priority = false,
    .status_url = "https://qifu.example.cn/q/status?t=A023&d=2026-11-29",
    .guidance = "请留意叫号屏，过号请重新取号。Please watch the display.",
};

static const pr_receipt receipt_0042 = {
    .hall_name = "钱塘区企业综合服务中心",
    .case_no = "QT20261124-0042",
    .kind_text = "诉求 · 政策咨询",
    .deadline_rule = "135：简单问题1个工作日、一般问题3个工作日、复杂问题5个工作日内答复",
    .mobile_masked = "138****5678",
    .submitted_at = 1795998600,
    .tracking_url = "https://qifu.example.cn/c/QT20261124-0042?k=Ab9xZ",
};

static const char *const guide_steps[] = {
    "登录浙江政务服务网或到综合窗口取号",
    "填写《设立登记申请书》（一式一份）",
    "提交材料，窗口审核",
    "领取营业执照 Receive the business licence",
};
static const char *const guide_materials[] = {
    "法定代表人身份证原件",
    "公司章程",
    "住所使用证明",
};
static const pr_guide guide_setup = {
    .title = "企业设立登记",
    .steps = guide_steps,
    .nsteps = 4,
    .materials = guide_materials,
    .nmaterials = 3,
    .unit = "杭州市钱塘区市场监督管理局",
    .phone = "0571-86000000",
    .online_url = "https://www.zjzwfw.gov.cn/guide/qiye-sheli",
};

static size_t count_black(const pr_bitmap *bm, int y0, int y1)
{
    size_t n = 0;
    for (int y = y0; y < y1 && y < bm->height; y++)
        for (int x = 0; x < bm->width; x++)
            n += pr_bitmap_get(bm, x, y);
    return n;
}

/* Writes bm to a PNG in /tmp and returns what zbarimg reads ("" if nothing). */
static void decode_qr(const pr_bitmap *bm, const char *tag, char *out, size_t outlen)
{
    char path[256], cmd[512], err[256] = "";
    snprintf(path, sizeof path, "/tmp/qifu-test-%s-%ld.png", tag, (long)getpid());
    if (pr_bitmap_write_png(bm, path, err, sizeof err) != QF_OK)
        fail_msg("writing %s: %s", path, err);
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    pclose(p);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    if (!getenv("QIFU_KEEP_PNG"))   /* set it to look at the slips */
        unlink(path);
}

static void assert_sane_size(const pr_bitmap *bm, int width)
{
    assert_int_equal(bm->width, width);
    assert_int_equal(bm->stride, (size_t)(width + 7) / 8);
    if (bm->height < 300 || bm->height > 3000)
        fail_msg("height %d outside 300..3000", bm->height);
}

static void test_ticket_renders_at_58_and_80_mm_and_qr_reads_back(void **state)
{
    (void)state;
    const int widths[] = { 384, 576 };
    for (size_t i = 0; i < 2; i++) {
        pr_layout lay = layout_at(widths[i]);
        pr_bitmap *bm = NULL;
        char err[256] = "", got[512];
        if (pr_render_ticket(&lay, &ticket_a023, &bm, err, sizeof err) != QF_OK)
            fail_msg("ticket at %d: %s", widths[i], err);
        assert_sane_size(bm, widths[i]);
        printf("# ticket %dx%d dots, %zu bytes of bitmap\n", bm->width, bm->height,
               bm->stride * (size_t)bm->height);
        decode_qr(bm, "ticket", got, sizeof got);
        assert_string_equal(got, ticket_a023.status_url);
        pr_bitmap_free(bm);
    }
}

static void test_receipt_renders_at_58_and_80_mm_and_qr_reads_back(void **state)
{
    (void)state;
    const int widths[] = { 384, 576 };
    for (size_t i = 0; i < 2; i++) {
        pr_layout lay = layout_at(widths[i]);
        pr_bitmap *bm = NULL;
        char err[256] = "", got[512];
        if (pr_render_receipt(&lay, &receipt_0042, &bm, err, sizeof err) != QF_OK)
            fail_msg("receipt at %d: %s", widths[i], err);
        assert_sane_size(bm, widths[i]);
        printf("# receipt %dx%d dots\n", bm->width, bm->height);
        decode_qr(bm, "receipt", got, sizeof got);
        assert_string_equal(got, receipt_0042.tracking_url);
        pr_bitmap_free(bm);
    }
}

static void test_guide_renders_at_58_and_80_mm_and_qr_reads_back(void **state)
{
    (void)state;
    const int widths[] = { 384, 576 };
    for (size_t i = 0; i < 2; i++) {
        pr_layout lay = layout_at(widths[i]);
        pr_bitmap *bm = NULL;
        char err[256] = "", got[512];
        if (pr_render_guide(&lay, &guide_setup, &bm, err, sizeof err) != QF_OK)
            fail_msg("guide at %d: %s", widths[i], err);
        assert_sane_size(bm, widths[i]);
        printf("# guide %dx%d dots\n", bm->width, bm->height);
        decode_qr(bm, "guide", got, sizeof got);
        assert_string_equal(got, guide_setup.online_url);
        pr_bitmap_free(bm);
    }
    /* Without an online channel: no QR, still a slip. */
    pr_guide g = guide_setup;
    g.online_url = NULL;
    pr_layout lay = layout_at(384);
    pr_bitmap *bm = NULL;
    assert_int_equal(pr_render_guide(&lay, &g, &bm, NULL, 0), QF_OK);
    char got[512];
    decode_qr(bm, "guide-noqr", got, sizeof got);
    assert_string_equal(got, "");
    pr_bitmap_free(bm);
}

static void test_qr_is_at_least_25_mm_with_its_quiet_zone(void **state)
{
    (void)state;
    pr_bitmap *bm = NULL;
    assert_int_equal(pr_bitmap_new(384, 400, &bm), QF_OK);
    int h = 0;
    assert_int_equal(pr_qr_draw(bm, "https://qifu.example.cn/q/A023", 8, 8, 368, 0, &h, NULL, 0),
                     QF_OK);
    assert_true(h >= 200 && h <= 368);
    /* The 4-module quiet zone: the first rows of the symbol are white. */
    assert_int_equal(count_black(bm, 0, 16), 0);
    pr_bitmap_free(bm);
    /* Too long a text for the paper at one dot per module: refused. */
    assert_int_equal(pr_bitmap_new(64, 64, &bm), QF_OK);
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(pr_qr_draw(bm, big, 8, 0, 64, 0, &h, NULL, 0), QF_ERR_LIMIT);
    pr_bitmap_free(bm);
}

static void test_priority_ticket_is_marked(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    pr_ticket t = ticket_a023;
    pr_bitmap *normal = NULL, *prio = NULL;
    assert_int_equal(pr_render_ticket(&lay, &t, &normal, NULL, 0), QF_OK);
    t.priority = true;
    assert_int_equal(pr_render_ticket(&lay, &t, &prio, NULL, 0), QF_OK);
    /* The black 优先 band sits above the number: the priority slip is taller
     * and its header (above the normal slip's number) holds far more black. */
    assert_true(prio->height > normal->height + 40);
    size_t band_normal = count_black(normal, 0, 160), band_prio = count_black(prio, 0, 160);
    printf("# header black dots: normal %zu, priority %zu\n", band_normal, band_prio);
    assert_true(band_prio > band_normal + 3000);
    pr_bitmap_free(normal);
    pr_bitmap_free(prio);
}

static void test_missing_font_is_a_clear_error(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    lay.font_path = "/nonexistent/qifu/NoSuchFont.ttc";
    pr_bitmap *bm = (pr_bitmap *)&lay;   /* must be reset to NULL */
    char err[256] = "";
    assert_int_equal(pr_render_ticket(&lay, &ticket_a023, &bm, err, sizeof err), QF_ERR_NOT_FOUND);
    assert_null(bm);
    assert_non_null(strstr(err, "NoSuchFont.ttc"));
    /* A file that is not a font. */
    lay.font_path = QIFU_SOURCE_DIR "/fonts/README.md";
    err[0] = '\0';
    assert_int_equal(pr_render_receipt(&lay, &receipt_0042, &bm, err, sizeof err),
                     QF_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "README.md"));
    /* No layout, bad width. */
    assert_int_equal(pr_render_guide(NULL, &guide_setup, &bm, NULL, 0), QF_ERR_INVALID);
    lay = layout_at(100000);
    assert_int_equal(pr_render_ticket(&lay, &ticket_a023, &bm, err, sizeof err), QF_ERR_RANGE);
    assert_null(bm);
}

static void test_null_fields_render(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    pr_ticket t = { 0 };
    pr_receipt r = { 0 };
    pr_guide g = { 0 };
    pr_bitmap *bm = NULL;
    assert_int_equal(pr_render_ticket(&lay, &t, &bm, NULL, 0), QF_OK);
    assert_int_equal(bm->width, 384);
    pr_bitmap_free(bm);
    assert_int_equal(pr_render_receipt(&lay, &r, &bm, NULL, 0), QF_OK);
    pr_bitmap_free(bm);
    assert_int_equal(pr_render_guide(&lay, &g, &bm, NULL, 0), QF_OK);
    pr_bitmap_free(bm);
    g.nsteps = 3;   /* a count without a list */
    assert_int_equal(pr_render_guide(&lay, &g, &bm, NULL, 0), QF_ERR_INVALID);
    assert_null(bm);
}

static void test_over_long_inputs_are_cut_not_overflowing(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    size_t big = 20000;
    char *longcjk = malloc(big * 3 + 1), *longurl = malloc(big + 1);
    assert_non_null(longcjk);
    assert_non_null(longurl);
    for (size_t i = 0; i < big; i++)
        memcpy(longcjk + 3 * i, "钱", 3);
    longcjk[big * 3] = '\0';
    memset(longurl, 'u', big);
    longurl[big] = '\0';

    pr_ticket t = ticket_a023;
    t.hall_name = longcjk;
    t.guidance = longcjk;
    t.number = "A0230000000000000000000000000000000000000000000000000000000000000000";
    pr_bitmap *bm = NULL;
    char err[256] = "";
    if (pr_render_ticket(&lay, &t, &bm, err, sizeof err) != QF_OK)
        fail_msg("long ticket: %s", err);
    assert_int_equal(bm->width, 384);
    assert_true(bm->height <= PR_MAX_HEIGHT);
    printf("# ticket with 60 KB fields: %d dots tall\n", bm->height);
    pr_bitmap_free(bm);

    /* A URL over the limit is refused, not cut into a wrong link. */
    t = ticket_a023;
    t.status_url = longurl;
    err[0] = '\0';
    assert_int_equal(pr_render_ticket(&lay, &t, &bm, err, sizeof err), QF_ERR_LIMIT);
    assert_null(bm);
    assert_non_null(strstr(err, "URL"));
    /* Within the limit but dense: smaller modules, still read back. */
    longurl[1000] = '\0';
    memcpy(longurl, "https://", 8);
    if (pr_render_ticket(&lay, &t, &bm, err, sizeof err) != QF_OK)
        fail_msg("1000-byte URL: %s", err);
    char got[1200];
    decode_qr(bm, "denseqr", got, sizeof got);
    assert_string_equal(got, longurl);
    pr_bitmap_free(bm);

    /* A guide far longer than one slip: cut at PR_MAX_HEIGHT, not beyond. */
    const char *steps[100];
    for (size_t i = 0; i < 100; i++)
        steps[i] = longcjk;
    pr_guide g = guide_setup;
    g.steps = steps;
    g.nsteps = 100;
    g.materials = steps;
    g.nmaterials = 100;
    if (pr_render_guide(&lay, &g, &bm, err, sizeof err) != QF_OK)
        fail_msg("long guide: %s", err);
    assert_true(bm->height <= PR_MAX_HEIGHT);
    assert_true(bm->height > PR_MAX_HEIGHT / 2);
    /* zbarimg gives up on a 16,000-row image: read the last 1,200 rows. */
    pr_bitmap *tail = NULL;
    assert_int_equal(pr_bitmap_new(bm->width, 1200, &tail), QF_OK);
    memcpy(tail->bits, bm->bits + (size_t)(bm->height - 1200) * bm->stride, 1200 * bm->stride);
    decode_qr(tail, "longguide", got, sizeof got);
    pr_bitmap_free(tail);
    assert_string_equal(got, guide_setup.online_url);
    pr_bitmap_free(bm);
    free(longcjk);
    free(longurl);
}

static void test_ticket_number_is_drawn_large(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    pr_ticket t = ticket_a023;
    t.status_url = NULL;   /* no QR: the tallest run of inked rows is the number */
    pr_bitmap *bm = NULL;
    assert_int_equal(pr_render_ticket(&lay, &t, &bm, NULL, 0), QF_OK);
    int run = 0, best = 0, best_end = 0;
    for (int y = 0; y < bm->height; y++) {
        if (count_black(bm, y, y + 1) > 0) {
            if (++run > best)
                best = run, best_end = y;
        } else {
            run = 0;
        }
    }
    /* 96-dot digits are ~70 dots tall; body text lines ~24. */
    printf("# number band: %d rows ending at row %d\n", best, best_end);
    assert_true(best >= 60);
    assert_true(count_black(bm, best_end - best + 1, best_end + 1) > 2000);
    pr_bitmap_free(bm);
}

/* A caller that passes a full mobile still gets a masked one printed: the
 * slip is dot-for-dot the one for 138****5678. */
static void test_receipt_never_prints_a_full_mobile(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    pr_receipt r = receipt_0042;
    pr_bitmap *masked = NULL, *full = NULL;
    assert_int_equal(pr_render_receipt(&lay, &r, &masked, NULL, 0), QF_OK);
    r.mobile_masked = "13812345678";
    assert_int_equal(pr_render_receipt(&lay, &r, &full, NULL, 0), QF_OK);
    assert_int_equal(masked->height, full->height);
    assert_memory_equal(masked->bits, full->bits, masked->stride * (size_t)masked->height);
    pr_bitmap_free(masked);
    pr_bitmap_free(full);
}

typedef struct render_job {
    const pr_bitmap *want;
    int mismatches, failures;
} render_job;

static void *render_many(void *arg)
{
    render_job *job = arg;
    pr_layout lay = layout_at(384);
    for (int i = 0; i < 5; i++) {
        pr_bitmap *bm = NULL;
        if (pr_render_ticket(&lay, &ticket_a023, &bm, NULL, 0) != QF_OK) {
            job->failures++;
            continue;
        }
        if (bm->height != job->want->height ||
            memcmp(bm->bits, job->want->bits, bm->stride * (size_t)bm->height) != 0)
            job->mismatches++;
        pr_bitmap_free(bm);
    }
    return NULL;
}

/* The print worker and qifu-ctl may render from any thread: four threads at
 * once draw exactly what one thread draws (the font cache is shared). */
static void test_concurrent_renders_match_a_single_render(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    pr_bitmap *want = NULL;
    assert_int_equal(pr_render_ticket(&lay, &ticket_a023, &want, NULL, 0), QF_OK);
    pthread_t th[4];
    render_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (render_job){ want, 0, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].failures, 0);
        assert_int_equal(jobs[i].mismatches, 0);
    }
    pr_bitmap_free(want);
}

static void test_font_shutdown_then_render_again(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    pr_bitmap *a = NULL, *b = NULL;
    assert_int_equal(pr_render_ticket(&lay, &ticket_a023, &a, NULL, 0), QF_OK);
    pr_font_shutdown();
    pr_font_shutdown();   /* twice is harmless */
    assert_int_equal(pr_render_ticket(&lay, &ticket_a023, &b, NULL, 0), QF_OK);
    assert_int_equal(a->height, b->height);
    assert_memory_equal(a->bits, b->bits, a->stride * (size_t)a->height);
    pr_bitmap_free(a);
    pr_bitmap_free(b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_report_ticket_render_time(void **state)
{
    (void)state;
    pr_layout lay = layout_at(384);
    double ms[20];
    for (int i = 0; i < 20; i++) {
        struct timespec a, b;
        pr_bitmap *bm = NULL;
        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(pr_render_ticket(&lay, &ticket_a023, &bm, NULL, 0), QF_OK);
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
        pr_bitmap_free(bm);
    }
    qsort(ms, 20, sizeof ms[0], cmp_double);
    printf("# ticket render at 384 dots: median %.2f ms (min %.2f, max %.2f) over 20\n",
           (ms[9] + ms[10]) / 2, ms[0], ms[19]);
}

static int teardown(void **state)
{
    (void)state;
    pr_font_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticket_renders_at_58_and_80_mm_and_qr_reads_back),
        cmocka_unit_test(test_receipt_renders_at_58_and_80_mm_and_qr_reads_back),
        cmocka_unit_test(test_guide_renders_at_58_and_80_mm_and_qr_reads_back),
        cmocka_unit_test(test_qr_is_at_least_25_mm_with_its_quiet_zone),
        cmocka_unit_test(test_priority_ticket_is_marked),
        cmocka_unit_test(test_missing_font_is_a_clear_error),
        cmocka_unit_test(test_null_fields_render),
        cmocka_unit_test(test_over_long_inputs_are_cut_not_overflowing),
        cmocka_unit_test(test_ticket_number_is_drawn_large),
        cmocka_unit_test(test_receipt_never_prints_a_full_mobile),
        cmocka_unit_test(test_concurrent_renders_match_a_single_render),
        cmocka_unit_test(test_font_shutdown_then_render_again),
        cmocka_unit_test(test_report_ticket_render_time),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
