/* ctl_case.c — `qifu-ctl case`: every staff action of the case workflow
 * from the command line, on the daemon's database (--db PATH or --config
 * FILE), through the same store functions as the HTTP API
 * (store_workflow.c), so the rules, the permission table and the audit
 * trail are the same.
 *
 *   case list [--status S] [--unit U] [--kind K] [--overdue] [--limit N]
 *             [--offset N] [--json]
 *   case show NO [--json]           the case in full (kind, lead, deadline,
 *                                   state, units, escalations, ratings,
 *                                   supervision records, timeline, audit)
 *   case form NO [--json]           the 提级协调审批表 as printable text
 *   case triage NO --kind simple|single|whistle|fallback [--level 1|3|5]
 *             --lead UNIT [--co UNIT...] [--platform UNIT]
 *   case transfer NO --lead UNIT [--platform UNIT]
 *   case reply NO --text TEXT
 *   case done NO [--note TEXT]
 *   case escalate NO --request escalate|change_lead --prior TEXT
 *             [--opinion TEXT] [--signer NAME] [--locality UNIT]
 *             [--enterprise TEXT] [--problem TEXT]
 *   case decide NO --decision escalate|reassign|assign --opinion TEXT
 *             [--signer NAME] [--lead UNIT] [--co UNIT...] [--kind K
 *             [--level N]] [--at-level task_force|district_leader|principal]
 *   case feedback NO --resolved yes|no --rating 1-5 [--comment TEXT]
 *   case rate NO --kind helper|lead --stars 1-5 [--comment TEXT]
 *
 * Who acts: by default "ctl", the operator at the server, who may do
 * everything (the audit trail says "ctl"); with --as STAFF_ID the staff
 * account's role and unit go through the permission table exactly as over
 * HTTP, and its name is the default signer. "Now" is qf_clock_now, so
 * QIFU_FAKE_NOW fixes it for drills and tests. Actions accept --json to
 * print the case summary as JSON.
 *
 * Exit codes: 0 done, 1 refused (unknown case, not allowed, illegal
 * transition, bad value — the reason on stderr), 2 usage. This file parses
 * arguments and prints; everything else is store_workflow.c's. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "qf_calendar.h"
#include "qf_case.h"
#include "store.h"
#include "store_cases.h"
#include "store_staff.h"
#include "store_workflow.h"

typedef struct ctl_case_args {
    const char *no;
    const char *as, *kind, *level, *lead, *platform, *text, *note, *request, *prior, *opinion;
    const char *signer, *enterprise, *problem, *locality, *decision, *at_level, *resolved;
    const char *rating, *comment, *status, *unit, *stars, *limit, *offset;
    const char *co[SD_WF_CO_MAX];
    size_t nco;
    bool co_given, json, overdue;
} ctl_case_args;

/* Every option: its name, where its value goes (NULL for a flag). */
typedef struct ctl_case_opt {
    const char *name;
    size_t value;                /* offsetof the const char * in ctl_case_args */
    size_t flag;                 /* offsetof the bool, when value is 0 */
} ctl_case_opt;

#define CTL_V(f) { "--" #f, offsetof(ctl_case_args, f), 0 }
static const ctl_case_opt ctl_case_opts[] = {
    CTL_V(as),     CTL_V(kind),     CTL_V(level),   CTL_V(lead),     CTL_V(platform),
    CTL_V(text),   CTL_V(note),     CTL_V(request), CTL_V(prior),    CTL_V(opinion),
    CTL_V(signer), CTL_V(enterprise), CTL_V(problem), CTL_V(locality), CTL_V(decision),
    CTL_V(resolved), CTL_V(rating), CTL_V(comment), CTL_V(status),   CTL_V(unit),
    CTL_V(stars),  CTL_V(limit),    CTL_V(offset),
    { "--at-level", offsetof(ctl_case_args, at_level), 0 },
    { "--json", 0, offsetof(ctl_case_args, json) },
    { "--overdue", 0, offsetof(ctl_case_args, overdue) },
    { "--co", 0, 0 }, /* repeatable and takes several values: handled apart */
};
#undef CTL_V

typedef struct ctl_case_verb {
    const char *name;
    bool needs_no;
    const char *options;         /* allowed, space separated, with spaces around */
    int (*run)(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args);
} ctl_case_verb;

static void ctl_case_usage(FILE *out)
{
    fprintf(out,
            "usage: qifu-ctl [--db PATH | --config FILE] case VERB ... [--as STAFF_ID]\n"
            "  case list [--status S] [--unit U] [--kind K] [--overdue] [--limit N] [--offset N] "
            "[--json]\n"
            "  case show NO [--json]\n"
            "  case form NO [--json]\n"
            "  case triage NO --kind simple|single|whistle|fallback [--level 1|3|5] --lead UNIT\n"
            "              [--co UNIT...] [--platform UNIT]\n"
            "  case transfer NO --lead UNIT [--platform UNIT]\n"
            "  case reply NO --text TEXT\n"
            "  case done NO [--note TEXT]\n"
            "  case escalate NO --request escalate|change_lead --prior TEXT [--opinion TEXT]\n"
            "              [--signer NAME] [--locality UNIT] [--enterprise TEXT] [--problem TEXT]\n"
            "  case decide NO --decision escalate|reassign|assign --opinion TEXT [--signer NAME]\n"
            "              [--lead UNIT] [--co UNIT...] [--kind K [--level N]] [--at-level LEVEL]\n"
            "  case feedback NO --resolved yes|no --rating 1-5 [--comment TEXT]\n"
            "  case rate NO --kind helper|lead --stars 1-5 [--comment TEXT]\n"
            "Units are ids (unit-018), names or aliases of the published catalog. Without --as\n"
            "the operator acts as \"ctl\"; actions print the case summary (--json: as JSON).\n");
}

/* ---- printing ------------------------------------------------------------ */

static int ctl_case_print_json(const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    if (!text) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        return CTL_EXIT_NO;
    }
    printf("%s\n", text);
    free(text);
    return CTL_EXIT_OK;
}

static const char *ctl_js(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "-";
}

/* "unit-018 区市场监管局" of a unit object, "-" for null. */
static void ctl_unit_text(const json_t *u, char *buf, size_t len)
{
    if (!json_is_object(u))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%s %s", ctl_js(u, "id"),
                 json_string_value(json_object_get(u, "name"))
                     ? json_string_value(json_object_get(u, "name"))
                     : "");
}

static void ctl_case_print_summary(const json_t *s)
{
    char unit[320];
    const json_t *v;
    size_t i;

    printf("case: %s\n", ctl_js(s, "case_no"));
    printf("status: %s (%s)\n", ctl_js(s, "status"), ctl_js(s, "status_label_zh"));
    printf("kind: %s (%s)\n", ctl_js(s, "kind"), ctl_js(s, "kind_label_zh"));
    printf("level: %s (%s)\n", ctl_js(s, "level"), ctl_js(s, "level_label_zh"));
    ctl_unit_text(json_object_get(s, "lead"), unit, sizeof unit);
    printf("lead: %s\n", unit);
    ctl_unit_text(json_object_get(s, "platform"), unit, sizeof unit);
    printf("platform: %s\n", unit);
    printf("co:");
    json_array_foreach(json_object_get(s, "co_units"), i, v) {
        ctl_unit_text(v, unit, sizeof unit);
        printf("%s %s", i ? "," : "", unit);
    }
    printf("%s\n", json_array_size(json_object_get(s, "co_units")) ? "" : " -");
    printf("deadline: %s%s\n", ctl_js(s, "deadline"),
           json_is_true(json_object_get(s, "overdue")) ? " (overdue)" : "");
    printf("reopened: %lld\n",
           (long long)json_integer_value(json_object_get(s, "reopen_count")));
}

/* Prints the outcome of an action. */
static int ctl_case_done(const ctl_case_args *args, const char *verb, qf_err rc,
                         const sd_wf_err *e, json_t *summary)
{
    int out = CTL_EXIT_OK;
    if (rc != QF_OK) {
        fprintf(stderr, "qifu-ctl: case %s: %s%s%s%s\n", verb,
                e->msg[0] ? e->msg : qf_err_str(rc), e->field[0] ? " (field: " : "", e->field,
                e->field[0] ? ")" : "");
        return CTL_EXIT_NO;
    }
    if (args->json)
        out = ctl_case_print_json(summary);
    else
        ctl_case_print_summary(summary);
    json_decref(summary);
    return out;
}

/* ---- numbers ------------------------------------------------------------- */

static bool ctl_case_number(const char *text, long min, long max, long *out)
{
    char *end;
    long v;
    if (!text || !*text)
        return false;
    v = strtol(text, &end, 10);
    if (*end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* ---- verbs --------------------------------------------------------------- */

static int ctl_case_list(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    sd_wf_filter f = { .status = args->status, .unit = args->unit, .kind = args->kind,
                       .overdue = args->overdue };
    long n = 0;
    json_t *out = NULL, *row;
    sd_wf_err e;
    size_t i;
    qf_err rc;

    if (args->limit) {
        if (!ctl_case_number(args->limit, 1, SD_WF_LIST_MAX, &n)) {
            fprintf(stderr, "qifu-ctl: case list: --limit must be 1 to %d\n", SD_WF_LIST_MAX);
            return CTL_EXIT_USAGE;
        }
        f.limit = (size_t)n;
    }
    if (args->offset) {
        if (!ctl_case_number(args->offset, 0, 1000000000L, &n)) {
            fprintf(stderr, "qifu-ctl: case list: --offset must be 0 or more\n");
            return CTL_EXIT_USAGE;
        }
        f.offset = (size_t)n;
    }
    rc = sd_store_wf_list(store, a, &f, &out, &e);
    if (rc != QF_OK) {
        fprintf(stderr, "qifu-ctl: case list: %s\n", e.msg[0] ? e.msg : qf_err_str(rc));
        return CTL_EXIT_NO;
    }
    if (args->json) {
        int r = ctl_case_print_json(out);
        json_decref(out);
        return r;
    }
    printf("%-18s %-14s %-13s %-16s %-10s %-26s %s\n", "CASE", "STATUS", "KIND", "LEVEL", "LEAD",
           "DEADLINE", "OVERDUE");
    json_array_foreach(json_object_get(out, "cases"), i, row) {
        const json_t *lead = json_object_get(row, "lead");
        printf("%-18s %-14s %-13s %-16s %-10s %-26s %s\n", ctl_js(row, "case_no"),
               ctl_js(row, "status"), ctl_js(row, "kind"), ctl_js(row, "level"),
               json_is_object(lead) ? ctl_js(lead, "id") : "-", ctl_js(row, "deadline"),
               json_is_true(json_object_get(row, "overdue")) ? "yes" : "no");
    }
    if (json_is_integer(json_object_get(out, "total")))
        printf("%zu of %lld case(s)\n", json_array_size(json_object_get(out, "cases")),
               (long long)json_integer_value(json_object_get(out, "total")));
    json_decref(out);
    return CTL_EXIT_OK;
}

static int ctl_case_show(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    json_t *out = NULL, *v;
    sd_wf_err e;
    size_t i;
    qf_err rc = sd_store_wf_show(store, a, args->no, &out, &e);
    int r = CTL_EXIT_OK;

    if (rc != QF_OK) {
        fprintf(stderr, "qifu-ctl: case show: %s\n", e.msg[0] ? e.msg : qf_err_str(rc));
        return CTL_EXIT_NO;
    }
    if (args->json) {
        r = ctl_case_print_json(out);
        json_decref(out);
        return r;
    }
    ctl_case_print_summary(out);
    printf("type: %s\nenterprise: %s\ncontact: %s %s\nsubmitted: %s\n", ctl_js(out, "type"),
           ctl_js(out, "enterprise_name"), ctl_js(out, "contact_name"), ctl_js(out, "mobile"),
           ctl_js(out, "submitted_at"));
    printf("description: %s\n", ctl_js(out, "description"));
    printf("\nunits:\n");
    json_array_foreach(json_object_get(out, "units"), i, v)
        printf("  %-4s %-9s %s  %s → %s\n", ctl_js(v, "role"), ctl_js(v, "id"), ctl_js(v, "name"),
               ctl_js(v, "since"), ctl_js(v, "until"));
    printf("escalations:\n");
    json_array_foreach(json_object_get(out, "escalations"), i, v)
        printf("  #%lld %-16s filed %s by %s; decision %s by %s at %s\n",
               (long long)json_integer_value(json_object_get(v, "id")), ctl_js(v, "level"),
               ctl_js(v, "filed_at"), ctl_js(v, "filed_by"), ctl_js(v, "decision"),
               ctl_js(v, "signer"), ctl_js(v, "decided_at"));
    printf("ratings:\n");
    json_array_foreach(json_object_get(out, "ratings"), i, v)
        printf("  %-6s %d/5 by %s for %s at %s\n", ctl_js(v, "kind"),
               (int)json_integer_value(json_object_get(v, "score")), ctl_js(v, "rater"),
               ctl_js(v, "subject"), ctl_js(v, "at"));
    printf("supervision:\n");
    json_array_foreach(json_object_get(out, "supervision"), i, v)
        printf("  %-5s due %s, fired %s\n", ctl_js(v, "action"), ctl_js(v, "due_at"),
               ctl_js(v, "fired_at"));
    printf("timeline:\n");
    json_array_foreach(json_object_get(out, "events"), i, v)
        printf("  %s  %-10s %s\n", ctl_js(v, "at"), ctl_js(v, "event"), ctl_js(v, "actor"));
    printf("audit: %zu entr%s (--json shows before/after)\n",
           json_array_size(json_object_get(out, "audit")),
           json_array_size(json_object_get(out, "audit")) == 1 ? "y" : "ies");
    json_decref(out);
    return r;
}

static int ctl_case_form(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    json_t *form = NULL;
    char *text = NULL;
    sd_wf_err e;
    qf_err rc = sd_store_wf_form(store, a, args->no, &form, &e);
    int r;

    if (rc != QF_OK) {
        fprintf(stderr, "qifu-ctl: case form: %s\n", e.msg[0] ? e.msg : qf_err_str(rc));
        return CTL_EXIT_NO;
    }
    if (args->json) {
        r = ctl_case_print_json(form);
        json_decref(form);
        return r;
    }
    rc = sd_wf_form_render(form, &text);
    json_decref(form);
    if (rc != QF_OK) {
        fprintf(stderr, "qifu-ctl: case form: the form could not be laid out\n");
        return CTL_EXIT_NO;
    }
    fputs(text, stdout);
    free(text);
    return CTL_EXIT_OK;
}

static int ctl_case_triage(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    sd_wf_triage_in in = { .kind = args->kind, .lead = args->lead, .co = args->co,
                           .nco = args->nco, .platform = args->platform };
    json_t *summary = NULL;
    sd_wf_err e;
    long level = 0;

    if (!args->kind || !args->lead) {
        fprintf(stderr, "qifu-ctl: case triage: --kind and --lead are required\n");
        return CTL_EXIT_USAGE;
    }
    if (args->level && !ctl_case_number(args->level, 1, 5, &level)) {
        fprintf(stderr, "qifu-ctl: case triage: --level must be 1, 3 or 5\n");
        return CTL_EXIT_USAGE;
    }
    in.level = (int)level;
    qf_err rc = sd_store_wf_triage(store, a, args->no, &in, &summary, &e);
    return ctl_case_done(args, "triage", rc, &e, summary);
}

static int ctl_case_transfer(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    json_t *summary = NULL;
    sd_wf_err e;
    if (!args->lead) {
        fprintf(stderr, "qifu-ctl: case transfer: --lead is required\n");
        return CTL_EXIT_USAGE;
    }
    qf_err rc =
        sd_store_wf_transfer(store, a, args->no, args->lead, args->platform, &summary, &e);
    return ctl_case_done(args, "transfer", rc, &e, summary);
}

static int ctl_case_reply(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    json_t *summary = NULL;
    sd_wf_err e;
    if (!args->text) {
        fprintf(stderr, "qifu-ctl: case reply: --text is required\n");
        return CTL_EXIT_USAGE;
    }
    qf_err rc = sd_store_wf_reply(store, a, args->no, args->text, &summary, &e);
    return ctl_case_done(args, "reply", rc, &e, summary);
}

static int ctl_case_finish(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    json_t *summary = NULL;
    sd_wf_err e;
    qf_err rc = sd_store_wf_done(store, a, args->no, args->note, &summary, &e);
    return ctl_case_done(args, "done", rc, &e, summary);
}

static int ctl_case_escalate(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    sd_wf_form_in in = { .request = args->request, .prior = args->prior,
                         .opinion = args->opinion, .signer = args->signer,
                         .enterprise = args->enterprise, .problem = args->problem,
                         .locality = args->locality };
    json_t *summary = NULL;
    sd_wf_err e;
    if (!args->request || !args->prior) {
        fprintf(stderr, "qifu-ctl: case escalate: --request and --prior are required\n");
        return CTL_EXIT_USAGE;
    }
    qf_err rc = sd_store_wf_escalate(store, a, args->no, &in, &summary, &e);
    return ctl_case_done(args, "escalate", rc, &e, summary);
}

static int ctl_case_decide(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    sd_wf_decision_in in = { .decision = args->decision, .opinion = args->opinion,
                             .signer = args->signer, .lead = args->lead,
                             .co = args->co_given ? args->co : NULL, .nco = args->nco,
                             .kind = args->kind, .expect_level = args->at_level };
    json_t *summary = NULL;
    sd_wf_err e;
    long level = 0;

    if (!args->decision || !args->opinion) {
        fprintf(stderr, "qifu-ctl: case decide: --decision and --opinion are required\n");
        return CTL_EXIT_USAGE;
    }
    if (args->level && !ctl_case_number(args->level, 1, 5, &level)) {
        fprintf(stderr, "qifu-ctl: case decide: --level must be 1, 3 or 5\n");
        return CTL_EXIT_USAGE;
    }
    in.level = (int)level;
    qf_err rc = sd_store_wf_decide(store, a, args->no, &in, &summary, &e);
    return ctl_case_done(args, "decide", rc, &e, summary);
}

static int ctl_case_feedback(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    qf_case_state next;
    qf_case_status status = QF_CASE_SUBMITTED;
    json_t *summary = NULL;
    sd_wf_err e;
    char err[256] = "";
    long score = 0;
    bool resolved;
    qf_err rc;

    if (!args->resolved || (strcmp(args->resolved, "yes") != 0 &&
                            strcmp(args->resolved, "no") != 0)) {
        fprintf(stderr, "qifu-ctl: case feedback: --resolved yes|no is required\n");
        return CTL_EXIT_USAGE;
    }
    if (!ctl_case_number(args->rating, 1, 5, &score)) {
        fprintf(stderr, "qifu-ctl: case feedback: --rating 1-5 is required (5 非常满意 … 1 "
                        "非常不满意)\n");
        return CTL_EXIT_USAGE;
    }
    resolved = strcmp(args->resolved, "yes") == 0;
    if (!sd_case_no_valid(args->no)) {
        fprintf(stderr, "qifu-ctl: case feedback: no case %s\n", args->no);
        return CTL_EXIT_NO;
    }
    if (args->comment && strlen(args->comment) > SD_WF_NOTE_MAX * 4) {
        fprintf(stderr, "qifu-ctl: case feedback: --comment is too long\n");
        return CTL_EXIT_USAGE;
    }
    rc = sd_store_case_feedback(store, args->no, resolved, sd_case_rating_name((int)score),
                                args->comment, a->name, a->now, a->cal, &next, &status, err,
                                sizeof err);
    if (rc != QF_OK) {
        fprintf(stderr, "qifu-ctl: case feedback: %s\n", err[0] ? err : qf_err_str(rc));
        return CTL_EXIT_NO;
    }
    memset(&e, 0, sizeof e);
    rc = sd_store_wf_summary(store, a, args->no, &summary, &e);
    return ctl_case_done(args, "feedback", rc, &e, summary);
}

static int ctl_case_rate(sd_store *store, const sd_wf_actor *a, const ctl_case_args *args)
{
    json_t *summary = NULL;
    sd_wf_err e;
    long stars = 0;
    if (!args->kind || !ctl_case_number(args->stars, 1, 5, &stars)) {
        fprintf(stderr, "qifu-ctl: case rate: --kind helper|lead and --stars 1-5 are required\n");
        return CTL_EXIT_USAGE;
    }
    qf_err rc = sd_store_wf_rate(store, a, args->no, args->kind, (int)stars, args->comment,
                                 &summary, &e);
    return ctl_case_done(args, "rate", rc, &e, summary);
}

static const ctl_case_verb ctl_case_verbs[] = {
    { "list", false, " --status --unit --kind --overdue --limit --offset --json --as ",
      ctl_case_list },
    { "show", true, " --json --as ", ctl_case_show },
    { "form", true, " --json --as ", ctl_case_form },
    { "triage", true, " --kind --level --lead --co --platform --json --as ", ctl_case_triage },
    { "transfer", true, " --lead --platform --json --as ", ctl_case_transfer },
    { "reply", true, " --text --json --as ", ctl_case_reply },
    { "done", true, " --note --json --as ", ctl_case_finish },
    { "escalate", true,
      " --request --prior --opinion --signer --locality --enterprise --problem --json --as ",
      ctl_case_escalate },
    { "decide", true,
      " --decision --opinion --signer --lead --co --kind --level --at-level --json --as ",
      ctl_case_decide },
    { "feedback", true, " --resolved --rating --comment --json ", ctl_case_feedback },
    { "rate", true, " --kind --stars --comment --json --as ", ctl_case_rate },
};

/* ---- parsing and the actor ----------------------------------------------- */

static bool ctl_case_allowed(const ctl_case_verb *verb, const char *opt)
{
    char key[40];
    snprintf(key, sizeof key, " %s ", opt);
    return strstr(verb->options, key) != NULL;
}

static int ctl_case_parse(const ctl_case_verb *verb, int argc, char **argv, ctl_case_args *args)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const ctl_case_opt *opt = NULL;

        if (a[0] != '-' || a[1] != '-') {
            if (verb->needs_no && !args->no) {
                args->no = a;
                continue;
            }
            fprintf(stderr, "qifu-ctl: case %s: unexpected '%s'\n", verb->name, a);
            return CTL_EXIT_USAGE;
        }
        for (size_t k = 0; k < sizeof ctl_case_opts / sizeof ctl_case_opts[0]; k++)
            if (strcmp(ctl_case_opts[k].name, a) == 0)
                opt = &ctl_case_opts[k];
        if (!opt || !ctl_case_allowed(verb, a)) {
            fprintf(stderr, "qifu-ctl: case %s: unknown option '%s'\n", verb->name, a);
            return CTL_EXIT_USAGE;
        }
        if (strcmp(a, "--co") == 0) {
            /* --co A B C, or --co A --co B; NO goes before the options */
            args->co_given = true;
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
                if (args->nco == SD_WF_CO_MAX) {
                    fprintf(stderr, "qifu-ctl: case %s: at most %d co-units\n", verb->name,
                            SD_WF_CO_MAX);
                    return CTL_EXIT_USAGE;
                }
                args->co[args->nco++] = argv[++i];
            }
            continue;
        }
        if (opt->value) {
            const char **slot = (const char **)(void *)((char *)args + opt->value);
            if (i + 1 >= argc || *slot) {
                fprintf(stderr, "qifu-ctl: case %s: %s %s\n", verb->name, a,
                        *slot ? "given twice" : "needs a value");
                return CTL_EXIT_USAGE;
            }
            *slot = argv[++i];
        } else {
            *(bool *)(void *)((char *)args + opt->flag) = true;
        }
    }
    if (verb->needs_no && !args->no) {
        fprintf(stderr, "qifu-ctl: case %s: missing the case number NO\n", verb->name);
        return CTL_EXIT_USAGE;
    }
    return CTL_EXIT_OK;
}

int ctl_case_main(const ctl_options *opts, int argc, char **argv)
{
    const ctl_case_verb *verb = NULL;
    ctl_case_args args;
    sd_store *store = NULL;
    qf_calendar *cal = NULL;
    sd_principal who;
    sd_wf_actor actor = { .name = "ctl" };
    char path[4096], err[512], name[96];
    sd_staff staff;
    int rc;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        ctl_case_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof ctl_case_verbs / sizeof ctl_case_verbs[0]; i++)
        if (strcmp(ctl_case_verbs[i].name, argv[1]) == 0)
            verb = &ctl_case_verbs[i];
    if (!verb) {
        fprintf(stderr, "qifu-ctl: case: unknown verb '%s'\n", argv[1]);
        ctl_case_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    memset(&args, 0, sizeof args);
    if ((rc = ctl_case_parse(verb, argc, argv, &args)) != CTL_EXIT_OK) {
        ctl_case_usage(stderr);
        return rc;
    }
    if (!opts->db_path) {
        fprintf(stderr, "qifu-ctl: case: which database? give --db PATH or --config FILE\n");
        return CTL_EXIT_USAGE;
    }
    /* Deadlines count working days: the same holiday files as the daemon's
     * shipped configuration. */
    snprintf(path, sizeof path, "%s/config/holidays", opts->data_dir);
    if (qf_calendar_new(&cal) != QF_OK) {
        fprintf(stderr, "qifu-ctl: out of memory\n");
        return CTL_EXIT_NO;
    }
    rc = CTL_EXIT_NO;
    if (qf_calendar_load_dir(cal, path, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: holiday calendar: %s\n", err);
        goto out;
    }
    if (sd_store_open(opts->db_path, &store, err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-ctl: %s\n", err);
        goto out;
    }
    if (args.as) {
        qf_err qrc = sd_store_staff_get(store, args.as, &staff);
        if (qrc != QF_OK || staff.disabled_at) {
            fprintf(stderr, "qifu-ctl: case: --as %s: %s\n", args.as,
                    qrc == QF_ERR_NOT_FOUND ? "no such staff account"
                    : qrc != QF_OK          ? "the account could not be read"
                                            : "the account is disabled");
            goto out;
        }
        memset(&who, 0, sizeof who);
        who.kind = SD_PRINCIPAL_STAFF;
        snprintf(who.subject, sizeof who.subject, "%s", staff.id);
        snprintf(who.role, sizeof who.role, "%s", staff.role);
        snprintf(who.unit, sizeof who.unit, "%s", staff.unit);
        snprintf(name, sizeof name, "staff:%s", staff.id);
        actor.name = name;
        actor.who = &who;
        actor.signer = staff.name[0] ? staff.name : NULL;
    }
    actor.now = qf_clock_now();
    actor.cal = cal;
    rc = verb->run(store, &actor, &args);
out:
    sd_store_close(store);
    qf_calendar_free(cal);
    return rc;
}
