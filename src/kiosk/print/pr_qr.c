/* pr_qr.c — QR codes on slips: libqrencode at error-correction level M
 * (about 15 % of the symbol may be smudged or torn and it still reads, the
 * usual choice for printed URLs), case-sensitive so URL paths survive, drawn
 * with the 4-module quiet zone the standard requires.
 *
 * Size: the symbol with its quiet zone is made at least 25 mm wide. Why 25 mm
 * reads from 30 cm: a phone camera at 30 cm sees a field roughly 35–40 cm
 * wide, and even a 1280-pixel preview frame puts ~3.3 px on each millimetre
 * at that distance; the short queue/tracking URLs give version 2–4 symbols
 * (25–33 modules + 8 quiet), so 25 mm means modules of ~0.6–0.75 mm, i.e.
 * 2–2.5 camera pixels each, and decoders need about 2. The printing trade
 * rule of thumb (symbol ≥ distance / 10 for ~25 modules) gives the same
 * order. Modules are a whole number of dots (sharp edges on a thermal head),
 * so we round up, and shrink only when the paper is too narrow. It does not
 * decide where on the slip the code goes (pr_slips.c). */
#include "pr_draw.h"

#include <qrencode.h>
#include <string.h>

#define PR_QR_MIN_MM 25
#define PR_QR_QUIET 4
#define PR_QR_TEXT_MAX 1024

qf_err pr_qr_draw(pr_bitmap *bm, const char *text, int dots_per_mm, int x0, int avail_w, int y,
                  int *out_h, char *err, size_t errlen)
{
    if (out_h)
        *out_h = 0;
    if (!bm || !text || !*text || dots_per_mm <= 0 || avail_w <= 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "QR: no text or no room");
    if (strnlen(text, PR_QR_TEXT_MAX + 1) > PR_QR_TEXT_MAX)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "QR: text longer than %d bytes",
                          PR_QR_TEXT_MAX);
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "QR: cannot encode the text");
    qf_err rc = QF_OK;
    int total = qr->width + 2 * PR_QR_QUIET;       /* modules across, quiet zone included */
    int want = PR_QR_MIN_MM * dots_per_mm;
    int mod = (want + total - 1) / total;
    if (mod * total > avail_w)
        mod = avail_w / total;
    if (mod < 1) {
        rc = qf_err_set(err, errlen, QF_ERR_LIMIT,
                        "QR: %d modules do not fit in %d dots", total, avail_w);
        goto out;
    }
    int side = mod * total;
    int left = x0 + (avail_w - side) / 2;
    /* The quiet zone is white: clear it in case anything was drawn there. */
    pr_bitmap_fill(bm, left, y, side, side, false);
    for (int my = 0; my < qr->width; my++)
        for (int mx = 0; mx < qr->width; mx++)
            if (qr->data[my * qr->width + mx] & 1)
                pr_bitmap_fill(bm, left + (mx + PR_QR_QUIET) * mod, y + (my + PR_QR_QUIET) * mod,
                               mod, mod, true);
    if (out_h)
        *out_h = side;
out:
    QRcode_free(qr);
    return rc;
}
