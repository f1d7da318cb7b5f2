/* qf_log.c — leveled log lines on stderr. One line per call, written with a
 * single fputs so concurrent threads do not interleave within a line. */
#include "qf_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static qf_log_level qf_log_min = QF_LOG_INFO;

static const char *const qf_log_names[] = { "debug", "info", "warn", "error" };

void qf_log_set_level(qf_log_level level) { qf_log_min = level; }
qf_log_level qf_log_get_level(void) { return qf_log_min; }

int qf_log_level_parse(const char *name, qf_log_level *out)
{
    for (int i = 0; i <= QF_LOG_ERROR; i++) {
        if (name && strcmp(name, qf_log_names[i]) == 0) {
            *out = (qf_log_level)i;
            return 0;
        }
    }
    return -1;
}

void qf_log(qf_log_level level, const char *fmt, ...)
{
    char line[1024];
    int n;
    va_list ap;

    if (level < qf_log_min || level > QF_LOG_ERROR)
        return;
    n = snprintf(line, sizeof line, "qifu %s: ", qf_log_names[level]);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    fputs(line, stderr);
}
