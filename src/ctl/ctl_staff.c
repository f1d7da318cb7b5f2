/* ctl_staff.c — `qifu-ctl staff`: the accounts of the people who work the
 * case workflow (helpers, platform/street triage, departments, the task
 * force, the district leaders' office, operators, technicians).
 *
 *   staff add ID --name NAME --role ROLE [--unit UNIT]
 *                        a new account; the PIN is read from stdin (one
 *                        line, 6-64 characters, never echoed). UNIT is a
 *                        catalog unit id (unit-012), name or alias; triage
 *                        needs a platform or street, department a
 *                        department.
 *   staff passwd ID      a new PIN (from stdin); clears a lock and ends the
 *                        account's sessions
 *   staff list [--json]  every account
 *   staff disable ID     the account can no longer sign in; its sessions end
 *   staff badge ID       a new badge QR payload QIFU-STAFF:<ID>:<secret> on
 *                        stdout, shown once (only the secret's SHA-256 is
 *                        kept); it signs the holder in at a kiosk
 *                        (POST /api/v1/devices/helper-login). A new badge
 *                        replaces the old one.
 *
 * Exit codes (ctl.h): 0 done, 1 refused (unknown id or unit, taken id, bad
 * PIN, no catalog, database failure; reason on stderr), 2 usage. Every
 * change is audited with actor "ctl". This file parses and prints; rules
 * and SQL live in store_staff.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"
#include "store.h"
#include "store_staff.h"

#define CTL_STAFF_ACTOR "ctl"
#define CTL_STAFF_LINE_MAX (SD_STAFF_PIN_MAX * 4 + 2)

static void ctl_staff_usage(FILE *out)
{
    fprintf(out,
            "usage: qifu-ctl [--db PATH | --config FILE] staff add ID --name NAME --role ROLE "
            "[--unit UNIT]\n"
            "       qifu-ctl [--db PATH | --config FILE] staff passwd ID\n"
            "       qifu-ctl [--db PATH | --config FILE] staff list [--json]\n"
            "       qifu-ctl [--db PATH | --config FILE] staff disable ID\n"
            "       qifu-ctl [--db PATH | --config FILE] staff badge ID\n"
            "  ID: %d to %d of A-Z a-z 0-9 -;  ROLE: helper, triage, department, taskforce,\n"
            "  leader, operator, technician;  the PIN (%d to %d characters) is read from\n"
            "  stdin, one line\n",
            SD_STAFF_ID_MIN, SD_STAFF_ID_MAX, SD_STAFF_PIN_MIN, SD_STAFF_PIN_MAX);
}

/* Reads one line from stdin into pin (CTL_STAFF_LINE_MAX bytes) without
 * its line ending. At a terminal it prompts on stderr and turns echo off
 * for the line. CTL_EXIT_NO when nothing or too much was read. */
static int ctl_staff_read_pin(const char *verb, char *pin)
{
    struct termios saved, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    size_t n;
    char *got;

    if (tty) {
        fprintf(stderr, "PIN: ");
        fflush(stderr);
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    got = fgets(pin, CTL_STAFF_LINE_MAX, stdin);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (!got) {
        fprintf(stderr, "qifu-ctl: staff %s: no PIN on stdin (give it as one line)\n", verb);
        return CTL_EXIT_NO;
    }
    n = strlen(pin);
    if (n > 0 && pin[n - 1] != '\n' && !feof(stdin)) {
        memset(pin, 0, CTL_STAFF_LINE_MAX);
        fprintf(stderr, "qifu-ctl: staff %s: the PIN must be %d to %d characters\n", verb,
                SD_STAFF_PIN_MIN, SD_STAFF_PIN_MAX);
        return CTL_EXIT_NO;
    }
    while (n > 0 && (pin[n - 1] == '\n' || pin[n - 1] == '\r'))
        pin[--n] = '\0';
    return CTL_EXIT_OK;
}

static int ctl_staff_add(const ctl_options *opts, int argc, char **argv)
{
    const char *id = NULL, *name = NULL, *role = NULL, *unit = NULL;
    char pin[CTL_STAFF_LINE_MAX], err[512];
    sd_store *store = NULL;
    sd_staff s;
    qf_err qrc;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc && !name) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc && !role) {
            role = argv[++i];
        } else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc && !unit) {
            unit = argv[++i];
        } else if (argv[i][0] != '-' && !id) {
            id = argv[i];
        } else {
            fprintf(stderr, "qifu-ctl: staff add: unexpected '%s'\n", argv[i]);
            ctl_staff_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!id || !name || !role) {
        fprintf(stderr, "qifu-ctl: staff add: missing %s\n",
                !id ? "ID" : !name ? "--name NAME" : "--role ROLE");
        ctl_staff_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (sd_staff_id_check(id, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: staff add: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    if (!sd_staff_role_valid(role)) {
        fprintf(stderr, "qifu-ctl: staff add: unknown role '%s'\n", role);
        ctl_staff_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_staff_read_pin("add", pin)) != CTL_EXIT_OK)
        return rc;
    if ((rc = ctl_store_open(opts, "staff", &store)) != CTL_EXIT_OK)
        goto out;
    qrc = sd_store_staff_add(store, id, name, role, unit, pin, CTL_STAFF_ACTOR, qf_clock_now(),
                             &s, err, sizeof err);
    if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: staff add: %s\n", err);
        rc = CTL_EXIT_NO;
        goto out;
    }
    printf("id: %s\nname: %s\nrole: %s\n", s.id, s.name, s.role);
    if (s.unit[0])
        printf("unit: %s (%s)\n", s.unit, s.unit_name);
    printf("The account signs in with POST /api/v1/staff/login.\n");
    rc = CTL_EXIT_OK;
out:
    memset(pin, 0, sizeof pin);
    sd_store_close(store);
    return rc;
}

static int ctl_staff_passwd(const ctl_options *opts, int argc, char **argv)
{
    char pin[CTL_STAFF_LINE_MAX], err[512];
    sd_store *store = NULL;
    qf_err qrc;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "qifu-ctl: staff passwd: expected one ID\n");
        ctl_staff_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (sd_staff_id_check(argv[2], err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: staff passwd: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_staff_read_pin("passwd", pin)) != CTL_EXIT_OK)
        return rc;
    if ((rc = ctl_store_open(opts, "staff", &store)) != CTL_EXIT_OK)
        goto out;
    qrc = sd_store_staff_passwd(store, argv[2], pin, CTL_STAFF_ACTOR, qf_clock_now(), err,
                                sizeof err);
    if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: staff passwd: %s\n", err);
        rc = CTL_EXIT_NO;
        goto out;
    }
    printf("%s has a new PIN; its sessions have ended\n", argv[2]);
    rc = CTL_EXIT_OK;
out:
    memset(pin, 0, sizeof pin);
    sd_store_close(store);
    return rc;
}

static const char *ctl_staff_state(const sd_staff *s, qf_instant now)
{
    return s->disabled_at ? "disabled" : s->locked_until > now ? "locked" : "active";
}

static int ctl_staff_list_json(const sd_staff *list, size_t count, qf_instant now)
{
    json_t *arr = json_array();
    char *text;
    for (size_t i = 0; arr && i < count; i++) {
        json_t *o = sd_staff_to_json(&list[i]);
        char until[32];
        qf_clock_format_iso8601(list[i].locked_until, until, sizeof until);
        if (!o || json_object_set_new(o, "state", json_string(ctl_staff_state(&list[i], now))) ||
            json_object_set_new(o, "locked_until",
                                list[i].locked_until > now ? json_string(until) : json_null()) ||
            json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (!text) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        return CTL_EXIT_NO;
    }
    printf("%s\n", text);
    free(text);
    return CTL_EXIT_OK;
}

static int ctl_staff_list(const ctl_options *opts, int argc, char **argv)
{
    bool json = false;
    sd_store *store = NULL;
    sd_staff *list = NULL;
    size_t count = 0;
    qf_instant now = qf_clock_now();
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            fprintf(stderr, "qifu-ctl: staff list: unexpected '%s'\n", argv[i]);
            ctl_staff_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if ((rc = ctl_store_open(opts, "staff", &store)) != CTL_EXIT_OK)
        return rc;
    if (sd_store_staff_list(store, &list, &count) != QF_OK) {
        fprintf(stderr, "qifu-ctl: staff list: the database could not be read\n");
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (json) {
        rc = ctl_staff_list_json(list, count, now);
        goto out;
    }
    printf("%-16s  %-10s  %-8s  %-8s  %s\n", "ID", "ROLE", "STATE", "UNIT", "NAME (UNIT NAME)");
    for (size_t i = 0; i < count; i++) {
        const sd_staff *s = &list[i];
        printf("%-16s  %-10s  %-8s  %-8s  %s%s%s%s\n", s->id, s->role, ctl_staff_state(s, now),
               s->unit[0] ? s->unit : "-", s->name, s->unit_name[0] ? " (" : "", s->unit_name,
               s->unit_name[0] ? ")" : "");
    }
    printf("%zu account(s)\n", count);
out:
    free(list);
    sd_store_close(store);
    return rc;
}

static int ctl_staff_disable(const ctl_options *opts, int argc, char **argv)
{
    sd_store *store = NULL;
    bool was_disabled = false;
    qf_err qrc;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "qifu-ctl: staff disable: expected one ID\n");
        ctl_staff_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "staff", &store)) != CTL_EXIT_OK)
        return rc;
    qrc = sd_store_staff_disable(store, argv[2], CTL_STAFF_ACTOR, qf_clock_now(), &was_disabled);
    if (qrc == QF_ERR_NOT_FOUND) {
        fprintf(stderr, "qifu-ctl: staff disable: no staff account '%s' (see qifu-ctl staff "
                        "list)\n",
                argv[2]);
        rc = CTL_EXIT_NO;
    } else if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: staff disable: the database could not be written\n");
        rc = CTL_EXIT_NO;
    } else {
        printf(was_disabled ? "%s was already disabled\n"
                            : "%s disabled; its sessions have ended\n",
               argv[2]);
    }
    sd_store_close(store);
    return rc;
}

/* `staff badge ID`: a new badge payload (the QR's text), shown once. */
static int ctl_staff_badge(const ctl_options *opts, int argc, char **argv)
{
    char payload[SD_STAFF_BADGE_MAX + 1];
    sd_store *store = NULL;
    qf_err qrc;
    int rc;

    if (argc != 3 || sd_staff_id_check(argv[2], NULL, 0) != QF_OK) {
        fprintf(stderr, "qifu-ctl: staff badge: expected one staff ID\n");
        ctl_staff_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "staff", &store)) != CTL_EXIT_OK)
        return rc;
    qrc = sd_store_staff_badge_issue(store, argv[2], CTL_STAFF_ACTOR, qf_clock_now(), payload);
    if (qrc == QF_ERR_NOT_FOUND) {
        fprintf(stderr, "qifu-ctl: staff badge: no staff account '%s' (see qifu-ctl staff "
                        "list)\n",
                argv[2]);
        rc = CTL_EXIT_NO;
    } else if (qrc == QF_ERR_STATE) {
        fprintf(stderr, "qifu-ctl: staff badge: %s is disabled\n", argv[2]);
        rc = CTL_EXIT_NO;
    } else if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: staff badge: the database could not be written\n");
        rc = CTL_EXIT_NO;
    } else {
        printf("%s\n", payload);
        fprintf(stderr, "Print this as the QR code of %s's badge. It is not shown again; any "
                        "earlier badge of %s no longer works.\n",
                argv[2], argv[2]);
    }
    memset(payload, 0, sizeof payload);
    sd_store_close(store);
    return rc;
}

int ctl_staff_main(const ctl_options *opts, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        ctl_staff_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return ctl_staff_add(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "passwd") == 0)
        return ctl_staff_passwd(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return ctl_staff_list(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "disable") == 0)
        return ctl_staff_disable(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "badge") == 0)
        return ctl_staff_badge(opts, argc, argv);
    fprintf(stderr, "qifu-ctl: staff: unknown or missing verb\n");
    ctl_staff_usage(stderr);
    return CTL_EXIT_USAGE;
}
