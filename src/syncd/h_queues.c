/* h_queues.c — the queue endpoints: taking a ticket (online, or registering
 * a number leased earlier and printed offline), leasing number blocks,
 * calling the next ticket, and the waiting counts of a hall.
 *
 * Windows and their ticket letters come from the published catalog on every
 * request (a handful of rows), so an import takes effect at once. The day is
 * the Asia/Shanghai day of qf_clock_now(). Authentication, the route's
 * callers and body caps were checked by the dispatcher; here only the body's
 * own rules. Numbering, leases and call order live in store_queues.c; the
 * offline design is explained in API.md ("Offline ticket numbers"). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "qf_clock.h"
#include "reply.h"
#include "routes.h"
#include "store_queues.h"

/* Answers 400 naming the field first: "window: must be a string". */
#define sd_queue_bad_field(req, field, ...)                                   \
    sd_reply_error((req), 400, "invalid_field", field ": " __VA_ARGS__)

/* A request's queue context: the catalog's windows and the one it names. */
typedef struct sd_queue_ctx {
    sd_queue_window *windows;
    size_t nwindows;
    const sd_queue_window *window;
    char hall[SD_QUEUE_ID_MAX + 1];
    char day[11];
    qf_instant now;
} sd_queue_ctx;

static void sd_queue_ctx_cleanup(sd_queue_ctx *q)
{
    sd_queue_windows_free(q->windows, q->nwindows);
    q->windows = NULL;
    q->nwindows = 0;
}

/* The first key of obj not in allowed (NULL-terminated), or NULL. */
static const char *sd_queue_unknown_key(json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        size_t i = 0;
        (void)value;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i])
            return key;
    }
    return NULL;
}

static int sd_queue_reply_unknown_key(sd_request *req, const char *key)
{
    return sd_reply_error(req, 400, "invalid_field", "%.64s: unknown field", key);
}

/* A hall or window id: 1..64 bytes of ASCII letters, digits, '-' and '_'. */
static bool sd_queue_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > SD_QUEUE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* A printed number: one letter A-Z and 3 to 6 digits (A001 … A999999). */
static bool sd_queue_number_ok(const char *s)
{
    size_t n = strlen(s), digits = strspn(s + (n ? 1 : 0), "0123456789");
    return n >= 4 && n <= 7 && s[0] >= 'A' && s[0] <= 'Z' && digits == n - 1;
}

/* Fills hall, day and now. A device's hall is the one it was enrolled for
 * (naming another is refused); operators and staff may name one, else the
 * daemon's. On false it has answered and *out holds what to return. */
static bool sd_queue_ctx_where(sd_request *req, sd_queue_ctx *q, const char *asked, int *out)
{
    const char *hall = req->app->hall;

    if (req->who.kind == SD_PRINCIPAL_DEVICE) {
        if (req->who.hall[0])
            hall = req->who.hall;
        if (asked && strcmp(asked, hall) != 0) {
            *out = sd_reply_error(req, 403, "forbidden", "a device sees only its own hall (%s)",
                                  hall);
            return false;
        }
    } else if (asked) {
        hall = asked;
    }
    if (!sd_queue_id_ok(hall)) {
        *out = sd_queue_bad_field(req, "hall", "must be 1-%d letters, digits, '-' or '_'",
                                  SD_QUEUE_ID_MAX);
        return false;
    }
    snprintf(q->hall, sizeof q->hall, "%s", hall);
    q->now = qf_clock_now();
    qf_day_format(qf_instant_day(q->now), q->day, sizeof q->day);
    return true;
}

/* Loads the catalog's windows and finds id (NULL: just load). On false it
 * has answered (503 no_catalog, 404 unknown_window …) into *out. */
static bool sd_queue_ctx_windows(sd_request *req, sd_queue_ctx *q, const char *id, int *out)
{
    qf_err rc = sd_store_queue_windows(req->app->store, &q->windows, &q->nwindows);

    if (rc == QF_ERR_NOT_FOUND) {
        *out = sd_reply_error(req, 503, "no_catalog",
                              "no catalog has been imported yet; run qifu-ctl catalog import");
        return false;
    }
    if (rc != QF_OK) {
        *out = sd_reply_qf_err(req, rc, "cannot read the catalog's windows");
        return false;
    }
    if (!id)
        return true;
    for (size_t i = 0; i < q->nwindows && !q->window; i++) {
        if (strcmp(q->windows[i].id, id) == 0)
            q->window = &q->windows[i];
    }
    if (!q->window) {
        *out = sd_reply_error(req, 404, "unknown_window", "the catalog has no window \"%.64s\"",
                              id);
        return false;
    }
    return true;
}

/* Refuses a window without a ticket letter; false when it answered. */
static bool sd_queue_ctx_issuing(sd_request *req, const sd_queue_ctx *q, int *out)
{
    if (q->window->prefix)
        return true;
    *out = sd_reply_error(req, 409, "no_ticket_prefix",
                          "window %s has no ticket_prefix in the catalog and issues no tickets",
                          q->window->id);
    return false;
}

static json_t *sd_queue_ticket_json(const sd_ticket *t, const sd_queue_window *w,
                                    bool with_ahead)
{
    char issued[32] = "", called[32] = "";
    json_t *j;

    if (t->issued_at)
        qf_clock_format_iso8601(t->issued_at, issued, sizeof issued);
    if (t->called_at)
        qf_clock_format_iso8601(t->called_at, called, sizeof called);
    j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:s?}", "number", t->number,
                  "window", t->window, "window_name", w ? w->name : t->window, "hall", t->hall,
                  "day", t->day, "seq", (json_int_t)t->seq, "priority", t->priority ? 1 : 0,
                  "status", t->status, "issued_at", issued[0] ? issued : NULL);
    if (!j)
        return NULL;
    if (with_ahead)
        json_object_set_new(j, "people_ahead", json_integer((json_int_t)t->people_ahead));
    if (called[0]) {
        json_object_set_new(j, "called_at", json_string(called));
        json_object_set_new(j, "called_by", json_string(t->called_by));
    }
    return j;
}

/* ---- POST /api/v1/tickets --------------------------------------------------- */

/* The leased form: turn a number this device leased into a waiting ticket. */
static int sd_queue_register(sd_request *req, sd_queue_ctx *q, const char *number,
                             const char *issued_text, bool priority)
{
    qf_instant issued_at;
    sd_ticket t;
    bool replayed = false;
    char err[160];
    qf_err rc;

    if (!sd_queue_number_ok(number))
        return sd_queue_bad_field(req, "leased_number",
                                  "must be a letter A-Z and 3 to 6 digits, like A031");
    if (qf_clock_parse_iso8601(issued_text, &issued_at, err, sizeof err) != QF_OK)
        return sd_queue_bad_field(req, "issued_at", "%s", err);
    rc = sd_store_ticket_register(req->app->store, q->hall, q->day, q->window->id, number,
                                  req->who.subject, issued_at, priority, q->now, &t, &replayed);
    if (rc == QF_ERR_NOT_FOUND)
        return sd_reply_error(req, 409, "not_leased",
                              "%s of %s was not leased to this device", number, q->window->id);
    if (rc == QF_ERR_STATE)
        return sd_reply_error(req, 409, "lease_expired",
                              "%s was leased on an earlier day; leases hold for their day only",
                              number);
    if (rc != QF_OK)
        return sd_reply_qf_err(req, rc, "cannot register the leased number");
    return sd_reply_json(req, replayed ? 200 : 201, sd_queue_ticket_json(&t, q->window, true));
}

int sd_h_ticket_create(sd_request *req)
{
    static const char *const keys[] = { "window", "priority", "leased_number", "issued_at",
                                        NULL };
    sd_queue_ctx q = { 0 };
    json_t *root, *jpriority, *jnumber, *jissued;
    const char *window, *unknown;
    bool priority = false;
    sd_ticket t;
    int out = 0;
    qf_err rc;

    root = sd_request_json(req, &out);
    if (!root)
        return out;
    window = json_string_value(json_object_get(root, "window"));
    jpriority = json_object_get(root, "priority");
    jnumber = json_object_get(root, "leased_number");
    jissued = json_object_get(root, "issued_at");
    if ((unknown = sd_queue_unknown_key(root, keys)) != NULL) {
        out = sd_queue_reply_unknown_key(req, unknown);
        goto done;
    }
    if (!sd_queue_id_ok(window)) {
        out = sd_queue_bad_field(req, "window", "required: a window id from the catalog");
        goto done;
    }
    if (jpriority && !json_is_null(jpriority) && !json_is_boolean(jpriority)) {
        out = sd_queue_bad_field(req, "priority", "must be true or false");
        goto done;
    }
    priority = json_is_true(jpriority);
    if (jnumber && !json_is_null(jnumber) && !json_is_string(jnumber)) {
        out = sd_queue_bad_field(req, "leased_number", "must be a string like A031");
        goto done;
    }
    if (json_is_string(jnumber) && !json_is_string(jissued)) {
        out = sd_queue_bad_field(req, "issued_at",
                                 "required with leased_number: when the slip was printed "
                                 "(ISO 8601 with offset)");
        goto done;
    }
    if (!json_is_string(jnumber) && jissued && !json_is_null(jissued)) {
        out = sd_queue_bad_field(req, "issued_at", "only taken with leased_number");
        goto done;
    }
    if (!sd_queue_ctx_where(req, &q, NULL, &out))
        goto done;
    if (!sd_queue_ctx_windows(req, &q, window, &out))
        goto done;
    if (!sd_queue_ctx_issuing(req, &q, &out))
        goto done;
    if (json_is_string(jnumber)) {
        out = sd_queue_register(req, &q, json_string_value(jnumber), json_string_value(jissued),
                                priority);
        goto done;
    }
    rc = sd_store_ticket_issue(req->app->store, q.hall, q.day, q.window->id, q.window->prefix,
                               priority, req->who.subject, q.now, &t);
    if (rc == QF_ERR_LIMIT)
        out = sd_reply_error(req, 409, "queue_full", "%s has issued its %d numbers for today",
                             q.window->id, SD_QUEUE_SEQ_MAX);
    else if (rc != QF_OK)
        out = sd_reply_qf_err(req, rc, "cannot issue a ticket");
    else
        out = sd_reply_json(req, 201, sd_queue_ticket_json(&t, q.window, true));
done:
    sd_queue_ctx_cleanup(&q);
    json_decref(root);
    return out;
}

/* ---- POST /api/v1/tickets/lease ---------------------------------------------- */

int sd_h_ticket_lease(sd_request *req)
{
    static const char *const keys[] = { "window", "count", NULL };
    sd_queue_ctx q = { 0 };
    json_t *root, *jcount, *numbers = NULL, *body;
    const char *window, *unknown;
    json_int_t count;
    int64_t first = 0;
    char err[200];
    int out = 0;
    qf_err rc;

    root = sd_request_json(req, &out);
    if (!root)
        return out;
    window = json_string_value(json_object_get(root, "window"));
    jcount = json_object_get(root, "count");
    if ((unknown = sd_queue_unknown_key(root, keys)) != NULL) {
        out = sd_queue_reply_unknown_key(req, unknown);
        goto done;
    }
    if (!sd_queue_id_ok(window)) {
        out = sd_queue_bad_field(req, "window", "required: a window id from the catalog");
        goto done;
    }
    count = json_is_integer(jcount) ? json_integer_value(jcount) : 0;
    if (count < 1 || count > SD_QUEUE_LEASE_MAX) {
        out = sd_queue_bad_field(req, "count", "required: an integer from 1 to %d",
                                 SD_QUEUE_LEASE_MAX);
        goto done;
    }
    if (!sd_queue_ctx_where(req, &q, NULL, &out))
        goto done;
    if (!sd_queue_ctx_windows(req, &q, window, &out))
        goto done;
    if (!sd_queue_ctx_issuing(req, &q, &out))
        goto done;
    rc = sd_store_ticket_lease(req->app->store, q.hall, q.day, q.window->id, q.window->prefix,
                               (int)count, req->who.subject, q.now, &first, err, sizeof err);
    if (rc == QF_ERR_LIMIT) {
        out = sd_reply_error(req, 409, "queue_full", "%s", err);
        goto done;
    }
    if (rc == QF_ERR_STATE) {
        out = sd_reply_error(req, 409, "lease_limit", "%s", err);
        goto done;
    }
    if (rc != QF_OK) {
        out = sd_reply_qf_err(req, rc, "cannot lease numbers");
        goto done;
    }
    numbers = json_array();
    for (json_int_t i = 0; numbers && i < count; i++) {
        char number[SD_QUEUE_NUMBER_MAX];
        sd_queue_number_format(q.window->prefix, first + i, number, sizeof number);
        json_array_append_new(numbers, json_string(number));
    }
    body = numbers ? json_pack("{s:s, s:s, s:s, s:o}", "window", q.window->id, "hall", q.hall,
                               "day", q.day, "numbers", numbers)
                   : NULL;
    out = sd_reply_json(req, 201, body);
done:
    sd_queue_ctx_cleanup(&q);
    json_decref(root);
    return out;
}

/* ---- POST /api/v1/queues/{window}/call --------------------------------------- */

int sd_h_queue_call(sd_request *req)
{
    static const char *const keys[] = { "hall", NULL };
    sd_queue_ctx q = { 0 };
    json_t *root = NULL, *jhall = NULL;
    const char *window = req->nparams ? req->params[0] : "", *unknown;
    char called_by[SD_QUEUE_ID_MAX + 16];
    sd_ticket t;
    bool found = false;
    int out = 0;
    qf_err rc;

    if (req->body_len > 0) {
        root = sd_request_json(req, &out);
        if (!root)
            return out;
        if ((unknown = sd_queue_unknown_key(root, keys)) != NULL) {
            out = sd_queue_reply_unknown_key(req, unknown);
            goto done;
        }
        jhall = json_object_get(root, "hall");
        if (jhall && !json_is_null(jhall) && !json_is_string(jhall)) {
            out = sd_queue_bad_field(req, "hall", "must be a string");
            goto done;
        }
    }
    if (!sd_queue_ctx_where(req, &q, json_string_value(jhall), &out))
        goto done;
    if (!sd_queue_id_ok(window)) {
        out = sd_reply_error(req, 404, "unknown_window", "the catalog has no window \"%.64s\"",
                             window);
        goto done;
    }
    if (!sd_queue_ctx_windows(req, &q, window, &out))
        goto done;
    snprintf(called_by, sizeof called_by, "%s:%s", sd_principal_kind_name(req->who.kind),
             req->who.subject);
    rc = sd_store_queue_call(req->app->store, q.hall, q.day, q.window->id, called_by, q.now, &t,
                             &found);
    if (rc != QF_OK) {
        out = sd_reply_qf_err(req, rc, "cannot call the next ticket");
        goto done;
    }
    out = sd_reply_json(req, 200,
                        json_pack("{s:o}", "called",
                                  found ? sd_queue_ticket_json(&t, q.window, false)
                                        : json_null()));
done:
    sd_queue_ctx_cleanup(&q);
    json_decref(root);
    return out;
}

/* ---- GET /api/v1/queues ------------------------------------------------------ */

int sd_h_queue_list(sd_request *req)
{
    sd_queue_ctx q = { 0 };
    sd_queue_count *counts = NULL;
    size_t ncounts = 0;
    json_t *windows = NULL;
    int out = 0;
    qf_err rc;

    if (!sd_queue_ctx_where(req, &q, sd_request_query(req, "hall"), &out))
        goto done;
    if (!sd_queue_ctx_windows(req, &q, NULL, &out))
        goto done;
    rc = sd_store_queue_counts(req->app->store, q.hall, q.day, &counts, &ncounts);
    if (rc != QF_OK) {
        out = sd_reply_qf_err(req, rc, "cannot count the queues");
        goto done;
    }
    windows = json_array();
    for (size_t i = 0; windows && i < q.nwindows; i++) {
        const sd_queue_window *w = &q.windows[i];
        const sd_queue_count *c = NULL;
        char prefix[2] = { w->prefix, '\0' };
        for (size_t k = 0; k < ncounts && !c; k++) {
            if (strcmp(counts[k].window, w->id) == 0)
                c = &counts[k];
        }
        json_array_append_new(
            windows, json_pack("{s:s, s:s, s:s?, s:I, s:I, s:s?}", "window", w->id, "name",
                               w->name, "prefix", w->prefix ? prefix : NULL, "waiting",
                               (json_int_t)(c ? c->waiting : 0), "priority_waiting",
                               (json_int_t)(c ? c->priority_waiting : 0), "last_called",
                               c && c->last_called[0] ? c->last_called : NULL));
    }
    out = sd_reply_json(req, 200,
                        windows ? json_pack("{s:s, s:s, s:o}", "hall", q.hall, "day", q.day,
                                            "windows", windows)
                                : NULL);
done:
    free(counts);
    sd_queue_ctx_cleanup(&q);
    return out;
}
