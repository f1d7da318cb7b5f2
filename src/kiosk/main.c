/* main.c — qifu-kiosk: the fullscreen SDL2 touch UI of the hall terminals.
 *
 *   qifu-kiosk --config FILE [--headless --script FILE] [--size WxH]
 *
 * Parses the command line, starts the runtime (app.c) and either runs the
 * interactive loop or, with --headless, plays a script (input/in_script.c)
 * on the dummy video driver and exits non-zero with the line number of the
 * first command that fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app_staff.h"
#include "in_script.h"
#include "qf_version.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: qifu-kiosk --config FILE [--headless --script FILE] [--size WxH]\n"
                 "       qifu-kiosk --help | --version\n"
                 "The fullscreen touch UI of the hall terminals (default size 1080x1920).\n");
}

static bool parse_size(const char *s, int *w, int *h)
{
    char *end = NULL;
    long a = strtol(s, &end, 10);
    if (!end || (*end != 'x' && *end != 'X'))
        return false;
    long b = strtol(end + 1, &end, 10);
    if (*end || a < 320 || b < 320 || a > 8192 || b > 8192)
        return false;
    *w = (int)a;
    *h = (int)b;
    return true;
}

int main(int argc, char **argv)
{
    kapp_options opt = { .width = 1080, .height = 1920, .t0_ms = kapp_mono_ms() };
    const char *script = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("qifu-kiosk %s\n", QF_VERSION);
            return 0;
        } else if (strcmp(a, "--headless") == 0) {
            opt.headless = true;
        } else if (strcmp(a, "--config") == 0 && i + 1 < argc) {
            opt.config_path = argv[++i];
        } else if (strcmp(a, "--script") == 0 && i + 1 < argc) {
            script = argv[++i];
        } else if (strcmp(a, "--size") == 0 && i + 1 < argc) {
            if (!parse_size(argv[++i], &opt.width, &opt.height)) {
                fprintf(stderr, "qifu-kiosk: --size wants WxH (320..8192), not '%s'\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "qifu-kiosk: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!opt.config_path || (script && !opt.headless) || (opt.headless && !script)) {
        usage(stderr);
        return 2;
    }
    kapp *k = calloc(1, sizeof *k);
    if (!k) {
        fprintf(stderr, "qifu-kiosk: out of memory\n");
        return 1;
    }
    int status = 0;
    char err[512] = "";
    qf_err rc = kapp_init(k, &opt, err, sizeof err);
    if (rc != QF_OK) {
        fprintf(stderr, "qifu-kiosk: %s\n", err);
        status = 1;
        goto out;
    }
    if (opt.headless) {
        int line = 0;
        rc = in_script_run(k, script, &line, err, sizeof err);
        if (rc != QF_OK) {
            fprintf(stderr, "qifu-kiosk: %s:%d: %s\n", script, line, err);
            status = 1;
        }
        double p50, p99;
        kapp_frame_stats(k, &p50, &p99);
        fprintf(stderr,
                "qifu-kiosk: %zu frames (draw p50 %.1f ms, p99 %.1f ms), text cache %zu hits / "
                "%zu misses\n",
                k->frames, p50, p99, k->ui.cache_hits, k->ui.cache_misses);
    } else {
        status = kapp_run(k);
        if (status == 0)           /* the nightly restart asks systemd for a fresh start */
            status = kapp_staff_exit_status(k);
    }
out:
    kapp_cleanup(k);
    free(k);
    return status;
}
