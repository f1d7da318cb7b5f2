/* store_devices.c — enrollment codes, devices, heartbeats, inspections,
 * maintenance notices and operator-token revocation in SQLite. See
 * store_devices.h for the contract; the lock rule is store.h's: each public
 * function holds the store lock from its first statement to its last.
 *
 * Enrollment spends a code, creates the device and stores its token hash
 * in one BEGIN IMMEDIATE transaction, so a code can never enroll two
 * devices, even when qifu-ctl and the daemon share the file. */
#include "store_devices.h"
#include "qf_clock.h"
#include "store_inspect.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

#define SD_DEVICE_ID_TRIES 8

/* ---- names and codes ----------------------------------------------------- */

/* Decodes one UTF-8 sequence at s; returns its length (0 when invalid) and
 * the code point in *cp. Rejects overlong forms, surrogates, > U+10FFFF. */
static size_t sd_utf8_next(const unsigned char *s, unsigned *cp)
{
    unsigned c = s[0], min;
    size_t n;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) {
        n = 2, min = 0x80, c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, min = 0x800, c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

qf_err sd_device_name_check(const char *name, size_t max, const char *what, char *err,
                            size_t errlen)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t count = 0;
    bool visible = false;

    if (!name || !*name)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "%s must not be empty", what);
    while (*p) {
        unsigned cp;
        size_t n = sd_utf8_next(p, &cp);
        if (n == 0)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "%s is not valid UTF-8", what);
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return qf_err_set(err, errlen, QF_ERR_INVALID, "%s contains a control character",
                              what);
        if (cp != ' ' && cp != 0x3000) /* ASCII and ideographic space */
            visible = true;
        p += n;
        if (++count > max)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "%s is longer than %zu characters",
                              what, max);
    }
    if (!visible)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "%s must not be only spaces", what);
    return QF_OK;
}

qf_err sd_enroll_code_normalise(const char *text, char out[15])
{
    /* sd_auth_code_new's alphabet; people may type lower case, spaces or
     * no dashes at all. */
    static const char alphabet[] = "ABCDEFGHJKMNPQRSTVWXYZ23456789";
    size_t n = 0;

    if (!text || strlen(text) > 32)
        return QF_ERR_INVALID;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!strchr(alphabet, c) || n == 12)
            return QF_ERR_INVALID;
        out[n + n / 4] = c;
        if (n % 4 == 3 && n < 11)
            out[n + n / 4 + 1] = '-';
        n++;
    }
    if (n != 12)
        return QF_ERR_INVALID;
    out[14] = '\0';
    return QF_OK;
}

/* ---- enrollment ---------------------------------------------------------- */

qf_err sd_store_enroll_code_add(sd_store *store, const char *code, const char *name,
                                const char *hall, qf_instant now, qf_instant *expires_at)
{
    char hash[SD_HASH_HEX_LEN + 1];
    sqlite3_stmt *st;
    qf_err rc;

    sd_auth_hash(code, hash);
    sd_store_lock(store);
    st = sd_store_stmt(store, "INSERT INTO enrollments (code_hash, name, hall, created_at, "
                              "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hall, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, now + SD_ENROLL_CODE_TTL_S);
    rc = sd_store_step_done(store, st);
    if (rc == QF_OK && expires_at)
        *expires_at = now + SD_ENROLL_CODE_TTL_S;
out:
    sd_store_unlock(store);
    return rc;
}

/* "dev-" and 8 lowercase hex digits from the CSPRNG. */
static qf_err sd_device_id_new(char out[SD_DEVICE_ID_LEN + 1])
{
    unsigned char raw[4];
    if (gnutls_rnd(GNUTLS_RND_NONCE, raw, sizeof raw) != 0)
        return QF_ERR_STORAGE;
    snprintf(out, SD_DEVICE_ID_LEN + 1, "dev-%02x%02x%02x%02x", raw[0], raw[1], raw[2], raw[3]);
    return QF_OK;
}

qf_err sd_store_device_enroll(sd_store *store, const char *code, const char *name,
                              const char *token, qf_instant now, sd_enrolled *out,
                              sd_enroll_refusal *why)
{
    char code_hash[SD_HASH_HEX_LEN + 1], token_hash[SD_HASH_HEX_LEN + 1];
    sqlite3_stmt *st;
    qf_err rc;
    int step;

    *why = SD_ENROLL_OK;
    memset(out, 0, sizeof *out);
    sd_auth_hash(code, code_hash);
    sd_auth_hash(token, token_hash);
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;

    st = sd_store_stmt(store, "SELECT hall, expires_at, used_at IS NOT NULL FROM enrollments "
                              "WHERE code_hash = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, code_hash, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        snprintf(out->hall, sizeof out->hall, "%s", (const char *)sqlite3_column_text(st, 0));
        if (sqlite3_column_int(st, 2))
            *why = SD_ENROLL_USED;
        else if (sqlite3_column_int64(st, 1) <= now)
            *why = SD_ENROLL_EXPIRED;
    } else if (step == SQLITE_DONE) {
        *why = SD_ENROLL_UNKNOWN;
    } else {
        rc = sd_store_err(store, step);
    }
    sd_store_done(st);
    if (rc == QF_OK && *why != SD_ENROLL_OK)
        rc = QF_ERR_DENIED;
    if (rc != QF_OK)
        goto out;

    /* 32 random bits: a clash is unlikely but not impossible; try again. */
    rc = QF_ERR_CONFLICT;
    for (int attempt = 0; attempt < SD_DEVICE_ID_TRIES && rc == QF_ERR_CONFLICT; attempt++) {
        if ((rc = sd_device_id_new(out->device_id)) != QF_OK)
            goto out;
        st = sd_store_stmt(store, "INSERT INTO devices (id, name, hall, enrolled_at) "
                                  "VALUES (?1, ?2, ?3, ?4)");
        if (!st) {
            rc = QF_ERR_STORAGE;
            goto out;
        }
        sqlite3_bind_text(st, 1, out->device_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, out->hall, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, now);
        rc = sd_store_step_done(store, st);
    }
    if (rc != QF_OK)
        goto out;

    st = sd_store_stmt(store, "INSERT INTO tokens (token_hash, kind, subject, role, created_at) "
                              "VALUES (?1, 'device', ?2, 'device', ?3)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, out->device_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;

    st = sd_store_stmt(store, "UPDATE enrollments SET used_at = ?2, device_id = ?3 "
                              "WHERE code_hash = ?1 AND used_at IS NULL");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, code_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, out->device_id, -1, SQLITE_TRANSIENT);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    if (sqlite3_changes(sd_store_db(store)) != 1) {
        rc = QF_ERR_STORAGE; /* cannot happen under BEGIN IMMEDIATE */
        goto out;
    }
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK) {
        sd_store_rollback(store);
        if (rc != QF_ERR_DENIED)
            memset(out, 0, sizeof *out);
    }
    sd_store_unlock(store);
    return rc;
}

/* ---- devices ------------------------------------------------------------- */

bool sd_device_online(const sd_device *d, qf_instant now)
{
    return d->revoked_at == 0 && d->last_seen > 0 && d->last_seen >= now - SD_DEVICE_ONLINE_S;
}

bool sd_device_inspection_overdue(const sd_device *d, qf_instant now)
{
    return d->last_inspection_at == 0 || sd_inspection_quarter_overdue(d->last_inspection_at, now);
}

/* The maintenance notice that is running at ?9 or the next one planned:
 * its start, end (start + duration_min) and reason. */
#define SD_MAINT_NEXT(col)                                                                   \
    "(SELECT " col " FROM maintenance m WHERE m.device_id = d.id AND "                       \
    "m.planned_at + 60 * COALESCE(json_extract(m.body, '$.duration_min'), 0) > ?9 "          \
    "ORDER BY m.planned_at, m.id LIMIT 1)"

/* The columns sd_device_read expects, in order. The last inspection is the
 * newest row of inspections for the device. */
#define SD_DEVICE_COLUMNS                                                                   \
    "d.id, d.name, d.hall, d.enrolled_at, d.revoked_at, d.last_seen, d.software_version, " \
    "d.catalog_version, d.printer_status, d.outbox_depth, d.disk_free_mb, d.uptime_s, "     \
    "(SELECT at FROM inspections WHERE device_id = d.id ORDER BY at DESC, id DESC LIMIT 1), " \
    "(SELECT result FROM inspections WHERE device_id = d.id ORDER BY at DESC, id DESC LIMIT 1), " \
    SD_MAINT_NEXT("planned_at") ", "                                                        \
    SD_MAINT_NEXT("planned_at + 60 * COALESCE(json_extract(body, '$.duration_min'), 0)") ", " \
    SD_MAINT_NEXT("reason")

static void sd_col_copy(sqlite3_stmt *st, int col, char *buf, size_t len)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    snprintf(buf, len, "%s", text ? (const char *)text : "");
}

static void sd_device_read(sqlite3_stmt *st, sd_device *d)
{
    memset(d, 0, sizeof *d);
    sd_col_copy(st, 0, d->id, sizeof d->id);
    sd_col_copy(st, 1, d->name, sizeof d->name);
    sd_col_copy(st, 2, d->hall, sizeof d->hall);
    d->enrolled_at = sqlite3_column_int64(st, 3);
    d->revoked_at = sqlite3_column_int64(st, 4);
    d->last_seen = sqlite3_column_int64(st, 5);
    if (d->last_seen) {
        sd_col_copy(st, 6, d->hb.software_version, sizeof d->hb.software_version);
        d->hb.catalog_version = sqlite3_column_int64(st, 7);
        sd_col_copy(st, 8, d->hb.printer_status, sizeof d->hb.printer_status);
        d->hb.outbox_depth = sqlite3_column_int64(st, 9);
        d->hb.disk_free_mb = sqlite3_column_int64(st, 10);
        d->hb.uptime_s = sqlite3_column_int64(st, 11);
    }
    d->last_inspection_at = sqlite3_column_int64(st, 12);
    sd_col_copy(st, 13, d->last_inspection_result, sizeof d->last_inspection_result);
    d->maintenance_from = sqlite3_column_int64(st, 14);
    d->maintenance_until = sqlite3_column_int64(st, 15);
    sd_col_copy(st, 16, d->maintenance_reason, sizeof d->maintenance_reason);
}

qf_err sd_store_device_list(sd_store *store, const char *hall, sd_device **out, size_t *count)
{
    sd_device *list = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step;

    *out = NULL;
    *count = 0;
    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT " SD_DEVICE_COLUMNS " FROM devices d "
                              "WHERE ?1 IS NULL OR d.hall = ?1 "
                              "ORDER BY d.hall, d.name, d.id LIMIT ?2");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    if (hall)
        sqlite3_bind_text(st, 1, hall, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, SD_DEVICE_LIST_MAX);
    sqlite3_bind_int64(st, 9, qf_clock_now());
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t grown_cap = cap ? cap * 2 : 16;
            sd_device *grown = realloc(list, grown_cap * sizeof *grown);
            if (!grown) {
                rc = QF_ERR_NOMEM;
                break;
            }
            list = grown;
            cap = grown_cap;
        }
        sd_device_read(st, &list[n++]);
    }
    if (rc == QF_OK && step != SQLITE_DONE)
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

qf_err sd_store_device_get(sd_store *store, const char *id, sd_device *out)
{
    sqlite3_stmt *st;
    qf_err rc = QF_OK;
    int step;

    sd_store_lock(store);
    st = sd_store_stmt(store, "SELECT " SD_DEVICE_COLUMNS " FROM devices d WHERE d.id = ?1");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, qf_clock_now());
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        sd_device_read(st, out);
    else
        rc = step == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, step);
    sd_store_done(st);
out:
    sd_store_unlock(store);
    return rc;
}

/* Under the lock: QF_OK for a live device, QF_ERR_STATE for a revoked one,
 * QF_ERR_NOT_FOUND for an unknown id. */
static qf_err sd_device_state_locked(sd_store *store, const char *id)
{
    sqlite3_stmt *st = sd_store_stmt(store, "SELECT revoked_at IS NOT NULL FROM devices "
                                            "WHERE id = ?1");
    qf_err rc;
    int step;

    if (!st)
        return QF_ERR_STORAGE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = sqlite3_column_int(st, 0) ? QF_ERR_STATE : QF_OK;
    else
        rc = step == SQLITE_DONE ? QF_ERR_NOT_FOUND : sd_store_err(store, step);
    sd_store_done(st);
    return rc;
}

qf_err sd_store_device_revoke(sd_store *store, const char *id, qf_instant now,
                              bool *was_revoked)
{
    sqlite3_stmt *st;
    qf_err rc;

    *was_revoked = false;
    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    rc = sd_device_state_locked(store, id);
    if (rc == QF_ERR_STATE) {
        *was_revoked = true;
        rc = QF_OK;
    }
    if (rc != QF_OK)
        goto out;
    st = sd_store_stmt(store, "UPDATE devices SET revoked_at = ?2 "
                              "WHERE id = ?1 AND revoked_at IS NULL");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    /* The device row alone already stops its tokens (auth.c joins it);
     * revoking the tokens too keeps them dead should the row change. */
    st = sd_store_stmt(store, "UPDATE tokens SET revoked_at = ?2 "
                              "WHERE kind = 'device' AND subject = ?1 AND revoked_at IS NULL");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_device_heartbeat(sd_store *store, const char *id, const sd_heartbeat *hb,
                                 qf_instant now)
{
    sqlite3_stmt *st;
    qf_err rc;

    sd_store_lock(store);
    st = sd_store_stmt(store, "UPDATE devices SET last_seen = ?2, software_version = ?3, "
                              "catalog_version = ?4, printer_status = ?5, outbox_depth = ?6, "
                              "disk_free_mb = ?7, uptime_s = ?8 "
                              "WHERE id = ?1 AND revoked_at IS NULL");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, hb->software_version, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, hb->catalog_version);
    sqlite3_bind_text(st, 5, hb->printer_status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, hb->outbox_depth);
    sqlite3_bind_int64(st, 7, hb->disk_free_mb);
    sqlite3_bind_int64(st, 8, hb->uptime_s);
    rc = sd_store_step_done(store, st);
    if (rc == QF_OK && sqlite3_changes(sd_store_db(store)) == 0)
        rc = QF_ERR_NOT_FOUND;
out:
    sd_store_unlock(store);
    return rc;
}

/* ---- inspections and maintenance ---------------------------------------- */

qf_err sd_store_inspection_add(sd_store *store, const char *device_id, qf_instant now,
                               const char *inspector, const char *result, const char *body,
                               int64_t *out_id)
{
    sqlite3_stmt *st;
    qf_err rc;

    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_device_state_locked(store, device_id)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "INSERT INTO inspections (device_id, at, inspector, result, body) "
                              "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, inspector, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, result, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, body, -1, SQLITE_TRANSIENT);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    *out_id = sqlite3_last_insert_rowid(sd_store_db(store));
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    return rc;
}

qf_err sd_store_maintenance_add(sd_store *store, const char *device_id, qf_instant now,
                                qf_instant planned_at, const char *reason, const char *body,
                                int64_t *out_id)
{
    sqlite3_stmt *st;
    qf_err rc;

    sd_store_lock(store);
    if ((rc = sd_store_begin(store)) != QF_OK)
        goto out;
    if ((rc = sd_device_state_locked(store, device_id)) != QF_OK)
        goto out;
    st = sd_store_stmt(store, "INSERT INTO maintenance (device_id, reported_at, planned_at, "
                              "reason, body) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, planned_at);
    sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, body, -1, SQLITE_TRANSIENT);
    if ((rc = sd_store_step_done(store, st)) != QF_OK)
        goto out;
    *out_id = sqlite3_last_insert_rowid(sd_store_db(store));
    rc = sd_store_commit(store);
out:
    if (rc != QF_OK)
        sd_store_rollback(store);
    sd_store_unlock(store);
    return rc;
}

/* ---- operators ----------------------------------------------------------- */

qf_err sd_store_operator_revoke(sd_store *store, const char *name, qf_instant now,
                                unsigned *count)
{
    sqlite3_stmt *st;
    qf_err rc;

    *count = 0;
    sd_store_lock(store);
    st = sd_store_stmt(store, "UPDATE tokens SET revoked_at = ?2 "
                              "WHERE kind = 'operator' AND subject = ?1 AND revoked_at IS NULL "
                              "AND (expires_at IS NULL OR expires_at > ?2)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    rc = sd_store_step_done(store, st);
    if (rc == QF_OK)
        *count = (unsigned)sqlite3_changes(sd_store_db(store));
out:
    sd_store_unlock(store);
    return rc;
}
