/* ui_text.c — fonts and text for the widgets: one TTF_Font per pixel size
 * (the shipped Noto Sans CJK, face index 2 = Simplified Chinese), line
 * wrapping through qf_text_wrap, and a texture cache of rendered lines so a
 * redraw re-renders no glyphs. The cache holds UI_TEXT_CACHE_MAX lines and
 * drops the least recently used. The font file is mapped into memory once
 * (FreeType then reads glyphs from memory instead of seeking and reading
 * the 19 MB .ttc for every glyph it loads, which made measuring CJK text
 * for wrapping several times slower). Not here: layout (screens) and drawing of
 * anything but text. */
#include "ui.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define UI_MEASURE_MAX 4096
#define UI_WRAP_GUESS 32

qf_err ui_ctx_init(ui_ctx *ctx, SDL_Renderer *ren, const char *font_path, int font_index,
                   int width, int height, char *err, size_t errlen)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->ren = ren;
    ctx->font_index = font_index;
    ctx->scale = 1.0;
    int m = width < height ? width : height;
    ctx->unit = m / 30 > 12 ? m / 30 : 12;
    if (snprintf(ctx->font_path, sizeof ctx->font_path, "%s", font_path) >=
        (int)sizeof ctx->font_path)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "font path too long");
    int fd = open(font_path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            ctx->font_map = map;
            ctx->font_map_len = (size_t)st.st_size;
        }
    }
    if (fd >= 0)
        close(fd);                 /* the mapping stays; without one, fonts open by path */
    if (!ui_font(ctx, ctx->unit))
        return qf_err_set(err, errlen, QF_ERR_IO, "cannot open font %s: %s", font_path,
                          TTF_GetError());
    return QF_OK;
}

void ui_ctx_cleanup(ui_ctx *ctx)
{
    for (size_t i = 0; i < UI_TEXT_CACHE_MAX; i++) {
        free(ctx->cache[i].text);
        if (ctx->cache[i].tex)
            SDL_DestroyTexture(ctx->cache[i].tex);
    }
    for (size_t i = 0; i < ctx->fonts_count; i++)
        TTF_CloseFont(ctx->fonts[i].font);
    if (ctx->font_map)
        munmap((void *)ctx->font_map, ctx->font_map_len);
    memset(ctx, 0, sizeof *ctx);
}

int ui_font_px(const ui_ctx *ctx, int px)
{
    return (int)(px * ctx->scale + 0.5);
}

TTF_Font *ui_font(ui_ctx *ctx, int px)
{
    int real = ui_font_px(ctx, px);
    for (size_t i = 0; i < ctx->fonts_count; i++)
        if (ctx->fonts[i].px == real)
            return ctx->fonts[i].font;
    if (ctx->fonts_count == UI_FONT_SIZES_MAX) {   /* recycle the oldest size */
        /* Cached textures do not refer to the font, so closing it is safe. */
        TTF_CloseFont(ctx->fonts[0].font);
        memmove(&ctx->fonts[0], &ctx->fonts[1], sizeof ctx->fonts[0] * (UI_FONT_SIZES_MAX - 1));
        ctx->fonts_count--;
    }
    TTF_Font *f = NULL;
    if (ctx->font_map) {
        SDL_RWops *rw = SDL_RWFromConstMem(ctx->font_map, (int)ctx->font_map_len);
        if (rw)
            f = TTF_OpenFontIndexRW(rw, 1, real, ctx->font_index);   /* closes rw */
    } else {
        f = TTF_OpenFontIndex(ctx->font_path, real, ctx->font_index);
    }
    if (!f)
        return NULL;
    ctx->fonts[ctx->fonts_count].px = real;
    ctx->fonts[ctx->fonts_count].font = f;
    ctx->fonts_count++;
    return f;
}

int ui_line_height(ui_ctx *ctx, int px)
{
    TTF_Font *f = ui_font(ctx, px);
    return f ? TTF_FontLineSkip(f) : ui_font_px(ctx, px);
}

int ui_text_width(ui_ctx *ctx, const char *s, size_t len, int px)
{
    TTF_Font *f = ui_font(ctx, px);
    if (!f || len == 0)
        return 0;
    char stackbuf[UI_MEASURE_MAX];
    char *buf = len < sizeof stackbuf ? stackbuf : malloc(len + 1);
    if (!buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    int w = 0, h = 0;
    if (TTF_SizeUTF8(f, buf, &w, &h) != 0)
        w = 0;
    if (buf != stackbuf)
        free(buf);
    return w;
}

typedef struct ui_measure_ud {
    ui_ctx *ctx;
    int px;
} ui_measure_ud;

static int ui_measure(const char *s, size_t len, void *ud)
{
    ui_measure_ud *m = ud;
    return ui_text_width(m->ctx, s, len, m->px);
}

qf_err ui_text_wrap(ui_ctx *ctx, const char *text, int px, int max_w, qf_text_line **out,
                    size_t *out_count)
{
    *out = NULL;
    *out_count = 0;
    if (!text || !*text)
        return QF_OK;
    if (max_w < 1)
        max_w = 1;
    ui_measure_ud m = { ctx, px };
    size_t n = 0;
    /* One pass into room for UI_WRAP_GUESS lines (measuring is the cost);
     * a longer text is counted first, then wrapped into an exact array. */
    qf_text_line guess[UI_WRAP_GUESS];
    qf_err rc = qf_text_wrap(text, max_w, ui_measure, &m, guess, UI_WRAP_GUESS, &n);
    if (rc == QF_OK) {
        qf_text_line *one = malloc((n ? n : 1) * sizeof *one);
        if (!one)
            return QF_ERR_NOMEM;
        memcpy(one, guess, n * sizeof *one);
        *out = one;
        *out_count = n;
        return QF_OK;
    }
    if (strnlen(text, QF_TEXT_MAX_BYTES + 1) > QF_TEXT_MAX_BYTES)
        return rc;                 /* QF_ERR_LIMIT for the text itself */
    rc = qf_text_wrap(text, max_w, ui_measure, &m, NULL, 0, &n);
    if (rc != QF_OK)
        return rc;
    qf_text_line *lines = calloc(n ? n : 1, sizeof *lines);
    if (!lines)
        return QF_ERR_NOMEM;
    rc = qf_text_wrap(text, max_w, ui_measure, &m, lines, n, &n);
    if (rc != QF_OK) {
        free(lines);
        return rc;
    }
    *out = lines;
    *out_count = n;
    return QF_OK;
}

static ui_text_entry *ui_cache_get(ui_ctx *ctx, const char *s, size_t len, int px, uint32_t rgb)
{
    /* Key on the real pixel size so large-text mode has its own entries. */
    int real = ui_font_px(ctx, px);
    ui_text_entry *victim = &ctx->cache[0];
    for (size_t i = 0; i < UI_TEXT_CACHE_MAX; i++) {
        ui_text_entry *e = &ctx->cache[i];
        if (e->text && e->px == real && e->rgb == rgb && strlen(e->text) == len &&
            memcmp(e->text, s, len) == 0) {
            e->used = ++ctx->cache_clock;
            ctx->cache_hits++;
            return e;
        }
        if (!e->text || (victim->text && e->used < victim->used))
            victim = e;
    }
    ctx->cache_misses++;
    TTF_Font *f = ui_font(ctx, px);
    if (!f)
        return NULL;
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    SDL_Color c = { (Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255 };
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, copy, c);
    if (!surf) {
        free(copy);
        return NULL;
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(ctx->ren, surf);
    int w = surf->w, h = surf->h;
    SDL_FreeSurface(surf);
    if (!tex) {
        free(copy);
        return NULL;
    }
    free(victim->text);
    if (victim->tex)
        SDL_DestroyTexture(victim->tex);
    victim->text = copy;
    victim->px = real;
    victim->rgb = rgb;
    victim->tex = tex;
    victim->w = w;
    victim->h = h;
    victim->used = ++ctx->cache_clock;
    return victim;
}

int ui_text_draw(ui_ctx *ctx, const char *s, size_t len, int px, uint32_t rgb, int x, int y)
{
    if (len == 0)
        return 0;
    ui_text_entry *e = ui_cache_get(ctx, s, len, px, rgb);
    if (!e)
        return 0;
    SDL_Rect dst = { x, y, e->w, e->h };
    SDL_RenderCopy(ctx->ren, e->tex, NULL, &dst);
    return e->w;
}
