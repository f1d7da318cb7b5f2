/* ui_png.c — screenshots: reads the renderer's pixels back and writes an
 * 8-bit RGB PNG with libpng (the headless `screenshot` command). Not here:
 * choosing what to draw. */
#include "ui.h"

#include <errno.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

qf_err ui_png_write(SDL_Renderer *ren, int w, int h, const char *path, char *err, size_t errlen)
{
    if (w <= 0 || h <= 0 || w > 8192 || h > 8192)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "screenshot size %dx%d", w, h);
    size_t pitch = (size_t)w * 3;
    unsigned char *pix = malloc(pitch * (size_t)h);
    if (!pix)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "screenshot buffer");
    qf_err rc = QF_OK;
    FILE *fp = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    if (SDL_RenderReadPixels(ren, NULL, SDL_PIXELFORMAT_RGB24, pix, (int)pitch) != 0) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "read pixels: %s", SDL_GetError());
        goto out;
    }
    fp = fopen(path, "wb");
    if (!fp) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", path, strerror(errno));
        goto out;
    }
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "libpng");
        goto out;
    }
    if (setjmp(png_jmpbuf(png))) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "%s: libpng write failed", path);
        goto out;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, pix + (size_t)y * pitch);
    png_write_end(png, NULL);
out:
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    if (fp && fclose(fp) != 0 && rc == QF_OK)
        rc = qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", path, strerror(errno));
    free(pix);
    return rc;
}
