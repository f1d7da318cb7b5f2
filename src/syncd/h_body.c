/* h_body.c — see h_body.h. */
#include "h_body.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reply.h"

int sd_body_field_error(sd_request *req, const char *code, const char *field,
                        const char *message_zh, const char *fmt, ...)
{
    char message[512];
    json_t *body, *error;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    body = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "message", message, "field",
                     field);
    error = json_object_get(body, "error");
    if (error && message_zh)
        json_object_set_new(error, "message_zh", json_string(message_zh));
    if (!body)
        return sd_reply_error(req, 400, code, "%s", message);
    return sd_reply_json(req, 400, body);
}

void sd_body_utf8_prefix(const char *s, size_t max, char *out)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

bool sd_body_fields_known(sd_request *req, json_t *obj, const char *const *allowed, int *rc)
{
    char names[256] = "", first_shown[65];
    const char *first = NULL, *key;
    size_t used = 0, count = 0;
    json_t *value;

    json_object_foreach(obj, key, value) {
        bool ok = false;
        (void)value;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                ok = true;
        if (ok)
            continue;
        if (!first)
            first = key;
        count++;
        if (count <= 3) {
            char shown[65];
            sd_body_utf8_prefix(key, 64, shown);
            used += (size_t)snprintf(names + used, sizeof names - used, "%s\"%s\"",
                                     used ? ", " : "", shown);
        }
    }
    if (!first)
        return true;
    sd_body_utf8_prefix(first, 64, first_shown);
    *rc = sd_body_field_error(req, "unknown_field", first_shown, NULL, "unknown field%s %s%s",
                              count > 1 ? "s" : "", names, count > 3 ? ", …" : "");
    return false;
}

size_t sd_body_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

bool sd_body_text_bad(const char *s, bool multiline)
{
    bool blank = true;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 || c == 0x7F) && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
            return true;
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            blank = false;
    }
    return blank;
}

bool sd_body_str(sd_request *req, json_t *obj, const char *name, bool required, size_t min,
                 size_t max, bool multiline, const char **out, int *rc)
{
    json_t *v = json_object_get(obj, name);
    size_t len;

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (!required)
            return true;
        *rc = sd_body_field_error(req, "missing_field", name, NULL, "%s is required", name);
        return false;
    }
    if (!json_is_string(v)) {
        *rc = sd_body_field_error(req, "invalid_field", name, NULL, "%s must be a string", name);
        return false;
    }
    len = sd_body_utf8_len(json_string_value(v));
    if (len == 0 && min == 0)  /* an empty optional text is no text */
        return true;
    if (len < min || len > max) {
        *rc = sd_body_field_error(req, "invalid_field", name, NULL,
                                  "%s must be %zu to %zu characters; it has %zu", name, min, max,
                                  len);
        return false;
    }
    if (sd_body_text_bad(json_string_value(v), multiline)) {
        *rc = sd_body_field_error(req, "invalid_field", name, NULL,
                                  "%s is blank or holds control characters", name);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool sd_body_ident(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n;
}

bool sd_body_idem_key_valid(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    return n >= SD_IDEM_KEY_MIN && n <= SD_IDEM_KEY_MAX &&
           strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

bool sd_body_phone4_valid(const char *p)
{
    return p && strlen(p) == 4 && strspn(p, "0123456789") == 4;
}

bool sd_body_phone4_matches(const char *stored, const char *phone4)
{
    char last[4];
    int n = 0;
    unsigned diff = 0;

    for (size_t i = strlen(stored); i > 0 && n < 4; i--)
        if (stored[i - 1] >= '0' && stored[i - 1] <= '9')
            last[3 - n++] = stored[i - 1];
    if (n < 4)
        return false;
    for (int i = 0; i < 4; i++)
        diff |= (unsigned)(last[i] ^ phone4[i]);
    return diff == 0;
}
