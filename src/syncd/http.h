/* http.h — the libmicrohttpd side of qifu-syncd: the access handler that
 * collects a request (headers, then a capped body), and the dispatcher that
 * routes it, authenticates it, rate-limits it and hands it to a handler;
 * and the server object that owns the MHD daemon, its listening socket and
 * its TLS certificate (reloadable on SIGHUP). */
#ifndef SD_HTTP_H
#define SD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "qf_error.h"
#include "syncd.h"

typedef struct sd_server sd_server;

typedef struct sd_server_config {
    const char *listen;          /* "127.0.0.1:8443", "[::1]:0" */
    const char *cert_path;       /* PEM; NULL with insecure_loopback */
    const char *key_path;
    bool insecure_loopback;      /* plain HTTP, loopback addresses only */
    unsigned threads;            /* MHD thread pool size */
    unsigned connection_limit;
    unsigned timeout_s;          /* idle connection timeout */
} sd_server_config;

/* Binds, loads the certificate and starts serving. bound receives
 * "ADDR:PORT" with the real port. Ownership: stop with sd_server_stop. */
qf_err sd_server_start(sd_app *app, const sd_server_config *cfg, sd_server **out, char *bound,
                       size_t boundlen, char *err, size_t errlen);

/* Reloads the certificate and key from their paths; new handshakes use the
 * new pair, connections already open keep theirs. */
qf_err sd_server_reload_cert(sd_server *srv, char *err, size_t errlen);

/* Stops accepting, lets requests in flight finish (up to grace_s), stops. */
void sd_server_stop(sd_server *srv, unsigned grace_s);

/* Requests being handled right now. */
unsigned sd_server_in_flight(sd_server *srv);

#endif
