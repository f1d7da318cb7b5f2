/* qf_uscc.h — the unified social credit code (统一社会信用代码, GB 32100-2015)
 * that identifies every enterprise and organisation at the service hall:
 * normalising what a person typed or a scanner sent, checking its structure
 * and both check characters, and saying what is wrong in English and Chinese.
 *
 * Layout of the 18 characters (1-based positions):
 *   1      registration authority (登记管理部门代码)
 *   2      organisation type within that authority (机构类别代码)
 *   3–8    administrative division of the registering office (行政区划码)
 *   9–17   organisation code, GB 11714: 8 body characters and a check (组织机构代码)
 *   18     check character over positions 1–17 (校验码)
 * The alphabet is 0-9 and A-Z without I, O, S, V and Z (31 characters).
 *
 * It owns only the code's syntax and arithmetic. It deliberately does not:
 * ask the national registry whether a code was ever issued; check positions
 * 3–8 against GB/T 2260 (divisions are renamed and merged, and a code keeps
 * the division it was issued under — we only require six digits); accept the
 * older 15-digit business registration numbers; store or log codes. */
#ifndef QF_USCC_H
#define QF_USCC_H

#include <stddef.h>

#include "qf_error.h"

#define QF_USCC_LEN       18   /* characters in a code; buffers need QF_USCC_LEN + 1 */
#define QF_USCC_INPUT_MAX 256  /* bytes of raw input looked at; longer input is refused */

typedef enum qf_uscc_problem {
    QF_USCC_PROBLEM_NONE = 0,
    QF_USCC_PROBLEM_LENGTH,     /* not 18 characters after normalising (or input too long) */
    QF_USCC_PROBLEM_CHAR,       /* a character outside the 31-character alphabet */
    QF_USCC_PROBLEM_AUTHORITY,  /* position 1 is no registration authority */
    QF_USCC_PROBLEM_TYPE,       /* position 2 is no organisation type of that authority */
    QF_USCC_PROBLEM_DIVISION,   /* positions 3–8 are not six digits */
    QF_USCC_PROBLEM_ORG_CHECK,  /* positions 9–17 fail the GB 11714 check */
    QF_USCC_PROBLEM_CHECK,      /* position 18 is not the check character */
    QF_USCC_PROBLEM__COUNT
} qf_uscc_problem;

/* Everything qf_uscc_inspect found, so a screen can word its own message. */
typedef struct qf_uscc_report {
    char code[QF_USCC_LEN + 1]; /* the normalised code when it has 18 characters, else "" */
    qf_uscc_problem problem;    /* the first problem, in the order of the enum */
    size_t length;              /* characters after normalising; QF_USCC_INPUT_MAX + 1
                                   when the raw input was longer than QF_USCC_INPUT_MAX */
    int position;               /* 1-based position of the offending character, 0 if none */
    char got[8];                /* that character, printable: "I", "和", "\xFF" */
    char expected;              /* the right check character (ORG_CHECK, CHECK), else '\0' */
} qf_uscc_report;

/* Normalises without validating: full-width digits and letters (U+FF10–FF19,
 * U+FF21–FF3A, U+FF41–FF5A) become ASCII, lower case becomes upper case, and
 * ASCII spaces, tabs and hyphens, the ideographic space U+3000 and the
 * full-width hyphen U+FF0D are removed. Succeeds when the result is at most 18
 * printable ASCII characters (so it also serves a half-typed field); it does
 * not check the alphabet or the check characters — use qf_uscc_validate. On
 * failure out is "". QF_ERR_LIMIT when in exceeds QF_USCC_INPUT_MAX bytes,
 * QF_ERR_INVALID otherwise. */
qf_err qf_uscc_normalize(const char *in, char out[QF_USCC_LEN + 1], char *err, size_t errlen);

/* Normalises and validates. QF_OK when in is a well-formed code; otherwise
 * QF_ERR_INVALID (QF_ERR_LIMIT for input over QF_USCC_INPUT_MAX bytes), the
 * first problem in *out_problem and an English sentence in err naming the
 * character, its position, and for check failures the expected character.
 * out_normalized (optional) receives the normalised code whenever it has 18
 * characters, valid or not, else "". out_problem, err may be NULL. */
qf_err qf_uscc_validate(const char *in, char out_normalized[QF_USCC_LEN + 1],
                        qf_uscc_problem *out_problem, char *err, size_t errlen);

/* The same check, with the details in a struct (always fully written). */
qf_err qf_uscc_inspect(const char *in, qf_uscc_report *out);

/* One sentence about report->problem with its details, in English or in
 * Chinese (UTF-8). buf is always NUL-terminated; 256 bytes is plenty. */
void qf_uscc_report_describe(const qf_uscc_report *report, char *buf, size_t buflen);
void qf_uscc_report_describe_zh(const qf_uscc_report *report, char *buf, size_t buflen);

/* A short fixed phrase per problem: "must be 18 characters" / "长度应为18位".
 * Never NULL; an out-of-range value gives a generic phrase. */
const char *qf_uscc_problem_str(qf_uscc_problem problem);
const char *qf_uscc_problem_zh(qf_uscc_problem problem);

/* The check character (position 18) for 17 normalised characters, or '\0'
 * when one of them is outside the alphabet. Exposed for tools and tests. */
char qf_uscc_check_char(const char first17[17]);

/* The GB 11714 organisation-code check character ('0'–'9' or 'X') for 8 body
 * characters from 0-9 and A-Z, or '\0' when one is outside that set. */
char qf_uscc_org_check_char(const char body8[8]);

/* Chinese names from the authority/type table: qf_uscc_authority_zh('9') is
 * "工商", qf_uscc_type_zh('9', '2') is "个体工商户". NULL when not in the
 * table. The strings are static. */
const char *qf_uscc_authority_zh(char authority);
const char *qf_uscc_type_zh(char authority, char type);

#endif
