/* main.c — qifu-ctl entry point: global options, then the noun table.
 * The table is data; each noun's file does its own argument checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_clock.h"
#include "qf_config.h"
#include "qf_version.h"

typedef struct ctl_noun {
    const char *name;
    int (*run)(const ctl_options *opts, int argc, char **argv);
    const char *usage;
} ctl_noun;

static const ctl_noun ctl_nouns[] = {
    { "uscc", ctl_uscc_main, "uscc check CODE            validate a unified social credit code" },
    { "workday", ctl_workday_main,
      "workday add DATE N         the date N working days after DATE (YYYY-MM-DD)\n"
      "  workday is DATE            exit 0 when DATE is a working day, 1 otherwise" },
    { "catalog", ctl_catalog_main,
      "catalog validate DIR       check a catalog folder; every problem listed\n"
      "  catalog stats DIR [--json] counts by kind, board, station, provider\n"
      "  catalog import DIR         validate and publish a new catalog version (--db)\n"
      "  catalog versions [--json]  the published versions and what each changed" },
    { "device", ctl_device_main,
      "device enroll NAME --hall HALL  a one-time enrollment code (24 h) for a kiosk\n"
      "  device list [--json]       enrolled kiosks: online, last seen, inspection\n"
      "  device revoke ID           the kiosk and its token stop working\n"
      "  device inspections [--overdue] [--json]  joint inspections; --overdue: not this quarter" },
    { "operator", ctl_operator_main,
      "operator token NAME [--days N]  a new operator bearer token, shown once\n"
      "  operator revoke NAME       every token of NAME stops working" },
    { "cert", ctl_cert_main,
      "cert self-signed --cert PEM --key PEM --host H [--host H2 ...] [--days N] [--force]\n"
      "                             a self-signed TLS server certificate and key" },
    { "staff", ctl_staff_main,
      "staff add ID --name NAME --role ROLE [--unit UNIT]  a staff account (PIN from stdin)\n"
      "  staff passwd ID | list [--json] | disable ID | badge ID" },
    { "case", ctl_case_main,
      "case list [--overdue] [--json] | show NO [--json] | form NO\n"
      "  case triage NO --kind simple|single|whistle|fallback [--level 1|3|5] --lead UNIT [--co UNIT...]\n"
      "  case transfer NO --lead UNIT | reply NO --text TEXT | done NO\n"
      "  case escalate NO ... | decide NO ... | feedback NO --resolved yes|no --rating 1-5\n"
      "  case rate NO --kind case|helper|lead --stars 1-5 [--comment TEXT]" },
    { "supervise", ctl_supervise_main,
      "supervise run              fire every supervision (督办) record due now, once\n"
      "  supervise list [--json]    the records fired so far" },
    { "report", ctl_report_main,
      "report --from DATE --to DATE [--by board|unit|helper|channel] [--json|--csv]" },
    { "helper", ctl_helper_main,
      "helper log ID --kind contact|visit|upload [--enterprise NAME] [--note TEXT]\n"
      "  helper scorecard ID --month YYYY-MM [--json]" },
    { "help", ctl_help_main,
      "help list [--open | --state STATE] [--json]  help calls (呼叫帮办) from the kiosks\n"
      "  help ack ID [--staff STAFF] | close ID [--note TEXT]\n"
      "  help stats [--from DATE] [--to DATE] [--json]  response times, per helper" },
    { "print", ctl_print_main,
      "print test-slip --sink SINK [--width 384|576]  a sample ticket slip with its QR\n"
      "  print receipt --case NO --sink SINK  a case receipt (--db)\n"
      "  print guide --service ID --sink SINK [--catalog DIR]  a service guide from the catalog\n"
      "                             SINK: escpos-file:PATH, escpos-tcp:HOST:PORT or png:DIR" },
    { "rating", ctl_rating_main,
      "rating list [--limit N] [--json]  service ratings (好差评) from the kiosks, newest first,\n"
      "                             with counts per level and the satisfaction share" },
    { "printer", ctl_printer_main,
      "printer listen --port P --out DIR [--status ok|near_end|paper_out|cover_open|offline] [--once]\n"
      "                             a virtual ESC/POS printer on 127.0.0.1 (slips as PNG)" },
    { "backup", ctl_backup_main,
      "backup --to FILE [--force]  an online, checked copy of the database (--db)" },
};

static void ctl_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl [--db PATH | --config FILE] [--data-dir DIR] NOUN VERB ...\n\n");
    for (size_t i = 0; i < sizeof ctl_nouns / sizeof ctl_nouns[0]; i++)
        fprintf(out, "  %s\n", ctl_nouns[i].usage);
    fprintf(out, "\n  --help, --version\n");
}

int main(int argc, char **argv)
{
    ctl_options opts = { .data_dir = QF_DATA_DIR };
    qf_config *cfg = NULL;
    char err[256];
    int i = 1, rc = CTL_EXIT_USAGE;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            ctl_usage(stdout);
            return CTL_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("qifu-ctl %s\n", QF_VERSION);
            return CTL_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            opts.db_path = argv[++i];
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            opts.config_path = argv[++i];
        } else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            opts.data_dir = argv[++i];
        } else {
            fprintf(stderr, "qifu-ctl: unknown or incomplete option '%s'\n", argv[i]);
            ctl_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (qf_clock_check_env(err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    if (i >= argc) {
        ctl_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    /* The daemon's own config file tells where its database is. */
    if (opts.config_path) {
        if (qf_config_load(opts.config_path, &cfg, err, sizeof err) != QF_OK) {
            fprintf(stderr, "qifu-ctl: %s\n", err);
            return CTL_EXIT_USAGE;
        }
        if (!opts.db_path)
            opts.db_path = qf_config_get(cfg, "syncd", "db");
    }
    for (size_t n = 0; n < sizeof ctl_nouns / sizeof ctl_nouns[0]; n++) {
        if (strcmp(argv[i], ctl_nouns[n].name) == 0) {
            rc = ctl_nouns[n].run(&opts, argc - i, argv + i);
            goto out;
        }
    }
    fprintf(stderr, "qifu-ctl: unknown command '%s'\n", argv[i]);
    ctl_usage(stderr);
out:
    qf_config_free(cfg);
    return rc;
}
