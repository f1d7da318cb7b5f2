/* catalog_cache.c — PLACEHOLDER while the module is written. */
#include <stdlib.h>
#include "catalog_cache.h"
struct sd_catalog_cache { int unused; };
qf_err sd_catalog_cache_new(sd_store *store, sd_catalog_cache **out, char *err, size_t errlen)
{
    (void)store; (void)err; (void)errlen;
    *out = calloc(1, sizeof **out);
    return *out ? QF_OK : QF_ERR_NOMEM;
}
void sd_catalog_cache_free(sd_catalog_cache *cache) { free(cache); }
int64_t sd_catalog_cache_version(sd_catalog_cache *cache) { (void)cache; return 0; }
