/* test_kn_lease.c — the kiosk's leased ticket numbers (src/kiosk/net/kn_lease.c):
 * the top-up decision (none while 3 or more are left, a block of 10 below,
 * never past the daemon's cap of 100 held); a stored block is issued in
 * number order (E099 before E100), each number once, and each issue puts
 * its registration (POST /api/v1/tickets, leased form) in the outbox as a
 * KN_OUTBOX_TICKET item that the outbox delivers like any other; a window
 * or day without numbers issues nothing and changes nothing; midnight drops
 * the earlier days' numbers and an old day's numbers are never issued;
 * everything survives close and reopen; malformed answers are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "kn_lease.h"
#include "kn_outbox.h"

#define DAY "2026-11-24"
#define NEXT_DAY "2026-11-25"
#define AT "2026-11-24T10:05:12+08:00"

typedef struct fx {
    char dir[64];
    kn_lease *l;
} fx;

static int setup(void **state)
{
    static fx f;
    char err[256] = "";
    memset(&f, 0, sizeof f);
    snprintf(f.dir, sizeof f.dir, "/tmp/qifu-ut-lease-XXXXXX");
    assert_non_null(mkdtemp(f.dir));
    if (kn_lease_open(f.dir, &f.l, err, sizeof err) != QF_OK)
        fail_msg("open: %s", err);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[128];
    kn_lease_close(f->l);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (strncmp(f->dir, "/tmp/qifu-ut-lease-", 19) == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    return 0;
}

static void store(kn_lease *l, const char *window, const char *day, const char *first, int n)
{
    char bufs[50][8], err[256] = "";
    const char *nums[50];
    char letter = first[0];
    int start = atoi(first + 1);
    assert_true(n <= 50);
    for (int i = 0; i < n; i++) {
        snprintf(bufs[i], sizeof bufs[i], "%c%03d", letter, start + i);
        nums[i] = bufs[i];
    }
    if (kn_lease_store(l, window, day, nums, (size_t)n, err, sizeof err) != QF_OK)
        fail_msg("store: %s", err);
}

static size_t unused(kn_lease *l, const char *window, const char *day)
{
    size_t n = 99999;
    char err[256] = "";
    if (kn_lease_unused(l, window, day, &n, err, sizeof err) != QF_OK)
        fail_msg("unused: %s", err);
    return n;
}

static qf_err issue(kn_lease *l, const char *window, const char *day, bool priority, char *num,
                    char *ref)
{
    char err[256] = "";
    return kn_lease_issue(l, window, day, priority, AT, num, 16, ref, KN_OUTBOX_REF_MAX, err,
                          sizeof err);
}

static void test_topup_asks_for_a_block_below_three_and_never_past_the_cap(void **state)
{
    (void)state;
    assert_int_equal(kn_lease_topup_count(0), 10);
    assert_int_equal(kn_lease_topup_count(2), 10);
    assert_int_equal(kn_lease_topup_count(3), 0);
    assert_int_equal(kn_lease_topup_count(40), 0);
    /* The API's limits: at most 50 a request, 100 unused per window and day. */
    for (size_t u = 0; u <= 150; u++) {
        size_t n = kn_lease_topup_count(u);
        assert_true(n <= KN_LEASE_COUNT_MAX);
        assert_true(n == 0 || u + n <= KN_LEASE_HELD_MAX);
    }
}

static void test_a_block_is_issued_in_order_once_each_with_its_registration(void **state)
{
    fx *f = *state;
    char num[16], ref[KN_OUTBOX_REF_MAX], ref2[KN_OUTBOX_REF_MAX], err[256] = "";
    store(f->l, "win-tax", DAY, "E098", 3);          /* E098 E099 E100 */
    assert_int_equal(unused(f->l, "win-tax", DAY), 3);
    assert_int_equal(issue(f->l, "win-tax", DAY, false, num, ref), QF_OK);
    assert_string_equal(num, "E098");
    assert_int_equal(issue(f->l, "win-tax", DAY, true, num, ref2), QF_OK);
    assert_string_equal(num, "E099");                /* by value, not by text */
    assert_string_not_equal(ref, ref2);
    assert_int_equal(unused(f->l, "win-tax", DAY), 1);

    /* The registration waits in the outbox as a ticket item. */
    kn_outbox *ob = NULL;
    kn_outbox_item it;
    if (kn_outbox_open(f->dir, &ob, err, sizeof err) != QF_OK)
        fail_msg("outbox: %s", err);
    assert_int_equal(kn_outbox_get(ob, ref2, &it, err, sizeof err), QF_OK);
    assert_int_equal(it.kind, KN_OUTBOX_TICKET);
    assert_int_equal(it.state, KN_OUTBOX_PENDING);
    assert_string_equal(it.path, "/api/v1/tickets");
    json_t *body = json_loads(it.body, 0, NULL);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "window")), "win-tax");
    assert_string_equal(json_string_value(json_object_get(body, "leased_number")), "E099");
    assert_string_equal(json_string_value(json_object_get(body, "issued_at")), AT);
    assert_true(json_is_true(json_object_get(body, "priority")));
    assert_int_equal(json_object_size(body), 4);
    json_decref(body);
    kn_outbox_item_free(&it);
    /* Due now, oldest first (E098's), and the outbox's outcome applies. */
    assert_int_equal(kn_outbox_next_due(ob, INT64_MAX, &it, err, sizeof err), QF_OK);
    assert_string_equal(it.ref, ref);
    assert_int_equal(kn_outbox_refused(ob, it.id, "{\"error\":{\"code\":\"lease_expired\"}}",
                                       err, sizeof err),
                     QF_OK);
    kn_outbox_item_free(&it);
    assert_int_equal(kn_outbox_get(ob, ref, &it, err, sizeof err), QF_OK);
    assert_int_equal(it.state, KN_OUTBOX_REFUSED);   /* kept for the operator */
    assert_non_null(it.result);
    kn_outbox_item_free(&it);
    size_t pending = 0;
    assert_int_equal(kn_outbox_depth(ob, &pending, NULL, err, sizeof err), QF_OK);
    assert_int_equal(pending, 1);
    kn_outbox_close(ob);
}

static void test_no_number_left_issues_nothing_and_changes_nothing(void **state)
{
    fx *f = *state;
    char num[16] = "x", ref[KN_OUTBOX_REF_MAX] = "x", err[256] = "";
    store(f->l, "win-tax", DAY, "E001", 1);
    assert_int_equal(issue(f->l, "win-housing", DAY, false, num, ref), QF_ERR_NOT_FOUND);
    assert_string_equal(num, "");
    assert_string_equal(ref, "");
    assert_int_equal(issue(f->l, "win-tax", DAY, false, num, ref), QF_OK);
    assert_int_equal(issue(f->l, "win-tax", DAY, false, num, ref), QF_ERR_NOT_FOUND);
    kn_outbox *ob = NULL;
    size_t pending = 0;
    assert_int_equal(kn_outbox_open(f->dir, &ob, err, sizeof err), QF_OK);
    assert_int_equal(kn_outbox_depth(ob, &pending, NULL, err, sizeof err), QF_OK);
    assert_int_equal(pending, 1);                    /* only E001's registration */
    kn_outbox_close(ob);
}

static void test_midnight_drops_earlier_days_and_an_old_number_is_never_issued(void **state)
{
    fx *f = *state;
    char num[16], ref[KN_OUTBOX_REF_MAX], err[256] = "";
    size_t dropped = 99;
    store(f->l, "win-tax", DAY, "E001", 5);
    assert_int_equal(issue(f->l, "win-tax", DAY, false, num, ref), QF_OK);
    /* The next day: yesterday's numbers are not today's. */
    assert_int_equal(unused(f->l, "win-tax", NEXT_DAY), 0);
    assert_int_equal(issue(f->l, "win-tax", NEXT_DAY, false, num, ref), QF_ERR_NOT_FOUND);
    assert_int_equal(kn_lease_topup_count(unused(f->l, "win-tax", NEXT_DAY)), KN_LEASE_BLOCK);
    store(f->l, "win-tax", NEXT_DAY, "E011", 10);
    assert_int_equal(kn_lease_drop_before(f->l, NEXT_DAY, &dropped, err, sizeof err), QF_OK);
    assert_int_equal(dropped, 4);                    /* E002-E005 were never issued */
    assert_int_equal(unused(f->l, "win-tax", DAY), 0);
    assert_int_equal(unused(f->l, "win-tax", NEXT_DAY), 10);
    /* The same day again drops nothing. */
    assert_int_equal(kn_lease_drop_before(f->l, NEXT_DAY, &dropped, err, sizeof err), QF_OK);
    assert_int_equal(dropped, 0);
    assert_int_equal(issue(f->l, "win-tax", NEXT_DAY, false, num, ref), QF_OK);
    assert_string_equal(num, "E011");
}

static void test_the_block_and_what_was_issued_survive_reopening(void **state)
{
    fx *f = *state;
    char num[16], ref[KN_OUTBOX_REF_MAX], err[256] = "";
    store(f->l, "win-tax", DAY, "E021", 3);
    store(f->l, "win-labour", DAY, "F007", 2);
    assert_int_equal(issue(f->l, "win-tax", DAY, false, num, ref), QF_OK);
    assert_string_equal(num, "E021");
    kn_lease_close(f->l);
    f->l = NULL;
    if (kn_lease_open(f->dir, &f->l, err, sizeof err) != QF_OK)
        fail_msg("reopen: %s", err);
    assert_int_equal(unused(f->l, "win-tax", DAY), 2);
    assert_int_equal(unused(f->l, "win-labour", DAY), 2);
    assert_int_equal(issue(f->l, "win-tax", DAY, false, num, ref), QF_OK);
    assert_string_equal(num, "E022");                /* E021 is not issued twice */
    /* A repeated lease answer keeps what was issued as issued. */
    store(f->l, "win-tax", DAY, "E021", 3);
    assert_int_equal(unused(f->l, "win-tax", DAY), 1);
}

static void test_malformed_lease_answers_are_refused_whole(void **state)
{
    fx *f = *state;
    char err[256] = "";
    const char *bad[] = { "E030", "E03x" };
    const char *lower[] = { "e030" };
    assert_int_equal(kn_lease_store(f->l, "win-tax", DAY, bad, 2, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(kn_lease_store(f->l, "win-tax", DAY, lower, 1, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(kn_lease_store(f->l, "win tax", DAY, bad, 1, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(kn_lease_store(f->l, "win-tax", "2026-13-01", bad, 1, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(unused(f->l, "win-tax", DAY), 0);  /* E030 of the first was not kept */
    char num[16], ref[KN_OUTBOX_REF_MAX];
    store(f->l, "win-tax", DAY, "E030", 1);
    assert_int_equal(kn_lease_issue(f->l, "win-tax", DAY, false, "yesterday", num, sizeof num,
                                    ref, sizeof ref, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(unused(f->l, "win-tax", DAY), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topup_asks_for_a_block_below_three_and_never_past_the_cap),
        cmocka_unit_test_setup_teardown(
            test_a_block_is_issued_in_order_once_each_with_its_registration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_number_left_issues_nothing_and_changes_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_midnight_drops_earlier_days_and_an_old_number_is_never_issued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_block_and_what_was_issued_survive_reopening,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_lease_answers_are_refused_whole, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
