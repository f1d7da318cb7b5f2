/* ctl_workday.c — `qifu-ctl workday`: the working-day calendar from the
 * command line, for operators checking a deadline by hand.
 *   workday add DATE N   prints the date N working days after DATE
 *   workday is DATE      exit 0 for a working day, 1 otherwise
 * The calendar is read from DATA_DIR/config/holidays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_calendar.h"

static int ctl_workday_usage(void)
{
    fprintf(stderr, "usage: qifu-ctl workday add YYYY-MM-DD N\n"
                    "       qifu-ctl workday is YYYY-MM-DD\n");
    return CTL_EXIT_USAGE;
}

int ctl_workday_main(const ctl_options *opts, int argc, char **argv)
{
    qf_calendar *cal = NULL;
    char path[4096], err[256], out[16];
    qf_day day, result;
    int rc = CTL_EXIT_USAGE;

    if (argc < 3)
        return ctl_workday_usage();
    if (qf_day_parse(argv[2], &day) != QF_OK) {
        fprintf(stderr, "qifu-ctl: '%s' is not a date (YYYY-MM-DD)\n", argv[2]);
        return CTL_EXIT_USAGE;
    }
    snprintf(path, sizeof path, "%s/config/holidays", opts->data_dir);
    if (qf_calendar_new(&cal) != QF_OK) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        return CTL_EXIT_NO;
    }
    if (qf_calendar_load_dir(cal, path, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: holiday calendar: %s\n", err);
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (strcmp(argv[1], "is") == 0 && argc == 3) {
        const char *name = qf_calendar_day_name(cal, day);
        bool work = qf_calendar_is_workday(cal, day);
        if (name)
            fprintf(stderr, "%s: %s\n", argv[2], name);
        rc = work ? CTL_EXIT_OK : CTL_EXIT_NO;
    } else if (strcmp(argv[1], "add") == 0 && argc == 4) {
        char *end;
        long n = strtol(argv[3], &end, 10);
        if (*argv[3] == '\0' || *end || n < 0 || n > 3660) {
            fprintf(stderr, "qifu-ctl: N must be a whole number from 0 to 3660\n");
            goto out;
        }
        if (qf_calendar_add_workdays(cal, day, (int)n, &result) != QF_OK) {
            fprintf(stderr, "qifu-ctl: cannot add %ld working days\n", n);
            rc = CTL_EXIT_NO;
            goto out;
        }
        qf_day_format(result, out, sizeof out);
        printf("%s\n", out);
        rc = CTL_EXIT_OK;
    } else {
        rc = ctl_workday_usage();
    }
out:
    qf_calendar_free(cal);
    return rc;
}
