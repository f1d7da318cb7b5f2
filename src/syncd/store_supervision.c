/* store_supervision.c — the supervision pass and the supervision/overdue
 * listings in SQLite. See store_supervision.h for the semantics and why
 * the primary key makes every reminder fire exactly once.
 *
 * The pass reads the open cases first (into a bounded array) and writes
 * afterwards, so no SELECT cursor is open while rows are inserted. The
 * rules' state is decoded from cases.state (sd_case_state_from_json): it is
 * the authority, and the pass does not depend on the denormalized columns
 * being up to date. */
#include "store_supervision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_case.h"
#include "qf_log.h"
#include "store_audit.h"
#include "store_cases.h"

typedef struct sd_sup_case {
    char no[SD_CASE_NO_MAX];
    qf_case_state st;
} sd_sup_case;

static json_t *sd_sup_instant(qf_instant t)
{
    char buf[32];
    if (t == QF_CASE_NO_TIME)
        return json_null();
    qf_clock_format_iso8601(t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *sd_sup_text_or_null(sqlite3_stmt *st, int col)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    return text && *text ? json_string(text) : json_null();
}

/* Decodes a state column; false (logged) when it does not decode. */
static bool sd_sup_state(sqlite3_stmt *st, int col, const char *no, qf_case_state *out)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    json_t *obj = text ? json_loads(text, 0, NULL) : NULL;
    char why[160] = "no state";
    qf_err rc = obj ? sd_case_state_from_json(obj, out, why, sizeof why) : QF_ERR_INVALID;
    json_decref(obj);
    if (rc != QF_OK) {
        qf_error("supervision: case %s has an unreadable state, skipped: %s", no, why);
        return false;
    }
    return true;
}

/* ---- the pass ----------------------------------------------------------- */

/* Reads every open case (at most SD_SUPERVISE_PASS_MAX, most overdue first)
 * inside the caller's transaction. Ownership: free(*out). */
static qf_err sd_sup_open_cases(sd_store *store, sd_sup_case **out, size_t *count)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT no, state FROM cases "
                                            "WHERE status = 'in_progress' "
                                            "ORDER BY json_extract(state, '$.deadline'), no "
                                            "LIMIT ?1");
    sd_sup_case *list = NULL;
    size_t n = 0, cap = 0;
    qf_err rc = QF_OK;
    int step;

    *out = NULL;
    *count = 0;
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_int64(st, 1, SD_SUPERVISE_PASS_MAX + 1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *no = (const char *)sqlite3_column_text(st, 0);
        if (n == SD_SUPERVISE_PASS_MAX) {
            qf_warn("supervision: more than %d open cases; this pass looks at the %d most "
                    "overdue", SD_SUPERVISE_PASS_MAX, SD_SUPERVISE_PASS_MAX);
            break;
        }
        if (!no || strlen(no) >= SD_CASE_NO_MAX)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            sd_sup_case *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        memcpy(list[n].no, no, strlen(no) + 1);
        if (sd_sup_state(st, 1, no, &list[n].st))
            n++;
    }
    if (rc == QF_OK && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    if (rc != QF_OK) {
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return QF_OK;
}

/* The audit entry of one fired record. */
static qf_err sd_sup_audit(sd_store *store, qf_instant now, const char *actor, const char *no,
                           const qf_case_state *cs, const qf_case_supervision *step, int seq)
{
    json_t *detail;
    char *text;
    char action[48];
    qf_err rc;

    detail = json_pack("{s:o,s:i,s:s,s:o,s:i,s:s,s:s,s:o}",
                       "period_start", sd_sup_instant(cs->period_start),
                       "seq", seq,
                       "action", qf_case_action_name(step->action),
                       "due_at", sd_sup_instant(step->at),
                       "workday", step->workday,
                       "kind", qf_case_kind_name(cs->kind),
                       "lead_unit", cs->lead_unit,
                       "deadline", sd_sup_instant(cs->deadline));
    text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    if (!text)
        return QF_ERR_NOMEM;
    snprintf(action, sizeof action, "supervision.%s", qf_case_action_name(step->action));
    rc = sd_store_audit_append(store, now, actor, action, no, NULL, NULL, text);
    free(text);
    return rc;
}

/* Fires the due steps of one case inside the caller's transaction. */
static qf_err sd_sup_case_fire(sd_store *store, const qf_calendar *cal, qf_instant now,
                               const char *actor, const sd_sup_case *c, size_t *fired)
{
    qf_case_supervision plan[QF_CASE_SUPERVISION_MAX];
    size_t nplan = 0;
    char why[160];
    qf_err rc;

    if (c->st.status != QF_CASE_IN_PROGRESS || c->st.kind == QF_CASE_KIND_NONE ||
        c->st.period_start == QF_CASE_NO_TIME)
        return QF_OK;
    rc = qf_case_supervision_plan(c->st.kind, c->st.period_start, cal, plan,
                                  QF_CASE_SUPERVISION_MAX, &nplan, why, sizeof why);
    if (rc != QF_OK) {
        qf_warn("supervision: case %s skipped, no plan: %s", c->no, why);
        return QF_OK;
    }
    for (size_t i = 0; i < nplan; i++) {
        sqlite3_stmt *st;
        int step, changed;

        if (plan[i].at > now)
            continue;
        st = sd_store_stmt(store, "INSERT OR IGNORE INTO supervision (case_no, period, seq, "
                                  "due_at, action, fired_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!st)
            return QF_ERR_STORAGE;
        sqlite3_bind_text(st, 1, c->no, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, c->st.period_start);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)(i + 1));
        sqlite3_bind_int64(st, 4, plan[i].at);
        sqlite3_bind_text(st, 5, qf_case_action_name(plan[i].action), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, now);
        step = sqlite3_step(st);
        changed = step == SQLITE_DONE ? sqlite3_changes(sd_store_db(store)) : 0;
        sd_store_done(st);
        if (step != SQLITE_DONE)
            return sd_store_err(store, step);
        if (changed != 1)
            continue; /* fired before: the key is taken */
        rc = sd_sup_audit(store, now, actor, c->no, &c->st, &plan[i], (int)(i + 1));
        if (rc != QF_OK)
            return rc == QF_ERR_INVALID ? QF_ERR_STORAGE : rc;
        (*fired)++;
        {
            char due[32];
            qf_clock_format_iso8601(plan[i].at, due, sizeof due);
            qf_info("supervision: case %s %s, due %s (working day %d)", c->no,
                    qf_case_action_name(plan[i].action), due, plan[i].workday);
        }
    }
    return QF_OK;
}

qf_err sd_store_supervise(sd_store *store, const qf_calendar *cal, qf_instant now,
                          const char *actor, size_t *fired, char *err, size_t errlen)
{
    sd_sup_case *cases = NULL;
    size_t count = 0, n = 0;
    qf_err rc;

    if (fired)
        *fired = 0;
    if (!store || !cal || !actor || !*actor)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no store, calendar or actor given");
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_sup_open_cases(store, &cases, &count)) != QF_OK)
        goto out;
    for (size_t i = 0; i < count && rc == QF_OK; i++)
        rc = sd_sup_case_fire(store, cal, now, actor, &cases[i], &n);
    if (rc == QF_OK)
        rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    free(cases);
    if (rc != QF_OK)
        return qf_err_set(err, errlen, rc, "the supervision pass failed: %s", qf_err_str(rc));
    if (fired)
        *fired = n;
    return QF_OK;
}

/* ---- listings ----------------------------------------------------------- */

static json_t *sd_sup_record_json(sqlite3_stmt *st, int first_col, bool with_case)
{
    /* columns from first_col: case_no, period, seq, due_at, action, fired_at */
    const char *action = (const char *)sqlite3_column_text(st, first_col + 4);
    qf_case_action act = QF_CASE_ACT_URGE;
    json_t *o;

    if (!action || qf_case_action_parse(action, &act) != QF_OK)
        act = QF_CASE_ACT__COUNT; /* labelled "?" */
    o = json_pack("{s:o,s:I,s:s,s:s,s:o,s:o}",
                  "period_start", sd_sup_instant(sqlite3_column_int64(st, first_col + 1)),
                  "seq", (json_int_t)sqlite3_column_int64(st, first_col + 2),
                  "action", action ? action : "?",
                  "action_zh", qf_case_action_label(act),
                  "due_at", sd_sup_instant(sqlite3_column_int64(st, first_col + 3)),
                  "fired_at", sd_sup_instant(sqlite3_column_int64(st, first_col + 5)));
    if (o && with_case &&
        json_object_set_new(o, "case_no",
                            json_string((const char *)sqlite3_column_text(st, first_col))) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Appends the records of case no (or all) to arr, inside the lock. */
static qf_err sd_sup_records(sd_store *store, const char *no, bool with_case, json_t *arr)
{
    static const char sql_all[] =
        "SELECT case_no, period, seq, due_at, action, fired_at FROM "
        "(SELECT * FROM supervision ORDER BY fired_at DESC, case_no DESC, period DESC, "
        "seq DESC LIMIT ?1) ORDER BY fired_at, case_no, period, seq";
    static const char sql_case[] =
        "SELECT case_no, period, seq, due_at, action, fired_at FROM supervision "
        "WHERE case_no = ?2 ORDER BY period, seq LIMIT ?1";
    sqlite3_stmt *st = sd_store_stmt(store, no ? sql_case : sql_all);
    qf_err rc = QF_OK;
    int step;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_int64(st, 1, SD_SUPERVISION_LIST_MAX);
    if (no)
        sqlite3_bind_text(st, 2, no, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *rec = sd_sup_record_json(st, 0, with_case);
        if (!rec || json_array_append_new(arr, rec) != 0) {
            rc = QF_ERR_NOMEM;
            break;
        }
    }
    if (rc == QF_OK && step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    return rc;
}

qf_err sd_store_supervision_list(sd_store *store, const char *case_no, json_t **out)
{
    json_t *arr = json_array();
    qf_err rc;

    *out = NULL;
    if (!arr)
        return QF_ERR_NOMEM;
    sd_store_lock(store);
    rc = sd_sup_records(store, case_no, true, arr);
    sd_store_unlock(store);
    if (rc != QF_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return QF_OK;
}

/* The current co-units of case no (case_units, role co, not ended). */
static qf_err sd_sup_co_units(sd_store *store, const char *no, json_t **out)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT DISTINCT unit FROM case_units "
                                            "WHERE case_no = ?1 AND role = 'co' AND "
                                            "until IS NULL ORDER BY unit LIMIT 64");
    json_t *arr = json_array();
    qf_err rc = QF_OK;
    int step;

    *out = NULL;
    if (!st || !arr) {
        json_decref(arr);
        return st ? QF_ERR_NOMEM : QF_ERR_STORAGE;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(st, 0);
        if (u && json_array_append_new(arr, json_string(u)) != 0) {
            rc = QF_ERR_NOMEM;
            break;
        }
    }
    if (rc == QF_OK && step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    if (rc != QF_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return QF_OK;
}

qf_err sd_store_overdue_list(sd_store *store, qf_instant now, json_t **out, bool *truncated)
{
    /* The SQL narrows by the deadline inside the state; the rules
     * (qf_case_is_overdue) decide for each row. */
    static const char sql[] =
        "SELECT no, state, platform_unit, enterprise_name, board FROM cases "
        "WHERE status = 'in_progress' AND json_extract(state, '$.deadline') > 0 "
        "AND json_extract(state, '$.deadline') <= ?1 "
        "ORDER BY json_extract(state, '$.deadline'), no LIMIT ?2";
    json_t *arr = json_array();
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step;

    *out = NULL;
    if (truncated)
        *truncated = false;
    if (!arr)
        return QF_ERR_NOMEM;
    sd_store_lock(store);
    st = sd_store_stmt(store, sql);
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, SD_OVERDUE_LIST_MAX + 1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *no = (const char *)sqlite3_column_text(st, 0);
        qf_case_state cs;
        json_t *o;

        if (!no || !sd_sup_state(st, 1, no, &cs) || !qf_case_is_overdue(&cs, now))
            continue;
        if (json_array_size(arr) == SD_OVERDUE_LIST_MAX) {
            if (truncated)
                *truncated = true;
            break;
        }
        o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:I}",
                      "case_no", no,
                      "kind", qf_case_kind_name(cs.kind),
                      "lead_unit", cs.lead_unit[0] ? json_string(cs.lead_unit) : json_null(),
                      "platform_unit", sd_sup_text_or_null(st, 2),
                      "enterprise_name", sd_sup_text_or_null(st, 3),
                      "board", sd_sup_text_or_null(st, 4),
                      "deadline", sd_sup_instant(cs.deadline),
                      "overdue_by_s", (json_int_t)(now - cs.deadline));
        if (!o || json_array_append_new(arr, o) != 0) {
            rc = QF_ERR_NOMEM;
            break;
        }
    }
    if (rc == QF_OK && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    /* The records and co-units, now that the cursor above is closed. */
    for (size_t i = 0; rc == QF_OK && i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        const char *no = json_string_value(json_object_get(o, "case_no"));
        json_t *recs = json_array(), *co = NULL;
        if (!recs) {
            rc = QF_ERR_NOMEM;
            break;
        }
        rc = sd_sup_records(store, no, false, recs);
        if (rc == QF_OK)
            rc = sd_sup_co_units(store, no, &co);
        if (rc != QF_OK) {
            json_decref(recs);
            break;
        }
        /* json_object_set_new releases the value when it fails */
        if (json_object_set_new(o, "supervision", recs) != 0) {
            json_decref(co);
            rc = QF_ERR_NOMEM;
        } else if (json_object_set_new(o, "co_units", co) != 0) {
            rc = QF_ERR_NOMEM;
        }
    }
out:
    sd_store_unlock(store);
    if (rc != QF_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return QF_OK;
}
