/* unit_catalog.h — the shipped catalog (assets/catalog) for the kiosk's
 * state tests, loaded once per test that asks; fails the test when it
 * does not load. Include after <cmocka.h>. */
#ifndef QIFU_UNIT_CATALOG_H
#define QIFU_UNIT_CATALOG_H

#include "qf_catalog.h"

static inline qf_catalog *load_catalog(void)
{
    qf_catalog *cat = NULL;
    char err[256];
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    if (qf_catalog_load_dir(cat, QIFU_SOURCE_DIR "/assets/catalog", err, sizeof err) != QF_OK)
        fail_msg("%s", err);
    return cat;
}

#endif
