/* store.c — opening the SQLite database, the schema migrations and the
 * statement cache. See store.h for the concurrency rule. */
#include "store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_log.h"

#define SD_STMT_CACHE_MAX 512
#define SD_BUSY_TIMEOUT_MS 5000

typedef struct sd_stmt_slot {
    const char *sql;
    sqlite3_stmt *stmt;
} sd_stmt_slot;

struct sd_store {
    sqlite3 *db;
    pthread_mutex_t lock;
    sd_stmt_slot stmts[SD_STMT_CACHE_MAX];
    size_t nstmts;
};

/* The schema, one entry per version. A deployed database is upgraded by
 * running every entry past its user_version in one transaction each. Never
 * edit a released entry: append a new one. */
static const char *const sd_migrations[] = {
    /* 1: devices, tokens, catalog versions, cases, queues, fleet */
    "CREATE TABLE enrollments ("
    "  code_hash TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  hall TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  used_at INTEGER,"
    "  device_id TEXT);"
    "CREATE TABLE devices ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  hall TEXT NOT NULL,"
    "  enrolled_at INTEGER NOT NULL,"
    "  revoked_at INTEGER,"
    "  last_seen INTEGER,"
    "  software_version TEXT,"
    "  catalog_version INTEGER,"
    "  printer_status TEXT,"
    "  outbox_depth INTEGER,"
    "  disk_free_mb INTEGER,"
    "  uptime_s INTEGER);"
    "CREATE TABLE tokens ("
    "  token_hash TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('device','operator','staff')),"
    "  subject TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER,"
    "  revoked_at INTEGER);"
    "CREATE INDEX tokens_subject ON tokens(kind, subject);"
    "CREATE TABLE catalog_versions ("
    "  version INTEGER PRIMARY KEY,"
    "  published_at INTEGER NOT NULL,"
    "  source TEXT NOT NULL,"
    "  sections TEXT NOT NULL,"   /* JSON array: the document's sections in order */
    "  added INTEGER NOT NULL, changed INTEGER NOT NULL, deleted INTEGER NOT NULL);"
    "CREATE TABLE catalog_items ("
    "  id TEXT PRIMARY KEY,"
    "  section TEXT NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  body TEXT,"
    "  hash TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  deleted INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX catalog_items_version ON catalog_items(version);"
    "CREATE TABLE case_counters (day TEXT PRIMARY KEY, last INTEGER NOT NULL);"
    "CREATE TABLE cases ("
    "  no TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('request','fallback')),"
    "  created_at INTEGER NOT NULL,"
    "  device_id TEXT,"
    "  helper_id TEXT,"
    "  channel TEXT NOT NULL,"
    "  board TEXT,"
    "  fallback_category TEXT,"
    "  enterprise_name TEXT NOT NULL,"
    "  uscc TEXT NOT NULL,"
    "  contact_name TEXT NOT NULL,"
    "  mobile TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  rating TEXT,"
    "  rating_comment TEXT,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE TABLE case_events ("
    "  id INTEGER PRIMARY KEY,"
    "  case_no TEXT NOT NULL REFERENCES cases(no),"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  event TEXT NOT NULL,"
    "  detail TEXT);"
    "CREATE INDEX case_events_case ON case_events(case_no, id);"
    "CREATE TABLE idempotency ("
    "  caller TEXT NOT NULL," /* "device:ID" or "staff:ID": keys are per caller */
    "  key TEXT NOT NULL,"
    "  body_hash TEXT NOT NULL,"
    "  case_no TEXT NOT NULL REFERENCES cases(no),"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (caller, key));"
    "CREATE TABLE queue_counters ("
    "  hall TEXT NOT NULL, day TEXT NOT NULL, window TEXT NOT NULL, last INTEGER NOT NULL,"
    "  last_called TEXT,"
    "  PRIMARY KEY (hall, day, window));"
    "CREATE TABLE tickets ("
    "  hall TEXT NOT NULL,"
    "  day TEXT NOT NULL,"
    "  window TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  number TEXT NOT NULL,"
    "  priority INTEGER NOT NULL DEFAULT 0,"
    "  device_id TEXT,"
    "  issued_at INTEGER,"
    "  status TEXT NOT NULL CHECK (status IN ('leased','waiting','called','done','expired')),"
    "  called_at INTEGER,"
    "  called_by TEXT,"
    "  leased_at INTEGER,"
    "  PRIMARY KEY (hall, day, window, seq),"
    "  UNIQUE (hall, day, number));"
    "CREATE TABLE inspections ("
    "  id INTEGER PRIMARY KEY,"
    "  device_id TEXT NOT NULL REFERENCES devices(id),"
    "  at INTEGER NOT NULL,"
    "  inspector TEXT NOT NULL,"
    "  result TEXT NOT NULL,"
    "  body TEXT NOT NULL);"
    "CREATE TABLE maintenance ("
    "  id INTEGER PRIMARY KEY,"
    "  device_id TEXT NOT NULL REFERENCES devices(id),"
    "  reported_at INTEGER NOT NULL,"
    "  planned_at INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  body TEXT NOT NULL);",
    /* 2: staff, sessions' owners, the case workflow (units per case,
     * supervision records, escalation forms, ratings, helper activity) and
     * the append-only audit trail. */
    "CREATE TABLE staff ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('helper','triage','department','taskforce','leader',"
    "                                     'operator','technician')),"
    "  unit TEXT,"
    "  pin_hash TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  disabled_at INTEGER,"
    "  failed_logins INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  case_no TEXT,"
    "  before TEXT,"
    "  after TEXT,"
    "  detail TEXT);"
    "CREATE INDEX audit_case ON audit(case_no, id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "ALTER TABLE cases ADD COLUMN case_kind TEXT;"
    "ALTER TABLE cases ADD COLUMN lead_unit TEXT;"
    "ALTER TABLE cases ADD COLUMN platform_unit TEXT;"
    "ALTER TABLE cases ADD COLUMN deadline INTEGER;"
    "ALTER TABLE cases ADD COLUMN triaged_at INTEGER;"
    "ALTER TABLE cases ADD COLUMN closed_at INTEGER;"
    "CREATE INDEX cases_lead ON cases(lead_unit, status);"
    "CREATE INDEX cases_deadline ON cases(status, deadline);"
    "CREATE TABLE case_units ("
    "  case_no TEXT NOT NULL REFERENCES cases(no),"
    "  unit TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('lead','co')),"
    "  since INTEGER NOT NULL,"
    "  until INTEGER,"
    "  PRIMARY KEY (case_no, unit, role, since));"
    "CREATE TABLE supervision ("
    "  case_no TEXT NOT NULL REFERENCES cases(no),"
    "  period INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  due_at INTEGER NOT NULL,"
    "  action TEXT NOT NULL,"
    "  fired_at INTEGER NOT NULL,"
    "  PRIMARY KEY (case_no, period, seq));"
    "CREATE TABLE escalations ("
    "  id INTEGER PRIMARY KEY,"
    "  case_no TEXT NOT NULL REFERENCES cases(no),"
    "  level TEXT NOT NULL,"
    "  filed_at INTEGER NOT NULL,"
    "  filed_by TEXT NOT NULL,"
    "  form TEXT NOT NULL,"
    "  decision TEXT,"
    "  decided_by TEXT,"
    "  decided_at INTEGER,"
    "  opinion TEXT);"
    "CREATE INDEX escalations_case ON escalations(case_no, id);"
    "CREATE TABLE ratings ("
    "  id INTEGER PRIMARY KEY,"
    "  case_no TEXT NOT NULL REFERENCES cases(no),"
    "  kind TEXT NOT NULL CHECK (kind IN ('case','helper','lead')),"
    "  rater TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  score INTEGER NOT NULL,"
    "  comment TEXT,"
    "  at INTEGER NOT NULL,"
    "  UNIQUE (case_no, kind, rater));"
    "CREATE TABLE helper_activity ("
    "  id INTEGER PRIMARY KEY,"
    "  helper TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('contact','visit','upload')),"
    "  enterprise TEXT,"
    "  note TEXT);"
    "CREATE INDEX helper_activity_helper ON helper_activity(helper, at);"
    "CREATE INDEX inspections_device ON inspections(device_id, at);",
    /* 3: service ratings (好差评) from the kiosks: after a guide view or a
     * ticket, not tied to a case. Idempotent per device like cases: the
     * key and the SHA-256 of the body live in the row itself (the
     * idempotency table's rows point at cases). */
    "CREATE TABLE service_ratings ("
    "  id INTEGER PRIMARY KEY,"
    "  device_id TEXT NOT NULL,"
    "  target TEXT NOT NULL CHECK (target IN ('guide','ticket','service')),"
    "  service_id TEXT,"
    "  window_id TEXT,"
    "  ticket TEXT,"
    "  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),"
    "  comment TEXT,"
    "  helper_id TEXT,"
    "  at INTEGER NOT NULL,"
    "  idem_key TEXT NOT NULL,"
    "  body_hash TEXT NOT NULL,"
    "  UNIQUE (device_id, idem_key));"
    "CREATE INDEX service_ratings_at ON service_ratings(at);",
    /* 4: help calls (呼叫帮办) from the kiosks and staff badges (the
     * secret half of the badge QR, as its SHA-256). The device's name and
     * hall are copied into the call: they say where the citizen stood then,
     * even if the kiosk is renamed or moved later. */
    "CREATE TABLE help_calls ("
    "  id INTEGER PRIMARY KEY,"
    "  device_id TEXT NOT NULL REFERENCES devices(id),"
    "  device_name TEXT NOT NULL,"
    "  hall TEXT NOT NULL,"
    "  screen TEXT NOT NULL,"
    "  note TEXT,"
    "  state TEXT NOT NULL CHECK (state IN ('open','acknowledged','closed')),"
    "  created_at INTEGER NOT NULL,"
    "  acked_at INTEGER,"
    "  acked_by TEXT,"          /* actor: "staff:ID", "operator:NAME", "ctl" */
    "  helper_id TEXT,"         /* the staff id who answered, when a person is known */
    "  closed_at INTEGER,"
    "  closed_by TEXT,"
    "  close_note TEXT);"
    "CREATE INDEX help_calls_state ON help_calls(state, created_at);"
    "CREATE INDEX help_calls_device ON help_calls(device_id, id);"
    "CREATE TABLE staff_badges ("
    "  staff_id TEXT PRIMARY KEY REFERENCES staff(id),"
    "  secret_hash TEXT NOT NULL,"
    "  issued_at INTEGER NOT NULL);",
};

#define SD_SCHEMA_LATEST ((int)(sizeof sd_migrations / sizeof sd_migrations[0]))

int sd_store_schema_latest(void) { return SD_SCHEMA_LATEST; }

sqlite3 *sd_store_db(sd_store *store) { return store->db; }

void sd_store_lock(sd_store *store) { pthread_mutex_lock(&store->lock); }
void sd_store_unlock(sd_store *store) { pthread_mutex_unlock(&store->lock); }

qf_err sd_store_err(sd_store *store, int rc)
{
    int primary = rc & 0xff;
    if (primary == SQLITE_OK || primary == SQLITE_DONE || primary == SQLITE_ROW)
        return QF_OK;
    if (primary == SQLITE_CONSTRAINT)
        return QF_ERR_CONFLICT;
    if (primary == SQLITE_NOMEM)
        return QF_ERR_NOMEM;
    qf_error("store: sqlite error %d: %s", rc, store ? sqlite3_errmsg(store->db) : "");
    return QF_ERR_STORAGE;
}

static qf_err sd_store_exec(sd_store *store, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        qf_error("store: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return sd_store_err(store, rc);
    }
    return QF_OK;
}

qf_err sd_store_begin(sd_store *store) { return sd_store_exec(store, "BEGIN IMMEDIATE"); }
qf_err sd_store_commit(sd_store *store) { return sd_store_exec(store, "COMMIT"); }

void sd_store_rollback(sd_store *store)
{
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *sd_store_stmt(sd_store *store, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    for (size_t i = 0; i < store->nstmts; i++) {
        if (store->stmts[i].sql == sql || strcmp(store->stmts[i].sql, sql) == 0)
            return store->stmts[i].stmt;
    }
    rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK) {
        qf_error("store: cannot prepare '%.60s…': %s", sql, sqlite3_errmsg(store->db));
        return NULL;
    }
    if (store->nstmts < SD_STMT_CACHE_MAX) {
        store->stmts[store->nstmts].sql = sql;
        store->stmts[store->nstmts].stmt = stmt;
        store->nstmts++;
    } else {
        /* A cache this size holds every statement the code has; reaching the
         * cap means a caller builds SQL at run time, which we do not do. */
        qf_error("store: statement cache full");
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

void sd_store_done(sqlite3_stmt *stmt)
{
    if (stmt) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
}

qf_err sd_store_step_done(sd_store *store, sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    qf_err e = rc == SQLITE_DONE ? QF_OK : sd_store_err(store, rc);
    sd_store_done(stmt);
    return e;
}

char *sd_store_col_dup(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    return text ? strdup((const char *)text) : NULL;
}

int sd_store_schema_version(sd_store *store)
{
    sqlite3_stmt *stmt;
    int version = -1;
    sd_store_lock(store);
    if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK) {
        if (sqlite3_step(stmt) == SQLITE_ROW)
            version = sqlite3_column_int(stmt, 0);
        sqlite3_finalize(stmt);
    }
    sd_store_unlock(store);
    return version;
}

static qf_err sd_store_migrate(sd_store *store, char *err, size_t errlen)
{
    int version;
    sqlite3_stmt *stmt;

    if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
        return qf_err_set(err, errlen, QF_ERR_STORAGE, "cannot read schema version: %s",
                          sqlite3_errmsg(store->db));
    version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (version > SD_SCHEMA_LATEST)
        return qf_err_set(err, errlen, QF_ERR_STORAGE,
                          "database schema %d is newer than this program's %d: upgrade qifu",
                          version, SD_SCHEMA_LATEST);
    for (int v = version; v < SD_SCHEMA_LATEST; v++) {
        char pragma[48];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (sd_store_begin(store) != QF_OK || sd_store_exec(store, sd_migrations[v]) != QF_OK ||
            sd_store_exec(store, pragma) != QF_OK || sd_store_commit(store) != QF_OK) {
            sd_store_rollback(store);
            return qf_err_set(err, errlen, QF_ERR_STORAGE, "schema migration to %d failed: %s",
                              v + 1, sqlite3_errmsg(store->db));
        }
        qf_info("store: schema migrated to version %d", v + 1);
    }
    return QF_OK;
}

qf_err sd_store_open(const char *path, sd_store **out, char *err, size_t errlen)
{
    sd_store *store = calloc(1, sizeof *store);
    qf_err rc = QF_OK;
    int src;

    *out = NULL;
    if (!store)
        return QF_ERR_NOMEM;
    pthread_mutex_init(&store->lock, NULL);
    src = sqlite3_open_v2(path, &store->db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = qf_err_set(err, errlen, QF_ERR_STORAGE, "%s: %s", path,
                        store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(src));
        goto out;
    }
    sqlite3_busy_timeout(store->db, SD_BUSY_TIMEOUT_MS);
    /* WAL lets qifu-ctl read while the daemon writes; synchronous=FULL makes
     * every acknowledged commit durable across power loss and kill -9. */
    if (sd_store_exec(store, "PRAGMA journal_mode=WAL") != QF_OK ||
        sd_store_exec(store, "PRAGMA synchronous=FULL") != QF_OK ||
        sd_store_exec(store, "PRAGMA foreign_keys=ON") != QF_OK) {
        rc = qf_err_set(err, errlen, QF_ERR_STORAGE, "%s: cannot set up: %s", path,
                        sqlite3_errmsg(store->db));
        goto out;
    }
    rc = sd_store_migrate(store, err, errlen);
out:
    if (rc != QF_OK) {
        sd_store_close(store);
        return rc;
    }
    *out = store;
    return QF_OK;
}

void sd_store_close(sd_store *store)
{
    if (!store)
        return;
    for (size_t i = 0; i < store->nstmts; i++)
        sqlite3_finalize(store->stmts[i].stmt);
    sqlite3_close(store->db);
    pthread_mutex_destroy(&store->lock);
    free(store);
}
