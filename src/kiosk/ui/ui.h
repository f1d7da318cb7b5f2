/* ui.h — the kiosk's small widget toolkit on SDL2 + SDL2_ttf.
 *
 * A ui_scene is a flat list of widgets a screen builds (and rebuilds when
 * the state changes). Each widget has a role with a class descriptor
 * (name + draw callback, ui_widget.c); widgets know nothing of the
 * business: a screen gives them text and an on_tap callback with an int tag.
 * Widgets marked in_scroll live in the scene's one scroll view (content
 * coordinates, dragged by touch); widgets marked in_dialog form a modal
 * dialog drawn on top, and while one is up only they take taps.
 *
 * Text: ui_ctx opens the shipped font per pixel size, wraps with
 * qf_text_wrap (Chinese line breaking and 禁则) and keeps rendered lines in
 * a texture cache. ctx->scale (1.0, or 1.5 in large-text mode) multiplies
 * every font size.
 *
 * Not here: screens, state, I/O other than the font file and PNG output. */
#ifndef UI_H
#define UI_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_error.h"
#include "qf_text.h"

/* ---- context: renderer, fonts, text cache ------------------------------- */

#define UI_FONT_SIZES_MAX 24
#define UI_TEXT_CACHE_MAX 384

typedef struct ui_text_entry {
    char *text;                /* owned; NULL = free slot */
    int px;
    uint32_t rgb;
    SDL_Texture *tex;
    int w, h;
    uint64_t used;
} ui_text_entry;

typedef struct ui_ctx {
    SDL_Renderer *ren;         /* borrowed */
    char font_path[1024];
    int font_index;
    const void *font_map;      /* the font file mapped read-only, or NULL */
    size_t font_map_len;
    struct { int px; TTF_Font *font; } fonts[UI_FONT_SIZES_MAX];
    size_t fonts_count;
    ui_text_entry cache[UI_TEXT_CACHE_MAX];
    uint64_t cache_clock;
    size_t cache_hits, cache_misses;
    double scale;              /* large-text factor */
    int unit;                  /* base size in px: min(w, h) / 30 */
    bool high_contrast;        /* black / white / yellow theme at draw time */
} ui_ctx;

qf_err ui_ctx_init(ui_ctx *ctx, SDL_Renderer *ren, const char *font_path, int font_index,
                   int width, int height, char *err, size_t errlen);
void ui_ctx_cleanup(ui_ctx *ctx);
/* The font at px * scale (opened on first use); NULL when it cannot open. */
TTF_Font *ui_font(ui_ctx *ctx, int px);
int ui_font_px(const ui_ctx *ctx, int px);           /* px * scale */
int ui_line_height(ui_ctx *ctx, int px);
/* Lines of text wrapped to max_w at px. Ownership: *out is malloc'd. */
qf_err ui_text_wrap(ui_ctx *ctx, const char *text, int px, int max_w, qf_text_line **out,
                    size_t *out_count);
/* Draws bytes [s, s+len) at x, y through the texture cache; returns width. */
int ui_text_draw(ui_ctx *ctx, const char *s, size_t len, int px, uint32_t rgb, int x, int y);
int ui_text_width(ui_ctx *ctx, const char *s, size_t len, int px);

/* ---- widgets ------------------------------------------------------------ */

typedef enum ui_role {
    UI_LABEL = 0,              /* wrapped text block */
    UI_BUTTON,
    UI_TILE,                   /* big coloured button */
    UI_ITEM,                   /* a row of a list */
    UI_QR,                     /* QR symbol of text */
    UI_DIALOG,                 /* the dialog's panel */
    UI_FIELD,                  /* one-line text entry: text, hint, caret */
    UI_ROLE__COUNT
} ui_role;

enum { UI_ALIGN_LEFT = 0, UI_ALIGN_CENTER };

typedef struct ui_scene ui_scene;
typedef void (*ui_tap_fn)(void *ud, int tag);
/* A focused field's edit: text to append (UTF-8), or NULL for BackSpace.
 * The field does not change its own text: the screen turns the edit into an
 * action and the rebuilt scene shows the new text. */
typedef void (*ui_edit_fn)(void *ud, const char *text);

typedef struct ui_widget {
    ui_role role;
    SDL_Rect rect;             /* screen coords, or content coords when in_scroll */
    char *text;                /* owned */
    qf_text_line *lines;       /* owned: wrapped lines of text */
    size_t lines_count;
    int px;                    /* unscaled font size */
    uint32_t fg, bg;           /* 0xRRGGBB */
    int align;
    int pad;
    bool in_scroll, in_dialog;
    ui_tap_fn on_tap;
    void *ud;
    int tag;
    char *hint;                /* owned; UI_FIELD: shown while text is empty */
    ui_edit_fn on_edit;        /* UI_FIELD: takes text input while focused */
    bool focused;              /* UI_FIELD: has the keyboard (ui_scene_focus) */
} ui_widget;

typedef struct ui_class {
    const char *name;          /* the role in dumps */
    void (*draw)(ui_ctx *ctx, const ui_widget *w, int x, int y);
} ui_class;

const ui_class *ui_class_get(ui_role role);

#define UI_SCENE_MAX 1024

struct ui_scene {
    ui_widget w[UI_SCENE_MAX];
    size_t count;
    SDL_Rect view;             /* the scroll view on screen */
    int scroll_y, content_h;
    bool dialog;
    uint32_t bg;
    long focus;                /* the focused UI_FIELD's index, or -1 */
    ui_tap_fn on_background;   /* a tap that hits no widget */
    void *background_ud;
    /* pointer tracking */
    bool down, dragging;
    int down_x, down_y, last_y, down_scroll;
    long pressed;              /* widget index or -1 */
    /* inertia: after a quick drag the list glides on and slows down */
    double velocity;           /* scroll px per ms */
    double glide_pos;          /* scroll_y with its fraction while gliding */
    uint64_t last_move_ms, glide_ms;
    bool gliding;
};

void ui_scene_init(ui_scene *sc);
void ui_scene_clear(ui_scene *sc);     /* frees the widgets, keeps scroll_y */
/* Adds a widget; text is copied and wrapped to rect.w - 2*pad. If rect.h
 * is 0 it becomes the text height + 2*pad. Returns the widget or NULL when
 * the scene is full. */
ui_widget *ui_scene_add(ui_scene *sc, ui_ctx *ctx, ui_role role, SDL_Rect rect, const char *text,
                        int px);
void ui_scene_set_view(ui_scene *sc, SDL_Rect view, int content_h);
/* Adds a text field (one line, rect.h as given) showing text, or hint
 * while text is empty, with a caret when focused; a tap focuses it. */
ui_widget *ui_scene_add_field(ui_scene *sc, ui_ctx *ctx, SDL_Rect rect, const char *text,
                              const char *hint, int px, ui_edit_fn on_edit, void *ud);
void ui_scene_focus(ui_scene *sc, const ui_widget *w);
/* Keyboard input for the focused field (SDL_TEXTINPUT text, or BackSpace);
 * false when no field has the focus. */
bool ui_scene_text_input(ui_scene *sc, const char *text);
bool ui_scene_backspace(ui_scene *sc);

/* The widget's rect on screen now (scroll applied). */
SDL_Rect ui_widget_screen_rect(const ui_scene *sc, const ui_widget *w);
/* Visible: inside the screen (and the view, for scrolled ones), and not
 * under an open dialog. */
bool ui_widget_visible(const ui_scene *sc, const ui_widget *w, int sw, int sh);

void ui_scene_draw(ui_scene *sc, ui_ctx *ctx, int sw, int sh);

/* Pointer input at now_ms (the app clock); return true when the scene
 * changed (needs a redraw). A press that moves less than the slop and is
 * released is a tap; a drag in the scroll view scrolls it, and a quick one
 * leaves it gliding (ui_scene_animate). */
bool ui_scene_pointer_down(ui_scene *sc, int x, int y, uint64_t now_ms);
bool ui_scene_pointer_move(ui_scene *sc, int x, int y, uint64_t now_ms);
bool ui_scene_pointer_up(ui_scene *sc, int x, int y, uint64_t now_ms);
/* Advances a glide to now_ms; true when the scroll moved. While
 * sc->gliding the loop calls this every UI_FRAME_MS. */
bool ui_scene_animate(ui_scene *sc, uint64_t now_ms);
#define UI_FRAME_MS 16

/* ---- PNG ---------------------------------------------------------------- */

/* Writes the renderer's current target as an 8-bit RGB PNG. */
qf_err ui_png_write(SDL_Renderer *ren, int w, int h, const char *path, char *err, size_t errlen);

#endif
