/* ratelimit.h — token buckets keyed by caller (token subject, or client
 * address for public routes, or a case number for look-ups), in a bounded
 * table: when full, the bucket idle longest is reused, so memory is fixed
 * whatever the number of callers. Thread-safe. */
#ifndef SD_RATELIMIT_H
#define SD_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sd_ratelimit sd_ratelimit;

/* capacity: buckets kept (e.g. 4096). Ownership: free with _free. */
sd_ratelimit *sd_ratelimit_new(unsigned capacity);
void sd_ratelimit_free(sd_ratelimit *rl);

/* Takes one token from key's bucket, which refills at per_minute and holds
 * at most burst. now_ms is a monotonic clock. Returns true when allowed;
 * otherwise *retry_after_s says when the next token comes. */
bool sd_ratelimit_take(sd_ratelimit *rl, const char *key, uint64_t now_ms, unsigned per_minute,
                       unsigned burst, unsigned *retry_after_s);

uint64_t sd_monotonic_ms(void);

#endif
