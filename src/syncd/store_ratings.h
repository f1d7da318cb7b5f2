/* store_ratings.h — service ratings (好差评) from the kiosks in the store:
 * a citizen rates a guide, a ticket's service at a window, or a service,
 * not tied to a case. One row per rating in service_ratings (schema
 * migration 3), with its own idempotency record: the device, the
 * Idempotency-Key and the SHA-256 of the body live in the row itself, and
 * (device_id, idem_key) is UNIQUE, so a retry can never make a second row.
 *
 * Owns: the SQL of service_ratings; the "is this a published service" check
 * against catalog_items (section 'services'); the listing and the counts
 * per level for qifu-ctl. Does not own: validation of what the kiosk sent
 * (h_ratings.c), the five-level scale's names (store_cases.h:
 * sd_case_rating_score / sd_case_rating_name), authorisation.
 *
 * Every function takes the store lock for its whole run; the one write is a
 * BEGIN IMMEDIATE … COMMIT, durable when it returns QF_OK. */
#ifndef SD_STORE_RATINGS_H
#define SD_STORE_RATINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qf_clock.h"
#include "qf_error.h"
#include "store.h"

#define SD_RATING_LEVELS 5          /* scores 1 (very_dissatisfied) .. 5 */
#define SD_RATING_LIST_MAX 10000    /* rows one listing returns at most */

/* A new rating, validated and normalised by the caller. Strings borrowed;
 * NULL where absent. */
typedef struct sd_rating_new {
    const char *device_id;       /* the rating kiosk (the idempotency scope) */
    const char *idem_key;        /* the Idempotency-Key header */
    const char *body_hash;       /* SHA-256 hex of the raw request body */
    const char *target;          /* "guide", "ticket" or "service" */
    const char *service_id;
    const char *window_id;
    const char *ticket;
    int score;                   /* 1..5 */
    const char *comment;
    const char *helper_id;
    qf_instant now;
} sd_rating_new;

/* One stored rating. Ownership: strings owned, released by
 * sd_rating_cleanup (which leaves a zeroed struct). */
typedef struct sd_rating {
    int64_t id;
    char *device_id, *target, *service_id, *window_id, *ticket, *comment, *helper_id;
    int score;
    qf_instant at;
} sd_rating;

void sd_rating_cleanup(sd_rating *r);

/* Looks up an earlier rating under (device_id, key):
 *   QF_OK            found with the same body hash; *id_out is its id;
 *   QF_ERR_CONFLICT  found with another body hash;
 *   QF_ERR_NOT_FOUND the key has not been used (yet);
 *   QF_ERR_STORAGE   the database failed. */
qf_err sd_store_rating_idem_find(sd_store *store, const char *device_id, const char *key,
                                 const char *body_hash, int64_t *id_out);

/* Inserts the rating in one transaction that re-checks the key first (a
 * concurrent twin may have won). On QF_OK *replayed says whether the key
 * was already there with the same body (then *id_out is the first rating's
 * id and nothing was written). QF_ERR_CONFLICT: the key was used with
 * another body. QF_ERR_INVALID: a score outside 1..5. */
qf_err sd_store_rating_create(sd_store *store, const sd_rating_new *nr, int64_t *id_out,
                              bool *replayed);

/* Reads rating id. QF_ERR_NOT_FOUND when there is none. */
qf_err sd_store_rating_get(sd_store *store, int64_t id, sd_rating *out);

/* Is id a live item of the published catalog's 'services' section? With
 * no catalog imported at all (no live item), every id is accepted and
 * *catalog_present is false. */
qf_err sd_store_rating_service_known(sd_store *store, const char *id, bool *known,
                                     bool *catalog_present);

/* The newest ratings first, at most limit (1..SD_RATING_LIST_MAX).
 * Ownership: *out is the caller's, freed with sd_ratings_free. */
qf_err sd_store_rating_list(sd_store *store, size_t limit, sd_rating **out, size_t *out_count);
void sd_ratings_free(sd_rating *list, size_t count);

/* Ratings given in [from, to) — from = 0 and to = 0 mean no bound — by
 * level: counts[score - 1]. */
typedef struct sd_rating_summary {
    int64_t total;
    int64_t counts[SD_RATING_LEVELS];
} sd_rating_summary;

qf_err sd_store_rating_summary(sd_store *store, qf_instant from, qf_instant to,
                               sd_rating_summary *out);

/* Share of very_satisfied + satisfied (满意率) in s; negative when total
 * is 0 (no rate to report). */
double sd_rating_satisfaction(const sd_rating_summary *s);

#endif
