/* store_audit.h — the append-only audit trail: every action on a case or a
 * staff account, with who did it, when, what, and the state before and
 * after.
 *
 * Owns: the SQL on the audit table. The table itself (migration 2) refuses
 * UPDATE and DELETE with triggers, so nothing here or anywhere else can
 * rewrite history. Does not own: deciding what to record (the callers) or
 * who may read it (perm.c and the handlers).
 *
 * Actor strings name the principal: "staff:ID", "device:ID",
 * "operator:NAME", "ctl" (qifu-ctl run locally) or "system:scheduler".
 * Action strings are dotted verbs: "staff.add", "staff.passwd",
 * "staff.disable", "staff.login", "staff.login_failed", "staff.logout",
 * "case.triage", … Never put a PIN, password or token in any field. */
#ifndef SD_STORE_AUDIT_H
#define SD_STORE_AUDIT_H

#include <jansson.h>
#include <stddef.h>

#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

#define SD_AUDIT_LIST_MAX   1000          /* entries one listing returns at most */
#define SD_AUDIT_FIELD_MAX  (64 * 1024)   /* bytes of one before/after/detail text */
#define SD_AUDIT_NAME_MAX   128           /* bytes of actor, action or case_no */

/* Appends one entry at now. before_json, after_json and detail_json are
 * JSON texts (any JSON value, usually an object) or NULL for "none";
 * case_no is NULL for entries not about a case.
 *
 * Locking: call it INSIDE the caller's write transaction, with the store
 * lock already held (sd_store_lock + sd_store_begin): it takes no lock and
 * opens no transaction, so the entry commits or rolls back together with
 * the change it describes. QF_ERR_INVALID for an empty actor/action, a
 * field over its limit or a field that is not JSON; QF_ERR_STORAGE when
 * the insert fails (then roll back the whole change). */
qf_err sd_store_audit_append(sd_store *store, qf_instant now, const char *actor,
                             const char *action, const char *case_no, const char *before_json,
                             const char *after_json, const char *detail_json);

/* The last `limit` entries (1..SD_AUDIT_LIST_MAX; 0 or more means the
 * maximum), of one case (case_no) or of everything (NULL), oldest first, as
 * a JSON array of {"id","at","actor","action","case_no","before","after",
 * "detail"}: at is ISO 8601 (+08:00), case_no/before/after/detail are null
 * when absent, before/after/detail are JSON values (not text).
 * Takes the store lock. Ownership: the caller json_decref's *out. */
qf_err sd_store_audit_list(sd_store *store, const char *case_no, size_t limit, json_t **out);

#endif
