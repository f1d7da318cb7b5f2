/* ctl_report.c — `qifu-ctl report`: the case workflow's numbers for a range
 * of days, on the daemon's database (--db PATH or --config FILE).
 *
 *   report --from YYYY-MM-DD --to YYYY-MM-DD [--by board|unit|helper|channel]
 *          [--json | --csv]
 *
 * Cases created from 00:00 of --from to 24:00 of --to (Asia/Shanghai, both
 * days included) are counted with their state as of now (QIFU_FAKE_NOW when
 * set). Every column is defined in store_report.h; the text form adds the
 * list of cases overdue now, --json prints the whole document (one object),
 * --csv a header row, one row per group and a last "(total)" row.
 * The text and JSON forms also carry the kiosks' service ratings (好差评,
 * not tied to a case) given in the same days: "service_ratings" with count,
 * satisfied and satisfaction (store_ratings.h); the CSV stays per case.
 * Exit 0 on success, 1 when the database fails, 2 for a usage error. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_clock.h"
#include "store.h"
#include "store_cases.h"
#include "store_ratings.h"
#include "store_report.h"

/* The columns of the CSV and the text table, in order, as named in a ROW. */
static const char *const ctl_report_cols[] = {
    "group",     "label",     "received",          "withdrawn",   "untriaged",
    "triaged",   "in_progress", "finished",        "finished_on_time", "finish_rate",
    "closed",    "resolved",  "resolution_rate",   "reopened",    "rated",
    "satisfied", "satisfaction_rate", "avg_score", "overdue_now", "supervised",
    "enterprises",
};
#define CTL_REPORT_NCOLS (sizeof ctl_report_cols / sizeof ctl_report_cols[0])

static void ctl_report_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl [--db PATH | --config FILE] report --from YYYY-MM-DD "
                 "--to YYYY-MM-DD\n"
                 "                [--by board|unit|helper|channel] [--json | --csv]\n");
}

/* One CSV field (RFC 4180: quoted when it holds a comma, quote or line break). */
static void ctl_csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* A cell as text: "" for null, integers plain, reals as given. */
static void ctl_report_cell(json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        snprintf(buf, len, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, len, "%.4g", json_real_value(v));
    else
        buf[0] = '\0';
}

static void ctl_report_csv_row(json_t *row, const char *group_override)
{
    char cell[512];
    for (size_t c = 0; c < CTL_REPORT_NCOLS; c++) {
        if (c)
            fputc(',', stdout);
        if (c == 0 && group_override)
            snprintf(cell, sizeof cell, "%s", group_override);
        else
            ctl_report_cell(json_object_get(row, ctl_report_cols[c]), cell, sizeof cell);
        ctl_csv_field(stdout, cell);
    }
    fputc('\n', stdout);
}

static void ctl_report_csv(json_t *doc)
{
    json_t *groups = json_object_get(doc, "groups");
    for (size_t c = 0; c < CTL_REPORT_NCOLS; c++)
        printf("%s%s", c ? "," : "", ctl_report_cols[c]);
    printf("\n");
    for (size_t i = 0; i < json_array_size(groups); i++)
        ctl_report_csv_row(json_array_get(groups, i), NULL);
    ctl_report_csv_row(json_object_get(doc, "total"), "(total)");
}

static void ctl_report_pct(json_t *v, char *buf, size_t len)
{
    if (json_is_number(v))
        snprintf(buf, len, "%.1f%%", json_number_value(v) * 100.0);
    else
        snprintf(buf, len, "-");
}

/* Prints s padded with spaces to `cols` terminal columns (a CJK character
 * takes two; any code point of three or more UTF-8 bytes is taken as one). */
static void ctl_report_pad(const char *s, int cols)
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

static void ctl_report_text_row(json_t *row)
{
    char name[160], fr[16], rr[16], sr[16], avg[16];
    const char *group = json_string_value(json_object_get(row, "group"));
    const char *label = json_string_value(json_object_get(row, "label"));
#define N(k) ((long long)json_integer_value(json_object_get(row, k)))
    if (group && label)
        snprintf(name, sizeof name, "%s %s", group, label);
    else
        snprintf(name, sizeof name, "%s", group ? group : label ? label : "-");
    ctl_report_pct(json_object_get(row, "finish_rate"), fr, sizeof fr);
    ctl_report_pct(json_object_get(row, "resolution_rate"), rr, sizeof rr);
    ctl_report_pct(json_object_get(row, "satisfaction_rate"), sr, sizeof sr);
    if (json_is_number(json_object_get(row, "avg_score")))
        snprintf(avg, sizeof avg, "%.2f", json_number_value(json_object_get(row, "avg_score")));
    else
        snprintf(avg, sizeof avg, "-");
    ctl_report_pad(name, 32);
    printf(" %5lld %4lld %5lld %5lld %5lld %7s %5lld %5lld %7s %5lld %5lld %7s %5s %5lld "
           "%5lld\n",
           N("received"), N("withdrawn"), N("triaged"), N("finished"),
           N("finished_on_time"), fr, N("closed"), N("resolved"), rr, N("reopened"), N("rated"),
           sr, avg, N("overdue_now"), N("enterprises"));
#undef N
}

/* One line for the kiosks' service ratings. */
static void ctl_report_text_ratings(json_t *block)
{
    char sr[16];
    if (!block)
        return;
    ctl_report_pct(json_object_get(block, "satisfaction"), sr, sizeof sr);
    printf("\nservice ratings (好差评, kiosks): %lld, satisfied %lld, 满意率 %s\n",
           (long long)json_integer_value(json_object_get(block, "count")),
           (long long)json_integer_value(json_object_get(block, "satisfied")), sr);
}

static void ctl_report_text(json_t *doc)
{
    json_t *groups = json_object_get(doc, "groups"), *overdue = json_object_get(doc, "overdue");
    printf("cases created %s .. %s (Asia/Shanghai), state as of %s\n",
           json_string_value(json_object_get(doc, "from")),
           json_string_value(json_object_get(doc, "to")),
           json_string_value(json_object_get(doc, "now")));
    printf("%-32s %5s %4s %5s %5s %5s %7s %5s %5s %7s %5s %5s %7s %5s %5s %5s\n", "GROUP", "RECV",
           "WDR", "TRIAG", "FIN", "ONTIM", "FIN%", "CLOSE", "RESOL", "RES%", "REOPN", "RATED",
           "SAT%", "AVG", "OVRDU", "ENTS");
    for (size_t i = 0; i < json_array_size(groups); i++)
        ctl_report_text_row(json_array_get(groups, i));
    ctl_report_text_row(json_object_get(doc, "total"));
    printf("\nFIN%% 办结率 = finished (办结) on time / (received − withdrawn); RES%% 解决率 = "
           "closed without a reopen / (received − withdrawn);\nSAT%% 满意率 = 满意 or 非常满意 / "
           "rated; AVG: 非常满意 5 … 非常不满意 1; ENTS: distinct enterprises.\n");
    ctl_report_text_ratings(json_object_get(doc, "service_ratings"));
    if (json_array_size(overdue)) {
        printf("\noverdue now (%zu%s):\n", json_array_size(overdue),
               json_is_true(json_object_get(doc, "overdue_truncated")) ? ", list truncated" : "");
        for (size_t i = 0; i < json_array_size(overdue); i++) {
            json_t *o = json_array_get(overdue, i);
            const char *lead = json_string_value(json_object_get(o, "lead_unit"));
            long long by = (long long)json_integer_value(json_object_get(o, "overdue_by_s"));
            printf("  %-18s %-12s lead %-12s deadline %s  overdue %lldd %02lldh%02lldm\n",
                   json_string_value(json_object_get(o, "case_no")),
                   json_string_value(json_object_get(o, "kind")), lead ? lead : "-",
                   json_string_value(json_object_get(o, "deadline")), by / 86400,
                   by % 86400 / 3600, by % 3600 / 60);
        }
    }
}

/* Adds "service_ratings" (the kiosks' 好差评, not tied to a case) given from
 * 00:00 of from to 24:00 of to: count, satisfied (满意 or 非常满意), the
 * share of them (null without ratings) and the count per level. */
static qf_err ctl_report_service_ratings(sd_store *store, qf_day from, qf_day to, json_t *doc)
{
    sd_rating_summary sum;
    json_t *block, *counts;
    double sat;
    qf_err rc = sd_store_rating_summary(store, qf_day_at(from, 0, 0), qf_day_at(to + 1, 0, 0),
                                        &sum);

    if (rc != QF_OK)
        return rc;
    sat = sd_rating_satisfaction(&sum);
    counts = json_object();
    for (int s = SD_RATING_LEVELS; counts && s >= 1; s--)
        json_object_set_new(counts, sd_case_rating_name(s), json_integer(sum.counts[s - 1]));
    block = counts ? json_pack("{s:I,s:I,s:o,s:o}", "count", (json_int_t)sum.total, "satisfied",
                               (json_int_t)(sum.counts[4] + sum.counts[3]), "satisfaction",
                               sat < 0 ? json_null() : json_real(sat), "counts", counts)
                   : NULL;
    if (!block || json_object_set_new(doc, "service_ratings", block) != 0)
        return QF_ERR_NOMEM;
    return QF_OK;
}

int ctl_report_main(const ctl_options *opts, int argc, char **argv)
{
    const char *from_s = NULL, *to_s = NULL, *by_s = NULL;
    bool as_json = false, as_csv = false;
    sd_report_by by = SD_REPORT_BY_NONE;
    sd_store *store = NULL;
    json_t *doc = NULL;
    qf_day from, to;
    char err[512];
    int rc = CTL_EXIT_USAGE;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0 && !as_json) {
            as_json = true;
        } else if (strcmp(a, "--csv") == 0 && !as_csv) {
            as_csv = true;
        } else if (strcmp(a, "--from") == 0 && i + 1 < argc && !from_s) {
            from_s = argv[++i];
        } else if (strcmp(a, "--to") == 0 && i + 1 < argc && !to_s) {
            to_s = argv[++i];
        } else if (strcmp(a, "--by") == 0 && i + 1 < argc && !by_s) {
            by_s = argv[++i];
        } else {
            fprintf(stderr, "qifu-ctl: report: unexpected '%s'\n", a);
            ctl_report_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!from_s || !to_s || (as_json && as_csv)) {
        fprintf(stderr, "qifu-ctl: report: %s\n",
                as_json && as_csv ? "--json and --csv exclude each other"
                                  : "--from and --to are required");
        ctl_report_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (qf_day_parse(from_s, &from) != QF_OK || qf_day_parse(to_s, &to) != QF_OK) {
        fprintf(stderr, "qifu-ctl: report: dates are YYYY-MM-DD\n");
        return CTL_EXIT_USAGE;
    }
    if (to < from || to - from >= SD_REPORT_DAYS_MAX) {
        fprintf(stderr, "qifu-ctl: report: --to must not precede --from, and the range spans at "
                        "most %d days\n",
                SD_REPORT_DAYS_MAX);
        return CTL_EXIT_USAGE;
    }
    if (by_s && (sd_report_by_parse(by_s, &by) != QF_OK || by == SD_REPORT_BY_NONE)) {
        fprintf(stderr, "qifu-ctl: report: --by is board, unit, helper or channel\n");
        return CTL_EXIT_USAGE;
    }
    if (!opts->db_path) {
        fprintf(stderr, "qifu-ctl: report: which database? give --db PATH or --config FILE\n");
        return CTL_EXIT_USAGE;
    }
    if (sd_store_open(opts->db_path, &store, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s\n", err);
        return CTL_EXIT_NO;
    }
    rc = CTL_EXIT_NO;
    if (sd_store_report(store, from, to, by, qf_clock_now(), &doc, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: report: %s\n", err);
        goto out;
    }
    if (ctl_report_service_ratings(store, from, to, doc) != QF_OK) {
        fprintf(stderr, "qifu-ctl: report: cannot count the service ratings\n");
        goto out;
    }
    if (as_json) {
        char *text = json_dumps(doc, JSON_INDENT(2));
        if (!text)
            goto out;
        printf("%s\n", text);
        free(text);
    } else if (as_csv) {
        ctl_report_csv(doc);
    } else {
        ctl_report_text(doc);
    }
    rc = CTL_EXIT_OK;
out:
    json_decref(doc);
    sd_store_close(store);
    return rc;
}
