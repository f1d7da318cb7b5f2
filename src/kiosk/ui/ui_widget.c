/* ui_widget.c — the widget classes (one descriptor per role: its dump name
 * and its draw callback), the scene that holds them, the one scroll view
 * with touch drag, the modal dialog layer, and tap hit-testing. Drawing
 * happens only here, in the draw callbacks, when the loop asks for a frame.
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
    return w->role == UI_LABEL || w->role == UI_DIALOG ? UI_HC_TEXT : UI_HC_ACTIVE;
}

static uint32_t ui_bg(const ui_ctx *ctx, const ui_widget *w)
{
    return ctx->high_contrast ? UI_HC_BG : w->bg;
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
    int tw = 0;
    SDL_Rect inner = { x + border, y + border, w->rect.w - 2 * border, w->rect.h - 2 * border };
    SDL_RenderSetClipRect(ctx->ren, &inner);   /* fields are never in the scroll view */
    if (!empty)
        tw = ui_text_draw(ctx, w->text, strlen(w->text), w->px, w->fg, tx, ty);
    else if (w->hint && *w->hint) {
        int hpx = w->px * 3 / 4;   /* smaller, so a bilingual hint fits */
        int hy = y + (w->rect.h - ui_line_height(ctx, hpx)) / 2;
        ui_text_draw(ctx, w->hint, strlen(w->hint), hpx, 0x8A93A3, tx + ctx->unit / 4, hy);
    }
    if (focused) {
        SDL_Rect caret = { tx + tw + 1, ty + lh / 8, ctx->unit > 30 ? 3 : 2, lh * 3 / 4 };
        ui_set_color(ctx->ren, 0x1A1A1A);
        SDL_RenderFillRect(ctx->ren, &caret);
    }
    SDL_RenderSetClipRect(ctx->ren, NULL);
}

static const ui_class ui_classes[UI_ROLE__COUNT] = {
    [UI_LABEL] = { "label", ui_label_draw },
    [UI_BUTTON] = { "button", ui_button_draw },
    [UI_TILE] = { "tile", ui_button_draw },
    [UI_ITEM] = { "item", ui_item_draw },
    [UI_QR] = { "qr", ui_qr_draw },
    [UI_DIALOG] = { "dialog", ui_dialog_draw },
    [UI_FIELD] = { "field", ui_field_draw },
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
    if (sc->dialog && !w->in_dialog)
        return false;
    SDL_Rect r = ui_widget_screen_rect(sc, w);
    SDL_Rect clip = { 0, 0, sw, sh };
    if (w->in_scroll)
        clip = sc->view;
    SDL_Rect out;
    return SDL_IntersectRect(&r, &clip, &out) == SDL_TRUE;
}

void ui_scene_draw(ui_scene *sc, ui_ctx *ctx, int sw, int sh)
{
    ui_set_color(ctx->ren, ctx->high_contrast ? UI_HC_BG : sc->bg ? sc->bg : 0xF4F6F9);
    SDL_RenderClear(ctx->ren);
    for (int pass = 0; pass < 3; pass++) {   /* fixed, scrolled, dialog */
        if (pass == 2 && sc->dialog) {
            SDL_SetRenderDrawBlendMode(ctx->ren, SDL_BLENDMODE_BLEND);
            SDL_SetRenderDrawColor(ctx->ren, 0, 0, 0, 140);
            SDL_RenderFillRect(ctx->ren, NULL);
            SDL_SetRenderDrawBlendMode(ctx->ren, SDL_BLENDMODE_NONE);
        }
        if (pass == 1)
            SDL_RenderSetClipRect(ctx->ren, &sc->view);
        for (size_t i = 0; i < sc->count; i++) {
            const ui_widget *w = &sc->w[i];
            int p = w->in_dialog ? 2 : w->in_scroll ? 1 : 0;
            if (p != pass)
                continue;
            SDL_Rect r = ui_widget_screen_rect(sc, w);
            SDL_Rect clip = pass == 1 ? sc->view : (SDL_Rect){ 0, 0, sw, sh }, tmp;
            if (!SDL_IntersectRect(&r, &clip, &tmp))
                continue;
            ui_classes[w->role].draw(ctx, w, r.x, r.y);
        }
        if (pass == 1)
            SDL_RenderSetClipRect(ctx->ren, NULL);
    }
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
        if ((!w->on_tap && !w->on_edit) || (sc->dialog && !w->in_dialog))
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
    sc->pressed = ui_scene_hit(sc, x, y);
    return false;
}

bool ui_scene_pointer_move(ui_scene *sc, int x, int y, uint64_t now_ms)
{
    if (!sc->down)
        return false;
    SDL_Point start = { sc->down_x, sc->down_y };
    if (!sc->dragging && (abs(x - sc->down_x) > UI_TAP_SLOP || abs(y - sc->down_y) > UI_TAP_SLOP)) {
        sc->pressed = -1;                        /* a drag is never a tap */
        sc->dragging = !sc->dialog && SDL_PointInRect(&start, &sc->view);
    }
    if (!sc->dragging)
        return false;
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
    return sc->scroll_y != old;
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
    if (hit >= 0 && hit == sc->pressed) {
        sc->pressed = -1;
        ui_widget *w = &sc->w[hit];
        if (w->role == UI_FIELD) {
            ui_scene_focus(sc, w);
            return true;
        }
        w->on_tap(w->ud, w->tag);      /* may rebuild the scene */
        return true;
    }
    sc->pressed = -1;
    if (hit < 0 && sc->on_background) {
        sc->on_background(sc->background_ud, 0);
        return true;
    }
    return changed;
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
