/* pr_guide.c — a service's guide slip (pr_guide) from the catalog: the one
 * mapping from qf_catalog_service to what the slip prints, shared by
 * `qifu-ctl print guide` and the kiosk's 打印指南 so both print the same.
 *
 * The result is one owned block (the struct, its pointer arrays and every
 * string copied behind it): the kiosk builds it on the UI thread and hands
 * it to the print thread, which must not read a catalog that a sync may
 * replace meanwhile.
 *
 * Not here: drawing the slip (pr_slips.c), loading the catalog (qf_catalog.c). */
#include "pr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_catalog.h"

/* The strings one guide slip needs, borrowed from the catalog, before the
 * copy. */
typedef struct pr_guide_src {
    const char *title, *phone, *url;
    const char *steps[PR_GUIDE_ITEMS_MAX];
    size_t nsteps;
    const char *materials[PR_GUIDE_ITEMS_MAX];
    size_t nmaterials;
    char units[PR_GUIDE_UNITS_MAX];
} pr_guide_src;

static size_t pr_guide_len(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Copies s into the arena at *at; NULL stays NULL. */
static const char *pr_guide_put(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = memcpy(*at, s, n);
    *at += n;
    return d;
}

qf_err pr_guide_from_catalog(const qf_catalog *cat, const char *service_id, pr_guide **out,
                             char *err, size_t errlen)
{
    pr_guide_src src;
    *out = NULL;
    const qf_catalog_service *svc =
        cat && service_id ? qf_catalog_service_get(cat, service_id) : NULL;
    if (!svc)
        return qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "no service '%s' in the catalog",
                          service_id ? service_id : "");
    memset(&src, 0, sizeof src);
    src.title = svc->category3 && *svc->category3 ? svc->category3 : svc->content;
    src.phone = svc->contacts_count ? svc->contacts[0].phone : NULL;
    src.url = svc->online ? svc->online->url : NULL;
    for (size_t i = 0; i < svc->flow.count && src.nsteps < PR_GUIDE_ITEMS_MAX; i++)
        src.steps[src.nsteps++] = svc->flow.items[i];
    /* Materials come from a 服务指南 that names this service, when one does. */
    const qf_catalog_guide *g = qf_catalog_guide_for_service(cat, svc->id);
    for (size_t m = 0; g && m < g->materials_count && src.nmaterials < PR_GUIDE_ITEMS_MAX; m++)
        src.materials[src.nmaterials++] = g->materials[m].name;
    size_t used = 0;
    for (size_t i = 0; i < svc->units.count && used + 1 < sizeof src.units; i++) {
        int n = snprintf(src.units + used, sizeof src.units - used, "%s%s", i ? "、" : "",
                         svc->units.items[i]);
        if (n < 0)
            break;
        used += (size_t)n;         /* past the end: cut there (snprintf terminated it) */
    }

    /* One block: the struct, the two pointer arrays, then the strings. */
    size_t size = sizeof(pr_guide) + (src.nsteps + src.nmaterials) * sizeof(const char *);
    size += pr_guide_len(src.title) + pr_guide_len(src.phone) + pr_guide_len(src.url) +
            pr_guide_len(src.units);
    for (size_t i = 0; i < src.nsteps; i++)
        size += pr_guide_len(src.steps[i]);
    for (size_t i = 0; i < src.nmaterials; i++)
        size += pr_guide_len(src.materials[i]);
    pr_guide *copy = calloc(1, size);
    if (!copy)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
    const char **ptrs = (const char **)(copy + 1);
    char *at = (char *)(ptrs + src.nsteps + src.nmaterials);
    for (size_t i = 0; i < src.nsteps; i++)
        ptrs[i] = pr_guide_put(&at, src.steps[i]);
    for (size_t i = 0; i < src.nmaterials; i++)
        ptrs[src.nsteps + i] = pr_guide_put(&at, src.materials[i]);
    copy->title = pr_guide_put(&at, src.title);
    copy->steps = ptrs;
    copy->nsteps = src.nsteps;
    copy->materials = ptrs + src.nsteps;
    copy->nmaterials = src.nmaterials;
    copy->unit = pr_guide_put(&at, src.units);
    copy->phone = pr_guide_put(&at, src.phone);
    copy->online_url = pr_guide_put(&at, src.url);
    *out = copy;
    return QF_OK;
}

void pr_guide_free(pr_guide *g)
{
    free(g);   /* one block (see pr_guide_from_catalog) */
}
