/* kn_outbox.c — the kiosk's durable outbox (kn_outbox.h): one SQLite file,
 * STATE_DIR/outbox.db, holding every submission from the moment the citizen
 * taps "submit" until the daemon has answered it for good.
 *
 * Durability: WAL with synchronous=FULL, so a put that returned is on disk
 * (the WAL is fsynced at each COMMIT) and survives kill -9 or a power cut.
 * Writers take the lock up front (BEGIN IMMEDIATE) and busy_timeout covers
 * the moments the UI's handle and the worker's handle meet.
 *
 * Schema (user_version 1):
 *   items(id, ref UNIQUE, key UNIQUE, kind, state, path, body, result,
 *         attempts, created_at, next_attempt_ms, last_error, done_at)
 *   day_seq(day, n)   the per-day counter behind the local references, so
 *                     a reference is never handed out twice even if old
 *                     rows are pruned one day.
 * A file with a newer user_version is refused, never downgraded.
 *
 * Privacy: the file is 0600 (SQLite gives the -wal/-shm files the main
 * file's mode). When an item is delivered or refused its body is
 * overwritten with zeros and then set to NULL in the same transaction;
 * secure_delete=ON makes SQLite zero the freed cell space, and a
 * checkpoint (TRUNCATE) afterwards moves the change into the main file and
 * empties the WAL, whose older frames still held the body. What remains is
 * the daemon's answer, which carries the masked mobile only. Bodies copied
 * into memory (kn_outbox_item) are zeroed by kn_outbox_item_free.
 *
 * Unlike the catalog cache, a file that is not a database is never
 * replaced: it may hold undelivered cases, so it is an operator's job.
 *
 * Not here: HTTP and the retry policy (kn_sync.c decides when and how
 * often; this file only records the outcome), what the bodies mean. */
#include "kn_outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qf_clock.h"

#define KN_OUTBOX_FILE      "outbox.db"
#define KN_OUTBOX_BUSY_MS   5000
#define KN_OUTBOX_SCHEMA_V  1
#define KN_OUTBOX_BODY_MAX  (64u * 1024u)   /* the daemon's largest body cap is 32 KB */
#define KN_OUTBOX_PATH_MAX  512u
#define KN_OUTBOX_RESULT_MAX (64u * 1024u)

struct kn_outbox {
    sqlite3 *db;
    char path[4096];
};

static const char KN_OUTBOX_DDL[] =
    "CREATE TABLE items("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " ref TEXT NOT NULL UNIQUE,"
    " key TEXT NOT NULL UNIQUE,"
    " kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 15)," /* kn_outbox_kind; room to grow */
    " state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2)),"
    " path TEXT NOT NULL,"
    " body TEXT,"
    " result TEXT,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " done_at INTEGER);"
    "CREATE INDEX items_due ON items(state, next_attempt_ms, id);"
    "CREATE TABLE day_seq(day TEXT PRIMARY KEY, n INTEGER NOT NULL);"
    "PRAGMA user_version = 1;";

static const char KN_ITEM_COLUMNS[] =
    "SELECT id, ref, key, kind, state, path, body, result, attempts, created_at,"
    " next_attempt_ms, last_error FROM items ";

/* memset through a volatile pointer: the compiler may not drop it even when
 * the buffer is freed right after (explicit_bzero is not in strict C11). */
static void *(*const volatile kn_memset)(void *, int, size_t) = memset;

static void wipe(void *p, size_t n)
{
    if (p && n)
        kn_memset(p, 0, n);
}

static qf_err db_fail(kn_outbox *ob, char *err, size_t errlen, const char *what)
{
    return qf_err_set(err, errlen, QF_ERR_STORAGE, "outbox: %s: %s", what,
                      ob->db ? sqlite3_errmsg(ob->db) : "no database");
}

static void rollback(kn_outbox *ob)
{
    sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL); /* harmless when none is open */
}

/* ---- opening ---------------------------------------------------------------- */

/* Creates the file 0600 before SQLite does (SQLite would use 0644 and copy
 * that to -wal/-shm), and tightens an existing one. */
static qf_err prepare_file(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        close(fd);
        return QF_OK;
    }
    if (errno != EEXIST)
        return qf_err_set(err, errlen, QF_ERR_IO, "outbox: %s: %s", path, strerror(errno));
    if (lstat(path, &st) != 0)
        return qf_err_set(err, errlen, QF_ERR_IO, "outbox: %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return qf_err_set(err, errlen, QF_ERR_STORAGE, "outbox: %s: not a regular file", path);
    if ((st.st_mode & 077) && chmod(path, 0600) != 0)
        return qf_err_set(err, errlen, QF_ERR_IO, "outbox: %s: chmod: %s", path,
                          strerror(errno));
    return QF_OK;
}

/* Brings the schema to KN_OUTBOX_SCHEMA_V. A file from a newer kiosk is
 * left untouched. */
static qf_err schema_ensure(kn_outbox *ob, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int version = -1;
    qf_err result = QF_OK;

    if (sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(ob, err, errlen, ob->path);
    if (sqlite3_prepare_v2(ob->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 0) {
        result = db_fail(ob, err, errlen, ob->path);
    } else if (version == 0) {
        if (sqlite3_exec(ob->db, KN_OUTBOX_DDL, NULL, NULL, NULL) != SQLITE_OK)
            result = db_fail(ob, err, errlen, "create schema");
    } else if (version > KN_OUTBOX_SCHEMA_V) {
        result = qf_err_set(err, errlen, QF_ERR_STORAGE,
                            "outbox: %s has schema %d, newer than this kiosk's %d", ob->path,
                            version, KN_OUTBOX_SCHEMA_V);
    }
    if (result) {
        rollback(ob);
        return result;
    }
    if (sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(ob, err, errlen, "create schema");
        rollback(ob);
    }
    return result;
}

qf_err kn_outbox_open(const char *state_dir, kn_outbox **out, char *err, size_t errlen)
{
    kn_outbox *ob = NULL;
    qf_err result = QF_OK;
    int rc, n;

    *out = NULL;
    if (!state_dir || !*state_dir)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "outbox: no state folder");
    if (mkdir(state_dir, 0700) != 0 && errno != EEXIST)
        return qf_err_set(err, errlen, QF_ERR_IO, "outbox: %s: %s", state_dir, strerror(errno));
    ob = calloc(1, sizeof *ob);
    if (!ob)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "outbox: out of memory");
    n = snprintf(ob->path, sizeof ob->path, "%s/%s", state_dir, KN_OUTBOX_FILE);
    if (n < 0 || (size_t)n >= sizeof ob->path) {
        result = qf_err_set(err, errlen, QF_ERR_LIMIT, "outbox: state folder path too long");
        goto out;
    }
    result = prepare_file(ob->path, err, errlen);
    if (result)
        goto out;
    rc = sqlite3_open_v2(ob->path, &ob->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        result = qf_err_set(err, errlen, QF_ERR_STORAGE, "outbox: %s: %s", ob->path,
                            ob->db ? sqlite3_errmsg(ob->db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_busy_timeout(ob->db, KN_OUTBOX_BUSY_MS);
    /* The first statement reads the header: a file that is not a database
     * fails here (SQLITE_NOTADB) before anything is written to it. */
    if (sqlite3_exec(ob->db, "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK) {
        result = qf_err_set(err, errlen, QF_ERR_STORAGE,
                            "outbox: %s: %s (left as it is: it may hold undelivered requests)",
                            ob->path, sqlite3_errmsg(ob->db));
        goto out;
    }
    if (sqlite3_exec(ob->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     " PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(ob, err, errlen, ob->path);
        goto out;
    }
    result = schema_ensure(ob, err, errlen);
out:
    if (result) {
        kn_outbox_close(ob);
        return result;
    }
    *out = ob;
    return QF_OK;
}

void kn_outbox_close(kn_outbox *ob)
{
    if (!ob)
        return;
    sqlite3_close(ob->db);
    free(ob);
}

/* ---- UUID ------------------------------------------------------------------- */

qf_err kn_uuid4(char out[KN_OUTBOX_KEY_MAX])
{
    unsigned char b[16];
    size_t got = 0;

    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            out[0] = '\0';
            return QF_ERR_IO;
        }
        got += (size_t)n;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10xx (RFC 4122) */
    snprintf(out, KN_OUTBOX_KEY_MAX,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return QF_OK;
}

/* ---- put -------------------------------------------------------------------- */

static bool path_ok(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    if (n < 9 || n > KN_OUTBOX_PATH_MAX || strncmp(p, "/api/v1/", 8) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] <= ' ' || p[i] > '~')
            return false;
    return true;
}

static bool kind_ok(kn_outbox_kind kind)
{
    return kind == KN_OUTBOX_CASE || kind == KN_OUTBOX_FEEDBACK || kind == KN_OUTBOX_RATING ||
           kind == KN_OUTBOX_INSPECTION || kind == KN_OUTBOX_TICKET;
}

qf_err kn_outbox_insert(sqlite3 *db, kn_outbox_kind kind, const char *path,
                        const char *json_body, char *ref, size_t reflen, char *err,
                        size_t errlen)
{
    sqlite3_stmt *seq = NULL, *ins = NULL;
    char key[KN_OUTBOX_KEY_MAX], day[16], myref[KN_OUTBOX_REF_MAX];
    int y, m, d;
    qf_instant now = qf_clock_now();
    qf_err result = QF_OK;

    if (ref && reflen)
        ref[0] = '\0';
    if (!kind_ok(kind))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "outbox: unknown kind");
    if (!path_ok(path))
        return qf_err_set(err, errlen, QF_ERR_INVALID, "outbox: path must be /api/v1/…");
    if (!json_body || !*json_body)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "outbox: empty body");
    if (strlen(json_body) > KN_OUTBOX_BODY_MAX)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "outbox: body over %u bytes",
                          KN_OUTBOX_BODY_MAX);
    if (kn_uuid4(key) != QF_OK)
        return qf_err_set(err, errlen, QF_ERR_IO, "outbox: getrandom: %s", strerror(errno));
    qf_day_to_ymd(qf_instant_day(now), &y, &m, &d);
    snprintf(day, sizeof day, "%04d%02d%02d", y, m, d);

    if (sqlite3_prepare_v2(db,
                           "INSERT INTO day_seq(day, n) VALUES (?1, 1)"
                           " ON CONFLICT(day) DO UPDATE SET n = n + 1 RETURNING n",
                           -1, &seq, NULL) != SQLITE_OK) {
        result = qf_err_set(err, errlen, QF_ERR_STORAGE, "outbox: day sequence: %s",
                            sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_text(seq, 1, day, -1, SQLITE_STATIC);
    if (sqlite3_step(seq) != SQLITE_ROW) {
        result = qf_err_set(err, errlen, QF_ERR_STORAGE, "outbox: day sequence: %s",
                            sqlite3_errmsg(db));
        goto out;
    }
    snprintf(myref, sizeof myref, "L%s-%04lld", day, (long long)sqlite3_column_int64(seq, 0));
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO items(ref, key, kind, state, path, body, created_at,"
                           " next_attempt_ms) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, 0)",
                           -1, &ins, NULL) != SQLITE_OK) {
        result = qf_err_set(err, errlen, QF_ERR_STORAGE, "outbox: insert: %s",
                            sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_text(ins, 1, myref, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 3, (int)kind);
    sqlite3_bind_text(ins, 4, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, json_body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 6, (int64_t)now);
    if (sqlite3_step(ins) != SQLITE_DONE) {
        result = qf_err_set(err, errlen, QF_ERR_STORAGE, "outbox: insert: %s",
                            sqlite3_errmsg(db));
        goto out;
    }
    if (ref && reflen)
        snprintf(ref, reflen, "%s", myref);
out:
    sqlite3_finalize(seq);
    sqlite3_finalize(ins);
    return result;
}

qf_err kn_outbox_put(kn_outbox *ob, kn_outbox_kind kind, const char *path, const char *json_body,
                     char *ref, size_t reflen, char *err, size_t errlen)
{
    qf_err result;

    if (ref && reflen)
        ref[0] = '\0';
    if (!ob)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "outbox: no handle");
    if (sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(ob, err, errlen, "begin");
    result = kn_outbox_insert(ob->db, kind, path, json_body, ref, reflen, err, errlen);
    /* synchronous=FULL: COMMIT returns after the WAL is fsynced. */
    if (result == QF_OK && sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        result = db_fail(ob, err, errlen, "commit");
    if (result != QF_OK) {
        rollback(ob);
        if (ref && reflen)
            ref[0] = '\0';
    }
    return result;
}

/* ---- reading ---------------------------------------------------------------- */

static char *dup_column(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? strdup((const char *)t) : NULL;
}

/* Fills *out from the current row of a KN_ITEM_COLUMNS statement. */
static qf_err item_from_row(sqlite3_stmt *st, kn_outbox_item *out, char *err, size_t errlen)
{
    const unsigned char *t;
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    t = sqlite3_column_text(st, 1);
    snprintf(out->ref, sizeof out->ref, "%s", t ? (const char *)t : "");
    t = sqlite3_column_text(st, 2);
    snprintf(out->key, sizeof out->key, "%s", t ? (const char *)t : "");
    out->kind = (kn_outbox_kind)sqlite3_column_int(st, 3);
    out->state = (kn_outbox_state)sqlite3_column_int(st, 4);
    out->path = dup_column(st, 5);
    out->body = dup_column(st, 6);
    out->result = dup_column(st, 7);
    out->attempts = (unsigned)sqlite3_column_int64(st, 8);
    out->created_at = sqlite3_column_int64(st, 9);
    out->next_attempt_ms = sqlite3_column_int64(st, 10);
    t = sqlite3_column_text(st, 11);
    snprintf(out->last_error, sizeof out->last_error, "%s", t ? (const char *)t : "");
    if (!out->path || (sqlite3_column_type(st, 6) != SQLITE_NULL && !out->body) ||
        (sqlite3_column_type(st, 7) != SQLITE_NULL && !out->result)) {
        kn_outbox_item_free(out);
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "outbox: out of memory");
    }
    return QF_OK;
}

qf_err kn_outbox_next_due(kn_outbox *ob, int64_t now_ms, kn_outbox_item *out, char *err,
                          size_t errlen)
{
    char sql[512];
    sqlite3_stmt *st = NULL;
    qf_err result;
    int rc;

    memset(out, 0, sizeof *out);
    snprintf(sql, sizeof sql, "%s WHERE state = 0 AND next_attempt_ms <= ?1 ORDER BY id LIMIT 1",
             KN_ITEM_COLUMNS);
    if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(ob, err, errlen, "next due");
    sqlite3_bind_int64(st, 1, now_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        result = item_from_row(st, out, err, errlen);
    else if (rc == SQLITE_DONE)
        result = qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "outbox: nothing due");
    else
        result = db_fail(ob, err, errlen, "next due");
    sqlite3_finalize(st);
    return result;
}

qf_err kn_outbox_get(kn_outbox *ob, const char *ref, kn_outbox_item *out, char *err,
                     size_t errlen)
{
    char sql[512];
    sqlite3_stmt *st = NULL;
    qf_err result;
    int rc;

    memset(out, 0, sizeof *out);
    if (!ref)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "outbox: no reference");
    snprintf(sql, sizeof sql, "%s WHERE ref = ?1", KN_ITEM_COLUMNS);
    if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(ob, err, errlen, "get");
    sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        result = item_from_row(st, out, err, errlen);
    else if (rc == SQLITE_DONE)
        result = qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "outbox: no item %s", ref);
    else
        result = db_fail(ob, err, errlen, "get");
    sqlite3_finalize(st);
    return result;
}

void kn_outbox_item_free(kn_outbox_item *item)
{
    if (!item)
        return;
    if (item->body)
        wipe(item->body, strlen(item->body)); /* it holds what the citizen typed */
    free(item->body);
    free(item->path);
    free(item->result);
    item->body = item->path = item->result = NULL;
}

/* ---- outcomes --------------------------------------------------------------- */

/* Runs one UPDATE on a pending item inside a transaction. QF_ERR_NOT_FOUND
 * for an unknown id, QF_ERR_STATE when it is no longer pending. */
static qf_err update_pending(kn_outbox *ob, const char *const *sqls, size_t nsql, int64_t id,
                             int64_t i2, const char *t3, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    qf_err result = QF_OK;
    bool in_tx = false;
    int changed = 0;

    if (sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(ob, err, errlen, "begin");
        goto out;
    }
    in_tx = true;
    for (size_t i = 0; i < nsql; i++) {
        if (sqlite3_prepare_v2(ob->db, sqls[i], -1, &st, NULL) != SQLITE_OK) {
            result = db_fail(ob, err, errlen, "update");
            goto out;
        }
        /* Each statement names only the parameters it uses; binding an
         * unused index is a harmless SQLITE_RANGE. */
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_bind_parameter_count(st) >= 2)
            sqlite3_bind_int64(st, 2, i2);
        if (sqlite3_bind_parameter_count(st) >= 3)
            sqlite3_bind_text(st, 3, t3 ? t3 : "", -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            result = db_fail(ob, err, errlen, "update");
            goto out;
        }
        if (i == 0)
            changed = sqlite3_changes(ob->db);
        sqlite3_finalize(st);
        st = NULL;
        if (changed == 0)
            break;
    }
    if (changed == 0) {
        sqlite3_stmt *q = NULL;
        bool exists = false;
        if (sqlite3_prepare_v2(ob->db, "SELECT 1 FROM items WHERE id = ?1", -1, &q, NULL) ==
            SQLITE_OK) {
            sqlite3_bind_int64(q, 1, id);
            exists = sqlite3_step(q) == SQLITE_ROW;
        }
        sqlite3_finalize(q);
        result = exists ? qf_err_set(err, errlen, QF_ERR_STATE, "outbox: item %lld is not pending",
                                     (long long)id)
                        : qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "outbox: no item %lld",
                                     (long long)id);
        goto out;
    }
    if (sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        result = db_fail(ob, err, errlen, "commit");
        goto out;
    }
    in_tx = false;
out:
    sqlite3_finalize(st);
    if (in_tx)
        rollback(ob);
    return result;
}

/* Delivered or refused: zeros over the body, then NULL, then the answer.
 * The first statement is the guard (state = 0); the checkpoint afterwards
 * pushes the wiped page into the main file and empties the WAL, whose
 * older frames still held the body. */
static qf_err finish(kn_outbox *ob, int64_t id, kn_outbox_state state, const char *result_json,
                     char *err, size_t errlen)
{
    static const char *const delivered[] = {
        "UPDATE items SET body = zeroblob(length(CAST(body AS BLOB))) WHERE id = ?1 AND state = 0",
        "UPDATE items SET body = NULL, state = ?2, result = nullif(?3, ''),"
        " done_at = strftime('%s','now') WHERE id = ?1",
    };
    char clipped[160];
    const char *answer = result_json ? result_json : "";
    qf_err result;

    if (strlen(answer) > KN_OUTBOX_RESULT_MAX) {
        /* Never expected from the daemon; keep a note rather than the bulk. */
        snprintf(clipped, sizeof clipped, "{\"note\":\"answer over %u bytes not kept\"}",
                 KN_OUTBOX_RESULT_MAX);
        answer = clipped;
    }
    result = update_pending(ob, delivered, 2, id, (int64_t)state, answer, err, errlen);
    if (result == QF_OK)
        sqlite3_exec(ob->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    /* A busy checkpoint (a reader on the other handle) is not an error: the
     * next one, or SQLite's automatic one, does it. */
    return result;
}

qf_err kn_outbox_delivered(kn_outbox *ob, int64_t id, const char *result_json, char *err,
                           size_t errlen)
{
    return finish(ob, id, KN_OUTBOX_DELIVERED, result_json, err, errlen);
}

qf_err kn_outbox_refused(kn_outbox *ob, int64_t id, const char *result_json, char *err,
                         size_t errlen)
{
    return finish(ob, id, KN_OUTBOX_REFUSED, result_json, err, errlen);
}

qf_err kn_outbox_retry_at(kn_outbox *ob, int64_t id, int64_t next_attempt_ms, const char *why,
                          char *err, size_t errlen)
{
    static const char *const sql[] = {
        "UPDATE items SET attempts = attempts + 1, next_attempt_ms = ?2,"
        " last_error = substr(?3, 1, 159) WHERE id = ?1 AND state = 0",
    };
    return update_pending(ob, sql, 1, id, next_attempt_ms, why, err, errlen);
}

qf_err kn_outbox_hurry(kn_outbox *ob, int64_t now_ms, size_t *out_count, char *err,
                       size_t errlen)
{
    sqlite3_stmt *st = NULL;
    qf_err result = QF_OK;

    if (out_count)
        *out_count = 0;
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE items SET next_attempt_ms = ?1"
                           " WHERE state = 0 AND next_attempt_ms > ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(ob, err, errlen, "hurry");
    sqlite3_bind_int64(st, 1, now_ms);
    if (sqlite3_step(st) != SQLITE_DONE)
        result = db_fail(ob, err, errlen, "hurry");
    else if (out_count)
        *out_count = (size_t)sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    return result;
}

qf_err kn_outbox_depth(kn_outbox *ob, size_t *out_pending, int64_t *out_next_ms, char *err,
                       size_t errlen)
{
    sqlite3_stmt *st = NULL;
    qf_err result = QF_OK;

    if (out_pending)
        *out_pending = 0;
    if (out_next_ms)
        *out_next_ms = INT64_MAX;
    if (sqlite3_prepare_v2(ob->db,
                           "SELECT count(*), min(next_attempt_ms) FROM items WHERE state = 0", -1,
                           &st, NULL) != SQLITE_OK)
        return db_fail(ob, err, errlen, "depth");
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (out_pending)
            *out_pending = (size_t)sqlite3_column_int64(st, 0);
        if (out_next_ms && sqlite3_column_type(st, 1) != SQLITE_NULL)
            *out_next_ms = sqlite3_column_int64(st, 1);
    } else {
        result = db_fail(ob, err, errlen, "depth");
    }
    sqlite3_finalize(st);
    return result;
}
