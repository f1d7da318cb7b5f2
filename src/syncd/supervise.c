/* supervise.c — the scheduler thread behind supervise.h: a timed wait on a
 * condition variable (CLOCK_MONOTONIC, so wall-clock steps and
 * QIFU_FAKE_NOW do not stretch or shrink the interval), then a pass at
 * qf_clock_now() with the store's own locking. */
#include "supervise.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "qf_clock.h"
#include "qf_log.h"
#include "store_supervision.h"

struct sd_supervisor {
    sd_store *store;
    const qf_calendar *cal;
    long interval_s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;          /* under mu */
    pthread_t thread;
};

static void sd_supervisor_pass(sd_supervisor *sup)
{
    char err[256];
    size_t fired = 0;
    if (sd_store_supervise(sup->store, sup->cal, qf_clock_now(), SD_SUPERVISE_ACTOR, &fired, err,
                           sizeof err) != QF_OK)
        qf_error("supervision: %s", err);
    else if (fired)
        qf_info("supervision: %zu record(s) fired", fired);
}

static void *sd_supervisor_main(void *arg)
{
    sd_supervisor *sup = arg;
    for (;;) {
        struct timespec until;
        bool stop;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += sup->interval_s;
        pthread_mutex_lock(&sup->mu);
        while (!sup->stop) {
            if (pthread_cond_timedwait(&sup->cv, &sup->mu, &until) == ETIMEDOUT)
                break;
        }
        stop = sup->stop;
        pthread_mutex_unlock(&sup->mu);
        if (stop)
            break;
        sd_supervisor_pass(sup);
    }
    return NULL;
}

qf_err sd_supervisor_start(sd_store *store, const qf_calendar *cal, long interval_s,
                           sd_supervisor **out, char *err, size_t errlen)
{
    sd_supervisor *sup;
    pthread_condattr_t attr;
    int prc;

    *out = NULL;
    if (interval_s < 0 || interval_s > SD_SUPERVISE_INTERVAL_MAX)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "supervise_interval_s must be 0 (off) to %d seconds",
                          SD_SUPERVISE_INTERVAL_MAX);
    if (interval_s == 0) {
        qf_info("supervision: scheduler off (supervise_interval_s = 0)");
        return QF_OK;
    }
    if (!(sup = calloc(1, sizeof *sup)))
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
    sup->store = store;
    sup->cal = cal;
    sup->interval_s = interval_s;
    pthread_mutex_init(&sup->mu, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&sup->cv, &attr);
    pthread_condattr_destroy(&attr);

    sd_supervisor_pass(sup); /* catch up before serving */
    prc = pthread_create(&sup->thread, NULL, sd_supervisor_main, sup);
    if (prc != 0) {
        pthread_cond_destroy(&sup->cv);
        pthread_mutex_destroy(&sup->mu);
        free(sup);
        return qf_err_set(err, errlen, QF_ERR_STATE, "cannot start the supervision thread");
    }
    qf_info("supervision: scheduler every %ld s", interval_s);
    *out = sup;
    return QF_OK;
}

void sd_supervisor_stop(sd_supervisor *sup)
{
    if (!sup)
        return;
    pthread_mutex_lock(&sup->mu);
    sup->stop = true;
    pthread_cond_signal(&sup->cv);
    pthread_mutex_unlock(&sup->mu);
    pthread_join(sup->thread, NULL);
    pthread_cond_destroy(&sup->cv);
    pthread_mutex_destroy(&sup->mu);
    free(sup);
}
