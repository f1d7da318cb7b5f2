/* store_cases.c — the SQL behind cases: the create transaction (idempotency
 * key, day counter, case row, first event), reads, rule events and the
 * submitter's feedback, and the qf_case_state JSON codec. See store_cases.h
 * for what is stored where and why every write is one transaction. */
#include "store_cases.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_log.h"
#include "store_audit.h"

/* ---- case numbers ------------------------------------------------------- */

bool sd_case_no_valid(const char *no)
{
    size_t n, plen = strlen(SD_CASE_NO_PREFIX);

    if (!no || strncmp(no, SD_CASE_NO_PREFIX, plen) != 0)
        return false;
    no += plen;
    for (n = 0; n < 8; n++)
        if (!isdigit((unsigned char)no[n]))
            return false;
    if (no[8] != '-')
        return false;
    no += 9;
    for (n = 0; no[n]; n++)
        if (!isdigit((unsigned char)no[n]) || n >= 6)
            return false;
    return n >= 4;
}

static void sd_case_no_format(qf_instant now, int64_t seq, char out[SD_CASE_NO_MAX])
{
    int y, m, d;
    qf_day_to_ymd(qf_instant_day(now), &y, &m, &d);
    snprintf(out, SD_CASE_NO_MAX, "%s%04d%02d%02d-%04" PRId64, SD_CASE_NO_PREFIX, y, m, d, seq);
}

/* ---- ratings -------------------------------------------------------------- */

static const char *const sd_case_rating_names[] = {
    /* index = score */
    NULL, "very_dissatisfied", "dissatisfied", "basic", "satisfied", "very_satisfied",
};

int sd_case_rating_score(const char *name)
{
    for (int i = 1; name && i <= 5; i++)
        if (strcmp(sd_case_rating_names[i], name) == 0)
            return i;
    return 0;
}

const char *sd_case_rating_name(int score)
{
    return score >= 1 && score <= 5 ? sd_case_rating_names[score] : NULL;
}

/* ---- qf_case_state as JSON ---------------------------------------------- */

json_t *sd_case_state_to_json(const qf_case_state *st)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:b,s:s,s:b,s:i,"
                     "s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
                     "status", qf_case_status_name(st->status),
                     "channel", qf_case_channel_name(st->channel),
                     "kind", qf_case_kind_name(st->kind),
                     "lead_kind", qf_case_lead_name(st->lead_kind),
                     "lead_unit", st->lead_unit,
                     "lead_dept_count", st->lead_dept_count,
                     "transfer_count", st->transfer_count,
                     "auto_whistle", st->auto_whistle,
                     "level", qf_case_level_name(st->level),
                     "lead_finished", st->lead_finished,
                     "reopen_count", st->reopen_count,
                     "submitted_at", (json_int_t)st->submitted_at,
                     "triaged_at", (json_int_t)st->triaged_at,
                     "period_start", (json_int_t)st->period_start,
                     "deadline", (json_int_t)st->deadline,
                     "first_reply_at", (json_int_t)st->first_reply_at,
                     "finished_at", (json_int_t)st->finished_at,
                     "escalated_at", (json_int_t)st->escalated_at,
                     "closed_at", (json_int_t)st->closed_at,
                     "updated_at", (json_int_t)st->updated_at);
}

typedef qf_err (*sd_enum_parse)(const char *name, int *out);

static qf_err sd_json_enum(const json_t *obj, const char *name, sd_enum_parse parse, int *out,
                           char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, name);
    if (!json_is_string(v) || parse(json_string_value(v), out) != QF_OK)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "state.%s: missing or unknown", name);
    return QF_OK;
}

static qf_err sd_json_int(const json_t *obj, const char *name, int64_t min, int64_t *out,
                          char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, name);
    if (!json_is_integer(v) || json_integer_value(v) < min)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "state.%s: missing or not an integer >= %" PRId64, name, min);
    *out = json_integer_value(v);
    return QF_OK;
}

static qf_err sd_json_bool(const json_t *obj, const char *name, bool *out, char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, name);
    if (!json_is_boolean(v))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "state.%s: missing or not a boolean", name);
    *out = json_is_true(v);
    return QF_OK;
}

/* Adapters so one helper parses every enum (the parse functions differ only
 * in the enum type they write). */
#define SD_ENUM_ADAPTER(fn, type)                                                                  \
    static qf_err sd_parse_##fn(const char *name, int *out)                                        \
    {                                                                                              \
        type v;                                                                                    \
        if (qf_case_##fn##_parse(name, &v) != QF_OK)                                               \
            return QF_ERR_INVALID;                                                                 \
        *out = (int)v;                                                                             \
        return QF_OK;                                                                              \
    }
SD_ENUM_ADAPTER(status, qf_case_status)
SD_ENUM_ADAPTER(channel, qf_case_channel)
SD_ENUM_ADAPTER(kind, qf_case_kind)
SD_ENUM_ADAPTER(lead, qf_case_lead)
SD_ENUM_ADAPTER(level, qf_case_level)

qf_err sd_case_state_from_json(const json_t *obj, qf_case_state *out, char *err, size_t errlen)
{
    static const char *const instants[] = { "submitted_at", "triaged_at", "period_start",
                                            "deadline", "first_reply_at", "finished_at",
                                            "escalated_at", "closed_at", "updated_at" };
    qf_case_state st;
    qf_instant *slots[] = { &st.submitted_at, &st.triaged_at, &st.period_start, &st.deadline,
                            &st.first_reply_at, &st.finished_at, &st.escalated_at,
                            &st.closed_at, &st.updated_at };
    static const char *const counters[] = { "lead_dept_count", "transfer_count",
                                            "reopen_count" };
    int *counter_slots[] = { &st.lead_dept_count, &st.transfer_count, &st.reopen_count };
    int status = 0, channel = 0, kind = 0, lead = 0, level = 0;
    int64_t n = 0;
    const json_t *unit;
    qf_err rc;

    if (!json_is_object(obj))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "state: not a JSON object");
    memset(&st, 0, sizeof st);
    if ((rc = sd_json_enum(obj, "status", sd_parse_status, &status, err, errlen)) ||
        (rc = sd_json_enum(obj, "channel", sd_parse_channel, &channel, err, errlen)) ||
        (rc = sd_json_enum(obj, "kind", sd_parse_kind, &kind, err, errlen)) ||
        (rc = sd_json_enum(obj, "lead_kind", sd_parse_lead, &lead, err, errlen)) ||
        (rc = sd_json_enum(obj, "level", sd_parse_level, &level, err, errlen)))
        return rc;
    st.status = (qf_case_status)status;
    st.channel = (qf_case_channel)channel;
    st.kind = (qf_case_kind)kind;
    st.lead_kind = (qf_case_lead)lead;
    st.level = (qf_case_level)level;
    unit = json_object_get(obj, "lead_unit");
    if (!json_is_string(unit) || json_string_length(unit) >= QF_CASE_UNIT_MAX)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "state.lead_unit: missing or too long");
    memcpy(st.lead_unit, json_string_value(unit), json_string_length(unit) + 1);
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        if ((rc = sd_json_int(obj, counters[i], 0, &n, err, errlen)) != QF_OK)
            return rc;
        if (n > INT32_MAX)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "state.%s: too large", counters[i]);
        *counter_slots[i] = (int)n;
    }
    if ((rc = sd_json_bool(obj, "auto_whistle", &st.auto_whistle, err, errlen)) ||
        (rc = sd_json_bool(obj, "lead_finished", &st.lead_finished, err, errlen)))
        return rc;
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        if ((rc = sd_json_int(obj, instants[i], 0, &n, err, errlen)) != QF_OK)
            return rc;
        *slots[i] = n;
    }
    *out = st;
    return QF_OK;
}

/* ---- create ------------------------------------------------------------- */

static qf_err sd_case_idem_lookup(sd_store *store, const char *caller, const char *key,
                                  const char *body_hash, char no_out[SD_CASE_NO_MAX])
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT body_hash, case_no FROM idempotency "
                                            "WHERE caller = ?1 AND key = ?2");
    qf_err rc = QF_ERR_NOT_FOUND;
    int src;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, caller, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(st, 0);
        snprintf(no_out, SD_CASE_NO_MAX, "%s", (const char *)sqlite3_column_text(st, 1));
        rc = hash && strcmp(hash, body_hash) == 0 ? QF_OK : QF_ERR_CONFLICT;
    } else if (src != SQLITE_DONE) {
        rc = sd_store_err(store, src);
    }
    sd_store_done(st);
    return rc;
}

qf_err sd_store_case_idem_find(sd_store *store, const char *caller, const char *key,
                               const char *body_hash, char no_out[SD_CASE_NO_MAX])
{
    qf_err rc;
    sd_store_lock(store);
    rc = sd_case_idem_lookup(store, caller, key, body_hash, no_out);
    sd_store_unlock(store);
    return rc;
}

/* Takes the next sequence number of day (UPSERT … RETURNING, SQLite 3.35). */
static qf_err sd_case_counter_next(sd_store *store, const char *day, int64_t *out)
{
    sqlite3_stmt *st = sd_store_stmt(store, "INSERT INTO case_counters (day, last) VALUES (?1, 1) "
                                            "ON CONFLICT (day) DO UPDATE SET last = last + 1 "
                                            "RETURNING last");
    qf_err rc = QF_OK;
    int src;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = src == SQLITE_DONE ? QF_ERR_STORAGE : sd_store_err(store, src);
    sd_store_done(st);
    return rc;
}

static void sd_bind_opt(sqlite3_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static qf_err sd_case_event_insert(sd_store *store, const char *no, qf_instant at,
                                   const char *actor, const char *event, const char *detail)
{
    sqlite3_stmt *st = sd_store_stmt(store, "INSERT INTO case_events (case_no, at, actor, event, "
                                            "detail) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, event, -1, SQLITE_STATIC);
    sd_bind_opt(st, 5, detail);
    return sd_store_step_done(store, st);
}

qf_err sd_store_case_create(sd_store *store, const sd_case_new *nc, char no_out[SD_CASE_NO_MAX],
                            bool *replayed, char *err, size_t errlen)
{
    char day[16], no[SD_CASE_NO_MAX];
    char *state_text = NULL;
    json_t *state_json = NULL;
    qf_case_state state;
    sqlite3_stmt *st;
    int64_t seq = 0;
    qf_err rc;

    *replayed = false;
    rc = qf_case_state_init(&state, nc->channel, nc->now, err, errlen);
    if (rc != QF_OK)
        return rc;
    state_json = sd_case_state_to_json(&state);
    state_text = state_json ? json_dumps(state_json, JSON_COMPACT) : NULL;
    json_decref(state_json);
    if (!state_text)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "cannot encode the case state");
    qf_day_format(qf_instant_day(nc->now), day, sizeof day);

    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    /* A twin request with the same key may have committed since the
     * handler's first look; inside the write transaction the answer is
     * final. */
    rc = sd_case_idem_lookup(store, nc->caller, nc->idem_key, nc->body_hash, no);
    if (rc == QF_OK || rc == QF_ERR_CONFLICT) {
        *replayed = rc == QF_OK;
        snprintf(no_out, SD_CASE_NO_MAX, "%s", no);
        goto out;
    }
    if (rc != QF_ERR_NOT_FOUND)
        goto out;
    if ((rc = sd_case_counter_next(store, day, &seq)) != QF_OK)
        goto out;
    sd_case_no_format(nc->now, seq, no);

    st = sd_store_stmt(store,
                       "INSERT INTO cases (no, kind, created_at, device_id, helper_id, channel, "
                       "board, fallback_category, enterprise_name, uscc, contact_name, mobile, "
                       "description, status, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                       "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?3)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, nc->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, nc->now);
    sd_bind_opt(st, 4, nc->device_id);
    sd_bind_opt(st, 5, nc->helper_id);
    sqlite3_bind_text(st, 6, qf_case_channel_name(nc->channel), -1, SQLITE_STATIC);
    sd_bind_opt(st, 7, nc->board);
    sd_bind_opt(st, 8, nc->fallback_category);
    sqlite3_bind_text(st, 9, nc->enterprise_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, nc->uscc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, nc->contact_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, nc->mobile, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, nc->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, qf_case_status_name(state.status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, state_text, -1, SQLITE_STATIC);
    if ((rc = sd_store_step_done(store, st)) != QF_OK) {
        /* The number came from the counter, so a clash means the counter
         * and the cases disagree: damage, not the caller's conflict. */
        if (rc == QF_ERR_CONFLICT) {
            qf_error("store: case number %s already exists; case_counters is behind", no);
            rc = QF_ERR_STORAGE;
        }
        goto out;
    }
    if ((rc = sd_case_event_insert(store, no, nc->now, nc->caller, "submit", NULL)) != QF_OK)
        goto out;
    if ((rc = sd_store_audit_append(store, nc->now, nc->caller, "case.submit", no, NULL,
                                    state_text, NULL)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "INSERT INTO idempotency (caller, key, body_hash, case_no, "
                              "created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, nc->caller, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, nc->idem_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, nc->body_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, no, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, nc->now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK) {
        if (rc == QF_ERR_CONFLICT) /* impossible after the look-up in this transaction */
            rc = QF_ERR_STORAGE;
        goto out;
    }
    if ((rc = sd_store_commit(store)) != QF_OK)
        goto out;
    snprintf(no_out, SD_CASE_NO_MAX, "%s", no);
out:
    if (rc != QF_OK || *replayed)
        sd_store_rollback(store);
    sd_store_unlock(store);
    free(state_text);
    if (rc == QF_ERR_STORAGE || rc == QF_ERR_NOMEM)
        qf_err_set(err, errlen, rc, "the case could not be stored");
    else if (rc == QF_ERR_CONFLICT)
        qf_err_set(err, errlen, rc, "the idempotency key was used for another request");
    return rc;
}

/* ---- reads -------------------------------------------------------------- */

void sd_case_cleanup(sd_case *c)
{
    if (!c)
        return;
    free(c->device_id);
    free(c->helper_id);
    free(c->board);
    free(c->fallback_category);
    free(c->enterprise_name);
    free(c->uscc);
    free(c->contact_name);
    free(c->mobile);
    free(c->description);
    free(c->rating);
    free(c->rating_comment);
    memset(c, 0, sizeof *c);
}

/* Reads the state column into *out; QF_ERR_STORAGE (logged) when it does
 * not decode: a row the rules cannot read is damage, not bad input. */
static qf_err sd_case_state_column(sqlite3_stmt *st, int col, const char *no, qf_case_state *out)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    json_t *obj = text ? json_loads(text, 0, NULL) : NULL;
    char why[160] = "no state";
    qf_err rc = obj ? sd_case_state_from_json(obj, out, why, sizeof why) : QF_ERR_INVALID;

    json_decref(obj);
    if (rc != QF_OK) {
        qf_error("store: case %s has an unreadable state: %s", no, why);
        return QF_ERR_STORAGE;
    }
    return QF_OK;
}

qf_err sd_store_case_get(sd_store *store, const char *no, sd_case *out)
{
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    memset(out, 0, sizeof *out);
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT no, kind, created_at, updated_at, device_id, helper_id, "
                              "board, fallback_category, enterprise_name, uscc, contact_name, "
                              "mobile, description, rating, rating_comment, channel, state "
                              "FROM cases WHERE no = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        int channel;
        snprintf(out->no, sizeof out->no, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(out->kind, sizeof out->kind, "%s", (const char *)sqlite3_column_text(st, 1));
        out->created_at = sqlite3_column_int64(st, 2);
        out->updated_at = sqlite3_column_int64(st, 3);
        out->device_id = sd_store_col_dup(st, 4);
        out->helper_id = sd_store_col_dup(st, 5);
        out->board = sd_store_col_dup(st, 6);
        out->fallback_category = sd_store_col_dup(st, 7);
        out->enterprise_name = sd_store_col_dup(st, 8);
        out->uscc = sd_store_col_dup(st, 9);
        out->contact_name = sd_store_col_dup(st, 10);
        out->mobile = sd_store_col_dup(st, 11);
        out->description = sd_store_col_dup(st, 12);
        out->rating = sd_store_col_dup(st, 13);
        out->rating_comment = sd_store_col_dup(st, 14);
        out->channel = sd_parse_channel((const char *)sqlite3_column_text(st, 15), &channel) ==
                               QF_OK
                           ? (qf_case_channel)channel
                           : QF_CASE_CH_OTHER;
        rc = sd_case_state_column(st, 16, out->no, &out->state);
        if (rc == QF_OK && (!out->enterprise_name || !out->uscc || !out->contact_name ||
                            !out->mobile || !out->description))
            rc = QF_ERR_NOMEM;
    } else {
        rc = src == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, src);
    }
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK)
        sd_case_cleanup(out);
    return rc;
}

qf_err sd_store_case_events(sd_store *store, const char *no, json_t **out)
{
    json_t *list = json_array();
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    *out = NULL;
    if (!list)
        return QF_ERR_NOMEM;
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT id, at, actor, event, detail FROM case_events "
                              "WHERE case_no = ?1 ORDER BY id");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *detail_text = (const char *)sqlite3_column_text(st, 4);
        json_t *detail = detail_text ? json_loads(detail_text, 0, NULL) : NULL;
        json_t *row;
        if (detail && !json_is_object(detail)) {
            json_decref(detail);
            detail = NULL;
        }
        row = json_pack("{s:I,s:I,s:s,s:s,s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                        "at", (json_int_t)sqlite3_column_int64(st, 1), "actor",
                        (const char *)sqlite3_column_text(st, 2), "event",
                        (const char *)sqlite3_column_text(st, 3), "detail",
                        detail ? detail : json_null());
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

qf_err sd_store_case_counts(sd_store *store, long counts[QF_CASE_STATUS__COUNT])
{
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    memset(counts, 0, sizeof(long) * QF_CASE_STATUS__COUNT);
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT status, count(*) FROM cases GROUP BY status");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int status;
        if (sd_parse_status((const char *)sqlite3_column_text(st, 0), &status) == QF_OK)
            counts[status] = (long)sqlite3_column_int64(st, 1);
    }
    if (src != SQLITE_DONE)
        rc = sd_store_err(store, src);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_case_board_known(sd_store *store, const char *board, bool *known)
{
    /* The district plan's eight boards plus 审批 (assets/catalog/boards.json),
     * for a daemon that has no catalog imported yet. */
    static const char *const builtin[] = { "board-talent", "board-scitech", "board-policy",
                                           "board-finance", "board-open", "board-law",
                                           "board-request", "board-fallback", "board-approval" };
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int src;

    *known = false;
    sd_store_lock(store);
    /* The importer (store_catalog.c) keys items by their catalog "id". */
    st = sd_store_stmt(store, "SELECT count(*), coalesce(sum(id = ?1), 0) FROM catalog_items "
                              "WHERE section = 'boards' AND deleted = 0");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, board, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) > 0) {
            *known = sqlite3_column_int64(st, 1) > 0;
        } else {
            for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
                if (strcmp(builtin[i], board) == 0)
                    *known = true;
        }
    } else {
        rc = sd_store_err(store, src);
    }
    sd_store_done(st);
out:
    sd_store_unlock(store);
    return rc;
}

/* ---- events ------------------------------------------------------------- */

/* Loads the state of case no inside the caller's transaction. */
qf_err sd_store_case_load_locked(sd_store *store, const char *no, qf_case_state *out)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT state FROM cases WHERE no = ?1");
    qf_err rc;
    int src;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        rc = sd_case_state_column(st, 0, no, out);
    else
        rc = src == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, src);
    sd_store_done(st);
    return rc;
}

/* The audit's view of a state: its JSON plus the members of extra.
 * Ownership: the caller frees the text; NULL when out of memory. */
static char *sd_case_audit_text(const qf_case_state *st, json_t *extra)
{
    json_t *obj = sd_case_state_to_json(st);
    char *text = NULL;

    if (obj && (!extra || json_object_update(obj, extra) == 0))
        text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return text;
}

static void sd_bind_instant(sqlite3_stmt *st, int i, qf_instant t)
{
    if (t == QF_CASE_NO_TIME)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, t);
}

qf_err sd_store_case_save_locked(sd_store *store, const char *no, const qf_case_state *before,
                                 const qf_case_state *after, qf_instant at,
                                 const sd_case_change *ch)
{
    char action[SD_AUDIT_NAME_MAX + 1];
    char *text = NULL, *before_text = NULL, *after_text = NULL;
    json_t *obj = sd_case_state_to_json(after);
    sqlite3_stmt *st;
    qf_err rc;

    text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    before_text = before ? sd_case_audit_text(before, ch->before_extra) : NULL;
    after_text = sd_case_audit_text(after, ch->after_extra);
    if (!text || !after_text || (before && !before_text)) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    st = sd_store_stmt(store,
                       "UPDATE cases SET status = ?2, state = ?3, updated_at = ?4, case_kind = ?5, "
                       "lead_unit = ?6, deadline = ?7, triaged_at = ?8, closed_at = ?9, "
                       "platform_unit = COALESCE(?10, platform_unit, "
                       "CASE WHEN ?11 THEN ?6 END) WHERE no = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, qf_case_status_name(after->status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, at);
    sd_bind_opt(st, 5, after->kind == QF_CASE_KIND_NONE ? NULL : qf_case_kind_name(after->kind));
    sd_bind_opt(st, 6, after->lead_unit[0] ? after->lead_unit : NULL);
    sd_bind_instant(st, 7, after->deadline);
    sd_bind_instant(st, 8, after->triaged_at);
    sd_bind_instant(st, 9, after->closed_at);
    sd_bind_opt(st, 10, ch->platform_unit);
    sqlite3_bind_int(st, 11, after->lead_kind == QF_CASE_LEAD_PLATFORM);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    if ((rc = sd_case_event_insert(store, no, at, ch->actor, ch->event, ch->detail)) != QF_OK)
        goto out;
    if (ch->action)
        snprintf(action, sizeof action, "%s", ch->action);
    else
        snprintf(action, sizeof action, "case.%s", ch->event);
    rc = sd_store_audit_append(store, at, ch->actor, action, no, before_text, after_text,
                               ch->detail);
out:
    free(text);
    free(before_text);
    free(after_text);
    return rc;
}

/* Applies ev to `cur` and saves the result, inside the caller's
 * transaction. ev->at earlier than the last change is raised to it. */
static qf_err sd_case_apply_locked(sd_store *store, const char *no, const qf_case_state *cur,
                                   const qf_case_event *ev_in, const char *actor,
                                   const char *detail, const qf_calendar *cal,
                                   qf_case_state *next, char *err, size_t errlen)
{
    qf_case_event ev = *ev_in;
    sd_case_change ch = { .actor = actor, .event = qf_case_event_name(ev_in->type),
                          .detail = detail };
    qf_err rc;

    if (ev.at < cur->updated_at)
        ev.at = cur->updated_at;
    rc = qf_case_apply(cur, &ev, cal, next, err, errlen);
    if (rc != QF_OK)
        return rc;
    rc = sd_store_case_save_locked(store, no, cur, next, ev.at, &ch);
    if (rc != QF_OK)
        qf_err_set(err, errlen, rc, "the case could not be saved");
    return rc;
}

qf_err sd_store_case_apply(sd_store *store, const char *no, const qf_case_event *ev,
                           const char *actor, const json_t *detail, const qf_calendar *cal,
                           qf_case_state *out, char *err, size_t errlen)
{
    qf_case_state cur, next;
    char *detail_text = NULL;
    qf_err rc;

    if (detail && !(detail_text = json_dumps(detail, JSON_COMPACT)))
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "cannot encode the event detail");
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_store_case_load_locked(store, no, &cur)) != QF_OK) {
        if (rc == QF_ERR_NOT_FOUND)
            qf_err_set(err, errlen, rc, "no case %s", no);
        goto out;
    }
    if ((rc = sd_case_apply_locked(store, no, &cur, ev, actor, detail_text, cal, &next, err,
                                   errlen)) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    free(detail_text);
    if (rc == QF_OK && out)
        *out = next;
    return rc;
}

qf_err sd_store_case_feedback(sd_store *store, const char *no, bool resolved, const char *rating,
                              const char *comment, const char *actor, qf_instant now,
                              const qf_calendar *cal, qf_case_state *out,
                              qf_case_status *status_out, char *err, size_t errlen)
{
    qf_case_event ev = { .type = resolved ? QF_CASE_EV_RESOLVED : QF_CASE_EV_UNRESOLVED,
                         .at = now };
    qf_case_state cur, next;
    json_t *detail;
    char *detail_text = NULL;
    sqlite3_stmt *st;
    qf_err rc;

    if (!sd_case_rating_score(rating))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "rating: not one of the five levels");
    /* The rating travels in the event row too, so each round of feedback
     * (a reopened case is rated again) stays on record. */
    detail = json_pack("{s:b,s:s}", "resolved", resolved, "rating", rating);
    if (detail && comment)
        json_object_set_new(detail, "comment", json_string(comment));
    detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    if (!detail_text)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "cannot encode the feedback");

    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_store_case_load_locked(store, no, &cur)) != QF_OK) {
        if (rc == QF_ERR_NOT_FOUND)
            qf_err_set(err, errlen, rc, "no case %s", no);
        goto out;
    }
    if (status_out)
        *status_out = cur.status;
    if (cur.status != QF_CASE_LEAD_FINISHED) {
        rc = qf_err_set(err, errlen, QF_ERR_STATE, "the case is %s, not finished by its lead",
                        qf_case_status_name(cur.status));
        goto out;
    }
    if ((rc = sd_case_apply_locked(store, no, &cur, &ev, actor, detail_text, cal, &next, err,
                                   errlen)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "UPDATE cases SET rating = ?2, rating_comment = ?3 WHERE no = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rating, -1, SQLITE_STATIC);
    sd_bind_opt(st, 3, comment);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    /* The ratings table keeps the submitter's latest answer (a reopened
     * case is rated again) as a score, subject the lead unit rated. */
    st = sd_store_stmt(store, "INSERT INTO ratings (case_no, kind, rater, subject, score, "
                              "comment, at) VALUES (?1, 'case', 'submitter', ?2, ?3, ?4, ?5) "
                              "ON CONFLICT (case_no, kind, rater) DO UPDATE SET "
                              "subject = excluded.subject, score = excluded.score, "
                              "comment = excluded.comment, at = excluded.at");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, cur.lead_unit, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, sd_case_rating_score(rating));
    sd_bind_opt(st, 4, comment);
    sqlite3_bind_int64(st, 5, next.updated_at);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
    if (rc == QF_OK && status_out)
        *status_out = next.status;
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    free(detail_text);
    if (rc == QF_OK && out)
        *out = next;
    return rc;
}
