/* bench_search.c — the search benchmark: time to build the index over the
 * shipped catalog, and time per keystroke (every prefix of a set of typed
 * queries, pinyin and Chinese) against the goal of ≤ 2 ms. Prints median,
 * p99 and max; exits 1 when the p99 misses the goal, so a CI job can run it
 * on a release build (ctest never does).
 *
 * Usage: bench_search [CATALOG_DIR [ROUNDS]]
 *   CATALOG_DIR defaults to QIFU_SOURCE_DIR/assets/catalog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ks_search.h"

#ifndef QIFU_SOURCE_DIR
#define QIFU_SOURCE_DIR "."
#endif

#define GOAL_US 2000.0
#define MAX_SAMPLES 100000

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

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : QIFU_SOURCE_DIR "/assets/catalog";
    int rounds = argc > 2 ? atoi(argv[2]) : 20;
    if (rounds < 1 || rounds > 1000)
        rounds = 20;
    static const char *const typed[] = {
        "qiyekaibanfuwu", "rencaidaibanlifuwu", "qykb", "rcajly", "yinhangxindaifuwu",
        "gaocengcirencaizhuanyuanfuwu", "zhishichanquanbaohu", "shengwuyiyao", "fw", "zzz",
        "人才", "企业开办", "银行信贷服务", "知识产权",
    };
    char err[512];
    qf_catalog *cat = NULL;
    ks_search *idx = NULL;
    static double t[MAX_SAMPLES];
    int rc = 1;

    if (qf_catalog_new(&cat) != QF_OK || qf_catalog_load_dir(cat, dir, err, sizeof err) != QF_OK) {
        fprintf(stderr, "bench_search: %s: cannot load the catalog: %s\n", dir, err);
        goto out;
    }
    double builds[16];
    int nb = 0;
    for (; nb < 5; nb++) {
        ks_search_free(idx);
        idx = NULL;
        double t0 = now_us();
        if (ks_search_build(cat, &idx, err, sizeof err) != QF_OK) {
            fprintf(stderr, "bench_search: build: %s\n", err);
            goto out;
        }
        builds[nb] = (now_us() - t0) / 1e3;
    }
    qsort(builds, (size_t)nb, sizeof builds[0], cmp_double);

    size_t n = 0;
    ks_hit hits[64];
    size_t total_hits = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
            size_t len = strlen(typed[i]);
            for (size_t l = 1; l <= len && n < MAX_SAMPLES; l++) {
                char q[80];
                if ((typed[i][l] & 0xC0) == 0x80)
                    continue; /* a keystroke ends on a character boundary */
                memcpy(q, typed[i], l);
                q[l] = '\0';
                double t0 = now_us();
                total_hits += ks_search_query(idx, q, hits, 64);
                t[n++] = now_us() - t0;
            }
        }
    }
    qsort(t, n, sizeof t[0], cmp_double);
    double p99 = t[(n * 99) / 100];
    printf("search index build: median %.1f ms over %d builds\n", builds[nb / 2], nb);
    printf("search per keystroke: %zu queries, median %.1f us, p99 %.1f us, max %.1f us "
           "(goal %.0f us), %zu hits\n",
           n, t[n / 2], p99, t[n - 1], GOAL_US, total_hits);
    rc = p99 <= GOAL_US ? 0 : 1;
out:
    ks_search_free(idx);
    qf_catalog_free(cat);
    return rc;
}
