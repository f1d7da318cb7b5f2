/* pr.h — printing for qifu: slips (queue ticket, case receipt, service
 * guide) rendered with the shipped fonts into a 1-bit bitmap at the
 * printer's width, encoded as ESC/POS raster, and sent to a sink (a device
 * file, raw TCP port 9100, or a PNG folder for development). Also the
 * printer's real-time status (DLE EOT).
 *
 * The library is shared by qifu-kiosk (its print worker, off the UI thread)
 * and qifu-ctl (print test-slip, print receipt, the virtual printer). It
 * knows nothing of screens or HTTP: callers pass plain slip structs.
 * Prefix pr_. Errors are qf_err with an optional reason. */
#ifndef PR_H
#define PR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_catalog.h"
#include "qf_clock.h"
#include "qf_error.h"

/* ---- bitmap ------------------------------------------------------------- */

/* 1 bit per dot, rows top to bottom, MSB of each byte the leftmost dot,
 * 1 = black (the ESC/POS raster convention). stride = (width + 7) / 8. */
typedef struct pr_bitmap {
    int width, height;
    size_t stride;
    uint8_t *bits;
} pr_bitmap;

#define PR_MAX_WIDTH 2048
#define PR_MAX_HEIGHT 16384  /* ~2 m of paper at 203 dpi: far beyond a slip */

qf_err pr_bitmap_new(int width, int height, pr_bitmap **out);
void pr_bitmap_free(pr_bitmap *bm);
static inline bool pr_bitmap_get(const pr_bitmap *bm, int x, int y)
{
    return (bm->bits[(size_t)y * bm->stride + (size_t)x / 8] >> (7 - x % 8)) & 1;
}
static inline void pr_bitmap_set(pr_bitmap *bm, int x, int y)
{
    bm->bits[(size_t)y * bm->stride + (size_t)x / 8] |= (uint8_t)(0x80 >> (x % 8));
}

/* Writes bm as a 1-bit grayscale PNG (libpng). */
qf_err pr_bitmap_write_png(const pr_bitmap *bm, const char *path, char *err, size_t errlen);

/* ---- layout ------------------------------------------------------------- */

typedef struct pr_layout {
    int width_dots;           /* 384 for 58 mm, 576 for 80 mm */
    int dots_per_mm;          /* 8 at 203 dpi */
    const char *font_path;    /* fonts/NotoSansCJK-Regular.ttc */
    int font_index;           /* 2: the Simplified Chinese face */
} pr_layout;

/* The defaults: 58 mm, 8 dots/mm, the shipped font under data_dir. */
void pr_layout_default(pr_layout *lay, const char *data_dir);

typedef struct pr_ticket {
    const char *hall_name;    /* 钱塘区企业综合服务中心 */
    const char *window_name;  /* 纳税服务 */
    const char *number;       /* A023 */
    int people_ahead;         /* < 0: unknown (an offline number): no such line */
    qf_instant issued_at;
    bool priority;            /* 老幼孕残 priority ticket */
    const char *status_url;   /* QR: the queue-status URL */
    const char *guidance;     /* a short line, e.g. 请留意叫号屏 */
} pr_ticket;

typedef struct pr_receipt {
    const char *hall_name;
    const char *case_no;      /* QT20261124-0042 */
    const char *kind_text;    /* 诉求 / 兜底 (and the triage kind when known) */
    const char *deadline_rule;/* "135": 简单问题1个工作日… */
    const char *mobile_masked;/* 138****5678 — never the full number */
    qf_instant submitted_at;
    const char *tracking_url; /* QR */
} pr_receipt;

typedef struct pr_guide {
    const char *title;
    const char *const *steps;     /* numbered on print */
    size_t nsteps;
    const char *const *materials;
    size_t nmaterials;
    const char *unit;             /* responsible unit */
    const char *phone;
    const char *online_url;       /* QR, may be NULL */
} pr_guide;

/* pr_guide_from_catalog's caps: steps and materials kept, bytes of the
 * joined units. */
#define PR_GUIDE_ITEMS_MAX 32
#define PR_GUIDE_UNITS_MAX 512

/* A service's guide as qifu-ctl and the kiosk print it (pr_guide.c):
 * title = category3 (else the content), steps = the flow, materials = those
 * of a 服务指南 naming the service, unit = the units joined with 、, phone =
 * the first contact's, online_url = the online channel's (the QR).
 * QF_ERR_NOT_FOUND when cat lacks service_id. Ownership: *out is one block
 * holding copies of every string (it does not borrow the catalog, so it may
 * go to another thread); the caller frees it with pr_guide_free. */
qf_err pr_guide_from_catalog(const qf_catalog *cat, const char *service_id, pr_guide **out,
                             char *err, size_t errlen);
void pr_guide_free(pr_guide *g);

/* Render a slip. Ownership: the caller frees *out with pr_bitmap_free. */
qf_err pr_render_ticket(const pr_layout *lay, const pr_ticket *t, pr_bitmap **out, char *err,
                        size_t errlen);
qf_err pr_render_receipt(const pr_layout *lay, const pr_receipt *r, pr_bitmap **out, char *err,
                         size_t errlen);
qf_err pr_render_guide(const pr_layout *lay, const pr_guide *g, pr_bitmap **out, char *err,
                       size_t errlen);

/* ---- the shared FreeType library ----------------------------------------------
 * SDL_ttf keeps one FT_Library per process, shared by every TTF_Font: the
 * print worker's faces (pr_font.c) and the kiosk UI's (ui_text.c) alike.
 * FreeType allows different faces to be used from different threads, but
 * not FT_Open_Face / FT_Done_Face (TTF_OpenFont*, TTF_CloseFont) on a
 * shared library while another thread uses it. pr_font.c holds this lock
 * around every call into SDL_ttf; any other thread of the process must hold
 * it around its own TTF_OpenFont* / TTF_CloseFont (and TTF_Init/TTF_Quit).
 * Not recursive: do not call pr_font/pr_render_* while holding it. */
void pr_ttf_lock(void);
void pr_ttf_unlock(void);

/* ---- ESC/POS -------------------------------------------------------------- */

typedef struct pr_buf {       /* a growable byte buffer, capped */
    uint8_t *data;
    size_t len, cap;
} pr_buf;
#define PR_BUF_MAX (8u * 1024 * 1024)
void pr_buf_cleanup(pr_buf *b);

/* ESC @ (initialise), the bitmap as GS v 0 raster bands, feed, GS V cut.
 * Appends to out. */
qf_err pr_escpos_encode(const pr_bitmap *bm, pr_buf *out);

typedef enum pr_status {
    PR_STATUS_UNKNOWN = 0,    /* the sink cannot answer (png, plain file) */
    PR_STATUS_OK,
    PR_STATUS_PAPER_NEAR_END,
    PR_STATUS_PAPER_OUT,
    PR_STATUS_COVER_OPEN,
    PR_STATUS_OFFLINE,
    PR_STATUS_ERROR,
} pr_status;

const char *pr_status_name(pr_status s);   /* "ok", "paper_low", "paper_out", … */
bool pr_status_can_print(pr_status s);     /* ok, near end, unknown */

/* Appends n bytes; QF_ERR_LIMIT past PR_BUF_MAX (b unchanged), QF_ERR_NOMEM. */
qf_err pr_buf_append(pr_buf *b, const void *data, size_t n);

/* Rows per GS v 0 band written by pr_escpos_encode (see pr_escpos.c). */
#define PR_ESCPOS_BAND_ROWS 48

/* The three DLE EOT answers (n = 1, 2, 4) as one status. QF_ERR_PARSE when
 * an answer's fixed bits (1 and 4 set, 0 and 7 clear) are wrong. */
qf_err pr_escpos_status_decode(uint8_t s1, uint8_t s2, uint8_t s4, pr_status *out, char *err,
                               size_t errlen);
/* The byte a printer in status s answers to DLE EOT n (1, 2 or 4; the
 * virtual printer and tests). */
uint8_t pr_escpos_status_byte(pr_status s, int n);

/* The other direction, for the virtual printer: one command at a time. */
typedef enum pr_escpos_cmd_kind {
    PR_ESCPOS_CMD_OTHER = 0,  /* skipped: text, LF, ESC a / ! / E …, GS ! … */
    PR_ESCPOS_CMD_INIT,       /* ESC @ */
    PR_ESCPOS_CMD_RASTER,     /* GS v 0 */
    PR_ESCPOS_CMD_FEED,       /* ESC d n (n lines) or ESC J n (n dots) */
    PR_ESCPOS_CMD_CUT,        /* GS V */
    PR_ESCPOS_CMD_STATUS,     /* DLE EOT n */
} pr_escpos_cmd_kind;

typedef struct pr_escpos_cmd {
    pr_escpos_cmd_kind kind;
    int n;                    /* STATUS: n; FEED: the count */
    int width_bytes, height;  /* RASTER */
    const uint8_t *data;      /* RASTER: width_bytes * height bytes, borrowed
                                 from the parsed buffer */
} pr_escpos_cmd;

/* Parses the command at the start of buf[0..len). QF_OK with *used > 0: one
 * command; QF_OK with *used == 0: incomplete, wait for more bytes.
 * QF_ERR_PARSE: an unknown ESC/GS/FS/DLE command or a malformed one (the
 * stream cannot be followed). Never reads past len. */
qf_err pr_escpos_parse(const uint8_t *buf, size_t len, pr_escpos_cmd *cmd, size_t *used,
                       char *err, size_t errlen);

/* Collects GS v 0 bands into one bitmap per slip (a slip ends at a cut). */
typedef struct pr_escpos_slip {
    pr_buf rows;              /* width_bytes * height bytes so far */
    int width_bytes, height;
} pr_escpos_slip;
/* Adds a RASTER command's rows. QF_ERR_INVALID when the width changes
 * within a slip; QF_ERR_LIMIT past PR_MAX_HEIGHT or PR_BUF_MAX. */
qf_err pr_escpos_slip_add(pr_escpos_slip *s, const pr_escpos_cmd *cmd, char *err, size_t errlen);
/* The slip so far as a bitmap (*out NULL when it has no rows), then empties
 * it. Ownership: the caller frees *out. */
qf_err pr_escpos_slip_take(pr_escpos_slip *s, pr_bitmap **out);
void pr_escpos_slip_cleanup(pr_escpos_slip *s);

/* A whole stream into its slips (rasters after the last cut make a last
 * slip). Ownership: the caller frees each (*out)[i] and *out. */
qf_err pr_escpos_decode(const uint8_t *data, size_t len, pr_bitmap ***out, size_t *nout,
                        char *err, size_t errlen);

/* ---- sinks -------------------------------------------------------------- */

typedef struct pr_sink pr_sink;

/* "escpos-file:PATH", "escpos-tcp:HOST:PORT", "png:DIR". */
qf_err pr_sink_open(const char *spec, pr_sink **out, char *err, size_t errlen);
void pr_sink_close(pr_sink *sink);

/* Asks the printer (DLE EOT 1, 2, 4) where the sink can answer. */
qf_err pr_sink_status(pr_sink *sink, pr_status *out, char *err, size_t errlen);

/* Prints one slip: status before (refuses with QF_ERR_STATE and the status
 * when the printer cannot print), the ESC/POS bytes (or a PNG file for a
 * png: sink), status after. *out_status (optional) gets the last status;
 * QF_OK means the printer took the whole slip. */
qf_err pr_sink_print(pr_sink *sink, const pr_bitmap *bm, pr_status *out_status, char *err,
                     size_t errlen);

#endif
