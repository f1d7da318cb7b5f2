/* in_script.c — runs a headless script (see in_script.h). Touch and keys go
 * through the SDL event queue exactly as a device's would; `wait` moves the
 * app clock (no real waiting); `wait-text` advances it in 100 ms steps until
 * the text shows or the limit passes (and, when the sync worker runs, also
 * waits up to 100 ms of real time per step, for what the network brings). A failing command stops the script. */
#include "in_script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_text.h"

#define IN_DRAG_STEP_MS 16     /* one motion event per 60 Hz frame */
#define IN_WAIT_TEXT_DEFAULT_MS 5000
#define IN_WAIT_TEXT_STEP_MS 100

static bool in_parse_int(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return false;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static void in_push(kapp *k, SDL_Event *e)
{
    e->common.timestamp = (Uint32)kapp_now(k);
    SDL_PushEvent(e);
}

static void in_mouse(kapp *k, Uint32 type, int x, int y)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = x;
        e.motion.y = y;
        e.motion.state = SDL_BUTTON_LMASK;
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        e.button.clicks = 1;
        e.button.x = x;
        e.button.y = y;
    }
    in_push(k, &e);
}

static void in_tap(kapp *k, int x, int y)
{
    in_mouse(k, SDL_MOUSEBUTTONDOWN, x, y);
    kapp_pump(k);
    in_mouse(k, SDL_MOUSEBUTTONUP, x, y);
    kapp_pump(k);
}

static qf_err in_key(kapp *k, const char *name, char *err, size_t errlen)
{
    SDL_Keycode key = SDL_GetKeyFromName(name);
    if (key == SDLK_UNKNOWN)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "unknown key '%s'", name);
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = key;
    e.key.keysym.scancode = SDL_GetScancodeFromKey(key);
    in_push(k, &e);
    e.type = SDL_KEYUP;
    e.key.state = SDL_RELEASED;
    in_push(k, &e);
    kapp_pump(k);
    return QF_OK;
}

/* A physical keyboard sends one SDL_TEXTINPUT per character (so pinyin
 * letters compose one by one); a scanner in keyboard mode types just as
 * fast but all at once, ending with Return (the kiosk tells the two apart
 * by the pace and the length: app_write.c). */
static void in_type(kapp *k, const char *text, bool scanner)
{
    size_t len = strlen(text), off = 0;
    while (off < len) {
        SDL_Event e;
        SDL_zero(e);
        e.type = SDL_TEXTINPUT;
        uint32_t cp;
        size_t n = scanner ? qf_utf8_cut(text + off, len - off, sizeof e.text.text - 1)
                           : qf_utf8_decode(text + off, len - off, &cp);
        if (n == 0)
            n = 1;
        memcpy(e.text.text, text + off, n);
        in_push(k, &e);
        off += n;
        if (!scanner)
            kapp_pump(k);
    }
    kapp_pump(k);
}

/* Splits off the first word of *s (NUL-terminates it); NULL at the end. */
static char *in_word(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return NULL;
    char *w = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return w;
}

static char *in_rest(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static qf_err in_command(kapp *k, char *line, bool *quit, char *err, size_t errlen)
{
    char *cur = line;
    char *cmd = in_word(&cur);
    if (!cmd || cmd[0] == '#')
        return QF_OK;
    long a[5];
    if (strcmp(cmd, "tap") == 0) {
        if (!in_parse_int(in_word(&cur), 0, k->w - 1, &a[0]) ||
            !in_parse_int(in_word(&cur), 0, k->h - 1, &a[1]))
            return qf_err_set(err, errlen, QF_ERR_INVALID, "usage: tap X Y (inside %dx%d)", k->w,
                              k->h);
        in_tap(k, (int)a[0], (int)a[1]);
    } else if (strcmp(cmd, "tap-text") == 0) {
        const char *text = in_rest(cur);
        if (!*text)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "usage: tap-text TEXT");
        const ui_widget *w = kapp_find_text(k, text);
        if (!w)
            return qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "no visible widget with text '%s'",
                              text);
        SDL_Rect r = ui_widget_screen_rect(&k->scene, w), vis = r;
        SDL_Rect clip = w->in_scroll ? k->scene.view : (SDL_Rect){ 0, 0, k->w, k->h };
        SDL_IntersectRect(&r, &clip, &vis);
        in_tap(k, vis.x + vis.w / 2, vis.y + vis.h / 2);
    } else if (strcmp(cmd, "drag") == 0) {
        for (int i = 0; i < 4; i++)
            if (!in_parse_int(in_word(&cur), 0, i % 2 ? k->h - 1 : k->w - 1, &a[i]))
                return qf_err_set(err, errlen, QF_ERR_INVALID, "usage: drag X1 Y1 X2 Y2 MS");
        if (!in_parse_int(in_word(&cur), 0, 60000, &a[4]))
            return qf_err_set(err, errlen, QF_ERR_INVALID, "usage: drag X1 Y1 X2 Y2 MS");
        in_mouse(k, SDL_MOUSEBUTTONDOWN, (int)a[0], (int)a[1]);
        kapp_pump(k);
        long steps = a[4] / IN_DRAG_STEP_MS;
        if (steps < 1)
            steps = 1;
        for (long i = 1; i <= steps; i++) {
            kapp_advance(k, (uint32_t)(a[4] / steps));
            in_mouse(k, SDL_MOUSEMOTION, (int)(a[0] + (a[2] - a[0]) * i / steps),
                     (int)(a[1] + (a[3] - a[1]) * i / steps));
            kapp_pump(k);
        }
        in_mouse(k, SDL_MOUSEBUTTONUP, (int)a[2], (int)a[3]);
        kapp_pump(k);
    } else if (strcmp(cmd, "type") == 0) {
        in_type(k, in_rest(cur), false);
    } else if (strcmp(cmd, "scan") == 0) {
        in_type(k, in_rest(cur), true);
        return in_key(k, "Return", err, errlen);
    } else if (strcmp(cmd, "key") == 0) {
        const char *name = in_word(&cur);
        if (!name)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "usage: key NAME");
        return in_key(k, name, err, errlen);
    } else if (strcmp(cmd, "wait") == 0) {
        if (!in_parse_int(in_word(&cur), 0, 24L * 3600 * 1000, &a[0]))
            return qf_err_set(err, errlen, QF_ERR_INVALID, "usage: wait MS");
        kapp_advance(k, (uint32_t)a[0]);
    } else if (strcmp(cmd, "wait-text") == 0) {
        char *text = in_rest(cur);
        long limit = IN_WAIT_TEXT_DEFAULT_MS;
        char *sp = strrchr(text, ' ');
        if (sp && in_parse_int(sp + 1, 0, 24L * 3600 * 1000, &limit))
            *sp = '\0';
        if (!*text)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "usage: wait-text TEXT [MS]");
        kapp_pump(k);
        for (long waited = 0; !kapp_find_text(k, text); waited += IN_WAIT_TEXT_STEP_MS) {
            if (waited >= limit)
                return qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "'%s' did not show in %ld ms",
                                  text, limit);
            /* With a sync worker the awaited text may come from the network:
             * also wait for real (returns early when an event arrives). */
            if (k->sync)
                SDL_WaitEventTimeout(NULL, IN_WAIT_TEXT_STEP_MS);
            kapp_advance(k, IN_WAIT_TEXT_STEP_MS);
        }
    } else if (strcmp(cmd, "screenshot") == 0 || strcmp(cmd, "dump") == 0) {
        const char *path = in_rest(cur);
        if (!*path)
            return qf_err_set(err, errlen, QF_ERR_INVALID, "usage: %s PATH", cmd);
        kapp_pump(k);
        return cmd[0] == 's' ? kapp_screenshot(k, path, err, errlen)
                             : kapp_dump(k, path, err, errlen);
    } else if (strcmp(cmd, "quit") == 0) {
        *quit = true;
    } else {
        return qf_err_set(err, errlen, QF_ERR_INVALID, "unknown command '%s'", cmd);
    }
    return QF_OK;
}

qf_err in_script_run(kapp *k, const char *path, int *out_line, char *err, size_t errlen)
{
    *out_line = 0;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return qf_err_set(err, errlen, QF_ERR_IO, "%s: %s", path, strerror(errno));
    qf_err rc = QF_OK;
    char line[IN_SCRIPT_LINE_MAX + 2];
    int no = 0;
    bool quit = false;
    kapp_pump(k);                       /* the first frame */
    while (!quit && fgets(line, sizeof line, fp)) {
        no++;
        size_t len = strlen(line);
        if (len && line[len - 1] != '\n' && !feof(fp)) {
            rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "line longer than %d bytes",
                            IN_SCRIPT_LINE_MAX);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (no > IN_SCRIPT_LINES_MAX) {
            rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "more than %d lines", IN_SCRIPT_LINES_MAX);
            break;
        }
        rc = in_command(k, line, &quit, err, errlen);
        if (rc != QF_OK)
            break;
        if (k->quit)
            break;
    }
    if (rc != QF_OK)
        *out_line = no;
    fclose(fp);
    return rc;
}
