/* test_staff.c — staff accounts and sessions on a real daemon: accounts
 * made with `qifu-ctl staff add` (PIN on stdin, unit checked against the
 * imported catalog), login → a session token that works on
 * GET /api/v1/staff/me; one answer for an unknown id and a wrong PIN; the
 * lock after five wrong PINs (even the right PIN is then refused); device
 * tokens refused on staff routes; logout; an 8-hour session that is dead
 * after 9 hours (the daemon restarted at a QIFU_FAKE_NOW 9 h later);
 * disabled accounts and PIN changes ending sessions; and the audit trail:
 * its entries, no PINs in it, and UPDATE/DELETE refused by the database.
 * Nothing sleeps: revocations by qifu-ctl are polled for a bounded time
 * (the daemon caches resolved tokens for at most a second). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "qf_clock.h"
#include "store.h"
#include "store_audit.h"

#define PIN_D1 "246810"
#define PIN_T1 "street-pin-1"
#define PIN_LK "lockme-99"

/* ---- helpers -------------------------------------------------------------- */

static int setup(void **state)
{
    static harness h;
    const char *import[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    memset(&h, 0, sizeof h);
    harness_start(&h, false);
    assert_int_equal(harness_ctl(&h, NULL, import), 0);
    *state = &h;
    return 0;
}

static int teardown(void **state)
{
    harness_stop(*state);
    return 0;
}

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

/* `qifu-ctl staff add ID --name NAME --role ROLE [--unit UNIT]` with pin
 * on stdin; returns the exit code. */
static int ctl_staff_add(harness *h, const char *id, const char *name, const char *role,
                         const char *unit, const char *pin)
{
    char input[128];
    const char *args[] = { "staff", "add", id, "--name", name, "--role", role,
                           unit ? "--unit" : NULL, unit, NULL };
    snprintf(input, sizeof input, "%s\n", pin);
    return harness_ctl_stdin(h, input, NULL, args);
}

static harness_response login(harness *h, const char *id, const char *pin)
{
    char body[256];
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"pin\":\"%s\"}", id, pin);
    return harness_request(h, "POST", "/api/v1/staff/login", NULL, body, NULL);
}

/* Logs id in and writes the session token (64 bytes). */
static void login_ok(harness *h, const char *id, const char *pin, char *token)
{
    harness_response r = login(h, id, pin);
    json_t *root;
    if (r.status != 200)
        fail_msg("login %s: %ld %s", id, r.status, r.body);
    root = body_json(&r);
    assert_true(json_is_string(json_object_get(root, "token")));
    snprintf(token, 64, "%s", json_string_value(json_object_get(root, "token")));
    json_decref(root);
    harness_response_free(&r);
}

static long me_status(harness *h, const char *token)
{
    harness_response r = harness_request(h, "GET", "/api/v1/staff/me", token, NULL, NULL);
    long status = r.status;
    harness_response_free(&r);
    return status;
}

/* Counts audit rows of action (and actor, when given), reading the
 * daemon's database read-only. */
static int audit_count(harness *h, const char *action, const char *actor)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int n = -1;
    assert_int_equal(sqlite3_open_v2(h->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT COUNT(*) FROM audit WHERE action = ?1 "
                                        "AND (?2 IS NULL OR actor = ?2)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
    if (actor)
        sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* ---- accounts through qifu-ctl ------------------------------------------- */

static void test_ctl_staff_add_checks_role_unit_and_pin(void **state)
{
    harness *h = *state;
    const char *list[] = { "staff", "list", "--json", NULL };
    char *out = NULL;
    json_t *arr, *e;
    size_t i;
    bool seen = false;

    assert_int_equal(ctl_staff_add(h, "d1", "张三", "department", "区财政局", PIN_D1), 0);
    /* by alias, stored as the id */
    assert_int_equal(ctl_staff_add(h, "d2", "李四", "department", "区发改局", PIN_D1), 0);
    assert_int_equal(ctl_staff_add(h, "t1", "王五", "triage", "下沙街道", PIN_T1), 0);
    assert_int_equal(ctl_staff_add(h, "h1", "赵六", "helper", NULL, PIN_D1), 0);

    /* usage errors exit 2; refused data exits 1 */
    assert_int_equal(ctl_staff_add(h, "x1", "X", "janitor", NULL, PIN_D1), 2);
    assert_int_equal(ctl_staff_add(h, "x", "X", "helper", NULL, PIN_D1), 2);
    assert_int_equal(ctl_staff_add(h, "x_1", "X", "helper", NULL, PIN_D1), 2);
    assert_int_equal(ctl_staff_add(h, "x1", "X", "department", NULL, PIN_D1), 1);
    assert_int_equal(ctl_staff_add(h, "x1", "X", "department", "no such unit", PIN_D1), 1);
    assert_int_equal(ctl_staff_add(h, "x1", "X", "department", "下沙街道", PIN_D1), 1);
    assert_int_equal(ctl_staff_add(h, "x1", "X", "triage", "区财政局", PIN_D1), 1);
    assert_int_equal(ctl_staff_add(h, "x1", "X", "helper", NULL, "12345"), 1);
    assert_int_equal(ctl_staff_add(h, "d1", "again", "helper", NULL, PIN_D1), 1);

    assert_int_equal(harness_ctl(h, &out, list), 0);
    arr = json_loads(out, 0, NULL);
    assert_true(json_is_array(arr));
    json_array_foreach(arr, i, e) {
        const char *id = json_string_value(json_object_get(e, "id"));
        assert_null(json_object_get(e, "pin_hash"));
        if (strcmp(id, "d2") == 0) {
            assert_string_equal(json_string_value(json_object_get(e, "unit")), "unit-003");
            seen = true;
        }
        assert_string_not_equal(id, "x1");
    }
    assert_true(seen);
    json_decref(arr);
    free(out);
}

/* ---- sessions -------------------------------------------------------------- */

static void test_login_gives_a_token_that_works_on_me(void **state)
{
    harness *h = *state;
    harness_response r = login(h, "d1", PIN_D1), m;
    json_t *root, *staff;
    char token[64];

    if (r.status != 200)
        fail_msg("login: %ld %s", r.status, r.body);
    assert_non_null(strstr(r.headers, "no-store"));
    root = body_json(&r);
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(root, "token")));
    assert_int_equal(strlen(token), 43);
    assert_true(json_is_string(json_object_get(root, "expires_at")));
    staff = json_object_get(root, "staff");
    assert_string_equal(json_string_value(json_object_get(staff, "id")), "d1");
    assert_string_equal(json_string_value(json_object_get(staff, "role")), "department");
    assert_string_equal(json_string_value(json_object_get(staff, "unit")), "unit-004");
    json_decref(root);
    harness_response_free(&r);

    m = harness_request(h, "GET", "/api/v1/staff/me", token, NULL, NULL);
    if (m.status != 200)
        fail_msg("me: %ld %s", m.status, m.body);
    root = body_json(&m);
    assert_string_equal(json_string_value(json_object_get(root, "id")), "d1");
    assert_string_equal(json_string_value(json_object_get(root, "name")), "张三");
    assert_string_equal(json_string_value(json_object_get(root, "unit_name")), "区财政局");
    json_decref(root);
    harness_response_free(&m);
    assert_true(audit_count(h, "staff.login", "staff:d1") >= 1);
}

static void test_wrong_pin_and_unknown_id_get_the_same_401(void **state)
{
    harness *h = *state;
    harness_response a = login(h, "t1", "wrong-pin"), b = login(h, "nobody", "wrong-pin"),
                     c = login(h, "!!", "wrong-pin");
    expect_error(&a, 401, "bad_credentials");
    expect_error(&b, 401, "bad_credentials");
    expect_error(&c, 401, "bad_credentials");
    assert_string_equal(a.body, b.body);
    assert_string_equal(a.body, c.body);
    harness_response_free(&a);
    harness_response_free(&b);
    harness_response_free(&c);
    assert_true(audit_count(h, "staff.login_failed", "staff:t1") >= 1);
    assert_true(audit_count(h, "staff.login_failed", "staff:nobody") >= 1);
}

static void test_login_refuses_malformed_bodies(void **state)
{
    harness *h = *state;
    harness_response r;
    r = harness_request(h, "POST", "/api/v1/staff/login", NULL, "{\"id\":\"d1\"}", NULL);
    expect_error(&r, 400, "invalid_field");
    harness_response_free(&r);
    r = harness_request(h, "POST", "/api/v1/staff/login", NULL,
                        "{\"id\":\"d1\",\"pin\":246810}", NULL);
    expect_error(&r, 400, "invalid_field");
    harness_response_free(&r);
    r = harness_request(h, "POST", "/api/v1/staff/login", NULL,
                        "{\"id\":\"d1\",\"pin\":\"" PIN_D1 "\",\"role\":\"operator\"}", NULL);
    expect_error(&r, 400, "unknown_field");
    harness_response_free(&r);
}

static void test_five_wrong_pins_lock_the_account_even_for_the_right_pin(void **state)
{
    harness *h = *state;
    harness_response r;
    json_t *root;
    const char *passwd[] = { "staff", "passwd", "lk1", NULL };
    char token[64];

    assert_int_equal(ctl_staff_add(h, "lk1", "锁", "helper", NULL, PIN_LK), 0);
    /* a success in between resets the count */
    for (int i = 0; i < 4; i++) {
        r = login(h, "lk1", "wrong-pin");
        expect_error(&r, 401, "bad_credentials");
        harness_response_free(&r);
    }
    login_ok(h, "lk1", PIN_LK, token);
    for (int i = 0; i < 4; i++) {
        r = login(h, "lk1", "wrong-pin");
        expect_error(&r, 401, "bad_credentials");
        harness_response_free(&r);
    }
    /* the fifth wrong PIN in a row locks */
    r = login(h, "lk1", "wrong-pin");
    expect_error(&r, 429, "locked");
    harness_response_free(&r);
    r = login(h, "lk1", PIN_LK);
    expect_error(&r, 429, "locked");
    assert_non_null(strstr(r.headers, "Retry-After: "));
    root = body_json(&r);
    assert_true(json_is_string(json_object_get(json_object_get(root, "error"), "unlocks_at")));
    json_decref(root);
    harness_response_free(&r);
    assert_true(audit_count(h, "staff.login_failed", "staff:lk1") >= 10);

    /* an operator's new PIN lifts the lock and ends the old session */
    assert_int_equal(harness_ctl_stdin(h, "new-pin-77\n", NULL, passwd), 0);
    r = harness_request_until(h, 401, 3000, "GET", "/api/v1/staff/me", token, NULL);
    assert_int_equal(r.status, 401);
    harness_response_free(&r);
    r = login(h, "lk1", PIN_LK);
    expect_error(&r, 401, "bad_credentials");
    harness_response_free(&r);
    login_ok(h, "lk1", "new-pin-77", token);
    assert_int_equal(me_status(h, token), 200);
}

static void test_device_token_may_not_call_staff_routes(void **state)
{
    harness *h = *state;
    char token[64], device_id[64];
    harness_response r;

    harness_enroll(h, "kiosk-staff", token, device_id);
    r = harness_request(h, "GET", "/api/v1/staff/me", token, NULL, NULL);
    expect_error(&r, 403, "forbidden");
    harness_response_free(&r);
    r = harness_request(h, "POST", "/api/v1/staff/logout", token, NULL, NULL);
    expect_error(&r, 403, "forbidden");
    harness_response_free(&r);
}

static void test_logout_ends_the_session_at_once(void **state)
{
    harness *h = *state;
    char token[64], other[64];
    harness_response r;

    login_ok(h, "d2", PIN_D1, token);
    login_ok(h, "d2", PIN_D1, other);
    assert_int_equal(me_status(h, token), 200);
    r = harness_request(h, "POST", "/api/v1/staff/logout", token, NULL, NULL);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
    /* the daemon revoked it itself and cleared its cache: no waiting */
    assert_int_equal(me_status(h, token), 401);
    /* another session of the same account goes on */
    assert_int_equal(me_status(h, other), 200);
    assert_true(audit_count(h, "staff.logout", "staff:d2") >= 1);
}

static void test_disabled_account_loses_sessions_and_cannot_log_in(void **state)
{
    harness *h = *state;
    const char *disable[] = { "staff", "disable", "h1", NULL };
    const char *again[] = { "staff", "disable", "h1", NULL };
    const char *unknown[] = { "staff", "disable", "nobody", NULL };
    char token[64];
    harness_response r;

    login_ok(h, "h1", PIN_D1, token);
    assert_int_equal(me_status(h, token), 200);
    assert_int_equal(harness_ctl(h, NULL, disable), 0);
    r = harness_request_until(h, 401, 3000, "GET", "/api/v1/staff/me", token, NULL);
    assert_int_equal(r.status, 401);
    harness_response_free(&r);
    r = login(h, "h1", PIN_D1);
    expect_error(&r, 401, "bad_credentials");
    harness_response_free(&r);
    assert_int_equal(harness_ctl(h, NULL, again), 0);
    assert_int_equal(harness_ctl(h, NULL, unknown), 1);
    assert_int_equal(audit_count(h, "staff.disable", "ctl"), 1);
}

/* ---- the audit trail ------------------------------------------------------- */

static void test_audit_trail_records_and_cannot_be_rewritten(void **state)
{
    harness *h = *state;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *msg = NULL;

    assert_true(audit_count(h, "staff.add", "ctl") >= 5);
    assert_true(audit_count(h, "staff.login_failed", NULL) >= 1);

    /* no PIN anywhere in it */
    assert_int_equal(sqlite3_open_v2(h->db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT COUNT(*) FROM audit WHERE "
                                        "COALESCE(before,'') || COALESCE(after,'') || "
                                        "COALESCE(detail,'') LIKE '%' || ?1 || '%'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    const char *pins[] = { PIN_D1, PIN_T1, PIN_LK, "wrong-pin", "new-pin-77" };
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        sqlite3_bind_text(st, 1, pins[i], -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 0);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);

    /* the triggers refuse rewriting history, even to a writer */
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET actor = 'x'", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, &msg), SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    sqlite3_close(db);
    assert_true(audit_count(h, "staff.add", "ctl") >= 5);
}

/* store_audit.h's two functions, from a second process on the same file
 * (as qifu-ctl would): append inside the caller's transaction, list
 * newest-N in chronological order, per case, values back as JSON. */
static void test_audit_append_and_list_through_the_store(void **state)
{
    harness *h = *state;
    sd_store *store = NULL;
    json_t *all = NULL, *one = NULL, *e;
    char err[256];
    qf_instant now = qf_clock_now();

    assert_int_equal(sd_store_open(h->db, &store, err, sizeof err), QF_OK);
    sd_store_lock(store);
    assert_int_equal(sd_store_begin(store), QF_OK);
    assert_int_equal(sd_store_audit_append(store, now, "system:scheduler", "case.test",
                                           "QT-TEST-0001", "{\"status\":\"new\"}",
                                           "{\"status\":\"triaged\"}", NULL),
                     QF_OK);
    /* not JSON, or no actor: refused, nothing written */
    assert_int_equal(sd_store_audit_append(store, now, "ctl", "case.test", NULL, "{broken", NULL,
                                           NULL),
                     QF_ERR_INVALID);
    assert_int_equal(sd_store_audit_append(store, now, "", "case.test", NULL, NULL, NULL, NULL),
                     QF_ERR_INVALID);
    assert_int_equal(sd_store_commit(store), QF_OK);
    sd_store_unlock(store);

    assert_int_equal(sd_store_audit_list(store, "QT-TEST-0001", 0, &one), QF_OK);
    assert_int_equal(json_array_size(one), 1);
    e = json_array_get(one, 0);
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "system:scheduler");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "after"), "status")),
                        "triaged");
    assert_true(json_is_null(json_object_get(e, "detail")));

    assert_int_equal(sd_store_audit_list(store, NULL, 3, &all), QF_OK);
    assert_int_equal(json_array_size(all), 3);
    /* oldest first, ending with the newest entry */
    assert_true(json_integer_value(json_object_get(json_array_get(all, 0), "id")) <
                json_integer_value(json_object_get(json_array_get(all, 2), "id")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 2), "action")),
                        "case.test");
    json_decref(one);
    json_decref(all);
    sd_store_close(store);
}

/* ---- a session expires after 8 hours -------------------------------------- */

static void test_session_expires_after_8_hours(void **state)
{
    harness h;
    const char *import[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    char token[64], later[32];
    qf_instant t0;
    (void)state;

    assert_int_equal(setenv("QIFU_FAKE_NOW", "2025-03-03T09:00:00+08:00", 1), 0);
    assert_int_equal(qf_clock_parse_iso8601("2025-03-03T09:00:00+08:00", &t0, NULL, 0), QF_OK);
    memset(&h, 0, sizeof h);
    harness_start(&h, false);
    /* without a catalog, a unit cannot be checked: refused, clearly */
    assert_int_equal(ctl_staff_add(&h, "e1", "钱七", "department", "区财政局", PIN_D1), 1);
    assert_int_equal(harness_ctl(&h, NULL, import), 0);
    assert_int_equal(ctl_staff_add(&h, "e1", "钱七", "department", "区财政局", PIN_D1), 0);
    login_ok(&h, "e1", PIN_D1, token);
    assert_int_equal(me_status(&h, token), 200);

    /* 7 h 59 min later: still good */
    harness_kill9(&h);
    qf_clock_format_iso8601(t0 + 8 * 3600 - 60, later, sizeof later);
    assert_int_equal(setenv("QIFU_FAKE_NOW", later, 1), 0);
    harness_restart(&h);
    assert_int_equal(me_status(&h, token), 200);

    /* 9 h later: expired */
    harness_kill9(&h);
    qf_clock_format_iso8601(t0 + 9 * 3600, later, sizeof later);
    assert_int_equal(setenv("QIFU_FAKE_NOW", later, 1), 0);
    harness_restart(&h);
    assert_int_equal(me_status(&h, token), 401);
    login_ok(&h, "e1", PIN_D1, token);
    assert_int_equal(me_status(&h, token), 200);
    harness_stop(&h);
    unsetenv("QIFU_FAKE_NOW");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctl_staff_add_checks_role_unit_and_pin),
        cmocka_unit_test(test_login_gives_a_token_that_works_on_me),
        cmocka_unit_test(test_wrong_pin_and_unknown_id_get_the_same_401),
        cmocka_unit_test(test_login_refuses_malformed_bodies),
        cmocka_unit_test(test_five_wrong_pins_lock_the_account_even_for_the_right_pin),
        cmocka_unit_test(test_device_token_may_not_call_staff_routes),
        cmocka_unit_test(test_logout_ends_the_session_at_once),
        cmocka_unit_test(test_disabled_account_loses_sessions_and_cannot_log_in),
        cmocka_unit_test(test_audit_trail_records_and_cannot_be_rewritten),
        cmocka_unit_test(test_audit_append_and_list_through_the_store),
    };
    const struct CMUnitTest expiry[] = {
        cmocka_unit_test(test_session_expires_after_8_hours),
    };
    int failed = cmocka_run_group_tests_name("staff", tests, setup, teardown);
    failed += cmocka_run_group_tests_name("staff_expiry", expiry, NULL, NULL);
    return failed;
}
