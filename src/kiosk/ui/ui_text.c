/* ui_text.c — fonts and text for the widgets: a chain of faces (the
 * shipped Noto Sans CJK, face index 2 = Simplified Chinese, then fallbacks
 * such as DejaVu Sans for symbols it lacks: ✔ ✗ ☑ ♿ ⌫ …), each opened once
 * per pixel size; line wrapping through qf_text_wrap; and a texture cache
 * of rendered lines so a redraw re-renders no glyphs. A line is split into
 * runs by the first face that has each character (TTF_GlyphIsProvided32);
 * measuring uses the same split as drawing, so wrapping and centring agree
 * with what is drawn. The cache holds UI_TEXT_CACHE_MAX lines and drops the
 * least recently used. Font files are mapped into memory once (FreeType
 * then reads glyphs from memory instead of seeking and reading the 19 MB
 * .ttc for every glyph it loads, which made measuring CJK text for
 * wrapping several times slower). Not here: layout (screens) and drawing
 * of anything but text. */
#include "ui.h"
#include "pr.h"   /* pr_ttf_lock: SDL_ttf is shared with the print thread */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define UI_MEASURE_MAX 4096
#define UI_WRAP_GUESS 32

/* Maps the face's file (best effort) and opens it once at a base size so a
 * bad path fails here, not at the first draw. */
static qf_err ui_face_open(ui_ctx *ctx, const char *path, int index, int px, char *err,
                           size_t errlen)
{
    if (ctx->faces_count == UI_FACES_MAX)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "more than %d font faces", UI_FACES_MAX);
    ui_face *f = &ctx->faces[ctx->faces_count];
    memset(f, 0, sizeof *f);
    f->index = index;
    if (snprintf(f->path, sizeof f->path, "%s", path) >= (int)sizeof f->path)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "font path too long");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            f->map = map;
            f->map_len = (size_t)st.st_size;
        }
    }
    if (fd >= 0)
        close(fd);                 /* the mapping stays; without one, fonts open by path */
    ctx->faces_count++;
    if (!ui_font_face(ctx, ctx->faces_count - 1, px)) {
        ctx->faces_count--;
        if (f->map)
            munmap((void *)f->map, f->map_len);
        memset(f, 0, sizeof *f);
        return qf_err_set(err, errlen, QF_ERR_IO, "cannot open font %s: %s", path,
                          TTF_GetError());
    }
    return QF_OK;
}

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
    return ui_face_open(ctx, font_path, font_index, ctx->unit, err, errlen);
}

qf_err ui_ctx_add_fallback(ui_ctx *ctx, const char *path, int index, char *err, size_t errlen)
{
    if (ctx->faces_count == 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no primary font");
    return ui_face_open(ctx, path, index, ctx->unit, err, errlen);
}

void ui_ctx_cleanup(ui_ctx *ctx)
{
    for (size_t i = 0; i < UI_TEXT_CACHE_MAX; i++) {
        free(ctx->cache[i].text);
        if (ctx->cache[i].tex)
            SDL_DestroyTexture(ctx->cache[i].tex);
    }
    for (size_t i = 0; i < ctx->faces_count; i++) {
        ui_face *f = &ctx->faces[i];
        pr_ttf_lock();
        for (size_t j = 0; j < f->fonts_count; j++)
            TTF_CloseFont(f->fonts[j].font);
        pr_ttf_unlock();
        if (f->map)
            munmap((void *)f->map, f->map_len);
    }
    if (ctx->frame)
        SDL_DestroyTexture(ctx->frame);
    memset(ctx, 0, sizeof *ctx);
}

int ui_font_px(const ui_ctx *ctx, int px)
{
    return (int)(px * ctx->scale + 0.5);
}

TTF_Font *ui_font_face(ui_ctx *ctx, size_t face, int px)
{
    if (face >= ctx->faces_count)
        return NULL;
    ui_face *fc = &ctx->faces[face];
    int real = ui_font_px(ctx, px);
    for (size_t i = 0; i < fc->fonts_count; i++)
        if (fc->fonts[i].px == real)
            return fc->fonts[i].font;
    /* Opening and closing faces touches SDL_ttf's one FreeType library,
     * which is not thread-safe for that: the print thread (pr_font.c) takes
     * the same lock. Rendering with an open face needs no lock. */
    pr_ttf_lock();
    if (fc->fonts_count == UI_FONT_SIZES_MAX) {   /* recycle the oldest size */
        /* Cached textures do not refer to the font, so closing it is safe. */
        TTF_CloseFont(fc->fonts[0].font);
        memmove(&fc->fonts[0], &fc->fonts[1], sizeof fc->fonts[0] * (UI_FONT_SIZES_MAX - 1));
        fc->fonts_count--;
    }
    TTF_Font *f = NULL;
    if (fc->map) {
        SDL_RWops *rw = SDL_RWFromConstMem(fc->map, (int)fc->map_len);
        if (rw)
            f = TTF_OpenFontIndexRW(rw, 1, real, fc->index);   /* closes rw */
    } else {
        f = TTF_OpenFontIndex(fc->path, real, fc->index);
    }
    pr_ttf_unlock();
    if (!f)
        return NULL;
    fc->fonts[fc->fonts_count].px = real;
    fc->fonts[fc->fonts_count].font = f;
    fc->fonts_count++;
    return f;
}

TTF_Font *ui_font(ui_ctx *ctx, int px)
{
    return ui_font_face(ctx, 0, px);
}

/* Whether a glyph exists does not depend on the size: ask each face at the
 * size it was first opened (always open, never recycled before use). */
bool ui_glyph_face(ui_ctx *ctx, uint32_t cp, size_t *face)
{
    for (size_t i = 0; i < ctx->faces_count; i++) {
        const ui_face *fc = &ctx->faces[i];
        if (fc->fonts_count == 0)
            continue;
        if (TTF_GlyphIsProvided32(fc->fonts[fc->fonts_count - 1].font, cp)) {
            if (face)
                *face = i;
            return true;
        }
    }
    if (face)
        *face = 0;
    return false;
}

size_t ui_runs_split(ui_ctx *ctx, const char *s, size_t len, ui_run *runs, size_t max)
{
    size_t n = 0;
    if (len == 0)
        return 0;
    if (ctx->faces_count < 2) {    /* no fallback: one run, no per-character look-ups */
        runs[0] = (ui_run){ 0, len, 0 };
        return 1;
    }
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t step = qf_utf8_decode(s + i, len - i, &cp);
        size_t face = n ? runs[n - 1].face : 0;
        bool neutral = cp <= 0x20 || cp == 0x3000;
        if (!neutral && !ui_glyph_face(ctx, cp, &face))
            face = n ? runs[n - 1].face : 0;
        if (n == 0 || (runs[n - 1].face != face && n < max)) {
            runs[n++] = (ui_run){ i, step, face };
        } else {
            runs[n - 1].len += step;
        }
        i += step;
    }
    return n;
}

int ui_line_height(ui_ctx *ctx, int px)
{
    TTF_Font *f = ui_font(ctx, px);
    return f ? TTF_FontLineSkip(f) : ui_font_px(ctx, px);
}

/* Width of one run in its face (TTF wants a NUL-terminated copy). */
static int ui_run_width(TTF_Font *f, const char *s, size_t len)
{
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

int ui_text_width(ui_ctx *ctx, const char *s, size_t len, int px)
{
    if (!ui_font(ctx, px) || len == 0)
        return 0;
    ui_run runs[UI_RUNS_MAX];
    size_t n = ui_runs_split(ctx, s, len, runs, UI_RUNS_MAX);
    int w = 0;
    for (size_t i = 0; i < n; i++) {
        TTF_Font *f = ui_font_face(ctx, runs[i].face, px);
        if (f)
            w += ui_run_width(f, s + runs[i].start, runs[i].len);
    }
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

/* Renders one line (NUL-terminated, len bytes) into a new surface: one
 * TTF render when a single face has it all, else each run in its face,
 * copied side by side onto the primary face's baseline. Runs are copied
 * without blending (their pixels carry the glyph alpha over a transparent
 * background, which blending onto a transparent surface would darken).
 * Ownership: the caller frees the surface. */
static SDL_Surface *ui_line_render(ui_ctx *ctx, char *text, size_t len, int px, uint32_t rgb)
{
    SDL_Color c = { (Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255 };
    TTF_Font *primary = ui_font(ctx, px);
    if (!primary)
        return NULL;
    ui_run runs[UI_RUNS_MAX];
    size_t n = ui_runs_split(ctx, text, len, runs, UI_RUNS_MAX);
    if (n <= 1) {
        TTF_Font *f = n == 1 ? ui_font_face(ctx, runs[0].face, px) : primary;
        return TTF_RenderUTF8_Blended(f ? f : primary, text, c);
    }
    SDL_Surface *parts[UI_RUNS_MAX] = { NULL };
    int ys[UI_RUNS_MAX] = { 0 };
    int total_w = 0;
    int base = TTF_FontAscent(primary);
    SDL_Surface *out = NULL;
    for (size_t i = 0; i < n; i++) {
        TTF_Font *f = ui_font_face(ctx, runs[i].face, px);
        if (!f)
            f = primary;
        char *piece = text + runs[i].start;
        char saved = piece[runs[i].len];
        piece[runs[i].len] = '\0';     /* each run is rendered on its own */
        parts[i] = TTF_RenderUTF8_Blended(f, piece, c);
        piece[runs[i].len] = saved;
        if (!parts[i])
            goto out;
        ys[i] = base - TTF_FontAscent(f);   /* baselines line up */
        total_w += parts[i]->w;
    }
    /* The line keeps the primary face's height and baseline so mixed lines
     * sit where single-face lines do; a taller fallback is clipped. */
    out = SDL_CreateRGBSurfaceWithFormat(0, total_w > 0 ? total_w : 1, TTF_FontHeight(primary), 32,
                                         SDL_PIXELFORMAT_ARGB8888);
    if (!out)
        goto out;
    SDL_FillRect(out, NULL, SDL_MapRGBA(out->format, c.r, c.g, c.b, 0));
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        SDL_Rect dst = { x, ys[i], parts[i]->w, parts[i]->h };
        SDL_SetSurfaceBlendMode(parts[i], SDL_BLENDMODE_NONE);
        SDL_BlitSurface(parts[i], NULL, out, &dst);
        x += parts[i]->w;
    }
out:
    for (size_t i = 0; i < n; i++)
        SDL_FreeSurface(parts[i]);
    return out;
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
    SDL_Surface *surf = ui_line_render(ctx, copy, len, px, rgb);
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

qf_err ui_ctx_add_fallbacks(ui_ctx *ctx, const char *list, const char *default_name, char *err,
                            size_t errlen)
{
    char path[1024];
    if (!list) {
        /* Not configured: default_name next to the primary font, if shipped. */
        if (!default_name || ctx->faces_count == 0)
            return QF_OK;
        const char *slash = strrchr(ctx->faces[0].path, '/');
        int dir = slash ? (int)(slash - ctx->faces[0].path) + 1 : 0;
        if (snprintf(path, sizeof path, "%.*s%s", dir, ctx->faces[0].path, default_name) >=
            (int)sizeof path)
            return QF_OK;
        if (access(path, R_OK) != 0)
            return QF_OK;
        return ui_ctx_add_fallback(ctx, path, 0, err, errlen);
    }
    /* "a.ttf, b.ttc#1; c.otf": separated by ',' or ';', each with an optional #face. */
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == ';')
            p++;
        size_t n = strcspn(p, ",;");
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 0)
            break;
        if (n >= sizeof path)
            return qf_err_set(err, errlen, QF_ERR_LIMIT, "font_fallback: path too long");
        memcpy(path, p, n);
        path[n] = '\0';
        int index = 0;
        char *hash = strrchr(path, '#');
        if (hash) {
            char *end = NULL;
            long v = strtol(hash + 1, &end, 10);
            if (!end || *end || end == hash + 1 || v < 0 || v > 255)
                return qf_err_set(err, errlen, QF_ERR_INVALID, "font_fallback: bad face in '%s'",
                                  path);
            index = (int)v;
            *hash = '\0';
        }
        qf_err rc = ui_ctx_add_fallback(ctx, path, index, err, errlen);
        if (rc != QF_OK)
            return rc;
        p += strcspn(p, ",;");
    }
    return QF_OK;
}
