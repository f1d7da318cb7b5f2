/* ctl_backup.c — `qifu-ctl backup --to FILE`: an online copy of the
 * daemon's database while qifu-syncd keeps serving.
 *
 * Uses SQLite's backup API (sqlite3_backup_*) from a read-only connection.
 * The whole copy is one backup step, hence one read transaction: under WAL
 * that is a consistent snapshot and never blocks the daemon's writers
 * (a chunked copy would restart each time the daemon commits). The copy is
 * written to FILE.tmp with mode 0600 (it holds personal data), checked with
 * PRAGMA quick_check and only then renamed to FILE, so FILE is either a
 * complete, checked database or absent. It deliberately does not restore:
 * a restore replaces the live file with the daemon stopped (OPERATIONS.md).
 *
 *   qifu-ctl [--db PATH | --config FILE] backup --to FILE [--force] */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl.h"

#define CTL_BACKUP_PATH_MAX 4096
#define CTL_BACKUP_BUSY_MS 10000

static int ctl_backup_usage(void)
{
    fprintf(stderr, "usage: qifu-ctl [--db PATH | --config FILE] backup --to FILE [--force]\n"
                    "  an online, consistent copy of the database (mode 0600)\n");
    return CTL_EXIT_USAGE;
}

/* Copies src_path into a new database at tmp_path and checks it.
 * On failure err says why; tmp_path may be left behind for the caller. */
static int ctl_backup_copy(const char *src_path, const char *tmp_path, int *pages,
                           char *err, size_t errlen)
{
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_backup *bk = NULL;
    sqlite3_stmt *st = NULL;
    int rc, result = CTL_EXIT_NO;

    /* READONLY without CREATE: a mistyped path is an error, not an empty
     * backup of a new database. */
    rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", src_path,
                 src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_busy_timeout(src, CTL_BACKUP_BUSY_MS);
    rc = sqlite3_open_v2(tmp_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot create %s: %s", tmp_path,
                 dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        goto out;
    }
    bk = sqlite3_backup_init(dst, "main", src, "main");
    if (!bk) {
        snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    /* -1: every page in one step (one snapshot). BUSY only happens while a
     * checkpoint or recovery holds the file; the busy timeout covers it. */
    rc = sqlite3_backup_step(bk, -1);
    *pages = sqlite3_backup_pagecount(bk);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "backup of %s: %s", src_path, sqlite3_errstr(rc));
        sqlite3_backup_finish(bk);
        bk = NULL;
        goto out;
    }
    rc = sqlite3_backup_finish(bk);
    bk = NULL;
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    /* The copy must open and pass SQLite's own structural check before it
     * replaces anything. */
    rc = sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, NULL);
    if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        snprintf(err, errlen, "check of the copy: %s", sqlite3_errmsg(dst));
        goto out;
    }
    const unsigned char *verdict = sqlite3_column_text(st, 0);
    if (!verdict || strcmp((const char *)verdict, "ok") != 0) {
        snprintf(err, errlen, "the copy fails quick_check: %.200s",
                 verdict ? (const char *)verdict : "(no answer)");
        goto out;
    }
    result = CTL_EXIT_OK;
out:
    sqlite3_finalize(st);
    sqlite3_close(dst);
    sqlite3_close(src);
    return result;
}

/* Removes tmp and the -wal/-shm files SQLite may have left beside it.
 * Returns 0, or -1 with errno when one exists and cannot be removed. */
static int ctl_backup_unlink_tmp(const char *tmp)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char path[CTL_BACKUP_PATH_MAX + 16];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", tmp, suffixes[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            return -1;
    }
    return 0;
}

int ctl_backup_main(const ctl_options *opts, int argc, char **argv)
{
    const char *to = NULL;
    int force = 0, pages = 0, rc;
    char tmp[CTL_BACKUP_PATH_MAX], err[CTL_BACKUP_PATH_MAX + 256] = "";
    struct stat sb;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--to") == 0 && i + 1 < argc && !to)
            to = argv[++i];
        else if (strcmp(argv[i], "--force") == 0)
            force = 1;
        else
            return ctl_backup_usage();
    }
    if (!to || !*to)
        return ctl_backup_usage();
    if (!opts->db_path) {
        fprintf(stderr, "qifu-ctl: backup: which database? give --db PATH or --config FILE\n");
        return CTL_EXIT_USAGE;
    }
    if (strcmp(to, opts->db_path) == 0) {
        fprintf(stderr, "qifu-ctl: backup: --to must differ from the database itself\n");
        return CTL_EXIT_USAGE;
    }
    if (!force && stat(to, &sb) == 0) {
        fprintf(stderr, "qifu-ctl: backup: %s exists; use --force to replace it\n", to);
        return CTL_EXIT_NO;
    }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", to) >= sizeof tmp) {
        fprintf(stderr, "qifu-ctl: backup: path too long\n");
        return CTL_EXIT_USAGE;
    }
    /* A stale FILE.tmp-wal from an interrupted run would be replayed into
     * the new copy when it is opened; start from nothing. */
    if (ctl_backup_unlink_tmp(tmp) != 0) {
        fprintf(stderr, "qifu-ctl: backup: cannot remove %s: %s\n", tmp, strerror(errno));
        return CTL_EXIT_NO;
    }
    /* The copy holds phone numbers and case texts: owner-only from birth. */
    mode_t old_mask = umask(077);
    rc = ctl_backup_copy(opts->db_path, tmp, &pages, err, sizeof err);
    umask(old_mask);
    if (rc != CTL_EXIT_OK) {
        fprintf(stderr, "qifu-ctl: backup: %s\n", err);
        ctl_backup_unlink_tmp(tmp);
        return rc;
    }
    if (rename(tmp, to) != 0) {
        fprintf(stderr, "qifu-ctl: backup: cannot rename %s to %s: %s\n", tmp, to,
                strerror(errno));
        ctl_backup_unlink_tmp(tmp);
        return CTL_EXIT_NO;
    }
    printf("backup: %s (%d pages, quick_check ok)\n", to, pages);
    return CTL_EXIT_OK;
}
