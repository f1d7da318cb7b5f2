/* qf_error.h — the result codes every fallible qifu-core function returns.
 *
 * Convention (house style): a function returns qf_err; QF_OK is zero; results
 * travel through out-parameters; an optional (char *err, size_t errlen) pair
 * carries the human-readable reason. errno, SQLite and jansson codes are
 * translated into these at the boundary and never passed up raw. */
#ifndef QF_ERROR_H
#define QF_ERROR_H

#include <stddef.h>

typedef enum qf_err {
    QF_OK = 0,
    QF_ERR_NOMEM,      /* an allocation failed */
    QF_ERR_INVALID,    /* the input is malformed or fails validation */
    QF_ERR_PARSE,      /* a file or document could not be parsed */
    QF_ERR_IO,         /* reading or writing a file failed */
    QF_ERR_NOT_FOUND,  /* a named thing does not exist */
    QF_ERR_RANGE,      /* a number or date is outside what is supported */
    QF_ERR_STATE,      /* the operation is not legal in the current state */
    QF_ERR_LIMIT,      /* an input exceeds a documented size limit */
    QF_ERR_CONFLICT,   /* the request clashes with what is stored (409) */
    QF_ERR_DENIED,     /* the caller may not do this (401/403) */
    QF_ERR_STORAGE,    /* the database failed (disk, corruption, busy too long) */
    QF_ERR__COUNT
} qf_err;

/* A short English name for the code ("invalid input"); never NULL. */
const char *qf_err_str(qf_err code);

/* Writes a formatted reason into err (if err is non-NULL and errlen > 0) and
 * returns code, so callers can write `return qf_err_set(err, n, QF_ERR_X, ...)`. */
qf_err qf_err_set(char *err, size_t errlen, qf_err code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
