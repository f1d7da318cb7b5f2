/* harness.h — integration tests' handle on a real qifu-syncd: starts the
 * built daemon on 127.0.0.1 port 0 with a throwaway folder (database,
 * certificate), waits for its "listening on" line, makes credentials
 * directly in its database, sends HTTP(S) requests with libcurl, and can
 * kill -9 and restart it on the same database. Nothing here sleeps to pass:
 * start-up waits on the daemon's own ready line, with a deadline. */
#ifndef QIFU_HARNESS_H
#define QIFU_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct harness {
    char dir[256];         /* throwaway folder, removed by harness_stop */
    char db[300];
    char cert[300], key[300];
    char base[128];        /* "https://127.0.0.1:PORT" */
    bool tls;
    pid_t pid;
    char stderr_path[300];
    char extra_args[512];  /* more daemon flags, space separated */
} harness;

typedef struct harness_response {
    long status;
    char *body;            /* NUL-terminated; owned, freed by harness_response_free */
    size_t len;
    char *headers;         /* raw response headers */
} harness_response;

/* tls: generate a self-signed certificate with `qifu-ctl cert self-signed`
 * and serve HTTPS; otherwise --insecure-loopback. Fails the test on error. */
void harness_start(harness *h, bool tls);
void harness_stop(harness *h);          /* SIGTERM, wait, remove the folder */
void harness_kill9(harness *h);         /* SIGKILL, wait; the folder stays */
void harness_restart(harness *h);       /* start again on the same folder and port */

/* Runs qifu-ctl with --db of this daemon; returns its exit code and stdout
 * (owned, may be NULL). args: a NULL-terminated list. */
int harness_ctl(harness *h, char **out_stdout, const char *const *args);

/* harness_ctl with input written to qifu-ctl's stdin (then closed), for
 * commands that read a secret there (staff add/passwd read the PIN). */
int harness_ctl_stdin(harness *h, const char *input, char **out_stdout, const char *const *args);

/* Makes an enrolled device (through qifu-ctl device enroll and the real
 * POST /api/v1/devices/enroll) and returns its bearer token in token
 * (64 bytes) and id in device_id (64 bytes). */
void harness_enroll(harness *h, const char *name, char *token, char *device_id);

/* Makes an operator token through `qifu-ctl operator token NAME`. */
void harness_operator(harness *h, const char *name, char *token);

/* One request. token may be NULL; body may be NULL; headers is a
 * NULL-terminated list of "Name: value" strings or NULL. */
harness_response harness_request(harness *h, const char *method, const char *path,
                                 const char *token, const char *body, const char *const *headers);
void harness_response_free(harness_response *r);

/* Repeats a request until it answers want_status or deadline_ms passes, and
 * returns the last response. For effects that take a bounded time to reach
 * the daemon (a revocation by qifu-ctl passes the token cache within 1 s). */
harness_response harness_request_until(harness *h, long want_status, unsigned deadline_ms,
                                       const char *method, const char *path, const char *token,
                                       const char *body);

#endif
