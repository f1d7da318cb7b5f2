/* ctl_helper.c — `qifu-ctl helper`: the 助企员 (enterprise helper) activity
 * log and monthly scorecard, on the daemon's database.
 *
 *   helper log ID --kind contact|visit|upload [--enterprise NAME]
 *              [--note TEXT] [--at ISO8601]
 *       records one contact (联系), visit (走访) or uploaded record (办事记录)
 *       of helper ID at now (QIFU_FAKE_NOW when set) or --at; ID must be a
 *       staff account with role helper, not disabled. Audited ("helper.log",
 *       actor "ctl").
 *   helper scorecard ID --month YYYY-MM [--json]
 *       the fields of 助企服务联络员考核管理办法 / 评分细则 the system records
 *       for that month, each with the rule it comes from, and the points of
 *       the items they decide (store_report.c has every definition).
 *
 * Exit 0 on success, 1 for an unknown or non-helper ID or a database
 * failure, 2 for a usage error. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_clock.h"
#include "store.h"
#include "store_report.h"

static void ctl_helper_usage(FILE *out)
{
    fprintf(out,
            "usage: qifu-ctl [--db PATH | --config FILE] helper log ID\n"
            "                --kind contact|visit|upload\n"
            "                [--enterprise NAME] [--note TEXT] [--at YYYY-MM-DDTHH:MM+08:00]\n"
            "       qifu-ctl [--db PATH | --config FILE] helper scorecard ID --month YYYY-MM "
            "[--json]\n");
}

static int ctl_helper_log(const ctl_options *opts, int argc, char **argv)
{
    const char *id = NULL, *kind = NULL, *enterprise = NULL, *note = NULL, *at_s = NULL;
    qf_instant now = qf_clock_now(), at;
    sd_store *store = NULL;
    char err[512], at_text[32];
    int64_t row = 0;
    qf_err qrc;
    int rc;

    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--kind") == 0 && i + 1 < argc && !kind) {
            kind = argv[++i];
        } else if (strcmp(a, "--enterprise") == 0 && i + 1 < argc && !enterprise) {
            enterprise = argv[++i];
        } else if (strcmp(a, "--note") == 0 && i + 1 < argc && !note) {
            note = argv[++i];
        } else if (strcmp(a, "--at") == 0 && i + 1 < argc && !at_s) {
            at_s = argv[++i];
        } else if (a[0] != '-' && !id) {
            id = a;
        } else {
            fprintf(stderr, "qifu-ctl: helper log: unexpected '%s'\n", a);
            ctl_helper_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!id || !kind) {
        fprintf(stderr, "qifu-ctl: helper log: %s\n", !id ? "missing ID" : "missing --kind");
        ctl_helper_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (strcmp(kind, "contact") != 0 && strcmp(kind, "visit") != 0 &&
        strcmp(kind, "upload") != 0) {
        fprintf(stderr, "qifu-ctl: helper log: --kind is contact, visit or upload\n");
        return CTL_EXIT_USAGE;
    }
    at = now;
    if (at_s && qf_clock_parse_iso8601(at_s, &at, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: helper log: --at: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "helper", &store)) != CTL_EXIT_OK)
        return rc;
    qrc = sd_store_helper_log(store, id, at, kind, enterprise, note, "ctl", now, &row, err,
                              sizeof err);
    sd_store_close(store);
    if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: helper log: %s\n", err);
        return qrc == QF_ERR_INVALID ? CTL_EXIT_USAGE : CTL_EXIT_NO;
    }
    qf_clock_format_iso8601(at, at_text, sizeof at_text);
    printf("logged %s #%lld for helper %s at %s\n", kind, (long long)row, id, at_text);
    return CTL_EXIT_OK;
}

/* The value of a field as text. */
static void ctl_helper_value(json_t *v, char *buf, size_t len)
{
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, len, "%.4g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
    else if (json_is_string(v))
        snprintf(buf, len, "%s", json_string_value(v));
    else
        snprintf(buf, len, "-");
}

/* Prints s padded with spaces to `cols` terminal columns (a CJK character
 * takes two; any code point of three or more UTF-8 bytes is taken as one). */
static void ctl_helper_pad(const char *s, int cols)
{
    int width = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        width += *p >= 0xE0 ? 2 : 1;
    }
    fputs(s, stdout);
    for (; width < cols; width++)
        fputc(' ', stdout);
}

static void ctl_helper_print(json_t *doc)
{
    json_t *fields = json_object_get(doc, "fields"), *scores = json_object_get(doc, "scores");
    json_t *window = json_object_get(doc, "window");
    const char *key;
    json_t *f;
    char v[64];

    printf("helper %s %s — %s (%s .. %s; visits counted from %s), as of %s\n",
           json_string_value(json_object_get(doc, "helper")),
           json_string_value(json_object_get(doc, "name")),
           json_string_value(json_object_get(doc, "month")),
           json_string_value(json_object_get(window, "month_from")),
           json_string_value(json_object_get(window, "month_to")),
           json_string_value(json_object_get(window, "two_months_from")),
           json_string_value(json_object_get(doc, "now")));
    json_object_foreach(fields, key, f) {
        ctl_helper_value(json_object_get(f, "value"), v, sizeof v);
        printf("  %-20s %6s  %s\n", key, v, json_string_value(json_object_get(f, "rule")));
    }
    printf("\n评分细则 items:\n");
    for (size_t i = 0; i < json_array_size(scores); i++) {
        json_t *s = json_array_get(scores, i);
        ctl_helper_value(json_object_get(s, "points"), v, sizeof v);
        printf("  ");
        ctl_helper_pad(json_string_value(json_object_get(s, "item_zh")), 12);
        printf("%5s / %-3lld %s\n", v,
               (long long)json_integer_value(json_object_get(s, "max")),
               json_string_value(json_object_get(s, "basis")));
    }
    ctl_helper_value(json_object_get(doc, "points_computed"), v, sizeof v);
    printf("\npoints the system decides: %s of %lld (the other items are the task force's)\n", v,
           (long long)json_integer_value(json_object_get(doc, "points_computed_max")));
}

static int ctl_helper_scorecard(const ctl_options *opts, int argc, char **argv)
{
    const char *id = NULL, *month_s = NULL;
    bool as_json = false;
    sd_store *store = NULL;
    json_t *doc = NULL;
    int year = 0, month = 0, used = 0;
    char err[512];
    qf_err qrc;
    int rc;

    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0 && !as_json) {
            as_json = true;
        } else if (strcmp(a, "--month") == 0 && i + 1 < argc && !month_s) {
            month_s = argv[++i];
        } else if (a[0] != '-' && !id) {
            id = a;
        } else {
            fprintf(stderr, "qifu-ctl: helper scorecard: unexpected '%s'\n", a);
            ctl_helper_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!id || !month_s) {
        fprintf(stderr, "qifu-ctl: helper scorecard: %s\n",
                !id ? "missing ID" : "missing --month YYYY-MM");
        ctl_helper_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (strlen(month_s) != 7 || sscanf(month_s, "%4d-%2d%n", &year, &month, &used) != 2 ||
        used != 7 || month_s[4] != '-' || year < 1970 || year > 9998 || month < 1 ||
        month > 12) {
        fprintf(stderr, "qifu-ctl: helper scorecard: --month is YYYY-MM\n");
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "helper", &store)) != CTL_EXIT_OK)
        return rc;
    qrc = sd_store_helper_scorecard(store, id, year, month, qf_clock_now(), &doc, err,
                                    sizeof err);
    sd_store_close(store);
    if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: helper scorecard: %s\n", err);
        return qrc == QF_ERR_INVALID ? CTL_EXIT_USAGE : CTL_EXIT_NO;
    }
    if (as_json) {
        char *text = json_dumps(doc, JSON_INDENT(2));
        if (text)
            printf("%s\n", text);
        free(text);
        rc = text ? CTL_EXIT_OK : CTL_EXIT_NO;
    } else {
        ctl_helper_print(doc);
        rc = CTL_EXIT_OK;
    }
    json_decref(doc);
    return rc;
}

int ctl_helper_main(const ctl_options *opts, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "log") == 0)
        return ctl_helper_log(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "scorecard") == 0)
        return ctl_helper_scorecard(opts, argc, argv);
    ctl_helper_usage(stderr);
    return CTL_EXIT_USAGE;
}
