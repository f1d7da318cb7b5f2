/* test_cases.c — the case endpoints on a real qifu-syncd: submission with
 * its validation and the one error shape per field, idempotent retries
 * (sequential and eight at once), durability across kill -9, the
 * submitter's look-up with its phone4 check and per-case rate limit, and
 * feedback after the lead department has finished.
 *
 * Cases are moved through the rules (triage, finish) by opening the
 * daemon's database from the test while it runs (WAL allows a second
 * writer) and calling store_cases.c, as the staff workflow will. Threads
 * use their own CURL handles and never call cmocka; the main thread
 * asserts on what they collected. Nothing sleeps: waits are on conditions. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"
#include "qf_calendar.h"
#include "qf_case.h"
#include "qf_clock.h"
#include "store.h"
#include "store_cases.h"

#define VALID_USCC "91330100716105852F"
#define VALID_MOBILE "138 1234 5678"

typedef struct suite {
    harness h;
    char token[64], device[64];
} suite;

static int setup(void **state)
{
    static suite s;
    memset(&s, 0, sizeof s);
    harness_start(&s.h, false);
    harness_enroll(&s.h, "kiosk-1", s.token, s.device);
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    suite *s = *state;
    harness_stop(&s->h);
    return 0;
}

/* ---- building requests -------------------------------------------------- */

typedef struct case_fields {
    const char *kind, *board, *fallback_category, *channel, *enterprise_name, *credit_code,
        *contact_name, *mobile, *description, *helper_id;
    const char *extra;             /* raw JSON members appended, e.g. "\"x\":1" */
} case_fields;

static case_fields valid_request(void)
{
    case_fields f = {
        .kind = "request",
        .board = "board-request",
        .enterprise_name = "杭州钱塘示例生物科技有限公司",
        .credit_code = VALID_USCC,
        .contact_name = "王女士",
        .mobile = VALID_MOBILE,
        .description = "厂房消防验收进度咨询，希望了解还缺哪些材料。",
    };
    return f;
}

/* Ownership: the caller frees the result. */
static char *case_body(const case_fields *f)
{
    json_t *o = json_object();
    char *text, *out;
    size_t len;
#define PUT(name) if (f->name) json_object_set_new(o, #name, json_string(f->name))
    PUT(kind);
    PUT(board);
    PUT(fallback_category);
    PUT(channel);
    PUT(enterprise_name);
    PUT(credit_code);
    PUT(contact_name);
    PUT(mobile);
    PUT(description);
    PUT(helper_id);
#undef PUT
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    assert_non_null(text);
    if (!f->extra)
        return text;
    len = strlen(text) + strlen(f->extra) + 2;
    out = malloc(len);
    assert_non_null(out);
    text[strlen(text) - 1] = '\0'; /* drop the closing brace */
    snprintf(out, len, "%s%s%s}", text, strlen(text) > 1 ? "," : "", f->extra);
    free(text);
    return out;
}

static harness_response post_case(suite *s, const char *token, const char *key, const char *body)
{
    char header[128];
    const char *headers[] = { header, NULL };
    snprintf(header, sizeof header, "Idempotency-Key: %s", key ? key : "");
    return harness_request(&s->h, "POST", "/api/v1/cases", token, body, key ? headers : NULL);
}

/* A fresh key per call: "it-<n>-<tag>". */
static const char *next_key(char *buf, size_t len, const char *tag)
{
    static unsigned n;
    snprintf(buf, len, "it-%04u-%s", ++n, tag);
    return buf;
}

static json_t *parse(const harness_response *r)
{
    json_t *j = json_loads(r->body, 0, NULL);
    if (!j)
        fail_msg("reply is not JSON: %s", r->body);
    return j;
}

static const char *jstr(json_t *obj, const char *path1, const char *path2)
{
    json_t *v = json_object_get(obj, path1);
    if (path2)
        v = json_object_get(v, path2);
    return json_string_value(v);
}

/* Submits a valid case (by this suite's device) and copies its number. */
static void submit_valid(suite *s, const case_fields *f, char no[SD_CASE_NO_MAX])
{
    char key[64];
    char *body = case_body(f);
    harness_response r = post_case(s, s->token, next_key(key, sizeof key, "ok"), body);
    json_t *j;
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    j = parse(&r);
    assert_non_null(jstr(j, "case_no", NULL));
    snprintf(no, SD_CASE_NO_MAX, "%s", jstr(j, "case_no", NULL));
    json_decref(j);
    harness_response_free(&r);
    free(body);
}

static void expect_field_error(harness_response *r, long status, const char *code,
                               const char *field, const char *needle)
{
    json_t *j;
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
    j = parse(r);
    if (!jstr(j, "error", "code") || strcmp(jstr(j, "error", "code"), code) != 0)
        fail_msg("code in %s, want %s", r->body, code);
    assert_non_null(jstr(j, "error", "message"));
    if (field && (!jstr(j, "error", "field") || strcmp(jstr(j, "error", "field"), field) != 0))
        fail_msg("field in %s, want %s", r->body, field);
    if (needle && !strstr(jstr(j, "error", "message"), needle))
        fail_msg("message in %s lacks \"%s\"", r->body, needle);
    json_decref(j);
}

static harness_response get_case(suite *s, const char *no, const char *phone4)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/cases/%s%s%s", no, phone4 ? "?phone4=" : "",
             phone4 ? phone4 : "");
    return harness_request(&s->h, "GET", path, s->token, NULL, NULL);
}

/* One number from the daemon's database, opened read-only beside it. */
static long long db_scalar(suite *s, const char *sql, const char *arg)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    assert_int_equal(sqlite3_open_v2(s->h.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static long long case_count(suite *s)
{
    return db_scalar(s, "SELECT count(*) FROM cases", NULL);
}

/* ---- submission --------------------------------------------------------- */

static void test_valid_request_is_201_with_number_state_and_tracking_url(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char key[64], want_prefix[32], url_tail[64];
    char *body = case_body(&f);
    int y, m, d;
    qf_day_to_ymd(qf_instant_day(qf_clock_now()), &y, &m, &d);
    harness_response r = post_case(s, s->token, next_key(key, sizeof key, "valid"), body);
    json_t *j;
    const char *no;

    if (r.status != 201)
        fail_msg("status %ld: %s", r.status, r.body);
    j = parse(&r);
    no = jstr(j, "case_no", NULL);
    assert_non_null(no);
    snprintf(want_prefix, sizeof want_prefix, "QT%04d%02d%02d-", y, m, d);
    assert_true(sd_case_no_valid(no));
    assert_memory_equal(no, want_prefix, strlen(want_prefix));
    assert_int_equal(strlen(no), strlen(want_prefix) + 4);
    assert_string_equal(jstr(j, "state", NULL), "submitted");
    assert_string_equal(jstr(j, "kind", NULL), "request");
    assert_string_equal(jstr(j, "deadline_rule", "rule"), "135");
    assert_non_null(jstr(j, "deadline_rule", "text_zh"));
    assert_non_null(jstr(j, "deadline_rule", "text_en"));
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(json_object_get(j, "deadline_rule"),
                                                         "working_days"),
                                         "whistle")),
                     5);
    snprintf(url_tail, sizeof url_tail, "/track/%s", no);
    assert_non_null(jstr(j, "tracking_url", NULL));
    assert_non_null(strstr(jstr(j, "tracking_url", NULL), url_tail));
    assert_string_equal(jstr(j, "mobile_masked", NULL), "138****5678");
    assert_non_null(jstr(j, "submitted_at", NULL));
    /* the full phone and credit code are not echoed or logged */
    assert_null(strstr(r.body, "13812345678"));
    assert_null(strstr(r.body, VALID_USCC));
    json_decref(j);
    harness_response_free(&r);
    free(body);
}

static void test_fallback_request_gets_the_3135_rule(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char key[64], no[SD_CASE_NO_MAX];
    char *body;
    harness_response r;
    json_t *j;

    f.kind = "fallback";
    f.board = NULL;
    f.fallback_category = "special_group";
    f.mobile = "(0571) 8590-1890"; /* a landline is accepted too */
    f.helper_id = "helper-07";
    body = case_body(&f);
    r = post_case(s, s->token, next_key(key, sizeof key, "fallback"), body);
    if (r.status != 201)
        fail_msg("status %ld: %s", r.status, r.body);
    j = parse(&r);
    assert_string_equal(jstr(j, "kind", NULL), "fallback");
    assert_string_equal(jstr(j, "deadline_rule", "rule"), "3135");
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(json_object_get(j, "deadline_rule"),
                                                         "working_days"),
                                         "director")),
                     3);
    assert_string_equal(jstr(j, "mobile_masked", NULL), "0571-****1890");
    snprintf(no, sizeof no, "%s", jstr(j, "case_no", NULL));
    json_decref(j);
    harness_response_free(&r);
    free(body);

    /* the landline's last four digits find it */
    r = get_case(s, no, "1890");
    assert_int_equal(r.status, 200);
    j = parse(&r);
    assert_string_equal(jstr(j, "type", NULL), "fallback");
    assert_string_equal(jstr(j, "fallback_category", NULL), "special_group");
    assert_string_equal(jstr(j, "fallback_category_label_zh", NULL), "老幼孕残外特殊群体");
    assert_true(json_is_null(json_object_get(j, "board")));
    json_decref(j);
    harness_response_free(&r);
}

static void test_description_length_counts_characters_not_bytes(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char no[SD_CASE_NO_MAX];
    f.description = "一二三四五六七八九十"; /* 10 characters, 30 bytes */
    submit_valid(s, &f, no);
    assert_true(sd_case_no_valid(no));
}

/* One invalid submission per row: what to change, and what must come back. */
typedef struct bad_case {
    const char *name;
    void (*mutate)(case_fields *f);
    const char *code, *field, *needle;
} bad_case;

static void bad_uscc(case_fields *f) { f->credit_code = "91330100716105852A"; }
static void bad_mobile(case_fields *f) { f->mobile = "1381234567"; }
static void desc_9(case_fields *f) { f->description = "一二三四五六七八九"; }
static char desc_1001_buf[1001 * 3 + 1];
static void desc_1001(case_fields *f)
{
    desc_1001_buf[0] = '\0';
    for (int i = 0; i < 1001; i++)
        strcat(desc_1001_buf, "字");
    f->description = desc_1001_buf;
}
static void unknown_board(case_fields *f) { f->board = "board-nonesuch"; }
static void unknown_field(case_fields *f) { f->extra = "\"ssn\":\"x\""; }
static void long_unknown_field(case_fields *f)
{
    f->extra = "\"备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注\":1";
}
static void wrong_type(case_fields *f)
{
    f->enterprise_name = NULL;
    f->extra = "\"enterprise_name\":42";
}
static void missing_board(case_fields *f) { f->board = NULL; }
static void bad_kind(case_fields *f) { f->kind = "complaint"; }
static void short_enterprise(case_fields *f) { f->enterprise_name = "王"; }
static void bad_channel(case_fields *f) { f->channel = "fax"; }
static void missing_category(case_fields *f)
{
    f->kind = "fallback";
    f->board = NULL;
}
static void bad_category(case_fields *f)
{
    f->kind = "fallback";
    f->fallback_category = "urgent";
}
static void long_helper(case_fields *f)
{
    f->helper_id = "h123456789h123456789h123456789h123456789h123456789h123456789h12345";
}

static void test_each_invalid_field_is_400_naming_it(void **state)
{
    static const bad_case rows[] = {
        { "credit code", bad_uscc, "invalid_field", "credit_code", "check character" },
        { "mobile", bad_mobile, "invalid_field", "mobile", "mobile" },
        { "description 9", desc_9, "invalid_field", "description", "has 9" },
        { "description 1001", desc_1001, "invalid_field", "description", "has 1001" },
        { "unknown board", unknown_board, "invalid_field", "board", "board-nonesuch" },
        { "unknown field", unknown_field, "unknown_field", "ssn", "ssn" },
        { "long unknown field", long_unknown_field, "unknown_field", NULL, "备注" },
        { "wrong type", wrong_type, "invalid_field", "enterprise_name", "string" },
        { "missing board", missing_board, "missing_field", "board", NULL },
        { "bad kind", bad_kind, "invalid_field", "kind", NULL },
        { "short enterprise", short_enterprise, "invalid_field", "enterprise_name", NULL },
        { "bad channel", bad_channel, "invalid_field", "channel", NULL },
        { "missing category", missing_category, "missing_field", "fallback_category", NULL },
        { "bad category", bad_category, "invalid_field", "fallback_category", NULL },
        { "long helper", long_helper, "invalid_field", "helper_id", NULL },
    };
    suite *s = *state;
    long long before = case_count(s);

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        case_fields f = valid_request();
        char key[64];
        char *body;
        harness_response r;
        rows[i].mutate(&f);
        body = case_body(&f);
        r = post_case(s, s->token, next_key(key, sizeof key, "bad"), body);
        print_message("  %s -> %ld %s\n", rows[i].name, r.status, r.body);
        expect_field_error(&r, 400, rows[i].code, rows[i].field, rows[i].needle);
        if (rows[i].mutate == bad_uscc) {
            json_t *j = parse(&r);
            const char *zh = jstr(j, "error", "message_zh");
            assert_non_null(zh);
            assert_non_null(strstr(zh, "校验码"));
            json_decref(j);
        }
        assert_null(strstr(r.body, "13812345678"));
        harness_response_free(&r);
        free(body);
    }
    assert_int_equal(case_count(s), before);
}

static void test_malformed_json_and_missing_or_bad_key_are_400(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char key[64];
    char *body = case_body(&f);
    harness_response r;

    r = post_case(s, s->token, next_key(key, sizeof key, "json"), "{\"kind\":\"request\",");
    expect_field_error(&r, 400, "invalid_json", NULL, NULL);
    harness_response_free(&r);
    r = post_case(s, s->token, next_key(key, sizeof key, "arr"), "[1,2]");
    expect_field_error(&r, 400, "invalid_body", NULL, NULL);
    harness_response_free(&r);
    r = post_case(s, s->token, NULL, body);
    expect_field_error(&r, 400, "invalid_idempotency_key", NULL, "Idempotency-Key");
    harness_response_free(&r);
    r = post_case(s, s->token, "short", body);
    expect_field_error(&r, 400, "invalid_idempotency_key", NULL, NULL);
    harness_response_free(&r);
    r = post_case(s, s->token, "has space in it", body);
    expect_field_error(&r, 400, "invalid_idempotency_key", NULL, NULL);
    harness_response_free(&r);
    free(body);
}

/* ---- idempotency -------------------------------------------------------- */

static void test_retry_with_same_key_returns_first_case_and_makes_no_second(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char key[64];
    char *body = case_body(&f);
    long long before = case_count(s);
    harness_response first, again;

    next_key(key, sizeof key, "retry");
    first = post_case(s, s->token, key, body);
    assert_int_equal(first.status, 201);
    again = post_case(s, s->token, key, body);
    assert_int_equal(again.status, 200);
    assert_string_equal(first.body, again.body); /* the first result, byte for byte */
    assert_int_equal(case_count(s), before + 1);
    harness_response_free(&first);
    harness_response_free(&again);
    free(body);
}

static void test_same_key_with_different_body_is_409(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char key[64];
    char *body = case_body(&f), *other;
    long long before = case_count(s);
    harness_response r;

    next_key(key, sizeof key, "conflict");
    r = post_case(s, s->token, key, body);
    assert_int_equal(r.status, 201);
    harness_response_free(&r);
    f.description = "另一个完全不同的问题描述，用同一个幂等键提交。";
    other = case_body(&f);
    r = post_case(s, s->token, key, other);
    expect_field_error(&r, 409, "idempotency_conflict", NULL, NULL);
    harness_response_free(&r);
    assert_int_equal(case_count(s), before + 1);
    free(body);
    free(other);
}

static void test_keys_are_scoped_per_device(void **state)
{
    suite *s = *state;
    char token2[64], device2[64], key[64];
    case_fields f = valid_request();
    char *body = case_body(&f);
    harness_response a, b;
    json_t *ja, *jb;

    harness_enroll(&s->h, "kiosk-2", token2, device2);
    next_key(key, sizeof key, "scope");
    a = post_case(s, s->token, key, body);
    b = post_case(s, token2, key, body);
    assert_int_equal(a.status, 201);
    assert_int_equal(b.status, 201);
    ja = parse(&a);
    jb = parse(&b);
    assert_string_not_equal(jstr(ja, "case_no", NULL), jstr(jb, "case_no", NULL));
    json_decref(ja);
    json_decref(jb);
    harness_response_free(&a);
    harness_response_free(&b);
    free(body);
}

/* Eight threads, each with its own connection, post the same key and body
 * at the same instant (a barrier releases them). */
#define RACERS 8

typedef struct racer {
    const char *url, *token, *key, *body;
    pthread_barrier_t *go;
    long status;
    char case_no[SD_CASE_NO_MAX];
    int curl_rc;
} racer;

static size_t racer_collect(char *data, size_t size, size_t nmemb, void *user)
{
    char *buf = user; /* 4096 bytes */
    size_t used = strlen(buf), n = size * nmemb;
    if (used + n < 4096) {
        memcpy(buf + used, data, n);
        buf[used + n] = '\0';
    }
    return n;
}

/* Posts one body; fills *status and, from a 2xx, no. No cmocka here. */
static int raw_post(CURL *curl, const char *url, const char *token, const char *key,
                    const char *body, long *status, char no[SD_CASE_NO_MAX])
{
    char auth[160], idem[128], reply[4096] = "";
    struct curl_slist *list = NULL;
    int rc;

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
    list = curl_slist_append(list, auth);
    list = curl_slist_append(list, idem);
    list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, racer_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    rc = (int)curl_easy_perform(curl);
    curl_slist_free_all(list);
    *status = 0;
    no[0] = '\0';
    if (rc != CURLE_OK)
        return rc;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    if (*status == 200 || *status == 201) {
        const char *p = strstr(reply, "\"case_no\":\"");
        if (p)
            sscanf(p + 11, "%31[^\"]", no);
    }
    return 0;
}

static void *racer_run(void *arg)
{
    racer *r = arg;
    CURL *curl = curl_easy_init();
    if (!curl) {
        r->curl_rc = -1;
        pthread_barrier_wait(r->go);
        return NULL;
    }
    pthread_barrier_wait(r->go);
    r->curl_rc = raw_post(curl, r->url, r->token, r->key, r->body, &r->status, r->case_no);
    curl_easy_cleanup(curl);
    return NULL;
}

static void test_concurrent_retries_make_exactly_one_case(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char key[64], url[256];
    char *body = case_body(&f);
    pthread_t threads[RACERS];
    racer racers[RACERS];
    pthread_barrier_t go;
    long long before = case_count(s);
    int created = 0;

    next_key(key, sizeof key, "race");
    snprintf(url, sizeof url, "%s/api/v1/cases", s->h.base);
    pthread_barrier_init(&go, NULL, RACERS);
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (racer){ .url = url, .token = s->token, .key = key, .body = body, .go = &go };
        assert_int_equal(pthread_create(&threads[i], NULL, racer_run, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&go);
    for (int i = 0; i < RACERS; i++) {
        if (racers[i].curl_rc != 0)
            fail_msg("racer %d: curl error %d", i, racers[i].curl_rc);
        if (racers[i].status != 200 && racers[i].status != 201)
            fail_msg("racer %d: status %ld", i, racers[i].status);
        created += racers[i].status == 201;
        assert_string_equal(racers[i].case_no, racers[0].case_no);
    }
    assert_int_equal(created, 1);
    assert_int_equal(case_count(s), before + 1);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM idempotency WHERE key = ?1", key), 1);
    free(body);
}

/* ---- durability --------------------------------------------------------- */

/* A submitter that keeps posting until the daemon dies; it records every
 * acknowledged number and signals when `wanted` have been acknowledged. */
#define KILL_MAX 400
#define KILL_BODY_FMT                                                                              \
    "{\"kind\":\"request\",\"board\":\"board-law\",\"enterprise_name\":\"钱塘测试企业\","             \
    "\"credit_code\":\"" VALID_USCC "\",\"contact_name\":\"李先生\","                                \
    "\"mobile\":\"13900001234\",\"description\":\"合同纠纷法律咨询，第%d号\"}"

typedef struct submitter {
    const char *url, *token;
    int wanted;
    pthread_mutex_t lock;
    pthread_cond_t enough;
    int acked;
    char numbers[KILL_MAX][SD_CASE_NO_MAX];
} submitter;

static void *submitter_run(void *arg)
{
    submitter *sb = arg;
    CURL *curl = curl_easy_init();
    for (int i = 0; curl && i < KILL_MAX; i++) {
        char key[64], body[1024], no[SD_CASE_NO_MAX];
        long status = 0;
        snprintf(key, sizeof key, "kill9-%04d", i);
        snprintf(body, sizeof body, KILL_BODY_FMT, i);
        if (raw_post(curl, sb->url, sb->token, key, body, &status, no) != 0 || status != 201)
            break;
        pthread_mutex_lock(&sb->lock);
        snprintf(sb->numbers[sb->acked++], SD_CASE_NO_MAX, "%s", no);
        if (sb->acked >= sb->wanted)
            pthread_cond_signal(&sb->enough);
        pthread_mutex_unlock(&sb->lock);
    }
    pthread_mutex_lock(&sb->lock);
    sb->wanted = 0; /* done either way: wake the main thread */
    pthread_cond_signal(&sb->enough);
    pthread_mutex_unlock(&sb->lock);
    if (curl)
        curl_easy_cleanup(curl);
    return NULL;
}

/* Its own daemon, so the suite's daemon still ends with SIGTERM and the
 * leak check of a clean exit covers everything else. */
static void test_kill9_keeps_every_acknowledged_case(void **state)
{
    static harness h;
    char token[64], device[64], url[256];
    submitter *sb = calloc(1, sizeof *sb);
    pthread_t thread;
    int acked;

    (void)state;
    assert_non_null(sb);
    memset(&h, 0, sizeof h);
    harness_start(&h, false);
    harness_enroll(&h, "kiosk-kill9", token, device);
    snprintf(url, sizeof url, "%s/api/v1/cases", h.base);
    sb->url = url;
    sb->token = token;
    sb->wanted = 20;
    pthread_mutex_init(&sb->lock, NULL);
    pthread_cond_init(&sb->enough, NULL);
    assert_int_equal(pthread_create(&thread, NULL, submitter_run, sb), 0);
    /* kill -9 the instant 20 are acknowledged, with the next one in flight */
    pthread_mutex_lock(&sb->lock);
    while (sb->wanted > 0 && sb->acked < sb->wanted)
        pthread_cond_wait(&sb->enough, &sb->lock);
    pthread_mutex_unlock(&sb->lock);
    harness_kill9(&h);
    pthread_join(thread, NULL);
    acked = sb->acked;
    print_message("  %d submissions acknowledged before kill -9\n", acked);
    assert_true(acked >= 20);

    harness_restart(&h);
    for (int i = 0; i < acked; i++) {
        char path[128];
        harness_response r;
        snprintf(path, sizeof path, "/api/v1/cases/%s?phone4=1234", sb->numbers[i]);
        r = harness_request(&h, "GET", path, token, NULL, NULL);
        if (r.status != 200)
            fail_msg("acknowledged case %s lost after kill -9: %ld %s", sb->numbers[i], r.status,
                     r.body);
        harness_response_free(&r);
    }
    harness_stop(&h);
    pthread_mutex_destroy(&sb->lock);
    pthread_cond_destroy(&sb->enough);
    free(sb);
}

/* ---- the submitter's look-up ------------------------------------------- */

static void test_lookup_shows_status_and_timeline(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char no[SD_CASE_NO_MAX];
    harness_response r;
    json_t *j, *timeline;

    submit_valid(s, &f, no);
    r = get_case(s, no, "5678");
    if (r.status != 200)
        fail_msg("status %ld: %s", r.status, r.body);
    j = parse(&r);
    assert_string_equal(jstr(j, "case_no", NULL), no);
    assert_string_equal(jstr(j, "status", NULL), "submitted");
    assert_true(json_is_null(json_object_get(j, "kind")));
    assert_true(json_is_null(json_object_get(j, "deadline")));
    assert_true(json_is_false(json_object_get(j, "overdue")));
    assert_string_equal(jstr(j, "board", NULL), "board-request");
    assert_string_equal(jstr(j, "mobile_masked", NULL), "138****5678");
    timeline = json_object_get(j, "timeline");
    assert_int_equal(json_array_size(timeline), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(timeline, 0), "event")),
                        "submit");
    assert_null(strstr(r.body, "13812345678"));
    assert_null(strstr(r.body, VALID_USCC));
    assert_null(strstr(r.body, s->device)); /* who took it in stays staff-side */
    json_decref(j);
    harness_response_free(&r);
}

static void test_wrong_phone4_is_the_same_404_as_an_unknown_number(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char no[SD_CASE_NO_MAX];
    harness_response wrong, unknown, malformed, bad;

    submit_valid(s, &f, no);
    wrong = get_case(s, no, "0000");
    unknown = get_case(s, "QT20000101-9999", "5678");
    malformed = get_case(s, "not-a-case", "5678");
    assert_int_equal(wrong.status, 404);
    assert_int_equal(unknown.status, 404);
    assert_int_equal(malformed.status, 404);
    assert_string_equal(wrong.body, unknown.body);
    assert_string_equal(wrong.body, malformed.body);
    expect_field_error(&wrong, 404, "not_found", NULL, NULL);
    bad = get_case(s, no, "56789");
    expect_field_error(&bad, 400, "invalid_field", "phone4", NULL);
    harness_response_free(&bad);
    bad = get_case(s, no, NULL);
    expect_field_error(&bad, 400, "invalid_field", "phone4", NULL);
    harness_response_free(&bad);
    harness_response_free(&wrong);
    harness_response_free(&unknown);
    harness_response_free(&malformed);
}

static void test_lookups_of_one_case_are_rate_limited(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char no[SD_CASE_NO_MAX], other[SD_CASE_NO_MAX];
    harness_response r;

    submit_valid(s, &f, no);
    submit_valid(s, &f, other);
    /* The burst is 10; wrong guesses count like right ones. */
    for (int i = 0; i < 10; i++) {
        r = get_case(s, no, i % 2 ? "5678" : "0000");
        assert_int_equal(r.status, i % 2 ? 200 : 404);
        harness_response_free(&r);
    }
    r = get_case(s, no, "5678");
    expect_field_error(&r, 429, "rate_limited", NULL, NULL);
    assert_non_null(strstr(r.headers, "Retry-After: "));
    harness_response_free(&r);
    /* the limit is the case's, not the device's */
    r = get_case(s, other, "5678");
    assert_int_equal(r.status, 200);
    harness_response_free(&r);
}

/* ---- feedback ----------------------------------------------------------- */

static harness_response post_feedback(suite *s, const char *no, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/cases/%s/feedback", no);
    return harness_request(&s->h, "POST", path, s->token, body, NULL);
}

/* Triages (single, led by a department) and finishes case no, as the staff
 * workflow would, through the store on the daemon's live database. */
static void finish_in_db(suite *s, const char *no)
{
    sd_store *store = NULL;
    qf_calendar *cal = NULL;
    qf_case_event triage = { .type = QF_CASE_EV_TRIAGE, .at = qf_clock_now(),
                             .kind = QF_CASE_KIND_SINGLE, .unit = "scjgj" };
    qf_case_event finish = { .type = QF_CASE_EV_FINISH, .at = qf_clock_now() };
    qf_case_state st;
    json_t *note = json_pack("{s:s}", "note", "已联系企业，材料清单已发送。");
    char err[256] = "";

    assert_int_equal(sd_store_open(s->h.db, &store, err, sizeof err), QF_OK);
    assert_int_equal(qf_calendar_new(&cal), QF_OK);
    assert_int_equal(qf_calendar_load_dir(cal, QIFU_SOURCE_DIR "/config/holidays", err,
                                          sizeof err),
                     QF_OK);
    if (sd_store_case_apply(store, no, &triage, "staff:test", NULL, cal, &st, err, sizeof err) !=
        QF_OK)
        fail_msg("triage: %s", err);
    assert_int_equal(st.status, QF_CASE_IN_PROGRESS);
    if (sd_store_case_apply(store, no, &finish, "staff:test", note, cal, &st, err, sizeof err) !=
        QF_OK)
        fail_msg("finish: %s", err);
    assert_int_equal(st.status, QF_CASE_LEAD_FINISHED);
    json_decref(note);
    qf_calendar_free(cal);
    sd_store_close(store);
}

static void test_feedback_before_the_lead_finished_is_409(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char no[SD_CASE_NO_MAX];
    harness_response r;

    submit_valid(s, &f, no);
    r = post_feedback(s, no, "{\"phone4\":\"5678\",\"resolved\":true,\"rating\":\"satisfied\"}");
    expect_field_error(&r, 409, "not_finished", NULL, "submitted");
    harness_response_free(&r);
}

static void test_feedback_validation(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char no[SD_CASE_NO_MAX];
    harness_response r;

    submit_valid(s, &f, no);
    r = post_feedback(s, no, "{\"phone4\":\"5678\",\"resolved\":\"yes\",\"rating\":\"满意\"}");
    expect_field_error(&r, 400, "invalid_field", "resolved", NULL);
    harness_response_free(&r);
    r = post_feedback(s, no, "{\"phone4\":\"5678\",\"resolved\":true,\"rating\":\"great\"}");
    expect_field_error(&r, 400, "invalid_field", "rating", NULL);
    harness_response_free(&r);
    r = post_feedback(s, no, "{\"phone4\":\"5678\",\"resolved\":true,\"rating\":\"满意\","
                             "\"stars\":5}");
    expect_field_error(&r, 400, "unknown_field", "stars", NULL);
    harness_response_free(&r);
    r = post_feedback(s, no, "{\"phone4\":\"0000\",\"resolved\":true,\"rating\":\"满意\"}");
    expect_field_error(&r, 404, "not_found", NULL, NULL);
    harness_response_free(&r);
}

static void test_feedback_resolved_closes_the_case(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char no[SD_CASE_NO_MAX];
    harness_response r;
    json_t *j, *timeline;

    submit_valid(s, &f, no);
    finish_in_db(s, no);
    r = post_feedback(s, no, "{\"phone4\":\"5678\",\"resolved\":true,\"rating\":\"非常满意\","
                             "\"comment\":\"办事效率很高\"}");
    if (r.status != 200)
        fail_msg("status %ld: %s", r.status, r.body);
    j = parse(&r);
    assert_string_equal(jstr(j, "status", NULL), "closed");
    assert_string_equal(jstr(j, "rating", NULL), "very_satisfied");
    json_decref(j);
    harness_response_free(&r);

    r = get_case(s, no, "5678");
    assert_int_equal(r.status, 200);
    j = parse(&r);
    assert_string_equal(jstr(j, "status", NULL), "closed");
    assert_string_equal(jstr(j, "kind", NULL), "single");
    timeline = json_object_get(j, "timeline");
    assert_int_equal(json_array_size(timeline), 4); /* submit, triage, finish, resolved */
    assert_string_equal(json_string_value(json_object_get(json_array_get(timeline, 2), "note")),
                        "已联系企业，材料清单已发送。");
    assert_string_equal(json_string_value(json_object_get(json_array_get(timeline, 3), "event")),
                        "resolved");
    assert_null(strstr(r.body, "staff:test"));
    json_decref(j);
    harness_response_free(&r);
    assert_int_equal(db_scalar(s, "SELECT count(*) FROM cases WHERE no = ?1 AND rating = "
                                  "'very_satisfied' AND status = 'closed'",
                               no),
                     1);

    r = post_feedback(s, no, "{\"phone4\":\"5678\",\"resolved\":true,\"rating\":\"satisfied\"}");
    expect_field_error(&r, 409, "already_closed", NULL, NULL);
    harness_response_free(&r);
    {
        sd_store *store = NULL;
        long counts[QF_CASE_STATUS__COUNT];
        char err[256];
        assert_int_equal(sd_store_open(s->h.db, &store, err, sizeof err), QF_OK);
        assert_int_equal(sd_store_case_counts(store, counts), QF_OK);
        assert_true(counts[QF_CASE_CLOSED] >= 1);
        assert_int_equal(counts[QF_CASE_CLOSED] + counts[QF_CASE_SUBMITTED] +
                             counts[QF_CASE_IN_PROGRESS] + counts[QF_CASE_LEAD_FINISHED] +
                             counts[QF_CASE_WITHDRAWN],
                         case_count(s));
        sd_store_close(store);
    }
}

static void test_feedback_unresolved_reopens_the_case(void **state)
{
    suite *s = *state;
    case_fields f = valid_request();
    char no[SD_CASE_NO_MAX];
    harness_response r;
    json_t *j;

    submit_valid(s, &f, no);
    finish_in_db(s, no);
    r = post_feedback(s, no, "{\"phone4\":\"5678\",\"resolved\":false,\"rating\":\"dissatisfied\","
                             "\"comment\":\"问题还没有解决\"}");
    if (r.status != 200)
        fail_msg("status %ld: %s", r.status, r.body);
    j = parse(&r);
    assert_string_equal(jstr(j, "status", NULL), "in_progress");
    assert_non_null(jstr(j, "deadline", NULL)); /* a fresh time limit */
    json_decref(j);
    harness_response_free(&r);
    /* back with the lead: no feedback until it finishes again */
    r = post_feedback(s, no, "{\"phone4\":\"5678\",\"resolved\":true,\"rating\":\"satisfied\"}");
    expect_field_error(&r, 409, "not_finished", NULL, "in_progress");
    harness_response_free(&r);
    assert_int_equal(db_scalar(s, "SELECT json_extract(state, '$.reopen_count') FROM cases "
                                  "WHERE no = ?1",
                               no),
                     1);
}

/* ---- a number for the README: one acknowledged submission, end to end --- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_submission_latency_is_measured(void **state)
{
    suite *s = *state;
    char token[64], device[64], url[256];
    double t[100];
    CURL *curl = curl_easy_init();

    assert_non_null(curl);
    harness_enroll(&s->h, "kiosk-bench", token, device);
    snprintf(url, sizeof url, "%s/api/v1/cases", s->h.base);
    for (int i = 0; i < 100; i++) {
        char key[64], body[1024], no[SD_CASE_NO_MAX];
        long status = 0;
        double start;
        snprintf(key, sizeof key, "bench-%04d", i);
        snprintf(body, sizeof body,
                 "{\"kind\":\"request\",\"board\":\"board-policy\",\"enterprise_name\":\"钱塘测试企业\","
                 "\"credit_code\":\"" VALID_USCC "\",\"contact_name\":\"赵先生\","
                 "\"mobile\":\"13700001111\",\"description\":\"政策匹配咨询，第%d号\"}",
                 i);
        start = now_s();
        assert_int_equal(raw_post(curl, url, token, key, body, &status, no), 0);
        t[i] = now_s() - start;
        assert_int_equal(status, 201);
    }
    curl_easy_cleanup(curl);
    qsort(t, 100, sizeof t[0], cmp_double);
    print_message("  acknowledged submission over loopback (keep-alive, n=100): median %.3f ms, "
                  "p90 %.3f ms, min %.3f ms, max %.3f ms\n",
                  t[49] * 500 + t[50] * 500, t[89] * 1000, t[0] * 1000, t[99] * 1000);
}

/* Everything above went through the suite's daemon; its log must hold no
 * full phone number or credit code (masked forms only). */
static void test_log_holds_no_full_phone_or_credit_code(void **state)
{
    suite *s = *state;
    FILE *f = fopen(s->h.stderr_path, "r");
    char line[2048];
    int lines = 0, masked = 0;

    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        lines++;
        if (strstr(line, "13812345678") || strstr(line, "13700001111") ||
            strstr(line, "85901890") || strstr(line, VALID_USCC))
            fail_msg("the log holds personal data: %s", line);
        masked += strstr(line, "138****5678") != NULL;
    }
    fclose(f);
    assert_true(lines > 0);
    assert_true(masked > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_request_is_201_with_number_state_and_tracking_url),
        cmocka_unit_test(test_fallback_request_gets_the_3135_rule),
        cmocka_unit_test(test_description_length_counts_characters_not_bytes),
        cmocka_unit_test(test_each_invalid_field_is_400_naming_it),
        cmocka_unit_test(test_malformed_json_and_missing_or_bad_key_are_400),
        cmocka_unit_test(test_retry_with_same_key_returns_first_case_and_makes_no_second),
        cmocka_unit_test(test_same_key_with_different_body_is_409),
        cmocka_unit_test(test_keys_are_scoped_per_device),
        cmocka_unit_test(test_concurrent_retries_make_exactly_one_case),
        cmocka_unit_test(test_lookup_shows_status_and_timeline),
        cmocka_unit_test(test_wrong_phone4_is_the_same_404_as_an_unknown_number),
        cmocka_unit_test(test_lookups_of_one_case_are_rate_limited),
        cmocka_unit_test(test_feedback_before_the_lead_finished_is_409),
        cmocka_unit_test(test_feedback_validation),
        cmocka_unit_test(test_feedback_resolved_closes_the_case),
        cmocka_unit_test(test_feedback_unresolved_reopens_the_case),
        cmocka_unit_test(test_kill9_keeps_every_acknowledged_case),
        cmocka_unit_test(test_submission_latency_is_measured),
        cmocka_unit_test(test_log_holds_no_full_phone_or_credit_code),
    };
    int rc;
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread makes a handle */
    rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
