/* store_audit.c — appending to and reading the audit trail in SQLite. See
 * store_audit.h for the contract. Appending deliberately takes no lock and
 * no transaction: an audit entry must share the transaction of the change
 * it records, so the caller owns both. Listing takes the lock like every
 * other store read. */
#include "store_audit.h"

#include <string.h>

/* A JSON text field: NULL passes as SQL NULL; anything else must parse. */
static qf_err sd_audit_field_check(const char *text)
{
    json_t *v;
    if (!text)
        return QF_OK;
    if (strlen(text) > SD_AUDIT_FIELD_MAX)
        return QF_ERR_INVALID;
    v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    if (!v)
        return QF_ERR_INVALID;
    json_decref(v);
    return QF_OK;
}

static void sd_audit_bind_opt(sqlite3_stmt *st, int col, const char *text)
{
    if (text)
        sqlite3_bind_text(st, col, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, col);
}

qf_err sd_store_audit_append(sd_store *store, qf_instant now, const char *actor,
                             const char *action, const char *case_no, const char *before_json,
                             const char *after_json, const char *detail_json)
{
    sqlite3_stmt *st;

    if (!actor || !*actor || !action || !*action || strlen(actor) > SD_AUDIT_NAME_MAX ||
        strlen(action) > SD_AUDIT_NAME_MAX || (case_no && strlen(case_no) > SD_AUDIT_NAME_MAX))
        return QF_ERR_INVALID;
    if (sd_audit_field_check(before_json) != QF_OK || sd_audit_field_check(after_json) != QF_OK ||
        sd_audit_field_check(detail_json) != QF_OK)
        return QF_ERR_INVALID;

    st = sd_store_stmt(store, "INSERT INTO audit (at, actor, action, case_no, before, after, "
                              "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_TRANSIENT);
    sd_audit_bind_opt(st, 4, case_no);
    sd_audit_bind_opt(st, 5, before_json);
    sd_audit_bind_opt(st, 6, after_json);
    sd_audit_bind_opt(st, 7, detail_json);
    return sd_store_step_done(store, st);
}

/* A stored JSON text column as a value: null when NULL; a text that no
 * longer parses (written by hand?) comes back as a string, not lost. */
static json_t *sd_audit_col_json(sqlite3_stmt *st, int col)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    json_t *v;
    if (!text)
        return json_null();
    v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
}

static json_t *sd_audit_col_text(sqlite3_stmt *st, int col)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    return text ? json_string(text) : json_null();
}

qf_err sd_store_audit_list(sd_store *store, const char *case_no, size_t limit, json_t **out)
{
    /* The newest `limit` rows, then back into chronological order. */
    static const char sql_all[] =
        "SELECT id, at, actor, action, case_no, before, after, detail FROM "
        "(SELECT * FROM audit ORDER BY id DESC LIMIT ?1) ORDER BY id";
    static const char sql_case[] =
        "SELECT id, at, actor, action, case_no, before, after, detail FROM "
        "(SELECT * FROM audit WHERE case_no = ?2 ORDER BY id DESC LIMIT ?1) ORDER BY id";
    json_t *arr = json_array();
    sqlite3_stmt *st = NULL;
    qf_err rc = QF_OK;
    int step;

    *out = NULL;
    if (!arr)
        return QF_ERR_NOMEM;
    if (limit == 0 || limit > SD_AUDIT_LIST_MAX)
        limit = SD_AUDIT_LIST_MAX;
    sd_store_lock(store);
    st = sd_store_stmt(store, case_no ? sql_case : sql_all);
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
    if (case_no)
        sqlite3_bind_text(st, 2, case_no, -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char at[32];
        json_t *e;
        qf_clock_format_iso8601(sqlite3_column_int64(st, 1), at, sizeof at);
        e = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
                      "id", (json_int_t)sqlite3_column_int64(st, 0),
                      "at", at,
                      "actor", sd_audit_col_text(st, 2),
                      "action", sd_audit_col_text(st, 3),
                      "case_no", sd_audit_col_text(st, 4),
                      "before", sd_audit_col_json(st, 5),
                      "after", sd_audit_col_json(st, 6),
                      "detail", sd_audit_col_json(st, 7));
        if (!e || json_array_append_new(arr, e) != 0) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
    }
    if (step != SQLITE_DONE)
        rc = sd_store_err(store, step);
out:
    sd_store_done(st);
    sd_store_unlock(store);
    if (rc != QF_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return QF_OK;
}
