/* reply.h — every response qifu-syncd sends goes through here: JSON bodies,
 * the one error shape {"error":{"code":"…","message":"…"}}, and raw bodies
 * with caching headers. Each function queues exactly one response and
 * returns libmicrohttpd's result, which the handler returns. */
#ifndef SD_REPLY_H
#define SD_REPLY_H

#include <jansson.h>

#include "syncd.h"

/* Sends body (stolen: the reply owns and frees it) with status. */
int sd_reply_json(sd_request *req, unsigned status, json_t *body);

/* sd_reply_json for a body holding a secret (a session token): our copy
 * of the text is wiped once libmicrohttpd has copied it; Retry-After when
 * retry_after is not NULL. */
int sd_reply_json_private(sd_request *req, unsigned status, json_t *body,
                          const char *retry_after);

/* Sends the error shape. code is a stable machine word ("invalid_body"),
 * the message a plain sentence for people. */
int sd_reply_error(sd_request *req, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sends a body the caller keeps ownership of; it is copied unless
 * persistent is true (then it must outlive the response). Extra headers
 * come in name/value pairs ending with NULL. */
int sd_reply_bytes(sd_request *req, unsigned status, const char *content_type, const void *data,
                   size_t len, int persistent, ...);

/* Sends a body owned by someone else without copying it: release(cls) is
 * called exactly once, when libmicrohttpd is done with the bytes (or at
 * once if the response cannot be made). For large cached bodies. Extra
 * headers in name/value pairs ending with NULL. */
int sd_reply_shared(sd_request *req, unsigned status, const char *content_type, const void *data,
                    size_t len, void (*release)(void *cls), void *cls, ...);

/* Maps a qf_err from a lower layer to a status and sends the error shape. */
int sd_reply_qf_err(sd_request *req, qf_err rc, const char *message);

#endif
