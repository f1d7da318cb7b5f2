/* store_ratings.c — service ratings (好差评) in SQLite. See store_ratings.h
 * for what a row is and why the idempotency record lives in it. */
#include "store_ratings.h"

#include <stdlib.h>
#include <string.h>

#define SD_RATING_COLS                                                               \
    "id, device_id, target, service_id, window_id, ticket, score, comment, helper_id, at"

void sd_rating_cleanup(sd_rating *r)
{
    if (!r)
        return;
    free(r->device_id);
    free(r->target);
    free(r->service_id);
    free(r->window_id);
    free(r->ticket);
    free(r->comment);
    free(r->helper_id);
    memset(r, 0, sizeof *r);
}

void sd_ratings_free(sd_rating *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        sd_rating_cleanup(&list[i]);
    free(list);
}

/* Reads a row selected with SD_RATING_COLS. QF_ERR_NOMEM when a copy fails
 * (r then holds what was copied; the caller cleans it up). */
static qf_err sd_rating_read(sqlite3_stmt *st, sd_rating *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->device_id = sd_store_col_dup(st, 1);
    r->target = sd_store_col_dup(st, 2);
    r->service_id = sd_store_col_dup(st, 3);
    r->window_id = sd_store_col_dup(st, 4);
    r->ticket = sd_store_col_dup(st, 5);
    r->score = sqlite3_column_int(st, 6);
    r->comment = sd_store_col_dup(st, 7);
    r->helper_id = sd_store_col_dup(st, 8);
    r->at = sqlite3_column_int64(st, 9);
    /* NOT NULL columns that came back NULL can only be a failed strdup. */
    if (!r->device_id || !r->target ||
        (sqlite3_column_type(st, 3) != SQLITE_NULL && !r->service_id) ||
        (sqlite3_column_type(st, 4) != SQLITE_NULL && !r->window_id) ||
        (sqlite3_column_type(st, 5) != SQLITE_NULL && !r->ticket) ||
        (sqlite3_column_type(st, 7) != SQLITE_NULL && !r->comment) ||
        (sqlite3_column_type(st, 8) != SQLITE_NULL && !r->helper_id))
        return QF_ERR_NOMEM;
    return QF_OK;
}

static void sd_rating_bind_opt(sqlite3_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* The key's row, under the lock the caller holds. */
static qf_err sd_rating_idem_lookup(sd_store *store, const char *device_id, const char *key,
                                    const char *body_hash, int64_t *id_out)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT id, body_hash FROM service_ratings "
                                            "WHERE device_id = ?1 AND idem_key = ?2");
    qf_err rc;
    int src;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(st, 1);
        *id_out = sqlite3_column_int64(st, 0);
        rc = hash && strcmp(hash, body_hash) == 0 ? QF_OK : QF_ERR_CONFLICT;
    } else {
        rc = src == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, src);
    }
    sd_store_done(st);
    return rc;
}

qf_err sd_store_rating_idem_find(sd_store *store, const char *device_id, const char *key,
                                 const char *body_hash, int64_t *id_out)
{
    qf_err rc;
    sd_store_lock(store);
    rc = sd_rating_idem_lookup(store, device_id, key, body_hash, id_out);
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_rating_create(sd_store *store, const sd_rating_new *nr, int64_t *id_out,
                              bool *replayed)
{
    sqlite3_stmt *st;
    qf_err rc;
    int src;

    *replayed = false;
    if (nr->score < 1 || nr->score > SD_RATING_LEVELS)
        return QF_ERR_INVALID;
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    rc = sd_rating_idem_lookup(store, nr->device_id, nr->idem_key, nr->body_hash, id_out);
    if (rc == QF_OK) { /* a twin with the same body committed first */
        *replayed = true;
        rc = sd_store_commit(store);
        goto out;
    }
    if (rc != QF_ERR_NOT_FOUND)
        goto out;
    st = sd_store_stmt(store, "INSERT INTO service_ratings (device_id, target, service_id, "
                              "window_id, ticket, score, comment, helper_id, at, idem_key, "
                              "body_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                              "RETURNING id");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, nr->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, nr->target, -1, SQLITE_STATIC);
    sd_rating_bind_opt(st, 3, nr->service_id);
    sd_rating_bind_opt(st, 4, nr->window_id);
    sd_rating_bind_opt(st, 5, nr->ticket);
    sqlite3_bind_int(st, 6, nr->score);
    sd_rating_bind_opt(st, 7, nr->comment);
    sd_rating_bind_opt(st, 8, nr->helper_id);
    sqlite3_bind_int64(st, 9, nr->now);
    sqlite3_bind_text(st, 10, nr->idem_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, nr->body_hash, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(st, 0);
        rc = QF_OK;
    } else {
        rc = src == SQLITE_DONE ? QF_ERR_STORAGE : sd_store_err(store, src);
    }
    sd_store_done(st);
    if (rc == QF_OK)
        rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_rating_get(sd_store *store, int64_t id, sd_rating *out)
{
    sqlite3_stmt *st;
    qf_err rc;
    int src;

    memset(out, 0, sizeof *out);
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT " SD_RATING_COLS " FROM service_ratings WHERE id = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        rc = sd_rating_read(st, out);
    else
        rc = src == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, src);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK)
        sd_rating_cleanup(out);
    return rc;
}

qf_err sd_store_rating_service_known(sd_store *store, const char *id, bool *known,
                                     bool *catalog_present)
{
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    *known = false;
    *catalog_present = false;
    sd_store_lock(store);
    /* The importer (store_catalog.c) keys items by their catalog "id". */
    st = sd_store_stmt(store, "SELECT EXISTS (SELECT 1 FROM catalog_items WHERE deleted = 0), "
                              "EXISTS (SELECT 1 FROM catalog_items WHERE deleted = 0 "
                              "AND section = 'services' AND id = ?1)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *catalog_present = sqlite3_column_int(st, 0) != 0;
        *known = !*catalog_present || sqlite3_column_int(st, 1) != 0;
    } else {
        rc = sd_store_err(store, src == SQLITE_DONE ? SQLITE_ERROR : src);
    }
    sd_store_done(st);
out:
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_rating_list(sd_store *store, size_t limit, sd_rating **out, size_t *out_count)
{
    sd_rating *list = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src = SQLITE_DONE;

    *out = NULL;
    *out_count = 0;
    if (limit < 1 || limit > SD_RATING_LIST_MAX)
        return QF_ERR_INVALID;
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT " SD_RATING_COLS " FROM service_ratings "
                              "ORDER BY at DESC, id DESC LIMIT ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
    while (rc == QF_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            sd_rating *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        rc = sd_rating_read(st, &list[n]);
        n++; /* counted even when a copy failed, so the cleanup frees it */
    }
    if (rc == QF_OK && src != SQLITE_DONE)
        rc = sd_store_err(store, src);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK) {
        sd_ratings_free(list, n);
        return rc;
    }
    *out = list;
    *out_count = n;
    return QF_OK;
}

qf_err sd_store_rating_summary(sd_store *store, qf_instant from, qf_instant to,
                               sd_rating_summary *out)
{
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    memset(out, 0, sizeof *out);
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT score, COUNT(*) FROM service_ratings "
                              "WHERE (?1 = 0 OR at >= ?1) AND (?2 = 0 OR at < ?2) "
                              "GROUP BY score");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int score = sqlite3_column_int(st, 0);
        int64_t count = sqlite3_column_int64(st, 1);
        if (score >= 1 && score <= SD_RATING_LEVELS) /* the CHECK holds; be sure */
            out->counts[score - 1] += count;
        out->total += count;
    }
    if (src != SQLITE_DONE)
        rc = sd_store_err(store, src);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    return rc;
}

double sd_rating_satisfaction(const sd_rating_summary *s)
{
    if (s->total <= 0)
        return -1.0;
    /* scores 5 (非常满意) and 4 (满意) */
    return (double)(s->counts[4] + s->counts[3]) / (double)s->total;
}
