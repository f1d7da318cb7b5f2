/* qf_config.h — the INI configuration files of the qifu programs
 * (config/qifu-syncd.ini, config/qifu-kiosk.ini), read with libinih.
 *
 * A config is a flat list of (section, key, value) strings; typed getters
 * validate on read and say which key was wrong. It knows nothing of what the
 * keys mean: each program checks its own. Limits: 64 KiB file, 512 entries,
 * 1 KiB value — a config file is never larger. */
#ifndef QF_CONFIG_H
#define QF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "qf_error.h"

typedef struct qf_config qf_config;

/* Reads path. Ownership: the caller frees *out with qf_config_free. A
 * missing file is QF_ERR_IO; a malformed one QF_ERR_PARSE with the line. */
qf_err qf_config_load(const char *path, qf_config **out, char *err, size_t errlen);
void qf_config_free(qf_config *cfg);

/* The value, borrowed (valid until qf_config_free), or NULL when absent.
 * A key given twice keeps its last value. */
const char *qf_config_get(const qf_config *cfg, const char *section, const char *key);

/* Typed reads with a default for an absent key; a present but malformed value
 * is QF_ERR_INVALID naming "[section] key". */
qf_err qf_config_get_int(const qf_config *cfg, const char *section, const char *key,
                         long min, long max, long fallback, long *out, char *err, size_t errlen);
qf_err qf_config_get_bool(const qf_config *cfg, const char *section, const char *key,
                          bool fallback, bool *out, char *err, size_t errlen);

#endif
