/* metrics.h — request counters by route and status and a latency
 * histogram, rendered in the Prometheus text format by GET /metrics.
 * Counters are fixed arrays indexed by route: no allocation per request.
 * Thread-safe (one mutex; a few adds per request). */
#ifndef SD_METRICS_H
#define SD_METRICS_H

#include <stddef.h>

typedef struct sd_metrics sd_metrics;

sd_metrics *sd_metrics_new(void);
void sd_metrics_free(sd_metrics *m);

/* route: the route pattern (or "unmatched"); status: the HTTP status. */
void sd_metrics_observe(sd_metrics *m, const char *route, unsigned status, double seconds);

/* Appends the request metrics to buf (Prometheus text). Returns bytes
 * written, or 0 when buflen is too small. */
size_t sd_metrics_render(sd_metrics *m, char *buf, size_t buflen);

#endif
