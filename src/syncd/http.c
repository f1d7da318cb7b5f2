/* http.c — request collection and dispatch on libmicrohttpd, plus the
 * server's lifetime (listening socket, TLS certificate, graceful stop).
 *
 * MHD calls the access handler several times per request: first with the
 * headers (we only set up; answering there would make MHD close the
 * connection, breaking keep-alive), then with body chunks (collected up to
 * the route's cap), then once with no data — that is when we dispatch.
 * Ownership: the per-request sd_conn lives in *con_cls from the first call
 * to the completion callback, which records metrics and frees it. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "metrics.h"
#include "qf_log.h"
#include "ratelimit.h"
#include "reply.h"
#include "routes.h"

#define SD_MAX_CERT_GENERATIONS 16

typedef struct sd_conn {
    sd_request req;
    const sd_route *route;
    sd_route_match match;
    char allow[48];
    char scratch[SD_URL_MAX];
    char *body;
    size_t len, max;
    bool too_large, url_too_long;
    uint64_t started_ms;
} sd_conn;

/* One loaded certificate chain + key. Old generations stay alive until the
 * server stops because sessions may still reference them. */
typedef struct sd_cert {
    gnutls_pcert_st pcert[8];
    unsigned npcert;
    gnutls_privkey_t key;
} sd_cert;

struct sd_server {
    sd_app *app;
    struct MHD_Daemon *daemon;
    int listen_fd;
    char *cert_path, *key_path;
    pthread_mutex_t cert_lock;
    sd_cert *certs[SD_MAX_CERT_GENERATIONS];
    unsigned ncerts;              /* certs[ncerts - 1] is current */
    atomic_uint in_flight;
    gnutls_datum_t ticket_key;    /* session-ticket key for resumption */
};

/* ---- request helpers (syncd.h) ------------------------------------------ */

const char *sd_request_header(const sd_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *sd_request_query(const sd_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

json_t *sd_request_json(sd_request *req, int *out_rc)
{
    json_error_t jerr;
    json_t *root;

    if (req->body_len == 0) {
        *out_rc = sd_reply_error(req, 400, "invalid_body", "a JSON object body is required");
        return NULL;
    }
    root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        *out_rc = sd_reply_error(req, 400, "invalid_json", "malformed JSON at line %d column %d: %s",
                                 jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *out_rc = sd_reply_error(req, 400, "invalid_body", "the body must be a JSON object");
        return NULL;
    }
    return root;
}

/* ---- dispatch ----------------------------------------------------------- */

static const char *sd_client_address(struct MHD_Connection *conn, char *buf, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    buf[0] = '\0';
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
    }
    return buf;
}

static int sd_dispatch(sd_conn *c)
{
    sd_request *req = &c->req;
    sd_app *app = req->app;
    char key[128], addr[64];
    unsigned retry = 0;

    if (c->url_too_long)
        return sd_reply_error(req, 414, "uri_too_long", "the request URL is longer than %d bytes",
                              SD_URL_MAX);
    if (c->match == SD_ROUTE_NO_PATH)
        return sd_reply_error(req, 404, "not_found", "no such resource: %s", req->path);
    if (c->match == SD_ROUTE_NO_METHOD) {
        char message[160];
        int rc;
        snprintf(message, sizeof message,
                 "{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"%s is not allowed "
                 "here; use %s\"}}",
                 req->method, c->allow);
        rc = sd_reply_bytes(req, 405, "application/json; charset=utf-8", message, strlen(message),
                            0, MHD_HTTP_HEADER_ALLOW, c->allow, NULL);
        return rc;
    }
    if (c->too_large)
        return sd_reply_error(req, 413, "too_large", "the body is larger than %zu bytes", c->max);

    if (!(c->route->allow & SD_ALLOW_PUBLIC)) {
        qf_err rc = sd_auth_resolve_cached(app->auth_cache, app->store,
                                           sd_request_header(req, MHD_HTTP_HEADER_AUTHORIZATION),
                                           qf_clock_now(), sd_monotonic_ms(), &req->who);
        unsigned need = req->who.kind == SD_PRINCIPAL_DEVICE     ? SD_ALLOW_DEVICE
                        : req->who.kind == SD_PRINCIPAL_OPERATOR ? SD_ALLOW_OPERATOR
                        : req->who.kind == SD_PRINCIPAL_STAFF    ? SD_ALLOW_STAFF
                                                                 : 0;
        if (rc == QF_ERR_STORAGE)
            return sd_reply_error(req, 503, "unavailable", "the server cannot check credentials now");
        if (rc != QF_OK)
            return sd_reply_error(req, 401, "unauthorized",
                                  "a valid 'Authorization: Bearer <token>' header is required");
        if (!(c->route->allow & need))
            return sd_reply_error(req, 403, "forbidden", "a %s may not call %s %s",
                                  sd_principal_kind_name(req->who.kind), req->method, req->path);
        snprintf(key, sizeof key, "%s:%s", sd_principal_kind_name(req->who.kind), req->who.subject);
    } else {
        snprintf(key, sizeof key, "ip:%s", sd_client_address(req->conn, addr, sizeof addr));
    }
    if (app->ratelimit && app->rate_per_minute > 0 &&
        !sd_ratelimit_take(app->ratelimit, key, sd_monotonic_ms(), (unsigned)app->rate_per_minute,
                           (unsigned)app->rate_per_minute, &retry)) {
        char after[16];
        char body[160];
        snprintf(after, sizeof after, "%u", retry);
        snprintf(body, sizeof body,
                 "{\"error\":{\"code\":\"rate_limited\",\"message\":\"too many requests; retry "
                 "in %u s\"}}",
                 retry);
        return sd_reply_bytes(req, 429, "application/json; charset=utf-8", body, strlen(body), 0,
                              MHD_HTTP_HEADER_RETRY_AFTER, after, NULL);
    }
    if (c->route->body_max == 0 && req->body_len > 0)
        return sd_reply_error(req, 400, "unexpected_body", "%s %s takes no body", req->method,
                              req->route);
    return c->route->handler(req);
}

static enum MHD_Result sd_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    sd_server *srv = cls;
    sd_conn *c = *con_cls;
    (void)version;

    if (!c) { /* first call: headers only; never answer here (keep-alive) */
        const char *cl;
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        atomic_fetch_add(&srv->in_flight, 1);
        c->started_ms = sd_monotonic_ms();
        c->req.app = srv->app;
        c->req.conn = conn;
        c->req.method = method;
        c->req.path = url;
        c->req.route = "unmatched";
        c->req.body = "";
        if (strlen(url) >= SD_URL_MAX) {
            c->url_too_long = true;
        } else {
            c->match = sd_routes_find(method, url, c->scratch, sizeof c->scratch, &c->req,
                                      &c->route, c->allow, sizeof c->allow);
            if (c->route) {
                c->req.route = c->route->pattern;
                c->max = c->route->body_max;
            }
        }
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && c->route && strtoull(cl, NULL, 10) > c->max && c->max > 0)
            c->too_large = true;
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (c->too_large || !c->route)
            return MHD_YES; /* drain and answer once the upload ends */
        if (c->len + n > (c->max ? c->max : 0)) {
            c->too_large = c->max > 0;
            if (!c->max) {
                /* a body where none is taken: keep the count only */
                c->len += n;
                c->req.body_len = c->len;
            }
            free(c->body);
            c->body = NULL;
            return MHD_YES;
        }
        char *grown = realloc(c->body, c->len + n + 1);
        if (!grown)
            return MHD_NO;
        memcpy(grown + c->len, upload_data, n);
        c->body = grown;
        c->len += n;
        c->body[c->len] = '\0';
        c->req.body = c->body;
        c->req.body_len = c->len;
        return MHD_YES;
    }
    return sd_dispatch(c) == MHD_YES ? MHD_YES : MHD_NO;
}

static void sd_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    sd_server *srv = cls;
    sd_conn *c = *con_cls;
    (void)conn;
    (void)toe;
    if (!c)
        return;
    if (srv->app->metrics)
        sd_metrics_observe(srv->app->metrics, c->req.route, c->req.status ? c->req.status : 499,
                           (double)(sd_monotonic_ms() - c->started_ms) / 1000.0);
    free(c->body);
    free(c);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* ---- TLS certificate ---------------------------------------------------- */

static void sd_cert_free(sd_cert *cert)
{
    if (!cert)
        return;
    for (unsigned i = 0; i < cert->npcert; i++)
        gnutls_pcert_deinit(&cert->pcert[i]);
    gnutls_privkey_deinit(cert->key);
    free(cert);
}

static qf_err sd_cert_load(const char *cert_path, const char *key_path, sd_cert **out, char *err,
                           size_t errlen)
{
    gnutls_datum_t cert_pem = { 0 }, key_pem = { 0 };
    sd_cert *cert = calloc(1, sizeof *cert);
    qf_err rc = QF_OK;
    int grc;

    if (!cert)
        return QF_ERR_NOMEM;
    if ((grc = gnutls_load_file(cert_path, &cert_pem)) < 0) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", cert_path, gnutls_strerror(grc));
        goto out;
    }
    if ((grc = gnutls_load_file(key_path, &key_pem)) < 0) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", key_path, gnutls_strerror(grc));
        goto out;
    }
    cert->npcert = sizeof cert->pcert / sizeof cert->pcert[0];
    grc = gnutls_pcert_list_import_x509_raw(cert->pcert, &cert->npcert, &cert_pem,
                                            GNUTLS_X509_FMT_PEM, 0);
    if (grc < 0) {
        cert->npcert = 0;
        rc = qf_err_set(err, errlen, QF_ERR_INVALID, "%s: %s", cert_path, gnutls_strerror(grc));
        goto out;
    }
    if ((grc = gnutls_privkey_init(&cert->key)) < 0 ||
        (grc = gnutls_privkey_import_x509_raw(cert->key, &key_pem, GNUTLS_X509_FMT_PEM, NULL, 0)) <
            0) {
        rc = qf_err_set(err, errlen, QF_ERR_INVALID, "%s: %s", key_path, gnutls_strerror(grc));
        goto out;
    }
out:
    gnutls_free(cert_pem.data);
    gnutls_free(key_pem.data);
    if (rc != QF_OK) {
        sd_cert_free(cert);
        return rc;
    }
    *out = cert;
    return QF_OK;
}

/* Not ideal to keep a global, but gnutls' retrieve callback carries no user
 * pointer; one server per process is all qifu-syncd runs. */
static sd_server *sd_cert_owner;

static int sd_cert_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn,
                            int nreqs, const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                            gnutls_pcert_st **pcert, unsigned int *pcert_length,
                            gnutls_privkey_t *privkey)
{
    sd_server *srv = sd_cert_owner;
    sd_cert *cur;
    (void)session;
    (void)req_ca_rdn;
    (void)nreqs;
    (void)pk_algos;
    (void)pk_algos_length;
    if (!srv)
        return -1;
    pthread_mutex_lock(&srv->cert_lock);
    cur = srv->ncerts ? srv->certs[srv->ncerts - 1] : NULL;
    pthread_mutex_unlock(&srv->cert_lock);
    if (!cur)
        return -1;
    *pcert = cur->pcert;
    *pcert_length = cur->npcert;
    *privkey = cur->key;
    return 0;
}

qf_err sd_server_reload_cert(sd_server *srv, char *err, size_t errlen)
{
    sd_cert *cert;
    qf_err rc;

    if (!srv->cert_path)
        return QF_OK;
    rc = sd_cert_load(srv->cert_path, srv->key_path, &cert, err, errlen);
    if (rc != QF_OK)
        return rc;
    pthread_mutex_lock(&srv->cert_lock);
    if (srv->ncerts == SD_MAX_CERT_GENERATIONS) {
        /* Keep the newest generations; the oldest has had many reloads' time
         * for its sessions to finish. */
        sd_cert_free(srv->certs[0]);
        memmove(srv->certs, srv->certs + 1, (SD_MAX_CERT_GENERATIONS - 1) * sizeof srv->certs[0]);
        srv->ncerts--;
    }
    srv->certs[srv->ncerts++] = cert;
    pthread_mutex_unlock(&srv->cert_lock);
    return QF_OK;
}

/* Session resumption. libmicrohttpd creates each connection's GnuTLS
 * session but never enables tickets on it, so returning clients would
 * always pay a full handshake. MHD tells us about a new connection after
 * gnutls_init and before the handshake; that is where we enable tickets
 * (TLS 1.3 PSK and TLS 1.2 tickets) with the server's key, which GnuTLS
 * rotates internally. */
static void sd_notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                                 enum MHD_ConnectionNotificationCode code)
{
    sd_server *srv = cls;
    const union MHD_ConnectionInfo *ci;
    (void)socket_context;
    if (code != MHD_CONNECTION_NOTIFY_STARTED || !srv->ticket_key.data)
        return;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci && ci->tls_session)
        gnutls_session_ticket_enable_server(ci->tls_session, &srv->ticket_key);
}

/* ---- listening ---------------------------------------------------------- */

static bool sd_addr_is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return false;
}

static qf_err sd_listen(const char *spec, bool loopback_only, int *out_fd, char *bound,
                        size_t boundlen, char *err, size_t errlen)
{
    char host[256], port[16];
    const char *colon;
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    int fd = -1, one = 1, grc;
    qf_err rc = QF_OK;

    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof host)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "listen '%s': expected [ADDR]:PORT", spec);
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= sizeof host)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "listen '%s': expected ADDR:PORT", spec);
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
    }
    snprintf(port, sizeof port, "%s", colon + 1);
    if ((grc = getaddrinfo(host, port, &hints, &res)) != 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "listen '%s': %s", spec, gai_strerror(grc));
    if (loopback_only && !sd_addr_is_loopback(res->ai_addr)) {
        rc = qf_err_set(err, errlen, QF_ERR_DENIED,
                        "--insecure-loopback refuses %s: plain HTTP only on 127.0.0.0/8 or ::1",
                        host);
        goto out;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 128) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "listen '%s': %s", spec, strerror(errno));
        goto out;
    }
    if (ss.ss_family == AF_INET6)
        snprintf(bound, boundlen, "[%s]:%u", host,
                 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
    else
        snprintf(bound, boundlen, "%s:%u", host, ntohs(((struct sockaddr_in *)&ss)->sin_port));
    *out_fd = fd;
    fd = -1;
out:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return rc;
}

/* ---- lifetime ----------------------------------------------------------- */

static void sd_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    qf_warn("http: %s", line);
}

qf_err sd_server_start(sd_app *app, const sd_server_config *cfg, sd_server **out, char *bound,
                       size_t boundlen, char *err, size_t errlen)
{
    sd_server *srv = calloc(1, sizeof *srv);
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    qf_err rc = QF_OK;

    *out = NULL;
    if (!srv)
        return QF_ERR_NOMEM;
    srv->app = app;
    srv->listen_fd = -1;
    pthread_mutex_init(&srv->cert_lock, NULL);
    atomic_init(&srv->in_flight, 0);
    if (!cfg->insecure_loopback) {
        if (!cfg->cert_path || !cfg->key_path) {
            rc = qf_err_set(err, errlen, QF_ERR_INVALID,
                            "HTTPS needs --cert and --key (or --insecure-loopback for tests)");
            goto out;
        }
        srv->cert_path = strdup(cfg->cert_path);
        srv->key_path = strdup(cfg->key_path);
        if (!srv->cert_path || !srv->key_path) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        if ((rc = sd_server_reload_cert(srv, err, errlen)) != QF_OK)
            goto out;
        if (gnutls_session_ticket_key_generate(&srv->ticket_key) < 0) {
            rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "cannot make a session-ticket key");
            goto out;
        }
        flags |= MHD_USE_TLS;
    }
    if ((rc = sd_listen(cfg->listen, cfg->insecure_loopback, &srv->listen_fd, bound, boundlen, err,
                        errlen)) != QF_OK)
        goto out;
    sd_cert_owner = srv;
    if (cfg->insecure_loopback) {
        srv->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, sd_access, srv, MHD_OPTION_EXTERNAL_LOGGER, sd_mhd_log, NULL,
            MHD_OPTION_LISTEN_SOCKET, srv->listen_fd, MHD_OPTION_NOTIFY_COMPLETED, sd_completed,
            srv, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
            cfg->connection_limit, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s, MHD_OPTION_END);
    } else {
        /* TLS 1.2 and 1.3 only; session tickets are enabled per connection
         * in sd_notify_connection. */
        srv->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, sd_access, srv, MHD_OPTION_EXTERNAL_LOGGER, sd_mhd_log, NULL,
            MHD_OPTION_LISTEN_SOCKET, srv->listen_fd, MHD_OPTION_NOTIFY_COMPLETED, sd_completed,
            srv, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
            cfg->connection_limit, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s, MHD_OPTION_HTTPS_PRIORITIES,
            "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE",
            MHD_OPTION_HTTPS_CERT_CALLBACK, sd_cert_retrieve, MHD_OPTION_NOTIFY_CONNECTION,
            sd_notify_connection, srv, MHD_OPTION_END);
    }
    if (!srv->daemon) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "libmicrohttpd could not start on %s", bound);
        goto out;
    }
out:
    if (rc != QF_OK) {
        if (srv->listen_fd >= 0)
            close(srv->listen_fd);
        srv->listen_fd = -1;
        sd_server_stop(srv, 0);
        return rc;
    }
    *out = srv;
    return QF_OK;
}

unsigned sd_server_in_flight(sd_server *srv) { return atomic_load(&srv->in_flight); }

void sd_server_stop(sd_server *srv, unsigned grace_s)
{
    if (!srv)
        return;
    if (srv->daemon) {
        MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
        uint64_t until = sd_monotonic_ms() + grace_s * 1000u;
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
        srv->listen_fd = -1;
        /* In-flight requests finish; idle keep-alive connections are closed
         * by MHD_stop_daemon. Polling here is bounded by grace_s. */
        while (atomic_load(&srv->in_flight) > 0 && sd_monotonic_ms() < until) {
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(srv->daemon);
    }
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    if (sd_cert_owner == srv)
        sd_cert_owner = NULL;
    for (unsigned i = 0; i < srv->ncerts; i++)
        sd_cert_free(srv->certs[i]);
    if (srv->ticket_key.data) {
        gnutls_memset(srv->ticket_key.data, 0, srv->ticket_key.size);
        gnutls_free(srv->ticket_key.data);
    }
    pthread_mutex_destroy(&srv->cert_lock);
    free(srv->cert_path);
    free(srv->key_path);
    free(srv);
}
