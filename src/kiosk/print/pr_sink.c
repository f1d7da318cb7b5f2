/* pr_sink.c — where slips go: a device file, a raw TCP printer (port 9100)
 * or a PNG folder, chosen by a sink string:
 *
 *   escpos-file:PATH       e.g. escpos-file:/dev/usb/lp0. Opened write-only;
 *                          status is UNKNOWN (the usblp driver can answer
 *                          DLE EOT on read, but not every device file can,
 *                          and a blocking read on one that cannot would hang
 *                          the print worker — kept simple on purpose).
 *   escpos-tcp:HOST:PORT   one connection for the sink's life (connect
 *                          timeout 2 s, every write bounded by 5 s). Status:
 *                          DLE EOT 1, 2, 4, one byte each within 1 s. A
 *                          printer that does not answer is treated as
 *                          OFFLINE, not UNKNOWN: a network printer we cannot
 *                          hear is more likely jammed or off than mute, and
 *                          "never claim a slip printed when out of paper"
 *                          outweighs printing on a mute printer.
 *   png:DIR                DIR/slip-YYYYMMDD-HHMMSS-NNN.png (Shanghai time),
 *                          through pr_bitmap_write_png; status OK.
 *
 * pr_sink_print refuses before sending when the printer cannot print, and
 * asks again afterwards: paper out then means the slip may be incomplete
 * and is reported as a failure, never as printed.
 *
 * Does not own: the bytes (pr_escpos.c) or the rendering. Not thread-safe:
 * one sink belongs to one print worker. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pr.h"

#define PR_SINK_CONNECT_MS 2000
#define PR_SINK_WRITE_MS 5000
#define PR_SINK_STATUS_MS 1000
#define PR_SINK_SPEC_MAX 1024

typedef enum pr_sink_kind { PR_SINK_FILE, PR_SINK_TCP, PR_SINK_PNG } pr_sink_kind;

struct pr_sink {
    pr_sink_kind kind;
    int fd;                /* FILE, TCP */
    char *dir;             /* PNG */
    char *name;            /* for messages: the path or host:port */
    unsigned seq;          /* PNG: the NNN of the next file */
};

static qf_err pr_sink_connect(const char *host, const char *port, int *out, char *err,
                              size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
    int fd = -1, gai;
    qf_err rc = QF_ERR_IO;

    if ((gai = getaddrinfo(host, port, &hints, &res)) != 0)
        return qf_err_set(err, errlen, QF_ERR_IO, "printer %s:%s: %s", host, port,
                          gai_strerror(gai));
    qf_err_set(err, errlen, QF_ERR_IO, "printer %s:%s: no address", host, port);
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            goto connected;
        if (errno == EINPROGRESS) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int n = poll(&p, 1, PR_SINK_CONNECT_MS);
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                goto connected;
            qf_err_set(err, errlen, QF_ERR_IO, "printer %s:%s: %s", host, port,
                       n == 0 ? "connection timed out" : strerror(soerr ? soerr : errno));
        } else {
            qf_err_set(err, errlen, QF_ERR_IO, "printer %s:%s: %s", host, port, strerror(errno));
        }
        close(fd);
        fd = -1;
    }
    goto out;
connected:
    *out = fd;
    rc = QF_OK;
out:
    freeaddrinfo(res);
    return rc;
}

qf_err pr_sink_open(const char *spec, pr_sink **out, char *err, size_t errlen)
{
    pr_sink *s = NULL;
    qf_err rc = QF_OK;

    *out = NULL;
    if (!spec || strlen(spec) > PR_SINK_SPEC_MAX)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "missing or overlong sink");
    if (!(s = calloc(1, sizeof *s)))
        return QF_ERR_NOMEM;
    s->fd = -1;
    if (strncmp(spec, "escpos-file:", 12) == 0 && spec[12]) {
        s->kind = PR_SINK_FILE;
        s->name = strdup(spec + 12);
        if (!s->name) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        s->fd = open(s->name, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (s->fd < 0) {
            rc = qf_err_set(err, errlen, QF_ERR_IO, "printer %s: %s", s->name, strerror(errno));
            goto out;
        }
    } else if (strncmp(spec, "escpos-tcp:", 11) == 0) {
        const char *hp = spec + 11, *colon = strrchr(hp, ':');
        char host[256];
        if (!colon || colon == hp || (size_t)(colon - hp) >= sizeof host || !colon[1] ||
            strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) < 1 ||
            atoi(colon + 1) > 65535) {
            rc = qf_err_set(err, errlen, QF_ERR_INVALID, "sink '%s': want escpos-tcp:HOST:PORT",
                            spec);
            goto out;
        }
        memcpy(host, hp, (size_t)(colon - hp));
        host[colon - hp] = '\0';
        s->kind = PR_SINK_TCP;
        if (!(s->name = strdup(hp))) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        if ((rc = pr_sink_connect(host, colon + 1, &s->fd, err, errlen)) != QF_OK)
            goto out;
    } else if (strncmp(spec, "png:", 4) == 0 && spec[4]) {
        struct stat st;
        s->kind = PR_SINK_PNG;
        if (!(s->dir = strdup(spec + 4)) || !(s->name = strdup(spec + 4))) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        if (stat(s->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            rc = qf_err_set(err, errlen, QF_ERR_IO, "png sink: %s is not a folder", s->dir);
            goto out;
        }
    } else {
        rc = qf_err_set(err, errlen, QF_ERR_INVALID,
                        "sink '%s': want escpos-file:PATH, escpos-tcp:HOST:PORT or png:DIR",
                        spec);
        goto out;
    }
    *out = s;
    s = NULL;
out:
    pr_sink_close(s);
    return rc;
}

void pr_sink_close(pr_sink *sink)
{
    if (!sink)
        return;
    if (sink->fd >= 0)
        close(sink->fd);
    free(sink->dir);
    free(sink->name);
    free(sink);
}

/* Writes all of data, each wait bounded (a stuck printer must not hang the
 * worker). MSG_NOSIGNAL: a printer that hangs up gives EPIPE, not SIGPIPE. */
static qf_err pr_sink_write(pr_sink *s, const uint8_t *data, size_t len, char *err, size_t errlen)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n;
        if (s->kind == PR_SINK_TCP)
            n = send(s->fd, data + off, len - off, MSG_NOSIGNAL);
        else
            n = write(s->fd, data + off, len - off);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = s->fd, .events = POLLOUT };
            int r = poll(&p, 1, PR_SINK_WRITE_MS);
            if (r > 0 || (r < 0 && errno == EINTR))
                continue;
            return qf_err_set(err, errlen, QF_ERR_IO,
                              "printer %s: write timed out after %zu of %zu bytes", s->name, off,
                              len);
        }
        return qf_err_set(err, errlen, QF_ERR_IO, "printer %s: write failed after %zu of %zu "
                          "bytes: %s", s->name, off, len, n < 0 ? strerror(errno) : "no progress");
    }
    return QF_OK;
}

/* One DLE EOT n over TCP: *got says whether a byte came within the timeout. */
static qf_err pr_sink_ask(pr_sink *s, int n, uint8_t *ans, bool *got, char *err, size_t errlen)
{
    const uint8_t q[3] = { 0x10, 0x04, (uint8_t)n };
    qf_err rc;

    *got = false;
    /* Drop anything unread (a late answer to an earlier query, automatic
     * status bytes) so the next byte is the answer to this query. */
    for (int i = 0; i < 64; i++) {
        uint8_t junk[64];
        if (recv(s->fd, junk, sizeof junk, MSG_DONTWAIT) <= 0)
            break;
    }
    if ((rc = pr_sink_write(s, q, sizeof q, err, errlen)) != QF_OK)
        return rc;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= PR_SINK_STATUS_MS)
            return QF_OK;
        struct pollfd p = { .fd = s->fd, .events = POLLIN };
        int r = poll(&p, 1, (int)(PR_SINK_STATUS_MS - ms));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return QF_OK;
        ssize_t got_n = recv(s->fd, ans, 1, 0);
        if (got_n == 1) {
            *got = true;
            return QF_OK;
        }
        if (got_n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        return qf_err_set(err, errlen, QF_ERR_IO, "printer %s closed the connection", s->name);
    }
}

qf_err pr_sink_status(pr_sink *sink, pr_status *out, char *err, size_t errlen)
{
    static const int ns[3] = { 1, 2, 4 };
    uint8_t ans[3];
    qf_err rc;

    *out = PR_STATUS_UNKNOWN;
    if (sink->kind == PR_SINK_PNG) {
        *out = PR_STATUS_OK;
        return QF_OK;
    }
    if (sink->kind == PR_SINK_FILE)
        return QF_OK;
    for (int i = 0; i < 3; i++) {
        bool got;
        if ((rc = pr_sink_ask(sink, ns[i], &ans[i], &got, err, errlen)) != QF_OK) {
            *out = PR_STATUS_OFFLINE;
            return rc;
        }
        if (!got) {
            *out = PR_STATUS_OFFLINE; /* see the file comment */
            qf_err_set(err, errlen, QF_OK, "printer %s does not answer DLE EOT %d", sink->name,
                       ns[i]);
            return QF_OK;
        }
    }
    return pr_escpos_status_decode(ans[0], ans[1], ans[2], out, err, errlen);
}

/* "打印机缺纸 / printer out of paper" and friends, for refusals. */
static const char *pr_status_text(pr_status s)
{
    switch (s) {
    case PR_STATUS_PAPER_OUT: return "打印机缺纸 / printer out of paper";
    case PR_STATUS_COVER_OPEN: return "打印机盖未关 / printer cover open";
    case PR_STATUS_OFFLINE: return "打印机离线 / printer offline or not answering";
    case PR_STATUS_ERROR: return "打印机故障 / printer error";
    case PR_STATUS_PAPER_NEAR_END: return "打印纸将尽 / paper low";
    case PR_STATUS_OK: return "ok";
    case PR_STATUS_UNKNOWN: return "status unknown";
    }
    return "status unknown";
}

static qf_err pr_sink_png(pr_sink *s, const pr_bitmap *bm, char *err, size_t errlen)
{
    /* Shanghai wall time: UTC+8 all year, no DST. */
    time_t t = (time_t)(qf_clock_now() + 8 * 3600);
    struct tm tm;
    char path[PR_SINK_SPEC_MAX + 64];

    gmtime_r(&t, &tm);
    for (unsigned tries = 0; tries < 1000; tries++) {
        snprintf(path, sizeof path, "%s/slip-%04d%02d%02d-%02d%02d%02d-%03u.png", s->dir,
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 s->seq % 1000);
        s->seq++;
        if (access(path, F_OK) != 0)
            return pr_bitmap_write_png(bm, path, err, errlen);
    }
    return qf_err_set(err, errlen, QF_ERR_IO, "png sink %s: no free file name", s->dir);
}

qf_err pr_sink_print(pr_sink *sink, const pr_bitmap *bm, pr_status *out_status, char *err,
                     size_t errlen)
{
    pr_status st = PR_STATUS_UNKNOWN;
    pr_buf buf = { 0 };
    qf_err rc;

    if (out_status)
        *out_status = PR_STATUS_UNKNOWN;
    if ((rc = pr_sink_status(sink, &st, err, errlen)) != QF_OK)
        goto out;
    if (!pr_status_can_print(st)) {
        rc = qf_err_set(err, errlen, QF_ERR_STATE, "%s (%s): nothing sent",
                        pr_status_text(st), pr_status_name(st));
        goto out;
    }
    if (sink->kind == PR_SINK_PNG) {
        rc = pr_sink_png(sink, bm, err, errlen);
        goto out;
    }
    if ((rc = pr_escpos_encode(bm, &buf)) != QF_OK) {
        qf_err_set(err, errlen, rc, "cannot encode the slip (%d x %d dots)", bm ? bm->width : 0,
                   bm ? bm->height : 0);
        goto out;
    }
    if ((rc = pr_sink_write(sink, buf.data, buf.len, err, errlen)) != QF_OK)
        goto out;
    if ((rc = pr_sink_status(sink, &st, err, errlen)) != QF_OK)
        goto out;
    if (st == PR_STATUS_PAPER_OUT || st == PR_STATUS_COVER_OPEN || st == PR_STATUS_ERROR) {
        rc = qf_err_set(err, errlen, QF_ERR_STATE, "%s (%s) after sending: the slip may be "
                        "incomplete", pr_status_text(st), pr_status_name(st));
        goto out;
    }
    /* OFFLINE after sending (no answer) is reported, not hidden: the bytes
     * went out but nobody confirmed the paper. */
    if (st == PR_STATUS_OFFLINE) {
        rc = qf_err_set(err, errlen, QF_ERR_STATE, "%s after sending: the slip may not have "
                        "printed", pr_status_text(st));
        goto out;
    }
out:
    if (out_status)
        *out_status = st;
    pr_buf_cleanup(&buf);
    return rc;
}
