/* metrics.c — counters for GET /metrics. Routes are few (the route table)
 * plus "unmatched"; statuses per route are kept in a short list. */
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

#define SD_M_STATUSES 12
#define SD_M_ROUTES 40

static const double sd_m_bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };
#define SD_M_BUCKETS (sizeof sd_m_bounds / sizeof sd_m_bounds[0])

typedef struct sd_m_route {
    const char *route;
    unsigned statuses[SD_M_STATUSES];
    unsigned long long counts[SD_M_STATUSES];
} sd_m_route;

struct sd_metrics {
    pthread_mutex_t lock;
    sd_m_route routes[SD_M_ROUTES];
    size_t nroutes;
    unsigned long long buckets[SD_M_BUCKETS];
    unsigned long long total;
    double sum;
};

sd_metrics *sd_metrics_new(void)
{
    sd_metrics *m = calloc(1, sizeof *m);
    if (m)
        pthread_mutex_init(&m->lock, NULL);
    return m;
}

void sd_metrics_free(sd_metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m);
}

void sd_metrics_observe(sd_metrics *m, const char *route, unsigned status, double seconds)
{
    sd_m_route *r = NULL;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->nroutes; i++) {
        if (strcmp(m->routes[i].route, route) == 0) {
            r = &m->routes[i];
            break;
        }
    }
    if (!r && m->nroutes < SD_M_ROUTES) {
        r = &m->routes[m->nroutes++];
        r->route = route; /* route patterns are static strings */
    }
    if (r) {
        for (size_t i = 0; i < SD_M_STATUSES; i++) {
            if (r->statuses[i] == status || r->statuses[i] == 0) {
                r->statuses[i] = status;
                r->counts[i]++;
                break;
            }
        }
    }
    for (size_t i = 0; i < SD_M_BUCKETS; i++) {
        if (seconds <= sd_m_bounds[i])
            m->buckets[i]++;
    }
    m->total++;
    m->sum += seconds;
    pthread_mutex_unlock(&m->lock);
}

size_t sd_metrics_render(sd_metrics *m, char *buf, size_t buflen)
{
    size_t used = 0;
    int n;
#define SD_EMIT(...)                                                           \
    do {                                                                       \
        n = snprintf(buf + used, buflen - used, __VA_ARGS__);                  \
        if (n < 0 || (size_t)n >= buflen - used)                               \
            goto full;                                                         \
        used += (size_t)n;                                                     \
    } while (0)

    pthread_mutex_lock(&m->lock);
    SD_EMIT("# HELP qifu_http_requests_total HTTP requests by route and status.\n"
            "# TYPE qifu_http_requests_total counter\n");
    for (size_t i = 0; i < m->nroutes; i++) {
        for (size_t k = 0; k < SD_M_STATUSES && m->routes[i].statuses[k]; k++)
            SD_EMIT("qifu_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
                    m->routes[i].route, m->routes[i].statuses[k], m->routes[i].counts[k]);
    }
    SD_EMIT("# HELP qifu_http_request_duration_seconds Time to answer a request.\n"
            "# TYPE qifu_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < SD_M_BUCKETS; i++)
        SD_EMIT("qifu_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", sd_m_bounds[i],
                m->buckets[i]);
    SD_EMIT("qifu_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
            "qifu_http_request_duration_seconds_sum %.6f\n"
            "qifu_http_request_duration_seconds_count %llu\n",
            m->total, m->sum, m->total);
    pthread_mutex_unlock(&m->lock);
    return used;
full:
    pthread_mutex_unlock(&m->lock);
    return 0;
#undef SD_EMIT
}
