/* kiosk_run.c — see kiosk_run.h. */
#include "kiosk_run.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/wait.h>
#include <time.h>
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

/* ---- kiosk_site ----------------------------------------------------------- */

static uint64_t kiosk_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void kiosk_site_ctl(kiosk_site *s, const char *const *args, char **out)
{
    char *text = NULL;
    int rc = harness_ctl(&s->h, &text, args);
    if (rc != 0)
        fail_msg("qifu-ctl %s %s: exit %d: %s", args[0], args[1] ? args[1] : "", rc,
                 text ? text : "");
    if (out)
        *out = text;
    else
        free(text);
}

int kiosk_site_setup(kiosk_site *s, const char *tag)
{
    char err[256], op[64], name[64], *out = NULL;
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/qifu-site-%s-XXXXXX", tag);
    if (!mkdtemp(s->dir))
        return -1;
    if (qf_catalog_new(&s->cat) != QF_OK ||
        qf_catalog_load_dir(s->cat, QIFU_SOURCE_DIR "/assets/catalog", err, sizeof err) != QF_OK)
        return -1;
    harness_start(&s->h, true);
    const char *import[] = { "catalog", "import", QIFU_SOURCE_DIR "/assets/catalog", NULL };
    kiosk_site_ctl(s, import, NULL);
    /* The daemon serves an import within about a second: wait for v1. */
    harness_operator(&s->h, "ops-site", op);
    uint64_t end = kiosk_now_ms() + 20000u;
    for (;;) {
        harness_response r = harness_request(&s->h, "GET", "/api/v1/catalog", op, NULL, NULL);
        bool ok = r.status == 200 && r.headers && strstr(r.headers, "\"catalog-v1\"");
        harness_response_free(&r);
        if (ok)
            break;
        if (kiosk_now_ms() > end)
            fail_msg("the daemon did not serve catalog v1 in time");
        poll(NULL, 0, 20);
    }
    snprintf(name, sizeof name, "kiosk-%s", tag);
    const char *enroll[] = { "device", "enroll", name, "--hall", "qiantang", NULL };
    kiosk_site_ctl(s, enroll, &out);
    const char *p = out ? strstr(out, "code: ") : NULL;
    if (!p || sscanf(p + 6, "%63s", s->code) != 1) {
        free(out);
        return -1;
    }
    free(out);
    return 0;
}

int kiosk_site_teardown(kiosk_site *s)
{
    char cmd[300];
    harness_stop(&s->h);
    qf_catalog_free(s->cat);
    s->cat = NULL;
    if (getenv("QIFU_IT_KEEP")) {
        fprintf(stderr, "# kept %s\n", s->dir);
        return 0;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    return strncmp(s->dir, "/tmp/qifu-site-", 15) == 0 && system(cmd) == 0 ? 0 : -1;
}

void kiosk_site_config(const kiosk_site *s, const char *url, int idle_timeout_s,
                       const char *sink, const char *extra)
{
    char path[512];
    snprintf(path, sizeof path, "%s/kiosk.ini", s->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "[server]\n"
            "url = %s\n"
            "ca_file = %s\n"
            "enroll_code = %s\n"
            "sync_interval_s = 1\n"
            "[kiosk]\n"
            "state_dir = %s/state\n"
            "hall_name = 钱塘区企业综合服务中心\n"
            "idle_timeout_s = %d\n"
            "language = zh\n"
            "[printer]\n"
            "width_dots = 384\n",
            url ? url : s->h.base, s->h.cert, s->code, s->dir, idle_timeout_s);
    if (sink)
        fprintf(fp, "sink = %s\n", sink);
    else
        fprintf(fp, "sink = png:%s/slips\n", s->dir);
    fprintf(fp, "%s", extra ? extra : "");
    assert_int_equal(fclose(fp), 0);
}
