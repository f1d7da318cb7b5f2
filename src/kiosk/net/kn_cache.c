/* kn_cache.c — the kiosk's local copy of the published catalog, a SQLite
 * file at STATE_DIR/catalog.db, so the kiosk can start with the network
 * down.
 *
 * Two tables: items(id PK, section, position, body) holds one row per
 * catalog item (the item's compact JSON, as the daemon sent it; station
 * items travel inside their station) and one row per object-valued section
 * (meta: id = the section's name, position -1); meta(version, etag,
 * updated_at) is the single row that says which published version the rows
 * are. A snapshot replaces every row in one transaction; a delta upserts
 * and deletes rows and bumps the version in one transaction, and the new
 * qf_catalog is built from the rows before COMMIT, so a delta that does not
 * decode leaves the cache as it was.
 *
 * Durability: WAL with synchronous=NORMAL. A power cut may lose the last
 * committed delta but never corrupts the file; a lost delta is simply
 * fetched again (the cache is a copy, the daemon is the source). A file
 * that is not a database at all is deleted and recreated.
 *
 * Not here: HTTP (kn_sync.c), deciding when to fetch, validating content
 * (the daemon validated it on import; decoding here is strict anyway). */
#include "kn_sync.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KN_CACHE_FILE "catalog.db"
#define KN_CACHE_BUSY_MS 2000

struct kn_cache {
    sqlite3 *db;
    char path[4096];
};

static const char KN_CACHE_SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS items("
    " id TEXT PRIMARY KEY,"
    " section TEXT NOT NULL,"
    " position INTEGER NOT NULL,"
    " body TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS items_by_section ON items(section, position);"
    "CREATE TABLE IF NOT EXISTS meta("
    " k INTEGER PRIMARY KEY CHECK (k = 1),"
    " version INTEGER NOT NULL,"
    " etag TEXT,"
    " updated_at TEXT NOT NULL);";

static qf_err db_fail(kn_cache *c, char *err, size_t errlen, const char *what)
{
    return qf_err_set(err, errlen, QF_ERR_STORAGE, "catalog cache: %s: %s", what,
                      c->db ? sqlite3_errmsg(c->db) : "no database");
}

static qf_err exec(kn_cache *c, const char *sql, char *err, size_t errlen)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(c, err, errlen, sql);
    return QF_OK;
}

static void rollback(kn_cache *c)
{
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL); /* harmless when none is open */
}

static void now_iso(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int open_db(kn_cache *c, int flags)
{
    int rc = sqlite3_open_v2(c->path, &c->db, flags, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_busy_timeout(c->db, KN_CACHE_BUSY_MS);
    rc = sqlite3_exec(c->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
                      NULL);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_CREATE))
        rc = sqlite3_exec(c->db, KN_CACHE_SCHEMA, NULL, NULL, NULL);
    return rc;
}

static void close_db(kn_cache *c)
{
    sqlite3_close(c->db);
    c->db = NULL;
}

static qf_err cache_open(const char *state_dir, bool create, kn_cache **out, char *err,
                         size_t errlen)
{
    kn_cache *c;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc, n;

    *out = NULL;
    if (!state_dir || !*state_dir)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "catalog cache: no state folder");
    c = calloc(1, sizeof *c);
    if (!c)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "catalog cache: out of memory");
    n = snprintf(c->path, sizeof c->path, "%s/%s", state_dir, KN_CACHE_FILE);
    if (n < 0 || (size_t)n >= sizeof c->path) {
        free(c);
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "catalog cache: state folder path too long");
    }
    if (!create && access(c->path, F_OK) != 0) {
        free(c);
        return qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "catalog cache: none yet");
    }
    rc = open_db(c, flags);
    if ((rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) && create) {
        /* A cache is disposable: start over rather than refuse to run. */
        char side[4200];
        close_db(c);
        unlink(c->path);
        snprintf(side, sizeof side, "%s-wal", c->path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", c->path);
        unlink(side);
        rc = open_db(c, flags);
    }
    if (rc != SQLITE_OK) {
        qf_err e = qf_err_set(err, errlen, QF_ERR_STORAGE, "catalog cache: %s: %s", c->path,
                              c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        close_db(c);
        free(c);
        return e;
    }
    *out = c;
    return QF_OK;
}

qf_err kn_cache_open(const char *state_dir, kn_cache **out, char *err, size_t errlen)
{
    return cache_open(state_dir, true, out, err, errlen);
}

void kn_cache_close(kn_cache *cache)
{
    if (!cache)
        return;
    close_db(cache);
    free(cache);
}

qf_err kn_cache_version(kn_cache *cache, int64_t *out_version, char *etag, size_t etaglen,
                        char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    qf_err result = QF_OK;
    int rc;

    if (etag && etaglen)
        etag[0] = '\0';
    if (sqlite3_prepare_v2(cache->db, "SELECT version, etag FROM meta WHERE k = 1", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(cache, err, errlen, "read version");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 1);
        *out_version = sqlite3_column_int64(st, 0);
        if (t && etag && etaglen)
            snprintf(etag, etaglen, "%s", (const char *)t);
    } else if (rc == SQLITE_DONE) {
        result = qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "catalog cache: empty");
    } else {
        result = db_fail(cache, err, errlen, "read version");
    }
    sqlite3_finalize(st);
    return result;
}

/* Binds and runs one INSERT OR REPLACE of an item row. */
static qf_err put_item(kn_cache *c, sqlite3_stmt *ins, const char *id, const char *section,
                       int64_t position, const json_t *item, char *err, size_t errlen)
{
    char *body = json_dumps(item, JSON_COMPACT | JSON_ENCODE_ANY);
    qf_err result = QF_OK;
    if (!body)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "catalog cache: cannot encode %s", id);
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, section, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 3, position);
    sqlite3_bind_text(ins, 4, body, -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE)
        result = db_fail(c, err, errlen, "write item");
    sqlite3_reset(ins);
    free(body);
    return result;
}

static qf_err set_meta(kn_cache *c, int64_t version, const char *etag, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char when[32];
    qf_err result = QF_OK;

    now_iso(when);
    if (sqlite3_prepare_v2(c->db,
                           "INSERT OR REPLACE INTO meta(k, version, etag, updated_at) "
                           "VALUES (1, ?1, ?2, ?3)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, err, errlen, "write version");
    sqlite3_bind_int64(st, 1, version);
    if (etag && *etag)
        sqlite3_bind_text(st, 2, etag, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, when, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        result = db_fail(c, err, errlen, "write version");
    sqlite3_finalize(st);
    return result;
}

static const char *item_id(const json_t *item)
{
    const char *id = json_string_value(json_object_get(item, "id"));
    return (id && *id) ? id : NULL;
}

qf_err kn_cache_store_snapshot(kn_cache *cache, const struct json_t *catalog, int64_t version,
                               const char *etag, char *err, size_t errlen)
{
    sqlite3_stmt *ins = NULL;
    const char *section;
    json_t *value;
    qf_err result;

    if (!json_is_object(catalog))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "catalog cache: catalog is not an object");
    result = exec(cache, "BEGIN IMMEDIATE", err, errlen);
    if (result)
        return result;
    result = exec(cache, "DELETE FROM items", err, errlen);
    if (result)
        goto out;
    if (sqlite3_prepare_v2(cache->db,
                           "INSERT INTO items(id, section, position, body) VALUES (?1,?2,?3,?4)",
                           -1, &ins, NULL) != SQLITE_OK) {
        result = db_fail(cache, err, errlen, "prepare insert");
        goto out;
    }
    json_object_foreach((json_t *)catalog, section, value) {
        if (json_is_object(value)) {
            result = put_item(cache, ins, section, section, -1, value, err, errlen);
        } else if (json_is_array(value)) {
            size_t i;
            json_t *item;
            json_array_foreach(value, i, item) {
                const char *id = item_id(item);
                if (!id) {
                    result = qf_err_set(err, errlen, QF_ERR_INVALID,
                                        "catalog cache: %s[%zu] has no id", section, i);
                    break;
                }
                result = put_item(cache, ins, id, section, (int64_t)i, item, err, errlen);
                if (result)
                    break;
            }
        } else {
            result = qf_err_set(err, errlen, QF_ERR_INVALID,
                                "catalog cache: section %s is neither list nor object", section);
        }
        if (result)
            goto out;
    }
    result = set_meta(cache, version, etag, err, errlen);
    if (result)
        goto out;
    result = exec(cache, "COMMIT", err, errlen);
out:
    sqlite3_finalize(ins);
    if (result)
        rollback(cache);
    return result;
}

/* Builds the catalog from the rows as the connection sees them (inside an
 * open transaction that includes its uncommitted changes). */
static qf_err build(kn_cache *c, qf_catalog **out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    json_t *doc = json_object();
    qf_catalog *cat = NULL;
    char *text = NULL;
    qf_err result = QF_OK;
    size_t rows = 0;
    int rc;

    *out = NULL;
    if (!doc)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "catalog cache: out of memory");
    if (sqlite3_prepare_v2(c->db,
                           "SELECT id, section, position, body FROM items "
                           "ORDER BY section, position",
                           -1, &st, NULL) != SQLITE_OK) {
        result = db_fail(c, err, errlen, "read items");
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *section = (const char *)sqlite3_column_text(st, 1);
        const char *body = (const char *)sqlite3_column_text(st, 3);
        int64_t position = sqlite3_column_int64(st, 2);
        json_error_t jerr;
        json_t *item = body ? json_loads(body, 0, &jerr) : NULL;
        rows++;
        if (!item || !section) {
            result = qf_err_set(err, errlen, QF_ERR_PARSE, "catalog cache: row %s: %s",
                                (const char *)sqlite3_column_text(st, 0),
                                item ? "no section" : jerr.text);
            json_decref(item);
            goto out;
        }
        if (position < 0) {
            json_object_set_new(doc, section, item);
        } else {
            json_t *list = json_object_get(doc, section);
            if (!list) {
                list = json_array();
                json_object_set_new(doc, section, list);
            }
            if (!json_is_array(list) || json_array_append_new(list, item) != 0) {
                result = qf_err_set(err, errlen, QF_ERR_INVALID,
                                    "catalog cache: section %s mixes list and object", section);
                goto out;
            }
        }
    }
    if (rc != SQLITE_DONE) {
        result = db_fail(c, err, errlen, "read items");
        goto out;
    }
    if (rows == 0) {
        result = qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "catalog cache: empty");
        goto out;
    }
    text = json_dumps(doc, JSON_COMPACT);
    if (!text) {
        result = qf_err_set(err, errlen, QF_ERR_NOMEM, "catalog cache: cannot encode");
        goto out;
    }
    result = qf_catalog_new(&cat);
    if (result) {
        qf_err_set(err, errlen, result, "catalog cache: out of memory");
        goto out;
    }
    result = qf_catalog_decode_json(cat, text, strlen(text), err, errlen);
    if (result)
        goto out;
    *out = cat;
    cat = NULL;
out:
    sqlite3_finalize(st);
    qf_catalog_free(cat);
    free(text);
    json_decref(doc);
    return result;
}

qf_err kn_cache_build(kn_cache *cache, qf_catalog **out, int64_t *out_version, char *err,
                      size_t errlen)
{
    int64_t version = 0;
    qf_err result;

    *out = NULL;
    /* One read transaction so the rows and the version agree. */
    result = exec(cache, "BEGIN", err, errlen);
    if (result)
        return result;
    result = kn_cache_version(cache, &version, NULL, 0, err, errlen);
    if (!result)
        result = build(cache, out, err, errlen);
    rollback(cache); /* read only: nothing to commit */
    if (!result && out_version)
        *out_version = version;
    return result;
}

/* Looks up a row: QF_ERR_NOT_FOUND, or *out_section / *out_body (owned). */
static qf_err get_row(kn_cache *c, sqlite3_stmt *sel, const char *id, char **out_section,
                      json_t **out_body, char *err, size_t errlen)
{
    qf_err result = QF_OK;
    int rc;
    *out_section = NULL;
    *out_body = NULL;
    sqlite3_reset(sel);
    sqlite3_bind_text(sel, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(sel);
    if (rc == SQLITE_ROW) {
        const char *section = (const char *)sqlite3_column_text(sel, 0);
        const char *body = (const char *)sqlite3_column_text(sel, 1);
        *out_section = strdup(section ? section : "");
        *out_body = body ? json_loads(body, 0, NULL) : NULL;
        if (!*out_section)
            result = qf_err_set(err, errlen, QF_ERR_NOMEM, "catalog cache: out of memory");
    } else if (rc == SQLITE_DONE) {
        result = QF_ERR_NOT_FOUND;
    } else {
        result = db_fail(c, err, errlen, "read item");
    }
    sqlite3_reset(sel);
    return result;
}

/* One changed item of an array section: it must exist in the same section
 * with different text; then its body is replaced at its position. */
static qf_err change_item(kn_cache *c, sqlite3_stmt *sel, sqlite3_stmt *upd,
                          const char *section, const char *id, const json_t *item, char *err,
                          size_t errlen)
{
    char *had_section = NULL;
    json_t *had = NULL;
    char *body = NULL;
    qf_err result = get_row(c, sel, id, &had_section, &had, err, errlen);

    if (result == QF_ERR_NOT_FOUND) {
        result = qf_err_set(err, errlen, QF_ERR_CONFLICT, "catalog cache: new item %s", id);
        goto out;
    }
    if (result)
        goto out;
    if (strcmp(had_section, section) != 0 || (had && json_equal(had, (json_t *)item))) {
        result = qf_err_set(err, errlen, QF_ERR_CONFLICT, "catalog cache: item %s moved", id);
        goto out;
    }
    body = json_dumps(item, JSON_COMPACT);
    if (!body) {
        result = qf_err_set(err, errlen, QF_ERR_NOMEM, "catalog cache: cannot encode %s", id);
        goto out;
    }
    sqlite3_reset(upd);
    sqlite3_bind_text(upd, 1, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(upd, 2, id, -1, SQLITE_STATIC);
    if (sqlite3_step(upd) != SQLITE_DONE)
        result = db_fail(c, err, errlen, "update item");
    sqlite3_reset(upd);
out:
    free(body);
    free(had_section);
    json_decref(had);
    return result;
}

qf_err kn_cache_apply_delta(kn_cache *cache, const struct json_t *changed,
                            const struct json_t *deleted, int64_t version, qf_catalog **out,
                            char *err, size_t errlen)
{
    sqlite3_stmt *sel = NULL, *upd = NULL, *ins = NULL, *del = NULL;
    const char *section;
    json_t *value;
    int64_t had_version = 0;
    qf_err result;

    *out = NULL;
    if ((changed && !json_is_object(changed)) || (deleted && !json_is_array(deleted)))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "catalog cache: malformed delta");
    result = exec(cache, "BEGIN IMMEDIATE", err, errlen);
    if (result)
        return result;
    result = kn_cache_version(cache, &had_version, NULL, 0, err, errlen);
    if (result)
        goto out;
    if (sqlite3_prepare_v2(cache->db, "SELECT section, body FROM items WHERE id = ?1", -1, &sel,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(cache->db, "UPDATE items SET body = ?1 WHERE id = ?2", -1, &upd,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(cache->db,
                           "INSERT OR REPLACE INTO items(id, section, position, body) "
                           "VALUES (?1,?2,?3,?4)",
                           -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(cache->db, "DELETE FROM items WHERE id = ?1", -1, &del, NULL) !=
            SQLITE_OK) {
        result = db_fail(cache, err, errlen, "prepare delta");
        goto out;
    }
    json_object_foreach((json_t *)changed, section, value) {
        if (json_is_object(value)) {   /* meta: replaced whole */
            result = put_item(cache, ins, section, section, -1, value, err, errlen);
        } else if (json_is_array(value)) {
            size_t i;
            json_t *item;
            json_array_foreach(value, i, item) {
                const char *id = item_id(item);
                if (!id) {
                    result = qf_err_set(err, errlen, QF_ERR_INVALID,
                                        "catalog cache: changed %s[%zu] has no id", section, i);
                    break;
                }
                result = change_item(cache, sel, upd, section, id, item, err, errlen);
                if (result)
                    break;
            }
        } else {
            result = qf_err_set(err, errlen, QF_ERR_INVALID,
                                "catalog cache: changed.%s is neither list nor object", section);
        }
        if (result)
            goto out;
    }
    if (deleted) {
        size_t i;
        json_t *id;
        json_array_foreach((json_t *)deleted, i, id) {
            if (!json_is_string(id)) {
                result = qf_err_set(err, errlen, QF_ERR_INVALID,
                                    "catalog cache: deleted[%zu] is not a string", i);
                goto out;
            }
            /* Unknown ids (added and removed after our version) are ignored. */
            sqlite3_reset(del);
            sqlite3_bind_text(del, 1, json_string_value(id), -1, SQLITE_STATIC);
            if (sqlite3_step(del) != SQLITE_DONE) {
                result = db_fail(cache, err, errlen, "delete item");
                goto out;
            }
            sqlite3_reset(del);
        }
    }
    result = set_meta(cache, version, NULL, err, errlen);
    if (result)
        goto out;
    result = build(cache, out, err, errlen);
    if (result)
        goto out;
    result = exec(cache, "COMMIT", err, errlen);
out:
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    sqlite3_finalize(ins);
    sqlite3_finalize(del);
    if (result) {
        rollback(cache);
        qf_catalog_free(*out);
        *out = NULL;
    }
    return result;
}

qf_err kn_cache_load(const char *state_dir, qf_catalog **out, int64_t *out_version, char *err,
                     size_t errlen)
{
    kn_cache *c = NULL;
    qf_err result;

    *out = NULL;
    result = cache_open(state_dir, false, &c, err, errlen);
    if (result)
        return result;
    result = kn_cache_build(c, out, out_version, err, errlen);
    kn_cache_close(c);
    return result;
}
