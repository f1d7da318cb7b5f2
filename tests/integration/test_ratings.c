/* test_ratings.c — service ratings (好差评) on a real qifu-syncd: POST
 * /api/v1/ratings with its idempotency (201, the same reply again with
 * 200, 409 for the key with another body, keys scoped per device), the
 * field checks (each 400 names its field), who may call (a device only),
 * the body cap, and `qifu-ctl rating list --json` / `report --json` showing
 * what was stored.
 *
 * The clock is frozen with QIFU_FAKE_NOW so the reply's time is known. */
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

#define TR_NOW "2026-11-24T10:15:00+08:00"
#define TR_SERVICE "svc-common-001"

typedef struct tr_state {
    harness h;
    char token[64], device[64], token2[64], device2[64], op[64];
} tr_state;

static int tr_setup(void **state)
{
    static tr_state s;
    const char *args[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    char *out = NULL;
    int rc;

    memset(&s, 0, sizeof s);
    setenv("QIFU_FAKE_NOW", TR_NOW, 1);
    harness_start(&s.h, false);
    rc = harness_ctl(&s.h, &out, args);
    if (rc != 0)
        fail_msg("catalog import exited %d: %s", rc, out ? out : "");
    free(out);
    harness_enroll(&s.h, "kiosk-1", s.token, s.device);
    harness_enroll(&s.h, "kiosk-2", s.token2, s.device2);
    harness_operator(&s.h, "rating-op", s.op);
    *state = &s;
    return 0;
}

static int tr_teardown(void **state)
{
    tr_state *s = *state;
    harness_stop(&s->h);
    return 0;
}

/* ---- helpers -------------------------------------------------------------- */

/* POST /api/v1/ratings with key (NULL: no header). */
static harness_response tr_post(tr_state *s, const char *token, const char *key,
                                const char *body)
{
    char header[128];
    const char *headers[] = { header, NULL };
    snprintf(header, sizeof header, "Idempotency-Key: %s", key ? key : "");
    return harness_request(&s->h, "POST", "/api/v1/ratings", token, body, key ? headers : NULL);
}

static const char *tr_key(char *buf, size_t len, const char *tag)
{
    static unsigned n;
    snprintf(buf, len, "tr-%04u-%s", ++n, tag);
    return buf;
}

static json_t *tr_json(const harness_response *r)
{
    json_t *j = json_loads(r->body, 0, NULL);
    if (!j)
        fail_msg("reply is not JSON: %s", r->body);
    return j;
}

static void tr_expect_status(const harness_response *r, long status)
{
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
}

/* 400 (or status) with code and, when field is given, that "field". */
static void tr_expect_error(harness_response *r, long status, const char *code, const char *field)
{
    json_t *j, *e;
    tr_expect_status(r, status);
    j = tr_json(r);
    e = json_object_get(j, "error");
    if (!json_string_value(json_object_get(e, "code")) ||
        strcmp(json_string_value(json_object_get(e, "code")), code) != 0)
        fail_msg("code in %s, want %s", r->body, code);
    assert_non_null(json_string_value(json_object_get(e, "message")));
    if (field && (!json_string_value(json_object_get(e, "field")) ||
                  strcmp(json_string_value(json_object_get(e, "field")), field) != 0))
        fail_msg("field in %s, want %s", r->body, field);
    json_decref(j);
    harness_response_free(r);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_rating_is_201_and_a_replay_is_200_with_the_same_reply(void **state)
{
    tr_state *s = *state;
    const char *body = "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\","
                       "\"rating\":\"very_satisfied\",\"comment\":\"专员服务很周到\"}";
    char key[64];
    harness_response first, again;
    json_t *j;

    tr_key(key, sizeof key, "ok");
    first = tr_post(s, s->token, key, body);
    tr_expect_status(&first, 201);
    j = tr_json(&first);
    assert_true(json_integer_value(json_object_get(j, "id")) > 0);
    assert_string_equal(json_string_value(json_object_get(j, "target")), "service");
    assert_string_equal(json_string_value(json_object_get(j, "rating")), "very_satisfied");
    assert_string_equal(json_string_value(json_object_get(j, "at")), TR_NOW);
    json_decref(j);

    again = tr_post(s, s->token, key, body);
    tr_expect_status(&again, 200);
    assert_string_equal(again.body, first.body);
    harness_response_free(&again);

    /* The same key with another body. */
    again = tr_post(s, s->token, key,
                    "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":\"basic\"}");
    tr_expect_error(&again, 409, "idempotency_conflict", NULL);

    /* Keys are per device: another kiosk's same key is a new rating. */
    again = tr_post(s, s->token2, key, body);
    tr_expect_status(&again, 201);
    assert_string_not_equal(again.body, first.body);
    harness_response_free(&again);
    harness_response_free(&first);
}

static void test_chinese_words_and_ticket_ratings_are_accepted(void **state)
{
    tr_state *s = *state;
    char key[64];
    harness_response r;
    json_t *j;

    r = tr_post(s, s->token, tr_key(key, sizeof key, "zh"),
                "{\"target\":\"guide\",\"service\":\"" TR_SERVICE "\",\"rating\":\"满意\"}");
    tr_expect_status(&r, 201);
    j = tr_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "rating")), "satisfied");
    assert_string_equal(json_string_value(json_object_get(j, "target")), "guide");
    json_decref(j);
    harness_response_free(&r);

    r = tr_post(s, s->token, tr_key(key, sizeof key, "ticket"),
                "{\"target\":\"ticket\",\"window\":\"win-tax\",\"ticket\":\"E023\","
                "\"rating\":\"非常不满意\",\"comment\":\"等了很久\\n窗口人少\","
                "\"helper_id\":\"h-007\"}");
    tr_expect_status(&r, 201);
    j = tr_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "rating")), "very_dissatisfied");
    json_decref(j);
    harness_response_free(&r);
}

static void test_each_invalid_field_is_400_naming_it(void **state)
{
    static const struct {
        const char *body, *code, *field;
    } cases[] = {
        { "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":\"great\"}",
          "invalid_field", "rating" },
        { "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\"}", "missing_field", "rating" },
        { "{\"target\":\"service\",\"service\":\"svc-nonesuch\",\"rating\":\"basic\"}",
          "invalid_field", "service" },
        { "{\"target\":\"guide\",\"rating\":\"basic\"}", "missing_field", "service" },
        { "{\"target\":\"window\",\"rating\":\"basic\"}", "invalid_field", "target" },
        { "{\"rating\":\"basic\"}", "missing_field", "target" },
        { "{\"target\":\"ticket\",\"window\":\"win-nonesuch\",\"rating\":\"basic\"}",
          "invalid_field", "window" },
        { "{\"target\":\"ticket\",\"ticket\":\"E23\",\"rating\":\"basic\"}", "invalid_field",
          "ticket" },
        { "{\"target\":\"guide\",\"service\":\"" TR_SERVICE "\",\"window\":\"win-tax\","
          "\"rating\":\"basic\"}",
          "invalid_field", "window" },
        { "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":\"basic\","
          "\"stars\":5}",
          "unknown_field", "stars" },
        { "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":5}",
          "invalid_field", "rating" },
        { "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":\"basic\","
          "\"helper_id\":\"a b\"}",
          "invalid_field", "helper_id" },
        { "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":\"basic\","
          "\"comment\":\"bell\\u0007\"}",
          "invalid_field", "comment" },
    };
    tr_state *s = *state;
    char key[64];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        harness_response r = tr_post(s, s->token, tr_key(key, sizeof key, "bad"), cases[i].body);
        tr_expect_error(&r, 400, cases[i].code, cases[i].field);
    }
}

static void test_comment_is_counted_in_characters(void **state)
{
    tr_state *s = *state;
    char body[4096], key[64], comment[501 * 3 + 1];
    harness_response r;

    /* 500 CJK characters (1500 bytes) are fine; 501 are not. */
    for (int n = 500; n <= 501; n++) {
        comment[0] = '\0';
        for (int i = 0; i < n; i++)
            strcat(comment, "好");
        snprintf(body, sizeof body,
                 "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":\"basic\","
                 "\"comment\":\"%s\"}",
                 comment);
        r = tr_post(s, s->token, tr_key(key, sizeof key, "len"), body);
        if (n == 500) {
            tr_expect_status(&r, 201);
            harness_response_free(&r);
        } else {
            tr_expect_error(&r, 400, "invalid_field", "comment");
        }
    }
}

static void test_key_token_and_size_are_checked(void **state)
{
    tr_state *s = *state;
    const char *body = "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":\"basic\"}";
    char big[5000], key[64];
    harness_response r;

    r = tr_post(s, s->token, NULL, body);
    tr_expect_error(&r, 400, "invalid_idempotency_key", NULL);
    r = tr_post(s, s->token, "short", body);
    tr_expect_error(&r, 400, "invalid_idempotency_key", NULL);
    r = tr_post(s, s->op, tr_key(key, sizeof key, "op"), body);
    tr_expect_error(&r, 403, "forbidden", NULL);
    r = tr_post(s, NULL, tr_key(key, sizeof key, "anon"), body);
    tr_expect_error(&r, 401, "unauthorized", NULL);
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, body, strlen(body));
    r = tr_post(s, s->token, tr_key(key, sizeof key, "big"), big);
    tr_expect_error(&r, 413, "too_large", NULL);
    r = tr_post(s, s->token, tr_key(key, sizeof key, "json"), "{\"target\":");
    tr_expect_error(&r, 400, "invalid_json", NULL);
}

static void test_ctl_rating_list_and_report_show_the_ratings(void **state)
{
    tr_state *s = *state;
    const char *list[] = { "rating", "list", "--json", NULL };
    const char *text[] = { "rating", "list", NULL };
    const char *report[] = { "report", "--from", "2026-11-24", "--to", "2026-11-24", "--json",
                             NULL };
    char key[64], *out = NULL;
    harness_response r;
    json_t *doc, *rows, *first, *counts, *block;
    json_int_t total, id;

    r = tr_post(s, s->token, tr_key(key, sizeof key, "ctl"),
                "{\"target\":\"service\",\"service\":\"" TR_SERVICE "\",\"rating\":\"dissatisfied\","
                "\"comment\":\"材料清单不清楚\"}");
    tr_expect_status(&r, 201);
    doc = tr_json(&r);
    id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    harness_response_free(&r);

    assert_int_equal(harness_ctl(&s->h, &out, list), 0);
    assert_non_null(out);
    doc = json_loads(out, 0, NULL);
    if (!doc)
        fail_msg("rating list --json is not JSON: %s", out);
    rows = json_object_get(doc, "ratings");
    assert_true(json_array_size(rows) >= 1);
    first = json_array_get(rows, 0); /* newest first: the highest id at one frozen time */
    assert_int_equal(json_integer_value(json_object_get(first, "id")), id);
    assert_string_equal(json_string_value(json_object_get(first, "rating")), "dissatisfied");
    assert_string_equal(json_string_value(json_object_get(first, "rating_zh")), "不满意");
    assert_string_equal(json_string_value(json_object_get(first, "service")), TR_SERVICE);
    assert_string_equal(json_string_value(json_object_get(first, "device_id")), s->device);
    assert_string_equal(json_string_value(json_object_get(first, "comment")), "材料清单不清楚");
    total = json_integer_value(json_object_get(doc, "total"));
    assert_int_equal((json_int_t)json_array_size(rows), total);
    counts = json_object_get(doc, "counts");
    assert_true(json_integer_value(json_object_get(counts, "dissatisfied")) >= 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "very_satisfied")) +
                         json_integer_value(json_object_get(counts, "satisfied")) +
                         json_integer_value(json_object_get(counts, "basic")) +
                         json_integer_value(json_object_get(counts, "dissatisfied")) +
                         json_integer_value(json_object_get(counts, "very_dissatisfied")),
                     total);
    assert_true(json_is_real(json_object_get(doc, "satisfaction")));
    json_decref(doc);
    free(out);
    out = NULL;

    assert_int_equal(harness_ctl(&s->h, &out, text), 0);
    assert_non_null(out);
    assert_non_null(strstr(out, "dissatisfied"));
    assert_non_null(strstr(out, "满意率"));
    free(out);
    out = NULL;

    assert_int_equal(harness_ctl(&s->h, &out, report), 0);
    doc = out ? json_loads(out, 0, NULL) : NULL;
    if (!doc)
        fail_msg("report --json is not JSON: %s", out ? out : "");
    block = json_object_get(doc, "service_ratings");
    assert_non_null(block);
    assert_int_equal(json_integer_value(json_object_get(block, "count")), total);
    assert_true(json_is_real(json_object_get(block, "satisfaction")));
    json_decref(doc);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rating_is_201_and_a_replay_is_200_with_the_same_reply),
        cmocka_unit_test(test_chinese_words_and_ticket_ratings_are_accepted),
        cmocka_unit_test(test_each_invalid_field_is_400_naming_it),
        cmocka_unit_test(test_comment_is_counted_in_characters),
        cmocka_unit_test(test_key_token_and_size_are_checked),
        cmocka_unit_test(test_ctl_rating_list_and_report_show_the_ratings),
    };
    return cmocka_run_group_tests(tests, tr_setup, tr_teardown);
}
