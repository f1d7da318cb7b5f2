/* store_public.c — the public pages' look-ups in SQLite. See
 * store_public.h; the tables are store_queues.c's. One read under the
 * store lock, so the ticket, its place and the window's last call are one
 * consistent view. */
#include "store_public.h"

#include <stdio.h>
#include <string.h>

static void sd_public_copy_col(sqlite3_stmt *st, int col, char *dst, size_t dstlen)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    snprintf(dst, dstlen, "%s", text ? (const char *)text : "");
}

qf_err sd_store_ticket_position(sd_store *store, const char *hall, const char *day,
                                const char *number, sd_ticket_position *out)
{
    sqlite3_stmt *st;
    int64_t seq = 0;
    qf_err rc = QF_OK;
    int src;

    memset(out, 0, sizeof *out);
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT window, number, status, priority, COALESCE(issued_at, 0), "
                              "COALESCE(called_at, 0), seq FROM tickets "
                              "WHERE hall = ?1 AND day = ?2 AND number = ?3");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, number, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        sd_public_copy_col(st, 0, out->window, sizeof out->window);
        sd_public_copy_col(st, 1, out->number, sizeof out->number);
        sd_public_copy_col(st, 2, out->status, sizeof out->status);
        out->priority = sqlite3_column_int(st, 3) != 0;
        out->issued_at = sqlite3_column_int64(st, 4);
        out->called_at = sqlite3_column_int64(st, 5);
        seq = sqlite3_column_int64(st, 6);
    } else {
        rc = src == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, src);
    }
    sd_store_done(st);
    if (rc != QF_OK)
        goto out;

    /* The window's waiting count, the tickets the call order puts before
     * this one (store_queues.c's order), and its last call. */
    st = sd_store_stmt(
        store, "SELECT COALESCE(SUM(status = 'waiting'), 0), "
               "COALESCE(SUM(status = 'waiting' AND (priority > ?4 OR (priority = ?4 AND "
               "(issued_at < ?5 OR (issued_at = ?5 AND seq < ?6))))), 0), "
               "(SELECT COALESCE(last_called, '') FROM queue_counters "
               " WHERE hall = ?1 AND day = ?2 AND window = ?3) "
               "FROM tickets WHERE hall = ?1 AND day = ?2 AND window = ?3");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, out->window, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, out->priority ? 1 : 0);
    sqlite3_bind_int64(st, 5, out->issued_at);
    sqlite3_bind_int64(st, 6, seq);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        out->waiting = sqlite3_column_int64(st, 0);
        out->people_ahead = strcmp(out->status, "waiting") == 0 ? sqlite3_column_int64(st, 1) : 0;
        sd_public_copy_col(st, 2, out->last_called, sizeof out->last_called);
    } else {
        rc = sd_store_err(store, src == SQLITE_DONE ? SQLITE_ERROR : src);
    }
    sd_store_done(st);
out:
    sd_store_unlock(store);
    return rc;
}
