/* app_staff.c — the runtime's side of the staff features (see
 * app_staff.h): it reads the schedule, keeps the last log lines, turns the
 * state's requests (sign-ins, help calls, inspection, notice) into sync
 * worker requests and the worker's answers into ks_app_staff actions, and
 * does the technician-only I/O: the offline credential, the diagnostics
 * report, the log export.
 *
 * The technician's offline credential: technician-login returns a fresh
 * Argon2id hash of the PIN just checked (offline_hash). It is kept in
 * STATE_DIR/tech/<staff id> (folder 0700, file 0600, written to a temp file
 * and renamed) and used only when the daemon cannot be reached, with
 * crypto_pwhash_str_verify; a hash older than KAPP_TECH_HASH_MAX_DAYS is
 * ignored (a PIN changed or an account disabled on the server reaches the
 * kiosk only at its next online check).
 *
 * The log lines: the kiosk writes its log to stderr (fprintf and qf_log);
 * at init stderr becomes a pipe whose reader thread copies every byte to
 * the real stderr and keeps the last KAPP_LOG_LINES lines in memory.
 *
 * State kept here (file-static: one kiosk per process): the log ring, the
 * usb folder, the inspection body waiting for its answer, the restart flag. */
#include "app.h"
#include "app_staff.h"
#include "app_write.h"
#include "kn_staff.h"
#include "qf_clock.h"
#include "qf_log.h"
#include "qf_mem.h"
#include "qf_version.h"
#include "pr.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define KAPP_LOG_LINES 64
#define KAPP_LOG_LINE_MAX 240
#define KAPP_TECH_HASH_MAX_DAYS 30
#define KAPP_CORNER_DIV 8      /* the corner is 1/8 of the short side square */

static struct {
    /* The log tee. */
    int saved_fd;              /* the real stderr; -1 when no tee */
    int pipe_r;
    SDL_Thread *thread;
    SDL_mutex *mu;
    char lines[KAPP_LOG_LINES][KAPP_LOG_LINE_MAX];
    size_t head, count;        /* ring of complete lines */
    char partial[KAPP_LOG_LINE_MAX];
    size_t partial_len;
    /* Config. */
    char usb_dir[512];
    bool usb_require_mount;
    char state_dir[512];
    /* Requests in flight. */
    char *inspection;          /* owned: the body sent, for the outbox if offline */
    bool restart;
    bool corner_down;          /* the press being swallowed */
    /* The test slip's worker: one thread, which posts ev_print with its job. */
    Uint32 ev_print;
    SDL_Thread *print_thread;
} g = { .saved_fd = -1, .pipe_r = -1 };

/* ---- the test slip ---------------------------------------------------------------
 * Rendered and sent off the UI thread like a ticket slip (the sink may be a
 * network printer), through the same renderer and sinks (print/). */
typedef struct kapp_test_slip {
    char sink[512], font[1200], hall[256];
    int width_dots;
    bool printed;
    pr_status status;
    char why[256];
} kapp_test_slip;

static int kapp_print_test_worker(void *ud)
{
    kapp_test_slip *job = ud;
    pr_layout lay;
    pr_layout_default(&lay, NULL);
    lay.width_dots = job->width_dots;
    lay.font_path = job->font;
    pr_ticket t = {
        .hall_name = job->hall,
        .window_name = "打印测试 Printer test",
        .number = "T000",
        .people_ahead = 0,
        .issued_at = qf_clock_now(),
        .status_url = "https://example.invalid/printer-test",
        .guidance = "测试页：检查字迹、二维码与切纸",
    };
    if (strncmp(job->sink, "png:", 4) == 0)
        mkdir(job->sink + 4, 0700);
    pr_bitmap *bm = NULL;
    pr_sink *sink = NULL;
    qf_err rc = pr_render_ticket(&lay, &t, &bm, job->why, sizeof job->why);
    if (rc == QF_OK)
        rc = pr_sink_open(job->sink, &sink, job->why, sizeof job->why);
    if (rc == QF_OK)
        rc = pr_sink_print(sink, bm, &job->status, job->why, sizeof job->why);
    job->printed = rc == QF_OK;
    pr_sink_close(sink);
    pr_bitmap_free(bm);
    SDL_Event e;
    SDL_zero(e);
    e.type = g.ev_print;
    e.user.data1 = job;
    if (SDL_PushEvent(&e) != 1)
        free(job);
    return 0;
}

static void kapp_print_test_join(void)
{
    if (g.print_thread)
        SDL_WaitThread(g.print_thread, NULL);
    g.print_thread = NULL;
}

static void kapp_print_test_start(kapp *k)
{
    kapp_test_slip *job = calloc(1, sizeof *job);
    kapp_print_test_join();
    if (!job || g.ev_print == (Uint32)-1) {
        free(job);
        ks_app_staff_print_result(&k->state, "打印失败 / Not printed: out of memory");
        return;
    }
    snprintf(job->sink, sizeof job->sink, "%s", k->printer_sink);
    snprintf(job->font, sizeof job->font, "%s", k->font_path);
    snprintf(job->hall, sizeof job->hall, "%s", k->hall_name);
    job->width_dots = k->printer_width_dots;
    g.print_thread = SDL_CreateThread(kapp_print_test_worker, "qifu-print-test", job);
    if (!g.print_thread) {
        free(job);
        ks_app_staff_print_result(&k->state, "打印失败 / Not printed: no thread");
    }
}

static void kapp_print_test_done(kapp *k, kapp_test_slip *job)
{
    static const char *const names[] = {
        [PR_STATUS_OK] = "ok", [PR_STATUS_PAPER_NEAR_END] = "paper_low",
        [PR_STATUS_PAPER_OUT] = "paper_out", [PR_STATUS_OFFLINE] = "offline",
        [PR_STATUS_COVER_OPEN] = "error", [PR_STATUS_ERROR] = "error",
    };
    char msg[400];
    kapp_print_test_join();
    const char *state = (size_t)job->status < sizeof names / sizeof names[0] && names[job->status]
                            ? names[job->status]
                            : job->printed ? "ok" : "error";
    if (job->printed)
        snprintf(msg, sizeof msg, "测试页已打印（打印机状态：%s）/ Test slip printed (%s)", state,
                 state);
    else
        snprintf(msg, sizeof msg, "测试页未打印：%.200s（%s）/ Not printed", job->why, state);
    fprintf(stderr, "qifu-kiosk: test slip %s (%s)\n", job->printed ? "printed" : "not printed",
            state);
    if (k->sync)
        kn_sync_set_printer_status(k->sync, state);
    ks_app_staff_print_result(&k->state, msg);
    free(job);
}

/* ---- the log ring ------------------------------------------------------------ */

static void kapp_log_add(const char *data, size_t n)
{
    SDL_LockMutex(g.mu);
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c != '\n' && g.partial_len + 1 < sizeof g.partial) {
            g.partial[g.partial_len++] = c;
            continue;
        }
        if (c != '\n')
            continue;              /* an over-long line is cut; the rest waits for \n */
        g.partial[g.partial_len] = '\0';
        size_t slot = (g.head + g.count) % KAPP_LOG_LINES;
        memcpy(g.lines[slot], g.partial, g.partial_len + 1);
        if (g.count < KAPP_LOG_LINES)
            g.count++;
        else
            g.head = (g.head + 1) % KAPP_LOG_LINES;
        g.partial_len = 0;
    }
    SDL_UnlockMutex(g.mu);
}

static int kapp_log_reader(void *ud)
{
    (void)ud;
    char buf[4096];
    for (;;) {
        ssize_t n = read(g.pipe_r, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;                 /* EOF: stderr was given back */
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(g.saved_fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            off += w;
        }
        kapp_log_add(buf, (size_t)n);
    }
    return 0;
}

static void kapp_log_start(void)
{
    int fds[2];
    g.mu = SDL_CreateMutex();
    if (!g.mu || pipe(fds) != 0)
        return;
    fflush(stderr);
    g.saved_fd = dup(STDERR_FILENO);
    if (g.saved_fd < 0 || dup2(fds[1], STDERR_FILENO) < 0) {
        if (g.saved_fd >= 0)
            close(g.saved_fd);
        g.saved_fd = -1;
        close(fds[0]);
        close(fds[1]);
        return;
    }
    close(fds[1]);
    fcntl(g.saved_fd, F_SETFD, FD_CLOEXEC);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    g.pipe_r = fds[0];
    g.thread = SDL_CreateThread(kapp_log_reader, "qifu-log", NULL);
    if (!g.thread) {               /* give stderr back: nobody would read the pipe */
        dup2(g.saved_fd, STDERR_FILENO);
        close(g.saved_fd);
        close(g.pipe_r);
        g.saved_fd = g.pipe_r = -1;
    }
}

static void kapp_log_stop(void)
{
    if (g.saved_fd >= 0) {
        fflush(stderr);
        dup2(g.saved_fd, STDERR_FILENO);   /* closes the pipe's last writer */
        SDL_WaitThread(g.thread, NULL);
        close(g.saved_fd);
        close(g.pipe_r);
    }
    g.thread = NULL;
    g.saved_fd = g.pipe_r = -1;
    if (g.mu)
        SDL_DestroyMutex(g.mu);
    g.mu = NULL;
}

const char *kapp_staff_log_tail(size_t n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    if (!g.mu)
        return buf;
    SDL_LockMutex(g.mu);
    size_t from = g.count > n ? g.count - n : 0;
    for (size_t i = from; i < g.count && used + 1 < len; i++) {
        int w = snprintf(buf + used, len - used, "%s\n", g.lines[(g.head + i) % KAPP_LOG_LINES]);
        if (w < 0)
            break;
        used += (size_t)w < len - used ? (size_t)w : len - used - 1;
    }
    SDL_UnlockMutex(g.mu);
    return buf;
}

/* ---- init ---------------------------------------------------------------------- */

static qf_err kapp_sched_time(const qf_config *cfg, const char *key, int fallback, int *out,
                              char *err, size_t errlen)
{
    const char *v = qf_config_get(cfg, "schedule", key);
    if (!v) {
        *out = fallback;
        return QF_OK;
    }
    if (!*v || strcmp(v, "off") == 0) {
        *out = -1;
        return QF_OK;
    }
    *out = ks_schedule_parse(v);
    if (*out < 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "[schedule] %s: HH:MM (00:00-24:00) or "
                                                       "off, not '%s'", key, v);
    return QF_OK;
}

/* STATE_DIR/maintenance: "FROM TO" (unix s) of the last notice's window. */
static void kapp_oos_load(kapp *k)
{
    char path[700];
    long long from = 0, to = 0;
    if (!g.state_dir[0])
        return;
    snprintf(path, sizeof path, "%s/maintenance", g.state_dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    if (fscanf(fp, "%lld %lld", &from, &to) == 2)
        ks_app_staff_oos_window(&k->state, (int64_t)from, (int64_t)to);
    fclose(fp);
}

static void kapp_oos_save(int64_t from, int64_t to)
{
    char path[700];
    if (!g.state_dir[0])
        return;
    snprintf(path, sizeof path, "%s/maintenance", g.state_dir);
    FILE *fp = fopen(path, "w");
    if (!fp || fprintf(fp, "%lld %lld\n", (long long)from, (long long)to) < 0)
        fprintf(stderr, "qifu-kiosk: %s: cannot write\n", path);
    if (fp)
        fclose(fp);
}

qf_err kapp_staff_init(kapp *k, char *err, size_t errlen)
{
    ks_schedule sc;
    qf_err rc = kapp_sched_time(k->cfg, "open", 0, &sc.open_min, err, errlen);
    if (rc == QF_OK)
        rc = kapp_sched_time(k->cfg, "close", 1440, &sc.close_min, err, errlen);
    if (rc == QF_OK)
        rc = kapp_sched_time(k->cfg, "dim_from", 22 * 60, &sc.dim_from, err, errlen);
    if (rc == QF_OK)
        rc = kapp_sched_time(k->cfg, "dim_to", 7 * 60, &sc.dim_to, err, errlen);
    if (rc == QF_OK)
        rc = kapp_sched_time(k->cfg, "restart_at", -1, &sc.restart_min, err, errlen);
    if (rc != QF_OK)
        return rc;
    if (sc.open_min < 0 || sc.close_min < 0) {   /* "off" hours: always open */
        sc.open_min = 0;
        sc.close_min = 1440;
    }
    ks_app_staff_schedule(&k->state, &sc);
    const char *usb = qf_config_get(k->cfg, "kiosk", "usb_dir");
    snprintf(g.usb_dir, sizeof g.usb_dir, "%s", usb && *usb ? usb : "/media/usb");
    rc = qf_config_get_bool(k->cfg, "kiosk", "usb_require_mount", true, &g.usb_require_mount,
                            err, errlen);
    if (rc != QF_OK)
        return rc;
    const char *state_dir = qf_config_get(k->cfg, "kiosk", "state_dir");
    snprintf(g.state_dir, sizeof g.state_dir, "%s", state_dir ? state_dir : "");
    g.restart = false;
    g.ev_print = SDL_RegisterEvents(1);
    kapp_oos_load(k);
    kapp_log_start();
    return QF_OK;
}

void kapp_staff_cleanup(kapp *k)
{
    (void)k;
    kapp_print_test_join();
    if (g.ev_print && g.ev_print != (Uint32)-1 && SDL_WasInit(SDL_INIT_EVENTS)) {
        SDL_Event e;
        while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, g.ev_print, g.ev_print) == 1)
            free(e.user.data1);
    }
    if (g.inspection) {
        qf_wipe(g.inspection, strlen(g.inspection));
        free(g.inspection);
    }
    g.inspection = NULL;
    kapp_log_stop();
}

int kapp_staff_exit_status(const kapp *k)
{
    (void)k;
    return g.restart ? KAPP_EXIT_RESTART : 0;
}

/* ---- input --------------------------------------------------------------------- */

static bool kapp_in_corner(const kapp *k, int x, int y)
{
    int side = (k->w < k->h ? k->w : k->h) / KAPP_CORNER_DIV;
    return x < side && y > k->h - side;   /* bottom left */
}

bool kapp_staff_event(kapp *k, const SDL_Event *ev)
{
    ks_app *app = &k->state;
    ks_screen s = ks_app_screen(app);
    uint64_t now = kapp_now(k);
    bool quiet = s == KS_SCREEN_IDLE || s == KS_SCREEN_OUT_OF_SERVICE || s == KS_SCREEN_CLOSED;
    if (g.ev_print && ev->type == g.ev_print) {
        kapp_print_test_done(k, ev->user.data1);
        return true;
    }
    if (ev->type == SDL_MOUSEBUTTONDOWN && ev->button.button == SDL_BUTTON_LEFT) {
        /* The touch test takes the raw position of every press. */
        if (s == KS_SCREEN_DIAG && app->staff.diag == KS_DIAG_TOUCH) {
            ks_app_activity(app, now);
            ks_app_staff_touch(app, ev->button.x, ev->button.y, k->w, k->h);
            g.corner_down = true;
            return true;
        }
        /* The hidden entry: on the screens without a citizen, a press in
         * the corner does nothing visible (no session starts). */
        if (quiet && kapp_in_corner(k, ev->button.x, ev->button.y)) {
            g.corner_down = true;
            ks_app_staff_corner_tap(app, now);
            return true;
        }
        g.corner_down = false;
        return false;
    }
    if (ev->type == SDL_MOUSEBUTTONUP && ev->button.button == SDL_BUTTON_LEFT && g.corner_down) {
        g.corner_down = false;
        return true;
    }
    if (ev->type == SDL_KEYDOWN &&
        (ev->key.keysym.sym == SDLK_RETURN || ev->key.keysym.sym == SDLK_KP_ENTER) &&
        s == KS_SCREEN_STAFF_LOGIN) {
        /* A badge scan ends with Return; so does typing the PIN. */
        if (strncmp(k->scan, "QIFU-STAFF:", 11) == 0) {
            char copy[sizeof k->scan];
            memcpy(copy, k->scan, sizeof copy);
            kapp_write_burst_end(k);
            ks_app_activity(app, now);
            bool took = ks_app_staff_badge(app, copy, now);
            qf_wipe(copy, sizeof copy);
            if (took)
                return true;
        }
        kapp_write_burst_end(k);
        ks_app_activity(app, now);
        if (app->staff.focus == KS_SIN_ID)
            ks_app_staff_focus(app, KS_SIN_PIN);
        else
            ks_app_staff_login_submit(app, now);
        return true;
    }
    return false;
}

/* ---- the technician's offline credential ---------------------------------------- */

static bool kapp_staff_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > 64 || id[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':'))
            return false;
    }
    return true;
}

static void kapp_tech_hash_store(const char *staff_id, const char *hash)
{
    char dir[700], path[800], tmp[800];
    if (!g.state_dir[0] || !kapp_staff_id_ok(staff_id) || !*hash)
        return;
    snprintf(dir, sizeof dir, "%s/tech", g.state_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "qifu-kiosk: %s: %s\n", dir, strerror(errno));
        return;
    }
    chmod(dir, 0700);
    snprintf(path, sizeof path, "%s/%s", dir, staff_id);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, staff_id);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    size_t n = strlen(hash);
    if (fd < 0 || write(fd, hash, n) != (ssize_t)n || write(fd, "\n", 1) != 1 || fsync(fd) != 0 ||
        close(fd) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "qifu-kiosk: offline credential not saved: %s\n", strerror(errno));
        if (fd >= 0)
            unlink(tmp);
        return;
    }
    fprintf(stderr, "qifu-kiosk: offline credential of technician %s saved\n", staff_id);
}

/* Checks pin against the stored hash: *known false when there is none (or
 * it is too old). Runs Argon2id (64 MiB) on this thread: a technician
 * waits a fraction of a second, once. */
static bool kapp_tech_hash_verify(const char *staff_id, const char *pin, bool *known)
{
    char path[800], hash[crypto_pwhash_STRBYTES + 2] = "";
    struct stat st;
    *known = false;
    if (!g.state_dir[0] || !kapp_staff_id_ok(staff_id))
        return false;
    snprintf(path, sizeof path, "%s/tech/%s", g.state_dir, staff_id);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        time(NULL) - st.st_mtime <= (time_t)KAPP_TECH_HASH_MAX_DAYS * 86400)
        n = read(fd, hash, sizeof hash - 1);
    close(fd);
    if (n <= 0)
        return false;
    hash[n] = '\0';
    hash[strcspn(hash, "\r\n")] = '\0';
    *known = true;
    if (sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

/* ---- worker answers -------------------------------------------------------------- */

static ks_login_answer kapp_login_answer(const kn_staff_answer *a)
{
    if (a->ok)
        return KS_ANSWER_OK;
    if (a->offline || a->status >= 500)
        return KS_ANSWER_OFFLINE;
    if (a->status == 429)
        return KS_ANSWER_LOCKED;
    if (a->status == 403)
        return KS_ANSWER_ROLE;
    return KS_ANSWER_REFUSED;
}

static const char *kapp_why(const kn_staff_answer *a, char *buf, size_t len)
{
    if (a->offline)
        snprintf(buf, len, "网络不可用 / Offline");
    else if (a->message[0])
        snprintf(buf, len, "%s (%s)", a->message, a->code);
    else
        snprintf(buf, len, "%ld %s", a->status, a->code);
    return buf;
}

static void kapp_inspection_answer(kapp *k, const kn_staff_answer *a)
{
    char why[256], ref[KN_OUTBOX_REF_MAX] = "";
    ks_app *app = &k->state;
    if (a->ok) {
        ks_app_staff_submit_answer(app, KS_SCREEN_INSPECT, KS_SUBMIT_DONE,
                                   "巡检记录已提交 / Inspection recorded");
    } else if (a->offline && g.inspection) {
        /* Not lost: the outbox sends it when the daemon is back. */
        kn_sync_status s;
        kn_sync_status_get(k->sync, &s);
        char path[160];
        snprintf(path, sizeof path, "/api/v1/devices/%s/inspections", s.device_id);
        if (s.device_id[0] && k->outbox &&
            kn_outbox_put(k->outbox, KN_OUTBOX_INSPECTION, path, g.inspection, ref, sizeof ref,
                          why, sizeof why) == QF_OK) {
            kn_sync_outbox_poke(k->sync);
            snprintf(why, sizeof why, "网络不可用，已保存（%s），联网后自动提交 / Saved offline", ref);
            ks_app_staff_submit_answer(app, KS_SCREEN_INSPECT, KS_SUBMIT_QUEUED, why);
        } else {
            char msg[300];
            snprintf(msg, sizeof msg, "网络不可用，未能保存 / Offline and not saved: %.180s",
                     s.device_id[0] ? why : "device id unknown");
            ks_app_staff_submit_answer(app, KS_SCREEN_INSPECT, KS_SUBMIT_FAILED, msg);
        }
    } else {
        ks_app_staff_submit_answer(app, KS_SCREEN_INSPECT, KS_SUBMIT_FAILED,
                                   kapp_why(a, why, sizeof why));
    }
    if (g.inspection) {
        qf_wipe(g.inspection, strlen(g.inspection));
        free(g.inspection);
        g.inspection = NULL;
    }
}

static void kapp_notice_answer(kapp *k, const kn_staff_answer *a)
{
    char why[256];
    qf_instant from = 0, to = 0;
    if (!a->ok) {
        ks_app_staff_submit_answer(&k->state, KS_SCREEN_NOTICE, KS_SUBMIT_FAILED,
                                   kapp_why(a, why, sizeof why));
        return;
    }
    if (qf_clock_parse_iso8601(a->planned_at, &from, why, sizeof why) == QF_OK &&
        qf_clock_parse_iso8601(a->planned_end, &to, why, sizeof why) == QF_OK) {
        ks_app_staff_oos_window(&k->state, from, to);
        kapp_oos_save(from, to);
    }
    snprintf(why, sizeof why, "已报备：%.19s 至 %.19s 暂停服务 / Notice filed", a->planned_at,
             a->planned_end);
    ks_app_staff_submit_answer(&k->state, KS_SCREEN_NOTICE, KS_SUBMIT_DONE, why);
}

void kapp_staff_sync_event(kapp *k, const kn_event *ev)
{
    const kn_staff_answer *a = &ev->staff;
    ks_app *app = &k->state;
    uint64_t now = kapp_now(k);
    char why[256];
    switch ((kn_staff_op)a->op) {
    case KN_STAFF_HELPER_LOGIN:
    case KN_STAFF_TECH_LOGIN:
        if (a->op == KN_STAFF_TECH_LOGIN && a->ok && a->offline_hash[0])
            kapp_tech_hash_store(a->staff_id, a->offline_hash);
        ks_app_staff_login_answer(app, a->request_id, kapp_login_answer(a), a->staff_id, a->name,
                                  a->retry_after_s, now);
        break;
    case KN_STAFF_HELP_CALL:
    case KN_STAFF_HELP_POLL:
        ks_app_staff_help_state(app, a->call_id, a->call_state, !a->ok, kapp_why(a, why, sizeof why),
                                now);
        break;
    case KN_STAFF_HELP_LIST:
    case KN_STAFF_HELP_ACT: {
        ks_help_row rows[KS_HELP_LIST_MAX];
        size_t n = 0;
        for (; n < a->calls_count && n < KS_HELP_LIST_MAX; n++) {
            rows[n].id = a->calls[n].id;
            snprintf(rows[n].where, sizeof rows[n].where, "%s", a->calls[n].device_name);
            snprintf(rows[n].screen, sizeof rows[n].screen, "%s", a->calls[n].screen);
            snprintf(rows[n].state, sizeof rows[n].state, "%s", a->calls[n].state);
            rows[n].age_s = a->calls[n].age_s;
        }
        ks_app_staff_calls_answer(app, rows, n, a->ok ? NULL : kapp_why(a, why, sizeof why));
        break;
    }
    case KN_STAFF_INSPECTION:
        kapp_inspection_answer(k, a);
        break;
    case KN_STAFF_MAINTENANCE:
        kapp_notice_answer(k, a);
        break;
    case KN_STAFF_HELPER_LOGOUT:
    case KN_STAFF__COUNT:
        break;
    }
}

/* ---- diagnostics and export ----------------------------------------------------- */

static void kapp_proc_status(char *out, size_t len)
{
    char line[256];
    size_t used = 0;
    out[0] = '\0';
    FILE *fp = fopen("/proc/self/status", "r");
    while (fp && fgets(line, sizeof line, fp)) {
        if (strncmp(line, "VmRSS:", 6) == 0 || strncmp(line, "VmHWM:", 6) == 0 ||
            strncmp(line, "Threads:", 8) == 0) {
            int w = snprintf(out + used, len - used, "  %s", line);
            if (w > 0 && (size_t)w < len - used)
                used += (size_t)w;
        }
    }
    if (fp)
        fclose(fp);
    fp = fopen("/proc/meminfo", "r");
    while (fp && fgets(line, sizeof line, fp)) {
        if (strncmp(line, "MemTotal:", 9) == 0 || strncmp(line, "MemAvailable:", 13) == 0) {
            int w = snprintf(out + used, len - used, "  %s", line);
            if (w > 0 && (size_t)w < len - used)
                used += (size_t)w;
        }
    }
    if (fp)
        fclose(fp);
}

static void kapp_report(kapp *k, char *out, size_t len)
{
    kn_sync_status s;
    struct statvfs vfs;
    char mem[1024], logs[4096], last[40] = "never", disk[160] = "unknown";
    size_t depth = 0;
    kn_sync_status_get(k->sync, &s);
    if (s.last_ok_s)
        qf_clock_format_iso8601((qf_instant)s.last_ok_s, last, sizeof last);
    char why[160];
    if (k->outbox && kn_outbox_depth(k->outbox, &depth, NULL, why, sizeof why) != QF_OK)
        depth = 0;
    if (g.state_dir[0] && statvfs(g.state_dir, &vfs) == 0)
        snprintf(disk, sizeof disk, "%llu MB free of %llu MB (%.60s)",
                 (unsigned long long)vfs.f_bavail * vfs.f_frsize / (1024u * 1024u),
                 (unsigned long long)vfs.f_blocks * vfs.f_frsize / (1024u * 1024u), g.state_dir);
    kapp_proc_status(mem, sizeof mem);
    kapp_staff_log_tail(12, logs, sizeof logs);
    const char *url = qf_config_get(k->cfg, "server", "url");
    const char *ca = qf_config_get(k->cfg, "server", "ca_file");
    double up_s = (kapp_mono_ms() - k->opt.t0_ms) / 1000.0;
    snprintf(out, len,
             "软件版本 Version: qifu-kiosk %s\n"
             "运行时间 Uptime: %.0f s\n"
             "设备 Device: %s\n"
             "网络 Network: %s\n"
             "服务器 Server: %s (TLS, CA %s)\n"
             "上次同步 Last sync: %s\n"
             "目录版本 Catalog: %lld (%s)\n"
             "待发送 Outbox: %zu\n"
             "最近错误 Last error: %s\n"
             "打印机 Printer: %s\n"
             "磁盘 Disk: %s\n"
             "内存 Memory:\n%s"
             "最近日志 Last log lines:\n%s",
             QF_VERSION, up_s, s.device_id[0] ? s.device_id : "(not known yet)",
             !k->sync ? "no server configured" : s.link == 1 ? "online" : s.link == 2 ? "offline"
                                                                                   : "unknown",
             url && *url ? url : "-", ca && *ca ? ca : "-", last,
             (long long)k->state.catalog_version, k->catalog_source, depth,
             s.last_error[0] ? s.last_error : "-", s.printer_status[0] ? s.printer_status : "-",
             disk, mem, logs);
}

/* Writes the report and the log lines to the USB folder: refused unless it
 * is a mounted, writable folder (not the root file system's empty mount
 * point). */
static void kapp_export(kapp *k)
{
    char msg[256], path[800], stamp[32];
    struct stat st, parent;
    char up[520];
    snprintf(up, sizeof up, "%s/..", g.usb_dir);
    if (stat(g.usb_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(msg, sizeof msg, "未找到U盘（%.80s 不存在）/ No USB stick at %.80s", g.usb_dir, g.usb_dir);
        ks_app_staff_export_result(&k->state, msg);
        return;
    }
    if (g.usb_require_mount && stat(up, &parent) == 0 && parent.st_dev == st.st_dev) {
        snprintf(msg, sizeof msg, "U盘未挂载（%.80s）/ No USB stick mounted at %.80s", g.usb_dir,
                 g.usb_dir);
        ks_app_staff_export_result(&k->state, msg);
        return;
    }
    if (access(g.usb_dir, W_OK) != 0) {
        snprintf(msg, sizeof msg, "U盘不可写（%.160s）/ USB stick not writable", g.usb_dir);
        ks_app_staff_export_result(&k->state, msg);
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(path, sizeof path, "%s/qifu-kiosk-%s.txt", g.usb_dir, stamp);
    char *report = malloc(16384), *logs = malloc(KAPP_LOG_LINES * KAPP_LOG_LINE_MAX);
    int fd = -1;
    bool ok = false;
    if (report && logs) {
        kapp_report(k, report, 16384);
        kapp_staff_log_tail(KAPP_LOG_LINES, logs, KAPP_LOG_LINES * KAPP_LOG_LINE_MAX);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    }
    if (fd >= 0) {
        FILE *fp = fdopen(fd, "w");
        if (fp) {
            ok = fprintf(fp, "qifu-kiosk diagnostics %s\n\n%s\n\n== log ==\n%s", stamp, report,
                         logs) > 0;
            ok = fflush(fp) == 0 && fsync(fd) == 0 && ok;
            ok = fclose(fp) == 0 && ok;
        } else {
            close(fd);
        }
    }
    free(report);
    free(logs);
    if (ok)
        snprintf(msg, sizeof msg, "已导出：%.200s / Exported", path);
    else
        snprintf(msg, sizeof msg, "导出失败：%s / Export failed", strerror(errno));
    fprintf(stderr, "qifu-kiosk: log export: %s\n", ok ? path : "failed");
    ks_app_staff_export_result(&k->state, msg);
}

/* ---- update ---------------------------------------------------------------------- */

static void kapp_staff_login(kapp *k)
{
    ks_app *app = &k->state;
    ks_app_staff *st = &app->staff;
    uint64_t now = kapp_now(k);
    if (st->login == KS_LOGIN_ASK) {
        uint64_t id = st->login_id;
        qf_err rc = QF_ERR_STATE;
        if (k->sync && st->login_role == KS_ROLE_HELPER)
            rc = kn_staff_helper_login(k->sync, st->text[KS_SIN_ID], st->text[KS_SIN_PIN],
                                       st->badge, id);
        else if (k->sync)
            rc = kn_staff_tech_login(k->sync, st->text[KS_SIN_ID], st->text[KS_SIN_PIN], id);
        ks_app_staff_login_sent(app);
        if (rc != QF_OK)           /* no server: as if the daemon did not answer */
            ks_app_staff_login_answer(app, id, rc == QF_ERR_INVALID ? KS_ANSWER_REFUSED
                                                                      : KS_ANSWER_OFFLINE,
                                      NULL, NULL, 0, now);
    }
    if (st->login == KS_LOGIN_VERIFY) {
        bool known = false;
        bool ok = kapp_tech_hash_verify(st->text[KS_SIN_ID], st->text[KS_SIN_PIN], &known);
        fprintf(stderr, "qifu-kiosk: offline technician check: %s\n",
                ok ? "accepted" : known ? "refused" : "no stored credential");
        ks_app_staff_tech_verified(app, ok, known, now);
    }
}

void kapp_staff_update(kapp *k)
{
    ks_app *app = &k->state;
    ks_app_staff *st = &app->staff;
    qf_instant t = qf_clock_now();
    int day_min = (int)((t - qf_day_at(qf_instant_day(t), 0, 0)) / 60);
    ks_app_staff_clock(app, (int64_t)t, day_min < 0 ? 0 : day_min % 1440);
    kapp_staff_login(k);
    if (st->logout_wanted) {
        ks_app_staff_took(app, KS_TOOK_LOGOUT);
        kn_staff_helper_logout(k->sync);
    }
    if (st->help == KS_HELP_ASK) {
        const char *name = scr_get(ks_app_screen(app))->name;
        if (k->sync && kn_staff_help_call(k->sync, st->help_screen[0] ? st->help_screen : name) ==
                           QF_OK) {
            ks_app_staff_help_sent(app);
        } else {
            ks_app_staff_help_sent(app);
            ks_app_staff_help_state(app, 0, NULL, true, "no server", kapp_now(k));
        }
    }
    if (st->help_poll_wanted) {
        ks_app_staff_help_polled(app);
        kn_staff_help_poll(k->sync, st->help_id);
    }
    if (st->list_wanted) {
        ks_app_staff_took(app, KS_TOOK_LIST);
        if (kn_staff_help_list(k->sync) != QF_OK)
            ks_app_staff_calls_answer(app, NULL, 0, "no server");
    }
    if (st->act_id) {
        int64_t id = st->act_id;
        ks_app_staff_took(app, KS_TOOK_ACT);
        if (kn_staff_help_act(k->sync, id, st->act_close) != QF_OK)
            ks_app_staff_calls_answer(app, NULL, 0, "no server");
    }
    if (st->inspect == KS_SUBMIT_ASK) {
        char *body = NULL;
        ks_app_staff_submit_sent(app, KS_SCREEN_INSPECT);
        if (ks_app_staff_inspect_body(app, &body) != QF_OK || !k->sync ||
            kn_staff_device_post(k->sync, KN_STAFF_INSPECTION, body) != QF_OK) {
            ks_app_staff_submit_answer(app, KS_SCREEN_INSPECT, KS_SUBMIT_FAILED,
                                       k->sync ? "out of memory" : "no server configured");
            free(body);
        } else {
            if (g.inspection)
                free(g.inspection);
            g.inspection = body;   /* kept for the outbox should the daemon be away */
        }
    }
    if (st->notice == KS_SUBMIT_ASK) {
        char *body = NULL;
        ks_app_staff_submit_sent(app, KS_SCREEN_NOTICE);
        if (ks_app_staff_notice_body(app, (int64_t)t, &body) != QF_OK || !k->sync ||
            kn_staff_device_post(k->sync, KN_STAFF_MAINTENANCE, body) != QF_OK)
            ks_app_staff_submit_answer(app, KS_SCREEN_NOTICE, KS_SUBMIT_FAILED,
                                       k->sync ? "out of memory" : "no server configured");
        free(body);
    }
    if (st->report_wanted) {
        char *report = malloc(16384);
        if (report) {
            kapp_report(k, report, 16384);
            ks_app_staff_report_set(app, report);
            free(report);
        } else {
            ks_app_staff_report_set(app, "out of memory");
        }
    }
    if (st->export_wanted)
        kapp_export(k);
    if (st->print_wanted) {
        ks_app_staff_took(app, KS_TOOK_PRINT);
        kapp_print_test_start(k);
    }
    if (st->restart_due && !g.restart && ks_app_screen(app) == KS_SCREEN_IDLE) {
        fprintf(stderr, "qifu-kiosk: nightly restart\n");
        g.restart = true;
        k->quit = true;
    }
}
