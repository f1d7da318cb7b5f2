/* app.h — the kiosk program's runtime: SDL and the renderer (a window, or
 * an offscreen software target in headless mode), the session state, the
 * screen that is built from it, the app clock, the sync worker's events,
 * and the event-driven loop that sleeps until something happens and draws
 * only when something changed.
 *
 * The app clock is SDL_GetTicks in a window and a script-driven counter in
 * headless mode (kapp_advance), so idle timeouts run the same code in both.
 * Not here: what screens show (screens/), script parsing (input/). */
#ifndef APP_H
#define APP_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

#include "kn_outbox.h"
#include "kn_sync.h"
#include "ks_app.h"
#include "ks_ime.h"
#include "qf_config.h"
#include "scr.h"
#include "ui.h"

/* The panel's physical width (the short side in portrait) when the config
 * does not say: 340 mm, a 27" 16:9 panel (336 mm) rounded up. A 24" panel
 * is about 299 mm wide: more px per mm, so px-sized targets come out
 * smaller there; the touch-target test checks at 299 mm to cover both. */
#define KAPP_SCREEN_WIDTH_MM_DEFAULT 340

typedef struct kapp_options {
    const char *config_path;
    bool headless;
    int width, height;
    double t0_ms;              /* process start on the monotonic clock */
} kapp_options;

typedef struct kapp {
    kapp_options opt;
    qf_config *cfg;
    const char *hall_name;     /* borrowed from cfg or a literal */
    ks_app state;
    ui_ctx ui;
    ui_scene scene;
    scr_env env;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *target;       /* headless only */
    int w, h;
    uint64_t clock_ms;         /* headless app clock */
    unsigned changes;          /* KS_CHANGE_* not yet rebuilt */
    bool built;                /* a scene exists */
    ks_screen built_screen;
    bool redraw;
    bool quit;
    size_t frames;
    float draw_ms[4096];       /* time to draw each of the first frames */
    double first_frame_ms;     /* < 0 until the first frame */
    Uint32 ev_sync;            /* SDL user event type for kn_event */
    kn_sync *sync;
    /* The search index worker: one thread per installed catalog, which
     * posts ev_search (data1 = ks_search *, data2 = its job) when done. */
    Uint32 ev_search;
    SDL_Thread *search_thread;
    uint64_t search_gen;       /* the catalog generation it indexes */
    bool search_busy;          /* started and its event not yet handled */
    /* Text input to the next frame (search: query + rebuild + draw). */
    double key_t0;             /* > 0 while a keystroke waits for its frame */
    size_t keys;
    double key_sum_ms, key_max_ms;
    /* The print worker: one thread per slip, which posts ev_print (data1 =
     * its job, with the outcome) when done. [printer] sink and width_dots. */
    Uint32 ev_print;
    SDL_Thread *print_thread;
    char printer_sink[512];    /* png:state/slips by default */
    int printer_width_dots;    /* 384 (58 mm) by default */
    char font_path[1200];
    char catalog_source[64];   /* "cache", "catalog_dir", "none" */
    unsigned sync_interval_s;  /* [server] sync_interval_s, default 60 */
    int screen_width_mm;       /* [kiosk] screen_width_mm: the panel's width */
    /* Writing (app_write.c): the outbox handle of the UI thread, the pinyin
     * engine (loaded by ime_thread, which posts ev_ime) and the scanner's
     * burst so far (zeroed after every Return). */
    kn_outbox *outbox;
    ks_ime *ime;
    SDL_Thread *ime_thread;
    bool ime_tried;            /* the loader ran (once per process) */
    Uint32 ev_ime;
    char scan[512];
    size_t scan_len;
    uint64_t scan_last_ms;
} kapp;

qf_err kapp_init(kapp *k, const kapp_options *opt, char *err, size_t errlen);
void kapp_cleanup(kapp *k);

uint64_t kapp_now(const kapp *k);
const char *kapp_screen_name(const kapp *k);

void kapp_handle_event(kapp *k, const SDL_Event *ev);
/* Drains the SDL queue, runs the timers, rebuilds and draws if needed. */
void kapp_pump(kapp *k);
/* Headless: moves the app clock on by ms, stopping at every timer. */
void kapp_advance(kapp *k, uint32_t ms);
/* The interactive loop; returns the exit status. */
int kapp_run(kapp *k);

/* The first visible widget whose text contains needle (dialog first). */
const ui_widget *kapp_find_text(const kapp *k, const char *needle);
qf_err kapp_dump(const kapp *k, const char *path, char *err, size_t errlen);
qf_err kapp_screenshot(kapp *k, const char *path, char *err, size_t errlen);

double kapp_mono_ms(void);
/* p50 and p99 of the frame draw times so far (0 when none). */
void kapp_frame_stats(const kapp *k, double *p50, double *p99);

#endif
