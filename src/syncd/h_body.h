/* h_body.h — the checks every JSON-body handler shares (cases, ratings, the
 * public tracking page): the one 400 error shape with "field", unknown
 * members, string members with lengths in characters, identifiers,
 * idempotency keys, and the submitter's four phone digits with the case
 * look-up bucket they spend. One copy, so the daemon answers the same way
 * on every route. */
#ifndef SD_H_BODY_H
#define SD_H_BODY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http.h"

/* Look-ups of one case number, by the API and by /track alike (bucket key
 * "case:<no>"): a phone4 guess costs one token. */
#define SD_CASE_LOOKUP_PER_MINUTE 10
#define SD_CASE_LOOKUP_BURST 10
#define SD_IDEM_KEY_MIN 8
#define SD_IDEM_KEY_MAX 64

/* 400 with {"error":{"code","message","field"[,"message_zh"]}}; message_zh
 * may be NULL. Returns the handler's status. */
int sd_body_field_error(sd_request *req, const char *code, const char *field,
                        const char *message_zh, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Every member of obj must be in allowed (NULL-terminated); otherwise 400
 * unknown_field naming the first three (64 bytes of each at most), *rc set,
 * false. */
bool sd_body_fields_known(sd_request *req, json_t *obj, const char *const *allowed, int *rc);

/* A string member: *out borrowed from obj, NULL when absent or null and not
 * required (and for "" when min is 0). Lengths in characters; blank text or
 * control characters (line breaks allowed when multiline) refused. On a
 * problem answers 400, sets *rc and returns false. */
bool sd_body_str(sd_request *req, json_t *obj, const char *name, bool required, size_t min,
                 size_t max, bool multiline, const char **out, int *rc);

size_t sd_body_utf8_len(const char *s);             /* code points of valid UTF-8 */
/* A C0 control or DEL (tab and line breaks allowed when multiline), or
 * nothing but white space. */
bool sd_body_text_bad(const char *s, bool multiline);
/* Copies at most max bytes of s to out (max + 1 bytes), cut at a character. */
void sd_body_utf8_prefix(const char *s, size_t max, char *out);
/* 1..max bytes of [A-Za-z0-9._:-] (helper, service and window ids). */
bool sd_body_ident(const char *s, size_t max);
/* SD_IDEM_KEY_MIN..MAX of [A-Za-z0-9_-]. */
bool sd_body_idem_key_valid(const char *key);
/* Exactly four ASCII digits. */
bool sd_body_phone4_valid(const char *p);
/* Do the last four digits of the stored (canonical) phone equal phone4?
 * Compared without an early exit. */
bool sd_body_phone4_matches(const char *stored, const char *phone4);

#endif
