/* test_config.c — qf_config: INI parsing through libinih, typed getters
 * with defaults and named errors, limits, and the shipped example config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "qf_config.h"

static char temp_path[64];

static qf_config *load_text(const char *text, qf_err want, char *err, size_t errlen)
{
    qf_config *cfg = NULL;
    strcpy(temp_path, "/tmp/qifu-cfg-XXXXXX");
    int fd = mkstemp(temp_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(qf_config_load(temp_path, &cfg, err, errlen), want);
    unlink(temp_path);
    return cfg;
}

static void test_reads_sections_and_keys(void **state)
{
    (void)state;
    qf_config *cfg = load_text("[syncd]\nlisten = 127.0.0.1:0\n; comment\n[kiosk]\nlisten = x\n",
                               QF_OK, NULL, 0);
    assert_string_equal(qf_config_get(cfg, "syncd", "listen"), "127.0.0.1:0");
    assert_string_equal(qf_config_get(cfg, "kiosk", "listen"), "x");
    assert_null(qf_config_get(cfg, "syncd", "db"));
    assert_null(qf_config_get(cfg, "nosuch", "listen"));
    qf_config_free(cfg);
}

static void test_last_duplicate_wins(void **state)
{
    (void)state;
    qf_config *cfg = load_text("[a]\nk = 1\nk = 2\n", QF_OK, NULL, 0);
    assert_string_equal(qf_config_get(cfg, "a", "k"), "2");
    qf_config_free(cfg);
}

static void test_int_getter_validates_range_and_names_the_key(void **state)
{
    (void)state;
    char err[200];
    long v = 0;
    qf_config *cfg = load_text("[kiosk]\nidle = 90\nbad = 9x\nbig = 100000\n", QF_OK, NULL, 0);
    assert_int_equal(qf_config_get_int(cfg, "kiosk", "idle", 10, 3600, 60, &v, err, sizeof err), QF_OK);
    assert_int_equal(v, 90);
    assert_int_equal(qf_config_get_int(cfg, "kiosk", "absent", 10, 3600, 60, &v, err, sizeof err), QF_OK);
    assert_int_equal(v, 60);
    assert_int_equal(qf_config_get_int(cfg, "kiosk", "bad", 0, 10, 0, &v, err, sizeof err),
                     QF_ERR_INVALID);
    assert_non_null(strstr(err, "[kiosk] bad"));
    assert_int_equal(qf_config_get_int(cfg, "kiosk", "big", 0, 3600, 0, &v, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(v, 60); /* untouched on error */
    qf_config_free(cfg);
}

static void test_bool_getter(void **state)
{
    (void)state;
    bool b = false;
    char err[200];
    qf_config *cfg = load_text("[k]\na = yes\nb = off\nc = maybe\n", QF_OK, NULL, 0);
    assert_int_equal(qf_config_get_bool(cfg, "k", "a", false, &b, err, sizeof err), QF_OK);
    assert_true(b);
    assert_int_equal(qf_config_get_bool(cfg, "k", "b", true, &b, err, sizeof err), QF_OK);
    assert_false(b);
    assert_int_equal(qf_config_get_bool(cfg, "k", "c", true, &b, err, sizeof err), QF_ERR_INVALID);
    assert_non_null(strstr(err, "maybe"));
    qf_config_free(cfg);
}

static void test_malformed_file_reports_the_line(void **state)
{
    (void)state;
    char err[200];
    qf_config *cfg = load_text("[a]\nk = 1\nnot a pair\n", QF_ERR_PARSE, err, sizeof err);
    assert_null(cfg);
    assert_non_null(strstr(err, "line 3"));
}

static void test_overlong_value_is_refused(void **state)
{
    (void)state;
    char err[200];
    char *text = malloc(2200);
    strcpy(text, "[a]\nk = ");
    memset(text + 8, 'x', 2000);
    strcpy(text + 2008, "\n");
    /* Debian's libinih refuses lines over its INI_MAX_LINE before our own
     * 1 KiB value limit is reached; either way the file is not loaded. */
    qf_config *cfg = (qf_config *)1;
    int fd;
    strcpy(temp_path, "/tmp/qifu-cfg-XXXXXX");
    fd = mkstemp(temp_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    free(text);
    assert_int_not_equal(qf_config_load(temp_path, &cfg, err, sizeof err), QF_OK);
    assert_null(cfg);
    unlink(temp_path);
}

static void test_missing_file_is_io_error(void **state)
{
    (void)state;
    qf_config *cfg = (qf_config *)1;
    char err[200];
    assert_int_equal(qf_config_load("/nonexistent/qifu.ini", &cfg, err, sizeof err), QF_ERR_IO);
    assert_null(cfg);
    assert_non_null(strstr(err, "/nonexistent/qifu.ini"));
}

static void test_shipped_daemon_config_names_its_database(void **state)
{
    (void)state;
    qf_config *cfg = NULL;
    char err[200];
    assert_int_equal(qf_config_load(QIFU_SOURCE_DIR "/config/qifu-syncd.ini", &cfg, err, sizeof err),
                     QF_OK);
    assert_non_null(qf_config_get(cfg, "syncd", "db"));
    assert_non_null(qf_config_get(cfg, "syncd", "listen"));
    qf_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_sections_and_keys),
        cmocka_unit_test(test_last_duplicate_wins),
        cmocka_unit_test(test_int_getter_validates_range_and_names_the_key),
        cmocka_unit_test(test_bool_getter),
        cmocka_unit_test(test_malformed_file_reports_the_line),
        cmocka_unit_test(test_overlong_value_is_refused),
        cmocka_unit_test(test_missing_file_is_io_error),
        cmocka_unit_test(test_shipped_daemon_config_names_its_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
