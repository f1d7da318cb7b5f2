/* test_kiosk_write.c — writing at the qifu-kiosk program, against the real
 * qifu-syncd over TLS (kiosk_site in kiosk_run.c):
 *   typing `qiye` on the enterprise field shows 企业 in the candidate bar and
 *     a 1 picks it into the field (libpinyin through the on-screen keyboard's
 *     state);
 *   a full request: a wrong credit code and a wrong mobile are refused with
 *     their reasons, the scanned enterprise code fills the fields, review,
 *     submit → 已受理 with the daemon's case number; the receipt's QR reads
 *     (zbarimg) as the tracking URL; exactly one case arrived;
 *   the daemon down: 已保存，联网后自动提交 with the kiosk's reference; the
 *     daemon back (same port) → the same receipt turns 已受理 and exactly one
 *     case arrived;
 *   the kiosk killed (SIGKILL) after the outbox write with the daemon down:
 *     a new kiosk on the same state folder delivers it once the daemon is up;
 *   my case progress: wrong digits show nothing (the same words as an unknown
 *     number), the right ones the state; after 办结 the feedback (已解决,
 *     非常满意) reaches the case and closes it;
 *   a service rating after a guide reaches `qifu-ctl rating list`.
 * Nothing sleeps to pass: scripts wait on text with limits, the test polls
 * files and the daemon with deadlines. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "kiosk_run.h"
#include "kiosk_scripts.h"

#define DEADLINE_MS 30000u

static kiosk_site site;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int run_kiosk(const char *name, const char *script)
{
    return kiosk_finish_in(site.dir, kiosk_start_in(site.dir, name, script), name);
}

static json_t *load_dump(const char *name)
{
    return kiosk_load_dump_in(site.dir, name);
}

static const char *field_text(json_t *dump, size_t nth)
{
    size_t i, seen = 0;
    json_t *w;
    json_array_foreach(json_object_get(dump, "widgets"), i, w) {
        const char *r = json_string_value(json_object_get(w, "role"));
        if (r && strcmp(r, "field") == 0 && seen++ == nth)
            return json_string_value(json_object_get(w, "text"));
    }
    return NULL;
}

/* Cases the daemon holds; with_no counts those numbered no (may be NULL). */
static size_t daemon_cases(const char *no, size_t *with_no)
{
    const char *args[] = { "case", "list", "--json", NULL };
    char *out = NULL;
    size_t i, n;
    json_t *row;
    kiosk_site_ctl(&site, args, &out);
    json_t *root = json_loads(out, 0, NULL);
    if (!root)
        fail_msg("case list --json: not JSON: %s", out);
    free(out);
    n = json_array_size(json_object_get(root, "cases"));
    if (with_no) {
        *with_no = 0;
        json_array_foreach(json_object_get(root, "cases"), i, row) {
            const char *c = json_string_value(json_object_get(row, "case_no"));
            *with_no += c && no && strcmp(c, no) == 0;
        }
    }
    json_decref(root);
    return n;
}

/* Items still pending in the kiosk's outbox (state 0 of kn_outbox.c's
 * items table), read beside the running kiosk (WAL allows it). */
static long outbox_pending(void)
{
    char path[512];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long n = -1;
    snprintf(path, sizeof path, "%s/state/outbox.db", site.dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_busy_timeout(db, 2000) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM items WHERE state = 0", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (n < 0)
        fail_msg("cannot read %s", path);
    return n;
}

static bool file_exists(const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", site.dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

static void wait_file(const char *name, pid_t kiosk)
{
    uint64_t end = now_ms() + DEADLINE_MS;
    while (!file_exists(name)) {
        int st;
        if (kiosk > 0 && waitpid(kiosk, &st, WNOHANG) == kiosk)
            fail_msg("the kiosk ended before writing %s", name);
        if (now_ms() > end)
            fail_msg("%s did not appear in time", name);
        poll(NULL, 0, 20);
    }
    poll(NULL, 0, 50);   /* the dump is written in one go; let it close */
}

/* The case number on the receipt ("受理编号 QT…"), copied into no. */
static void receipt_case_no(json_t *dump, char *no, size_t len)
{
    json_t *w = kiosk_dump_find(dump, "label", "受理编号 QT");
    assert_non_null(w);
    const char *t = strstr(json_string_value(json_object_get(w, "text")), "QT");
    assert_non_null(t);
    size_t n = strspn(t, "QT0123456789-");
    assert_true(n >= 15 && n < len);
    memcpy(no, t, n);
    no[n] = '\0';
}

/* ---- fixture ---------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    if (kiosk_site_setup(&site, "write") != 0)
        return -1;
    kiosk_site_config(&site, NULL, 600, NULL, NULL);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return kiosk_site_teardown(&site);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_typing_qiye_offers_qiye_and_a_digit_picks_it(void **state)
{
    (void)state;
    assert_int_equal(run_kiosk("ime", OPEN_FORM
                                      "type qiye\n"
                                      "dump ime-1.json\n"
                                      "type 1\n"
                                      "dump ime-2.json\n"
                                      "quit\n"),
                     0);
    json_t *d1 = load_dump("ime-1.json");
    json_t *cand = kiosk_dump_find(d1, "button", "企业");
    assert_non_null(cand);
    assert_string_equal(json_string_value(json_object_get(cand, "text")), "企业");
    assert_non_null(kiosk_dump_find(d1, "label", "qiye"));   /* the pinyin shown */
    json_decref(d1);
    json_t *d2 = load_dump("ime-2.json");
    assert_string_equal(field_text(d2, 0), "企业");
    assert_null(kiosk_dump_find(d2, "label", "qiye"));      /* nothing composing */
    json_decref(d2);
}

static char first_case[32];

static void test_a_full_request_is_accepted_with_a_tracking_qr_and_arrives_once(void **state)
{
    (void)state;
    size_t before = daemon_cases(NULL, NULL);
    assert_int_equal(run_kiosk("full", OPEN_FORM
                                       "type 杭州\n"
                                       "key Return\n"
                                       "type 91330100716105852A\n"
                                       "dump full-badcode.json\n"
                                       "tap-text 联系电话\n"
                                       "type 1381234567\n"
                                       "dump full-badmobile.json\n"
                                       BACKSPACE10
                                       "tap-text 统一社会信用代码\n"
                                       SCAN_CODE
                                       "dump full-scanned.json\n"
                                       FILL_REST
                                       "wait-text 已受理 20000\n"
                                       "dump full-receipt.json\n"
                                       "screenshot full-receipt.png\n"
                                       "quit\n"),
                     0);
    json_t *d = load_dump("full-badcode.json");
    assert_non_null(kiosk_dump_find(d, "label", "第18位"));
    json_decref(d);
    d = load_dump("full-badmobile.json");
    assert_non_null(kiosk_dump_find(d, "label", "11位手机号码"));
    json_decref(d);
    d = load_dump("full-scanned.json");
    assert_string_equal(field_text(d, 0), "杭州钱塘示例生物科技有限公司");
    assert_string_equal(field_text(d, 1), GOOD_USCC);
    assert_null(kiosk_dump_find(d, "label", "第18位"));
    json_decref(d);

    d = load_dump("full-receipt.json");
    assert_string_equal(kiosk_dump_screen(d), "receipt");
    receipt_case_no(d, first_case, sizeof first_case);
    assert_non_null(kiosk_dump_find(d, "label", "138****5678"));
    assert_non_null(kiosk_dump_find(d, "label", "135"));
    json_decref(d);

    size_t with_no = 0;
    assert_int_equal(daemon_cases(first_case, &with_no), before + 1);
    assert_int_equal(with_no, 1);

    char cmd[700], qr[512] = "";
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s/full-receipt.png'", site.dir);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    if (!fgets(qr, sizeof qr, fp))
        qr[0] = '\0';
    pclose(fp);
    qr[strcspn(qr, "\n")] = '\0';
    char want[64];
    snprintf(want, sizeof want, "/track/%s", first_case);
    assert_non_null(strstr(qr, want));
    assert_true(strncmp(qr, "https://", 8) == 0);
}

static void test_daemon_down_then_up_delivers_exactly_one_case(void **state)
{
    (void)state;
    size_t before = daemon_cases(NULL, NULL);
    harness_kill9(&site.h);
    pid_t k = kiosk_start_in(site.dir, "down",
                             OPEN_FORM SCAN_CODE FILL_REST
                             "wait-text 已保存 20000\n"
                             "dump down-saved.json\n"
                             "wait-text 已受理 40000\n"
                             "dump down-accepted.json\n"
                             "quit\n");
    wait_file("down-saved.json", k);
    json_t *d = load_dump("down-saved.json");
    assert_non_null(kiosk_dump_find(d, "label", "本机编号 L"));
    json_decref(d);
    harness_restart(&site.h);
    assert_int_equal(kiosk_finish_in(site.dir, k, "down"), 0);
    d = load_dump("down-accepted.json");
    char no[32];
    receipt_case_no(d, no, sizeof no);
    json_decref(d);
    size_t with_no = 0;
    assert_int_equal(daemon_cases(no, &with_no), before + 1);
    assert_int_equal(with_no, 1);
}

static void test_kiosk_killed_after_the_outbox_write_delivers_after_restart(void **state)
{
    (void)state;
    size_t before = daemon_cases(NULL, NULL);
    harness_kill9(&site.h);
    pid_t k = kiosk_start_in(site.dir, "killed",
                             OPEN_FORM SCAN_CODE FILL_REST
                             "wait-text 已保存 20000\n"
                             "dump killed-saved.json\n"
                             "wait-text 永远不会出现的字 60000\n");
    wait_file("killed-saved.json", k);
    kill(k, SIGKILL);
    int st;
    assert_int_equal(waitpid(k, &st, 0), k);
    assert_true(WIFSIGNALED(st));
    harness_restart(&site.h);
    assert_int_equal(daemon_cases(NULL, NULL), before);   /* nothing sent yet */
    /* A new kiosk on the same state folder: its worker sends the outbox. */
    pid_t k2 = kiosk_start_in(site.dir, "after", "wait-text 永远不会出现的字 60000\n");
    uint64_t end = now_ms() + DEADLINE_MS;
    while (daemon_cases(NULL, NULL) == before) {
        if (now_ms() > end) {
            kill(k2, SIGKILL);
            waitpid(k2, NULL, 0);
            kiosk_echo_stderr_in(site.dir, "after");
            fail_msg("the saved case did not arrive after the restart");
        }
        poll(NULL, 0, 100);
    }
    /* Once, and only once: the kiosk's outbox says the item is delivered
     * (nothing pending) before it is stopped, so no resend is still due. */
    end = now_ms() + DEADLINE_MS;
    while (outbox_pending() != 0) {
        if (now_ms() > end)
            fail_msg("the kiosk's outbox still holds a pending item");
        poll(NULL, 0, 50);
    }
    kill(k2, SIGKILL);
    waitpid(k2, NULL, 0);
    assert_int_equal(daemon_cases(NULL, NULL), before + 1);
}

static void test_progress_needs_the_right_digits_and_feedback_reaches_the_case(void **state)
{
    (void)state;
    assert_true(first_case[0] != '\0');
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 960\n"
             "wait-text 人才服务 20000\n"
             "tap-text 我的诉求进度\n"
             "type %s\n"
             "key Return\n"
             "type 0000\n"
             "key Return\n"
             "wait-text 没有找到 15000\n"
             "dump progress-wrong.json\n"
             "quit\n",
             first_case);
    assert_int_equal(run_kiosk("progress-wrong", script), 0);
    json_t *d = load_dump("progress-wrong.json");
    assert_null(kiosk_dump_find(d, NULL, "待交办"));
    json_decref(d);

    /* Triage and finish it, then the submitter's feedback. */
    const char *tri[] = { "case", "triage", first_case, "--kind", "single", "--lead", "unit-018",
                          NULL };
    kiosk_site_ctl(&site, tri, NULL);
    const char *done[] = { "case", "done", first_case, "--note", "已电话告知所需材料。", NULL };
    kiosk_site_ctl(&site, done, NULL);
    snprintf(script, sizeof script,
             "tap 540 960\n"
             "wait-text 人才服务 20000\n"
             "tap-text 我的诉求进度\n"
             "type %s\n"
             "key Return\n"
             "type 5678\n"
             "key Return\n"
             "wait-text 已办结待评价 15000\n"
             "dump progress-right.json\n"
             "drag 540 1700 540 300 300\n"
             "wait 3000\n"
             "tap-text 已解决\n"
             "tap-text 非常满意\n"
             "tap-text 提交评价\n"
             "wait-text 感谢您的评价 5000\n"
             "quit\n",
             first_case);
    assert_int_equal(run_kiosk("progress-right", script), 0);
    d = load_dump("progress-right.json");
    assert_non_null(kiosk_dump_find(d, NULL, "已电话告知所需材料"));
    json_decref(d);

    /* The outbox delivers it: the case closes with the rating. */
    pid_t k = kiosk_start_in(site.dir, "feedback-send", "wait-text 永远不会出现的字 60000\n");
    uint64_t end = now_ms() + DEADLINE_MS;
    bool closed = false;
    while (!closed && now_ms() < end) {
        const char *show[] = { "case", "show", first_case, "--json", NULL };
        char *out = NULL;
        kiosk_site_ctl(&site, show, &out);
        closed = out && strstr(out, "very_satisfied") && strstr(out, "closed");
        free(out);
        if (!closed)
            poll(NULL, 0, 100);
    }
    kill(k, SIGKILL);
    waitpid(k, NULL, 0);
    if (!closed)
        kiosk_echo_stderr_in(site.dir, "feedback-send");
    assert_true(closed);
}

static void test_a_service_rating_after_a_guide_reaches_the_daemon(void **state)
{
    (void)state;
    const qf_catalog_service *svc = &site.cat->services[0];
    const qf_catalog_board *b = qf_catalog_board_get(site.cat, svc->board);
    assert_non_null(b);
    char script[2048];
    snprintf(script, sizeof script,
             "tap 540 960\n"
             "wait-text 人才服务 20000\n"
             "tap-text %s\n"
             "tap-text %s\n"
             "drag 540 1800 540 200 200\n"
             "wait 3000\n"
             "drag 540 1800 540 200 200\n"
             "wait 3000\n"
             "drag 540 1800 540 200 200\n"
             "wait 3000\n"
             "drag 540 1800 540 200 200\n"
             "wait 3000\n"
             "wait-text 评价这项服务 5000\n"
             "tap-text 评价这项服务\n"
             "tap-text 非常满意\n"
             "tap-text 提交评价\n"
             "wait-text 感谢您的评价 5000\n"
             "wait-text 永远不会出现的字 8000\n",
             b->name, svc->category3 ? svc->category3 : svc->category2);
    pid_t k = kiosk_start_in(site.dir, "rate", script);
    uint64_t end = now_ms() + DEADLINE_MS;
    bool seen = false;
    while (!seen && now_ms() < end) {
        const char *list[] = { "rating", "list", "--json", NULL };
        char *out = NULL;
        kiosk_site_ctl(&site, list, &out);
        seen = out && strstr(out, svc->id) != NULL;
        free(out);
        if (!seen)
            poll(NULL, 0, 100);
    }
    kill(k, SIGKILL);
    waitpid(k, NULL, 0);
    if (!seen)
        kiosk_echo_stderr_in(site.dir, "rate");
    assert_true(seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typing_qiye_offers_qiye_and_a_digit_picks_it),
        cmocka_unit_test(test_a_full_request_is_accepted_with_a_tracking_qr_and_arrives_once),
        cmocka_unit_test(test_daemon_down_then_up_delivers_exactly_one_case),
        cmocka_unit_test(test_kiosk_killed_after_the_outbox_write_delivers_after_restart),
        cmocka_unit_test(test_progress_needs_the_right_digits_and_feedback_reaches_the_case),
        cmocka_unit_test(test_a_service_rating_after_a_guide_reaches_the_daemon),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
