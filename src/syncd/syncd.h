/* syncd.h — what every part of qifu-syncd shares: the application state
 * (sd_app), the request a handler sees (sd_request) and the handler type.
 *
 * Handlers live one file per resource (h_*.c). They receive a request whose
 * route, authentication, rate limit and body size have already been checked
 * by the dispatcher (http.c), read ctx through req->app, answer exactly once
 * through reply.c, and never touch libmicrohttpd directly. */
#ifndef SD_SYNCD_H
#define SD_SYNCD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "qf_calendar.h"
#include "qf_clock.h"
#include "store.h"

struct MHD_Connection;
typedef struct sd_catalog_cache sd_catalog_cache;
typedef struct sd_ratelimit sd_ratelimit;
typedef struct sd_metrics sd_metrics;
typedef struct sd_auth_cache sd_auth_cache;

/* Limits. Every input has one; see API.md. */
#define SD_BODY_MAX_DEFAULT   (64 * 1024)
#define SD_URL_MAX            2048
#define SD_MAX_PATH_PARAMS    3

typedef struct sd_app {
    sd_store *store;
    qf_calendar *calendar;
    sd_catalog_cache *catalog;   /* the published catalog, served from memory */
    sd_ratelimit *ratelimit;
    sd_metrics *metrics;
    sd_auth_cache *auth_cache;   /* resolved tokens, ≤1 s old */
    const char *public_url;      /* base of tracking URLs printed on receipts */
    const char *hall;            /* the hall this daemon serves by default */
    int rate_per_minute;         /* per token */
} sd_app;

/* Who is calling, established by the dispatcher from the bearer token. */
typedef enum sd_principal_kind {
    SD_PRINCIPAL_NONE = 0,
    SD_PRINCIPAL_DEVICE,         /* an enrolled kiosk */
    SD_PRINCIPAL_OPERATOR,       /* qifu-ctl operator token */
    SD_PRINCIPAL_STAFF,          /* a signed-in staff member (workflow issue) */
} sd_principal_kind;

typedef struct sd_principal {
    sd_principal_kind kind;
    char subject[64];            /* device id, operator name or staff id */
    char role[32];
    char hall[64];               /* devices: the hall they were enrolled for */
    char unit[32];               /* staff: their unit id (unit-NNN), "" if none */
} sd_principal;

/* Which callers a route admits (bit set). */
enum {
    SD_ALLOW_PUBLIC   = 1u << 0, /* no token needed */
    SD_ALLOW_DEVICE   = 1u << 1,
    SD_ALLOW_OPERATOR = 1u << 2,
    SD_ALLOW_STAFF    = 1u << 3,
};

typedef struct sd_request {
    sd_app *app;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;            /* without the query string */
    const char *route;           /* the route's pattern, for metrics */
    const char *params[SD_MAX_PATH_PARAMS]; /* {…} segments, in order */
    size_t nparams;
    const char *body;            /* NUL-terminated; "" when none */
    size_t body_len;
    sd_principal who;
    unsigned status;             /* set by reply.c */
} sd_request;

/* A handler answers through reply.c and returns what it returned. */
typedef int (*sd_handler)(sd_request *req);

/* A request header or query argument (borrowed, NULL when absent). */
const char *sd_request_header(const sd_request *req, const char *name);
const char *sd_request_query(const sd_request *req, const char *name);

/* Parses the body as a JSON object. On failure it has already answered 400
 * and returns NULL; *out_rc holds what to return from the handler.
 * Ownership: the caller json_decref's the result. */
json_t *sd_request_json(sd_request *req, int *out_rc);

#endif
