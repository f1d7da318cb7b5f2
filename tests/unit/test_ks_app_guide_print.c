/* test_ks_app_guide_print.c — 打印指南's state (ks_app.c) and the guide
 * slip's mapping from the catalog (pr_guide_from_catalog, shared with
 * qifu-ctl print guide): the tap asks only on a guide screen, for the
 * service shown; the runtime's job gets a deadline past which the slip is
 * given up (timed out, never printed) and a late outcome is ignored; a
 * stale job is ignored; a slip that did not print may be asked again, one
 * that printed may not; another guide, leaving it, or the session's end
 * forget it. The mapping copies title, steps, units, phone and the online
 * URL (materials too, when a 服务指南 names the service: none of the
 * shipped ones do yet), outlives the catalog, and says NOT_FOUND for an
 * unknown service. No SDL, no printer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_catalog.h"

#include "ks_app.h"
#include "pr.h"

/* A service with an online URL, a flow and units. */
static const qf_catalog_service *rich_service(const qf_catalog *cat)
{
    for (size_t i = 0; i < cat->services_count; i++) {
        const qf_catalog_service *s = &cat->services[i];
        if (s->online && s->online->url && s->flow.count && s->units.count &&
            s->contacts_count && s->contacts[0].phone)
            return s;
    }
    return NULL;
}

static void start(ks_app *app)
{
    ks_app_init(app, 90);
    ks_app_catalog_take(app, load_catalog(), 1);
    ks_app_configure(app, false, true);
    ks_app_session_start(app, 0);
}

static void test_guide_print_asks_only_on_a_guide_for_the_service_shown(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_guide_print(&app);                          /* home: nothing to print */
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_NONE);
    const qf_catalog_service *s = &app.catalog->services[0];
    ks_app_service_open(&app, s->id);
    ks_app_guide_print(&app);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_ASK);
    assert_string_equal(app.guide_print.service_id, s->id);
    ks_app_guide_print(&app);                          /* a second tap changes nothing */
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_ASK);
    ks_app_cleanup(&app);
}

static void test_guide_slip_printed_in_time_says_printed_and_may_not_print_again(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_service_open(&app, app.catalog->services[0].id);
    ks_app_guide_print(&app);
    ks_app_guide_print_started(&app, 7, 1000, 15000);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_PRINTING);
    assert_int_equal(ks_app_next_deadline_ms(&app, 1000), 15000);
    ks_app_guide_printed(&app, 6, true, "ok", 2000);  /* another job: stale */
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_PRINTING);
    ks_app_guide_printed(&app, 7, true, "ok", 2000);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_DONE);
    assert_true(app.guide_print.slip.printed);
    assert_false(app.guide_print.slip.timed_out);
    assert_true(app.toast.shown);                      /* where to take it */
    assert_non_null(strstr(app.toast.zh, "取走"));
    assert_int_equal(ks_app_next_deadline_ms(&app, 2000), KS_TOAST_MS);   /* the toast's */
    ks_app_guide_print(&app);                          /* printed: no second slip */
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_DONE);
    ks_app_cleanup(&app);
}

static void test_guide_slip_past_its_deadline_times_out_and_ignores_a_late_printed(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_service_open(&app, app.catalog->services[0].id);
    ks_app_guide_print(&app);
    ks_app_guide_print_started(&app, 9, 1000, 0);     /* 0: the default */
    ks_app_tick(&app, 1000 + KS_PRINT_TIMEOUT_MS - 1);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_PRINTING);
    ks_app_tick(&app, 1000 + KS_PRINT_TIMEOUT_MS);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_DONE);
    assert_true(app.guide_print.slip.timed_out);
    assert_false(app.guide_print.slip.printed);
    ks_app_guide_printed(&app, 9, true, "ok", 20000);  /* too late */
    assert_false(app.guide_print.slip.printed);
    /* Not printed: the button is back and asks again. */
    ks_app_guide_print(&app);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_ASK);
    assert_false(app.guide_print.slip.timed_out);
    ks_app_cleanup(&app);
}

static void test_a_paper_out_slip_may_be_asked_again(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_service_open(&app, app.catalog->services[0].id);
    ks_app_guide_print(&app);
    ks_app_guide_print_started(&app, 3, 0, 15000);
    ks_app_guide_printed(&app, 3, false, "paper_out", 100);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_DONE);
    assert_false(app.guide_print.slip.printed);
    assert_string_equal(app.guide_print.slip.printer_status, "paper_out");
    assert_false(app.toast.shown);                     /* nothing to take */
    ks_app_guide_print(&app);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_ASK);
    ks_app_cleanup(&app);
}

static void test_leaving_the_guide_forgets_its_slip_and_a_late_outcome_is_stale(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_service_open(&app, app.catalog->services[0].id);
    ks_app_guide_print(&app);
    ks_app_guide_print_started(&app, 4, 0, 15000);
    ks_app_back(&app);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_NONE);
    ks_app_service_open(&app, app.catalog->services[1].id);
    ks_app_guide_printed(&app, 4, true, "ok", 100);   /* the other guide's slip */
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_NONE);
    assert_false(app.guide_print.slip.printed);
    ks_app_guide_print(&app);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_ASK);
    ks_app_session_end(&app);
    assert_int_equal(app.guide_print.slip.phase, KS_PRINT_NONE);
    assert_string_equal(app.guide_print.service_id, "");
    ks_app_cleanup(&app);
}

static void test_the_guide_mapping_copies_the_catalog_and_outlives_it(void **state)
{
    (void)state;
    qf_catalog *cat = load_catalog();
    const qf_catalog_service *s = rich_service(cat);
    assert_non_null(s);
    /* The shipped 服务指南 name no service yet: then no materials. */
    const qf_catalog_guide *cg = qf_catalog_guide_for_service(cat, s->id);
    size_t nmat = cg ? cg->materials_count : 0;
    char id[QF_CATALOG_MAX_ID + 1], url[1024], step0[1024], title[1024], unit0[512], phone[64];
    snprintf(id, sizeof id, "%s", s->id);
    snprintf(url, sizeof url, "%s", s->online->url);
    snprintf(step0, sizeof step0, "%s", s->flow.items[0]);
    snprintf(title, sizeof title, "%s",
             s->category3 && *s->category3 ? s->category3 : s->content);
    snprintf(unit0, sizeof unit0, "%s", s->units.items[0]);
    snprintf(phone, sizeof phone, "%s", s->contacts[0].phone);
    size_t nsteps = s->flow.count;
    pr_guide *g = NULL;
    char err[256] = "";
    assert_int_equal(pr_guide_from_catalog(cat, id, &g, err, sizeof err), QF_OK);
    qf_catalog_free(cat);                      /* the copy stands alone */
    assert_string_equal(g->title, title);
    assert_string_equal(g->online_url, url);
    assert_string_equal(g->phone, phone);
    assert_int_equal(g->nsteps, nsteps < PR_GUIDE_ITEMS_MAX ? nsteps : PR_GUIDE_ITEMS_MAX);
    assert_string_equal(g->steps[0], step0);
    assert_int_equal(g->nmaterials, nmat < PR_GUIDE_ITEMS_MAX ? nmat : PR_GUIDE_ITEMS_MAX);
    assert_non_null(strstr(g->unit, unit0));
    pr_guide_free(g);
}

static void test_the_guide_mapping_of_an_unknown_service_is_not_found(void **state)
{
    (void)state;
    qf_catalog *cat = load_catalog();
    pr_guide *g = (pr_guide *)&g;              /* must be reset */
    char err[256] = "";
    assert_int_equal(pr_guide_from_catalog(cat, "svc-no-such", &g, err, sizeof err),
                     QF_ERR_NOT_FOUND);
    assert_null(g);
    assert_non_null(strstr(err, "svc-no-such"));
    pr_guide_free(NULL);
    qf_catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guide_print_asks_only_on_a_guide_for_the_service_shown),
        cmocka_unit_test(test_guide_slip_printed_in_time_says_printed_and_may_not_print_again),
        cmocka_unit_test(test_guide_slip_past_its_deadline_times_out_and_ignores_a_late_printed),
        cmocka_unit_test(test_a_paper_out_slip_may_be_asked_again),
        cmocka_unit_test(test_leaving_the_guide_forgets_its_slip_and_a_late_outcome_is_stale),
        cmocka_unit_test(test_the_guide_mapping_copies_the_catalog_and_outlives_it),
        cmocka_unit_test(test_the_guide_mapping_of_an_unknown_service_is_not_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
