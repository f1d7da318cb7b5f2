/* qf_config.c — INI files through libinih into a flat, bounded entry list. */
#include "qf_config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define QF_CONFIG_MAX_BYTES   (64 * 1024)
#define QF_CONFIG_MAX_ENTRIES 512
#define QF_CONFIG_MAX_VALUE   1024

typedef struct qf_config_entry {
    char *section, *key, *value;
} qf_config_entry;

struct qf_config {
    qf_config_entry *entries;
    size_t count;
};

typedef struct qf_config_load_ctx {
    qf_config *cfg;
    qf_err rc;
    char reason[160];
} qf_config_load_ctx;

void qf_config_free(qf_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->count; i++) {
        free(cfg->entries[i].section);
        free(cfg->entries[i].key);
        free(cfg->entries[i].value);
    }
    free(cfg->entries);
    free(cfg);
}

static int qf_config_on_entry(void *user, const char *section, const char *key, const char *value)
{
    qf_config_load_ctx *ctx = user;
    qf_config *cfg = ctx->cfg;
    qf_config_entry *e;

    if (strlen(value) > QF_CONFIG_MAX_VALUE) {
        ctx->rc = QF_ERR_LIMIT;
        snprintf(ctx->reason, sizeof ctx->reason, "[%s] %s: value longer than %d bytes", section,
                 key, QF_CONFIG_MAX_VALUE);
        return 0;
    }
    if (cfg->count == QF_CONFIG_MAX_ENTRIES) {
        ctx->rc = QF_ERR_LIMIT;
        snprintf(ctx->reason, sizeof ctx->reason, "more than %d entries", QF_CONFIG_MAX_ENTRIES);
        return 0;
    }
    if (cfg->count % 16 == 0) {
        qf_config_entry *grown = realloc(cfg->entries, (cfg->count + 16) * sizeof *grown);
        if (!grown)
            goto nomem;
        cfg->entries = grown;
    }
    e = &cfg->entries[cfg->count];
    e->section = strdup(section);
    e->key = strdup(key);
    e->value = strdup(value);
    cfg->count++; /* counted before the check so qf_config_free releases it */
    if (!e->section || !e->key || !e->value)
        goto nomem;
    return 1;
nomem:
    ctx->rc = QF_ERR_NOMEM;
    snprintf(ctx->reason, sizeof ctx->reason, "out of memory");
    return 0;
}

qf_err qf_config_load(const char *path, qf_config **out, char *err, size_t errlen)
{
    qf_config_load_ctx ctx = { .rc = QF_OK };
    struct stat st;
    qf_err rc = QF_OK;
    FILE *f = NULL;
    int line;

    *out = NULL;
    f = fopen(path, "r");
    if (!f)
        return qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", path, strerror(errno));
    if (fstat(fileno(f), &st) == 0 && st.st_size > QF_CONFIG_MAX_BYTES) {
        rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "%s: larger than %d bytes", path,
                        QF_CONFIG_MAX_BYTES);
        goto out;
    }
    ctx.cfg = calloc(1, sizeof *ctx.cfg);
    if (!ctx.cfg) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    line = ini_parse_file(f, qf_config_on_entry, &ctx);
    if (ctx.rc != QF_OK) {
        rc = qf_err_set(err, errlen, ctx.rc, "%s: %s", path, ctx.reason);
        goto out;
    }
    if (line != 0) {
        rc = qf_err_set(err, errlen, QF_ERR_PARSE, "%s: line %d: expected 'key = value' or [section]",
                        path, line);
        goto out;
    }
    *out = ctx.cfg;
    ctx.cfg = NULL;
out:
    qf_config_free(ctx.cfg);
    if (f)
        fclose(f);
    return rc;
}

const char *qf_config_get(const qf_config *cfg, const char *section, const char *key)
{
    for (size_t i = cfg->count; i-- > 0;) {
        if (strcmp(cfg->entries[i].section, section) == 0 && strcmp(cfg->entries[i].key, key) == 0)
            return cfg->entries[i].value;
    }
    return NULL;
}

qf_err qf_config_get_int(const qf_config *cfg, const char *section, const char *key, long min,
                         long max, long fallback, long *out, char *err, size_t errlen)
{
    const char *text = qf_config_get(cfg, section, key);
    char *end;
    long v;

    if (!text) {
        *out = fallback;
        return QF_OK;
    }
    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "[%s] %s = '%s': expected a whole number from %ld to %ld", section, key,
                          text, min, max);
    *out = v;
    return QF_OK;
}

qf_err qf_config_get_bool(const qf_config *cfg, const char *section, const char *key,
                          bool fallback, bool *out, char *err, size_t errlen)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    const char *text = qf_config_get(cfg, section, key);

    if (!text) {
        *out = fallback;
        return QF_OK;
    }
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(text, yes[i]) == 0) {
            *out = true;
            return QF_OK;
        }
        if (strcmp(text, no[i]) == 0) {
            *out = false;
            return QF_OK;
        }
    }
    return qf_err_set(err, errlen, QF_ERR_INVALID, "[%s] %s = '%s': expected true or false",
                      section, key, text);
}
