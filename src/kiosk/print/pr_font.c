/* pr_font.c — text for slips: SDL2_ttf faces cached by (path, index, size),
 * rendered anti-aliased to an 8-bit surface and thresholded into the 1-bit
 * pr_bitmap. Only TTF_Init is needed: no SDL video, no window.
 *
 * One process-wide mutex guards initialisation, the cache and every call into
 * SDL_ttf (a TTF_Font carries style state and is not safe to share), so the
 * kiosk's print worker and any other thread may render. The same mutex is
 * exported as pr_ttf_lock/pr_ttf_unlock (pr.h) for the other users of
 * SDL_ttf's one FreeType library (the kiosk UI opening its faces). It does not lay out
 * or wrap text (pr_slips.c, qf_text.c). */
#include "pr_draw.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_text.h"

#define PR_FONT_CACHE 12

typedef struct pr_font_entry {
    char *path;
    int index, size;
    TTF_Font *font;
} pr_font_entry;

static pthread_mutex_t pr_font_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pr_font_inited;
static pr_font_entry pr_font_cache[PR_FONT_CACHE];
static size_t pr_font_ncache;

/* With the lock held: the cached face, opened on first use; NULL with the
 * reason in err. */
static TTF_Font *pr_font_get_locked(const pr_font_spec *f, char *err, size_t errlen)
{
    if (!f || !f->path || f->size <= 0 || f->size > 1000 || f->index < 0) {
        qf_err_set(err, errlen, QF_ERR_INVALID, "no font path or bad size");
        return NULL;
    }
    if (!pr_font_inited) {
        if (TTF_Init() != 0) {
            qf_err_set(err, errlen, QF_ERR_STATE, "TTF_Init: %s", TTF_GetError());
            return NULL;
        }
        pr_font_inited = true;
    }
    for (size_t i = 0; i < pr_font_ncache; i++) {
        pr_font_entry *e = &pr_font_cache[i];
        if (e->index == f->index && e->size == f->size && strcmp(e->path, f->path) == 0) {
            TTF_SetFontStyle(e->font, f->bold ? TTF_STYLE_BOLD : TTF_STYLE_NORMAL);
            return e->font;
        }
    }
    /* Check the file first: SDL's message for a missing file is vague. */
    FILE *fp = fopen(f->path, "rb");
    if (!fp) {
        qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "font file %s cannot be opened", f->path);
        return NULL;
    }
    fclose(fp);
    TTF_Font *font = TTF_OpenFontIndex(f->path, f->size, f->index);
    if (!font) {
        qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "font %s face %d: %s", f->path, f->index,
                   TTF_GetError());
        return NULL;
    }
    if (pr_font_ncache == PR_FONT_CACHE) {
        /* Full (many sizes or paths): drop the oldest. Sizes are a handful
         * of constants in pr_slips.c, so this is rare. */
        TTF_CloseFont(pr_font_cache[0].font);
        free(pr_font_cache[0].path);
        memmove(&pr_font_cache[0], &pr_font_cache[1],
                (PR_FONT_CACHE - 1) * sizeof pr_font_cache[0]);
        pr_font_ncache--;
    }
    char *path = strdup(f->path);
    if (!path) {
        TTF_CloseFont(font);
        qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pr_font_cache[pr_font_ncache++] = (pr_font_entry){ path, f->index, f->size, font };
    TTF_SetFontStyle(font, f->bold ? TTF_STYLE_BOLD : TTF_STYLE_NORMAL);
    return font;
}

qf_err pr_font_check(const pr_font_spec *f, char *err, size_t errlen)
{
    char why[512] = "";
    pthread_mutex_lock(&pr_font_lock);
    TTF_Font *font = pr_font_get_locked(f, why, sizeof why);
    pthread_mutex_unlock(&pr_font_lock);
    if (!font)
        return qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "%s", why);
    return QF_OK;
}

/* Copies [s, s+len) into buf as a C string, cut at a character boundary. */
static void pr_font_copy(char *buf, const char *s, size_t len)
{
    size_t n = qf_utf8_cut(s, len, PR_TEXT_MAX);
    memcpy(buf, s, n);
    buf[n] = '\0';
}

int pr_font_measure(const pr_font_spec *f, const char *s, size_t len)
{
    if (!s || len == 0)
        return 0;
    char buf[PR_TEXT_MAX + 1];
    pr_font_copy(buf, s, len);
    int w = 0, h = 0;
    pthread_mutex_lock(&pr_font_lock);
    TTF_Font *font = pr_font_get_locked(f, NULL, 0);
    if (!font || TTF_SizeUTF8(font, buf, &w, &h) != 0)
        w = 0;
    pthread_mutex_unlock(&pr_font_lock);
    return w;
}

int pr_font_line_height(const pr_font_spec *f)
{
    pthread_mutex_lock(&pr_font_lock);
    TTF_Font *font = pr_font_get_locked(f, NULL, 0);
    int h = font ? TTF_FontLineSkip(font) : 0;
    pthread_mutex_unlock(&pr_font_lock);
    return h;
}

qf_err pr_font_draw(pr_bitmap *bm, const pr_font_spec *f, int x, int y, const char *s,
                    size_t len, bool invert)
{
    if (!bm || !s)
        return QF_ERR_INVALID;
    if (len == 0)
        return QF_OK;
    char buf[PR_TEXT_MAX + 1];
    pr_font_copy(buf, s, len);
    qf_err rc = QF_OK;
    pthread_mutex_lock(&pr_font_lock);
    TTF_Font *font = pr_font_get_locked(f, NULL, 0);
    if (!font) {
        rc = QF_ERR_NOT_FOUND;
        goto out;
    }
    /* Shaded renders into an 8-bit palette from bg (index 0) to fg (255):
     * the index is the coverage, so thresholding at half is one compare. */
    SDL_Color fg = { 0, 0, 0, 255 }, bg = { 255, 255, 255, 255 };
    SDL_Surface *surf = TTF_RenderUTF8_Shaded(font, buf, fg, bg);
    if (!surf) {
        rc = QF_ERR_INVALID;   /* e.g. text that shapes to nothing */
        goto out;
    }
    if (surf->format->BytesPerPixel == 1) {
        if (SDL_MUSTLOCK(surf))
            SDL_LockSurface(surf);
        const uint8_t *px = surf->pixels;
        for (int sy = 0; sy < surf->h; sy++) {
            int by = y + sy;
            if (by < 0 || by >= bm->height)
                continue;
            const uint8_t *row = px + (size_t)sy * (size_t)surf->pitch;
            for (int sx = 0; sx < surf->w; sx++) {
                int bx = x + sx;
                if (bx < 0 || bx >= bm->width || row[sx] < 128)
                    continue;
                uint8_t *b = &bm->bits[(size_t)by * bm->stride + (size_t)bx / 8];
                uint8_t m = (uint8_t)(0x80 >> (bx % 8));
                *b = invert ? (uint8_t)(*b & ~m) : (uint8_t)(*b | m);
            }
        }
        if (SDL_MUSTLOCK(surf))
            SDL_UnlockSurface(surf);
    } else {
        rc = QF_ERR_STATE;
    }
    SDL_FreeSurface(surf);
out:
    pthread_mutex_unlock(&pr_font_lock);
    return rc;
}

void pr_ttf_lock(void)
{
    pthread_mutex_lock(&pr_font_lock);
}

void pr_ttf_unlock(void)
{
    pthread_mutex_unlock(&pr_font_lock);
}

void pr_font_shutdown(void)
{
    pthread_mutex_lock(&pr_font_lock);
    for (size_t i = 0; i < pr_font_ncache; i++) {
        TTF_CloseFont(pr_font_cache[i].font);
        free(pr_font_cache[i].path);
    }
    pr_font_ncache = 0;
    if (pr_font_inited) {
        TTF_Quit();
        pr_font_inited = false;
    }
    pthread_mutex_unlock(&pr_font_lock);
}
