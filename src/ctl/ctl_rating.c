/* ctl_rating.c — `qifu-ctl rating`: the service ratings (好差评) the kiosks
 * sent (POST /api/v1/ratings), on the daemon's database (--db PATH or
 * --config FILE).
 *
 *   rating list [--limit N] [--json]   newest first (N 1-10000, default
 *                                      100), then the counts per level over
 *                                      every rating and the 满意率
 *
 * --json prints one document: {"ratings":[…],"total":N,"counts":{level:n},
 * "satisfaction":share|null}. Exit 0 on success, 1 when the database
 * fails, 2 for a usage error. This file parses and prints; the SQL is
 * store_ratings.c's. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_clock.h"
#include "store.h"
#include "store_cases.h"
#include "store_ratings.h"

#define CTL_RATING_LIMIT_DEFAULT 100

/* Chinese words of the levels, by score (index 0 unused). */
static const char *const ctl_rating_zh[SD_RATING_LEVELS + 1] = {
    "", "非常不满意", "不满意", "基本满意", "满意", "非常满意",
};

static void ctl_rating_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl [--db PATH | --config FILE] rating list [--limit N] [--json]\n");
}

static json_t *ctl_rating_str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *ctl_rating_json(const sd_rating *list, size_t n, const sd_rating_summary *sum)
{
    json_t *doc = json_object(), *rows = json_array(), *counts = json_object();
    double sat = sd_rating_satisfaction(sum);

    if (!doc || !rows || !counts) {
        json_decref(doc);
        json_decref(rows);
        json_decref(counts);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const sd_rating *r = &list[i];
        char at[32];
        qf_clock_format_iso8601(r->at, at, sizeof at);
        json_array_append_new(
            rows, json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:o,s:o}", "id",
                            (json_int_t)r->id, "at", at, "device_id", r->device_id, "target",
                            r->target, "service", ctl_rating_str_or_null(r->service_id),
                            "window", ctl_rating_str_or_null(r->window_id), "ticket",
                            ctl_rating_str_or_null(r->ticket), "rating",
                            sd_case_rating_name(r->score) ? sd_case_rating_name(r->score) : "",
                            "rating_zh",
                            r->score >= 1 && r->score <= SD_RATING_LEVELS
                                ? ctl_rating_zh[r->score]
                                : "",
                            "comment", ctl_rating_str_or_null(r->comment), "helper_id",
                            ctl_rating_str_or_null(r->helper_id)));
    }
    for (int s = SD_RATING_LEVELS; s >= 1; s--)
        json_object_set_new(counts, sd_case_rating_name(s), json_integer(sum->counts[s - 1]));
    json_object_set_new(doc, "ratings", rows);
    json_object_set_new(doc, "total", json_integer(sum->total));
    json_object_set_new(doc, "counts", counts);
    json_object_set_new(doc, "satisfaction", sat < 0 ? json_null() : json_real(sat));
    return doc;
}

/* Prints s with line breaks and tabs as spaces (a comment may hold them). */
static void ctl_rating_one_line(const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s, stdout);
}

static void ctl_rating_text(const sd_rating *list, size_t n, const sd_rating_summary *sum)
{
    double sat = sd_rating_satisfaction(sum);

    printf("%-6s %-25s %-7s %-20s %-7s %-17s %s\n", "ID", "AT", "TARGET", "SERVICE/WINDOW",
           "TICKET", "RATING", "COMMENT");
    for (size_t i = 0; i < n; i++) {
        const sd_rating *r = &list[i];
        char at[32];
        const char *what = r->service_id ? r->service_id : r->window_id ? r->window_id : "-";
        qf_clock_format_iso8601(r->at, at, sizeof at);
        printf("%-6lld %-25s %-7s %-20s %-7s %-17s ", (long long)r->id, at, r->target, what,
               r->ticket ? r->ticket : "-",
               sd_case_rating_name(r->score) ? sd_case_rating_name(r->score) : "?");
        ctl_rating_one_line(r->comment ? r->comment : "");
        fputc('\n', stdout);
    }
    printf("\n%lld rating%s:", (long long)sum->total, sum->total == 1 ? "" : "s");
    for (int s = SD_RATING_LEVELS; s >= 1; s--)
        printf(" %s %lld%s", ctl_rating_zh[s], (long long)sum->counts[s - 1], s > 1 ? "," : "");
    if (sat >= 0)
        printf("; 满意率 satisfaction %.1f%%\n", sat * 100.0);
    else
        printf("; 满意率 satisfaction -\n");
}

static int ctl_rating_list(const ctl_options *opts, int argc, char **argv)
{
    bool as_json = false;
    long limit = CTL_RATING_LIMIT_DEFAULT;
    sd_store *store = NULL;
    sd_rating *list = NULL;
    size_t n = 0;
    sd_rating_summary sum;
    char err[512];
    int rc = CTL_EXIT_NO;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && !as_json) {
            as_json = true;
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            char *end;
            limit = strtol(argv[++i], &end, 10);
            if (*end || limit < 1 || limit > SD_RATING_LIST_MAX) {
                fprintf(stderr, "qifu-ctl: rating list: --limit is 1 to %d\n",
                        SD_RATING_LIST_MAX);
                return CTL_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "qifu-ctl: rating list: unexpected '%s'\n", argv[i]);
            ctl_rating_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!opts->db_path) {
        fprintf(stderr, "qifu-ctl: rating: which database? give --db PATH or --config FILE\n");
        return CTL_EXIT_USAGE;
    }
    if (sd_store_open(opts->db_path, &store, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s\n", err);
        return CTL_EXIT_NO;
    }
    if (sd_store_rating_list(store, (size_t)limit, &list, &n) != QF_OK ||
        sd_store_rating_summary(store, 0, 0, &sum) != QF_OK) {
        fprintf(stderr, "qifu-ctl: rating list: cannot read the ratings\n");
        goto out;
    }
    if (as_json) {
        json_t *doc = ctl_rating_json(list, n, &sum);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        json_decref(doc);
        if (!text) {
            fprintf(stderr, "qifu-ctl: rating list: out of memory\n");
            goto out;
        }
        printf("%s\n", text);
        free(text);
    } else {
        ctl_rating_text(list, n, &sum);
    }
    rc = CTL_EXIT_OK;
out:
    sd_ratings_free(list, n);
    sd_store_close(store);
    return rc;
}

int ctl_rating_main(const ctl_options *opts, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return ctl_rating_list(opts, argc, argv);
    ctl_rating_usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
    return argc >= 2 && strcmp(argv[1], "--help") == 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
}
