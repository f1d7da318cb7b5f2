/* qf_calendar.h — the working-day calendar behind every deadline: weekends,
 * public holidays and make-up working days (调休) from the State Council's
 * yearly notices, read from data files (config/holidays/YYYY.ini).
 *
 * Only years with a loaded file know their holidays. Outside them the calendar
 * falls back to Monday–Friday and logs that once per calendar object: we never
 * invent a year's schedule. Days are Asia/Shanghai civil days (qf_clock.h).
 *
 * Thread-safety: loading is not; the queries are (read-only after loading). */
#ifndef QF_CALENDAR_H
#define QF_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "qf_clock.h"
#include "qf_error.h"

typedef struct qf_calendar qf_calendar;

/* An empty calendar (Monday–Friday everywhere). Ownership: the caller frees
 * it with qf_calendar_free (NULL is fine). */
qf_err qf_calendar_new(qf_calendar **out);
void qf_calendar_free(qf_calendar *cal);

/* Loads one year file. Format (INI):
 *   [notice]   year = 2025, title = …, published = YYYY-MM-DD, source = …
 *   [holidays] YYYY-MM-DD = 春节        (a day off)
 *   [workdays] YYYY-MM-DD = 春节调休上班 (a weekend day worked)
 * Every date must lie in the declared year. Rejects the whole file, with the
 * line and reason in err, on any malformed line; the calendar is unchanged. */
qf_err qf_calendar_load_file(qf_calendar *cal, const char *path, char *err, size_t errlen);

/* Loads every *.ini in dir. A missing dir is QF_ERR_IO. */
qf_err qf_calendar_load_dir(qf_calendar *cal, const char *dir, char *err, size_t errlen);

bool qf_calendar_has_year(const qf_calendar *cal, int year);
bool qf_calendar_is_workday(const qf_calendar *cal, qf_day day);

/* The holiday's or make-up day's name from the file, or NULL. Borrowed. */
const char *qf_calendar_day_name(const qf_calendar *cal, qf_day day);

/* The n-th working day after start (start itself not counted); n == 0 gives
 * start. n must be 0..3660. Counting from the day after is the rule for
 * administrative time limits (期限从次日起算), so a request accepted late on a
 * Friday still gets its full working days. */
qf_err qf_calendar_add_workdays(const qf_calendar *cal, qf_day start, int n, qf_day *out);

/* Working days in (from, to]; negative when to < from. */
int qf_calendar_workdays_between(const qf_calendar *cal, qf_day from, qf_day to);

/* The deadline instant for "n working days from start": 24:00 Asia/Shanghai at
 * the end of the n-th working day after start's day. */
qf_err qf_calendar_deadline(const qf_calendar *cal, qf_instant start, int n, qf_instant *out);

#endif
