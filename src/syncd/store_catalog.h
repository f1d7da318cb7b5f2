/* store_catalog.h — the published catalog in the store: versions and items.
 *
 * A catalog is stored item by item (table catalog_items): every element of
 * every top-level section array of the encoded catalog is one item keyed by
 * its "id", and `meta` is one item with id "meta". Each item keeps its body
 * (compact JSON, fields in schema order), its position in its section, the
 * SHA-256 of its canonical JSON (compact, keys sorted) and the version that
 * last changed it. An item that vanishes stays as a tombstone (deleted = 1,
 * body NULL) carrying the version that deleted it, so a kiosk holding any
 * older version can be told what to drop.
 *
 * Publishing (sd_store_catalog_import) compares the new catalog with the
 * stored items and, in one transaction, writes a catalog_versions row
 * (previous + 1) and only the items that were added, changed or deleted. An
 * import that changes nothing publishes nothing. An item whose text is the
 * same but whose place among the other surviving items of its section moved
 * counts as changed, so "no new version" always means "the same snapshot".
 *
 * Reading gives JSON text ready to send: the full snapshot and the delta
 * since a version. Every function takes the store lock.
 *
 * Not here: validating the catalog (qf_catalog_validate: callers import only
 * a catalog that loaded and validated cleanly), caching and gzip
 * (catalog_cache.c), HTTP (h_catalog.c). */
#ifndef SD_STORE_CATALOG_H
#define SD_STORE_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_catalog.h"
#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

/* The largest snapshot or delta text built (bytes). The shipped catalog's
 * snapshot is about 0.3 MB. */
#define SD_CATALOG_TEXT_MAX (64u * 1024u * 1024u)

/* The longest source (folder) recorded with a version. */
#define SD_CATALOG_SOURCE_MAX 1024u

typedef struct sd_catalog_import_result {
    bool published;       /* false: nothing changed, nothing was written */
    int64_t version;      /* the version current after the import */
    size_t added, changed, deleted;
    size_t items;         /* items in the imported catalog (meta included) */
} sd_catalog_import_result;

/* Publishes cat as the next version when it differs from the current one.
 * source (at most SD_CATALOG_SOURCE_MAX bytes) is recorded with the version,
 * now is its published_at. QF_ERR_INVALID when the encoded catalog does not
 * split into items (an element without a string "id", an id used twice);
 * QF_ERR_STORAGE when the database fails (nothing is written then). */
qf_err sd_store_catalog_import(sd_store *store, const qf_catalog *cat, const char *source,
                               qf_instant now, sd_catalog_import_result *out, char *err,
                               size_t errlen);

/* The current published version, 0 when none. */
qf_err sd_store_catalog_version(sd_store *store, int64_t *out_version);

/* The full snapshot of the current version:
 *   {"version":V,"published_at":"…","full":true,"catalog":{"meta":{…},
 *    "boards":[…],…}}
 * with sections in the order the encoder wrote them and items in their
 * original order; "catalog" decodes with qf_catalog_decode_json.
 * QF_ERR_NOT_FOUND when nothing has been published.
 * Ownership: *out_json is malloc'd and NUL-terminated; the caller frees it. */
qf_err sd_store_catalog_snapshot(sd_store *store, int64_t *out_version, char **out_json,
                                 size_t *out_len);

/* What changed after version since, up to the current version V:
 *   {"version":V,"since":S,"full":false,"changed":{section:[items…]},
 *    "deleted":[ids…]}
 * changed holds only sections with changes, items in snapshot order; since
 * == V gives an empty delta. QF_ERR_NOT_FOUND when nothing has been
 * published; QF_ERR_RANGE when since is not a published version at or below
 * V (0, negative, newer, unknown): the caller sends the full snapshot. On
 * QF_OK and QF_ERR_RANGE *out_version holds V.
 * Ownership: as for the snapshot. */
qf_err sd_store_catalog_delta(sd_store *store, int64_t since, int64_t *out_version,
                              char **out_json, size_t *out_len);

/* Every published version, oldest first: [{"version":1,"published_at":"…",
 * "source":"…","added":N,"changed":N,"deleted":N},…].
 * Ownership: the caller json_decref's *out. */
qf_err sd_store_catalog_versions(sd_store *store, json_t **out);

#endif
