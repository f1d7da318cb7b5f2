/* store_catalog.c — publishing catalog versions and reading snapshots and
 * deltas; see store_catalog.h for the model.
 *
 * Reads run inside one deferred read transaction so that every statement
 * sees the same commit even when qifu-ctl (another process, another
 * connection) publishes between two of them; the in-process store lock
 * only orders this process's own threads. Snapshot and delta text is
 * assembled from the stored compact bodies by concatenation (no re-parse);
 * every body was written by jansson, so the result is valid JSON. */
#include "store_catalog.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "qf_log.h"

/* ---- a capped growable text buffer -------------------------------------- */

typedef struct sd_cbuf {
    char *p;
    size_t len, cap;
    qf_err rc;           /* sticky: the first failure */
} sd_cbuf;

static void sd_cbuf_put(sd_cbuf *b, const char *s, size_t n)
{
    if (b->rc != QF_OK)
        return;
    if (n >= SD_CATALOG_TEXT_MAX - b->len) { /* len < cap <= MAX: no underflow */
        b->rc = QF_ERR_LIMIT;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64 * 1024;
        char *grown;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > SD_CATALOG_TEXT_MAX)
            cap = SD_CATALOG_TEXT_MAX;
        grown = realloc(b->p, cap);
        if (!grown) {
            b->rc = QF_ERR_NOMEM;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sd_cbuf_puts(sd_cbuf *b, const char *s) { sd_cbuf_put(b, s, strlen(s)); }

static void sd_cbuf_putf_i64(sd_cbuf *b, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)v);
    sd_cbuf_puts(b, num);
}

/* A JSON string literal: quotes, backslashes and control bytes escaped;
 * UTF-8 passes through as jansson writes it. */
static void sd_cbuf_put_jstr(sd_cbuf *b, const char *s)
{
    const char *run = s;
    sd_cbuf_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\' || c < 0x20) {
            char esc[8];
            sd_cbuf_put(b, run, (size_t)(s - run));
            if (c == '"' || c == '\\')
                snprintf(esc, sizeof esc, "\\%c", c);
            else
                snprintf(esc, sizeof esc, "\\u%04x", c);
            sd_cbuf_puts(b, esc);
            run = s + 1;
        }
    }
    sd_cbuf_put(b, run, (size_t)(s - run));
    sd_cbuf_put(b, "\"", 1);
}

/* Hands the text to the caller, or frees it on failure. */
static qf_err sd_cbuf_take(sd_cbuf *b, char **out, size_t *out_len)
{
    if (b->rc != QF_OK) {
        free(b->p);
        return b->rc;
    }
    *out = b->p;
    if (out_len)
        *out_len = b->len;
    return QF_OK;
}

/* ---- read transactions --------------------------------------------------- */

/* BEGIN (deferred): the first SELECT pins one WAL snapshot for the rest. */
static qf_err sd_catalog_read_begin(sd_store *store)
{
    return sd_store_err(store, sqlite3_exec(sd_store_db(store), "BEGIN", NULL, NULL, NULL));
}

static void sd_catalog_read_end(sd_store *store)
{
    if (!sqlite3_get_autocommit(sd_store_db(store)))
        sqlite3_exec(sd_store_db(store), "COMMIT", NULL, NULL, NULL);
}

/* The newest version (0 when none), its published_at and its section list
 * (owned by the caller; NULL when none). */
static qf_err sd_catalog_latest(sd_store *store, int64_t *version, qf_instant *published_at,
                                char **sections)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT version, published_at, sections "
                                            "FROM catalog_versions ORDER BY version DESC LIMIT 1");
    qf_err rc = QF_OK;
    int src;

    *version = 0;
    if (published_at)
        *published_at = 0;
    if (sections)
        *sections = NULL;
    if (!st)
        return QF_ERR_STORAGE;
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        if (published_at)
            *published_at = sqlite3_column_int64(st, 1);
        if (sections && !(*sections = sd_store_col_dup(st, 2)))
            rc = QF_ERR_NOMEM;
    } else if (src != SQLITE_DONE) {
        rc = sd_store_err(store, src);
    }
    sd_store_done(st);
    return rc;
}

/* Parses a stored section list (a JSON array of names). */
static qf_err sd_catalog_sections_parse(const char *text, json_t **out)
{
    json_t *a = json_loads(text, 0, NULL);
    size_t i;
    json_t *v;

    if (!json_is_array(a)) {
        json_decref(a);
        qf_error("store: catalog_versions.sections is not a JSON array");
        return QF_ERR_STORAGE;
    }
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            json_decref(a);
            qf_error("store: catalog_versions.sections holds a non-string");
            return QF_ERR_STORAGE;
        }
    }
    *out = a;
    return QF_OK;
}

/* Appends `"section":[bodies…]` (or `"meta":{…}`) for the items of section
 * that are live and, when since > 0, changed after since. A section with
 * no such items is left out when skip_empty, else written as [] (meta,
 * an object, is always left out then). */
static qf_err sd_catalog_put_section(sd_store *store, sd_cbuf *b, const char *section,
                                     int64_t since, bool skip_empty)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT body FROM catalog_items "
                                            "WHERE deleted = 0 AND section = ?1 AND version > ?2 "
                                            "ORDER BY position, id");
    bool is_meta = strcmp(section, "meta") == 0;
    size_t n = 0;
    int src;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, section, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 0);
        int len = sqlite3_column_bytes(st, 0);
        if (!body)
            continue;
        if (n == 0) {
            if (b->len && b->p[b->len - 1] != '{')
                sd_cbuf_put(b, ",", 1);
            sd_cbuf_put_jstr(b, section);
            sd_cbuf_put(b, is_meta ? ":" : ":[", is_meta ? 1 : 2);
        } else if (is_meta) {
            break; /* one meta; the id is unique, so this does not happen */
        } else {
            sd_cbuf_put(b, ",", 1);
        }
        sd_cbuf_put(b, body, (size_t)len);
        n++;
    }
    sd_store_done(st);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return sd_store_err(store, src);
    if (n == 0 && !skip_empty && !is_meta) {
        if (b->len && b->p[b->len - 1] != '{')
            sd_cbuf_put(b, ",", 1);
        sd_cbuf_put_jstr(b, section);
        sd_cbuf_put(b, ":[]", 3);
    } else if (n > 0 && !is_meta) {
        sd_cbuf_put(b, "]", 1);
    }
    return b->rc;
}

/* ---- reading ------------------------------------------------------------ */

qf_err sd_store_catalog_version(sd_store *store, int64_t *out_version)
{
    qf_err rc;
    sd_store_lock(store);
    rc = sd_catalog_latest(store, out_version, NULL, NULL);
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_catalog_snapshot(sd_store *store, int64_t *out_version, char **out_json,
                                 size_t *out_len)
{
    sd_cbuf b = { 0 };
    char *sections_text = NULL, when[32];
    json_t *sections = NULL, *name;
    int64_t version = 0;
    qf_instant published_at = 0;
    size_t i;
    qf_err rc;

    *out_json = NULL;
    sd_store_lock(store);
    if ((rc = sd_catalog_read_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_catalog_latest(store, &version, &published_at, &sections_text)) != QF_OK)
        goto out;
    if (version == 0) {
        rc = QF_ERR_NOT_FOUND;
        goto out;
    }
    if ((rc = sd_catalog_sections_parse(sections_text, &sections)) != QF_OK)
        goto out;
    qf_clock_format_iso8601(published_at, when, sizeof when);
    sd_cbuf_puts(&b, "{\"version\":");
    sd_cbuf_putf_i64(&b, version);
    sd_cbuf_puts(&b, ",\"published_at\":");
    sd_cbuf_put_jstr(&b, when);
    sd_cbuf_puts(&b, ",\"full\":true,\"catalog\":{");
    json_array_foreach(sections, i, name) {
        if ((rc = sd_catalog_put_section(store, &b, json_string_value(name), 0, false)) != QF_OK)
            goto out;
    }
    sd_cbuf_puts(&b, "}}");
    rc = b.rc;
out:
    sd_catalog_read_end(store);
    sd_store_unlock(store);
    free(sections_text);
    json_decref(sections);
    if (rc != QF_OK) {
        free(b.p);
        return rc;
    }
    *out_version = version;
    return sd_cbuf_take(&b, out_json, out_len);
}

qf_err sd_store_catalog_delta(sd_store *store, int64_t since, int64_t *out_version,
                              char **out_json, size_t *out_len)
{
    sd_cbuf b = { 0 };
    char *sections_text = NULL;
    json_t *sections = NULL, *name;
    int64_t version = 0;
    sqlite3_stmt *st;
    size_t i, ndeleted = 0;
    int src;
    qf_err rc;

    *out_json = NULL;
    *out_version = 0;
    sd_store_lock(store);
    if ((rc = sd_catalog_read_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_catalog_latest(store, &version, NULL, &sections_text)) != QF_OK)
        goto out;
    if (version == 0) {
        rc = QF_ERR_NOT_FOUND;
        goto out;
    }
    *out_version = version;
    if (since < 1 || since > version) {
        rc = QF_ERR_RANGE;
        goto out;
    }
    st = sd_store_stmt(store, "SELECT 1 FROM catalog_versions WHERE version = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, since);
    src = sqlite3_step(st);
    sd_store_done(st);
    if (src == SQLITE_DONE) {
        rc = QF_ERR_RANGE;
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = sd_store_err(store, src);
        goto out;
    }
    if ((rc = sd_catalog_sections_parse(sections_text, &sections)) != QF_OK)
        goto out;
    sd_cbuf_puts(&b, "{\"version\":");
    sd_cbuf_putf_i64(&b, version);
    sd_cbuf_puts(&b, ",\"since\":");
    sd_cbuf_putf_i64(&b, since);
    sd_cbuf_puts(&b, ",\"full\":false,\"changed\":{");
    json_array_foreach(sections, i, name) {
        if ((rc = sd_catalog_put_section(store, &b, json_string_value(name), since, true)) !=
            QF_OK)
            goto out;
    }
    sd_cbuf_puts(&b, "},\"deleted\":[");
    st = sd_store_stmt(store, "SELECT id FROM catalog_items "
                              "WHERE deleted = 1 AND version > ?1 ORDER BY id");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, since);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (ndeleted++)
            sd_cbuf_put(&b, ",", 1);
        sd_cbuf_put_jstr(&b, (const char *)sqlite3_column_text(st, 0));
    }
    sd_store_done(st);
    if (src != SQLITE_DONE) {
        rc = sd_store_err(store, src);
        goto out;
    }
    sd_cbuf_puts(&b, "]}");
    rc = b.rc;
out:
    sd_catalog_read_end(store);
    sd_store_unlock(store);
    free(sections_text);
    json_decref(sections);
    if (rc != QF_OK) {
        free(b.p);
        return rc;
    }
    *out_version = version;
    return sd_cbuf_take(&b, out_json, out_len);
}

qf_err sd_store_catalog_versions(sd_store *store, json_t **out)
{
    json_t *list = json_array();
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    *out = NULL;
    if (!list)
        return QF_ERR_NOMEM;
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT version, published_at, source, added, changed, deleted "
                              "FROM catalog_versions ORDER BY version");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        char when[32];
        json_t *row;
        qf_clock_format_iso8601(sqlite3_column_int64(st, 1), when, sizeof when);
        row = json_pack("{s:I,s:s,s:s,s:I,s:I,s:I}", "version",
                        (json_int_t)sqlite3_column_int64(st, 0), "published_at", when, "source",
                        (const char *)sqlite3_column_text(st, 2), "added",
                        (json_int_t)sqlite3_column_int64(st, 3), "changed",
                        (json_int_t)sqlite3_column_int64(st, 4), "deleted",
                        (json_int_t)sqlite3_column_int64(st, 5));
        if (!row || json_array_append_new(list, row) != 0) {
            rc = QF_ERR_NOMEM;
            break;
        }
    }
    if (rc == QF_OK && src != SQLITE_DONE)
        rc = sd_store_err(store, src);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return QF_OK;
}

/* ---- publishing --------------------------------------------------------- */

typedef enum sd_citem_state {
    SD_CITEM_SAME = 0,
    SD_CITEM_ADDED,
    SD_CITEM_CHANGED,
} sd_citem_state;

/* One item of the new catalog. Strings are borrowed from the parsed
 * document except body, which is owned. */
typedef struct sd_citem {
    const char *id;
    const char *section;
    int64_t position;          /* index in its section */
    char *body;                /* compact JSON, schema field order */
    char hash[SD_HASH_HEX_LEN + 1];
    sd_citem_state state;
    int64_t old_position;      /* SAME items: the stored position */
} sd_citem;

/* One stored item (owned strings). */
typedef struct sd_cold {
    char *id;
    char *section;
    int64_t position;
    char hash[SD_HASH_HEX_LEN + 1];
    bool deleted;
    bool seen;                 /* present in the new catalog */
} sd_cold;

static int sd_citem_cmp_id(const void *a, const void *b)
{
    return strcmp((*(sd_citem *const *)a)->id, (*(sd_citem *const *)b)->id);
}

static int sd_cold_cmp_id(const void *a, const void *b)
{
    return strcmp(((const sd_cold *)a)->id, ((const sd_cold *)b)->id);
}

/* Orders unchanged items by section, then by their stored position. */
static int sd_citem_cmp_old_order(const void *a, const void *b)
{
    const sd_citem *x = *(sd_citem *const *)a, *y = *(sd_citem *const *)b;
    int c = strcmp(x->section, y->section);
    if (c)
        return c;
    return x->old_position < y->old_position ? -1 : x->old_position > y->old_position;
}

static bool sd_catalog_section_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return false;
    return true;
}

/* Makes one item from element el of section. */
static qf_err sd_citem_init(sd_citem *it, const char *section, int64_t position, const char *id,
                            json_t *el)
{
    char *canon = json_dumps(el, JSON_COMPACT | JSON_SORT_KEYS);
    it->id = id;
    it->section = section;
    it->position = position;
    it->body = json_dumps(el, JSON_COMPACT);
    if (!canon || !it->body) {
        free(canon);
        return QF_ERR_NOMEM;
    }
    sd_auth_hash(canon, it->hash);
    free(canon);
    return QF_OK;
}

/* Splits the encoded document into items and the ordered section list. */
static qf_err sd_catalog_split(json_t *doc, sd_citem **out_items, size_t *out_count,
                               json_t *sections, char *err, size_t errlen)
{
    const char *key;
    json_t *value;
    sd_citem *items = NULL;
    size_t n = 0, cap = 0;
    qf_err rc = QF_OK;

    json_object_foreach(doc, key, value) {
        size_t need = n + (json_is_array(value) ? json_array_size(value) : 1);
        if (!sd_catalog_section_name_ok(key)) {
            rc = qf_err_set(err, errlen, QF_ERR_INVALID, "section name '%.64s' is not plain", key);
            goto out;
        }
        if (json_array_append_new(sections, json_string(key)) != 0) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        if (need > cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            sd_citem *grown;
            while (ncap < need)
                ncap *= 2;
            grown = realloc(items, ncap * sizeof *items);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                goto out;
            }
            memset(grown + cap, 0, (ncap - cap) * sizeof *items);
            items = grown;
            cap = ncap;
        }
        if (strcmp(key, "meta") == 0) {
            if (!json_is_object(value)) {
                rc = qf_err_set(err, errlen, QF_ERR_INVALID, "meta is not an object");
                goto out;
            }
            if ((rc = sd_citem_init(&items[n++], key, 0, "meta", value)) != QF_OK)
                goto out;
            continue;
        }
        if (!json_is_array(value)) {
            rc = qf_err_set(err, errlen, QF_ERR_INVALID, "section %s is not an array", key);
            goto out;
        }
        for (size_t i = 0; i < json_array_size(value); i++) {
            json_t *el = json_array_get(value, i);
            const char *id = json_string_value(json_object_get(el, "id"));
            if (!id || !*id || strlen(id) > QF_CATALOG_MAX_ID) {
                rc = qf_err_set(err, errlen, QF_ERR_INVALID, "%s[%zu] has no usable \"id\"", key,
                                i);
                goto out;
            }
            if ((rc = sd_citem_init(&items[n++], key, (int64_t)i, id, el)) != QF_OK)
                goto out;
        }
    }
out:
    if (rc != QF_OK) {
        for (size_t i = 0; i < n; i++)
            free(items[i].body);
        free(items);
        return rc;
    }
    *out_items = items;
    *out_count = n;
    return QF_OK;
}

/* Reads every stored item, tombstones included, sorted by id. */
static qf_err sd_catalog_read_old(sd_store *store, sd_cold **out, size_t *out_count)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT id, section, position, hash, deleted "
                                            "FROM catalog_items");
    sd_cold *old = NULL;
    size_t n = 0, cap = 0;
    qf_err rc = QF_OK;
    int src;

    if (!st)
        return QF_ERR_STORAGE;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sd_cold *o;
        const char *hash = (const char *)sqlite3_column_text(st, 3);
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            sd_cold *grown = realloc(old, ncap * sizeof *old);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            old = grown;
            cap = ncap;
        }
        o = &old[n];
        memset(o, 0, sizeof *o);
        o->id = sd_store_col_dup(st, 0);
        o->section = sd_store_col_dup(st, 1);
        o->position = sqlite3_column_int64(st, 2);
        snprintf(o->hash, sizeof o->hash, "%s", hash ? hash : "");
        o->deleted = sqlite3_column_int(st, 4) != 0;
        n++;
        if (!o->id || !o->section) {
            rc = QF_ERR_NOMEM;
            break;
        }
    }
    if (rc == QF_OK && src != SQLITE_DONE)
        rc = sd_store_err(store, src);
    sd_store_done(st);
    if (rc != QF_OK) {
        for (size_t i = 0; i < n; i++) {
            free(old[i].id);
            free(old[i].section);
        }
        free(old);
        return rc;
    }
    if (n)
        qsort(old, n, sizeof *old, sd_cold_cmp_id);
    *out = old;
    *out_count = n;
    return QF_OK;
}

/* Marks as changed the fewest unchanged items whose order among the other
 * unchanged items of their section moved, so that a version bumps whenever
 * the snapshot's text would differ. Items added or deleted around them do
 * not count as moves. Per section, walking the items in stored order, the
 * longest run of increasing new positions stays put (a longest increasing
 * subsequence, O(n log n)); every other item moved. same[] lists the
 * unchanged items; it is re-sorted here. */
static qf_err sd_catalog_mark_moved(sd_citem **same, size_t nsame, size_t *changed)
{
    size_t *tail = NULL, *prev = NULL;
    bool *keep = NULL;
    size_t i = 0;

    if (nsame == 0)
        return QF_OK;
    tail = malloc(nsame * sizeof *tail);
    prev = malloc(nsame * sizeof *prev);
    keep = malloc(nsame * sizeof *keep);
    if (!tail || !prev || !keep) {
        free(tail);
        free(prev);
        free(keep);
        return QF_ERR_NOMEM;
    }
    qsort(same, nsame, sizeof *same, sd_citem_cmp_old_order);
    while (i < nsame) {
        size_t end = i, len = 0;
        while (end < nsame && strcmp(same[end]->section, same[i]->section) == 0)
            end++;
        /* tail[k]: index of the smallest last element of an increasing run
         * of length k + 1; prev[j]: the element before j in its run. */
        for (size_t j = i; j < end; j++) {
            size_t lo = 0, hi = len;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (same[tail[mid]]->position < same[j]->position)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            prev[j] = lo ? tail[lo - 1] : SIZE_MAX;
            tail[lo] = j;
            if (lo == len)
                len++;
            keep[j] = false;
        }
        for (size_t j = len ? tail[len - 1] : SIZE_MAX; j != SIZE_MAX; j = prev[j])
            keep[j] = true;
        for (size_t j = i; j < end; j++) {
            if (!keep[j]) {
                same[j]->state = SD_CITEM_CHANGED;
                (*changed)++;
            }
        }
        i = end;
    }
    free(tail);
    free(prev);
    free(keep);
    return QF_OK;
}

static qf_err sd_catalog_write(sd_store *store, int64_t version, qf_instant now,
                               const char *source, const char *sections, sd_citem *items,
                               size_t nitems, sd_cold *old, size_t nold,
                               const sd_catalog_import_result *res)
{
    sqlite3_stmt *st;
    qf_err rc;

    st = sd_store_stmt(store, "INSERT INTO catalog_versions (version, published_at, source, "
                              "sections, added, changed, deleted) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_int64(st, 1, version);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, sections, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)res->added);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)res->changed);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)res->deleted);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        return rc;

    for (size_t i = 0; i < nitems; i++) {
        sd_citem *it = &items[i];
        if (it->state == SD_CITEM_SAME) {
            if (it->old_position == it->position)
                continue;
            st = sd_store_stmt(store, "UPDATE catalog_items SET position = ?2 WHERE id = ?1");
            if (!st)
                return QF_ERR_STORAGE;
            sqlite3_bind_text(st, 1, it->id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, it->position);
        } else {
            st = sd_store_stmt(store,
                               "INSERT INTO catalog_items (id, section, position, body, hash, "
                               "version, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0) "
                               "ON CONFLICT(id) DO UPDATE SET section = excluded.section, "
                               "position = excluded.position, body = excluded.body, "
                               "hash = excluded.hash, version = excluded.version, deleted = 0");
            if (!st)
                return QF_ERR_STORAGE;
            sqlite3_bind_text(st, 1, it->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, it->section, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, it->position);
            sqlite3_bind_text(st, 4, it->body, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, it->hash, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 6, version);
        }
        if ((rc = sd_store_step_done(store, st)) != QF_OK)
            return rc;
    }
    for (size_t i = 0; i < nold; i++) {
        if (old[i].deleted || old[i].seen)
            continue;
        st = sd_store_stmt(store, "UPDATE catalog_items SET deleted = 1, body = NULL, "
                                  "version = ?2 WHERE id = ?1");
        if (!st)
            return QF_ERR_STORAGE;
        sqlite3_bind_text(st, 1, old[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, version);
        if ((rc = sd_store_step_done(store, st)) != QF_OK)
            return rc;
    }
    return QF_OK;
}

qf_err sd_store_catalog_import(sd_store *store, const qf_catalog *cat, const char *source,
                               qf_instant now, sd_catalog_import_result *out, char *err,
                               size_t errlen)
{
    sd_catalog_import_result res = { 0 };
    char *text = NULL, *sections_text = NULL, *prev_sections = NULL;
    json_t *doc = NULL, *sections = json_array();
    sd_citem *items = NULL, **by_id = NULL, **same = NULL;
    sd_cold *old = NULL;
    size_t nitems = 0, nold = 0, nsame = 0;
    int64_t prev = 0;
    bool locked = false;
    json_error_t jerr;
    qf_err rc;

    memset(out, 0, sizeof *out);
    if (!sections)
        return QF_ERR_NOMEM;
    if (!source || strlen(source) > SD_CATALOG_SOURCE_MAX) {
        rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "the source name is longer than %u bytes",
                        SD_CATALOG_SOURCE_MAX);
        goto out;
    }
    if ((rc = qf_catalog_encode_json(cat, &text)) != QF_OK) {
        qf_err_set(err, errlen, rc, "the catalog cannot be encoded: %s", qf_err_str(rc));
        goto out;
    }
    doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(doc)) {
        rc = qf_err_set(err, errlen, QF_ERR_INVALID, "the encoded catalog does not parse: %s",
                        jerr.text);
        goto out;
    }
    if ((rc = sd_catalog_split(doc, &items, &nitems, sections, err, errlen)) != QF_OK)
        goto out;
    sections_text = json_dumps(sections, JSON_COMPACT);
    by_id = malloc((nitems ? nitems : 1) * sizeof *by_id);
    same = malloc((nitems ? nitems : 1) * sizeof *same);
    if (!sections_text || !by_id || !same) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nitems; i++)
        by_id[i] = &items[i];
    qsort(by_id, nitems, sizeof *by_id, sd_citem_cmp_id);
    for (size_t i = 1; i < nitems; i++) {
        if (strcmp(by_id[i - 1]->id, by_id[i]->id) == 0) {
            rc = qf_err_set(err, errlen, QF_ERR_INVALID, "the id %s is used twice", by_id[i]->id);
            goto out;
        }
    }

    sd_store_lock(store);
    locked = true;
    if ((rc = sd_store_begin(store)) != QF_OK) {
        qf_err_set(err, errlen, rc, "cannot start the transaction: %s",
                   sqlite3_errmsg(sd_store_db(store)));
        goto out;
    }
    if ((rc = sd_catalog_latest(store, &prev, NULL, &prev_sections)) != QF_OK ||
        (rc = sd_catalog_read_old(store, &old, &nold)) != QF_OK) {
        qf_err_set(err, errlen, rc, "cannot read the current catalog: %s",
                   sqlite3_errmsg(sd_store_db(store)));
        goto out;
    }

    /* Classify every new item against the stored one with its id. */
    for (size_t i = 0; i < nitems; i++) {
        sd_citem *it = &items[i];
        sd_cold key = { .id = (char *)it->id };
        sd_cold *o = nold ? bsearch(&key, old, nold, sizeof *old, sd_cold_cmp_id) : NULL;
        if (o)
            o->seen = true;
        if (!o || o->deleted) {
            it->state = SD_CITEM_ADDED;
            res.added++;
        } else if (strcmp(o->section, it->section) != 0 || strcmp(o->hash, it->hash) != 0) {
            it->state = SD_CITEM_CHANGED;
            res.changed++;
        } else {
            it->state = SD_CITEM_SAME;
            it->old_position = o->position;
            same[nsame++] = it;
        }
    }
    if ((rc = sd_catalog_mark_moved(same, nsame, &res.changed)) != QF_OK)
        goto out;
    for (size_t i = 0; i < nold; i++)
        if (!old[i].deleted && !old[i].seen)
            res.deleted++;
    res.items = nitems;

    if (res.added + res.changed + res.deleted == 0 &&
        (prev == 0 ? nitems == 0 : prev_sections && strcmp(prev_sections, sections_text) == 0)) {
        /* Nothing to publish; the read-only transaction just ends. */
        sd_store_rollback(store);
        res.version = prev;
        res.published = false;
        rc = QF_OK;
        goto out;
    }
    res.version = prev + 1;
    res.published = true;
    if ((rc = sd_catalog_write(store, res.version, now, source, sections_text, items, nitems, old,
                               nold, &res)) != QF_OK ||
        (rc = sd_store_commit(store)) != QF_OK) {
        qf_err_set(err, errlen, rc, "cannot publish version %lld: %s", (long long)res.version,
                   sqlite3_errmsg(sd_store_db(store)));
        sd_store_rollback(store);
        goto out;
    }
out:
    if (locked) {
        sd_store_rollback(store); /* no-op after COMMIT */
        sd_store_unlock(store);
    }
    if (rc == QF_OK)
        *out = res;
    for (size_t i = 0; i < nitems; i++)
        free(items[i].body);
    free(items);
    free(by_id);
    free(same);
    for (size_t i = 0; i < nold; i++) {
        free(old[i].id);
        free(old[i].section);
    }
    free(old);
    free(text);
    free(sections_text);
    free(prev_sections);
    json_decref(sections);
    json_decref(doc);
    return rc;
}
