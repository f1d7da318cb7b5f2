/* test_kiosk_ticket.c — 取号 and the slips at the qifu-kiosk program
 * against the real qifu-syncd over TLS and a virtual printer (`qifu-ctl
 * printer listen`, a child process on a free port, its port read from its
 * stderr), in this order (they share the daemon and the kiosk's state):
 *   a ticket for the 纳税服务 window: the kiosk shows the number (E…: the
 *     window's ticket_prefix in assets/catalog/boards.json is E) and 已打印;
 *     the printer decoded one slip whose QR reads (zbarimg) as the
 *     queue-status URL, server url + "/queue/" + the number;
 *   the online kiosk leases a block of numbers for every ticket window (the
 *     daemon's tickets table holds them as leased to the device), and the
 *     online numbers are none of them;
 *   the window list shows how many wait at each window (GET /api/v1/queues);
 *   a printer out of paper: the kiosk says 打印机缺纸 and never 已打印, the
 *     printer got no slip, the fleet view (GET /api/v1/devices) shows the
 *     kiosk's printer_status paper_out, and the result returns home by itself;
 *   a printer that answers too slowly ([printer] timeout_s = 2, a test
 *     printer that takes ~0.9 s per status answer): 打印超时 with the number
 *     and the QR, never 已打印, and the late "printed" outcome is logged and
 *     ignored;
 *   打印回执 after 已受理 (png sink): a slip whose QR is the tracking URL, and
 *     the screen says 已打印;
 *   the daemon killed: 取号 still gives a number from the leased block, the
 *     slip prints (png sink) with the queue-status QR, the screen says the
 *     queue position is known once the network is back, and the number is
 *     marked used with its registration in the kiosk's outbox;
 *   no leased number held (a kiosk starting the day offline): 网络不可用，
 *     暂时无法取号 and no number;
 *   the daemon back: the offline number is registered (waiting in the
 *     queue), and an online ticket taken after it is another number.
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
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "harness.h"
#include "kiosk_run.h"
#include "kiosk_scripts.h"
#include "kn_outbox.h"
#include "pr.h"
#include "qf_catalog.h"

#define CATALOG_DIR QIFU_SOURCE_DIR "/assets/catalog"
#define DEADLINE_MS 20000u

static kiosk_site site;     /* the daemon, the enrollment, the kiosk's folder */

static struct {
    char sink[600];         /* the kiosk's [printer] sink */
    char extra[256];        /* more [printer] lines */
    char first[16];         /* the first test's number */
    char offline[16];       /* the number issued with the daemon down */
} fx;

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

static void write_config(void)
{
    kiosk_site_config(&site, NULL, 600, fx.sink, fx.extra);
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
    snprintf(p->out, sizeof p->out, "%s/%s", site.dir, name);
    snprintf(p->log, sizeof p->log, "%s/%s.err", site.dir, name);
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
    if (kiosk_site_setup(&site, "ticket") != 0)
        return -1;
    snprintf(fx.sink, sizeof fx.sink, "png:%s/slips", site.dir);
    write_config();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return kiosk_site_teardown(&site);   /* QIFU_IT_KEEP=1 keeps the screenshots */
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

/* ---- helpers ------------------------------------------------------------------ */

/* The ticket number on screen: a label that is a letter and 3-6 digits. */
static void dump_number(json_t *j, char *out, size_t len)
{
    size_t i;
    json_t *w;
    out[0] = '\0';
    json_array_foreach(json_object_get(j, "widgets"), i, w) {
        const char *t = json_string_value(json_object_get(w, "text"));
        size_t n = t ? strlen(t) : 0;
        if (n < 4 || n > 7 || n >= len || t[0] < 'A' || t[0] > 'Z' ||
            strspn(t + 1, "0123456789") != n - 1)
            continue;
        memcpy(out, t, n + 1);
        return;
    }
    fail_msg("no ticket number on screen");
}

/* The QR of a PNG, or fails. */
static void decode_qr(const char *png, char *got, size_t len)
{
    char cmd[800];
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s'", png);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    if (!fgets(got, (int)len, fp))
        got[0] = '\0';
    int zrc = pclose(fp);
    got[strcspn(got, "\n")] = '\0';
    if (zrc != 0)
        fail_msg("zbarimg could not read %s (status %d)", png, zrc);
}

/* The first PNG in dir (its path in out); false when there is none. */
static bool first_png(const char *dir, char *out, size_t len)
{
    char cmd[600], line[600];
    bool found = false;
    snprintf(cmd, sizeof cmd, "ls '%s' 2>/dev/null | grep '\\.png$'", dir);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    if (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        found = (size_t)snprintf(out, len, "%s/%s", dir, line) < len;
    }
    pclose(fp);
    return found;
}

/* One integer from SQL on a database file (read-only; WAL readers do not
 * disturb the writer); -1 when there is no row. */
static long long sql_int(const char *db, const char *sql, const char *arg)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("cannot open %s", db);
    sqlite3_busy_timeout(h, 5000);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(h));
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* A number's status in the daemon's tickets table: 0 leased, 1 waiting,
 * 2 called, -1 none. */
static long long daemon_ticket_state(const char *number)
{
    return sql_int(site.h.db,
                   "SELECT CASE status WHEN 'leased' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END"
                   " FROM tickets WHERE number = ?1 ORDER BY day DESC LIMIT 1",
                   number);
}

static void kiosk_db(char *path, size_t len)
{
    snprintf(path, len, "%s/state/outbox.db", site.dir);
}

/* ---- a printer that answers too slowly ----------------------------------------
 * A thread of this process on a free port: it reads everything and
 * answers each DLE EOT after SLOW_ANSWER_MS (within the sink's 1 s limit),
 * so one slip takes about six of those. */
#define SLOW_ANSWER_MS 900

typedef struct slow_printer {
    int fd;
    unsigned port;
    pthread_t thread;
    atomic_bool stop;
    atomic_int slips;       /* cuts seen */
} slow_printer;

static void *slow_printer_main(void *ud)
{
    slow_printer *p = ud;
    while (!atomic_load(&p->stop)) {
        struct pollfd pl = { .fd = p->fd, .events = POLLIN };
        if (poll(&pl, 1, 100) <= 0)
            continue;
        int c = accept(p->fd, NULL, NULL);
        if (c < 0)
            continue;
        uint8_t *buf = malloc(1u << 20);
        size_t len = 0;
        while (buf && !atomic_load(&p->stop)) {
            struct pollfd cp = { .fd = c, .events = POLLIN };
            if (poll(&cp, 1, 100) <= 0)
                continue;
            ssize_t n = recv(c, buf + len, (1u << 20) - len, 0);
            if (n <= 0)
                break;
            len += (size_t)n;
            size_t off = 0, used = 0;
            pr_escpos_cmd cmd;
            while (off < len &&
                   pr_escpos_parse(buf + off, len - off, &cmd, &used, NULL, 0) == QF_OK &&
                   used > 0) {
                if (cmd.kind == PR_ESCPOS_CMD_STATUS) {
                    uint8_t b = pr_escpos_status_byte(PR_STATUS_OK, cmd.n);
                    poll(NULL, 0, SLOW_ANSWER_MS);
                    if (send(c, &b, 1, MSG_NOSIGNAL) != 1)
                        break;
                } else if (cmd.kind == PR_ESCPOS_CMD_CUT) {
                    atomic_fetch_add(&p->slips, 1);
                }
                off += used;
            }
            memmove(buf, buf + off, len - off);
            len -= off;
        }
        free(buf);
        close(c);
    }
    return NULL;
}

static void slow_printer_start(slow_printer *p)
{
    memset(p, 0, sizeof *p);
    atomic_init(&p->stop, false);
    atomic_init(&p->slips, 0);
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->fd >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    assert_int_equal(bind(p->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(p->fd, 4), 0);
    assert_int_equal(getsockname(p->fd, (struct sockaddr *)&a, &alen), 0);
    p->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&p->thread, NULL, slow_printer_main, p), 0);
}

static void slow_printer_stop(slow_printer *p)
{
    atomic_store(&p->stop, true);
    pthread_join(p->thread, NULL);
    close(p->fd);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_ticket_for_the_tax_window_prints_a_slip_whose_qr_is_the_status_url(void **state)
{
    (void)state;
    const qf_catalog_window *w = qf_catalog_window_get(site.cat, "win-tax");
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
             site.dir, site.dir);
    int rc = run_kiosk("ticket", script);
    /* The printer logs a slip once its PNG is written. */
    uint64_t end = now_ms() + DEADLINE_MS;
    while (!file_has(pr.log, "-> ") && now_ms() < end)
        poll(NULL, 0, 20);
    printer_stop(&pr);
    assert_int_equal(rc, 0);
    json_t *j = load_dump("ticket.json");
    assert_string_equal(dump_screen(j), "ticket");
    dump_number(j, fx.first, sizeof fx.first);
    assert_int_equal(fx.first[0], 'E');
    assert_true(dump_has(j, NULL, "已打印"));
    assert_true(dump_has(j, NULL, "前面还有"));
    assert_false(dump_has(j, NULL, "缺纸"));
    json_decref(j);

    char png[700], url[600], got[700] = "";
    assert_int_equal(printer_slips(&pr, png, sizeof png), 1);
    snprintf(url, sizeof url, "%s/queue/%s", site.h.base, fx.first);
    decode_qr(png, got, sizeof got);
    if (strcmp(got, url) != 0)
        fail_msg("the slip's QR reads '%s', want '%s'", got, url);
    assert_int_equal(daemon_ticket_state(fx.first), 1);   /* waiting */
}

static void test_online_kiosk_leases_a_block_for_every_ticket_window(void **state)
{
    (void)state;
    /* The kiosk online for a while: it tops a block up per ticket window. */
    pid_t pid = start_kiosk("lease", "tap 540 960\n"
                                     "wait-text 人才服务 10000\n"
                                     "wait-text 这段文字不会出现 30000\n");
    size_t windows = 0;
    for (size_t i = 0; i < site.cat->windows_count; i++)
        windows += site.cat->windows[i].ticket_prefix && *site.cat->windows[i].ticket_prefix;
    assert_true(windows >= 5);
    long long leased = 0, per_window_min = 0;
    uint64_t end = now_ms() + DEADLINE_MS;
    while (now_ms() < end) {
        leased = sql_int(site.h.db, "SELECT count(*) FROM tickets WHERE status = 'leased'"
                                  " AND device_id IS NOT NULL", NULL);
        per_window_min = sql_int(site.h.db,
                                 "SELECT min(n) FROM (SELECT count(*) AS n FROM tickets"
                                 " WHERE status = 'leased' GROUP BY window)",
                                 NULL);
        if (leased >= (long long)windows * 10 &&
            sql_int(site.h.db, "SELECT count(DISTINCT window) FROM tickets WHERE status = 'leased'",
                    NULL) == (long long)windows &&
            per_window_min >= 10)
            break;
        poll(NULL, 0, 50);
    }
    kill(pid, SIGTERM);
    finish_kiosk(pid, "lease");
    if (per_window_min < 10)
        fail_msg("the daemon holds %lld leased numbers (at least %zu windows x 10 wanted)", leased,
                 windows);
    /* Never more than the block: the kiosk tops up only below 3 left. */
    assert_true(sql_int(site.h.db, "SELECT max(n) FROM (SELECT count(*) AS n FROM tickets"
                                 " WHERE status = 'leased' GROUP BY window)",
                        NULL) <= 20);
    /* The kiosk holds the same numbers, unused. */
    char db[400];
    kiosk_db(db, sizeof db);
    assert_true(sql_int(db, "SELECT count(*) FROM ticket_lease WHERE used = 0", NULL) >=
                (long long)windows * 10);
    /* The first online number is not among them. */
    assert_int_equal(sql_int(db, "SELECT count(*) FROM ticket_lease WHERE number = ?1", fx.first),
                     0);
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
             "wait-text 等候 1 人 10000\n"      /* the first test's ticket waits */
             "dump %s/choose.json\n"
             "screenshot %s/choose.png\n"
             TICKET_TAKE
             "wait-text 打印机缺纸 15000\n"
             "dump %s\n"
             "screenshot %s/paper-out.png\n"
             "wait-text 请选择服务 30000\n"      /* the result returns home by itself */
             "dump %s/paper-out-home.json\n"
             "quit\n",
             site.dir, site.dir, ready, site.dir, site.dir);
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
    harness_operator(&site.h, "ops-kiosk-ticket-fleet", op);
    bool flagged = false;
    end = now_ms() + DEADLINE_MS;
    while (!flagged && now_ms() < end) {
        harness_response r = harness_request(&site.h, "GET", "/api/v1/devices", op, NULL, NULL);
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
    /* The window list showed how many wait, from GET /api/v1/queues
     * (leased numbers are not counted). */
    json_t *j = load_dump("choose.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, "item", "Tax services window\n等候 1 人"));
    assert_true(dump_has(j, "item", "Housing, property and investment project window\n等候 0 人"));
    json_decref(j);
    j = load_dump("paper-out.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, NULL, "打印机缺纸"));
    assert_false(dump_has(j, NULL, "已打印"));
    char num[16];
    dump_number(j, num, sizeof num);   /* the number stays on screen, with the QR */
    assert_string_not_equal(num, fx.first);
    json_decref(j);
    assert_int_equal(printer_slips(&pr, NULL, 0), 0);
    j = load_dump("paper-out-home.json");
    assert_string_equal(dump_screen(j), "home");
    json_decref(j);
}

static void test_a_printer_too_slow_shows_print_timeout_and_never_printed(void **state)
{
    (void)state;
    slow_printer sp;
    slow_printer_start(&sp);
    snprintf(fx.sink, sizeof fx.sink, "escpos-tcp:127.0.0.1:%u", sp.port);
    snprintf(fx.extra, sizeof fx.extra, "timeout_s = 2\n");
    write_config();
    char script[2048];
    /* The slip needs six status answers (~5.4 s); after the 2 s deadline
     * the screen gives up; the wait lets the late outcome come in (the
     * script clock keeps to real time while a slip is on its way). */
    snprintf(script, sizeof script,
             TICKET_STEPS
             "wait-text 打印超时 10000\n"
             "dump %s/timeout.json\n"
             "wait 8000\n"
             "dump %s/timeout-late.json\n"
             "screenshot %s/timeout.png\n"
             "quit\n",
             site.dir, site.dir, site.dir);
    int rc = run_kiosk("timeout", script);
    fx.extra[0] = '\0';
    slow_printer_stop(&sp);
    assert_int_equal(rc, 0);
    json_t *j = load_dump("timeout.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, NULL, "打印超时"));
    assert_false(dump_has(j, NULL, "已打印"));
    char num[16], line[128];
    dump_number(j, num, sizeof num);
    json_decref(j);
    j = load_dump("timeout-late.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, NULL, "打印超时"));
    assert_true(dump_has(j, NULL, num));
    assert_false(dump_has(j, NULL, "已打印"));
    assert_int_equal(kiosk_dump_count_role(j, "qr"), 1);
    json_decref(j);
    /* The printer did get the slip — late — and the kiosk said so in its
     * log only. */
    assert_int_equal(atomic_load(&sp.slips), 1);
    char err_path[400];
    path_in(err_path, sizeof err_path, "timeout.err");
    snprintf(line, sizeof line, "ticket %s printed (ok); too late for the screen, ignored", num);
    assert_true(file_has(err_path, line));
}

static void test_print_receipt_after_accepted_prints_the_tracking_qr(void **state)
{
    (void)state;
    char slips[400];
    path_in(slips, sizeof slips, "receipt-slips");
    snprintf(fx.sink, sizeof fx.sink, "png:%s", slips);
    write_config();
    char script[4096];
    snprintf(script, sizeof script,
             OPEN_FORM SCAN_CODE FILL_REST
             "wait-text 已受理 20000\n"
             "dump %s/receipt-before.json\n"
             "tap-text 打印回执\n"
             "wait-text 已打印 15000\n"
             "dump %s/receipt.json\n"
             "screenshot %s/receipt.png\n"
             "quit\n",
             site.dir, site.dir, site.dir);
    assert_int_equal(run_kiosk("receipt", script), 0);
    json_t *j = load_dump("receipt-before.json");
    assert_true(dump_has(j, "button", "打印回执"));
    assert_false(dump_has(j, NULL, "已打印"));
    json_decref(j);
    j = load_dump("receipt.json");
    assert_string_equal(dump_screen(j), "receipt");
    assert_false(dump_has(j, "button", "打印回执"));   /* one slip per case */
    json_t *no = kiosk_dump_find(j, "label", "受理编号 QT");
    assert_non_null(no);
    char want[128];
    const char *t = strstr(json_string_value(json_object_get(no, "text")), "QT");
    assert_non_null(t);
    snprintf(want, sizeof want, "/track/%.*s", (int)strspn(t, "QT0123456789-"), t);
    json_decref(j);
    char png[700], got[700] = "";
    assert_true(first_png(slips, png, sizeof png));
    decode_qr(png, got, sizeof got);
    size_t gl = strlen(got), wl = strlen(want);
    if (strncmp(got, "https://", 8) != 0 || gl < wl || strcmp(got + gl - wl, want) != 0)
        fail_msg("the receipt's QR reads '%s', want …%s", got, want);
}

static void test_daemon_down_gives_a_leased_number_and_prints_it(void **state)
{
    (void)state;
    harness_kill9(&site.h);   /* the folder (and the CA file) stays */
    char slips[400];
    path_in(slips, sizeof slips, "offline-slips");
    snprintf(fx.sink, sizeof fx.sink, "png:%s", slips);
    write_config();
    char script[2048];
    snprintf(script, sizeof script,
             TICKET_STEPS
             "wait-text 网络恢复后 15000\n"
             "wait-text 已打印 15000\n"
             "dump %s/offline.json\n"
             "screenshot %s/offline.png\n"
             "quit\n",
             site.dir, site.dir);
    assert_int_equal(run_kiosk("offline", script), 0);
    json_t *j = load_dump("offline.json");
    assert_string_equal(dump_screen(j), "ticket");
    dump_number(j, fx.offline, sizeof fx.offline);
    assert_int_equal(fx.offline[0], 'E');
    assert_true(dump_has(j, NULL, "排队位置将在网络恢复后确定"));
    assert_false(dump_has(j, NULL, "前面还有"));   /* no made-up count */
    assert_false(dump_has(j, NULL, "网络不可用"));
    json_decref(j);
    /* The number was leased to this kiosk, is marked used, and its
     * registration waits in the outbox. */
    char db[400];
    kiosk_db(db, sizeof db);
    assert_int_equal(sql_int(db, "SELECT used FROM ticket_lease WHERE number = ?1", fx.offline),
                     1);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM items WHERE kind = %d AND state = %d AND body"
             " LIKE '%%\"leased_number\":\"' || ?1 || '\"%%'",
             (int)KN_OUTBOX_TICKET, (int)KN_OUTBOX_PENDING);
    assert_int_equal(sql_int(db, sql, fx.offline), 1);
    /* The slip: the queue-status QR of that number. */
    char png[700], url[600], got[700] = "";
    assert_true(first_png(slips, png, sizeof png));
    decode_qr(png, got, sizeof got);
    snprintf(url, sizeof url, "%s/queue/%s", site.h.base, fx.offline);
    if (strcmp(got, url) != 0)
        fail_msg("the offline slip's QR reads '%s', want '%s'", got, url);
}

static void test_no_leased_number_held_says_network_unavailable(void **state)
{
    (void)state;
    /* A kiosk that starts the day offline holds no lease. */
    char db[400];
    kiosk_db(db, sizeof db);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "DELETE FROM ticket_lease WHERE used = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    char slips[400];
    path_in(slips, sizeof slips, "nolease-slips");
    snprintf(fx.sink, sizeof fx.sink, "png:%s", slips);
    write_config();
    char script[2048];
    snprintf(script, sizeof script,
             TICKET_STEPS
             "wait-text 网络不可用 15000\n"
             "dump %s/nolease.json\n"
             "quit\n",
             site.dir);
    assert_int_equal(run_kiosk("nolease", script), 0);
    json_t *j = load_dump("nolease.json");
    assert_string_equal(dump_screen(j), "ticket");
    assert_true(dump_has(j, NULL, "网络不可用，暂时无法取号"));
    assert_false(dump_has(j, NULL, "E0"));     /* no number is made up */
    assert_false(dump_has(j, NULL, "已打印"));
    json_decref(j);
    char png[700];
    assert_false(first_png(slips, png, sizeof png));
}

static void test_daemon_back_registers_the_offline_number_and_online_does_not_collide(void **state)
{
    (void)state;
    harness_restart(&site.h);
    assert_int_equal(daemon_ticket_state(fx.offline), 0);   /* leased, not yet in the queue */
    pid_t pid = start_kiosk("back", "tap 540 960\n"
                                    "wait-text 人才服务 10000\n"
                                    "wait-text 这段文字不会出现 30000\n");
    uint64_t end = now_ms() + DEADLINE_MS;
    while (daemon_ticket_state(fx.offline) != 1 && now_ms() < end)
        poll(NULL, 0, 50);
    kill(pid, SIGTERM);
    finish_kiosk(pid, "back");
    assert_int_equal(daemon_ticket_state(fx.offline), 1);   /* waiting in the queue */
    char db[400];
    kiosk_db(db, sizeof db);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM items WHERE kind = %d AND state = %d",
             (int)KN_OUTBOX_TICKET, (int)KN_OUTBOX_DELIVERED);
    assert_int_equal(sql_int(db, sql, NULL), 1);   /* delivered */
    /* An online ticket now: another number, both waiting. */
    char script[2048];
    snprintf(script, sizeof script,
             TICKET_STEPS
             "wait-text 前面还有 15000\n"
             "dump %s/back.json\n"
             "quit\n",
             site.dir);
    assert_int_equal(run_kiosk("back-online", script), 0);
    json_t *j = load_dump("back.json");
    char num[16];
    dump_number(j, num, sizeof num);
    json_decref(j);
    assert_string_not_equal(num, fx.offline);
    assert_int_equal(daemon_ticket_state(num), 1);
    assert_int_equal(daemon_ticket_state(fx.offline), 1);
    assert_int_equal(sql_int(site.h.db, "SELECT count(*) FROM tickets WHERE number = ?1", num), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticket_for_the_tax_window_prints_a_slip_whose_qr_is_the_status_url),
        cmocka_unit_test(test_online_kiosk_leases_a_block_for_every_ticket_window),
        cmocka_unit_test(test_paper_out_shows_the_message_prints_nothing_and_flags_the_fleet),
        cmocka_unit_test(test_a_printer_too_slow_shows_print_timeout_and_never_printed),
        cmocka_unit_test(test_print_receipt_after_accepted_prints_the_tracking_qr),
        cmocka_unit_test(test_daemon_down_gives_a_leased_number_and_prints_it),
        cmocka_unit_test(test_no_leased_number_held_says_network_unavailable),
        cmocka_unit_test(
            test_daemon_back_registers_the_offline_number_and_online_does_not_collide),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
