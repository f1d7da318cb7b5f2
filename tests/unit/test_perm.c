/* test_perm.c — perm.c: the role × action table, written out again here as
 * the expectation (so a change to perm.c's table must be made twice, on
 * purpose), and the unit rule: a department acts on cases its unit leads,
 * a co-unit may view and reply but not finish, escalate or transfer; a
 * platform/street acts on its own cases and on untriaged cases no platform
 * owns yet. Every refusal carries a sentence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "perm.h"

#define UNIT_DEPT   "unit-004"   /* a department */
#define UNIT_OTHER  "unit-003"   /* another department */
#define UNIT_STREET "unit-080"   /* a street */
#define UNIT_STREET2 "unit-081"  /* another street */

/* ---- the role-level table (no case given) -------------------------------- */

/* Column order = sd_action order. 1 = allowed. */
static const struct {
    sd_principal_kind kind;
    const char *role;
    int allowed[SD_ACT__COUNT];
} role_table[] = {
    /*                                        VIEW LIST TRIA TRAN REPL DONE ESCA DTF  DLD  RATE SUBM OVER ADMN */
    { SD_PRINCIPAL_STAFF,    "helper",     {  1,   0,   0,   0,   0,   0,   0,   0,   0,   1,   1,   0,   0 } },
    { SD_PRINCIPAL_STAFF,    "triage",     {  1,   1,   1,   1,   1,   1,   1,   0,   0,   0,   0,   1,   0 } },
    { SD_PRINCIPAL_STAFF,    "department", {  1,   1,   0,   1,   1,   1,   1,   0,   0,   0,   0,   1,   0 } },
    { SD_PRINCIPAL_STAFF,    "taskforce",  {  1,   1,   0,   0,   0,   0,   0,   1,   0,   0,   0,   1,   0 } },
    { SD_PRINCIPAL_STAFF,    "leader",     {  1,   1,   0,   0,   0,   0,   0,   0,   1,   0,   0,   1,   0 } },
    { SD_PRINCIPAL_STAFF,    "operator",   {  1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1 } },
    { SD_PRINCIPAL_STAFF,    "technician", {  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0 } },
    { SD_PRINCIPAL_OPERATOR, "operator",   {  1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1 } },
    { SD_PRINCIPAL_DEVICE,   "device",     {  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   1,   0,   0 } },
    { SD_PRINCIPAL_STAFF,    "janitor",    {  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0 } },
    { SD_PRINCIPAL_NONE,     "",           {  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0 } },
};

static sd_principal principal(sd_principal_kind kind, const char *role, const char *unit)
{
    sd_principal p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    snprintf(p.subject, sizeof p.subject, "t-%s", role);
    snprintf(p.role, sizeof p.role, "%s", role);
    snprintf(p.unit, sizeof p.unit, "%s", unit ? unit : "");
    return p;
}

static void test_every_role_may_do_exactly_its_actions(void **state)
{
    (void)state;
    assert_int_equal(SD_ACT__COUNT, 13); /* a new action needs a new column above */
    for (size_t r = 0; r < sizeof role_table / sizeof role_table[0]; r++) {
        sd_principal who = principal(role_table[r].kind, role_table[r].role, UNIT_DEPT);
        for (int a = 0; a < SD_ACT__COUNT; a++) {
            const char *why = "unset";
            bool got = sd_perm_allows(&who, (sd_action)a, NULL, &why);
            if (got != (role_table[r].allowed[a] != 0))
                fail_msg("%s may%s %s, expected the opposite", role_table[r].role,
                         got ? "" : " not", sd_action_name((sd_action)a));
            if (got)
                assert_null(why);
            else if (!why || !*why)
                fail_msg("%s refused %s without a reason", role_table[r].role,
                         sd_action_name((sd_action)a));
        }
    }
}

static void test_actions_have_names(void **state)
{
    (void)state;
    for (int a = 0; a < SD_ACT__COUNT; a++)
        assert_string_not_equal(sd_action_name((sd_action)a), "unknown");
    assert_string_equal(sd_action_name(SD_ACT_DONE), "done");
    assert_string_equal(sd_action_name(SD_ACT__COUNT), "unknown");
}

/* ---- the unit rule ------------------------------------------------------- */

static const char *const co_dept[] = { UNIT_DEPT, NULL };
static const char *const co_other[] = { UNIT_OTHER, NULL };

typedef struct unit_case {
    const char *name;
    const char *role;
    const char *unit;
    sd_action action;
    sd_perm_case c;
    bool allowed;
    const char *why_mentions;   /* a word the refusal must contain */
} unit_case;

static const unit_case unit_cases[] = {
    /* department: own unit leads → allowed */
    { "dept lead views",    "department", UNIT_DEPT, SD_ACT_CASE_VIEW, { UNIT_DEPT, NULL, UNIT_STREET }, true, NULL },
    { "dept lead replies",  "department", UNIT_DEPT, SD_ACT_REPLY,     { UNIT_DEPT, NULL, UNIT_STREET }, true, NULL },
    { "dept lead finishes", "department", UNIT_DEPT, SD_ACT_DONE,      { UNIT_DEPT, co_other, UNIT_STREET }, true, NULL },
    { "dept lead escalates","department", UNIT_DEPT, SD_ACT_ESCALATE,  { UNIT_DEPT, NULL, UNIT_STREET }, true, NULL },
    { "dept lead transfers","department", UNIT_DEPT, SD_ACT_TRANSFER,  { UNIT_DEPT, NULL, UNIT_STREET }, true, NULL },
    /* department: another unit leads → denied */
    { "other unit views",   "department", UNIT_DEPT, SD_ACT_CASE_VIEW, { UNIT_OTHER, NULL, UNIT_STREET }, false, "not led by your unit" },
    { "other unit replies", "department", UNIT_DEPT, SD_ACT_REPLY,     { UNIT_OTHER, co_other, UNIT_STREET }, false, "not led by your unit" },
    { "other unit finishes","department", UNIT_DEPT, SD_ACT_DONE,      { UNIT_OTHER, NULL, UNIT_STREET }, false, "not led by your unit" },
    { "untriaged, dept",    "department", UNIT_DEPT, SD_ACT_REPLY,     { NULL, NULL, NULL }, false, "not led by your unit" },
    /* department: co-unit may reply (and view) but not finish */
    { "co-unit replies",    "department", UNIT_DEPT, SD_ACT_REPLY,     { UNIT_OTHER, co_dept, UNIT_STREET }, true, NULL },
    { "co-unit views",      "department", UNIT_DEPT, SD_ACT_CASE_VIEW, { UNIT_OTHER, co_dept, UNIT_STREET }, true, NULL },
    { "co-unit finishes",   "department", UNIT_DEPT, SD_ACT_DONE,      { UNIT_OTHER, co_dept, UNIT_STREET }, false, "lead unit" },
    { "co-unit escalates",  "department", UNIT_DEPT, SD_ACT_ESCALATE,  { UNIT_OTHER, co_dept, UNIT_STREET }, false, "lead unit" },
    { "co-unit transfers",  "department", UNIT_DEPT, SD_ACT_TRANSFER,  { UNIT_OTHER, co_dept, UNIT_STREET }, false, "lead unit" },
    /* the table still applies before the unit rule */
    { "dept lead triages",  "department", UNIT_DEPT, SD_ACT_TRIAGE,    { UNIT_DEPT, NULL, UNIT_STREET }, false, "role" },
    /* a department account without a unit acts on nothing */
    { "dept without unit",  "department", "",        SD_ACT_REPLY,     { UNIT_DEPT, NULL, UNIT_STREET }, false, "no unit" },
    /* triage: own platform/street */
    { "street triages own", "triage", UNIT_STREET,   SD_ACT_TRIAGE,    { NULL, NULL, UNIT_STREET }, true, NULL },
    { "street views own",   "triage", UNIT_STREET,   SD_ACT_CASE_VIEW, { UNIT_DEPT, NULL, UNIT_STREET }, true, NULL },
    { "street leads 吹哨",   "triage", UNIT_STREET,   SD_ACT_DONE,      { UNIT_STREET, co_dept, UNIT_STREET }, true, NULL },
    { "untriaged, unowned", "triage", UNIT_STREET,   SD_ACT_TRIAGE,    { NULL, NULL, NULL }, true, NULL },
    { "untriaged, owned ''", "triage", UNIT_STREET,  SD_ACT_TRIAGE,    { NULL, NULL, "" }, true, NULL },
    { "other street",       "triage", UNIT_STREET,   SD_ACT_TRIAGE,    { NULL, NULL, UNIT_STREET2 }, false, "another platform" },
    { "other street views", "triage", UNIT_STREET,   SD_ACT_CASE_VIEW, { UNIT_DEPT, NULL, UNIT_STREET2 }, false, "another platform" },
    /* roles without a unit rule ignore the case's units */
    { "taskforce decides",  "taskforce", "",         SD_ACT_DECIDE_TASKFORCE, { UNIT_OTHER, NULL, UNIT_STREET2 }, true, NULL },
    { "leader decides",     "leader", "",            SD_ACT_DECIDE_LEADER,    { UNIT_OTHER, NULL, UNIT_STREET2 }, true, NULL },
    { "leader no taskforce","leader", "",            SD_ACT_DECIDE_TASKFORCE, { UNIT_OTHER, NULL, UNIT_STREET2 }, false, "role" },
    { "helper views any",   "helper", "",            SD_ACT_CASE_VIEW, { UNIT_OTHER, NULL, UNIT_STREET2 }, true, NULL },
    { "operator finishes",  "operator", "",          SD_ACT_DONE,      { UNIT_OTHER, NULL, UNIT_STREET2 }, true, NULL },
    /* list actions are filtered by the handler, not refused here */
    { "dept lists",         "department", UNIT_DEPT, SD_ACT_CASE_LIST, { UNIT_OTHER, NULL, NULL }, true, NULL },
};

static void test_unit_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof unit_cases / sizeof unit_cases[0]; i++) {
        const unit_case *t = &unit_cases[i];
        sd_principal who = principal(SD_PRINCIPAL_STAFF, t->role, t->unit);
        const char *why = NULL;
        bool got = sd_perm_allows(&who, t->action, &t->c, &why);
        if (got != t->allowed)
            fail_msg("%s: expected %s, got %s (%s)", t->name, t->allowed ? "allowed" : "denied",
                     got ? "allowed" : "denied", why ? why : "");
        if (!got && (!why || !strstr(why, t->why_mentions)))
            fail_msg("%s: reason '%s' does not mention '%s'", t->name, why ? why : "(none)",
                     t->why_mentions);
    }
}

static void test_operator_token_passes_the_unit_rule(void **state)
{
    (void)state;
    sd_principal op = principal(SD_PRINCIPAL_OPERATOR, "operator", NULL);
    sd_perm_case c = { UNIT_OTHER, co_other, UNIT_STREET2 };
    for (int a = 0; a < SD_ACT__COUNT; a++)
        assert_true(sd_perm_allows(&op, (sd_action)a, &c, NULL));
}

static void test_device_may_not_act_on_cases_even_with_units(void **state)
{
    (void)state;
    sd_principal dev = principal(SD_PRINCIPAL_DEVICE, "device", UNIT_DEPT);
    sd_perm_case c = { UNIT_DEPT, NULL, UNIT_DEPT };
    const char *why = NULL;
    assert_false(sd_perm_allows(&dev, SD_ACT_CASE_VIEW, &c, &why));
    assert_non_null(strstr(why, "kiosk"));
    assert_true(sd_perm_allows(&dev, SD_ACT_SUBMIT, NULL, NULL));
}

static void test_null_principal_and_bad_action_are_refused(void **state)
{
    (void)state;
    sd_principal op = principal(SD_PRINCIPAL_OPERATOR, "operator", NULL);
    const char *why = NULL;
    assert_false(sd_perm_allows(NULL, SD_ACT_CASE_VIEW, NULL, &why));
    assert_non_null(why);
    assert_false(sd_perm_allows(&op, SD_ACT__COUNT, NULL, &why));
    assert_false(sd_perm_allows(&op, (sd_action)-1, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_role_may_do_exactly_its_actions),
        cmocka_unit_test(test_actions_have_names),
        cmocka_unit_test(test_unit_rule),
        cmocka_unit_test(test_operator_token_passes_the_unit_rule),
        cmocka_unit_test(test_device_may_not_act_on_cases_even_with_units),
        cmocka_unit_test(test_null_principal_and_bad_action_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
