/* kiosk_run.c — see kiosk_run.h. */
#include "kiosk_run.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

int kiosk_run_setup(kiosk_run *k, const char *tag)
{
    char err[256];
    snprintf(k->dir, sizeof k->dir, "/tmp/qifu-kiosk-%s-XXXXXX", tag);
    if (!mkdtemp(k->dir))
        return -1;
    if (qf_catalog_new(&k->cat) != QF_OK ||
        qf_catalog_load_dir(k->cat, QIFU_SOURCE_DIR "/assets/catalog", err, sizeof err) != QF_OK)
        return -1;
    return 0;
}

int kiosk_run_teardown(kiosk_run *k)
{
    char cmd[300];
    qf_catalog_free(k->cat);
    k->cat = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", k->dir);
    return system(cmd) == 0 ? 0 : -1;
}

void kiosk_write_file(const kiosk_run *k, const char *name, const char *text)
{
    char path[512];
    FILE *fp;
    snprintf(path, sizeof path, "%s/%s", k->dir, name);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

void kiosk_write_config(const kiosk_run *k, int idle_timeout_s)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[server]\n"
             "url =\n"
             "[kiosk]\n"
             "state_dir = %s/state\n"
             "hall_name = 钱塘区企业综合服务中心\n"
             "idle_timeout_s = %d\n"
             "language = zh\n"
             "catalog_dir = %s/assets/catalog\n",
             k->dir, idle_timeout_s, QIFU_SOURCE_DIR);
    kiosk_write_file(k, "kiosk.ini", text);
}

static void kiosk_path(char *buf, size_t len, const char *dir, const char *name, const char *ext)
{
    if ((size_t)snprintf(buf, len, "%s/%s%s", dir, name, ext) >= len)
        fail_msg("path %s/%s%s is too long", dir, name, ext);
}

/* Runs qifu-kiosk in dir on scr with stderr to errpath; the child gets
 * libpinyin's known libdb leak suppressed. */
static pid_t kiosk_spawn(const char *dir, const char *scr, const char *errpath)
{
    char cfg[512];
    pid_t pid;
    kiosk_path(cfg, sizeof cfg, dir, "kiosk", ".ini");
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(errpath, "w", stderr) || chdir(dir) != 0)
            _exit(127);
        setenv("LSAN_OPTIONS", "suppressions=" QIFU_SOURCE_DIR "/tests/lsan-libpinyin.supp", 1);
        execl(QIFU_KIOSK_BIN, "qifu-kiosk", "--config", cfg, "--headless", "--script", scr,
              (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void kiosk_echo(const char *errpath)
{
    FILE *fp = fopen(errpath, "r");
    if (fp) {
        char line[1024];
        while (fgets(line, sizeof line, fp))
            fprintf(stderr, "  | %s", line);
        fclose(fp);
    }
}

/* Waits for pid, echoes errpath, returns the exit status. */
static int kiosk_wait(pid_t pid, const char *errpath)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    kiosk_echo(errpath);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void kiosk_echo_stderr_in(const char *dir, const char *name)
{
    char errpath[512];
    kiosk_path(errpath, sizeof errpath, dir, name, ".err");
    kiosk_echo(errpath);
}

int kiosk_run_file(const kiosk_run *k, const char *scr)
{
    char errpath[512];
    kiosk_path(errpath, sizeof errpath, k->dir, "stderr", ".txt");
    return kiosk_wait(kiosk_spawn(k->dir, scr, errpath), errpath);
}

pid_t kiosk_start_in(const char *dir, const char *name, const char *script)
{
    char scr[512], errpath[512];
    FILE *fp;
    kiosk_path(scr, sizeof scr, dir, name, ".txt");
    kiosk_path(errpath, sizeof errpath, dir, name, ".err");
    fp = fopen(scr, "w");
    assert_non_null(fp);
    fputs(script, fp);
    assert_int_equal(fclose(fp), 0);
    return kiosk_spawn(dir, scr, errpath);
}

int kiosk_finish_in(const char *dir, pid_t pid, const char *name)
{
    char errpath[512];
    kiosk_path(errpath, sizeof errpath, dir, name, ".err");
    return kiosk_wait(pid, errpath);
}

int kiosk_run_script(const kiosk_run *k, const char *script)
{
    char scr[512];
    kiosk_write_file(k, "script.txt", script);
    snprintf(scr, sizeof scr, "%s/script.txt", k->dir);
    return kiosk_run_file(k, scr);
}

const char *kiosk_read_stderr(const kiosk_run *k)
{
    static char buf[65536];
    char path[512];
    size_t n;
    FILE *fp;
    snprintf(path, sizeof path, "%s/stderr.txt", k->dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

json_t *kiosk_load_dump_in(const char *dir, const char *name)
{
    char path[512];
    json_error_t je;
    json_t *j;
    kiosk_path(path, sizeof path, dir, name, "");
    j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

json_t *kiosk_load_dump(const kiosk_run *k, const char *name)
{
    return kiosk_load_dump_in(k->dir, name);
}

const char *kiosk_dump_screen(json_t *j)
{
    return json_string_value(json_object_get(j, "screen"));
}

json_t *kiosk_dump_find(json_t *j, const char *role, const char *needle)
{
    json_t *arr = json_object_get(j, "widgets"), *w;
    size_t i;
    json_array_foreach(arr, i, w) {
        const char *t = json_string_value(json_object_get(w, "text"));
        const char *r = json_string_value(json_object_get(w, "role"));
        if (t && strstr(t, needle) && (!role || (r && strcmp(r, role) == 0)))
            return w;
    }
    return NULL;
}

size_t kiosk_dump_count_role(json_t *j, const char *role)
{
    json_t *w;
    size_t i, n = 0;
    json_array_foreach(json_object_get(j, "widgets"), i, w) {
        const char *r = json_string_value(json_object_get(w, "role"));
        if (r && strcmp(r, role) == 0)
            n++;
    }
    return n;
}

long kiosk_rect_at(json_t *w, size_t i)
{
    return (long)json_integer_value(json_array_get(json_object_get(w, "rect"), i));
}
