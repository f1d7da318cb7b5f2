/* qf_log.h — the one logging sink for every qifu program: leveled lines on
 * stderr (systemd's journal picks them up). It never formats personal data
 * for the caller: mask phone numbers and ids (qf_phone_mask) before logging. */
#ifndef QF_LOG_H
#define QF_LOG_H

typedef enum qf_log_level {
    QF_LOG_DEBUG = 0,
    QF_LOG_INFO,
    QF_LOG_WARN,
    QF_LOG_ERROR,
} qf_log_level;

/* Sets the minimum level written; the default is QF_LOG_INFO. */
void qf_log_set_level(qf_log_level level);
qf_log_level qf_log_get_level(void);

/* Parses "debug", "info", "warn", "error"; returns 0 on success, -1 otherwise. */
int qf_log_level_parse(const char *name, qf_log_level *out);

void qf_log(qf_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define qf_debug(...) qf_log(QF_LOG_DEBUG, __VA_ARGS__)
#define qf_info(...)  qf_log(QF_LOG_INFO, __VA_ARGS__)
#define qf_warn(...)  qf_log(QF_LOG_WARN, __VA_ARGS__)
#define qf_error(...) qf_log(QF_LOG_ERROR, __VA_ARGS__)

#endif
