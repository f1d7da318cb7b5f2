/* h_workflow.c — the staff endpoints of the case workflow:
 *
 *   GET  /api/v1/staff/cases                     list (?status ?unit ?kind ?overdue
 *                                                ?limit ?offset)
 *   GET  /api/v1/staff/cases/{no}                one case in full
 *   POST /api/v1/staff/cases/{no}/triage         分类交办
 *   POST /api/v1/staff/cases/{no}/transfer       流转
 *   POST /api/v1/staff/cases/{no}/reply          the lead's answer
 *   POST /api/v1/staff/cases/{no}/done           办结
 *   POST /api/v1/staff/cases/{no}/escalate       file the 提级协调审批表
 *   POST /api/v1/staff/cases/{no}/decide         a level's decision
 *   POST /api/v1/staff/cases/{no}/rate           helper / lead ratings
 *   GET  /api/v1/staff/cases/{no}/escalation-form  the form as printable text
 *
 * The dispatcher has authenticated the caller and checked the principal
 * kinds of the route (a kiosk token reaches only /rate). This file reads
 * the body (unknown members are refused, every field named in its error),
 * names the actor and hands over to store_workflow.c, which checks the
 * permission (perm.c) inside the same transaction as the change. Errors:
 * 400 with "field", 403 with perm.c's reason, 404 unknown case, 409 with
 * the rules' reason. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_case.h"
#include "ratelimit.h"
#include "reply.h"
#include "routes.h"
#include "store_cases.h"
#include "store_staff.h"
#include "store_workflow.h"

#define SD_WF_PHONE4_PER_MINUTE 10 /* as the submitter's look-ups (h_cases.c) */

/* ---- replies ------------------------------------------------------------- */

static int sd_wf_field_error(sd_request *req, const char *code, const char *field,
                             const char *message)
{
    json_t *body = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "message", message,
                             "field", field);
    if (!body)
        return sd_reply_error(req, 400, code, "%s", message);
    return sd_reply_json(req, 400, body);
}

static int sd_wf_fail(sd_request *req, qf_err rc, const sd_wf_err *e)
{
    switch (rc) {
    case QF_ERR_INVALID:
    case QF_ERR_LIMIT:
        if (e->field[0])
            return sd_wf_field_error(req, "invalid_field", e->field, e->msg);
        return sd_reply_error(req, rc == QF_ERR_LIMIT ? 409 : 400,
                              rc == QF_ERR_LIMIT ? "limit" : "invalid", "%s", e->msg);
    case QF_ERR_NOT_FOUND:
        return sd_reply_error(req, 404, "not_found", "%s", e->msg);
    case QF_ERR_DENIED:
        return sd_reply_error(req, 403, "forbidden", "%s", e->msg);
    case QF_ERR_STATE:
        return sd_reply_error(req, 409, "invalid_transition", "%s", e->msg);
    case QF_ERR_CONFLICT:
        return sd_reply_error(req, 409, "conflict", "%s", e->msg);
    default:
        return sd_reply_qf_err(req, rc, e->msg[0] ? e->msg : "the request could not be completed");
    }
}

static int sd_wf_done_reply(sd_request *req, qf_err rc, const sd_wf_err *e, json_t *body)
{
    if (rc != QF_OK)
        return sd_wf_fail(req, rc, e);
    return sd_reply_json(req, 200, body);
}

/* ---- the actor ----------------------------------------------------------- */

typedef struct sd_wf_who {
    char name[96];
    char signer[SD_STAFF_NAME_MAX * 4 + 1];
    sd_wf_actor a;
} sd_wf_who;

/* Names the caller for the audit trail; with_signer also looks up a staff
 * member's name, the default signature on forms. */
static void sd_wf_who_init(sd_request *req, sd_wf_who *w, bool with_signer)
{
    const char *kind = req->who.kind == SD_PRINCIPAL_STAFF      ? "staff"
                       : req->who.kind == SD_PRINCIPAL_OPERATOR ? "operator"
                       : req->who.kind == SD_PRINCIPAL_DEVICE   ? "device"
                                                                : "none";
    memset(w, 0, sizeof *w);
    snprintf(w->name, sizeof w->name, "%s:%s", kind, req->who.subject);
    w->a.name = w->name;
    w->a.who = &req->who;
    w->a.now = qf_clock_now();
    w->a.cal = req->app->calendar;
    if (with_signer && req->who.kind == SD_PRINCIPAL_STAFF) {
        sd_staff s;
        if (sd_store_staff_get(req->app->store, req->who.subject, &s) == QF_OK && s.name[0]) {
            snprintf(w->signer, sizeof w->signer, "%s", s.name);
            w->a.signer = w->signer;
        }
    }
}

/* ---- reading bodies ------------------------------------------------------ */

/* Answers 400 naming the first member of body not in allowed. */
static bool sd_wf_fields_known(sd_request *req, json_t *body, const char *const *allowed, int *rc)
{
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value) {
        bool ok = false;
        char shown[65];
        (void)value;
        for (size_t i = 0; allowed[i]; i++)
            ok = ok || strcmp(allowed[i], key) == 0;
        if (ok)
            continue;
        snprintf(shown, sizeof shown, "%s", key);
        for (size_t n = strlen(shown); n > 0 && ((unsigned char)shown[n - 1] & 0x80); n--)
            shown[n - 1] = '\0'; /* never cut a UTF-8 character in half */
        *rc = sd_wf_field_error(req, "unknown_field", shown, "this member is not understood");
        return false;
    }
    return true;
}

/* An optional string member: *out borrowed, NULL when absent or null. */
static bool sd_wf_str(sd_request *req, json_t *body, const char *name, const char **out, int *rc)
{
    json_t *v = json_object_get(body, name);
    char message[96];
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v) || json_string_length(v) == 0) {
        snprintf(message, sizeof message, "%s must be a non-empty string", name);
        *rc = sd_wf_field_error(req, "invalid_field", name, message);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* An optional integer member; *out 0 when absent. */
static bool sd_wf_int(sd_request *req, json_t *body, const char *name, int min, int max, int *out,
                      int *rc)
{
    json_t *v = json_object_get(body, name);
    char message[96];
    *out = 0;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        snprintf(message, sizeof message, "%s must be a whole number from %d to %d", name, min,
                 max);
        *rc = sd_wf_field_error(req, "invalid_field", name, message);
        return false;
    }
    *out = (int)json_integer_value(v);
    return true;
}

/* An optional array of unit strings, at most SD_WF_CO_MAX. *present tells
 * whether the member was there (an empty array replaces co-units with
 * none). */
static bool sd_wf_units(sd_request *req, json_t *body, const char *name,
                        const char *out[SD_WF_CO_MAX], size_t *n, bool *present, int *rc)
{
    json_t *v = json_object_get(body, name), *item;
    char message[128];
    size_t i;

    *n = 0;
    *present = v && !json_is_null(v);
    if (!*present)
        return true;
    if (!json_is_array(v) || json_array_size(v) > SD_WF_CO_MAX) {
        snprintf(message, sizeof message, "%s must be an array of at most %d units", name,
                 SD_WF_CO_MAX);
        *rc = sd_wf_field_error(req, "invalid_field", name, message);
        return false;
    }
    json_array_foreach(v, i, item) {
        if (!json_is_string(item) || json_string_length(item) == 0) {
            snprintf(message, sizeof message, "%s must hold unit ids or names (strings)", name);
            *rc = sd_wf_field_error(req, "invalid_field", name, message);
            return false;
        }
        out[(*n)++] = json_string_value(item);
    }
    return true;
}

/* ---- GET /api/v1/staff/cases --------------------------------------------- */

static bool sd_wf_query_size(sd_request *req, const char *name, size_t max, size_t *out, int *rc)
{
    const char *v = sd_request_query(req, name);
    char *end;
    unsigned long long n;
    char message[96];

    if (!v)
        return true;
    n = strtoull(v, &end, 10);
    if (!*v || *end || *v == '-' || n > max) {
        snprintf(message, sizeof message, "%s must be a whole number from 0 to %zu", name, max);
        *rc = sd_wf_field_error(req, "invalid_field", name, message);
        return false;
    }
    *out = (size_t)n;
    return true;
}

int sd_h_wf_list(sd_request *req)
{
    const char *overdue = sd_request_query(req, "overdue");
    sd_wf_filter f = { .status = sd_request_query(req, "status"),
                       .unit = sd_request_query(req, "unit"),
                       .kind = sd_request_query(req, "kind") };
    sd_wf_who w;
    sd_wf_err e;
    json_t *out = NULL;
    qf_err qrc;
    int rc = MHD_NO;

    if (overdue) {
        if (strcmp(overdue, "1") == 0 || strcmp(overdue, "true") == 0 ||
            strcmp(overdue, "yes") == 0)
            f.overdue = true;
        else if (strcmp(overdue, "0") != 0 && strcmp(overdue, "false") != 0 &&
                 strcmp(overdue, "no") != 0)
            return sd_wf_field_error(req, "invalid_field", "overdue", "overdue must be 1 or 0");
    }
    if (!sd_wf_query_size(req, "limit", SD_WF_LIST_MAX, &f.limit, &rc) ||
        !sd_wf_query_size(req, "offset", 1000000000, &f.offset, &rc))
        return rc;
    if (sd_request_query(req, "limit") && f.limit == 0)
        return sd_wf_field_error(req, "invalid_field", "limit", "limit must be 1 or more");
    sd_wf_who_init(req, &w, false);
    qrc = sd_store_wf_list(req->app->store, &w.a, &f, &out, &e);
    return sd_wf_done_reply(req, qrc, &e, out);
}

/* ---- GET /api/v1/staff/cases/{no} ---------------------------------------- */

int sd_h_wf_show(sd_request *req)
{
    sd_wf_who w;
    sd_wf_err e;
    json_t *out = NULL;
    qf_err qrc;

    sd_wf_who_init(req, &w, false);
    qrc = sd_store_wf_show(req->app->store, &w.a, req->params[0], &out, &e);
    return sd_wf_done_reply(req, qrc, &e, out);
}

/* ---- POST …/triage ------------------------------------------------------- */

int sd_h_wf_triage(sd_request *req)
{
    static const char *const allowed[] = { "kind", "level", "lead", "co", "platform", NULL };
    const char *co[SD_WF_CO_MAX];
    sd_wf_triage_in in = { 0 };
    bool present;
    sd_wf_who w;
    sd_wf_err e;
    json_t *body, *out = NULL;
    qf_err qrc;
    int rc = MHD_NO;

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    if (!sd_wf_fields_known(req, body, allowed, &rc) ||
        !sd_wf_str(req, body, "kind", &in.kind, &rc) ||
        !sd_wf_int(req, body, "level", 1, 5, &in.level, &rc) ||
        !sd_wf_str(req, body, "lead", &in.lead, &rc) ||
        !sd_wf_units(req, body, "co", co, &in.nco, &present, &rc) ||
        !sd_wf_str(req, body, "platform", &in.platform, &rc))
        goto out;
    in.co = co;
    sd_wf_who_init(req, &w, false);
    qrc = sd_store_wf_triage(req->app->store, &w.a, req->params[0], &in, &out, &e);
    rc = sd_wf_done_reply(req, qrc, &e, out);
out:
    json_decref(body);
    return rc;
}

/* ---- POST …/transfer, …/reply, …/done ------------------------------------ */

int sd_h_wf_transfer(sd_request *req)
{
    static const char *const allowed[] = { "lead", "platform", NULL };
    const char *lead, *platform;
    sd_wf_who w;
    sd_wf_err e;
    json_t *body, *out = NULL;
    qf_err qrc;
    int rc = MHD_NO;

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    if (!sd_wf_fields_known(req, body, allowed, &rc) ||
        !sd_wf_str(req, body, "lead", &lead, &rc) ||
        !sd_wf_str(req, body, "platform", &platform, &rc))
        goto out;
    sd_wf_who_init(req, &w, false);
    qrc = sd_store_wf_transfer(req->app->store, &w.a, req->params[0], lead, platform, &out, &e);
    rc = sd_wf_done_reply(req, qrc, &e, out);
out:
    json_decref(body);
    return rc;
}

int sd_h_wf_reply(sd_request *req)
{
    static const char *const allowed[] = { "text", NULL };
    const char *text;
    sd_wf_who w;
    sd_wf_err e;
    json_t *body, *out = NULL;
    qf_err qrc;
    int rc = MHD_NO;

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    if (!sd_wf_fields_known(req, body, allowed, &rc) || !sd_wf_str(req, body, "text", &text, &rc))
        goto out;
    sd_wf_who_init(req, &w, false);
    qrc = sd_store_wf_reply(req->app->store, &w.a, req->params[0], text, &out, &e);
    rc = sd_wf_done_reply(req, qrc, &e, out);
out:
    json_decref(body);
    return rc;
}

int sd_h_wf_done(sd_request *req)
{
    static const char *const allowed[] = { "note", NULL };
    const char *note = NULL;
    sd_wf_who w;
    sd_wf_err e;
    json_t *body = NULL, *out = NULL;
    qf_err qrc;
    int rc = MHD_NO;

    /* The body is optional: 办结 without a note is a bare POST. */
    if (req->body_len > 0) {
        if (!(body = sd_request_json(req, &rc)))
            return rc;
        if (!sd_wf_fields_known(req, body, allowed, &rc) ||
            !sd_wf_str(req, body, "note", &note, &rc))
            goto out;
    }
    sd_wf_who_init(req, &w, false);
    qrc = sd_store_wf_done(req->app->store, &w.a, req->params[0], note, &out, &e);
    rc = sd_wf_done_reply(req, qrc, &e, out);
out:
    json_decref(body);
    return rc;
}

/* ---- POST …/escalate, …/decide ------------------------------------------- */

int sd_h_wf_escalate(sd_request *req)
{
    static const char *const allowed[] = { "request",  "prior_coordination", "opinion", "signer",
                                           "enterprise", "problem",          "locality", NULL };
    sd_wf_form_in in = { 0 };
    sd_wf_who w;
    sd_wf_err e;
    json_t *body, *out = NULL;
    qf_err qrc;
    int rc = MHD_NO;

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    if (!sd_wf_fields_known(req, body, allowed, &rc) ||
        !sd_wf_str(req, body, "request", &in.request, &rc) ||
        !sd_wf_str(req, body, "prior_coordination", &in.prior, &rc) ||
        !sd_wf_str(req, body, "opinion", &in.opinion, &rc) ||
        !sd_wf_str(req, body, "signer", &in.signer, &rc) ||
        !sd_wf_str(req, body, "enterprise", &in.enterprise, &rc) ||
        !sd_wf_str(req, body, "problem", &in.problem, &rc) ||
        !sd_wf_str(req, body, "locality", &in.locality, &rc))
        goto out;
    sd_wf_who_init(req, &w, true);
    qrc = sd_store_wf_escalate(req->app->store, &w.a, req->params[0], &in, &out, &e);
    rc = sd_wf_done_reply(req, qrc, &e, out);
out:
    json_decref(body);
    return rc;
}

int sd_h_wf_decide(sd_request *req)
{
    static const char *const allowed[] = { "decision", "opinion", "signer", "lead", "co",
                                           "kind",     "level",   "at_level", NULL };
    const char *co[SD_WF_CO_MAX];
    sd_wf_decision_in in = { 0 };
    bool present = false;
    sd_wf_who w;
    sd_wf_err e;
    json_t *body, *out = NULL;
    qf_err qrc;
    int rc = MHD_NO;

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    if (!sd_wf_fields_known(req, body, allowed, &rc) ||
        !sd_wf_str(req, body, "decision", &in.decision, &rc) ||
        !sd_wf_str(req, body, "opinion", &in.opinion, &rc) ||
        !sd_wf_str(req, body, "signer", &in.signer, &rc) ||
        !sd_wf_str(req, body, "lead", &in.lead, &rc) ||
        !sd_wf_units(req, body, "co", co, &in.nco, &present, &rc) ||
        !sd_wf_str(req, body, "kind", &in.kind, &rc) ||
        !sd_wf_int(req, body, "level", 1, 5, &in.level, &rc) ||
        !sd_wf_str(req, body, "at_level", &in.expect_level, &rc))
        goto out;
    in.co = present ? co : NULL;
    sd_wf_who_init(req, &w, true);
    qrc = sd_store_wf_decide(req->app->store, &w.a, req->params[0], &in, &out, &e);
    rc = sd_wf_done_reply(req, qrc, &e, out);
out:
    json_decref(body);
    return rc;
}

/* ---- POST …/rate --------------------------------------------------------- */

/* A kiosk rates for the submitter, who proves it is their case with the
 * last four digits of the phone given at submission (as for feedback);
 * guesses share the case's look-up bucket with h_cases.c. */
static bool sd_wf_phone4_ok(sd_request *req, const char *no, const char *phone4, int *rc)
{
    char key[64], last[4];
    unsigned retry = 0, diff = 0;
    int n = 0;
    sd_case c;

    if (!phone4 || strlen(phone4) != 4 || strspn(phone4, "0123456789") != 4) {
        *rc = sd_wf_field_error(req, phone4 ? "invalid_field" : "missing_field", "phone4",
                                "a kiosk gives phone4: the last 4 digits of the phone given at "
                                "submission");
        return false;
    }
    snprintf(key, sizeof key, "case:%s", no);
    if (req->app->ratelimit &&
        !sd_ratelimit_take(req->app->ratelimit, key, sd_monotonic_ms(), SD_WF_PHONE4_PER_MINUTE,
                           SD_WF_PHONE4_PER_MINUTE, &retry)) {
        *rc = sd_reply_error(req, 429, "rate_limited", "too many look-ups of this case; retry in "
                             "%u s", retry);
        return false;
    }
    if (!sd_case_no_valid(no) || sd_store_case_get(req->app->store, no, &c) != QF_OK) {
        *rc = sd_reply_error(req, 404, "not_found",
                             "no case matches that number and those phone digits");
        return false;
    }
    for (size_t i = strlen(c.mobile); i > 0 && n < 4; i--)
        if (c.mobile[i - 1] >= '0' && c.mobile[i - 1] <= '9')
            last[3 - n++] = c.mobile[i - 1];
    sd_case_cleanup(&c);
    for (int i = 0; i < 4; i++)
        diff |= (unsigned)(n == 4 ? last[i] ^ phone4[i] : 1);
    if (diff) {
        *rc = sd_reply_error(req, 404, "not_found",
                             "no case matches that number and those phone digits");
        return false;
    }
    return true;
}

int sd_h_wf_rate(sd_request *req)
{
    static const char *const allowed[] = { "kind", "score", "comment", "phone4", NULL };
    const char *kind, *comment, *phone4;
    int score = 0;
    sd_wf_who w;
    sd_wf_err e;
    json_t *body, *out = NULL;
    qf_err qrc;
    int rc = MHD_NO;

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    if (!sd_wf_fields_known(req, body, allowed, &rc) ||
        !sd_wf_str(req, body, "kind", &kind, &rc) ||
        !sd_wf_int(req, body, "score", -1000, 1000, &score, &rc) ||
        !sd_wf_str(req, body, "comment", &comment, &rc) ||
        !sd_wf_str(req, body, "phone4", &phone4, &rc))
        goto out;
    if (req->who.kind == SD_PRINCIPAL_DEVICE && !sd_wf_phone4_ok(req, req->params[0], phone4, &rc))
        goto out;
    sd_wf_who_init(req, &w, false);
    qrc = sd_store_wf_rate(req->app->store, &w.a, req->params[0], kind, score, comment, &out, &e);
    if (qrc == QF_OK && req->who.kind == SD_PRINCIPAL_DEVICE) {
        /* a kiosk gets the outcome, not the staff summary */
        json_decref(out);
        out = json_pack("{s:s,s:s,s:i}", "case_no", req->params[0], "kind", kind, "score", score);
    }
    rc = sd_wf_done_reply(req, qrc, &e, out);
out:
    json_decref(body);
    return rc;
}

/* ---- GET …/escalation-form ----------------------------------------------- */

int sd_h_wf_form(sd_request *req)
{
    const char *format = sd_request_query(req, "format");
    sd_wf_who w;
    sd_wf_err e;
    json_t *form = NULL;
    char *text = NULL;
    qf_err qrc;
    int rc;

    if (format && strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return sd_wf_field_error(req, "invalid_field", "format", "format must be text or json");
    sd_wf_who_init(req, &w, false);
    qrc = sd_store_wf_form(req->app->store, &w.a, req->params[0], &form, &e);
    if (qrc != QF_OK)
        return sd_wf_fail(req, qrc, &e);
    if (format && strcmp(format, "json") == 0)
        return sd_reply_json(req, 200, form);
    qrc = sd_wf_form_render(form, &text);
    json_decref(form);
    if (qrc != QF_OK)
        return sd_reply_error(req, 500, "internal", "the form could not be laid out");
    rc = sd_reply_bytes(req, 200, "text/plain; charset=utf-8", text, strlen(text), 0,
                        MHD_HTTP_HEADER_CACHE_CONTROL, "no-store", NULL);
    free(text);
    return rc;
}
