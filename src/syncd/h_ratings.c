/* h_ratings.c — POST /api/v1/ratings: a service rating (好差评) from a
 * kiosk, after a guide was read, a ticket was served or a service used.
 *
 * Device tokens only (routes.c), body cap 4 KB. Idempotent like POST
 * /api/v1/cases: an Idempotency-Key header is required (8-64 of A-Z a-z
 * 0-9 _ -); the same key with the same body answers 200 with the first
 * reply, with another body 409 idempotency_conflict. The retry is answered
 * from the store before any validation, so a rule change (a service
 * withdrawn from the catalog) never turns an accepted rating into an error.
 *
 * This file validates the body (field errors carry "field", unknown members
 * are refused, lengths count characters) and shapes the reply; the SQL is
 * store_ratings.c's, the five-level scale store_cases.h's. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "h_body.h"
#include "qf_log.h"
#include "reply.h"
#include "routes.h"
#include "store_cases.h"
#include "store_queues.h"
#include "store_ratings.h"

#define SD_RATING_COMMENT_MAX 500    /* characters */
#define SD_RATING_ID_MAX 64          /* service, window, helper ids: bytes */

/* The five levels: wire name and the word people see. Accepts both. */
static const struct {
    const char *name, *zh;
} sd_rating_words[] = {
    { "very_satisfied", "非常满意" }, { "satisfied", "满意" },   { "basic", "基本满意" },
    { "dissatisfied", "不满意" },     { "very_dissatisfied", "非常不满意" },
};

/* ---- replies -------------------------------------------------------------- */

/* The reply, built from the stored row only, so a replay is identical.
 * Ownership: a new object, or NULL. */
static json_t *sd_rating_reply_json(const sd_rating *r)
{
    char at[32];
    const char *name = sd_case_rating_name(r->score);
    if (!name)
        return NULL;
    qf_clock_format_iso8601(r->at, at, sizeof at);
    return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)r->id, "target", r->target,
                     "rating", name, "at", at);
}

static int sd_rating_reply(sd_request *req, unsigned status, int64_t id)
{
    sd_rating r;
    json_t *reply;
    qf_err qrc = sd_store_rating_get(req->app->store, id, &r);

    if (qrc != QF_OK) /* the key's row is gone: damage, not the caller's fault */
        return sd_reply_qf_err(req, qrc == QF_ERR_NOT_FOUND ? QF_ERR_STORAGE : qrc,
                               "the rating of this Idempotency-Key cannot be read");
    reply = sd_rating_reply_json(&r);
    sd_rating_cleanup(&r);
    if (!reply)
        return sd_reply_error(req, 500, "internal", "could not encode the reply");
    return sd_reply_json(req, status, reply);
}

static int sd_rating_idem_conflict(sd_request *req)
{
    return sd_reply_error(req, 409, "idempotency_conflict",
                          "this Idempotency-Key was already used with a different body");
}

/* ---- reading the body ------------------------------------------------------ */

/* A string member: *out borrowed, NULL when absent or null (an error if
 * required). Not a string → 400. */
static bool sd_rating_str(sd_request *req, json_t *obj, const char *name, bool required,
                          const char **out, int *rc)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            *rc = sd_body_field_error(req, "missing_field", name, NULL, "%s is required", name);
        return !required;
    }
    if (!json_is_string(v)) {
        *rc = sd_body_field_error(req, "invalid_field", name, NULL, "%s must be a string", name);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* Validates body into nr (strings borrowed from body). On a problem
 * answers and returns false. */
static bool sd_rating_parse(sd_request *req, json_t *body, sd_rating_new *nr, int *rc)
{
    const char *target, *service, *window, *ticket, *rating, *comment, *helper;
    bool known = false, catalog = false;
    qf_err qrc;

    static const char *const allowed[] = { "target",  "service", "window",    "ticket",
                                           "rating",  "comment", "helper_id", NULL };
    if (!sd_body_fields_known(req, body, allowed, rc))
        return false;

    if (!sd_rating_str(req, body, "target", true, &target, rc))
        return false;
    if (strcmp(target, "guide") != 0 && strcmp(target, "ticket") != 0 &&
        strcmp(target, "service") != 0) {
        *rc = sd_body_field_error(req, "invalid_field", "target", NULL,
                                    "target must be guide, ticket or service");
        return false;
    }
    nr->target = target;

    if (!sd_rating_str(req, body, "rating", true, &rating, rc))
        return false;
    for (size_t i = 0; i < sizeof sd_rating_words / sizeof sd_rating_words[0]; i++)
        if (strcmp(rating, sd_rating_words[i].name) == 0 ||
            strcmp(rating, sd_rating_words[i].zh) == 0)
            nr->score = sd_case_rating_score(sd_rating_words[i].name);
    if (nr->score == 0) {
        *rc = sd_body_field_error(req, "invalid_field", "rating", NULL,
                                    "rating must be very_satisfied, satisfied, basic, "
                                    "dissatisfied or very_dissatisfied (or 非常满意 满意 基本满意 "
                                    "不满意 非常不满意)");
        return false;
    }

    /* service: the catalog's service id; required unless rating a ticket. */
    if (!sd_rating_str(req, body, "service", strcmp(target, "ticket") != 0, &service, rc))
        return false;
    if (service) {
        if (!sd_body_ident(service, SD_RATING_ID_MAX)) {
            *rc = sd_body_field_error(req, "invalid_field", "service", NULL,
                                        "service must be a catalog service id (1-%d of A-Z a-z "
                                        "0-9 . _ : -)",
                                        SD_RATING_ID_MAX);
            return false;
        }
        qrc = sd_store_rating_service_known(req->app->store, service, &known, &catalog);
        if (qrc != QF_OK) {
            *rc = sd_reply_qf_err(req, qrc, "cannot read the catalog");
            return false;
        }
        if (!known) {
            *rc = sd_body_field_error(req, "invalid_field", "service", NULL,
                                        "service \"%s\" is not in the published catalog",
                                        service);
            return false;
        }
    }
    nr->service_id = service;

    /* window and ticket: only for a ticket's rating. */
    if (!sd_rating_str(req, body, "window", false, &window, rc) ||
        !sd_rating_str(req, body, "ticket", false, &ticket, rc))
        return false;
    if ((window || ticket) && strcmp(target, "ticket") != 0) {
        *rc = sd_body_field_error(req, "invalid_field", window ? "window" : "ticket", NULL,
                                    "%s is only taken with target \"ticket\"",
                                    window ? "window" : "ticket");
        return false;
    }
    if (window) {
        sd_queue_window *windows = NULL;
        size_t nwindows = 0;
        bool found = false;
        if (!sd_body_ident(window, SD_RATING_ID_MAX)) {
            *rc = sd_body_field_error(req, "invalid_field", "window", NULL,
                                        "window must be a window id of the catalog");
            return false;
        }
        qrc = sd_store_queue_windows(req->app->store, &windows, &nwindows);
        if (qrc != QF_OK && qrc != QF_ERR_NOT_FOUND) {
            *rc = sd_reply_qf_err(req, qrc, "cannot read the catalog's windows");
            return false;
        }
        for (size_t i = 0; i < nwindows; i++)
            if (strcmp(windows[i].id, window) == 0)
                found = true;
        sd_queue_windows_free(windows, nwindows);
        if (qrc == QF_OK && !found) { /* with no catalog, any id is taken */
            *rc = sd_body_field_error(req, "invalid_field", "window", NULL,
                                        "window \"%s\" is not in the published catalog",
                                        window);
            return false;
        }
    }
    nr->window_id = window;
    if (ticket) {
        size_t n = strlen(ticket);
        if (n < 4 || n > 7 || ticket[0] < 'A' || ticket[0] > 'Z' ||
            strspn(ticket + 1, "0123456789") != n - 1) {
            *rc = sd_body_field_error(req, "invalid_field", "ticket", NULL,
                                        "ticket must be a letter A-Z and 3 to 6 digits, like "
                                        "E023");
            return false;
        }
    }
    nr->ticket = ticket;

    if (!sd_rating_str(req, body, "comment", false, &comment, rc))
        return false;
    if (comment && !*comment)
        comment = NULL; /* an empty optional text is no text */
    if (comment && sd_body_utf8_len(comment) > SD_RATING_COMMENT_MAX) {
        *rc = sd_body_field_error(req, "invalid_field", "comment", NULL,
                                    "comment must be at most %d characters; it has %zu",
                                    SD_RATING_COMMENT_MAX, sd_body_utf8_len(comment));
        return false;
    }
    if (comment && sd_body_text_bad(comment, true)) {
        *rc = sd_body_field_error(req, "invalid_field", "comment", NULL,
                                    "comment is blank or holds control characters");
        return false;
    }
    nr->comment = comment;

    if (!sd_rating_str(req, body, "helper_id", false, &helper, rc))
        return false;
    if (helper && !*helper)
        helper = NULL;
    if (helper && !sd_body_ident(helper, SD_RATING_ID_MAX)) {
        *rc = sd_body_field_error(req, "invalid_field", "helper_id", NULL,
                                    "helper_id may hold only A-Z a-z 0-9 . _ : - (1-%d)",
                                    SD_RATING_ID_MAX);
        return false;
    }
    nr->helper_id = helper;
    return true;
}

/* ---- POST /api/v1/ratings ------------------------------------------------- */

int sd_h_rating_create(sd_request *req)
{
    sd_app *app = req->app;
    const char *key = sd_request_header(req, "Idempotency-Key");
    char hash[SD_HASH_HEX_LEN + 1];
    sd_rating_new nr;
    json_t *body = NULL;
    bool replayed = false;
    int64_t id = 0;
    qf_err qrc;
    int rc = MHD_NO;

    if (!key)
        return sd_reply_error(req, 400, "invalid_idempotency_key",
                              "an Idempotency-Key header is required (8-64 of A-Z a-z 0-9 _ -)");
    if (!sd_body_idem_key_valid(key))
        return sd_reply_error(req, 400, "invalid_idempotency_key",
                              "the Idempotency-Key must be 8-64 of A-Z a-z 0-9 _ -");
    /* The hash is over the C string; a NUL would hide what follows it. */
    if (memchr(req->body, '\0', req->body_len))
        return sd_reply_error(req, 400, "invalid_body", "the body holds a NUL byte");
    sd_auth_hash(req->body, hash);

    qrc = sd_store_rating_idem_find(app->store, req->who.subject, key, hash, &id);
    if (qrc == QF_OK)
        return sd_rating_reply(req, 200, id);
    if (qrc == QF_ERR_CONFLICT)
        return sd_rating_idem_conflict(req);
    if (qrc != QF_ERR_NOT_FOUND)
        return sd_reply_qf_err(req, qrc, "cannot read the idempotency record");

    if (!(body = sd_request_json(req, &rc)))
        return rc;
    memset(&nr, 0, sizeof nr);
    if (!sd_rating_parse(req, body, &nr, &rc))
        goto out;
    nr.device_id = req->who.subject;
    nr.idem_key = key;
    nr.body_hash = hash;
    nr.now = qf_clock_now();
    qrc = sd_store_rating_create(app->store, &nr, &id, &replayed);
    if (qrc == QF_ERR_CONFLICT) { /* a twin with another body committed first */
        rc = sd_rating_idem_conflict(req);
        goto out;
    }
    if (qrc != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, "cannot store the rating");
        goto out;
    }
    if (!replayed)
        qf_info("rating %lld by %s: %s %s", (long long)id, req->who.subject, nr.target,
                sd_case_rating_name(nr.score));
    rc = sd_rating_reply(req, replayed ? 200 : 201, id);
out:
    json_decref(body);
    return rc;
}
