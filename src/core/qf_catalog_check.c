/* qf_catalog_check.c — qf_catalog_validate: the referential and content
 * checks a decoded catalog must pass before a kiosk shows it.
 *
 * It reports every problem, not the first: a generic walk over the schema
 * tables checks each field (required strings present and not blank, enum
 * values allowed where they stand, URLs, phone numbers, dates, references to
 * boards, units and services), and a per-section pass checks ids (well
 * formed, the right prefix and number for their kind, unique across the
 * whole catalog) and rows (at least 1, unique within their list), and a
 * window's ticket_prefix (one letter A-Z, unique among windows).
 *
 * Problems come out item by item in catalog order (a station's item fields
 * with the station, their ids and rows after it; unit-name clashes last).
 * References and duplicate ids are looked up in sorted arrays built once per
 * call (n log n); only the row check scans its own list (at most 10000 rows).
 * Owns nothing after it returns; changes nothing. */
#include "qf_catalog.h"
#include "qf_catalog_schema.h"
#include "qf_clock.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One id-carrying item, in catalog order. */
typedef struct qf_vitem {
    const char *id;
    size_t seq;                    /* position in catalog order */
    const qf_csection *section;    /* NULL for a station item */
    size_t i, k;                   /* index; station index and item index */
} qf_vitem;

typedef struct qf_vname {          /* a unit name or alias */
    const char *name;
    size_t unit;
} qf_vname;

typedef struct qf_vctx {
    const qf_catalog *cat;
    qf_catalog_problem_fn cb;
    void *ud;
    size_t count;
    qf_cpath path;
    const char *item_id;           /* id of the innermost item being walked */

    qf_vitem *ids;                 /* sorted by (id, seq) */
    size_t nids;
    const char **boards;           /* sorted board ids */
    size_t nboards;
    const char **services;         /* sorted service ids */
    size_t nservices;
    qf_vname *unit_names;          /* sorted by (name, unit) */
    size_t nunit_names;
} qf_vctx;

static void qf_vreport(qf_vctx *v, qf_catalog_check check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void qf_vreport(qf_vctx *v, qf_catalog_check check, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    qf_catalog_problem p = { check, v->path.len ? v->path.buf : "catalog", v->item_id, msg };
    v->count++;
    if (v->cb)
        v->cb(&p, v->ud);
}

/* --- sorted lookups ------------------------------------------------------ */

static int qf_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int qf_cmp_vitem(const void *a, const void *b)
{
    const qf_vitem *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int qf_cmp_vname(const void *a, const void *b)
{
    const qf_vname *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->unit < y->unit ? -1 : x->unit > y->unit;
}

static bool qf_sorted_has(const char *const *v, size_t n, const char *s)
{
    return bsearch(&s, v, n, sizeof *v, qf_cmp_str) != NULL;
}

/* The first vitem with this id (lowest seq), or NULL. */
static const qf_vitem *qf_ids_first(const qf_vctx *v, const char *id)
{
    size_t lo = 0, hi = v->nids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v->ids[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->nids && strcmp(v->ids[lo].id, id) == 0 ? &v->ids[lo] : NULL;
}

/* The first unit name entry for name (lowest unit index), or NULL. */
static const qf_vname *qf_units_first(const qf_vctx *v, const char *name)
{
    size_t lo = 0, hi = v->nunit_names;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v->unit_names[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->nunit_names && strcmp(v->unit_names[lo].name, name) == 0
               ? &v->unit_names[lo] : NULL;
}

static void qf_vitem_path(const qf_vitem *it, char *buf, size_t buflen)
{
    if (it->section)
        snprintf(buf, buflen, "%s[%zu]", it->section->name, it->i);
    else
        snprintf(buf, buflen, "stations[%zu].items[%zu]", it->i, it->k);
}

/* Collects every id-carrying item in catalog order: each section's items,
 * a station's items right after the station. */
static qf_err qf_vitems_collect(const qf_catalog *cat, qf_vitem **out, size_t *out_n)
{
    size_t total = qf_catalog_count(cat, QF_CATALOG_STATION_ITEM), n = 0;
    for (size_t s = 0; s < qf_csections_count; s++)
        total += qf_csection_count(cat, &qf_csections[s]);
    qf_vitem *items = calloc(total + 1, sizeof *items);
    if (!items)
        return QF_ERR_NOMEM;
    for (size_t s = 0; s < qf_csections_count; s++) {
        const qf_csection *sec = &qf_csections[s];
        const qf_cfield *idf = qf_ctype_id_field(sec->type);
        const char *base = qf_csection_items(cat, sec);
        size_t count = qf_csection_count(cat, sec);
        for (size_t i = 0; i < count; i++) {
            items[n] = (qf_vitem){ qf_cf_ptr(base + i * sec->type->size, idf), n, sec, i, 0 };
            n++;
            if (sec->kind != QF_CATALOG_STATION)
                continue;
            const qf_catalog_station *st = &cat->stations[i];
            for (size_t k = 0; k < st->items_count; k++) {
                items[n] = (qf_vitem){ st->items[k].id, n, NULL, i, k };
                n++;
            }
        }
    }
    *out = items;
    *out_n = n;
    return QF_OK;
}

static qf_err qf_vctx_index(qf_vctx *v, const qf_vitem *all, size_t nall)
{
    const qf_catalog *cat = v->cat;

    v->ids = calloc(nall + 1, sizeof *v->ids);
    v->boards = calloc(cat->boards_count + 1, sizeof *v->boards);
    v->services = calloc(cat->services_count + 1, sizeof *v->services);
    size_t names = 0;
    for (size_t u = 0; u < cat->units_count; u++)
        names += 1 + cat->units[u].aliases.count;
    v->unit_names = calloc(names + 1, sizeof *v->unit_names);
    if (!v->ids || !v->boards || !v->services || !v->unit_names)
        return QF_ERR_NOMEM;

    for (size_t i = 0; i < nall; i++) {
        if (all[i].id)
            v->ids[v->nids++] = all[i];
    }
    qsort(v->ids, v->nids, sizeof *v->ids, qf_cmp_vitem);
    for (size_t i = 0; i < cat->boards_count; i++) {
        if (cat->boards[i].id)
            v->boards[v->nboards++] = cat->boards[i].id;
    }
    qsort(v->boards, v->nboards, sizeof *v->boards, qf_cmp_str);
    for (size_t i = 0; i < cat->services_count; i++) {
        if (cat->services[i].id)
            v->services[v->nservices++] = cat->services[i].id;
    }
    qsort(v->services, v->nservices, sizeof *v->services, qf_cmp_str);
    for (size_t u = 0; u < cat->units_count; u++) {
        const qf_catalog_unit *unit = &cat->units[u];
        if (unit->name)
            v->unit_names[v->nunit_names++] = (qf_vname){ unit->name, u };
        for (size_t a = 0; a < unit->aliases.count; a++) {
            if (unit->aliases.items[a])
                v->unit_names[v->nunit_names++] = (qf_vname){ unit->aliases.items[a], u };
        }
    }
    qsort(v->unit_names, v->nunit_names, sizeof *v->unit_names, qf_cmp_vname);
    return QF_OK;
}

/* --- content checks ------------------------------------------------------ */

static bool qf_is_blank(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    }
    return true;
}

static bool qf_ascii_alnum(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* http:// or https://, a host of letters, digits, '.' and '-', an optional
 * :port, then nothing or a path/query/fragment without white space (ASCII or
 * the ideographic space U+3000) or control characters. */
static bool qf_url_ok(const char *u)
{
    const char *p;
    if (strncmp(u, "http://", 7) == 0)
        p = u + 7;
    else if (strncmp(u, "https://", 8) == 0)
        p = u + 8;
    else
        return false;
    const char *host = p;
    while (qf_ascii_alnum((unsigned char)*p) || *p == '.' || *p == '-') {
        if (*p == '.' && (p == host || p[-1] == '.'))
            return false;
        p++;
    }
    if (p == host || *host == '-' || p[-1] == '-')
        return false;
    if (*p == ':') {
        const char *port = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == port || p - port > 5)
            return false;
    }
    if (*p && *p != '/' && *p != '?' && *p != '#')
        return false;
    for (; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch == 0x7F)
            return false;
        if (ch == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
            return false;
    }
    return true;
}

static bool qf_has_digit(const char *s)
{
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            return true;
    }
    return false;
}

/* Lowercase ASCII letters, digits and single '-' between them. */
static bool qf_id_well_formed(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > QF_CATALOG_MAX_ID || id[0] == '-' || id[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  (ch == '-' && id[i + 1] != '-');
        if (!ok)
            return false;
    }
    return true;
}

/* Checks one string value (a field or a list item); s is not NULL. */
static void qf_check_string(qf_vctx *v, const qf_cfield *f, const char *s, bool list_item)
{
    char q[96];
    size_t n = strlen(s);

    if (n > QF_CATALOG_MAX_STRING) {
        qf_vreport(v, QF_CATALOG_CHECK_LIMIT, "string of %zu bytes exceeds the limit of %u", n,
                   QF_CATALOG_MAX_STRING);
        return;
    }
    if (qf_is_blank(s)) {
        if (list_item)
            qf_vreport(v, QF_CATALOG_CHECK_EMPTY, "empty list item");
        else if (f->flags & QF_CF_REQUIRED)
            qf_vreport(v, QF_CATALOG_CHECK_EMPTY, "required string is empty");
        else
            qf_vreport(v, QF_CATALOG_CHECK_EMPTY, "empty string (leave the field out instead)");
        return;
    }
    qf_quote_cut(q, sizeof q, s, 80);
    if ((f->flags & QF_CF_URL) && !qf_url_ok(s))
        qf_vreport(v, QF_CATALOG_CHECK_URL,
                   "malformed URL \"%s\" (want http:// or https://, a host, no spaces)", q);
    if ((f->flags & QF_CF_PHONE) && !qf_has_digit(s))
        qf_vreport(v, QF_CATALOG_CHECK_PHONE, "phone number \"%s\" has no digits", q);
    if (f->flags & QF_CF_DATE) {
        qf_day day;
        if (qf_day_parse(s, &day) != QF_OK)
            qf_vreport(v, QF_CATALOG_CHECK_DATE, "date \"%s\" is not YYYY-MM-DD", q);
    }
    if ((f->flags & QF_CF_REF_BOARD) && !qf_sorted_has(v->boards, v->nboards, s))
        qf_vreport(v, QF_CATALOG_CHECK_REF_BOARD, "unknown board \"%s\"", q);
    if ((f->flags & QF_CF_REF_SERVICE) && !qf_sorted_has(v->services, v->nservices, s))
        qf_vreport(v, QF_CATALOG_CHECK_REF_SERVICE, "unknown service \"%s\"", q);
    if ((f->flags & QF_CF_REF_UNIT) && !qf_units_first(v, s))
        qf_vreport(v, QF_CATALOG_CHECK_REF_UNIT, "unknown unit \"%s\" (not a name or alias in units)",
                   q);
}

static void qf_enum_expected(const qf_cfield *f, char *buf, size_t buflen)
{
    buf[0] = '\0';
    for (int k = 1; k < f->enm->count; k++) {
        size_t used = strlen(buf);
        if (f->allowed & (1u << k))
            snprintf(buf + used, buflen - used, "%s%s", used ? ", " : "", f->enm->names[k]);
    }
}

static void qf_check_object(qf_vctx *v, const qf_ctype *t, const void *obj);

static void qf_check_field(qf_vctx *v, const qf_cfield *f, const void *obj)
{
    bool required = f->flags & QF_CF_REQUIRED;

    switch (f->type) {
    case QF_CF_STR: {
        const char *s = qf_cf_ptr(obj, f);
        if (s)
            qf_check_string(v, f, s, false);
        else if (required)
            qf_vreport(v, QF_CATALOG_CHECK_MISSING, "required string missing");
        break;
    }
    case QF_CF_INT:
        break;
    case QF_CF_BOOL: {
        int b = qf_cf_int(obj, f);
        if (b != 0 && b != 1 && b != QF_CATALOG_UNSET)
            qf_vreport(v, QF_CATALOG_CHECK_ENUM, "value %d is not true, false or unset", b);
        break;
    }
    case QF_CF_ENUM: {
        int e = qf_cf_int(obj, f);
        const char *name = qf_cenum_name(f->enm, e);
        char expected[160];
        if (e == 0) {
            if (required)
                qf_vreport(v, QF_CATALOG_CHECK_MISSING, "required value missing");
            break;
        }
        qf_enum_expected(f, expected, sizeof expected);
        if (!name)
            qf_vreport(v, QF_CATALOG_CHECK_ENUM, "value %d is not one of %s", e, expected);
        else if (!(f->allowed & (1u << e)))
            qf_vreport(v, QF_CATALOG_CHECK_ENUM, "value \"%s\" is not allowed here (expected %s)",
                       name, expected);
        break;
    }
    case QF_CF_STRV: {
        const qf_catalog_strv *sv = qf_cf_cstrv(obj, f);
        if (sv->count > QF_CATALOG_MAX_ARRAY) {
            qf_vreport(v, QF_CATALOG_CHECK_LIMIT, "list of %zu items exceeds the limit of %u",
                       sv->count, QF_CATALOG_MAX_ARRAY);
            break;
        }
        for (size_t i = 0; i < sv->count; i++) {
            size_t mark = qf_cpath_push(&v->path, "[%zu]", i);
            if (sv->items[i])
                qf_check_string(v, f, sv->items[i], true);
            else
                qf_vreport(v, QF_CATALOG_CHECK_MISSING, "list item missing");
            qf_cpath_pop(&v->path, mark);
        }
        break;
    }
    case QF_CF_OBJ: {
        const void *child = qf_cf_ptr(obj, f);
        if (child)
            qf_check_object(v, f->child, child);
        else if (required)
            qf_vreport(v, QF_CATALOG_CHECK_MISSING, "required object missing");
        break;
    }
    case QF_CF_OBJV: {
        const char *items = qf_cf_ptr(obj, f);
        size_t n = qf_cf_count(obj, f);
        if (n > QF_CATALOG_MAX_ARRAY) {
            qf_vreport(v, QF_CATALOG_CHECK_LIMIT, "list of %zu items exceeds the limit of %u", n,
                       QF_CATALOG_MAX_ARRAY);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            size_t mark = qf_cpath_push(&v->path, "[%zu]", i);
            qf_check_object(v, f->child, items + i * f->child->size);
            qf_cpath_pop(&v->path, mark);
        }
        break;
    }
    }
}

static void qf_check_object(qf_vctx *v, const qf_ctype *t, const void *obj)
{
    const char *outer_id = v->item_id;
    const qf_cfield *idf = qf_ctype_id_field(t);
    if (idf)
        v->item_id = qf_cf_ptr(obj, idf);
    for (size_t i = 0; i < t->nfields; i++) {
        size_t mark = qf_cpath_push_key(&v->path, t->fields[i].name);
        qf_check_field(v, &t->fields[i], obj);
        qf_cpath_pop(&v->path, mark);
    }
    v->item_id = outer_id;
}

/* --- ids and rows -------------------------------------------------------- */

/* The id rule of one item: prefix, then `digits` digits equal to row (when
 * row >= 0) or, with digits == 0, a non-empty rest. Path is at the item. */
static void qf_check_id(qf_vctx *v, const qf_vitem *it, const char *prefix, int digits, int row)
{
    const char *id = it->id;
    char q[96], want[96];
    size_t mark = qf_cpath_push(&v->path, ".id");

    v->item_id = id;
    if (!id || qf_is_blank(id))
        goto out;    /* reported as a missing or empty required string */
    qf_quote_cut(q, sizeof q, id, 80);
    if (!qf_id_well_formed(id)) {
        qf_vreport(v, QF_CATALOG_CHECK_ID_FORMAT,
                   "malformed id \"%s\" (1-%u lowercase ascii letters, digits, single '-')", q,
                   QF_CATALOG_MAX_ID);
    } else if (prefix) {
        size_t pl = strlen(prefix);
        const char *rest = id + pl;
        bool ok = strncmp(id, prefix, pl) == 0;
        if (digits == 0) {
            ok = ok && *rest != '\0';
            snprintf(want, sizeof want, "\"%s\" and a name", prefix);
        } else {
            ok = ok && strlen(rest) == (size_t)digits &&
                 strspn(rest, "0123456789") == (size_t)digits;
            if (ok && row >= 0)
                ok = atoi(rest) == row;
            if (row >= 0)
                snprintf(want, sizeof want, "\"%s%0*d\" for row %d", prefix,
                         digits > 9 ? 9 : digits, row, row);
            else
                snprintf(want, sizeof want, "\"%s\" and %d digits", prefix, digits);
        }
        if (!ok)
            qf_vreport(v, QF_CATALOG_CHECK_ID_PREFIX, "id \"%s\" does not fit its kind (want %s)",
                       q, want);
    }
    const qf_vitem *first = qf_ids_first(v, id);
    if (first && first->seq != it->seq) {
        char where[64];
        qf_vitem_path(first, where, sizeof where);
        qf_vreport(v, QF_CATALOG_CHECK_ID_DUPLICATE, "duplicate id \"%s\" (first used by %s)", q,
                   where);
    }
out:
    qf_cpath_pop(&v->path, mark);
}

static const qf_cfield *qf_ctype_row_field(const qf_ctype *t)
{
    for (size_t i = 0; i < t->nfields; i++) {
        if (t->fields[i].type == QF_CF_INT && strcmp(t->fields[i].name, "row") == 0)
            return &t->fields[i];
    }
    return NULL;
}

/* Item i of a list (n structs of type t at base) must have a row of at least
 * 1 that no earlier item of the list has. Path is at the item. */
static void qf_check_row(qf_vctx *v, const qf_ctype *t, const void *base, size_t i)
{
    const qf_cfield *rowf = qf_ctype_row_field(t);
    const char *items = base;
    if (!rowf)
        return;
    int row = qf_cf_int(items + i * t->size, rowf);
    size_t mark = qf_cpath_push(&v->path, ".row");
    if (row < 1) {
        qf_vreport(v, QF_CATALOG_CHECK_ROW, "row %d is below 1", row);
    } else {
        for (size_t k = 0; k < i; k++) {
            if (qf_cf_int(items + k * t->size, rowf) == row) {
                qf_vreport(v, QF_CATALOG_CHECK_ROW_DUPLICATE, "row %d repeats item [%zu]", row, k);
                break;
            }
        }
    }
    qf_cpath_pop(&v->path, mark);
}

static bool qf_ticket_prefix_ok(const char *s)
{
    return s && s[0] >= 'A' && s[0] <= 'Z' && s[1] == '\0';
}

/* A window's ticket_prefix, when set, is one letter A-Z that no earlier
 * window uses: queue numbers (A023) must tell the windows apart. A repeated
 * letter is reported as a duplicate (the prefix identifies the window on a
 * slip). Path is at the window. */
static void qf_check_ticket_prefix(qf_vctx *v, size_t i)
{
    const char *s = v->cat->windows[i].ticket_prefix;
    char q[96];
    if (!s || qf_is_blank(s))
        return;    /* absent is fine; blank is reported as an empty string */
    size_t mark = qf_cpath_push(&v->path, ".ticket_prefix");
    qf_quote_cut(q, sizeof q, s, 80);
    if (!qf_ticket_prefix_ok(s)) {
        qf_vreport(v, QF_CATALOG_CHECK_ENUM, "ticket prefix \"%s\" is not one letter A-Z", q);
    } else {
        for (size_t k = 0; k < i; k++) {
            const char *o = v->cat->windows[k].ticket_prefix;
            if (qf_ticket_prefix_ok(o) && o[0] == s[0]) {
                qf_vreport(v, QF_CATALOG_CHECK_ID_DUPLICATE,
                           "ticket prefix \"%s\" is already used by windows[%zu]", q, k);
                break;
            }
        }
    }
    qf_cpath_pop(&v->path, mark);
}

/* Unit names and aliases must each name one unit. */
static void qf_check_unit_names(qf_vctx *v)
{
    const qf_catalog *cat = v->cat;
    for (size_t u = 0; u < cat->units_count; u++) {
        const qf_catalog_unit *unit = &cat->units[u];
        v->item_id = unit->id;
        for (size_t a = 0; a <= unit->aliases.count; a++) {
            const char *name = a == 0 ? unit->name : unit->aliases.items[a - 1];
            if (!name)
                continue;
            const qf_vname *first = qf_units_first(v, name);
            if (!first || first->unit >= u)
                continue;
            char q[96];
            size_t mark = a == 0 ? qf_cpath_push(&v->path, "units[%zu].name", u)
                                 : qf_cpath_push(&v->path, "units[%zu].aliases[%zu]", u, a - 1);
            qf_quote_cut(q, sizeof q, name, 80);
            qf_vreport(v, QF_CATALOG_CHECK_UNIT_NAME, "\"%s\" already names units[%zu] (%s)", q,
                       first->unit, cat->units[first->unit].id ? cat->units[first->unit].id : "?");
            qf_cpath_pop(&v->path, mark);
        }
    }
    v->item_id = NULL;
}

qf_err qf_catalog_validate(const qf_catalog *cat, qf_catalog_problem_fn cb, void *ud,
                           size_t *out_count)
{
    qf_err rc;
    qf_vctx v = { .cat = cat, .cb = cb, .ud = ud };
    qf_vitem *all = NULL;
    size_t nall = 0;

    if ((rc = qf_vitems_collect(cat, &all, &nall)) != QF_OK)
        goto out;
    if ((rc = qf_vctx_index(&v, all, nall)) != QF_OK)
        goto out;

    if (!cat->meta) {
        qf_cpath_push(&v.path, "meta");
        qf_vreport(&v, QF_CATALOG_CHECK_MISSING, "section missing");
        qf_cpath_pop(&v.path, 0);
    } else {
        qf_cpath_push(&v.path, "meta");
        qf_check_object(&v, &qf_ctype_meta, cat->meta);
        qf_cpath_pop(&v.path, 0);
    }

    /* Item by item in catalog order: fields, then id and row. A station's
     * items come right after it. */
    for (size_t n = 0; n < nall; n++) {
        const qf_vitem *it = &all[n];
        if (!it->section)
            continue;    /* station items are checked with their station */
        const qf_csection *s = it->section;
        const char *base = qf_csection_items(cat, s), *obj = base + it->i * s->type->size;
        const qf_cfield *rowf = s->id_is_row ? qf_ctype_row_field(s->type) : NULL;

        qf_cpath_push(&v.path, "%s[%zu]", s->name, it->i);
        qf_check_object(&v, s->type, obj);
        qf_check_id(&v, it, s->id_prefix, s->id_digits, rowf ? qf_cf_int(obj, rowf) : -1);
        qf_check_row(&v, s->type, base, it->i);
        if (s->kind == QF_CATALOG_WINDOW)
            qf_check_ticket_prefix(&v, it->i);
        qf_cpath_pop(&v.path, 0);
        v.item_id = NULL;

        if (s->kind != QF_CATALOG_STATION)
            continue;
        const qf_catalog_station *st = &cat->stations[it->i];
        char prefix[QF_CATALOG_MAX_ID + 8];
        const char *item_prefix = NULL;
        if (st->id && strncmp(st->id, "station-", 8) == 0 && st->id[8] &&
            strlen(st->id) <= QF_CATALOG_MAX_ID) {
            snprintf(prefix, sizeof prefix, "svc-%s-", st->id + 8);
            item_prefix = prefix;
        }
        for (size_t k = 0; k < st->items_count; k++) {
            qf_cpath_push(&v.path, "stations[%zu].items[%zu]", it->i, k);
            qf_check_id(&v, &all[n + 1 + k], item_prefix, 3, st->items[k].row);
            qf_check_row(&v, &qf_ctype_station_item, st->items, k);
            qf_cpath_pop(&v.path, 0);
            v.item_id = NULL;
        }
    }
    qf_check_unit_names(&v);
    rc = v.count ? QF_ERR_INVALID : QF_OK;
out:
    if (out_count)
        *out_count = v.count;
    free(all);
    free(v.ids);
    free(v.boards);
    free(v.services);
    free(v.unit_names);
    return rc;
}
