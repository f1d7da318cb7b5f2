/* harness.c — see harness.h. Paths of the built programs come from the
 * compile definitions QIFU_SYNCD_BIN and QIFU_CTL_BIN. */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define HARNESS_START_DEADLINE_MS 10000

static void run_or_fail(const char *const *argv)
{
    pid_t pid = fork();
    int status = 0;
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s %s failed (status %d)", argv[0], argv[1], status);
}

int harness_ctl(harness *h, char **out_stdout, const char *const *args)
{
    const char *argv[32];
    int pipefd[2], status = 0, n = 0;
    char *buf = NULL;
    size_t len = 0;
    pid_t pid;

    argv[n++] = QIFU_CTL_BIN;
    argv[n++] = "--db";
    argv[n++] = h->db;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    assert_int_equal(pipe(pipefd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    for (;;) {
        char chunk[4096];
        ssize_t got = read(pipefd[0], chunk, sizeof chunk);
        if (got <= 0)
            break;
        buf = realloc(buf, len + (size_t)got + 1);
        memcpy(buf + len, chunk, (size_t)got);
        len += (size_t)got;
        buf[len] = '\0';
    }
    close(pipefd[0]);
    waitpid(pid, &status, 0);
    if (out_stdout)
        *out_stdout = buf;
    else
        free(buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void spawn(harness *h)
{
    char *argv[40];
    char extra[sizeof h->extra_args];
    int n = 0, errfd;
    uint64_t deadline;

    /* A restart listens where the daemon was, so clients configured with
     * its URL (a kiosk) find it again; the first start takes a free port. */
    char listen_on[64] = "127.0.0.1:0";
    const char *was = strstr(h->base, "://");
    if (was)
        snprintf(listen_on, sizeof listen_on, "%s", was + 3);
    snprintf(extra, sizeof extra, "%s", h->extra_args);
    argv[n++] = QIFU_SYNCD_BIN;
    argv[n++] = "--listen";
    argv[n++] = listen_on;
    argv[n++] = "--db";
    argv[n++] = h->db;
    if (h->tls) {
        argv[n++] = "--cert";
        argv[n++] = h->cert;
        argv[n++] = "--key";
        argv[n++] = h->key;
    } else {
        argv[n++] = "--insecure-loopback";
    }
    for (char *tok = strtok(extra, " "); tok && n < 38; tok = strtok(NULL, " "))
        argv[n++] = tok;
    argv[n] = NULL;
    errfd = open(h->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(errfd >= 0);
    h->pid = fork();
    assert_true(h->pid >= 0);
    if (h->pid == 0) {
        dup2(errfd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(errfd);
    /* Wait for the ready line, re-reading the log as it grows; the poll on
     * the child's exit keeps a crashing daemon from costing the deadline. */
    deadline = now_ms() + HARNESS_START_DEADLINE_MS;
    while (now_ms() < deadline) {
        char line[512];
        int status;
        FILE *f = fopen(h->stderr_path, "r");
        while (f && fgets(line, sizeof line, f)) {
            char *p = strstr(line, "listening on ");
            if (p) {
                p += strlen("listening on ");
                p[strcspn(p, "\r\n")] = '\0';
                snprintf(h->base, sizeof h->base, "%s://%s", h->tls ? "https" : "http", p);
                fclose(f);
                return;
            }
        }
        if (f)
            fclose(f);
        if (waitpid(h->pid, &status, WNOHANG) == h->pid)
            fail_msg("qifu-syncd exited during start-up (status %d); see %s", status,
                     h->stderr_path);
        poll(NULL, 0, 5); /* wait for the daemon's next write, not a fixed sleep */
    }
    fail_msg("qifu-syncd did not print 'listening on' within %d ms", HARNESS_START_DEADLINE_MS);
}

void harness_start(harness *h, bool tls)
{
    char *made;
    memset(h->dir, 0, sizeof h->dir);
    memset(h->base, 0, sizeof h->base);
    strcpy(h->dir, "/tmp/qifu-it-XXXXXX");
    made = mkdtemp(h->dir);
    assert_non_null(made);
    snprintf(h->db, sizeof h->db, "%s/qifu.db", h->dir);
    snprintf(h->cert, sizeof h->cert, "%s/server.crt", h->dir);
    snprintf(h->key, sizeof h->key, "%s/server.key", h->dir);
    snprintf(h->stderr_path, sizeof h->stderr_path, "%s/syncd.log", h->dir);
    h->tls = tls;
    if (tls) {
        const char *argv[] = { QIFU_CTL_BIN, "cert", "self-signed", "--cert", h->cert,
                               "--key", h->key, "--host", "127.0.0.1", "--host", "localhost",
                               NULL };
        run_or_fail(argv);
    }
    spawn(h);
}

void harness_kill9(harness *h)
{
    int status;
    if (h->pid > 0) {
        kill(h->pid, SIGKILL);
        waitpid(h->pid, &status, 0);
        h->pid = 0;
    }
}

void harness_restart(harness *h)
{
    assert_int_equal(h->pid, 0);
    spawn(h);
}

void harness_stop(harness *h)
{
    int status;
    char cmd[300];
    if (h->pid > 0) {
        kill(h->pid, SIGTERM);
        waitpid(h->pid, &status, 0);
        h->pid = 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("qifu-syncd did not exit 0 on SIGTERM (status %d)", status);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
    if (strncmp(h->dir, "/tmp/qifu-it-", 13) == 0 && system(cmd) != 0)
        fprintf(stderr, "harness: could not remove %s\n", h->dir);
}

static size_t collect(char *data, size_t size, size_t nmemb, void *user)
{
    harness_response *r = user;
    size_t n = size * nmemb;
    char *grown = realloc(r->body, r->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + r->len, data, n);
    r->body = grown;
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

static size_t collect_header(char *data, size_t size, size_t nmemb, void *user)
{
    char **headers = user;
    size_t n = size * nmemb, old = *headers ? strlen(*headers) : 0;
    char *grown = realloc(*headers, old + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + old, data, n);
    grown[old + n] = '\0';
    *headers = grown;
    return n;
}

harness_response harness_request(harness *h, const char *method, const char *path,
                                 const char *token, const char *body, const char *const *headers)
{
    harness_response r = { 0 };
    struct curl_slist *list = NULL;
    char url[2300], auth[160];
    CURL *curl = curl_easy_init();
    CURLcode rc;

    assert_non_null(curl);
    r.body = calloc(1, 1);
    snprintf(url, sizeof url, "%s%s", h->base, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    if (h->tls)
        curl_easy_setopt(curl, CURLOPT_CAINFO, h->cert); /* the self-signed cert is its own CA */
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        list = curl_slist_append(list, auth);
    }
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    if (body) {
        list = curl_slist_append(list, "Content-Type: application/json");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    rc = curl_easy_perform(curl);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, url, curl_easy_strerror(rc));
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return r;
}

harness_response harness_request_until(harness *h, long want_status, unsigned deadline_ms,
                                       const char *method, const char *path, const char *token,
                                       const char *body)
{
    uint64_t deadline = now_ms() + deadline_ms;
    for (;;) {
        harness_response r = harness_request(h, method, path, token, body, NULL);
        if (r.status == want_status || now_ms() >= deadline)
            return r;
        harness_response_free(&r);
        poll(NULL, 0, 20); /* the next attempt, not a wait for success */
    }
}

void harness_response_free(harness_response *r)
{
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}

void harness_enroll(harness *h, const char *name, char *token, char *device_id)
{
    const char *args[] = { "device", "enroll", name, "--hall", "qiantang", NULL };
    char *out = NULL, body[256], code[64] = "";
    harness_response r;

    assert_int_equal(harness_ctl(h, &out, args), 0);
    assert_non_null(out);
    /* the code is the first word of the line "code: XXXX-XXXX-XXXX" */
    char *p = strstr(out, "code: ");
    assert_non_null(p);
    sscanf(p + 6, "%63s", code);
    free(out);
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"%s\"}", code, name);
    r = harness_request(h, "POST", "/api/v1/devices/enroll", NULL, body, NULL);
    if (r.status != 200 && r.status != 201)
        fail_msg("enroll: %ld %s", r.status, r.body);
    /* {"device_id":"…","token":"…"} */
    p = strstr(r.body, "\"token\":\"");
    assert_non_null(p);
    sscanf(p + 9, "%63[^\"]", token);
    p = strstr(r.body, "\"device_id\":\"");
    assert_non_null(p);
    sscanf(p + 13, "%63[^\"]", device_id);
    harness_response_free(&r);
}

void harness_operator(harness *h, const char *name, char *token)
{
    const char *args[] = { "operator", "token", name, NULL };
    char *out = NULL;
    assert_int_equal(harness_ctl(h, &out, args), 0);
    assert_non_null(out);
    char *p = strstr(out, "token: ");
    assert_non_null(p);
    sscanf(p + 7, "%63s", token);
    free(out);
}

int harness_ctl_stdin(harness *h, const char *input, char **out_stdout, const char *const *args)
{
    const char *argv[32];
    int inpipe[2], outpipe[2], status = 0, n = 0;
    size_t len = 0, inlen = input ? strlen(input) : 0, sent = 0;
    char *buf = NULL;
    pid_t pid;

    argv[n++] = QIFU_CTL_BIN;
    argv[n++] = "--db";
    argv[n++] = h->db;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    assert_int_equal(pipe(inpipe), 0);
    assert_int_equal(pipe(outpipe), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(inpipe[0], 0);
        dup2(outpipe[1], 1);
        close(inpipe[0]);
        close(inpipe[1]);
        close(outpipe[0]);
        close(outpipe[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(inpipe[0]);
    close(outpipe[1]);
    /* The inputs are a line or two: far below the pipe buffer, so writing
     * all of it before reading cannot block on a child that writes first. */
    signal(SIGPIPE, SIG_IGN);
    while (sent < inlen) {
        ssize_t put = write(inpipe[1], input + sent, inlen - sent);
        if (put <= 0)
            break;
        sent += (size_t)put;
    }
    close(inpipe[1]);
    for (;;) {
        char chunk[4096];
        ssize_t got = read(outpipe[0], chunk, sizeof chunk);
        if (got <= 0)
            break;
        buf = realloc(buf, len + (size_t)got + 1);
        memcpy(buf + len, chunk, (size_t)got);
        len += (size_t)got;
        buf[len] = '\0';
    }
    close(outpipe[0]);
    waitpid(pid, &status, 0);
    if (out_stdout)
        *out_stdout = buf;
    else
        free(buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
