/* ui.h — the kiosk's small widget toolkit on SDL2 + SDL2_ttf.
 *
 * A ui_scene is a flat list of widgets a screen builds (and rebuilds when
 * the state changes). Each widget has a role with a class descriptor
 * (name + draw callback, ui_widget.c); widgets know nothing of the
 * business: a screen gives them text and an on_tap callback with an int tag.
 * Widgets marked in_scroll live in the scene's one scroll view (content
 * coordinates, dragged by touch); widgets marked in_dialog form a modal
 * dialog drawn on top, and while one is up only they take taps. A UI_TOAST
 * is drawn over everything, dialog included, and never takes a tap (a
 * finger on it reaches what is under it).
 *
 * Text: ui_ctx keeps a chain of font faces (the shipped CJK face first,
 * then fallbacks for symbols it lacks), opens each per pixel size, splits
 * text into runs by the first face that has each character, wraps with
 * qf_text_wrap (Chinese line breaking and 禁则) and keeps rendered lines in
 * a texture cache. ctx->scale (1.0, or 1.5 in large-text mode) multiplies
 * every font size.
 *
 * Drawing: ui_scene_draw repaints only what changed since the frame it drew
 * last (it compares the widgets with what it drew, plus any rect a caller
 * invalidates), clipped to the union of the dirty rects. That needs a
 * target that keeps the last frame: the headless surface and a software
 * renderer's window surface do; an accelerated renderer's back buffer does
 * not, so there a window draws into the persistent texture of
 * ui_frame_begin / ui_frame_end.
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

/* One face of the fallback chain: a font file (and face index in a
 * collection), mapped once, opened per pixel size. */
#define UI_FACES_MAX 4
typedef struct ui_face {
    char path[1024];
    int index;
    const void *map;           /* the file mapped read-only, or NULL: open by path */
    size_t map_len;
    struct { int px; TTF_Font *font; } fonts[UI_FONT_SIZES_MAX];
    size_t fonts_count;
} ui_face;

typedef struct ui_ctx {
    SDL_Renderer *ren;         /* borrowed */
    char font_path[1024];      /* the primary face (faces[0]), for readers */
    int font_index;
    ui_face faces[UI_FACES_MAX];   /* [0] primary, then fallbacks in order */
    size_t faces_count;
    ui_text_entry cache[UI_TEXT_CACHE_MAX];
    uint64_t cache_clock;
    size_t cache_hits, cache_misses;
    double scale;              /* large-text factor */
    int unit;                  /* base size in px: min(w, h) / 30 */
    bool high_contrast;        /* black / white / yellow theme at draw time */
    bool full_redraw;          /* never draw partially (QIFU_UI_FULL_REDRAW: a check) */
    bool draw_log;             /* the runtime logs each frame's repaint (QIFU_UI_DRAW_LOG) */
    SDL_Texture *frame;        /* owned: the kept frame of a window (ui_frame_begin) */
    int frame_w, frame_h;
    bool frame_failed;         /* the renderer has no target textures */
    bool frame_always;         /* keep the frame in a texture even on the software
                                * renderer (tests of the accelerated path) */
} ui_ctx;

qf_err ui_ctx_init(ui_ctx *ctx, SDL_Renderer *ren, const char *font_path, int font_index,
                   int width, int height, char *err, size_t errlen);
void ui_ctx_cleanup(ui_ctx *ctx);
/* Appends a fallback face to the chain (after the primary and earlier
 * fallbacks): characters no earlier face has are drawn with it.
 * QF_ERR_LIMIT past UI_FACES_MAX, QF_ERR_IO when it cannot be opened. */
qf_err ui_ctx_add_fallback(ui_ctx *ctx, const char *path, int index, char *err, size_t errlen);
/* Adds the fallbacks of a list "a.ttf, b.ttc#1" (',' or ';' between paths,
 * '#N' picks a face of a collection). list NULL (not configured): adds
 * default_name from the primary font's folder when that file exists; ""
 * adds none. Errors as ui_ctx_add_fallback, or QF_ERR_INVALID for a bad #N. */
qf_err ui_ctx_add_fallbacks(ui_ctx *ctx, const char *list, const char *default_name, char *err,
                            size_t errlen);
/* The primary font at px * scale (opened on first use); NULL when it cannot open. */
TTF_Font *ui_font(ui_ctx *ctx, int px);
/* Face i of the chain at px * scale; NULL when i is out of range or it cannot open. */
TTF_Font *ui_font_face(ui_ctx *ctx, size_t face, int px);
/* The first face of the chain that has a glyph for cp (true), or false
 * when none has (the text then shows the primary face's missing-glyph box). */
bool ui_glyph_face(ui_ctx *ctx, uint32_t cp, size_t *face);
int ui_font_px(const ui_ctx *ctx, int px);           /* px * scale */
int ui_line_height(ui_ctx *ctx, int px);
/* Lines of text wrapped to max_w at px. Ownership: *out is malloc'd. */
qf_err ui_text_wrap(ui_ctx *ctx, const char *text, int px, int max_w, qf_text_line **out,
                    size_t *out_count);
/* Draws bytes [s, s+len) at x, y through the texture cache; returns width. */
int ui_text_draw(ui_ctx *ctx, const char *s, size_t len, int px, uint32_t rgb, int x, int y);
int ui_text_width(ui_ctx *ctx, const char *s, size_t len, int px);

/* One run of a line: bytes [start, start+len) drawn with one face of the
 * fallback chain. */
#define UI_RUNS_MAX 64             /* face changes in one line; the rest stays in the last run */
typedef struct ui_run {
    size_t start, len;
    size_t face;
} ui_run;
/* Splits [s, s+len) into runs by face. Spaces, controls and characters no
 * face has stay with the run they are in (so "A ✔ B" is one run per face
 * change, not per space). Returns the number of runs (>= 1 when len > 0). */
size_t ui_runs_split(ui_ctx *ctx, const char *s, size_t len, ui_run *runs, size_t max);

/* ---- widgets ------------------------------------------------------------ */

#define UI_INK_MARGIN 2        /* px glyphs may stick out of a widget's sides (redraw areas) */

typedef enum ui_role {
    UI_LABEL = 0,              /* wrapped text block */
    UI_BUTTON,
    UI_TILE,                   /* big coloured button */
    UI_ITEM,                   /* a row of a list */
    UI_QR,                     /* QR symbol of text */
    UI_DIALOG,                 /* the dialog's panel */
    UI_FIELD,                  /* one-line text entry: text, hint, caret */
    UI_TOAST,                  /* a short message on top of all; no taps */
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
    bool pressed;              /* a finger is down on it (set by the scene) */
    /* Set by the first draw: a transparent label's text extent in x,
     * relative to rect (a redraw of it need not cover its empty sides). */
    bool ink_known;
    int ink_x, ink_w;
} ui_widget;

typedef struct ui_class {
    const char *name;          /* the role in dumps */
    void (*draw)(ui_ctx *ctx, const ui_widget *w, int x, int y);
} ui_class;

const ui_class *ui_class_get(ui_role role);

#define UI_SCENE_MAX 1024
#define UI_DIRTY_MAX 32

#define UI_DRAWN_LINES 4       /* lines of a widget compared one by one */

/* What the last frame showed of one widget: where, and hashes of what its
 * draw callback reads: all of it, all but the text, and each of its first
 * lines (so a changed number repaints its line, not the whole box). */
typedef struct ui_drawn {
    SDL_Rect rect;             /* on screen, clipped to its layer; w = 0: not shown */
    uint64_t hash;
    uint64_t look;             /* without the text */
    uint64_t line[UI_DRAWN_LINES];
} ui_drawn;

/* Partial-redraw counters (for tests and benchmarks). */
typedef struct ui_draw_stats {
    uint64_t frames, full_frames, partial_frames, skipped_frames;
    uint64_t px_last;          /* pixels repainted by the last draw */
    uint64_t px_total;
} ui_draw_stats;

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
    /* partial redraw: what the target shows now, and what must be redone */
    ui_drawn drawn[UI_SCENE_MAX];
    size_t drawn_count;
    uint64_t drawn_scene;      /* hash of the scene-wide look (bg, theme, dialog, view) */
    bool drawn_valid;          /* false: the next draw repaints everything */
    SDL_Rect dirty[UI_DIRTY_MAX];
    size_t dirty_count;
    ui_draw_stats stats;
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

/* Draws the scene into the renderer's target. The whole frame when it is
 * the first, after ui_scene_invalidate_all, with ctx->full_redraw, or when
 * the scene-wide look changed; otherwise only the union of the rects of
 * widgets that differ from the last frame and the rects invalidated since,
 * clipped to it (the target must still hold the last frame). */
void ui_scene_draw(ui_scene *sc, ui_ctx *ctx, int sw, int sh);
/* Marks a screen rect for the next draw (for changes the scene cannot see). */
void ui_scene_invalidate(ui_scene *sc, SDL_Rect r);
/* The next draw repaints everything (the target lost its pixels). */
void ui_scene_invalidate_all(ui_scene *sc);

/* A window's kept frame: ui_frame_begin makes a persistent target texture
 * of w x h the render target (creating it on first use) and returns true
 * when it still holds the last frame; false when it is new or the renderer
 * cannot render to textures (then drawing goes to the window and the caller
 * must repaint everything). ui_frame_end copies it to the window. */
bool ui_frame_begin(ui_ctx *ctx, int w, int h);
void ui_frame_end(ui_ctx *ctx);

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
