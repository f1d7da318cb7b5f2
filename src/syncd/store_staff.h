/* store_staff.h — staff accounts and their sessions: adding an account
 * (with its unit checked against the published catalog), changing its PIN,
 * listing, disabling, and signing in and out.
 *
 * Owns: the SQL on the staff table, the 'staff' rows of tokens, hashing
 * and checking PINs (libsodium crypto_pwhash_str: Argon2id with the
 * INTERACTIVE limits) and the login lock-out, and the staff badges
 * (staff_badges: the SHA-256 of each badge's secret) used to sign in at a
 * kiosk. Every change here writes its
 * audit entry (store_audit.h) in the same transaction; failed logins are
 * audited too. PINs are never stored, logged or audited.
 *
 * Does not own: who may manage accounts (perm.c, qifu-ctl), request
 * parsing (h_staff.c), resolving a session token to a principal (auth.c,
 * which refuses tokens of disabled accounts and expired ones).
 *
 * Locking: every function takes the store lock itself; callers must not
 * hold it. Hashing and verifying a PIN (tens of milliseconds, 64 MiB) is
 * done OUTSIDE the lock so a login does not stall other requests. */
#ifndef SD_STORE_STAFF_H
#define SD_STORE_STAFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

#define SD_STAFF_ID_MIN         2
#define SD_STAFF_ID_MAX         16        /* [A-Za-z0-9-] */
#define SD_STAFF_NAME_MAX       32        /* characters (UTF-8 code points) */
#define SD_STAFF_PIN_MIN        6         /* characters */
#define SD_STAFF_PIN_MAX        64        /* characters */
#define SD_STAFF_UNIT_MAX       64        /* characters of a unit id or name as typed */
#define SD_STAFF_LOGIN_TRIES    5         /* failed logins in a row before the lock */
#define SD_STAFF_LOCK_S         (15 * 60) /* how long the lock lasts */
#define SD_STAFF_SESSION_S      (8 * 3600)/* a session token's life */
#define SD_STAFF_LIST_MAX       10000

typedef struct sd_staff {
    char id[SD_STAFF_ID_MAX + 1];
    char name[SD_STAFF_NAME_MAX * 4 + 1];
    char role[16];
    char unit[32];              /* "unit-NNN" or "" */
    char unit_name[256];        /* the unit's name in the catalog, "" when none or gone */
    qf_instant created_at;
    qf_instant disabled_at;     /* 0: active */
    int failed_logins;          /* failed logins since the last success or lock */
    qf_instant locked_until;    /* 0: never locked (may lie in the past) */
} sd_staff;

/* ---- checks shared by h_staff.c and qifu-ctl (no store needed) ---------- */

/* QF_ERR_INVALID with a reason naming the field. */
qf_err sd_staff_id_check(const char *id, char *err, size_t errlen);
qf_err sd_staff_pin_check(const char *pin, char *err, size_t errlen);
/* helper, triage, department, taskforce, leader, operator, technician */
bool sd_staff_role_valid(const char *role);

/* ---- accounts ------------------------------------------------------------ */

/* Adds account id at now. unit is NULL/"" or a unit id ("unit-012"), name
 * or alias of the published catalog's units; the id is stored. Rules: the
 * triage role needs a platform or street unit, department a department
 * unit, others may have any unit or none. actor is the audit actor ("ctl",
 * "operator:NAME").
 * QF_ERR_INVALID (bad field), QF_ERR_NOT_FOUND (no such unit),
 * QF_ERR_STATE (no catalog imported yet), QF_ERR_CONFLICT (id taken);
 * err says which, in a sentence. */
qf_err sd_store_staff_add(sd_store *store, const char *id, const char *name, const char *role,
                          const char *unit, const char *pin, const char *actor, qf_instant now,
                          sd_staff *out, char *err, size_t errlen);

/* Sets a new PIN for id, clears its failed-login count and lock, and ends
 * its sessions (whoever knew the old PIN is signed out). QF_ERR_NOT_FOUND
 * for an unknown id; a disabled account may get a PIN (it stays disabled). */
qf_err sd_store_staff_passwd(sd_store *store, const char *id, const char *pin, const char *actor,
                             qf_instant now, char *err, size_t errlen);

/* Disables id and revokes every session token it holds. *was_disabled
 * tells an account disabled before (left as is, nothing audited).
 * QF_ERR_NOT_FOUND for an unknown id. */
qf_err sd_store_staff_disable(sd_store *store, const char *id, const char *actor, qf_instant now,
                              bool *was_disabled);

/* One account; QF_ERR_NOT_FOUND when unknown. */
qf_err sd_store_staff_get(sd_store *store, const char *id, sd_staff *out);

/* Every account, ordered by id. Ownership: free(*out). */
qf_err sd_store_staff_list(sd_store *store, sd_staff **out, size_t *count);

/* The account as the API shows it: {"id","name","role","unit","unit_name",
 * "created_at","disabled"}; unit/unit_name null when none. Owned. */
json_t *sd_staff_to_json(const sd_staff *s);

/* ---- sessions ------------------------------------------------------------ */

typedef enum sd_login_refusal {
    SD_LOGIN_OK = 0,
    SD_LOGIN_BAD_CREDENTIALS,    /* unknown id, wrong PIN or disabled: one answer */
    SD_LOGIN_LOCKED,             /* too many failures; *locked_until says until when */
    SD_LOGIN_ROLE,               /* right secret, but the role may not sign in there */
} sd_login_refusal;

/* Signs id in with pin at now. On success writes a fresh session token
 * (SD_TOKEN_LEN chars) into token, stored as kind 'staff' expiring at
 * now + SD_STAFF_SESSION_S (*expires_at), and the account into *out.
 * On QF_ERR_DENIED *why says which refusal; for SD_LOGIN_LOCKED
 * *locked_until holds the end of the lock. A wrong PIN counts towards the
 * lock (SD_STAFF_LOGIN_TRIES in a row lock for SD_STAFF_LOCK_S); a success
 * resets the count. While locked the PIN is not even checked.
 * An unknown id costs as much time as a wrong PIN (a dummy hash is
 * checked), so timing does not tell which ids exist. */
qf_err sd_store_staff_login(sd_store *store, const char *id, const char *pin, qf_instant now,
                            char token[SD_TOKEN_LEN + 1], qf_instant *expires_at, sd_staff *out,
                            sd_login_refusal *why, qf_instant *locked_until);

/* ---- signing in at a kiosk: PIN or badge, roles, offline hash ----------- */

/* The staff badge QR (issue 9): "QIFU-STAFF:<staff id>:<secret>", the
 * secret being SD_TOKEN_LEN characters of base64url (256 random bits).
 * Only the secret's SHA-256 is stored (table staff_badges); one badge per
 * account, a new one replaces the old. */
#define SD_STAFF_BADGE_PREFIX   "QIFU-STAFF:"
#define SD_STAFF_BADGE_MAX      (11 + SD_STAFF_ID_MAX + 1 + SD_TOKEN_LEN)

typedef enum sd_login_secret {
    SD_SECRET_PIN = 0,           /* the account's PIN (Argon2id) */
    SD_SECRET_BADGE,             /* the secret part of the badge payload */
} sd_login_secret;

typedef struct sd_login_opts {
    sd_login_secret kind;        /* what the secret is */
    const char *const *roles;    /* NULL: any role; else the roles admitted (NULL-ended) */
    bool session;                /* issue a session token (SD_STAFF_SESSION_S) */
    bool offline_hash;           /* make a fresh crypto_pwhash_str of the PIN (PIN only) */
    const char *device_id;       /* the kiosk it happens at, for the audit; NULL: none */
} sd_login_opts;

typedef struct sd_login_result {
    sd_login_refusal why;        /* on QF_ERR_DENIED */
    qf_instant locked_until;     /* for SD_LOGIN_LOCKED */
    sd_staff staff;              /* on success, and for SD_LOGIN_ROLE */
    char token[SD_TOKEN_LEN + 1];/* opts.session: the session token (wipe after use) */
    qf_instant expires_at;       /* opts.session */
    char offline_hash[128];      /* opts.offline_hash: crypto_pwhash_STRBYTES */
} sd_login_result;

/* Checks id's secret at now under exactly the rules of
 * sd_store_staff_login (one answer for unknown id, wrong secret and
 * disabled account; a dummy hash for unknown ids when the secret is a PIN;
 * SD_STAFF_LOGIN_TRIES wrong secrets lock the account — wrong badges count
 * too; while locked nothing is checked). Then, if the secret was right but
 * the account's role is not among opts->roles: QF_ERR_DENIED with
 * SD_LOGIN_ROLE (the failure count is left alone). Audited as
 * "staff.login" (session) or "staff.pin_check" (no session), refusals as
 * "staff.login_failed", with the device and "pin"/"badge" in the detail. */
qf_err sd_store_staff_signin(sd_store *store, const char *id, const char *secret,
                             const sd_login_opts *opts, qf_instant now, sd_login_result *res);

/* Splits a badge payload into the staff id and the secret. QF_ERR_INVALID
 * when it is not one (wrong prefix, bad id, secret not 43 base64url chars). */
qf_err sd_staff_badge_parse(const char *payload, char id[SD_STAFF_ID_MAX + 1],
                            char secret[SD_TOKEN_LEN + 1]);

/* Issues a new badge for id at now (audited "staff.badge" with actor) and
 * writes its payload, to be shown once. QF_ERR_NOT_FOUND for an unknown
 * id, QF_ERR_STATE for a disabled account. */
qf_err sd_store_staff_badge_issue(sd_store *store, const char *id, const char *actor,
                                  qf_instant now, char payload[SD_STAFF_BADGE_MAX + 1]);

/* Revokes the session token of staff id (audited as staff.logout).
 * QF_ERR_NOT_FOUND when token is not a live session of id. */
qf_err sd_store_staff_logout(sd_store *store, const char *id, const char *token, qf_instant now);

#endif
