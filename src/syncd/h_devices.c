/* h_devices.c — the device fleet over HTTP:
 *
 *   POST /api/v1/devices/enroll            public: spend a one-time code, get a token
 *   POST /api/v1/devices/heartbeat         device: what it runs and how it is
 *   GET  /api/v1/devices                   operator, staff: the fleet, online or not
 *   POST /api/v1/devices/{id}/inspections  quarterly joint inspection (季度联合巡检)
 *   POST /api/v1/devices/{id}/maintenance  maintenance notice, before the work (报备)
 *
 * The dispatcher has already checked the caller's kind and the body size;
 * this file checks every field (type, range, length; unknown fields are
 * refused) and answers 4xx naming the field. Storage is store_devices.c.
 * Enrollment refusals are 401 (the code is a credential) with the words
 * enroll_code_unknown, enroll_code_used or enroll_code_expired; a code that
 * cannot be one at all is 400 invalid_field. Codes and tokens are never
 * logged. */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "qf_log.h"
#include "reply.h"
#include "routes.h"
#include "store_devices.h"
#include "store_inspect.h"

#define SD_SOFTWARE_VERSION_MAX 32
#define SD_INSPECTOR_MAX        64
#define SD_CHECKS_MAX           32
#define SD_CHECK_NAME_MAX       32
#define SD_NOTES_MAX            1000
#define SD_REASON_MAX           500
#define SD_DURATION_MAX_MIN     1440
#define SD_PLAN_SKEW_S          60            /* clock skew forgiven on "not in the past" */
#define SD_PLAN_AHEAD_MAX_DAYS  366
#define SD_JSON_SAFE_INT        9007199254740991LL /* 2^53 - 1 */

/* ---- field checks: each answers 400 itself and returns false ------------- */

/* A non-empty run of printable ASCII without spaces ("0.1.0-3-gabc123"). */
static bool sd_ascii_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < 0x21 || *s > 0x7e)
            return false;
    }
    return true;
}

/* Copies client text into buf for an error message: printable ASCII only
 * (anything else becomes '?') and at most 40 bytes, so the message stays
 * valid UTF-8 whatever was sent. */
static const char *sd_echo(const char *s, char *buf, size_t len)
{
    size_t o = 0;
    for (; *s && o + 4 < len && o < 40; s++)
        buf[o++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    if (*s && o + 3 < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* Refuses a body with a member not in known (NULL-terminated). */
static bool sd_fields_known(sd_request *req, json_t *obj, const char *const *known, int *rc)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        bool ok = false;
        (void)value;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(key, known[i]) == 0;
        if (!ok) {
            char echo[48];
            *rc = sd_reply_error(req, 400, "unknown_field", "unknown field '%s'",
                                 sd_echo(key, echo, sizeof echo));
            return false;
        }
    }
    return true;
}

/* Counts the code points of valid UTF-8 (jansson has validated it). */
static size_t sd_utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Free text: at most max code points; tabs and line breaks are fine, other
 * control characters are not. */
static bool sd_text_ok(const char *s, size_t max)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
            return false;
    }
    return sd_utf8_count(s) <= max;
}

typedef enum sd_text_kind {
    SD_TEXT_NAME,     /* one line: sd_device_name_check */
    SD_TEXT_FREE,     /* notes, reasons: sd_text_ok, may be multi-line */
    SD_TEXT_RAW,      /* length only; the caller checks the content */
} sd_text_kind;

/* Reads string member name. Absent or null: *out = NULL, an error only if
 * required. */
static bool sd_field_string(sd_request *req, json_t *obj, const char *name, bool required,
                            sd_text_kind kind, size_t max, const char **out, int *rc)
{
    json_t *v = json_object_get(obj, name);
    char why[160], quoted[48];

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (!required)
            return true;
        *rc = sd_reply_error(req, 400, "missing_field", "field '%s' is required", name);
        return false;
    }
    if (!json_is_string(v)) {
        *rc = sd_reply_error(req, 400, "invalid_field", "field '%s' must be a string", name);
        return false;
    }
    *out = json_string_value(v);
    switch (kind) {
    case SD_TEXT_NAME:
        snprintf(quoted, sizeof quoted, "'%s'", name);
        if (sd_device_name_check(*out, max, quoted, why, sizeof why) != QF_OK) {
            *rc = sd_reply_error(req, 400, "invalid_field", "field %s", why);
            return false;
        }
        break;
    case SD_TEXT_FREE:
        if (!**out || !sd_text_ok(*out, max)) {
            *rc = sd_reply_error(req, 400, "invalid_field",
                                 "field '%s' must be 1 to %zu characters without control "
                                 "characters other than line breaks and tabs",
                                 name, max);
            return false;
        }
        break;
    case SD_TEXT_RAW:
        if (sd_utf8_count(*out) > max) {
            *rc = sd_reply_error(req, 400, "invalid_field",
                                 "field '%s' is longer than %zu characters", name, max);
            return false;
        }
        break;
    }
    return true;
}

/* Reads a required integer member name within [min, max]. */
static bool sd_field_int(sd_request *req, json_t *obj, const char *name, json_int_t min,
                         json_int_t max, json_int_t *out, int *rc)
{
    json_t *v = json_object_get(obj, name);
    if (!v) {
        *rc = sd_reply_error(req, 400, "missing_field", "field '%s' is required", name);
        return false;
    }
    if (!json_is_integer(v)) {
        *rc = sd_reply_error(req, 400, "invalid_field", "field '%s' must be an integer", name);
        return false;
    }
    *out = json_integer_value(v);
    if (*out < min || *out > max) {
        *rc = sd_reply_error(req, 400, "invalid_field", "field '%s' must be between %lld and %lld",
                             name, (long long)min, (long long)max);
        return false;
    }
    return true;
}

static bool sd_one_of(const char *s, const char *const *words)
{
    for (size_t i = 0; words[i]; i++) {
        if (strcmp(s, words[i]) == 0)
            return true;
    }
    return false;
}

/* "operator:alice", "device:dev-0a1b2c3d", "staff:S0042". */
static void sd_who_format(const sd_request *req, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%s", sd_principal_kind_name(req->who.kind), req->who.subject);
}

static json_t *sd_json_instant(qf_instant t)
{
    char buf[32];
    if (!t)
        return json_null();
    qf_clock_format_iso8601(t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *sd_json_day(qf_instant t)
{
    char buf[16];
    if (!t)
        return json_null();
    qf_day_format(qf_instant_day(t), buf, sizeof buf);
    return json_string(buf);
}

/* Answers a store error for device id on the {id} routes. */
static int sd_reply_device_err(sd_request *req, qf_err rc, const char *id)
{
    char echo[48];
    if (rc == QF_ERR_NOT_FOUND)
        return sd_reply_error(req, 404, "device_not_found", "no device '%s'",
                              sd_echo(id, echo, sizeof echo));
    if (rc == QF_ERR_STATE)
        return sd_reply_error(req, 409, "device_revoked", "device '%s' is revoked",
                              sd_echo(id, echo, sizeof echo));
    return sd_reply_qf_err(req, rc, "the device record could not be stored");
}

/* ---- POST /api/v1/devices/enroll ----------------------------------------- */

int sd_h_device_enroll(sd_request *req)
{
    static const char *const known[] = { "code", "name", NULL };
    char code[15], token[SD_TOKEN_LEN + 1] = "";
    const char *code_text, *name;
    sd_enrolled enrolled;
    sd_enroll_refusal why;
    json_t *root;
    qf_err qrc;
    int rc = 0;

    if (!(root = sd_request_json(req, &rc)))
        return rc;
    if (!sd_fields_known(req, root, known, &rc) ||
        !sd_field_string(req, root, "code", true, SD_TEXT_RAW, 32, &code_text, &rc) ||
        !sd_field_string(req, root, "name", true, SD_TEXT_NAME, SD_DEVICE_NAME_MAX, &name, &rc))
        goto out;
    if (sd_enroll_code_normalise(code_text, code) != QF_OK) {
        rc = sd_reply_error(req, 400, "invalid_field",
                            "field 'code' is not an enrollment code (XXXX-XXXX-XXXX, as printed "
                            "by qifu-ctl device enroll)");
        goto out;
    }
    if ((qrc = sd_auth_token_new(token)) != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, "no random token could be made");
        goto out;
    }
    qrc = sd_store_device_enroll(req->app->store, code, name, token, qf_clock_now(), &enrolled,
                                 &why);
    if (qrc == QF_ERR_DENIED) {
        qf_warn("enroll: refused a code for '%s': %s", name,
                why == SD_ENROLL_USED ? "already used" : why == SD_ENROLL_EXPIRED ? "expired"
                                                                                   : "unknown");
        if (why == SD_ENROLL_USED)
            rc = sd_reply_error(req, 401, "enroll_code_used",
                                "this enrollment code has already been used; ask an operator for "
                                "a new one (qifu-ctl device enroll)");
        else if (why == SD_ENROLL_EXPIRED)
            rc = sd_reply_error(req, 401, "enroll_code_expired",
                                "this enrollment code is older than 24 hours; ask an operator "
                                "for a new one (qifu-ctl device enroll)");
        else
            rc = sd_reply_error(req, 401, "enroll_code_unknown", "no such enrollment code");
        goto out;
    }
    if (qrc != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, "the device could not be enrolled");
        goto out;
    }
    qf_info("enroll: device %s '%s' enrolled in hall %s", enrolled.device_id, name,
            enrolled.hall);
    rc = sd_reply_json(req, 201,
                       json_pack("{s:s,s:s,s:s,s:s}", "device_id", enrolled.device_id, "token",
                                 token, "hall", enrolled.hall, "name", name));
out:
    memset(token, 0, sizeof token);
    json_decref(root);
    return rc;
}

/* ---- POST /api/v1/devices/heartbeat -------------------------------------- */

static const char *const sd_printer_states[] = { "ok", "paper_low", "paper_out", "offline",
                                                 "error", NULL };

int sd_h_device_heartbeat(sd_request *req)
{
    static const char *const known[] = { "software_version", "catalog_version", "printer_status",
                                         "outbox_depth",     "disk_free_mb",    "uptime_s",
                                         NULL };
    sd_heartbeat hb = { 0 };
    const char *version, *printer;
    json_int_t catalog, outbox, disk, uptime;
    qf_instant now = qf_clock_now();
    json_t *root;
    qf_err qrc;
    int rc = 0;

    if (!(root = sd_request_json(req, &rc)))
        return rc;
    if (!sd_fields_known(req, root, known, &rc) ||
        !sd_field_string(req, root, "software_version", true, SD_TEXT_RAW,
                         SD_SOFTWARE_VERSION_MAX, &version, &rc) ||
        !sd_field_int(req, root, "catalog_version", 0, SD_JSON_SAFE_INT, &catalog, &rc) ||
        !sd_field_string(req, root, "printer_status", true, SD_TEXT_RAW, 16, &printer, &rc) ||
        !sd_field_int(req, root, "outbox_depth", 0, SD_JSON_SAFE_INT, &outbox, &rc) ||
        !sd_field_int(req, root, "disk_free_mb", 0, SD_JSON_SAFE_INT, &disk, &rc) ||
        !sd_field_int(req, root, "uptime_s", 0, SD_JSON_SAFE_INT, &uptime, &rc))
        goto out;
    if (!sd_ascii_word(version)) {
        rc = sd_reply_error(req, 400, "invalid_field",
                            "field 'software_version' must be 1 to %d printable ASCII "
                            "characters without spaces (\"0.1.0-3-gabc123\")",
                            SD_SOFTWARE_VERSION_MAX);
        goto out;
    }
    if (!sd_one_of(printer, sd_printer_states)) {
        rc = sd_reply_error(req, 400, "invalid_field",
                            "field 'printer_status' must be one of ok, paper_low, paper_out, "
                            "offline, error");
        goto out;
    }
    snprintf(hb.software_version, sizeof hb.software_version, "%s", version);
    snprintf(hb.printer_status, sizeof hb.printer_status, "%s", printer);
    hb.catalog_version = catalog;
    hb.outbox_depth = outbox;
    hb.disk_free_mb = disk;
    hb.uptime_s = uptime;
    qrc = sd_store_device_heartbeat(req->app->store, req->who.subject, &hb, now);
    if (qrc == QF_ERR_NOT_FOUND) {
        /* revoked between the token check and now */
        rc = sd_reply_error(req, 401, "unauthorized", "this device is no longer enrolled");
        goto out;
    }
    if (qrc != QF_OK) {
        rc = sd_reply_qf_err(req, qrc, "the heartbeat could not be stored");
        goto out;
    }
    rc = sd_reply_json(req, 200,
                       json_pack("{s:s,s:o,s:i}", "device_id", req->who.subject, "received_at",
                                 sd_json_instant(now), "next_in_s", SD_DEVICE_ONLINE_S / 4));
out:
    json_decref(root);
    return rc;
}

/* ---- GET /api/v1/devices ------------------------------------------------- */

static json_t *sd_device_json(const sd_device *d, qf_instant now)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:b,s:o,s:b,s:o}", "id", d->id, "name", d->name,
                          "hall", d->hall, "enrolled_at", sd_json_instant(d->enrolled_at),
                          "revoked", d->revoked_at != 0, "revoked_at",
                          sd_json_instant(d->revoked_at), "online", sd_device_online(d, now),
                          "last_seen", sd_json_instant(d->last_seen));
    if (!o)
        return NULL;
    if (d->last_seen) {
        json_object_set_new(o, "software_version", json_string(d->hb.software_version));
        json_object_set_new(o, "catalog_version", json_integer(d->hb.catalog_version));
        json_object_set_new(o, "printer_status", json_string(d->hb.printer_status));
        json_object_set_new(o, "outbox_depth", json_integer(d->hb.outbox_depth));
        json_object_set_new(o, "disk_free_mb", json_integer(d->hb.disk_free_mb));
        json_object_set_new(o, "uptime_s", json_integer(d->hb.uptime_s));
    } else {
        static const char *const none[] = { "software_version", "catalog_version",
                                            "printer_status",   "outbox_depth",
                                            "disk_free_mb",     "uptime_s" };
        for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
            json_object_set_new(o, none[i], json_null());
    }
    json_object_set_new(o, "last_inspection", sd_json_day(d->last_inspection_at));
    json_object_set_new(o, "last_inspection_result",
                        d->last_inspection_at ? json_string(d->last_inspection_result)
                                              : json_null());
    /* A revoked device is out of service: no inspection is due. */
    json_object_set_new(o, "inspection_overdue",
                        json_boolean(!d->revoked_at && sd_device_inspection_overdue(d, now)));
    /* The notice (报备) running now, or the next one: the fleet view shows
     * a kiosk that is out of service on purpose. */
    if (d->maintenance_from)
        json_object_set_new(o, "maintenance",
                            json_pack("{s:o,s:o,s:s,s:b}", "from",
                                      sd_json_instant(d->maintenance_from), "until",
                                      sd_json_instant(d->maintenance_until), "reason",
                                      d->maintenance_reason, "active",
                                      d->maintenance_from <= now && now < d->maintenance_until));
    else
        json_object_set_new(o, "maintenance", json_null());
    return o;
}

int sd_h_device_list(sd_request *req)
{
    const char *hall = sd_request_query(req, "hall");
    qf_instant now = qf_clock_now();
    sd_device *list = NULL;
    size_t count = 0;
    json_t *arr, *body;
    char why[160];
    qf_err qrc;

    if (hall && sd_device_name_check(hall, SD_HALL_MAX, "hall", why, sizeof why) != QF_OK)
        return sd_reply_error(req, 400, "invalid_query", "query parameter %s", why);
    qrc = sd_store_device_list(req->app->store, hall, &list, &count);
    if (qrc != QF_OK)
        return sd_reply_qf_err(req, qrc, "the device list could not be read");
    arr = json_array();
    for (size_t i = 0; arr && i < count; i++) {
        if (json_array_append_new(arr, sd_device_json(&list[i], now)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(list);
    if (!arr)
        return sd_reply_error(req, 500, "internal", "out of memory");
    body = json_pack("{s:o,s:I,s:i,s:s}", "devices", arr, "count", (json_int_t)count,
                     "online_window_s", SD_DEVICE_ONLINE_S, "inspection_rule", "calendar_quarter");
    return sd_reply_json(req, 200, body);
}

/* ---- POST /api/v1/devices/{id}/inspections ------------------------------- */

/* A check name: 1..32 of a-z, 0-9, '_'. */
static bool sd_check_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SD_CHECK_NAME_MAX)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    }
    return true;
}

/* Only a device itself, or people, may write to a device's record. */
static bool sd_device_may_write(sd_request *req, const char *id, const char *what, int *rc)
{
    if (req->who.kind == SD_PRINCIPAL_DEVICE && strcmp(req->who.subject, id) != 0) {
        *rc = sd_reply_error(req, 403, "forbidden", "a device may only report %s for itself",
                             what);
        return false;
    }
    return true;
}

int sd_h_device_inspection(sd_request *req)
{
    static const char *const known[] = { "inspector", "inspector_unit", "result", "checks",
                                         "notes", NULL };
    static const char *const results[] = { "pass", "fail", NULL };
    static const char *const marks[] = { "ok", "fail", NULL };
    const char *id = req->params[0];
    const char *inspector, *inspector_unit, *result, *notes, *key;
    json_t *root, *checks, *value, *record = NULL;
    char who[128];
    char *text = NULL;
    qf_instant now = qf_clock_now();
    size_t failed = 0;
    int64_t rec_id = 0;
    qf_err qrc;
    int rc = 0;

    if (!sd_device_may_write(req, id, "inspections", &rc))
        return rc;
    if (!(root = sd_request_json(req, &rc)))
        return rc;
    if (!sd_fields_known(req, root, known, &rc) ||
        !sd_field_string(req, root, "inspector", true, SD_TEXT_NAME, SD_INSPECTOR_MAX, &inspector,
                         &rc) ||
        !sd_field_string(req, root, "inspector_unit", false, SD_TEXT_NAME, SD_INSPECTOR_MAX,
                         &inspector_unit, &rc) ||
        !sd_field_string(req, root, "result", true, SD_TEXT_RAW, 8, &result, &rc) ||
        !sd_field_string(req, root, "notes", false, SD_TEXT_FREE, SD_NOTES_MAX, &notes, &rc))
        goto out;
    if (!sd_one_of(result, results)) {
        rc = sd_reply_error(req, 400, "invalid_field", "field 'result' must be 'pass' or 'fail'");
        goto out;
    }
    checks = json_object_get(root, "checks");
    if (!checks) {
        rc = sd_reply_error(req, 400, "missing_field", "field 'checks' is required");
        goto out;
    }
    if (!json_is_object(checks) || json_object_size(checks) == 0 ||
        json_object_size(checks) > SD_CHECKS_MAX) {
        rc = sd_reply_error(req, 400, "invalid_field",
                            "field 'checks' must be an object of 1 to %d entries such as "
                            "{\"screen\":\"ok\",\"printer\":\"fail\"}",
                            SD_CHECKS_MAX);
        goto out;
    }
    json_object_foreach(checks, key, value) {
        if (!sd_check_name_ok(key)) {
            char echo[48];
            rc = sd_reply_error(req, 400, "invalid_field",
                                "field 'checks': '%s' is not a check name (1 to %d of a-z, "
                                "0-9, _)",
                                sd_echo(key, echo, sizeof echo), SD_CHECK_NAME_MAX);
            goto out;
        }
        if (!json_is_string(value) || !sd_one_of(json_string_value(value), marks)) {
            rc = sd_reply_error(req, 400, "invalid_field",
                                "field 'checks.%s' must be 'ok' or 'fail'", key);
            goto out;
        }
        failed += strcmp(json_string_value(value), "fail") == 0;
    }
    if (failed && strcmp(result, "pass") == 0) {
        rc = sd_reply_error(req, 400, "inconsistent_result",
                            "field 'result' is 'pass' but %zu check(s) failed", failed);
        goto out;
    }
    sd_who_format(req, who, sizeof who);
    record = json_pack("{s:O,s:s}", "checks", checks, "recorded_by", who);
    if (record && notes)
        json_object_set_new(record, "notes", json_string(notes));
    /* Issue 9: the inspector's unit (巡检单位), optional, kept in the record. */
    if (record && inspector_unit)
        json_object_set_new(record, "inspector_unit", json_string(inspector_unit));
    text = record ? json_dumps(record, JSON_COMPACT) : NULL;
    if (!text) {
        rc = sd_reply_error(req, 500, "internal", "out of memory");
        goto out;
    }
    qrc = sd_store_inspection_add(req->app->store, id, now, inspector, result, text, &rec_id);
    if (qrc != QF_OK) {
        rc = sd_reply_device_err(req, qrc, id);
        goto out;
    }
    qf_info("inspection %lld of device %s: %s (by %s)", (long long)rec_id, id, result, who);
    rc = sd_reply_json(
        req, 201,
        json_pack("{s:I,s:s,s:o,s:s,s:s,s:O,s:o,s:s,s:o}", "id", (json_int_t)rec_id, "device_id",
                  id, "at", sd_json_instant(now), "inspector", inspector, "result", result,
                  "checks", checks, "notes", notes ? json_string(notes) : json_null(),
                  "recorded_by", who, "next_due", sd_json_day(sd_inspection_due(now))));
out:
    free(text);
    json_decref(record);
    json_decref(root);
    return rc;
}

/* ---- POST /api/v1/devices/{id}/maintenance ------------------------------- */

int sd_h_device_maintenance(sd_request *req)
{
    static const char *const known[] = { "reason", "planned_at", "duration_min", NULL };
    const char *id = req->params[0];
    const char *reason, *planned_text;
    json_t *root, *record = NULL;
    json_int_t duration;
    qf_instant now = qf_clock_now(), planned_at;
    char who[128], why[160];
    char *text = NULL;
    int64_t rec_id = 0;
    qf_err qrc;
    int rc = 0;

    if (!sd_device_may_write(req, id, "maintenance", &rc))
        return rc;
    if (!(root = sd_request_json(req, &rc)))
        return rc;
    if (!sd_fields_known(req, root, known, &rc) ||
        !sd_field_string(req, root, "reason", true, SD_TEXT_FREE, SD_REASON_MAX, &reason, &rc) ||
        !sd_field_string(req, root, "planned_at", true, SD_TEXT_RAW, 40, &planned_text, &rc) ||
        !sd_field_int(req, root, "duration_min", 1, SD_DURATION_MAX_MIN, &duration, &rc))
        goto out;
    if (qf_clock_parse_iso8601(planned_text, &planned_at, why, sizeof why) != QF_OK) {
        rc = sd_reply_error(req, 400, "invalid_field",
                            "field 'planned_at' must be ISO 8601 with an offset, such as "
                            "2025-03-01T18:00:00+08:00");
        goto out;
    }
    /* 报备 comes before the work: a notice for work already begun is late. */
    if (planned_at < now - SD_PLAN_SKEW_S) {
        rc = sd_reply_error(req, 400, "planned_in_past",
                            "field 'planned_at' is in the past; maintenance must be reported "
                            "before it is done");
        goto out;
    }
    if (planned_at > now + (qf_instant)SD_PLAN_AHEAD_MAX_DAYS * QF_SECONDS_PER_DAY) {
        rc = sd_reply_error(req, 400, "invalid_field",
                            "field 'planned_at' is more than %d days ahead",
                            SD_PLAN_AHEAD_MAX_DAYS);
        goto out;
    }
    sd_who_format(req, who, sizeof who);
    record = json_pack("{s:I,s:s}", "duration_min", duration, "reported_by", who);
    text = record ? json_dumps(record, JSON_COMPACT) : NULL;
    if (!text) {
        rc = sd_reply_error(req, 500, "internal", "out of memory");
        goto out;
    }
    qrc = sd_store_maintenance_add(req->app->store, id, now, planned_at, reason, text, &rec_id);
    if (qrc != QF_OK) {
        rc = sd_reply_device_err(req, qrc, id);
        goto out;
    }
    qf_info("maintenance notice %lld for device %s (by %s)", (long long)rec_id, id, who);
    rc = sd_reply_json(
        req, 201,
        json_pack("{s:I,s:s,s:o,s:o,s:o,s:I,s:s,s:s}", "id", (json_int_t)rec_id, "device_id", id,
                  "reported_at", sd_json_instant(now), "planned_at", sd_json_instant(planned_at),
                  "planned_end", sd_json_instant(planned_at + duration * 60), "duration_min",
                  duration, "reason", reason, "reported_by", who));
out:
    free(text);
    json_decref(record);
    json_decref(root);
    return rc;
}
