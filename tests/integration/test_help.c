/* test_help.c — help calls (呼叫帮办) on a real daemon: a kiosk calls, the
 * call shows in `qifu-ctl help list --json` and GET /api/v1/help-calls
 * with the kiosk's name and hall; pressing again gives the same call; a
 * helper's session acknowledges it and the kiosk then sees
 * "acknowledged"; a second ack is 409; a non-helper staff account may
 * look but not answer (403); another kiosk cannot read the call (404);
 * closing (with a note), closing twice (409), closing straight from open;
 * `qifu-ctl help ack --staff` and `help close`; and `help stats`: the
 * response times (ack − created) overall and per helper, median and p90.
 *
 * Time: the daemon runs frozen at T0 (QIFU_FAKE_NOW), so every call is
 * made at T0 and an ack over HTTP takes 0 s; qifu-ctl runs at later fake
 * instants, which makes its response times exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"

#define T0        "2026-11-24T09:00:00+08:00"
#define T0_PLUS60 "2026-11-24T09:01:00+08:00"
#define T0_PLUS180 "2026-11-24T09:03:00+08:00"
#define PIN_H1    "helper-pin-1"
#define PIN_H2    "helper-pin-2"
#define PIN_L1    "leader-pin-1"

typedef struct suite {
    harness h;
    char dev_a[64], dev_a_id[64];
    char dev_b[64], dev_b_id[64];
    char op[64];
    char h1[64], l1[64];        /* session tokens */
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

static void staff_add(harness *h, const char *id, const char *role, const char *pin)
{
    char input[64];
    const char *args[] = { "staff", "add", id, "--name", "测试人员", "--role", role, NULL };
    snprintf(input, sizeof input, "%s\n", pin);
    assert_int_equal(harness_ctl_stdin(h, input, NULL, args), 0);
}

static void staff_login(harness *h, const char *id, const char *pin, char token[64])
{
    char body[128];
    harness_response r;
    json_t *j;
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"pin\":\"%s\"}", id, pin);
    r = harness_request(h, "POST", "/api/v1/staff/login", NULL, body, NULL);
    if (r.status != 200)
        fail_msg("login %s: %ld %s", id, r.status, r.body);
    j = body_json(&r);
    snprintf(token, 64, "%s", json_string_value(json_object_get(j, "token")));
    json_decref(j);
    harness_response_free(&r);
}

/* POST /api/v1/help-calls from token; returns the call's id. */
static long long call_help(harness *h, const char *token, long want_status)
{
    harness_response r = harness_request(h, "POST", "/api/v1/help-calls", token,
                                         "{\"screen\":\"guide\",\"note\":\"需要帮忙填表\"}", NULL);
    json_t *j;
    long long id;
    if (r.status != want_status)
        fail_msg("help call: %ld, want %ld: %s", r.status, want_status, r.body);
    j = body_json(&r);
    id = json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "open");
    assert_string_equal(json_string_value(json_object_get(j, "created_at")), T0);
    assert_string_equal(json_string_value(json_object_get(j, "screen")), "guide");
    json_decref(j);
    harness_response_free(&r);
    return id;
}

/* The call's state as token sees it through GET /api/v1/help-calls/{id}. */
static void expect_state(harness *h, const char *token, long long id, const char *state)
{
    char path[64];
    harness_response r;
    json_t *j;
    snprintf(path, sizeof path, "/api/v1/help-calls/%lld", id);
    r = harness_request(h, "GET", path, token, NULL, NULL);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "state")), state);
    json_decref(j);
    harness_response_free(&r);
}

/* Runs qifu-ctl at the fake instant now (NULL: the daemon's T0). */
static int ctl_at(harness *h, const char *now, char **out, const char *const *args)
{
    int rc;
    if (now)
        setenv("QIFU_FAKE_NOW", now, 1);
    rc = harness_ctl(h, out, args);
    setenv("QIFU_FAKE_NOW", T0, 1);
    return rc;
}

/* The entry of id in `qifu-ctl help list [--open] --json`; NULL when absent.
 * Ownership: json_decref(*doc) afterwards. */
static json_t *ctl_list_find(harness *h, bool open_only, long long id, json_t **doc)
{
    const char *all[] = { "help", "list", "--json", NULL };
    const char *open[] = { "help", "list", "--open", "--json", NULL };
    char *out = NULL;
    size_t i;
    json_t *v;
    assert_int_equal(harness_ctl(h, &out, open_only ? open : all), 0);
    assert_non_null(out);
    *doc = json_loads(out, 0, NULL);
    free(out);
    assert_true(json_is_array(*doc));
    json_array_foreach(*doc, i, v) {
        if (json_integer_value(json_object_get(v, "id")) == id)
            return v;
    }
    return NULL;
}

/* ---- fixture -------------------------------------------------------------- */

static int setup(void **state)
{
    static suite s;
    memset(&s, 0, sizeof s);
    setenv("QIFU_FAKE_NOW", T0, 1);
    harness_start(&s.h, false);
    harness_enroll(&s.h, "一楼自助终端A", s.dev_a, s.dev_a_id);
    harness_enroll(&s.h, "二楼自助终端B", s.dev_b, s.dev_b_id);
    harness_operator(&s.h, "alice", s.op);
    staff_add(&s.h, "H1", "helper", PIN_H1);
    staff_add(&s.h, "H2", "helper", PIN_H2);
    staff_add(&s.h, "L1", "leader", PIN_L1);
    staff_login(&s.h, "H1", PIN_H1, s.h1);
    staff_login(&s.h, "L1", PIN_L1, s.l1);
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

static void test_help_call_acknowledged_by_helper_seen_by_kiosk_then_closed(void **state)
{
    suite *s = *state;
    harness_response r;
    json_t *doc, *entry, *j;
    long long id, again;
    char path[96];
    size_t i;
    bool found = false;

    id = call_help(&s->h, s->dev_a, 201);
    /* Pressing again while the call runs gives the same call, not a second page. */
    again = call_help(&s->h, s->dev_a, 200);
    assert_int_equal(again, id);

    /* qifu-ctl help list --open --json: with the kiosk's name and hall. */
    entry = ctl_list_find(&s->h, true, id, &doc);
    assert_non_null(entry);
    assert_string_equal(json_string_value(json_object_get(entry, "device_id")), s->dev_a_id);
    assert_string_equal(json_string_value(json_object_get(entry, "device_name")),
                        "一楼自助终端A");
    assert_string_equal(json_string_value(json_object_get(entry, "hall")), "qiantang");
    assert_string_equal(json_string_value(json_object_get(entry, "note")), "需要帮忙填表");
    assert_true(json_is_null(json_object_get(entry, "response_s")));
    json_decref(doc);

    /* Staff of any role and operators list; a kiosk may not. */
    r = harness_request(&s->h, "GET", "/api/v1/help-calls?state=open", s->l1, NULL, NULL);
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    json_array_foreach(json_object_get(j, "help_calls"), i, entry) {
        if (json_integer_value(json_object_get(entry, "id")) == id)
            found = true;
    }
    assert_true(found);
    json_decref(j);
    harness_response_free(&r);
    r = harness_request(&s->h, "GET", "/api/v1/help-calls", s->op, NULL, NULL);
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
    r = harness_request(&s->h, "GET", "/api/v1/help-calls", s->dev_a, NULL, NULL);
    expect_error(&r, 403, "forbidden");
    harness_response_free(&r);
    r = harness_request(&s->h, "GET", "/api/v1/help-calls?state=lost", s->op, NULL, NULL);
    expect_error(&r, 400, "invalid_query");
    harness_response_free(&r);

    /* The calling kiosk sees its call; another kiosk gets 404, as for no call. */
    expect_state(&s->h, s->dev_a, id, "open");
    snprintf(path, sizeof path, "/api/v1/help-calls/%lld", id);
    r = harness_request(&s->h, "GET", path, s->dev_b, NULL, NULL);
    expect_error(&r, 404, "help_call_not_found");
    harness_response_free(&r);
    r = harness_request(&s->h, "GET", "/api/v1/help-calls/999999", s->dev_a, NULL, NULL);
    expect_error(&r, 404, "help_call_not_found");
    harness_response_free(&r);

    /* A leader may look but not answer; a kiosk may not answer either. */
    snprintf(path, sizeof path, "/api/v1/help-calls/%lld/ack", id);
    r = harness_request(&s->h, "POST", path, s->l1, NULL, NULL);
    expect_error(&r, 403, "forbidden");
    harness_response_free(&r);
    r = harness_request(&s->h, "POST", path, s->dev_a, NULL, NULL);
    expect_error(&r, 403, "forbidden");
    harness_response_free(&r);

    /* The helper acknowledges: who and when are recorded. */
    r = harness_request(&s->h, "POST", path, s->h1, NULL, NULL);
    if (r.status != 200)
        fail_msg("ack: %ld %s", r.status, r.body);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "acknowledged");
    assert_string_equal(json_string_value(json_object_get(j, "helper_id")), "H1");
    assert_string_equal(json_string_value(json_object_get(j, "acknowledged_by")), "staff:H1");
    assert_string_equal(json_string_value(json_object_get(j, "acknowledged_at")), T0);
    assert_int_equal(json_integer_value(json_object_get(j, "response_s")), 0);
    json_decref(j);
    harness_response_free(&r);

    /* The kiosk now shows "帮办人员正在赶来". */
    expect_state(&s->h, s->dev_a, id, "acknowledged");

    /* A second ack, over HTTP or from qifu-ctl, is refused. */
    r = harness_request(&s->h, "POST", path, s->h1, "{}", NULL);
    expect_error(&r, 409, "help_call_state");
    harness_response_free(&r);
    {
        char idtext[24];
        const char *args[] = { "help", "ack", idtext, NULL };
        snprintf(idtext, sizeof idtext, "%lld", id);
        assert_int_equal(ctl_at(&s->h, NULL, NULL, args), 1);
    }

    /* Closed with a note; closing again is 409; ack after close is 409. */
    snprintf(path, sizeof path, "/api/v1/help-calls/%lld/close", id);
    r = harness_request(&s->h, "POST", path, s->h1, "{\"note\":\"已协助提交\"}", NULL);
    if (r.status != 200)
        fail_msg("close: %ld %s", r.status, r.body);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "closed");
    assert_string_equal(json_string_value(json_object_get(j, "close_note")), "已协助提交");
    json_decref(j);
    harness_response_free(&r);
    r = harness_request(&s->h, "POST", path, s->h1, NULL, NULL);
    expect_error(&r, 409, "help_call_state");
    harness_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/help-calls/%lld/ack", id);
    r = harness_request(&s->h, "POST", path, s->op, NULL, NULL);
    expect_error(&r, 409, "help_call_state");
    harness_response_free(&r);
    expect_state(&s->h, s->dev_a, id, "closed");

    /* Not in the open list any more. */
    entry = ctl_list_find(&s->h, true, id, &doc);
    assert_null(entry);
    json_decref(doc);
}

static void test_help_call_fields_are_checked(void **state)
{
    suite *s = *state;
    harness_response r;
    char note[700];

    r = harness_request(&s->h, "POST", "/api/v1/help-calls", s->dev_b, "{}", NULL);
    expect_error(&r, 400, "missing_field");
    harness_response_free(&r);
    r = harness_request(&s->h, "POST", "/api/v1/help-calls", s->dev_b,
                        "{\"screen\":\"Guide Page\"}", NULL);
    expect_error(&r, 400, "invalid_field");
    harness_response_free(&r);
    r = harness_request(&s->h, "POST", "/api/v1/help-calls", s->dev_b,
                        "{\"screen\":\"guide\",\"urgent\":true}", NULL);
    expect_error(&r, 400, "unknown_field");
    harness_response_free(&r);
    memset(note, 'x', 201);
    snprintf(note + 201, sizeof note - 201, "%s", "");
    {
        char body[800];
        snprintf(body, sizeof body, "{\"screen\":\"guide\",\"note\":\"%s\"}", note);
        r = harness_request(&s->h, "POST", "/api/v1/help-calls", s->dev_b, body, NULL);
        expect_error(&r, 400, "invalid_field");
        harness_response_free(&r);
    }
    /* Staff and operators do not make calls: kiosks do. */
    r = harness_request(&s->h, "POST", "/api/v1/help-calls", s->h1, "{\"screen\":\"guide\"}",
                        NULL);
    expect_error(&r, 403, "forbidden");
    harness_response_free(&r);
}

/* Response times: H1 over HTTP at T0 (0 s), H2 through qifu-ctl --staff at
 * T0+180 s, and qifu-ctl without --staff at T0+60 s; one call closed
 * without an ack. Runs after the first test (H1's 0 s is from there). */
static void test_help_stats_report_response_times_per_helper(void **state)
{
    suite *s = *state;
    char idtext[24], *out = NULL;
    json_t *doc, *resp, *helpers, *row, *entry;
    long long b1, a2, b3;
    size_t i;

    b1 = call_help(&s->h, s->dev_b, 201);
    snprintf(idtext, sizeof idtext, "%lld", b1);
    {
        const char *bad_role[] = { "help", "ack", idtext, "--staff", "L1", NULL };
        const char *nobody[] = { "help", "ack", idtext, "--staff", "nobody", NULL };
        const char *ack[] = { "help", "ack", idtext, "--staff", "H2", NULL };
        const char *close[] = { "help", "close", idtext, NULL };
        assert_int_equal(ctl_at(&s->h, T0_PLUS180, NULL, bad_role), 1);
        assert_int_equal(ctl_at(&s->h, T0_PLUS180, NULL, nobody), 1);
        assert_int_equal(ctl_at(&s->h, T0_PLUS180, &out, ack), 0);
        assert_non_null(strstr(out, "acknowledged after 3m00s"));
        free(out);
        out = NULL;
        expect_state(&s->h, s->dev_b, b1, "acknowledged");
        assert_int_equal(ctl_at(&s->h, T0_PLUS180, NULL, close), 0);
        expect_state(&s->h, s->dev_b, b1, "closed");
    }

    a2 = call_help(&s->h, s->dev_a, 201);
    snprintf(idtext, sizeof idtext, "%lld", a2);
    {
        const char *ack[] = { "help", "ack", idtext, NULL };
        const char *close[] = { "help", "close", idtext, "--note", "已处理", NULL };
        assert_int_equal(ctl_at(&s->h, T0_PLUS60, NULL, ack), 0);
        assert_int_equal(ctl_at(&s->h, T0_PLUS60, NULL, close), 0);
    }
    entry = ctl_list_find(&s->h, false, a2, &doc);
    assert_non_null(entry);
    assert_int_equal(json_integer_value(json_object_get(entry, "response_s")), 60);
    assert_string_equal(json_string_value(json_object_get(entry, "acknowledged_by")), "ctl");
    assert_string_equal(json_string_value(json_object_get(entry, "close_note")), "已处理");
    json_decref(doc);

    /* Closed straight from open: allowed, and no response time. */
    b3 = call_help(&s->h, s->dev_b, 201);
    snprintf(idtext, sizeof idtext, "%lld", b3);
    {
        const char *close[] = { "help", "close", idtext, NULL };
        const char *ack[] = { "help", "ack", idtext, NULL };
        assert_int_equal(ctl_at(&s->h, T0_PLUS60, NULL, close), 0);
        assert_int_equal(ctl_at(&s->h, T0_PLUS60, NULL, ack), 1);
    }

    {
        const char *stats[] = { "help", "stats", "--json", NULL };
        const char *text[] = { "help", "stats", NULL };
        assert_int_equal(ctl_at(&s->h, T0_PLUS180, &out, stats), 0);
        doc = json_loads(out, 0, NULL);
        free(out);
        out = NULL;
        assert_non_null(doc);
        assert_int_equal(json_integer_value(json_object_get(doc, "calls")), 4);
        assert_int_equal(json_integer_value(json_object_get(doc, "closed")), 4);
        assert_int_equal(json_integer_value(json_object_get(doc, "closed_unacknowledged")), 1);
        resp = json_object_get(doc, "response");
        /* 0, 60, 180: nearest-rank median the 2nd, p90 the 3rd. */
        assert_int_equal(json_integer_value(json_object_get(resp, "count")), 3);
        assert_int_equal(json_integer_value(json_object_get(resp, "median_s")), 60);
        assert_int_equal(json_integer_value(json_object_get(resp, "p90_s")), 180);
        helpers = json_object_get(doc, "helpers");
        assert_int_equal(json_array_size(helpers), 3);
        json_array_foreach(helpers, i, row) {
            const char *who = json_string_value(json_object_get(row, "helper"));
            long long med = json_integer_value(json_object_get(row, "median_s"));
            assert_int_equal(json_integer_value(json_object_get(row, "count")), 1);
            if (strcmp(who, "H1") == 0)
                assert_int_equal(med, 0);
            else if (strcmp(who, "H2") == 0)
                assert_int_equal(med, 180);
            else if (strcmp(who, "ctl") == 0)
                assert_int_equal(med, 60);
            else
                fail_msg("unexpected helper %s", who);
        }
        json_decref(doc);
        assert_int_equal(ctl_at(&s->h, T0_PLUS180, &out, text), 0);
        assert_non_null(strstr(out, "median 60s, p90 180s"));
        assert_non_null(strstr(out, "H2"));
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_call_acknowledged_by_helper_seen_by_kiosk_then_closed),
        cmocka_unit_test(test_help_call_fields_are_checked),
        cmocka_unit_test(test_help_stats_report_response_times_per_helper),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
