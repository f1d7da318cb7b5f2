/* ks_app_toast.c — the toast (see ks_app.h): a short message over any
 * screen, gone by itself KS_TOAST_MS later on the app clock. One at a time:
 * a newer one replaces the one shown and its time starts again.
 *
 * Deliberately not here: where and how it is drawn (scr_common.c, the
 * UI_TOAST role), and who says what (the runtime and the actions). */
#include "ks_app.h"

#include <string.h>

#include "qf_text.h"

/* Copies src into dst (KS_TOAST_TEXT_MAX), cut at a character boundary. */
static void ks_toast_copy(char *dst, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    size_t n = qf_utf8_cut(src ? src : "", len, KS_TOAST_TEXT_MAX - 1);
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void ks_app_toast(ks_app *app, const char *zh, const char *en, uint64_t now_ms)
{
    ks_toast *t = &app->toast;
    if (!zh || !*zh)
        return;
    ks_toast_copy(t->zh, zh);
    ks_toast_copy(t->en, en);
    t->until_ms = now_ms + KS_TOAST_MS;
    t->shown = true;
    ks_app_notify(app, KS_CHANGE_TOAST);
}

bool ks_app_toast_tick(ks_app *app, uint64_t now_ms)
{
    ks_toast *t = &app->toast;
    if (!t->shown || now_ms < t->until_ms)
        return false;
    memset(t, 0, sizeof *t);
    ks_app_notify(app, KS_CHANGE_TOAST);
    return true;
}

uint32_t ks_app_toast_deadline_ms(const ks_app *app, uint64_t now_ms)
{
    const ks_toast *t = &app->toast;
    if (!t->shown)
        return UINT32_MAX;
    return t->until_ms > now_ms ? (uint32_t)(t->until_ms - now_ms) : 0;
}
