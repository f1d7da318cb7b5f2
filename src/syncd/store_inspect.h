/* store_inspect.h — reading the quarterly joint inspections (设备联合巡检)
 * back out of the store, and the rule that says when a device's next one
 * is due: at least one inspection in every calendar quarter (Asia/Shanghai).
 *
 * A device is overdue when it has never been inspected, or when its last
 * inspection was made before the first day of the current quarter (1 Jan,
 * 1 Apr, 1 Jul, 1 Oct, 00:00 +08:00). So a device inspected on 30 March is
 * overdue on 1 April: the seed asks for one per quarter, not one per 92
 * days. Revoked devices are out of service and never overdue.
 *
 * Owns: the SELECTs on inspections for listing, and the quarter rule.
 * Does not own: writing inspections or the device list (store_devices.c,
 * whose sd_device_inspection_overdue applies this rule), nor printing
 * (ctl_device.c).
 *
 * Locking: every function takes the store lock itself. */
#ifndef SD_STORE_INSPECT_H
#define SD_STORE_INSPECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"
#include "store_devices.h"

#define SD_INSPECT_LIST_MAX 10000   /* inspections one listing returns at most */

typedef struct sd_inspection {
    int64_t id;
    char device_id[SD_DEVICE_ID_LEN + 1];
    char device_name[256];
    char hall[256];
    qf_instant at;
    char inspector[256];
    char result[8];                 /* "pass" or "fail" */
    json_t *record;                 /* owned: the stored body ({"checks":{…},"notes",
                                     * "recorded_by","inspector_unit"}); never NULL */
} sd_inspection;

/* The first instant of the calendar quarter (Shanghai) holding now. */
qf_instant sd_inspection_quarter_start(qf_instant now);

/* The last day an inspection made at now is good for: the end of its
 * calendar quarter (the last second before the next quarter starts). */
qf_instant sd_inspection_due(qf_instant now);

/* Is a device last inspected at last (0: never) overdue at now? */
bool sd_inspection_quarter_overdue(qf_instant last, qf_instant now);

/* Every inspection, newest first (at most SD_INSPECT_LIST_MAX); device_id
 * NULL for all devices. Ownership: sd_inspection_list_free(*out, *count). */
qf_err sd_store_inspection_list(sd_store *store, const char *device_id, sd_inspection **out,
                                size_t *count);
void sd_inspection_list_free(sd_inspection *list, size_t count);

#endif
