/* ratelimit.c — bounded token buckets. Lookup is a linear scan over an
 * open-addressed table indexed by FNV-1a of the key; the table is small
 * (thousands) and each probe is a short string compare. */
#include "ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SD_RL_KEY_MAX 96
#define SD_RL_PROBES 8

typedef struct sd_bucket {
    char key[SD_RL_KEY_MAX];
    double tokens;
    uint64_t last_ms;
} sd_bucket;

struct sd_ratelimit {
    pthread_mutex_t lock;
    sd_bucket *buckets;
    unsigned capacity;
};

uint64_t sd_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

sd_ratelimit *sd_ratelimit_new(unsigned capacity)
{
    sd_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->buckets = calloc(capacity, sizeof *rl->buckets);
    if (!rl->buckets) {
        free(rl);
        return NULL;
    }
    rl->capacity = capacity;
    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

void sd_ratelimit_free(sd_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->buckets);
    free(rl);
}

static uint32_t sd_fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

bool sd_ratelimit_take(sd_ratelimit *rl, const char *key, uint64_t now_ms, unsigned per_minute,
                       unsigned burst, unsigned *retry_after_s)
{
    char k[SD_RL_KEY_MAX];
    sd_bucket *b = NULL, *oldest = NULL;
    bool allowed;
    uint32_t h;

    snprintf(k, sizeof k, "%s", key);
    h = sd_fnv1a(k);
    pthread_mutex_lock(&rl->lock);
    for (unsigned i = 0; i < SD_RL_PROBES; i++) {
        sd_bucket *c = &rl->buckets[(h + i) % rl->capacity];
        if (strcmp(c->key, k) == 0) {
            b = c;
            break;
        }
        if (!oldest || c->last_ms < oldest->last_ms)
            oldest = c;
    }
    if (!b) { /* a new caller takes the slot idle longest */
        b = oldest;
        snprintf(b->key, sizeof b->key, "%s", k);
        b->tokens = burst;
        b->last_ms = now_ms;
    }
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * per_minute / 60000.0;
        if (b->tokens > burst)
            b->tokens = burst;
        b->last_ms = now_ms;
    }
    allowed = b->tokens >= 1.0;
    if (allowed) {
        b->tokens -= 1.0;
    } else if (retry_after_s) {
        double wait_ms = (1.0 - b->tokens) * 60000.0 / (per_minute ? per_minute : 1);
        *retry_after_s = (unsigned)(wait_ms / 1000.0) + 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return allowed;
}
