/* qf_catalog_json.c — the catalog's JSON codec and file loading: decoding a
 * document into a qf_catalog (strictly, with the path of the first bad field
 * in the reason), reading one file or a folder of *.json files, encoding a
 * catalog back to one document, and comparing two catalogs.
 *
 * Every function here walks the schema tables of qf_catalog.c; none knows a
 * field by name. A document is decoded into a scratch catalog and merged
 * only when it is entirely good, so a caller never sees half a file.
 *
 * Not here: referential and content checks (qf_catalog_check.c). Decoding
 * accepts "" for a required string and a board id no board has; validation
 * reports those, so one typo does not hide every other problem. */
#include "qf_catalog.h"
#include "qf_catalog_schema.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

/* --- decoding ------------------------------------------------------------ */

/* Decoding state. With cb set (qf_catalog_load_dir_each) decoding goes on
 * after an error to report every one in the document; the document is still
 * refused. err gets the first reason either way. */
typedef struct qf_dctx {
    char *err;
    size_t errlen;
    qf_cpath path;
    qf_catalog_problem_fn cb;
    void *ud;
    const char *file;          /* the problems' path */
    size_t failures;
} qf_dctx;

/* Records one failure whose full text is msg. */
static qf_err qf_demit(qf_dctx *c, qf_err code, const char *msg)
{
    if (c->failures++ == 0)
        qf_err_set(c->err, c->errlen, code, "%s", msg);
    if (c->cb) {
        qf_catalog_problem p = { QF_CATALOG_CHECK_DECODE, c->file ? c->file : "document", NULL,
                                 msg };
        c->cb(&p, c->ud);
    }
    return code;
}

/* A failure at the current path: "services[12].flow: expected array". */
static qf_err qf_dfail(qf_dctx *c, qf_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static qf_err qf_dfail(qf_dctx *c, qf_err code, const char *fmt, ...)
{
    char msg[256], full[QF_CPATH_MAX + 256 + 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s: %s", c->path.len ? c->path.buf : "top level", msg);
    return qf_demit(c, code, full);
}

/* Notes rc; true when decoding must stop (an error without cb, or no
 * memory). *first keeps the first error. */
static bool qf_dstop(const qf_dctx *c, qf_err rc, qf_err *first)
{
    if (rc == QF_OK)
        return false;
    if (*first == QF_OK)
        *first = rc;
    return !c->cb || rc == QF_ERR_NOMEM;
}

static const char *qf_type_word(qf_cfield_type type)
{
    switch (type) {
    case QF_CF_STR:
    case QF_CF_ENUM: return "string";
    case QF_CF_INT: return "integer";
    case QF_CF_BOOL: return "boolean";
    case QF_CF_STRV:
    case QF_CF_OBJV: return "array";
    case QF_CF_OBJ: return "object";
    }
    return "value";
}

static qf_err qf_decode_string(qf_dctx *c, json_t *v, char **out)
{
    if (!json_is_string(v))
        return qf_dfail(c, QF_ERR_INVALID, "expected string");
    size_t n = json_string_length(v);
    if (n > QF_CATALOG_MAX_STRING)
        return qf_dfail(c, QF_ERR_LIMIT, "string of %zu bytes exceeds the limit of %u", n,
                        QF_CATALOG_MAX_STRING);
    /* jansson refuses \u0000 unless asked, so the value has no inner NUL. */
    char *s = strdup(json_string_value(v));
    if (!s)
        return qf_dfail(c, QF_ERR_NOMEM, "out of memory");
    *out = s;
    return QF_OK;
}

static qf_err qf_check_array_size(qf_dctx *c, json_t *v)
{
    size_t n = json_array_size(v);
    if (n > QF_CATALOG_MAX_ARRAY)
        return qf_dfail(c, QF_ERR_LIMIT, "array of %zu items exceeds the limit of %u", n,
                        QF_CATALOG_MAX_ARRAY);
    return QF_OK;
}

static qf_err qf_decode_strv(qf_dctx *c, const qf_cfield *f, json_t *v, qf_catalog_strv *out)
{
    qf_err rc;
    if ((f->flags & QF_CF_STR_OR_LIST) && json_is_string(v)) {
        out->items = calloc(1, sizeof *out->items);
        if (!out->items)
            return qf_dfail(c, QF_ERR_NOMEM, "out of memory");
        out->count = 1;
        return qf_decode_string(c, v, &out->items[0]);
    }
    if (!json_is_array(v))
        return qf_dfail(c, QF_ERR_INVALID, (f->flags & QF_CF_STR_OR_LIST)
                                               ? "expected string or array" : "expected array");
    if ((rc = qf_check_array_size(c, v)) != QF_OK)
        return rc;
    size_t n = json_array_size(v);
    if (n == 0)
        return QF_OK;
    out->items = calloc(n, sizeof *out->items);
    if (!out->items)
        return qf_dfail(c, QF_ERR_NOMEM, "out of memory");
    out->count = n;   /* NULL items are fine for cleanup if we stop early */
    qf_err first = QF_OK;
    for (size_t i = 0; i < n; i++) {
        size_t mark = qf_cpath_push(&c->path, "[%zu]", i);
        rc = qf_decode_string(c, json_array_get(v, i), &out->items[i]);
        qf_cpath_pop(&c->path, mark);
        if (qf_dstop(c, rc, &first))
            break;
    }
    return first;
}

static qf_err qf_decode_object(qf_dctx *c, const qf_ctype *t, json_t *j, void *obj);

static qf_err qf_decode_field(qf_dctx *c, const qf_cfield *f, json_t *v, void *obj)
{
    qf_err rc = QF_OK;

    if (!v || json_is_null(v)) {
        if (f->flags & QF_CF_REQUIRED)
            return qf_dfail(c, QF_ERR_INVALID, "required %s missing", qf_type_word(f->type));
        return QF_OK;
    }
    switch (f->type) {
    case QF_CF_STR: {
        char *s = NULL;
        rc = qf_decode_string(c, v, &s);
        qf_cf_set_ptr(obj, f, s);
        break;
    }
    case QF_CF_INT: {
        if (!json_is_integer(v))
            return qf_dfail(c, QF_ERR_INVALID, "expected integer");
        json_int_t n = json_integer_value(v);
        if (n < INT_MIN || n > INT_MAX)
            return qf_dfail(c, QF_ERR_RANGE, "integer %lld out of range", (long long)n);
        qf_cf_set_int(obj, f, (int)n);
        break;
    }
    case QF_CF_BOOL:
        if (!json_is_boolean(v))
            return qf_dfail(c, QF_ERR_INVALID, "expected true or false");
        qf_cf_set_int(obj, f, json_is_true(v) ? 1 : 0);
        break;
    case QF_CF_ENUM: {
        if (!json_is_string(v))
            return qf_dfail(c, QF_ERR_INVALID, "expected string");
        const char *s = json_string_value(v);
        char expected[160] = "", quoted[80];
        for (int k = 1; k < f->enm->count; k++) {
            if (!(f->allowed & (1u << k)))
                continue;
            if (strcmp(s, f->enm->names[k]) == 0) {
                qf_cf_set_int(obj, f, k);
                return QF_OK;
            }
            size_t used = strlen(expected);
            snprintf(expected + used, sizeof expected - used, "%s%s", used ? ", " : "",
                     f->enm->names[k]);
        }
        qf_quote_cut(quoted, sizeof quoted, s, 60);
        return qf_dfail(c, QF_ERR_INVALID, "unknown value \"%s\" (expected %s)", quoted, expected);
    }
    case QF_CF_STRV:
        rc = qf_decode_strv(c, f, v, qf_cf_strv(obj, f));
        break;
    case QF_CF_OBJ: {
        if (!json_is_object(v))
            return qf_dfail(c, QF_ERR_INVALID, "expected object");
        void *child = calloc(1, f->child->size);
        if (!child)
            return qf_dfail(c, QF_ERR_NOMEM, "out of memory");
        qf_cf_set_ptr(obj, f, child);    /* owned by obj from here on */
        rc = qf_decode_object(c, f->child, v, child);
        break;
    }
    case QF_CF_OBJV: {
        if (!json_is_array(v))
            return qf_dfail(c, QF_ERR_INVALID, "expected array");
        if ((rc = qf_check_array_size(c, v)) != QF_OK)
            return rc;
        size_t n = json_array_size(v);
        if (n == 0)
            return QF_OK;
        char *items = calloc(n, f->child->size);
        if (!items)
            return qf_dfail(c, QF_ERR_NOMEM, "out of memory");
        qf_cf_set_ptr(obj, f, items);
        qf_cf_set_count(obj, f, n);
        qf_err first = QF_OK;
        for (size_t i = 0; i < n; i++) {
            size_t mark = qf_cpath_push(&c->path, "[%zu]", i);
            json_t *e = json_array_get(v, i);
            if (!json_is_object(e))
                rc = qf_dfail(c, QF_ERR_INVALID, "expected object");
            else
                rc = qf_decode_object(c, f->child, e, items + i * f->child->size);
            qf_cpath_pop(&c->path, mark);
            if (qf_dstop(c, rc, &first))
                break;
        }
        rc = first;
        break;
    }
    }
    return rc;
}

static const qf_cfield *qf_ctype_field(const qf_ctype *t, const char *name)
{
    for (size_t i = 0; i < t->nfields; i++) {
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    }
    return NULL;
}

static qf_err qf_decode_object(qf_dctx *c, const qf_ctype *t, json_t *j, void *obj)
{
    const char *key;
    json_t *val;
    qf_err first = QF_OK;

    /* Unknown keys first: a misspelt required field should read as a typo,
     * not as "missing". */
    json_object_foreach(j, key, val) {
        if (!qf_ctype_field(t, key)) {
            size_t mark = qf_cpath_push_key(&c->path, key);
            qf_err rc = qf_dfail(c, QF_ERR_INVALID, "unknown field");
            qf_cpath_pop(&c->path, mark);
            if (qf_dstop(c, rc, &first))
                return first;
        }
    }
    for (size_t i = 0; i < t->nfields; i++) {
        const qf_cfield *f = &t->fields[i];
        if (f->type == QF_CF_BOOL)
            qf_cf_set_int(obj, f, QF_CATALOG_UNSET);
    }
    for (size_t i = 0; i < t->nfields; i++) {
        const qf_cfield *f = &t->fields[i];
        size_t mark = qf_cpath_push_key(&c->path, f->name);
        qf_err rc = qf_decode_field(c, f, json_object_get(j, f->name), obj);
        qf_cpath_pop(&c->path, mark);
        if (qf_dstop(c, rc, &first))
            break;
    }
    return first;
}

static qf_err qf_decode_section(qf_dctx *c, const qf_csection *s, json_t *v, qf_catalog *into)
{
    qf_err rc;
    if (!json_is_array(v))
        return qf_dfail(c, QF_ERR_INVALID, "expected array");
    if ((rc = qf_check_array_size(c, v)) != QF_OK)
        return rc;
    size_t n = json_array_size(v);
    if (n == 0)
        return QF_OK;
    char *items = calloc(n, s->type->size);
    if (!items)
        return qf_dfail(c, QF_ERR_NOMEM, "out of memory");
    memcpy((char *)into + s->off, &items, sizeof items);
    memcpy((char *)into + s->count_off, &n, sizeof n);
    qf_err first = QF_OK;
    for (size_t i = 0; i < n; i++) {
        size_t mark = qf_cpath_push(&c->path, "[%zu]", i);
        json_t *e = json_array_get(v, i);
        if (!json_is_object(e))
            rc = qf_dfail(c, QF_ERR_INVALID, "expected object");
        else
            rc = qf_decode_object(c, s->type, e, items + i * s->type->size);
        qf_cpath_pop(&c->path, mark);
        if (qf_dstop(c, rc, &first))
            break;
    }
    return first;
}

/* Decodes one document into cat through c (see qf_dctx). */
static qf_err qf_decode_document(qf_dctx *c, qf_catalog *cat, const char *json_text, size_t len)
{
    qf_err rc = QF_OK, first = QF_OK;
    qf_catalog scratch = { 0 };
    json_error_t jerr;
    json_t *root = NULL;
    const char *key;
    json_t *val;
    char msg[320];

    if (len > QF_CATALOG_MAX_DOC_BYTES) {
        snprintf(msg, sizeof msg, "document of %zu bytes exceeds the limit of %u", len,
                 QF_CATALOG_MAX_DOC_BYTES);
        rc = qf_demit(c, QF_ERR_LIMIT, msg);
        goto out;
    }
    if (!json_text) {
        rc = qf_demit(c, QF_ERR_INVALID, "no document");
        goto out;
    }
    /* Editors on some desks write a UTF-8 byte-order mark; JSON has none. */
    if (len >= 3 && memcmp(json_text, "\xEF\xBB\xBF", 3) == 0) {
        json_text += 3;
        len -= 3;
    }
    root = json_loadb(json_text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(msg, sizeof msg, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        rc = qf_demit(c, QF_ERR_PARSE, msg);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = qf_dfail(c, QF_ERR_INVALID, "expected object");
        goto out;
    }
    json_object_foreach(root, key, val) {
        size_t mark = qf_cpath_push_key(&c->path, key);
        if (strcmp(key, "meta") == 0) {
            if (!json_is_object(val)) {
                rc = qf_dfail(c, QF_ERR_INVALID, "expected object");
            } else if (!(scratch.meta = calloc(1, sizeof *scratch.meta))) {
                rc = qf_dfail(c, QF_ERR_NOMEM, "out of memory");
            } else {
                rc = qf_decode_object(c, &qf_ctype_meta, val, scratch.meta);
            }
        } else {
            const qf_csection *s = qf_csection_find(key);
            if (!s)
                rc = qf_dfail(c, QF_ERR_INVALID, "unknown section");
            else
                rc = qf_decode_section(c, s, val, &scratch);
        }
        qf_cpath_pop(&c->path, mark);
        if (qf_dstop(c, rc, &first))
            break;
    }
    if ((rc = first) != QF_OK)
        goto out;
    if ((rc = qf_catalog_merge_(cat, &scratch, msg, sizeof msg)) != QF_OK)
        qf_demit(c, rc, msg);
out:
    qf_catalog_cleanup_(&scratch);
    json_decref(root);
    return rc;
}

qf_err qf_catalog_decode_json(qf_catalog *cat, const char *json_text, size_t len,
                              char *err, size_t errlen)
{
    qf_dctx c = { .err = err, .errlen = errlen };
    return qf_decode_document(&c, cat, json_text, len);
}

/* --- files and folders --------------------------------------------------- */

/* Reads a whole regular file of at most QF_CATALOG_MAX_DOC_BYTES. The
 * reason does not name the file; callers prefix it. */
static qf_err qf_read_file(const char *path, char **out, size_t *out_len, char *err,
                           size_t errlen)
{
    qf_err rc = QF_OK;
    char *buf = NULL;
    struct stat st;
    FILE *f = fopen(path, "rb");

    if (!f) {
        rc = qf_err_set(err, errlen, errno == ENOENT ? QF_ERR_NOT_FOUND : QF_ERR_IO, "%s",
                        strerror(errno));
        goto out;
    }
    if (fstat(fileno(f), &st) != 0) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "%s", strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "not a regular file");
        goto out;
    }
    if (st.st_size > (off_t)QF_CATALOG_MAX_DOC_BYTES) {
        rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "file of %lld bytes exceeds the limit of %u",
                        (long long)st.st_size, QF_CATALOG_MAX_DOC_BYTES);
        goto out;
    }
    size_t size = (size_t)st.st_size;
    buf = malloc(size + 1);
    if (!buf) {
        rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
        goto out;
    }
    size_t got = fread(buf, 1, size + 1, f);
    if (ferror(f)) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "read failed");
        goto out;
    }
    if (got != size) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "file changed while being read");
        goto out;
    }
    buf[size] = '\0';
    *out = buf;
    *out_len = size;
    buf = NULL;
out:
    free(buf);
    if (f)
        fclose(f);
    return rc;
}

/* Reads and decodes one file; every failure goes through c, and its text
 * does not name the file. io_total (may be NULL) adds up a folder's bytes. */
static qf_err qf_catalog_load_path(qf_dctx *c, qf_catalog *cat, const char *path,
                                   size_t *io_total)
{
    char *text = NULL, why[256];
    size_t len = 0;
    qf_err rc = qf_read_file(path, &text, &len, why, sizeof why);
    if (rc != QF_OK)
        return qf_demit(c, rc, why);
    if (io_total) {
        if (len > QF_CATALOG_MAX_DIR_BYTES - *io_total) {
            snprintf(why, sizeof why, "the folder's *.json files exceed %u bytes in all",
                     QF_CATALOG_MAX_DIR_BYTES);
            rc = qf_demit(c, QF_ERR_LIMIT, why);
            goto out;
        }
        *io_total += len;
    }
    rc = qf_decode_document(c, cat, text, len);
out:
    free(text);
    return rc;
}

qf_err qf_catalog_load_file(qf_catalog *cat, const char *path, char *err, size_t errlen)
{
    char why[512] = "";
    qf_dctx c = { .err = why, .errlen = sizeof why };
    qf_err rc = qf_catalog_load_path(&c, cat, path, NULL);
    if (rc != QF_OK)
        qf_err_set(err, errlen, rc, "%s: %s", path, why);
    return rc;
}

static int qf_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void qf_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The *.json names in dir (no dot-files), sorted byte-wise. */
static qf_err qf_dir_list(const char *dir, char ***out, size_t *out_n, char *err, size_t errlen)
{
    qf_err rc = QF_OK;
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    DIR *d = opendir(dir);

    if (!d) {
        rc = qf_err_set(err, errlen, errno == ENOENT ? QF_ERR_NOT_FOUND : QF_ERR_IO, "cannot open folder: %s",
                        strerror(errno));
        goto out;
    }
    names = calloc(QF_CATALOG_MAX_FILES, sizeof *names);
    if (!names) {
        rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
        goto out;
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        if (n == QF_CATALOG_MAX_FILES) {
            rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "more than %u *.json files",
                            QF_CATALOG_MAX_FILES);
            goto out;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
            goto out;
        }
        n++;
    }
    qsort(names, n, sizeof *names, qf_name_cmp);
    *out = names;
    *out_n = n;
    names = NULL;
    n = 0;
out:
    qf_names_free(names, n);
    if (d)
        closedir(d);
    return rc;
}

static char *qf_path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *p = malloc(dl + nl + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

qf_err qf_catalog_load_dir(qf_catalog *cat, const char *dir, char *err, size_t errlen)
{
    qf_err rc;
    qf_catalog scratch = { 0 };
    char **names = NULL;
    size_t n = 0, total = 0;
    char why[512];

    if ((rc = qf_dir_list(dir, &names, &n, err, errlen)) != QF_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        char *path = qf_path_join(dir, names[i]);
        if (!path) {
            rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
            goto out;
        }
        qf_dctx c = { .err = why, .errlen = sizeof why };
        rc = qf_catalog_load_path(&c, &scratch, path, &total);
        free(path);
        if (rc != QF_OK) {
            qf_err_set(err, errlen, rc, "%s: %s", names[i], why);
            goto out;
        }
    }
    rc = qf_catalog_merge_(cat, &scratch, err, errlen);
out:
    qf_catalog_cleanup_(&scratch);
    qf_names_free(names, n);
    return rc;
}

qf_err qf_catalog_load_dir_each(qf_catalog *cat, const char *dir, qf_catalog_problem_fn cb,
                                void *ud, size_t *out_failed, char *err, size_t errlen)
{
    qf_err rc;
    char **names = NULL;
    size_t n = 0, total = 0, failed = 0;
    char why[512];

    if ((rc = qf_dir_list(dir, &names, &n, err, errlen)) != QF_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        char *path = qf_path_join(dir, names[i]);
        if (!path) {
            rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
            goto out;
        }
        qf_dctx c = { .err = why, .errlen = sizeof why, .cb = cb, .ud = ud, .file = names[i] };
        qf_err one = qf_catalog_load_path(&c, cat, path, &total);
        free(path);
        if (one == QF_ERR_NOMEM) {
            rc = qf_err_set(err, errlen, one, "%s: %s", names[i], why);
            goto out;
        }
        if (one != QF_OK)
            failed++;
    }
    rc = failed ? QF_ERR_INVALID : QF_OK;
out:
    if (out_failed)
        *out_failed = failed;
    qf_names_free(names, n);
    return rc;
}

/* --- encoding ------------------------------------------------------------ */

static qf_err qf_encode_object(const qf_ctype *t, const void *obj, json_t **out);

/* Adds v under key; takes v. */
static qf_err qf_json_put(json_t *o, const char *key, json_t *v)
{
    if (!v)
        return QF_ERR_INVALID;    /* json_string refuses non-UTF-8, or no memory */
    return json_object_set_new(o, key, v) == 0 ? QF_OK : QF_ERR_NOMEM;
}

static qf_err qf_encode_field(const qf_cfield *f, const void *obj, json_t *o)
{
    bool required = f->flags & QF_CF_REQUIRED;

    switch (f->type) {
    case QF_CF_STR: {
        const char *s = qf_cf_ptr(obj, f);
        if (!s)
            return required ? QF_ERR_INVALID : QF_OK;
        return qf_json_put(o, f->name, json_string(s));
    }
    case QF_CF_INT:
        return qf_json_put(o, f->name, json_integer(qf_cf_int(obj, f)));
    case QF_CF_BOOL: {
        int v = qf_cf_int(obj, f);
        if (v == QF_CATALOG_UNSET)
            return QF_OK;
        return qf_json_put(o, f->name, json_boolean(v));
    }
    case QF_CF_ENUM: {
        const char *name = qf_cenum_name(f->enm, qf_cf_int(obj, f));
        if (!name)
            return required ? QF_ERR_INVALID : QF_OK;
        return qf_json_put(o, f->name, json_string(name));
    }
    case QF_CF_STRV: {
        const qf_catalog_strv *v = qf_cf_cstrv(obj, f);
        if (v->count == 0 && !required)
            return QF_OK;
        json_t *a = json_array();
        if (!a)
            return QF_ERR_NOMEM;
        for (size_t i = 0; i < v->count; i++) {
            json_t *s = v->items[i] ? json_string(v->items[i]) : NULL;
            if (!s || json_array_append_new(a, s) != 0) {
                json_decref(a);
                return QF_ERR_INVALID;
            }
        }
        return qf_json_put(o, f->name, a);
    }
    case QF_CF_OBJ: {
        const void *child = qf_cf_ptr(obj, f);
        json_t *c = NULL;
        if (!child)
            return required ? QF_ERR_INVALID : QF_OK;
        qf_err rc = qf_encode_object(f->child, child, &c);
        return rc != QF_OK ? rc : qf_json_put(o, f->name, c);
    }
    case QF_CF_OBJV: {
        const char *items = qf_cf_ptr(obj, f);
        size_t n = qf_cf_count(obj, f);
        if (n == 0 && !required)
            return QF_OK;
        json_t *a = json_array();
        if (!a)
            return QF_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) {
            json_t *c = NULL;
            qf_err rc = qf_encode_object(f->child, items + i * f->child->size, &c);
            if (rc == QF_OK && json_array_append_new(a, c) != 0)
                rc = QF_ERR_NOMEM;
            if (rc != QF_OK) {
                json_decref(a);
                return rc;
            }
        }
        return qf_json_put(o, f->name, a);
    }
    }
    return QF_ERR_INVALID;
}

static qf_err qf_encode_object(const qf_ctype *t, const void *obj, json_t **out)
{
    json_t *o = json_object();
    if (!o)
        return QF_ERR_NOMEM;
    for (size_t i = 0; i < t->nfields; i++) {
        qf_err rc = qf_encode_field(&t->fields[i], obj, o);
        if (rc != QF_OK) {
            json_decref(o);
            return rc;
        }
    }
    *out = o;
    return QF_OK;
}

qf_err qf_catalog_encode_json(const qf_catalog *cat, char **out_json)
{
    qf_err rc = QF_OK;
    json_t *root = json_object(), *v = NULL;

    if (!root) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    if (cat->meta) {
        if ((rc = qf_encode_object(&qf_ctype_meta, cat->meta, &v)) != QF_OK)
            goto out;
        if ((rc = qf_json_put(root, "meta", v)) != QF_OK)
            goto out;
    }
    for (size_t i = 0; i < qf_csections_count; i++) {
        const qf_csection *s = &qf_csections[i];
        const char *items = qf_csection_items(cat, s);
        size_t n = qf_csection_count(cat, s);
        json_t *a = json_array();
        if (!a) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        if ((rc = qf_json_put(root, s->name, a)) != QF_OK)
            goto out;
        for (size_t k = 0; k < n; k++) {
            if ((rc = qf_encode_object(s->type, items + k * s->type->size, &v)) != QF_OK)
                goto out;
            if (json_array_append_new(a, v) != 0) {
                rc = QF_ERR_NOMEM;
                goto out;
            }
        }
    }
    *out_json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!*out_json)
        rc = QF_ERR_NOMEM;
out:
    json_decref(root);
    return rc;
}

/* --- comparison ---------------------------------------------------------- */

static bool qf_str_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool qf_object_equal(const qf_ctype *t, const void *a, const void *b)
{
    for (size_t i = 0; i < t->nfields; i++) {
        const qf_cfield *f = &t->fields[i];
        switch (f->type) {
        case QF_CF_STR:
            if (!qf_str_equal(qf_cf_ptr(a, f), qf_cf_ptr(b, f)))
                return false;
            break;
        case QF_CF_INT:
        case QF_CF_BOOL:
        case QF_CF_ENUM:
            if (qf_cf_int(a, f) != qf_cf_int(b, f))
                return false;
            break;
        case QF_CF_STRV: {
            const qf_catalog_strv *va = qf_cf_cstrv(a, f), *vb = qf_cf_cstrv(b, f);
            if (va->count != vb->count)
                return false;
            for (size_t k = 0; k < va->count; k++) {
                if (!qf_str_equal(va->items[k], vb->items[k]))
                    return false;
            }
            break;
        }
        case QF_CF_OBJ: {
            const void *ca = qf_cf_ptr(a, f), *cb = qf_cf_ptr(b, f);
            if (!ca || !cb) {
                if (ca != cb)
                    return false;
            } else if (!qf_object_equal(f->child, ca, cb)) {
                return false;
            }
            break;
        }
        case QF_CF_OBJV: {
            const char *ia = qf_cf_ptr(a, f), *ib = qf_cf_ptr(b, f);
            size_t n = qf_cf_count(a, f);
            if (n != qf_cf_count(b, f))
                return false;
            for (size_t k = 0; k < n; k++) {
                if (!qf_object_equal(f->child, ia + k * f->child->size,
                                     ib + k * f->child->size))
                    return false;
            }
            break;
        }
        }
    }
    return true;
}

bool qf_catalog_equal(const qf_catalog *a, const qf_catalog *b)
{
    if (!a->meta || !b->meta) {
        if (a->meta != b->meta)
            return false;
    } else if (!qf_object_equal(&qf_ctype_meta, a->meta, b->meta)) {
        return false;
    }
    for (size_t i = 0; i < qf_csections_count; i++) {
        const qf_csection *s = &qf_csections[i];
        const char *ia = qf_csection_items(a, s), *ib = qf_csection_items(b, s);
        size_t n = qf_csection_count(a, s);
        if (n != qf_csection_count(b, s))
            return false;
        for (size_t k = 0; k < n; k++) {
            if (!qf_object_equal(s->type, ia + k * s->type->size, ib + k * s->type->size))
                return false;
        }
    }
    return true;
}
