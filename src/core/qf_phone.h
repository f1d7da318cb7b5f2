/* qf_phone.h — mainland China phone numbers as people write them: telling a
 * mobile from an area-coded landline, reducing either to one canonical form,
 * and masking a number before it reaches a slip or a log line.
 *
 * Accepted (digits may be grouped with spaces, tabs, hyphens and one pair of
 * parentheses, as in "(0571) 8590-1890"; full-width digits, ＋, －, （）and the
 * ideographic space are read as their ASCII forms):
 *   mobile    11 digits matching 1[3-9]xxxxxxxxx, optionally after +86, 0086
 *             or 86 — canonical "13812345678";
 *   landline  area code + subscriber number — canonical "0571-85901890".
 *             Area codes are 010 and 02x (3 digits) or 03xx–09xx (4 digits),
 *             so the digits alone decide where the area code ends; when the
 *             input is grouped, its first group must be exactly that area code.
 *             The subscriber number has 7 or 8 digits and does not start with
 *             0 or 1. +86/0086 may precede the area code, with or without its 0.
 *
 * Deliberately not accepted: extensions ("-123", "转123", "ext 123" — a slip or
 * an SMS cannot dial them, so staff are asked for the main number), local
 * numbers without an area code, short and service numbers (110, 12345, 95xxx,
 * 400/800), and foreign numbers. This module checks shape only: it cannot
 * know whether a number is in service or which carrier holds it. Error texts
 * never repeat the number (at most its area code or first two digits), so
 * they may be logged. */
#ifndef QF_PHONE_H
#define QF_PHONE_H

#include <stddef.h>

#include "qf_error.h"

#define QF_PHONE_INPUT_MAX 64  /* bytes of raw input accepted */
#define QF_PHONE_NORM_MAX  16  /* buffer size for any canonical number, NUL included */
#define QF_PHONE_MASK_MAX  16  /* buffer size for any masked number, NUL included */

typedef enum qf_phone_kind {
    QF_PHONE_UNKNOWN = 0,
    QF_PHONE_MOBILE,
    QF_PHONE_LANDLINE,
} qf_phone_kind;

/* Classifies and normalises in. On success *kind is MOBILE or LANDLINE and
 * out holds the canonical form (QF_PHONE_NORM_MAX bytes always suffice). On
 * failure *kind is UNKNOWN, out is "" and err says why: QF_ERR_INVALID for a
 * malformed number, QF_ERR_LIMIT when in exceeds QF_PHONE_INPUT_MAX bytes or
 * out is too small. kind and out may be NULL to only check. */
qf_err qf_phone_parse(const char *in, qf_phone_kind *kind, char *out, size_t outlen,
                      char *err, size_t errlen);

/* Writes a form of in that is safe to print or log, whatever in is:
 *   mobile     "138****5678"    (first 3 and last 4 digits)
 *   landline   "0571-****1890"  (area code and last 4; always four '*', so the
 *                                subscriber number's length is not shown)
 *   otherwise  "****" followed by the last 2 ASCII letters or digits of in
 *              when it has at least 6 of them, else just "****"; "" for NULL
 *              or empty input.
 * It never writes a full number. QF_ERR_LIMIT (out = "") when outlen is too
 * small — QF_PHONE_MASK_MAX always suffices; QF_ERR_INVALID when out is NULL
 * or outlen is 0. */
qf_err qf_phone_mask(const char *in, char *out, size_t outlen);

/* "mobile", "landline" or "unknown"; never NULL. */
const char *qf_phone_kind_str(qf_phone_kind kind);

#endif
