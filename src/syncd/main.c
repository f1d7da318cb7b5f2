/* main.c — qifu-syncd entry point: the central HTTPS daemon (catalog, case store, queues, device fleet).
 *
 * Foundation stage: the program is built and installed from this tree, but
 * its real work comes with its own issue. Until then it answers --help and
 * --version and otherwise says plainly that it is not built out yet; it does
 * not pretend to serve. */
#include <stdio.h>
#include <string.h>

#include "qf_version.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: qifu-syncd [--help] [--version]\n"
                 "qifu-syncd is the central HTTPS daemon (catalog, case store, queues, device fleet).\n"
                 "This build is the foundation stage: it starts, prints its version and exits.\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("qifu-syncd %s\n", QF_VERSION);
            return 0;
        }
        fprintf(stderr, "qifu-syncd: unknown option '%s'\n", argv[i]);
        usage(stderr);
        return 2;
    }
    printf("qifu-syncd %s: not built out yet (foundation stage); exiting.\n", QF_VERSION);
    return 0;
}
