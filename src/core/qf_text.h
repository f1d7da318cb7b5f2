/* qf_text.h — UTF-8 decoding and line breaking, shared by the kiosk widgets
 * and the slip printer.
 *
 * qf_text_wrap splits a UTF-8 string into lines no wider than max_width in
 * the caller's units (pixels, printer dots, or cells in tests), measured by
 * the caller's function. Lines are byte ranges into the input; nothing is
 * copied. Rules:
 *   - a break is allowed between two CJK characters, and between a CJK
 *     character and anything else;
 *   - never inside a run of Latin letters/digits (or other non-CJK, non-space
 *     characters), unless one word alone is wider than the line: then it is
 *     hard-broken at the last character that fits;
 *   - Latin text breaks at spaces; spaces at a soft break are dropped;
 *   - 禁则 (kinsoku): a line never starts with 。，、；：？！）」』》〉】”’%‰ or
 *     , . ; : ? ! ) and never ends with （「『《〈【“‘ or (. We push out: the
 *     character before a no-start mark moves down with it (a line is never
 *     wider than max_width, which a printer at its exact width needs);
 *   - '\n' always breaks ("\r" is treated as a space).
 * Invalid UTF-8 bytes count as one character each (U+FFFD) and are kept in
 * the ranges as they are; a line never splits a valid multi-byte sequence.
 *
 * This module does not shape, measure or draw: that is the caller's. */
#ifndef QF_TEXT_H
#define QF_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_error.h"

#define QF_TEXT_MAX_BYTES (64u * 1024)   /* longest input qf_text_wrap accepts */
#define QF_UTF8_REPLACEMENT 0xFFFDu

/* One line: bytes [start, start + len) of the input, trailing spaces trimmed. */
typedef struct qf_text_line {
    size_t start;
    size_t len;
} qf_text_line;

/* Decodes one code point from s (len > 0 bytes available). Returns the bytes
 * consumed (1..4); an invalid, overlong, surrogate or truncated sequence
 * yields QF_UTF8_REPLACEMENT and consumes 1 byte. */
size_t qf_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* The length of the longest prefix of s (at most max bytes) that does not end
 * inside a valid multi-byte sequence: where to cut a string without leaving
 * half a character. */
size_t qf_utf8_cut(const char *s, size_t len, size_t max);

/* True for code points that are laid out as CJK (ideographs, kana, hangul,
 * CJK and full-width punctuation): a line may break on either side. */
bool qf_text_is_cjk(uint32_t cp);

/* measure(s, len, ud) returns the width of bytes [s, s+len); it must not
 * return less for a longer prefix of the same text. Fills lines[0..] and sets
 * *out_count. lines may be NULL to count only (max_lines is then ignored).
 * QF_ERR_INVALID: utf8, measure or out_count NULL, or max_width <= 0.
 * QF_ERR_LIMIT: the input is longer than QF_TEXT_MAX_BYTES (nothing done), or
 * it needs more than max_lines lines (the first max_lines are filled and
 * *out_count = max_lines, so callers can print a truncated text). */
qf_err qf_text_wrap(const char *utf8, int max_width,
                    int (*measure)(const char *s, size_t len, void *ud), void *ud,
                    qf_text_line *lines, size_t max_lines, size_t *out_count);

#endif
