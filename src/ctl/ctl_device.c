/* ctl_device.c — `qifu-ctl device`: enrolling, listing and revoking kiosks
 * in the daemon's database (--db PATH or --config FILE).
 *
 *   device enroll NAME --hall HALL   a one-time code, valid 24 hours:
 *                                    "code: XXXX-XXXX-XXXX" and
 *                                    "expires: <ISO 8601>" on stdout
 *   device list [--json]             a table (or one JSON document)
 *   device revoke ID                 the device and its tokens stop working;
 *                                    exit 1 for an unknown ID
 *   device inspections [--overdue] [--json]
 *                                    the joint inspections (设备联合巡检),
 *                                    newest first: device, when, inspector
 *                                    and unit, result, each check; with
 *                                    --overdue instead the devices not
 *                                    inspected since the current calendar
 *                                    quarter began (Shanghai), or never
 *                                    (store_inspect.h has the rule)
 *
 * The code is shown once: only its hash is stored. Usage errors exit 2.
 * This file parses arguments and prints; rules and SQL live in
 * store_devices.c, codes in auth.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "ctl.h"
#include "store.h"
#include "store_devices.h"
#include "store_inspect.h"

static void ctl_device_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl [--db PATH | --config FILE] device enroll NAME --hall HALL\n"
                 "       qifu-ctl [--db PATH | --config FILE] device list [--json]\n"
                 "       qifu-ctl [--db PATH | --config FILE] device revoke ID\n"
                 "       qifu-ctl [--db PATH | --config FILE] device inspections [--overdue] "
                 "[--json]\n");
}

static int ctl_device_enroll(const ctl_options *opts, int argc, char **argv)
{
    const char *name = NULL, *hall = NULL;
    char code[15], expires[32], err[160];
    sd_store *store = NULL;
    qf_instant expires_at = 0;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--hall") == 0 && i + 1 < argc && !hall) {
            hall = argv[++i];
        } else if (argv[i][0] != '-' && !name) {
            name = argv[i];
        } else {
            fprintf(stderr, "qifu-ctl: device enroll: unexpected '%s'\n", argv[i]);
            ctl_device_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!name || !hall) {
        fprintf(stderr, "qifu-ctl: device enroll: %s\n",
                !name ? "missing NAME" : "missing --hall HALL");
        ctl_device_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (sd_device_name_check(name, SD_DEVICE_NAME_MAX, "NAME", err, sizeof err) != QF_OK ||
        sd_device_name_check(hall, SD_HALL_MAX, "HALL", err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: device enroll: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "device", &store)) != CTL_EXIT_OK)
        return rc;
    rc = CTL_EXIT_NO;
    if (sd_auth_code_new(code) != QF_OK) {
        fprintf(stderr, "qifu-ctl: device enroll: no random code could be made\n");
        goto out;
    }
    if (sd_store_enroll_code_add(store, code, name, hall, qf_clock_now(), &expires_at) != QF_OK) {
        fprintf(stderr, "qifu-ctl: device enroll: the code could not be stored\n");
        goto out;
    }
    qf_clock_format_iso8601(expires_at, expires, sizeof expires);
    printf("code: %s\nexpires: %s\nname: %s\nhall: %s\n", code, expires, name, hall);
    printf("Enter the code on the kiosk within 24 hours; it works once and is not shown "
           "again.\n");
    rc = CTL_EXIT_OK;
out:
    memset(code, 0, sizeof code);
    sd_store_close(store);
    return rc;
}

/* "online", "offline", "revoked". */
static const char *ctl_device_state(const sd_device *d, qf_instant now)
{
    return d->revoked_at ? "revoked" : sd_device_online(d, now) ? "online" : "offline";
}

static void ctl_device_when(qf_instant t, char *buf, size_t len)
{
    if (t)
        qf_clock_format_iso8601(t, buf, len);
    else
        snprintf(buf, len, "-");
}

static int ctl_device_list_json(const sd_device *list, size_t count, qf_instant now)
{
    json_t *arr = json_array();
    char *text;
    for (size_t i = 0; arr && i < count; i++) {
        const sd_device *d = &list[i];
        char seen[32], inspected[16];
        ctl_device_when(d->last_seen, seen, sizeof seen);
        qf_day_format(qf_instant_day(d->last_inspection_at), inspected, sizeof inspected);
        json_t *o = json_pack(
            "{s:s,s:s,s:s,s:s,s:b,s:s*,s:s*,s:s*,s:I,s:I,s:s*,s:b}", "id", d->id, "name", d->name,
            "hall", d->hall, "state", ctl_device_state(d, now), "online",
            sd_device_online(d, now), "last_seen", d->last_seen ? seen : NULL, "software_version",
            d->last_seen ? d->hb.software_version : NULL, "printer_status",
            d->last_seen ? d->hb.printer_status : NULL, "outbox_depth",
            (json_int_t)d->hb.outbox_depth, "catalog_version", (json_int_t)d->hb.catalog_version,
            "last_inspection", d->last_inspection_at ? inspected : NULL, "inspection_overdue",
            !d->revoked_at && sd_device_inspection_overdue(d, now));
        if (o && d->maintenance_from) {
            char from[32], until[32];
            qf_clock_format_iso8601(d->maintenance_from, from, sizeof from);
            qf_clock_format_iso8601(d->maintenance_until, until, sizeof until);
            json_object_set_new(o, "maintenance",
                                json_pack("{s:s,s:s,s:s,s:b}", "from", from, "until", until,
                                          "reason", d->maintenance_reason, "active",
                                          d->maintenance_from <= now &&
                                              now < d->maintenance_until));
        } else if (o) {
            json_object_set_new(o, "maintenance", json_null());
        }
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (!text) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        return CTL_EXIT_NO;
    }
    printf("%s\n", text);
    free(text);
    return CTL_EXIT_OK;
}

static int ctl_device_list(const ctl_options *opts, int argc, char **argv)
{
    bool json = false;
    sd_store *store = NULL;
    sd_device *list = NULL;
    size_t count = 0;
    qf_instant now = qf_clock_now();
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            fprintf(stderr, "qifu-ctl: device list: unexpected '%s'\n", argv[i]);
            ctl_device_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if ((rc = ctl_store_open(opts, "device", &store)) != CTL_EXIT_OK)
        return rc;
    if (sd_store_device_list(store, NULL, &list, &count) != QF_OK) {
        fprintf(stderr, "qifu-ctl: device list: the database could not be read\n");
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (json) {
        rc = ctl_device_list_json(list, count, now);
        goto out;
    }
    printf("%-12s  %-20s  %-12s  %-7s  %-25s  %-12s  %-9s  %s\n", "ID", "NAME", "HALL", "STATE",
           "LAST SEEN", "VERSION", "PRINTER", "INSPECTED");
    for (size_t i = 0; i < count; i++) {
        const sd_device *d = &list[i];
        char seen[32], inspected[32];
        ctl_device_when(d->last_seen, seen, sizeof seen);
        if (d->last_inspection_at)
            qf_day_format(qf_instant_day(d->last_inspection_at), inspected, sizeof inspected);
        else
            snprintf(inspected, sizeof inspected, "never");
        printf("%-12s  %-20s  %-12s  %-7s  %-25s  %-12s  %-9s  %s%s\n", d->id, d->name, d->hall,
               ctl_device_state(d, now), seen, d->last_seen ? d->hb.software_version : "-",
               d->last_seen ? d->hb.printer_status : "-", inspected,
               !d->revoked_at && sd_device_inspection_overdue(d, now) ? " (overdue)" : "");
        if (d->maintenance_from) {     /* 报备: out of service on purpose */
            char from[32], until[32];
            qf_clock_format_iso8601(d->maintenance_from, from, sizeof from);
            qf_clock_format_iso8601(d->maintenance_until, until, sizeof until);
            printf("              maintenance %s %s to %s: %s\n",
                   d->maintenance_from <= now && now < d->maintenance_until ? "NOW" : "planned",
                   from, until, d->maintenance_reason);
        }
    }
    printf("%zu device(s)\n", count);
out:
    free(list);
    sd_store_close(store);
    return rc;
}

static int ctl_device_revoke(const ctl_options *opts, int argc, char **argv)
{
    sd_store *store = NULL;
    bool was_revoked = false;
    qf_err qrc;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "qifu-ctl: device revoke: expected one ID\n");
        ctl_device_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "device", &store)) != CTL_EXIT_OK)
        return rc;
    qrc = sd_store_device_revoke(store, argv[2], qf_clock_now(), &was_revoked);
    if (qrc == QF_ERR_NOT_FOUND) {
        fprintf(stderr, "qifu-ctl: device revoke: no device '%s' (see qifu-ctl device list)\n",
                argv[2]);
        rc = CTL_EXIT_NO;
    } else if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: device revoke: the database could not be written\n");
        rc = CTL_EXIT_NO;
    } else {
        printf(was_revoked ? "%s was already revoked\n" : "%s revoked; its token no longer "
                                                          "works\n",
               argv[2]);
    }
    sd_store_close(store);
    return rc;
}

/* ---- device inspections ------------------------------------------------- */

static int ctl_device_print_json(json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        return CTL_EXIT_NO;
    }
    printf("%s\n", text);
    free(text);
    return CTL_EXIT_OK;
}

/* The devices due for their quarterly inspection at now. */
static int ctl_device_overdue(sd_store *store, bool json, qf_instant now)
{
    qf_instant qstart = sd_inspection_quarter_start(now);
    sd_device *list = NULL;
    size_t count = 0, due = 0;
    char quarter[16];
    json_t *arr = NULL;
    int rc = CTL_EXIT_OK;

    qf_day_format(qf_instant_day(qstart), quarter, sizeof quarter);
    if (sd_store_device_list(store, NULL, &list, &count) != QF_OK) {
        fprintf(stderr, "qifu-ctl: device inspections: the database could not be read\n");
        return CTL_EXIT_NO;
    }
    if (json)
        arr = json_array();
    else
        printf("%-12s  %-20s  %-12s  %-10s  %s\n", "ID", "NAME", "HALL", "INSPECTED",
               "RESULT");
    for (size_t i = 0; i < count; i++) {
        const sd_device *d = &list[i];
        char day[16] = "never";
        if (d->revoked_at || !sd_inspection_quarter_overdue(d->last_inspection_at, now))
            continue;
        due++;
        if (d->last_inspection_at)
            qf_day_format(qf_instant_day(d->last_inspection_at), day, sizeof day);
        if (!json) {
            printf("%-12s  %-20s  %-12s  %-10s  %s\n", d->id, d->name, d->hall, day,
                   d->last_inspection_at ? d->last_inspection_result : "-");
        } else if (arr &&
                   json_array_append_new(
                       arr, json_pack("{s:s,s:s,s:s,s:s?,s:s?}", "id", d->id, "name", d->name,
                                      "hall", d->hall, "last_inspection",
                                      d->last_inspection_at ? day : NULL,
                                      "last_inspection_result",
                                      d->last_inspection_at ? d->last_inspection_result
                                                            : NULL)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (json)
        rc = ctl_device_print_json(arr ? json_pack("{s:s,s:o}", "quarter_start", quarter,
                                                   "overdue", arr)
                                       : NULL);
    else
        printf("%zu device(s) not inspected since %s\n", due, quarter);
    free(list);
    return rc;
}

static int ctl_device_inspections(const ctl_options *opts, int argc, char **argv)
{
    bool json = false, overdue = false;
    sd_inspection *list = NULL;
    sd_store *store = NULL;
    size_t count = 0;
    json_t *arr = NULL;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--overdue") == 0) {
            overdue = true;
        } else {
            fprintf(stderr, "qifu-ctl: device inspections: unexpected '%s'\n", argv[i]);
            ctl_device_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if ((rc = ctl_store_open(opts, "device", &store)) != CTL_EXIT_OK)
        return rc;
    if (overdue) {
        rc = ctl_device_overdue(store, json, qf_clock_now());
        goto out;
    }
    if (sd_store_inspection_list(store, NULL, &list, &count) != QF_OK) {
        fprintf(stderr, "qifu-ctl: device inspections: the database could not be read\n");
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (json)
        arr = json_array();
    for (size_t i = 0; i < count; i++) {
        const sd_inspection *it = &list[i];
        json_t *checks = json_object_get(it->record, "checks");
        const char *unit = json_string_value(json_object_get(it->record, "inspector_unit"));
        const char *notes = json_string_value(json_object_get(it->record, "notes"));
        const char *by = json_string_value(json_object_get(it->record, "recorded_by"));
        const char *key;
        json_t *value;
        char at[32];

        qf_clock_format_iso8601(it->at, at, sizeof at);
        if (json) {
            json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:O,s:s?,s:s?}", "id",
                                  (json_int_t)it->id, "device_id", it->device_id, "device_name",
                                  it->device_name, "hall", it->hall, "at", at, "inspector",
                                  it->inspector, "inspector_unit", unit, "result", it->result,
                                  "checks", json_is_object(checks) ? checks : json_null(),
                                  "notes", notes, "recorded_by", by);
            if (!arr || !o || json_array_append_new(arr, o) != 0) {
                json_decref(arr);
                arr = NULL;
            }
            continue;
        }
        printf("#%lld  %s  %s (%s, %s)  %s  by %s%s%s%s\n", (long long)it->id, at,
               it->device_id, it->device_name[0] ? it->device_name : "?", it->hall,
               it->result, it->inspector, unit ? " (" : "", unit ? unit : "", unit ? ")" : "");
        json_object_foreach(checks, key, value) {
            printf("    %-20s  %s\n", key,
                   json_is_string(value) ? json_string_value(value) : "?");
        }
        if (notes)
            printf("    notes: %s\n", notes);
    }
    if (json)
        rc = ctl_device_print_json(arr);
    else
        printf("%zu inspection(s)\n", count);
out:
    sd_inspection_list_free(list, count);
    sd_store_close(store);
    return rc;
}

int ctl_device_main(const ctl_options *opts, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        ctl_device_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "enroll") == 0)
        return ctl_device_enroll(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return ctl_device_list(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
        return ctl_device_revoke(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "inspections") == 0)
        return ctl_device_inspections(opts, argc, argv);
    fprintf(stderr, "qifu-ctl: device: unknown or missing verb\n");
    ctl_device_usage(stderr);
    return CTL_EXIT_USAGE;
}
