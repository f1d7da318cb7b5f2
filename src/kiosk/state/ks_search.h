/* ks_search.h — search over the catalog as a citizen types: Chinese text,
 * full pinyin and pinyin initials ("qykb" finds 企业开办, "rencai" finds 人才
 * services), over services, station items, bundles and FAQ. The index is
 * built once per catalog version (off the UI thread if it is slow) and each
 * query is a scan over precomputed keys. Pinyin comes from libpinyin's
 * tables, not from hand-typed data; a character with several readings
 * matches on each. No SDL, no I/O besides libpinyin's data files. */
#ifndef KS_SEARCH_H
#define KS_SEARCH_H

#include <stddef.h>

#include "qf_catalog.h"
#include "qf_error.h"

typedef enum ks_hit_kind {
    KS_HIT_SERVICE,            /* services[] (附件4) */
    KS_HIT_STATION_ITEM,
    KS_HIT_BUNDLE,
    KS_HIT_FAQ,
} ks_hit_kind;

typedef struct ks_hit {
    ks_hit_kind kind;
    const char *id;            /* borrowed from the catalog */
    const char *title;         /* borrowed: the text to show */
    int score;                 /* higher is better */
} ks_hit;

typedef struct ks_search ks_search;

/* Builds the index. The catalog must outlive the index (hits borrow its
 * strings). Ownership: free with ks_search_free. */
qf_err ks_search_build(const qf_catalog *cat, ks_search **out, char *err, size_t errlen);
void ks_search_free(ks_search *idx);

/* Fills up to max hits, best first; returns the count. An empty query
 * gives 0. The query is at most 64 bytes (longer is cut). */
size_t ks_search_query(const ks_search *idx, const char *query, ks_hit *hits, size_t max);

/* Where libpinyin's system tables live ($QIFU_PINYIN_DATA, the path the
 * build found, the usual places), or NULL: shared with the input method
 * (ks_ime.c). */
const char *ks_pinyin_datadir(void);

#endif
