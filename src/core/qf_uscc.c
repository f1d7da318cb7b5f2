/* qf_uscc.c — unified social credit codes: input normalisation (UTF-8,
 * full-width forms), the authority/type table, the GB 11714 organisation-code
 * check and the GB 32100 mod-31 check, and the wording of every problem.
 *
 * Owns no memory and keeps no state; every function is reentrant. It does not
 * decide what a screen shows: it reports, and the kiosk words (qf_uscc.h). */
#include "qf_uscc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* GB 32100-2015 §4: the 31 characters, in value order (a character's value is
 * its index here). */
static const char qf_uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
#define QF_USCC_RADIX 31

/* GB 32100-2015 §5: W_i = 3^(i) mod 31 for positions 1..17. */
static const int qf_uscc_weights[17] = {
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
};

/* GB 11714-1997: weights of the 8 organisation-code body characters. */
static const int qf_org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };

/* Registration authorities and their organisation types.
 *
 * Source: GB 32100-2015 Table 1 defines 1 (机构编制), 5 (民政), 9 (工商) and
 * Y (其他). The other rows were assigned after the standard was published;
 * they follow the consolidated table of 登记管理部门代码 and 机构类别代码
 * issued with the coding centre's notes (全国组织机构统一社会信用代码数据服务中心,
 * cods.org.cn), cross-checked against several independent reproductions of
 * that table. Pairs some lists add (文化 2/3, 宗教 3, …) are not in it and
 * are refused; so is any authority or type assigned later, until added here. */
typedef struct qf_uscc_authority {
    char code;
    const char *name_zh;
} qf_uscc_authority;

typedef struct qf_uscc_type {
    char authority;
    char type;
    const char *name_zh;
} qf_uscc_type;

static const qf_uscc_authority qf_uscc_authorities[] = {
    { '1', "机构编制" },
    { '2', "外交" },
    { '3', "司法行政" },
    { '4', "文化" },
    { '5', "民政" },
    { '6', "旅游" },
    { '7', "宗教" },
    { '8', "工会" },
    { '9', "工商" },
    { 'A', "中央军委改革和编制办公室" },
    { 'N', "农业" },
    { 'Y', "其他" },
};

static const qf_uscc_type qf_uscc_types[] = {
    { '1', '1', "机关" },
    { '1', '2', "事业单位" },
    { '1', '3', "中央编办直接管理机构编制的群众团体" },
    { '1', '9', "其他" },
    { '2', '1', "外国常驻新闻机构" },
    { '2', '9', "其他" },
    { '3', '1', "律师执业机构" },
    { '3', '2', "公证处" },
    { '3', '3', "基层法律服务所" },
    { '3', '4', "司法鉴定机构" },
    { '3', '5', "仲裁委员会" },
    { '3', '9', "其他" },
    { '4', '1', "外国在华文化中心" },
    { '4', '9', "其他" },
    { '5', '1', "社会团体" },
    { '5', '2', "民办非企业单位" },
    { '5', '3', "基金会" },
    { '5', '9', "其他" },
    { '6', '1', "外国旅游部门常驻代表机构" },
    { '6', '2', "港澳台地区旅游部门常驻内地（大陆）代表机构" },
    { '6', '9', "其他" },
    { '7', '1', "宗教活动场所" },
    { '7', '2', "宗教院校" },
    { '7', '9', "其他" },
    { '8', '1', "基层工会" },
    { '8', '9', "其他" },
    { '9', '1', "企业" },
    { '9', '2', "个体工商户" },
    { '9', '3', "农民专业合作社" },
    { 'A', '1', "军队事业单位" },
    { 'A', '9', "其他" },
    { 'N', '1', "组级集体经济组织" },
    { 'N', '2', "村级集体经济组织" },
    { 'N', '3', "乡镇级集体经济组织" },
    { 'N', '9', "其他" },
    { 'Y', '1', "其他" },
};

#define QF_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const qf_uscc_problem_en[QF_USCC_PROBLEM__COUNT] = {
    [QF_USCC_PROBLEM_NONE] = "valid",
    [QF_USCC_PROBLEM_LENGTH] = "must be 18 characters",
    [QF_USCC_PROBLEM_CHAR] = "contains a character that is not allowed",
    [QF_USCC_PROBLEM_AUTHORITY] = "unknown registration authority",
    [QF_USCC_PROBLEM_TYPE] = "unknown organisation type",
    [QF_USCC_PROBLEM_DIVISION] = "division code must be 6 digits",
    [QF_USCC_PROBLEM_ORG_CHECK] = "organisation code check failed",
    [QF_USCC_PROBLEM_CHECK] = "check character is wrong",
};

static const char *const qf_uscc_problem_zh_text[QF_USCC_PROBLEM__COUNT] = {
    [QF_USCC_PROBLEM_NONE] = "代码有效",
    [QF_USCC_PROBLEM_LENGTH] = "长度应为18位",
    [QF_USCC_PROBLEM_CHAR] = "含有无效字符",
    [QF_USCC_PROBLEM_AUTHORITY] = "登记管理部门代码无效",
    [QF_USCC_PROBLEM_TYPE] = "机构类别代码无效",
    [QF_USCC_PROBLEM_DIVISION] = "行政区划码应为6位数字",
    [QF_USCC_PROBLEM_ORG_CHECK] = "组织机构代码校验不符",
    [QF_USCC_PROBLEM_CHECK] = "校验码不符",
};

/* What normalisation saw: the first 18 characters, and the first character
 * that has no ASCII form (stored as '?' in code, described in foreign). */
typedef struct qf_uscc_scan {
    char code[QF_USCC_LEN + 1];
    size_t length;
    size_t foreign_pos;   /* 1-based; 0 when every character folded to ASCII */
    char foreign[8];
} qf_uscc_scan;

static int qf_uscc_value(char c)
{
    const char *p;

    if (c == '\0')
        return -1;
    p = strchr(qf_uscc_alphabet, c);
    return p ? (int)(p - qf_uscc_alphabet) : -1;
}

/* Decodes one UTF-8 sequence; returns its length (1–4) with the code point in
 * *cp, or 0 when s does not start a well-formed sequence (stray continuation
 * byte, overlong form, surrogate, truncated). Stops at the first bad byte, so
 * it never reads past a NUL. */
static size_t qf_uscc_utf8_decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        if ((s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (*cp < 0x800 || (*cp >= 0xD800 && *cp <= 0xDFFF))
            return 0;
        return 3;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (*cp < 0x10000 || *cp > 0x10FFFF)
            return 0;
        return 4;
    }
    return 0;
}

/* The ASCII character cp normalises to; 0 when it is dropped (separators);
 * -1 when it has no ASCII form. */
static int qf_uscc_fold(uint32_t cp)
{
    if (cp == ' ' || cp == '\t' || cp == '-' || cp == 0x3000 || cp == 0xFF0D)
        return 0;
    if (cp >= 'a' && cp <= 'z')
        return (int)(cp - 'a' + 'A');
    if (cp < 0x80)
        return (int)cp;
    if (cp >= 0xFF10 && cp <= 0xFF19)
        return (int)(cp - 0xFF10 + '0');
    if (cp >= 0xFF21 && cp <= 0xFF3A)
        return (int)(cp - 0xFF21 + 'A');
    if (cp >= 0xFF41 && cp <= 0xFF5A)
        return (int)(cp - 0xFF41 + 'A');
    return -1;
}

static qf_err qf_uscc_scan_input(const char *in, qf_uscc_scan *sc)
{
    const unsigned char *p = (const unsigned char *)in;

    memset(sc, 0, sizeof *sc);
    if (strnlen(in, QF_USCC_INPUT_MAX + 1) > QF_USCC_INPUT_MAX)
        return QF_ERR_LIMIT;
    while (*p) {
        uint32_t cp = 0;
        size_t n = qf_uscc_utf8_decode(p, &cp);
        int c = n == 0 ? -1 : qf_uscc_fold(cp);

        if (c == 0) {
            p += n;
            continue;
        }
        sc->length++;
        if (c < 0 && sc->foreign_pos == 0) {
            sc->foreign_pos = sc->length;
            if (n == 0) {
                snprintf(sc->foreign, sizeof sc->foreign, "\\x%02X", p[0]);
            } else {
                memcpy(sc->foreign, p, n);
                sc->foreign[n] = '\0';
            }
        }
        if (sc->length <= QF_USCC_LEN)
            sc->code[sc->length - 1] = c < 0 ? '?' : (char)c;
        p += n == 0 ? 1 : n;
    }
    return QF_OK;
}

/* A printable form of one ASCII character for messages. */
static void qf_uscc_show(char c, char out[8])
{
    unsigned char u = (unsigned char)c;

    if (u < 0x20 || u >= 0x7F)
        snprintf(out, 8, "\\x%02X", u);
    else {
        out[0] = c;
        out[1] = '\0';
    }
}

static const qf_uscc_authority *qf_uscc_find_authority(char code)
{
    for (size_t i = 0; i < QF_COUNT(qf_uscc_authorities); i++) {
        if (qf_uscc_authorities[i].code == code)
            return &qf_uscc_authorities[i];
    }
    return NULL;
}

static const qf_uscc_type *qf_uscc_find_type(char authority, char type)
{
    for (size_t i = 0; i < QF_COUNT(qf_uscc_types); i++) {
        if (qf_uscc_types[i].authority == authority && qf_uscc_types[i].type == type)
            return &qf_uscc_types[i];
    }
    return NULL;
}

char qf_uscc_check_char(const char first17[17])
{
    int sum = 0, r;

    for (int i = 0; i < 17; i++) {
        int v = qf_uscc_value(first17[i]);
        if (v < 0)
            return '\0';
        sum += v * qf_uscc_weights[i];
    }
    r = QF_USCC_RADIX - sum % QF_USCC_RADIX;
    return qf_uscc_alphabet[r == QF_USCC_RADIX ? 0 : r];
}

char qf_uscc_org_check_char(const char body8[8])
{
    int sum = 0, r;

    for (int i = 0; i < 8; i++) {
        char c = body8[i];
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'A' && c <= 'Z')
            v = c - 'A' + 10;
        else
            return '\0';
        sum += v * qf_org_weights[i];
    }
    r = 11 - sum % 11;
    if (r == 10)
        return 'X';
    if (r == 11)
        return '0';
    return (char)('0' + r);
}

qf_err qf_uscc_inspect(const char *in, qf_uscc_report *out)
{
    qf_uscc_scan sc;
    const char *c = out->code;

    memset(out, 0, sizeof *out);
    out->problem = QF_USCC_PROBLEM_LENGTH;
    if (!in)
        return QF_ERR_INVALID;
    if (qf_uscc_scan_input(in, &sc) != QF_OK) {
        out->length = QF_USCC_INPUT_MAX + 1;
        return QF_ERR_LIMIT;
    }
    out->length = sc.length;
    if (sc.length != QF_USCC_LEN)
        return QF_ERR_INVALID;
    memcpy(out->code, sc.code, sizeof out->code);

    for (int i = 0; i < QF_USCC_LEN; i++) {
        if (qf_uscc_value(c[i]) >= 0)
            continue;
        out->problem = QF_USCC_PROBLEM_CHAR;
        out->position = i + 1;
        if ((size_t)i + 1 == sc.foreign_pos)
            memcpy(out->got, sc.foreign, sizeof out->got);
        else
            qf_uscc_show(c[i], out->got);
        return QF_ERR_INVALID;
    }
    if (!qf_uscc_find_authority(c[0])) {
        out->problem = QF_USCC_PROBLEM_AUTHORITY;
        out->position = 1;
        qf_uscc_show(c[0], out->got);
        return QF_ERR_INVALID;
    }
    if (!qf_uscc_find_type(c[0], c[1])) {
        out->problem = QF_USCC_PROBLEM_TYPE;
        out->position = 2;
        qf_uscc_show(c[1], out->got);
        return QF_ERR_INVALID;
    }
    for (int i = 2; i < 8; i++) {
        if (c[i] >= '0' && c[i] <= '9')
            continue;
        out->problem = QF_USCC_PROBLEM_DIVISION;
        out->position = i + 1;
        qf_uscc_show(c[i], out->got);
        return QF_ERR_INVALID;
    }
    out->expected = qf_uscc_org_check_char(c + 8);
    if (c[16] != out->expected) {
        out->problem = QF_USCC_PROBLEM_ORG_CHECK;
        out->position = 17;
        qf_uscc_show(c[16], out->got);
        return QF_ERR_INVALID;
    }
    out->expected = qf_uscc_check_char(c);
    if (c[17] != out->expected) {
        out->problem = QF_USCC_PROBLEM_CHECK;
        out->position = 18;
        qf_uscc_show(c[17], out->got);
        return QF_ERR_INVALID;
    }
    out->expected = '\0';
    out->problem = QF_USCC_PROBLEM_NONE;
    return QF_OK;
}

qf_err qf_uscc_validate(const char *in, char out_normalized[QF_USCC_LEN + 1],
                        qf_uscc_problem *out_problem, char *err, size_t errlen)
{
    qf_uscc_report r;
    qf_err rc = qf_uscc_inspect(in, &r);

    if (out_normalized)
        memcpy(out_normalized, r.code, sizeof r.code);
    if (out_problem)
        *out_problem = r.problem;
    if (rc != QF_OK && err && errlen > 0)
        qf_uscc_report_describe(&r, err, errlen);
    return rc;
}

qf_err qf_uscc_normalize(const char *in, char out[QF_USCC_LEN + 1], char *err, size_t errlen)
{
    qf_uscc_scan sc;

    out[0] = '\0';
    if (!in)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no code given");
    if (qf_uscc_scan_input(in, &sc) != QF_OK)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "input is longer than %d bytes",
                          QF_USCC_INPUT_MAX);
    if (sc.length > QF_USCC_LEN)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "%zu characters after removing spaces and hyphens; a code has %d",
                          sc.length, QF_USCC_LEN);
    if (sc.foreign_pos)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "character %zu ('%s') has no ASCII form", sc.foreign_pos, sc.foreign);
    for (size_t i = 0; i < sc.length; i++) {
        unsigned char u = (unsigned char)sc.code[i];
        if (u < 0x21 || u > 0x7E) {
            char shown[8];
            qf_uscc_show(sc.code[i], shown);
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "character %zu ('%s') is a control character", i + 1, shown);
        }
    }
    memcpy(out, sc.code, sc.length + 1);
    return QF_OK;
}

void qf_uscc_report_describe(const qf_uscc_report *r, char *buf, size_t buflen)
{
    if (!buf || buflen == 0)
        return;
    switch (r->problem) {
    case QF_USCC_PROBLEM_NONE:
        snprintf(buf, buflen, "valid unified social credit code");
        break;
    case QF_USCC_PROBLEM_LENGTH:
        if (r->length > QF_USCC_INPUT_MAX)
            snprintf(buf, buflen, "input is longer than %d bytes", QF_USCC_INPUT_MAX);
        else
            snprintf(buf, buflen, "a code has 18 characters; this has %zu", r->length);
        break;
    case QF_USCC_PROBLEM_CHAR:
        snprintf(buf, buflen,
                 "character %d ('%s') is not allowed: codes use digits and capital letters "
                 "except I, O, S, V, Z", r->position, r->got);
        break;
    case QF_USCC_PROBLEM_AUTHORITY:
        snprintf(buf, buflen, "position 1 ('%s') is not a registration authority code", r->got);
        break;
    case QF_USCC_PROBLEM_TYPE:
        snprintf(buf, buflen,
                 "position 2 ('%s') is not an organisation type of registration authority '%c'",
                 r->got, r->code[0]);
        break;
    case QF_USCC_PROBLEM_DIVISION:
        snprintf(buf, buflen,
                 "position %d ('%s') must be a digit: positions 3-8 are the division code",
                 r->position, r->got);
        break;
    case QF_USCC_PROBLEM_ORG_CHECK:
        snprintf(buf, buflen,
                 "organisation code (positions 9-17) fails its check: position 17 expected "
                 "'%c', got '%s'", r->expected, r->got);
        break;
    case QF_USCC_PROBLEM_CHECK:
        snprintf(buf, buflen, "check character (position 18) is wrong: expected '%c', got '%s'",
                 r->expected, r->got);
        break;
    default:
        snprintf(buf, buflen, "invalid unified social credit code");
        break;
    }
}

void qf_uscc_report_describe_zh(const qf_uscc_report *r, char *buf, size_t buflen)
{
    if (!buf || buflen == 0)
        return;
    switch (r->problem) {
    case QF_USCC_PROBLEM_NONE:
        snprintf(buf, buflen, "统一社会信用代码有效");
        break;
    case QF_USCC_PROBLEM_LENGTH:
        if (r->length > QF_USCC_INPUT_MAX)
            snprintf(buf, buflen, "输入过长（超过%d字节）", QF_USCC_INPUT_MAX);
        else
            snprintf(buf, buflen, "统一社会信用代码应为18位，输入的是%zu位", r->length);
        break;
    case QF_USCC_PROBLEM_CHAR:
        snprintf(buf, buflen,
                 "第%d位“%s”不是有效字符（只能使用数字和除I、O、S、V、Z以外的大写字母）",
                 r->position, r->got);
        break;
    case QF_USCC_PROBLEM_AUTHORITY:
        snprintf(buf, buflen, "第1位“%s”不是有效的登记管理部门代码", r->got);
        break;
    case QF_USCC_PROBLEM_TYPE:
        snprintf(buf, buflen, "第2位“%s”不是登记管理部门“%c”的机构类别代码", r->got,
                 r->code[0]);
        break;
    case QF_USCC_PROBLEM_DIVISION:
        snprintf(buf, buflen, "第%d位“%s”应为数字（第3至8位是行政区划码）", r->position, r->got);
        break;
    case QF_USCC_PROBLEM_ORG_CHECK:
        snprintf(buf, buflen, "第9至17位组织机构代码校验不符：第17位应为“%c”，输入的是“%s”",
                 r->expected, r->got);
        break;
    case QF_USCC_PROBLEM_CHECK:
        snprintf(buf, buflen, "第18位校验码不符：应为“%c”，输入的是“%s”，请核对代码",
                 r->expected, r->got);
        break;
    default:
        snprintf(buf, buflen, "统一社会信用代码无效");
        break;
    }
}

const char *qf_uscc_problem_str(qf_uscc_problem problem)
{
    if ((int)problem < 0 || problem >= QF_USCC_PROBLEM__COUNT)
        return "invalid code";
    return qf_uscc_problem_en[problem];
}

const char *qf_uscc_problem_zh(qf_uscc_problem problem)
{
    if ((int)problem < 0 || problem >= QF_USCC_PROBLEM__COUNT)
        return "代码无效";
    return qf_uscc_problem_zh_text[problem];
}

const char *qf_uscc_authority_zh(char authority)
{
    const qf_uscc_authority *a = qf_uscc_find_authority(authority);
    return a ? a->name_zh : NULL;
}

const char *qf_uscc_type_zh(char authority, char type)
{
    const qf_uscc_type *t = qf_uscc_find_type(authority, type);
    return t ? t->name_zh : NULL;
}
