/* ui_widget.c — the widget classes (one descriptor per role: its dump name
 * and its draw callback), the scene that holds them, the one scroll view
 * with touch drag, the modal dialog layer, tap hit-testing with a pressed
 * highlight, and partial redraw. Drawing happens only here, in the draw
 * callbacks, when the loop asks for a frame.
 *
 * Partial redraw: screens rebuild the whole scene on every change (simple
 * and safe), so invalidation is not left to them. Instead the scene keeps,
 * per widget, the rect and a hash of what it drew last (ui_drawn); a draw
 * compares the current widgets with that, index by index, and repaints
 * only the union of the rects that differ (old place and new) plus any
 * rect invalidated by hand; a widget whose box stayed and whose text
 * changed repaints only its changed lines. An idle clock tick, a pressed
 * highlight, the countdown's number or a moved caret thus repaint one
 * widget's area or less. The repaint clears the area and draws every
 * widget that touches it in the usual order, clipped to it, so the pixels
 * equal a full redraw's. Draw callbacks that set a clip must narrow the
 * current one and restore it.
 * Not here: what a widget means (screens decide that through on_tap). */
#include "ui.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define UI_TAP_SLOP 24         /* px a finger may wander and still tap */
#define UI_QR_QUIET 4
#define UI_GLIDE_MIN_SPEED 0.3     /* px/ms a drag must end with to glide */
#define UI_GLIDE_STOP_SPEED 0.05
#define UI_GLIDE_FRICTION 0.004    /* speed lost per ms, as a fraction */
#define UI_GLIDE_MAX_SPEED 8.0

static void ui_set_color(SDL_Renderer *ren, uint32_t rgb)
{
    SDL_SetRenderDrawColor(ren, (Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255);
}

/* High-contrast theme: black boxes, white text, yellow on everything that
 * takes a tap (text and outline). QR codes keep black on white. */
#define UI_HC_BG 0x000000
#define UI_HC_TEXT 0xFFFFFF
#define UI_HC_ACTIVE 0xFFFF00

static uint32_t ui_fg(const ui_ctx *ctx, const ui_widget *w)
{
    if (!ctx->high_contrast)
        return w->fg;
    return w->role == UI_LABEL || w->role == UI_DIALOG || w->role == UI_TOAST ? UI_HC_TEXT
                                                                                : UI_HC_ACTIVE;
}

#define UI_HC_PRESSED 0x505050
#define UI_INK_LINES 4         /* labels up to this many lines get their text measured */

/* A pressed button is 20% darker, so a finger sees its touch land. */
static uint32_t ui_darken(uint32_t rgb)
{
    uint32_t r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
    return (r * 4 / 5) << 16 | (g * 4 / 5) << 8 | (b * 4 / 5);
}

static uint32_t ui_bg(const ui_ctx *ctx, const ui_widget *w)
{
    if (ctx->high_contrast)
        return w->pressed ? UI_HC_PRESSED : UI_HC_BG;
    return w->pressed ? ui_darken(w->bg) : w->bg;
}

static void ui_draw_lines(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    int lh = ui_line_height(ctx, w->px);
    int total = lh * (int)w->lines_count;
    int ty = y + w->pad;
    if (w->align == UI_ALIGN_CENTER)
        ty = y + (w->rect.h - total) / 2;
    for (size_t i = 0; i < w->lines_count; i++) {
        const char *s = w->text + w->lines[i].start;
        size_t len = w->lines[i].len;
        int tx = x + w->pad;
        if (w->align == UI_ALIGN_CENTER)
            tx = x + (w->rect.w - ui_text_width(ctx, s, len, w->px)) / 2;
        ui_text_draw(ctx, s, len, w->px, ui_fg(ctx, w), tx, ty);
        ty += lh;
    }
}

static void ui_draw_box(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    SDL_Rect r = { x, y, w->rect.w, w->rect.h };
    ui_set_color(ctx->ren, ui_bg(ctx, w));
    SDL_RenderFillRect(ctx->ren, &r);
}

static void ui_label_draw(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    if (w->bg)
        ui_draw_box(ctx, w, x, y);
    ui_draw_lines(ctx, w, x, y);
}

static void ui_button_draw(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    ui_draw_box(ctx, w, x, y);
    SDL_Rect r = { x, y, w->rect.w, w->rect.h };
    ui_set_color(ctx->ren, ctx->high_contrast ? UI_HC_ACTIVE : 0x8A9BB5);
    SDL_RenderDrawRect(ctx->ren, &r);
    if (ctx->high_contrast) {      /* a 3 px outline reads from a distance */
        for (int i = 1; i < 3; i++) {
            SDL_Rect in = { x + i, y + i, w->rect.w - 2 * i, w->rect.h - 2 * i };
            SDL_RenderDrawRect(ctx->ren, &in);
        }
    }
    ui_draw_lines(ctx, w, x, y);
}

static void ui_item_draw(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    ui_draw_box(ctx, w, x, y);
    ui_set_color(ctx->ren, ctx->high_contrast ? UI_HC_ACTIVE : 0xD5DCE6);
    SDL_RenderDrawLine(ctx->ren, x, y + w->rect.h - 1, x + w->rect.w - 1, y + w->rect.h - 1);
    ui_draw_lines(ctx, w, x, y);
}

static void ui_qr_draw(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    SDL_Rect r = { x, y, w->rect.w, w->rect.h };
    SDL_SetRenderDrawColor(ctx->ren, 255, 255, 255, 255);
    SDL_RenderFillRect(ctx->ren, &r);
    QRcode *qr = QRcode_encodeString(w->text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return;
    int total = qr->width + 2 * UI_QR_QUIET;
    int side = w->rect.w < w->rect.h ? w->rect.w : w->rect.h;
    int mod = side / total;
    if (mod < 1)
        mod = 1;
    int ox = x + (w->rect.w - mod * total) / 2 + UI_QR_QUIET * mod;
    int oy = y + (w->rect.h - mod * total) / 2 + UI_QR_QUIET * mod;
    SDL_SetRenderDrawColor(ctx->ren, 0, 0, 0, 255);
    for (int my = 0; my < qr->width; my++)
        for (int mx = 0; mx < qr->width; mx++)
            if (qr->data[my * qr->width + mx] & 1) {
                SDL_Rect m = { ox + mx * mod, oy + my * mod, mod, mod };
                SDL_RenderFillRect(ctx->ren, &m);
            }
    QRcode_free(qr);
}

static void ui_dialog_draw(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    ui_draw_box(ctx, w, x, y);
    SDL_Rect r = { x, y, w->rect.w, w->rect.h };
    ui_set_color(ctx->ren, 0x1F5FBF);
    SDL_RenderDrawRect(ctx->ren, &r);
    ui_draw_lines(ctx, w, x, y);
}

/* A toast: a dark box (the screen's colours stay readable around it) with
 * a light edge, its text centred. In high contrast: black, white text, a
 * white edge (yellow is for what takes a tap, and a toast takes none). */
static void ui_toast_draw(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    ui_draw_box(ctx, w, x, y);
    SDL_Rect r = { x, y, w->rect.w, w->rect.h };
    ui_set_color(ctx->ren, ctx->high_contrast ? UI_HC_TEXT : 0x8A9BB5);
    SDL_RenderDrawRect(ctx->ren, &r);
    ui_draw_lines(ctx, w, x, y);
}

/* A field: white box with a border (bold while focused), its one line of
 * text or its hint in grey, and a caret after the text while focused. */
static void ui_field_draw(ui_ctx *ctx, const ui_widget *w, int x, int y)
{
    SDL_Rect r = { x, y, w->rect.w, w->rect.h };
    ui_set_color(ctx->ren, 0xFFFFFF);
    SDL_RenderFillRect(ctx->ren, &r);
    bool focused = w->focused;
    int border = focused ? 3 : 1;
    ui_set_color(ctx->ren, focused ? 0x1F5FBF : 0x8A9BB5);
    for (int i = 0; i < border; i++) {
        SDL_Rect b = { x + i, y + i, w->rect.w - 2 * i, w->rect.h - 2 * i };
        SDL_RenderDrawRect(ctx->ren, &b);
    }
    int lh = ui_line_height(ctx, w->px);
    int ty = y + (w->rect.h - lh) / 2;
    int tx = x + w->pad;
    bool empty = !w->text || !*w->text;
    bool multi = w->rect.h >= 2 * lh + 2 * w->pad;   /* a text area: wrapped lines */
    int tw = 0;
    SDL_Rect inner = { x + border, y + border, w->rect.w - 2 * border, w->rect.h - 2 * border };
    /* Fields in the scroll view: clip to the view too, and put the view's
     * clip back afterwards. */
    SDL_Rect outer, clip = inner;
    bool had_clip = SDL_RenderIsClipEnabled(ctx->ren);
    if (had_clip) {
        SDL_RenderGetClipRect(ctx->ren, &outer);
        if (!SDL_IntersectRect(&inner, &outer, &clip))
            return;
    }
    SDL_RenderSetClipRect(ctx->ren, &clip);
    if (!empty && multi) {
        /* The last lines that fit, so the caret's line is always shown. */
        size_t fit = (size_t)((w->rect.h - 2 * w->pad) / lh);
        size_t first = w->lines_count > fit ? w->lines_count - fit : 0;
        ty = y + w->pad;
        for (size_t i = first; i < w->lines_count; i++) {
            tw = ui_text_draw(ctx, w->text + w->lines[i].start, w->lines[i].len, w->px, w->fg, tx,
                              ty);
            if (i + 1 < w->lines_count)
                ty += lh;
        }
    } else if (!empty) {
        /* One line: when it is wider than the field, its end is shown. */
        int full = ui_text_width(ctx, w->text, strlen(w->text), w->px);
        int room = w->rect.w - 2 * w->pad - 4;
        int sx = full > room ? tx - (full - room) : tx;
        tw = ui_text_draw(ctx, w->text, strlen(w->text), w->px, w->fg, sx, ty) - (tx - sx);
    } else if (w->hint && *w->hint) {
        int hpx = w->px * 3 / 4;   /* smaller, so a bilingual hint fits */
        int hy = multi ? y + w->pad : y + (w->rect.h - ui_line_height(ctx, hpx)) / 2;
        ui_text_draw(ctx, w->hint, strlen(w->hint), hpx, 0x8A93A3, tx + ctx->unit / 4, hy);
        if (multi)
            ty = y + w->pad;
    }
    if (focused) {
        SDL_Rect caret = { tx + tw + 1, ty + lh / 8, ctx->unit > 30 ? 3 : 2, lh * 3 / 4 };
        ui_set_color(ctx->ren, 0x1A1A1A);
        SDL_RenderFillRect(ctx->ren, &caret);
    }
    SDL_RenderSetClipRect(ctx->ren, had_clip ? &outer : NULL);
}

static const ui_class ui_classes[UI_ROLE__COUNT] = {
    [UI_LABEL] = { "label", ui_label_draw },
    [UI_BUTTON] = { "button", ui_button_draw },
    [UI_TILE] = { "tile", ui_button_draw },
    [UI_ITEM] = { "item", ui_item_draw },
    [UI_QR] = { "qr", ui_qr_draw },
    [UI_DIALOG] = { "dialog", ui_dialog_draw },
    [UI_FIELD] = { "field", ui_field_draw },
    [UI_TOAST] = { "toast", ui_toast_draw },
};

const ui_class *ui_class_get(ui_role role)
{
    return role < UI_ROLE__COUNT ? &ui_classes[role] : NULL;
}

void ui_scene_init(ui_scene *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->pressed = -1;
    sc->focus = -1;
    sc->drawn_valid = false;   /* the first draw paints everything */
}

/* Moves the pressed highlight to widget i (-1: none); true when it moved. */
static bool ui_scene_set_pressed(ui_scene *sc, long i)
{
    if (sc->pressed == i)
        return false;
    if (sc->pressed >= 0 && (size_t)sc->pressed < sc->count)
        sc->w[sc->pressed].pressed = false;
    sc->pressed = i;
    if (i >= 0)
        sc->w[i].pressed = true;
    return true;
}

void ui_scene_clear(ui_scene *sc)
{
    for (size_t i = 0; i < sc->count; i++) {
        free(sc->w[i].text);
        free(sc->w[i].lines);
        free(sc->w[i].hint);
    }
    sc->count = 0;
    sc->focus = -1;
    sc->dialog = false;
    sc->on_background = NULL;
    sc->background_ud = NULL;
    sc->down = sc->dragging = false;
    sc->pressed = -1;
    sc->gliding = false;
    sc->velocity = 0;
}

ui_widget *ui_scene_add(ui_scene *sc, ui_ctx *ctx, ui_role role, SDL_Rect rect, const char *text,
                        int px)
{
    if (sc->count == UI_SCENE_MAX || !text)
        return NULL;
    ui_widget *w = &sc->w[sc->count];
    memset(w, 0, sizeof *w);
    w->role = role;
    w->rect = rect;
    w->px = px;
    w->fg = 0x1A1A1A;
    w->bg = 0xFFFFFF;
    w->pad = role == UI_LABEL ? 0 : ctx->unit / 2;
    w->text = strdup(text);
    if (!w->text)
        return NULL;
    if (role != UI_QR &&
        ui_text_wrap(ctx, text, px, rect.w - 2 * w->pad, &w->lines, &w->lines_count) != QF_OK) {
        free(w->text);
        return NULL;
    }
    if (rect.h == 0)
        w->rect.h = (int)w->lines_count * ui_line_height(ctx, px) + 2 * w->pad;
    sc->count++;
    return w;
}

ui_widget *ui_scene_add_field(ui_scene *sc, ui_ctx *ctx, SDL_Rect rect, const char *text,
                              const char *hint, int px, ui_edit_fn on_edit, void *ud)
{
    ui_widget *w = ui_scene_add(sc, ctx, UI_FIELD, rect, text, px);
    if (!w)
        return NULL;
    w->hint = strdup(hint ? hint : "");
    if (!w->hint) {
        free(w->text);
        free(w->lines);
        sc->count--;
        return NULL;
    }
    w->on_edit = on_edit;
    w->ud = ud;
    return w;
}

void ui_scene_focus(ui_scene *sc, const ui_widget *w)
{
    if (sc->focus >= 0)
        sc->w[sc->focus].focused = false;
    sc->focus = -1;
    if (!w || w < sc->w || w >= sc->w + sc->count || w->role != UI_FIELD)
        return;
    sc->focus = (long)(w - sc->w);
    sc->w[sc->focus].focused = true;
}

bool ui_scene_text_input(ui_scene *sc, const char *text)
{
    if (sc->focus < 0 || sc->dialog || !sc->w[sc->focus].on_edit || !text || !*text)
        return false;
    ui_widget *w = &sc->w[sc->focus];
    w->on_edit(w->ud, text);       /* may rebuild the scene */
    return true;
}

bool ui_scene_backspace(ui_scene *sc)
{
    if (sc->focus < 0 || sc->dialog || !sc->w[sc->focus].on_edit)
        return false;
    ui_widget *w = &sc->w[sc->focus];
    w->on_edit(w->ud, NULL);
    return true;
}

void ui_scene_set_view(ui_scene *sc, SDL_Rect view, int content_h)
{
    sc->view = view;
    sc->content_h = content_h;
    int max = content_h - view.h;
    if (max < 0)
        max = 0;
    if (sc->scroll_y > max)
        sc->scroll_y = max;
    if (sc->scroll_y < 0)
        sc->scroll_y = 0;
}

SDL_Rect ui_widget_screen_rect(const ui_scene *sc, const ui_widget *w)
{
    SDL_Rect r = w->rect;
    if (w->in_scroll) {
        r.x += sc->view.x;
        r.y += sc->view.y - sc->scroll_y;
    }
    return r;
}

bool ui_widget_visible(const ui_scene *sc, const ui_widget *w, int sw, int sh)
{
    if (sc->dialog && !w->in_dialog && w->role != UI_TOAST)
        return false;
    SDL_Rect r = ui_widget_screen_rect(sc, w);
    SDL_Rect clip = { 0, 0, sw, sh };
    if (w->in_scroll)
        clip = sc->view;
    SDL_Rect out;
    return SDL_IntersectRect(&r, &clip, &out) == SDL_TRUE;
}

/* ---- drawing and partial redraw ---------------------------------------- */

#define UI_FNV_OFFSET 0xcbf29ce484222325ull
#define UI_FNV_PRIME 0x100000001b3ull

static uint64_t ui_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UI_FNV_PRIME;
    return h;
}

static uint64_t ui_hash_str(uint64_t h, const char *s)
{
    if (!s)
        return (h ^ 0xFF) * UI_FNV_PRIME;   /* NULL differs from "" */
    return ui_hash(h, s, strlen(s) + 1);
}

/* Everything a draw callback reads from the widget, and where it is:
 * d->hash; the same without the text: d->look; each of the first lines'
 * text: d->line (by content, so an earlier line's length does not count). */
static void ui_widget_summary(const ui_widget *w, SDL_Rect screen, ui_drawn *d)
{
    struct {
        int role, x, y, w, h, px, align, pad;
        uint32_t fg, bg;
        size_t lines;
        unsigned flags;
    } k;
    memset(&k, 0, sizeof k);   /* padding bytes hash as zeros */
    k.role = (int)w->role;
    k.x = screen.x;
    k.y = screen.y;
    k.w = screen.w;
    k.h = screen.h;
    k.px = w->px;
    k.align = w->align;
    k.pad = w->pad;
    k.fg = w->fg;
    k.bg = w->bg;
    k.lines = w->lines_count;
    k.flags = (unsigned)w->in_scroll | (unsigned)w->in_dialog << 1 | (unsigned)w->focused << 2 |
              (unsigned)w->pressed << 3;
    d->look = ui_hash_str(ui_hash(UI_FNV_OFFSET, &k, sizeof k), w->hint);
    uint64_t h = ui_hash_str(d->look, w->text);
    if (w->lines_count)
        h = ui_hash(h, w->lines, w->lines_count * sizeof w->lines[0]);
    d->hash = h;
    for (size_t i = 0; i < UI_DRAWN_LINES; i++)
        d->line[i] = i < w->lines_count && w->text
                         ? ui_hash(UI_FNV_OFFSET, w->text + w->lines[i].start, w->lines[i].len)
                         : 0;
}

/* Roles whose text is drawn by ui_draw_lines, one row per line. */
static bool ui_role_draws_lines(ui_role role)
{
    return role == UI_LABEL || role == UI_BUTTON || role == UI_TILE || role == UI_ITEM ||
           role == UI_DIALOG || role == UI_TOAST;
}

/* The row line i of w takes on screen, as ui_draw_lines places it (a row
 * is as tall as a rendered line, which may exceed the line skip), across
 * the widget's ink and within it. */
static SDL_Rect ui_line_row(ui_ctx *ctx, const ui_scene *sc, const ui_widget *w, SDL_Rect ink,
                            size_t i)
{
    SDL_Rect r = ui_widget_screen_rect(sc, w);
    int lh = ui_line_height(ctx, w->px);
    TTF_Font *f = ui_font(ctx, w->px);
    int rh = f && TTF_FontHeight(f) > lh ? TTF_FontHeight(f) : lh;
    int total = lh * (int)w->lines_count;
    int ty = w->align == UI_ALIGN_CENTER ? r.y + (r.h - total) / 2 : r.y + w->pad;
    SDL_Rect row = { ink.x, ty + lh * (int)i, ink.w, rh }, out = { 0, 0, 0, 0 };
    if (!SDL_IntersectRect(&row, &ink, &out))
        out = (SDL_Rect){ 0, 0, 0, 0 };
    return out;
}

/* The look every widget shares: when it changes the whole frame is redone. */
static uint64_t ui_scene_look_hash(const ui_scene *sc, const ui_ctx *ctx, int sw, int sh)
{
    struct {
        uint32_t bg;
        int sw, sh, unit, vx, vy, vw, vh;
        double scale;
        unsigned char dialog, hc;
    } k;
    memset(&k, 0, sizeof k);
    k.bg = sc->bg;
    k.sw = sw;
    k.sh = sh;
    k.unit = ctx->unit;
    k.vx = sc->view.x;
    k.vy = sc->view.y;
    k.vw = sc->view.w;
    k.vh = sc->view.h;
    k.scale = ctx->scale;
    k.dialog = sc->dialog;
    k.hc = ctx->high_contrast;
    return ui_hash(UI_FNV_OFFSET, &k, sizeof k);
}

/* Where a widget puts pixels: its rect, grown to its text block (centred
 * text taller than its box spills over it) and by a margin for glyph
 * overhang, clipped to its layer (the screen, or the scroll view). A
 * widget off its layer gets w = 0. */
static SDL_Rect ui_widget_ink(ui_ctx *ctx, const ui_scene *sc, ui_widget *w, int sw, int sh)
{
    SDL_Rect r = ui_widget_screen_rect(sc, w);
    /* A short transparent label (a clock, a title) draws only its text:
     * measure that once, so its change repaints the text, not the row. */
    if (w->role == UI_LABEL && !w->bg && w->lines_count > 0 && w->lines_count <= UI_INK_LINES) {
        if (!w->ink_known) {
            int x0 = w->rect.w, x1 = 0;
            for (size_t i = 0; i < w->lines_count; i++) {
                int tw = ui_text_width(ctx, w->text + w->lines[i].start, w->lines[i].len, w->px);
                int tx = w->align == UI_ALIGN_CENTER ? (w->rect.w - tw) / 2 : w->pad;
                x0 = tx < x0 ? tx : x0;
                x1 = tx + tw > x1 ? tx + tw : x1;
            }
            w->ink_x = x0;
            w->ink_w = x1 > x0 ? x1 - x0 : 0;
            w->ink_known = true;
        }
        r.x += w->ink_x;
        r.w = w->ink_w;
    }
    if (w->lines_count > 0 && w->role != UI_QR && w->role != UI_FIELD) {
        int total = ui_line_height(ctx, w->px) * (int)w->lines_count;
        int ty = w->align == UI_ALIGN_CENTER ? r.y + (r.h - total) / 2 : r.y + w->pad;
        int top = ty < r.y ? ty : r.y;
        int bottom = ty + total > r.y + r.h ? ty + total : r.y + r.h;
        r.y = top;
        r.h = bottom - top;
    }
    r.x -= UI_INK_MARGIN;
    r.w += 2 * UI_INK_MARGIN;
    SDL_Rect layer = w->in_scroll ? sc->view : (SDL_Rect){ 0, 0, sw, sh };
    SDL_Rect out = { 0, 0, 0, 0 };
    if (!SDL_IntersectRect(&r, &layer, &out))
        out = (SDL_Rect){ 0, 0, 0, 0 };
    return out;
}

static void ui_rect_grow(SDL_Rect *acc, bool *any, SDL_Rect r)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    if (*any)
        SDL_UnionRect(acc, &r, acc);
    else
        *acc = r;
    *any = true;
}

void ui_scene_invalidate(ui_scene *sc, SDL_Rect r)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    if (sc->dirty_count == UI_DIRTY_MAX) {     /* full list: fold into the last */
        SDL_UnionRect(&sc->dirty[UI_DIRTY_MAX - 1], &r, &sc->dirty[UI_DIRTY_MAX - 1]);
        return;
    }
    sc->dirty[sc->dirty_count++] = r;
}

void ui_scene_invalidate_all(ui_scene *sc)
{
    sc->drawn_valid = false;
}

/* Paints area (the whole screen when full): the background, then every
 * widget whose ink touches it, layer by layer, clipped to it. */
static void ui_scene_paint(ui_scene *sc, ui_ctx *ctx, SDL_Rect area, bool full)
{
    SDL_Renderer *ren = ctx->ren;
    ui_set_color(ren, ctx->high_contrast ? UI_HC_BG : sc->bg ? sc->bg : 0xF4F6F9);
    if (full) {
        SDL_RenderSetClipRect(ren, NULL);
        SDL_RenderClear(ren);
    } else {
        SDL_RenderSetClipRect(ren, &area);
        SDL_RenderFillRect(ren, &area);
    }
    for (int pass = 0; pass < 4; pass++) {   /* fixed, scrolled, dialog, toast */
        SDL_Rect clip = area;
        if (pass == 2 && sc->dialog) {
            SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
            SDL_SetRenderDrawColor(ren, 0, 0, 0, 140);
            SDL_RenderFillRect(ren, NULL);   /* within the clip */
            SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_NONE);
        }
        if (pass == 1) {
            if (!SDL_IntersectRect(&area, &sc->view, &clip))
                continue;              /* the view is outside the area */
            SDL_RenderSetClipRect(ren, &clip);
        }
        for (size_t i = 0; i < sc->count; i++) {
            const ui_widget *w = &sc->w[i];
            int p = w->role == UI_TOAST ? 3 : w->in_dialog ? 2 : w->in_scroll ? 1 : 0;
            SDL_Rect tmp;
            if (p != pass || !SDL_IntersectRect(&sc->drawn[i].rect, &clip, &tmp))
                continue;
            SDL_Rect r = ui_widget_screen_rect(sc, w);
            ui_classes[w->role].draw(ctx, w, r.x, r.y);
        }
        if (pass == 1)
            SDL_RenderSetClipRect(ren, full ? NULL : &area);
    }
    SDL_RenderSetClipRect(ren, NULL);
}

void ui_scene_draw(ui_scene *sc, ui_ctx *ctx, int sw, int sh)
{
    SDL_Rect screen = { 0, 0, sw, sh };
    uint64_t look = ui_scene_look_hash(sc, ctx, sw, sh);
    bool full = !sc->drawn_valid || ctx->full_redraw || look != sc->drawn_scene;
    SDL_Rect area = { 0, 0, 0, 0 };
    bool any = false;
    for (size_t i = 0; i < sc->dirty_count; i++)
        ui_rect_grow(&area, &any, sc->dirty[i]);
    /* Compare with the last frame, index by index, and remember this one. */
    size_t n = sc->count > sc->drawn_count ? sc->count : sc->drawn_count;
    for (size_t i = 0; i < n; i++) {
        if (i >= sc->count) {          /* gone: repaint its old place */
            ui_rect_grow(&area, &any, sc->drawn[i].rect);
            continue;
        }
        ui_widget *w = &sc->w[i];
        ui_drawn now;
        now.rect = ui_widget_ink(ctx, sc, w, sw, sh);
        ui_widget_summary(w, ui_widget_screen_rect(sc, w), &now);
        const ui_drawn *old = &sc->drawn[i];
        bool same_box = SDL_RectEquals(&now.rect, &old->rect);
        if (i >= sc->drawn_count) {
            ui_rect_grow(&area, &any, now.rect);
        } else if (now.hash == old->hash && same_box) {
            /* unchanged */
        } else if (now.look == old->look && same_box && ui_role_draws_lines(w->role) &&
                   w->lines_count <= UI_DRAWN_LINES) {
            /* Same box, same number of lines: only the lines whose text
             * changed (the countdown's seconds, a button's caption). */
            for (size_t j = 0; j < w->lines_count; j++)
                if (now.line[j] != old->line[j])
                    ui_rect_grow(&area, &any, ui_line_row(ctx, sc, w, now.rect, j));
        } else {
            ui_rect_grow(&area, &any, old->rect);
            ui_rect_grow(&area, &any, now.rect);
        }
        sc->drawn[i] = now;
    }
    sc->drawn_count = sc->count;
    sc->drawn_scene = look;
    sc->drawn_valid = true;
    sc->dirty_count = 0;
    sc->stats.frames++;
    SDL_Rect on_screen;
    if (!full && any) {
        any = SDL_IntersectRect(&area, &screen, &on_screen) == SDL_TRUE;
        area = on_screen;
    }
    if (!full && !any) {               /* nothing changed on screen */
        sc->stats.skipped_frames++;
        sc->stats.px_last = 0;
        return;
    }
    /* Past half the screen a partial repaint saves little: do it all. */
    if (!full && (uint64_t)area.w * (uint64_t)area.h * 2 > (uint64_t)sw * (uint64_t)sh)
        full = true;
    if (full)
        area = screen;
    ui_scene_paint(sc, ctx, area, full);
    sc->stats.px_last = (uint64_t)area.w * (uint64_t)area.h;
    sc->stats.px_total += sc->stats.px_last;
    if (full)
        sc->stats.full_frames++;
    else
        sc->stats.partial_frames++;
}

/* ---- the kept frame of a window ------------------------------------------
 * Partial redraw needs the last frame's pixels under the new ones. The
 * software renderer draws into the window's surface, which keeps them
 * across SDL_RenderPresent (that only copies the surface out), so it draws
 * there directly. An accelerated renderer presents by flipping double
 * buffers, after which the back buffer is undefined: there the frame is
 * drawn into a target texture, which keeps it, and copied to the window
 * every frame (one full-screen copy on the GPU, far cheaper than
 * re-rendering every widget). A renderer without target textures gets full
 * redraws. */
bool ui_frame_begin(ui_ctx *ctx, int w, int h)
{
    SDL_RendererInfo info;
    if (ctx->frame_failed || SDL_GetRendererInfo(ctx->ren, &info) != 0)
        return false;
    if ((info.flags & SDL_RENDERER_SOFTWARE) && !ctx->frame_always)
        return true;
    bool kept = true;
    if (ctx->frame && (ctx->frame_w != w || ctx->frame_h != h)) {
        SDL_DestroyTexture(ctx->frame);
        ctx->frame = NULL;
    }
    if (!ctx->frame) {
        if (!(info.flags & SDL_RENDERER_TARGETTEXTURE)) {
            ctx->frame_failed = true;
            return false;
        }
        ctx->frame = SDL_CreateTexture(ctx->ren, SDL_PIXELFORMAT_ARGB8888,
                                       SDL_TEXTUREACCESS_TARGET, w, h);
        if (!ctx->frame) {
            ctx->frame_failed = true;
            return false;
        }
        /* Copied to the window as it is: the frame is opaque, nothing to blend. */
        SDL_SetTextureBlendMode(ctx->frame, SDL_BLENDMODE_NONE);
        ctx->frame_w = w;
        ctx->frame_h = h;
        kept = false;
    }
    if (SDL_SetRenderTarget(ctx->ren, ctx->frame) != 0) {
        SDL_DestroyTexture(ctx->frame);
        ctx->frame = NULL;
        ctx->frame_failed = true;
        return false;
    }
    return kept;
}

void ui_frame_end(ui_ctx *ctx)
{
    if (!ctx->frame || SDL_GetRenderTarget(ctx->ren) != ctx->frame)
        return;
    SDL_SetRenderTarget(ctx->ren, NULL);
    SDL_RenderCopy(ctx->ren, ctx->frame, NULL, NULL);
}

/* Small helpers instead of libm (the kiosk does not link it). */
static double ui_fabs(double v)
{
    return v < 0 ? -v : v;
}

static int ui_round(double v)
{
    return (int)(v < 0 ? v - 0.5 : v + 0.5);
}

static long ui_scene_hit(const ui_scene *sc, int x, int y)
{
    SDL_Point p = { x, y };
    for (size_t i = sc->count; i-- > 0;) {
        const ui_widget *w = &sc->w[i];
        if ((!w->on_tap && !w->on_edit) || (sc->dialog && !w->in_dialog) || w->role == UI_TOAST)
            continue;
        if (w->in_scroll && !SDL_PointInRect(&p, &sc->view))
            continue;
        SDL_Rect r = ui_widget_screen_rect(sc, w);
        if (SDL_PointInRect(&p, &r))
            return (long)i;
    }
    return -1;
}

bool ui_scene_pointer_down(ui_scene *sc, int x, int y, uint64_t now_ms)
{
    sc->down = true;
    sc->dragging = false;
    sc->gliding = false;           /* a touch stops a glide */
    sc->velocity = 0;
    sc->down_x = x;
    sc->down_y = sc->last_y = y;
    sc->last_move_ms = now_ms;
    sc->down_scroll = sc->scroll_y;
    /* The highlight shows at once: the only redraw a touch down needs. */
    return ui_scene_set_pressed(sc, ui_scene_hit(sc, x, y));
}

bool ui_scene_pointer_move(ui_scene *sc, int x, int y, uint64_t now_ms)
{
    if (!sc->down)
        return false;
    SDL_Point start = { sc->down_x, sc->down_y };
    bool unpressed = false;
    if (!sc->dragging && (abs(x - sc->down_x) > UI_TAP_SLOP || abs(y - sc->down_y) > UI_TAP_SLOP)) {
        unpressed = ui_scene_set_pressed(sc, -1);   /* a drag is never a tap */
        sc->dragging = !sc->dialog && SDL_PointInRect(&start, &sc->view);
    }
    if (!sc->dragging)
        return unpressed;
    if (now_ms > sc->last_move_ms) {
        /* Smoothed finger speed, in scroll direction. */
        double v = (double)(sc->last_y - y) / (double)(now_ms - sc->last_move_ms);
        sc->velocity = 0.6 * v + 0.4 * sc->velocity;
        sc->last_move_ms = now_ms;
        sc->last_y = y;
    }
    int old = sc->scroll_y;
    sc->scroll_y = sc->down_scroll - (y - sc->down_y);
    ui_scene_set_view(sc, sc->view, sc->content_h);
    return sc->scroll_y != old || unpressed;
}

bool ui_scene_pointer_up(ui_scene *sc, int x, int y, uint64_t now_ms)
{
    if (!sc->down)
        return false;
    bool changed = ui_scene_pointer_move(sc, x, y, now_ms);
    sc->down = false;
    if (sc->dragging) {
        sc->dragging = false;
        /* A finger that stopped before lifting does not fling. */
        if (now_ms - sc->last_move_ms < 100 && ui_fabs(sc->velocity) >= UI_GLIDE_MIN_SPEED) {
            if (sc->velocity > UI_GLIDE_MAX_SPEED)
                sc->velocity = UI_GLIDE_MAX_SPEED;
            if (sc->velocity < -UI_GLIDE_MAX_SPEED)
                sc->velocity = -UI_GLIDE_MAX_SPEED;
            sc->gliding = true;
            sc->glide_ms = now_ms;
            sc->glide_pos = sc->scroll_y;
        }
        return changed;
    }
    long hit = ui_scene_hit(sc, x, y);
    bool was_pressed = sc->pressed >= 0;
    if (hit >= 0 && hit == sc->pressed) {
        ui_scene_set_pressed(sc, -1);
        ui_widget *w = &sc->w[hit];
        if (w->role == UI_FIELD) {
            ui_scene_focus(sc, w);
            if (w->on_tap)             /* a screen that keeps the focus in its state */
                w->on_tap(w->ud, w->tag);
            return true;
        }
        w->on_tap(w->ud, w->tag);      /* may rebuild the scene */
        return true;
    }
    ui_scene_set_pressed(sc, -1);
    if (hit < 0 && sc->on_background) {
        sc->on_background(sc->background_ud, 0);
        return true;
    }
    return changed || was_pressed;     /* the highlight goes */
}

bool ui_scene_animate(ui_scene *sc, uint64_t now_ms)
{
    if (!sc->gliding || now_ms <= sc->glide_ms)
        return false;
    uint64_t dt = now_ms - sc->glide_ms;
    sc->glide_ms = now_ms;
    sc->glide_pos += sc->velocity * (double)dt;
    for (uint64_t i = 0; i < dt && i < 5000; i++)   /* exponential friction */
        sc->velocity *= 1.0 - UI_GLIDE_FRICTION;
    int old = sc->scroll_y;
    sc->scroll_y = ui_round(sc->glide_pos);
    ui_scene_set_view(sc, sc->view, sc->content_h);
    if (sc->scroll_y != ui_round(sc->glide_pos) || ui_fabs(sc->velocity) < UI_GLIDE_STOP_SPEED)
        sc->gliding = false;       /* hit an end, or slowed to a stop */
    return sc->scroll_y != old;
}
