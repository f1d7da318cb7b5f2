/* qf_text.c — UTF-8 decoding and greedy line breaking with CJK rules and
 * kinsoku (see qf_text.h for the rules). One pass over the code points: at
 * each one we note whether a break is allowed before it, measure the line so
 * far, and when it overflows break at the last allowed place, or hard-break
 * when there is none. Measuring from the line start each time is quadratic in
 * the line length, which is short (a slip line is ~15–40 characters). */
#include "qf_text.h"

#include <string.h>

size_t qf_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = u[0], min;
    size_t n;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        *cp = QF_UTF8_REPLACEMENT;
        return 1;
    }
    if (len < n) {
        *cp = QF_UTF8_REPLACEMENT;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = QF_UTF8_REPLACEMENT;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = QF_UTF8_REPLACEMENT;
        return 1;
    }
    *cp = c;
    return n;
}

size_t qf_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t pos = 0;
    while (pos < len) {
        uint32_t cp;
        size_t n = qf_utf8_decode(s + pos, len - pos, &cp);
        if (pos + n > max)
            break;
        pos += n;
    }
    return pos;
}

bool qf_text_is_cjk(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x11FF) ||   /* Hangul Jamo */
           (cp >= 0x2E80 && cp <= 0x9FFF) ||   /* radicals, CJK punctuation, kana, ideographs */
           (cp >= 0xA000 && cp <= 0xA4CF) ||   /* Yi */
           (cp >= 0xAC00 && cp <= 0xD7AF) ||   /* Hangul syllables */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
           (cp >= 0xFE30 && cp <= 0xFE4F) ||   /* CJK compatibility forms */
           (cp >= 0xFF00 && cp <= 0xFF60) ||   /* full-width forms */
           (cp >= 0xFFE0 && cp <= 0xFFE6) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);   /* ideograph extensions */
}

/* Kinsoku: may not start a line. */
static bool qf_text_no_start(uint32_t cp)
{
    switch (cp) {
    case 0x3002: case 0xFF0C: case 0x3001: case 0xFF1B: case 0xFF1A: /* 。，、；： */
    case 0xFF1F: case 0xFF01: case 0xFF09: case 0x300D: case 0x300F: /* ？！）」』 */
    case 0x300B: case 0x3009: case 0x3011: case 0x201D: case 0x2019: /* 》〉】”’ */
    case 0xFF05: case 0x2030:                                        /* ％‰ */
    case ',': case '.': case ';': case ':': case '?': case '!': case ')': case '%':
        return true;
    default:
        return false;
    }
}

/* Kinsoku: may not end a line. */
static bool qf_text_no_end(uint32_t cp)
{
    switch (cp) {
    case 0xFF08: case 0x300C: case 0x300E: case 0x300A: case 0x3008: /* （「『《〈 */
    case 0x3010: case 0x201C: case 0x2018: case '(':                 /* 【“‘( */
        return true;
    default:
        return false;
    }
}

static bool qf_text_is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\r';
}

/* May a line break between a and b (no newline involved)? */
static bool qf_text_can_break(uint32_t a, uint32_t b)
{
    if (qf_text_is_space(b) || qf_text_no_start(b) || qf_text_no_end(a))
        return false;
    return qf_text_is_space(a) || qf_text_is_cjk(a) || qf_text_is_cjk(b);
}

typedef struct qf_wrap_out {
    qf_text_line *lines;
    size_t max_lines, count;
    bool full;
} qf_wrap_out;

/* Adds [start, end) with trailing spaces trimmed; false once lines is full. */
static bool qf_wrap_emit(qf_wrap_out *o, const char *s, size_t start, size_t end)
{
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r'))
        end--;
    if (o->lines) {
        if (o->count == o->max_lines) {
            o->full = true;
            return false;
        }
        o->lines[o->count].start = start;
        o->lines[o->count].len = end - start;
    }
    o->count++;
    return true;
}

qf_err qf_text_wrap(const char *utf8, int max_width,
                    int (*measure)(const char *s, size_t len, void *ud), void *ud,
                    qf_text_line *lines, size_t max_lines, size_t *out_count)
{
    if (out_count)
        *out_count = 0;
    if (!utf8 || !measure || !out_count || max_width <= 0)
        return QF_ERR_INVALID;
    size_t len = strnlen(utf8, QF_TEXT_MAX_BYTES + 1);
    if (len > QF_TEXT_MAX_BYTES)
        return QF_ERR_LIMIT;

    qf_wrap_out o = { lines, max_lines, 0, false };
    size_t line_start = 0;   /* byte offset where the current line begins */
    size_t cand = 0;         /* last allowed break in this line (0 = none yet) */
    bool have_cand = false;
    uint32_t prev = 0;       /* previous code point in this line */
    bool have_prev = false;
    size_t pos = 0;

    while (pos < len) {
        uint32_t cp;
        size_t n = qf_utf8_decode(utf8 + pos, len - pos, &cp);
        if (cp == '\n') {
            if (!qf_wrap_emit(&o, utf8, line_start, pos))
                goto out;
            pos += n;
            line_start = pos;
            have_cand = have_prev = false;
            continue;
        }
        if (have_prev && qf_text_can_break(prev, cp)) {
            cand = pos;
            have_cand = true;
        }
        /* Trailing spaces may hang past the edge: they are trimmed. */
        if (!qf_text_is_space(cp)) {
            int w = measure(utf8 + line_start, pos + n - line_start, ud);
            if (w > max_width) {
                size_t brk;
                if (have_cand && cand > line_start) {
                    brk = cand;                       /* soft break */
                } else if (pos > line_start) {
                    brk = pos;                        /* hard break before cp */
                } else {
                    brk = pos + n;                    /* one character wider than the line */
                }
                if (!qf_wrap_emit(&o, utf8, line_start, brk))
                    goto out;
                line_start = brk;
                have_cand = false;
                have_prev = false;
                if (brk == pos + n) {
                    pos += n;
                    continue;
                }
                /* Re-scan from the break: the characters after it start the
                 * new line and are measured again there. */
                pos = brk;
                continue;
            }
        }
        prev = cp;
        have_prev = true;
        pos += n;
    }
    if (line_start < len)
        qf_wrap_emit(&o, utf8, line_start, len);
out:
    *out_count = o.count;
    return o.full ? QF_ERR_LIMIT : QF_OK;
}
