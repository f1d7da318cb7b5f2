/* ctl_store.c — opening the daemon's database for a qifu-ctl noun: the
 * one place that says "which database?" and why an open failed. */
#include "ctl.h"

#include <stdio.h>

#include "store.h"

int ctl_store_open(const ctl_options *opts, const char *noun, sd_store **out)
{
    char err[512];
    *out = NULL;
    if (!opts->db_path) {
        fprintf(stderr, "qifu-ctl: %s: which database? give --db PATH or --config FILE\n", noun);
        return CTL_EXIT_USAGE;
    }
    if (sd_store_open(opts->db_path, out, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s\n", err);
        return CTL_EXIT_NO;
    }
    return CTL_EXIT_OK;
}
