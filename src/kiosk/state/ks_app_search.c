/* ks_app_search.c — the search screen's session state and actions (see
 * ks_app.h, struct ks_app_search): the query the citizen types, the hits it
 * gives (recomputed on every edit: a scan of the index, well under the 2 ms
 * budget), the FAQ answer shown over them, and the index itself, which the
 * kiosk builds off the UI thread and hands over with
 * ks_app_search_index_take.
 *
 * Lifetimes: hits and the index borrow the strings of search.idx_catalog.
 * ks_app_catalog_take keeps an indexed catalog alive instead of freeing it;
 * the next index to arrive frees it. So the old index keeps answering while
 * the new one builds, and nothing ever points into a freed catalog.
 *
 * Not here: threads, SDL, drawing (app.c and screens/scr_search.c). */
#include "ks_app.h"

#include <stdio.h>
#include <string.h>

static void ks_search_notify(ks_app *app, unsigned changes)
{
    if (app->observer)
        app->observer(app->observer_ud, changes);
}

/* Recomputes the hits for the current query. */
static void ks_search_refresh(ks_app *app)
{
    ks_app_search *s = &app->search;
    s->hits_count = s->idx ? ks_search_query(s->idx, s->query, s->hits, KS_SEARCH_HITS_MAX) : 0;
}

void ks_app_search_wipe(ks_app *app)
{
    ks_app_search *s = &app->search;
    s->query[0] = '\0';
    s->hits_count = 0;
    s->faq_id[0] = '\0';
}

void ks_app_search_release(ks_app *app)
{
    ks_app_search *s = &app->search;
    ks_app_search_wipe(app);
    ks_search_free(s->idx);
    s->idx = NULL;
    if (s->idx_catalog != app->catalog)
        qf_catalog_free(s->idx_catalog);
    s->idx_catalog = NULL;
}

void ks_app_search_index_take(ks_app *app, ks_search *idx, uint64_t gen)
{
    ks_app_search *s = &app->search;
    if (!idx)
        return;
    if (gen != s->catalog_gen || !app->catalog) {
        ks_search_free(idx);       /* built for a catalog replaced since */
        return;
    }
    ks_search_free(s->idx);
    s->idx = NULL;
    if (s->idx_catalog && s->idx_catalog != app->catalog)
        qf_catalog_free(s->idx_catalog);
    s->idx = idx;
    s->idx_catalog = app->catalog;
    /* An FAQ shown from the old catalog may be gone from the new one. */
    if (s->faq_id[0] && !qf_catalog_faq_get(app->catalog, s->faq_id))
        s->faq_id[0] = '\0';
    ks_search_refresh(app);
    ks_search_notify(app, KS_CHANGE_SEARCH);
}

void ks_app_search_type(ks_app *app, const char *text)
{
    ks_app_search *s = &app->search;
    size_t have = strlen(s->query), add = strlen(text);
    if (add == 0 || have + add > KS_SEARCH_QUERY_MAX)
        return;                    /* whole characters only: a long query stops */
    memcpy(s->query + have, text, add + 1);
    s->faq_id[0] = '\0';
    ks_search_refresh(app);
    ks_search_notify(app, KS_CHANGE_SEARCH);
}

void ks_app_search_backspace(ks_app *app)
{
    ks_app_search *s = &app->search;
    size_t n = strlen(s->query);
    if (n == 0)
        return;
    /* Back over UTF-8 continuation bytes to the start of the last character. */
    do
        n--;
    while (n > 0 && ((unsigned char)s->query[n] & 0xC0) == 0x80);
    s->query[n] = '\0';
    s->faq_id[0] = '\0';
    ks_search_refresh(app);
    ks_search_notify(app, KS_CHANGE_SEARCH);
}

void ks_app_search_hit_open(ks_app *app, size_t i)
{
    ks_app_search *s = &app->search;
    if (i >= s->hits_count || !app->catalog)
        return;
    const ks_hit *h = &s->hits[i];
    /* The hit borrows idx_catalog; the open actions look the id up in the
     * current catalog, and do nothing if it is gone. */
    char id[QF_CATALOG_MAX_ID + 1];
    snprintf(id, sizeof id, "%s", h->id);
    switch (h->kind) {
    case KS_HIT_SERVICE:
        ks_app_service_open(app, id);
        break;
    case KS_HIT_BUNDLE:
        ks_app_bundle_open(app, id);
        break;
    case KS_HIT_STATION_ITEM: {
        const qf_catalog_station *st = NULL;
        if (qf_catalog_station_item_get(app->catalog, id, &st) && st)
            ks_app_station_open(app, st->id);
        break;
    }
    case KS_HIT_FAQ:
        if (qf_catalog_faq_get(app->catalog, id)) {
            snprintf(s->faq_id, sizeof s->faq_id, "%s", id);
            ks_search_notify(app, KS_CHANGE_SEARCH);
        }
        break;
    }
}

void ks_app_search_faq_close(ks_app *app)
{
    if (!app->search.faq_id[0])
        return;
    app->search.faq_id[0] = '\0';
    ks_search_notify(app, KS_CHANGE_SEARCH);
}

const qf_catalog_faq *ks_app_search_faq(const ks_app *app)
{
    if (!app->catalog || !app->search.faq_id[0])
        return NULL;
    return qf_catalog_faq_get(app->catalog, app->search.faq_id);
}
