/* qf_clock.h — the one source of "now" for all of qifu, and the civil-date
 * arithmetic on top of it.
 *
 * Instants are seconds since the Unix epoch (UTC). Civil days and times are
 * always Asia/Shanghai, whatever the host's TZ: China has kept UTC+08:00 with
 * no daylight saving since 1992, so a fixed offset is exact for every date the
 * service hall can meet and we need no tz database at run time.
 *
 * QIFU_FAKE_NOW (ISO 8601 with an offset, e.g. 2025-01-27T09:30:00+08:00)
 * freezes "now" for tests and drills. qf_clock_check_env() validates it so a
 * program can refuse to start on a malformed value instead of guessing. */
#ifndef QF_CLOCK_H
#define QF_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "qf_error.h"

typedef int64_t qf_instant;   /* seconds since 1970-01-01T00:00:00Z */
typedef int32_t qf_day;       /* days since 1970-01-01, Asia/Shanghai civil */

#define QF_TZ_OFFSET_SECONDS (8 * 3600)
#define QF_SECONDS_PER_DAY   86400

/* The current instant: QIFU_FAKE_NOW when set and valid, else the system
 * clock. A malformed QIFU_FAKE_NOW is ignored here; see qf_clock_check_env. */
qf_instant qf_clock_now(void);

/* QF_OK when QIFU_FAKE_NOW is unset or valid; QF_ERR_INVALID with the reason. */
qf_err qf_clock_check_env(char *err, size_t errlen);

/* Parses "YYYY-MM-DDTHH:MM[:SS]" followed by "Z" or "+HH:MM"/"-HH:MM".
 * The offset is required: an instant without one is ambiguous. */
qf_err qf_clock_parse_iso8601(const char *text, qf_instant *out, char *err, size_t errlen);

/* Writes "YYYY-MM-DDTHH:MM:SS+08:00" (Asia/Shanghai); buf needs 26 bytes. */
void qf_clock_format_iso8601(qf_instant t, char *buf, size_t buflen);

/* Civil days, proleptic Gregorian. Valid for years 1900..9999. */
qf_day qf_day_from_ymd(int year, int month, int mday);
void qf_day_to_ymd(qf_day day, int *year, int *month, int *mday);
int qf_day_weekday(qf_day day);                 /* 1 = Monday … 7 = Sunday */
qf_err qf_day_parse(const char *text, qf_day *out);   /* strict "YYYY-MM-DD" */
void qf_day_format(qf_day day, char *buf, size_t buflen); /* needs 11 bytes */

qf_day qf_instant_day(qf_instant t);            /* the Shanghai civil day of t */
qf_instant qf_day_at(qf_day day, int hour, int minute); /* Shanghai wall time */

#endif
