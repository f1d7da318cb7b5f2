/* reply.c — builds and queues every response: JSON, errors, raw bytes.
 * The MHD ownership rule: a response created with MHD_RESPMEM_MUST_FREE
 * takes our malloc'd buffer; MUST_COPY copies; PERSISTENT borrows. Each
 * response is destroyed right after queueing (MHD keeps its own ref). */
#include "reply.h"

#include <sodium.h>

#include <microhttpd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_log.h"

#define SD_JSON_TYPE "application/json; charset=utf-8"

static int sd_reply_queue(sd_request *req, unsigned status, struct MHD_Response *resp)
{
    int rc;
    if (!resp) {
        qf_error("reply: cannot create a response");
        return MHD_NO;
    }
    req->status = status;
    rc = MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

int sd_reply_bytes(sd_request *req, unsigned status, const char *content_type, const void *data,
                   size_t len, int persistent, ...)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)data, persistent ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
    va_list ap;
    const char *name;

    if (!resp)
        return sd_reply_queue(req, status, NULL);
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    va_start(ap, persistent);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        MHD_add_response_header(resp, name, value);
    }
    va_end(ap);
    return sd_reply_queue(req, status, resp);
}

int sd_reply_shared(sd_request *req, unsigned status, const char *content_type, const void *data,
                    size_t len, void (*release)(void *cls), void *cls, ...)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
        len, (void *)(uintptr_t)data, release, cls);
    va_list ap;
    const char *name;

    if (!resp) {
        release(cls);
        return sd_reply_queue(req, status, NULL);
    }
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    va_start(ap, cls);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        MHD_add_response_header(resp, name, value);
    }
    va_end(ap);
    return sd_reply_queue(req, status, resp);
}

int sd_reply_json(sd_request *req, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct MHD_Response *resp;

    json_decref(body);
    if (!text)
        return sd_reply_error(req, 500, "internal", "could not encode the response");
    resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return sd_reply_queue(req, status, NULL);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, SD_JSON_TYPE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return sd_reply_queue(req, status, resp);
}

int sd_reply_json_private(sd_request *req, unsigned status, json_t *body,
                          const char *retry_after)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int rc;
    json_decref(body);
    if (!text)
        return sd_reply_error(req, 500, "internal", "the server could not complete the request");
    if (retry_after)
        rc = sd_reply_bytes(req, status, SD_JSON_TYPE, text, strlen(text), 0,
                            MHD_HTTP_HEADER_CACHE_CONTROL, "no-store",
                            MHD_HTTP_HEADER_RETRY_AFTER, retry_after, NULL);
    else
        rc = sd_reply_bytes(req, status, SD_JSON_TYPE, text, strlen(text), 0,
                            MHD_HTTP_HEADER_CACHE_CONTROL, "no-store", NULL);
    /* sd_reply_bytes copied the text (persistent = 0): wipe ours. */
    sodium_memzero(text, strlen(text));
    free(text);
    return rc;
}

/* Replaces every byte that is not part of a valid UTF-8 sequence (and
 * control characters) with '?', so a message that echoes client input
 * (a path, a field name) always encodes as JSON. */
static void sd_reply_clean_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        int len = *p < 0x80 ? 1 : (*p >> 5) == 0x6 ? 2 : (*p >> 4) == 0xe ? 3 : (*p >> 3) == 0x1e ? 4 : 0;
        int ok = len > 0;
        for (int i = 1; ok && i < len; i++)
            ok = (p[i] & 0xc0) == 0x80;
        if (ok && len == 2 && *p < 0xc2)
            ok = 0; /* overlong */
        if (!ok) {
            *p++ = '?';
            continue;
        }
        if (len == 1 && *p < 0x20)
            *p = '?';
        p += len;
    }
}

int sd_reply_error(sd_request *req, unsigned status, const char *code, const char *fmt, ...)
{
    char message[512];
    char *text;
    json_t *body;
    struct MHD_Response *resp;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    sd_reply_clean_utf8(message);
    body = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
    text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return sd_reply_bytes(req, 500, "text/plain", "internal error\n", 15, 1, NULL);
    resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return sd_reply_queue(req, status, NULL);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, SD_JSON_TYPE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"qifu\"");
    return sd_reply_queue(req, status, resp);
}

int sd_reply_qf_err(sd_request *req, qf_err rc, const char *message)
{
    switch (rc) {
    case QF_ERR_INVALID:
    case QF_ERR_PARSE:
    case QF_ERR_RANGE:
        return sd_reply_error(req, 400, "invalid", "%s", message);
    case QF_ERR_LIMIT:
        return sd_reply_error(req, 413, "too_large", "%s", message);
    case QF_ERR_NOT_FOUND:
        return sd_reply_error(req, 404, "not_found", "%s", message);
    case QF_ERR_STATE:
    case QF_ERR_CONFLICT:
        return sd_reply_error(req, 409, "conflict", "%s", message);
    case QF_ERR_DENIED:
        return sd_reply_error(req, 403, "forbidden", "%s", message);
    default:
        qf_error("request %s %s failed: %s (%s)", req->method, req->path, qf_err_str(rc), message);
        return sd_reply_error(req, 500, "internal", "the server could not complete the request");
    }
}
