/* catalog_cache.h — the published catalog as the daemon serves it: the
 * full snapshot (JSON and gzip), its version and ETag, kept in memory and
 * refreshed when a new version is published in the store (by qifu-ctl
 * catalog import, possibly while the daemon runs). Deltas (?since=V) are
 * read from the store. Thread-safe. */
#ifndef SD_CATALOG_CACHE_H
#define SD_CATALOG_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "qf_error.h"
#include "store.h"

typedef struct sd_catalog_cache sd_catalog_cache;

qf_err sd_catalog_cache_new(sd_store *store, sd_catalog_cache **out, char *err, size_t errlen);
void sd_catalog_cache_free(sd_catalog_cache *cache);

/* The current published version (0 when none has been imported). */
int64_t sd_catalog_cache_version(sd_catalog_cache *cache);

#endif
