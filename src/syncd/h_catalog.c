/* h_catalog.c — GET /api/v1/catalog: the published service catalog.
 *
 *   GET /api/v1/catalog           the full snapshot from memory, with ETag;
 *                                 If-None-Match on the current ETag → 304
 *   GET /api/v1/catalog?since=V   what changed after version V (from the
 *                                 store); the full snapshot when V is not a
 *                                 published version
 *
 * Every 200 carries Vary: Accept-Encoding and Cache-Control: no-cache
 * (clients may keep it but must revalidate); gzip is sent when the client
 * accepts it. No catalog published → 404 no_catalog.
 *
 * The snapshot is sent without copying: the response borrows the cached
 * snapshot's bytes and holds a reference that libmicrohttpd drops through
 * the free callback once the response is destroyed (sd_reply_shared). */
#include <errno.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_cache.h"
#include "qf_log.h"
#include "reply.h"
#include "routes.h"
#include "store_catalog.h"

#define SD_CATALOG_JSON_TYPE "application/json; charset=utf-8"
#define SD_CATALOG_CACHE_CONTROL "no-cache"
#define SD_CATALOG_VARY "Accept-Encoding"
/* Deltas smaller than this are not worth compressing. */
#define SD_CATALOG_GZIP_MIN 1024
/* A version number has at most this many digits (int64 has 19). */
#define SD_CATALOG_SINCE_MAX_DIGITS 18

/* ---- header parsing ------------------------------------------------------ */

static const char *sd_skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Is a quality value ("0", "0.000", "1", "0.5") zero? Malformed values
 * count as non-zero, like most servers read them. */
static bool sd_qvalue_is_zero(const char *q, size_t len)
{
    size_t i = 0;
    if (len == 0 || q[0] != '0')
        return false;
    for (i = 1; i < len && q[i] != '.'; i++)
        if (q[i] != ' ' && q[i] != '\t')
            return false;
    for (i++; i < len; i++)
        if (q[i] != '0' && q[i] != ' ' && q[i] != '\t')
            return false;
    return true;
}

/* Accept-Encoding (RFC 9110 §12.5.3): gzip when "gzip" (or "x-gzip") is
 * listed with q > 0, or "*" is with q > 0 and gzip is not refused. */
static bool sd_accepts_gzip(const char *header)
{
    int gzip = -1, star = -1; /* -1 unlisted, 0 refused, 1 accepted */
    const char *p = header;

    if (!header)
        return false;
    while (*p) {
        const char *start = sd_skip_ows(p), *end = start, *semi;
        size_t clen;
        int ok = 1;
        while (*end && *end != ',')
            end++;
        semi = memchr(start, ';', (size_t)(end - start));
        clen = (size_t)((semi ? semi : end) - start);
        while (clen && (start[clen - 1] == ' ' || start[clen - 1] == '\t'))
            clen--;
        for (const char *param = semi; param && param < end;) {
            const char *next = memchr(param + 1, ';', (size_t)(end - param - 1));
            const char *v = sd_skip_ows(param + 1);
            if ((v[0] == 'q' || v[0] == 'Q') && v[1] == '=') {
                const char *q = sd_skip_ows(v + 2);
                const char *qend = next ? next : end;
                if (q < qend && sd_qvalue_is_zero(q, (size_t)(qend - q)))
                    ok = 0;
            }
            param = next;
        }
        if ((clen == 4 && strncasecmp(start, "gzip", 4) == 0) ||
            (clen == 6 && strncasecmp(start, "x-gzip", 6) == 0))
            gzip = ok;
        else if (clen == 1 && start[0] == '*')
            star = ok;
        p = *end ? end + 1 : end;
    }
    return gzip == 1 || (gzip == -1 && star == 1);
}

/* If-None-Match (RFC 9110 §13.1.2): "*", or a list of entity tags compared
 * weakly (a W/ prefix is ignored). */
static bool sd_etag_matches(const char *header, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = header;

    if (!header)
        return false;
    while (*p) {
        const char *start = sd_skip_ows(p), *end;
        if (start[0] == '*')
            return true;
        if ((start[0] == 'W' || start[0] == 'w') && start[1] == '/')
            start += 2;
        /* An entity tag is a quoted string with no inner quote; find its end
         * quote rather than the next comma so a comma inside is harmless. */
        end = start;
        if (*end == '"') {
            const char *close = strchr(end + 1, '"');
            end = close ? close + 1 : end + strlen(end);
        } else {
            while (*end && *end != ',' && *end != ' ' && *end != '\t')
                end++;
        }
        if ((size_t)(end - start) == elen && memcmp(start, etag, elen) == 0)
            return true;
        p = end;
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
    return false;
}

/* ?since=V: a decimal integer (a leading '-' allowed; such V is unknown). */
static bool sd_parse_since(const char *text, int64_t *out)
{
    const char *digits = text[0] == '-' ? text + 1 : text;
    size_t n = strlen(digits);
    char *end;
    long long v;

    if (n == 0 || n > SD_CATALOG_SINCE_MAX_DIGITS || strspn(digits, "0123456789") != n)
        return false;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* ---- responses ----------------------------------------------------------- */

static void sd_catalog_snap_release_cb(void *cls) { sd_catalog_snap_release(cls); }

/* Queues a 200 whose body is data, owned by cls until release(cls). */
static int sd_catalog_send(sd_request *req, const void *data, size_t len, bool gzip,
                           const char *etag, void (*release)(void *cls), void *cls)
{
    if (etag && gzip)
        return sd_reply_shared(req, 200, SD_CATALOG_JSON_TYPE, data, len, release, cls,
                               MHD_HTTP_HEADER_CACHE_CONTROL, SD_CATALOG_CACHE_CONTROL,
                               MHD_HTTP_HEADER_VARY, SD_CATALOG_VARY, MHD_HTTP_HEADER_ETAG, etag,
                               MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip", NULL);
    if (etag)
        return sd_reply_shared(req, 200, SD_CATALOG_JSON_TYPE, data, len, release, cls,
                               MHD_HTTP_HEADER_CACHE_CONTROL, SD_CATALOG_CACHE_CONTROL,
                               MHD_HTTP_HEADER_VARY, SD_CATALOG_VARY, MHD_HTTP_HEADER_ETAG, etag,
                               NULL);
    if (gzip)
        return sd_reply_shared(req, 200, SD_CATALOG_JSON_TYPE, data, len, release, cls,
                               MHD_HTTP_HEADER_CACHE_CONTROL, SD_CATALOG_CACHE_CONTROL,
                               MHD_HTTP_HEADER_VARY, SD_CATALOG_VARY,
                               MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip", NULL);
    return sd_reply_shared(req, 200, SD_CATALOG_JSON_TYPE, data, len, release, cls,
                           MHD_HTTP_HEADER_CACHE_CONTROL, SD_CATALOG_CACHE_CONTROL,
                           MHD_HTTP_HEADER_VARY, SD_CATALOG_VARY, NULL);
}

/* The full snapshot; takes over the caller's reference to snap. */
static int sd_catalog_send_snap(sd_request *req, sd_catalog_snap *snap, bool gzip)
{
    return sd_catalog_send(req, gzip ? (const void *)snap->gz : snap->json,
                           gzip ? snap->gz_len : snap->json_len, gzip, snap->etag,
                           sd_catalog_snap_release_cb, snap);
}

static int sd_catalog_no_catalog(sd_request *req)
{
    return sd_reply_error(req, 404, "no_catalog", "no catalog has been published yet");
}

/* ?since=V. Deltas come from the store; an unknown V gets the cached full
 * snapshot, refreshed first if the store is already newer than the cache. */
static int sd_catalog_get_since(sd_request *req, const char *since_text, bool gzip)
{
    sd_catalog_cache *cache = req->app->catalog;
    sd_catalog_snap *snap;
    int64_t since = 0, version = 0;
    char *json = NULL;
    size_t len = 0;
    qf_err rc;

    if (!sd_parse_since(since_text, &since))
        return sd_reply_error(req, 400, "invalid_since",
                              "since must be a catalog version (an integer)");
    rc = sd_store_catalog_delta(req->app->store, since, &version, &json, &len);
    if (rc == QF_ERR_NOT_FOUND)
        return sd_catalog_no_catalog(req);
    if (rc == QF_ERR_RANGE) {
        if (sd_catalog_cache_version(cache) != version) {
            char err[256];
            if (sd_catalog_cache_refresh(cache, err, sizeof err) != QF_OK)
                qf_warn("catalog: %s", err);
        }
        snap = sd_catalog_cache_acquire(cache);
        if (!snap)
            return sd_catalog_no_catalog(req);
        return sd_catalog_send_snap(req, snap, gzip);
    }
    if (rc == QF_ERR_STORAGE)
        return sd_reply_error(req, 503, "unavailable", "the catalog cannot be read now");
    if (rc != QF_OK)
        return sd_reply_qf_err(req, rc, "the catalog delta could not be built");
    if (gzip && len >= SD_CATALOG_GZIP_MIN) {
        unsigned char *gz = NULL;
        size_t gz_len = 0;
        if (sd_catalog_gzip(json, len, &gz, &gz_len) == QF_OK) {
            free(json);
            return sd_catalog_send(req, gz, gz_len, true, NULL, free, gz);
        }
        /* out of memory compressing: the identity body still works */
    }
    return sd_catalog_send(req, json, len, false, NULL, free, json);
}

int sd_h_catalog_get(sd_request *req)
{
    const char *since = sd_request_query(req, "since");
    bool gzip = sd_accepts_gzip(sd_request_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    sd_catalog_snap *snap;

    if (since)
        return sd_catalog_get_since(req, since, gzip);
    snap = sd_catalog_cache_acquire(req->app->catalog);
    if (!snap)
        return sd_catalog_no_catalog(req);
    if (sd_etag_matches(sd_request_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH), snap->etag)) {
        char etag[sizeof snap->etag];
        memcpy(etag, snap->etag, sizeof etag);
        sd_catalog_snap_release(snap);
        return sd_reply_bytes(req, 304, NULL, "", 0, 1, MHD_HTTP_HEADER_ETAG, etag,
                              MHD_HTTP_HEADER_VARY, SD_CATALOG_VARY,
                              MHD_HTTP_HEADER_CACHE_CONTROL, SD_CATALOG_CACHE_CONTROL, NULL);
    }
    return sd_catalog_send_snap(req, snap, gzip);
}
