/* lsan_supp.c — LeakSanitizer's built-in suppressions for qifu-kiosk
 * (read only in sanitizer builds; an unused symbol otherwise).
 *
 * The kiosk builds its search index at start-up and for every new catalog
 * (state/ks_search.c), and libpinyin's pinyin_init opens Berkeley DB
 * handles that pinyin_fini never releases: about 16 KB per build, inside
 * libpinyin/libdb, not in our code (tests/unit/test_search.c, and
 * tests/lsan-libpinyin.supp for LSAN_OPTIONS, say the same). Built in, so
 * every script-driven kiosk run under ASan passes without each test having
 * to pass LSAN_OPTIONS. LeakSanitizer's fast unwinder only sees libdb's
 * __os_malloc frame, hence the module name. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdb-5.3.so\n";
}
