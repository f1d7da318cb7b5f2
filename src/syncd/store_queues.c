/* store_queues.c — queue tickets in SQLite: the per-window day counter, the
 * ticket rows and the catalog's windows. See store_queues.h for the rules
 * (one counter for online and leased numbers, call order, registration).
 *
 * Every function takes the store lock for its whole run and writes inside
 * one BEGIN IMMEDIATE transaction, so the counter bump and the rows it
 * numbers commit together or not at all: a failed insert rolls the counter
 * back and leaves no gap. */
#include "store_queues.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_log.h"

#define SD_QUEUE_WINDOWS_MAX 10000  /* the catalog's own section limit */

/* The columns sd_queue_ticket_read expects, in order. */
#define SD_TICKET_COLS                                                          \
    "hall, day, window, seq, number, priority, COALESCE(device_id, ''), "       \
    "COALESCE(issued_at, 0), status, COALESCE(called_at, 0), "                  \
    "COALESCE(called_by, ''), COALESCE(leased_at, 0)"

void sd_queue_number_format(char prefix, int64_t seq, char *buf, size_t buflen)
{
    /* Callers refuse a seq past the day's maximum before numbering it; the
     * clamp keeps the width known (at most 4 digits) all the same. */
    unsigned v = seq < 0 ? 0u : seq > SD_QUEUE_SEQ_MAX ? SD_QUEUE_SEQ_MAX : (unsigned)seq;
    assert(seq >= 1 && seq <= SD_QUEUE_SEQ_MAX);
    snprintf(buf, buflen, "%c%03u", prefix, v);
}

static void sd_queue_copy_col(sqlite3_stmt *st, int col, char *dst, size_t dstlen)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    snprintf(dst, dstlen, "%s", text ? (const char *)text : "");
}

/* Reads a row selected with SD_TICKET_COLS; *out_leased_at gets leased_at. */
static void sd_queue_ticket_read(sqlite3_stmt *st, sd_ticket *t, qf_instant *out_leased_at)
{
    memset(t, 0, sizeof *t);
    sd_queue_copy_col(st, 0, t->hall, sizeof t->hall);
    sd_queue_copy_col(st, 1, t->day, sizeof t->day);
    sd_queue_copy_col(st, 2, t->window, sizeof t->window);
    t->seq = sqlite3_column_int64(st, 3);
    sd_queue_copy_col(st, 4, t->number, sizeof t->number);
    t->priority = sqlite3_column_int(st, 5) != 0;
    sd_queue_copy_col(st, 6, t->device_id, sizeof t->device_id);
    t->issued_at = sqlite3_column_int64(st, 7);
    sd_queue_copy_col(st, 8, t->status, sizeof t->status);
    t->called_at = sqlite3_column_int64(st, 9);
    sd_queue_copy_col(st, 10, t->called_by, sizeof t->called_by);
    if (out_leased_at)
        *out_leased_at = sqlite3_column_int64(st, 11);
}

/* ---- catalog windows ------------------------------------------------------ */

void sd_queue_windows_free(sd_queue_window *windows, size_t count)
{
    if (!windows)
        return;
    for (size_t i = 0; i < count; i++) {
        free(windows[i].id);
        free(windows[i].name);
    }
    free(windows);
}

/* The prefix a window body declares: one letter A-Z, or 0. */
static char sd_queue_prefix_of(json_t *body)
{
    const char *p = json_string_value(json_object_get(body, "ticket_prefix"));
    return p && p[0] >= 'A' && p[0] <= 'Z' && p[1] == '\0' ? p[0] : 0;
}

qf_err sd_store_queue_windows(sd_store *store, sd_queue_window **out, size_t *out_count)
{
    sd_queue_window *list = NULL;
    size_t n = 0, cap = 0;
    bool used[26] = { false };
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    *out = NULL;
    *out_count = 0;
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT EXISTS (SELECT 1 FROM catalog_items WHERE deleted = 0)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = sd_store_err(store, src);
        sd_store_done(st);
        goto out;
    }
    if (sqlite3_column_int(st, 0) == 0)
        rc = QF_ERR_NOT_FOUND;
    sd_store_done(st);
    if (rc != QF_OK)
        goto out;

    st = sd_store_stmt(store, "SELECT id, body FROM catalog_items "
                              "WHERE section = 'windows' AND deleted = 0 ORDER BY position, id");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 1);
        json_t *body = text ? json_loads(text, 0, NULL) : NULL;
        const char *name = json_string_value(json_object_get(body, "name"));
        sd_queue_window *w;

        if (!id || n == SD_QUEUE_WINDOWS_MAX) {
            json_decref(body);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            sd_queue_window *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                json_decref(body);
                rc = QF_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        w = &list[n];
        w->id = strdup(id);
        w->name = strdup(name ? name : id);
        w->prefix = sd_queue_prefix_of(body);
        json_decref(body);
        n++;
        if (!w->id || !w->name) {
            rc = QF_ERR_NOMEM;
            break;
        }
        if (w->prefix && used[w->prefix - 'A']) {
            /* validation refuses this; a catalog that got past it anyway
             * must not make two windows print the same numbers */
            qf_warn("queues: window %s repeats ticket prefix %c; it issues no tickets", w->id,
                    w->prefix);
            w->prefix = 0;
        } else if (w->prefix) {
            used[w->prefix - 'A'] = true;
        }
    }
    if (rc == QF_OK && src != SQLITE_DONE)
        rc = sd_store_err(store, src);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK) {
        sd_queue_windows_free(list, n);
        return rc;
    }
    *out = list;
    *out_count = n;
    return QF_OK;
}

/* ---- helpers under the lock, inside a transaction -------------------------- */

/* Adds count to the (hall, day, window) counter; *out_last gets the new
 * value, so the numbers just taken are last - count + 1 .. last. */
static qf_err sd_queue_counter_bump(sd_store *store, const char *hall, const char *day,
                                    const char *window, int count, int64_t *out_last)
{
    sqlite3_stmt *st = sd_store_stmt(
        store, "INSERT INTO queue_counters (hall, day, window, last) VALUES (?1, ?2, ?3, ?4) "
               "ON CONFLICT (hall, day, window) DO UPDATE SET last = last + excluded.last "
               "RETURNING last");
    int src;
    qf_err rc = QF_OK;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, window, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, count);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out_last = sqlite3_column_int64(st, 0);
    else
        rc = src == SQLITE_DONE ? QF_ERR_STORAGE : sd_store_err(store, src);
    sd_store_done(st);
    return rc;
}

static qf_err sd_queue_insert(sd_store *store, const char *hall, const char *day,
                              const char *window, int64_t seq, const char *number,
                              bool priority, const char *device_id, bool leased, qf_instant now)
{
    sqlite3_stmt *st = sd_store_stmt(
        store, "INSERT INTO tickets (hall, day, window, seq, number, priority, device_id, "
               "issued_at, status, leased_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, window, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, seq);
    sqlite3_bind_text(st, 5, number, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, priority ? 1 : 0);
    sqlite3_bind_text(st, 7, device_id, -1, SQLITE_STATIC);
    if (!leased)
        sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_text(st, 9, leased ? "leased" : "waiting", -1, SQLITE_STATIC);
    if (leased)
        sqlite3_bind_int64(st, 10, now);
    return sd_store_step_done(store, st);
}

/* Waiting tickets of t's window that the call order puts before t. */
static qf_err sd_queue_people_ahead(sd_store *store, const sd_ticket *t, int64_t *out)
{
    sqlite3_stmt *st = sd_store_stmt(
        store, "SELECT COUNT(*) FROM tickets WHERE hall = ?1 AND day = ?2 AND window = ?3 "
               "AND status = 'waiting' AND (priority > ?4 OR (priority = ?4 AND "
               "(issued_at < ?5 OR (issued_at = ?5 AND seq < ?6))))");
    int src;
    qf_err rc = QF_OK;

    *out = 0;
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, t->hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, t->window, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, t->priority ? 1 : 0);
    sqlite3_bind_int64(st, 5, t->issued_at);
    sqlite3_bind_int64(st, 6, t->seq);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = sd_store_err(store, src == SQLITE_DONE ? SQLITE_ERROR : src);
    sd_store_done(st);
    return rc;
}

/* ---- issue, lease, register, call ------------------------------------------ */

qf_err sd_store_ticket_issue(sd_store *store, const char *hall, const char *day,
                             const char *window, char prefix, bool priority,
                             const char *device_id, qf_instant now, sd_ticket *out)
{
    sd_ticket t = { 0 };
    int64_t last = 0;
    qf_err rc;

    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_queue_counter_bump(store, hall, day, window, 1, &last)) != QF_OK)
        goto out;
    if (last > SD_QUEUE_SEQ_MAX) {
        rc = QF_ERR_LIMIT;
        goto out;
    }
    snprintf(t.hall, sizeof t.hall, "%s", hall);
    snprintf(t.day, sizeof t.day, "%s", day);
    snprintf(t.window, sizeof t.window, "%s", window);
    snprintf(t.device_id, sizeof t.device_id, "%s", device_id);
    snprintf(t.status, sizeof t.status, "waiting");
    t.seq = last;
    t.priority = priority;
    t.issued_at = now;
    sd_queue_number_format(prefix, last, t.number, sizeof t.number);
    if ((rc = sd_queue_insert(store, hall, day, window, last, t.number, priority, device_id,
                              false, now)) != QF_OK)
        goto out;
    if ((rc = sd_queue_people_ahead(store, &t, &t.people_ahead)) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    if (rc == QF_OK)
        *out = t;
    return rc;
}

qf_err sd_store_ticket_lease(sd_store *store, const char *hall, const char *day,
                             const char *window, char prefix, int count,
                             const char *device_id, qf_instant now, int64_t *out_first,
                             char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int64_t held = 0, last = 0, first = 0;
    int src;
    qf_err rc;

    if (count < 1 || count > SD_QUEUE_LEASE_MAX)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "count must be 1 to %d",
                          SD_QUEUE_LEASE_MAX);
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "SELECT COUNT(*) FROM tickets WHERE hall = ?1 AND day = ?2 "
                              "AND window = ?3 AND device_id = ?4 AND status = 'leased'");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, window, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, device_id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        held = sqlite3_column_int64(st, 0);
    else
        rc = sd_store_err(store, src == SQLITE_DONE ? SQLITE_ERROR : src);
    sd_store_done(st);
    if (rc != QF_OK)
        goto out;
    if (held + count > SD_QUEUE_LEASE_OUTSTANDING) {
        rc = qf_err_set(err, errlen, QF_ERR_STATE,
                        "this device already holds %lld unused leased numbers of %s today; "
                        "at most %d may be outstanding",
                        (long long)held, window, SD_QUEUE_LEASE_OUTSTANDING);
        goto out;
    }
    if ((rc = sd_queue_counter_bump(store, hall, day, window, count, &last)) != QF_OK)
        goto out;
    if (last > SD_QUEUE_SEQ_MAX) {
        rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "%s has no more numbers today (at most %d)",
                        window, SD_QUEUE_SEQ_MAX);
        goto out;
    }
    first = last - count + 1;
    for (int64_t seq = first; seq <= last; seq++) {
        char number[SD_QUEUE_NUMBER_MAX];
        sd_queue_number_format(prefix, seq, number, sizeof number);
        if ((rc = sd_queue_insert(store, hall, day, window, seq, number, false, device_id, true,
                                  now)) != QF_OK)
            goto out;
    }
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    if (rc == QF_OK)
        *out_first = first;
    return rc;
}

qf_err sd_store_ticket_register(sd_store *store, const char *hall, const char *today,
                                const char *window, const char *number,
                                const char *device_id, qf_instant issued_at, bool priority,
                                qf_instant now, sd_ticket *out, bool *out_replayed)
{
    char since[11];
    qf_day day;
    qf_instant leased_at = 0;
    sd_ticket t = { 0 };
    sqlite3_stmt *st;
    bool found = false;
    int src;
    qf_err rc;

    *out_replayed = false;
    if (qf_day_parse(today, &day) != QF_OK)
        return QF_ERR_INVALID;
    qf_day_format(day - SD_QUEUE_LEASE_LOOKBACK_DAYS, since, sizeof since);
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    /* The device's latest lease of this number: (hall, day, number) is
     * unique, so there is at most one per day. */
    st = sd_store_stmt(store, "SELECT " SD_TICKET_COLS " FROM tickets WHERE hall = ?1 "
                              "AND day >= ?2 AND day <= ?3 AND number = ?4 AND window = ?5 "
                              "AND device_id = ?6 AND leased_at IS NOT NULL "
                              "ORDER BY day DESC LIMIT 1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, since, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, window, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, device_id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        sd_queue_ticket_read(st, &t, &leased_at);
        found = true;
    } else if (src != SQLITE_DONE) {
        rc = sd_store_err(store, src);
    }
    sd_store_done(st);
    if (rc != QF_OK)
        goto out;
    if (!found) {
        rc = QF_ERR_NOT_FOUND;
        goto out;
    }
    if (strcmp(t.status, "leased") != 0) {
        /* registered before: the same ticket again */
        *out_replayed = true;
    } else if (strcmp(t.day, today) != 0) {
        rc = QF_ERR_STATE;
        goto out;
    } else {
        if (issued_at < leased_at)
            issued_at = leased_at;
        if (issued_at > now)
            issued_at = now;
        st = sd_store_stmt(store, "UPDATE tickets SET status = 'waiting', issued_at = ?1, "
                                  "priority = ?2 WHERE hall = ?3 AND day = ?4 AND window = ?5 "
                                  "AND seq = ?6 AND status = 'leased'");
        if (!st) {
            rc = QF_ERR_STORAGE;
            goto out;
        }
        sqlite3_bind_int64(st, 1, issued_at);
        sqlite3_bind_int(st, 2, priority ? 1 : 0);
        sqlite3_bind_text(st, 3, t.hall, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, t.day, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, t.window, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, t.seq);
        if ((rc = sd_store_step_done(store, st)) != QF_OK)
            goto out;
        snprintf(t.status, sizeof t.status, "waiting");
        t.issued_at = issued_at;
        t.priority = priority;
    }
    if (strcmp(t.status, "waiting") == 0 &&
        (rc = sd_queue_people_ahead(store, &t, &t.people_ahead)) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    if (rc == QF_OK)
        *out = t;
    return rc;
}

qf_err sd_store_queue_call(sd_store *store, const char *hall, const char *day,
                           const char *window, const char *called_by, qf_instant now,
                           sd_ticket *out, bool *out_found)
{
    sd_ticket t = { 0 };
    sqlite3_stmt *st;
    bool found = false;
    int src;
    qf_err rc;

    *out_found = false;
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "SELECT " SD_TICKET_COLS " FROM tickets WHERE hall = ?1 "
                              "AND day = ?2 AND window = ?3 AND status = 'waiting' "
                              "ORDER BY priority DESC, issued_at, seq LIMIT 1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, window, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        sd_queue_ticket_read(st, &t, NULL);
        found = true;
    } else if (src != SQLITE_DONE) {
        rc = sd_store_err(store, src);
    }
    sd_store_done(st);
    if (rc != QF_OK || !found)
        goto commit;
    st = sd_store_stmt(store, "UPDATE tickets SET status = 'called', called_at = ?1, "
                              "called_by = ?2 WHERE hall = ?3 AND day = ?4 AND window = ?5 "
                              "AND seq = ?6");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, called_by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, window, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, t.seq);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "UPDATE queue_counters SET last_called = ?1 "
                              "WHERE hall = ?2 AND day = ?3 AND window = ?4");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, t.number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, window, -1, SQLITE_STATIC);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    snprintf(t.status, sizeof t.status, "called");
    snprintf(t.called_by, sizeof t.called_by, "%s", called_by);
    t.called_at = now;
commit:
    if (rc == QF_OK)
        rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    if (rc == QF_OK && found) {
        *out = t;
        *out_found = true;
    }
    return rc;
}

qf_err sd_store_queue_counts(sd_store *store, const char *hall, const char *day,
                             sd_queue_count **out, size_t *out_count)
{
    sd_queue_count *list = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    *out = NULL;
    *out_count = 0;
    sd_store_lock(store);
    st = sd_store_stmt(
        store, "SELECT c.window, COALESCE(SUM(t.status = 'waiting'), 0), "
               "COALESCE(SUM(t.status = 'waiting' AND t.priority <> 0), 0), "
               "COALESCE(c.last_called, '') FROM queue_counters c "
               "LEFT JOIN tickets t ON t.hall = c.hall AND t.day = c.day AND t.window = c.window "
               "WHERE c.hall = ?1 AND c.day = ?2 GROUP BY c.window ORDER BY c.window");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hall, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    while ((src = sqlite3_step(st)) == SQLITE_ROW && n < SD_QUEUE_WINDOWS_MAX) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            sd_queue_count *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        sd_queue_copy_col(st, 0, list[n].window, sizeof list[n].window);
        list[n].waiting = sqlite3_column_int64(st, 1);
        list[n].priority_waiting = sqlite3_column_int64(st, 2);
        sd_queue_copy_col(st, 3, list[n].last_called, sizeof list[n].last_called);
        n++;
    }
    if (rc == QF_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sd_store_err(store, src);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK) {
        free(list);
        return rc;
    }
    *out = list;
    *out_count = n;
    return QF_OK;
}
