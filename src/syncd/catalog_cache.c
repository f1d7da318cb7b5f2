/* catalog_cache.c — the in-memory catalog snapshot and its refresher; see
 * catalog_cache.h for the sharing rule.
 *
 * Locks: `lock` guards only the `current` pointer (held for a pointer copy
 * and a reference increment); `refresh_lock` serialises rebuilds, so the
 * thread and an explicit sd_catalog_cache_refresh never build twice; the
 * store has its own lock. A rebuild never holds `lock` while it reads the
 * store or compresses. */
#include "catalog_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "qf_log.h"
#include "store_catalog.h"

struct sd_catalog_cache {
    sd_store *store;
    pthread_mutex_t lock;          /* guards current */
    sd_catalog_snap *current;      /* NULL: nothing published */
    atomic_llong version;          /* current's version, readable without lock */
    pthread_mutex_t refresh_lock;  /* one rebuild at a time */

    pthread_mutex_t stop_lock;     /* guards stopping, with stop_cond */
    pthread_cond_t stop_cond;
    bool stopping;
    bool thread_started;
    pthread_t thread;
};

/* ---- gzip ---------------------------------------------------------------- */

static qf_err sd_catalog_gzip_level(const void *data, size_t len, int level, unsigned char **out,
                                    size_t *out_len)
{
    z_stream zs;
    unsigned char *buf;
    uLong bound;
    int zrc;

    *out = NULL;
    *out_len = 0;
    if (len > UINT32_MAX)
        return QF_ERR_LIMIT;
    memset(&zs, 0, sizeof zs);
    /* windowBits 15 + 16: a gzip wrapper rather than zlib's own. */
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return QF_ERR_NOMEM;
    bound = deflateBound(&zs, (uLong)len);
    buf = malloc(bound ? bound : 1);
    if (!buf) {
        deflateEnd(&zs);
        return QF_ERR_NOMEM;
    }
    zs.next_in = (Bytef *)(uintptr_t)data; /* zlib does not write through next_in */
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = (uInt)bound;
    zrc = deflate(&zs, Z_FINISH);
    if (zrc != Z_STREAM_END) {
        qf_error("catalog: deflate failed (%d)", zrc);
        deflateEnd(&zs);
        free(buf);
        return QF_ERR_NOMEM;
    }
    *out_len = zs.total_out;
    deflateEnd(&zs);
    *out = buf;
    return QF_OK;
}

qf_err sd_catalog_gzip(const void *data, size_t len, unsigned char **out, size_t *out_len)
{
    return sd_catalog_gzip_level(data, len, Z_DEFAULT_COMPRESSION, out, out_len);
}

/* ---- snapshots ----------------------------------------------------------- */

static void sd_catalog_snap_free(sd_catalog_snap *snap)
{
    if (!snap)
        return;
    free(snap->json);
    free(snap->gz);
    free(snap);
}

void sd_catalog_snap_release(sd_catalog_snap *snap)
{
    if (snap && atomic_fetch_sub(&snap->refs, 1) == 1)
        sd_catalog_snap_free(snap);
}

/* Builds a snapshot of the store's current version; *out is NULL when
 * nothing is published. The snapshot is compressed once, at the best
 * level: it is sent many times. */
static qf_err sd_catalog_snap_build(sd_store *store, sd_catalog_snap **out, char *err,
                                    size_t errlen)
{
    sd_catalog_snap *snap = calloc(1, sizeof *snap);
    qf_err rc;

    *out = NULL;
    if (!snap)
        return QF_ERR_NOMEM;
    rc = sd_store_catalog_snapshot(store, &snap->version, &snap->json, &snap->json_len);
    if (rc == QF_ERR_NOT_FOUND) {
        free(snap);
        return QF_OK;
    }
    if (rc != QF_OK) {
        free(snap);
        return qf_err_set(err, errlen, rc, "cannot read the published catalog: %s",
                          qf_err_str(rc));
    }
    rc = sd_catalog_gzip_level(snap->json, snap->json_len, Z_BEST_COMPRESSION, &snap->gz,
                               &snap->gz_len);
    if (rc != QF_OK) {
        sd_catalog_snap_free(snap);
        return qf_err_set(err, errlen, rc, "cannot compress the catalog: %s", qf_err_str(rc));
    }
    snprintf(snap->etag, sizeof snap->etag, "\"catalog-v%lld\"", (long long)snap->version);
    atomic_init(&snap->refs, 1); /* the cache's own reference */
    *out = snap;
    return QF_OK;
}

sd_catalog_snap *sd_catalog_cache_acquire(sd_catalog_cache *cache)
{
    sd_catalog_snap *snap;
    pthread_mutex_lock(&cache->lock);
    snap = cache->current;
    if (snap)
        atomic_fetch_add(&snap->refs, 1);
    pthread_mutex_unlock(&cache->lock);
    return snap;
}

int64_t sd_catalog_cache_version(sd_catalog_cache *cache)
{
    return cache ? (int64_t)atomic_load(&cache->version) : 0;
}

qf_err sd_catalog_cache_refresh(sd_catalog_cache *cache, char *err, size_t errlen)
{
    sd_catalog_snap *fresh = NULL, *old;
    int64_t stored = 0;
    qf_err rc;

    pthread_mutex_lock(&cache->refresh_lock);
    rc = sd_store_catalog_version(cache->store, &stored);
    if (rc != QF_OK) {
        qf_err_set(err, errlen, rc, "cannot read the catalog version: %s", qf_err_str(rc));
        goto out;
    }
    if (stored == atomic_load(&cache->version))
        goto out;
    if ((rc = sd_catalog_snap_build(cache->store, &fresh, err, errlen)) != QF_OK)
        goto out;
    pthread_mutex_lock(&cache->lock);
    old = cache->current;
    cache->current = fresh;
    atomic_store(&cache->version, fresh ? fresh->version : 0);
    pthread_mutex_unlock(&cache->lock);
    sd_catalog_snap_release(old);
    if (fresh)
        qf_info("catalog: serving version %lld (%zu bytes, %zu gzip)", (long long)fresh->version,
                fresh->json_len, fresh->gz_len);
out:
    pthread_mutex_unlock(&cache->refresh_lock);
    return rc;
}

/* ---- the refresher thread ------------------------------------------------ */

static void *sd_catalog_refresher(void *arg)
{
    sd_catalog_cache *cache = arg;
    bool failing = false;

    pthread_mutex_lock(&cache->stop_lock);
    while (!cache->stopping) {
        struct timespec until;
        char err[256];
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += SD_CATALOG_REFRESH_MS / 1000;
        until.tv_nsec += (long)(SD_CATALOG_REFRESH_MS % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!cache->stopping &&
               pthread_cond_timedwait(&cache->stop_cond, &cache->stop_lock, &until) == 0)
            ; /* woken early and not stopping: keep waiting for the deadline */
        if (cache->stopping)
            break;
        pthread_mutex_unlock(&cache->stop_lock);
        if (sd_catalog_cache_refresh(cache, err, sizeof err) != QF_OK) {
            if (!failing) /* once per outage, not once per second */
                qf_error("catalog: refresh failed, still serving version %lld: %s",
                         (long long)sd_catalog_cache_version(cache), err);
            failing = true;
        } else {
            failing = false;
        }
        pthread_mutex_lock(&cache->stop_lock);
    }
    pthread_mutex_unlock(&cache->stop_lock);
    return NULL;
}

/* ---- life cycle ---------------------------------------------------------- */

qf_err sd_catalog_cache_new(sd_store *store, sd_catalog_cache **out, char *err, size_t errlen)
{
    sd_catalog_cache *cache = calloc(1, sizeof *cache);
    pthread_condattr_t attr;
    qf_err rc;

    *out = NULL;
    if (!cache)
        return QF_ERR_NOMEM;
    cache->store = store;
    atomic_init(&cache->version, 0);
    pthread_mutex_init(&cache->lock, NULL);
    pthread_mutex_init(&cache->refresh_lock, NULL);
    pthread_mutex_init(&cache->stop_lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&cache->stop_cond, &attr);
    pthread_condattr_destroy(&attr);

    if ((rc = sd_catalog_cache_refresh(cache, err, errlen)) != QF_OK)
        goto out;
    if (pthread_create(&cache->thread, NULL, sd_catalog_refresher, cache) != 0) {
        rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "cannot start the catalog refresher");
        goto out;
    }
    cache->thread_started = true;
out:
    if (rc != QF_OK) {
        sd_catalog_cache_free(cache);
        return rc;
    }
    *out = cache;
    return QF_OK;
}

void sd_catalog_cache_free(sd_catalog_cache *cache)
{
    if (!cache)
        return;
    if (cache->thread_started) {
        pthread_mutex_lock(&cache->stop_lock);
        cache->stopping = true;
        pthread_cond_signal(&cache->stop_cond);
        pthread_mutex_unlock(&cache->stop_lock);
        pthread_join(cache->thread, NULL);
    }
    /* Responses still holding the snapshot keep it alive; the server has
     * stopped before this is called, so normally this is the last one. */
    sd_catalog_snap_release(cache->current);
    pthread_cond_destroy(&cache->stop_cond);
    pthread_mutex_destroy(&cache->stop_lock);
    pthread_mutex_destroy(&cache->refresh_lock);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}
