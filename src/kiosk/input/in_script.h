/* in_script.h — the headless test mode's script: one command a line
 * (tap, tap-text, drag, type, key, scan, wait, wait-text, screenshot, dump,
 * quit; '#' starts a comment), fed to the app as the input events a touch
 * screen, keyboard or scanner would send, with time on the app's clock. */
#ifndef IN_SCRIPT_H
#define IN_SCRIPT_H

#include "app.h"

#define IN_SCRIPT_LINE_MAX 1024
#define IN_SCRIPT_LINES_MAX 100000

/* Runs the script at path against k. On failure *out_line is the 1-based
 * line of the failing command (0 when the file itself could not be read)
 * and err says why. */
qf_err in_script_run(kapp *k, const char *path, int *out_line, char *err, size_t errlen);

#endif
