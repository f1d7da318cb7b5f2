/* h_help.c — helpers and technicians at the kiosk (issue 9) over HTTP:
 *
 *   POST /api/v1/help-calls              device: call a helper (呼叫帮办)
 *   GET  /api/v1/help-calls              staff, operator: the calls, ?state=
 *   GET  /api/v1/help-calls/{id}         the calling device, staff, operator
 *   POST /api/v1/help-calls/{id}/ack     staff (helper, operator role), operator
 *   POST /api/v1/help-calls/{id}/close   same
 *   POST /api/v1/devices/helper-login    device: a helper signs in at the kiosk
 *                                        (staff id + PIN, or the badge QR)
 *   POST /api/v1/devices/technician-login device: a technician's PIN checked,
 *                                        with a hash for the offline fallback
 *
 * The dispatcher has checked the caller's kind and the body size; this file
 * checks fields and roles and answers. Storage is store_help.c (calls) and
 * store_staff.c (sign-in, under the very rules of POST /api/v1/staff/login:
 * one 401 for unknown id, wrong PIN and disabled account; the 5-strikes
 * lock). Kiosk sign-ins are also limited per device
 * (SD_KIOSK_LOGIN_BURST attempts, refilled at SD_KIOSK_LOGIN_PER_MINUTE),
 * so one kiosk cannot be used to walk through many accounts. PINs, badge
 * secrets and session tokens are never logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_log.h"
#include "ratelimit.h"
#include "reply.h"
#include "routes.h"
#include "store_help.h"
#include "store_staff.h"

#define SD_HELP_LIST_DEFAULT       100
#define SD_KIOSK_LOGIN_BURST       10   /* attempts a kiosk may make at once … */
#define SD_KIOSK_LOGIN_PER_MINUTE  2    /* … refilled at this pace: 10 per 5 minutes */

/* ---- small checks -------------------------------------------------------- */

/* Refuses a body with a member not in known (NULL-terminated). */
static bool sd_help_fields_known(sd_request *req, json_t *obj, const char *const *known,
                                 const char *list, int *rc)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        bool ok = false;
        (void)value;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(key, known[i]) == 0;
        if (!ok) {
            *rc = sd_reply_error(req, 400, "unknown_field", "unknown field: only %s accepted",
                                 list);
            return false;
        }
    }
    return true;
}

/* Free text of at most max code points; line breaks and tabs are fine,
 * other control characters are not. jansson has checked the UTF-8. */
static bool sd_help_text_ok(const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
            return false;
        n += (*p & 0xc0) != 0x80;
    }
    return n <= max;
}

/* Reads optional member "note" (≤ SD_HELP_NOTE_MAX); *out NULL when absent. */
static bool sd_help_note(sd_request *req, json_t *root, const char **out, int *rc)
{
    json_t *v = json_object_get(root, "note");
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v) || !sd_help_text_ok(json_string_value(v), SD_HELP_NOTE_MAX)) {
        *rc = sd_reply_error(req, 400, "invalid_field",
                             "field 'note' must be a string of at most %d characters without "
                             "control characters other than line breaks and tabs",
                             SD_HELP_NOTE_MAX);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* A screen name: 1..32 of a-z, 0-9, '_', '-'. */
static bool sd_help_screen_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SD_HELP_SCREEN_MAX)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    }
    return true;
}

/* The {id} segment as a positive integer; false when it cannot be one. */
static bool sd_help_id_parse(const char *text, int64_t *out)
{
    int64_t v = 0;
    size_t n = strlen(text);
    if (n == 0 || n > 18 || text[0] == '0')
        return false;
    for (; *text; text++) {
        if (*text < '0' || *text > '9')
            return false;
        v = v * 10 + (*text - '0');
    }
    *out = v;
    return true;
}

static int sd_help_not_found(sd_request *req)
{
    return sd_reply_error(req, 404, "help_call_not_found", "no such help call");
}

/* ---- POST /api/v1/help-calls --------------------------------------------- */

int sd_h_help_call_create(sd_request *req)
{
    static const char *const known[] = { "screen", "note", NULL };
    qf_instant now = qf_clock_now();
    const char *screen, *note;
    bool existing = false;
    sd_help_call c;
    json_t *root, *v;
    qf_err qrc;
    int rc = 0;

    if (!(root = sd_request_json(req, &rc)))
        return rc;
    if (!sd_help_fields_known(req, root, known, "\"screen\" and \"note\" are", &rc) ||
        !sd_help_note(req, root, &note, &rc))
        goto out;
    v = json_object_get(root, "screen");
    if (!v) {
        rc = sd_reply_error(req, 400, "missing_field", "field 'screen' is required");
        goto out;
    }
    if (!json_is_string(v) || !sd_help_screen_ok(screen = json_string_value(v))) {
        rc = sd_reply_error(req, 400, "invalid_field",
                            "field 'screen' must be 1 to %d of a-z, 0-9, '_' and '-' "
                            "(the kiosk screen the call comes from, such as \"guide\")",
                            SD_HELP_SCREEN_MAX);
        goto out;
    }
    qrc = sd_store_help_call_open(req->app->store, req->who.subject, screen, note, now, &c,
                                  &existing);
    if (qrc == QF_ERR_NOT_FOUND) { /* revoked between the token check and now */
        rc = sd_reply_error(req, 401, "unauthorized", "this device is no longer enrolled");
        goto out;
    }
    if (qrc != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, "the help call could not be stored");
        goto out;
    }
    if (!existing)
        qf_info("help call %lld from %s (%s, %s) on screen %s", (long long)c.id, c.device_id,
                c.device_name, c.hall, c.screen);
    /* 201 for a new call; 200 with the call already running when the
     * citizen pressed the button again. */
    v = sd_help_call_to_json(&c, now);
    if (v)
        json_object_set_new(v, "existing", json_boolean(existing));
    rc = sd_reply_json(req, existing ? 200 : 201, v);
out:
    json_decref(root);
    return rc;
}

/* ---- GET /api/v1/help-calls ---------------------------------------------- */

int sd_h_help_call_list(sd_request *req)
{
    const char *state_text = sd_request_query(req, "state");
    const char *limit_text = sd_request_query(req, "limit");
    qf_instant now = qf_clock_now();
    sd_help_state state;
    sd_help_call *list = NULL;
    size_t count = 0, limit = SD_HELP_LIST_DEFAULT;
    json_t *arr;
    qf_err qrc;

    if (state_text && sd_help_state_parse(state_text, &state) != QF_OK)
        return sd_reply_error(req, 400, "invalid_query",
                              "query parameter 'state' must be open, acknowledged or closed");
    if (limit_text) {
        int64_t l = 0;
        if (!sd_help_id_parse(limit_text, &l) || l > SD_HELP_LIST_MAX)
            return sd_reply_error(req, 400, "invalid_query",
                                  "query parameter 'limit' must be 1 to %d", SD_HELP_LIST_MAX);
        limit = (size_t)l;
    }
    qrc = sd_store_help_call_list(req->app->store, state_text ? &state : NULL, limit, &list,
                                  &count);
    if (qrc != QF_OK)
        return sd_reply_qf_err(req, qrc, "the help calls could not be read");
    arr = json_array();
    for (size_t i = 0; arr && i < count; i++) {
        if (json_array_append_new(arr, sd_help_call_to_json(&list[i], now)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(list);
    if (!arr)
        return sd_reply_error(req, 500, "internal", "out of memory");
    return sd_reply_json(req, 200,
                         json_pack("{s:o,s:I}", "help_calls", arr, "count", (json_int_t)count));
}

/* ---- GET /api/v1/help-calls/{id} ----------------------------------------- */

int sd_h_help_call_get(sd_request *req)
{
    int64_t id = 0;
    sd_help_call c;
    qf_err qrc;

    if (!sd_help_id_parse(req->params[0], &id))
        return sd_help_not_found(req);
    qrc = sd_store_help_call_get(req->app->store, id, &c);
    /* A kiosk sees only its own calls; another's is "not found", not
     * "forbidden", so ids tell nothing about other kiosks. */
    if (qrc == QF_ERR_NOT_FOUND ||
        (qrc == QF_OK && req->who.kind == SD_PRINCIPAL_DEVICE &&
         strcmp(c.device_id, req->who.subject) != 0))
        return sd_help_not_found(req);
    if (qrc != QF_OK)
        return sd_reply_qf_err(req, qrc, "the help call could not be read");
    return sd_reply_json(req, 200, sd_help_call_to_json(&c, qf_clock_now()));
}

/* ---- POST /api/v1/help-calls/{id}/ack and …/close ------------------------ */

/* Staff other than helpers (and staff operators) may look but not answer. */
static bool sd_help_may_answer(sd_request *req, int *rc)
{
    if (req->who.kind == SD_PRINCIPAL_STAFF && strcmp(req->who.role, "helper") != 0 &&
        strcmp(req->who.role, "operator") != 0) {
        *rc = sd_reply_error(req, 403, "forbidden",
                             "only helpers (帮办) and operators answer help calls; this account "
                             "is a %s",
                             req->who.role);
        return false;
    }
    return true;
}

static int sd_help_answer(sd_request *req, bool close)
{
    static const char *const ack_known[] = { NULL };
    static const char *const close_known[] = { "note", NULL };
    char actor[SD_HELP_ACTOR_MAX + 1];
    const char *note = NULL;
    json_t *root = NULL;
    int64_t id = 0;
    sd_help_call c;
    qf_err qrc;
    int rc = 0;

    if (!sd_help_may_answer(req, &rc))
        return rc;
    if (!sd_help_id_parse(req->params[0], &id))
        return sd_help_not_found(req);
    /* The body is optional: none, {} or (close) {"note":"…"}. */
    if (req->body_len > 0) {
        if (!(root = sd_request_json(req, &rc)))
            return rc;
        if (!sd_help_fields_known(req, root, close ? close_known : ack_known,
                                  close ? "\"note\" is" : "nothing is", &rc) ||
            (close && !sd_help_note(req, root, &note, &rc)))
            goto out;
    }
    snprintf(actor, sizeof actor, "%s:%s", sd_principal_kind_name(req->who.kind),
             req->who.subject);
    if (close)
        qrc = sd_store_help_call_close(req->app->store, id, actor, note, qf_clock_now(), &c);
    else
        qrc = sd_store_help_call_ack(req->app->store, id, actor,
                                     req->who.kind == SD_PRINCIPAL_STAFF ? req->who.subject
                                                                         : NULL,
                                     qf_clock_now(), &c);
    if (qrc == QF_ERR_NOT_FOUND) {
        rc = sd_help_not_found(req);
    } else if (qrc == QF_ERR_STATE) {
        rc = sd_reply_error(req, 409, "help_call_state",
                            close ? "help call %lld is closed already"
                                  : "help call %lld is %s: only an open call can be "
                                    "acknowledged",
                            (long long)id, sd_help_state_name(c.state));
    } else if (qrc != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, "the help call could not be updated");
    } else {
        qf_info("help call %lld %s by %s", (long long)id, close ? "closed" : "acknowledged",
                actor);
        rc = sd_reply_json(req, 200, sd_help_call_to_json(&c, qf_clock_now()));
    }
out:
    json_decref(root);
    return rc;
}

int sd_h_help_call_ack(sd_request *req) { return sd_help_answer(req, false); }
int sd_h_help_call_close(sd_request *req) { return sd_help_answer(req, true); }

/* ---- signing in at a kiosk ----------------------------------------------- */

/* Sends body (stolen) with "Cache-Control: no-store" (it may hold a
 * session or a hash) and wipes our copy of the text. */
/* Takes one attempt from the kiosk's sign-in bucket; 429 when empty. */
static bool sd_kiosk_login_allowed(sd_request *req, int *rc)
{
    char key[96], after[16];
    unsigned retry = 0;

    if (!req->app->ratelimit)
        return true;
    snprintf(key, sizeof key, "kiosk-login:%s", req->who.subject);
    if (sd_ratelimit_take(req->app->ratelimit, key, sd_monotonic_ms(), SD_KIOSK_LOGIN_PER_MINUTE,
                          SD_KIOSK_LOGIN_BURST, &retry))
        return true;
    qf_warn("kiosk sign-in: device %s is over its limit", req->who.subject);
    snprintf(after, sizeof after, "%u", retry ? retry : 1);
    *rc = sd_reply_json_private(
        req, 429,
        json_pack("{s:{s:s,s:s}}", "error", "code", "rate_limited", "message",
                  "too many sign-in attempts at this kiosk; wait a few minutes"),
        after);
    return false;
}

/* Answers a refused sign-in the way POST /api/v1/staff/login does. */
static int sd_kiosk_refused(sd_request *req, const sd_login_result *res, qf_instant now,
                            const char *where)
{
    if (res->why == SD_LOGIN_LOCKED) {
        char when[32], after[24], message[160];
        qf_instant wait = res->locked_until > now ? res->locked_until - now : 1;
        qf_clock_format_iso8601(res->locked_until, when, sizeof when);
        snprintf(after, sizeof after, "%lld", (long long)wait);
        snprintf(message, sizeof message,
                 "too many wrong PINs: this account is locked until %s", when);
        return sd_reply_json_private(req, 429,
                                      json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "locked",
                                                "message", message, "unlocks_at", when),
                                      after);
    }
    if (res->why == SD_LOGIN_ROLE)
        return sd_reply_error(req, 403, "role_not_allowed",
                              "a %s may not sign in at %s", res->staff.role, where);
    return sd_reply_error(req, 401, "bad_credentials", "the staff id or PIN is wrong");
}

/* Reads {"staff_id","pin"} (and, when badge_ok, {"badge"} instead). On
 * success *id and *secret borrow from root (or the badge buffers) and
 * *kind says which. */
static bool sd_kiosk_credentials(sd_request *req, json_t *root, bool badge_ok, const char **id,
                                 const char **secret, sd_login_secret *kind, char badge_id[],
                                 char badge_secret[], int *rc)
{
    static const char *const with_badge[] = { "staff_id", "pin", "badge", NULL };
    static const char *const pin_only[] = { "staff_id", "pin", NULL };
    json_t *jid = json_object_get(root, "staff_id"), *jpin = json_object_get(root, "pin");
    json_t *jbadge = json_object_get(root, "badge");

    if (!sd_help_fields_known(req, root, badge_ok ? with_badge : pin_only,
                              badge_ok ? "\"staff_id\" with \"pin\", or \"badge\", are"
                                       : "\"staff_id\" and \"pin\" are",
                              rc))
        return false;
    if (badge_ok && jbadge) {
        if (jid || jpin) {
            *rc = sd_reply_error(req, 400, "invalid_body",
                                 "send either \"badge\" or \"staff_id\" with \"pin\", not both");
            return false;
        }
        if (!json_is_string(jbadge)) {
            *rc = sd_reply_error(req, 400, "invalid_field", "\"badge\" must be a string");
            return false;
        }
        /* A payload that is not a badge at all is a typo or a wrong QR, not
         * a guess: 400 without touching any account. */
        if (sd_staff_badge_parse(json_string_value(jbadge), badge_id, badge_secret) != QF_OK) {
            *rc = sd_reply_error(req, 400, "invalid_field",
                                 "\"badge\" is not a staff badge (QIFU-STAFF:<id>:<secret>)");
            return false;
        }
        *id = badge_id;
        *secret = badge_secret;
        *kind = SD_SECRET_BADGE;
        return true;
    }
    if (!json_is_string(jid) || !json_is_string(jpin)) {
        *rc = sd_reply_error(req, 400, "invalid_field", "\"%s\" must be a string",
                             !json_is_string(jid) ? "staff_id" : "pin");
        return false;
    }
    *id = json_string_value(jid);
    *secret = json_string_value(jpin);
    *kind = SD_SECRET_PIN;
    return true;
}

static int sd_kiosk_login(sd_request *req, bool technician)
{
    static const char *const helper_roles[] = { "helper", "operator", NULL };
    static const char *const tech_roles[] = { "technician", "operator", NULL };
    char badge_id[SD_STAFF_ID_MAX + 1] = "", badge_secret[SD_TOKEN_LEN + 1] = "";
    char expires[32];
    qf_instant now = qf_clock_now();
    sd_login_opts opts = { 0 };
    sd_login_result res;
    const char *id = NULL, *secret = NULL;
    json_t *root, *body;
    qf_err qrc;
    int rc = 0;

    memset(&res, 0, sizeof res);
    if (!(root = sd_request_json(req, &rc)))
        return rc;
    if (!sd_kiosk_credentials(req, root, !technician, &id, &secret, &opts.kind, badge_id,
                              badge_secret, &rc) ||
        !sd_kiosk_login_allowed(req, &rc))
        goto out;
    opts.roles = technician ? tech_roles : helper_roles;
    opts.session = !technician;
    opts.offline_hash = technician;
    opts.device_id = req->who.subject;
    qrc = sd_store_staff_signin(req->app->store, id, secret, &opts, now, &res);
    if (qrc == QF_ERR_DENIED) {
        rc = sd_kiosk_refused(req, &res, now,
                              technician ? "technician-login" : "helper-login");
        goto out;
    }
    if (qrc == QF_ERR_NOMEM || qrc == QF_ERR_STORAGE) {
        qf_warn("kiosk sign-in: %s", qf_err_str(qrc));
        rc = sd_reply_error(req, 503, "unavailable", "the server cannot sign anyone in now");
        goto out;
    }
    if (qrc != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, "the sign-in could not be completed");
        goto out;
    }
    qf_info("kiosk sign-in: %s %s at device %s", res.staff.role, res.staff.id,
            req->who.subject);
    body = json_pack("{s:s,s:s,s:s,s:s?}", "staff_id", res.staff.id, "name", res.staff.name,
                     "role", res.staff.role, "unit", res.staff.unit[0] ? res.staff.unit : NULL);
    if (body && technician) {
        json_object_set_new(body, "offline_hash", json_string(res.offline_hash));
    } else if (body) {
        qf_clock_format_iso8601(res.expires_at, expires, sizeof expires);
        json_object_set_new(body, "session", json_string(res.token));
        json_object_set_new(body, "expires_at", json_string(expires));
    }
    rc = sd_reply_json_private(req, 200, body, NULL);
out:
    memset(&res, 0, sizeof res);
    memset(badge_secret, 0, sizeof badge_secret);
    json_decref(root); /* the PIN lived in jansson's copy: it goes with root */
    return rc;
}

int sd_h_device_helper_login(sd_request *req) { return sd_kiosk_login(req, false); }
int sd_h_device_technician_login(sd_request *req) { return sd_kiosk_login(req, true); }
