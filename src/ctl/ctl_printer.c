/* ctl_printer.c — `qifu-ctl printer listen`: a virtual ESC/POS network
 * printer for development and tests.
 *
 *   printer listen --port P --out DIR
 *                  [--status ok|near_end|paper_out|cover_open|offline|error]
 *                  [--once]
 *
 * Listens on 127.0.0.1:P (0 picks a free port) and says "listening on
 * 127.0.0.1:PORT" on stderr once ready. Connections are served one at a
 * time: DLE EOT n is answered with the configured status byte
 * (pr_escpos_status_byte), GS v 0 bands are collected and every cut turns
 * them into DIR/slip-NNN.png, logged with its size in dots and in ESC/POS
 * bytes. While the configured status cannot print (paper out, cover open,
 * offline, error) rasters are discarded, as a real printer would not print
 * them. A stream that cannot be followed (unknown command) or grows past
 * PR_BUF_MAX closes the connection. --once exits after the first connection
 * closes; SIGTERM and SIGINT exit 0.
 *
 * Exit codes: 0 stopped, 1 could not listen or write, 2 usage. The decoding
 * is pr_escpos.c's; this file does sockets and files. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "pr.h"

static volatile sig_atomic_t ctl_printer_stop;

static void ctl_printer_on_signal(int sig)
{
    (void)sig;
    ctl_printer_stop = 1;
}

typedef struct ctl_printer {
    const char *out_dir;
    pr_status status;
    unsigned slips;          /* slip-NNN numbering, across connections */
} ctl_printer;

static int ctl_printer_usage(void)
{
    fprintf(stderr, "usage: qifu-ctl printer listen --port P --out DIR "
                    "[--status ok|near_end|paper_out|cover_open|offline|error] [--once]\n");
    return CTL_EXIT_USAGE;
}

static bool ctl_printer_status_parse(const char *s, pr_status *out)
{
    static const struct { const char *name; pr_status st; } map[] = {
        { "ok", PR_STATUS_OK },
        { "near_end", PR_STATUS_PAPER_NEAR_END },
        { "paper_low", PR_STATUS_PAPER_NEAR_END },
        { "paper_out", PR_STATUS_PAPER_OUT },
        { "cover_open", PR_STATUS_COVER_OPEN },
        { "offline", PR_STATUS_OFFLINE },
        { "error", PR_STATUS_ERROR },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i].name) == 0) {
            *out = map[i].st;
            return true;
        }
    return false;
}

/* Writes the collected slip (if any) as the next slip-NNN.png. */
static int ctl_printer_slip_done(ctl_printer *p, pr_escpos_slip *slip, size_t bytes, bool cut)
{
    pr_bitmap *bm = NULL;
    char path[4096], err[256] = "";
    int rc = 0;

    if (pr_escpos_slip_take(slip, &bm) != QF_OK) {
        fprintf(stderr, "printer: cannot build the slip bitmap\n");
        return -1;
    }
    if (!bm)
        return 0;
    p->slips++;
    snprintf(path, sizeof path, "%s/slip-%03u.png", p->out_dir, p->slips);
    if (pr_bitmap_write_png(bm, path, err, sizeof err) != QF_OK) {
        fprintf(stderr, "printer: %s: %s\n", path, err);
        rc = -1;
    } else {
        fprintf(stderr, "printer: slip %u: %d x %d dots, %zu bytes of ESC/POS%s -> %s\n",
                p->slips, bm->width, bm->height, bytes, cut ? "" : " (no cut)", path);
    }
    pr_bitmap_free(bm);
    return rc;
}

/* Serves one connection until it closes (or the stream breaks). */
static int ctl_printer_serve(ctl_printer *p, int fd)
{
    pr_buf in = { 0 };
    pr_escpos_slip slip = { 0 };
    size_t pos = 0, slip_start = 0, consumed = 0;
    char err[256] = "";
    int rc = 0;
    bool printing = pr_status_can_print(p->status);
    uint8_t chunk[16384];

    for (;;) {
        struct pollfd pf = { .fd = fd, .events = POLLIN };
        int r = poll(&pf, 1, 1000);
        if (ctl_printer_stop)
            break;
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            continue;
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (pr_buf_append(&in, chunk, (size_t)n) != QF_OK) {
            fprintf(stderr, "printer: stream over %u bytes, closing\n", PR_BUF_MAX);
            rc = -1;
            goto out;
        }
        while (pos < in.len) {
            pr_escpos_cmd cmd;
            size_t used;
            if (pr_escpos_parse(in.data + pos, in.len - pos, &cmd, &used, err, sizeof err) !=
                QF_OK) {
                fprintf(stderr, "printer: %s at byte %zu, closing\n", err, consumed + pos);
                rc = -1;
                goto out;
            }
            if (used == 0)
                break;
            pos += used;
            if (cmd.kind == PR_ESCPOS_CMD_STATUS) {
                uint8_t b = pr_escpos_status_byte(p->status, cmd.n);
                if (send(fd, &b, 1, MSG_NOSIGNAL) != 1)
                    goto out;
            } else if (cmd.kind == PR_ESCPOS_CMD_RASTER) {
                if (!printing) {
                    fprintf(stderr, "printer: %s: raster of %d rows discarded\n",
                            pr_status_name(p->status), cmd.height);
                } else if (pr_escpos_slip_add(&slip, &cmd, err, sizeof err) != QF_OK) {
                    fprintf(stderr, "printer: %s, closing\n", err);
                    rc = -1;
                    goto out;
                }
            } else if (cmd.kind == PR_ESCPOS_CMD_CUT) {
                if (ctl_printer_slip_done(p, &slip, consumed + pos - slip_start, true) != 0)
                    rc = -1;
                slip_start = consumed + pos;
            } else if (cmd.kind == PR_ESCPOS_CMD_INIT && slip.height == 0) {
                slip_start = consumed + pos - used; /* count ESC @ in the slip */
            }
        }
        /* Drop what was parsed, so the buffer holds at most one command's
         * bytes plus a chunk. */
        if (pos > 0) {
            memmove(in.data, in.data + pos, in.len - pos);
            in.len -= pos;
            consumed += pos;
            pos = 0;
        }
    }
    if (in.len > 0)
        fprintf(stderr, "printer: connection closed inside a command (%zu bytes dropped)\n",
                in.len);
    if (ctl_printer_slip_done(p, &slip, consumed - slip_start, false) != 0)
        rc = -1;
out:
    pr_escpos_slip_cleanup(&slip);
    pr_buf_cleanup(&in);
    return rc;
}

int ctl_printer_main(const ctl_options *opts, int argc, char **argv)
{
    ctl_printer p = { .status = PR_STATUS_OK };
    const char *port_s = NULL;
    bool once = false;
    int lfd = -1, rc = CTL_EXIT_NO;
    struct stat st;

    (void)opts;
    if (argc < 2 || strcmp(argv[1], "listen") != 0)
        return ctl_printer_usage();
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port_s = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            p.out_dir = argv[++i];
        else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc) {
            if (!ctl_printer_status_parse(argv[++i], &p.status))
                return ctl_printer_usage();
        } else if (strcmp(argv[i], "--once") == 0)
            once = true;
        else
            return ctl_printer_usage();
    }
    if (!port_s || !p.out_dir || !*port_s || strspn(port_s, "0123456789") != strlen(port_s) ||
        strlen(port_s) > 5 || atoi(port_s) > 65535)
        return ctl_printer_usage();
    if (stat(p.out_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "qifu-ctl: printer: %s is not a folder\n", p.out_dir);
        return CTL_EXIT_NO;
    }

    struct sigaction sa = { .sa_handler = ctl_printer_on_signal }; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port_s)),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof addr;
    int one = 1;
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 4) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
        fprintf(stderr, "qifu-ctl: printer: cannot listen on 127.0.0.1:%s: %s\n", port_s,
                strerror(errno));
        goto out;
    }
    fprintf(stderr, "listening on 127.0.0.1:%u (status %s)\n", ntohs(addr.sin_port),
            pr_status_name(p.status));
    fflush(stderr);

    rc = CTL_EXIT_OK;
    while (!ctl_printer_stop) {
        struct pollfd pf = { .fd = lfd, .events = POLLIN };
        int r = poll(&pf, 1, 1000);
        if (r <= 0)
            continue; /* timeout, or EINTR from the signal: the loop test decides */
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0)
            continue;
        fprintf(stderr, "printer: connection\n");
        if (ctl_printer_serve(&p, cfd) != 0)
            rc = CTL_EXIT_NO;
        close(cfd);
        fprintf(stderr, "printer: connection closed\n");
        if (once)
            break;
    }
out:
    if (lfd >= 0)
        close(lfd);
    return rc;
}
