/* test_helper_login.c — helpers and technicians signing in at a kiosk, on
 * a real daemon: POST /api/v1/devices/helper-login with staff id + PIN
 * gives a staff session that works on the staff routes and submits a case
 * carrying helper_id, which `qifu-ctl report --by helper` counts for that
 * helper; a wrong PIN and an unknown id get the same 401; five wrong PINs
 * lock the account (then even the right PIN is refused); a kiosk making
 * more than 10 attempts in a row gets 429 rate_limited whatever the
 * accounts; the badge QR from `qifu-ctl staff badge` signs in, a forged or
 * replaced badge does not; technician-login returns an offline_hash that
 * crypto_pwhash_str_verify accepts for the PIN and no session; a helper
 * cannot use technician-login and a technician cannot use helper-login
 * (403); staff and operator tokens cannot call either route. Each test uses
 * its own kiosk, because the attempt limit is per kiosk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "harness.h"

#define DAY        "2026-11-24"
#define T0         DAY "T10:00:00+08:00"
#define VALID_USCC "91330100716105852F"
#define PIN_H1     "helper-pin-1"
#define PIN_H2     "helper-pin-2"
#define PIN_T1     "tech-pin-77"
#define PIN_OP     "operator-pin"

typedef struct suite {
    harness h;
    char op[64];
} suite;

/* ---- helpers -------------------------------------------------------------- */

static json_t *body_json(const harness_response *r)
{
    json_error_t jerr;
    json_t *root = json_loads(r->body, 0, &jerr);
    if (!root)
        fail_msg("not JSON (%s): %s", jerr.text, r->body);
    return root;
}

static void expect_error(const harness_response *r, long status, const char *code)
{
    char want[96];
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
    snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\"", code);
    if (strncmp(r->body, want, strlen(want)) != 0)
        fail_msg("body %s does not start with %s", r->body, want);
}

static void staff_add(harness *h, const char *id, const char *name, const char *role,
                      const char *pin)
{
    char input[64];
    const char *args[] = { "staff", "add", id, "--name", name, "--role", role, NULL };
    snprintf(input, sizeof input, "%s\n", pin);
    assert_int_equal(harness_ctl_stdin(h, input, NULL, args), 0);
}

static harness_response kiosk_login(harness *h, const char *device, const char *route,
                                    const char *id, const char *pin)
{
    char body[256], path[64];
    snprintf(path, sizeof path, "/api/v1/devices/%s", route);
    snprintf(body, sizeof body, "{\"staff_id\":\"%s\",\"pin\":\"%s\"}", id, pin);
    return harness_request(h, "POST", path, device, body, NULL);
}

static void new_kiosk(harness *h, const char *name, char token[64])
{
    char id[64];
    harness_enroll(h, name, token, id);
}

/* ---- fixture -------------------------------------------------------------- */

static int setup(void **state)
{
    static suite s;
    const char *import[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    memset(&s, 0, sizeof s);
    setenv("QIFU_FAKE_NOW", T0, 1);
    harness_start(&s.h, false);
    assert_int_equal(harness_ctl(&s.h, NULL, import), 0);
    harness_operator(&s.h, "alice", s.op);
    staff_add(&s.h, "H1", "帮办小李", "helper", PIN_H1);
    staff_add(&s.h, "H2", "帮办小王", "helper", PIN_H2);
    staff_add(&s.h, "T1", "技术员老张", "technician", PIN_T1);
    staff_add(&s.h, "OP1", "值班管理员", "operator", PIN_OP);
    assert_int_equal(sodium_init() >= 0, 1);
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    suite *s = *state;
    harness_stop(&s->h);
    unsetenv("QIFU_FAKE_NOW");
    return 0;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_helper_pin_login_gives_session_whose_cases_count_for_helper(void **state)
{
    suite *s = *state;
    char kiosk[64], session[64], body[1024];
    const char *idem[] = { "Idempotency-Key: helper-case-0001", NULL };
    const char *report[] = { "report", "--from", DAY, "--to", DAY, "--by", "helper", "--json",
                             NULL };
    harness_response r;
    json_t *j, *groups, *g;
    char *out = NULL;
    size_t i;
    bool counted = false;

    new_kiosk(&s->h, "一楼终端", kiosk);
    r = kiosk_login(&s->h, kiosk, "helper-login", "H1", PIN_H1);
    if (r.status != 200)
        fail_msg("helper-login: %ld %s", r.status, r.body);
    assert_non_null(strstr(r.headers, "no-store"));
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "staff_id")), "H1");
    assert_string_equal(json_string_value(json_object_get(j, "name")), "帮办小李");
    assert_string_equal(json_string_value(json_object_get(j, "role")), "helper");
    assert_string_equal(json_string_value(json_object_get(j, "expires_at")),
                        DAY "T18:00:00+08:00");
    assert_int_equal(strlen(json_string_value(json_object_get(j, "session"))), 43);
    assert_null(json_object_get(j, "offline_hash"));
    snprintf(session, sizeof session, "%s", json_string_value(json_object_get(j, "session")));
    json_decref(j);
    harness_response_free(&r);

    /* The session is a staff session. */
    r = harness_request(&s->h, "GET", "/api/v1/staff/me", session, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"id\":\"H1\""));
    harness_response_free(&r);

    /* 帮办代办: the helper submits a case for the citizen, with helper_id. */
    snprintf(body, sizeof body,
             "{\"kind\":\"request\",\"board\":\"board-request\",\"channel\":\"kiosk\","
             "\"enterprise_name\":\"杭州钱塘示例生物科技有限公司\",\"credit_code\":\"" VALID_USCC
             "\",\"contact_name\":\"王女士\",\"mobile\":\"13812345678\","
             "\"description\":\"帮办代办：厂房消防验收进度咨询，希望了解还缺哪些材料。\","
             "\"helper_id\":\"H1\"}");
    r = harness_request(&s->h, "POST", "/api/v1/cases", session, body, idem);
    if (r.status != 201)
        fail_msg("case: %ld %s", r.status, r.body);
    harness_response_free(&r);

    /* …and it counts toward H1 in the report by helper. */
    assert_int_equal(harness_ctl(&s->h, &out, report), 0);
    j = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(j);
    groups = json_object_get(j, "groups");
    json_array_foreach(groups, i, g) {
        if (json_is_string(json_object_get(g, "group")) &&
            strcmp(json_string_value(json_object_get(g, "group")), "H1") == 0) {
            assert_int_equal(json_integer_value(json_object_get(g, "received")), 1);
            counted = true;
        }
    }
    assert_true(counted);
    json_decref(j);

    /* Sign-out ends it like any staff session. */
    r = harness_request(&s->h, "POST", "/api/v1/staff/logout", session, NULL, NULL);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
    r = harness_request(&s->h, "GET", "/api/v1/staff/me", session, NULL, NULL);
    assert_int_equal(r.status, 401);
    harness_response_free(&r);
}

static void test_helper_wrong_pin_is_one_answer_then_locks(void **state)
{
    suite *s = *state;
    char kiosk[64], wrong_body[512], unknown_body[512];
    harness_response r;

    new_kiosk(&s->h, "二楼终端", kiosk);
    /* No oracle: a wrong PIN and an unknown id answer alike. */
    r = kiosk_login(&s->h, kiosk, "helper-login", "H2", "not-the-pin");
    expect_error(&r, 401, "bad_credentials");
    snprintf(wrong_body, sizeof wrong_body, "%s", r.body);
    harness_response_free(&r);
    r = kiosk_login(&s->h, kiosk, "helper-login", "NOBODY", "not-the-pin");
    expect_error(&r, 401, "bad_credentials");
    snprintf(unknown_body, sizeof unknown_body, "%s", r.body);
    harness_response_free(&r);
    assert_string_equal(wrong_body, unknown_body);

    /* Wrong PINs 2..4 are 401, the 5th locks (429 locked). */
    for (int i = 2; i <= 4; i++) {
        r = kiosk_login(&s->h, kiosk, "helper-login", "H2", "not-the-pin");
        expect_error(&r, 401, "bad_credentials");
        harness_response_free(&r);
    }
    r = kiosk_login(&s->h, kiosk, "helper-login", "H2", "not-the-pin");
    expect_error(&r, 429, "locked");
    assert_non_null(strstr(r.headers, "Retry-After"));
    harness_response_free(&r);
    /* Locked: even the right PIN is refused, here and on the staff login. */
    r = kiosk_login(&s->h, kiosk, "helper-login", "H2", PIN_H2);
    expect_error(&r, 429, "locked");
    harness_response_free(&r);
    r = harness_request(&s->h, "POST", "/api/v1/staff/login", NULL,
                        "{\"id\":\"H2\",\"pin\":\"" PIN_H2 "\"}", NULL);
    expect_error(&r, 429, "locked");
    harness_response_free(&r);
}

static void test_kiosk_attempts_are_limited_per_device(void **state)
{
    suite *s = *state;
    char kiosk[64], other[64], id[16];
    harness_response r;

    new_kiosk(&s->h, "三楼终端", kiosk);
    new_kiosk(&s->h, "四楼终端", other);
    /* Ten attempts on ten different (unknown) accounts: no account lock can
     * stop this walk, the per-kiosk limit does. */
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "X%02d", i);
        r = kiosk_login(&s->h, kiosk, "helper-login", id, "guess-123");
        expect_error(&r, 401, "bad_credentials");
        harness_response_free(&r);
    }
    r = kiosk_login(&s->h, kiosk, "technician-login", "T1", PIN_T1);
    expect_error(&r, 429, "rate_limited");
    assert_non_null(strstr(r.headers, "Retry-After"));
    harness_response_free(&r);
    r = kiosk_login(&s->h, kiosk, "helper-login", "H1", PIN_H1);
    expect_error(&r, 429, "rate_limited");
    harness_response_free(&r);
    /* Another kiosk is not affected. */
    r = kiosk_login(&s->h, other, "helper-login", "H1", PIN_H1);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
}

static void test_badge_signs_in_and_forged_or_replaced_badges_do_not(void **state)
{
    suite *s = *state;
    const char *badge_args[] = { "staff", "badge", "H1", NULL };
    char kiosk[64], body[256], old_badge[128], *out = NULL;
    harness_response r;
    json_t *j;

    new_kiosk(&s->h, "五楼终端", kiosk);
    assert_int_equal(harness_ctl(&s->h, &out, badge_args), 0);
    assert_non_null(out);
    out[strcspn(out, "\n")] = '\0';
    assert_int_equal(strncmp(out, "QIFU-STAFF:H1:", 14), 0);
    assert_int_equal(strlen(out), 14 + 43);
    snprintf(old_badge, sizeof old_badge, "%s", out);
    free(out);
    out = NULL;

    snprintf(body, sizeof body, "{\"badge\":\"%s\"}", old_badge);
    r = harness_request(&s->h, "POST", "/api/v1/devices/helper-login", kiosk, body, NULL);
    if (r.status != 200)
        fail_msg("badge login: %ld %s", r.status, r.body);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "staff_id")), "H1");
    assert_non_null(json_object_get(j, "session"));
    json_decref(j);
    harness_response_free(&r);

    /* One character of the secret changed: the same 401 as a wrong PIN. */
    snprintf(body, sizeof body, "{\"badge\":\"%s\"}", old_badge);
    body[strlen(body) - 3] = body[strlen(body) - 3] == 'A' ? 'B' : 'A';
    r = harness_request(&s->h, "POST", "/api/v1/devices/helper-login", kiosk, body, NULL);
    expect_error(&r, 401, "bad_credentials");
    harness_response_free(&r);
    /* Not a badge at all, or badge mixed with a PIN: 400. */
    r = harness_request(&s->h, "POST", "/api/v1/devices/helper-login", kiosk,
                        "{\"badge\":\"https://example.com/\"}", NULL);
    expect_error(&r, 400, "invalid_field");
    harness_response_free(&r);
    snprintf(body, sizeof body, "{\"badge\":\"%s\",\"staff_id\":\"H1\",\"pin\":\"x\"}",
             old_badge);
    r = harness_request(&s->h, "POST", "/api/v1/devices/helper-login", kiosk, body, NULL);
    expect_error(&r, 400, "invalid_body");
    harness_response_free(&r);

    /* A new badge replaces the old one. */
    assert_int_equal(harness_ctl(&s->h, &out, badge_args), 0);
    assert_string_not_equal(strtok(out, "\n"), old_badge);
    free(out);
    snprintf(body, sizeof body, "{\"badge\":\"%s\"}", old_badge);
    r = harness_request(&s->h, "POST", "/api/v1/devices/helper-login", kiosk, body, NULL);
    expect_error(&r, 401, "bad_credentials");
    harness_response_free(&r);
}

static void test_technician_login_offline_hash_and_roles(void **state)
{
    suite *s = *state;
    char kiosk[64], hash[crypto_pwhash_STRBYTES];
    harness_response r;
    json_t *j;

    new_kiosk(&s->h, "六楼终端", kiosk);
    r = kiosk_login(&s->h, kiosk, "technician-login", "T1", PIN_T1);
    if (r.status != 200)
        fail_msg("technician-login: %ld %s", r.status, r.body);
    assert_non_null(strstr(r.headers, "no-store"));
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "staff_id")), "T1");
    assert_string_equal(json_string_value(json_object_get(j, "role")), "technician");
    assert_null(json_object_get(j, "session"));
    assert_true(json_is_string(json_object_get(j, "offline_hash")));
    snprintf(hash, sizeof hash, "%s", json_string_value(json_object_get(j, "offline_hash")));
    json_decref(j);
    harness_response_free(&r);
    /* The kiosk's offline fallback: libsodium accepts the PIN, and only it. */
    assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
    assert_int_equal(crypto_pwhash_str_verify(hash, PIN_T1, strlen(PIN_T1)), 0);
    assert_int_not_equal(crypto_pwhash_str_verify(hash, "tech-pin-78", 11), 0);

    /* Wrong PIN: 401, no hash. */
    r = kiosk_login(&s->h, kiosk, "technician-login", "T1", "tech-pin-78");
    expect_error(&r, 401, "bad_credentials");
    assert_null(strstr(r.body, "argon2"));
    harness_response_free(&r);
    /* Roles: a helper may not enter maintenance, a technician may not sign
     * in as a helper; an operator account may do both. */
    r = kiosk_login(&s->h, kiosk, "technician-login", "H1", PIN_H1);
    expect_error(&r, 403, "role_not_allowed");
    harness_response_free(&r);
    r = kiosk_login(&s->h, kiosk, "helper-login", "T1", PIN_T1);
    expect_error(&r, 403, "role_not_allowed");
    harness_response_free(&r);
    r = kiosk_login(&s->h, kiosk, "technician-login", "OP1", PIN_OP);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
    /* technician-login takes no badge. */
    r = harness_request(&s->h, "POST", "/api/v1/devices/technician-login", kiosk,
                        "{\"badge\":\"QIFU-STAFF:T1:x\"}", NULL);
    expect_error(&r, 400, "unknown_field");
    harness_response_free(&r);
    /* Only kiosks call these routes. */
    r = harness_request(&s->h, "POST", "/api/v1/devices/helper-login", s->op,
                        "{\"staff_id\":\"H1\",\"pin\":\"" PIN_H1 "\"}", NULL);
    expect_error(&r, 403, "forbidden");
    harness_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helper_pin_login_gives_session_whose_cases_count_for_helper),
        cmocka_unit_test(test_helper_wrong_pin_is_one_answer_then_locks),
        cmocka_unit_test(test_kiosk_attempts_are_limited_per_device),
        cmocka_unit_test(test_badge_signs_in_and_forged_or_replaced_badges_do_not),
        cmocka_unit_test(test_technician_login_offline_hash_and_roles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
