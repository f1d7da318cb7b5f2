/* pr_escpos.c — ESC/POS in both directions, as bytes only (no I/O).
 *
 * Encoding: ESC @ (initialise), the bitmap as GS v 0 raster bands (m = 0,
 * normal density; xL xH = width in bytes, yL yH = rows; MSB = leftmost dot,
 * exactly pr_bitmap's layout), ESC d n (feed), GS V 66 0 (feed to the cutter
 * and partial cut). Bands are PR_ESCPOS_BAND_ROWS = 48 rows: at 80 mm
 * (72 bytes a row) a band is 3,456 bytes, at 58 mm 2,304 bytes, so one band
 * always fits whole in the 4 KB receive buffer of the cheapest printers
 * (many stall or drop data when a single raster command overflows it), while
 * being tall enough that the per-band motor stop is not visible; 48 is also a
 * multiple of the 24-dot head blocks some printers assemble internally.
 *
 * Status: the DLE EOT answers (n=1 printer, n=2 offline cause, n=4 roll
 * paper sensor) decoded into one pr_status, with the fixed bits checked; and
 * the inverse, for the virtual printer.
 *
 * Decoding (the virtual printer and tests): a bounded one-command parser
 * that never reads past its buffer, skipping the common formatting commands
 * (text, LF, ESC a/!/E/-/t/2/3, GS !/L/W/B, FS &/.) and refusing unknown
 * escapes (their length is unknown, so the stream cannot be followed), plus
 * a slip collector that turns bands into one pr_bitmap per cut.
 *
 * Does not own: rendering, bitmaps (pr_bitmap_new is the renderer's), or
 * sending bytes anywhere (pr_sink.c). */
#include <stdlib.h>
#include <string.h>

#include "pr.h"

#define ESC 0x1b
#define GS 0x1d
#define DLE 0x10
#define EOT 0x04
#define FS 0x1c

/* Lines fed before the cut: GS V 66 feeds to the cutter by itself, this only
 * leaves a small white margin under the last printed row. */
#define PR_ESCPOS_FEED_LINES 3

/* ---- pr_buf ---------------------------------------------------------------- */

void pr_buf_cleanup(pr_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

qf_err pr_buf_append(pr_buf *b, const void *data, size_t n)
{
    if (n == 0)
        return QF_OK;
    if (b->len > PR_BUF_MAX || n > PR_BUF_MAX - b->len)
        return QF_ERR_LIMIT;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap = cap > PR_BUF_MAX / 2 ? PR_BUF_MAX : cap * 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p)
            return QF_ERR_NOMEM;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return QF_OK;
}

/* ---- encoding -------------------------------------------------------------- */

qf_err pr_escpos_encode(const pr_bitmap *bm, pr_buf *out)
{
    static const uint8_t init[] = { ESC, '@' };
    static const uint8_t tail[] = { ESC, 'd', PR_ESCPOS_FEED_LINES, GS, 'V', 66, 0 };
    qf_err rc;

    if (!bm || !out || bm->width <= 0 || bm->height <= 0 || bm->width > PR_MAX_WIDTH ||
        bm->height > PR_MAX_HEIGHT || bm->stride != (size_t)(bm->width + 7) / 8 || !bm->bits)
        return QF_ERR_INVALID;
    size_t saved = out->len;
    if ((rc = pr_buf_append(out, init, sizeof init)) != QF_OK)
        goto out;
    for (int y = 0; y < bm->height; y += PR_ESCPOS_BAND_ROWS) {
        int rows = bm->height - y < PR_ESCPOS_BAND_ROWS ? bm->height - y : PR_ESCPOS_BAND_ROWS;
        uint8_t hdr[8] = { GS, 'v', '0', 0,
                           (uint8_t)(bm->stride & 0xff), (uint8_t)(bm->stride >> 8),
                           (uint8_t)(rows & 0xff), (uint8_t)(rows >> 8) };
        if ((rc = pr_buf_append(out, hdr, sizeof hdr)) != QF_OK)
            goto out;
        if ((rc = pr_buf_append(out, bm->bits + (size_t)y * bm->stride,
                                (size_t)rows * bm->stride)) != QF_OK)
            goto out;
    }
    rc = pr_buf_append(out, tail, sizeof tail);
out:
    if (rc != QF_OK)
        out->len = saved; /* all or nothing */
    return rc;
}

/* ---- status ---------------------------------------------------------------- */

const char *pr_status_name(pr_status s)
{
    switch (s) {
    case PR_STATUS_UNKNOWN: return "unknown";
    case PR_STATUS_OK: return "ok";
    case PR_STATUS_PAPER_NEAR_END: return "paper_low";
    case PR_STATUS_PAPER_OUT: return "paper_out";
    case PR_STATUS_COVER_OPEN: return "cover_open";
    case PR_STATUS_OFFLINE: return "offline";
    case PR_STATUS_ERROR: return "error";
    }
    return "unknown";
}

bool pr_status_can_print(pr_status s)
{
    return s == PR_STATUS_OK || s == PR_STATUS_PAPER_NEAR_END || s == PR_STATUS_UNKNOWN;
}

/* Every real-time status byte: bits 1 and 4 fixed to 1, bits 0 and 7 to 0. */
#define ST_FIXED_MASK 0x93u
#define ST_FIXED_VAL 0x12u
#define ST1_OFFLINE 0x08u
#define ST2_COVER 0x04u
#define ST2_PAPER_END 0x20u
#define ST2_ERROR 0x40u
#define ST4_NEAR_END 0x0cu
#define ST4_ROLL_END 0x60u

qf_err pr_escpos_status_decode(uint8_t s1, uint8_t s2, uint8_t s4, pr_status *out, char *err,
                               size_t errlen)
{
    const uint8_t ans[3] = { s1, s2, s4 };
    static const int ns[3] = { 1, 2, 4 };

    *out = PR_STATUS_UNKNOWN;
    for (int i = 0; i < 3; i++)
        if ((ans[i] & ST_FIXED_MASK) != ST_FIXED_VAL)
            return qf_err_set(err, errlen, QF_ERR_PARSE,
                              "DLE EOT %d answer 0x%02x is not a status byte", ns[i], ans[i]);
    /* Most actionable first: staff can fix paper and cover on the spot. */
    if ((s4 & ST4_ROLL_END) || (s2 & ST2_PAPER_END))
        *out = PR_STATUS_PAPER_OUT;
    else if (s2 & ST2_COVER)
        *out = PR_STATUS_COVER_OPEN;
    else if (s2 & ST2_ERROR)
        *out = PR_STATUS_ERROR;
    else if (s1 & ST1_OFFLINE)
        *out = PR_STATUS_OFFLINE;
    else if (s4 & ST4_NEAR_END)
        *out = PR_STATUS_PAPER_NEAR_END;
    else
        *out = PR_STATUS_OK;
    return QF_OK;
}

uint8_t pr_escpos_status_byte(pr_status s, int n)
{
    uint8_t b = ST_FIXED_VAL;
    bool offline = s == PR_STATUS_PAPER_OUT || s == PR_STATUS_COVER_OPEN ||
                   s == PR_STATUS_OFFLINE || s == PR_STATUS_ERROR;
    switch (n) {
    case 1:
        if (offline)
            b |= ST1_OFFLINE;
        break;
    case 2:
        if (s == PR_STATUS_COVER_OPEN)
            b |= ST2_COVER;
        if (s == PR_STATUS_PAPER_OUT)
            b |= ST2_PAPER_END;
        if (s == PR_STATUS_ERROR)
            b |= ST2_ERROR;
        break;
    case 4:
        if (s == PR_STATUS_PAPER_NEAR_END)
            b |= ST4_NEAR_END;
        if (s == PR_STATUS_PAPER_OUT)
            b |= ST4_ROLL_END | ST4_NEAR_END;
        break;
    default:
        break;
    }
    return b;
}

/* ---- decoding -------------------------------------------------------------- */

/* Sets *used to want when len has that many bytes, else 0 (incomplete). */
static qf_err need(size_t len, size_t want, size_t *used)
{
    *used = len >= want ? want : 0;
    return QF_OK;
}

qf_err pr_escpos_parse(const uint8_t *buf, size_t len, pr_escpos_cmd *cmd, size_t *used,
                       char *err, size_t errlen)
{
    memset(cmd, 0, sizeof *cmd);
    *used = 0;
    if (len == 0)
        return QF_OK;
    uint8_t c = buf[0];
    if (c != ESC && c != GS && c != DLE && c != FS) {
        /* Text, LF, CR, HT and other single bytes: nothing to draw here. */
        *used = 1;
        return QF_OK;
    }
    if (len < 2)
        return QF_OK;
    uint8_t c1 = buf[1];
    if (c == DLE) {
        if (c1 != EOT)
            goto unknown;
        if (len < 3)
            return QF_OK;
        if (buf[2] != 1 && buf[2] != 2 && buf[2] != 3 && buf[2] != 4)
            return qf_err_set(err, errlen, QF_ERR_PARSE, "DLE EOT with n=%d", buf[2]);
        cmd->kind = PR_ESCPOS_CMD_STATUS;
        cmd->n = buf[2];
        return need(len, 3, used);
    }
    if (c == ESC) {
        switch (c1) {
        case '@':
            cmd->kind = PR_ESCPOS_CMD_INIT;
            return need(len, 2, used);
        case '2':
            return need(len, 2, used);
        case 'd':
        case 'J':
            if (len < 3)
                return QF_OK;
            cmd->kind = PR_ESCPOS_CMD_FEED;
            cmd->n = buf[2];
            return need(len, 3, used);
        case 'a': case '!': case 'E': case '-': case 't': case '3': case 'M': case 'G':
        case 'R': case ' ': case '{':
            return need(len, 3, used);
        default:
            goto unknown;
        }
    }
    if (c == FS) {
        if (c1 == '&' || c1 == '.')
            return need(len, 2, used);
        goto unknown;
    }
    /* GS */
    switch (c1) {
    case '!': case 'B': case 'H': case 'f': case 'h': case 'w':
        return need(len, 3, used);
    case 'L': case 'W':
        return need(len, 4, used);
    case 'V':
        if (len < 3)
            return QF_OK;
        cmd->kind = PR_ESCPOS_CMD_CUT;
        if (buf[2] == 0 || buf[2] == 1 || buf[2] == 48 || buf[2] == 49)
            return need(len, 3, used);
        if (buf[2] == 65 || buf[2] == 66 || (buf[2] >= 97 && buf[2] <= 104))
            return need(len, 4, used);
        return qf_err_set(err, errlen, QF_ERR_PARSE, "GS V with m=%d", buf[2]);
    case 'v': {
        if (len < 8)
            return QF_OK;
        if (buf[2] != '0' || (buf[3] > 3 && (buf[3] < 48 || buf[3] > 51)))
            return qf_err_set(err, errlen, QF_ERR_PARSE, "malformed GS v header");
        int wb = buf[4] | buf[5] << 8, h = buf[6] | buf[7] << 8;
        if (wb == 0 || h == 0 || wb > (PR_MAX_WIDTH + 7) / 8 || h > PR_MAX_HEIGHT)
            return qf_err_set(err, errlen, QF_ERR_PARSE, "GS v 0 of %d bytes x %d rows", wb, h);
        size_t total = 8 + (size_t)wb * (size_t)h;
        if (total > PR_BUF_MAX)
            return qf_err_set(err, errlen, QF_ERR_LIMIT, "GS v 0 band over %u bytes", PR_BUF_MAX);
        cmd->kind = PR_ESCPOS_CMD_RASTER;
        cmd->width_bytes = wb;
        cmd->height = h;
        cmd->data = buf + 8;
        need(len, total, used);
        if (!*used)
            cmd->data = NULL;
        return QF_OK;
    }
    default:
        goto unknown;
    }
unknown:
    return qf_err_set(err, errlen, QF_ERR_PARSE, "unknown command 0x%02x 0x%02x", c, c1);
}

qf_err pr_escpos_slip_add(pr_escpos_slip *s, const pr_escpos_cmd *cmd, char *err, size_t errlen)
{
    if (cmd->kind != PR_ESCPOS_CMD_RASTER || !cmd->data)
        return QF_ERR_INVALID;
    if (s->height > 0 && s->width_bytes != cmd->width_bytes)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "raster width changes within a slip (%d then %d bytes)", s->width_bytes,
                          cmd->width_bytes);
    if (s->height + cmd->height > PR_MAX_HEIGHT)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "slip taller than %d dots", PR_MAX_HEIGHT);
    if (pr_buf_append(&s->rows, cmd->data, (size_t)cmd->width_bytes * (size_t)cmd->height) !=
        QF_OK)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "slip over %u bytes", PR_BUF_MAX);
    s->width_bytes = cmd->width_bytes;
    s->height += cmd->height;
    return QF_OK;
}

qf_err pr_escpos_slip_take(pr_escpos_slip *s, pr_bitmap **out)
{
    pr_bitmap *bm = NULL;
    qf_err rc = QF_OK;

    *out = NULL;
    if (s->height == 0)
        goto out;
    /* The stream carries bytes, not dots: the width is a whole number of
     * bytes (trailing padding dots come back white). */
    rc = pr_bitmap_new(s->width_bytes * 8, s->height, &bm);
    if (rc != QF_OK)
        goto out;
    if (bm->stride != (size_t)s->width_bytes) {
        pr_bitmap_free(bm);
        rc = QF_ERR_STATE;
        goto out;
    }
    memcpy(bm->bits, s->rows.data, (size_t)s->width_bytes * (size_t)s->height);
    *out = bm;
out:
    s->rows.len = 0;
    s->height = 0;
    s->width_bytes = 0;
    return rc;
}

void pr_escpos_slip_cleanup(pr_escpos_slip *s)
{
    pr_buf_cleanup(&s->rows);
    s->height = s->width_bytes = 0;
}

qf_err pr_escpos_decode(const uint8_t *data, size_t len, pr_bitmap ***out, size_t *nout,
                        char *err, size_t errlen)
{
    pr_escpos_slip slip = { 0 };
    pr_bitmap **v = NULL, *bm = NULL;
    size_t n = 0, pos = 0;
    qf_err rc = QF_OK;

    *out = NULL;
    *nout = 0;
    if (len > PR_BUF_MAX)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "stream over %u bytes", PR_BUF_MAX);
    while (pos < len) {
        pr_escpos_cmd cmd;
        size_t used;
        if ((rc = pr_escpos_parse(data + pos, len - pos, &cmd, &used, err, errlen)) != QF_OK)
            goto out;
        if (used == 0) {
            rc = qf_err_set(err, errlen, QF_ERR_PARSE, "stream ends inside a command at byte %zu",
                            pos);
            goto out;
        }
        pos += used;
        if (cmd.kind == PR_ESCPOS_CMD_RASTER) {
            if ((rc = pr_escpos_slip_add(&slip, &cmd, err, errlen)) != QF_OK)
                goto out;
        } else if (cmd.kind == PR_ESCPOS_CMD_CUT) {
            if ((rc = pr_escpos_slip_take(&slip, &bm)) != QF_OK)
                goto out;
        }
        if (bm) {
            pr_bitmap **nv = realloc(v, (n + 1) * sizeof *nv);
            if (!nv) {
                rc = QF_ERR_NOMEM;
                goto out;
            }
            v = nv;
            v[n++] = bm;
            bm = NULL;
        }
    }
    /* A stream ending with a raster band and no cut. */
    if ((rc = pr_escpos_slip_take(&slip, &bm)) != QF_OK)
        goto out;
    if (bm) {
        pr_bitmap **nv = realloc(v, (n + 1) * sizeof *nv);
        if (!nv) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        v = nv;
        v[n++] = bm;
        bm = NULL;
    }
    *out = v;
    *nout = n;
    v = NULL;
    n = 0;
out:
    pr_bitmap_free(bm);
    for (size_t i = 0; i < n; i++)
        pr_bitmap_free(v[i]);
    free(v);
    pr_escpos_slip_cleanup(&slip);
    return rc;
}
