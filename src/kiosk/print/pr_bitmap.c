/* pr_bitmap.c — the 1-bit slip bitmap: allocation within PR_MAX_*, filled
 * rectangles, and writing it as a PNG for the png: sink and for tests. It
 * does not draw text or QR codes (pr_font.c, pr_qr.c). */
#include "pr_draw.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

qf_err pr_bitmap_new(int width, int height, pr_bitmap **out)
{
    if (!out)
        return QF_ERR_INVALID;
    *out = NULL;
    if (width <= 0 || height <= 0)
        return QF_ERR_INVALID;
    if (width > PR_MAX_WIDTH || height > PR_MAX_HEIGHT)
        return QF_ERR_LIMIT;
    pr_bitmap *bm = calloc(1, sizeof *bm);
    if (!bm)
        return QF_ERR_NOMEM;
    bm->width = width;
    bm->height = height;
    bm->stride = ((size_t)width + 7) / 8;
    bm->bits = calloc((size_t)height, bm->stride);
    if (!bm->bits) {
        free(bm);
        return QF_ERR_NOMEM;
    }
    *out = bm;
    return QF_OK;
}

void pr_bitmap_free(pr_bitmap *bm)
{
    if (!bm)
        return;
    free(bm->bits);
    free(bm);
}

void pr_bitmap_fill(pr_bitmap *bm, int x, int y, int w, int h, bool black)
{
    int x1 = x + w, y1 = y + h;
    if (x < 0)
        x = 0;
    if (y < 0)
        y = 0;
    if (x1 > bm->width)
        x1 = bm->width;
    if (y1 > bm->height)
        y1 = bm->height;
    for (int yy = y; yy < y1; yy++)
        for (int xx = x; xx < x1; xx++) {
            uint8_t *b = &bm->bits[(size_t)yy * bm->stride + (size_t)xx / 8];
            uint8_t m = (uint8_t)(0x80 >> (xx % 8));
            *b = black ? (uint8_t)(*b | m) : (uint8_t)(*b & ~m);
        }
}

/* libpng reports errors by longjmp; the state that must survive it lives in
 * this struct rather than in locals. */
typedef struct pr_png_job {
    FILE *fp;
    uint8_t *row;
} pr_png_job;

static qf_err pr_png_write(const pr_bitmap *bm, pr_png_job *job)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png)
        return QF_ERR_NOMEM;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return QF_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return QF_ERR_IO;
    }
    png_init_io(png, job->fp);
    png_set_IHDR(png, info, (png_uint_32)bm->width, (png_uint_32)bm->height, 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < bm->height; y++) {
        /* Our 1 = black; PNG grayscale 0 = black. */
        const uint8_t *src = bm->bits + (size_t)y * bm->stride;
        for (size_t i = 0; i < bm->stride; i++)
            job->row[i] = (uint8_t)~src[i];
        png_write_row(png, job->row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return QF_OK;
}

qf_err pr_bitmap_write_png(const pr_bitmap *bm, const char *path, char *err, size_t errlen)
{
    if (!bm || !bm->bits || bm->width <= 0 || bm->height <= 0 || !path)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no bitmap or no path");
    pr_png_job job = { NULL, NULL };
    qf_err rc = QF_OK;
    job.row = malloc(bm->stride);
    if (!job.row) {
        rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
        goto out;
    }
    job.fp = fopen(path, "wb");
    if (!job.fp) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "cannot create %s", path);
        goto out;
    }
    rc = pr_png_write(bm, &job);
    if (fclose(job.fp) != 0 && rc == QF_OK)
        rc = QF_ERR_IO;
    job.fp = NULL;
    if (rc != QF_OK)
        qf_err_set(err, errlen, rc, "writing %s failed", path);
out:
    free(job.row);
    return rc;
}
