/* test_kn_outbox.c — the kiosk's durable outbox (src/kiosk/net/kn_outbox.c):
 * an item put is due at once and carries a UUID v4 key; delivering it
 * wipes the body from the row and from the file's bytes (no mobile, no
 * credit code left in outbox.db or its WAL); a retry moves the next
 * attempt and counts it, and hurry makes waiting items due again; a refusal keeps the daemon's answer; local
 * references run per Shanghai day; pending items survive close and
 * reopen; a file that is not a database is refused and left byte for byte
 * as it was; two handles on two threads put and read at the same time. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kn_outbox.h"

#define MOBILE "13812345678"
#define USCC "91330100716105852F"
#define CASE_BODY                                                                     \
    "{\"kind\":\"request\",\"board\":\"board-request\",\"enterprise_name\":\"杭州钱塘示例" \
    "生物科技有限公司\",\"credit_code\":\"" USCC "\",\"contact_name\":\"王女士\","       \
    "\"mobile\":\"" MOBILE "\",\"description\":\"厂房消防验收进度咨询，希望了解还缺哪些材料。\"}"
#define RECEIPT "{\"case_no\":\"QT20261125-0001\",\"mobile_masked\":\"138****5678\"}"

typedef struct fx {
    char dir[64];
    kn_outbox *ob;
} fx;

static int setup(void **state)
{
    static fx f;
    char err[256] = "";
    memset(&f, 0, sizeof f);
    snprintf(f.dir, sizeof f.dir, "/tmp/qifu-ut-outbox-XXXXXX");
    assert_non_null(mkdtemp(f.dir));
    unsetenv("QIFU_FAKE_NOW");
    if (kn_outbox_open(f.dir, &f.ob, err, sizeof err) != QF_OK)
        fail_msg("open: %s", err);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[128];
    kn_outbox_close(f->ob);
    unsetenv("QIFU_FAKE_NOW");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (strncmp(f->dir, "/tmp/qifu-ut-outbox-", 20) == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    return 0;
}

static void put_case(kn_outbox *ob, char ref[KN_OUTBOX_REF_MAX])
{
    char err[256] = "";
    if (kn_outbox_put(ob, KN_OUTBOX_CASE, "/api/v1/cases", CASE_BODY, ref, KN_OUTBOX_REF_MAX, err,
                      sizeof err) != QF_OK)
        fail_msg("put: %s", err);
}

/* Reads a whole file into a malloc'd buffer; *len gets its size (0 and
 * NULL when the file does not exist). */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    *len = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

static bool file_holds(const char *path, const char *needle)
{
    size_t len, nl = strlen(needle);
    unsigned char *buf = slurp(path, &len);
    bool found = false;
    for (size_t i = 0; buf && i + nl <= len && !found; i++)
        found = memcmp(buf + i, needle, nl) == 0;
    free(buf);
    return found;
}

static bool uuid4_ok(const char *k)
{
    if (strlen(k) != 36 || k[8] != '-' || k[13] != '-' || k[18] != '-' || k[23] != '-')
        return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            continue;
        if (!((k[i] >= '0' && k[i] <= '9') || (k[i] >= 'a' && k[i] <= 'f')))
            return false;
    }
    return k[14] == '4' && strchr("89ab", k[19]) != NULL;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_put_is_due_now_with_uuid4_key_and_local_ref(void **state)
{
    fx *f = *state;
    char ref[KN_OUTBOX_REF_MAX], err[256] = "";
    kn_outbox_item it;
    size_t depth;
    int64_t next;

    put_case(f->ob, ref);
    assert_int_equal(strlen(ref), 14);
    assert_true(ref[0] == 'L' && ref[9] == '-');
    assert_int_equal(kn_outbox_next_due(f->ob, 1, &it, err, sizeof err), QF_OK);
    assert_string_equal(it.ref, ref);
    assert_true(uuid4_ok(it.key));
    assert_int_equal(it.kind, KN_OUTBOX_CASE);
    assert_int_equal(it.state, KN_OUTBOX_PENDING);
    assert_string_equal(it.path, "/api/v1/cases");
    assert_string_equal(it.body, CASE_BODY);
    assert_null(it.result);
    assert_int_equal(it.attempts, 0);
    assert_int_equal(it.next_attempt_ms, 0);
    assert_true(it.created_at > 1700000000);
    kn_outbox_item_free(&it);
    assert_int_equal(kn_outbox_depth(f->ob, &depth, &next, err, sizeof err), QF_OK);
    assert_int_equal(depth, 1);
    assert_int_equal(next, 0);
}

static void test_delivered_wipes_body_from_row_and_file(void **state)
{
    fx *f = *state;
    char ref[KN_OUTBOX_REF_MAX], err[256] = "", path[128];
    kn_outbox_item it;
    sqlite3 *db;
    sqlite3_stmt *st;
    size_t depth;
    int64_t next;

    put_case(f->ob, ref);
    assert_int_equal(kn_outbox_next_due(f->ob, 1, &it, err, sizeof err), QF_OK);
    assert_int_equal(kn_outbox_delivered(f->ob, it.id, RECEIPT, err, sizeof err), QF_OK);
    /* Not twice: the item is no longer pending. */
    assert_int_equal(kn_outbox_delivered(f->ob, it.id, RECEIPT, err, sizeof err), QF_ERR_STATE);
    assert_int_equal(kn_outbox_delivered(f->ob, 999999, RECEIPT, err, sizeof err),
                     QF_ERR_NOT_FOUND);
    kn_outbox_item_free(&it);

    assert_int_equal(kn_outbox_get(f->ob, ref, &it, err, sizeof err), QF_OK);
    assert_int_equal(it.state, KN_OUTBOX_DELIVERED);
    assert_null(it.body);
    assert_string_equal(it.result, RECEIPT);
    kn_outbox_item_free(&it);
    assert_int_equal(kn_outbox_next_due(f->ob, INT64_MAX, &it, err, sizeof err),
                     QF_ERR_NOT_FOUND);
    assert_int_equal(kn_outbox_depth(f->ob, &depth, &next, err, sizeof err), QF_OK);
    assert_int_equal(depth, 0);
    assert_true(next == INT64_MAX);

    /* The raw row, read past the module. */
    snprintf(path, sizeof path, "%s/outbox.db", f->dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT body IS NULL, result FROM items WHERE ref = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_null(strstr((const char *)sqlite3_column_text(st, 1), MOBILE));
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM items WHERE instr(body, ?1) > 0"
                                        " OR instr(result, ?1) > 0 OR instr(body, ?2) > 0"
                                        " OR instr(result, ?2) > 0",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, MOBILE, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, USCC, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* And the bytes on disk, while the kiosk runs (the handle stays open
     * for days) and after it closed: the WAL that held the put was
     * checkpointed and emptied, the old cell zeroed. */
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            kn_outbox_close(f->ob);
            f->ob = NULL;
        }
        snprintf(path, sizeof path, "%s/outbox.db", f->dir);
        assert_false(file_holds(path, MOBILE));
        assert_false(file_holds(path, USCC));
        snprintf(path, sizeof path, "%s/outbox.db-wal", f->dir);
        assert_false(file_holds(path, MOBILE));
        assert_false(file_holds(path, USCC));
    }
    assert_int_equal(kn_outbox_open(f->dir, &f->ob, err, sizeof err), QF_OK);
}

static void test_file_is_private_0600(void **state)
{
    fx *f = *state;
    char path[128], ref[KN_OUTBOX_REF_MAX];
    struct stat st;
    put_case(f->ob, ref);
    snprintf(path, sizeof path, "%s/outbox.db", f->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/outbox.db-wal", f->dir);
    if (stat(path, &st) == 0)
        assert_int_equal(st.st_mode & 077, 0);
}

static void test_retry_at_moves_next_attempt_and_hurry_brings_it_back(void **state)
{
    fx *f = *state;
    char ref[KN_OUTBOX_REF_MAX], other[KN_OUTBOX_REF_MAX], err[256] = "";
    kn_outbox_item it;
    size_t depth;
    int64_t next, id;

    put_case(f->ob, ref);
    put_case(f->ob, other);
    assert_int_equal(kn_outbox_next_due(f->ob, 1000, &it, err, sizeof err), QF_OK);
    assert_string_equal(it.ref, ref); /* oldest first */
    id = it.id;
    kn_outbox_item_free(&it);
    assert_int_equal(kn_outbox_retry_at(f->ob, id, 50000, "connection refused", err, sizeof err),
                     QF_OK);
    /* Now the younger one is the only due item … */
    assert_int_equal(kn_outbox_next_due(f->ob, 1000, &it, err, sizeof err), QF_OK);
    assert_string_equal(it.ref, other);
    assert_int_equal(kn_outbox_retry_at(f->ob, it.id, 60000, "503", err, sizeof err), QF_OK);
    kn_outbox_item_free(&it);
    assert_int_equal(kn_outbox_next_due(f->ob, 49999, &it, err, sizeof err), QF_ERR_NOT_FOUND);
    assert_int_equal(kn_outbox_depth(f->ob, &depth, &next, err, sizeof err), QF_OK);
    assert_int_equal(depth, 2);
    assert_int_equal(next, 50000);
    /* … and at 50 s the first is due again, counted and explained. */
    assert_int_equal(kn_outbox_next_due(f->ob, 50000, &it, err, sizeof err), QF_OK);
    assert_string_equal(it.ref, ref);
    assert_int_equal(it.attempts, 1);
    assert_int_equal(it.next_attempt_ms, 50000);
    assert_string_equal(it.last_error, "connection refused");
    assert_string_equal(it.body, CASE_BODY); /* a retry keeps the body */
    kn_outbox_item_free(&it);

    /* The link came back: both are due at once, their history kept. */
    assert_int_equal(kn_outbox_hurry(f->ob, 2000, &depth, err, sizeof err), QF_OK);
    assert_int_equal(depth, 2);
    assert_int_equal(kn_outbox_depth(f->ob, &depth, &next, err, sizeof err), QF_OK);
    assert_int_equal(next, 2000);
    assert_int_equal(kn_outbox_next_due(f->ob, 2000, &it, err, sizeof err), QF_OK);
    assert_string_equal(it.ref, ref);
    assert_int_equal(it.attempts, 1);
    assert_string_equal(it.last_error, "connection refused");
    kn_outbox_item_free(&it);
}

static void test_refused_keeps_answer_and_wipes_body(void **state)
{
    fx *f = *state;
    static const char answer[] =
        "{\"error\":{\"code\":\"invalid_field\",\"field\":\"credit_code\",\"message_zh\":"
        "\"第18位校验码不符\"}}";
    char ref[KN_OUTBOX_REF_MAX], err[256] = "";
    kn_outbox_item it;
    int64_t id;

    put_case(f->ob, ref);
    assert_int_equal(kn_outbox_next_due(f->ob, 1, &it, err, sizeof err), QF_OK);
    id = it.id;
    kn_outbox_item_free(&it);
    assert_int_equal(kn_outbox_refused(f->ob, id, answer, err, sizeof err), QF_OK);
    assert_int_equal(kn_outbox_retry_at(f->ob, id, 1, "late", err, sizeof err), QF_ERR_STATE);
    assert_int_equal(kn_outbox_get(f->ob, ref, &it, err, sizeof err), QF_OK);
    assert_int_equal(it.state, KN_OUTBOX_REFUSED);
    assert_null(it.body);
    assert_string_equal(it.result, answer);
    kn_outbox_item_free(&it);
    assert_int_equal(kn_outbox_next_due(f->ob, INT64_MAX, &it, err, sizeof err),
                     QF_ERR_NOT_FOUND);
}

static void test_refs_run_per_shanghai_day(void **state)
{
    fx *f = *state;
    char a[KN_OUTBOX_REF_MAX], b[KN_OUTBOX_REF_MAX], c[KN_OUTBOX_REF_MAX];
    char d[KN_OUTBOX_REF_MAX];

    setenv("QIFU_FAKE_NOW", "2026-11-24T23:58:00+08:00", 1);
    put_case(f->ob, a);
    put_case(f->ob, b);
    /* 16:30 UTC is already the next day in Shanghai (the suite runs with
     * TZ=America/New_York, where it is still the 24th). */
    setenv("QIFU_FAKE_NOW", "2026-11-24T16:30:00Z", 1);
    put_case(f->ob, c);
    put_case(f->ob, d);
    unsetenv("QIFU_FAKE_NOW");
    assert_string_equal(a, "L20261124-0001");
    assert_string_equal(b, "L20261124-0002");
    assert_string_equal(c, "L20261125-0001");
    assert_string_equal(d, "L20261125-0002");
}

static void test_reopen_keeps_pending_items(void **state)
{
    fx *f = *state;
    char ref[KN_OUTBOX_REF_MAX], key[KN_OUTBOX_KEY_MAX], err[256] = "";
    kn_outbox_item it;

    put_case(f->ob, ref);
    assert_int_equal(kn_outbox_get(f->ob, ref, &it, err, sizeof err), QF_OK);
    snprintf(key, sizeof key, "%s", it.key);
    kn_outbox_item_free(&it);
    kn_outbox_close(f->ob);
    f->ob = NULL;
    assert_int_equal(kn_outbox_open(f->dir, &f->ob, err, sizeof err), QF_OK);
    assert_int_equal(kn_outbox_next_due(f->ob, 1, &it, err, sizeof err), QF_OK);
    assert_string_equal(it.ref, ref);
    assert_string_equal(it.key, key); /* the same key on every retry, across restarts */
    assert_string_equal(it.body, CASE_BODY);
    kn_outbox_item_free(&it);
}

static void test_not_a_database_is_refused_and_not_overwritten(void **state)
{
    fx *f = *state;
    static const char junk[] = "this is not a database, but it may be all we have of a case\n"
                               "................................................................"
                               "................................................................";
    char dir[96], path[128], err[256] = "";
    unsigned char *before, *after;
    size_t blen, alen;
    kn_outbox *ob = NULL;
    FILE *out;
    (void)f;

    snprintf(dir, sizeof dir, "%s/junk", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/outbox.db", dir);
    out = fopen(path, "wb");
    assert_non_null(out);
    fwrite(junk, 1, sizeof junk - 1, out);
    fclose(out);
    before = slurp(path, &blen);
    assert_int_equal(kn_outbox_open(dir, &ob, err, sizeof err), QF_ERR_STORAGE);
    assert_null(ob);
    assert_non_null(strstr(err, "outbox.db"));
    after = slurp(path, &alen);
    assert_int_equal(alen, blen);
    assert_memory_equal(before, after, blen);
    free(before);
    free(after);
    snprintf(path, sizeof path, "%s/outbox.db-wal", dir);
    assert_int_equal(access(path, F_OK), -1);
}

static void test_bad_input_is_refused(void **state)
{
    fx *f = *state;
    char ref[KN_OUTBOX_REF_MAX] = "x", err[256] = "";
    assert_int_equal(kn_outbox_put(f->ob, KN_OUTBOX_CASE, "/etc/passwd", CASE_BODY, ref,
                                   sizeof ref, err, sizeof err),
                     QF_ERR_INVALID);
    assert_string_equal(ref, "");
    assert_int_equal(kn_outbox_put(f->ob, (kn_outbox_kind)7, "/api/v1/cases", CASE_BODY, ref,
                                   sizeof ref, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(kn_outbox_put(f->ob, KN_OUTBOX_CASE, "/api/v1/cases", "", ref, sizeof ref,
                                   err, sizeof err),
                     QF_ERR_INVALID);
}

typedef struct worker_arg {
    const char *dir;
    int n;
    char refs[50][KN_OUTBOX_REF_MAX];
    int read_ok;
    qf_err failed;
    char err[256];
} worker_arg;

/* One thread, one handle: puts n items and reads each back by its ref,
 * and asks for the next due item in between (the worker's query). */
static void *put_and_read(void *p)
{
    worker_arg *a = p;
    kn_outbox *ob = NULL;
    kn_outbox_item it;
    qf_err rc = kn_outbox_open(a->dir, &ob, a->err, sizeof a->err);
    for (int i = 0; rc == QF_OK && i < a->n; i++) {
        rc = kn_outbox_put(ob, KN_OUTBOX_RATING, "/api/v1/ratings",
                           "{\"target\":\"service\",\"rating\":\"satisfied\"}", a->refs[i],
                           sizeof a->refs[i], a->err, sizeof a->err);
        if (rc == QF_OK)
            rc = kn_outbox_get(ob, a->refs[i], &it, a->err, sizeof a->err);
        if (rc == QF_OK) {
            a->read_ok += strcmp(it.ref, a->refs[i]) == 0;
            kn_outbox_item_free(&it);
            rc = kn_outbox_next_due(ob, INT64_MAX, &it, a->err, sizeof a->err);
            kn_outbox_item_free(&it);
        }
    }
    a->failed = rc;
    kn_outbox_close(ob);
    return NULL;
}

static void test_two_handles_on_two_threads_put_and_read(void **state)
{
    fx *f = *state;
    static worker_arg a[2];
    pthread_t t[2];
    char err[256] = "";
    size_t depth;
    int64_t next;

    for (int i = 0; i < 2; i++) {
        memset(&a[i], 0, sizeof a[i]);
        a[i].dir = f->dir;
        a[i].n = 50;
        assert_int_equal(pthread_create(&t[i], NULL, put_and_read, &a[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        if (a[i].failed)
            fail_msg("thread %d: %s", i, a[i].err);
        assert_int_equal(a[i].read_ok, 50);
    }
    assert_int_equal(kn_outbox_depth(f->ob, &depth, &next, err, sizeof err), QF_OK);
    assert_int_equal(depth, 100);
    /* 100 distinct references. */
    for (int i = 0; i < 100; i++)
        for (int j = i + 1; j < 100; j++)
            assert_string_not_equal(a[i / 50].refs[i % 50], a[j / 50].refs[j % 50]);
}

static void test_uuid4_format_and_uniqueness(void **state)
{
    enum { N = 2000 };
    static char keys[N][KN_OUTBOX_KEY_MAX];
    (void)state;
    for (int i = 0; i < N; i++) {
        assert_int_equal(kn_uuid4(keys[i]), QF_OK);
        assert_true(uuid4_ok(keys[i]));
    }
    qsort(keys, N, sizeof keys[0], (int (*)(const void *, const void *))strcmp);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(keys[i - 1], keys[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_is_due_now_with_uuid4_key_and_local_ref, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_delivered_wipes_body_from_row_and_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_is_private_0600, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_at_moves_next_attempt_and_hurry_brings_it_back,
                                        setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refused_keeps_answer_and_wipes_body, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refs_run_per_shanghai_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_pending_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database_is_refused_and_not_overwritten,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_handles_on_two_threads_put_and_read, setup,
                                        teardown),
        cmocka_unit_test(test_uuid4_format_and_uniqueness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
