/* test_kiosk_ticket.c — 取号 at the qifu-kiosk program against the real
 * qifu-syncd over TLS and a virtual printer (`qifu-ctl printer listen`, a
 * child process on a free port, its port read from its stderr):
 *   a ticket for the 纳税服务 window: the kiosk shows the number (E001: the
 *     window's ticket_prefix in assets/catalog/boards.json is E) and 已打印;
 *     the printer decoded one slip whose QR reads (zbarimg) as the
 *     queue-status URL, server url + "/queue/E001";
 *   the window list shows how many wait at each window (GET /api/v1/queues);
 *   a printer out of paper: the kiosk says 打印机缺纸 and never 已打印, the
 *     printer got no slip, the fleet view (GET /api/v1/devices) shows the
 *     kiosk's printer_status paper_out, and the result returns home by itself;
 *   the daemon down: 网络不可用，暂时无法取号 and no number (offline leased
 *     numbers are a later step).
 * Nothing sleeps to pass: the script waits on text with limits; the test
 * waits on files and the daemon's answers with deadlines. */
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
#define DEADLINE_MS 20000u

static struct {
    harness h;
    char dir[256];          /* the kiosk's folder: config, scripts, dumps */
    char code[64];
    qf_catalog *cat;
    char sink[300];         /* the kiosk's [printer] sink */
} fx;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void ctl_ok(const char *const *args, char **out)
{
    char *text = NULL;
    int rc = harness_ctl(&fx.h, &text, args);
    if (rc != 0)
        fail_msg("qifu-ctl %s %s: exit %d: %s", args[0], args[1], rc, text ? text : "");
    if (out)
        *out = text;
    else
        free(text);
}

/* The daemon serves a new import within about a second: wait until its
 * snapshot is version v (bounded). */
static void wait_published(int64_t v)
{
    char op[64], want[32];
    uint64_t end = now_ms() + DEADLINE_MS;
    harness_operator(&fx.h, "ops-kiosk-ticket", op);
    snprintf(want, sizeof want, "\"catalog-v%lld\"", (long long)v);
    while (now_ms() < end) {
        harness_response r = harness_request(&fx.h, "GET", "/api/v1/catalog", op, NULL, NULL);
        bool ok = r.status == 200 && r.headers && strstr(r.headers, want);
        harness_response_free(&r);
        if (ok)
            return;
        poll(NULL, 0, 20);
    }
    fail_msg("the daemon did not serve catalog v%lld in time", (long long)v);
}

static void path_in(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", fx.dir, name);
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    path_in(path, sizeof path, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void write_config(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[server]\n"
             "url = %s\n"
             "ca_file = %s\n"
             "enroll_code = %s\n"
             "sync_interval_s = 1\n"
             "[kiosk]\n"
             "state_dir = %s/state\n"
             "hall_name = 钱塘区企业综合服务中心\n"
             "idle_timeout_s = 600\n"
             "language = zh\n"
             "[printer]\n"
             "sink = %s\n"
             "width_dots = 384\n",
             fx.h.base, fx.h.cert, fx.code, fx.dir, fx.sink);
    write_file("kiosk.ini", text);
}

/* The kiosk in the background: kiosk_run.c, in this fixture's folder. */
static pid_t start_kiosk(const char *name, const char *script)
{
    return kiosk_start_in(fx.dir, name, script);
}

static int finish_kiosk(pid_t pid, const char *name)
{
    return kiosk_finish_in(fx.dir, pid, name);
}

static void echo_stderr(const char *name)
{
    kiosk_echo_stderr_in(fx.dir, name);
}

static int run_kiosk(const char *name, const char *script)
{
    return finish_kiosk(start_kiosk(name, script), name);
}

static json_t *load_dump(const char *name)
{
    return kiosk_load_dump_in(fx.dir, name);
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



/* ---- the virtual printer ----------------------------------------------------- */

typedef struct vprinter {
    pid_t pid;
    char out[400];          /* its PNG folder */
    char log[400];          /* its stderr */
    unsigned port;
} vprinter;

static bool file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return false;
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static void printer_start(vprinter *p, const char *name, const char *status)
{
    memset(p, 0, sizeof *p);
    snprintf(p->out, sizeof p->out, "%s/%s", fx.dir, name);
    snprintf(p->log, sizeof p->log, "%s/%s.err", fx.dir, name);
    assert_int_equal(mkdir(p->out, 0700), 0);
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        if (!freopen(p->log, "w", stderr))
            _exit(127);
        execl(QIFU_CTL_BIN, "qifu-ctl", "printer", "listen", "--port", "0", "--out", p->out,
              "--status", status, (char *)NULL);
        _exit(127);
    }
    uint64_t end = now_ms() + DEADLINE_MS;
    while (now_ms() < end) {
        FILE *fp = fopen(p->log, "r");
        char line[256];
        while (fp && fgets(line, sizeof line, fp))
            if (sscanf(line, "listening on 127.0.0.1:%u", &p->port) == 1)
                break;
        if (fp)
            fclose(fp);
        if (p->port)
            return;
        int st;
        if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
            p->pid = 0;
            fail_msg("the virtual printer exited before listening");
        }
        poll(NULL, 0, 20);
    }
    fail_msg("the virtual printer did not say its port in time");
}

static void printer_stop(vprinter *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        waitpid(p->pid, NULL, 0);
    }
    p->pid = 0;
}

/* The PNGs the printer wrote into its folder (the first one's path in first). */
static size_t printer_slips(const vprinter *p, char *first, size_t len)
{
    char cmd[600], line[600];
    size_t n = 0;
    snprintf(cmd, sizeof cmd, "ls '%s' | grep '\\.png$'", p->out);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        if (n++ == 0 && first && (size_t)snprintf(first, len, "%s/%s", p->out, line) >= len)
            fail_msg("slip path longer than %zu bytes", len);
    }
    pclose(fp);
    return n;
}

static void use_printer(const vprinter *p)
{
    snprintf(fx.sink, sizeof fx.sink, "escpos-tcp:127.0.0.1:%u", p->port);
    write_config();
}

/* ---- fixture ---------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof fx);
    snprintf(fx.dir, sizeof fx.dir, "/tmp/qifu-it-ktk-XXXXXX");
    if (!mkdtemp(fx.dir))
        return -1;
    char err[256];
    if (qf_catalog_new(&fx.cat) != QF_OK ||
        qf_catalog_load_dir(fx.cat, CATALOG_DIR, err, sizeof err) != QF_OK)
        return -1;
    harness_start(&fx.h, true);
    const char *import[] = { "catalog", "import", CATALOG_DIR, NULL };
    ctl_ok(import, NULL);
    wait_published(1);
    const char *enroll[] = { "device", "enroll", "kiosk-ticket", "--hall", "qiantang", NULL };
    char *out = NULL;
    ctl_ok(enroll, &out);
    const char *p = out ? strstr(out, "code: ") : NULL;
    assert_non_null(p);
    assert_int_equal(sscanf(p + 6, "%63s", fx.code), 1);
    free(out);
    snprintf(fx.sink, sizeof fx.sink, "png:%s/slips", fx.dir);
    write_config();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    harness_stop(&fx.h);
    qf_catalog_free(fx.cat);
    char cmd[300];
    if (getenv("QIFU_IT_KEEP")) {        /* to look at the screenshots */
        fprintf(stderr, "# kept %s\n", fx.dir);
        return 0;
    }
    if (strncmp(fx.dir, "/tmp/qifu-it-ktk-", 17) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx.dir);
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

/* The script to the 纳税服务 window's confirm: home once the daemon's
 * catalog is in (so the kiosk is enrolled), 取号, the window, confirm. */
#define TICKET_OPEN                                                               \
    "tap 540 960\n"                                                               \
    "wait-text 人才服务 10000\n"                                                  \
    "tap-text 取号\n"                                                             \
    "wait-text 纳税服务 5000\n"
#define TICKET_TAKE                                                               \
    "tap-text 纳税服务\n"                                                         \
    "tap-text 确认取号\n"
#define TICKET_STEPS TICKET_OPEN TICKET_TAKE

/* ---- tests ------------------------------------------------------------------ */

static void test_ticket_for_the_tax_window_prints_a_slip_whose_qr_is_the_status_url(void **state)
{
    (void)state;
    const qf_catalog_window *w = qf_catalog_window_get(fx.cat, "win-tax");
    assert_non_null(w);
    assert_string_equal(w->ticket_prefix, "E");
    vprinter pr;
    printer_start(&pr, "printer-ok", "ok");
    use_printer(&pr);
    char script[2048];
    snprintf(script, sizeof script,
             TICKET_STEPS
             "wait-text 已打印 15000\n"
             "dump %s/ticket.json\n"
             "screenshot %s/ticket.png\n"
             "quit\n",
             fx.dir, fx.dir);
    int rc = run_kiosk("ticket", script);
    /* The printer logs a slip once its PNG is written. */
    uint64_t end = now_ms() + DEADLINE_MS;
    while (!file_has(pr.log, "-> ") && now_ms() < end)
        poll(NULL, 0, 20);
    printer_stop(&pr);
    assert_int_equal(rc, 0);
    json_t *j = load_dump("ticket.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, NULL, "E001"));
    assert_true(dump_has(j, NULL, "已打印"));
    assert_false(dump_has(j, NULL, "缺纸"));
    json_decref(j);

    char png[700], cmd[800], url[600], got[700] = "";
    assert_int_equal(printer_slips(&pr, png, sizeof png), 1);
    snprintf(url, sizeof url, "%s/queue/E001", fx.h.base);
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s'", png);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    if (!fgets(got, sizeof got, fp))
        got[0] = '\0';
    int zrc = pclose(fp);
    got[strcspn(got, "\n")] = '\0';
    if (zrc != 0 || strcmp(got, url) != 0)
        fail_msg("the slip's QR reads '%s' (zbarimg status %d), want '%s'", got, zrc, url);
}

static void test_paper_out_shows_the_message_prints_nothing_and_flags_the_fleet(void **state)
{
    (void)state;
    vprinter pr;
    printer_start(&pr, "printer-empty", "paper_out");
    use_printer(&pr);
    char script[2048], ready[512];
    path_in(ready, sizeof ready, "paper-out.json");
    snprintf(script, sizeof script,
             TICKET_OPEN
             "wait-text 等候 1 人 10000\n"      /* E001 from the first test waits */
             "dump %s/choose.json\n"
             "screenshot %s/choose.png\n"
             TICKET_TAKE
             "wait-text 打印机缺纸 15000\n"
             "dump %s\n"
             "screenshot %s/paper-out.png\n"
             "wait-text 请选择服务 30000\n"      /* the result returns home by itself */
             "dump %s/paper-out-home.json\n"
             "quit\n",
             fx.dir, fx.dir, ready, fx.dir, fx.dir);
    pid_t pid = start_kiosk("paper", script);
    uint64_t end = now_ms() + DEADLINE_MS;
    struct stat st;
    while (stat(ready, &st) != 0) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            echo_stderr("paper");
            printer_stop(&pr);
            fail_msg("the kiosk exited before the paper-out message");
        }
        if (now_ms() > end) {
            kill(pid, SIGKILL);
            finish_kiosk(pid, "paper");
            printer_stop(&pr);
            fail_msg("no paper-out message in time");
        }
        poll(NULL, 0, 20);
    }
    /* The heartbeat carries the printer state to the fleet view. */
    char op[64];
    harness_operator(&fx.h, "ops-kiosk-ticket-fleet", op);
    bool flagged = false;
    end = now_ms() + DEADLINE_MS;
    while (!flagged && now_ms() < end) {
        harness_response r = harness_request(&fx.h, "GET", "/api/v1/devices", op, NULL, NULL);
        json_t *root = r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(root, "devices"), i, d) {
            const char *ps = json_string_value(json_object_get(d, "printer_status"));
            if (ps && strcmp(ps, "paper_out") == 0)
                flagged = true;
        }
        json_decref(root);
        harness_response_free(&r);
        if (!flagged)
            poll(NULL, 0, 50);
    }
    int rc = finish_kiosk(pid, "paper");
    printer_stop(&pr);
    assert_true(flagged);
    assert_int_equal(rc, 0);
    /* The window list showed how many wait, from GET /api/v1/queues. */
    json_t *j = load_dump("choose.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, "item", "Tax services window\n等候 1 人"));
    assert_true(dump_has(j, "item", "Housing, property and investment project window\n等候 0 人"));
    json_decref(j);
    j = load_dump("paper-out.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, NULL, "打印机缺纸"));
    assert_false(dump_has(j, NULL, "已打印"));
    assert_true(dump_has(j, NULL, "E002"));   /* the number stays on screen, with the QR */
    json_decref(j);
    assert_int_equal(printer_slips(&pr, NULL, 0), 0);
    j = load_dump("paper-out-home.json");
    assert_string_equal(dump_screen(j), "home");
    json_decref(j);
}

static void test_daemon_down_says_network_unavailable_and_gives_no_number(void **state)
{
    (void)state;
    harness_kill9(&fx.h);   /* the folder (and the CA file) stays */
    vprinter pr;
    printer_start(&pr, "printer-unused", "ok");
    use_printer(&pr);
    char script[2048];
    snprintf(script, sizeof script,
             TICKET_STEPS
             "wait-text 网络不可用 15000\n"
             "dump %s/offline.json\n"
             "quit\n",
             fx.dir);
    int rc = run_kiosk("offline", script);
    printer_stop(&pr);
    assert_int_equal(rc, 0);
    json_t *j = load_dump("offline.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, NULL, "网络不可用，暂时无法取号"));
    assert_false(dump_has(j, NULL, "E00"));     /* no number is made up */
    assert_false(dump_has(j, NULL, "已打印"));
    json_decref(j);
    assert_int_equal(printer_slips(&pr, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticket_for_the_tax_window_prints_a_slip_whose_qr_is_the_status_url),
        cmocka_unit_test(test_paper_out_shows_the_message_prints_nothing_and_flags_the_fleet),
        cmocka_unit_test(test_daemon_down_says_network_unavailable_and_gives_no_number),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
