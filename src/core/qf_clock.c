/* qf_clock.c — "now" (real or QIFU_FAKE_NOW) and Asia/Shanghai civil dates.
 * The day-number conversions are Howard Hinnant's public-domain
 * days_from_civil/civil_from_days algorithms: libc's mktime/timegm depend on
 * the host TZ or are non-standard, and we need exact results in any TZ. */
#include "qf_clock.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

qf_day qf_day_from_ymd(int year, int month, int mday)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int mp = (month + 9) % 12;
    int doy = (153 * mp + 2) / 5 + mday - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (qf_day)(era * 146097 + doe - 719468);
}

void qf_day_to_ymd(qf_day day, int *year, int *month, int *mday)
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *mday = d;
}

int qf_day_weekday(qf_day day)
{
    /* 1970-01-01 was a Thursday (4). */
    int w = (int)((day % 7 + 7) % 7);
    return (w + 3) % 7 + 1;
}

static bool qf_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int qf_month_days(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && qf_is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n decimal digits. */
static bool qf_read_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool qf_ymd_valid(int y, int m, int d)
{
    return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= qf_month_days(y, m);
}

qf_err qf_day_parse(const char *text, qf_day *out)
{
    int y, m, d;
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-' ||
        !qf_read_digits(text, 4, &y) || !qf_read_digits(text + 5, 2, &m) ||
        !qf_read_digits(text + 8, 2, &d) || !qf_ymd_valid(y, m, d))
        return QF_ERR_INVALID;
    *out = qf_day_from_ymd(y, m, d);
    return QF_OK;
}

void qf_day_format(qf_day day, char *buf, size_t buflen)
{
    int y, m, d;
    qf_day_to_ymd(day, &y, &m, &d);
    snprintf(buf, buflen, "%04d-%02d-%02d", y, m, d);
}

static int64_t qf_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

qf_day qf_instant_day(qf_instant t)
{
    return (qf_day)qf_floor_div(t + QF_TZ_OFFSET_SECONDS, QF_SECONDS_PER_DAY);
}

qf_instant qf_day_at(qf_day day, int hour, int minute)
{
    return (qf_instant)day * QF_SECONDS_PER_DAY + hour * 3600 + minute * 60 - QF_TZ_OFFSET_SECONDS;
}

qf_err qf_clock_parse_iso8601(const char *text, qf_instant *out, char *err, size_t errlen)
{
    int y, mo, d, h, mi, s = 0, oh = 0, om = 0, sign = 1;
    const char *p;

    if (!text)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no timestamp given");
    if (strlen(text) < 17 || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
        !qf_read_digits(text, 4, &y) || !qf_read_digits(text + 5, 2, &mo) ||
        !qf_read_digits(text + 8, 2, &d) || !qf_read_digits(text + 11, 2, &h) ||
        !qf_read_digits(text + 14, 2, &mi))
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "'%s' is not YYYY-MM-DDTHH:MM[:SS]+HH:MM", text);
    p = text + 16;
    if (*p == ':') {
        if (!qf_read_digits(p + 1, 2, &s))
            return qf_err_set(err, errlen, QF_ERR_INVALID, "'%s': bad seconds", text);
        p += 3;
    }
    if (*p == 'Z' && p[1] == '\0') {
        sign = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
               qf_read_digits(p + 1, 2, &oh) && qf_read_digits(p + 4, 2, &om)) {
        sign = *p == '-' ? -1 : 1;
    } else {
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "'%s': needs a UTC offset such as +08:00 or Z", text);
    }
    if (!qf_ymd_valid(y, mo, d) || h > 23 || mi > 59 || s > 59 || oh > 14 || om > 59)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "'%s': field out of range", text);
    *out = (qf_instant)qf_day_from_ymd(y, mo, d) * QF_SECONDS_PER_DAY + h * 3600 + mi * 60 + s -
           sign * (oh * 3600 + om * 60);
    return QF_OK;
}

void qf_clock_format_iso8601(qf_instant t, char *buf, size_t buflen)
{
    qf_day day = qf_instant_day(t);
    int64_t sec = t + QF_TZ_OFFSET_SECONDS - (int64_t)day * QF_SECONDS_PER_DAY;
    int y, m, d;
    qf_day_to_ymd(day, &y, &m, &d);
    snprintf(buf, buflen, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, d, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
}

qf_err qf_clock_check_env(char *err, size_t errlen)
{
    const char *fake = getenv("QIFU_FAKE_NOW");
    qf_instant t;
    if (!fake || !*fake)
        return QF_OK;
    if (qf_clock_parse_iso8601(fake, &t, err, errlen) != QF_OK)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "QIFU_FAKE_NOW='%s' is not ISO 8601 with an offset "
                          "(e.g. 2025-01-27T09:30:00+08:00)", fake);
    return QF_OK;
}

qf_instant qf_clock_now(void)
{
    const char *fake = getenv("QIFU_FAKE_NOW");
    qf_instant t;
    struct timespec ts;

    if (fake && *fake && qf_clock_parse_iso8601(fake, &t, NULL, 0) == QF_OK)
        return t;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (qf_instant)ts.tv_sec;
}
