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
#include <unistd.h>

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

static void test_metrics_need_an_operator_and_count_requests(void **state)
{
    harness *h = *state;
    char op[64], dev[64], id[64];
    harness_response r;

    harness_operator(h, "ops-metrics", op);
    harness_enroll(h, "kiosk-metrics", dev, id);
    r = harness_request(h, "GET", "/metrics", dev, NULL, NULL);
    expect_error(&r, 403, "forbidden");
    harness_response_free(&r);
    /* A request is counted when libmicrohttpd reports it complete, which
     * can be just after its response reached us: re-read for a bounded
     * number of attempts until the 403 above is in the counters. */
    r = harness_request(h, "GET", "/metrics", op, NULL, NULL);
    for (int attempt = 0; attempt < 200 && r.status == 200 &&
                          !strstr(r.body, "route=\"/metrics\",status=\"403\"} 1");
         attempt++) {
        harness_response_free(&r);
        r = harness_request(h, "GET", "/metrics", op, NULL, NULL);
    }
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "text/plain; version=0.0.4"));
    assert_non_null(strstr(r.body, "qifu_http_requests_total{route=\"/healthz\",status=\"200\"}"));
    assert_non_null(strstr(r.body, "qifu_http_requests_total{route=\"/metrics\",status=\"403\"} 1"));
    assert_non_null(strstr(r.body, "qifu_http_request_duration_seconds_count"));
    assert_non_null(strstr(r.body, "qifu_devices_enrolled 1"));
    harness_response_free(&r);
}

/* A daemon whose config allows 3 requests a minute per caller. */
static void test_rate_limit_answers_429_with_retry_after(void **state)
{
    harness h2;
    char cfg[64] = "/tmp/qifu-rate-XXXXXX", dev[64], id[64];
    const char *text = "[syncd]\nrate_per_minute = 3\n";
    int fd = mkstemp(cfg);
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    memset(&h2, 0, sizeof h2);
    snprintf(h2.extra_args, sizeof h2.extra_args, "--config %s", cfg);
    harness_start(&h2, false);

    /* public routes are limited per client address: enrollment was 1 */
    harness_enroll(&h2, "kiosk-rate", dev, id);
    for (int i = 0; i < 3; i++) {
        harness_response r = harness_request(&h2, "GET", "/api/v1/queues", dev, NULL, NULL);
        assert_int_not_equal(r.status, 429);
        harness_response_free(&r);
    }
    harness_response r = harness_request(&h2, "GET", "/api/v1/queues", dev, NULL, NULL);
    expect_error(&r, 429, "rate_limited");
    assert_non_null(strstr(r.headers, "Retry-After: "));
    harness_response_free(&r);
    harness_stop(&h2);
    unlink(cfg);
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
        cmocka_unit_test(test_metrics_need_an_operator_and_count_requests),
        cmocka_unit_test(test_rate_limit_answers_429_with_retry_after),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
