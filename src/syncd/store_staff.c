/* store_staff.c — staff accounts, PINs and sessions in SQLite. See
 * store_staff.h for the contract.
 *
 * PINs: crypto_pwhash_str_alg with crypto_pwhash_ALG_ARGON2ID13 and the
 * INTERACTIVE limits (2 passes, 64 MiB); the encoded string carries its
 * own salt and parameters, so raising the limits later keeps old hashes
 * verifiable. Hashing and verifying happen outside the store lock; the
 * decision (count the failure, lock, reset) is then taken inside one
 * transaction that re-reads the row, so two logins racing each other
 * cannot lose a failure or slip past a lock set meanwhile.
 *
 * Every change writes its audit entry in the same transaction. */
#include "store_staff.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_audit.h"
#include "store_devices.h"

/* ---- libsodium ----------------------------------------------------------- */

static qf_err sd_sodium_ready(void)
{
    /* sodium_init is thread-safe and idempotent (1 = already done). */
    return sodium_init() < 0 ? QF_ERR_STORAGE : QF_OK;
}

static qf_err sd_pin_hash(const char *pin, char out[crypto_pwhash_STRBYTES])
{
    if (sd_sodium_ready() != QF_OK)
        return QF_ERR_STORAGE;
    if (crypto_pwhash_str_alg(out, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return QF_ERR_NOMEM; /* the only failure: the 64 MiB could not be had */
    return QF_OK;
}

/* A hash of a random secret, checked for unknown ids so that they cost as
 * much time as a wrong PIN. Made once. */
static char sd_dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t sd_dummy_once = PTHREAD_ONCE_INIT;

static void sd_dummy_make(void)
{
    char secret[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
    if (sd_pin_hash(secret, sd_dummy_hash) != QF_OK)
        sd_dummy_hash[0] = '\0';
}

static bool sd_pin_verify(const char *hash, const char *pin)
{
    if (sd_sodium_ready() != QF_OK || !hash || !*hash)
        return false;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

static void sd_pin_verify_dummy(const char *pin)
{
    pthread_once(&sd_dummy_once, sd_dummy_make);
    (void)sd_pin_verify(sd_dummy_hash, pin);
}

/* ---- checks -------------------------------------------------------------- */

static const char *const sd_staff_roles[] = {
    "helper", "triage", "department", "taskforce", "leader", "operator", "technician", NULL,
};

bool sd_staff_role_valid(const char *role)
{
    for (size_t i = 0; role && sd_staff_roles[i]; i++)
        if (strcmp(role, sd_staff_roles[i]) == 0)
            return true;
    return false;
}

qf_err sd_staff_id_check(const char *id, char *err, size_t errlen)
{
    size_t n = id ? strlen(id) : 0;
    if (n < SD_STAFF_ID_MIN || n > SD_STAFF_ID_MAX)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "the staff id must be %d to %d characters",
                          SD_STAFF_ID_MIN, SD_STAFF_ID_MAX);
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return qf_err_set(err, errlen, QF_ERR_INVALID,
                              "the staff id may hold only A-Z a-z 0-9 and '-'");
    }
    return QF_OK;
}

qf_err sd_staff_pin_check(const char *pin, char *err, size_t errlen)
{
    size_t chars = 0;
    qf_err rc;

    if (!pin || strlen(pin) > SD_STAFF_PIN_MAX * 4)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "the PIN must be %d to %d characters",
                          SD_STAFF_PIN_MIN, SD_STAFF_PIN_MAX);
    /* valid UTF-8, no control characters, at most SD_STAFF_PIN_MAX chars */
    if ((rc = sd_device_name_check(pin, SD_STAFF_PIN_MAX, "the PIN", err, errlen)) != QF_OK)
        return rc;
    for (const unsigned char *p = (const unsigned char *)pin; *p; p++)
        chars += (*p & 0xc0) != 0x80;
    if (chars < SD_STAFF_PIN_MIN)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "the PIN must be %d to %d characters",
                          SD_STAFF_PIN_MIN, SD_STAFF_PIN_MAX);
    return QF_OK;
}

/* ---- audit --------------------------------------------------------------- */

/* Appends an entry from jansson values (each stolen, NULL for none), under
 * the lock and inside the transaction the caller holds. */
static qf_err sd_staff_audit(sd_store *store, qf_instant now, const char *actor,
                             const char *action, json_t *before, json_t *after, json_t *detail)
{
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    qf_err rc;

    if ((before && !b) || (after && !a) || (detail && !d))
        rc = QF_ERR_NOMEM;
    else
        rc = sd_store_audit_append(store, now, actor, action, NULL, b, a, d);
    free(b);
    free(a);
    free(d);
    json_decref(before);
    json_decref(after);
    json_decref(detail);
    return rc;
}

/* "staff:ID" for entries the account itself causes. */
static void sd_staff_actor(const char *id, char *buf, size_t len)
{
    snprintf(buf, len, "staff:%s", id);
}

/* ---- reading accounts ---------------------------------------------------- */

#define SD_STAFF_SELECT                                                                       \
    "SELECT s.id, s.name, s.role, COALESCE(s.unit, ''), "                                     \
    "COALESCE(json_extract(c.body, '$.name'), ''), s.created_at, COALESCE(s.disabled_at, 0), " \
    "s.failed_logins, COALESCE(s.locked_until, 0), s.pin_hash FROM staff s "                  \
    "LEFT JOIN catalog_items c ON c.id = s.unit AND c.section = 'units' AND c.deleted = 0 "

static void sd_staff_from_row(sqlite3_stmt *st, sd_staff *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(s->name, sizeof s->name, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(s->role, sizeof s->role, "%s", (const char *)sqlite3_column_text(st, 2));
    snprintf(s->unit, sizeof s->unit, "%s", (const char *)sqlite3_column_text(st, 3));
    snprintf(s->unit_name, sizeof s->unit_name, "%s", (const char *)sqlite3_column_text(st, 4));
    s->created_at = sqlite3_column_int64(st, 5);
    s->disabled_at = sqlite3_column_int64(st, 6);
    s->failed_logins = sqlite3_column_int(st, 7);
    s->locked_until = sqlite3_column_int64(st, 8);
}

/* One account under the lock the caller holds; the PIN hash too when
 * hash is not NULL. */
static qf_err sd_staff_get_locked(sd_store *store, const char *id, sd_staff *out,
                                  char hash[crypto_pwhash_STRBYTES])
{
    sqlite3_stmt *st = sd_store_stmt(store, SD_STAFF_SELECT "WHERE s.id = ?1");
    qf_err rc;
    int step;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        sd_staff_from_row(st, out);
        if (hash)
            snprintf(hash, crypto_pwhash_STRBYTES, "%s", (const char *)sqlite3_column_text(st, 9));
        rc = QF_OK;
    } else {
        rc = step == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, step);
    }
    sd_store_done(st);
    return rc;
}

qf_err sd_store_staff_get(sd_store *store, const char *id, sd_staff *out)
{
    qf_err rc;
    sd_store_lock(store);
    rc = sd_staff_get_locked(store, id, out, NULL);
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_staff_list(sd_store *store, sd_staff **out, size_t *count)
{
    sd_staff *list = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step;

    *out = NULL;
    *count = 0;
    sd_store_lock(store);
    st = sd_store_stmt(store, SD_STAFF_SELECT "ORDER BY s.id LIMIT 10000");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW && n < SD_STAFF_LIST_MAX) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            sd_staff *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        sd_staff_from_row(st, &list[n++]);
    }
    if (rc == QF_OK && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = sd_store_err(store, step);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    if (rc != QF_OK) {
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return QF_OK;
}

json_t *sd_staff_to_json(const sd_staff *s)
{
    char created[32];
    qf_clock_format_iso8601(s->created_at, created, sizeof created);
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:b}", "id", s->id, "name", s->name,
                     "role", s->role, "unit", s->unit[0] ? s->unit : NULL, "unit_name",
                     s->unit_name[0] ? s->unit_name : NULL, "created_at", created, "disabled",
                     s->disabled_at != 0);
}

/* The account's audit view: never the hash, never the lock counters. */
static json_t *sd_staff_audit_json(const sd_staff *s)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:b}", "id", s->id, "name", s->name, "role", s->role,
                     "unit", s->unit[0] ? s->unit : NULL, "disabled", s->disabled_at != 0);
}

/* ---- units --------------------------------------------------------------- */

/* Finds the catalog unit typed as `text` (its id, name or an alias) under
 * the lock; writes its id, name and kind. */
static qf_err sd_staff_unit_find(sd_store *store, const char *text, char id[32], char name[256],
                                 char kind[16], char *err, size_t errlen)
{
    sqlite3_stmt *st;
    qf_err rc;
    int step, have_catalog = 0;

    st = sd_store_stmt(store, "SELECT EXISTS (SELECT 1 FROM catalog_items WHERE "
                              "section = 'units' AND deleted = 0)");
    if (!st)
        return QF_ERR_STORAGE;
    if ((step = sqlite3_step(st)) == SQLITE_ROW)
        have_catalog = sqlite3_column_int(st, 0);
    sd_store_done(st);
    if (step != SQLITE_ROW)
        return sd_store_err(store, step);
    if (!have_catalog)
        return qf_err_set(err, errlen, QF_ERR_STATE,
                          "no catalog with units has been imported yet: import the catalog "
                          "first (qifu-ctl catalog import DIR), then add staff with a unit");

    st = sd_store_stmt(store,
                       "SELECT id, COALESCE(json_extract(body, '$.name'), ''), "
                       "COALESCE(json_extract(body, '$.kind'), '') FROM catalog_items "
                       "WHERE section = 'units' AND deleted = 0 AND (id = ?1 "
                       "OR json_extract(body, '$.name') = ?1 OR EXISTS (SELECT 1 FROM "
                       "json_each(catalog_items.body, '$.aliases') a WHERE a.value = ?1)) "
                       "ORDER BY id LIMIT 1");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        snprintf(id, 32, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(name, 256, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(kind, 16, "%s", (const char *)sqlite3_column_text(st, 2));
        rc = QF_OK;
    } else if (step == SQLITE_DONE) {
        rc = qf_err_set(err, errlen, QF_ERR_NOT_FOUND,
                        "unit '%s' is not in the published catalog's units (give its id "
                        "unit-NNN, its name or an alias)",
                        text);
    } else {
        rc = sd_store_err(store, step);
    }
    sd_store_done(st);
    return rc;
}

/* ---- adding and changing accounts ---------------------------------------- */

qf_err sd_store_staff_add(sd_store *store, const char *id, const char *name, const char *role,
                          const char *unit, const char *pin, const char *actor, qf_instant now,
                          sd_staff *out, char *err, size_t errlen)
{
    char hash[crypto_pwhash_STRBYTES];
    char unit_id[32] = "", unit_name[256] = "", kind[16] = "";
    bool needs_unit;
    sd_staff s;
    sqlite3_stmt *st;
    qf_err rc;

    if (err && errlen)
        err[0] = '\0';
    if ((rc = sd_staff_id_check(id, err, errlen)) != QF_OK ||
        (rc = sd_device_name_check(name, SD_STAFF_NAME_MAX, "the name", err, errlen)) != QF_OK ||
        (rc = sd_staff_pin_check(pin, err, errlen)) != QF_OK)
        return rc;
    if (!sd_staff_role_valid(role))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "the role must be one of helper, triage, department, taskforce, "
                          "leader, operator, technician");
    if (unit && !*unit)
        unit = NULL;
    if (unit && strlen(unit) > SD_STAFF_UNIT_MAX * 4)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "the unit is too long");
    needs_unit = strcmp(role, "triage") == 0 || strcmp(role, "department") == 0;
    if (needs_unit && !unit)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "role %s needs a unit (%s)", role,
                          strcmp(role, "triage") == 0 ? "a platform or street"
                                                      : "a department");

    /* Outside the lock: ~0.1 s and 64 MiB. */
    if ((rc = sd_pin_hash(pin, hash)) != QF_OK)
        return qf_err_set(err, errlen, rc, "the PIN could not be hashed (out of memory)");

    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK) {
        qf_err_set(err, errlen, rc, "the database is busy or failing");
        goto out;
    }
    if (unit) {
        if ((rc = sd_staff_unit_find(store, unit, unit_id, unit_name, kind, err, errlen)) !=
            QF_OK)
            goto out;
        if (strcmp(role, "triage") == 0 && strcmp(kind, "platform") != 0 &&
            strcmp(kind, "street") != 0) {
            rc = qf_err_set(err, errlen, QF_ERR_INVALID,
                            "role triage needs a platform or street unit; %s (%s) is a %s",
                            unit_name, unit_id, kind[0] ? kind : "unit of no kind");
            goto out;
        }
        if (strcmp(role, "department") == 0 && strcmp(kind, "department") != 0) {
            rc = qf_err_set(err, errlen, QF_ERR_INVALID,
                            "role department needs a department unit; %s (%s) is a %s",
                            unit_name, unit_id, kind[0] ? kind : "unit of no kind");
            goto out;
        }
    }
    st = sd_store_stmt(store, "INSERT INTO staff (id, name, role, unit, pin_hash, created_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_TRANSIENT);
    if (unit_id[0])
        sqlite3_bind_text(st, 4, unit_id, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK) {
        if (rc == QF_ERR_CONFLICT)
            qf_err_set(err, errlen, rc, "staff id '%s' is taken", id);
        goto out;
    }
    if ((rc = sd_staff_get_locked(store, id, &s, NULL)) != QF_OK ||
        (rc = sd_staff_audit(store, now, actor, "staff.add", NULL, sd_staff_audit_json(&s),
                             NULL)) != QF_OK ||
        (rc = sd_store_commit(store)) != QF_OK)
        goto out;
    if (out)
        *out = s;
out:
    if (rc != QF_OK) {
        sd_store_rollback(store);
        if (err && errlen && !err[0])
            qf_err_set(err, errlen, rc, "the account could not be stored (%s)", qf_err_str(rc));
    }
    sd_store_unlock(store);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* Revokes every live session of id at now, under the lock; *count. */
static qf_err sd_staff_sessions_revoke(sd_store *store, const char *id, qf_instant now,
                                       int *count)
{
    sqlite3_stmt *st = sd_store_stmt(store, "UPDATE tokens SET revoked_at = ?2 WHERE "
                                            "kind = 'staff' AND subject = ?1 AND revoked_at IS NULL");
    qf_err rc;
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    rc = sd_store_step_done(store, st);
    *count = rc == QF_OK ? sqlite3_changes(sd_store_db(store)) : 0;
    return rc;
}

qf_err sd_store_staff_passwd(sd_store *store, const char *id, const char *pin, const char *actor,
                             qf_instant now, char *err, size_t errlen)
{
    char hash[crypto_pwhash_STRBYTES];
    sqlite3_stmt *st;
    sd_staff s;
    int revoked = 0;
    qf_err rc;

    if (err && errlen)
        err[0] = '\0';
    if ((rc = sd_staff_id_check(id, err, errlen)) != QF_OK ||
        (rc = sd_staff_pin_check(pin, err, errlen)) != QF_OK)
        return rc;
    if ((rc = sd_pin_hash(pin, hash)) != QF_OK)
        return qf_err_set(err, errlen, rc, "the PIN could not be hashed (out of memory)");
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_staff_get_locked(store, id, &s, NULL)) != QF_OK) {
        if (rc == QF_ERR_NOT_FOUND)
            qf_err_set(err, errlen, rc, "no staff account '%s'", id);
        goto out;
    }
    st = sd_store_stmt(store, "UPDATE staff SET pin_hash = ?2, failed_logins = 0, "
                              "locked_until = NULL WHERE id = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
    if ((rc = sd_store_step_done(store, st)) != QF_OK ||
        (rc = sd_staff_sessions_revoke(store, id, now, &revoked)) != QF_OK ||
        (rc = sd_staff_audit(store, now, actor, "staff.passwd", NULL, NULL,
                             json_pack("{s:s, s:i, s:b}", "id", id, "sessions_revoked", revoked,
                                       "was_locked", s.locked_until > now))) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK) {
        sd_store_rollback(store);
        if (err && errlen && !err[0])
            qf_err_set(err, errlen, rc, "the PIN could not be changed (%s)", qf_err_str(rc));
    }
    sd_store_unlock(store);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

qf_err sd_store_staff_disable(sd_store *store, const char *id, const char *actor, qf_instant now,
                              bool *was_disabled)
{
    sqlite3_stmt *st;
    sd_staff before, after;
    int revoked = 0;
    qf_err rc;

    *was_disabled = false;
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_staff_get_locked(store, id, &before, NULL)) != QF_OK)
        goto out;
    if (before.disabled_at) {
        *was_disabled = true;
        goto out; /* nothing changed: roll back the empty transaction */
    }
    st = sd_store_stmt(store, "UPDATE staff SET disabled_at = ?2 WHERE id = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK ||
        (rc = sd_staff_sessions_revoke(store, id, now, &revoked)) != QF_OK ||
        (rc = sd_staff_get_locked(store, id, &after, NULL)) != QF_OK ||
        (rc = sd_staff_audit(store, now, actor, "staff.disable", sd_staff_audit_json(&before),
                             sd_staff_audit_json(&after),
                             json_pack("{s:i}", "sessions_revoked", revoked))) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    sd_store_rollback(store); /* no-op after a commit */
    sd_store_unlock(store);
    return rc;
}

/* ---- sessions ------------------------------------------------------------ */

/* Records a refused login in its own transaction (the lock held). */
static qf_err sd_staff_login_refused(sd_store *store, const char *id, qf_instant now,
                                     json_t *detail)
{
    char actor[SD_STAFF_ID_MAX + 8];
    qf_err rc;
    sd_staff_actor(id, actor, sizeof actor);
    if ((rc = sd_store_begin(store)) != QF_OK) {
        json_decref(detail);
        return rc;
    }
    rc = sd_staff_audit(store, now, actor, "staff.login_failed", NULL, NULL, detail);
    if (rc == QF_OK)
        rc = sd_store_commit(store);
    if (rc != QF_OK)
        sd_store_rollback(store);
    return rc;
}

/* ---- signing in: PIN or badge, anywhere ---------------------------------- */

/* Is role among roles (NULL: any role will do)? */
static bool sd_staff_role_among(const char *role, const char *const *roles)
{
    if (!roles)
        return true;
    for (size_t i = 0; roles[i]; i++)
        if (strcmp(role, roles[i]) == 0)
            return true;
    return false;
}

/* The stored secret to check for id under the lock: the PIN hash, or the
 * badge's SHA-256 ("" when no badge was issued: nothing can match). */
static qf_err sd_staff_secret_get_locked(sd_store *store, const char *id, sd_login_secret kind,
                                         sd_staff *s, char hash[crypto_pwhash_STRBYTES])
{
    sqlite3_stmt *st;
    qf_err rc = sd_staff_get_locked(store, id, s, hash);
    int step;

    if (rc != QF_OK || kind == SD_SECRET_PIN)
        return rc;
    sodium_memzero(hash, crypto_pwhash_STRBYTES);
    st = sd_store_stmt(store, "SELECT secret_hash FROM staff_badges WHERE staff_id = ?1");
    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        snprintf(hash, crypto_pwhash_STRBYTES, "%s", (const char *)sqlite3_column_text(st, 0));
    else if (step != SQLITE_DONE)
        rc = sd_store_err(store, step);
    sd_store_done(st);
    return rc;
}

/* Checks secret against the stored hash, outside the lock. A badge secret
 * is 256 random bits, so a plain SHA-256 compared in constant time is
 * enough; a PIN is short and gets Argon2id. */
static bool sd_staff_secret_verify(sd_login_secret kind, const char *hash, const char *secret)
{
    char got[SD_HASH_HEX_LEN + 1];
    bool ok;

    if (kind == SD_SECRET_PIN)
        return sd_pin_verify(hash, secret);
    if (strlen(hash) != SD_HASH_HEX_LEN || strlen(secret) != SD_TOKEN_LEN)
        return false;
    sd_auth_hash(secret, got);
    ok = sodium_memcmp(got, hash, SD_HASH_HEX_LEN) == 0;
    sodium_memzero(got, sizeof got);
    return ok;
}

/* The audit detail of a refusal or success: reason first, then where. */
static json_t *sd_staff_login_detail(const sd_login_opts *opts, const char *reason)
{
    json_t *d = reason ? json_pack("{s:s}", "reason", reason) : json_object();
    if (d && opts->device_id) {
        json_object_set_new(d, "device", json_string(opts->device_id));
        json_object_set_new(d, "via", json_string(opts->kind == SD_SECRET_BADGE ? "badge"
                                                                                  : "pin"));
    }
    return d;
}

qf_err sd_store_staff_signin(sd_store *store, const char *id, const char *secret,
                             const sd_login_opts *opts, qf_instant now, sd_login_result *res)
{
    char hash[crypto_pwhash_STRBYTES] = "";
    char actor[SD_STAFF_ID_MAX + 8];
    sd_login_refusal *why = &res->why;
    sd_staff s;
    sqlite3_stmt *st;
    json_t *detail;
    bool pin_ok;
    qf_err rc;

    memset(res, 0, sizeof *res);
    /* An id that cannot exist, or a secret no account can have: refused at
     * once. Neither tells anything about which accounts exist. */
    if (sd_staff_id_check(id, NULL, 0) != QF_OK || !secret ||
        strlen(secret) > SD_STAFF_PIN_MAX * 4 ||
        (opts->offline_hash && opts->kind != SD_SECRET_PIN)) {
        *why = SD_LOGIN_BAD_CREDENTIALS;
        return QF_ERR_DENIED;
    }
    if (sd_sodium_ready() != QF_OK)
        return QF_ERR_STORAGE;
    sd_staff_actor(id, actor, sizeof actor);

    sd_store_lock(store);
    rc = sd_staff_secret_get_locked(store, id, opts->kind, &s, hash);
    if (rc == QF_ERR_NOT_FOUND) {
        sd_store_unlock(store);
        if (opts->kind == SD_SECRET_PIN)
            sd_pin_verify_dummy(secret);
        sd_store_lock(store);
        rc = sd_staff_login_refused(store, id, now, sd_staff_login_detail(opts, "unknown_id"));
        sd_store_unlock(store);
        *why = SD_LOGIN_BAD_CREDENTIALS;
        return rc == QF_OK ? QF_ERR_DENIED : rc;
    }
    if (rc == QF_OK && s.locked_until > now) {
        char until[32];
        qf_clock_format_iso8601(s.locked_until, until, sizeof until);
        detail = sd_staff_login_detail(opts, "locked");
        if (detail)
            json_object_set_new(detail, "locked_until", json_string(until));
        rc = sd_staff_login_refused(store, id, now, detail);
        sd_store_unlock(store);
        *why = SD_LOGIN_LOCKED;
        res->locked_until = s.locked_until;
        return rc == QF_OK ? QF_ERR_DENIED : rc;
    }
    sd_store_unlock(store);
    if (rc != QF_OK)
        return rc;

    /* Outside the lock: the expensive part. A disabled account is checked
     * too, so that it takes as long as any other refusal. */
    pin_ok = sd_staff_secret_verify(opts->kind, hash, secret);
    sodium_memzero(hash, sizeof hash);

    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    /* Re-read: another login may have locked the account or a disable
     * may have landed while we were hashing. */
    if ((rc = sd_staff_get_locked(store, id, &s, NULL)) != QF_OK) {
        if (rc == QF_ERR_NOT_FOUND) { /* cannot happen: accounts are never deleted */
            *why = SD_LOGIN_BAD_CREDENTIALS;
            rc = QF_ERR_DENIED;
        }
        goto out;
    }
    if (s.locked_until > now) {
        *why = SD_LOGIN_LOCKED;
        res->locked_until = s.locked_until;
        rc = sd_staff_audit(store, now, actor, "staff.login_failed", NULL, NULL,
                            sd_staff_login_detail(opts, "locked"));
    } else if (s.disabled_at) {
        *why = SD_LOGIN_BAD_CREDENTIALS;
        rc = sd_staff_audit(store, now, actor, "staff.login_failed", NULL, NULL,
                            sd_staff_login_detail(opts, "disabled"));
    } else if (!pin_ok) {
        int failures = s.failed_logins + 1;
        bool lock = failures >= SD_STAFF_LOGIN_TRIES;
        char until[32] = "";
        st = sd_store_stmt(store, "UPDATE staff SET failed_logins = ?2, locked_until = ?3 "
                                  "WHERE id = ?1");
        if (!st) {
            rc = QF_ERR_STORAGE;
            goto out;
        }
        /* The lock starts a fresh count: after it, five more tries. */
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, lock ? 0 : failures);
        if (lock) {
            sqlite3_bind_int64(st, 3, now + SD_STAFF_LOCK_S);
            qf_clock_format_iso8601(now + SD_STAFF_LOCK_S, until, sizeof until);
        } else if (s.locked_until) {
            sqlite3_bind_int64(st, 3, s.locked_until);
        } else {
            sqlite3_bind_null(st, 3);
        }
        if ((rc = sd_store_step_done(store, st)) != QF_OK)
            goto out;
        detail = sd_staff_login_detail(opts, opts->kind == SD_SECRET_BADGE ? "bad_badge"
                                                                             : "bad_pin");
        if (detail) {
            json_object_set_new(detail, "failures", json_integer(failures));
            if (lock)
                json_object_set_new(detail, "locked_until", json_string(until));
        }
        rc = sd_staff_audit(store, now, actor, "staff.login_failed", NULL, NULL, detail);
        if (lock) {
            *why = SD_LOGIN_LOCKED;
            res->locked_until = now + SD_STAFF_LOCK_S;
        } else {
            *why = SD_LOGIN_BAD_CREDENTIALS;
        }
    } else if (!sd_staff_role_among(s.role, opts->roles)) {
        /* The secret was right, so this tells the holder nothing new; the
         * failure count is left alone (no guess was wrong). */
        *why = SD_LOGIN_ROLE;
        res->staff = s;
        detail = sd_staff_login_detail(opts, "role_not_allowed");
        if (detail)
            json_object_set_new(detail, "role", json_string(s.role));
        rc = sd_staff_audit(store, now, actor, "staff.login_failed", NULL, NULL, detail);
    } else {
        st = sd_store_stmt(store, "UPDATE staff SET failed_logins = 0, locked_until = NULL "
                                  "WHERE id = ?1");
        if (!st) {
            rc = QF_ERR_STORAGE;
            goto out;
        }
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        if ((rc = sd_store_step_done(store, st)) != QF_OK)
            goto out;
        s.failed_logins = 0;
        s.locked_until = 0;
        detail = sd_staff_login_detail(opts, NULL);
        if (detail && opts->session)
            json_object_set_new(detail, "session_s", json_integer(SD_STAFF_SESSION_S));
        if (detail && opts->offline_hash)
            json_object_set_new(detail, "offline_hash", json_true());
        rc = sd_staff_audit(store, now, actor, opts->session ? "staff.login" : "staff.pin_check",
                            NULL, NULL, detail);
    }
    if (rc == QF_OK)
        rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    if (rc != QF_OK)
        return rc;
    if (*why != SD_LOGIN_OK)
        return QF_ERR_DENIED;

    /* The technician's offline fallback: a fresh hash of the PIN just
     * proven right, made outside the lock like every hash. */
    if (opts->offline_hash && (rc = sd_pin_hash(secret, res->offline_hash)) != QF_OK)
        return rc;
    /* The session token (auth.c takes the lock itself). */
    if (opts->session) {
        if ((rc = sd_auth_token_new(res->token)) != QF_OK ||
            (rc = sd_auth_token_store(store, res->token, SD_PRINCIPAL_STAFF, s.id, s.role, now,
                                      now + SD_STAFF_SESSION_S)) != QF_OK) {
            sodium_memzero(res->token, sizeof res->token);
            return rc == QF_ERR_CONFLICT ? QF_ERR_STORAGE : rc;
        }
        res->expires_at = now + SD_STAFF_SESSION_S;
    }
    res->staff = s;
    return QF_OK;
}

qf_err sd_store_staff_login(sd_store *store, const char *id, const char *pin, qf_instant now,
                            char token[SD_TOKEN_LEN + 1], qf_instant *expires_at, sd_staff *out,
                            sd_login_refusal *why, qf_instant *locked_until)
{
    static const sd_login_opts opts = { .kind = SD_SECRET_PIN, .session = true };
    sd_login_result res;
    qf_err rc = sd_store_staff_signin(store, id, pin, &opts, now, &res);

    memcpy(token, res.token, SD_TOKEN_LEN + 1);
    *expires_at = res.expires_at;
    *why = res.why;
    *locked_until = res.locked_until;
    if (rc == QF_OK && out)
        *out = res.staff;
    sodium_memzero(&res, sizeof res);
    return rc;
}

/* ---- badges -------------------------------------------------------------- */

qf_err sd_staff_badge_parse(const char *payload, char id[SD_STAFF_ID_MAX + 1],
                            char secret[SD_TOKEN_LEN + 1])
{
    const size_t plen = strlen(SD_STAFF_BADGE_PREFIX);
    const char *rest, *colon;
    size_t idlen;

    id[0] = secret[0] = '\0';
    if (!payload || strlen(payload) > SD_STAFF_BADGE_MAX ||
        strncmp(payload, SD_STAFF_BADGE_PREFIX, plen) != 0)
        return QF_ERR_INVALID;
    rest = payload + plen;
    if (!(colon = strchr(rest, ':')))
        return QF_ERR_INVALID;
    idlen = (size_t)(colon - rest);
    if (idlen < SD_STAFF_ID_MIN || idlen > SD_STAFF_ID_MAX || strlen(colon + 1) != SD_TOKEN_LEN)
        return QF_ERR_INVALID;
    memcpy(id, rest, idlen);
    id[idlen] = '\0';
    for (const char *p = colon + 1; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_')) {
            id[0] = '\0';
            return QF_ERR_INVALID;
        }
    }
    if (sd_staff_id_check(id, NULL, 0) != QF_OK) {
        id[0] = '\0';
        return QF_ERR_INVALID;
    }
    memcpy(secret, colon + 1, SD_TOKEN_LEN + 1);
    return QF_OK;
}

qf_err sd_store_staff_badge_issue(sd_store *store, const char *id, const char *actor,
                                  qf_instant now, char payload[SD_STAFF_BADGE_MAX + 1])
{
    char secret[SD_TOKEN_LEN + 1], hash[SD_HASH_HEX_LEN + 1];
    sqlite3_stmt *st;
    sd_staff s;
    bool replaced = false;
    qf_err rc;

    payload[0] = '\0';
    if ((rc = sd_auth_token_new(secret)) != QF_OK)
        return rc;
    sd_auth_hash(secret, hash);
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_staff_get_locked(store, id, &s, NULL)) != QF_OK)
        goto out;
    if (s.disabled_at) {
        rc = QF_ERR_STATE;
        goto out;
    }
    st = sd_store_stmt(store, "SELECT 1 FROM staff_badges WHERE staff_id = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    replaced = sqlite3_step(st) == SQLITE_ROW;
    sd_store_done(st);
    /* One badge per account: a new one makes the old (lost?) one useless. */
    st = sd_store_stmt(store, "INSERT OR REPLACE INTO staff_badges (staff_id, secret_hash, "
                              "issued_at) VALUES (?1, ?2, ?3)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK ||
        (rc = sd_staff_audit(store, now, actor, "staff.badge", NULL, NULL,
                             json_pack("{s:s, s:b}", "staff", id, "replaced", replaced))) !=
            QF_OK ||
        (rc = sd_store_commit(store)) != QF_OK)
        goto out;
    snprintf(payload, SD_STAFF_BADGE_MAX + 1, "%s%s:%s", SD_STAFF_BADGE_PREFIX, id, secret);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    sodium_memzero(secret, sizeof secret);
    return rc;
}

qf_err sd_store_staff_logout(sd_store *store, const char *id, const char *token, qf_instant now)
{
    char hash[SD_HASH_HEX_LEN + 1], actor[SD_STAFF_ID_MAX + 8];
    sqlite3_stmt *st;
    qf_err rc;

    if (!token || strlen(token) != SD_TOKEN_LEN || sd_staff_id_check(id, NULL, 0) != QF_OK)
        return QF_ERR_NOT_FOUND;
    sd_auth_hash(token, hash);
    sd_staff_actor(id, actor, sizeof actor);
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "UPDATE tokens SET revoked_at = ?3 WHERE token_hash = ?1 AND "
                              "kind = 'staff' AND subject = ?2 AND revoked_at IS NULL");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    if (sqlite3_changes(sd_store_db(store)) == 0) {
        rc = QF_ERR_NOT_FOUND;
        goto out;
    }
    if ((rc = sd_staff_audit(store, now, actor, "staff.logout", NULL, NULL, NULL)) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    return rc;
}
