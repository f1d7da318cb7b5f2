/* auth.c — tokens, codes and their resolution. Tokens are 256-bit random
 * values; the database keeps SHA-256 hashes only, so a copy of the database
 * does not hold usable credentials. */
#include "auth.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sd_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

qf_err sd_auth_token_new(char out[SD_TOKEN_LEN + 1])
{
    unsigned char raw[33]; /* 32 used; one spare byte keeps the loop simple */
    size_t o = 0;
    if (gnutls_rnd(GNUTLS_RND_KEY, raw, 32) != 0)
        return QF_ERR_STORAGE;
    raw[32] = 0;
    for (size_t i = 0; i < 33 && o < SD_TOKEN_LEN; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)(i + 1 < 33 ? raw[i + 1] : 0) << 8 |
                     (unsigned)(i + 2 < 33 ? raw[i + 2] : 0);
        for (int k = 18; k >= 0 && o < SD_TOKEN_LEN; k -= 6)
            out[o++] = sd_b64url[(v >> k) & 63];
    }
    out[SD_TOKEN_LEN] = '\0';
    return QF_OK;
}

qf_err sd_auth_code_new(char out[15])
{
    /* Crockford-style alphabet: no I, L, O, U, 0, 1, read aloud at a kiosk. */
    static const char alphabet[] = "ABCDEFGHJKMNPQRSTVWXYZ23456789";
    unsigned char raw[12];
    if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof raw) != 0)
        return QF_ERR_STORAGE;
    for (int i = 0, o = 0; i < 12; i++) {
        if (i && i % 4 == 0)
            out[o++] = '-';
        out[o++] = alphabet[raw[i] % (sizeof alphabet - 1)];
        out[o] = '\0';
    }
    return QF_OK;
}

void sd_auth_hash(const char *text, char out[SD_HASH_HEX_LEN + 1])
{
    unsigned char digest[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, text, strlen(text), digest);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

const char *sd_principal_kind_name(sd_principal_kind kind)
{
    switch (kind) {
    case SD_PRINCIPAL_DEVICE: return "device";
    case SD_PRINCIPAL_OPERATOR: return "operator";
    case SD_PRINCIPAL_STAFF: return "staff";
    default: return "none";
    }
}

qf_err sd_auth_token_store(sd_store *store, const char *token, sd_principal_kind kind,
                           const char *subject, const char *role, qf_instant now,
                           qf_instant expires_at)
{
    char hash[SD_HASH_HEX_LEN + 1];
    sqlite3_stmt *st;
    qf_err rc;

    sd_auth_hash(token, hash);
    sd_store_lock(store);
    st = sd_store_stmt(store, "INSERT INTO tokens (token_hash, kind, subject, role, created_at, "
                              "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, sd_principal_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, now);
    if (expires_at)
        sqlite3_bind_int64(st, 6, expires_at);
    rc = sd_store_step_done(store, st);
out:
    sd_store_unlock(store);
    return rc;
}

qf_err sd_auth_resolve(sd_store *store, const char *authorization, qf_instant now,
                       sd_principal *out)
{
    char hash[SD_HASH_HEX_LEN + 1];
    const char *token;
    sqlite3_stmt *st;
    qf_err rc = QF_ERR_DENIED;

    memset(out, 0, sizeof *out);
    if (!authorization || strncmp(authorization, "Bearer ", 7) != 0)
        return QF_ERR_DENIED;
    token = authorization + 7;
    if (strlen(token) != SD_TOKEN_LEN)
        return QF_ERR_DENIED;
    sd_auth_hash(token, hash);
    sd_store_lock(store);
    /* A device token is valid only while its device is not revoked, a staff
     * session only while the account is not disabled; a staff member's role
     * and unit are read from the account, so a change applies at once. */
    st = sd_store_stmt(store,
                       "SELECT t.kind, t.subject, COALESCE(s.role, t.role), COALESCE(d.hall, ''), "
                       "COALESCE(s.unit, '') FROM tokens t "
                       "LEFT JOIN devices d ON t.kind = 'device' AND d.id = t.subject "
                       "LEFT JOIN staff s ON t.kind = 'staff' AND s.id = t.subject "
                       "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL "
                       "AND (t.expires_at IS NULL OR t.expires_at > ?2) "
                       "AND (t.kind <> 'device' OR (d.id IS NOT NULL AND d.revoked_at IS NULL)) "
                       "AND (t.kind <> 'staff' OR (s.id IS NOT NULL AND s.disabled_at IS NULL))");
    if (!st) {
        rc = QF_ERR_STORAGE;
        goto out;
    }
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        out->kind = strcmp(kind, "device") == 0     ? SD_PRINCIPAL_DEVICE
                    : strcmp(kind, "operator") == 0 ? SD_PRINCIPAL_OPERATOR
                                                    : SD_PRINCIPAL_STAFF;
        snprintf(out->subject, sizeof out->subject, "%s", sqlite3_column_text(st, 1));
        snprintf(out->role, sizeof out->role, "%s", sqlite3_column_text(st, 2));
        snprintf(out->hall, sizeof out->hall, "%s", sqlite3_column_text(st, 3));
        snprintf(out->unit, sizeof out->unit, "%s", sqlite3_column_text(st, 4));
        rc = QF_OK;
    }
    sd_store_done(st);
out:
    sd_store_unlock(store);
    return rc;
}

/* ---- the resolution cache ------------------------------------------------ */

#define SD_AUTH_CACHE_SLOTS 256

typedef struct sd_auth_entry {
    char hash[SD_HASH_HEX_LEN + 1]; /* "" when free */
    sd_principal who;
    uint64_t until_ms;
} sd_auth_entry;

struct sd_auth_cache {
    pthread_mutex_t lock;
    sd_auth_entry slots[SD_AUTH_CACHE_SLOTS];
};

sd_auth_cache *sd_auth_cache_new(void)
{
    sd_auth_cache *cache = calloc(1, sizeof *cache);
    if (cache)
        pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

void sd_auth_cache_free(sd_auth_cache *cache)
{
    if (!cache)
        return;
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

void sd_auth_cache_clear(sd_auth_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    memset(cache->slots, 0, sizeof cache->slots);
    pthread_mutex_unlock(&cache->lock);
}

qf_err sd_auth_resolve_cached(sd_auth_cache *cache, sd_store *store, const char *authorization,
                              qf_instant now, uint64_t now_ms, sd_principal *out)
{
    char hash[SD_HASH_HEX_LEN + 1];
    sd_auth_entry *slot;
    qf_err rc;

    if (!cache || !authorization || strncmp(authorization, "Bearer ", 7) != 0 ||
        strlen(authorization + 7) != SD_TOKEN_LEN)
        return sd_auth_resolve(store, authorization, now, out);
    sd_auth_hash(authorization + 7, hash);
    /* the hash is uniformly distributed: its first bytes pick the slot */
    slot = &cache->slots[strtoul((char[3]){ hash[0], hash[1], 0 }, NULL, 16) % SD_AUTH_CACHE_SLOTS];
    pthread_mutex_lock(&cache->lock);
    if (strcmp(slot->hash, hash) == 0 && now_ms < slot->until_ms) {
        *out = slot->who;
        pthread_mutex_unlock(&cache->lock);
        return QF_OK;
    }
    pthread_mutex_unlock(&cache->lock);
    rc = sd_auth_resolve(store, authorization, now, out);
    if (rc == QF_OK) {
        pthread_mutex_lock(&cache->lock);
        memcpy(slot->hash, hash, sizeof hash);
        slot->who = *out;
        slot->until_ms = now_ms + SD_AUTH_CACHE_TTL_MS;
        pthread_mutex_unlock(&cache->lock);
    }
    return rc;
}
