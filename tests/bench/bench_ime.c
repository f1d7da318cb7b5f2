/* bench_ime.c — the pinyin engine benchmark: time to open the engine
 * (libpinyin's tables), the resident memory it adds, and the time per
 * keystroke of a composition typed letter by letter ("qiyekaiban" and a few
 * other words and initials), against the goal of a keystroke within one
 * frame at 60 Hz (16 ms) at the 99th percentile. Prints median, p99 and
 * max; exits 1 when the p99 misses the goal, so a CI job can run it on a
 * release build (ctest never does).
 *
 * Usage: bench_ime [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ks_ime.h"

/* In sanitizer builds: libpinyin's libdb handles are never freed (see
 * tests/unit/test_search.c); the benchmark's numbers are for release builds,
 * but it should also run clean under ASan. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdb-5.3.so\n";
}

#define GOAL_US 16000.0
#define MAX_SAMPLES 100000
#define OPENS 5

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Resident set size in KiB (VmRSS of /proc/self/status), -1 if unknown. */
static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static double pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    if (rounds < 1 || rounds > 10000)
        rounds = 50;
    static const char *const typed[] = {
        "qiyekaiban", "qykb", "rencaizhuanyuan", "zhishichanquan", "yinyezhizhao",
        "shuiwudengji", "zhangsan", "xi'an", "gongshang",
    };
    static double t[MAX_SAMPLES];
    static double q[MAX_SAMPLES];
    char err[512] = "";
    ks_ime *ime = NULL;
    int rc = 1;

    /* Open: the first open reads the tables from disk (or the page cache);
     * the RSS delta is taken across it. */
    double opens[OPENS];
    long rss0 = rss_kib(), rss_first = -1;
    for (int i = 0; i < OPENS; i++) {
        ks_ime_close(ime);
        ime = NULL;
        double t0 = now_us();
        if (ks_ime_open(&ime, err, sizeof err) != QF_OK) {
            fprintf(stderr, "bench_ime: open: %s\n", err);
            goto out;
        }
        opens[i] = (now_us() - t0) / 1e3;
        if (i == 0)
            rss_first = rss_kib();
    }
    long rss1 = rss_kib();
    double first_open = opens[0];
    qsort(opens, OPENS, sizeof opens[0], cmp_double);

    size_t n = 0, nq = 0;
    size_t cands = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
            size_t len = strlen(typed[i]);
            for (size_t l = 1; l <= len && n < MAX_SAMPLES; l++) {
                char buf[KS_IME_PINYIN_MAX + 1];
                memcpy(buf, typed[i], l);
                buf[l] = '\0';
                double t0 = now_us();
                if (ks_ime_compose(ime, buf) != QF_OK) {
                    fprintf(stderr, "bench_ime: compose failed\n");
                    goto out;
                }
                double dt = now_us() - t0;
                t[n++] = dt;
                if (i == 0 && nq < MAX_SAMPLES)
                    q[nq++] = dt;
                cands += ks_ime_count(ime);
            }
        }
    }
    long rss2 = rss_kib();
    qsort(t, n, sizeof t[0], cmp_double);
    qsort(q, nq, sizeof q[0], cmp_double);

    printf("open: first %.1f ms, median of %d %.1f ms, max %.1f ms\n", first_open, OPENS,
           opens[OPENS / 2], opens[OPENS - 1]);
    printf("rss: %ld KiB before, +%ld KiB after the first open, +%ld KiB after %d opens "
           "(4 closed), +%ld KiB after typing\n",
           rss0, rss_first - rss0, rss1 - rss0, OPENS, rss2 - rss0);
    printf("keystroke \"qiyekaiban\": %zu samples, median %.0f us, p99 %.0f us, max %.0f us\n", nq,
           pct(q, nq, 0.5), pct(q, nq, 0.99), q[nq - 1]);
    printf("keystroke all words: %zu samples, median %.0f us, p99 %.0f us, max %.0f us, "
           "%.1f candidates on average (goal p99 <= %.0f us)\n",
           n, pct(t, n, 0.5), pct(t, n, 0.99), t[n - 1], (double)cands / (double)n, GOAL_US);
    rc = pct(t, n, 0.99) <= GOAL_US ? 0 : 1;
    if (rc)
        printf("bench_ime: p99 misses the goal\n");

out:
    ks_ime_close(ime);
    return rc;
}
