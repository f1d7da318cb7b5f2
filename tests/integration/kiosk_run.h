/* kiosk_run.h — the kiosk UI tests' handle on a headless qifu-kiosk: a
 * throwaway folder with a config (catalog from assets/catalog, no server),
 * running the kiosk on a script, and reading its `dump` JSON. Shared by
 * test_kiosk_ui.c, test_kiosk_browse.c, test_kiosk_search.c, and (the
 * background runner) test_kiosk_online.c and test_kiosk_ticket.c. */
#ifndef QIFU_KIOSK_RUN_H
#define QIFU_KIOSK_RUN_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness.h"
#include "qf_catalog.h"

typedef struct kiosk_run {
    char dir[256];        /* removed by kiosk_run_teardown */
    qf_catalog *cat;      /* the shipped catalog, for expectations */
} kiosk_run;

/* tag names the temp folder (/tmp/qifu-kiosk-TAG-XXXXXX). 0 on success. */
int kiosk_run_setup(kiosk_run *k, const char *tag);
int kiosk_run_teardown(kiosk_run *k);

void kiosk_write_file(const kiosk_run *k, const char *name, const char *text);
/* kiosk.ini: no server, catalog_dir = assets/catalog, the idle timeout. */
void kiosk_write_config(const kiosk_run *k, int idle_timeout_s);

/* Runs the kiosk in k->dir on a script file (or text, written to
 * script.txt); returns its exit status. Its stderr is kept in stderr.txt
 * and echoed. The child runs with libpinyin's known libdb leak suppressed
 * (tests/lsan-libpinyin.supp). */
int kiosk_run_file(const kiosk_run *k, const char *script_path);
int kiosk_run_script(const kiosk_run *k, const char *script_text);
const char *kiosk_read_stderr(const kiosk_run *k); /* static buffer */

/* The same for a kiosk in the background, in any folder dir (which holds
 * kiosk.ini): the script is written to dir/NAME.txt, stderr goes to
 * dir/NAME.err; kiosk_finish waits, echoes stderr, returns the status. */
pid_t kiosk_start_in(const char *dir, const char *name, const char *script_text);
int kiosk_finish_in(const char *dir, pid_t pid, const char *name);
json_t *kiosk_load_dump_in(const char *dir, const char *name);
void kiosk_echo_stderr_in(const char *dir, const char *name);  /* dir/NAME.err */

json_t *kiosk_load_dump(const kiosk_run *k, const char *name);
const char *kiosk_dump_screen(json_t *dump);
/* The first widget whose text contains needle (and whose role is role,
 * unless role is NULL), or NULL. */
json_t *kiosk_dump_find(json_t *dump, const char *role, const char *needle);
size_t kiosk_dump_count_role(json_t *dump, const char *role);
long kiosk_rect_at(json_t *widget, size_t i);

/* ---- a kiosk site: the real daemon (TLS) with the shipped catalog
 * published and one kiosk's enrollment code, and the kiosk's folder ---- */
typedef struct kiosk_site {
    harness h;
    char dir[256];        /* kiosk.ini, state/, scripts, dumps; removed at teardown */
    char code[64];        /* the enrollment code */
    qf_catalog *cat;
} kiosk_site;

/* tag names the folder (/tmp/qifu-site-TAG-XXXXXX) and the device. 0 on success. */
int kiosk_site_setup(kiosk_site *s, const char *tag);
int kiosk_site_teardown(kiosk_site *s);    /* QIFU_IT_KEEP=1 keeps the folders */
/* Writes dir/kiosk.ini: the daemon's URL (or url when not NULL, e.g. a
 * dead port), its CA, the code, sync every second, state in dir/state, the
 * idle timeout, the printer sink (NULL: png:dir/slips) at 384 dots, then
 * extra lines (may be NULL) appended as they are (in [printer] unless they
 * open a section). */
void kiosk_site_config(const kiosk_site *s, const char *url, int idle_timeout_s,
                       const char *sink, const char *extra);
/* qifu-ctl with the site's daemon; fails the test on a non-zero exit.
 * Ownership: *out (when out is not NULL) is the caller's to free. */
void kiosk_site_ctl(kiosk_site *s, const char *const *args, char **out);

#endif
