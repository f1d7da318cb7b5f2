/* h_health.c — GET /healthz (liveness and readiness: the store answers)
 * and GET /metrics (Prometheus text: requests, latency, and the gauges the
 * store reports). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>

#include "catalog_cache.h"
#include "metrics.h"
#include "qf_version.h"
#include "reply.h"
#include "routes.h"
#include "store_gauges.h"

int sd_h_healthz(sd_request *req)
{
    int version = sd_store_schema_version(req->app->store);
    if (version != sd_store_schema_latest())
        return sd_reply_error(req, 503, "unavailable", "the database is not ready");
    return sd_reply_json(req, 200,
                         json_pack("{s:s,s:s,s:i,s:I}", "status", "ok", "version", QF_VERSION,
                                   "schema", version, "catalog_version",
                                   (json_int_t)sd_catalog_cache_version(req->app->catalog)));
}

#define SD_METRICS_MAX (64 * 1024)

int sd_h_metrics(sd_request *req)
{
    char *buf = malloc(SD_METRICS_MAX);
    size_t used;
    int rc;

    if (!buf)
        return sd_reply_error(req, 500, "internal", "out of memory");
    used = sd_metrics_render(req->app->metrics, buf, SD_METRICS_MAX);
    used += sd_store_gauges_render(req->app->store, qf_clock_now(), buf + used,
                                   SD_METRICS_MAX - used);
    rc = sd_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf, used, 0, NULL);
    free(buf);
    return rc;
}
