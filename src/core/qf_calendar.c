/* qf_calendar.c — working days from the State Council holiday files.
 *
 * The calendar keeps a sorted array of exceptions to the Monday–Friday rule
 * (holidays that fall on weekdays are off; make-up days on weekends are
 * worked; holidays on weekends are recorded too, for their names) and the
 * set of years whose notice is loaded. Files are parsed with libinih; a file
 * is applied only when every line of it is valid. */
#include "qf_calendar.h"

#include <dirent.h>
#include <ini.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_log.h"

#define QF_CAL_MIN_YEAR 1990
#define QF_CAL_MAX_YEAR 2100
#define QF_CAL_MAX_EXCEPTIONS 4096 /* ~60 per year: far above any real notice */
#define QF_CAL_NAME_MAX 64
#define QF_CAL_MAX_ADD 3660

typedef struct qf_cal_exception {
    qf_day day;
    bool workday;
    char name[QF_CAL_NAME_MAX];
} qf_cal_exception;

struct qf_calendar {
    qf_cal_exception *items; /* sorted by day, unique */
    size_t count;
    bool years[QF_CAL_MAX_YEAR - QF_CAL_MIN_YEAR + 1];
    atomic_bool warned_fallback; /* "outside the loaded years" logged once */
};

qf_err qf_calendar_new(qf_calendar **out)
{
    qf_calendar *cal = calloc(1, sizeof *cal);
    if (!cal)
        return QF_ERR_NOMEM;
    atomic_init(&cal->warned_fallback, false);
    *out = cal;
    return QF_OK;
}

void qf_calendar_free(qf_calendar *cal)
{
    if (!cal)
        return;
    free(cal->items);
    free(cal);
}

bool qf_calendar_has_year(const qf_calendar *cal, int year)
{
    return year >= QF_CAL_MIN_YEAR && year <= QF_CAL_MAX_YEAR &&
           cal->years[year - QF_CAL_MIN_YEAR];
}

static const qf_cal_exception *qf_cal_find(const qf_calendar *cal, qf_day day)
{
    size_t lo = 0, hi = cal->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->items[mid].day == day)
            return &cal->items[mid];
        if (cal->items[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool qf_calendar_is_workday(const qf_calendar *cal, qf_day day)
{
    int y, m, d;
    const qf_cal_exception *ex;

    qf_day_to_ymd(day, &y, &m, &d);
    if (!qf_calendar_has_year(cal, y)) {
        /* The const API promises no visible change; the one-time warning flag
         * is an atomic, so concurrent readers are safe. */
        atomic_bool *warned = (atomic_bool *)&cal->warned_fallback;
        if (!atomic_exchange(warned, true))
            qf_warn("working-day calendar: no holiday notice loaded for %d; "
                    "counting Monday-Friday only outside the loaded years", y);
        return qf_day_weekday(day) <= 5;
    }
    ex = qf_cal_find(cal, day);
    if (ex)
        return ex->workday;
    return qf_day_weekday(day) <= 5;
}

const char *qf_calendar_day_name(const qf_calendar *cal, qf_day day)
{
    const qf_cal_exception *ex = qf_cal_find(cal, day);
    return ex ? ex->name : NULL;
}

qf_err qf_calendar_add_workdays(const qf_calendar *cal, qf_day start, int n, qf_day *out)
{
    qf_day day = start;
    if (n < 0 || n > QF_CAL_MAX_ADD)
        return QF_ERR_RANGE;
    while (n > 0) {
        day++;
        if (qf_calendar_is_workday(cal, day))
            n--;
    }
    *out = day;
    return QF_OK;
}

int qf_calendar_workdays_between(const qf_calendar *cal, qf_day from, qf_day to)
{
    int sign = 1, count = 0;
    if (to < from) {
        qf_day t = from;
        from = to;
        to = t;
        sign = -1;
    }
    for (qf_day d = from + 1; d <= to; d++)
        count += qf_calendar_is_workday(cal, d);
    return sign * count;
}

qf_err qf_calendar_deadline(const qf_calendar *cal, qf_instant start, int n, qf_instant *out)
{
    qf_day last;
    qf_err rc = qf_calendar_add_workdays(cal, qf_instant_day(start), n, &last);
    if (rc != QF_OK)
        return rc;
    *out = qf_day_at(last + 1, 0, 0);
    return QF_OK;
}

/* ---- loading ------------------------------------------------------------ */

typedef struct qf_cal_parse {
    int year;                 /* from [notice] year=, 0 until seen */
    qf_cal_exception *items;  /* this file's entries, unsorted */
    size_t count, cap;
    char *err;
    size_t errlen;
    qf_err rc;
} qf_cal_parse;

/* Debian's libinih is built without INI_HANDLER_LINENO, so errors name the
 * offending entry rather than its line number. */
static int qf_cal_on_line(void *user, const char *section, const char *key, const char *value)
{
    qf_cal_parse *p = user;
    qf_day day;
    int y, m, d;

    if (strcmp(section, "notice") == 0) {
        if (strcmp(key, "year") == 0) {
            char *end;
            long v = strtol(value, &end, 10);
            if (*end || v < QF_CAL_MIN_YEAR || v > QF_CAL_MAX_YEAR)
                goto bad;
            p->year = (int)v;
        }
        return 1; /* title, published, source: documentation for people */
    }
    if (strcmp(section, "holidays") != 0 && strcmp(section, "workdays") != 0) {
        p->rc = qf_err_set(p->err, p->errlen, QF_ERR_PARSE, "unknown section [%s]", section);
        return 0;
    }
    if (p->year == 0) {
        p->rc = qf_err_set(p->err, p->errlen, QF_ERR_PARSE,
                           "[notice] year= must come before the dates");
        return 0;
    }
    if (qf_day_parse(key, &day) != QF_OK)
        goto bad;
    qf_day_to_ymd(day, &y, &m, &d);
    if (y != p->year) {
        p->rc = qf_err_set(p->err, p->errlen, QF_ERR_PARSE,
                           "%s is outside the notice's year %d", key, p->year);
        return 0;
    }
    if (strlen(value) >= QF_CAL_NAME_MAX || !*value)
        goto bad;
    for (size_t i = 0; i < p->count; i++) {
        if (p->items[i].day == day) {
            p->rc = qf_err_set(p->err, p->errlen, QF_ERR_PARSE, "%s listed twice", key);
            return 0;
        }
    }
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        qf_cal_exception *grown;
        if (cap > QF_CAL_MAX_EXCEPTIONS) {
            p->rc = qf_err_set(p->err, p->errlen, QF_ERR_LIMIT, "too many dates");
            return 0;
        }
        grown = realloc(p->items, cap * sizeof *grown);
        if (!grown) {
            p->rc = QF_ERR_NOMEM;
            return 0;
        }
        p->items = grown;
        p->cap = cap;
    }
    p->items[p->count].day = day;
    p->items[p->count].workday = strcmp(section, "workdays") == 0;
    snprintf(p->items[p->count].name, QF_CAL_NAME_MAX, "%s", value);
    p->count++;
    return 1;
bad:
    p->rc = qf_err_set(p->err, p->errlen, QF_ERR_PARSE, "bad entry '%s = %s'", key, value);
    return 0;
}

static int qf_cal_cmp(const void *a, const void *b)
{
    const qf_cal_exception *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

qf_err qf_calendar_load_file(qf_calendar *cal, const char *path, char *err, size_t errlen)
{
    char reason[200] = "";
    qf_cal_parse p = { .err = reason, .errlen = sizeof reason, .rc = QF_OK };
    qf_cal_exception *merged = NULL;
    qf_err rc = QF_OK;
    FILE *f = fopen(path, "r");
    int line;

    if (!f)
        return qf_err_set(err, errlen, QF_ERR_IO, "%s: cannot open", path);
    line = ini_parse_file(f, qf_cal_on_line, &p);
    fclose(f);
    if (p.rc != QF_OK) {
        rc = qf_err_set(err, errlen, p.rc, "%s: %s", path, reason);
        goto out;
    }
    if (line != 0) {
        rc = qf_err_set(err, errlen, QF_ERR_PARSE, "%s: line %d: not INI", path, line);
        goto out;
    }
    if (p.year == 0) {
        rc = qf_err_set(err, errlen, QF_ERR_PARSE, "%s: no [notice] year=", path);
        goto out;
    }
    if (qf_calendar_has_year(cal, p.year)) {
        rc = qf_err_set(err, errlen, QF_ERR_INVALID, "%s: year %d is already loaded", path,
                        p.year);
        goto out;
    }
    if (cal->count + p.count > QF_CAL_MAX_EXCEPTIONS) {
        rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "%s: too many dates in all", path);
        goto out;
    }
    merged = realloc(cal->items, (cal->count + p.count + 1) * sizeof *merged);
    if (!merged) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    if (p.count)
        memcpy(merged + cal->count, p.items, p.count * sizeof *merged);
    cal->items = merged;
    cal->count += p.count;
    qsort(cal->items, cal->count, sizeof *cal->items, qf_cal_cmp);
    cal->years[p.year - QF_CAL_MIN_YEAR] = true;
out:
    free(p.items);
    return rc;
}

static int qf_cal_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

qf_err qf_calendar_load_dir(qf_calendar *cal, const char *dir, char *err, size_t errlen)
{
    DIR *dh = opendir(dir);
    struct dirent *de;
    char *names[256];
    size_t count = 0;
    qf_err rc = QF_OK;

    if (!dh)
        return qf_err_set(err, errlen, QF_ERR_IO, "%s: cannot open folder", dir);
    while ((de = readdir(dh)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".ini") != 0)
            continue;
        if (count == sizeof names / sizeof names[0]) {
            rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "%s: too many files", dir);
            goto out;
        }
        if (!(names[count] = strdup(de->d_name))) {
            rc = QF_ERR_NOMEM;
            goto out;
        }
        count++;
    }
    qsort(names, count, sizeof names[0], qf_cal_name_cmp);
    for (size_t i = 0; i < count && rc == QF_OK; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = qf_calendar_load_file(cal, path, err, errlen);
    }
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    closedir(dh);
    return rc;
}
