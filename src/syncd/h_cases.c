/* h_cases.c — the case endpoints (诉求 and 兜底 requests):
 *
 *   POST /api/v1/cases               submit; Idempotency-Key required
 *   GET  /api/v1/cases/{no}?phone4=  the submitter's view: status, timeline
 *   POST /api/v1/cases/{no}/feedback resolved yes/no + five-level rating
 *
 * The dispatcher has already authenticated the caller, applied the per-token
 * rate limit and the body cap. This file validates what people typed
 * (credit code, phone, lengths counted in characters), answers idempotent
 * retries, applies the per-case look-up limit and shapes the replies; the
 * SQL is store_cases.c's and the rules are qf_case's.
 *
 * Privacy: a case is found by its number plus the last four digits of the
 * phone given at submission, and an unknown number and wrong digits give
 * the same 404. Full phone numbers and credit codes are never logged or
 * echoed; replies carry the masked phone (qf_phone_mask) only. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "h_body.h"
#include "qf_case.h"
#include "qf_log.h"
#include "qf_phone.h"
#include "qf_uscc.h"
#include "ratelimit.h"
#include "reply.h"
#include "routes.h"
#include "store_cases.h"

/* Limits, in characters (Unicode code points) unless said otherwise. */
#define SD_CASE_ENTERPRISE_MIN 2
#define SD_CASE_ENTERPRISE_MAX 100
#define SD_CASE_CONTACT_MAX 50
#define SD_CASE_DESC_MIN 10
#define SD_CASE_DESC_MAX 1000
#define SD_CASE_HELPER_MAX 64
#define SD_CASE_BOARD_MAX 64
#define SD_CASE_COMMENT_MAX 500
#define SD_PHONE4_ZH "请输入预留电话的后4位数字"
/* Members of the submitter's view (GET), to detect a failed allocation. */
#define SD_CASE_VIEW_MEMBERS 15

/* ---- replies ------------------------------------------------------------ */

static int sd_case_not_found(sd_request *req)
{
    /* The same bytes whether the number is unknown or the digits are wrong. */
    return sd_reply_error(req, 404, "not_found",
                          "no case matches that number and those phone digits");
}

static int sd_case_rate_limited(sd_request *req, unsigned retry)
{
    char after[16], body[160];
    snprintf(after, sizeof after, "%u", retry);
    snprintf(body, sizeof body,
             "{\"error\":{\"code\":\"rate_limited\",\"message\":\"too many look-ups of this case; "
             "retry in %u s\"}}",
             retry);
    return sd_reply_bytes(req, 429, "application/json; charset=utf-8", body, strlen(body), 0,
                          MHD_HTTP_HEADER_RETRY_AFTER, after, MHD_HTTP_HEADER_CACHE_CONTROL,
                          "no-store", NULL);
}

/* ---- reading the body --------------------------------------------------- */

/* ---- vocabularies ------------------------------------------------------- */

/* 兜底办 categories (兜底服务功能板块工作管理制度 三、(二)). */
static const struct {
    const char *name, *zh;
} sd_fallback_categories[] = {
    { "no_place", "无处受理" },
    { "no_lead", "多部门无牵头" },
    { "no_precedent", "无先例" },
    { "special_group", "老幼孕残外特殊群体" },
    { "other", "其他非常规事项" },
};

/* The five-level satisfaction scale (好差评). */
static const struct {
    const char *name, *zh;
} sd_ratings[] = {
    { "very_satisfied", "非常满意" }, { "satisfied", "满意" },   { "basic", "基本满意" },
    { "dissatisfied", "不满意" },     { "very_dissatisfied", "非常不满意" },
};

#define SD_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *sd_fallback_category_find(const char *name)
{
    for (size_t i = 0; i < SD_COUNT(sd_fallback_categories); i++)
        if (strcmp(sd_fallback_categories[i].name, name) == 0)
            return sd_fallback_categories[i].name;
    return NULL;
}

/* The Chinese label of a stored category, or JSON null. */
static json_t *sd_fallback_category_label(const char *name)
{
    for (size_t i = 0; name && i < SD_COUNT(sd_fallback_categories); i++)
        if (strcmp(sd_fallback_categories[i].name, name) == 0)
            return json_string(sd_fallback_categories[i].zh);
    return json_null();
}

/* Accepts the wire name or the Chinese word; returns the wire name. */
static const char *sd_rating_find(const char *name)
{
    for (size_t i = 0; i < SD_COUNT(sd_ratings); i++)
        if (strcmp(sd_ratings[i].name, name) == 0 || strcmp(sd_ratings[i].zh, name) == 0)
            return sd_ratings[i].name;
    return NULL;
}

/* The deadline rule a new case will get once triaged: "135" for 诉求, the
 * 兜底办 "3135" levels for fallback requests. Day counts come from qf_case. */
static json_t *sd_case_deadline_rule(bool fallback)
{
    if (fallback)
        return json_pack(
            "{s:s,s:s,s:s,s:{s:i,s:i,s:i}}", "rule", "3135", "text_zh",
            "“3135兜底办”：能即办的简单问题“现场办”，1个工作日内答复；窗口不能解决的问题由"
            "领导领衔“局长办”，3个工作日内答复；需多部门协商研究的问题“研讨办”，5个工作日内"
            "答复。时限自交办之日的次日起算。",
            "text_en",
            "3135 fallback service: simple matters handled on site are answered within 1 "
            "working day; matters the window cannot solve go to a bureau director, answered "
            "within 3 working days; matters needing several departments are deliberated, "
            "answered within 5 working days. Days count from the day after triage.",
            "working_days", "onsite", qf_case_kind_days(QF_CASE_KIND_ONSITE), "director",
            qf_case_kind_days(QF_CASE_KIND_DIRECTOR), "deliberation",
            qf_case_kind_days(QF_CASE_KIND_DELIBERATION));
    return json_pack(
        "{s:s,s:s,s:s,s:{s:i,s:i,s:i}}", "rule", "135", "text_zh",
        "“135”限时办结：简单咨询类诉求1个工作日内回复；涉及单一部门的诉求3个工作日内反馈"
        "处理意见；涉及多部门的诉求5个工作日内反馈处理意见。时限自交办之日的次日起算。",
        "text_en",
        "135 time limits: a simple question is answered within 1 working day; a request for "
        "one department gets its handling opinion within 3 working days; a request involving "
        "several departments within 5 working days. Days count from the day after triage.",
        "working_days", "simple", qf_case_kind_days(QF_CASE_KIND_SIMPLE), "single",
        qf_case_kind_days(QF_CASE_KIND_SINGLE), "whistle",
        qf_case_kind_days(QF_CASE_KIND_WHISTLE));
}

/* ---- POST /api/v1/cases ------------------------------------------------- */

/* The creation reply, built only from what is stored, so a retry with the
 * same key gets the same body as the first answer. Ownership: new object. */
static json_t *sd_case_created_json(const sd_app *app, const char *no, const char *kind,
                                    qf_instant submitted_at, const char *mobile)
{
    char at[32], masked[QF_PHONE_MASK_MAX], url[512];
    size_t base = strlen(app->public_url);
    json_t *rule = sd_case_deadline_rule(strcmp(kind, "fallback") == 0);

    while (base > 0 && app->public_url[base - 1] == '/')
        base--;
    snprintf(url, sizeof url, "%.*s/track/%s", (int)base, app->public_url, no);
    qf_clock_format_iso8601(submitted_at, at, sizeof at);
    if (qf_phone_mask(mobile, masked, sizeof masked) != QF_OK)
        masked[0] = '\0';
    if (!rule)
        return NULL;
    return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s}", "case_no", no, "state",
                     qf_case_status_name(QF_CASE_SUBMITTED), "kind", kind, "deadline_rule", rule,
                     "tracking_url", url, "submitted_at", at, "mobile_masked", masked);
}

/* The validated submission; strings borrow from the parsed body or static
 * tables, except the normalised forms held here. */
typedef struct sd_case_input {
    sd_case_new nc;
    char uscc[QF_USCC_LEN + 1];
    char mobile[QF_PHONE_NORM_MAX];
    qf_phone_kind mobile_kind;
} sd_case_input;

/* Validates body into in. On a problem answers and returns false. */
static bool sd_case_parse(sd_request *req, json_t *body, sd_case_input *in, int *rc)
{
    static const char *const allowed[] = { "kind",    "board",       "fallback_category",
                                           "channel", "enterprise_name", "credit_code",
                                           "contact_name", "mobile", "description",
                                           "helper_id", NULL };
    const char *kind, *board, *category, *channel, *credit, *mobile, *helper;
    char err[256];
    bool fallback, known = false;
    qf_err qrc;

    if (!sd_body_fields_known(req, body, allowed, rc))
        return false;
    if (!sd_body_str(req, body, "kind", true, 1, 16, false, &kind, rc))
        return false;
    if (strcmp(kind, "request") != 0 && strcmp(kind, "fallback") != 0) {
        *rc = sd_body_field_error(req, "invalid_field", "kind", NULL,
                                  "kind must be \"request\" (诉求) or \"fallback\" (兜底)");
        return false;
    }
    fallback = strcmp(kind, "fallback") == 0;
    in->nc.kind = fallback ? "fallback" : "request";

    /* board: required for 诉求, optional for 兜底; it must be published. */
    if (!sd_body_str(req, body, "board", !fallback, 1, SD_CASE_BOARD_MAX, false, &board, rc))
        return false;
    if (board) {
        if (sd_body_ident(board, SD_CASE_BOARD_MAX) &&
            (qrc = sd_store_case_board_known(req->app->store, board, &known)) != QF_OK) {
            *rc = sd_reply_qf_err(req, qrc, "cannot read the catalog");
            return false;
        }
        if (!known) {
            *rc = sd_body_field_error(req, "invalid_field", "board", "没有这个服务板块",
                                      "board \"%s\" is not in the published catalog",
                                      sd_body_ident(board, SD_CASE_BOARD_MAX) ? board : "?");
            return false;
        }
    }
    in->nc.board = board;

    if (!sd_body_str(req, body, "fallback_category", fallback, 1, 32, false, &category, rc))
        return false;
    if (category && !fallback) {
        *rc = sd_body_field_error(req, "invalid_field", "fallback_category", NULL,
                                  "fallback_category is only for kind \"fallback\"");
        return false;
    }
    if (category && !(category = sd_fallback_category_find(category))) {
        *rc = sd_body_field_error(req, "invalid_field", "fallback_category", NULL,
                                  "fallback_category must be no_place, no_lead, no_precedent, "
                                  "special_group or other");
        return false;
    }
    in->nc.fallback_category = category;

    /* channel: kiosks default to "kiosk"; staff say where the case came from. */
    if (!sd_body_str(req, body, "channel", req->who.kind != SD_PRINCIPAL_DEVICE, 1, 32, false,
                     &channel, rc))
        return false;
    in->nc.channel = QF_CASE_CH_KIOSK;
    if (channel && qf_case_channel_parse(channel, &in->nc.channel) != QF_OK) {
        *rc = sd_body_field_error(req, "invalid_field", "channel", NULL,
                                  "channel must be one of kiosk, request_qr, hotline, helper, "
                                  "self_online, platform, leader_visit, direct_line, other");
        return false;
    }

    if (!sd_body_str(req, body, "enterprise_name", true, SD_CASE_ENTERPRISE_MIN,
                     SD_CASE_ENTERPRISE_MAX, false, &in->nc.enterprise_name, rc))
        return false;

    /* credit_code: normalised (full-width, lower case, separators) and both
     * check characters verified; the reason in English and Chinese. */
    if (!sd_body_str(req, body, "credit_code", true, 1, QF_USCC_INPUT_MAX, false, &credit, rc))
        return false;
    {
        qf_uscc_report report;
        if (qf_uscc_inspect(credit, &report) != QF_OK) {
            char en[256], zh[256];
            qf_uscc_report_describe(&report, en, sizeof en);
            qf_uscc_report_describe_zh(&report, zh, sizeof zh);
            *rc = sd_body_field_error(req, "invalid_field", "credit_code", zh,
                                      "credit_code: %s", en);
            return false;
        }
        memcpy(in->uscc, report.code, sizeof in->uscc);
        in->nc.uscc = in->uscc;
    }

    if (!sd_body_str(req, body, "contact_name", true, 1, SD_CASE_CONTACT_MAX, false,
                     &in->nc.contact_name, rc))
        return false;

    /* mobile: a mainland mobile or an area-coded landline (qf_phone). */
    if (!sd_body_str(req, body, "mobile", true, 1, QF_PHONE_INPUT_MAX, false, &mobile, rc))
        return false;
    if (qf_phone_parse(mobile, &in->mobile_kind, in->mobile, sizeof in->mobile, err,
                       sizeof err) != QF_OK) {
        *rc = sd_body_field_error(req, "invalid_field", "mobile",
                                  "请填写11位手机号码或带区号的固定电话",
                                  "mobile: %s", err);
        return false;
    }
    in->nc.mobile = in->mobile;

    if (!sd_body_str(req, body, "description", true, SD_CASE_DESC_MIN, SD_CASE_DESC_MAX, true,
                     &in->nc.description, rc))
        return false;

    if (!sd_body_str(req, body, "helper_id", false, 1, SD_CASE_HELPER_MAX, false, &helper, rc))
        return false;
    if (helper && !sd_body_ident(helper, SD_CASE_HELPER_MAX)) {
        *rc = sd_body_field_error(req, "invalid_field", "helper_id", NULL,
                                  "helper_id may hold only A-Z a-z 0-9 . _ : -");
        return false;
    }
    in->nc.helper_id = helper;
    return true;
}

/* Answers a retry: the first case's creation reply again, with 200. */
static int sd_case_replay(sd_request *req, const char *no)
{
    json_t *reply;
    sd_case c;
    qf_err qrc = sd_store_case_get(req->app->store, no, &c);

    if (qrc != QF_OK) /* the key's case is gone: damage, not the caller's fault */
        return sd_reply_qf_err(req, qrc == QF_ERR_NOT_FOUND ? QF_ERR_STORAGE : qrc,
                               "the case of this Idempotency-Key cannot be read");
    reply = sd_case_created_json(req->app, c.no, c.kind, c.created_at, c.mobile);
    sd_case_cleanup(&c);
    if (!reply)
        return sd_reply_error(req, 500, "internal", "could not encode the reply");
    return sd_reply_json(req, 200, reply);
}

static int sd_case_idem_conflict(sd_request *req)
{
    return sd_reply_error(req, 409, "idempotency_conflict",
                          "this Idempotency-Key was already used with a different body");
}

int sd_h_case_create(sd_request *req)
{
    sd_app *app = req->app;
    const char *key = sd_request_header(req, "Idempotency-Key");
    char caller[96], hash[SD_HASH_HEX_LEN + 1], no[SD_CASE_NO_MAX], err[256] = "";
    char masked[QF_PHONE_MASK_MAX];
    sd_case_input in;
    json_t *body = NULL, *reply;
    bool replayed = false;
    qf_err qrc;
    int rc = MHD_NO;

    if (!key)
        return sd_reply_error(req, 400, "invalid_idempotency_key",
                              "an Idempotency-Key header is required (8-64 of A-Z a-z 0-9 _ -)");
    if (!sd_body_idem_key_valid(key))
        return sd_reply_error(req, 400, "invalid_idempotency_key",
                              "the Idempotency-Key must be 8-64 of A-Z a-z 0-9 _ -");
    snprintf(caller, sizeof caller, "%s:%s", sd_principal_kind_name(req->who.kind),
             req->who.subject);
    /* The hash is over the C string; a NUL inside would hide what follows
     * it (and is never valid JSON anyway). */
    if (memchr(req->body, '\0', req->body_len))
        return sd_reply_error(req, 400, "invalid_body", "the body holds a NUL byte");
    sd_auth_hash(req->body, hash);

    /* A retry answers from the store before any validation, so it gets the
     * first result even if the rules (e.g. the catalog) changed since. */
    qrc = sd_store_case_idem_find(app->store, caller, key, hash, no);
    if (qrc == QF_OK)
        return sd_case_replay(req, no);
    if (qrc == QF_ERR_CONFLICT)
        return sd_case_idem_conflict(req);
    if (qrc != QF_ERR_NOT_FOUND)
        return sd_reply_qf_err(req, qrc, "cannot read the idempotency record");

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    memset(&in, 0, sizeof in);
    if (!sd_case_parse(req, body, &in, &rc))
        goto out;
    in.nc.caller = caller;
    in.nc.idem_key = key;
    in.nc.body_hash = hash;
    in.nc.device_id = req->who.kind == SD_PRINCIPAL_DEVICE ? req->who.subject : NULL;
    in.nc.now = qf_clock_now();
    qrc = sd_store_case_create(app->store, &in.nc, no, &replayed, err, sizeof err);
    if (qrc == QF_ERR_CONFLICT) { /* a twin with another body committed first */
        rc = sd_case_idem_conflict(req);
        goto out;
    }
    if (qrc != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, err);
        goto out;
    }
    if (replayed) { /* a twin with the same body committed first */
        rc = sd_case_replay(req, no);
        goto out;
    }
    qf_phone_mask(in.mobile, masked, sizeof masked);
    qf_info("case %s submitted by %s (%s, %s, %s %s)", no, caller, in.nc.kind,
            qf_case_channel_name(in.nc.channel), qf_phone_kind_str(in.mobile_kind), masked);
    reply = sd_case_created_json(app, no, in.nc.kind, in.nc.now, in.mobile);
    rc = reply ? sd_reply_json(req, 201, reply)
               : sd_reply_error(req, 500, "internal", "could not encode the reply");
out:
    json_decref(body);
    return rc;
}

/* ---- GET /api/v1/cases/{no} and feedback: shared checks ---------------- */

/* Takes a token of the case's look-up bucket; answers 429 when empty. */
static bool sd_case_lookup_allowed(sd_request *req, const char *no, int *rc)
{
    char key[64];
    unsigned retry = 0;

    if (!req->app->ratelimit)
        return true;
    snprintf(key, sizeof key, "case:%s", no);
    if (sd_ratelimit_take(req->app->ratelimit, key, sd_monotonic_ms(), SD_CASE_LOOKUP_PER_MINUTE,
                          SD_CASE_LOOKUP_BURST, &retry))
        return true;
    *rc = sd_case_rate_limited(req, retry);
    return false;
}

/* Finds case no for a submitter holding phone4: well-formed number, a
 * look-up token, the case, the digits. Any miss answers the one 404. */
static bool sd_case_find_for_submitter(sd_request *req, const char *no, const char *phone4,
                                       sd_case *c, int *rc)
{
    qf_err qrc;

    memset(c, 0, sizeof *c);
    if (!sd_case_no_valid(no)) {
        *rc = sd_case_not_found(req);
        return false;
    }
    if (!sd_case_lookup_allowed(req, no, rc))
        return false;
    qrc = sd_store_case_get(req->app->store, no, c);
    if (qrc == QF_ERR_NOT_FOUND) {
        *rc = sd_case_not_found(req);
        return false;
    }
    if (qrc != QF_OK) {
        *rc = sd_reply_qf_err(req, qrc, "cannot read the case");
        return false;
    }
    if (!sd_body_phone4_matches(c->mobile, phone4)) {
        sd_case_cleanup(c);
        *rc = sd_case_not_found(req);
        return false;
    }
    return true;
}

static json_t *sd_instant_json(qf_instant t)
{
    char buf[32];
    if (t == QF_CASE_NO_TIME)
        return json_null();
    qf_clock_format_iso8601(t, buf, sizeof buf);
    return json_string(buf);
}

/* The submitter's timeline: when, what, and a public note if staff wrote
 * one. Actors and other details stay out. */
static json_t *sd_case_timeline(json_t *events)
{
    json_t *out = json_array(), *ev;
    size_t i;

    if (!out)
        return NULL;
    json_array_foreach(events, i, ev) {
        const char *event = json_string_value(json_object_get(ev, "event"));
        json_t *note = json_object_get(json_object_get(ev, "detail"), "note");
        qf_case_event_type type;
        const char *label = "";
        json_t *row;

        if (!event)
            continue;
        if (strcmp(event, "submit") == 0)
            label = "已提交";
        else if (qf_case_event_parse(event, &type) == QF_OK)
            label = qf_case_event_label(type);
        if (!json_is_string(note))
            note = json_null();
        row = json_pack("{s:o,s:s,s:s,s:O}", "at",
                        sd_instant_json(json_integer_value(json_object_get(ev, "at"))), "event",
                        event, "label_zh", label, "note", note);
        if (!row || json_array_append_new(out, row) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

int sd_h_case_get(sd_request *req)
{
    const char *no = req->params[0];
    const char *phone4 = sd_request_query(req, "phone4");
    char masked[QF_PHONE_MASK_MAX];
    json_t *events = NULL, *timeline, *reply;
    const qf_case_state *st;
    sd_case c;
    qf_err qrc;
    int rc;

    if (!sd_body_phone4_valid(phone4))
        return sd_body_field_error(req, "invalid_field", "phone4", SD_PHONE4_ZH,
                                   "phone4 must be the last 4 digits of the phone given at "
                                   "submission");
    if (!sd_case_find_for_submitter(req, no, phone4, &c, &rc))
        return rc;
    qrc = sd_store_case_events(req->app->store, c.no, &events);
    if (qrc != QF_OK) {
        sd_case_cleanup(&c);
        return sd_reply_qf_err(req, qrc, "cannot read the case's timeline");
    }
    timeline = sd_case_timeline(events);
    json_decref(events);
    st = &c.state;
    qf_phone_mask(c.mobile, masked, sizeof masked);
    reply = timeline ? json_object() : NULL;
    if (reply) {
        /* A member whose value failed to allocate is simply missing
         * (json_object_set_new steals and fails quietly): count them. */
        json_object_set_new(reply, "case_no", json_string(c.no));
        json_object_set_new(reply, "type", json_string(c.kind));
        json_object_set_new(reply, "status", json_string(qf_case_status_name(st->status)));
        json_object_set_new(reply, "status_label_zh",
                            json_string(qf_case_status_label(st->status)));
        json_object_set_new(reply, "kind",
                            st->kind == QF_CASE_KIND_NONE
                                ? json_null()
                                : json_string(qf_case_kind_name(st->kind)));
        json_object_set_new(reply, "board", c.board ? json_string(c.board) : json_null());
        json_object_set_new(reply, "fallback_category",
                            c.fallback_category ? json_string(c.fallback_category)
                                                : json_null());
        json_object_set_new(reply, "fallback_category_label_zh",
                            sd_fallback_category_label(c.fallback_category));
        json_object_set_new(reply, "submitted_at", sd_instant_json(st->submitted_at));
        json_object_set_new(reply, "deadline", sd_instant_json(st->deadline));
        json_object_set_new(reply, "overdue",
                            json_boolean(qf_case_is_overdue(st, qf_clock_now())));
        json_object_set_new(reply, "lead_unit",
                            st->lead_unit[0] ? json_string(st->lead_unit) : json_null());
        json_object_set_new(reply, "mobile_masked", json_string(masked));
        json_object_set_new(reply, "enterprise_name", json_string(c.enterprise_name));
        if (json_object_set_new(reply, "timeline", timeline) != 0 ||
            json_object_size(reply) != SD_CASE_VIEW_MEMBERS) {
            json_decref(reply);
            reply = NULL;
        }
    }
    sd_case_cleanup(&c);
    if (!reply)
        return sd_reply_error(req, 500, "internal", "could not encode the reply");
    return sd_reply_json(req, 200, reply);
}

/* ---- POST /api/v1/cases/{no}/feedback ----------------------------------- */

int sd_h_case_feedback(sd_request *req)
{
    static const char *const allowed[] = { "phone4", "resolved", "rating", "comment", NULL };
    const char *no = req->params[0];
    const char *phone4, *rating_in, *rating, *comment;
    char actor[96], err[256] = "";
    json_t *body, *resolved_v;
    qf_case_state next;
    qf_case_status status = QF_CASE_SUBMITTED;
    sd_case c;
    qf_err qrc;
    int rc = MHD_NO;

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    if (!sd_body_fields_known(req, body, allowed, &rc))
        goto out;
    if (!sd_body_str(req, body, "phone4", true, 4, 4, false, &phone4, &rc))
        goto out;
    if (!sd_body_phone4_valid(phone4)) {
        rc = sd_body_field_error(req, "invalid_field", "phone4", SD_PHONE4_ZH,
                                 "phone4 must be 4 digits");
        goto out;
    }
    resolved_v = json_object_get(body, "resolved");
    if (!json_is_boolean(resolved_v)) {
        rc = sd_body_field_error(req, resolved_v ? "invalid_field" : "missing_field", "resolved",
                                 NULL, "resolved must be true or false");
        goto out;
    }
    if (!sd_body_str(req, body, "rating", true, 1, 32, false, &rating_in, &rc))
        goto out;
    if (!(rating = sd_rating_find(rating_in))) {
        rc = sd_body_field_error(req, "invalid_field", "rating", NULL,
                                 "rating must be very_satisfied, satisfied, basic, dissatisfied "
                                 "or very_dissatisfied (or 非常满意 满意 基本满意 不满意 "
                                 "非常不满意)");
        goto out;
    }
    if (!sd_body_str(req, body, "comment", false, 0, SD_CASE_COMMENT_MAX, true, &comment, &rc))
        goto out;

    if (!sd_case_find_for_submitter(req, no, phone4, &c, &rc))
        goto out;
    sd_case_cleanup(&c);
    snprintf(actor, sizeof actor, "submitter via %s:%s", sd_principal_kind_name(req->who.kind),
             req->who.subject);
    qrc = sd_store_case_feedback(req->app->store, no, json_is_true(resolved_v), rating, comment,
                                 actor, qf_clock_now(), req->app->calendar, &next, &status, err,
                                 sizeof err);
    if (qrc == QF_ERR_STATE) {
        bool over = status == QF_CASE_CLOSED || status == QF_CASE_WITHDRAWN;
        rc = sd_reply_error(req, 409, over ? "already_closed" : "not_finished",
                            over ? "the case is %s; it takes no more feedback"
                                 : "the case is %s: feedback comes after the lead department "
                                   "has finished it",
                            qf_case_status_name(status));
        goto out;
    }
    if (qrc != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, err);
        goto out;
    }
    qf_info("case %s feedback: %s, %s", no, json_is_true(resolved_v) ? "resolved" : "unresolved",
            rating);
    rc = sd_reply_json(req, 200,
                       json_pack("{s:s,s:s,s:s,s:b,s:s,s:o}", "case_no", no, "status",
                                 qf_case_status_name(next.status), "status_label_zh",
                                 qf_case_status_label(next.status), "resolved",
                                 json_is_true(resolved_v), "rating", rating, "deadline",
                                 next.status == QF_CASE_IN_PROGRESS
                                     ? sd_instant_json(next.deadline)
                                     : json_null()));
out:
    json_decref(body);
    return rc;
}
