/* qf_phone.c — reading mainland phone numbers (qf_phone.h): a byte scanner
 * that folds the few full-width characters people type into ASCII and keeps
 * the digits and where the groups break, then the numbering-plan rules, then
 * masking on top of the parser.
 *
 * Owns no memory and keeps no state. It does not decode UTF-8 in general: any
 * non-ASCII byte other than the listed full-width forms makes input invalid. */
#include "qf_phone.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define QF_PHONE_CH_EXT 0x100   /* 转, the written "extension" marker */

typedef struct qf_phone_scan {
    char digits[QF_PHONE_INPUT_MAX + 1];
    size_t ndigits;
    size_t breaks[QF_PHONE_INPUT_MAX];  /* digit counts where a group ended */
    size_t nbreaks;
    bool plus;                          /* the input began with '+' */
} qf_phone_scan;

/* The ASCII character at p (or QF_PHONE_CH_EXT), with its byte length in *n;
 * -1 for anything else. Reads a following byte only when the one before it
 * matched, so it never reads past a NUL. */
static int qf_phone_fold(const unsigned char *p, size_t *n)
{
    *n = 1;
    if (p[0] < 0x80)
        return p[0];
    if (p[0] == 0xEF && p[1] == 0xBC) {
        *n = 3;
        if (p[2] >= 0x90 && p[2] <= 0x99)   /* U+FF10–FF19 full-width digits */
            return '0' + (p[2] - 0x90);
        switch (p[2]) {
        case 0x8B: return '+';              /* U+FF0B */
        case 0x8D: return '-';              /* U+FF0D */
        case 0x88: return '(';              /* U+FF08 */
        case 0x89: return ')';              /* U+FF09 */
        default: break;
        }
        *n = 1;
        return -1;
    }
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {  /* U+3000 ideographic space */
        *n = 3;
        return ' ';
    }
    if (p[0] == 0xE8 && p[1] == 0xBD && p[2] == 0xAC) {  /* U+8F6C 转 */
        *n = 3;
        return QF_PHONE_CH_EXT;
    }
    return -1;
}

static void qf_phone_add_break(qf_phone_scan *sc)
{
    if (sc->ndigits > 0 && (sc->nbreaks == 0 || sc->breaks[sc->nbreaks - 1] != sc->ndigits))
        sc->breaks[sc->nbreaks++] = sc->ndigits;
}

static qf_err qf_phone_scan_input(const char *in, qf_phone_scan *sc, char *err, size_t errlen)
{
    const unsigned char *p = (const unsigned char *)in;
    int opened = 0, closed = 0;

    memset(sc, 0, sizeof *sc);
    while (*p) {
        size_t n;
        int c = qf_phone_fold(p, &n);

        if (c >= '0' && c <= '9') {
            sc->digits[sc->ndigits++] = (char)c;
        } else if (c == ' ' || c == '\t' || c == '-') {
            qf_phone_add_break(sc);
        } else if (c == '(') {
            if (opened)
                return qf_err_set(err, errlen, QF_ERR_INVALID, "more than one '('");
            opened = 1;
            qf_phone_add_break(sc);
        } else if (c == ')') {
            if (!opened || closed)
                return qf_err_set(err, errlen, QF_ERR_INVALID, "')' without a matching '('");
            closed = 1;
            qf_phone_add_break(sc);
        } else if (c == '+') {
            if (sc->ndigits > 0 || sc->plus)
                return qf_err_set(err, errlen, QF_ERR_INVALID,
                                  "'+' may only start the number (as in +86)");
            sc->plus = true;
        } else if (c == QF_PHONE_CH_EXT || c == 'x' || c == 'X' || c == 'e' || c == 'E' ||
                   c == '#') {
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "extensions (转, ext) are not accepted; give the main number");
        } else if (c >= 0x21 && c <= 0x7E) {
            return qf_err_set(err, errlen, QF_ERR_INVALID, "unexpected character '%c'", c);
        } else {
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "unexpected character (byte 0x%02X)", (unsigned)p[0]);
        }
        p += n;
    }
    if (opened != closed)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "'(' without a matching ')'");
    return QF_OK;
}

static qf_err qf_phone_mobile(const char *n, size_t len, char norm[QF_PHONE_NORM_MAX],
                              char *err, size_t errlen)
{
    if (len != 11)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "a mobile number has 11 digits; this has %zu", len);
    if (n[1] < '3' || n[1] > '9')
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "no mainland mobile number begins with 1%c", n[1]);
    memcpy(norm, n, 11);
    norm[11] = '\0';
    return QF_OK;
}

/* n starts with the trunk prefix 0; first_group is the digit count before the
 * first separator, 0 when the digits were not grouped. */
static qf_err qf_phone_landline(const char *n, size_t len, size_t first_group,
                                char norm[QF_PHONE_NORM_MAX], char *err, size_t errlen)
{
    size_t area, sub;

    if (len < 3)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "too few digits for a phone number");
    if (n[1] == '0')
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "not a mainland number (a landline starts with an area code "
                          "such as 010 or 0571)");
    area = (n[1] == '1' || n[1] == '2') ? 3 : 4;
    if (n[1] == '1' && n[2] != '0')
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "no area code begins 01 except 010");
    sub = len > area ? len - area : 0;
    if (sub < 7 || sub > 8)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "after area code %.*s a landline has 7 or 8 digits; this has %zu",
                          (int)area, n, sub);
    if (n[area] == '0' || n[area] == '1')
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "a landline number cannot begin with %c after the area code",
                          n[area]);
    if (first_group != 0 && first_group != area)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "the area code is %.*s, but the first group has %zu digits",
                          (int)area, n, first_group);
    memcpy(norm, n, area);
    norm[area] = '-';
    memcpy(norm + area + 1, n + area, sub);
    norm[area + 1 + sub] = '\0';
    return QF_OK;
}

/* Applies the numbering plan to scanned digits. */
static qf_err qf_phone_classify(const qf_phone_scan *sc, qf_phone_kind *kind,
                                char norm[QF_PHONE_NORM_MAX], char *err, size_t errlen)
{
    char national[QF_PHONE_INPUT_MAX + 2];
    size_t skip = 0, len, first_group = 0;
    bool intl;
    qf_err rc;

    *kind = QF_PHONE_UNKNOWN;
    norm[0] = '\0';
    if (sc->ndigits == 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no digits");

    /* Country code: +86 or 0086 always; a bare 86 only before an 11-digit
     * mobile (13 digits in all), where it cannot be anything else. */
    if (sc->plus) {
        if (sc->ndigits < 2 || strncmp(sc->digits, "86", 2) != 0)
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "only mainland China numbers (+86) are accepted");
        skip = 2;
    } else if (sc->ndigits >= 4 && strncmp(sc->digits, "0086", 4) == 0) {
        skip = 4;
    } else if (sc->ndigits == 13 && strncmp(sc->digits, "861", 3) == 0) {
        skip = 2;
    }
    intl = skip > 0;
    len = sc->ndigits - skip;
    if (len == 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "nothing after the country code");
    for (size_t i = 0; i < sc->nbreaks; i++) {
        if (sc->breaks[i] > skip) {
            first_group = sc->breaks[i] - skip;
            break;
        }
    }

    /* A mobile starts 1[3-9]; after +86 a 10 is Beijing's area code. */
    if (sc->digits[skip] == '1' && !(intl && len > 1 && sc->digits[skip + 1] == '0')) {
        rc = qf_phone_mobile(sc->digits + skip, len, norm, err, errlen);
        if (rc == QF_OK)
            *kind = QF_PHONE_MOBILE;
        return rc;
    }
    if (sc->digits[skip] == '0') {
        memcpy(national, sc->digits + skip, len);
    } else if (intl) {
        /* +86 571 …: the international form drops the trunk prefix 0. */
        national[0] = '0';
        memcpy(national + 1, sc->digits + skip, len);
        len++;
        if (first_group)
            first_group++;
    } else {
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "a landline needs its area code, as in 0571-xxxxxxxx");
    }
    national[len] = '\0';
    rc = qf_phone_landline(national, len, first_group, norm, err, errlen);
    if (rc == QF_OK)
        *kind = QF_PHONE_LANDLINE;
    return rc;
}

/* The reader behind qf_phone_parse and qf_phone_mask. */
static qf_err qf_phone_read(const char *in, qf_phone_kind *kind, char norm[QF_PHONE_NORM_MAX],
                            char *err, size_t errlen)
{
    qf_phone_scan sc;
    qf_err rc;

    *kind = QF_PHONE_UNKNOWN;
    norm[0] = '\0';
    if (!in)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no phone number given");
    if (strnlen(in, QF_PHONE_INPUT_MAX + 1) > QF_PHONE_INPUT_MAX)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "input is longer than %d bytes",
                          QF_PHONE_INPUT_MAX);
    rc = qf_phone_scan_input(in, &sc, err, errlen);
    if (rc != QF_OK)
        return rc;
    rc = qf_phone_classify(&sc, kind, norm, err, errlen);
    if (rc != QF_OK && sc.nbreaks > 0) {
        /* "0571-85901890-123": a valid number and one more group is an
         * extension; say so rather than count digits at the caller. */
        qf_phone_scan head = sc;
        qf_phone_kind k;
        char tmp[QF_PHONE_NORM_MAX];

        head.ndigits = sc.breaks[sc.nbreaks - 1];
        head.digits[head.ndigits] = '\0';
        head.nbreaks--;
        if (head.ndigits < sc.ndigits && qf_phone_classify(&head, &k, tmp, NULL, 0) == QF_OK)
            rc = qf_err_set(err, errlen, QF_ERR_INVALID,
                            "extensions are not accepted; give the main number");
    }
    return rc;
}

qf_err qf_phone_parse(const char *in, qf_phone_kind *kind, char *out, size_t outlen,
                      char *err, size_t errlen)
{
    char norm[QF_PHONE_NORM_MAX];
    qf_phone_kind k;
    size_t n;
    qf_err rc;

    if (kind)
        *kind = QF_PHONE_UNKNOWN;
    if (out && outlen > 0)
        out[0] = '\0';
    rc = qf_phone_read(in, &k, norm, err, errlen);
    if (rc != QF_OK)
        return rc;
    n = strlen(norm);
    if (out) {
        if (outlen < n + 1)
            return qf_err_set(err, errlen, QF_ERR_LIMIT,
                              "output buffer of %zu bytes is too small (%zu needed)", outlen,
                              n + 1);
        memcpy(out, norm, n + 1);
    }
    if (kind)
        *kind = k;
    return QF_OK;
}

/* "****" and, when in has at least 6 ASCII letters or digits, the last 2. */
static void qf_phone_mask_other(const char *in, char buf[QF_PHONE_MASK_MAX])
{
    size_t len = strnlen(in, QF_PHONE_INPUT_MAX + 1), count = 0;
    char last[2] = { 0, 0 };

    memcpy(buf, "****", 5);
    if (len > QF_PHONE_INPUT_MAX)
        return;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            last[0] = last[1];
            last[1] = c;
            count++;
        }
    }
    if (count >= 6) {
        buf[4] = last[0];
        buf[5] = last[1];
        buf[6] = '\0';
    }
}

qf_err qf_phone_mask(const char *in, char *out, size_t outlen)
{
    char norm[QF_PHONE_NORM_MAX], buf[QF_PHONE_MASK_MAX];
    qf_phone_kind kind;
    size_t n;

    if (!out || outlen == 0)
        return QF_ERR_INVALID;
    out[0] = '\0';
    if (!in || !*in)
        return QF_OK;
    if (qf_phone_read(in, &kind, norm, NULL, 0) != QF_OK) {
        qf_phone_mask_other(in, buf);
    } else if (kind == QF_PHONE_MOBILE) {
        memcpy(buf, norm, 3);                  /* 138 */
        memcpy(buf + 3, "****", 4);
        memcpy(buf + 7, norm + 7, 5);          /* 5678 and the NUL */
    } else {
        size_t area = (size_t)(strchr(norm, '-') - norm);
        size_t total = strlen(norm);
        memcpy(buf, norm, area);               /* 0571 */
        memcpy(buf + area, "-****", 5);
        memcpy(buf + area + 5, norm + total - 4, 5);
    }
    n = strlen(buf);
    if (outlen < n + 1)
        return QF_ERR_LIMIT;
    memcpy(out, buf, n + 1);
    return QF_OK;
}

const char *qf_phone_kind_str(qf_phone_kind kind)
{
    switch (kind) {
    case QF_PHONE_MOBILE:
        return "mobile";
    case QF_PHONE_LANDLINE:
        return "landline";
    default:
        return "unknown";
    }
}
