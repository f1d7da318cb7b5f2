/* ctl.h — qifu-ctl, the operator's command line: one file per noun
 * (ctl_uscc.c, ctl_workday.c, ctl_catalog.c …), dispatched from main.c.
 *
 * Every subcommand gets the global options and its own argv, where argv[0]
 * is the noun. Exit codes: 0 success (or "yes"), 1 a negative answer or
 * invalid data (reason on stderr), 2 a usage error. */
#ifndef CTL_H
#define CTL_H

enum {
    CTL_EXIT_OK = 0,
    CTL_EXIT_NO = 1,
    CTL_EXIT_USAGE = 2,
};

typedef struct ctl_options {
    const char *db_path;      /* --db, or db= from the daemon config */
    const char *config_path;  /* --config */
    const char *data_dir;     /* folder with assets/ and config/ */
} ctl_options;

/* Opens the daemon's store named by --db / --config for noun (ctl_store.c):
 * CTL_EXIT_USAGE when none is named, CTL_EXIT_NO when it cannot open (the
 * reason on stderr). Ownership: sd_store_close(*out). */
typedef struct sd_store sd_store;
int ctl_store_open(const ctl_options *opts, const char *noun, sd_store **out);

int ctl_uscc_main(const ctl_options *opts, int argc, char **argv);
int ctl_workday_main(const ctl_options *opts, int argc, char **argv);
int ctl_catalog_main(const ctl_options *opts, int argc, char **argv);
int ctl_device_main(const ctl_options *opts, int argc, char **argv);
int ctl_operator_main(const ctl_options *opts, int argc, char **argv);
int ctl_cert_main(const ctl_options *opts, int argc, char **argv);

int ctl_staff_main(const ctl_options *opts, int argc, char **argv);
int ctl_case_main(const ctl_options *opts, int argc, char **argv);
int ctl_supervise_main(const ctl_options *opts, int argc, char **argv);
int ctl_report_main(const ctl_options *opts, int argc, char **argv);
int ctl_helper_main(const ctl_options *opts, int argc, char **argv);
int ctl_print_main(const ctl_options *opts, int argc, char **argv);
int ctl_printer_main(const ctl_options *opts, int argc, char **argv);
int ctl_rating_main(const ctl_options *opts, int argc, char **argv);
int ctl_help_main(const ctl_options *opts, int argc, char **argv);
int ctl_backup_main(const ctl_options *opts, int argc, char **argv);

#endif
