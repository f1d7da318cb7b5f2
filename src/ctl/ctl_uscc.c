/* ctl_uscc.c — `qifu-ctl uscc check CODE`: validates one unified social
 * credit code for an operator or a script.
 *
 * Valid: the normalised code on stdout, exit 0. Invalid: the reason on stderr
 * in English and then Chinese, exit 1. Usage errors: exit 2. CODE is one
 * argument; quote it when it contains spaces. This file owns the argument
 * checks and the output only — every rule lives in qf_uscc.c. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "qf_uscc.h"

static void ctl_uscc_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl uscc check CODE\n"
                 "  exit 0 and the normalised code on stdout when CODE is valid,\n"
                 "  exit 1 and the reason on stderr when it is not\n");
}

int ctl_uscc_main(const ctl_options *opts, int argc, char **argv)
{
    qf_uscc_report report;
    char reason[256];

    (void)opts;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        ctl_uscc_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "qifu-ctl: uscc: unknown or missing verb\n");
        ctl_uscc_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (argc != 3) {
        fprintf(stderr, "qifu-ctl: uscc check: %s\n",
                argc < 3 ? "missing CODE" : "expected one CODE (quote it if it has spaces)");
        ctl_uscc_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (qf_uscc_inspect(argv[2], &report) != QF_OK) {
        qf_uscc_report_describe(&report, reason, sizeof reason);
        fprintf(stderr, "qifu-ctl: uscc: %s\n", reason);
        qf_uscc_report_describe_zh(&report, reason, sizeof reason);
        fprintf(stderr, "qifu-ctl: uscc: %s\n", reason);
        return CTL_EXIT_NO;
    }
    printf("%s\n", report.code);
    return CTL_EXIT_OK;
}
