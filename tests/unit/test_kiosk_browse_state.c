/* test_kiosk_browse_state.c — the session-state actions behind the "一类事"
 * bundle and industry-station screens (ks_app.c): opening the lists and one item
 * pushes the screen and selects the id, an unknown id changes nothing, back
 * drops the selection, the end of a session wipes it, and a new catalog
 * without the selected item sends the citizen home. No SDL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_catalog.h"

#include "ks_app.h"

static unsigned seen;

static void observe(void *ud, unsigned changes)
{
    (void)ud;
    seen |= changes;
}

static void start(ks_app *app)
{
    ks_app_init(app, 90);
    ks_app_set_observer(app, observe, NULL);
    ks_app_catalog_take(app, load_catalog(), 1);
    ks_app_session_start(app, 0);
    seen = 0;
}

static void test_bundle_open_selects_and_back_clears(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_bundles_open(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_BUNDLES);
    assert_true(seen & KS_CHANGE_SCREEN);
    ks_app_bundle_open(&app, "bundle-market-entry");
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_BUNDLE);
    assert_non_null(ks_app_bundle(&app));
    assert_string_equal(ks_app_bundle(&app)->name, "市场准入一类事");
    ks_app_back(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_BUNDLES);
    assert_null(ks_app_bundle(&app));
    ks_app_back(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_HOME);
    ks_app_cleanup(&app);
}

static void test_unknown_ids_change_nothing(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_bundles_open(&app);
    seen = 0;
    ks_app_bundle_open(&app, "bundle-no-such");
    ks_app_station_open(&app, "station-no-such");
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_BUNDLES);
    assert_int_equal(seen, 0);
    assert_null(ks_app_bundle(&app));
    assert_null(ks_app_station(&app));
    ks_app_cleanup(&app);
}

static void test_station_open_selects_and_session_end_wipes(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_stations_open(&app);
    ks_app_station_open(&app, "station-bio");
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_STATION);
    assert_non_null(ks_app_station(&app));
    assert_string_equal(ks_app_station(&app)->name, "生物医药产业服务驿站");
    ks_app_session_end(&app);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_IDLE);
    assert_null(ks_app_station(&app));
    assert_string_equal(app.station_id, "");
    ks_app_cleanup(&app);
}

static void test_catalog_without_the_station_sends_home(void **state)
{
    (void)state;
    ks_app app;
    start(&app);
    ks_app_stations_open(&app);
    ks_app_station_open(&app, "station-bio");
    qf_catalog *empty = NULL;
    assert_int_equal(qf_catalog_new(&empty), QF_OK);
    ks_app_catalog_take(&app, empty, 2);
    assert_int_equal(ks_app_screen(&app), KS_SCREEN_HOME);
    assert_null(ks_app_station(&app));
    ks_app_cleanup(&app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_open_selects_and_back_clears),
        cmocka_unit_test(test_unknown_ids_change_nothing),
        cmocka_unit_test(test_station_open_selects_and_session_end_wipes),
        cmocka_unit_test(test_catalog_without_the_station_sends_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
