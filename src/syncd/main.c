/* main.c — qifu-syncd: the central daemon. Reads its config (flags
 * override the file), opens the store, loads the calendar and catalog,
 * serves HTTPS, and waits for signals: SIGTERM/SIGINT finish in-flight
 * requests and exit 0; SIGHUP reloads the TLS certificate. Under systemd it
 * reports READY and feeds the watchdog. Linear, one cleanup label. */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "auth.h"
#include "catalog_cache.h"
#include "http.h"
#include "metrics.h"
#include "qf_calendar.h"
#include "qf_config.h"
#include "qf_log.h"
#include "qf_version.h"
#include "ratelimit.h"
#include "store.h"
#include "supervise.h"
#include "syncd.h"

typedef struct sd_options {
    const char *config_path;
    const char *listen;
    const char *db;
    const char *cert;
    const char *key;
    const char *log_level;
    const char *holidays;
    const char *public_url;
    const char *hall;
    bool insecure_loopback;
    long threads, rate_per_minute, connection_limit, timeout_s;
    long supervise_interval_s;   /* 督办 scheduler period, 0: off */
} sd_options;

static void sd_usage(FILE *out)
{
    fprintf(out,
            "usage: qifu-syncd [--config FILE] [--listen ADDR:PORT] [--db PATH]\n"
            "                  [--cert PEM --key PEM | --insecure-loopback] [--log-level LEVEL]\n"
            "qifu-syncd is the central daemon: catalog, cases, queues and device fleet over HTTPS.\n"
            "  --config FILE        INI file ([syncd] listen, db, cert, key, log_level, public_url,\n"
            "                       hall, threads, rate_per_minute, supervise_interval_s;\n"
            "                       [calendar] holidays)\n"
            "  --listen ADDR:PORT   port 0 picks a free port; 'listening on ADDR:PORT' is printed\n"
            "  --insecure-loopback  plain HTTP, refused on non-loopback addresses (tests only)\n"
            "  --help, --version\n");
}

/* Flags first, then the file fills what the flags left open. */
static int sd_options_parse(int argc, char **argv, sd_options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            sd_usage(stdout);
            return 1;
        } else if (strcmp(a, "--version") == 0) {
            printf("qifu-syncd %s\n", QF_VERSION);
            return 1;
        } else if (strcmp(a, "--insecure-loopback") == 0) {
            o->insecure_loopback = true;
            continue;
        } else if (strcmp(a, "--config") == 0) {
            slot = &o->config_path;
        } else if (strcmp(a, "--listen") == 0) {
            slot = &o->listen;
        } else if (strcmp(a, "--db") == 0) {
            slot = &o->db;
        } else if (strcmp(a, "--cert") == 0) {
            slot = &o->cert;
        } else if (strcmp(a, "--key") == 0) {
            slot = &o->key;
        } else if (strcmp(a, "--log-level") == 0) {
            slot = &o->log_level;
        }
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "qifu-syncd: unknown or incomplete option '%s'\n", a);
            sd_usage(stderr);
            return 2;
        }
        *slot = argv[++i];
    }
    return 0;
}

static int sd_options_from_config(sd_options *o, const qf_config *cfg, char *err, size_t errlen)
{
#define SD_FILL(field, section, key)                                           \
    do {                                                                       \
        if (!o->field)                                                         \
            o->field = qf_config_get(cfg, section, key);                       \
    } while (0)
    SD_FILL(listen, "syncd", "listen");
    SD_FILL(db, "syncd", "db");
    SD_FILL(cert, "syncd", "cert");
    SD_FILL(key, "syncd", "key");
    SD_FILL(log_level, "syncd", "log_level");
    SD_FILL(public_url, "syncd", "public_url");
    SD_FILL(hall, "syncd", "hall");
    SD_FILL(holidays, "calendar", "holidays");
#undef SD_FILL
    if (qf_config_get_int(cfg, "syncd", "threads", 1, 64, o->threads, &o->threads, err, errlen) ||
        qf_config_get_int(cfg, "syncd", "rate_per_minute", 0, 100000, o->rate_per_minute,
                          &o->rate_per_minute, err, errlen) ||
        qf_config_get_int(cfg, "syncd", "connection_limit", 4, 100000, o->connection_limit,
                          &o->connection_limit, err, errlen) ||
        qf_config_get_int(cfg, "syncd", "timeout_s", 1, 3600, o->timeout_s, &o->timeout_s, err,
                          errlen) ||
        qf_config_get_int(cfg, "syncd", "supervise_interval_s", 0, SD_SUPERVISE_INTERVAL_MAX,
                          o->supervise_interval_s, &o->supervise_interval_s, err, errlen))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    sd_options o = { .threads = 4, .rate_per_minute = 600, .connection_limit = 512,
                     .timeout_s = 30, .supervise_interval_s = SD_SUPERVISE_INTERVAL_DEFAULT };
    qf_config *cfg = NULL;
    sd_app app = { 0 };
    sd_server *srv = NULL;
    sd_supervisor *sup = NULL;
    char err[512], bound[300];
    sigset_t sigs;
    uint64_t watchdog_usec = 0;
    int status = 1, prc;
    qf_log_level level;

    prc = sd_options_parse(argc, argv, &o);
    if (prc)
        return prc == 1 ? 0 : 2;
    if (qf_clock_check_env(err, sizeof err) != QF_OK) {
        fprintf(stderr, "qifu-syncd: %s\n", err);
        return 2;
    }
    if (o.config_path) {
        if (qf_config_load(o.config_path, &cfg, err, sizeof err) != QF_OK ||
            sd_options_from_config(&o, cfg, err, sizeof err) != 0) {
            fprintf(stderr, "qifu-syncd: %s\n", err);
            goto out;
        }
    }
    if (!o.listen)
        o.listen = "127.0.0.1:8443";
    if (!o.db)
        o.db = "qifu.db";
    if (!o.public_url)
        o.public_url = "https://127.0.0.1:8443";
    if (!o.hall)
        o.hall = "qiantang";
    if (o.log_level) {
        if (qf_log_level_parse(o.log_level, &level) != 0) {
            fprintf(stderr, "qifu-syncd: --log-level must be debug, info, warn or error\n");
            goto out;
        }
        qf_log_set_level(level);
    }

    /* Signals are taken synchronously by this thread; block them before
     * any thread starts so the server threads inherit the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (sd_store_open(o.db, &app.store, err, sizeof err) != QF_OK) {
        qf_error("%s", err);
        goto out;
    }
    if (qf_calendar_new(&app.calendar) != QF_OK)
        goto out;
    /* Deadlines must skip holidays: without [calendar] holidays the shipped
     * files are used, the same ones qifu-ctl reads. */
    if (!o.holidays)
        o.holidays = QF_DATA_DIR "/config/holidays";
    if (qf_calendar_load_dir(app.calendar, o.holidays, err, sizeof err) != QF_OK) {
        qf_error("holiday calendar: %s", err);
        goto out;
    }
    if (sd_catalog_cache_new(app.store, &app.catalog, err, sizeof err) != QF_OK) {
        qf_error("catalog: %s", err);
        goto out;
    }
    app.ratelimit = sd_ratelimit_new(4096);
    app.metrics = sd_metrics_new();
    app.auth_cache = sd_auth_cache_new();
    app.public_url = o.public_url;
    app.hall = o.hall;
    app.rate_per_minute = (int)o.rate_per_minute;
    if (!app.ratelimit || !app.metrics || !app.auth_cache)
        goto out;
    /* 督办: the first pass runs here, before serving (catch-up after downtime). */
    if (sd_supervisor_start(app.store, app.calendar, o.supervise_interval_s, &sup, err,
                            sizeof err) != QF_OK) {
        qf_error("supervision: %s", err);
        goto out;
    }

    sd_server_config scfg = {
        .listen = o.listen,
        .cert_path = o.cert,
        .key_path = o.key,
        .insecure_loopback = o.insecure_loopback,
        .threads = (unsigned)o.threads,
        .connection_limit = (unsigned)o.connection_limit,
        .timeout_s = (unsigned)o.timeout_s,
    };
    if (sd_server_start(&app, &scfg, &srv, bound, sizeof bound, err, sizeof err) != QF_OK) {
        qf_error("%s", err);
        goto out;
    }
    fprintf(stderr, "listening on %s\n", bound);
    fflush(stderr);
    qf_info("qifu-syncd %s serving %s (%s), database %s, catalog version %lld", QF_VERSION,
            bound, o.insecure_loopback ? "plain HTTP, loopback only" : "HTTPS", o.db,
            (long long)sd_catalog_cache_version(app.catalog));
    sd_notify(0, "READY=1");
    if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
        watchdog_usec = 0;

    for (;;) {
        uint64_t wait_us = watchdog_usec ? watchdog_usec / 2 : 60ull * 1000000;
        struct timespec ts = { (time_t)(wait_us / 1000000), (long)(wait_us % 1000000) * 1000 };
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if (watchdog_usec)
            sd_notify(0, "WATCHDOG=1");
        if (sig == SIGHUP) {
            if (sd_server_reload_cert(srv, err, sizeof err) == QF_OK)
                qf_info("certificate reloaded");
            else
                qf_error("certificate reload failed, keeping the old one: %s", err);
        } else if (sig == SIGTERM || sig == SIGINT) {
            qf_info("stopping: finishing %u request(s) in flight", sd_server_in_flight(srv));
            sd_notify(0, "STOPPING=1");
            break;
        }
    }
    status = 0;
out:
    sd_server_stop(srv, 10);
    sd_supervisor_stop(sup);
    sd_catalog_cache_free(app.catalog);
    sd_metrics_free(app.metrics);
    sd_auth_cache_free(app.auth_cache);
    sd_ratelimit_free(app.ratelimit);
    qf_calendar_free(app.calendar);
    sd_store_close(app.store);
    qf_config_free(cfg);
    return status;
}
