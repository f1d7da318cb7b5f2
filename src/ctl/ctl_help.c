/* ctl_help.c — `qifu-ctl help`: the help calls (呼叫帮办) kiosks make, on
 * the daemon's database (--db PATH or --config FILE).
 *
 *   help list [--open | --state STATE] [--limit N] [--json]
 *                       newest first: id, state, age, kiosk and hall,
 *                       screen, who answered and how fast
 *   help ack ID [--staff STAFF]
 *                       acknowledge an open call; --staff names the helper
 *                       who is going (an active account with role helper or
 *                       operator) and counts the response time to them
 *   help close ID [--note TEXT]
 *                       close an open or acknowledged call
 *   help stats [--from DATE] [--to DATE] [--json]
 *                       calls made in the range (Shanghai days, inclusive;
 *                       default: all), response time (ack − created) count,
 *                       median and p90 (nearest rank), overall and per helper
 *
 * Like the other commands, this acts on the database directly: whoever can
 * run it can read the daemon's database. Changes are audited with actor
 * "ctl" ("help.ack", "help.close"). Exit 0 done, 1 refused (unknown call,
 * wrong state, unknown or unsuitable --staff, database failure), 2 usage.
 * Rules and SQL live in store_help.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_clock.h"
#include "store.h"
#include "store_help.h"
#include "store_staff.h"

#define CTL_HELP_ACTOR "ctl"

static void ctl_help_usage(FILE *out)
{
    fprintf(out,
            "usage: qifu-ctl [--db PATH | --config FILE] help list [--open | --state STATE] "
            "[--limit N] [--json]\n"
            "       qifu-ctl [--db PATH | --config FILE] help ack ID [--staff STAFF]\n"
            "       qifu-ctl [--db PATH | --config FILE] help close ID [--note TEXT]\n"
            "       qifu-ctl [--db PATH | --config FILE] help stats [--from YYYY-MM-DD] "
            "[--to YYYY-MM-DD] [--json]\n"
            "  STATE: open, acknowledged, closed\n");
}

static bool ctl_help_number(const char *text, long long max, long long *out)
{
    char *end;
    long long v;
    if (!text || !*text || text[0] == '-' || text[0] == '+')
        return false;
    v = strtoll(text, &end, 10);
    if (*end || v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

static int ctl_help_print_json(json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        return CTL_EXIT_NO;
    }
    printf("%s\n", text);
    free(text);
    return CTL_EXIT_OK;
}

/* "3m05s", "1h02m", "45s". */
static void ctl_help_duration(int64_t s, char *buf, size_t len)
{
    if (s < 60)
        snprintf(buf, len, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

/* ---- list ---------------------------------------------------------------- */

static int ctl_help_list(const ctl_options *opts, int argc, char **argv)
{
    bool json = false, have_state = false;
    sd_help_state state = SD_HELP_OPEN;
    long long limit = 100;
    qf_instant now = qf_clock_now();
    sd_help_call *list = NULL;
    sd_store *store = NULL;
    size_t count = 0;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--open") == 0 && !have_state) {
            have_state = true;
            state = SD_HELP_OPEN;
        } else if (strcmp(argv[i], "--state") == 0 && i + 1 < argc && !have_state &&
                   sd_help_state_parse(argv[i + 1], &state) == QF_OK) {
            have_state = true;
            i++;
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc &&
                   ctl_help_number(argv[i + 1], SD_HELP_LIST_MAX, &limit)) {
            i++;
        } else {
            fprintf(stderr, "qifu-ctl: help list: unexpected or invalid '%s'\n", argv[i]);
            ctl_help_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if ((rc = ctl_store_open(opts, "help", &store)) != CTL_EXIT_OK)
        return rc;
    if (sd_store_help_call_list(store, have_state ? &state : NULL, (size_t)limit, &list,
                                &count) != QF_OK) {
        fprintf(stderr, "qifu-ctl: help list: the database could not be read\n");
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < count; i++) {
            if (json_array_append_new(arr, sd_help_call_to_json(&list[i], now)) != 0) {
                json_decref(arr);
                arr = NULL;
            }
        }
        rc = ctl_help_print_json(arr);
        goto out;
    }
    printf("%-6s  %-12s  %-7s  %-12s  %-20s  %-12s  %-10s  %-16s  %s\n", "ID", "STATE", "AGE",
           "DEVICE", "NAME", "HALL", "SCREEN", "ANSWERED BY", "RESPONSE");
    for (size_t i = 0; i < count; i++) {
        const sd_help_call *c = &list[i];
        qf_instant end = c->closed_at ? c->closed_at : now;
        char age[48], resp[48] = "-";
        ctl_help_duration(end > c->created_at ? end - c->created_at : 0, age, sizeof age);
        if (c->acked_at)
            ctl_help_duration(c->acked_at > c->created_at ? c->acked_at - c->created_at : 0,
                              resp, sizeof resp);
        printf("%-6lld  %-12s  %-7s  %-12s  %-20s  %-12s  %-10s  %-16s  %s\n", (long long)c->id,
               sd_help_state_name(c->state), age, c->device_id, c->device_name, c->hall,
               c->screen, c->helper_id[0] ? c->helper_id : c->acked_by[0] ? c->acked_by : "-",
               resp);
    }
    printf("%zu call(s)\n", count);
out:
    free(list);
    sd_store_close(store);
    return rc;
}

/* ---- ack and close ------------------------------------------------------- */

static int ctl_help_answer(const ctl_options *opts, int argc, char **argv, bool close)
{
    const char *verb = close ? "close" : "ack";
    const char *staff_id = NULL, *note = NULL;
    long long id = 0;
    sd_store *store = NULL;
    char err[160];
    sd_help_call c;
    sd_staff s;
    qf_err qrc;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (!close && strcmp(argv[i], "--staff") == 0 && i + 1 < argc && !staff_id) {
            staff_id = argv[++i];
        } else if (close && strcmp(argv[i], "--note") == 0 && i + 1 < argc && !note) {
            note = argv[++i];
        } else if (argv[i][0] != '-' && !id && ctl_help_number(argv[i], 999999999999LL, &id)) {
            continue;
        } else {
            fprintf(stderr, "qifu-ctl: help %s: unexpected or invalid '%s'\n", verb, argv[i]);
            ctl_help_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!id) {
        fprintf(stderr, "qifu-ctl: help %s: which call? give its ID (see help list)\n", verb);
        return CTL_EXIT_USAGE;
    }
    if (note && sd_device_name_check(note, SD_HELP_NOTE_MAX, "--note", err, sizeof err) !=
                    QF_OK) {
        fprintf(stderr, "qifu-ctl: help close: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    if (staff_id && sd_staff_id_check(staff_id, NULL, 0) != QF_OK) {
        fprintf(stderr, "qifu-ctl: help ack: '%s' is not a staff id\n", staff_id);
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "help", &store)) != CTL_EXIT_OK)
        return rc;
    rc = CTL_EXIT_NO;
    if (staff_id) {
        qrc = sd_store_staff_get(store, staff_id, &s);
        if (qrc == QF_ERR_NOT_FOUND) {
            fprintf(stderr, "qifu-ctl: help ack: no staff account '%s'\n", staff_id);
            goto out;
        }
        if (qrc != QF_OK) {
            fprintf(stderr, "qifu-ctl: help ack: the database could not be read\n");
            goto out;
        }
        if (s.disabled_at ||
            (strcmp(s.role, "helper") != 0 && strcmp(s.role, "operator") != 0)) {
            fprintf(stderr, "qifu-ctl: help ack: %s is %s; only active helpers and operators "
                            "answer help calls\n",
                    staff_id, s.disabled_at ? "disabled" : s.role);
            goto out;
        }
    }
    if (close)
        qrc = sd_store_help_call_close(store, id, CTL_HELP_ACTOR, note, qf_clock_now(), &c);
    else
        qrc = sd_store_help_call_ack(store, id, CTL_HELP_ACTOR, staff_id, qf_clock_now(), &c);
    if (qrc == QF_ERR_NOT_FOUND) {
        fprintf(stderr, "qifu-ctl: help %s: no help call %lld\n", verb, id);
    } else if (qrc == QF_ERR_STATE) {
        fprintf(stderr, "qifu-ctl: help %s: call %lld is %s already\n", verb, id,
                sd_help_state_name(c.state));
    } else if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: help %s: the database could not be written\n", verb);
    } else {
        char resp[48] = "";
        if (!close)
            ctl_help_duration(c.acked_at > c.created_at ? c.acked_at - c.created_at : 0, resp,
                              sizeof resp);
        if (close)
            printf("call %lld closed\n", id);
        else
            printf("call %lld acknowledged after %s (%s, %s)\n", id, resp, c.device_name,
                   c.hall);
        rc = CTL_EXIT_OK;
    }
out:
    sd_store_close(store);
    return rc;
}

/* ---- stats --------------------------------------------------------------- */

/* {"count","median_s","p90_s","max_s"}; the times are null for no calls. */
static json_t *ctl_help_row_json(const sd_help_stats_row *r, const char *key)
{
    bool any = r->acknowledged > 0;
    json_t *o = json_pack("{s:I,s:o,s:o,s:o}", "count", (json_int_t)r->acknowledged,
                          "median_s", any ? json_integer(r->median_s) : json_null(), "p90_s",
                          any ? json_integer(r->p90_s) : json_null(), "max_s",
                          any ? json_integer(r->max_s) : json_null());
    if (o && key)
        json_object_set_new(o, "helper", json_string(r->who));
    return o;
}

static int ctl_help_stats(const ctl_options *opts, int argc, char **argv)
{
    const char *from_s = NULL, *to_s = NULL;
    qf_day from_d = 0, to_d = 0;
    qf_instant from = 0, to;
    sd_help_stats st = { 0 };
    sd_store *store = NULL;
    bool json = false;
    qf_err qrc;
    int rc;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc && !from_s &&
                   qf_day_parse(argv[i + 1], &from_d) == QF_OK) {
            from_s = argv[++i];
        } else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc && !to_s &&
                   qf_day_parse(argv[i + 1], &to_d) == QF_OK) {
            to_s = argv[++i];
        } else {
            fprintf(stderr, "qifu-ctl: help stats: unexpected or invalid '%s'\n", argv[i]);
            ctl_help_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (from_s)
        from = qf_day_at(from_d, 0, 0);
    to = to_s ? qf_day_at(to_d + 1, 0, 0) : qf_clock_now() + 1;
    if (to <= from) {
        fprintf(stderr, "qifu-ctl: help stats: --to is before --from\n");
        return CTL_EXIT_USAGE;
    }
    if ((rc = ctl_store_open(opts, "help", &store)) != CTL_EXIT_OK)
        return rc;
    qrc = sd_store_help_stats(store, from, to, &st);
    if (qrc != QF_OK) {
        fprintf(stderr, "qifu-ctl: help stats: %s\n",
                qrc == QF_ERR_LIMIT ? "too many calls in the range; give --from and --to"
                                    : "the database could not be read");
        rc = CTL_EXIT_NO;
        goto out;
    }
    if (json) {
        json_t *helpers = json_array();
        for (size_t i = 0; helpers && i < st.nhelpers; i++)
            json_array_append_new(helpers, ctl_help_row_json(&st.helpers[i], "helper"));
        rc = ctl_help_print_json(json_pack(
            "{s:s?,s:s?,s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "from", from_s, "to", to_s, "calls",
            (json_int_t)st.calls, "open", (json_int_t)st.open, "acknowledged",
            (json_int_t)st.acknowledged, "closed", (json_int_t)st.closed,
            "closed_unacknowledged", (json_int_t)st.closed_unacknowledged, "response",
            ctl_help_row_json(&st.all, NULL), "helpers", helpers));
        goto out;
    }
    printf("calls: %zu (open %zu, acknowledged %zu, closed %zu of which %zu never "
           "acknowledged)\n",
           st.calls, st.open, st.acknowledged, st.closed, st.closed_unacknowledged);
    if (st.all.acknowledged)
        printf("response time over %zu acknowledged call(s): median %llds, p90 %llds, max "
               "%llds\n",
               st.all.acknowledged, (long long)st.all.median_s, (long long)st.all.p90_s,
               (long long)st.all.max_s);
    else
        printf("no call was acknowledged: no response times\n");
    if (st.nhelpers) {
        printf("%-20s  %6s  %8s  %8s  %8s\n", "HELPER", "CALLS", "MEDIAN", "P90", "MAX");
        for (size_t i = 0; i < st.nhelpers; i++) {
            const sd_help_stats_row *r = &st.helpers[i];
            printf("%-20s  %6zu  %7llds  %7llds  %7llds\n", r->who, r->acknowledged,
                   (long long)r->median_s, (long long)r->p90_s, (long long)r->max_s);
        }
    }
out:
    sd_help_stats_cleanup(&st);
    sd_store_close(store);
    return rc;
}

int ctl_help_main(const ctl_options *opts, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        ctl_help_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return ctl_help_list(opts, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "ack") == 0)
        return ctl_help_answer(opts, argc, argv, false);
    if (argc >= 2 && strcmp(argv[1], "close") == 0)
        return ctl_help_answer(opts, argc, argv, true);
    if (argc >= 2 && strcmp(argv[1], "stats") == 0)
        return ctl_help_stats(opts, argc, argv);
    fprintf(stderr, "qifu-ctl: help: unknown or missing verb\n");
    ctl_help_usage(stderr);
    return CTL_EXIT_USAGE;
}
