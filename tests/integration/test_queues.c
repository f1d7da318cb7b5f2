/* test_queues.c — queue tickets on a real qifu-syncd: numbers unique and
 * gap-free while four kiosks issue at once, leased blocks never issued
 * online, registering a leased number (idempotent, only by its device, only
 * on its day), call order (priority first, then number), people ahead,
 * waiting counts, and the errors (unknown window, bad bodies, a device
 * calling, no catalog).
 *
 * The clock is frozen with QIFU_FAKE_NOW so the day is known; one test
 * restarts the daemon a day later. Each test uses its own window, so the
 * tests share one daemon without seeing each other's tickets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <time.h>

#include "harness.h"

#define TQ_DAY1 "2026-11-24T09:30:00+08:00"
#define TQ_DAY2 "2026-11-25T08:45:00+08:00"
#define TQ_DEVICES 4
#define TQ_PER_DEVICE 50

typedef struct tq_state {
    harness h;
    char token[TQ_DEVICES][64];
    char device[TQ_DEVICES][64];
    char op[64];
} tq_state;

static void tq_import_catalog(harness *h)
{
    const char *args[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    char *out = NULL;
    int rc = harness_ctl(h, &out, args);
    if (rc != 0)
        fail_msg("qifu-ctl catalog import exited %d: %s", rc, out ? out : "");
    free(out);
}

static int tq_setup(void **state)
{
    tq_state *s = calloc(1, sizeof *s);
    assert_non_null(s);
    setenv("QIFU_FAKE_NOW", TQ_DAY1, 1);
    harness_start(&s->h, false);
    tq_import_catalog(&s->h);
    for (int i = 0; i < TQ_DEVICES; i++) {
        char name[32];
        snprintf(name, sizeof name, "kiosk-%d", i + 1);
        harness_enroll(&s->h, name, s->token[i], s->device[i]);
    }
    harness_operator(&s->h, "queue-op", s->op);
    *state = s;
    return 0;
}

static int tq_teardown(void **state)
{
    tq_state *s = *state;
    harness_stop(&s->h);
    free(s);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static harness_response tq_post(tq_state *s, const char *token, const char *path,
                                 const char *body)
{
    return harness_request(&s->h, "POST", path, token, body, NULL);
}

/* The response body as JSON; fails the test when it is not. */
static json_t *tq_json(const harness_response *r)
{
    json_error_t jerr;
    json_t *j = json_loads(r->body, 0, &jerr);
    if (!j)
        fail_msg("response is not JSON (%s): %s", jerr.text, r->body);
    return j;
}

static void tq_expect_status(const harness_response *r, long status)
{
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
}

static void tq_expect_error(harness_response *r, long status, const char *code)
{
    json_t *j;
    tq_expect_status(r, status);
    j = tq_json(r);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                        code);
    json_decref(j);
    harness_response_free(r);
}

/* 400 invalid_field whose message begins with the field's name. */
static void tq_expect_field_error(harness_response *r, const char *field)
{
    json_t *j;
    const char *message;
    tq_expect_status(r, 400);
    j = tq_json(r);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                        "invalid_field");
    message = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    assert_non_null(message);
    if (strncmp(message, field, strlen(field)) != 0 || message[strlen(field)] != ':')
        fail_msg("message \"%s\" does not name the field %s", message, field);
    json_decref(j);
    harness_response_free(r);
}

static const char *tq_str(json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    if (!v)
        fail_msg("no string \"%s\" in %s", key, json_dumps(obj, JSON_COMPACT));
    return v;
}

/* Takes a ticket; checks 201 and returns the reply (caller decrefs). */
static json_t *tq_issue(tq_state *s, int device, const char *window, bool priority)
{
    char body[128];
    harness_response r;
    json_t *j;
    snprintf(body, sizeof body, "{\"window\":\"%s\"%s}", window,
             priority ? ",\"priority\":true" : "");
    r = tq_post(s, s->token[device], "/api/v1/tickets", body);
    tq_expect_status(&r, 201);
    j = tq_json(&r);
    harness_response_free(&r);
    return j;
}

static void tq_issue_expect(tq_state *s, int device, const char *window, bool priority,
                            const char *number, long ahead)
{
    json_t *j = tq_issue(s, device, window, priority);
    assert_string_equal(tq_str(j, "number"), number);
    assert_int_equal(json_integer_value(json_object_get(j, "people_ahead")), ahead);
    assert_true(json_is_true(json_object_get(j, "priority")) == priority);
    json_decref(j);
}

/* Leases count numbers; returns the "numbers" array's reply (caller decrefs). */
static json_t *tq_lease(tq_state *s, int device, const char *window, int count)
{
    char body[128];
    harness_response r;
    json_t *j;
    snprintf(body, sizeof body, "{\"window\":\"%s\",\"count\":%d}", window, count);
    r = tq_post(s, s->token[device], "/api/v1/tickets/lease", body);
    tq_expect_status(&r, 201);
    j = tq_json(&r);
    harness_response_free(&r);
    assert_int_equal(json_array_size(json_object_get(j, "numbers")), (size_t)count);
    return j;
}

static harness_response tq_register(tq_state *s, int device, const char *window,
                                    const char *number, const char *issued_at, bool priority)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"window\":\"%s\",\"leased_number\":\"%s\",\"issued_at\":\"%s\"%s}", window,
             number, issued_at, priority ? ",\"priority\":true" : "");
    return tq_post(s, s->token[device], "/api/v1/tickets", body);
}

/* Calls the next ticket as the operator; returns its number or "" when
 * nobody waits, in buf. */
static const char *tq_call(tq_state *s, const char *window, char *buf, size_t buflen)
{
    char path[128];
    harness_response r;
    json_t *j, *called;
    snprintf(path, sizeof path, "/api/v1/queues/%s/call", window);
    r = tq_post(s, s->op, path, NULL);
    tq_expect_status(&r, 200);
    j = tq_json(&r);
    harness_response_free(&r);
    called = json_object_get(j, "called");
    assert_non_null(called);
    if (json_is_null(called)) {
        snprintf(buf, buflen, "%s", "");
    } else {
        snprintf(buf, buflen, "%s", tq_str(called, "number"));
        assert_string_equal(tq_str(called, "status"), "called");
        assert_string_equal(tq_str(called, "window"), window);
        assert_non_null(json_object_get(called, "called_at"));
    }
    json_decref(j);
    return buf;
}

/* The GET /api/v1/queues entry of window (caller decrefs the whole reply
 * through *out_root). */
static json_t *tq_queue_entry(tq_state *s, const char *token, const char *window,
                              json_t **out_root)
{
    harness_response r = harness_request(&s->h, "GET", "/api/v1/queues", token, NULL, NULL);
    json_t *j, *windows;
    tq_expect_status(&r, 200);
    j = tq_json(&r);
    harness_response_free(&r);
    *out_root = j;
    windows = json_object_get(j, "windows");
    for (size_t i = 0; i < json_array_size(windows); i++) {
        json_t *w = json_array_get(windows, i);
        if (strcmp(tq_str(w, "window"), window) == 0)
            return w;
    }
    fail_msg("GET /api/v1/queues has no window %s", window);
    return NULL;
}

/* ---- concurrent issuing ----------------------------------------------------- */

typedef struct tq_worker {
    const char *base;
    const char *token;
    int ok;                       /* 201 replies */
    long bad_status;              /* the first other status, 0 when none */
    char numbers[TQ_PER_DEVICE][16];
} tq_worker;

typedef struct tq_buf {
    char data[1024];
    size_t len;
} tq_buf;

static size_t tq_collect(char *data, size_t size, size_t nmemb, void *user)
{
    tq_buf *b = user;
    size_t n = size * nmemb;
    size_t room = sizeof b->data - 1 - b->len;
    memcpy(b->data + b->len, data, n < room ? n : room);
    b->len += n < room ? n : room;
    b->data[b->len] = '\0';
    return n;
}

/* One kiosk: its own CURL handle (one keep-alive connection), 50 tickets.
 * No cmocka asserts here: results are checked after the join. */
static void *tq_worker_run(void *arg)
{
    tq_worker *w = arg;
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char url[256], auth[128];
    const char *body = "{\"window\":\"win-fallback\"}";

    if (!curl) {
        w->bad_status = -1;
        return NULL;
    }
    snprintf(url, sizeof url, "%s/api/v1/tickets", w->base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", w->token);
    headers = curl_slist_append(headers, auth);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, tq_collect);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    for (int i = 0; i < TQ_PER_DEVICE; i++) {
        tq_buf buf = { .len = 0 };
        long status = 0;
        const char *p;
        buf.data[0] = '\0';
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
        if (curl_easy_perform(curl) != CURLE_OK) {
            w->bad_status = -2;
            break;
        }
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        p = strstr(buf.data, "\"number\":\"");
        if (status != 201 || !p) {
            w->bad_status = status;
            break;
        }
        sscanf(p + 10, "%15[^\"]", w->numbers[w->ok]);
        w->ok++;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return NULL;
}

static int tq_cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_concurrent_issuing_gives_unique_gap_free_numbers(void **state)
{
    tq_state *s = *state;
    static tq_worker workers[TQ_DEVICES];
    static char all[TQ_DEVICES * TQ_PER_DEVICE][16];
    pthread_t threads[TQ_DEVICES];
    struct timespec t0, t1;
    size_t n = 0;
    double secs;

    memset(workers, 0, sizeof workers);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < TQ_DEVICES; i++) {
        workers[i].base = s->h.base;
        workers[i].token = s->token[i];
        assert_int_equal(pthread_create(&threads[i], NULL, tq_worker_run, &workers[i]), 0);
    }
    for (int i = 0; i < TQ_DEVICES; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("# %d tickets from %d kiosks at once in %.3f s: %.0f tickets/s\n",
           TQ_DEVICES * TQ_PER_DEVICE, TQ_DEVICES, secs, TQ_DEVICES * TQ_PER_DEVICE / secs);

    for (int i = 0; i < TQ_DEVICES; i++) {
        if (workers[i].bad_status)
            fail_msg("kiosk %d: status %ld after %d tickets", i + 1, workers[i].bad_status,
                     workers[i].ok);
        assert_int_equal(workers[i].ok, TQ_PER_DEVICE);
        /* each kiosk's own numbers rise: the counter never goes back */
        for (int k = 1; k < TQ_PER_DEVICE; k++)
            assert_true(strcmp(workers[i].numbers[k - 1], workers[i].numbers[k]) < 0);
        for (int k = 0; k < TQ_PER_DEVICE; k++)
            memcpy(all[n++], workers[i].numbers[k], 16);
    }
    qsort(all, n, sizeof all[0], tq_cmp_str);
    for (size_t i = 0; i < n; i++) {
        char want[32];
        snprintf(want, sizeof want, "A%03zu", i + 1);
        assert_string_equal(all[i], want); /* distinct, and A001 … A200 without a gap */
    }
}

static void test_issued_ticket_reply_has_every_field(void **state)
{
    tq_state *s = *state;
    json_t *j = tq_issue(s, 0, "win-police", false);
    assert_string_equal(tq_str(j, "number"), "G001");
    assert_string_equal(tq_str(j, "window"), "win-police");
    assert_string_equal(tq_str(j, "window_name"), "公安执法综合受理窗口");
    assert_string_equal(tq_str(j, "hall"), "qiantang");
    assert_string_equal(tq_str(j, "day"), "2026-11-24");
    assert_string_equal(tq_str(j, "issued_at"), TQ_DAY1);
    assert_string_equal(tq_str(j, "status"), "waiting");
    assert_int_equal(json_integer_value(json_object_get(j, "seq")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "people_ahead")), 0);
    assert_true(json_is_false(json_object_get(j, "priority")));
    json_decref(j);
}

/* ---- leases ----------------------------------------------------------------- */

static void test_leased_numbers_are_never_issued_online(void **state)
{
    tq_state *s = *state;
    json_t *lease;

    tq_issue_expect(s, 0, "win-selfservice", false, "B001", 0);
    lease = tq_lease(s, 1, "win-selfservice", 10);
    assert_string_equal(tq_str(lease, "day"), "2026-11-24");
    assert_string_equal(tq_str(lease, "window"), "win-selfservice");
    for (size_t i = 0; i < 10; i++) {
        char want[32];
        snprintf(want, sizeof want, "B%03zu", i + 2);
        assert_string_equal(json_string_value(json_array_get(json_object_get(lease, "numbers"), i)),
                            want);
    }
    json_decref(lease);
    /* online issuing steps over the leased block, from any kiosk */
    tq_issue_expect(s, 0, "win-selfservice", false, "B012", 1);
    tq_issue_expect(s, 2, "win-selfservice", false, "B013", 2);
    lease = tq_lease(s, 3, "win-selfservice", 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(lease, "numbers"), 0)),
                        "B014");
    json_decref(lease);
    tq_issue_expect(s, 1, "win-selfservice", false, "B016", 3);
}

static void test_registering_a_leased_number_twice_returns_the_same_ticket(void **state)
{
    tq_state *s = *state;
    harness_response r;
    json_t *first, *again, *lease;
    char call[16];

    lease = tq_lease(s, 0, "win-business-startup", 3);   /* C001 … C003 */
    json_decref(lease);
    tq_issue_expect(s, 1, "win-business-startup", false, "C004", 0);

    /* printed offline at 09:10 — before the lease, by a drifting clock — the
     * time is clamped into the lease's day */
    r = tq_register(s, 0, "win-business-startup", "C002", "2026-11-24T09:10:00+08:00", true);
    tq_expect_status(&r, 201);
    first = tq_json(&r);
    harness_response_free(&r);
    assert_string_equal(tq_str(first, "number"), "C002");
    assert_string_equal(tq_str(first, "status"), "waiting");
    assert_true(json_is_true(json_object_get(first, "priority")));
    assert_int_equal(json_integer_value(json_object_get(first, "people_ahead")), 0);
    assert_string_equal(tq_str(first, "issued_at"), TQ_DAY1);

    r = tq_register(s, 0, "win-business-startup", "C002", "2026-11-24T09:10:00+08:00", true);
    tq_expect_status(&r, 200);
    again = tq_json(&r);
    harness_response_free(&r);
    assert_string_equal(tq_str(again, "number"), tq_str(first, "number"));
    assert_string_equal(tq_str(again, "issued_at"), tq_str(first, "issued_at"));
    assert_int_equal(json_integer_value(json_object_get(again, "seq")), 2);
    json_decref(first);
    json_decref(again);

    /* it is in the queue once: priority first, then C004; C001/C003 unused */
    assert_string_equal(tq_call(s, "win-business-startup", call, sizeof call), "C002");
    assert_string_equal(tq_call(s, "win-business-startup", call, sizeof call), "C004");
    assert_string_equal(tq_call(s, "win-business-startup", call, sizeof call), "");

    /* registering after the call still answers with the same ticket */
    r = tq_register(s, 0, "win-business-startup", "C002", "2026-11-24T09:10:00+08:00", true);
    tq_expect_status(&r, 200);
    again = tq_json(&r);
    harness_response_free(&r);
    assert_string_equal(tq_str(again, "status"), "called");
    json_decref(again);
}

static void test_registering_another_devices_lease_is_409(void **state)
{
    tq_state *s = *state;
    harness_response r;
    json_t *lease = tq_lease(s, 0, "win-tax", 2);   /* E001, E002 to kiosk-1 */
    json_decref(lease);

    r = tq_register(s, 1, "win-tax", "E001", TQ_DAY1, false);
    tq_expect_error(&r, 409, "not_leased");
    /* a number issued online is not a lease either, not even to its kiosk */
    tq_issue_expect(s, 1, "win-tax", false, "E003", 0);
    r = tq_register(s, 1, "win-tax", "E003", TQ_DAY1, false);
    tq_expect_error(&r, 409, "not_leased");
    /* nor is a number nobody has taken */
    r = tq_register(s, 0, "win-tax", "E050", TQ_DAY1, false);
    tq_expect_error(&r, 409, "not_leased");
    /* the right device may */
    r = tq_register(s, 0, "win-tax", "E001", TQ_DAY1, false);
    tq_expect_status(&r, 201);
    harness_response_free(&r);
}

/* ---- call order, people ahead, counts -------------------------------------- */

static void test_call_order_serves_priority_first_then_by_number(void **state)
{
    tq_state *s = *state;
    char call[16];

    tq_issue_expect(s, 0, "win-housing", false, "D001", 0);
    tq_issue_expect(s, 1, "win-housing", true, "D002", 0);  /* ahead of D001 */
    tq_issue_expect(s, 2, "win-housing", false, "D003", 2);
    tq_issue_expect(s, 3, "win-housing", true, "D004", 1);  /* after D002 only */
    tq_issue_expect(s, 0, "win-housing", false, "D005", 4);

    assert_string_equal(tq_call(s, "win-housing", call, sizeof call), "D002");
    assert_string_equal(tq_call(s, "win-housing", call, sizeof call), "D004");
    /* people ahead counts only those still waiting */
    tq_issue_expect(s, 1, "win-housing", false, "D006", 3);
    tq_issue_expect(s, 1, "win-housing", true, "D007", 0);
    assert_string_equal(tq_call(s, "win-housing", call, sizeof call), "D007");
    assert_string_equal(tq_call(s, "win-housing", call, sizeof call), "D001");
    assert_string_equal(tq_call(s, "win-housing", call, sizeof call), "D003");
    assert_string_equal(tq_call(s, "win-housing", call, sizeof call), "D005");
    assert_string_equal(tq_call(s, "win-housing", call, sizeof call), "D006");
    assert_string_equal(tq_call(s, "win-housing", call, sizeof call), "");
}

static void test_queue_list_counts_the_waiting(void **state)
{
    tq_state *s = *state;
    json_t *root, *w;
    char call[16];

    tq_issue_expect(s, 0, "win-labour", false, "F001", 0);
    tq_issue_expect(s, 1, "win-labour", true, "F002", 0);
    tq_issue_expect(s, 2, "win-labour", true, "F003", 1);
    tq_issue_expect(s, 3, "win-labour", false, "F004", 3);

    w = tq_queue_entry(s, s->token[0], "win-labour", &root);
    assert_string_equal(tq_str(root, "hall"), "qiantang");
    assert_string_equal(tq_str(root, "day"), "2026-11-24");
    assert_int_equal(json_array_size(json_object_get(root, "windows")), 7);
    assert_string_equal(tq_str(w, "prefix"), "F");
    assert_string_equal(tq_str(w, "name"), "劳动用工服务综合受理窗口");
    assert_int_equal(json_integer_value(json_object_get(w, "waiting")), 4);
    assert_int_equal(json_integer_value(json_object_get(w, "priority_waiting")), 2);
    assert_true(json_is_null(json_object_get(w, "last_called")));
    json_decref(root);

    assert_string_equal(tq_call(s, "win-labour", call, sizeof call), "F002");
    w = tq_queue_entry(s, s->op, "win-labour", &root);
    assert_int_equal(json_integer_value(json_object_get(w, "waiting")), 3);
    assert_int_equal(json_integer_value(json_object_get(w, "priority_waiting")), 1);
    assert_string_equal(tq_str(w, "last_called"), "F002");
    json_decref(root);

    /* a window nobody queued at today */
    w = tq_queue_entry(s, s->op, "win-fallback", &root);
    assert_string_equal(tq_str(w, "prefix"), "A");
    json_decref(root);

    /* operators may name a hall; a device sees only its own */
    {
        harness_response r = harness_request(&s->h, "GET", "/api/v1/queues?hall=xiasha", s->op,
                                             NULL, NULL);
        json_t *j;
        tq_expect_status(&r, 200);
        j = tq_json(&r);
        assert_string_equal(tq_str(j, "hall"), "xiasha");
        assert_int_equal(json_integer_value(
                             json_object_get(json_array_get(json_object_get(j, "windows"), 0),
                                             "waiting")),
                         0);
        json_decref(j);
        harness_response_free(&r);
        r = harness_request(&s->h, "GET", "/api/v1/queues?hall=xiasha", s->token[0], NULL, NULL);
        tq_expect_error(&r, 403, "forbidden");
    }
}

/* ---- errors ------------------------------------------------------------------ */

static void test_unknown_window_is_404(void **state)
{
    tq_state *s = *state;
    harness_response r;

    r = tq_post(s, s->token[0], "/api/v1/tickets", "{\"window\":\"win-nowhere\"}");
    tq_expect_error(&r, 404, "unknown_window");
    r = tq_post(s, s->token[0], "/api/v1/tickets/lease", "{\"window\":\"win-nowhere\",\"count\":3}");
    tq_expect_error(&r, 404, "unknown_window");
    r = tq_post(s, s->op, "/api/v1/queues/win-nowhere/call", NULL);
    tq_expect_error(&r, 404, "unknown_window");
}

static void test_bad_bodies_are_400_naming_the_field(void **state)
{
    tq_state *s = *state;
    const char *tickets = "/api/v1/tickets", *lease = "/api/v1/tickets/lease";
    harness_response r;

    r = tq_post(s, s->token[0], tickets, "{}");
    tq_expect_field_error(&r, "window");
    r = tq_post(s, s->token[0], tickets, "{\"window\":7}");
    tq_expect_field_error(&r, "window");
    r = tq_post(s, s->token[0], tickets, "{\"window\":\"win-tax\",\"priority\":\"yes\"}");
    tq_expect_field_error(&r, "priority");
    r = tq_post(s, s->token[0], tickets, "{\"window\":\"win-tax\",\"prority\":true}");
    tq_expect_field_error(&r, "prority");
    r = tq_post(s, s->token[0], tickets, "{\"window\":\"win-tax\",\"leased_number\":\"E001\"}");
    tq_expect_field_error(&r, "issued_at");
    r = tq_post(s, s->token[0], tickets,
                "{\"window\":\"win-tax\",\"leased_number\":\"31\",\"issued_at\":\"" TQ_DAY1 "\"}");
    tq_expect_field_error(&r, "leased_number");
    r = tq_post(s, s->token[0], tickets,
                "{\"window\":\"win-tax\",\"leased_number\":\"E001\",\"issued_at\":\"today\"}");
    tq_expect_field_error(&r, "issued_at");
    r = tq_post(s, s->token[0], tickets, "{\"window\":\"win-tax\",\"issued_at\":\"" TQ_DAY1 "\"}");
    tq_expect_field_error(&r, "issued_at");
    r = tq_post(s, s->token[0], lease, "{\"window\":\"win-tax\"}");
    tq_expect_field_error(&r, "count");
    r = tq_post(s, s->token[0], lease, "{\"window\":\"win-tax\",\"count\":0}");
    tq_expect_field_error(&r, "count");
    r = tq_post(s, s->token[0], lease, "{\"window\":\"win-tax\",\"count\":51}");
    tq_expect_field_error(&r, "count");
    r = tq_post(s, s->token[0], lease, "{\"window\":\"win-tax\",\"count\":\"3\"}");
    tq_expect_field_error(&r, "count");
    r = tq_post(s, s->op, "/api/v1/queues/win-tax/call", "{\"hall\":5}");
    tq_expect_field_error(&r, "hall");
    r = tq_post(s, s->token[0], tickets, "{\"window\":");
    tq_expect_error(&r, 400, "invalid_json");
    r = tq_post(s, s->token[0], tickets, "[\"win-tax\"]");
    tq_expect_error(&r, 400, "invalid_body");
}

static void test_a_device_may_not_call(void **state)
{
    tq_state *s = *state;
    harness_response r = tq_post(s, s->token[0], "/api/v1/queues/win-tax/call", NULL);
    tq_expect_error(&r, 403, "forbidden");
    r = tq_post(s, s->op, "/api/v1/tickets", "{\"window\":\"win-tax\"}");
    tq_expect_error(&r, 403, "forbidden");
}

/* Restarts the daemon a day later: a group of its own. */
static void test_a_lease_from_an_earlier_day_is_expired(void **state)
{
    tq_state *s = *state;
    harness_response r;
    json_t *lease, *j;

    tq_issue_expect(s, 0, "win-police", false, "G001", 0);
    lease = tq_lease(s, 2, "win-police", 3);   /* G002 … G004 */
    json_decref(lease);
    r = tq_register(s, 2, "win-police", "G002", TQ_DAY1, false);
    tq_expect_status(&r, 201);
    harness_response_free(&r);

    harness_kill9(&s->h);
    setenv("QIFU_FAKE_NOW", TQ_DAY2, 1);
    harness_restart(&s->h);

    r = tq_register(s, 2, "win-police", "G003", TQ_DAY1, false);
    tq_expect_error(&r, 409, "lease_expired");
    r = tq_register(s, 2, "win-police", "G004", TQ_DAY2, false);
    tq_expect_error(&r, 409, "lease_expired");
    /* yesterday's registration is still the same ticket */
    r = tq_register(s, 2, "win-police", "G002", TQ_DAY1, false);
    tq_expect_status(&r, 200);
    j = tq_json(&r);
    assert_string_equal(tq_str(j, "day"), "2026-11-24");
    json_decref(j);
    harness_response_free(&r);
    /* a new day numbers from 1 again */
    j = tq_issue(s, 0, "win-police", false);
    assert_string_equal(tq_str(j, "number"), "G001");
    assert_string_equal(tq_str(j, "day"), "2026-11-25");
    json_decref(j);
}

/* ---- before any catalog ------------------------------------------------------- */

static void test_without_a_catalog_tickets_are_503(void **state)
{
    harness h;
    char token[64], device[64];
    harness_response r;
    (void)state;

    memset(&h, 0, sizeof h);
    harness_start(&h, false);
    harness_enroll(&h, "kiosk-lonely", token, device);
    r = harness_request(&h, "POST", "/api/v1/tickets", token, "{\"window\":\"win-tax\"}", NULL);
    tq_expect_error(&r, 503, "no_catalog");
    r = harness_request(&h, "GET", "/api/v1/queues", token, NULL, NULL);
    tq_expect_error(&r, 503, "no_catalog");
    harness_stop(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_issuing_gives_unique_gap_free_numbers),
        cmocka_unit_test(test_issued_ticket_reply_has_every_field),
        cmocka_unit_test(test_leased_numbers_are_never_issued_online),
        cmocka_unit_test(test_registering_a_leased_number_twice_returns_the_same_ticket),
        cmocka_unit_test(test_registering_another_devices_lease_is_409),
        cmocka_unit_test(test_call_order_serves_priority_first_then_by_number),
        cmocka_unit_test(test_queue_list_counts_the_waiting),
        cmocka_unit_test(test_unknown_window_is_404),
        cmocka_unit_test(test_bad_bodies_are_400_naming_the_field),
        cmocka_unit_test(test_a_device_may_not_call),
    };
    /* apart, so the first group's daemon ends with SIGTERM (and its leak
     * check) rather than the kill -9 this one needs */
    const struct CMUnitTest midnight[] = {
        cmocka_unit_test(test_a_lease_from_an_earlier_day_is_expired),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test(test_without_a_catalog_tickets_are_503),
    };
    int failed;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    setenv("QIFU_FAKE_NOW", TQ_DAY1, 1);
    failed = cmocka_run_group_tests_name("queues", tests, tq_setup, tq_teardown);
    failed += cmocka_run_group_tests_name("queues across midnight", midnight, tq_setup,
                                          tq_teardown);
    setenv("QIFU_FAKE_NOW", TQ_DAY1, 1);
    failed += cmocka_run_group_tests_name("queues without a catalog", alone, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
