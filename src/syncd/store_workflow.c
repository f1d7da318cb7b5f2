/* store_workflow.c — the SQL and the transactions of the staff workflow:
 * triage, transfer, reply, 办结, the escalation form and its decisions,
 * ratings, and the staff views (list, show, the 提级协调审批表 as data and as
 * printable text). See store_workflow.h for the rules it follows and how a
 * reassignment goes through qf_case's REASSIGN event.
 *
 * Shape of every action: wf_begin (lock, BEGIN IMMEDIATE, load the case,
 * check the permission on what was loaded) → qf_case_apply → this module's
 * rows → wf_save (store_cases.c writes the state, the denormalised columns,
 * the case_events row and the audit row) → wf_end (COMMIT or ROLLBACK,
 * unlock). Nothing is written unless everything is. */
#include "store_workflow.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_log.h"
#include "store_audit.h"
#include "store_cases.h"

#define WF_UNIT_ID_MAX 32
#define WF_FORM_WIDTH 72          /* columns of the printed form */
#define WF_FORM_TEXT_MAX (64 * 1024)

/* ---- errors -------------------------------------------------------------- */

static qf_err wf_fail(sd_wf_err *e, qf_err rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static qf_err wf_fail(sd_wf_err *e, qf_err rc, const char *field, const char *fmt, ...)
{
    va_list ap;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return rc;
}

/* Text length in characters (UTF-8 code points). */
static size_t wf_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* A required or optional text of at most max characters, with no control
 * characters other than line breaks and tabs, and not blank. */
static qf_err wf_text_check(const char *s, bool required, size_t max, const char *field,
                            sd_wf_err *e)
{
    bool blank = true;
    size_t n;

    if (!s) {
        if (required)
            return wf_fail(e, QF_ERR_INVALID, field, "%s is required", field);
        return QF_OK;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7F)
            return wf_fail(e, QF_ERR_INVALID, field, "%s holds control characters", field);
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            blank = false;
    }
    n = wf_chars(s);
    if (blank || n > max)
        return wf_fail(e, QF_ERR_INVALID, field, "%s must be 1 to %zu characters, not blank", field,
                       max);
    return QF_OK;
}

static void wf_bind_opt(sqlite3_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static json_t *wf_iso(qf_instant t)
{
    char buf[32];
    if (t == QF_CASE_NO_TIME)
        return json_null();
    qf_clock_format_iso8601(t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *wf_str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* ---- kinds --------------------------------------------------------------- */

qf_err sd_wf_kind_parse(const char *kind, int level, qf_case_kind *out, char *err, size_t errlen)
{
    qf_case_kind k;

    if (!kind)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "kind is required");
    if (strcmp(kind, "fallback") == 0) {
        switch (level) {
        case 1: *out = QF_CASE_KIND_ONSITE; return QF_OK;
        case 3: *out = QF_CASE_KIND_DIRECTOR; return QF_OK;
        case 5: *out = QF_CASE_KIND_DELIBERATION; return QF_OK;
        default:
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "a fallback case needs its 3135 level: 1 (现场办), 3 (局长办) or 5 "
                              "(研讨办)");
        }
    }
    if (qf_case_kind_parse(kind, &k) != QF_OK || k == QF_CASE_KIND_NONE)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "kind must be simple, single, whistle or fallback (with level 1, 3 or "
                          "5)");
    if (level != 0 && level != qf_case_kind_days(k))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "level %d does not go with kind %s (the level is for fallback cases)",
                          level, kind);
    *out = k;
    return QF_OK;
}

static qf_err wf_kind(const char *kind, int level, qf_case_kind *out, sd_wf_err *e)
{
    if (sd_wf_kind_parse(kind, level, out, e->msg, sizeof e->msg) != QF_OK) {
        snprintf(e->field, sizeof e->field, "%s",
                 kind && strcmp(kind, "fallback") == 0 ? "level" : "kind");
        return QF_ERR_INVALID;
    }
    return QF_OK;
}

/* A 诉求 case takes the 135 kinds, a 兜底 case the 3135 levels. */
static qf_err wf_kind_fits(const char *type, qf_case_kind kind, sd_wf_err *e)
{
    bool fallback = strcmp(type, "fallback") == 0;
    if (fallback && !qf_case_kind_is_fallback(kind))
        return wf_fail(e, QF_ERR_INVALID, "kind",
                       "this is a 兜底 (fallback) request: its kind is fallback with a 3135 level "
                       "(1, 3 or 5), not %s",
                       qf_case_kind_name(kind));
    if (!fallback && qf_case_kind_is_fallback(kind))
        return wf_fail(e, QF_ERR_INVALID, "kind",
                       "this is a 诉求 (request) case: its kind is simple, single or whistle; the "
                       "3135 levels are for 兜底 requests");
    return QF_OK;
}

/* ---- units --------------------------------------------------------------- */

typedef struct wf_unit {
    char id[WF_UNIT_ID_MAX];
    char name[256];
    char kind[16];               /* department, platform, street, other */
} wf_unit;

static bool wf_unit_is_platform(const wf_unit *u)
{
    return strcmp(u->kind, "platform") == 0 || strcmp(u->kind, "street") == 0;
}

static bool wf_unit_can_lead(const wf_unit *u)
{
    return strcmp(u->kind, "department") == 0 || wf_unit_is_platform(u);
}

/* Finds the catalog unit typed as text (id, name or alias) under the lock. */
static qf_err wf_unit_find(sd_store *store, const char *text, const char *field, wf_unit *out,
                           sd_wf_err *e)
{
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step;

    memset(out, 0, sizeof *out);
    if (!text || !*text || wf_chars(text) > SD_WF_UNIT_TEXT_MAX)
        return wf_fail(e, QF_ERR_INVALID, field,
                       "%s must name a unit (its id unit-NNN, name or alias), at most %d "
                       "characters",
                       field, SD_WF_UNIT_TEXT_MAX);
    /* One row always: the match (or NULLs) and whether any unit exists. */
    st = sd_store_stmt(store,
                       "SELECT u.id, COALESCE(json_extract(u.body, '$.name'), ''), "
                       "COALESCE(json_extract(u.body, '$.kind'), ''), (SELECT count(*) FROM "
                       "catalog_items WHERE section = 'units' AND deleted = 0) FROM (SELECT 1) "
                       "LEFT JOIN catalog_items u ON u.section = 'units' AND u.deleted = 0 AND "
                       "(u.id = ?1 OR json_extract(u.body, '$.name') = ?1 OR EXISTS (SELECT 1 "
                       "FROM json_each(u.body, '$.aliases') a WHERE a.value = ?1)) "
                       "ORDER BY u.id LIMIT 1");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        rc = sd_store_err(store, step);
    } else if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        rc = sqlite3_column_int64(st, 3) == 0
                 ? wf_fail(e, QF_ERR_INVALID, field,
                           "no catalog with units is published: import the catalog first "
                           "(qifu-ctl catalog import DIR)")
                 : wf_fail(e, QF_ERR_INVALID, field,
                           "%s: '%s' is not a unit of the published catalog (give its id "
                           "unit-NNN, its name or an alias)",
                           field, text);
    } else {
        snprintf(out->id, sizeof out->id, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(out->kind, sizeof out->kind, "%s", (const char *)sqlite3_column_text(st, 2));
    }
    sd_store_done(st);
    return rc;
}

/* {"id","name","kind"} of a stored unit id (name/kind null when the catalog
 * no longer has it), or JSON null for "" / NULL. */
static json_t *wf_unit_json(sd_store *store, const char *id)
{
    sqlite3_stmt *st;
    json_t *name = json_null(), *kind = json_null();

    if (!id || !*id)
        return json_null();
    st = sd_store_stmt(store, "SELECT json_extract(body, '$.name'), json_extract(body, '$.kind') "
                              "FROM catalog_items WHERE section = 'units' AND id = ?1 AND "
                              "deleted = 0");
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            if (sqlite3_column_type(st, 0) == SQLITE_TEXT)
                name = json_string((const char *)sqlite3_column_text(st, 0));
            if (sqlite3_column_type(st, 1) == SQLITE_TEXT)
                kind = json_string((const char *)sqlite3_column_text(st, 1));
        }
        sd_store_done(st);
    }
    return json_pack("{s:s,s:o,s:o}", "id", id, "name", name, "kind", kind);
}

/* ---- the case as the workflow sees it ------------------------------------ */

typedef struct wf_case {
    char no[SD_CASE_NO_MAX];
    char type[16];                         /* "request" or "fallback" */
    char platform[WF_UNIT_ID_MAX];         /* the platform/street it belongs to, "" */
    char helper[72];                       /* cases.helper_id, "" */
    char *enterprise, *problem;            /* owned */
    qf_case_state st;
    char co[SD_WF_CO_CAP][WF_UNIT_ID_MAX]; /* current co-units */
    size_t nco;
} wf_case;

static void wf_case_cleanup(wf_case *c)
{
    free(c->enterprise);
    free(c->problem);
    c->enterprise = c->problem = NULL;
}

static qf_err wf_case_load(sd_store *store, const char *no, wf_case *c, sd_wf_err *e)
{
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step;

    memset(c, 0, sizeof *c);
    if (!sd_case_no_valid(no))
        return wf_fail(e, QF_ERR_NOT_FOUND, NULL, "no case %s", no);
    snprintf(c->no, sizeof c->no, "%s", no);
    st = sd_store_stmt(store, "SELECT kind, COALESCE(platform_unit, ''), COALESCE(helper_id, ''), "
                              "state, enterprise_name, description FROM cases WHERE no = ?1");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 3);
        json_t *obj = text ? json_loads(text, 0, NULL) : NULL;
        char why[160] = "no state";

        snprintf(c->type, sizeof c->type, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(c->platform, sizeof c->platform, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(c->helper, sizeof c->helper, "%s", (const char *)sqlite3_column_text(st, 2));
        if (!obj || sd_case_state_from_json(obj, &c->st, why, sizeof why) != QF_OK) {
            qf_error("workflow: case %s has an unreadable state: %s", no, why);
            rc = QF_ERR_STORAGE;
        }
        json_decref(obj);
        c->enterprise = sd_store_col_dup(st, 4);
        c->problem = sd_store_col_dup(st, 5);
        if (rc == QF_OK && (!c->enterprise || !c->problem))
            rc = QF_ERR_NOMEM;
    } else {
        rc = step == SQLITE_DONE ? wf_fail(e, QF_ERR_NOT_FOUND, NULL, "no case %s", no)
                                 : sd_store_err(store, step);
    }
    sd_store_done(st);
    if (rc != QF_OK)
        return rc;

    st = sd_store_stmt(store, "SELECT unit FROM case_units WHERE case_no = ?1 AND role = 'co' "
                              "AND until IS NULL ORDER BY since, unit");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(st)) == SQLITE_ROW && c->nco < SD_WF_CO_CAP)
        snprintf(c->co[c->nco++], WF_UNIT_ID_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    return rc;
}

static bool wf_case_has_co(const wf_case *c, const char *unit)
{
    for (size_t i = 0; i < c->nco; i++)
        if (strcmp(c->co[i], unit) == 0)
            return true;
    return false;
}

static qf_err wf_allow(const sd_wf_actor *a, sd_action act, const wf_case *c, sd_wf_err *e)
{
    const char *co[SD_WF_CO_CAP + 1];
    const char *why = NULL;
    sd_perm_case pc;

    if (!a->who)
        return QF_OK; /* the local operator */
    for (size_t i = 0; i < c->nco; i++)
        co[i] = c->co[i];
    co[c->nco] = NULL;
    pc.lead_unit = c->st.lead_unit[0] ? c->st.lead_unit : NULL;
    pc.co_units = co;
    pc.platform_unit = c->platform[0] ? c->platform : NULL;
    if (sd_perm_allows(a->who, act, &pc, &why))
        return QF_OK;
    return wf_fail(e, QF_ERR_DENIED, NULL, "%s", why ? why : "You may not do this.");
}

/* Is the actor an operator (qifu-ctl, an operator token, a staff account
 * with the operator role)? */
static bool wf_is_operator(const sd_wf_actor *a)
{
    return !a->who || a->who->kind == SD_PRINCIPAL_OPERATOR ||
           (a->who->kind == SD_PRINCIPAL_STAFF && strcmp(a->who->role, "operator") == 0);
}

/* {"platform_unit","co_units"}: what the audit adds to the state. */
static json_t *wf_units_extra(const wf_case *c)
{
    json_t *co = json_array();
    for (size_t i = 0; co && i < c->nco; i++)
        json_array_append_new(co, json_string(c->co[i]));
    return json_pack("{s:o,s:o}", "platform_unit", wf_str_or_null(c->platform), "co_units",
                     co ? co : json_array());
}

/* ---- case_units ---------------------------------------------------------- */

static qf_err wf_unit_open(sd_store *store, const char *no, const char *unit, const char *role,
                           qf_instant at)
{
    sqlite3_stmt *st = sd_store_stmt(store, "INSERT INTO case_units (case_no, unit, role, since) "
                                            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (case_no, unit, "
                                            "role, since) DO UPDATE SET until = NULL");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, unit, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, at);
    return sd_store_step_done(store, st);
}

static qf_err wf_unit_close(sd_store *store, const char *no, const char *unit, const char *role,
                            qf_instant at)
{
    sqlite3_stmt *st = sd_store_stmt(store, "UPDATE case_units SET until = ?4 WHERE case_no = ?1 "
                                            "AND unit = ?2 AND role = ?3 AND until IS NULL");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, unit, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, at);
    return sd_store_step_done(store, st);
}

static qf_err wf_co_add(sd_store *store, wf_case *c, const char *unit, qf_instant at,
                        sd_wf_err *e)
{
    if (wf_case_has_co(c, unit) || strcmp(unit, c->st.lead_unit) == 0)
        return QF_OK;
    if (c->nco == SD_WF_CO_CAP)
        return wf_fail(e, QF_ERR_LIMIT, "co", "a case has at most %d co-units", SD_WF_CO_CAP);
    snprintf(c->co[c->nco++], WF_UNIT_ID_MAX, "%s", unit);
    return wf_unit_open(store, c->no, unit, "co", at);
}

static qf_err wf_co_remove(sd_store *store, wf_case *c, const char *unit, qf_instant at)
{
    for (size_t i = 0; i < c->nco; i++) {
        if (strcmp(c->co[i], unit) != 0)
            continue;
        memmove(c->co[i], c->co[i + 1], (c->nco - i - 1) * sizeof c->co[0]);
        c->nco--;
        return wf_unit_close(store, c->no, unit, "co", at);
    }
    return QF_OK;
}

/* The lead moved from `from` ("" before triage) to c->st.lead_unit: closes
 * the old lead row, opens the new one; a co-unit becoming lead stops being
 * co-unit. */
static qf_err wf_lead_moved(sd_store *store, wf_case *c, const char *from, qf_instant at)
{
    qf_err rc;
    if (strcmp(from, c->st.lead_unit) == 0)
        return QF_OK;
    if (from[0] && (rc = wf_unit_close(store, c->no, from, "lead", at)) != QF_OK)
        return rc;
    if ((rc = wf_unit_open(store, c->no, c->st.lead_unit, "lead", at)) != QF_OK)
        return rc;
    return wf_co_remove(store, c, c->st.lead_unit, at);
}

/* ---- transactions -------------------------------------------------------- */

/* Locks, begins, loads the case and (act >= 0) checks the permission. The
 * caller ends with wf_end whatever this returned. */
static qf_err wf_begin(sd_store *store, const sd_wf_actor *a, const char *no, int act, wf_case *c,
                       sd_wf_err *e)
{
    qf_err rc;
    memset(c, 0, sizeof *c);
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        return rc;
    if ((rc = wf_case_load(store, no, c, e)) != QF_OK)
        return rc;
    return act >= 0 ? wf_allow(a, (sd_action)act, c, e) : QF_OK;
}

static qf_err wf_end(sd_store *store, wf_case *c, qf_err rc, sd_wf_err *e)
{
    if (rc == QF_OK)
        rc = sd_store_commit(store);
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    wf_case_cleanup(c);
    if ((rc == QF_ERR_STORAGE || rc == QF_ERR_NOMEM) && !e->msg[0])
        wf_fail(e, rc, NULL, "the case could not be %s",
                rc == QF_ERR_NOMEM ? "handled (out of memory)" : "read or saved");
    return rc;
}

/* Events are dated now, but never before the case's last change. */
static qf_instant wf_at(const sd_wf_actor *a, const wf_case *c)
{
    return a->now < c->st.updated_at ? c->st.updated_at : a->now;
}

/* Runs the rules; an invalid event names field. */
static qf_err wf_apply(const sd_wf_actor *a, const wf_case *c, const qf_case_event *ev,
                       const char *field, qf_case_state *next, sd_wf_err *e)
{
    qf_err rc = qf_case_apply(&c->st, ev, a->cal, next, e->msg, sizeof e->msg);
    if (rc == QF_ERR_INVALID)
        snprintf(e->field, sizeof e->field, "%s", field);
    return rc;
}

/* Saves c->st (the state after) through store_cases.c. detail is stolen. */
static qf_err wf_save(sd_store *store, const sd_wf_actor *a, const wf_case *c,
                      const qf_case_state *before, json_t *before_extra, qf_instant at,
                      const char *event, const char *action, json_t *detail,
                      const char *platform)
{
    json_t *after_extra = wf_units_extra(c);
    char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    sd_case_change ch = { .actor = a->name, .event = event, .action = action,
                          .detail = detail_text, .platform_unit = platform,
                          .before_extra = before_extra, .after_extra = after_extra };
    qf_err rc = QF_ERR_NOMEM;

    if (after_extra && before_extra && (!detail || detail_text))
        rc = sd_store_case_save_locked(store, c->no, before, &c->st, at, &ch);
    json_decref(after_extra);
    json_decref(detail);
    free(detail_text);
    return rc;
}

static json_t *wf_summary_json(sd_store *store, const wf_case *c, qf_instant now)
{
    const qf_case_state *st = &c->st;
    json_t *co = json_array(), *out;
    char last[16] = "";

    for (size_t i = 0; co && i < c->nco; i++)
        json_array_append_new(co, wf_unit_json(store, c->co[i]));
    if (st->deadline != QF_CASE_NO_TIME)
        qf_day_format(qf_instant_day(st->deadline - 1), last, sizeof last);
    out = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:b,s:i,s:i,s:b}",
                    "case_no", c->no, "status", qf_case_status_name(st->status),
                    "status_label_zh", qf_case_status_label(st->status), "kind",
                    st->kind == QF_CASE_KIND_NONE ? json_null()
                                                  : json_string(qf_case_kind_name(st->kind)),
                    "kind_label_zh", qf_case_kind_label(st->kind), "level",
                    qf_case_level_name(st->level), "level_label_zh",
                    qf_case_level_label(st->level), "lead", wf_unit_json(store, st->lead_unit),
                    "platform", wf_unit_json(store, c->platform), "co_units",
                    co ? co : json_array(), "deadline", wf_iso(st->deadline),
                    "deadline_last_day", wf_str_or_null(last), "overdue",
                    qf_case_is_overdue(st, now), "reopen_count", st->reopen_count,
                    "transfer_count", st->transfer_count, "auto_whistle", st->auto_whistle);
    return out;
}

static qf_err wf_summary_out(sd_store *store, const wf_case *c, qf_instant now, json_t **summary)
{
    if (!summary)
        return QF_OK;
    *summary = wf_summary_json(store, c, now);
    return *summary ? QF_OK : QF_ERR_NOMEM;
}

/* ---- triage -------------------------------------------------------------- */

/* Resolves up to SD_WF_CO_MAX co-units: known, not the lead, not twice. */
static qf_err wf_co_resolve(sd_store *store, const char *const *co, size_t nco, const char *lead,
                            wf_unit *out, sd_wf_err *e)
{
    qf_err rc;
    if (nco > SD_WF_CO_MAX)
        return wf_fail(e, QF_ERR_INVALID, "co", "at most %d co-units", SD_WF_CO_MAX);
    for (size_t i = 0; i < nco; i++) {
        if ((rc = wf_unit_find(store, co[i], "co", &out[i], e)) != QF_OK)
            return rc;
        if (strcmp(out[i].id, lead) == 0)
            return wf_fail(e, QF_ERR_INVALID, "co", "co: %s (%s) is the lead unit", out[i].id,
                           out[i].name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(out[i].id, out[j].id) == 0)
                return wf_fail(e, QF_ERR_INVALID, "co", "co: %s (%s) is named twice", out[i].id,
                               out[i].name);
    }
    return QF_OK;
}

static qf_err wf_lead_resolve(sd_store *store, const char *text, wf_unit *out, sd_wf_err *e)
{
    qf_err rc = wf_unit_find(store, text, "lead", out, e);
    if (rc == QF_OK && !wf_unit_can_lead(out))
        return wf_fail(e, QF_ERR_INVALID, "lead",
                       "lead: %s (%s) is not a department, platform or street, so it cannot "
                       "lead a case (it may co-handle one)",
                       out->id, out->name);
    return rc;
}

/* The actor's own unit when it is a platform/street (for defaults). */
static bool wf_actor_platform(sd_store *store, const sd_wf_actor *a, wf_unit *out)
{
    sd_wf_err ignored;
    if (!a->who || !a->who->unit[0])
        return false;
    return wf_unit_find(store, a->who->unit, "unit", out, &ignored) == QF_OK &&
           wf_unit_is_platform(out);
}

qf_err sd_store_wf_triage(sd_store *store, const sd_wf_actor *a, const char *no,
                          const sd_wf_triage_in *in, json_t **summary, sd_wf_err *e)
{
    wf_unit lead, plat, co[SD_WF_CO_MAX];
    const char *plat_id = NULL;
    qf_case_state before, next;
    qf_case_kind kind = QF_CASE_KIND_NONE;
    qf_case_event ev;
    json_t *before_extra = NULL, *detail, *co_ids;
    qf_instant at;
    wf_case c;
    qf_err rc;

    memset(e, 0, sizeof *e);
    if (summary)
        *summary = NULL;
    if ((rc = wf_kind(in->kind, in->level, &kind, e)) != QF_OK)
        return rc;
    if (!in->lead)
        return wf_fail(e, QF_ERR_INVALID, "lead", "lead is required");
    if (in->nco > SD_WF_CO_MAX)
        return wf_fail(e, QF_ERR_INVALID, "co", "at most %d co-units", SD_WF_CO_MAX);

    if ((rc = wf_begin(store, a, no, SD_ACT_TRIAGE, &c, e)) != QF_OK)
        goto out;
    if ((rc = wf_kind_fits(c.type, kind, e)) != QF_OK ||
        (rc = wf_lead_resolve(store, in->lead, &lead, e)) != QF_OK ||
        (rc = wf_co_resolve(store, in->co, in->nco, lead.id, co, e)) != QF_OK)
        goto out;

    /* The platform/street the case belongs to: named, or the lead itself,
     * or the triager's own. */
    if (in->platform) {
        if ((rc = wf_unit_find(store, in->platform, "platform", &plat, e)) != QF_OK)
            goto out;
        if (!wf_unit_is_platform(&plat)) {
            rc = wf_fail(e, QF_ERR_INVALID, "platform", "platform: %s (%s) is a %s, not a "
                         "platform or street", plat.id, plat.name, plat.kind);
            goto out;
        }
        plat_id = plat.id;
    }
    if (wf_unit_is_platform(&lead)) {
        if (plat_id && strcmp(plat_id, lead.id) != 0) {
            rc = wf_fail(e, QF_ERR_INVALID, "platform",
                         "a case led by the platform/street %s belongs to it, not to %s",
                         lead.id, plat_id);
            goto out;
        }
        plat_id = lead.id;
    } else if (!plat_id && wf_actor_platform(store, a, &plat)) {
        plat_id = plat.id;
    } else if (!plat_id && c.platform[0]) {
        plat_id = c.platform;
    }
    if (plat_id && a->who && a->who->kind == SD_PRINCIPAL_STAFF &&
        strcmp(a->who->role, "triage") == 0 && strcmp(plat_id, a->who->unit) != 0) {
        rc = wf_fail(e, QF_ERR_DENIED, NULL,
                     "You triage for your own platform or street (%s) only, not for %s.",
                     a->who->unit, plat_id);
        goto out;
    }

    before = c.st;
    if (!(before_extra = wf_units_extra(&c))) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    at = wf_at(a, &c);
    memset(&ev, 0, sizeof ev);
    ev.type = QF_CASE_EV_TRIAGE;
    ev.at = at;
    ev.kind = kind;
    snprintf(ev.unit, sizeof ev.unit, "%s", lead.id);
    ev.unit_is_platform = wf_unit_is_platform(&lead);
    if ((rc = wf_apply(a, &c, &ev, "lead", &next, e)) != QF_OK)
        goto out;
    c.st = next;
    if ((rc = wf_lead_moved(store, &c, before.lead_unit, at)) != QF_OK)
        goto out;
    for (size_t i = 0; i < in->nco; i++)
        if ((rc = wf_co_add(store, &c, co[i].id, at, e)) != QF_OK)
            goto out;
    if (plat_id && plat_id != c.platform)
        snprintf(c.platform, sizeof c.platform, "%s", plat_id);

    co_ids = json_array();
    for (size_t i = 0; co_ids && i < in->nco; i++)
        json_array_append_new(co_ids, json_string(co[i].id));
    detail = json_pack("{s:s,s:s,s:o,s:o}", "kind", qf_case_kind_name(kind), "lead", lead.id,
                       "co", co_ids ? co_ids : json_array(), "platform",
                       wf_str_or_null(c.platform));
    rc = wf_save(store, a, &c, &before, before_extra, at, "triage", NULL, detail,
                 c.platform[0] ? c.platform : NULL);
    if (rc == QF_OK)
        rc = wf_summary_out(store, &c, a->now, summary);
out:
    json_decref(before_extra);
    return wf_end(store, &c, rc, e);
}

/* ---- transfer, reply, done ----------------------------------------------- */

qf_err sd_store_wf_transfer(sd_store *store, const sd_wf_actor *a, const char *no,
                            const char *lead_text, const char *platform, json_t **summary,
                            sd_wf_err *e)
{
    wf_unit lead, plat;
    const char *plat_set = NULL;
    char from[QF_CASE_UNIT_MAX];
    qf_case_state before, next;
    qf_case_event ev;
    json_t *before_extra = NULL, *detail;
    qf_instant at;
    wf_case c;
    qf_err rc;

    memset(e, 0, sizeof *e);
    if (summary)
        *summary = NULL;
    if (!lead_text)
        return wf_fail(e, QF_ERR_INVALID, "lead", "lead is required");
    if ((rc = wf_begin(store, a, no, SD_ACT_TRANSFER, &c, e)) != QF_OK)
        goto out;
    if ((rc = wf_lead_resolve(store, lead_text, &lead, e)) != QF_OK)
        goto out;
    if (platform) {
        if ((rc = wf_unit_find(store, platform, "platform", &plat, e)) != QF_OK)
            goto out;
        if (!wf_unit_is_platform(&plat)) {
            rc = wf_fail(e, QF_ERR_INVALID, "platform", "platform: %s (%s) is a %s, not a "
                         "platform or street", plat.id, plat.name, plat.kind);
            goto out;
        }
        if (c.platform[0] && strcmp(c.platform, plat.id) != 0) {
            rc = wf_fail(e, QF_ERR_INVALID, "platform",
                         "platform: the case belongs to %s already", c.platform);
            goto out;
        }
        plat_set = plat.id;
    } else if (!c.platform[0] && wf_actor_platform(store, a, &plat)) {
        plat_set = plat.id;
    }
    if ((c.st.kind == QF_CASE_KIND_SIMPLE || c.st.kind == QF_CASE_KIND_SINGLE) &&
        !wf_unit_is_platform(&lead) && !c.platform[0] && !plat_set) {
        rc = wf_fail(e, QF_ERR_INVALID, "platform",
                     "this case has no platform or street on record, which would lead it once "
                     "a second department makes it a whistle case: give platform");
        goto out;
    }

    before = c.st;
    snprintf(from, sizeof from, "%s", c.st.lead_unit);
    if (!(before_extra = wf_units_extra(&c))) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    if (plat_set)
        snprintf(c.platform, sizeof c.platform, "%s", plat_set);
    at = wf_at(a, &c);
    memset(&ev, 0, sizeof ev);
    ev.type = QF_CASE_EV_TRANSFER;
    ev.at = at;
    snprintf(ev.unit, sizeof ev.unit, "%s", lead.id);
    ev.unit_is_platform = wf_unit_is_platform(&lead);
    snprintf(ev.platform, sizeof ev.platform, "%s", c.platform);
    if ((rc = wf_apply(a, &c, &ev, "lead", &next, e)) != QF_OK)
        goto out;
    c.st = next;
    if ((rc = wf_lead_moved(store, &c, from, at)) != QF_OK)
        goto out;
    /* The automatic whistle: the department the case was moved to co-
     * handles it under the platform/street (由平台、街道牵头主办，各部门协办). */
    if (next.auto_whistle && !before.auto_whistle &&
        (rc = wf_co_add(store, &c, lead.id, at, e)) != QF_OK)
        goto out;
    detail = json_pack("{s:s,s:s,s:s,s:b}", "from", from, "to", c.st.lead_unit, "named", lead.id,
                       "auto_whistle", next.auto_whistle && !before.auto_whistle);
    rc = wf_save(store, a, &c, &before, before_extra, at, "transfer", NULL, detail, plat_set);
    if (rc == QF_OK)
        rc = wf_summary_out(store, &c, a->now, summary);
out:
    json_decref(before_extra);
    return wf_end(store, &c, rc, e);
}

/* REPLY and FINISH: an event, a public note, no unit changes. */
static qf_err wf_simple_event(sd_store *store, const sd_wf_actor *a, const char *no,
                              sd_action act, qf_case_event_type type, const char *note,
                              json_t **summary, sd_wf_err *e)
{
    qf_case_state before, next;
    qf_case_event ev;
    json_t *before_extra = NULL, *detail = NULL;
    qf_instant at;
    wf_case c;
    qf_err rc;

    if ((rc = wf_begin(store, a, no, act, &c, e)) != QF_OK)
        goto out;
    before = c.st;
    if (!(before_extra = wf_units_extra(&c))) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    at = wf_at(a, &c);
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.at = at;
    if ((rc = wf_apply(a, &c, &ev, "", &next, e)) != QF_OK)
        goto out;
    c.st = next;
    if (note || (a->who && a->who->unit[0])) {
        detail = json_object();
        if (detail && note)
            json_object_set_new(detail, "note", json_string(note));
        if (detail && a->who && a->who->unit[0])
            json_object_set_new(detail, "unit", json_string(a->who->unit));
    }
    rc = wf_save(store, a, &c, &before, before_extra, at, qf_case_event_name(type), NULL, detail,
                 NULL);
    if (rc == QF_OK)
        rc = wf_summary_out(store, &c, a->now, summary);
out:
    json_decref(before_extra);
    return wf_end(store, &c, rc, e);
}

qf_err sd_store_wf_reply(sd_store *store, const sd_wf_actor *a, const char *no, const char *text,
                         json_t **summary, sd_wf_err *e)
{
    qf_err rc;
    memset(e, 0, sizeof *e);
    if (summary)
        *summary = NULL;
    if ((rc = wf_text_check(text, true, SD_WF_TEXT_MAX, "text", e)) != QF_OK)
        return rc;
    return wf_simple_event(store, a, no, SD_ACT_REPLY, QF_CASE_EV_REPLY, text, summary, e);
}

qf_err sd_store_wf_done(sd_store *store, const sd_wf_actor *a, const char *no, const char *note,
                        json_t **summary, sd_wf_err *e)
{
    qf_err rc;
    memset(e, 0, sizeof *e);
    if (summary)
        *summary = NULL;
    if ((rc = wf_text_check(note, false, SD_WF_NOTE_MAX, "note", e)) != QF_OK)
        return rc;
    return wf_simple_event(store, a, no, SD_ACT_DONE, QF_CASE_EV_FINISH, note, summary, e);
}

/* ---- escalation ---------------------------------------------------------- */

typedef struct wf_escalation {
    int64_t id;
    char level[24];
    char *form;                  /* owned JSON text */
} wf_escalation;

/* The escalation waiting for a decision (decision IS NULL), if any. */
static qf_err wf_escalation_open(sd_store *store, const char *no, wf_escalation *out, bool *found)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT id, level, form FROM escalations WHERE "
                                            "case_no = ?1 AND decision IS NULL ORDER BY id DESC "
                                            "LIMIT 1");
    qf_err rc = QF_OK;
    int step;

    memset(out, 0, sizeof *out);
    *found = false;
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->level, sizeof out->level, "%s", (const char *)sqlite3_column_text(st, 1));
        out->form = sd_store_col_dup(st, 2);
        *found = true;
        if (!out->form)
            rc = QF_ERR_NOMEM;
    } else if (step != SQLITE_DONE) {
        rc = sd_store_err(store, step);
    }
    sd_store_done(st);
    return rc;
}

static qf_err wf_escalation_insert(sd_store *store, const char *no, const char *level,
                                   qf_instant at, const char *by, const char *form,
                                   int64_t *id)
{
    sqlite3_stmt *st = sd_store_stmt(store, "INSERT INTO escalations (case_no, level, filed_at, "
                                            "filed_by, form) VALUES (?1, ?2, ?3, ?4, ?5)");
    qf_err rc;
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, level, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, at);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, form, -1, SQLITE_TRANSIENT);
    rc = sd_store_step_done(store, st);
    if (rc == QF_OK)
        *id = sqlite3_last_insert_rowid(sd_store_db(store));
    return rc;
}

/* Records a level's decision. form (non-NULL) replaces the row's form
 * (the filed form plus what the decision assigned). */
static qf_err wf_escalation_decide(sd_store *store, int64_t id, const char *decision,
                                   const char *signer, qf_instant at, const char *opinion,
                                   const char *form)
{
    sqlite3_stmt *st = sd_store_stmt(store, "UPDATE escalations SET decision = ?2, decided_by = "
                                            "?3, decided_at = ?4, opinion = ?5, form = "
                                            "COALESCE(?6, form) WHERE id = ?1 AND decision IS "
                                            "NULL");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, decision, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, signer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, at);
    sqlite3_bind_text(st, 5, opinion, -1, SQLITE_TRANSIENT);
    wf_bind_opt(st, 6, form);
    return sd_store_step_done(store, st);
}

static const char *wf_signer(const char *given, const sd_wf_actor *a)
{
    return given ? given : a->signer;
}

/* The state after the deciding level hands the case to `lead` at `at`:
 * qf_case's REASSIGN (改派) with the named lead, the case's platform/street
 * and the named kind (NONE keeps the current one; the rules decide what fits
 * the lead, the level, the new time limit and which counters restart). */
static qf_err wf_reassign_state(const sd_wf_actor *a, const wf_case *c, qf_case_kind kind,
                                const wf_unit *lead, qf_instant at, qf_case_state *out,
                                sd_wf_err *e)
{
    qf_case_event ev;

    if (!qf_case_transition_find(c->st.status, QF_CASE_EV_REASSIGN, NULL))
        return wf_fail(e, QF_ERR_STATE, NULL,
                       "a case can be handed to a new lead only while it is in progress; it is %s",
                       qf_case_status_name(c->st.status));
    memset(&ev, 0, sizeof ev);
    ev.type = QF_CASE_EV_REASSIGN;
    ev.at = at;
    ev.kind = kind;
    snprintf(ev.unit, sizeof ev.unit, "%s", lead->id);
    ev.unit_is_platform = wf_unit_is_platform(lead);
    snprintf(ev.platform, sizeof ev.platform, "%s", c->platform);
    return wf_apply(a, c, &ev, "lead", out, e);
}

static json_t *wf_co_ids(const wf_case *c)
{
    json_t *co = json_array();
    for (size_t i = 0; co && i < c->nco; i++)
        json_array_append_new(co, json_string(c->co[i]));
    return co ? co : json_array();
}

qf_err sd_store_wf_escalate(sd_store *store, const sd_wf_actor *a, const char *no,
                            const sd_wf_form_in *in, json_t **summary, sd_wf_err *e)
{
    const char *signer = wf_signer(in->signer, a);
    const char *locality_id = NULL;
    wf_unit locality;
    wf_escalation open;
    qf_case_state before, next;
    qf_case_event ev;
    json_t *before_extra = NULL, *form = NULL, *detail;
    char *form_text = NULL, signed_at[32];
    bool found = false;
    int64_t id = 0;
    qf_instant at;
    wf_case c;
    qf_err rc;

    memset(e, 0, sizeof *e);
    memset(&open, 0, sizeof open);
    memset(&c, 0, sizeof c);
    if (summary)
        *summary = NULL;
    if (!in->request ||
        (strcmp(in->request, "escalate") != 0 && strcmp(in->request, "change_lead") != 0))
        return wf_fail(e, QF_ERR_INVALID, "request",
                       "request must be escalate (申请提级协调) or change_lead "
                       "(申请更换主办部门协调)");
    if ((rc = wf_text_check(in->prior, true, SD_WF_TEXT_MAX, "prior_coordination", e)) ||
        (rc = wf_text_check(in->opinion, false, SD_WF_TEXT_MAX, "opinion", e)) ||
        (rc = wf_text_check(in->enterprise, false, 100, "enterprise", e)) ||
        (rc = wf_text_check(in->problem, false, SD_WF_TEXT_MAX, "problem", e)))
        return rc;
    if (!signer)
        return wf_fail(e, QF_ERR_INVALID, "signer",
                       "signer is required: the name of the lead unit's head who signs the form");
    if ((rc = wf_text_check(signer, true, SD_WF_SIGNER_MAX, "signer", e)) != QF_OK)
        return rc;

    if ((rc = wf_begin(store, a, no, SD_ACT_ESCALATE, &c, e)) != QF_OK)
        goto out;
    if ((rc = wf_escalation_open(store, no, &open, &found)) != QF_OK)
        goto out;
    if (found) {
        rc = wf_fail(e, QF_ERR_CONFLICT, NULL,
                     "an escalation of this case already waits for the decision of level %s",
                     open.level);
        goto out;
    }
    if (c.st.level != QF_CASE_LEVEL_UNIT) {
        rc = wf_fail(e, QF_ERR_STATE, NULL, "the case is at level %s, not with its lead unit",
                     qf_case_level_name(c.st.level));
        goto out;
    }
    if (in->locality) {
        if ((rc = wf_unit_find(store, in->locality, "locality", &locality, e)) != QF_OK)
            goto out;
        locality_id = locality.id;
    } else if (c.platform[0]) {
        locality_id = c.platform;
    }
    before = c.st;
    if (!(before_extra = wf_units_extra(&c))) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    at = wf_at(a, &c);
    memset(&ev, 0, sizeof ev);
    ev.type = QF_CASE_EV_ESCALATE;
    ev.at = at;
    if ((rc = wf_apply(a, &c, &ev, "", &next, e)) != QF_OK)
        goto out;
    c.st = next;
    qf_clock_format_iso8601(at, signed_at, sizeof signed_at);
    form = json_pack("{s:s,s:s,s:s,s:o,s:s,s:o,s:s,s:o,s:s,s:s}", "enterprise",
                     in->enterprise ? in->enterprise : c.enterprise, "problem",
                     in->problem ? in->problem : c.problem, "prior_coordination", in->prior,
                     "locality", wf_str_or_null(locality_id), "lead_unit", before.lead_unit,
                     "co_units", wf_co_ids(&c), "request", in->request, "opinion",
                     wf_str_or_null(in->opinion), "signer", signer, "signed_at", signed_at);
    if (!form || !(form_text = json_dumps(form, JSON_COMPACT))) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    if ((rc = wf_escalation_insert(store, no, qf_case_level_name(next.level), at, a->name,
                                   form_text, &id)) != QF_OK)
        goto out;
    detail = json_pack("{s:I,s:s,s:s,s:O}", "escalation_id", (json_int_t)id, "level",
                       qf_case_level_name(next.level), "request", in->request, "form", form);
    rc = wf_save(store, a, &c, &before, before_extra, at, "escalate", "case.escalate", detail,
                 NULL);
    if (rc == QF_OK)
        rc = wf_summary_out(store, &c, a->now, summary);
out:
    free(form_text);
    json_decref(form);
    free(open.form);
    json_decref(before_extra);
    return wf_end(store, &c, rc, e);
}

/* The filed form with what a reassignment named. Ownership: free(). */
static char *wf_form_assigned(const char *form_text, const wf_case *c)
{
    json_t *form = json_loads(form_text, 0, NULL);
    char *text = NULL;
    if (json_is_object(form) &&
        json_object_set_new(form, "assigned",
                            json_pack("{s:s,s:o,s:s}", "lead_unit", c->st.lead_unit, "co_units",
                                      wf_co_ids(c), "kind", qf_case_kind_name(c->st.kind))) == 0)
        text = json_dumps(form, JSON_COMPACT);
    json_decref(form);
    return text;
}

qf_err sd_store_wf_decide(sd_store *store, const sd_wf_actor *a, const char *no,
                          const sd_wf_decision_in *in, json_t **summary, sd_wf_err *e)
{
    const char *signer = wf_signer(in->signer, a);
    wf_unit lead, co[SD_WF_CO_MAX];
    qf_case_kind kind = QF_CASE_KIND_NONE;
    qf_case_level expect = QF_CASE_LEVEL_UNIT;
    wf_escalation open;
    qf_case_state before, next;
    qf_case_event ev;
    json_t *before_extra = NULL, *detail = NULL;
    char from[QF_CASE_UNIT_MAX], *form_text = NULL;
    bool found = false, escalate;
    int64_t id = 0;
    qf_instant at;
    wf_case c;
    qf_err rc;

    memset(e, 0, sizeof *e);
    memset(&open, 0, sizeof open);
    memset(&c, 0, sizeof c);
    if (summary)
        *summary = NULL;
    if (!in->decision || (strcmp(in->decision, "escalate") != 0 &&
                          strcmp(in->decision, "reassign") != 0 &&
                          strcmp(in->decision, "assign") != 0))
        return wf_fail(e, QF_ERR_INVALID, "decision",
                       "decision must be escalate (to the next level) or reassign / assign "
                       "(with a named lead unit)");
    escalate = strcmp(in->decision, "escalate") == 0;
    if ((rc = wf_text_check(in->opinion, true, SD_WF_TEXT_MAX, "opinion", e)) != QF_OK)
        return rc;
    if (!signer)
        return wf_fail(e, QF_ERR_INVALID, "signer",
                       "signer is required: the name of who signs this level's opinion");
    if ((rc = wf_text_check(signer, true, SD_WF_SIGNER_MAX, "signer", e)) != QF_OK)
        return rc;
    if (escalate && (in->lead || in->co || in->kind))
        return wf_fail(e, QF_ERR_INVALID, in->lead ? "lead" : in->co ? "co" : "kind",
                       "lead, co and kind go with reassign or assign, not with escalate");
    if (!escalate && !in->lead)
        return wf_fail(e, QF_ERR_INVALID, "lead",
                       "a reassignment names the new lead unit (lead): requests must not idle");
    if (in->nco > SD_WF_CO_MAX)
        return wf_fail(e, QF_ERR_INVALID, "co", "at most %d co-units", SD_WF_CO_MAX);
    if (in->expect_level && (qf_case_level_parse(in->expect_level, &expect) != QF_OK ||
                             expect == QF_CASE_LEVEL_UNIT))
        return wf_fail(e, QF_ERR_INVALID, "at_level",
                       "at_level must be task_force, district_leader or principal");
    if (!escalate && in->kind && (rc = wf_kind(in->kind, in->level, &kind, e)) != QF_OK)
        return rc;

    if ((rc = wf_begin(store, a, no, -1, &c, e)) != QF_OK)
        goto out;
    if ((rc = wf_escalation_open(store, no, &open, &found)) != QF_OK)
        goto out;
    if (!found) {
        rc = wf_fail(e, QF_ERR_STATE, NULL,
                     "no escalation of this case waits for a decision (the lead files the "
                     "提级协调审批表 first)");
        goto out;
    }
    if (in->expect_level && strcmp(in->expect_level, open.level) != 0) {
        rc = wf_fail(e, QF_ERR_CONFLICT, NULL, "the escalation waits at level %s, not %s",
                     open.level, in->expect_level);
        goto out;
    }
    if ((rc = wf_allow(a,
                       strcmp(open.level, "task_force") == 0 ? SD_ACT_DECIDE_TASKFORCE
                                                             : SD_ACT_DECIDE_LEADER,
                       &c, e)) != QF_OK)
        goto out;
    before = c.st;
    snprintf(from, sizeof from, "%s", c.st.lead_unit);
    if (!(before_extra = wf_units_extra(&c))) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    at = wf_at(a, &c);

    if (escalate) {
        memset(&ev, 0, sizeof ev);
        ev.type = QF_CASE_EV_ESCALATE;
        ev.at = at;
        if ((rc = wf_apply(a, &c, &ev, "", &next, e)) != QF_OK)
            goto out;
        c.st = next;
        if ((rc = wf_escalation_decide(store, open.id, "escalate", signer, at, in->opinion,
                                       NULL)) != QF_OK ||
            (rc = wf_escalation_insert(store, no, qf_case_level_name(next.level), at, a->name,
                                       open.form, &id)) != QF_OK)
            goto out;
        detail = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I}", "escalation_id", (json_int_t)open.id,
                           "level", open.level, "decision", "escalate", "opinion", in->opinion,
                           "signer", signer, "next_level", qf_case_level_name(next.level),
                           "next_escalation_id", (json_int_t)id);
        rc = wf_save(store, a, &c, &before, before_extra, at, "escalate", "case.decide", detail,
                     NULL);
    } else {
        if ((rc = wf_lead_resolve(store, in->lead, &lead, e)) != QF_OK ||
            (rc = wf_co_resolve(store, in->co, in->co ? in->nco : 0, lead.id, co, e)) != QF_OK)
            goto out;
        if ((in->kind && (rc = wf_kind_fits(c.type, kind, e)) != QF_OK) ||
            (rc = wf_reassign_state(a, &c, in->kind ? kind : QF_CASE_KIND_NONE, &lead, at,
                                    &next, e)) != QF_OK)
            goto out;
        c.st = next;
        if ((rc = wf_lead_moved(store, &c, from, at)) != QF_OK)
            goto out;
        if (in->co) { /* the named co-units replace the current ones */
            for (size_t i = c.nco; i > 0; i--) {
                bool keep = false;
                for (size_t j = 0; j < in->nco; j++)
                    keep = keep || strcmp(c.co[i - 1], co[j].id) == 0;
                if (!keep && (rc = wf_co_remove(store, &c, c.co[i - 1], at)) != QF_OK)
                    goto out;
            }
            for (size_t j = 0; j < in->nco; j++)
                if ((rc = wf_co_add(store, &c, co[j].id, at, e)) != QF_OK)
                    goto out;
        }
        if (!(form_text = wf_form_assigned(open.form, &c))) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        if ((rc = wf_escalation_decide(store, open.id, in->decision, signer, at, in->opinion,
                                       form_text)) != QF_OK)
            goto out;
        detail = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o}", "escalation_id",
                           (json_int_t)open.id, "level", open.level, "decision", in->decision,
                           "opinion", in->opinion, "signer", signer, "lead", c.st.lead_unit,
                           "co", wf_co_ids(&c), "kind", qf_case_kind_name(c.st.kind),
                           "deadline", wf_iso(c.st.deadline));
        rc = wf_save(store, a, &c, &before, before_extra, at, "reassign", "case.decide", detail,
                     NULL);
    }
    if (rc == QF_OK)
        rc = wf_summary_out(store, &c, a->now, summary);
out:
    free(form_text);
    free(open.form);
    json_decref(before_extra);
    return wf_end(store, &c, rc, e);
}

/* ---- ratings ------------------------------------------------------------- */

static json_t *wf_rating_json(const char *kind, const char *rater, const char *subject, int score,
                              const char *comment, qf_instant at)
{
    return json_pack("{s:s,s:s,s:s,s:i,s:o,s:o}", "kind", kind, "rater", rater, "subject",
                     subject, "score", score, "comment", wf_str_or_null(comment), "at",
                     wf_iso(at));
}

qf_err sd_store_wf_rate(sd_store *store, const sd_wf_actor *a, const char *no, const char *kind,
                        int score, const char *comment, json_t **summary, sd_wf_err *e)
{
    const char *rater, *subject;
    json_t *before = NULL, *after = NULL;
    char *before_text = NULL, *after_text = NULL;
    sqlite3_stmt *st;
    qf_instant at;
    wf_case c;
    qf_err rc;
    int step;
    bool helper;

    memset(e, 0, sizeof *e);
    memset(&c, 0, sizeof c);
    if (summary)
        *summary = NULL;
    if (!kind || (strcmp(kind, "helper") != 0 && strcmp(kind, "lead") != 0))
        return wf_fail(e, QF_ERR_INVALID, "kind",
                       "kind must be helper (the submitter's stars for the helper) or lead (the "
                       "helper's stars for the lead's handling)");
    if (score < 1 || score > 5)
        return wf_fail(e, QF_ERR_INVALID, "score", "score must be 1 to 5 stars");
    if ((rc = wf_text_check(comment, false, SD_WF_NOTE_MAX, "comment", e)) != QF_OK)
        return rc;
    helper = strcmp(kind, "helper") == 0;

    if ((rc = wf_begin(store, a, no, -1, &c, e)) != QF_OK)
        goto out;
    if (helper) {
        if (a->who && a->who->kind != SD_PRINCIPAL_DEVICE && !wf_is_operator(a)) {
            rc = wf_fail(e, QF_ERR_DENIED, NULL,
                         "The helper's stars are the submitter's: they are given at the kiosk.");
            goto out;
        }
        if (!c.helper[0]) {
            rc = wf_fail(e, QF_ERR_STATE, NULL, "no helper assisted this case");
            goto out;
        }
        rater = "submitter";
        subject = c.helper;
    } else {
        if ((rc = wf_allow(a, SD_ACT_RATE_LEAD, &c, e)) != QF_OK)
            goto out;
        if (a->who && a->who->kind == SD_PRINCIPAL_STAFF && strcmp(a->who->role, "helper") == 0 &&
            strcmp(a->who->subject, c.helper) != 0) {
            rc = wf_fail(e, QF_ERR_DENIED, NULL,
                         "Only the helper who assisted this case may rate its lead.");
            goto out;
        }
        if (c.st.status != QF_CASE_LEAD_FINISHED && c.st.status != QF_CASE_CLOSED) {
            rc = wf_fail(e, QF_ERR_STATE, NULL,
                         "the lead's handling is rated after 办结; the case is %s",
                         qf_case_status_name(c.st.status));
            goto out;
        }
        rater = a->name;
        subject = c.st.lead_unit;
    }
    at = wf_at(a, &c);

    st = sd_store_stmt(store, "SELECT subject, score, comment, at FROM ratings WHERE case_no = ?1 "
                              "AND kind = ?2 AND rater = ?3");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, rater, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        before = wf_rating_json(kind, rater, (const char *)sqlite3_column_text(st, 0),
                                sqlite3_column_int(st, 1),
                                (const char *)sqlite3_column_text(st, 2),
                                sqlite3_column_int64(st, 3));
    sd_store_done(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = sd_store_err(store, step);
        goto out;
    }
    st = sd_store_stmt(store, "INSERT INTO ratings (case_no, kind, rater, subject, score, comment, "
                              "at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (case_no, kind, "
                              "rater) DO UPDATE SET subject = excluded.subject, score = "
                              "excluded.score, comment = excluded.comment, at = excluded.at");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, rater, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, score);
    wf_bind_opt(st, 6, comment);
    sqlite3_bind_int64(st, 7, at);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    after = wf_rating_json(kind, rater, subject, score, comment, at);
    after_text = after ? json_dumps(after, JSON_COMPACT) : NULL;
    before_text = before ? json_dumps(before, JSON_COMPACT) : NULL;
    if (!after_text || (before && !before_text)) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    if ((rc = sd_store_audit_append(store, at, a->name, "case.rate", no, before_text, after_text,
                                    NULL)) != QF_OK)
        goto out;
    rc = wf_summary_out(store, &c, a->now, summary);
out:
    json_decref(before);
    json_decref(after);
    free(before_text);
    free(after_text);
    return wf_end(store, &c, rc, e);
}

/* ---- reading ------------------------------------------------------------- */

/* Takes the lock, loads the case and checks CASE_VIEW; the caller unlocks
 * with wf_read_end. */
static qf_err wf_read_begin(sd_store *store, const sd_wf_actor *a, const char *no, wf_case *c,
                            sd_wf_err *e)
{
    qf_err rc;
    memset(c, 0, sizeof *c);
    sd_store_lock(store);
    if ((rc = wf_case_load(store, no, c, e)) != QF_OK)
        return rc;
    return wf_allow(a, SD_ACT_CASE_VIEW, c, e);
}

static qf_err wf_read_end(sd_store *store, wf_case *c, qf_err rc, sd_wf_err *e)
{
    sd_store_unlock(store);
    wf_case_cleanup(c);
    if ((rc == QF_ERR_STORAGE || rc == QF_ERR_NOMEM) && !e->msg[0])
        wf_fail(e, rc, NULL, "the case could not be read");
    return rc;
}

qf_err sd_store_wf_summary(sd_store *store, const sd_wf_actor *a, const char *no, json_t **out,
                           sd_wf_err *e)
{
    wf_case c;
    qf_err rc;

    memset(e, 0, sizeof *e);
    *out = NULL;
    rc = wf_read_begin(store, a, no, &c, e);
    if (rc == QF_OK)
        rc = wf_summary_out(store, &c, a->now, out);
    return wf_read_end(store, &c, rc, e);
}

qf_err sd_store_wf_list(sd_store *store, const sd_wf_actor *a, const sd_wf_filter *f,
                        json_t **out, sd_wf_err *e)
{
    const char *dept_scope = NULL, *plat_scope = NULL, *why = NULL;
    size_t limit = f->limit ? f->limit : SD_WF_LIST_DEFAULT;
    qf_case_status status;
    qf_case_kind kind;
    wf_unit unit;
    json_t *list = NULL, *total = json_null();
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step;

    memset(e, 0, sizeof *e);
    *out = NULL;
    if (f->status && qf_case_status_parse(f->status, &status) != QF_OK)
        return wf_fail(e, QF_ERR_INVALID, "status",
                       "status must be submitted, in_progress, lead_finished, closed or "
                       "withdrawn");
    if (f->kind && strcmp(f->kind, "fallback") != 0 &&
        (qf_case_kind_parse(f->kind, &kind) != QF_OK || kind == QF_CASE_KIND_NONE))
        return wf_fail(e, QF_ERR_INVALID, "kind",
                       "kind must be simple, single, whistle, fallback, onsite, director or "
                       "deliberation");
    if (limit > SD_WF_LIST_MAX)
        return wf_fail(e, QF_ERR_INVALID, "limit", "limit must be 1 to %d", SD_WF_LIST_MAX);
    if (f->offset > (size_t)INT32_MAX)
        return wf_fail(e, QF_ERR_INVALID, "offset", "offset is too large");
    if (a->who) {
        if (!sd_perm_allows(a->who, SD_ACT_CASE_LIST, NULL, &why))
            return wf_fail(e, QF_ERR_DENIED, NULL, "%s", why ? why : "You may not list cases.");
        /* The unit rule of perm.c, as a filter. */
        if (a->who->kind == SD_PRINCIPAL_STAFF && strcmp(a->who->role, "department") == 0)
            dept_scope = a->who->unit;
        else if (a->who->kind == SD_PRINCIPAL_STAFF && strcmp(a->who->role, "triage") == 0)
            plat_scope = a->who->unit;
        if ((dept_scope && !*dept_scope) || (plat_scope && !*plat_scope))
            return wf_fail(e, QF_ERR_DENIED, NULL,
                           "Your account belongs to no unit, so it may not list cases.");
    }
    if (!(list = json_array()))
        return QF_ERR_NOMEM;

    sd_store_lock(store);
    if (f->unit && (rc = wf_unit_find(store, f->unit, "unit", &unit, e)) != QF_OK)
        goto out;
    st = sd_store_stmt(
        store,
        "SELECT c.no, c.kind, c.state, COALESCE(c.platform_unit, ''), c.enterprise_name, "
        "(SELECT group_concat(unit, ' ') FROM (SELECT unit FROM case_units cu WHERE cu.case_no = "
        "c.no AND cu.role = 'co' AND cu.until IS NULL ORDER BY since, unit)), count(*) OVER () "
        "FROM cases c WHERE (?1 IS NULL OR c.status = ?1) "
        "AND (?2 IS NULL OR c.case_kind = ?2 OR (?2 = 'fallback' AND c.case_kind IN "
        "('onsite', 'director', 'deliberation'))) "
        "AND (?3 IS NULL OR c.lead_unit = ?3 OR EXISTS (SELECT 1 FROM case_units cu WHERE "
        "cu.case_no = c.no AND cu.unit = ?3 AND cu.role = 'co' AND cu.until IS NULL)) "
        "AND (?4 IS NULL OR c.lead_unit = ?4 OR EXISTS (SELECT 1 FROM case_units cu WHERE "
        "cu.case_no = c.no AND cu.unit = ?4 AND cu.role = 'co' AND cu.until IS NULL)) "
        "AND (?5 IS NULL OR c.platform_unit = ?5 OR c.lead_unit = ?5 OR (c.lead_unit IS NULL "
        "AND c.platform_unit IS NULL)) "
        "AND (?6 = 0 OR (c.status = 'in_progress' AND c.deadline IS NOT NULL AND c.deadline "
        "<= ?7)) "
        "ORDER BY CASE WHEN ?6 THEN c.deadline END, c.created_at DESC, c.no DESC "
        "LIMIT ?8 OFFSET ?9");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    wf_bind_opt(st, 1, f->status);
    wf_bind_opt(st, 2, f->kind);
    wf_bind_opt(st, 3, f->unit ? unit.id : NULL);
    wf_bind_opt(st, 4, dept_scope);
    wf_bind_opt(st, 5, plat_scope);
    sqlite3_bind_int(st, 6, f->overdue);
    sqlite3_bind_int64(st, 7, a->now);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)limit);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)f->offset);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *no = (const char *)sqlite3_column_text(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 2);
        const char *co_text = (const char *)sqlite3_column_text(st, 5);
        json_t *obj = text ? json_loads(text, 0, NULL) : NULL, *co = json_array(), *row;
        qf_case_state s;
        char why_bad[160] = "no state", last[16] = "";

        json_decref(total);
        total = json_integer(sqlite3_column_int64(st, 6));
        if (!obj || sd_case_state_from_json(obj, &s, why_bad, sizeof why_bad) != QF_OK) {
            qf_error("workflow: case %s has an unreadable state: %s; left out of the list", no,
                     why_bad);
            json_decref(obj);
            json_decref(co);
            continue;
        }
        json_decref(obj);
        if (co && co_text) { /* ids hold no spaces */
            char buf[SD_WF_CO_CAP * WF_UNIT_ID_MAX + SD_WF_CO_CAP], *save = NULL;
            snprintf(buf, sizeof buf, "%s", co_text);
            for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
                json_array_append_new(co, json_string(tok));
        }
        if (s.deadline != QF_CASE_NO_TIME)
            qf_day_format(qf_instant_day(s.deadline - 1), last, sizeof last);
        row = json_pack("{s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:b,s:i,s:s,s:o,s:o}",
                        "case_no", no, "type", (const char *)sqlite3_column_text(st, 1),
                        "status", qf_case_status_name(s.status), "kind",
                        s.kind == QF_CASE_KIND_NONE ? json_null()
                                                    : json_string(qf_case_kind_name(s.kind)),
                        "level", qf_case_level_name(s.level), "lead",
                        wf_unit_json(store, s.lead_unit), "platform",
                        wf_unit_json(store, (const char *)sqlite3_column_text(st, 3)),
                        "co_units", co ? co : json_array(), "deadline", wf_iso(s.deadline),
                        "deadline_last_day", wf_str_or_null(last), "overdue",
                        qf_case_is_overdue(&s, a->now), "reopen_count", s.reopen_count,
                        "enterprise_name", (const char *)sqlite3_column_text(st, 4),
                        "submitted_at", wf_iso(s.submitted_at), "updated_at",
                        wf_iso(s.updated_at));
        if (!row || json_array_append_new(list, row) != 0) {
            rc = QF_ERR_NOMEM;
            break;
        }
    }
    if (rc == QF_OK && step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    /* count(*) OVER () comes with the rows: a page past the end knows no
     * total, the first page of nothing knows it is 0. */
    if (rc == QF_OK && json_array_size(list) == 0 && f->offset == 0) {
        json_decref(total);
        total = json_integer(0);
    }
out:
    sd_store_unlock(store);
    if (rc == QF_OK)
        *out = json_pack("{s:O,s:O,s:I,s:I}", "cases", list, "total", total, "limit",
                         (json_int_t)limit, "offset", (json_int_t)f->offset);
    json_decref(list);
    json_decref(total);
    if (rc == QF_OK && !*out)
        rc = QF_ERR_NOMEM;
    if ((rc == QF_ERR_STORAGE || rc == QF_ERR_NOMEM) && !e->msg[0])
        wf_fail(e, rc, NULL, "the cases could not be listed");
    return rc;
}

/* Escalation rows of case no, oldest first: all of them, or (latest) only
 * the chain of the latest filing (a filing's row is the one at task_force).
 * [{"id","level","filed_at","filed_by","form","decision","signer",
 *   "decided_at","opinion"}] */
static qf_err wf_escalations_json(sd_store *store, const char *no, bool latest, json_t **out)
{
    sqlite3_stmt *st = sd_store_stmt(
        store, "SELECT id, level, filed_at, filed_by, form, decision, decided_by, decided_at, "
               "opinion FROM escalations WHERE case_no = ?1 AND (?2 = 0 OR id >= COALESCE((SELECT "
               "max(id) FROM escalations WHERE case_no = ?1 AND level = 'task_force'), 0)) "
               "ORDER BY id");
    json_t *arr = json_array();
    qf_err rc = QF_OK;
    int step;

    *out = NULL;
    if (!st || !arr) {
        json_decref(arr);
        return st ? QF_ERR_NOMEM : QF_ERR_STORAGE;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, latest);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *form_text = (const char *)sqlite3_column_text(st, 4);
        json_t *form = form_text ? json_loads(form_text, 0, NULL) : NULL;
        json_t *row = json_pack(
            "{s:I,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o}", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "level",
            (const char *)sqlite3_column_text(st, 1), "filed_at",
            wf_iso(sqlite3_column_int64(st, 2)), "filed_by",
            (const char *)sqlite3_column_text(st, 3), "form", form ? form : json_null(),
            "decision", wf_str_or_null((const char *)sqlite3_column_text(st, 5)), "signer",
            wf_str_or_null((const char *)sqlite3_column_text(st, 6)), "decided_at",
            sqlite3_column_type(st, 7) == SQLITE_NULL ? json_null()
                                                      : wf_iso(sqlite3_column_int64(st, 7)),
            "opinion", wf_str_or_null((const char *)sqlite3_column_text(st, 8)));
        if (!row || json_array_append_new(arr, row) != 0) {
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

/* Runs a read of case no whose every row becomes one object of the array
 * made by `row` (NULL on allocation failure). */
typedef json_t *(*wf_row_fn)(sd_store *store, sqlite3_stmt *st);

static qf_err wf_rows_json(sd_store *store, const char *sql, const char *no, wf_row_fn row,
                           json_t **out)
{
    sqlite3_stmt *st = sd_store_stmt(store, sql);
    json_t *arr = json_array();
    qf_err rc = QF_OK;
    int step;

    *out = NULL;
    if (!st || !arr) {
        json_decref(arr);
        return st ? QF_ERR_NOMEM : QF_ERR_STORAGE;
    }
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = row(store, st);
        if (!o || json_array_append_new(arr, o) != 0) {
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

static const char wf_sql_units[] = "SELECT unit, role, since, until FROM case_units WHERE "
                                   "case_no = ?1 ORDER BY since, role DESC, unit";

static json_t *wf_unit_row(sd_store *store, sqlite3_stmt *st)
{
    json_t *u = wf_unit_json(store, (const char *)sqlite3_column_text(st, 0));
    if (json_is_object(u)) {
        json_object_set_new(u, "role", json_string((const char *)sqlite3_column_text(st, 1)));
        json_object_set_new(u, "since", wf_iso(sqlite3_column_int64(st, 2)));
        json_object_set_new(u, "until", sqlite3_column_type(st, 3) == SQLITE_NULL
                                            ? json_null()
                                            : wf_iso(sqlite3_column_int64(st, 3)));
    }
    return u;
}

static const char wf_sql_ratings[] = "SELECT kind, rater, subject, score, comment, at FROM "
                                     "ratings WHERE case_no = ?1 ORDER BY id";

static json_t *wf_rating_row(sd_store *store, sqlite3_stmt *st)
{
    (void)store;
    return wf_rating_json((const char *)sqlite3_column_text(st, 0),
                          (const char *)sqlite3_column_text(st, 1),
                          (const char *)sqlite3_column_text(st, 2), sqlite3_column_int(st, 3),
                          (const char *)sqlite3_column_text(st, 4), sqlite3_column_int64(st, 5));
}

static const char wf_sql_supervision[] = "SELECT period, seq, due_at, action, fired_at FROM "
                                         "supervision WHERE case_no = ?1 ORDER BY period, seq";

static json_t *wf_supervision_row(sd_store *store, sqlite3_stmt *st)
{
    const char *action = (const char *)sqlite3_column_text(st, 3);
    qf_case_action act;
    (void)store;
    return json_pack("{s:o,s:i,s:o,s:s,s:s,s:o}", "period_start",
                     wf_iso(sqlite3_column_int64(st, 0)), "seq", sqlite3_column_int(st, 1),
                     "due_at", wf_iso(sqlite3_column_int64(st, 2)), "action", action,
                     "action_zh",
                     qf_case_action_parse(action, &act) == QF_OK ? qf_case_action_label(act) : "",
                     "fired_at", wf_iso(sqlite3_column_int64(st, 4)));
}

/* The staff timeline: case_events with actors, instants as ISO 8601. */
static json_t *wf_events_iso(json_t *events)
{
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev) {
        json_t *at = json_object_get(ev, "at");
        if (json_is_integer(at))
            json_object_set_new(ev, "at", wf_iso(json_integer_value(at)));
    }
    return events;
}

qf_err sd_store_wf_show(sd_store *store, const sd_wf_actor *a, const char *no, json_t **out,
                        sd_wf_err *e)
{
    json_t *view = NULL, *units = NULL, *escalations = NULL, *ratings = NULL, *supervision = NULL;
    json_t *events = NULL, *audit = NULL, *state = NULL;
    sd_case sc;
    wf_case c;
    qf_err rc;

    memset(e, 0, sizeof *e);
    memset(&sc, 0, sizeof sc);
    *out = NULL;
    rc = wf_read_begin(store, a, no, &c, e);
    if (rc == QF_OK && !(view = wf_summary_json(store, &c, a->now)))
        rc = QF_ERR_NOMEM;
    if (rc == QF_OK)
        rc = wf_rows_json(store, wf_sql_units, no, wf_unit_row, &units);
    if (rc == QF_OK)
        rc = wf_escalations_json(store, no, false, &escalations);
    if (rc == QF_OK)
        rc = wf_rows_json(store, wf_sql_ratings, no, wf_rating_row, &ratings);
    if (rc == QF_OK)
        rc = wf_rows_json(store, wf_sql_supervision, no, wf_supervision_row, &supervision);
    if (rc == QF_OK && !(state = sd_case_state_to_json(&c.st)))
        rc = QF_ERR_NOMEM;
    rc = wf_read_end(store, &c, rc, e);
    /* These take the lock themselves. */
    if (rc == QF_OK)
        rc = sd_store_case_get(store, no, &sc);
    if (rc == QF_OK)
        rc = sd_store_case_events(store, no, &events);
    if (rc == QF_OK)
        rc = sd_store_audit_list(store, no, 0, &audit);
    if (rc == QF_OK) {
        json_object_set_new(view, "type", json_string(sc.kind));
        json_object_set_new(view, "channel", json_string(qf_case_channel_name(sc.channel)));
        json_object_set_new(view, "board", wf_str_or_null(sc.board));
        json_object_set_new(view, "fallback_category", wf_str_or_null(sc.fallback_category));
        json_object_set_new(view, "enterprise_name", json_string(sc.enterprise_name));
        json_object_set_new(view, "credit_code", json_string(sc.uscc));
        json_object_set_new(view, "contact_name", json_string(sc.contact_name));
        json_object_set_new(view, "mobile", json_string(sc.mobile));
        json_object_set_new(view, "description", json_string(sc.description));
        json_object_set_new(view, "helper_id", wf_str_or_null(sc.helper_id));
        json_object_set_new(view, "device_id", wf_str_or_null(sc.device_id));
        json_object_set_new(view, "submitted_at", wf_iso(sc.created_at));
        json_object_set_new(view, "updated_at", wf_iso(sc.updated_at));
        json_object_set_new(view, "rating", wf_str_or_null(sc.rating));
        json_object_set_new(view, "rating_comment", wf_str_or_null(sc.rating_comment));
        json_object_set_new(view, "state", state);
        json_object_set_new(view, "units", units);
        json_object_set_new(view, "escalations", escalations);
        json_object_set_new(view, "ratings", ratings);
        json_object_set_new(view, "supervision", supervision);
        json_object_set_new(view, "events", wf_events_iso(events));
        json_object_set_new(view, "audit", audit);
        state = units = escalations = ratings = supervision = events = audit = NULL;
        *out = view;
        view = NULL;
    } else if (rc == QF_ERR_NOT_FOUND && !e->msg[0]) {
        wf_fail(e, rc, NULL, "no case %s", no);
    }
    sd_case_cleanup(&sc);
    json_decref(view);
    json_decref(state);
    json_decref(units);
    json_decref(escalations);
    json_decref(ratings);
    json_decref(supervision);
    json_decref(events);
    json_decref(audit);
    if ((rc == QF_ERR_STORAGE || rc == QF_ERR_NOMEM) && !e->msg[0])
        wf_fail(e, rc, NULL, "the case could not be read");
    return rc;
}

/* ---- the 提级协调审批表 -------------------------------------------------- */

static const struct {
    const char *level;           /* the escalations.level deciding here; "lead" = the filing */
    const char *title;
    const char *signer_title;
} wf_form_levels[] = {
    { "lead", "主办部门意见", "主办部门主要领导签字" },
    { "task_force", "专班意见", "专班领导签字" },
    { "district_leader", "主办部门分管区领导意见", "分管区领导签字" },
    { "principal", "书记/区长意见", "书记/区长签字" },
};

#define WF_FORM_LEVELS (sizeof wf_form_levels / sizeof wf_form_levels[0])

/* "主办单位：NAME；协办单位：A、B" for a decision that named a lead. */
static json_t *wf_assigned_zh(sd_store *store, const json_t *assigned)
{
    const char *lead = json_string_value(json_object_get(assigned, "lead_unit"));
    json_t *co = json_object_get(assigned, "co_units"), *u, *v;
    char buf[1024];
    size_t used, i;

    u = wf_unit_json(store, lead);
    used = (size_t)snprintf(buf, sizeof buf, "重新交办，主办单位：%s",
                            json_string_value(json_object_get(u, "name"))
                                ? json_string_value(json_object_get(u, "name"))
                                : lead ? lead : "");
    json_decref(u);
    json_array_foreach(co, i, v) {
        json_t *cu = wf_unit_json(store, json_string_value(v));
        const char *name = json_string_value(json_object_get(cu, "name"));
        if (used < sizeof buf)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                     i == 0 ? "；协办单位：" : "、",
                                     name ? name : json_string_value(v));
        json_decref(cu);
    }
    return json_string(buf);
}

qf_err sd_store_wf_form(sd_store *store, const sd_wf_actor *a, const char *no, json_t **out,
                        sd_wf_err *e)
{
    json_t *rows = NULL, *filed = NULL, *levels = NULL, *co = NULL, *form = NULL, *v;
    const char *lead_id, *locality_id, *request;
    wf_case c;
    size_t i;
    qf_err rc;

    memset(e, 0, sizeof *e);
    *out = NULL;
    rc = wf_read_begin(store, a, no, &c, e);
    if (rc == QF_OK)
        rc = wf_escalations_json(store, no, true, &rows);
    if (rc != QF_OK)
        goto out;
    /* The filed form (first row of the latest chain), or the case itself. */
    filed = json_object_get(json_array_get(rows, 0), "form");
    lead_id = filed ? json_string_value(json_object_get(filed, "lead_unit")) : c.st.lead_unit;
    locality_id = filed ? json_string_value(json_object_get(filed, "locality")) : c.platform;
    request = filed ? json_string_value(json_object_get(filed, "request")) : NULL;
    co = json_array();
    if (filed) {
        json_array_foreach(json_object_get(filed, "co_units"), i, v)
            json_array_append_new(co, wf_unit_json(store, json_string_value(v)));
    } else {
        for (i = 0; co && i < c.nco; i++)
            json_array_append_new(co, wf_unit_json(store, c.co[i]));
    }
    levels = json_array();
    for (i = 0; levels && i < WF_FORM_LEVELS; i++) {
        json_t *row = NULL, *lv;
        const char *decision = NULL, *decision_zh = NULL;
        json_t *opinion = json_null(), *signer = json_null(), *signed_at = json_null();
        json_t *dzh = NULL;
        bool pending = false;

        if (i == 0) {
            if (filed) {
                decision = request;
                decision_zh = request && strcmp(request, "change_lead") == 0
                                  ? "申请更换主办部门协调"
                                  : "申请提级协调";
                opinion = json_incref(json_object_get(filed, "opinion"));
                signer = json_incref(json_object_get(filed, "signer"));
                signed_at = json_incref(json_object_get(filed, "signed_at"));
            }
        } else {
            size_t k;
            json_array_foreach(rows, k, v)
                if (strcmp(json_string_value(json_object_get(v, "level")),
                           wf_form_levels[i].level) == 0)
                    row = v;
        }
        if (row) {
            decision = json_string_value(json_object_get(row, "decision"));
            pending = !decision;
            if (decision && strcmp(decision, "escalate") == 0)
                decision_zh = i + 1 < WF_FORM_LEVELS ? "同意提级协调" : "提级";
            else if (decision)
                dzh = wf_assigned_zh(store,
                                     json_object_get(json_object_get(row, "form"), "assigned"));
            opinion = json_incref(json_object_get(row, "opinion"));
            signer = json_incref(json_object_get(row, "signer"));
            signed_at = json_incref(json_object_get(row, "decided_at"));
        }
        if (!dzh)
            dzh = decision_zh ? json_string(decision_zh) : json_null();
        lv = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:b}", "level", wf_form_levels[i].level,
                       "title_zh", wf_form_levels[i].title, "signer_title_zh",
                       wf_form_levels[i].signer_title, "decision", wf_str_or_null(decision),
                       "decision_zh", dzh, "opinion", opinion ? opinion : json_null(), "signer",
                       signer ? signer : json_null(), "signed_at",
                       signed_at ? signed_at : json_null(), "pending", pending);
        if (!lv || json_array_append_new(levels, lv) != 0) {
            json_decref(levels);
            levels = NULL;
        }
    }
    form = json_pack(
        "{s:s,s:s,s:s,s:O,s:o,s:o,s:O,s:o,s:b,s:O}", "case_no", c.no, "enterprise",
        filed && json_string_value(json_object_get(filed, "enterprise"))
            ? json_string_value(json_object_get(filed, "enterprise"))
            : c.enterprise,
        "problem",
        filed && json_string_value(json_object_get(filed, "problem"))
            ? json_string_value(json_object_get(filed, "problem"))
            : c.problem,
        "prior_coordination",
        filed ? json_object_get(filed, "prior_coordination") : json_null(), "locality",
        wf_unit_json(store, locality_id), "lead", wf_unit_json(store, lead_id), "co_units", co,
        "request", wf_str_or_null(request), "filed", filed != NULL, "levels", levels);
    if (!form || !co || !levels)
        rc = QF_ERR_NOMEM;
out:
    rc = wf_read_end(store, &c, rc, e);
    json_decref(rows);
    json_decref(co);
    json_decref(levels);
    if (rc == QF_OK)
        *out = form;
    else
        json_decref(form);
    return rc;
}

/* ---- laying the form out ------------------------------------------------- */

typedef struct wf_text {
    char *buf;
    size_t len, cap;
    bool failed;                 /* allocation failed or WF_FORM_TEXT_MAX reached */
} wf_text;

static void wf_put(wf_text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > WF_FORM_TEXT_MAX) {
        t->failed = true;
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        char *grown;
        while (cap < t->len + n + 1)
            cap *= 2;
        if (!(grown = realloc(t->buf, cap))) {
            t->failed = true;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void wf_puts(wf_text *t, const char *s)
{
    wf_put(t, s, strlen(s));
}

static void wf_repeat(wf_text *t, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        wf_puts(t, s);
}

/* Decodes one UTF-8 sequence (valid: jansson checked every string). */
static size_t wf_utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if ((p[0] >> 5) == 0x6 && p[1]) {
        *cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
        return 2;
    }
    if ((p[0] >> 4) == 0xE && p[1] && p[2]) {
        *cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        return 3;
    }
    if ((p[0] >> 3) == 0x1E && p[1] && p[2] && p[3]) {
        *cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
              (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
        return 4;
    }
    *cp = '?';
    return 1;
}

/* Columns a code point takes on a fixed-width printer: East Asian wide and
 * fullwidth characters two, others one. */
static int wf_cp_width(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                   (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)
               ? 2
               : 1;
}

static int wf_width(const char *s)
{
    int w = 0;
    uint32_t cp;
    while (*s) {
        s += wf_utf8_next(s, &cp);
        w += wf_cp_width(cp);
    }
    return w;
}

/* Writes text wrapped at WF_FORM_WIDTH, each line starting with indent
 * spaces; line breaks in the text are kept, tabs become spaces. col is the
 * column the first line starts at (text following a label). */
static void wf_wrap(wf_text *t, const char *text, int indent, int col)
{
    uint32_t cp;
    bool line_start = col == 0;

    while (*text) {
        size_t n = wf_utf8_next(text, &cp);
        int w = wf_cp_width(cp);
        if (cp == '\r') {
            text += n;
            continue;
        }
        if (line_start) {
            wf_repeat(t, " ", indent);
            col = indent;
            line_start = false;
        }
        if (cp == '\n') {
            wf_puts(t, "\n");
            line_start = true;
            text += n;
            continue;
        }
        if (col + w > WF_FORM_WIDTH) {
            wf_puts(t, "\n");
            wf_repeat(t, " ", indent);
            col = indent;
            if (cp == ' ') { /* no space at the start of a wrapped line */
                text += n;
                continue;
            }
        }
        if (cp == '\t')
            wf_put(t, " ", 1);
        else
            wf_put(t, text, n);
        col += w;
        text += n;
    }
    if (!line_start)
        wf_puts(t, "\n");
}

/* "label：value" on one line (wrapped when long). */
static void wf_field(wf_text *t, const char *label, const char *value)
{
    wf_puts(t, label);
    wf_puts(t, "：");
    if (value && *value)
        wf_wrap(t, value, 2, wf_width(label) + 2);
    else
        wf_puts(t, "\n");
}

/* A unit as "NAME（unit-NNN）", or "" for null. */
static void wf_unit_text(const json_t *u, char *buf, size_t len)
{
    const char *id = json_string_value(json_object_get(u, "id"));
    const char *name = json_string_value(json_object_get(u, "name"));
    if (!id)
        snprintf(buf, len, "%s", "");
    else if (name)
        snprintf(buf, len, "%s（%s）", name, id);
    else
        snprintf(buf, len, "%s", id);
}

/* "YYYY年MM月DD日" from an ISO 8601 instant, or blanks to write on. */
static void wf_date_zh(const char *iso, char *buf, size_t len)
{
    int y, m, d;
    if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3)
        snprintf(buf, len, "%04d年%02d月%02d日", y, m, d);
    else
        snprintf(buf, len, "%s", "______年____月____日");
}

static void wf_rule(wf_text *t, const char *c)
{
    wf_repeat(t, c, WF_FORM_WIDTH);
    wf_puts(t, "\n");
}

qf_err sd_wf_form_render(const json_t *form, char **out)
{
    static const char title[] = "企业问题提级协调审批表";
    wf_text t = { 0 };
    char line[1024], unit[512];
    const json_t *v;
    size_t i, used = 0;

    *out = NULL;
    if (!json_is_object(form))
        return QF_ERR_INVALID;
    wf_repeat(&t, " ", (WF_FORM_WIDTH - wf_width(title)) / 2);
    wf_puts(&t, title);
    wf_puts(&t, "\n\n");
    snprintf(line, sizeof line, "案件编号：%s",
             json_string_value(json_object_get(form, "case_no")));
    wf_puts(&t, line);
    if (!json_is_true(json_object_get(form, "filed"))) {
        wf_repeat(&t, " ", WF_FORM_WIDTH - wf_width(line) - wf_width("（尚未填报）"));
        wf_puts(&t, "（尚未填报）");
    }
    wf_puts(&t, "\n");
    wf_rule(&t, "=");
    wf_field(&t, "企业名称", json_string_value(json_object_get(form, "enterprise")));
    wf_rule(&t, "-");
    wf_puts(&t, "问题描述：\n");
    wf_wrap(&t, json_string_value(json_object_get(form, "problem")), 2, 0);
    wf_rule(&t, "-");
    wf_puts(&t, "前期协调情况：\n");
    v = json_object_get(form, "prior_coordination");
    if (json_string_value(v)) {
        wf_wrap(&t, json_string_value(v), 2, 0);
    } else {
        wf_wrap(&t, "（写明与企业的沟通情况、部门领导是否召开专题协调会、主办和协办部门反馈的"
                    "意见、问题的办理过程等）",
                2, 0);
        wf_puts(&t, "\n\n\n");
    }
    wf_rule(&t, "-");
    wf_unit_text(json_object_get(form, "locality"), unit, sizeof unit);
    wf_field(&t, "属地", unit);
    wf_unit_text(json_object_get(form, "lead"), unit, sizeof unit);
    wf_field(&t, "主办部门", unit);
    line[0] = '\0';
    json_array_foreach(json_object_get(form, "co_units"), i, v) {
        wf_unit_text(v, unit, sizeof unit);
        if (used < sizeof line)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", i ? "、" : "", unit);
    }
    wf_field(&t, "协办部门", line[0] ? line : "无");
    json_array_foreach(json_object_get(form, "levels"), i, v) {
        const char *decision_zh = json_string_value(json_object_get(v, "decision_zh"));
        const char *opinion = json_string_value(json_object_get(v, "opinion"));
        const char *signer = json_string_value(json_object_get(v, "signer"));
        char date[64];
        int col;

        wf_rule(&t, i == 0 ? "=" : "-");
        wf_puts(&t, json_string_value(json_object_get(v, "title_zh")));
        wf_puts(&t, "：");
        if (decision_zh)
            wf_wrap(&t, decision_zh, 2,
                    wf_width(json_string_value(json_object_get(v, "title_zh"))) + 2);
        else if (i == 0)
            wf_puts(&t, "（申请提级协调或申请更换主办部门协调）\n");
        else if (json_is_true(json_object_get(v, "pending")))
            wf_puts(&t, "（待审批）\n");
        else
            wf_puts(&t, "\n");
        if (opinion)
            wf_wrap(&t, opinion, 2, 0);
        else
            wf_puts(&t, "\n\n");
        wf_puts(&t, "\n");
        /* the signature line: "  TITLE：NAME" then the date at column 46 */
        snprintf(line, sizeof line, "  %s：%s",
                 json_string_value(json_object_get(v, "signer_title_zh")),
                 signer ? signer : "________________");
        wf_puts(&t, line);
        col = wf_width(line);
        wf_repeat(&t, " ", col < 46 ? 46 - col : 2);
        wf_date_zh(signer ? json_string_value(json_object_get(v, "signed_at")) : NULL, date,
                   sizeof date);
        wf_puts(&t, "日期：");
        wf_puts(&t, date);
        wf_puts(&t, "\n");
    }
    wf_rule(&t, "=");
    wf_puts(&t, "注：如问题情况较为复杂，可另行添加附件进行详细说明。\n");
    if (t.failed) {
        free(t.buf);
        return QF_ERR_NOMEM;
    }
    *out = t.buf;
    return QF_OK;
}
