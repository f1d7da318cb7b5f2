/* h_overdue.c — GET /api/v1/staff/overdue: the cases past their "135"
 * time limit with the 督办 records fired for them.
 *
 *   200 {"now":"…","count":N,"truncated":false,
 *        "cases":[{"case_no","kind","lead_unit","platform_unit","co_units",
 *                  "enterprise_name","board","deadline","overdue_by_s",
 *                  "supervision":[{"action","due_at","fired_at",
 *                                  "period_start","seq"}]}]}
 *
 * Who: operators, and staff whose role has SD_ACT_OVERDUE (perm.c). The
 * role check is made once for the listing; then each row is kept only when
 * perm.c would let the caller view that case (SD_ACT_CASE_VIEW with the
 * case's units), so a department sees the overdue cases its unit leads or
 * co-handles and a platform those of its platform. The listing itself and
 * the overdue rule live in store_supervision.c. */

#include "perm.h"
#include "reply.h"
#include "routes.h"
#include "store_supervision.h"

#define SD_OVERDUE_CO_MAX 64 /* as many as the store lists */

/* May the caller see this row? Operators see everything. */
static bool sd_overdue_visible(const sd_principal *who, json_t *row)
{
    const char *co[SD_OVERDUE_CO_MAX + 1];
    json_t *co_arr = json_object_get(row, "co_units");
    size_t n = 0;
    sd_perm_case pc;

    if (who->kind == SD_PRINCIPAL_OPERATOR)
        return true;
    for (size_t i = 0; i < json_array_size(co_arr) && n < SD_OVERDUE_CO_MAX; i++) {
        const char *u = json_string_value(json_array_get(co_arr, i));
        if (u)
            co[n++] = u;
    }
    co[n] = NULL;
    pc.lead_unit = json_string_value(json_object_get(row, "lead_unit"));
    pc.co_units = co;
    pc.platform_unit = json_string_value(json_object_get(row, "platform_unit"));
    return sd_perm_allows(who, SD_ACT_CASE_VIEW, &pc, NULL);
}

int sd_h_wf_overdue(sd_request *req)
{
    qf_instant now = qf_clock_now();
    const char *why = NULL;
    json_t *cases = NULL, *kept;
    bool truncated = false;
    char at[32];
    qf_err qrc;

    if (req->who.kind != SD_PRINCIPAL_OPERATOR &&
        !sd_perm_allows(&req->who, SD_ACT_OVERDUE, NULL, &why))
        return sd_reply_error(req, 403, "forbidden", "%s",
                              why ? why : "Your role may not list overdue cases.");
    qrc = sd_store_overdue_list(req->app->store, now, &cases, &truncated);
    if (qrc != QF_OK)
        return sd_reply_qf_err(req, qrc, "the overdue cases could not be read");
    kept = json_array();
    for (size_t i = 0; kept && i < json_array_size(cases); i++) {
        json_t *row = json_array_get(cases, i);
        if (sd_overdue_visible(&req->who, row) && json_array_append(kept, row) != 0) {
            json_decref(kept);
            kept = NULL;
        }
    }
    json_decref(cases);
    if (!kept)
        return sd_reply_error(req, 500, "internal", "out of memory");
    qf_clock_format_iso8601(now, at, sizeof at);
    return sd_reply_json(req, 200,
                         json_pack("{s:s,s:I,s:b,s:o}", "now", at, "count",
                                   (json_int_t)json_array_size(kept), "truncated", truncated,
                                   "cases", kept));
}
