/* test_print.c — `qifu-ctl print receipt` on a real case: a kiosk submits
 * one through the daemon's API, the receipt is printed to a png: sink, and
 * zbarimg reads the tracking URL back from its QR. An unknown case number
 * prints nothing and exits 1. (The ticket slip, the virtual printer and the
 * paper-out refusal are tests/cli/print.sh.) */
#include <jansson.h>
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

static harness h;

static int setup(void **state)
{
    (void)state;
    harness_start(&h, false);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_stop(&h);
    return 0;
}

/* Submits a case as a fresh kiosk; copies its number into no (64 bytes). */
static void submit_case(char *no)
{
    char token[64], device[64], key[128];
    const char *headers[] = { key, NULL };
    harness_enroll(&h, "print-kiosk", token, device);
    snprintf(key, sizeof key, "Idempotency-Key: print-%ld", (long)getpid());
    const char *body = "{\"kind\":\"request\",\"board\":\"board-request\","
                       "\"enterprise_name\":\"杭州钱塘示例生物科技有限公司\","
                       "\"credit_code\":\"91330100716105852F\",\"contact_name\":\"王女士\","
                       "\"mobile\":\"138 1234 5678\",\"description\":\"厂房消防验收进度咨询。\"}";
    harness_response r = harness_request(&h, "POST", "/api/v1/cases", token, body, headers);
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    const char *s = json_string_value(json_object_get(j, "case_no"));
    assert_non_null(s);
    snprintf(no, 64, "%s", s);
    json_decref(j);
    harness_response_free(&r);
}

static void test_receipt_qr_reads_back_the_tracking_url(void **state)
{
    (void)state;
    char no[64], dir[300], sink[320], cmd[700], got[512] = "", want[256];
    snprintf(dir, sizeof dir, "%s/receipts", h.dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    submit_case(no);
    snprintf(sink, sizeof sink, "png:%s", dir);
    const char *args[] = { "--data-dir", QIFU_SOURCE_DIR, "print", "receipt", "--case", no,
                           "--sink", sink, NULL };
    char *out = NULL;
    assert_int_equal(harness_ctl(&h, &out, args), 0);
    free(out);
    if (system("command -v zbarimg >/dev/null 2>&1") != 0)
        fail_msg("zbarimg not found: install zbar-tools");
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s'/slip-*.png 2>/dev/null", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    if (!fgets(got, sizeof got, p))
        got[0] = '\0';
    pclose(p);
    got[strcspn(got, "\n")] = '\0';
    snprintf(want, sizeof want, "https://127.0.0.1:8443/track/%s", no);
    assert_string_equal(got, want);
}

static void test_receipt_of_unknown_case_exits_1(void **state)
{
    (void)state;
    char sink[320];
    snprintf(sink, sizeof sink, "png:%s", h.dir);
    const char *args[] = { "--data-dir", QIFU_SOURCE_DIR, "print", "receipt", "--case",
                           "QT20000101-9999", "--sink", sink, NULL };
    char *out = NULL;
    assert_int_equal(harness_ctl(&h, &out, args), 1);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receipt_qr_reads_back_the_tracking_url),
        cmocka_unit_test(test_receipt_of_unknown_case_exits_1),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
