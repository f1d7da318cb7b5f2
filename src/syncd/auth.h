/* auth.h — bearer tokens and one-time codes: making them (GnuTLS's CSPRNG),
 * hashing them (SHA-256; only hashes are stored), and resolving a presented
 * token to the principal behind it. The dispatcher calls sd_auth_resolve
 * once per request; handlers see only req->who. */
#ifndef SD_AUTH_H
#define SD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "qf_error.h"
#include "store.h"
#include "syncd.h"

#define SD_TOKEN_LEN 43          /* 32 random bytes, base64url without padding */
#define SD_HASH_HEX_LEN 64

/* Writes a fresh token (SD_TOKEN_LEN chars + NUL) into out. */
qf_err sd_auth_token_new(char out[SD_TOKEN_LEN + 1]);

/* Writes a one-time enrollment code "XXXX-XXXX-XXXX" (base32 without
 * look-alike letters) into out (15 bytes). */
qf_err sd_auth_code_new(char out[15]);

/* SHA-256 of text as lowercase hex. */
void sd_auth_hash(const char *text, char out[SD_HASH_HEX_LEN + 1]);

/* Stores a token hash for a principal. expires_at 0 = never. */
qf_err sd_auth_token_store(sd_store *store, const char *token, sd_principal_kind kind,
                           const char *subject, const char *role, qf_instant now,
                           qf_instant expires_at);

/* Resolves "Bearer <token>" (the Authorization header value) at now.
 * QF_ERR_DENIED when missing, malformed, unknown, expired or revoked. */
qf_err sd_auth_resolve(sd_store *store, const char *authorization, qf_instant now,
                       sd_principal *out);

const char *sd_principal_kind_name(sd_principal_kind kind);

/* A small in-memory cache of resolved tokens in front of the store, so the
 * hot read paths (catalog 304s) do not take the store lock and SQLite's file
 * locks per request. An entry lives at most SD_AUTH_CACHE_TTL_MS: a token
 * revoked by qifu-ctl (another process) stops working within that time.
 * Only successful resolutions are cached. Thread-safe. */
#define SD_AUTH_CACHE_TTL_MS 1000
typedef struct sd_auth_cache sd_auth_cache;

sd_auth_cache *sd_auth_cache_new(void);
void sd_auth_cache_free(sd_auth_cache *cache);
/* Forgets every entry (after a revocation made by the daemon itself). */
void sd_auth_cache_clear(sd_auth_cache *cache);

/* sd_auth_resolve through the cache; now_ms is a monotonic clock. */
qf_err sd_auth_resolve_cached(sd_auth_cache *cache, sd_store *store, const char *authorization,
                              qf_instant now, uint64_t now_ms, sd_principal *out);

#endif
