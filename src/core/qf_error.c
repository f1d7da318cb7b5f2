/* qf_error.c — names for qf_err codes and the helper that fills an error
 * buffer. Owns nothing else. */
#include "qf_error.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const qf_err_names[QF_ERR__COUNT] = {
    [QF_OK] = "ok",
    [QF_ERR_NOMEM] = "out of memory",
    [QF_ERR_INVALID] = "invalid input",
    [QF_ERR_PARSE] = "parse error",
    [QF_ERR_IO] = "i/o error",
    [QF_ERR_NOT_FOUND] = "not found",
    [QF_ERR_RANGE] = "out of range",
    [QF_ERR_STATE] = "not allowed in this state",
    [QF_ERR_LIMIT] = "size limit exceeded",
    [QF_ERR_CONFLICT] = "conflict",
    [QF_ERR_DENIED] = "not allowed",
    [QF_ERR_STORAGE] = "storage failure",
};

const char *qf_err_str(qf_err code)
{
    if ((int)code < 0 || code >= QF_ERR__COUNT)
        return "unknown error";
    return qf_err_names[code];
}

qf_err qf_err_set(char *err, size_t errlen, qf_err code, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}
