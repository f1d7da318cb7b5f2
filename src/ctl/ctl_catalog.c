/* ctl_catalog.c — `qifu-ctl catalog`: checking and counting a catalog folder
 * (assets/catalog or a copy being edited) through qf_catalog, and
 * publishing it to the daemon's database.
 *
 *   catalog validate DIR        every problem on stderr, one per line, then a
 *                               count; exit 0 and a one-line summary on
 *                               stdout when there are none, 1 otherwise
 *   catalog stats DIR [--json]  counts by kind, board, station, provider and
 *                               source; --json prints one line of JSON
 *   catalog import DIR          (--db or --config) validate, then publish
 *                               the next version in one transaction:
 *                               "published version V: A added, C changed,
 *                               D deleted", or "no changes; version V stays
 *                               current"; any problem: listed like validate,
 *                               nothing published, exit 1
 *   catalog versions [--json]   (--db or --config) the published versions
 *
 * Usage errors exit 2. This file only parses arguments and prints; loading,
 * checking and counting belong to qifu-core, publishing to store_catalog.c.
 * A running qifu-syncd serves a new version within about a second. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_catalog.h"
#include "qf_clock.h"
#include "store.h"
#include "store_catalog.h"

static void ctl_catalog_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl catalog validate DIR\n"
                 "       qifu-ctl catalog stats DIR [--json]\n"
                 "       qifu-ctl [--db PATH | --config FILE] catalog import DIR\n"
                 "       qifu-ctl [--db PATH | --config FILE] catalog versions [--json]\n");
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

/* Loads dir and checks it, printing every problem on stderr followed by a
 * count (what `validate` and `import` share). CTL_EXIT_OK with *out set
 * when there are none; CTL_EXIT_NO otherwise. Ownership: the caller frees
 * *out with qf_catalog_free. */
static int ctl_catalog_load_checked(const char *dir, qf_catalog **out)
{
    int rc = CTL_EXIT_NO;
    qf_catalog *cat = NULL;
    size_t failed = 0, decode_problems = 0, problems = 0;
    char err[512];

    *out = NULL;
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
    *out = cat;
    cat = NULL;
    rc = CTL_EXIT_OK;
out:
    qf_catalog_free(cat);
    return rc;
}

static int ctl_catalog_validate(const char *dir)
{
    qf_catalog *cat = NULL;
    int rc = ctl_catalog_load_checked(dir, &cat);

    if (rc != CTL_EXIT_OK)
        return rc;
    printf("%s: catalog OK: ", dir);
    ctl_catalog_print_counts(stdout, cat);
    putchar('\n');
    qf_catalog_free(cat);
    return CTL_EXIT_OK;
}

/* Opens the daemon's store, or says why not. */
static int ctl_catalog_open(const ctl_options *opts, const char *verb, sd_store **out)
{
    char err[512];
    *out = NULL;
    if (!opts->db_path) {
        fprintf(stderr, "qifu-ctl: catalog %s: which database? give --db PATH or --config FILE\n",
                verb);
        return CTL_EXIT_USAGE;
    }
    if (sd_store_open(opts->db_path, out, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s\n", err);
        return CTL_EXIT_NO;
    }
    return CTL_EXIT_OK;
}

static int ctl_catalog_import(const ctl_options *opts, const char *dir)
{
    qf_catalog *cat = NULL;
    sd_store *store = NULL;
    sd_catalog_import_result res;
    char err[512];
    int rc;

    /* The database question first: a usage error should not wait for a
     * full validation. */
    if (!opts->db_path)
        return ctl_catalog_open(opts, "import", &store);
    if ((rc = ctl_catalog_load_checked(dir, &cat)) != CTL_EXIT_OK) {
        fprintf(stderr, "qifu-ctl: %s: nothing published\n", dir);
        goto out;
    }
    if ((rc = ctl_catalog_open(opts, "import", &store)) != CTL_EXIT_OK)
        goto out;
    if (sd_store_catalog_import(store, cat, dir, qf_clock_now(), &res, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s: nothing published: %s\n", dir, err);
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (res.published)
        printf("published version %lld: %zu added, %zu changed, %zu deleted\n",
               (long long)res.version, res.added, res.changed, res.deleted);
    else
        printf("no changes; version %lld stays current\n", (long long)res.version);
    rc = CTL_EXIT_OK;
out:
    sd_store_close(store);
    qf_catalog_free(cat);
    return rc;
}

static int ctl_catalog_versions(const ctl_options *opts, int json)
{
    sd_store *store = NULL;
    json_t *list = NULL, *v;
    size_t i;
    int rc;

    if ((rc = ctl_catalog_open(opts, "versions", &store)) != CTL_EXIT_OK)
        return rc;
    if (sd_store_catalog_versions(store, &list) != QF_OK) {
        fprintf(stderr, "qifu-ctl: cannot read the catalog versions\n");
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (json) {
        char *text = json_dumps(list, JSON_COMPACT);
        if (!text) {
            fprintf(stderr, "qifu-ctl: out of memory\n");
            rc = CTL_EXIT_NO;
            goto out;
        }
        printf("%s\n", text);
        free(text);
        goto out;
    }
    if (json_array_size(list) == 0) {
        printf("no catalog published yet\n");
        goto out;
    }
    printf("%-8s %-25s %6s %8s %8s  %s\n", "version", "published_at", "added", "changed",
           "deleted", "source");
    json_array_foreach(list, i, v) {
        printf("%-8lld %-25s %6lld %8lld %8lld  %s\n",
               (long long)json_integer_value(json_object_get(v, "version")),
               json_string_value(json_object_get(v, "published_at")),
               (long long)json_integer_value(json_object_get(v, "added")),
               (long long)json_integer_value(json_object_get(v, "changed")),
               (long long)json_integer_value(json_object_get(v, "deleted")),
               json_string_value(json_object_get(v, "source")));
    }
out:
    json_decref(list);
    sd_store_close(store);
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
    int json = 0, wants_dir;

    if (verb && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)) {
        ctl_catalog_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (!verb || (strcmp(verb, "validate") != 0 && strcmp(verb, "stats") != 0 &&
                  strcmp(verb, "import") != 0 && strcmp(verb, "versions") != 0))
        goto usage;
    wants_dir = strcmp(verb, "versions") != 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 &&
            (strcmp(verb, "stats") == 0 || strcmp(verb, "versions") == 0))
            json = 1;
        else if (argv[i][0] == '-' || dir || !wants_dir)
            goto usage;
        else
            dir = argv[i];
    }
    if (wants_dir && !dir)
        goto usage;
    if (strcmp(verb, "validate") == 0)
        return ctl_catalog_validate(dir);
    if (strcmp(verb, "stats") == 0)
        return ctl_catalog_stats(dir, json);
    if (strcmp(verb, "import") == 0)
        return ctl_catalog_import(opts, dir);
    return ctl_catalog_versions(opts, json);
usage:
    ctl_catalog_usage(stderr);
    return CTL_EXIT_USAGE;
}
