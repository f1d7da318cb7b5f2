/* catalog_cache.h — the published catalog as the daemon serves it: the
 * full snapshot (JSON and gzip), its version and ETag, kept in memory and
 * refreshed when a new version is published in the store (by qifu-ctl
 * catalog import, possibly while the daemon runs). Deltas (?since=V) are
 * read from the store. Thread-safe.
 *
 * The cache holds one immutable, reference-counted snapshot. A handler
 * acquires it (a pointer copy and an atomic increment under a short lock),
 * answers from its bytes without copying them, and releases it when the
 * response is done; a rebuild builds a new snapshot off to the side and
 * swaps the pointer, so a request always sees one consistent (text, gzip,
 * ETag) triple and the old one lives until its last response is sent.
 *
 * A background thread checks the store's published version once per
 * second (SD_CATALOG_REFRESH_MS) and rebuilds on a change; requests never
 * touch SQLite for the snapshot or a 304. */
#ifndef SD_CATALOG_CACHE_H
#define SD_CATALOG_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_error.h"
#include "store.h"

typedef struct sd_catalog_cache sd_catalog_cache;

/* How often the refresher looks at the store's version. */
#define SD_CATALOG_REFRESH_MS 1000

/* One published version, ready to send. Read-only once made. */
typedef struct sd_catalog_snap {
    int64_t version;
    char etag[40];               /* "\"catalog-v<V>\"", quotes included */
    char *json;                  /* the snapshot (sd_store_catalog_snapshot) */
    size_t json_len;
    unsigned char *gz;           /* json, gzip-wrapped */
    size_t gz_len;
    atomic_uint refs;            /* private to catalog_cache.c */
} sd_catalog_snap;

/* Builds the snapshot of the store's current version (none is fine: the
 * cache is then empty) and starts the refresher thread. A store failure
 * here is an error: the daemon should not start serving a catalog it
 * cannot read. Ownership: the caller frees *out with sd_catalog_cache_free,
 * which stops the thread. */
qf_err sd_catalog_cache_new(sd_store *store, sd_catalog_cache **out, char *err, size_t errlen);
void sd_catalog_cache_free(sd_catalog_cache *cache);

/* The current published version (0 when none has been imported). */
int64_t sd_catalog_cache_version(sd_catalog_cache *cache);

/* The current snapshot with a reference taken, or NULL when no catalog is
 * published. Never touches the store. Ownership: the caller releases it
 * with sd_catalog_snap_release (from any thread). */
sd_catalog_snap *sd_catalog_cache_acquire(sd_catalog_cache *cache);
void sd_catalog_snap_release(sd_catalog_snap *snap);

/* Checks the store's version now and rebuilds when it differs from the
 * cached one (the refresher calls this; tools and tests may too). Keeps the
 * old snapshot on failure. */
qf_err sd_catalog_cache_refresh(sd_catalog_cache *cache, char *err, size_t errlen);

/* gzip (RFC 1952) of data at the default level. Ownership: *out is
 * malloc'd; the caller frees it. */
qf_err sd_catalog_gzip(const void *data, size_t len, unsigned char **out, size_t *out_len);

#endif
