/* kn_lease.c — the kiosk's leased ticket numbers (kn_lease.h): one table
 * in STATE_DIR/outbox.db, on its own connection.
 *
 *   ticket_lease(day, window, number, seq, used, issued_at, outbox_ref)
 *     PRIMARY KEY (day, number); seq is the number's digits, so a block is
 *     issued in order (E099 before E100).
 *
 * The registration of an issued number goes into the outbox's items table
 * in the issuing transaction, through kn_outbox_insert on this connection
 * (the same reference and key scheme as kn_outbox_put), so kn_outbox and
 * the sync worker deliver it like any other item.
 *
 * Durability as the outbox: WAL, synchronous=FULL, BEGIN IMMEDIATE,
 * busy_timeout for the moments the UI's outbox handle writes. */
#include "kn_lease.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kn_outbox.h"
#include "qf_clock.h"

#define KN_LEASE_FILE "outbox.db"
#define KN_LEASE_BUSY_MS 5000
#define KN_LEASE_WINDOW_MAX 63

struct kn_lease {
    sqlite3 *db;
    char path[4096];
};

static const char KN_LEASE_DDL[] =
    "CREATE TABLE IF NOT EXISTS ticket_lease("
    " day TEXT NOT NULL,"
    " window TEXT NOT NULL,"
    " number TEXT NOT NULL,"
    " seq INTEGER NOT NULL,"
    " used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),"
    " issued_at TEXT,"
    " outbox_ref TEXT,"
    " PRIMARY KEY (day, number));"
    "CREATE INDEX IF NOT EXISTS ticket_lease_free ON ticket_lease(window, day, used, seq);";

static qf_err db_fail(kn_lease *l, char *err, size_t errlen, const char *what)
{
    return qf_err_set(err, errlen, QF_ERR_STORAGE, "lease: %s: %s", what,
                      l->db ? sqlite3_errmsg(l->db) : "no database");
}

static void rollback(kn_lease *l)
{
    sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL); /* harmless when none is open */
}

/* ---- checks ----------------------------------------------------------------- */

static bool window_ok(const char *w)
{
    size_t n = w ? strlen(w) : 0;
    if (n < 1 || n > KN_LEASE_WINDOW_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static bool day_ok(const char *day)
{
    qf_day d;
    return day && qf_day_parse(day, &d) == QF_OK;
}

/* A letter and 3-6 digits; *seq gets the digits' value. */
static bool number_ok(const char *num, long *seq)
{
    size_t n = num ? strlen(num) : 0;
    long v = 0;
    if (n < 4 || n > 7 || num[0] < 'A' || num[0] > 'Z')
        return false;
    for (size_t i = 1; i < n; i++) {
        if (num[i] < '0' || num[i] > '9')
            return false;
        v = v * 10 + (num[i] - '0');
    }
    *seq = v;
    return true;
}

/* ---- open ------------------------------------------------------------------- */

qf_err kn_lease_open(const char *state_dir, kn_lease **out, char *err, size_t errlen)
{
    kn_lease *l = NULL;
    kn_outbox *ob = NULL;
    qf_err result;
    int rc, n;

    *out = NULL;
    /* The outbox makes the file (0600), its pragmas and its schema, and
     * refuses a file that is not its database. */
    result = kn_outbox_open(state_dir, &ob, err, errlen);
    kn_outbox_close(ob);
    if (result)
        return result;
    l = calloc(1, sizeof *l);
    if (!l)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "lease: out of memory");
    n = snprintf(l->path, sizeof l->path, "%s/%s", state_dir, KN_LEASE_FILE);
    if (n < 0 || (size_t)n >= sizeof l->path) {
        result = qf_err_set(err, errlen, QF_ERR_LIMIT, "lease: state folder path too long");
        goto out;
    }
    rc = sqlite3_open_v2(l->path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        result = qf_err_set(err, errlen, QF_ERR_STORAGE, "lease: %s: %s", l->path,
                            l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_busy_timeout(l->db, KN_LEASE_BUSY_MS);
    if (sqlite3_exec(l->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     " PRAGMA secure_delete=ON;",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, l->path);
        goto out;
    }
    if (sqlite3_exec(l->db, KN_LEASE_DDL, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "create table");
        rollback(l);
        goto out;
    }
    result = QF_OK;
out:
    if (result) {
        kn_lease_close(l);
        return result;
    }
    *out = l;
    return QF_OK;
}

void kn_lease_close(kn_lease *l)
{
    if (!l)
        return;
    sqlite3_close(l->db);
    free(l);
}

/* ---- the block -------------------------------------------------------------- */

size_t kn_lease_topup_count(size_t unused)
{
    if (unused >= KN_LEASE_LOW)
        return 0;
    size_t n = KN_LEASE_BLOCK;
    if (unused + n > KN_LEASE_HELD_MAX)
        n = unused >= KN_LEASE_HELD_MAX ? 0 : KN_LEASE_HELD_MAX - unused;
    return n > KN_LEASE_COUNT_MAX ? KN_LEASE_COUNT_MAX : n;
}

qf_err kn_lease_unused(kn_lease *l, const char *window, const char *day, size_t *out,
                       char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    qf_err result = QF_OK;

    *out = 0;
    if (!l || !window_ok(window) || !day_ok(day))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "lease: bad window or day");
    if (sqlite3_prepare_v2(l->db,
                           "SELECT count(*) FROM ticket_lease"
                           " WHERE window = ?1 AND day = ?2 AND used = 0",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(l, err, errlen, "count");
    sqlite3_bind_text(st, 1, window, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (size_t)sqlite3_column_int64(st, 0);
    else
        result = db_fail(l, err, errlen, "count");
    sqlite3_finalize(st);
    return result;
}

qf_err kn_lease_store(kn_lease *l, const char *window, const char *day,
                      const char *const *numbers, size_t n, char *err, size_t errlen)
{
    sqlite3_stmt *ins = NULL;
    qf_err result = QF_OK;
    bool in_tx = false;
    long seq;

    if (!l || !window_ok(window) || !day_ok(day) || (n && !numbers))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "lease: bad window or day");
    for (size_t i = 0; i < n; i++)
        if (!number_ok(numbers[i], &seq))
            return qf_err_set(err, errlen, QF_ERR_INVALID, "lease: '%.16s' is not a number",
                              numbers[i] ? numbers[i] : "");
    if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "begin");
        goto out;
    }
    in_tx = true;
    if (sqlite3_prepare_v2(l->db,
                           "INSERT OR IGNORE INTO ticket_lease(day, window, number, seq)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &ins, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "store");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        number_ok(numbers[i], &seq);
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, day, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, window, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, numbers[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 4, seq);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            result = db_fail(l, err, errlen, "store");
            goto out;
        }
    }
    if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "commit");
        goto out;
    }
    in_tx = false;
out:
    sqlite3_finalize(ins);
    if (in_tx)
        rollback(l);
    return result;
}

qf_err kn_lease_drop_before(kn_lease *l, const char *day, size_t *out_unused, char *err,
                            size_t errlen)
{
    sqlite3_stmt *cnt = NULL, *del = NULL;
    qf_err result = QF_OK;
    bool in_tx = false;

    if (out_unused)
        *out_unused = 0;
    if (!l || !day_ok(day))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "lease: bad day");
    if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "begin");
        goto out;
    }
    in_tx = true;
    /* YYYY-MM-DD compares as text in date order. */
    if (sqlite3_prepare_v2(l->db, "SELECT count(*) FROM ticket_lease WHERE day < ?1 AND used = 0",
                           -1, &cnt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(l->db, "DELETE FROM ticket_lease WHERE day < ?1", -1, &del, NULL) !=
            SQLITE_OK) {
        result = db_fail(l, err, errlen, "drop");
        goto out;
    }
    sqlite3_bind_text(cnt, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(del, 1, day, -1, SQLITE_STATIC);
    if (sqlite3_step(cnt) != SQLITE_ROW || sqlite3_step(del) != SQLITE_DONE) {
        result = db_fail(l, err, errlen, "drop");
        goto out;
    }
    if (out_unused)
        *out_unused = (size_t)sqlite3_column_int64(cnt, 0);
    if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "commit");
        goto out;
    }
    in_tx = false;
out:
    sqlite3_finalize(cnt);
    sqlite3_finalize(del);
    if (in_tx)
        rollback(l);
    return result;
}

/* ---- offline issue ---------------------------------------------------------- */

/* The registration's body. Ownership: the caller frees it. */
static char *issue_body(const char *window, const char *number, const char *issued_at,
                        bool priority)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "window", window, "leased_number", number,
                          "issued_at", issued_at, "priority", priority);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

qf_err kn_lease_issue(kn_lease *l, const char *window, const char *day, bool priority,
                      const char *issued_at, char *number, size_t numlen, char *ref,
                      size_t reflen, char *err, size_t errlen)
{
    sqlite3_stmt *pick = NULL, *mark = NULL;
    char num[KN_LEASE_NUMBER_MAX] = "", myref[KN_OUTBOX_REF_MAX] = "";
    char *body = NULL;
    qf_instant at;
    qf_err result = QF_OK;
    bool in_tx = false;

    if (number && numlen)
        number[0] = '\0';
    if (ref && reflen)
        ref[0] = '\0';
    if (!l || !window_ok(window) || !day_ok(day) || !number || numlen < KN_LEASE_NUMBER_MAX)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "lease: bad window, day or buffer");
    if (!issued_at || qf_clock_parse_iso8601(issued_at, &at, NULL, 0) != QF_OK)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "lease: issued_at is not ISO 8601");
    if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "begin");
        goto out;
    }
    in_tx = true;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT number FROM ticket_lease WHERE window = ?1 AND day = ?2"
                           " AND used = 0 ORDER BY seq LIMIT 1",
                           -1, &pick, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "pick");
        goto out;
    }
    sqlite3_bind_text(pick, 1, window, -1, SQLITE_STATIC);
    sqlite3_bind_text(pick, 2, day, -1, SQLITE_STATIC);
    int rc = sqlite3_step(pick);
    if (rc == SQLITE_DONE) {
        result = qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "lease: no number of %s left for %s",
                            window, day);
        goto out;
    }
    if (rc != SQLITE_ROW) {
        result = db_fail(l, err, errlen, "pick");
        goto out;
    }
    snprintf(num, sizeof num, "%s", (const char *)sqlite3_column_text(pick, 0));
    body = issue_body(window, num, issued_at, priority);
    if (!body) {
        result = qf_err_set(err, errlen, QF_ERR_NOMEM, "lease: out of memory");
        goto out;
    }
    result = kn_outbox_insert(l->db, KN_OUTBOX_TICKET, "/api/v1/tickets", body, myref,
                              sizeof myref, err, errlen);
    if (result != QF_OK)
        goto out;
    if (sqlite3_prepare_v2(l->db,
                           "UPDATE ticket_lease SET used = 1, issued_at = ?3, outbox_ref = ?4"
                           " WHERE day = ?1 AND number = ?2 AND used = 0",
                           -1, &mark, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "mark");
        goto out;
    }
    sqlite3_bind_text(mark, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(mark, 2, num, -1, SQLITE_STATIC);
    sqlite3_bind_text(mark, 3, issued_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(mark, 4, myref, -1, SQLITE_STATIC);
    if (sqlite3_step(mark) != SQLITE_DONE || sqlite3_changes(l->db) != 1) {
        result = db_fail(l, err, errlen, "mark");
        goto out;
    }
    /* synchronous=FULL: COMMIT returns after the WAL is fsynced. */
    if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(l, err, errlen, "commit");
        goto out;
    }
    in_tx = false;
    snprintf(number, numlen, "%s", num);
    if (ref && reflen)
        snprintf(ref, reflen, "%s", myref);
out:
    sqlite3_finalize(pick);
    sqlite3_finalize(mark);
    free(body);
    if (in_tx)
        rollback(l);
    return result;
}
