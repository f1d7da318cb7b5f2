/* h_staff.c — staff sessions over HTTP:
 *
 *   POST /api/v1/staff/login    public: {"id","pin"} → a session token (8 h)
 *   POST /api/v1/staff/logout   staff: ends the session whose token is presented
 *   GET  /api/v1/staff/me       staff: the signed-in account
 *
 * Refusals: an unknown id, a wrong PIN and a disabled account all answer
 * the same 401 bad_credentials (no oracle on which ids exist). A locked
 * account (SD_STAFF_LOGIN_TRIES wrong PINs in a row) answers 429 locked
 * with Retry-After and "unlocks_at" until the lock ends — 429 because the
 * remedy is the same as for any rate limit: wait. Tokens and PINs are never
 * logged. The dispatcher has checked the caller's kind (device tokens get
 * 403 here) and the body size; rules and SQL live in store_staff.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "qf_log.h"
#include "reply.h"
#include "routes.h"
#include "store_staff.h"


static int sd_staff_bad_credentials(sd_request *req)
{
    return sd_reply_error(req, 401, "bad_credentials", "the staff id or PIN is wrong");
}

static int sd_staff_locked(sd_request *req, qf_instant now, qf_instant until)
{
    char when[32], after[24], message[160];
    qf_instant wait = until > now ? until - now : 1;
    qf_clock_format_iso8601(until, when, sizeof when);
    snprintf(after, sizeof after, "%lld", (long long)wait);
    snprintf(message, sizeof message,
             "too many wrong PINs: this account is locked until %s", when);
    return sd_reply_json_private(req, 429,
                                  json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "locked",
                                            "message", message, "unlocks_at", when),
                                  after);
}

int sd_h_staff_login(sd_request *req)
{
    static const char *const known[] = { "id", "pin", NULL };
    char token[SD_TOKEN_LEN + 1], expires[32];
    sd_login_refusal why = SD_LOGIN_OK;
    qf_instant now = qf_clock_now(), expires_at = 0, locked_until = 0;
    const char *key, *id, *pin;
    json_t *root, *value, *jid, *jpin, *staff;
    sd_staff s;
    qf_err qrc;
    int rc;

    if (!(root = sd_request_json(req, &rc)))
        return rc;
    json_object_foreach(root, key, value) {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(key, known[i]) == 0;
        if (!ok) {
            json_decref(root);
            return sd_reply_error(req, 400, "unknown_field",
                                  "unknown field: only \"id\" and \"pin\" are accepted");
        }
    }
    jid = json_object_get(root, "id");
    jpin = json_object_get(root, "pin");
    if (!json_is_string(jid) || !json_is_string(jpin)) {
        const char *field = !json_is_string(jid) ? "id" : "pin";
        json_decref(root);
        return sd_reply_error(req, 400, "invalid_field", "\"%s\" must be a string", field);
    }
    id = json_string_value(jid);
    pin = json_string_value(jpin);

    qrc = sd_store_staff_login(req->app->store, id, pin, now, token, &expires_at, &s, &why,
                               &locked_until);
    json_decref(root); /* the PIN lived in jansson's copy: it goes with root */
    if (qrc == QF_ERR_DENIED && why == SD_LOGIN_LOCKED)
        return sd_staff_locked(req, now, locked_until);
    if (qrc == QF_ERR_DENIED)
        return sd_staff_bad_credentials(req);
    if (qrc == QF_ERR_NOMEM || qrc == QF_ERR_STORAGE) {
        qf_warn("staff login: %s", qf_err_str(qrc));
        return sd_reply_error(req, 503, "unavailable", "the server cannot sign anyone in now");
    }
    if (qrc != QF_OK)
        return sd_reply_qf_err(req, qrc, "the login could not be completed");

    qf_clock_format_iso8601(expires_at, expires, sizeof expires);
    staff = sd_staff_to_json(&s);
    rc = sd_reply_json_private(req, 200,
                                staff ? json_pack("{s:s, s:s, s:o}", "token", token, "expires_at",
                                                  expires, "staff", staff)
                                      : NULL,
                                NULL);
    memset(token, 0, sizeof token);
    return rc;
}

int sd_h_staff_logout(sd_request *req)
{
    const char *auth = sd_request_header(req, "Authorization");
    qf_err qrc;

    /* The dispatcher accepted this header, so it is "Bearer <token>". */
    if (!auth || strncmp(auth, "Bearer ", 7) != 0)
        return sd_reply_error(req, 401, "unauthorized", "no session token was presented");
    qrc = sd_store_staff_logout(req->app->store, req->who.subject, auth + 7, qf_clock_now());
    /* Resolved tokens are cached for up to a second: forget them now. */
    if (req->app->auth_cache)
        sd_auth_cache_clear(req->app->auth_cache);
    if (qrc != QF_OK && qrc != QF_ERR_NOT_FOUND) /* NOT_FOUND: ended meanwhile, same result */
        return sd_reply_qf_err(req, qrc, "the session could not be ended");
    return sd_reply_json(req, 200, json_pack("{s:b}", "logged_out", 1));
}

int sd_h_staff_me(sd_request *req)
{
    sd_staff s;
    qf_err qrc = sd_store_staff_get(req->app->store, req->who.subject, &s);
    if (qrc == QF_ERR_NOT_FOUND) /* cannot happen: the resolver joined the row */
        return sd_reply_error(req, 401, "unauthorized", "this session's account is gone");
    if (qrc != QF_OK)
        return sd_reply_qf_err(req, qrc, "the account could not be read");
    return sd_reply_json(req, 200, sd_staff_to_json(&s));
}
