/* pr_draw.h — the slip renderer's drawing layer: text with the shipped font
 * (SDL2_ttf, thresholded to 1 bit) and QR codes (libqrencode) into a
 * pr_bitmap. Used by pr_slips.c; callers outside the library need only
 * pr_font_shutdown() at exit.
 *
 * Fonts are opened lazily and cached by (path, face index, pixel size) for
 * the life of the process; a mutex makes every call safe from any thread
 * (the kiosk's print worker and qifu-ctl). Drawing clips at the bitmap's
 * edges; nothing here allocates per call beyond SDL_ttf's glyph surface. */
#ifndef PR_DRAW_H
#define PR_DRAW_H

#include "pr.h"

typedef struct pr_font_spec {
    const char *path;
    int index;      /* face in a .ttc */
    int size;       /* pixel size (dots) */
    bool bold;      /* synthetic bold (TTF_STYLE_BOLD) */
} pr_font_spec;

#define PR_TEXT_MAX 1024   /* longest string pr_font_draw/measure handle, bytes */

/* Opens (or finds in the cache) the face: QF_ERR_NOT_FOUND with the path
 * and SDL_ttf's reason when it cannot be opened. */
qf_err pr_font_check(const pr_font_spec *f, char *err, size_t errlen);

/* Width in dots of bytes [s, s+len) (cut at PR_TEXT_MAX); 0 on error. */
int pr_font_measure(const pr_font_spec *f, const char *s, size_t len);

/* The line advance (TTF_FontLineSkip) in dots; 0 on error. */
int pr_font_line_height(const pr_font_spec *f);

/* Draws bytes [s, s+len) with the top of the line box at y. invert clears
 * dots instead of setting them (white text on a black band). */
qf_err pr_font_draw(pr_bitmap *bm, const pr_font_spec *f, int x, int y, const char *s,
                    size_t len, bool invert);

/* Closes every cached font and calls TTF_Quit. Call once at exit, when no
 * other thread renders; a later render initialises again. */
void pr_font_shutdown(void);

/* Encodes text (case-sensitive, level M) and draws it with a 4-module quiet
 * zone, centred horizontally in [x0, x0 + avail_w), its top at y. The module
 * size makes the symbol with quiet zone at least 25 mm wide when it fits.
 * *out_h gets the height drawn (quiet zone included). QF_ERR_LIMIT when the
 * text is too long to draw at one dot per module within avail_w. */
qf_err pr_qr_draw(pr_bitmap *bm, const char *text, int dots_per_mm, int x0, int avail_w, int y,
                  int *out_h, char *err, size_t errlen);

/* Sets/clears every dot of the rectangle (clipped). */
void pr_bitmap_fill(pr_bitmap *bm, int x, int y, int w, int h, bool black);

#endif
