/* test_inspections.c — `qifu-ctl device inspections [--overdue] [--json]`
 * against a real daemon: two kiosks never inspected are both overdue; one
 * inspection submitted by the kiosk itself (with the inspector's name and
 * unit and a failed check) takes that kiosk off the overdue list and shows
 * up in the listing; on the first day of the next quarter it is overdue
 * again although only 38 days have passed (the quarter rule, not "92
 * days"); and a revoked kiosk is never listed as overdue.
 *
 * Time: the daemon is frozen at 2026-11-24 (the fourth quarter began on
 * 2026-10-01, Shanghai); qifu-ctl runs at the instants each check needs. */
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

#define T0       "2026-11-24T09:00:00+08:00"
#define Q1_FIRST "2027-01-01T00:00:00+08:00"
#define Q4_LAST  "2026-12-31T23:59:59+08:00"

typedef struct suite {
    harness h;
    char x[64], x_id[64], y[64], y_id[64];
} suite;

static int setup(void **state)
{
    static suite s;
    memset(&s, 0, sizeof s);
    setenv("QIFU_FAKE_NOW", T0, 1);
    harness_start(&s.h, false);
    harness_enroll(&s.h, "大厅终端X", s.x, s.x_id);
    harness_enroll(&s.h, "大厅终端Y", s.y, s.y_id);
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

/* `device inspections --overdue --json` at now: is device id listed? */
static bool overdue_at(harness *h, const char *now, const char *id, char quarter[16])
{
    const char *args[] = { "device", "inspections", "--overdue", "--json", NULL };
    char *out = NULL;
    json_t *doc, *v;
    bool found = false;
    size_t i;

    setenv("QIFU_FAKE_NOW", now, 1);
    assert_int_equal(harness_ctl(h, &out, args), 0);
    setenv("QIFU_FAKE_NOW", T0, 1);
    doc = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(doc);
    snprintf(quarter, 16, "%s", json_string_value(json_object_get(doc, "quarter_start")));
    json_array_foreach(json_object_get(doc, "overdue"), i, v) {
        if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
            found = true;
    }
    json_decref(doc);
    return found;
}

static void test_overdue_listing_before_and_after_an_inspection(void **state)
{
    suite *s = *state;
    const char *list[] = { "device", "inspections", "--json", NULL };
    const char *text[] = { "device", "inspections", NULL };
    char path[96], quarter[16], *out = NULL;
    harness_response r;
    json_t *doc, *it;

    /* Never inspected: both overdue. */
    assert_true(overdue_at(&s->h, T0, s->x_id, quarter));
    assert_string_equal(quarter, "2026-10-01");
    assert_true(overdue_at(&s->h, T0, s->y_id, quarter));

    /* X is inspected, by the kiosk in maintenance mode. */
    snprintf(path, sizeof path, "/api/v1/devices/%s/inspections", s->x_id);
    r = harness_request(&s->h, "POST", path, s->x,
                        "{\"inspector\":\"张工\",\"inspector_unit\":\"区数据资源局\","
                        "\"result\":\"fail\",\"checks\":{\"display\":\"ok\",\"printer\":"
                        "\"fail\"},\"notes\":\"打印机缺纸\"}",
                        NULL);
    if (r.status != 201)
        fail_msg("inspection: %ld %s", r.status, r.body);
    harness_response_free(&r);

    assert_false(overdue_at(&s->h, T0, s->x_id, quarter));
    assert_true(overdue_at(&s->h, T0, s->y_id, quarter));
    /* Still fine on the quarter's last second… */
    assert_false(overdue_at(&s->h, Q4_LAST, s->x_id, quarter));
    /* …overdue at the next quarter's first, 38 days after the inspection. */
    assert_true(overdue_at(&s->h, Q1_FIRST, s->x_id, quarter));
    assert_string_equal(quarter, "2027-01-01");

    /* The listing: device, when, inspector and unit, each check. */
    assert_int_equal(harness_ctl(&s->h, &out, list), 0);
    doc = json_loads(out, 0, NULL);
    free(out);
    out = NULL;
    assert_int_equal(json_array_size(doc), 1);
    it = json_array_get(doc, 0);
    assert_string_equal(json_string_value(json_object_get(it, "device_id")), s->x_id);
    assert_string_equal(json_string_value(json_object_get(it, "device_name")), "大厅终端X");
    assert_string_equal(json_string_value(json_object_get(it, "at")), T0);
    assert_string_equal(json_string_value(json_object_get(it, "inspector")), "张工");
    assert_string_equal(json_string_value(json_object_get(it, "inspector_unit")),
                        "区数据资源局");
    assert_string_equal(json_string_value(json_object_get(it, "result")), "fail");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(it, "checks"), "printer")), "fail");
    assert_string_equal(json_string_value(json_object_get(it, "notes")), "打印机缺纸");
    json_decref(doc);
    assert_int_equal(harness_ctl(&s->h, &out, text), 0);
    assert_non_null(strstr(out, "张工 (区数据资源局)"));
    assert_non_null(strstr(out, "printer"));
    assert_non_null(strstr(out, "1 inspection(s)"));
    free(out);
}

static void test_revoked_device_is_never_overdue(void **state)
{
    suite *s = *state;
    const char *revoke[] = { "device", "revoke", s->y_id, NULL };
    char quarter[16];

    assert_true(overdue_at(&s->h, T0, s->y_id, quarter));
    assert_int_equal(harness_ctl(&s->h, NULL, revoke), 0);
    assert_false(overdue_at(&s->h, T0, s->y_id, quarter));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overdue_listing_before_and_after_an_inspection),
        cmocka_unit_test(test_revoked_device_is_never_overdue),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
