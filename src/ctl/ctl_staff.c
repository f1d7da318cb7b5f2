/* PLACEHOLDER while the module is written; replaced before commit. */
#include <stdio.h>
#include "ctl.h"
int ctl_staff_main(const ctl_options *opts, int argc, char **argv)
{
    (void)opts; (void)argc; (void)argv;
    fprintf(stderr, "qifu-ctl: staff is not built yet\n");
    return CTL_EXIT_USAGE;
}
