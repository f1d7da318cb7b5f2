/* test_catalog_api.c — GET /api/v1/catalog and `qifu-ctl catalog import`
 * on a real daemon: 404 before any import; import publishes version 1 and
 * the snapshot carries the shipped counts and an ETag; If-None-Match gives
 * 304; gzip bytes inflate to the identity body; a changed copy publishes
 * version 2 whose delta names exactly the changed and the deleted item;
 * unknown ?since gives the full snapshot, a non-integer one 400; the
 * running daemon serves version 2 without a restart; an invalid folder
 * publishes nothing; re-importing says "no changes".
 *
 * The tests run in order on one daemon and build on each other (the
 * versions they expect follow from the imports before them).
 *
 * Waiting: the daemon picks up a version published by another process
 * within about a second (catalog_cache.c checks the store once per second).
 * wait_for_etag() re-asks until the new ETag appears, with a deadline; it
 * waits for the promised event, and never sleeps a fixed time. */
#include <dirent.h>
#include <jansson.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include <cmocka.h>

#include "harness.h"
#include "qf_catalog.h"

#define CATALOG_DIR QIFU_SOURCE_DIR "/assets/catalog"
#define REFRESH_DEADLINE_MS 5000
#define CHANGED_SERVICE "svc-common-001"
#define DELETED_ONLINE "online-21"

typedef struct catalog_state {
    harness h;
    char token[64];
    char device_id[64];
    char changed_dir[300];   /* the copy with one change and one deletion */
    char invalid_dir[300];   /* a copy that does not validate */
} catalog_state;

/* ---- helpers ----------------------------------------------------------- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The value of header name in raw response headers (copied into out), or
 * NULL. The last occurrence wins (curl keeps every response's headers). */
static const char *header_value(const harness_response *r, const char *name, char *out,
                                size_t outlen)
{
    size_t nlen = strlen(name);
    const char *found = NULL;
    for (const char *line = r->headers; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            size_t vlen;
            while (*v == ' ')
                v++;
            vlen = (size_t)(line + len - v);
            while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
                vlen--;
            snprintf(out, outlen, "%.*s", (int)vlen, v);
            found = out;
        }
        line = eol ? eol + 1 : line + len;
    }
    return found;
}

static harness_response get(catalog_state *s, const char *path, const char *const *headers)
{
    return harness_request(&s->h, "GET", path, s->token, NULL, headers);
}

static json_t *body_json(const harness_response *r)
{
    json_error_t jerr;
    json_t *root = json_loadb(r->body, r->len, 0, &jerr);
    if (!root)
        fail_msg("body is not JSON (%s): %.200s", jerr.text, r->body);
    return root;
}

static void expect_error(harness_response *r, long status, const char *code)
{
    char want[64];
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
    snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\"", code);
    if (strncmp(r->body, want, strlen(want)) != 0)
        fail_msg("body %s does not start with %s", r->body, want);
}

/* Waits until the plain GET answers with ETag want (the daemon's refresher
 * has picked up the new version), or fails at the deadline. */
static void wait_for_etag(catalog_state *s, const char *want)
{
    uint64_t deadline = now_ms() + REFRESH_DEADLINE_MS;
    char etag[64] = "";
    for (;;) {
        harness_response r = get(s, "/api/v1/catalog", NULL);
        bool ok = r.status == 200 && header_value(&r, "ETag", etag, sizeof etag) &&
                  strcmp(etag, want) == 0;
        harness_response_free(&r);
        if (ok)
            return;
        if (now_ms() > deadline)
            fail_msg("the daemon did not serve ETag %s within %d ms (last: %s)", want,
                     REFRESH_DEADLINE_MS, etag);
        poll(NULL, 0, 20); /* the next check; the refresher runs once a second */
    }
}

static int ctl(catalog_state *s, char **out, const char *const *args)
{
    return harness_ctl(&s->h, out, args);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[8192];
    size_t n;
    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Copies every regular *.json (and README.md) of from into a fresh temp dir. */
static void copy_catalog(const char *from, char *dir, size_t dirlen)
{
    DIR *d;
    struct dirent *e;
    snprintf(dir, dirlen, "/tmp/qifu-it-cat-XXXXXX");
    assert_non_null(mkdtemp(dir));
    d = opendir(from);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char src[600], dst[600];
        if (e->d_name[0] == '.')
            continue;
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", dir, e->d_name);
        copy_file(src, dst);
    }
    closedir(d);
}

static void remove_dir(const char *dir)
{
    char cmd[400];
    if (dir[0] && strncmp(dir, "/tmp/qifu-it-cat-", 17) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

/* Loads dir/file, lets edit change the document, writes it back. */
static void edit_json(const char *dir, const char *file, void (*edit)(json_t *root))
{
    char path[600];
    json_error_t jerr;
    json_t *root;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("%s: %s", path, jerr.text);
    edit(root);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
    json_decref(root);
}

/* The element of array whose "id" is id, and its index. */
static json_t *find_by_id(json_t *array, const char *id, size_t *index)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0) {
            if (index)
                *index = i;
            return v;
        }
    }
    fail_msg("no item %s", id);
    return NULL;
}

static void edit_change_service(json_t *root)
{
    json_t *svc = find_by_id(json_object_get(root, "services"), CHANGED_SERVICE, NULL);
    assert_int_equal(json_object_set_new(svc, "content", json_string("测试修改后的服务内容。")),
                     0);
}

static void edit_delete_online(json_t *root)
{
    json_t *list = json_object_get(root, "online_services");
    size_t index = 0;
    find_by_id(list, DELETED_ONLINE, &index);
    assert_int_equal(json_array_remove(list, index), 0);
}

static void edit_break_board(json_t *root)
{
    json_t *svc = find_by_id(json_object_get(root, "services"), "svc-common-002", NULL);
    assert_int_equal(json_object_set_new(svc, "board", json_string("board-nowhere")), 0);
}

/* Inflates a gzip body (the test's own check of the daemon's bytes). */
static char *gunzip(const char *data, size_t len, size_t *out_len)
{
    z_stream zs;
    size_t cap = len * 8 + 1024, used = 0;
    char *out = malloc(cap);
    int zrc;

    assert_non_null(out);
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    do {
        if (used == cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        zs.next_out = (Bytef *)out + used;
        zs.avail_out = (uInt)(cap - used);
        zrc = inflate(&zs, Z_NO_FLUSH);
        used = cap - zs.avail_out;
    } while (zrc == Z_OK);
    assert_int_equal(zrc, Z_STREAM_END);
    assert_int_equal(zs.avail_in, 0);
    inflateEnd(&zs);
    *out_len = used;
    return out;
}

static size_t section_count(json_t *catalog, const char *section)
{
    json_t *a = json_object_get(catalog, section);
    assert_true(json_is_array(a));
    return json_array_size(a);
}

/* ---- setup ------------------------------------------------------------- */

static int setup(void **state)
{
    static catalog_state s;
    memset(&s, 0, sizeof s);
    harness_start(&s.h, false);
    harness_enroll(&s.h, "kiosk-1", s.token, s.device_id);
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    catalog_state *s = *state;
    remove_dir(s->changed_dir);
    remove_dir(s->invalid_dir);
    harness_stop(&s->h);
    return 0;
}

/* ---- tests, in order --------------------------------------------------- */

static void test_no_catalog_before_import_is_404(void **state)
{
    catalog_state *s = *state;
    harness_response r = get(s, "/api/v1/catalog", NULL);
    expect_error(&r, 404, "no_catalog");
    harness_response_free(&r);
    r = get(s, "/api/v1/catalog?since=1", NULL);
    expect_error(&r, 404, "no_catalog");
    harness_response_free(&r);
}

static void test_import_publishes_version_1(void **state)
{
    catalog_state *s = *state;
    const char *args[] = { "catalog", "import", CATALOG_DIR, NULL };
    char *out = NULL;
    assert_int_equal(ctl(s, &out, args), 0);
    assert_non_null(out);
    if (strncmp(out, "published version 1: ", 21) != 0 ||
        !strstr(out, " added, 0 changed, 0 deleted\n"))
        fail_msg("import printed: %s", out);
    free(out);
    wait_for_etag(s, "\"catalog-v1\"");
}

static void test_snapshot_has_the_shipped_counts_and_an_etag(void **state)
{
    catalog_state *s = *state;
    harness_response r = get(s, "/api/v1/catalog", NULL);
    char value[128];
    json_t *root, *catalog;
    char *text;
    qf_catalog *served = NULL, *shipped = NULL;
    char err[256];

    assert_int_equal(r.status, 200);
    assert_string_equal(header_value(&r, "ETag", value, sizeof value), "\"catalog-v1\"");
    assert_string_equal(header_value(&r, "Vary", value, sizeof value), "Accept-Encoding");
    assert_string_equal(header_value(&r, "Cache-Control", value, sizeof value), "no-cache");
    assert_null(header_value(&r, "Content-Encoding", value, sizeof value));
    root = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
    assert_true(json_is_true(json_object_get(root, "full")));
    assert_non_null(json_string_value(json_object_get(root, "published_at")));
    catalog = json_object_get(root, "catalog");
    assert_int_equal(section_count(catalog, "services"), 174);
    assert_int_equal(section_count(catalog, "stations"), 6);
    assert_int_equal(section_count(catalog, "online_services"), 40);
    assert_true(json_is_object(json_object_get(catalog, "meta")));

    /* The served catalog is the shipped one, item for item and in order. */
    text = json_dumps(catalog, JSON_COMPACT);
    assert_non_null(text);
    assert_int_equal(qf_catalog_new(&served), QF_OK);
    assert_int_equal(qf_catalog_new(&shipped), QF_OK);
    if (qf_catalog_decode_json(served, text, strlen(text), err, sizeof err) != QF_OK)
        fail_msg("the served catalog does not decode: %s", err);
    assert_int_equal(qf_catalog_load_dir(shipped, CATALOG_DIR, err, sizeof err), QF_OK);
    assert_true(qf_catalog_equal(served, shipped));
    qf_catalog_free(served);
    qf_catalog_free(shipped);
    free(text);
    json_decref(root);
    harness_response_free(&r);
}

static void test_if_none_match_gives_304_with_empty_body(void **state)
{
    catalog_state *s = *state;
    const char *exact[] = { "If-None-Match: \"catalog-v1\"", NULL };
    const char *list[] = { "If-None-Match: \"catalog-v0\", W/\"catalog-v1\"", NULL };
    const char *other[] = { "If-None-Match: \"catalog-v7\"", NULL };
    const char *const *matching[] = { exact, list };
    char value[64];

    for (size_t i = 0; i < 2; i++) {
        harness_response r = get(s, "/api/v1/catalog", matching[i]);
        assert_int_equal(r.status, 304);
        assert_int_equal(r.len, 0);
        assert_string_equal(header_value(&r, "ETag", value, sizeof value), "\"catalog-v1\"");
        assert_string_equal(header_value(&r, "Vary", value, sizeof value), "Accept-Encoding");
        harness_response_free(&r);
    }
    harness_response r = get(s, "/api/v1/catalog", other);
    assert_int_equal(r.status, 200);
    assert_true(r.len > 100000);
    harness_response_free(&r);
}

static void test_gzip_bytes_inflate_to_the_identity_body(void **state)
{
    catalog_state *s = *state;
    const char *gz_headers[] = { "Accept-Encoding: gzip", NULL };
    const char *refused[] = { "Accept-Encoding: gzip;q=0, identity", NULL };
    harness_response plain = get(s, "/api/v1/catalog", NULL);
    harness_response gz = get(s, "/api/v1/catalog", gz_headers);
    harness_response no = get(s, "/api/v1/catalog", refused);
    char value[64];
    size_t inflated_len = 0;
    char *inflated;

    assert_int_equal(plain.status, 200);
    assert_int_equal(gz.status, 200);
    assert_string_equal(header_value(&gz, "Content-Encoding", value, sizeof value), "gzip");
    assert_string_equal(header_value(&gz, "ETag", value, sizeof value), "\"catalog-v1\"");
    assert_true(gz.len > 2);
    assert_int_equal((unsigned char)gz.body[0], 0x1f);
    assert_int_equal((unsigned char)gz.body[1], 0x8b);
    assert_true(gz.len < plain.len / 2);
    inflated = gunzip(gz.body, gz.len, &inflated_len);
    assert_int_equal(inflated_len, plain.len);
    assert_memory_equal(inflated, plain.body, plain.len);
    free(inflated);

    assert_int_equal(no.status, 200);
    assert_null(header_value(&no, "Content-Encoding", value, sizeof value));
    assert_int_equal(no.len, plain.len);
    harness_response_free(&plain);
    harness_response_free(&gz);
    harness_response_free(&no);
}

static void test_changed_copy_publishes_version_2(void **state)
{
    catalog_state *s = *state;
    const char *args[] = { "catalog", "import", s->changed_dir, NULL };
    char *out = NULL;

    copy_catalog(CATALOG_DIR, s->changed_dir, sizeof s->changed_dir);
    edit_json(s->changed_dir, "services-common-1.json", edit_change_service);
    edit_json(s->changed_dir, "online.json", edit_delete_online);
    assert_int_equal(ctl(s, &out, args), 0);
    assert_non_null(out);
    assert_string_equal(out, "published version 2: 0 added, 1 changed, 1 deleted\n");
    free(out);
}

static void test_since_1_has_exactly_the_change_and_the_deletion(void **state)
{
    catalog_state *s = *state;
    harness_response r = get(s, "/api/v1/catalog?since=1", NULL);
    json_t *root, *changed, *services, *deleted;

    assert_int_equal(r.status, 200);
    root = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 2);
    assert_int_equal(json_integer_value(json_object_get(root, "since")), 1);
    assert_true(json_is_false(json_object_get(root, "full")));
    changed = json_object_get(root, "changed");
    assert_int_equal(json_object_size(changed), 1);
    services = json_object_get(changed, "services");
    assert_int_equal(json_array_size(services), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(services, 0), "id")),
                        CHANGED_SERVICE);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(services, 0), "content")),
        "测试修改后的服务内容。");
    deleted = json_object_get(root, "deleted");
    assert_int_equal(json_array_size(deleted), 1);
    assert_string_equal(json_string_value(json_array_get(deleted, 0)), DELETED_ONLINE);
    json_decref(root);
    harness_response_free(&r);
}

static void test_since_current_version_has_nothing(void **state)
{
    catalog_state *s = *state;
    harness_response r = get(s, "/api/v1/catalog?since=2", NULL);
    json_t *root;
    assert_int_equal(r.status, 200);
    root = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 2);
    assert_true(json_is_false(json_object_get(root, "full")));
    assert_int_equal(json_object_size(json_object_get(root, "changed")), 0);
    assert_int_equal(json_array_size(json_object_get(root, "deleted")), 0);
    json_decref(root);
    harness_response_free(&r);
}

static void test_new_version_is_served_without_restart(void **state)
{
    catalog_state *s = *state;
    const char *old_tag[] = { "If-None-Match: \"catalog-v1\"", NULL };
    const char *new_tag[] = { "If-None-Match: \"catalog-v2\"", NULL };
    harness_response r;
    json_t *root;

    wait_for_etag(s, "\"catalog-v2\"");
    r = get(s, "/api/v1/catalog", old_tag);
    assert_int_equal(r.status, 200);
    root = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 2);
    assert_int_equal(section_count(json_object_get(root, "catalog"), "online_services"), 39);
    json_decref(root);
    harness_response_free(&r);
    r = get(s, "/api/v1/catalog", new_tag);
    assert_int_equal(r.status, 304);
    harness_response_free(&r);
}

static void test_unknown_since_gives_the_full_snapshot(void **state)
{
    catalog_state *s = *state;
    const char *paths[] = { "/api/v1/catalog?since=99", "/api/v1/catalog?since=0",
                            "/api/v1/catalog?since=-3" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        harness_response r = get(s, paths[i], NULL);
        json_t *root;
        assert_int_equal(r.status, 200);
        root = body_json(&r);
        assert_true(json_is_true(json_object_get(root, "full")));
        assert_int_equal(json_integer_value(json_object_get(root, "version")), 2);
        assert_int_equal(section_count(json_object_get(root, "catalog"), "services"), 174);
        json_decref(root);
        harness_response_free(&r);
    }
}

static void test_since_that_is_not_an_integer_is_400(void **state)
{
    catalog_state *s = *state;
    const char *paths[] = { "/api/v1/catalog?since=abc", "/api/v1/catalog?since=1.5",
                            "/api/v1/catalog?since=", "/api/v1/catalog?since=99999999999999999999" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        harness_response r = get(s, paths[i], NULL);
        expect_error(&r, 400, "invalid_since");
        harness_response_free(&r);
    }
}

static void test_invalid_folder_publishes_nothing(void **state)
{
    catalog_state *s = *state;
    const char *args[] = { "catalog", "import", s->invalid_dir, NULL };
    const char *versions[] = { "catalog", "versions", "--json", NULL };
    char *out = NULL;
    json_t *list;
    harness_response r;
    char value[64];

    copy_catalog(CATALOG_DIR, s->invalid_dir, sizeof s->invalid_dir);
    edit_json(s->invalid_dir, "services-common-1.json", edit_break_board);
    assert_int_equal(ctl(s, &out, args), 1);
    assert_true(!out || !strstr(out, "published"));
    free(out);

    assert_int_equal(ctl(s, &out, versions), 0);
    list = json_loads(out, 0, NULL);
    assert_true(json_is_array(list));
    assert_int_equal(json_array_size(list), 2);
    json_decref(list);
    free(out);
    r = get(s, "/api/v1/catalog", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(header_value(&r, "ETag", value, sizeof value), "\"catalog-v2\"");
    harness_response_free(&r);
}

static void test_reimport_of_the_same_folder_changes_nothing(void **state)
{
    catalog_state *s = *state;
    const char *args[] = { "catalog", "import", s->changed_dir, NULL };
    char *out = NULL;
    harness_response r;
    json_t *root;

    assert_int_equal(ctl(s, &out, args), 0);
    assert_non_null(out);
    assert_string_equal(out, "no changes; version 2 stays current\n");
    free(out);
    r = get(s, "/api/v1/catalog?since=2", NULL);
    assert_int_equal(r.status, 200);
    root = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 2);
    json_decref(root);
    harness_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_catalog_before_import_is_404),
        cmocka_unit_test(test_import_publishes_version_1),
        cmocka_unit_test(test_snapshot_has_the_shipped_counts_and_an_etag),
        cmocka_unit_test(test_if_none_match_gives_304_with_empty_body),
        cmocka_unit_test(test_gzip_bytes_inflate_to_the_identity_body),
        cmocka_unit_test(test_changed_copy_publishes_version_2),
        cmocka_unit_test(test_since_1_has_exactly_the_change_and_the_deletion),
        cmocka_unit_test(test_since_current_version_has_nothing),
        cmocka_unit_test(test_new_version_is_served_without_restart),
        cmocka_unit_test(test_unknown_since_gives_the_full_snapshot),
        cmocka_unit_test(test_since_that_is_not_an_integer_is_400),
        cmocka_unit_test(test_invalid_folder_publishes_nothing),
        cmocka_unit_test(test_reimport_of_the_same_folder_changes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
