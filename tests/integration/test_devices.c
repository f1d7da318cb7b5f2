/* test_devices.c — the device fleet on a real daemon: one-time enrollment
 * codes (used once, expire after 24 h), device tokens and their
 * revocation, heartbeat validation, the operator's fleet list, quarterly
 * inspections and maintenance notices (报备), operator tokens; and, over
 * HTTPS, the generated certificate, the TLS 1.2 floor and the SIGHUP
 * certificate reload. Nothing sleeps: the reload test polls the daemon a
 * bounded number of times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <unistd.h>

#include "harness.h"
#include "qf_clock.h"

#define HB_OK                                                                             \
    "{\"software_version\":\"0.1.0\",\"catalog_version\":7,\"printer_status\":\"paper_low\"," \
    "\"outbox_depth\":2,\"disk_free_mb\":5120,\"uptime_s\":3600}"

/* ---- helpers -------------------------------------------------------------- */

static int setup_plain(void **state)
{
    static harness h;
    memset(&h, 0, sizeof h);
    harness_start(&h, false);
    *state = &h;
    return 0;
}

static int setup_tls(void **state)
{
    static harness h;
    memset(&h, 0, sizeof h);
    harness_start(&h, true);
    *state = &h;
    return 0;
}

static int teardown(void **state)
{
    harness_stop(*state);
    return 0;
}

/* Asserts status and error code, and that the message mentions `mention`
 * (a field name) when given. */
static void expect_error(harness_response *r, long status, const char *code, const char *mention)
{
    char want[96];
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
    snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\"", code);
    if (strncmp(r->body, want, strlen(want)) != 0)
        fail_msg("body %s does not start with %s", r->body, want);
    if (mention && !strstr(r->body, mention))
        fail_msg("body %s does not mention %s", r->body, mention);
}

static void post_expect(harness *h, const char *path, const char *token, const char *body,
                        long status, const char *code, const char *mention)
{
    harness_response r = harness_request(h, "POST", path, token, body, NULL);
    expect_error(&r, status, code, mention);
    harness_response_free(&r);
}

/* Runs `qifu-ctl device enroll NAME --hall qiantang` and returns the code. */
static void ctl_enroll_code(harness *h, const char *name, char code[64])
{
    const char *args[] = { "device", "enroll", name, "--hall", "qiantang", NULL };
    char *out = NULL, *p;
    assert_int_equal(harness_ctl(h, &out, args), 0);
    assert_non_null(out);
    p = strstr(out, "code: ");
    assert_non_null(p);
    assert_int_equal(sscanf(p + 6, "%63s", code), 1);
    assert_non_null(strstr(out, "expires: "));
    free(out);
}

static json_t *body_json(const harness_response *r)
{
    json_error_t jerr;
    json_t *root = json_loads(r->body, 0, &jerr);
    if (!root)
        fail_msg("not JSON (%s): %s", jerr.text, r->body);
    return root;
}

/* The entry for id in GET /api/v1/devices (a new reference), or NULL. */
static json_t *fleet_entry(harness *h, const char *operator_token, const char *id)
{
    harness_response r = harness_request(h, "GET", "/api/v1/devices", operator_token, NULL, NULL);
    json_t *root, *devices, *d, *found = NULL;
    size_t i;
    if (r.status != 200)
        fail_msg("device list: %ld %s", r.status, r.body);
    root = body_json(&r);
    devices = json_object_get(root, "devices");
    assert_true(json_is_array(devices));
    json_array_foreach(devices, i, d) {
        if (strcmp(json_string_value(json_object_get(d, "id")), id) == 0)
            found = json_incref(d);
    }
    json_decref(root);
    harness_response_free(&r);
    return found;
}

/* ---- enrollment ----------------------------------------------------------- */

static void test_enroll_code_works_once(void **state)
{
    harness *h = *state;
    char code[64], body[200];
    harness_response r;
    json_t *root;

    ctl_enroll_code(h, "kiosk-once", code);
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"kiosk-once\"}", code);
    r = harness_request(h, "POST", "/api/v1/devices/enroll", NULL, body, NULL);
    assert_int_equal(r.status, 201);
    root = body_json(&r);
    assert_int_equal(strncmp(json_string_value(json_object_get(root, "device_id")), "dev-", 4), 0);
    assert_int_equal(strlen(json_string_value(json_object_get(root, "device_id"))), 12);
    assert_int_equal(strlen(json_string_value(json_object_get(root, "token"))), 43);
    assert_string_equal(json_string_value(json_object_get(root, "hall")), "qiantang");
    json_decref(root);
    harness_response_free(&r);

    /* the same code again, even typed in lower case without dashes */
    post_expect(h, "/api/v1/devices/enroll", NULL, body, 401, "enroll_code_used", NULL);
    for (char *p = code; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"kiosk-twice\"}", code);
    post_expect(h, "/api/v1/devices/enroll", NULL, body, 401, "enroll_code_used", NULL);
}

static void test_enroll_code_expires_after_24_hours(void **state)
{
    harness *h = *state;
    char code[64], body[200], then[32];

    /* qifu-ctl makes the code 25 hours ago; the daemon runs on the real clock */
    qf_clock_format_iso8601(qf_clock_now() - 25 * 3600, then, sizeof then);
    assert_int_equal(setenv("QIFU_FAKE_NOW", then, 1), 0);
    ctl_enroll_code(h, "kiosk-late", code);
    unsetenv("QIFU_FAKE_NOW");
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"kiosk-late\"}", code);
    post_expect(h, "/api/v1/devices/enroll", NULL, body, 401, "enroll_code_expired", NULL);
}

static void test_enroll_refuses_bad_input_naming_the_field(void **state)
{
    harness *h = *state;
    char body[300], longname[80];

    post_expect(h, "/api/v1/devices/enroll", NULL, "{\"code\":\"AAAA-AAAA\",\"name\":\"k\"}", 400,
                "invalid_field", "'code'");
    post_expect(h, "/api/v1/devices/enroll", NULL, "{\"code\":\"AAAA-AAAA-AAAA\"}", 400,
                "missing_field", "'name'");
    post_expect(h, "/api/v1/devices/enroll", NULL, "{\"code\":7,\"name\":\"k\"}", 400,
                "invalid_field", "'code'");
    memset(longname, 'n', 65);
    longname[65] = '\0';
    snprintf(body, sizeof body, "{\"code\":\"AAAA-AAAA-AAAA\",\"name\":\"%s\"}", longname);
    post_expect(h, "/api/v1/devices/enroll", NULL, body, 400, "invalid_field", "'name'");
    post_expect(h, "/api/v1/devices/enroll", NULL,
                "{\"code\":\"AAAA-AAAA-AAAA\",\"name\":\"k\",\"hall\":\"x\"}", 400,
                "unknown_field", "'hall'");
    post_expect(h, "/api/v1/devices/enroll", NULL, "{\"code\":\"AAAA-AAAA-AAAA\",\"name\":\"k\"}",
                401, "enroll_code_unknown", NULL);
    post_expect(h, "/api/v1/devices/enroll", NULL, "{\"code\":", 400, "invalid_json", NULL);
    post_expect(h, "/api/v1/devices/enroll", NULL, "[1,2]", 400, "invalid_body", NULL);
}

/* ---- tokens and revocation ------------------------------------------------ */

static void test_device_token_authenticates_until_revoked(void **state)
{
    harness *h = *state;
    char token[64], id[64], *out = NULL;
    const char *revoke[] = { "device", "revoke", id, NULL };
    const char *revoke_unknown[] = { "device", "revoke", "dev-00000000", NULL };
    harness_response r;

    harness_enroll(h, "kiosk-revoke", token, id);
    r = harness_request(h, "POST", "/api/v1/devices/heartbeat", token, HB_OK, NULL);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);

    assert_int_equal(harness_ctl(h, &out, revoke), 0);
    free(out);
    /* qifu-ctl is another process: the daemon's token cache lets the
     * revocation through within SD_AUTH_CACHE_TTL_MS (1 s). */
    r = harness_request_until(h, 401, 3000, "POST", "/api/v1/devices/heartbeat", token, HB_OK);
    expect_error(&r, 401, "unauthorized", NULL);
    harness_response_free(&r);
    assert_int_equal(harness_ctl(h, NULL, revoke_unknown), 1);
}

static void test_operator_token_works_until_revoked(void **state)
{
    harness *h = *state;
    char token[64];
    const char *revoke[] = { "operator", "revoke", "ops-revoke", NULL };
    harness_response r;

    harness_operator(h, "ops-revoke", token);
    r = harness_request(h, "GET", "/api/v1/devices", token, NULL, NULL);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
    assert_int_equal(harness_ctl(h, NULL, revoke), 0);
    r = harness_request_until(h, 401, 3000, "GET", "/api/v1/devices", token, NULL);
    expect_error(&r, 401, "unauthorized", NULL);
    harness_response_free(&r);
    assert_int_equal(harness_ctl(h, NULL, revoke), 1); /* nothing left to revoke */
}

/* ---- heartbeat ------------------------------------------------------------ */

static void test_heartbeat_refuses_bad_fields_naming_them(void **state)
{
    harness *h = *state;
    char token[64], id[64];
    const char *hb = "/api/v1/devices/heartbeat";

    harness_enroll(h, "kiosk-hb", token, id);
    post_expect(h, hb, token,
                "{\"software_version\":\"0.1.0\",\"catalog_version\":7,\"printer_status\":\"ok\","
                "\"outbox_depth\":2,\"disk_free_mb\":5,\"uptime_s\":3,\"colour\":\"red\"}",
                400, "unknown_field", "'colour'");
    post_expect(h, hb, token,
                "{\"software_version\":\"0.1.0\",\"catalog_version\":\"7\",\"printer_status\":"
                "\"ok\",\"outbox_depth\":2,\"disk_free_mb\":5,\"uptime_s\":3}",
                400, "invalid_field", "'catalog_version'");
    post_expect(h, hb, token,
                "{\"software_version\":\"0.1.0\",\"catalog_version\":7,\"printer_status\":\"jam\","
                "\"outbox_depth\":2,\"disk_free_mb\":5,\"uptime_s\":3}",
                400, "invalid_field", "'printer_status'");
    post_expect(h, hb, token,
                "{\"software_version\":\"0.1.0\",\"catalog_version\":7,\"printer_status\":\"ok\","
                "\"outbox_depth\":-1,\"disk_free_mb\":5,\"uptime_s\":3}",
                400, "invalid_field", "'outbox_depth'");
    post_expect(h, hb, token,
                "{\"software_version\":\"0.1.0\",\"catalog_version\":7,\"printer_status\":\"ok\","
                "\"outbox_depth\":2,\"disk_free_mb\":5.5,\"uptime_s\":3}",
                400, "invalid_field", "'disk_free_mb'");
    post_expect(h, hb, token,
                "{\"software_version\":\"0.1.0\",\"catalog_version\":7,\"printer_status\":\"ok\","
                "\"outbox_depth\":2,\"disk_free_mb\":5}",
                400, "missing_field", "'uptime_s'");
    post_expect(h, hb, token,
                "{\"software_version\":\"012345678901234567890123456789012\",\"catalog_version\":"
                "7,\"printer_status\":\"ok\",\"outbox_depth\":2,\"disk_free_mb\":5,\"uptime_s\":3}",
                400, "invalid_field", "'software_version'");
}

static void test_device_list_shows_online_after_heartbeat_for_operators_only(void **state)
{
    harness *h = *state;
    char token[64], id[64], op[64];
    harness_response r;
    json_t *d;

    harness_enroll(h, "kiosk-list", token, id);
    harness_operator(h, "ops-list", op);
    d = fleet_entry(h, op, id);
    assert_non_null(d);
    assert_true(json_is_false(json_object_get(d, "online")));
    assert_true(json_is_null(json_object_get(d, "last_seen")));
    assert_true(json_is_true(json_object_get(d, "inspection_overdue"))); /* never inspected */
    json_decref(d);

    r = harness_request(h, "POST", "/api/v1/devices/heartbeat", token, HB_OK, NULL);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
    d = fleet_entry(h, op, id);
    assert_non_null(d);
    assert_true(json_is_true(json_object_get(d, "online")));
    assert_true(json_is_false(json_object_get(d, "revoked")));
    assert_string_equal(json_string_value(json_object_get(d, "printer_status")), "paper_low");
    assert_int_equal(json_integer_value(json_object_get(d, "catalog_version")), 7);
    assert_int_equal(json_integer_value(json_object_get(d, "outbox_depth")), 2);
    assert_string_equal(json_string_value(json_object_get(d, "software_version")), "0.1.0");
    assert_non_null(strstr(json_string_value(json_object_get(d, "last_seen")), "+08:00"));
    json_decref(d);

    /* a kiosk may not read the fleet */
    r = harness_request(h, "GET", "/api/v1/devices", token, NULL, NULL);
    expect_error(&r, 403, "forbidden", NULL);
    harness_response_free(&r);
}

/* ---- inspections and maintenance ----------------------------------------- */

static void test_inspection_only_for_own_device_and_clears_overdue(void **state)
{
    harness *h = *state;
    char ta[64], ida[64], tb[64], idb[64], op[64], path[128];
    const char *ok = "{\"inspector\":\"张三\",\"result\":\"pass\",\"checks\":{\"screen\":\"ok\","
                     "\"touch\":\"ok\",\"printer\":\"ok\",\"scanner\":\"ok\",\"network\":\"ok\","
                     "\"power\":\"ok\"},\"notes\":\"季度联合巡检\"}";
    harness_response r;
    json_t *root, *d;

    harness_enroll(h, "kiosk-insp-a", ta, ida);
    harness_enroll(h, "kiosk-insp-b", tb, idb);
    harness_operator(h, "ops-insp", op);

    snprintf(path, sizeof path, "/api/v1/devices/%s/inspections", idb);
    post_expect(h, path, ta, ok, 403, "forbidden", NULL); /* A writing B's record */

    snprintf(path, sizeof path, "/api/v1/devices/%s/inspections", ida);
    r = harness_request(h, "POST", path, ta, ok, NULL);
    assert_int_equal(r.status, 201);
    root = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(root, "device_id")), ida);
    assert_string_equal(json_string_value(json_object_get(root, "result")), "pass");
    assert_string_equal(json_string_value(json_object_get(root, "inspector")), "张三");
    assert_int_equal(json_object_size(json_object_get(root, "checks")), 6);
    assert_true(json_integer_value(json_object_get(root, "id")) > 0);
    json_decref(root);
    harness_response_free(&r);

    d = fleet_entry(h, op, ida);
    assert_non_null(d);
    assert_true(json_is_false(json_object_get(d, "inspection_overdue")));
    assert_string_equal(json_string_value(json_object_get(d, "last_inspection_result")), "pass");
    assert_int_equal(strlen(json_string_value(json_object_get(d, "last_inspection"))), 10);
    json_decref(d);

    /* operators may record for any device; unknown ids are 404 */
    snprintf(path, sizeof path, "/api/v1/devices/%s/inspections", idb);
    r = harness_request(h, "POST", path, op,
                        "{\"inspector\":\"李四\",\"result\":\"fail\",\"checks\":{\"printer\":"
                        "\"fail\"}}",
                        NULL);
    assert_int_equal(r.status, 201);
    harness_response_free(&r);
    post_expect(h, "/api/v1/devices/dev-00000000/inspections", op, ok, 404, "device_not_found",
                NULL);

    /* the body is checked field by field */
    post_expect(h, path, op,
                "{\"inspector\":\"李四\",\"result\":\"pass\",\"checks\":{\"printer\":\"fail\"}}",
                400, "inconsistent_result", "'result'");
    post_expect(h, path, op, "{\"inspector\":\"李四\",\"result\":\"maybe\",\"checks\":{}}", 400,
                "invalid_field", "'result'");
    post_expect(h, path, op, "{\"inspector\":\"李四\",\"result\":\"pass\",\"checks\":{}}", 400,
                "invalid_field", "'checks'");
    post_expect(h, path, op,
                "{\"inspector\":\"李四\",\"result\":\"pass\",\"checks\":{\"screen\":\"good\"}}",
                400, "invalid_field", "'checks.screen'");
    post_expect(h, path, op, "{\"result\":\"pass\",\"checks\":{\"screen\":\"ok\"}}", 400,
                "missing_field", "'inspector'");
    post_expect(h, path, op,
                "{\"inspector\":\"李四\",\"result\":\"pass\",\"checks\":{\"screen\":\"ok\"},"
                "\"notes\":5}",
                400, "invalid_field", "'notes'");
}

static void test_maintenance_must_be_reported_before_it_is_done(void **state)
{
    harness *h = *state;
    char token[64], id[64], path[128], body[256], when[32];
    harness_response r;
    json_t *root;

    harness_enroll(h, "kiosk-maint", token, id);
    snprintf(path, sizeof path, "/api/v1/devices/%s/maintenance", id);

    post_expect(h, path, token,
                "{\"reason\":\"更换打印机\",\"planned_at\":\"2020-01-01T10:00:00+08:00\","
                "\"duration_min\":30}",
                400, "planned_in_past", "'planned_at'");

    qf_clock_format_iso8601(qf_clock_now() + 2 * 86400, when, sizeof when);
    snprintf(body, sizeof body,
             "{\"reason\":\"更换打印机\",\"planned_at\":\"%s\",\"duration_min\":45}", when);
    r = harness_request(h, "POST", path, token, body, NULL);
    assert_int_equal(r.status, 201);
    root = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(root, "planned_at")), when);
    assert_int_equal(json_integer_value(json_object_get(root, "duration_min")), 45);
    assert_string_equal(json_string_value(json_object_get(root, "reason")), "更换打印机");
    json_decref(root);
    harness_response_free(&r);

    snprintf(body, sizeof body, "{\"reason\":\"x\",\"planned_at\":\"%s\",\"duration_min\":0}",
             when);
    post_expect(h, path, token, body, 400, "invalid_field", "'duration_min'");
    post_expect(h, path, token,
                "{\"reason\":\"x\",\"planned_at\":\"2099-01-01T10:00:00\",\"duration_min\":5}", 400,
                "invalid_field", "'planned_at'");
    snprintf(body, sizeof body, "{\"planned_at\":\"%s\",\"duration_min\":5}", when);
    post_expect(h, path, token, body, 400, "missing_field", "'reason'");
    post_expect(h, "/api/v1/devices/dev-00000000/maintenance", token, body, 403, "forbidden",
                NULL);

    /* The fleet view shows the planned notice: its window and reason. */
    char op[64];
    harness_operator(h, "ops-maint", op);
    r = harness_request(h, "GET", "/api/v1/devices", op, NULL, NULL);
    assert_int_equal(r.status, 200);
    root = body_json(&r);
    json_t *dev = NULL, *d;
    size_t i;
    json_array_foreach(json_object_get(root, "devices"), i, d)
        if (strcmp(json_string_value(json_object_get(d, "id")), id) == 0)
            dev = d;
    assert_non_null(dev);
    json_t *m = json_object_get(dev, "maintenance");
    assert_true(json_is_object(m));
    assert_string_equal(json_string_value(json_object_get(m, "from")), when);
    assert_non_null(json_string_value(json_object_get(m, "until")));
    assert_true(strcmp(json_string_value(json_object_get(m, "until")), when) > 0);
    assert_string_equal(json_string_value(json_object_get(m, "reason")), "更换打印机");
    assert_false(json_is_true(json_object_get(m, "active")));
    assert_string_equal(json_string_value(json_object_get(root, "inspection_rule")),
                        "calendar_quarter");
    json_decref(root);
    harness_response_free(&r);
}

/* Hostile bodies on every device route: each gets a 4xx, and the daemon
 * still answers afterwards. */
static void test_hostile_bodies_get_4xx_and_the_daemon_survives(void **state)
{
    harness *h = *state;
    char token[64], id[64], op[64], insp[128], maint[128];
    char deep[3000];
    static const char *const bodies[] = {
        "", "null", "[]", "\"str\"", "{}", "{\"code\":null,\"name\":null}",
        "{\"a\":1,\"a\":2}", "{\"name\":\"\\u0000\"}", "{\"checks\":[]}", "\xff\xfe",
        "{\"inspector\":\"x\",\"result\":\"pass\",\"checks\":{\"\xe4\xb8\":\"ok\"}}",
        "{\"catalog_version\":99999999999999999999999}", "{\"planned_at\":\"9999-99-99T99:99\"}",
        "{\"duration_min\":1e400}", "{\"\xc3\xa9t\xc3\xa9\\ud800\":1}",
    };
    harness_response r;

    harness_enroll(h, "kiosk-hostile", token, id);
    harness_operator(h, "ops-hostile", op);
    snprintf(insp, sizeof insp, "/api/v1/devices/%s/inspections", id);
    snprintf(maint, sizeof maint, "/api/v1/devices/%s/maintenance", id);
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    for (size_t i = 0; i <= sizeof bodies / sizeof bodies[0]; i++) {
        const char *b = i < sizeof bodies / sizeof bodies[0] ? bodies[i] : deep;
        const char *paths[] = { "/api/v1/devices/enroll", "/api/v1/devices/heartbeat", insp,
                                maint };
        for (size_t p = 0; p < 4; p++) {
            r = harness_request(h, "POST", paths[p], p == 0 ? NULL : p == 2 ? op : token, b,
                                NULL);
            if (r.status < 400 || r.status > 499)
                fail_msg("POST %s with body #%zu: %ld %s", paths[p], i, r.status, r.body);
            assert_non_null(strstr(r.body, "{\"error\":{\"code\":\""));
            harness_response_free(&r);
        }
    }
    r = harness_request(h, "GET", "/api/v1/devices/%2e%2e/inspections", op, NULL, NULL);
    assert_true(r.status >= 400 && r.status <= 499);
    harness_response_free(&r);
    r = harness_request(h, "POST", "/api/v1/devices/%ff%fe/inspections", op,
                        "{\"inspector\":\"x\",\"result\":\"pass\",\"checks\":{\"a\":\"ok\"}}",
                        NULL);
    expect_error(&r, 404, "device_not_found", NULL);
    harness_response_free(&r);
    r = harness_request(h, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
}

/* ---- TLS ------------------------------------------------------------------ */

static size_t discard(char *data, size_t size, size_t nmemb, void *user)
{
    (void)data;
    (void)user;
    return size * nmemb;
}

/* One fresh connection (no session reuse) to GET /healthz, trusting only
 * cafile; version is a CURLOPT_SSLVERSION value. */
static CURLcode tls_healthz(harness *h, const char *cafile, long version, long *status)
{
    char url[200];
    CURL *curl = curl_easy_init();
    CURLcode rc;

    assert_non_null(curl);
    snprintf(url, sizeof url, "%s/healthz", h->base);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CAINFO, cafile);
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, version);
    curl_easy_setopt(curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    rc = curl_easy_perform(curl);
    *status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    return rc;
}

static void test_tls_healthz_verifies_with_the_generated_certificate(void **state)
{
    harness *h = *state;
    char token[64], id[64];
    long status;
    harness_response r;

    assert_int_equal(strncmp(h->base, "https://", 8), 0);
    assert_int_equal(tls_healthz(h, h->cert, CURL_SSLVERSION_DEFAULT, &status), CURLE_OK);
    assert_int_equal(status, 200);
    /* TLS 1.2 is still served */
    assert_int_equal(tls_healthz(h, h->cert, CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2,
                                 &status),
                     CURLE_OK);
    /* and enrollment works over HTTPS */
    harness_enroll(h, "kiosk-tls", token, id);
    r = harness_request(h, "POST", "/api/v1/devices/heartbeat", token, HB_OK, NULL);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
}

static void test_tls_1_1_client_cannot_connect(void **state)
{
    harness *h = *state;
    long status;
    CURLcode rc = tls_healthz(h, h->cert, CURL_SSLVERSION_TLSv1_0 | CURL_SSLVERSION_MAX_TLSv1_1,
                              &status);
    if (rc == CURLE_OK)
        fail_msg("a TLS 1.0/1.1 client connected (HTTP %ld)", status);
}

static void copy_file(const char *from, const char *to)
{
    char buf[8192];
    size_t n;
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void test_sighup_reloads_the_certificate(void **state)
{
    harness *h = *state;
    const char *regen[] = { "cert", "self-signed", "--cert", h->cert, "--key", h->key, "--host",
                            "127.0.0.1", "--host", "localhost", "--force", NULL };
    char old_cert[320];
    long status = 0;
    CURLcode rc = CURLE_SSL_CACERT;
    int attempts = 0;

    snprintf(old_cert, sizeof old_cert, "%s/old.crt", h->dir);
    copy_file(h->cert, old_cert);
    assert_int_equal(harness_ctl(h, NULL, regen), 0);
    /* the daemon still serves the old certificate until told */
    assert_int_equal(tls_healthz(h, old_cert, CURL_SSLVERSION_DEFAULT, &status), CURLE_OK);

    assert_int_equal(kill(h->pid, SIGHUP), 0);
    /* Reload happens on the daemon's signal thread; poll with new
     * connections, a bounded number of times. */
    for (attempts = 0; attempts < 2000; attempts++) {
        rc = tls_healthz(h, h->cert, CURL_SSLVERSION_DEFAULT, &status);
        if (rc == CURLE_OK)
            break;
    }
    if (rc != CURLE_OK)
        fail_msg("the new certificate was not served after %d attempts: %s", attempts,
                 curl_easy_strerror(rc));
    assert_int_equal(status, 200);
    print_message("new certificate served after %d failed attempt(s)\n", attempts);
    rc = tls_healthz(h, old_cert, CURL_SSLVERSION_DEFAULT, &status);
    if (rc == CURLE_OK)
        fail_msg("a connection still verified against the old certificate");
}

int main(void)
{
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_enroll_code_works_once),
        cmocka_unit_test(test_enroll_code_expires_after_24_hours),
        cmocka_unit_test(test_enroll_refuses_bad_input_naming_the_field),
        cmocka_unit_test(test_device_token_authenticates_until_revoked),
        cmocka_unit_test(test_operator_token_works_until_revoked),
        cmocka_unit_test(test_heartbeat_refuses_bad_fields_naming_them),
        cmocka_unit_test(test_device_list_shows_online_after_heartbeat_for_operators_only),
        cmocka_unit_test(test_inspection_only_for_own_device_and_clears_overdue),
        cmocka_unit_test(test_maintenance_must_be_reported_before_it_is_done),
        cmocka_unit_test(test_hostile_bodies_get_4xx_and_the_daemon_survives),
    };
    const struct CMUnitTest tls[] = {
        cmocka_unit_test(test_tls_healthz_verifies_with_the_generated_certificate),
        cmocka_unit_test(test_tls_1_1_client_cannot_connect),
        cmocka_unit_test(test_sighup_reloads_the_certificate),
    };
    int failed;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    failed = cmocka_run_group_tests_name("devices", plain, setup_plain, teardown);
    failed += cmocka_run_group_tests_name("tls", tls, setup_tls, teardown);
    curl_global_cleanup();
    return failed;
}
