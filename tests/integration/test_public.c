/* test_public.c — the public pages behind the slips' QR codes on a real
 * qifu-syncd: GET /track/{no} (the form without phone4 that says nothing
 * of the case, one byte-identical not-found page for wrong digits and
 * unknown numbers, the status and timeline with the right digits, HTML
 * escaping of staff notes, the per-case look-up limit shared with the API,
 * ?format=json being the API's view) and GET /queue/{number} (window,
 * people ahead, last call, not found), with the headers every public page
 * carries.
 *
 * The clock is frozen with QIFU_FAKE_NOW so times on the pages are known.
 * Cases are moved through the rules by opening the daemon's database from
 * the test (WAL allows a second writer) and calling store_cases.c, as the
 * staff workflow would. Nothing sleeps. */
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
#include "qf_calendar.h"
#include "qf_case.h"
#include "qf_clock.h"
#include "store.h"
#include "store_cases.h"

#define TP_NOW "2026-11-24T09:30:00+08:00"
#define TP_NOW_SHOWN "2026-11-24 09:30"
#define TP_USCC "91330100716105852F"
#define TP_ENTERPRISE "杭州钱塘示例生物科技有限公司"

typedef struct tp_state {
    harness h;
    char token[64], device[64], op[64];
} tp_state;

static int tp_setup(void **state)
{
    static tp_state s;
    const char *args[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    char *out = NULL;
    int rc;

    memset(&s, 0, sizeof s);
    setenv("QIFU_FAKE_NOW", TP_NOW, 1);
    harness_start(&s.h, false);
    rc = harness_ctl(&s.h, &out, args);
    if (rc != 0)
        fail_msg("catalog import exited %d: %s", rc, out ? out : "");
    free(out);
    harness_enroll(&s.h, "kiosk-1", s.token, s.device);
    harness_operator(&s.h, "queue-op", s.op);
    *state = &s;
    return 0;
}

static int tp_teardown(void **state)
{
    tp_state *s = *state;
    harness_stop(&s->h);
    return 0;
}

/* ---- helpers -------------------------------------------------------------- */

static harness_response tp_get(tp_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static harness_response tp_get(tp_state *s, const char *fmt, ...)
{
    char path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return harness_request(&s->h, "GET", path, NULL, NULL, NULL);
}

static void tp_expect_status(const harness_response *r, long status)
{
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
}

static void tp_expect_in(const harness_response *r, const char *needle)
{
    if (!strstr(r->body, needle))
        fail_msg("the page lacks \"%s\":\n%s", needle, r->body);
}

static void tp_expect_not_in(const harness_response *r, const char *needle)
{
    if (strstr(r->body, needle))
        fail_msg("the page shows \"%s\":\n%s", needle, r->body);
}

/* The headers every public HTML page carries: no caching, a policy that
 * allows no script, no MIME sniffing. */
static void tp_expect_public_headers(const harness_response *r)
{
    const char *csp = strstr(r->headers, "Content-Security-Policy: ");
    char line[512];
    assert_non_null(strstr(r->headers, "Content-Type: text/html; charset=utf-8"));
    assert_non_null(strstr(r->headers, "Cache-Control: no-store"));
    assert_non_null(strstr(r->headers, "X-Content-Type-Options: nosniff"));
    assert_non_null(csp);
    snprintf(line, sizeof line, "%.*s", (int)strcspn(csp, "\r\n"), csp);
    assert_non_null(strstr(line, "default-src 'none'"));
    assert_null(strstr(line, "script-src"));
    assert_null(strstr(line, "unsafe-inline"));
    assert_null(strstr(r->body, "<script"));
}

/* Submits a valid 诉求 with mobile 138 1234 5678; copies its number. */
static void tp_submit(tp_state *s, char no[SD_CASE_NO_MAX])
{
    static unsigned n;
    char key[64], header[96];
    const char *headers[] = { header, NULL };
    const char *body = "{\"kind\":\"request\",\"board\":\"board-request\","
                       "\"enterprise_name\":\"" TP_ENTERPRISE "\",\"credit_code\":\"" TP_USCC
                       "\",\"contact_name\":\"王女士\",\"mobile\":\"138 1234 5678\","
                       "\"description\":\"厂房消防验收进度咨询，希望了解还缺哪些材料。\"}";
    harness_response r;
    json_t *j;

    snprintf(key, sizeof key, "tp-%04u-submit", ++n);
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    r = harness_request(&s->h, "POST", "/api/v1/cases", s->token, body, headers);
    tp_expect_status(&r, 201);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    snprintf(no, SD_CASE_NO_MAX, "%s", json_string_value(json_object_get(j, "case_no")));
    assert_true(sd_case_no_valid(no));
    json_decref(j);
    harness_response_free(&r);
}

/* Triages case no (single, one department) with a public note, through the
 * store on the daemon's live database. */
static void tp_triage_with_note(tp_state *s, const char *no, const char *note_text)
{
    sd_store *store = NULL;
    qf_calendar *cal = NULL;
    qf_case_event triage = { .type = QF_CASE_EV_TRIAGE, .at = qf_clock_now(),
                             .kind = QF_CASE_KIND_SINGLE, .unit = "scjgj" };
    qf_case_state st;
    json_t *note = json_pack("{s:s}", "note", note_text);
    char err[256] = "";

    assert_int_equal(sd_store_open(s->h.db, &store, err, sizeof err), QF_OK);
    assert_int_equal(qf_calendar_new(&cal), QF_OK);
    assert_int_equal(qf_calendar_load_dir(cal, QIFU_SOURCE_DIR "/config/holidays", err,
                                          sizeof err),
                     QF_OK);
    if (sd_store_case_apply(store, no, &triage, "staff:test", note, cal, &st, err, sizeof err) !=
        QF_OK)
        fail_msg("triage: %s", err);
    assert_int_equal(st.status, QF_CASE_IN_PROGRESS);
    json_decref(note);
    qf_calendar_free(cal);
    sd_store_close(store);
}

/* Replaces every occurrence of from (same length as to) in s. */
static void tp_replace(char *s, const char *from, const char *to)
{
    size_t n = strlen(from);
    assert_int_equal(n, strlen(to));
    for (char *p = strstr(s, from); p; p = strstr(p + n, from))
        memcpy(p, to, n);
}

/* ---- /track --------------------------------------------------------------- */

static void test_track_without_phone4_is_a_form_that_reveals_nothing(void **state)
{
    tp_state *s = *state;
    char no[SD_CASE_NO_MAX];
    const char *unknown = "QT20000101-9999";
    harness_response known, other;

    tp_submit(s, no);
    assert_int_equal(strlen(no), strlen(unknown));
    known = tp_get(s, "/track/%s", no);
    tp_expect_status(&known, 200);
    tp_expect_public_headers(&known);
    tp_expect_in(&known, "<form method=\"get\"");
    tp_expect_in(&known, "name=\"phone4\"");
    tp_expect_in(&known, "后4位");
    tp_expect_not_in(&known, "138****5678");
    tp_expect_not_in(&known, "待交办");
    tp_expect_not_in(&known, TP_ENTERPRISE);
    /* The form for a number that does not exist is the same page. */
    other = tp_get(s, "/track/%s", unknown);
    tp_expect_status(&other, 200);
    tp_replace(known.body, no, "XXXXXXXXXXXXXXX");
    tp_replace(other.body, unknown, "XXXXXXXXXXXXXXX");
    assert_string_equal(known.body, other.body);
    harness_response_free(&known);
    harness_response_free(&other);

    /* Digits that are not four digits: the form again, with a hint, 400. */
    known = tp_get(s, "/track/%s?phone4=56a8", no);
    tp_expect_status(&known, 400);
    tp_expect_in(&known, "请输入4位数字");
    tp_expect_not_in(&known, "138****5678");
    harness_response_free(&known);
}

static void test_track_wrong_digits_is_byte_identical_to_an_unknown_number(void **state)
{
    tp_state *s = *state;
    char no[SD_CASE_NO_MAX];
    harness_response wrong, unknown, malformed;

    tp_submit(s, no);
    wrong = tp_get(s, "/track/%s?phone4=0000", no);
    unknown = tp_get(s, "/track/QT20000101-9999?phone4=5678");
    malformed = tp_get(s, "/track/not-a-case?phone4=5678");
    tp_expect_status(&wrong, 404);
    tp_expect_status(&unknown, 404);
    tp_expect_status(&malformed, 404);
    tp_expect_public_headers(&wrong);
    assert_int_equal(wrong.len, unknown.len);
    assert_memory_equal(wrong.body, unknown.body, wrong.len);
    assert_string_equal(wrong.body, malformed.body);
    tp_expect_in(&wrong, "未找到");
    tp_expect_not_in(&wrong, no);
    tp_expect_not_in(&wrong, "5678");
    harness_response_free(&wrong);
    harness_response_free(&unknown);
    harness_response_free(&malformed);
}

static void test_track_right_digits_show_status_times_and_timeline(void **state)
{
    tp_state *s = *state;
    char no[SD_CASE_NO_MAX];
    harness_response r;

    tp_submit(s, no);
    r = tp_get(s, "/track/%s?phone4=5678", no);
    tp_expect_status(&r, 200);
    tp_expect_public_headers(&r);
    tp_expect_in(&r, no);
    tp_expect_in(&r, "待交办");              /* status label */
    tp_expect_in(&r, "已提交");              /* the timeline's first entry */
    tp_expect_in(&r, TP_NOW_SHOWN);          /* submitted time, Shanghai */
    tp_expect_in(&r, "138****5678");
    tp_expect_not_in(&r, "13812345678");
    tp_expect_not_in(&r, TP_USCC);
    tp_expect_not_in(&r, TP_ENTERPRISE);
    tp_expect_not_in(&r, s->device);         /* who took it in stays staff-side */
    harness_response_free(&r);
}

static void test_track_escapes_a_note_holding_markup(void **state)
{
    tp_state *s = *state;
    char no[SD_CASE_NO_MAX];
    harness_response r;

    tp_submit(s, no);
    tp_triage_with_note(s, no, "<script>alert('x')</script> & \"材料\"");
    r = tp_get(s, "/track/%s?phone4=5678", no);
    tp_expect_status(&r, 200);
    tp_expect_in(&r, "办理中");              /* in progress after triage */
    tp_expect_in(&r, "分类交办");            /* the triage event's label */
    tp_expect_in(&r, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;材料&quot;");
    tp_expect_not_in(&r, "<script");
    tp_expect_not_in(&r, "staff:test");      /* actors stay staff-side */
    tp_expect_not_in(&r, "scjgj");
    harness_response_free(&r);
}

static void test_track_lookups_share_the_api_limit_of_the_case(void **state)
{
    tp_state *s = *state;
    char no[SD_CASE_NO_MAX], other[SD_CASE_NO_MAX], path[128];
    harness_response r;

    tp_submit(s, no);
    tp_submit(s, other);
    /* The burst is 10; wrong guesses count like right ones. */
    for (int i = 0; i < 10; i++) {
        r = tp_get(s, "/track/%s?phone4=%s", no, i % 2 ? "5678" : "0000");
        tp_expect_status(&r, i % 2 ? 200 : 404);
        harness_response_free(&r);
    }
    r = tp_get(s, "/track/%s?phone4=5678", no);
    tp_expect_status(&r, 429);
    tp_expect_public_headers(&r);
    assert_non_null(strstr(r.headers, "Retry-After: "));
    tp_expect_not_in(&r, "138****5678");
    harness_response_free(&r);
    /* The API's look-up of the same case draws on the same bucket. */
    snprintf(path, sizeof path, "/api/v1/cases/%s?phone4=5678", no);
    r = harness_request(&s->h, "GET", path, s->token, NULL, NULL);
    tp_expect_status(&r, 429);
    harness_response_free(&r);
    /* The form needs no token, and another case has its own bucket. */
    r = tp_get(s, "/track/%s", no);
    tp_expect_status(&r, 200);
    harness_response_free(&r);
    r = tp_get(s, "/track/%s?phone4=5678", other);
    tp_expect_status(&r, 200);
    harness_response_free(&r);
}

static void test_track_format_json_is_the_api_view(void **state)
{
    tp_state *s = *state;
    char no[SD_CASE_NO_MAX], path[128];
    harness_response page, api;

    tp_submit(s, no);
    page = tp_get(s, "/track/%s?phone4=5678&format=json", no);
    tp_expect_status(&page, 200);
    assert_non_null(strstr(page.headers, "Content-Type: application/json"));
    snprintf(path, sizeof path, "/api/v1/cases/%s?phone4=5678", no);
    api = harness_request(&s->h, "GET", path, s->token, NULL, NULL);
    tp_expect_status(&api, 200);
    assert_string_equal(page.body, api.body);
    harness_response_free(&page);
    harness_response_free(&api);
    page = tp_get(s, "/track/%s?phone4=0000&format=json", no);
    tp_expect_status(&page, 404);
    harness_response_free(&page);
}

/* ---- /queue --------------------------------------------------------------- */

/* Takes a ticket at window; copies its number. */
static void tp_take(tp_state *s, const char *window, char number[16])
{
    char body[96];
    harness_response r;
    json_t *j;
    snprintf(body, sizeof body, "{\"window\":\"%s\"}", window);
    r = harness_request(&s->h, "POST", "/api/v1/tickets", s->token, body, NULL);
    tp_expect_status(&r, 201);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    snprintf(number, 16, "%s", json_string_value(json_object_get(j, "number")));
    json_decref(j);
    harness_response_free(&r);
}

static void test_queue_page_shows_window_people_ahead_and_last_call(void **state)
{
    tp_state *s = *state;
    char first[16], second[16], third[16];
    harness_response r;

    tp_take(s, "win-tax", first);
    tp_take(s, "win-tax", second);
    tp_take(s, "win-tax", third);
    r = tp_get(s, "/queue/%s", third);
    tp_expect_status(&r, 200);
    tp_expect_public_headers(&r);
    tp_expect_in(&r, third);
    tp_expect_in(&r, "纳税服务综合受理窗口"); /* the window's catalog name */
    tp_expect_in(&r, "等候中");
    tp_expect_in(&r, "前面还有");
    tp_expect_in(&r, "<dd class=\"big\">2</dd>");
    tp_expect_in(&r, "尚未叫号");
    harness_response_free(&r);

    r = harness_request(&s->h, "POST", "/api/v1/queues/win-tax/call", s->op, NULL, NULL);
    tp_expect_status(&r, 200);
    harness_response_free(&r);
    r = tp_get(s, "/queue/%s", third);
    tp_expect_status(&r, 200);
    tp_expect_in(&r, "<dd class=\"big\">1</dd>");
    tp_expect_not_in(&r, "尚未叫号");
    tp_expect_in(&r, first);                 /* now calling */
    harness_response_free(&r);
    r = tp_get(s, "/queue/%s", first);
    tp_expect_status(&r, 200);
    tp_expect_in(&r, "已叫号");
    tp_expect_not_in(&r, "前面还有");
    harness_response_free(&r);
    (void)second;
}

static void test_queue_page_unknown_number_is_not_found(void **state)
{
    tp_state *s = *state;
    harness_response r;

    r = tp_get(s, "/queue/Z999");
    tp_expect_status(&r, 404);
    tp_expect_public_headers(&r);
    tp_expect_in(&r, "未找到该号码");
    harness_response_free(&r);
    r = tp_get(s, "/queue/%%3Cb%%3E");      /* "<b>": not a number, not echoed */
    tp_expect_status(&r, 404);
    tp_expect_not_in(&r, "<b>");
    harness_response_free(&r);
    r = tp_get(s, "/queue/A001?hall=elsewhere");
    tp_expect_status(&r, 404);
    harness_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track_without_phone4_is_a_form_that_reveals_nothing),
        cmocka_unit_test(test_track_wrong_digits_is_byte_identical_to_an_unknown_number),
        cmocka_unit_test(test_track_right_digits_show_status_times_and_timeline),
        cmocka_unit_test(test_track_escapes_a_note_holding_markup),
        cmocka_unit_test(test_track_lookups_share_the_api_limit_of_the_case),
        cmocka_unit_test(test_track_format_json_is_the_api_view),
        cmocka_unit_test(test_queue_page_shows_window_people_ahead_and_last_call),
        cmocka_unit_test(test_queue_page_unknown_number_is_not_found),
    };
    return cmocka_run_group_tests(tests, tp_setup, tp_teardown);
}
