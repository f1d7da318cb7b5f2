/* store_devices.h — the device fleet in the store: one-time enrollment
 * codes, enrolled devices and their bearer tokens, heartbeats, quarterly
 * joint inspections and maintenance notices (报备), plus revoking operator
 * tokens for qifu-ctl.
 *
 * Owns: the SQL on the enrollments, devices, inspections and maintenance
 * tables, and the device/operator rows of tokens. Does not own: making
 * tokens and codes or hashing them (auth.c), validating request bodies
 * (h_devices.c), or printing (ctl_device.c). Codes and tokens reach the
 * database only as sd_auth_hash values.
 *
 * Every function here takes the store lock for its whole duration; callers
 * must not hold it. Times are qf_instant (seconds, UTC) passed in by the
 * caller, so tests and qifu-ctl can run at a QIFU_FAKE_NOW. */
#ifndef SD_STORE_DEVICES_H
#define SD_STORE_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

#define SD_ENROLL_CODE_TTL_S   (24 * 3600)  /* a code is good for 24 hours */
#define SD_DEVICE_ONLINE_S     120          /* online: heartbeat within this (store_gauges.c too) */
#define SD_DEVICE_ID_LEN       12           /* "dev-" + 8 lowercase hex */
#define SD_DEVICE_NAME_MAX     64           /* characters (UTF-8 code points) */
#define SD_HALL_MAX            64           /* characters */
#define SD_DEVICE_LIST_MAX     10000        /* a hall has tens of kiosks: a cap, not a goal */

/* Checks a device, hall or person name: valid UTF-8, 1..max code points, no
 * control characters, not only spaces. QF_ERR_INVALID with the reason
 * (which names `what`) otherwise. Shared by the handlers and qifu-ctl. */
qf_err sd_device_name_check(const char *name, size_t max, const char *what, char *err,
                            size_t errlen);

/* Normalises a code as typed ("abcd efgh-jkmn", lower case, spaces, with or
 * without dashes) to "ABCD-EFGH-JKMN" in out (15 bytes). QF_ERR_INVALID when
 * it cannot be one of sd_auth_code_new's codes. */
qf_err sd_enroll_code_normalise(const char *text, char out[15]);

/* ---- enrollment ---------------------------------------------------------- */

/* Records a fresh code (only its hash) for a device to be called name in
 * hall, valid from now until now + SD_ENROLL_CODE_TTL_S; *expires_at gets
 * the expiry. */
qf_err sd_store_enroll_code_add(sd_store *store, const char *code, const char *name,
                                const char *hall, qf_instant now, qf_instant *expires_at);

/* Why an enrollment was refused (valid when sd_store_device_enroll returns
 * QF_ERR_DENIED). */
typedef enum sd_enroll_refusal {
    SD_ENROLL_OK = 0,
    SD_ENROLL_UNKNOWN,   /* no such code */
    SD_ENROLL_USED,      /* the code has enrolled a device already */
    SD_ENROLL_EXPIRED,   /* older than 24 h */
} sd_enroll_refusal;

typedef struct sd_enrolled {
    char device_id[SD_DEVICE_ID_LEN + 1];
    char hall[256];
} sd_enrolled;

/* Spends code (normalised) at now: in one transaction marks it used,
 * creates the device (a fresh "dev-xxxxxxxx" id) called name in the code's
 * hall, and stores the hash of token as that device's bearer token. On
 * QF_ERR_DENIED *why says which rule refused it and nothing was written. */
qf_err sd_store_device_enroll(sd_store *store, const char *code, const char *name,
                              const char *token, qf_instant now, sd_enrolled *out,
                              sd_enroll_refusal *why);

/* ---- devices ------------------------------------------------------------- */

/* What a kiosk reports every heartbeat. */
typedef struct sd_heartbeat {
    char software_version[33];
    int64_t catalog_version;
    char printer_status[16];       /* ok, paper_low, paper_out, offline, error */
    int64_t outbox_depth;
    int64_t disk_free_mb;
    int64_t uptime_s;
} sd_heartbeat;

typedef struct sd_device {
    char id[SD_DEVICE_ID_LEN + 1];
    char name[256];                /* up to 64 code points of UTF-8 */
    char hall[256];
    qf_instant enrolled_at;
    qf_instant revoked_at;         /* 0: not revoked */
    qf_instant last_seen;          /* 0: no heartbeat yet (then hb is zeroed) */
    sd_heartbeat hb;
    qf_instant last_inspection_at; /* 0: never inspected */
    char last_inspection_result[8];
    /* The maintenance notice (报备) running now or the next one planned;
     * maintenance_from 0: none. */
    qf_instant maintenance_from, maintenance_until;
    char maintenance_reason[1024];
} sd_device;

/* Is d online at now: not revoked and a heartbeat within SD_DEVICE_ONLINE_S. */
bool sd_device_online(const sd_device *d, qf_instant now);

/* Is d's joint inspection overdue at now: never inspected, or the last one
 * before the current calendar quarter (Asia/Shanghai) began
 * (store_inspect.h). */
bool sd_device_inspection_overdue(const sd_device *d, qf_instant now);

/* Every device (hall NULL) or those of one hall, ordered by hall, name.
 * Ownership: the caller frees *out with free(). At most SD_DEVICE_LIST_MAX. */
qf_err sd_store_device_list(sd_store *store, const char *hall, sd_device **out, size_t *count);

/* One device; QF_ERR_NOT_FOUND when id is unknown. */
qf_err sd_store_device_get(sd_store *store, const char *id, sd_device *out);

/* Revokes device id and every token it holds, at now. QF_ERR_NOT_FOUND for
 * an unknown id; *was_revoked tells an already revoked device (left as is). */
qf_err sd_store_device_revoke(sd_store *store, const char *id, qf_instant now,
                              bool *was_revoked);

/* Records a heartbeat from device id at now. QF_ERR_NOT_FOUND when the
 * device is unknown or revoked. */
qf_err sd_store_device_heartbeat(sd_store *store, const char *id, const sd_heartbeat *hb,
                                 qf_instant now);

/* ---- inspections and maintenance ---------------------------------------- */

/* Adds a joint inspection of device id made at now. body is the record's
 * JSON text (checks, notes, who recorded it). QF_ERR_NOT_FOUND for an
 * unknown device, QF_ERR_STATE for a revoked one. *out_id: the record id. */
qf_err sd_store_inspection_add(sd_store *store, const char *device_id, qf_instant now,
                               const char *inspector, const char *result, const char *body,
                               int64_t *out_id);

/* Adds a maintenance notice (报备) for device id, reported at now for
 * planned_at. Errors as sd_store_inspection_add. */
qf_err sd_store_maintenance_add(sd_store *store, const char *device_id, qf_instant now,
                                qf_instant planned_at, const char *reason, const char *body,
                                int64_t *out_id);

/* ---- operators ----------------------------------------------------------- */

/* Revokes every live token of operator name at now; *count gets how many. */
qf_err sd_store_operator_revoke(sd_store *store, const char *name, qf_instant now,
                                unsigned *count);

#endif
