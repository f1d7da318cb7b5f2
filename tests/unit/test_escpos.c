/* test_escpos.c — pr_escpos.c: the exact bytes of the encoder, encode →
 * decode round trips, the DLE EOT status bytes, and the decoder on broken
 * streams. Bitmaps are built by hand (no fonts needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pr.h"

/* A deterministic pattern with the padding bits past width left clear. */
static pr_bitmap *make_bitmap(int w, int h, unsigned seed)
{
    pr_bitmap *bm = NULL;
    assert_int_equal(pr_bitmap_new(w, h, &bm), QF_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) & 1)
                pr_bitmap_set(bm, x, y);
        }
    return bm;
}

static void test_encode_small_bitmap_gives_exact_bytes(void **state)
{
    (void)state;
    pr_bitmap *bm = NULL;
    pr_buf out = { 0 };
    assert_int_equal(pr_bitmap_new(10, 2, &bm), QF_OK);
    pr_bitmap_set(bm, 0, 0); /* 0x80 0x00 */
    pr_bitmap_set(bm, 9, 1); /* 0x00 0x40 */
    assert_int_equal(pr_escpos_encode(bm, &out), QF_OK);
    static const uint8_t want[] = {
        0x1b, '@',                                  /* ESC @ */
        0x1d, 'v', '0', 0, 2, 0, 2, 0,              /* GS v 0 m xL xH yL yH */
        0x80, 0x00, 0x00, 0x40,                     /* rows */
        0x1b, 'd', 3,                               /* ESC d 3 */
        0x1d, 'V', 66, 0,                           /* GS V 66 0 */
    };
    assert_int_equal(out.len, sizeof want);
    assert_memory_equal(out.data, want, sizeof want);
    pr_buf_cleanup(&out);
    pr_bitmap_free(bm);
}

static void test_encode_splits_tall_bitmaps_into_bands(void **state)
{
    (void)state;
    pr_bitmap *bm = make_bitmap(384, 100, 7);
    pr_buf out = { 0 };
    assert_int_equal(pr_escpos_encode(bm, &out), QF_OK);
    /* 48 + 48 + 4 rows: three headers. */
    assert_int_equal(out.len, 2 + 3 * 8 + 48 * 100 + 3 + 4);
    const uint8_t *p = out.data + 2;
    assert_int_equal(p[4] | p[5] << 8, 48);
    assert_int_equal(p[6] | p[7] << 8, 48);
    p += 8 + 48 * 48;
    assert_int_equal(p[6], 48);
    p += 8 + 48 * 48;
    assert_memory_equal(p, ((const uint8_t[]){ 0x1d, 'v', '0', 0, 48, 0, 4, 0 }), 8);
    pr_buf_cleanup(&out);
    pr_bitmap_free(bm);
}

static void test_encode_decode_round_trips(void **state)
{
    (void)state;
    static const int dims[][2] = { { 8, 1 }, { 10, 3 }, { 13, 47 }, { 384, 48 },
                                   { 384, 49 }, { 383, 300 }, { 576, 777 }, { 1, 1 } };
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        pr_bitmap *bm = make_bitmap(dims[i][0], dims[i][1], (unsigned)i + 1);
        pr_buf out = { 0 };
        pr_bitmap **slips = NULL;
        size_t n = 0;
        char err[128];
        assert_int_equal(pr_escpos_encode(bm, &out), QF_OK);
        assert_int_equal(pr_escpos_decode(out.data, out.len, &slips, &n, err, sizeof err), QF_OK);
        assert_int_equal(n, 1);
        /* Widths come back rounded up to whole bytes; the padding is white. */
        assert_int_equal(slips[0]->width, (dims[i][0] + 7) / 8 * 8);
        assert_int_equal(slips[0]->height, dims[i][1]);
        assert_int_equal(slips[0]->stride, bm->stride);
        assert_memory_equal(slips[0]->bits, bm->bits, bm->stride * (size_t)bm->height);
        pr_bitmap_free(slips[0]);
        free(slips);
        pr_buf_cleanup(&out);
        pr_bitmap_free(bm);
    }
}

static void test_decode_splits_slips_at_cuts_and_skips_formatting(void **state)
{
    (void)state;
    pr_bitmap *a = make_bitmap(16, 5, 3), *b = make_bitmap(24, 60, 4);
    pr_buf out = { 0 };
    static const uint8_t noise[] = { 0x1b, 'a', 1, 0x1b, '!', 0x30, 0x1d, '!', 0x11,
                                     'H', 'i', '\n', 0x10, 0x04, 0x01, 0x1b, 'J', 20 };
    assert_int_equal(pr_buf_append(&out, noise, sizeof noise), QF_OK);
    assert_int_equal(pr_escpos_encode(a, &out), QF_OK);
    assert_int_equal(pr_buf_append(&out, noise, sizeof noise), QF_OK);
    assert_int_equal(pr_escpos_encode(b, &out), QF_OK);
    pr_bitmap **slips = NULL;
    size_t n = 0;
    assert_int_equal(pr_escpos_decode(out.data, out.len, &slips, &n, NULL, 0), QF_OK);
    assert_int_equal(n, 2);
    assert_int_equal(slips[0]->height, 5);
    assert_int_equal(slips[1]->height, 60);
    assert_memory_equal(slips[1]->bits, b->bits, b->stride * 60);
    for (size_t i = 0; i < n; i++)
        pr_bitmap_free(slips[i]);
    free(slips);
    pr_buf_cleanup(&out);
    pr_bitmap_free(a);
    pr_bitmap_free(b);
}

static void test_decode_fails_cleanly_on_truncated_and_garbage_streams(void **state)
{
    (void)state;
    pr_bitmap *bm = make_bitmap(40, 100, 9);
    pr_buf out = { 0 };
    char err[128];
    assert_int_equal(pr_escpos_encode(bm, &out), QF_OK);
    /* Every truncation inside a command fails; none reads past the end
     * (ASan would say). Cuts between commands decode to what came whole. */
    for (size_t len = 1; len < out.len; len++) {
        uint8_t *copy = malloc(len); /* exact size: an overread is caught */
        memcpy(copy, out.data, len);
        pr_bitmap **slips = NULL;
        size_t n = 0;
        qf_err rc = pr_escpos_decode(copy, len, &slips, &n, err, sizeof err);
        if (rc == QF_OK) {
            for (size_t i = 0; i < n; i++)
                pr_bitmap_free(slips[i]);
            free(slips);
        } else {
            assert_int_equal(rc, QF_ERR_PARSE);
            assert_null(slips);
            assert_int_equal(n, 0);
        }
        free(copy);
    }
    static const uint8_t bad[][10] = {
        { 0x1b, 0x99 },                          /* unknown ESC */
        { 0x1d, 'v', '0', 0, 0, 0, 1, 0 },       /* zero width */
        { 0x1d, 'v', '0', 0, 1, 0, 0, 0 },       /* zero height */
        { 0x1d, 'v', '1', 0, 1, 0, 1, 0, 0xff }, /* not GS v 0 */
        { 0x1d, 'v', '0', 0, 0xff, 0xff, 1, 0 }, /* far too wide */
        { 0x1d, 'V', 7 },                        /* bad cut mode */
        { 0x10, 0x04, 9 },                       /* bad DLE EOT n */
        { 0x10, 0x05, 1 },                       /* unknown DLE */
    };
    static const size_t badlen[] = { 2, 8, 8, 9, 8, 3, 3, 3 };
    for (size_t i = 0; i < sizeof badlen / sizeof badlen[0]; i++) {
        pr_bitmap **slips = NULL;
        size_t n = 0;
        assert_int_not_equal(pr_escpos_decode(bad[i], badlen[i], &slips, &n, err, sizeof err),
                             QF_OK);
        assert_null(slips);
    }
    /* Random bytes: any answer, never a crash. */
    unsigned seed = 1;
    for (int round = 0; round < 200; round++) {
        uint8_t junk[64];
        for (size_t i = 0; i < sizeof junk; i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = (uint8_t)(seed >> 16);
            if (i % 7 == 0)
                junk[i] = (uint8_t)"\x1b\x1d\x10\x1c"[(seed >> 8) & 3];
        }
        pr_bitmap **slips = NULL;
        size_t n = 0;
        if (pr_escpos_decode(junk, sizeof junk, &slips, &n, err, sizeof err) == QF_OK) {
            for (size_t i = 0; i < n; i++)
                pr_bitmap_free(slips[i]);
            free(slips);
        }
    }
    pr_buf_cleanup(&out);
    pr_bitmap_free(bm);
}

static void test_parse_asks_for_more_bytes_when_incomplete(void **state)
{
    (void)state;
    static const uint8_t raster[] = { 0x1d, 'v', '0', 0, 1, 0, 2, 0, 0xaa, 0x55 };
    pr_escpos_cmd cmd;
    size_t used = 99;
    for (size_t len = 1; len < sizeof raster; len++) {
        assert_int_equal(pr_escpos_parse(raster, len, &cmd, &used, NULL, 0), QF_OK);
        assert_int_equal(used, 0);
    }
    assert_int_equal(pr_escpos_parse(raster, sizeof raster, &cmd, &used, NULL, 0), QF_OK);
    assert_int_equal(used, sizeof raster);
    assert_int_equal(cmd.kind, PR_ESCPOS_CMD_RASTER);
    assert_int_equal(cmd.width_bytes, 1);
    assert_int_equal(cmd.height, 2);
    assert_ptr_equal(cmd.data, raster + 8);
}

static void test_status_bytes_decode_every_documented_bit(void **state)
{
    (void)state;
    pr_status st;
    /* All clear: 0x12 for each. */
    assert_int_equal(pr_escpos_status_decode(0x12, 0x12, 0x12, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_OK);
    /* n=1 bit 3: offline (no cause given). */
    assert_int_equal(pr_escpos_status_decode(0x1a, 0x12, 0x12, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_OFFLINE);
    /* n=2 bit 2 cover open, bit 5 paper-end stop, bit 6 error. */
    assert_int_equal(pr_escpos_status_decode(0x1a, 0x16, 0x12, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_COVER_OPEN);
    assert_int_equal(pr_escpos_status_decode(0x1a, 0x32, 0x12, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_PAPER_OUT);
    assert_int_equal(pr_escpos_status_decode(0x1a, 0x52, 0x12, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_ERROR);
    /* n=4 bits 2-3 near end (either bit), bits 5-6 roll end (either bit). */
    assert_int_equal(pr_escpos_status_decode(0x12, 0x12, 0x1e, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_PAPER_NEAR_END);
    assert_int_equal(pr_escpos_status_decode(0x12, 0x12, 0x16, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_PAPER_NEAR_END);
    assert_int_equal(pr_escpos_status_decode(0x12, 0x12, 0x1a, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_PAPER_NEAR_END);
    assert_int_equal(pr_escpos_status_decode(0x12, 0x12, 0x72, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_PAPER_OUT);
    assert_int_equal(pr_escpos_status_decode(0x12, 0x12, 0x32, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_PAPER_OUT);
    /* Paper out wins over cover open (both reported). */
    assert_int_equal(pr_escpos_status_decode(0x1a, 0x36, 0x7e, &st, NULL, 0), QF_OK);
    assert_int_equal(st, PR_STATUS_PAPER_OUT);
    /* Fixed bits: 1 and 4 set, 0 and 7 clear, in every answer. */
    static const uint8_t badbytes[] = { 0x00, 0x10, 0x02, 0x13, 0x92, 0xff };
    char err[128];
    for (size_t i = 0; i < sizeof badbytes; i++) {
        assert_int_equal(pr_escpos_status_decode(badbytes[i], 0x12, 0x12, &st, err, sizeof err),
                         QF_ERR_PARSE);
        assert_int_equal(pr_escpos_status_decode(0x12, badbytes[i], 0x12, &st, NULL, 0),
                         QF_ERR_PARSE);
        assert_int_equal(pr_escpos_status_decode(0x12, 0x12, badbytes[i], &st, NULL, 0),
                         QF_ERR_PARSE);
    }
}

static void test_status_bytes_round_trip_and_can_print(void **state)
{
    (void)state;
    for (int s = PR_STATUS_OK; s <= PR_STATUS_ERROR; s++) {
        pr_status st;
        assert_int_equal(pr_escpos_status_decode(pr_escpos_status_byte(s, 1),
                                                 pr_escpos_status_byte(s, 2),
                                                 pr_escpos_status_byte(s, 4), &st, NULL, 0),
                         QF_OK);
        assert_int_equal(st, s);
        assert_string_not_equal(pr_status_name(st), "");
    }
    assert_true(pr_status_can_print(PR_STATUS_OK));
    assert_true(pr_status_can_print(PR_STATUS_PAPER_NEAR_END));
    assert_true(pr_status_can_print(PR_STATUS_UNKNOWN));
    assert_false(pr_status_can_print(PR_STATUS_PAPER_OUT));
    assert_false(pr_status_can_print(PR_STATUS_COVER_OPEN));
    assert_false(pr_status_can_print(PR_STATUS_OFFLINE));
    assert_false(pr_status_can_print(PR_STATUS_ERROR));
    assert_string_equal(pr_status_name(PR_STATUS_PAPER_OUT), "paper_out");
}

static void test_buf_is_capped(void **state)
{
    (void)state;
    pr_buf b = { 0 };
    uint8_t *big = calloc(1, PR_BUF_MAX);
    assert_non_null(big);
    assert_int_equal(pr_buf_append(&b, big, PR_BUF_MAX), QF_OK);
    assert_int_equal(pr_buf_append(&b, "x", 1), QF_ERR_LIMIT);
    assert_int_equal(b.len, PR_BUF_MAX);
    pr_buf_cleanup(&b);
    assert_null(b.data);
    free(big);
}

static void test_sink_rejects_bad_specs_and_png_sink_refuses_missing_dir(void **state)
{
    (void)state;
    pr_sink *s = NULL;
    char err[256];
    static const char *bad[] = { "", "lp0", "escpos-tcp:", "escpos-tcp:host", "escpos-tcp::9100",
                                 "escpos-tcp:h:0", "escpos-tcp:h:70000", "escpos-tcp:h:9x",
                                 "png:", "escpos-file:" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(pr_sink_open(bad[i], &s, err, sizeof err), QF_ERR_INVALID);
        assert_null(s);
    }
    assert_int_equal(pr_sink_open("png:/nonexistent/qifu", &s, err, sizeof err), QF_ERR_IO);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_small_bitmap_gives_exact_bytes),
        cmocka_unit_test(test_encode_splits_tall_bitmaps_into_bands),
        cmocka_unit_test(test_encode_decode_round_trips),
        cmocka_unit_test(test_decode_splits_slips_at_cuts_and_skips_formatting),
        cmocka_unit_test(test_decode_fails_cleanly_on_truncated_and_garbage_streams),
        cmocka_unit_test(test_parse_asks_for_more_bytes_when_incomplete),
        cmocka_unit_test(test_status_bytes_decode_every_documented_bit),
        cmocka_unit_test(test_status_bytes_round_trip_and_can_print),
        cmocka_unit_test(test_buf_is_capped),
        cmocka_unit_test(test_sink_rejects_bad_specs_and_png_sink_refuses_missing_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
