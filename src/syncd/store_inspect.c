/* store_inspect.c — listing joint inspections and the quarter rule. See
 * store_inspect.h. The record body was validated and written by
 * h_devices.c as JSON; a row whose body does not parse (written by hand?)
 * is listed with an empty record rather than hidden. */
#include "store_inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

qf_instant sd_inspection_quarter_start(qf_instant now)
{
    int year, month, mday;
    qf_day_to_ymd(qf_instant_day(now), &year, &month, &mday);
    return qf_day_at(qf_day_from_ymd(year, (month - 1) / 3 * 3 + 1, 1), 0, 0);
}

qf_instant sd_inspection_due(qf_instant now)
{
    /* A quarter is 90 to 92 days: 100 days past its start is inside the next. */
    qf_instant next = sd_inspection_quarter_start(sd_inspection_quarter_start(now) +
                                                  100 * (qf_instant)QF_SECONDS_PER_DAY);
    return next - 1;
}

bool sd_inspection_quarter_overdue(qf_instant last, qf_instant now)
{
    return last == 0 || last < sd_inspection_quarter_start(now);
}

void sd_inspection_list_free(sd_inspection *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        json_decref(list[i].record);
    free(list);
}

static void sd_inspect_col(sqlite3_stmt *st, int col, char *buf, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(buf, len, "%s", t ? (const char *)t : "");
}

qf_err sd_store_inspection_list(sd_store *store, const char *device_id, sd_inspection **out,
                                size_t *count)
{
    sd_inspection *list = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step = SQLITE_DONE;

    *out = NULL;
    *count = 0;
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT i.id, i.device_id, COALESCE(d.name, ''), "
                              "COALESCE(d.hall, ''), i.at, i.inspector, i.result, i.body "
                              "FROM inspections i LEFT JOIN devices d ON d.id = i.device_id "
                              "WHERE ?1 IS NULL OR i.device_id = ?1 "
                              "ORDER BY i.at DESC, i.id DESC LIMIT 10000");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    if (device_id)
        sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW && n < SD_INSPECT_LIST_MAX) {
        const char *body = (const char *)sqlite3_column_text(st, 7);
        sd_inspection *it;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            sd_inspection *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        it = &list[n];
        memset(it, 0, sizeof *it);
        it->id = sqlite3_column_int64(st, 0);
        sd_inspect_col(st, 1, it->device_id, sizeof it->device_id);
        sd_inspect_col(st, 2, it->device_name, sizeof it->device_name);
        sd_inspect_col(st, 3, it->hall, sizeof it->hall);
        it->at = sqlite3_column_int64(st, 4);
        sd_inspect_col(st, 5, it->inspector, sizeof it->inspector);
        sd_inspect_col(st, 6, it->result, sizeof it->result);
        it->record = body ? json_loads(body, 0, NULL) : NULL;
        if (!json_is_object(it->record)) {
            json_decref(it->record);
            it->record = json_object();
        }
        if (!it->record) {
            rc = QF_ERR_NOMEM;
            break;
        }
        n++;
    }
    if (rc == QF_OK && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = sd_store_err(store, step);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK) {
        sd_inspection_list_free(list, n);
        return rc;
    }
    *out = list;
    *count = n;
    return QF_OK;
}
