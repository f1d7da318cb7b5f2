/* store_gauges.c — the store's numbers for GET /metrics. */
#include "store_gauges.h"

#include <stdio.h>

#define SD_ONLINE_WINDOW_S 120

size_t sd_store_gauges_render(sd_store *store, qf_instant now, char *buf, size_t buflen)
{
    size_t used = 0;
    sqlite3_stmt *st;
    int n;

    sd_store_lock(store);
    n = snprintf(buf, buflen, "# HELP qifu_cases Cases by status.\n# TYPE qifu_cases gauge\n");
    if (n < 0 || (size_t)n >= buflen)
        goto full;
    used = (size_t)n;
    st = sd_store_stmt(store, "SELECT status, count(*) FROM cases GROUP BY status ORDER BY status");
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        n = snprintf(buf + used, buflen - used, "qifu_cases{status=\"%s\"} %d\n",
                     sqlite3_column_text(st, 0), sqlite3_column_int(st, 1));
        if (n < 0 || (size_t)n >= buflen - used) {
            sd_store_done(st);
            goto full;
        }
        used += (size_t)n;
    }
    sd_store_done(st);
    st = sd_store_stmt(store, "SELECT "
                              "sum(revoked_at IS NULL AND last_seen >= ?1), "
                              "sum(revoked_at IS NULL) FROM devices");
    if (st) {
        sqlite3_bind_int64(st, 1, now - SD_ONLINE_WINDOW_S);
        if (sqlite3_step(st) == SQLITE_ROW) {
            n = snprintf(buf + used, buflen - used,
                         "# HELP qifu_devices_online Enrolled devices with a heartbeat in the "
                         "last %d s.\n# TYPE qifu_devices_online gauge\nqifu_devices_online %d\n"
                         "# TYPE qifu_devices_enrolled gauge\nqifu_devices_enrolled %d\n",
                         SD_ONLINE_WINDOW_S, sqlite3_column_int(st, 0), sqlite3_column_int(st, 1));
            if (n > 0 && (size_t)n < buflen - used)
                used += (size_t)n;
        }
        sd_store_done(st);
    }
full:
    sd_store_unlock(store);
    return used;
}
