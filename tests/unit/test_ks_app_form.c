/* test_ks_app_form.c — the writing flows' state (ks_app_form.c,
 * ks_app_progress.c): field editing and validation with the daemon's
 * rules and reasons, the review gate, the submission's phases (saved,
 * sending, accepted, saved offline, refused), another issue in the same
 * visit, a scanner burst filling the enterprise fields, the progress
 * look-up and feedback, the service rating's body, and the wipe at
 * session end. No SDL, no network, no libpinyin (latin keys only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_catalog.h"
#include <jansson.h>

#include "ks_app.h"

#define GOOD_USCC "91330100716105852F"
#define BAD_USCC  "91330100716105852A"

static void start(ks_app *app, bool server, bool online)
{
    ks_app_init(app, 90);
    ks_app_catalog_take(app, load_catalog(), 1);
    ks_app_configure(app, false, server);
    ks_app_set_online(app, online);
    ks_app_session_start(app, 0);
}

/* Types into the focused field as a physical keyboard would (latin layer:
 * no engine is loaded, so nothing composes). */
static void type_into(ks_app *app, ks_field f, const char *text)
{
    ks_app_field_focus(app, f);
    assert_int_equal(app->form.focus, f);
    ks_app_text(app, text);
}

static void fill_valid(ks_app *app)
{
    type_into(app, KS_FIELD_ENTERPRISE, "杭州钱塘示例生物科技有限公司");
    type_into(app, KS_FIELD_USCC, GOOD_USCC);
    type_into(app, KS_FIELD_CONTACT, "王女士");
    type_into(app, KS_FIELD_MOBILE, "13812345678");
    type_into(app, KS_FIELD_DESCRIPTION, "厂房消防验收进度咨询，希望了解还缺哪些材料。");
    ks_app_field_focus(app, KS_FIELD_NONE);
}

static void test_credit_code_and_mobile_are_refused_with_reasons(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true, true);
    ks_app_form_open(&app, false);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_FORM);
    /* As you type: an incomplete code says how many are missing. */
    type_into(&app, KS_FIELD_USCC, "9133010071");
    assert_non_null(strstr(app.form.error[KS_FIELD_USCC], "还差8位"));
    ks_app_text(&app, "6105852A");
    /* The wrong check character: the same sentence the daemon gives. */
    assert_non_null(strstr(app.form.error[KS_FIELD_USCC], "第18位"));
    assert_non_null(strstr(app.form.error[KS_FIELD_USCC], "F"));
    /* Backspace through the keyboard, then the right character. */
    ks_app_key(&app, "backspace");
    ks_app_text(&app, "f");   /* lower case is upper-cased in a code field */
    assert_string_equal(app.form.text[KS_FIELD_USCC], GOOD_USCC);
    assert_string_equal(app.form.error[KS_FIELD_USCC], "");

    type_into(&app, KS_FIELD_MOBILE, "1381234567");   /* 10 digits */
    assert_non_null(strstr(app.form.error[KS_FIELD_MOBILE], "11位手机号码"));
    ks_app_text(&app, "8");
    assert_string_equal(app.form.error[KS_FIELD_MOBILE], "");
    /* Leaving a short description shows its error, not before. */
    type_into(&app, KS_FIELD_DESCRIPTION, "太短了");
    assert_string_equal(app.form.error[KS_FIELD_DESCRIPTION], "");
    ks_app_field_focus(&app, KS_FIELD_CONTACT);
    assert_non_null(strstr(app.form.error[KS_FIELD_DESCRIPTION], "至少写10个字"));
    ks_app_cleanup(&app);
}

static void test_review_refuses_until_complete_then_submit_saves(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true, true);
    ks_app_form_open(&app, false);
    ks_app_form_review(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_FORM);
    assert_true(app.form.error[KS_FIELD_ENTERPRISE][0] != '\0');
    fill_valid(&app);
    ks_app_form_review(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_FORM);
    assert_non_null(strstr(app.form.choose_error, "服务板块"));   /* no board yet */
    ks_app_form_board(&app, "board-nonexistent");
    assert_string_equal(app.form.board_id, "");
    ks_app_form_board(&app, "board-request");
    ks_app_form_review(&app);
    assert_non_null(strstr(app.form.choose_error, "个人信息"));   /* not agreed yet */
    ks_app_form_agree_toggle(&app);
    ks_app_form_review(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_REVIEW);
    ks_app_form_edit(&app);                                      /* back to editing keeps all */
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_FORM);
    assert_string_equal(app.form.text[KS_FIELD_USCC], GOOD_USCC);
    ks_app_form_review(&app);
    ks_app_form_submit(&app);
    assert_int_equal(app.form.phase, KS_FORM_SAVE);

    char *body = NULL;
    assert_int_equal(ks_app_form_body(&app, &body), QF_OK);
    json_error_t jerr;
    json_t *o = json_loads(body, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "request");
    assert_string_equal(json_string_value(json_object_get(o, "board")), "board-request");
    assert_string_equal(json_string_value(json_object_get(o, "credit_code")), GOOD_USCC);
    assert_string_equal(json_string_value(json_object_get(o, "mobile")), "13812345678");
    assert_string_equal(json_string_value(json_object_get(o, "channel")), "kiosk");
    assert_null(json_object_get(o, "fallback_category"));
    json_decref(o);
    free(body);

    ks_app_form_saved(&app, "L20261124-0001", 5000);
    assert_int_equal(app.form.phase, KS_FORM_SENDING);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_RECEIPT);
    assert_string_equal(app.form.text[KS_FIELD_DESCRIPTION], "");   /* sent: not kept */
    /* Another item's answer is not this receipt's. */
    ks_app_form_delivered(&app, "L20261124-0009", true, "QT20261124-0099", "https://x/track/QT",
                          "138****5678", "", "135", NULL);
    assert_int_equal(app.form.phase, KS_FORM_SENDING);
    ks_app_form_delivered(&app, "L20261124-0001", true, "QT20261124-0001",
                          "https://x/track/QT20261124-0001", "138****5678",
                          "2026-11-24T10:00:00+08:00", "135", NULL);
    assert_int_equal(app.form.phase, KS_FORM_ACCEPTED);
    assert_string_equal(app.form.case_no, "QT20261124-0001");
    ks_app_cleanup(&app);
}

static void test_no_answer_in_time_says_saved_and_a_late_answer_upgrades(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true, true);
    ks_app_form_open(&app, true);
    fill_valid(&app);
    ks_app_form_category(&app, KS_FALLBACK_NO_LEAD);
    ks_app_form_agree_toggle(&app);
    ks_app_form_review(&app);
    ks_app_form_submit(&app);
    char *body = NULL;
    assert_int_equal(ks_app_form_body(&app, &body), QF_OK);
    assert_non_null(strstr(body, "\"fallback_category\":\"no_lead\""));
    assert_non_null(strstr(body, "\"kind\":\"fallback\""));
    free(body);
    ks_app_form_saved(&app, "L20261124-0002", 1000);
    assert_int_equal(ks_app_form_deadline_ms(&app, 1000), KS_FORM_ACK_WAIT_MS);
    ks_app_tick(&app, 1000 + KS_FORM_ACK_WAIT_MS - 1);
    assert_int_equal(app.form.phase, KS_FORM_SENDING);
    ks_app_tick(&app, 1000 + KS_FORM_ACK_WAIT_MS);
    assert_int_equal(app.form.phase, KS_FORM_SAVED);
    ks_app_form_delivered(&app, "L20261124-0002", true, "QT20261124-0002", "u", "m", "", "3135",
                          NULL);
    assert_int_equal(app.form.phase, KS_FORM_ACCEPTED);
    assert_string_equal(app.form.rule, "3135");
    ks_app_cleanup(&app);
}

static void test_offline_saves_at_once_and_refusal_is_shown(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true, false);     /* the daemon did not answer last time */
    ks_app_form_open(&app, false);
    fill_valid(&app);
    ks_app_form_board(&app, "board-talent");
    ks_app_form_agree_toggle(&app);
    ks_app_form_review(&app);
    ks_app_form_submit(&app);
    ks_app_form_saved(&app, "L20261124-0003", 0);
    assert_int_equal(app.form.phase, KS_FORM_SAVED);
    assert_int_equal(ks_app_form_deadline_ms(&app, 0), UINT32_MAX);
    ks_app_form_delivered(&app, "L20261124-0003", false, NULL, NULL, NULL, NULL, NULL,
                          "没有这个服务板块");
    assert_int_equal(app.form.phase, KS_FORM_REFUSED);
    assert_string_equal(app.form.refusal, "没有这个服务板块");
    ks_app_cleanup(&app);
}

static void test_another_issue_keeps_the_enterprise_and_session_end_wipes(void **state)
{
    (void)state;
    ks_app app;
    start(&app, false, false);
    ks_app_form_open(&app, false);
    fill_valid(&app);
    ks_app_form_board(&app, "board-talent");
    ks_app_form_agree_toggle(&app);
    ks_app_form_review(&app);
    ks_app_form_submit(&app);
    ks_app_form_saved(&app, "L20261124-0004", 0);
    ks_app_form_another(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_FORM);
    assert_int_equal(app.form.submitted, 1);
    assert_string_equal(app.form.text[KS_FIELD_USCC], GOOD_USCC);
    assert_string_equal(app.form.text[KS_FIELD_CONTACT], "王女士");
    assert_string_equal(app.form.text[KS_FIELD_DESCRIPTION], "");
    assert_string_equal(app.form.board_id, "");
    type_into(&app, KS_FIELD_DESCRIPTION, "第二个问题：人才公寓申请条件咨询。");
    ks_app_session_end(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_IDLE);
    /* Every byte of every field is zero, not just the first. */
    const unsigned char *p = (const unsigned char *)app.form.text;
    for (size_t i = 0; i < sizeof app.form.text; i++)
        assert_int_equal(p[i], 0);
    assert_int_equal(app.form.submitted, 0);
    assert_int_equal(app.form.focus, KS_FIELD_NONE);
    assert_false(app.kb.open);
    ks_app_cleanup(&app);
}

static void test_a_scanned_enterprise_code_fills_the_fields(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true, true);
    ks_app_form_open(&app, false);
    type_into(&app, KS_FIELD_CONTACT, "王");
    const char *qr = "{\"name\":\"杭州钱塘示例生物科技有限公司\",\"uscc\":\"" GOOD_USCC "\"}";
    ks_app_text(&app, qr);          /* the scanner typed into the focused field */
    ks_app_scan(&app, qr);
    assert_string_equal(app.form.text[KS_FIELD_USCC], GOOD_USCC);
    assert_string_equal(app.form.text[KS_FIELD_ENTERPRISE], "杭州钱塘示例生物科技有限公司");
    assert_string_equal(app.form.text[KS_FIELD_CONTACT], "王");   /* taken back out */
    /* A plain code in lower case inside a URL works too. */
    ks_app_form_wipe(&app);
    ks_app_scan(&app, "https://qiye.example/code?c=91330100716105852f&t=1");
    assert_string_equal(app.form.text[KS_FIELD_USCC], GOOD_USCC);
    /* Something without a code changes nothing. */
    ks_app_form_wipe(&app);
    ks_app_scan(&app, "https://example.com/no-code-here/1234567890");
    assert_string_equal(app.form.text[KS_FIELD_USCC], "");
    ks_app_cleanup(&app);
}

static void test_progress_lookup_answer_and_feedback_body(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true, true);
    ks_app_progress_open(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_PROGRESS);
    assert_int_equal(app.form.focus, KS_FIELD_CASE_NO);
    ks_app_text(&app, "qt20261124-0001");
    assert_string_equal(app.form.text[KS_FIELD_CASE_NO], "QT20261124-0001");
    ks_app_key(&app, "enter");      /* to the digits */
    assert_int_equal(app.form.focus, KS_FIELD_PHONE4);
    ks_app_text(&app, "56a78");     /* letters never reach a digits field */
    assert_string_equal(app.form.text[KS_FIELD_PHONE4], "5678");
    ks_app_key(&app, "enter");      /* the last field: look it up */
    assert_int_equal(app.progress.phase, KS_PROGRESS_ASK);
    uint64_t id = app.progress.request_id;
    ks_app_progress_asked(&app);
    assert_int_equal(app.progress.phase, KS_PROGRESS_WAIT);
    ks_app_progress_answer(&app, id + 7, KS_PROGRESS_NONE, NULL);   /* stale */
    assert_int_equal(app.progress.phase, KS_PROGRESS_WAIT);

    ks_app_progress view;
    memset(&view, 0, sizeof view);
    snprintf(view.case_no, sizeof view.case_no, "QT20261124-0001");
    snprintf(view.status, sizeof view.status, "lead_finished");
    snprintf(view.status_label, sizeof view.status_label, "已办结待评价");
    view.timeline_count = 1;
    snprintf(view.timeline[0].label, sizeof view.timeline[0].label, "已提交");
    ks_app_progress_answer(&app, id, KS_PROGRESS_SHOWN, &view);
    assert_int_equal(app.progress.phase, KS_PROGRESS_SHOWN);
    assert_string_equal(app.progress.status_label, "已办结待评价");

    ks_app_progress_feedback(&app);
    assert_false(app.progress.feedback_save);                      /* nothing chosen */
    assert_true(app.progress.feedback_error[0] != '\0');
    ks_app_progress_resolved(&app, true);
    ks_app_progress_rating(&app, 6);                               /* out of range */
    assert_int_equal(app.progress.rating, 0);
    ks_app_progress_rating(&app, 5);
    ks_app_progress_feedback(&app);
    assert_true(app.progress.feedback_save);
    char *path = NULL, *body = NULL;
    assert_int_equal(ks_app_progress_feedback_body(&app, &path, &body), QF_OK);
    assert_string_equal(path, "/api/v1/cases/QT20261124-0001/feedback");
    assert_non_null(strstr(body, "\"phone4\":\"5678\""));
    assert_non_null(strstr(body, "\"resolved\":true"));
    assert_non_null(strstr(body, "\"rating\":\"very_satisfied\""));
    free(path);
    free(body);
    ks_app_progress_feedback_saved(&app, true, NULL);
    assert_true(app.progress.feedback_saved);
    ks_app_cleanup(&app);
}

static void test_progress_refuses_malformed_input_without_asking(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true, true);
    ks_app_progress_open(&app);
    ks_app_text(&app, "QT2026");
    ks_app_progress_lookup(&app);
    assert_int_equal(app.progress.phase, KS_PROGRESS_EDIT);
    assert_true(app.form.error[KS_FIELD_CASE_NO][0] != '\0');
    assert_true(app.form.error[KS_FIELD_PHONE4][0] != '\0');
    ks_app_cleanup(&app);
}

static void test_service_rating_body(void **state)
{
    (void)state;
    ks_app app;
    start(&app, true, true);
    const qf_catalog_service *svc = &app.catalog->services[0];
    ks_app_service_open(&app, svc->id);
    ks_app_rate_open(&app, "guide");
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_RATE);
    ks_app_rate_submit(&app);
    assert_false(app.rate.save);              /* no level chosen */
    ks_app_rate_set(&app, 4);
    type_into(&app, KS_FIELD_COMMENT, "very clear guide");
    ks_app_rate_submit(&app);
    assert_true(app.rate.save);
    char *body = NULL;
    assert_int_equal(ks_app_rate_body(&app, &body), QF_OK);
    json_t *o = json_loads(body, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "target")), "guide");
    assert_string_equal(json_string_value(json_object_get(o, "service")), svc->id);
    assert_string_equal(json_string_value(json_object_get(o, "rating")), "satisfied");
    assert_string_equal(json_string_value(json_object_get(o, "comment")), "very clear guide");
    json_decref(o);
    free(body);
    ks_app_rate_saved(&app, true, NULL);
    assert_true(app.rate.saved);
    assert_string_equal(app.form.text[KS_FIELD_COMMENT], "");
    ks_app_cleanup(&app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credit_code_and_mobile_are_refused_with_reasons),
        cmocka_unit_test(test_review_refuses_until_complete_then_submit_saves),
        cmocka_unit_test(test_no_answer_in_time_says_saved_and_a_late_answer_upgrades),
        cmocka_unit_test(test_offline_saves_at_once_and_refusal_is_shown),
        cmocka_unit_test(test_another_issue_keeps_the_enterprise_and_session_end_wipes),
        cmocka_unit_test(test_a_scanned_enterprise_code_fills_the_fields),
        cmocka_unit_test(test_progress_lookup_answer_and_feedback_body),
        cmocka_unit_test(test_progress_refuses_malformed_input_without_asking),
        cmocka_unit_test(test_service_rating_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
