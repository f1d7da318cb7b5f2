/* store.h — qifu-syncd's storage: one SQLite database (WAL, synchronous=FULL)
 * shared by the daemon and qifu-ctl.
 *
 * This file owns opening, the versioned schema (PRAGMA user_version), the
 * statement cache and the single lock every access goes through. The
 * resource files (store_devices.c, store_catalog.c, store_cases.c,
 * store_queues.c, store_fleet.c) own their SQL; nothing above the store
 * sees SQLite: results come back as plain structs or jansson values, and
 * SQLite codes are turned into qf_err here.
 *
 * Concurrency: one connection, one mutex. Every public store function takes
 * the lock for its whole duration, so a write transaction is the single
 * writer path and readers never see a half-written change. Request rates of
 * a district hall are far below what one connection serves (see README's
 * performance section); the hot catalog path is served from memory. */
#ifndef SD_STORE_H
#define SD_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_clock.h"
#include "qf_error.h"

typedef struct sd_store sd_store;

/* Opens or creates the database at path and brings its schema up to date.
 * Ownership: the caller closes *out with sd_store_close. */
qf_err sd_store_open(const char *path, sd_store **out, char *err, size_t errlen);
void sd_store_close(sd_store *store);

/* The schema version the code knows, and the one on disk. */
int sd_store_schema_latest(void);
int sd_store_schema_version(sd_store *store);

/* ---- for the store_*.c files only -------------------------------------- */

/* Takes and releases the store lock. Every function that touches the
 * connection holds it. Not recursive. */
void sd_store_lock(sd_store *store);
void sd_store_unlock(sd_store *store);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK, under the lock the caller holds. */
qf_err sd_store_begin(sd_store *store);
qf_err sd_store_commit(sd_store *store);
void sd_store_rollback(sd_store *store);

/* A cached prepared statement for sql (a string literal: cached by address
 * and text). Borrowed: call sd_store_done when finished with it. NULL on
 * failure (logged). */
sqlite3_stmt *sd_store_stmt(sd_store *store, const char *sql);
void sd_store_done(sqlite3_stmt *stmt);

/* Runs a statement that returns no rows; QF_OK or QF_ERR_STORAGE
 * (QF_ERR_CONFLICT on a UNIQUE/PRIMARY KEY violation). */
qf_err sd_store_step_done(sd_store *store, sqlite3_stmt *stmt);

/* Translates a SQLite result code. */
qf_err sd_store_err(sd_store *store, int sqlite_rc);

sqlite3 *sd_store_db(sd_store *store);

/* Helpers to read a column as an owned string (NULL for SQL NULL). */
char *sd_store_col_dup(sqlite3_stmt *stmt, int col);

#endif
