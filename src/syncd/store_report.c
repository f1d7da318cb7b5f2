/* store_report.c — the SQL and arithmetic of the period report and the
 * helper scorecard, and the helper activity log. See store_report.h for
 * every definition; the comments here say how, not what.
 *
 * The report reads the cases of the range once, sorted by group key then
 * credit code, so groups are contiguous and distinct enterprises are
 * counted by comparing neighbours; nothing is held per case. The rules'
 * state is decoded from cases.state with sd_case_state_from_json, so the
 * numbers do not depend on the denormalized columns. */
#include "store_report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_case.h"
#include "qf_log.h"
#include "store_audit.h"
#include "store_cases.h"

static const char *const sd_report_by_names[SD_REPORT_BY__COUNT] = {
    [SD_REPORT_BY_NONE] = "none",       [SD_REPORT_BY_BOARD] = "board",
    [SD_REPORT_BY_UNIT] = "unit",       [SD_REPORT_BY_HELPER] = "helper",
    [SD_REPORT_BY_CHANNEL] = "channel",
};

qf_err sd_report_by_parse(const char *name, sd_report_by *out)
{
    for (int i = 0; name && i < SD_REPORT_BY__COUNT; i++) {
        if (strcmp(sd_report_by_names[i], name) == 0) {
            *out = (sd_report_by)i;
            return QF_OK;
        }
    }
    return QF_ERR_INVALID;
}

const char *sd_report_by_name(sd_report_by by)
{
    return (int)by >= 0 && by < SD_REPORT_BY__COUNT ? sd_report_by_names[by] : "?";
}

/* ---- shared helpers ------------------------------------------------------ */

static json_t *sd_rep_instant(qf_instant t)
{
    char buf[32];
    if (t == QF_CASE_NO_TIME)
        return json_null();
    qf_clock_format_iso8601(t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *sd_rep_day(qf_day d)
{
    char buf[16];
    qf_day_format(d, buf, sizeof buf);
    return json_string(buf);
}

/* x rounded to `places` decimals (x >= 0), or null when den is 0. */
static json_t *sd_rep_ratio(long num, long den, int places)
{
    double scale = places == 2 ? 100.0 : 10000.0;
    double x;
    if (den <= 0)
        return json_null();
    x = (double)num / (double)den;
    return json_real((double)(long long)(x * scale + 0.5) / scale);
}

static json_t *sd_rep_round(double x, int places)
{
    double scale = places == 1 ? 10.0 : 100.0;
    return json_real((double)(long long)(x * scale + (x >= 0 ? 0.5 : -0.5)) / scale);
}

static bool sd_rep_decode(const char *text, const char *no, qf_case_state *out)
{
    json_t *obj = text ? json_loads(text, 0, NULL) : NULL;
    char why[160] = "no state";
    qf_err rc = obj ? sd_case_state_from_json(obj, out, why, sizeof why) : QF_ERR_INVALID;
    json_decref(obj);
    if (rc != QF_OK) {
        qf_error("report: case %s has an unreadable state, left out: %s", no ? no : "?", why);
        return false;
    }
    return true;
}

/* ---- the report ---------------------------------------------------------- */

typedef struct sd_rep_row {
    char *key;               /* owned; "" for an empty key */
    long received, withdrawn, untriaged, triaged, in_progress, finished, finished_on_time,
        closed, resolved, reopened, rated, satisfied, score_sum, overdue_now, supervised,
        enterprises;
} sd_rep_row;

static void sd_rep_row_add(sd_rep_row *to, const sd_rep_row *r)
{
    to->received += r->received;
    to->withdrawn += r->withdrawn;
    to->untriaged += r->untriaged;
    to->triaged += r->triaged;
    to->in_progress += r->in_progress;
    to->finished += r->finished;
    to->finished_on_time += r->finished_on_time;
    to->closed += r->closed;
    to->resolved += r->resolved;
    to->reopened += r->reopened;
    to->rated += r->rated;
    to->satisfied += r->satisfied;
    to->score_sum += r->score_sum;
    to->overdue_now += r->overdue_now;
    to->supervised += r->supervised;
    /* enterprises: distinct, not additive; the caller counts the total */
}

/* One case into its row. */
static void sd_rep_count(sd_rep_row *row, const qf_case_state *cs, const char *rating,
                         bool supervised, qf_instant now)
{
    int score = sd_case_rating_score(rating); /* 1..5, 0 when unrated */
    bool finished = cs->status == QF_CASE_LEAD_FINISHED || cs->status == QF_CASE_CLOSED;

    row->received++;
    row->withdrawn += cs->status == QF_CASE_WITHDRAWN;
    row->untriaged += cs->status == QF_CASE_SUBMITTED;
    row->triaged += cs->triaged_at != QF_CASE_NO_TIME;
    row->in_progress += cs->status == QF_CASE_IN_PROGRESS;
    row->finished += finished;
    row->finished_on_time += finished && cs->finished_at != QF_CASE_NO_TIME &&
                             cs->deadline != QF_CASE_NO_TIME && cs->finished_at <= cs->deadline;
    row->closed += cs->status == QF_CASE_CLOSED;
    row->resolved += cs->status == QF_CASE_CLOSED && cs->reopen_count == 0;
    row->reopened += cs->reopen_count > 0;
    if (score) {
        row->rated++;
        row->satisfied += score >= 4;
        row->score_sum += score;
    }
    row->overdue_now += qf_case_is_overdue(cs, now);
    row->supervised += supervised;
}

/* The name of a group key: a catalog board or unit, a staff member, a
 * channel's label. Owned string or NULL. */
static char *sd_rep_label(sd_store *store, sd_report_by by, const char *key)
{
    sqlite3_stmt *st = NULL;
    char *label = NULL;
    qf_case_channel ch;

    if (!*key) {
        return strdup(by == SD_REPORT_BY_UNIT ? "(untriaged)" : "(none)");
    }
    switch (by) {
    case SD_REPORT_BY_BOARD:
    case SD_REPORT_BY_UNIT:
        st = sd_store_stmt(store, "SELECT json_extract(body, '$.name') FROM catalog_items "
                                  "WHERE section = ?1 AND id = ?2 AND deleted = 0");
        if (st) {
            sqlite3_bind_text(st, 1, by == SD_REPORT_BY_BOARD ? "boards" : "units", -1,
                              SQLITE_STATIC);
            sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        }
        break;
    case SD_REPORT_BY_HELPER:
        st = sd_store_stmt(store, "SELECT name FROM staff WHERE id = ?1");
        if (st)
            sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        break;
    case SD_REPORT_BY_CHANNEL:
        return qf_case_channel_parse(key, &ch) == QF_OK ? strdup(qf_case_channel_label(ch))
                                                        : NULL;
    default:
        return NULL;
    }
    if (st && sqlite3_step(st) == SQLITE_ROW)
        label = sd_store_col_dup(st, 0);
    sd_store_done(st);
    return label;
}

static json_t *sd_rep_row_json(const sd_rep_row *r, json_t *group, json_t *label)
{
    long counted = r->received - r->withdrawn;
    json_t *o = json_object();
    struct {
        const char *name;
        json_t *v;
    } f[] = {
        { "group", group },
        { "label", label },
        { "received", json_integer(r->received) },
        { "withdrawn", json_integer(r->withdrawn) },
        { "untriaged", json_integer(r->untriaged) },
        { "triaged", json_integer(r->triaged) },
        { "in_progress", json_integer(r->in_progress) },
        { "finished", json_integer(r->finished) },
        { "finished_on_time", json_integer(r->finished_on_time) },
        { "closed", json_integer(r->closed) },
        { "resolved", json_integer(r->resolved) },
        { "reopened", json_integer(r->reopened) },
        { "counted", json_integer(counted) },
        { "finish_rate", sd_rep_ratio(r->finished_on_time, counted, 4) },
        { "resolution_rate", sd_rep_ratio(r->resolved, counted, 4) },
        { "rated", json_integer(r->rated) },
        { "satisfied", json_integer(r->satisfied) },
        { "satisfaction_rate", sd_rep_ratio(r->satisfied, r->rated, 4) },
        { "avg_score", sd_rep_ratio(r->score_sum, r->rated, 2) },
        { "overdue_now", json_integer(r->overdue_now) },
        { "supervised", json_integer(r->supervised) },
        { "enterprises", json_integer(r->enterprises) },
    };
    bool ok = o != NULL;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!ok || !f[i].v) {
            json_decref(f[i].v); /* not handed over: released here */
            ok = false;
        } else if (json_object_set_new(o, f[i].name, f[i].v) != 0) {
            ok = false;          /* json_object_set_new released it */
        }
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static void sd_rep_rows_free(sd_rep_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].key);
    free(rows);
}

/* Reads the range into rows (one per key, in key order) and the overdue
 * list; under the lock. */
static qf_err sd_rep_scan(sd_store *store, qf_instant t0, qf_instant t1, sd_report_by by,
                          qf_instant now, sd_rep_row **rows_out, size_t *nrows_out,
                          json_t *overdue, bool *overdue_truncated)
{
    static const char sql[] =
        "SELECT CASE ?3 WHEN 1 THEN coalesce(board, '') "
        "WHEN 2 THEN coalesce(json_extract(state, '$.lead_unit'), '') "
        "WHEN 3 THEN coalesce(helper_id, '') WHEN 4 THEN channel ELSE '' END AS g, "
        "no, uscc, state, rating, "
        "EXISTS (SELECT 1 FROM supervision s WHERE s.case_no = cases.no) "
        "FROM cases WHERE created_at >= ?1 AND created_at < ?2 ORDER BY g, uscc, no";
    sqlite3_stmt *st = sd_store_stmt(store, sql);
    sd_rep_row *rows = NULL;
    size_t n = 0, cap = 0;
    char *last_uscc = NULL;
    qf_err rc = QF_OK;
    int step;

    *rows_out = NULL;
    *nrows_out = 0;
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_int64(st, 1, t0);
    sqlite3_bind_int64(st, 2, t1);
    sqlite3_bind_int(st, 3, (int)by);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *no = (const char *)sqlite3_column_text(st, 1);
        const char *uscc = (const char *)sqlite3_column_text(st, 2);
        qf_case_state cs;
        sd_rep_row *row;

        if (!key)
            key = "";
        if (!sd_rep_decode((const char *)sqlite3_column_text(st, 3), no, &cs))
            continue;
        if (n == 0 || strcmp(rows[n - 1].key, key) != 0) {
            if (n == SD_REPORT_GROUPS_MAX) {
                rc = QF_ERR_LIMIT;
                break;
            }
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                sd_rep_row *grown = realloc(rows, ncap * sizeof *grown);
                if (!grown) {
                    rc = QF_ERR_NOMEM;
                    break;
                }
                rows = grown;
                cap = ncap;
            }
            memset(&rows[n], 0, sizeof rows[n]);
            if (!(rows[n].key = strdup(key))) {
                rc = QF_ERR_NOMEM;
                break;
            }
            n++;
            free(last_uscc);
            last_uscc = NULL;
        }
        row = &rows[n - 1];
        if (uscc && (!last_uscc || strcmp(last_uscc, uscc) != 0)) {
            row->enterprises++;
            free(last_uscc);
            if (!(last_uscc = strdup(uscc))) {
                rc = QF_ERR_NOMEM;
                break;
            }
        }
        sd_rep_count(row, &cs, (const char *)sqlite3_column_text(st, 4),
                     sqlite3_column_int(st, 5) != 0, now);
        if (qf_case_is_overdue(&cs, now)) {
            json_t *o;
            if (json_array_size(overdue) == SD_REPORT_OVERDUE_MAX) {
                *overdue_truncated = true;
                continue;
            }
            o = json_pack("{s:s?,s:o,s:s,s:o,s:o,s:I}", "case_no", no, "group",
                          *key ? json_string(key) : json_null(), "kind",
                          qf_case_kind_name(cs.kind), "lead_unit",
                          cs.lead_unit[0] ? json_string(cs.lead_unit) : json_null(), "deadline",
                          sd_rep_instant(cs.deadline), "overdue_by_s",
                          (json_int_t)(now - cs.deadline));
            if (!o || json_array_append_new(overdue, o) != 0) {
                rc = QF_ERR_NOMEM;
                break;
            }
        }
    }
    if (rc == QF_OK && step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    free(last_uscc);
    if (rc != QF_OK) {
        sd_rep_rows_free(rows, n);
        return rc;
    }
    *rows_out = rows;
    *nrows_out = n;
    return QF_OK;
}

static int sd_rep_overdue_cmp(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t dx = json_integer_value(json_object_get(x, "overdue_by_s"));
    json_int_t dy = json_integer_value(json_object_get(y, "overdue_by_s"));
    if (dx != dy)
        return dx > dy ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "case_no")),
                  json_string_value(json_object_get(y, "case_no")));
}

/* Most overdue first. */
static json_t *sd_rep_overdue_sorted(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **items = n ? malloc(n * sizeof *items) : NULL;
    json_t *out = json_array();
    if (!out || (n && !items)) {
        free(items);
        json_decref(out);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = json_array_get(arr, i);
    if (n)
        qsort(items, n, sizeof *items, sd_rep_overdue_cmp);
    for (size_t i = 0; i < n; i++) {
        if (json_array_append(out, items[i]) != 0) {
            json_decref(out);
            out = NULL;
            break;
        }
    }
    free(items);
    return out;
}

qf_err sd_store_report(sd_store *store, qf_day from, qf_day to, sd_report_by by, qf_instant now,
                       json_t **out, char *err, size_t errlen)
{
    qf_instant t0 = qf_day_at(from, 0, 0), t1 = qf_day_at(to + 1, 0, 0);
    json_t *overdue = json_array(), *groups = json_array(), *sorted = NULL, *total_json = NULL;
    json_t *doc = NULL;
    bool overdue_truncated = false;
    sd_rep_row *rows = NULL, total;
    size_t nrows = 0;
    sqlite3_stmt *st;
    qf_err rc;
    int step;

    *out = NULL;
    memset(&total, 0, sizeof total);
    if (to < from || to - from >= SD_REPORT_DAYS_MAX) {
        json_decref(overdue);
        json_decref(groups);
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "the range must run forward and span at most %d days",
                          SD_REPORT_DAYS_MAX);
    }
    if ((int)by < 0 || by >= SD_REPORT_BY__COUNT || !overdue || !groups) {
        json_decref(overdue);
        json_decref(groups);
        return qf_err_set(err, errlen, by >= SD_REPORT_BY__COUNT ? QF_ERR_INVALID : QF_ERR_NOMEM,
                          "cannot build the report");
    }
    sd_store_lock(store);
    rc = sd_rep_scan(store, t0, t1, by, now, &rows, &nrows, overdue, &overdue_truncated);
    if (rc != QF_OK)
        goto out;
    st = sd_store_stmt(store, "SELECT count(DISTINCT uscc) FROM cases "
                              "WHERE created_at >= ?1 AND created_at < ?2");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, t0);
    sqlite3_bind_int64(st, 2, t1);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        total.enterprises = (long)sqlite3_column_int64(st, 0);
    else
        rc = sd_store_err(store, step);
    sd_store_done(st);
    for (size_t i = 0; rc == QF_OK && i < nrows; i++) {
        json_t *row;
        char *label;
        sd_rep_row_add(&total, &rows[i]);
        if (by == SD_REPORT_BY_NONE)
            continue;
        label = sd_rep_label(store, by, rows[i].key);
        row = sd_rep_row_json(&rows[i], *rows[i].key ? json_string(rows[i].key) : json_null(),
                              label ? json_string(label) : json_null());
        free(label);
        if (!row || json_array_append_new(groups, row) != 0)
            rc = QF_ERR_NOMEM;
    }
out:
    sd_store_unlock(store);
    sd_rep_rows_free(rows, nrows);
    if (rc == QF_OK) {
        total_json = sd_rep_row_json(&total, json_null(), json_string("(total)"));
        sorted = sd_rep_overdue_sorted(overdue);
        if (total_json && sorted)
            doc = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "from", sd_rep_day(from), "to",
                            sd_rep_day(to), "by",
                            by == SD_REPORT_BY_NONE ? json_null()
                                                    : json_string(sd_report_by_name(by)),
                            "now", sd_rep_instant(now), "groups", json_incref(groups), "total",
                            json_incref(total_json), "overdue", json_incref(sorted),
                            "overdue_truncated", overdue_truncated);
        if (!doc)
            rc = QF_ERR_NOMEM;
    }
    json_decref(total_json);
    json_decref(sorted);
    json_decref(groups);
    json_decref(overdue);
    if (rc != QF_OK) {
        json_decref(doc);
        if (rc == QF_ERR_LIMIT)
            return qf_err_set(err, errlen, rc, "more than %d groups: narrow the range",
                              SD_REPORT_GROUPS_MAX);
        return qf_err_set(err, errlen, rc, "the report could not be read: %s", qf_err_str(rc));
    }
    *out = doc;
    return QF_OK;
}

/* ---- helper activity ------------------------------------------------------ */

static bool sd_rep_text_ok(const char *s, size_t max)
{
    if (!s)
        return true;
    if (strlen(s) > max)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/* Is `helper` a helper account? Under the lock. allow_disabled for reads. */
static qf_err sd_rep_helper_check(sd_store *store, const char *helper, bool allow_disabled,
                                  char **name_out, char *err, size_t errlen)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT role, disabled_at, name FROM staff "
                                            "WHERE id = ?1");
    qf_err rc = QF_OK;
    int step;

    if (name_out)
        *name_out = NULL;
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, helper, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *role = (const char *)sqlite3_column_text(st, 0);
        if (!role || strcmp(role, "helper") != 0)
            rc = qf_err_set(err, errlen, QF_ERR_STATE,
                            "staff %s has the role %s, not helper (助企员)", helper,
                            role ? role : "?");
        else if (!allow_disabled && sqlite3_column_type(st, 1) != SQLITE_NULL)
            rc = qf_err_set(err, errlen, QF_ERR_STATE, "helper %s is disabled", helper);
        else if (name_out && !(*name_out = sd_store_col_dup(st, 2)))
            rc = QF_ERR_NOMEM;
    } else if (step == SQLITE_DONE) {
        rc = qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "no staff account %s", helper);
    } else {
        rc = sd_store_err(store, step);
    }
    sd_store_done(st);
    return rc;
}

qf_err sd_store_helper_log(sd_store *store, const char *helper, qf_instant at, const char *kind,
                           const char *enterprise, const char *note, const char *actor,
                           qf_instant now, int64_t *id_out, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    json_t *after = NULL;
    char *after_text = NULL;
    int64_t id = 0;
    qf_err rc;

    if (!helper || !*helper || strlen(helper) > 64 || !actor || !*actor)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no helper id or actor given");
    if (!kind || (strcmp(kind, "contact") != 0 && strcmp(kind, "visit") != 0 &&
                  strcmp(kind, "upload") != 0))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "kind must be contact, visit or upload");
    if (!sd_rep_text_ok(enterprise, SD_HELPER_ENTERPRISE_MAX) ||
        !sd_rep_text_ok(note, SD_HELPER_NOTE_MAX))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "enterprise (%d bytes) or note (%d bytes) too long or holds control "
                          "characters",
                          SD_HELPER_ENTERPRISE_MAX, SD_HELPER_NOTE_MAX);
    if (at <= 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no instant given");

    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_rep_helper_check(store, helper, false, NULL, err, errlen)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "INSERT INTO helper_activity (helper, at, kind, enterprise, note) "
                              "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, helper, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    if (enterprise && *enterprise)
        sqlite3_bind_text(st, 4, enterprise, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 4);
    if (note && *note)
        sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    id = sqlite3_last_insert_rowid(sd_store_db(store));
    after = json_pack("{s:I,s:s,s:o,s:s,s:s?,s:s?}", "id", (json_int_t)id, "helper", helper,
                      "at", sd_rep_instant(at), "kind", kind, "enterprise",
                      enterprise && *enterprise ? enterprise : NULL, "note",
                      note && *note ? note : NULL);
    after_text = after ? json_dumps(after, JSON_COMPACT) : NULL;
    if (!after_text) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    if ((rc = sd_store_audit_append(store, now, actor, "helper.log", NULL, NULL, after_text,
                                    NULL)) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    json_decref(after);
    free(after_text);
    if (rc == QF_OK && id_out)
        *id_out = id;
    if (rc == QF_ERR_STORAGE || rc == QF_ERR_NOMEM)
        qf_err_set(err, errlen, rc, "the activity could not be stored");
    return rc;
}

/* ---- the helper scorecard ------------------------------------------------- */

/* One integer from a statement binding (helper, t0, t1[, text]). */
static qf_err sd_rep_scalar(sd_store *store, const char *sql, const char *helper, qf_instant t0,
                            qf_instant t1, const char *text, double *out)
{
    sqlite3_stmt *st = sd_store_stmt(store, sql);
    qf_err rc = QF_OK;
    int step;

    *out = 0;
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, helper, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, t0);
    sqlite3_bind_int64(st, 3, t1);
    if (text)
        sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *out = sqlite3_column_double(st, 0);
    else
        rc = sd_store_err(store, step);
    sd_store_done(st);
    return rc;
}

typedef struct sd_rep_helper_cases {
    long uploaded, on_time, late, pending, resolved;
} sd_rep_helper_cases;

/* The cases the helper submitted in [t0, t1), judged at now. */
static qf_err sd_rep_helper_cases_read(sd_store *store, const char *helper, qf_instant t0,
                                       qf_instant t1, qf_instant now, sd_rep_helper_cases *out)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT no, state FROM cases WHERE helper_id = ?1 "
                                            "AND created_at >= ?2 AND created_at < ?3");
    qf_err rc = QF_OK;
    int step;

    memset(out, 0, sizeof *out);
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, helper, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, t0);
    sqlite3_bind_int64(st, 3, t1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        qf_case_state cs;
        bool finished;
        if (!sd_rep_decode((const char *)sqlite3_column_text(st, 1),
                           (const char *)sqlite3_column_text(st, 0), &cs) ||
            cs.status == QF_CASE_WITHDRAWN)
            continue;
        finished = cs.status == QF_CASE_LEAD_FINISHED || cs.status == QF_CASE_CLOSED;
        out->uploaded++;
        if (finished && cs.finished_at != QF_CASE_NO_TIME && cs.finished_at <= cs.deadline)
            out->on_time++;
        else if (finished || qf_case_is_overdue(&cs, now))
            out->late++;
        else
            out->pending++; /* untriaged, or open within its limit */
        out->resolved += cs.status == QF_CASE_CLOSED && cs.reopen_count == 0;
    }
    if (step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    return rc;
}

static double sd_rep_floor0(double x)
{
    return x > 0 ? x : 0.0;
}

/* Adds {"value": v, "rule": rule} under name. v is stolen. */
static bool sd_rep_field(json_t *fields, const char *name, json_t *v, const char *rule)
{
    json_t *f = v ? json_pack("{s:o,s:s}", "value", v, "rule", rule) : NULL;
    return f && json_object_set_new(fields, name, f) == 0;
}

/* Adds one scoring item; points NULL means "not decided by the system". */
static bool sd_rep_score(json_t *scores, const char *item, const char *item_zh, int max,
                         json_t *points, const char *basis, double *sum, int *sum_max)
{
    json_t *o;
    if (points && !json_is_null(points)) {
        *sum += json_number_value(points);
        *sum_max += max;
    }
    o = json_pack("{s:s,s:s,s:i,s:o,s:s}", "item", item, "item_zh", item_zh, "max", max,
                  "points", points ? points : json_null(), "basis", basis);
    return o && json_array_append_new(scores, o) == 0;
}

qf_err sd_store_helper_scorecard(sd_store *store, const char *helper, int year, int month,
                                 qf_instant now, json_t **out, char *err, size_t errlen)
{
    static const char sql_kind[] =
        "SELECT count(*) FROM helper_activity WHERE helper = ?1 AND at >= ?2 AND at < ?3 "
        "AND kind = ?4";
    static const char sql_reached[] =
        "SELECT count(DISTINCT enterprise) FROM helper_activity WHERE helper = ?1 AND "
        "at >= ?2 AND at < ?3 AND kind IN ('contact', 'visit') AND enterprise IS NOT NULL";
    static const char sql_rated_n[] =
        "SELECT count(*) FROM ratings WHERE kind = 'helper' AND subject IN (?1, 'staff:' || ?1) "
        "AND at >= ?2 AND at < ?3";
    static const char sql_rated_avg[] =
        "SELECT coalesce(avg(score), 0) FROM ratings WHERE kind = 'helper' AND "
        "subject IN (?1, 'staff:' || ?1) AND at >= ?2 AND at < ?3";
    static const char sql_given[] =
        "SELECT count(*) FROM ratings WHERE kind = 'lead' AND rater IN (?1, 'staff:' || ?1) "
        "AND at >= ?2 AND at < ?3";
    qf_day d0, d1, dprev;
    qf_instant t0, t1, tprev;
    double contacts = 0, visits = 0, visits2 = 0, reached = 0, uploads = 0, rated = 0,
           avg_stars = 0, given = 0, sum = 0;
    int sum_max = 0, py = year, pm = month - 1;
    sd_rep_helper_cases hc;
    json_t *doc = NULL, *fields = NULL, *scores = NULL;
    char *name = NULL, month_text[16];
    bool contact_met, visit_met, ok;
    long problems;
    qf_err rc;

    *out = NULL;
    if (!helper || !*helper || year < 1970 || year > 9998 || month < 1 || month > 12)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "a helper id and a month are needed");
    if (pm == 0) {
        pm = 12;
        py--;
    }
    d0 = qf_day_from_ymd(year, month, 1);
    d1 = month == 12 ? qf_day_from_ymd(year + 1, 1, 1) : qf_day_from_ymd(year, month + 1, 1);
    dprev = qf_day_from_ymd(py, pm, 1);
    t0 = qf_day_at(d0, 0, 0);
    t1 = qf_day_at(d1, 0, 0);
    tprev = qf_day_at(dprev, 0, 0);
    snprintf(month_text, sizeof month_text, "%04d-%02d", year, month);

    sd_store_lock(store);
    if ((rc = sd_rep_helper_check(store, helper, true, &name, err, errlen)) != QF_OK)
        goto out;
    if ((rc = sd_rep_scalar(store, sql_kind, helper, t0, t1, "contact", &contacts)) ||
        (rc = sd_rep_scalar(store, sql_kind, helper, t0, t1, "visit", &visits)) ||
        (rc = sd_rep_scalar(store, sql_kind, helper, tprev, t1, "visit", &visits2)) ||
        (rc = sd_rep_scalar(store, sql_kind, helper, t0, t1, "upload", &uploads)) ||
        (rc = sd_rep_scalar(store, sql_reached, helper, t0, t1, NULL, &reached)) ||
        (rc = sd_rep_scalar(store, sql_rated_n, helper, t0, t1, NULL, &rated)) ||
        (rc = sd_rep_scalar(store, sql_rated_avg, helper, t0, t1, NULL, &avg_stars)) ||
        (rc = sd_rep_scalar(store, sql_given, helper, t0, t1, NULL, &given)) ||
        (rc = sd_rep_helper_cases_read(store, helper, t0, t1, now, &hc)))
        goto out;
    sd_store_unlock(store);

    contact_met = contacts + visits >= 1;
    visit_met = visits2 >= 1;
    problems = hc.uploaded + (long)uploads;
    fields = json_object();
    scores = json_array();
    ok = fields && scores;
    ok = ok &&
         sd_rep_field(fields, "contacts", json_integer((long)contacts),
                      "一月一联系: contacts logged this month "
                      "(管理办法 一、(一)1; 评分细则 1 走访服务)") &&
         sd_rep_field(fields, "visits", json_integer((long)visits),
                      "visits (走访) logged this month, each with its record uploaded "
                      "(评分细则 1)") &&
         sd_rep_field(fields, "visits_two_months", json_integer((long)visits2),
                      "两月一走访: visits logged this month and the month before "
                      "(管理办法 一、(一)1)") &&
         sd_rep_field(fields, "enterprises_reached", json_integer((long)reached),
                      "distinct enterprises contacted or visited this month; qifu keeps no "
                      "pairing list, so coverage of every paired enterprise is not checked") &&
         sd_rep_field(fields, "contact_met", json_boolean(contact_met),
                      "一月一联系 met: at least one contact or visit this month") &&
         sd_rep_field(fields, "visit_met", json_boolean(visit_met),
                      "两月一走访 met: at least one visit in the two-month window") &&
         sd_rep_field(fields, "problems_uploaded", json_integer(hc.uploaded),
                      "问题上传: cases submitted this month with this helper (helper_id), "
                      "withdrawn ones left out (管理办法 一、(一)2, (二)1; 评分细则 2)") &&
         sd_rep_field(fields, "records_uploaded", json_integer((long)uploads),
                      "办事记录 uploaded for problems solved on the spot (管理办法 一、(二)1), "
                      "logged with `helper log --kind upload`") &&
         sd_rep_field(fields, "handled_on_time", json_integer(hc.on_time),
                      "办结率: of those cases, finished (办结) within the 135 time limit "
                      "(评分细则 3)") &&
         sd_rep_field(fields, "late", json_integer(hc.late),
                      "未按照135时效办结: finished after the limit, or still open past it now "
                      "(评分细则 3: 5 points off each)") &&
         sd_rep_field(fields, "pending", json_integer(hc.pending),
                      "not yet finished and still within the limit (or not yet triaged)") &&
         sd_rep_field(fields, "resolved", json_integer(hc.resolved),
                      "解决率: closed with the enterprise's 已解决 and never reopened by 未解决 "
                      "(评分细则 4)") &&
         sd_rep_field(fields, "resolution_rate", sd_rep_ratio(hc.resolved, hc.uploaded, 4),
                      "resolved / problems_uploaded (评分细则 4: 100% gives 10 points)") &&
         sd_rep_field(fields, "ratings_received", json_integer((long)rated),
                      "企业评价: enterprises' ratings of this helper this month (ratings of "
                      "kind helper; 管理办法 一、(五)2, 评分细则 6)") &&
         sd_rep_field(fields, "average_stars",
                      rated > 0 ? sd_rep_round(avg_stars, 2) : json_null(),
                      "mean stars (1–5) of those ratings") &&
         sd_rep_field(fields, "lead_ratings_given", json_integer((long)given),
                      "助企员也要对主办部门的办理情况进行满意度打分: ratings of the lead unit this "
                      "helper gave this month (管理办法 一、(五)2)");

    /* The 评分细则 items. Its table is the one whose maxima add up to 100,
     * so where the 办法 text differs (企业评价 "5星得15分", 月度督查 15) the
     * table's maxima are used. */
    ok = ok &&
         sd_rep_score(scores, "visits", "走访完成率", 5,
                      json_integer(contact_met && visit_met ? 5 : 0),
                      "5 when 一月一联系 and 两月一走访 are both met, else 0 "
                      "(未完成走访任务的不得分)",
                      &sum, &sum_max) &&
         sd_rep_score(scores, "uploads", "问题上传", 10,
                      json_integer(problems >= 1 ? 10 : 5),
                      "base 5 + 5 per problem uploaded (problems_uploaded + records_uploaded), "
                      "at most 10",
                      &sum, &sum_max) &&
         sd_rep_score(scores, "on_time", "办结率", 5,
                      json_integer(hc.late >= 1 ? 0 : 5),
                      "5 − 5 per problem not finished within the 135 limit, at least 0", &sum,
                      &sum_max) &&
         sd_rep_score(scores, "resolution", "解决率", 10,
                      hc.uploaded > 0
                          ? sd_rep_round(sd_rep_floor0(10.0 - (100.0 - 100.0 * (double)hc.resolved /
                                                                           (double)hc.uploaded)),
                                         1)
                          : json_null(),
                      "10 at 100%, 1 point off per percentage point below, at least 0; null "
                      "without problems this month",
                      &sum, &sum_max) &&
         sd_rep_score(scores, "concealment", "瞒报漏报", 10, NULL,
                      "not recorded in qifu: 5 off per concealed or unreported problem the task "
                      "force finds",
                      &sum, &sum_max) &&
         sd_rep_score(scores, "enterprise_rating", "企业评价", 10,
                      rated > 0 ? sd_rep_round(sd_rep_floor0(10.0 - 3.0 * (5.0 - avg_stars)), 1)
                                : json_null(),
                      "full marks at 5 stars, 3 off per star below (average stars); the 办法 "
                      "text says 15 for 5 stars but the item is worth 10",
                      &sum, &sum_max) &&
         sd_rep_score(scores, "department_rating", "部门评价", 5, NULL,
                      "not recorded in qifu: the lead unit says whether the helper followed the "
                      "problem through",
                      &sum, &sum_max) &&
         sd_rep_score(scores, "monthly_check", "月度督查", 10, NULL,
                      "not recorded in qifu: the task force's monthly phone/site check, 5 off "
                      "per finding",
                      &sum, &sum_max) &&
         sd_rep_score(scores, "initiative", "主动担当", 10, NULL,
                      "not recorded in qifu: +10 when the helper's coordination solved a "
                      "problem, +5 when it did not",
                      &sum, &sum_max) &&
         sd_rep_score(scores, "leader_visit", "区领导走访", 5, NULL,
                      "not recorded in qifu: present at a district leader's visit", &sum,
                      &sum_max) &&
         sd_rep_score(scores, "reports", "信息报送", 5, NULL,
                      "not recorded in qifu: +1 per 助企感悟/助企风采 piece, 5 from three", &sum,
                      &sum_max) &&
         sd_rep_score(scores, "excellence", "争先创优", 15, NULL,
                      "not recorded in qifu: media coverage and adopted pieces", &sum, &sum_max);
    if (ok)
        doc = json_pack("{s:s,s:s,s:s,s:o,s:{s:o,s:o,s:o},s:O,s:O,s:o,s:i}", "helper", helper,
                        "name", name ? name : "", "month", month_text, "now",
                        sd_rep_instant(now), "window", "month_from", sd_rep_day(d0), "month_to",
                        sd_rep_day(d1 - 1), "two_months_from", sd_rep_day(dprev), "fields",
                        fields, "scores", scores, "points_computed", sd_rep_round(sum, 1),
                        "points_computed_max", sum_max);
    json_decref(fields);
    json_decref(scores);
    free(name);
    if (!doc)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
    *out = doc;
    return QF_OK;
out:
    sd_store_unlock(store);
    free(name);
    if (rc == QF_ERR_STORAGE || rc == QF_ERR_NOMEM)
        qf_err_set(err, errlen, rc, "the scorecard could not be read");
    return rc;
}
