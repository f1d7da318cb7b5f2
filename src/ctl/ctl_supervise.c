/* ctl_supervise.c — `qifu-ctl supervise`: the 督办 pass by hand and the
 * records it has fired, on the daemon's database (--db PATH or --config).
 *
 *   supervise run                     one pass at now (QIFU_FAKE_NOW when
 *                                     set): prints "fired N supervision
 *                                     record(s) at <ISO>"; exit 0
 *   supervise list [--case NO] [--json]
 *                                     records fired so far (a table, or one
 *                                     JSON array)
 *
 * `run` is the daemon's scheduler pass (store_supervision.c) run once; it
 * may run beside a live daemon — the store's keys make each reminder fire
 * once whoever runs first. The working-day calendar is the one the daemon
 * uses: [calendar] holidays of --config FILE when given (Monday–Friday when
 * the file names none, as the daemon), else DATA_DIR/config/holidays.
 * Audit entries of a manual pass name the actor "ctl". */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_calendar.h"
#include "qf_clock.h"
#include "qf_config.h"
#include "store.h"
#include "store_cases.h"
#include "store_supervision.h"

static void ctl_supervise_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl [--db PATH | --config FILE] supervise run\n"
                 "       qifu-ctl [--db PATH | --config FILE] supervise list [--case NO] "
                 "[--json]\n");
}

/* The calendar the daemon would use. */
static int ctl_supervise_calendar(const ctl_options *opts, qf_calendar **out)
{
    qf_config *cfg = NULL;
    const char *dir = NULL;
    char path[4096], err[512];
    int rc = CTL_EXIT_NO;

    *out = NULL;
    if (qf_calendar_new(out) != QF_OK) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        return CTL_EXIT_NO;
    }
    if (opts->config_path) {
        if (qf_config_load(opts->config_path, &cfg, err, sizeof err) != QF_OK) {
            fprintf(stderr, "qifu-ctl: %s\n", err);
            goto out;
        }
        dir = qf_config_get(cfg, "calendar", "holidays");
        if (!dir) {
            rc = CTL_EXIT_OK; /* the daemon then counts Monday–Friday too */
            goto out;
        }
        snprintf(path, sizeof path, "%s", dir);
    } else {
        snprintf(path, sizeof path, "%s/config/holidays", opts->data_dir);
    }
    if (qf_calendar_load_dir(*out, path, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: holiday calendar %s: %s\n", path, err);
        goto out;
    }
    rc = CTL_EXIT_OK;
out:
    qf_config_free(cfg);
    if (rc != CTL_EXIT_OK) {
        qf_calendar_free(*out);
        *out = NULL;
    }
    return rc;
}

static int ctl_supervise_run(const ctl_options *opts, int argc, char **argv)
{
    sd_store *store = NULL;
    qf_calendar *cal = NULL;
    qf_instant now = qf_clock_now();
    char err[512], at[32];
    size_t fired = 0;
    int rc;

    (void)argv;
    if (argc != 2) {
        ctl_supervise_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_supervise_calendar(opts, &cal)) != CTL_EXIT_OK)
        return rc;
    if ((rc = ctl_store_open(opts, "supervise", &store)) != CTL_EXIT_OK)
        goto out;
    if (sd_store_supervise(store, cal, now, "ctl", &fired, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: supervise run: %s\n", err);
        rc = CTL_EXIT_NO;
        goto out;
    }
    qf_clock_format_iso8601(now, at, sizeof at);
    printf("fired %zu supervision record(s) at %s\n", fired, at);
    rc = CTL_EXIT_OK;
out:
    sd_store_close(store);
    qf_calendar_free(cal);
    return rc;
}

static int ctl_supervise_list(const ctl_options *opts, int argc, char **argv)
{
    const char *case_no = NULL;
    bool as_json = false;
    sd_store *store = NULL;
    json_t *list = NULL;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && !as_json) {
            as_json = true;
        } else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc && !case_no) {
            case_no = argv[++i];
        } else {
            fprintf(stderr, "qifu-ctl: supervise list: unexpected '%s'\n", argv[i]);
            ctl_supervise_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (case_no && !sd_case_no_valid(case_no)) {
        fprintf(stderr, "qifu-ctl: supervise list: '%s' is not a case number (QTYYYYMMDD-NNNN)\n",
                case_no);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "supervise", &store)) != CTL_EXIT_OK)
        return rc;
    if (sd_store_supervision_list(store, case_no, &list) != QF_OK) {
        fprintf(stderr, "qifu-ctl: supervise list: the records could not be read\n");
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (as_json) {
        char *text = json_dumps(list, JSON_INDENT(2));
        if (!text) {
            rc = CTL_EXIT_NO;
            goto out;
        }
        printf("%s\n", text);
        free(text);
    } else {
        printf("%-18s %-6s %-26s %-3s %-26s %-26s\n", "CASE", "ACTION", "PERIOD START", "SEQ",
               "DUE", "FIRED");
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *r = json_array_get(list, i);
#define S(k) (json_string_value(json_object_get(r, k)) ? json_string_value(json_object_get(r, k)) \
                                                       : "-")
            printf("%-18s %-6s %-26s %-3lld %-26s %-26s %s\n", S("case_no"), S("action"),
                   S("period_start"), (long long)json_integer_value(json_object_get(r, "seq")),
                   S("due_at"), S("fired_at"), S("action_zh"));
#undef S
        }
        printf("%zu record(s)\n", json_array_size(list));
    }
    rc = CTL_EXIT_OK;
out:
    json_decref(list);
    sd_store_close(store);
    return rc;
}

int ctl_supervise_main(const ctl_options *opts, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return ctl_supervise_run(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return ctl_supervise_list(opts, argc, argv);
    ctl_supervise_usage(stderr);
    return CTL_EXIT_USAGE;
}
