/* store_help.c — help calls (呼叫帮办) in SQLite. See store_help.h for
 * the contract. Each change is one BEGIN IMMEDIATE transaction that reads
 * the row, checks the state and writes it together with its audit entry,
 * so two helpers acknowledging at once get one 200 and one 409, even when
 * qifu-ctl and the daemon share the file. */
#include "store_help.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_audit.h"

static const char *const sd_help_states[] = { "open", "acknowledged", "closed" };

const char *sd_help_state_name(sd_help_state state)
{
    return (unsigned)state < 3 ? sd_help_states[state] : "?";
}

qf_err sd_help_state_parse(const char *text, sd_help_state *out)
{
    for (int i = 0; text && i < 3; i++) {
        if (strcmp(text, sd_help_states[i]) == 0) {
            *out = (sd_help_state)i;
            return QF_OK;
        }
    }
    return QF_ERR_INVALID;
}

#define SD_HELP_SELECT                                                                     \
    "SELECT id, device_id, device_name, hall, screen, COALESCE(note, ''), state, "        \
    "created_at, COALESCE(acked_at, 0), COALESCE(acked_by, ''), COALESCE(helper_id, ''), " \
    "COALESCE(closed_at, 0), COALESCE(closed_by, ''), COALESCE(close_note, '') "          \
    "FROM help_calls "

static void sd_help_col(sqlite3_stmt *st, int col, char *buf, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(buf, len, "%s", t ? (const char *)t : "");
}

static void sd_help_from_row(sqlite3_stmt *st, sd_help_call *c)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    sd_help_col(st, 1, c->device_id, sizeof c->device_id);
    sd_help_col(st, 2, c->device_name, sizeof c->device_name);
    sd_help_col(st, 3, c->hall, sizeof c->hall);
    sd_help_col(st, 4, c->screen, sizeof c->screen);
    sd_help_col(st, 5, c->note, sizeof c->note);
    if (sd_help_state_parse((const char *)sqlite3_column_text(st, 6), &c->state) != QF_OK)
        c->state = SD_HELP_CLOSED; /* the CHECK constraint makes this unreachable */
    c->created_at = sqlite3_column_int64(st, 7);
    c->acked_at = sqlite3_column_int64(st, 8);
    sd_help_col(st, 9, c->acked_by, sizeof c->acked_by);
    sd_help_col(st, 10, c->helper_id, sizeof c->helper_id);
    c->closed_at = sqlite3_column_int64(st, 11);
    sd_help_col(st, 12, c->closed_by, sizeof c->closed_by);
    sd_help_col(st, 13, c->close_note, sizeof c->close_note);
}

/* One call under the lock the caller holds. */
static qf_err sd_help_get_locked(sd_store *store, int64_t id, sd_help_call *out)
{
    sqlite3_stmt *st = sd_store_stmt(store, SD_HELP_SELECT "WHERE id = ?1");
    qf_err rc;
    int step;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_int64(st, 1, id);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        sd_help_from_row(st, out);
        rc = QF_OK;
    } else {
        rc = step == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, step);
    }
    sd_store_done(st);
    return rc;
}

qf_err sd_store_help_call_get(sd_store *store, int64_t id, sd_help_call *out)
{
    qf_err rc;
    sd_store_lock(store);
    rc = sd_help_get_locked(store, id, out);
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_help_call_open(sd_store *store, const char *device_id, const char *screen,
                               const char *note, qf_instant now, sd_help_call *out,
                               bool *existing)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    qf_err rc;
    int step;

    *existing = false;
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    /* A citizen pressing the button again must not page every helper twice. */
    st = sd_store_stmt(store, "SELECT id FROM help_calls WHERE device_id = ?1 AND "
                              "state != 'closed' ORDER BY id DESC LIMIT 1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sd_store_done(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = sd_store_err(store, step);
        goto out;
    }
    if (id) {
        *existing = true;
        rc = sd_help_get_locked(store, id, out);
        goto out; /* nothing written: the rollback below ends the transaction */
    }
    st = sd_store_stmt(store,
                       "INSERT INTO help_calls (device_id, device_name, hall, screen, note, "
                       "state, created_at) SELECT id, name, hall, ?2, ?3, 'open', ?4 "
                       "FROM devices WHERE id = ?1 AND revoked_at IS NULL");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, screen, -1, SQLITE_TRANSIENT);
    if (note && *note)
        sqlite3_bind_text(st, 3, note, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    if (sqlite3_changes(sd_store_db(store)) == 0) {
        rc = QF_ERR_NOT_FOUND;
        goto out;
    }
    id = sqlite3_last_insert_rowid(sd_store_db(store));
    if ((rc = sd_help_get_locked(store, id, out)) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    sd_store_rollback(store); /* no-op after a commit */
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_help_call_list(sd_store *store, const sd_help_state *state, size_t limit,
                               sd_help_call **out, size_t *count)
{
    sd_help_call *list = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step = SQLITE_DONE;

    *out = NULL;
    *count = 0;
    if (limit == 0 || limit > SD_HELP_LIST_MAX)
        limit = SD_HELP_LIST_MAX;
    sd_store_lock(store);
    st = sd_store_stmt(store, SD_HELP_SELECT "WHERE ?1 IS NULL OR state = ?1 "
                                             "ORDER BY created_at DESC, id DESC LIMIT ?2");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    if (state)
        sqlite3_bind_text(st, 1, sd_help_state_name(*state), -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            sd_help_call *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        sd_help_from_row(st, &list[n++]);
    }
    if (rc == QF_OK && step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK) {
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return QF_OK;
}

/* The audit view of a call: where it came from and where it stands. */
static char *sd_help_audit_text(const sd_help_call *c)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)c->id, "device",
                          c->device_id, "screen", c->screen, "state",
                          sd_help_state_name(c->state));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

/* Moves call id to `to` under one transaction: ack (from open) or close
 * (from open or acknowledged), with the audit entry. */
static qf_err sd_help_move(sd_store *store, int64_t id, sd_help_state to, const char *actor,
                           const char *helper_id, const char *note, qf_instant now,
                           sd_help_call *out)
{
    char *before = NULL, *after = NULL;
    sd_help_call c;
    sqlite3_stmt *st;
    qf_err rc;

    if (!actor || !*actor || strlen(actor) > SD_HELP_ACTOR_MAX)
        return QF_ERR_INVALID;
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_help_get_locked(store, id, &c)) != QF_OK)
        goto out;
    if ((to == SD_HELP_ACKNOWLEDGED && c.state != SD_HELP_OPEN) ||
        (to == SD_HELP_CLOSED && c.state == SD_HELP_CLOSED)) {
        if (out)
            *out = c;
        rc = QF_ERR_STATE;
        goto out;
    }
    if (!(before = sd_help_audit_text(&c))) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    if (to == SD_HELP_ACKNOWLEDGED)
        st = sd_store_stmt(store, "UPDATE help_calls SET state = 'acknowledged', acked_at = ?2, "
                                  "acked_by = ?3, helper_id = ?4 WHERE id = ?1");
    else
        st = sd_store_stmt(store, "UPDATE help_calls SET state = 'closed', closed_at = ?2, "
                                  "closed_by = ?3, close_note = ?4 WHERE id = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, actor, -1, SQLITE_TRANSIENT);
    {
        const char *fourth = to == SD_HELP_ACKNOWLEDGED ? helper_id : note;
        if (fourth && *fourth)
            sqlite3_bind_text(st, 4, fourth, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 4);
    }
    if ((rc = sd_store_step_done(store, st)) != QF_OK ||
        (rc = sd_help_get_locked(store, id, &c)) != QF_OK)
        goto out;
    if (!(after = sd_help_audit_text(&c))) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    if ((rc = sd_store_audit_append(store, now, actor,
                                    to == SD_HELP_ACKNOWLEDGED ? "help.ack" : "help.close", NULL,
                                    before, after, NULL)) != QF_OK ||
        (rc = sd_store_commit(store)) != QF_OK)
        goto out;
    if (out)
        *out = c;
out:
    sd_store_rollback(store); /* no-op after a commit */
    sd_store_unlock(store);
    free(before);
    free(after);
    return rc;
}

qf_err sd_store_help_call_ack(sd_store *store, int64_t id, const char *actor,
                              const char *helper_id, qf_instant now, sd_help_call *out)
{
    return sd_help_move(store, id, SD_HELP_ACKNOWLEDGED, actor, helper_id, NULL, now, out);
}

qf_err sd_store_help_call_close(sd_store *store, int64_t id, const char *actor,
                                const char *note, qf_instant now, sd_help_call *out)
{
    return sd_help_move(store, id, SD_HELP_CLOSED, actor, NULL, note, now, out);
}

/* ---- the API view --------------------------------------------------------- */

static json_t *sd_help_instant(qf_instant t)
{
    char buf[32];
    if (!t)
        return json_null();
    qf_clock_format_iso8601(t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *sd_help_text_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

json_t *sd_help_call_to_json(const sd_help_call *c, qf_instant now)
{
    qf_instant end = c->closed_at ? c->closed_at : now;
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:I}", "id", (json_int_t)c->id,
                          "device_id", c->device_id, "device_name", c->device_name, "hall",
                          c->hall, "screen", c->screen, "note", sd_help_text_or_null(c->note),
                          "state", sd_help_state_name(c->state), "created_at",
                          sd_help_instant(c->created_at), "age_s",
                          (json_int_t)(end > c->created_at ? end - c->created_at : 0));
    if (!o)
        return NULL;
    json_object_set_new(o, "acknowledged_at", sd_help_instant(c->acked_at));
    json_object_set_new(o, "acknowledged_by", sd_help_text_or_null(c->acked_by));
    json_object_set_new(o, "helper_id", sd_help_text_or_null(c->helper_id));
    json_object_set_new(o, "response_s",
                        c->acked_at ? json_integer(c->acked_at > c->created_at
                                                       ? c->acked_at - c->created_at
                                                       : 0)
                                    : json_null());
    json_object_set_new(o, "closed_at", sd_help_instant(c->closed_at));
    json_object_set_new(o, "closed_by", sd_help_text_or_null(c->closed_by));
    json_object_set_new(o, "close_note", sd_help_text_or_null(c->close_note));
    return o;
}

/* ---- statistics ---------------------------------------------------------- */

static int sd_help_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the ⌈pct·n/100⌉-th smallest of sorted v[0..n). */
static int64_t sd_help_rank(const int64_t *v, size_t n, unsigned pct)
{
    size_t k = (pct * n + 99) / 100;
    return n ? v[k ? k - 1 : 0] : 0;
}

static void sd_help_row_fill(sd_help_stats_row *row, const int64_t *sorted, size_t n)
{
    row->acknowledged = n;
    row->median_s = sd_help_rank(sorted, n, 50);
    row->p90_s = sd_help_rank(sorted, n, 90);
    row->max_s = n ? sorted[n - 1] : 0;
}

void sd_help_stats_cleanup(sd_help_stats *stats)
{
    if (!stats)
        return;
    free(stats->helpers);
    stats->helpers = NULL;
    stats->nhelpers = 0;
}

qf_err sd_store_help_stats(sd_store *store, qf_instant from, qf_instant to, sd_help_stats *out)
{
    int64_t *times = NULL, *sorted = NULL;
    size_t n = 0, cap = 0, start = 0, hcap = 0;
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step = SQLITE_DONE;

    memset(out, 0, sizeof *out);
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT state, count(*), "
                              "sum(state = 'closed' AND acked_at IS NULL) FROM help_calls "
                              "WHERE created_at >= ?1 AND created_at < ?2 GROUP BY state");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        sd_help_state s;
        size_t k = (size_t)sqlite3_column_int64(st, 1);
        if (sd_help_state_parse((const char *)sqlite3_column_text(st, 0), &s) != QF_OK)
            continue;
        out->calls += k;
        if (s == SD_HELP_OPEN)
            out->open = k;
        else if (s == SD_HELP_ACKNOWLEDGED)
            out->acknowledged = k;
        else
            out->closed = k;
        if (s == SD_HELP_CLOSED)
            out->closed_unacknowledged = (size_t)sqlite3_column_int64(st, 2);
    }
    sd_store_done(st);
    if (step != SQLITE_DONE) {
        rc = sd_store_err(store, step);
        goto out;
    }

    /* Response times, grouped by who answered and sorted within the group:
     * one pass gives every helper's ranks. */
    st = sd_store_stmt(store, "SELECT COALESCE(helper_id, acked_by, ''), acked_at - created_at "
                              "FROM help_calls WHERE created_at >= ?1 AND created_at < ?2 AND "
                              "acked_at IS NOT NULL ORDER BY 1, 2 LIMIT ?3");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int64(st, 3, SD_HELP_STATS_MAX + 1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *who = (const char *)sqlite3_column_text(st, 0);
        int64_t secs = sqlite3_column_int64(st, 1);
        if (n == SD_HELP_STATS_MAX) {
            rc = QF_ERR_LIMIT;
            break;
        }
        if (!who)
            who = "";
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            int64_t *grown = realloc(times, ncap * sizeof *grown);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            times = grown;
            cap = ncap;
        }
        if (out->nhelpers == 0 || strcmp(out->helpers[out->nhelpers - 1].who, who) != 0) {
            if (out->nhelpers)
                sd_help_row_fill(&out->helpers[out->nhelpers - 1], times + start, n - start);
            if (out->nhelpers == hcap) {
                size_t ncap = hcap ? hcap * 2 : 8;
                sd_help_stats_row *grown = realloc(out->helpers, ncap * sizeof *grown);
                if (!grown) {
                    rc = QF_ERR_NOMEM;
                    break;
                }
                out->helpers = grown;
                hcap = ncap;
            }
            memset(&out->helpers[out->nhelpers], 0, sizeof out->helpers[0]);
            snprintf(out->helpers[out->nhelpers].who, sizeof out->helpers[0].who, "%s", who);
            out->nhelpers++;
            start = n;
        }
        times[n++] = secs < 0 ? 0 : secs; /* a clock stepped back must not go negative */
    }
    if (rc == QF_OK && step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    if (rc != QF_OK)
        goto out;
    if (out->nhelpers)
        sd_help_row_fill(&out->helpers[out->nhelpers - 1], times + start, n - start);
    if (n) {
        if (!(sorted = malloc(n * sizeof *sorted))) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        memcpy(sorted, times, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, sd_help_cmp_i64);
    }
    sd_help_row_fill(&out->all, sorted, n);
out:
    sd_store_unlock(store);
    free(times);
    free(sorted);
    return rc;
}
