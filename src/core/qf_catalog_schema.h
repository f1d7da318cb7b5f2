/* qf_catalog_schema.h — private to the qf_catalog module: the catalog schema
 * (assets/catalog/README.md) as data. Each struct of qf_catalog.h has a table
 * of field descriptors (JSON name, type, flags, offset); decoding, encoding,
 * freeing, comparing and the generic half of validation walk these tables,
 * so a field added to the schema is one line here plus one in the struct.
 *
 * Only qf_catalog*.c include this. It owns no state: the tables are const.
 *
 * Fields are read and written through memcpy at their offset. For pointer
 * fields (arrays of structs, child objects) that assumes every object pointer
 * has the representation of void *, which POSIX platforms guarantee. */
#ifndef QF_CATALOG_SCHEMA_H
#define QF_CATALOG_SCHEMA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "qf_catalog.h"

typedef enum qf_cfield_type {
    QF_CF_STR,      /* char * */
    QF_CF_INT,      /* int */
    QF_CF_BOOL,     /* int: 1, 0 or QF_CATALOG_UNSET */
    QF_CF_ENUM,     /* a qf_catalog_* enum, stored as int */
    QF_CF_STRV,     /* qf_catalog_strv */
    QF_CF_OBJ,      /* child struct *, NULL when absent */
    QF_CF_OBJV,     /* child struct *items at off, size_t count at count_off */
} qf_cfield_type;

enum {
    QF_CF_REQUIRED    = 1u << 0,  /* must be present (not absent, not null) */
    QF_CF_ID          = 1u << 1,  /* the item's id */
    QF_CF_URL         = 1u << 2,  /* http(s)://host… */
    QF_CF_PHONE       = 1u << 3,  /* must contain digits */
    QF_CF_REF_BOARD   = 1u << 4,  /* a board id */
    QF_CF_REF_UNIT    = 1u << 5,  /* a unit name (string or each list item) */
    QF_CF_REF_SERVICE = 1u << 6,  /* a services[] id */
    QF_CF_STR_OR_LIST = 1u << 7,  /* STRV that also accepts one plain string */
    QF_CF_DATE        = 1u << 8,  /* YYYY-MM-DD */
};

typedef struct qf_cenum {
    const char *const *names;     /* indexed by value; names[0] is NULL */
    int count;                    /* values 0..count-1 */
} qf_cenum;

struct qf_ctype;

typedef struct qf_cfield {
    const char *name;
    qf_cfield_type type;
    unsigned flags;
    size_t off;
    size_t count_off;             /* QF_CF_OBJV */
    const struct qf_ctype *child; /* QF_CF_OBJ, QF_CF_OBJV */
    const qf_cenum *enm;          /* QF_CF_ENUM */
    unsigned allowed;             /* QF_CF_ENUM: bit (1u << value) per value */
} qf_cfield;

typedef struct qf_ctype {
    const char *name;             /* for messages: "service" */
    size_t size;
    const qf_cfield *fields;
    size_t nfields;
} qf_ctype;

/* How ids of one section look: prefix, then either exactly `digits` digits
 * (equal to the item's row when row_off is set) or, with digits == 0, a
 * non-empty slug. */
typedef struct qf_csection {
    const char *name;             /* the top-level key: "boards" */
    qf_catalog_kind kind;
    const qf_ctype *type;
    size_t off, count_off;        /* the array and its count in qf_catalog */
    const char *id_prefix;
    int id_digits;
    bool id_is_row;
} qf_csection;

extern const qf_ctype qf_ctype_meta;
extern const qf_ctype qf_ctype_station_item;
extern const qf_csection qf_csections[];
extern const size_t qf_csections_count;

/* The section with this top-level key, or NULL. */
const qf_csection *qf_csection_find(const char *name);
/* The section of a kind; NULL for QF_CATALOG_STATION_ITEM (not a section). */
const qf_csection *qf_csection_of_kind(qf_catalog_kind kind);

/* The JSON name of v for an enum field, or NULL. */
const char *qf_cenum_name(const qf_cenum *e, int v);

/* Frees everything a struct of type t owns (not the struct itself). */
void qf_cobj_cleanup(const qf_ctype *t, void *obj);
/* Frees everything the catalog owns, leaving it empty. */
void qf_catalog_cleanup_(qf_catalog *cat);
/* Moves every item of src to the end of dst and leaves src empty; fails
 * (QF_ERR_LIMIT / QF_ERR_INVALID / QF_ERR_NOMEM, reason in err) with both
 * unchanged. */
qf_err qf_catalog_merge_(qf_catalog *dst, qf_catalog *src, char *err, size_t errlen);

/* --- field access -------------------------------------------------------- */

static inline void *qf_cf_ptr(const void *obj, const qf_cfield *f)
{
    void *p;
    memcpy(&p, (const char *)obj + f->off, sizeof p);
    return p;
}

static inline void qf_cf_set_ptr(void *obj, const qf_cfield *f, void *p)
{
    memcpy((char *)obj + f->off, &p, sizeof p);
}

static inline int qf_cf_int(const void *obj, const qf_cfield *f)
{
    int v;
    memcpy(&v, (const char *)obj + f->off, sizeof v);
    return v;
}

static inline void qf_cf_set_int(void *obj, const qf_cfield *f, int v)
{
    memcpy((char *)obj + f->off, &v, sizeof v);
}

static inline size_t qf_cf_count(const void *obj, const qf_cfield *f)
{
    size_t n;
    memcpy(&n, (const char *)obj + f->count_off, sizeof n);
    return n;
}

static inline void qf_cf_set_count(void *obj, const qf_cfield *f, size_t n)
{
    memcpy((char *)obj + f->count_off, &n, sizeof n);
}

static inline qf_catalog_strv *qf_cf_strv(void *obj, const qf_cfield *f)
{
    return (qf_catalog_strv *)((char *)obj + f->off);
}

static inline const qf_catalog_strv *qf_cf_cstrv(const void *obj, const qf_cfield *f)
{
    return (const qf_catalog_strv *)((const char *)obj + f->off);
}

/* The section array base and count inside a catalog. */
static inline void *qf_csection_items(const qf_catalog *cat, const qf_csection *s)
{
    void *p;
    memcpy(&p, (const char *)cat + s->off, sizeof p);
    return p;
}

static inline size_t qf_csection_count(const qf_catalog *cat, const qf_csection *s)
{
    size_t n;
    memcpy(&n, (const char *)cat + s->count_off, sizeof n);
    return n;
}

/* The id field of a type, or NULL. */
const qf_cfield *qf_ctype_id_field(const qf_ctype *t);

/* --- paths for messages ("services[12].contacts[0].phone") --------------- */

#define QF_CPATH_MAX 256

typedef struct qf_cpath {
    char buf[QF_CPATH_MAX];
    size_t len;
} qf_cpath;

/* Appends to the path and returns the length to restore with qf_cpath_pop.
 * A path too long for the buffer is cut short; it stays a useful prefix. */
static inline size_t qf_cpath_push(qf_cpath *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline size_t qf_cpath_push(qf_cpath *p, const char *fmt, ...)
{
    size_t old = p->len, room = sizeof p->buf - p->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p->buf + p->len, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        p->len += (size_t)n < room ? (size_t)n : room - 1;
    return old;
}

/* ".key", or "key" at the start; keys from input are cut at 64 bytes. */
static inline size_t qf_cpath_push_key(qf_cpath *p, const char *key)
{
    return p->len ? qf_cpath_push(p, ".%.64s", key) : qf_cpath_push(p, "%.64s", key);
}

static inline void qf_cpath_pop(qf_cpath *p, size_t old)
{
    p->len = old;
    p->buf[old] = '\0';
}

/* Copies at most max bytes of s into dst (dstlen > 0), not splitting a UTF-8
 * sequence, for quoting input in a message. */
static inline void qf_quote_cut(char *dst, size_t dstlen, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

#endif
