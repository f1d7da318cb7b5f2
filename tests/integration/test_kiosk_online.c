/* test_kiosk_online.c — the qifu-kiosk program against the real qifu-syncd
 * over TLS (the harness's self-signed certificate pinned as the CA):
 *   first boot: enrolls with a code from `qifu-ctl device enroll`, keeps a
 *     0600 token, and its home shows the boards of the daemon's catalog
 *     (the kiosk has no catalog_dir: they can only come from the daemon);
 *   a catalog delta while the kiosk runs: the kiosk is started in the
 *     background on the 人才服务 board; once its dump shows it got there the
 *     test imports a changed catalog (board-talent's description) and the
 *     script waits for the new text;
 *   offline start: with the daemon killed the kiosk starts from its cache
 *     (same state_dir) with the boards, the changed text and the 离线 mark.
 * The tests run in order on one daemon. Nothing sleeps to pass: the script
 * waits on text with limits; the test waits on files and the daemon's own
 * answers with deadlines. */
#include <fcntl.h>
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

#include "harness.h"
#include "kiosk_run.h"
#include "qf_catalog.h"

#define CATALOG_DIR QIFU_SOURCE_DIR "/assets/catalog"
#define CHANGED_BOARD "board-talent"
#define CHANGED_TEXT "测试：人才服务板块的说明已由目录增量更新。"
#define DEADLINE_MS 20000u

static kiosk_site site;     /* the daemon, the enrollment, the kiosk's folder */
static char changed[300];   /* the changed catalog copy */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void path_in(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", site.dir, name);
}

/* The kiosk in the background: kiosk_run.c, in this fixture's folder. */
static pid_t start_kiosk(const char *name, const char *script)
{
    return kiosk_start_in(site.dir, name, script);
}

static int finish_kiosk(pid_t pid, const char *name)
{
    return kiosk_finish_in(site.dir, pid, name);
}

static void echo_stderr(const char *name)
{
    kiosk_echo_stderr_in(site.dir, name);
}

static int run_kiosk(const char *name, const char *script)
{
    return finish_kiosk(start_kiosk(name, script), name);
}

static json_t *load_dump(const char *name)
{
    return kiosk_load_dump_in(site.dir, name);
}

static const char *dump_screen(json_t *j)
{
    return json_string_value(json_object_get(j, "screen"));
}

static bool dump_has(json_t *j, const char *role, const char *needle)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(j, "widgets"), i, w) {
        const char *r = json_string_value(json_object_get(w, "role"));
        const char *t = json_string_value(json_object_get(w, "text"));
        if ((!role || (r && strcmp(r, role) == 0)) && t && strstr(t, needle))
            return true;
    }
    return false;
}

static void assert_home_has_boards(json_t *j)
{
    assert_string_equal(dump_screen(j), "home");
    assert_true(site.cat->boards_count > 0);
    for (size_t i = 0; i < site.cat->boards_count; i++)
        if (!dump_has(j, "tile", site.cat->boards[i].name))
            fail_msg("home has no tile for %s", site.cat->boards[i].name);
}

/* ---- the changed catalog -------------------------------------------------- */

static void copy_catalog(void)
{
    char cmd[700];
    snprintf(changed, sizeof changed, "%s/changed", site.dir);
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", CATALOG_DIR, changed);
    assert_int_equal(system(cmd), 0);
    char path[400];
    snprintf(path, sizeof path, "%s/boards.json", changed);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        fail_msg("%s: %s", path, je.text);
    size_t i;
    json_t *b;
    bool found = false;
    json_array_foreach(json_object_get(root, "boards"), i, b) {
        if (strcmp(json_string_value(json_object_get(b, "id")), CHANGED_BOARD) == 0) {
            assert_int_equal(json_object_set_new(b, "description", json_string(CHANGED_TEXT)), 0);
            found = true;
        }
    }
    assert_true(found);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
    json_decref(root);
}

/* ---- fixture ---------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    if (kiosk_site_setup(&site, "online") != 0)
        return -1;
    kiosk_site_config(&site, NULL, 600, NULL, NULL);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return kiosk_site_teardown(&site);   /* after kill9 it only removes the folders */
}

/* ---- tests ------------------------------------------------------------------ */

static void test_first_boot_enrolls_and_home_shows_the_daemon_catalog(void **state)
{
    (void)state;
    char script[1024];
    snprintf(script, sizeof script,
             "tap 540 960\n"
             "wait-text 人才服务 5000\n"
             "dump %s/first.json\n"
             "quit\n",
             site.dir);
    assert_int_equal(run_kiosk("first", script), 0);
    json_t *j = load_dump("first.json");
    assert_home_has_boards(j);
    assert_false(dump_has(j, NULL, "离线"));   /* it is online */
    json_decref(j);

    char path[512];
    struct stat st;
    path_in(path, sizeof path, "state/token");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    path_in(path, sizeof path, "state/catalog.db");
    assert_int_equal(stat(path, &st), 0);
}

static void test_catalog_delta_reaches_the_running_kiosk(void **state)
{
    (void)state;
    char script[1024], ready[512];
    path_in(ready, sizeof ready, "board-before.json");
    snprintf(script, sizeof script,
             "tap 540 960\n"
             "wait-text 人才服务 5000\n"
             "tap-text 人才服务\n"
             "wait-text 钱塘礼遇 5000\n"
             "dump %s\n"
             "wait-text %s 15000\n"
             "dump %s/board-after.json\n"
             "quit\n",
             ready, CHANGED_TEXT, site.dir);
    copy_catalog();
    uint64_t t0 = now_ms();
    pid_t pid = start_kiosk("delta", script);
    /* The kiosk is on the board with the old text: now publish the change. */
    struct stat st;
    while (stat(ready, &st) != 0) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            echo_stderr("delta");
            fail_msg("the kiosk exited before reaching the board");
        }
        if (now_ms() - t0 > DEADLINE_MS) {
            kill(pid, SIGKILL);
            finish_kiosk(pid, "delta");
            fail_msg("the kiosk did not reach the board in time");
        }
        poll(NULL, 0, 20);
    }
    const char *import[] = { "catalog", "import", changed, NULL };
    uint64_t t1 = now_ms();
    kiosk_site_ctl(&site, import, NULL);
    assert_int_equal(finish_kiosk(pid, "delta"), 0);
    fprintf(stderr, "# import to new text on the kiosk: %llu ms\n",
            (unsigned long long)(now_ms() - t1));

    json_t *j = load_dump("board-before.json");
    assert_string_equal(dump_screen(j), "board");
    assert_false(dump_has(j, NULL, CHANGED_TEXT));
    json_decref(j);
    j = load_dump("board-after.json");
    assert_string_equal(dump_screen(j), "board");
    assert_true(dump_has(j, NULL, CHANGED_TEXT));
    assert_true(dump_has(j, NULL, "人才服务"));
    json_decref(j);
}

static void test_offline_start_from_the_cache_shows_boards_and_mark(void **state)
{
    (void)state;
    harness_kill9(&site.h);   /* the folder (and the CA file) stays */
    char script[1024];
    snprintf(script, sizeof script,
             "tap 540 960\n"
             "wait-text 人才服务 5000\n"
             "wait-text 离线 5000\n"
             "dump %s/offline-home.json\n"
             "tap-text 人才服务\n"
             "wait-text %s 5000\n"
             "dump %s/offline-board.json\n"
             "quit\n",
             site.dir, CHANGED_TEXT, site.dir);
    assert_int_equal(run_kiosk("offline", script), 0);
    json_t *j = load_dump("offline-home.json");
    assert_home_has_boards(j);
    assert_true(dump_has(j, "label", "离线"));
    json_decref(j);
    j = load_dump("offline-board.json");
    assert_string_equal(dump_screen(j), "board");
    assert_true(dump_has(j, NULL, CHANGED_TEXT));   /* the delta was cached */
    assert_true(dump_has(j, "label", "离线"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_boot_enrolls_and_home_shows_the_daemon_catalog),
        cmocka_unit_test(test_catalog_delta_reaches_the_running_kiosk),
        cmocka_unit_test(test_offline_start_from_the_cache_shows_boards_and_mark),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
