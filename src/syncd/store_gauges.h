/* store_gauges.h — gauges read from the store for GET /metrics: cases by
 * state, devices online (heartbeat within 2 minutes), catalog version. */
#ifndef SD_STORE_GAUGES_H
#define SD_STORE_GAUGES_H

#include <stddef.h>

#include "qf_clock.h"
#include "store.h"

/* Appends Prometheus text to buf; returns bytes written (0 if no room). */
size_t sd_store_gauges_render(sd_store *store, qf_instant now, char *buf, size_t buflen);

#endif
