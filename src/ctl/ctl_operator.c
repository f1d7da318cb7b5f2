/* ctl_operator.c — `qifu-ctl operator`: bearer tokens for the people who
 * run the hall's fleet (GET /api/v1/devices, /metrics, inspections…).
 *
 *   operator token NAME [--days N]   a new token for NAME, valid N days
 *                                    (default 90, 1..3650), printed once as
 *                                    "token: <token>"; only its hash is kept
 *   operator revoke NAME             every live token of NAME stops working;
 *                                    exit 1 when NAME had none
 *
 * An operator may hold several tokens (one per workstation); revoke ends
 * them all. Usage errors exit 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "ctl.h"
#include "store.h"
#include "store_devices.h"

#define CTL_OPERATOR_DAYS_DEFAULT 90
#define CTL_OPERATOR_DAYS_MAX     3650
#define CTL_OPERATOR_NAME_MAX     63  /* fits sd_principal.subject */

static void ctl_operator_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl [--db PATH | --config FILE] operator token NAME [--days N]\n"
                 "       qifu-ctl [--db PATH | --config FILE] operator revoke NAME\n"
                 "  NAME: 1 to %d of A-Z a-z 0-9 . _ -\n",
            CTL_OPERATOR_NAME_MAX);
}

/* Operator names appear in logs and rate-limit keys: keep them plain. */
static bool ctl_operator_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > CTL_OPERATOR_NAME_MAX)
        return false;
    for (; *name; name++) {
        char c = *name;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static int ctl_operator_token(const ctl_options *opts, int argc, char **argv)
{
    const char *name = NULL;
    long days = CTL_OPERATOR_DAYS_DEFAULT;
    char token[SD_TOKEN_LEN + 1], expires[32];
    sd_store *store = NULL;
    qf_instant now = qf_clock_now();
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
            char *end;
            days = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || days < 1 || days > CTL_OPERATOR_DAYS_MAX) {
                fprintf(stderr, "qifu-ctl: operator token: --days must be 1 to %d\n",
                        CTL_OPERATOR_DAYS_MAX);
                return CTL_EXIT_USAGE;
            }
        } else if (argv[i][0] != '-' && !name) {
            name = argv[i];
        } else {
            fprintf(stderr, "qifu-ctl: operator token: unexpected '%s'\n", argv[i]);
            ctl_operator_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!name || !ctl_operator_name_ok(name)) {
        fprintf(stderr, "qifu-ctl: operator token: %s\n",
                name ? "NAME must be 1 to 63 of A-Z a-z 0-9 . _ -" : "missing NAME");
        ctl_operator_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "operator", &store)) != CTL_EXIT_OK)
        return rc;
    rc = CTL_EXIT_NO;
    if (sd_auth_token_new(token) != QF_OK) {
        fprintf(stderr, "qifu-ctl: operator token: no random token could be made\n");
        goto out;
    }
    if (sd_auth_token_store(store, token, SD_PRINCIPAL_OPERATOR, name, "operator", now,
                            now + (qf_instant)days * QF_SECONDS_PER_DAY) != QF_OK) {
        fprintf(stderr, "qifu-ctl: operator token: the token could not be stored\n");
        goto out;
    }
    qf_clock_format_iso8601(now + (qf_instant)days * QF_SECONDS_PER_DAY, expires, sizeof expires);
    printf("token: %s\nexpires: %s\noperator: %s\n", token, expires, name);
    printf("Send it as 'Authorization: Bearer <token>'; it is not shown again.\n");
    rc = CTL_EXIT_OK;
out:
    memset(token, 0, sizeof token);
    sd_store_close(store);
    return rc;
}

static int ctl_operator_revoke(const ctl_options *opts, int argc, char **argv)
{
    sd_store *store = NULL;
    unsigned count = 0;
    int rc;

    if (argc != 3 || !ctl_operator_name_ok(argv[2])) {
        fprintf(stderr, "qifu-ctl: operator revoke: expected one NAME\n");
        ctl_operator_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "operator", &store)) != CTL_EXIT_OK)
        return rc;
    if (sd_store_operator_revoke(store, argv[2], qf_clock_now(), &count) != QF_OK) {
        fprintf(stderr, "qifu-ctl: operator revoke: the database could not be written\n");
        rc = CTL_EXIT_NO;
    } else if (count == 0) {
        fprintf(stderr, "qifu-ctl: operator revoke: '%s' has no live token\n", argv[2]);
        rc = CTL_EXIT_NO;
    } else {
        printf("%u token(s) of %s revoked\n", count, argv[2]);
    }
    sd_store_close(store);
    return rc;
}

int ctl_operator_main(const ctl_options *opts, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        ctl_operator_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "token") == 0)
        return ctl_operator_token(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
        return ctl_operator_revoke(opts, argc, argv);
    fprintf(stderr, "qifu-ctl: operator: unknown or missing verb\n");
    ctl_operator_usage(stderr);
    return CTL_EXIT_USAGE;
}
