/* ctl_catalog.c — `qifu-ctl catalog`: checking and counting a catalog folder
 * (assets/catalog or a copy being edited) through qf_catalog.
 *
 *   catalog validate DIR        every problem on stderr, one per line, then a
 *                               count; exit 0 and a one-line summary on
 *                               stdout when there are none, 1 otherwise
 *   catalog stats DIR [--json]  counts by kind, board, station, provider and
 *                               source; --json prints one line of JSON
 *
 * Usage errors exit 2. This file only parses arguments and prints; loading,
 * checking and counting belong to qifu-core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_catalog.h"

static void ctl_catalog_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl catalog validate DIR\n"
                 "       qifu-ctl catalog stats DIR [--json]\n");
}

/* Prints one problem; ud is a size_t counter. */
static void ctl_catalog_print_problem(const qf_catalog_problem *p, void *ud)
{
    (*(size_t *)ud)++;
    if (p->id)
        fprintf(stderr, "%s (%s): %s\n", p->path, p->id, p->message);
    else
        fprintf(stderr, "%s: %s\n", p->path, p->message);
}

/* "174 services, 202 station items, …" */
static void ctl_catalog_print_counts(FILE *out, const qf_catalog *cat)
{
    for (int k = 0; k < QF_CATALOG_KIND__COUNT; k++) {
        const char *name = qf_catalog_kind_name((qf_catalog_kind)k);
        fprintf(out, "%s%zu ", k ? ", " : "", qf_catalog_count(cat, (qf_catalog_kind)k));
        for (const char *c = name; *c; c++)
            fputc(*c == '_' ? ' ' : *c, out);
    }
}

static int ctl_catalog_validate(const char *dir)
{
    int rc = CTL_EXIT_NO;
    qf_catalog *cat = NULL;
    size_t failed = 0, decode_problems = 0, problems = 0;
    char err[512];

    if (qf_catalog_new(&cat) != QF_OK) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        goto out;
    }
    qf_err lrc = qf_catalog_load_dir_each(cat, dir, ctl_catalog_print_problem, &decode_problems,
                                          &failed, err, sizeof err);
    if (lrc != QF_OK && lrc != QF_ERR_INVALID) {
        fprintf(stderr, "qifu-ctl: %s: %s\n", dir, err);
        goto out;
    }
    qf_err vrc = qf_catalog_validate(cat, ctl_catalog_print_problem, &problems, NULL);
    if (vrc == QF_ERR_NOMEM) {
        fprintf(stderr, "qifu-ctl: out of memory while checking %s\n", dir);
        goto out;
    }
    problems += decode_problems;
    if (failed || problems) {
        fprintf(stderr, "qifu-ctl: %s: %zu problem%s", dir, problems, problems == 1 ? "" : "s");
        if (failed)
            fprintf(stderr, " (%zu file%s did not load; some problems may follow from that)",
                    failed, failed == 1 ? "" : "s");
        fputc('\n', stderr);
        goto out;
    }
    printf("%s: catalog OK: ", dir);
    ctl_catalog_print_counts(stdout, cat);
    putchar('\n');
    rc = CTL_EXIT_OK;
out:
    qf_catalog_free(cat);
    return rc;
}

static void ctl_catalog_print_table(const qf_catalog *cat, const qf_catalog_stats *st,
                                    const char *dir)
{
    printf("catalog %s\n", dir);
    for (int k = 0; k < QF_CATALOG_KIND__COUNT; k++)
        printf("  %-18s %6zu\n", qf_catalog_kind_name((qf_catalog_kind)k), st->counts[k]);

    printf("services by board\n");
    for (size_t i = 0; i < st->by_board_count; i++) {
        const qf_catalog_board *b = qf_catalog_board_get(cat, st->by_board[i].key);
        printf("  %-18s %6zu  %s\n", st->by_board[i].key, st->by_board[i].count,
               b && b->name ? b->name : "(no such board)");
    }
    printf("station items by station\n");
    for (size_t i = 0; i < st->by_station_count; i++) {
        const qf_catalog_station *s = qf_catalog_station_get(cat, st->by_station[i].key);
        printf("  %-18s %6zu  %s\n", st->by_station[i].key, st->by_station[i].count,
               s && s->industry ? s->industry : "");
    }
    printf("services and station items by provider\n");
    for (int p = 1; p < QF_CATALOG_PROVIDER__COUNT; p++)
        printf("  %-18s %6zu\n", qf_catalog_provider_name((qf_catalog_provider)p),
               st->by_provider[p]);
    printf("bundles by source\n");
    for (int s = 1; s < QF_CATALOG_SOURCE__COUNT; s++)
        printf("  %6zu  %s\n", st->bundles_by_source[s], qf_catalog_source_name((qf_catalog_source)s));
}

static int ctl_catalog_stats(const char *dir, int json)
{
    int rc = CTL_EXIT_NO;
    qf_catalog *cat = NULL;
    qf_catalog_stats *st = NULL;
    char *text = NULL;
    char err[512];

    if (qf_catalog_new(&cat) != QF_OK) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        goto out;
    }
    if (qf_catalog_load_dir(cat, dir, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s: %s\n", dir, err);
        goto out;
    }
    if (qf_catalog_stats_new(cat, &st) != QF_OK) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        goto out;
    }
    if (json) {
        if (qf_catalog_stats_encode_json(st, &text) != QF_OK) {
            fprintf(stderr, "qifu-ctl: out of memory\n");
            goto out;
        }
        printf("%s\n", text);
    } else {
        ctl_catalog_print_table(cat, st, dir);
    }
    rc = CTL_EXIT_OK;
out:
    free(text);
    qf_catalog_stats_free(st);
    qf_catalog_free(cat);
    return rc;
}

int ctl_catalog_main(const ctl_options *opts, int argc, char **argv)
{
    const char *verb = argc > 1 ? argv[1] : NULL;
    const char *dir = NULL;
    int json = 0;

    (void)opts;
    if (verb && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)) {
        ctl_catalog_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (!verb || (strcmp(verb, "validate") != 0 && strcmp(verb, "stats") != 0))
        goto usage;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && strcmp(verb, "stats") == 0)
            json = 1;
        else if (argv[i][0] == '-' || dir)
            goto usage;
        else
            dir = argv[i];
    }
    if (!dir)
        goto usage;
    return strcmp(verb, "validate") == 0 ? ctl_catalog_validate(dir)
                                         : ctl_catalog_stats(dir, json);
usage:
    ctl_catalog_usage(stderr);
    return CTL_EXIT_USAGE;
}
