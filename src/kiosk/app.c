/* app.c — the kiosk runtime (see app.h): SDL set-up for a window or the
 * headless software target, loading the catalog (sync cache, or the
 * catalog_dir development fallback), starting the sync worker when a server
 * is configured, and the event loop: wait for an event or the next timer,
 * apply it, rebuild the screen when the state says it changed, draw once.
 *
 * The sync worker (net/) starts only when [server] url is set; without it
 * the kiosk runs from the catalog cache, or from catalog_dir in development,
 * or shows that no catalog is available. */
#include "app.h"
#include "app_print.h"
#include "app_staff.h"
#include "app_write.h"
#include "pr.h"
#include "qf_clock.h"
#include "qf_version.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define KAPP_DEFAULT_FONT "fonts/NotoSansCJK-Regular.ttc"
#define KAPP_FONT_INDEX 2      /* the Simplified Chinese face of the .ttc */
#define KAPP_LARGE_SCALE 1.5


double kapp_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void kapp_on_change(void *ud, unsigned changes)
{
    kapp *k = ud;
    k->changes |= changes;     /* rebuilt in kapp_update, never inside an action */
}

/* Called on the sync worker's thread: copy the event and hand it over. */
static void kapp_on_sync(void *ud, const kn_event *ev)
{
    kapp *k = ud;
    kn_event *copy = malloc(sizeof *copy);
    if (!copy) {
        if (ev->kind == KN_EVENT_CATALOG)
            qf_catalog_free(ev->catalog);
        return;
    }
    *copy = *ev;
    SDL_Event e;
    SDL_zero(e);
    e.type = k->ev_sync;
    e.user.data1 = copy;
    if (SDL_PushEvent(&e) != 1) {
        if (copy->kind == KN_EVENT_CATALOG)
            qf_catalog_free(copy->catalog);
        free(copy);
    }
}

/* The shipped font: [kiosk] font, else under $QIFU_DATA_DIR or the build's
 * data folder (QF_DATA_DIR). */
static void kapp_font_path(const qf_config *cfg, char *out, size_t len)
{
    const char *font = qf_config_get(cfg, "kiosk", "font");
    if (font && *font) {
        snprintf(out, len, "%s", font);
        return;
    }
    const char *dir = getenv("QIFU_DATA_DIR");
    const char *cands[] = { dir, QF_DATA_DIR, "." };
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (!cands[i])
            continue;
        snprintf(out, len, "%s/%s", cands[i], KAPP_DEFAULT_FONT);
        FILE *fp = fopen(out, "rb");
        if (fp) {
            fclose(fp);
            return;
        }
    }
    snprintf(out, len, "%s", KAPP_DEFAULT_FONT);
}

static qf_err kapp_load_catalog(kapp *k, char *err, size_t errlen)
{
    const char *state_dir = qf_config_get(k->cfg, "kiosk", "state_dir");
    const char *url = qf_config_get(k->cfg, "server", "url");
    const char *dir = qf_config_get(k->cfg, "kiosk", "catalog_dir");
    snprintf(k->catalog_source, sizeof k->catalog_source, "none");
    if (state_dir && *state_dir) {
        qf_catalog *cat = NULL;
        int64_t version = 0;
        char why[256];
        if (kn_cache_load(state_dir, &cat, &version, why, sizeof why) == QF_OK) {
            ks_app_catalog_take(&k->state, cat, version);
            snprintf(k->catalog_source, sizeof k->catalog_source, "cache");
            return QF_OK;
        }
    }
    /* Development and tests: read assets/catalog straight from disk, but only
     * when no server would bring a catalog. */
    if (dir && *dir && !(url && *url)) {
        qf_catalog *cat = NULL;
        qf_err rc = qf_catalog_new(&cat);
        if (rc == QF_OK)
            rc = qf_catalog_load_dir(cat, dir, err, errlen);
        if (rc != QF_OK) {
            qf_catalog_free(cat);
            return rc;
        }
        ks_app_catalog_take(&k->state, cat, 0);
        snprintf(k->catalog_source, sizeof k->catalog_source, "catalog_dir");
    }
    return QF_OK;
}

/* The search index takes tens of ms to build, so a worker thread builds it
 * for each installed catalog and posts it back; ks_app keeps answering
 * from the previous index meanwhile. The worker only reads the catalog:
 * kapp_search_join runs before any catalog is replaced. */
typedef struct kapp_search_job {
    const qf_catalog *cat;     /* borrowed; alive until the job is joined */
    uint64_t gen;
    Uint32 ev;
} kapp_search_job;

static int kapp_search_worker(void *ud)
{
    kapp_search_job *job = ud;
    ks_search *idx = NULL;
    char why[256] = "";
    double t = kapp_mono_ms();
    if (ks_search_build(job->cat, &idx, why, sizeof why) != QF_OK)
        fprintf(stderr, "qifu-kiosk: search index: %s\n", why);
    else
        fprintf(stderr, "qifu-kiosk: search index built in %.1f ms\n", kapp_mono_ms() - t);
    SDL_Event e;
    SDL_zero(e);
    e.type = job->ev;
    e.user.data1 = idx;
    e.user.data2 = job;
    if (SDL_PushEvent(&e) != 1) {
        ks_search_free(idx);
        free(job);
    }
    return 0;
}

static void kapp_search_join(kapp *k)
{
    if (k->search_thread)
        SDL_WaitThread(k->search_thread, NULL);
    k->search_thread = NULL;
}

static void kapp_search_start(kapp *k)
{
    kapp_search_join(k);
    if (!k->state.catalog)
        return;
    kapp_search_job *job = malloc(sizeof *job);
    if (!job)
        return;
    *job = (kapp_search_job){ k->state.catalog, k->state.search.catalog_gen, k->ev_search };
    k->search_thread = SDL_CreateThread(kapp_search_worker, "qifu-search", job);
    if (!k->search_thread) {
        fprintf(stderr, "qifu-kiosk: search worker: %s\n", SDL_GetError());
        free(job);
        return;
    }
    k->search_gen = job->gen;
    k->search_busy = true;
}

static void kapp_search_event(kapp *k, const SDL_Event *ev)
{
    kapp_search_job *job = ev->user.data2;
    if (job->gen == k->search_gen && k->search_busy) {
        kapp_search_join(k);       /* it has posted: it is ending */
        k->search_busy = false;
    }
    ks_app_search_index_take(&k->state, ev->user.data1, job->gen);
    free(job);
}

/* A confirmed ticket goes to the sync worker (which owns the network). */
static void kapp_ticket_request(kapp *k)
{
    ks_app_ticket *t = &k->state.ticket;
    if (t->phase != KS_TICKET_REQUEST)
        return;
    if (!k->sync || kn_sync_ticket_request(k->sync, t->window_id, t->priority,
                                           t->request_id) != QF_OK) {
        ks_app_ticket_failed(&k->state, t->request_id, KS_TICKET_FAIL_OFFLINE,
                             "no sync worker", kapp_now(k));
        return;
    }
    ks_app_ticket_sent(&k->state);
}

static void kapp_queues_event(kapp *k, const kn_queues *q, const char *message)
{
    if (!q->ok) {
        fprintf(stderr, "qifu-kiosk: waiting counts: %s\n", message);
        return;    /* the counts stay unknown: none are shown */
    }
    const char *ids[KN_QUEUES_MAX];
    int waiting[KN_QUEUES_MAX];
    for (size_t i = 0; i < q->count; i++) {
        ids[i] = q->w[i].window;
        waiting[i] = q->w[i].waiting;
    }
    ks_app_ticket_queues(&k->state, ids, waiting, q->count);
}

static void kapp_ticket_event(kapp *k, const kn_ticket *tk, const char *message)
{
    uint64_t now = kapp_now(k);
    if (!tk->ok) {
        fprintf(stderr, "qifu-kiosk: ticket: %s\n", message);
        ks_app_ticket_failed(&k->state, tk->request_id,
                             tk->offline ? KS_TICKET_FAIL_OFFLINE : KS_TICKET_FAIL_REFUSED,
                             message, now);
        return;
    }
    char url[512];
    const char *base = qf_config_get(k->cfg, "server", "url");
    snprintf(url, sizeof url, "%s", base ? base : "");
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
    snprintf(url + n, sizeof url - n, "/queue/%s", tk->number);
    ks_app_ticket_issued(&k->state, tk->request_id, tk->number, tk->window_name, tk->issued_at,
                         tk->people_ahead, tk->priority, url);
    if (tk->leased)
        ks_app_ticket_set_leased(&k->state, tk->request_id);
    if (k->state.ticket.phase == KS_TICKET_PRINTING &&
        k->state.ticket.request_id == tk->request_id)
        kapp_print_ticket(k);
}

static void kapp_start_sync(kapp *k)
{
    const char *url = qf_config_get(k->cfg, "server", "url");
    if (!url || !*url)
        return;
    kn_sync_config sc = {
        .url = url,
        .ca_file = qf_config_get(k->cfg, "server", "ca_file"),
        .enroll_code = qf_config_get(k->cfg, "server", "enroll_code"),
        .device_name = k->hall_name,
        .state_dir = qf_config_get(k->cfg, "kiosk", "state_dir"),
        .software_version = "qifu-kiosk",
        .sync_interval_s = k->sync_interval_s,
        .heartbeat_s = 60,
    };
    char why[256] = "";
    if (kn_sync_start(&sc, kapp_on_sync, k, &k->sync, why, sizeof why) != QF_OK)
        fprintf(stderr, "qifu-kiosk: sync worker not started: %s\n", why);
}

qf_err kapp_init(kapp *k, const kapp_options *opt, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->opt = *opt;
    k->w = opt->width;
    k->h = opt->height;
    k->first_frame_ms = -1;
    qf_err rc = qf_config_load(opt->config_path, &k->cfg, err, errlen);
    if (rc != QF_OK)
        return rc;
    k->hall_name = qf_config_get(k->cfg, "kiosk", "hall_name");
    if (!k->hall_name)
        k->hall_name = "钱塘区企业综合服务中心";
    long idle = KS_APP_IDLE_DEFAULT_S;
    rc = qf_config_get_int(k->cfg, "kiosk", "idle_timeout_s", 5, 3600, KS_APP_IDLE_DEFAULT_S,
                           &idle, err, errlen);
    if (rc != QF_OK)
        return rc;
    /* How often the worker asks for a catalog delta (tests set it low). */
    long sync_s = 60;
    rc = qf_config_get_int(k->cfg, "server", "sync_interval_s", 1, 86400, 60, &sync_s, err,
                           errlen);
    if (rc != QF_OK)
        return rc;
    k->sync_interval_s = (unsigned)sync_s;
    /* The panel's physical width, for the >= 15 mm touch-target rule. */
    long mm = KAPP_SCREEN_WIDTH_MM_DEFAULT;
    rc = qf_config_get_int(k->cfg, "kiosk", "screen_width_mm", 50, 5000,
                           KAPP_SCREEN_WIDTH_MM_DEFAULT, &mm, err, errlen);
    if (rc != QF_OK)
        return rc;
    k->screen_width_mm = (int)mm;
    const char *sink = qf_config_get(k->cfg, "printer", "sink");
    snprintf(k->printer_sink, sizeof k->printer_sink, "%s",
             sink && *sink ? sink : "png:state/slips");
    long dots = 384;
    rc = qf_config_get_int(k->cfg, "printer", "width_dots", 64, PR_MAX_WIDTH, 384, &dots, err,
                           errlen);
    if (rc != QF_OK)
        return rc;
    k->printer_width_dots = (int)dots;
    rc = kapp_print_init(k, err, errlen);
    if (rc != QF_OK)
        return rc;
    ks_app_init(&k->state, (unsigned)idle);
    ks_app_set_observer(&k->state, kapp_on_change, k);
    const char *lang = qf_config_get(k->cfg, "kiosk", "language");
    if (lang && strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "[kiosk] language: zh or en, not '%s'",
                          lang);

    if (opt->headless)
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    /* Touch screens send both finger and mouse events: we use the mouse ones. */
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "1");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
        return qf_err_set(err, errlen, QF_ERR_IO, "SDL_Init: %s", SDL_GetError());
    if (TTF_Init() != 0)
        return qf_err_set(err, errlen, QF_ERR_IO, "TTF_Init: %s", TTF_GetError());
    if (opt->headless) {
        k->target = SDL_CreateRGBSurfaceWithFormat(0, k->w, k->h, 32, SDL_PIXELFORMAT_XRGB8888);
        if (!k->target)
            return qf_err_set(err, errlen, QF_ERR_NOMEM, "surface: %s", SDL_GetError());
        k->ren = SDL_CreateSoftwareRenderer(k->target);
    } else {
        k->win = SDL_CreateWindow("qifu-kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                  k->w, k->h, SDL_WINDOW_SHOWN);
        if (!k->win)
            return qf_err_set(err, errlen, QF_ERR_IO, "window: %s", SDL_GetError());
        k->ren = SDL_CreateRenderer(k->win, -1, 0);
    }
    if (!k->ren)
        return qf_err_set(err, errlen, QF_ERR_IO, "renderer: %s", SDL_GetError());
    k->ev_sync = SDL_RegisterEvents(4);
    if (k->ev_sync == (Uint32)-1)
        return qf_err_set(err, errlen, QF_ERR_LIMIT, "no SDL user events left");
    k->ev_search = k->ev_sync + 1;
    k->ev_print = k->ev_sync + 2;
    k->ev_ime = k->ev_sync + 3;

    char *font = k->font_path;
    kapp_font_path(k->cfg, font, sizeof k->font_path);
    rc = ui_ctx_init(&k->ui, k->ren, font, KAPP_FONT_INDEX, k->w, k->h, err, errlen);
    if (rc == QF_OK)           /* symbols the CJK face lacks: DejaVu Sans by default */
        rc = ui_ctx_add_fallbacks(&k->ui, qf_config_get(k->cfg, "kiosk", "font_fallback"),
                                  "DejaVuSans.ttf", err, errlen);
    if (rc != QF_OK)
        return rc;
    if (k->ui.faces_count < 2)
        fprintf(stderr, "qifu-kiosk: no fallback font ([kiosk] font_fallback): symbols the "
                        "CJK face lacks (✔ ☑ ⌫) show as boxes\n");
    /* Checks: repaint every frame whole, or log what each frame repainted. */
    k->ui.full_redraw = getenv("QIFU_UI_FULL_REDRAW") != NULL;
    k->ui.draw_log = getenv("QIFU_UI_DRAW_LOG") != NULL;
    ui_scene_init(&k->scene);
    k->env = (scr_env){ &k->state, &k->ui, &k->scene, k->w, k->h, k->hall_name, 0 };
    rc = kapp_load_catalog(k, err, errlen);
    if (rc != QF_OK)
        return rc;
    const char *url = qf_config_get(k->cfg, "server", "url");
    ks_app_configure(&k->state, lang && strcmp(lang, "en") == 0, url && *url);
    kapp_search_start(k);
    kapp_write_init(k);
    rc = kapp_staff_init(k, err, errlen);   /* [schedule], the log ring (app_staff.c) */
    if (rc != QF_OK)
        return rc;
    kapp_start_sync(k);
    k->changes |= KS_CHANGE_SCREEN;
    return QF_OK;
}

void kapp_cleanup(kapp *k)
{
    if (k->sync)
        kn_sync_stop(k->sync);
    k->sync = NULL;
    kapp_search_join(k);
    kapp_print_cleanup(k);
    kapp_write_cleanup(k);
    kapp_staff_cleanup(k);
    if (k->ev_search && SDL_WasInit(SDL_INIT_EVENTS)) {
        SDL_Event e;
        while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, k->ev_search, k->ev_search) == 1) {
            ks_search_free(e.user.data1);
            free(e.user.data2);
        }
    }
    if (k->keys)
        fprintf(stderr, "qifu-kiosk: %zu keystrokes, %.2f ms mean, %.2f ms max to the next frame\n",
                k->keys, k->key_sum_ms / (double)k->keys, k->key_max_ms);
    /* Events the worker posted that were never handled still own memory. */
    if (k->ev_sync && k->ev_sync != (Uint32)-1 && SDL_WasInit(SDL_INIT_EVENTS)) {
        SDL_Event e;
        while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, k->ev_sync, k->ev_sync) == 1) {
            kn_event *ev = e.user.data1;
            if (ev && ev->kind == KN_EVENT_CATALOG)
                qf_catalog_free(ev->catalog);
            free(ev);
        }
    }
    ui_scene_clear(&k->scene);
    ui_ctx_cleanup(&k->ui);
    if (k->ren)
        SDL_DestroyRenderer(k->ren);
    if (k->target)
        SDL_FreeSurface(k->target);
    if (k->win)
        SDL_DestroyWindow(k->win);
    if (TTF_WasInit())
        TTF_Quit();
    SDL_Quit();
    ks_app_cleanup(&k->state);
    qf_config_free(k->cfg);
    k->cfg = NULL;
}

uint64_t kapp_now(const kapp *k)
{
    return k->opt.headless ? k->clock_ms : (uint64_t)SDL_GetTicks();
}

const char *kapp_screen_name(const kapp *k)
{
    return scr_get(k->built ? k->built_screen : ks_app_screen(&k->state))->name;
}

static void kapp_sync_event(kapp *k, kn_event *ev)
{
    switch (ev->kind) {
    case KN_EVENT_CATALOG:
        kapp_search_join(k);       /* it may be reading the catalog we replace */
        ks_app_catalog_take(&k->state, ev->catalog, ev->catalog_version);
        ev->catalog = NULL;
        kapp_search_start(k);
        break;
    case KN_EVENT_ONLINE:
    case KN_EVENT_ENROLLED:
        ks_app_online_event(&k->state, true, kapp_now(k));   /* a toast when it was offline */
        break;
    case KN_EVENT_OFFLINE:
        ks_app_online_event(&k->state, false, kapp_now(k));  /* a toast when it was online */
        fprintf(stderr, "qifu-kiosk: sync: %s\n", ev->message);
        break;
    case KN_EVENT_ERROR:
        /* For an operator (a refused code, a revoked device): the mark, no toast. */
        ks_app_set_online(&k->state, false);
        fprintf(stderr, "qifu-kiosk: sync: %s\n", ev->message);
        break;
    case KN_EVENT_TICKET:
        kapp_ticket_event(k, &ev->ticket, ev->message);
        break;
    case KN_EVENT_QUEUES:
        kapp_queues_event(k, &ev->queues, ev->message);
        break;
    case KN_EVENT_DELIVERED:
    case KN_EVENT_CASE:
        kapp_write_sync_event(k, ev);
        break;
    case KN_EVENT_STAFF:
        kapp_staff_sync_event(k, ev);
        break;
    }
    free(ev);
}

void kapp_handle_event(kapp *k, const SDL_Event *ev)
{
    uint64_t now = kapp_now(k);
    k->env.now_ms = now;
    if (ev->type == k->ev_sync) {
        kapp_sync_event(k, ev->user.data1);
        return;
    }
    if (ev->type == k->ev_search) {
        kapp_search_event(k, ev);
        return;
    }
    if (ev->type == k->ev_print) {
        kapp_print_event(k, ev);
        return;
    }
    if (ev->type == k->ev_ime) {
        kapp_write_event(k, ev);
        return;
    }
    if (kapp_staff_event(k, ev))
        return;                    /* the hidden corner, a badge, the touch test */
    switch (ev->type) {
    case SDL_QUIT:
        k->quit = true;
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button == SDL_BUTTON_LEFT) {
            kapp_write_burst_end(k);
            k->redraw |= ui_scene_pointer_down(&k->scene, ev->button.x, ev->button.y, now);
            ks_app_activity(&k->state, now);
        }
        break;
    case SDL_MOUSEMOTION:
        if (k->scene.down) {
            k->redraw |= ui_scene_pointer_move(&k->scene, ev->motion.x, ev->motion.y, now);
            ks_app_activity(&k->state, now);
        }
        break;
    case SDL_MOUSEBUTTONUP:
        if (ev->button.button == SDL_BUTTON_LEFT) {
            k->redraw |= ui_scene_pointer_up(&k->scene, ev->button.x, ev->button.y, now);
            ks_app_activity(&k->state, now);
        }
        break;
    case SDL_KEYDOWN:
        ks_app_activity(&k->state, now);
        if (kapp_write_key(k, ev->key.keysym.sym))
            break;
        if (ev->key.keysym.sym == SDLK_ESCAPE || ev->key.keysym.sym == SDLK_AC_BACK)
            ks_app_back(&k->state);
        else if (ev->key.keysym.sym == SDLK_BACKSPACE) {
            double t = kapp_mono_ms();
            if (ui_scene_backspace(&k->scene) && k->key_t0 <= 0)
                k->key_t0 = t;
        }
        break;
    case SDL_TEXTINPUT: {
        /* To the focused field, if any (its screen turns it into an action). */
        ks_app_activity(&k->state, now);
        double t = kapp_mono_ms();
        if (kapp_write_text(k, ev->text.text)) {
            if (k->key_t0 <= 0)
                k->key_t0 = t;
        } else if (ui_scene_text_input(&k->scene, ev->text.text)) {
            k->redraw = true;
            if (k->key_t0 <= 0)
                k->key_t0 = t;
        }
        break;
    }
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_EXPOSED)
            k->redraw = true;
        break;
    default:
        break;
    }
}

static void kapp_rebuild(kapp *k)
{
    ks_screen s = ks_app_screen(&k->state);
    /* A finger already down on this screen (not dragging) when the scene is
     * rebuilt under it (a sync event, the status mark) keeps its press on
     * whatever the new scene has there, or the tap would be lost. */
    bool keep_press = k->built && s == k->built_screen && k->scene.down && !k->scene.dragging;
    int press_x = k->scene.down_x, press_y = k->scene.down_y;
    /* New search hits start at the top; elsewhere an index arriving in the
     * background must not throw a reader back to the top. */
    if (!k->built || s != k->built_screen ||
        (k->changes & (KS_CHANGE_PREFS | KS_CHANGE_CATALOG)) ||
        (s == KS_SCREEN_SEARCH && (k->changes & KS_CHANGE_SEARCH)))
        k->scene.scroll_y = 0;
    /* Likewise a list still gliding after a flick glides on through a
     * rebuild that keeps its place (ui_scene_clear stops the glide). */
    double glide_v = k->scene.velocity, glide_pos = k->scene.glide_pos;
    uint64_t glide_ms = k->scene.glide_ms, glide_move_ms = k->scene.last_move_ms;
    bool keep_glide = k->built && s == k->built_screen && k->scene.gliding &&
                      !(k->changes & (KS_CHANGE_PREFS | KS_CHANGE_CATALOG));
    k->ui.scale = k->state.large_text ? KAPP_LARGE_SCALE : 1.0;
    if (s == KS_SCREEN_IDLE)
        k->ui.high_contrast = false;   /* a new session starts in the usual theme */
    k->env.now_ms = kapp_now(k);
    ui_scene_clear(&k->scene);
    k->scene.bg = 0;
    k->scene.view = (SDL_Rect){ 0, 0, 0, 0 };
    scr_get(s)->build(&k->env);
    scr_countdown_build(&k->env);
    scr_toast_build(&k->env);     /* drawn above even the dialog */
    if (keep_press)
        ui_scene_pointer_down(&k->scene, press_x, press_y, k->env.now_ms);
    if (keep_glide) {
        k->scene.gliding = true;
        k->scene.velocity = glide_v;
        k->scene.glide_pos = glide_pos;
        k->scene.glide_ms = glide_ms;
        k->scene.last_move_ms = glide_move_ms;
    }
    k->built = true;
    k->built_screen = s;
    k->changes = 0;
    k->redraw = true;
}

static void kapp_draw(kapp *k)
{
    double t = kapp_mono_ms();
    /* A partial redraw paints over the last frame: the headless surface
     * keeps it, a window keeps it through ui_frame_begin (see there). */
    if (k->win && !ui_frame_begin(&k->ui, k->w, k->h))
        ui_scene_invalidate_all(&k->scene);
    ui_scene_draw(&k->scene, &k->ui, k->w, k->h);
    if (k->win)
        ui_frame_end(&k->ui);
    SDL_RenderPresent(k->ren);
    if (k->ui.draw_log) {
        const ui_draw_stats *st = &k->scene.stats;
        uint64_t all = (uint64_t)k->w * (uint64_t)k->h;
        fprintf(stderr, "qifu-kiosk: draw %zu %s %llu px (%.2f%%)\n", k->frames,
                st->px_last == 0 ? "none" : st->px_last == all ? "full" : "partial",
                (unsigned long long)st->px_last, 100.0 * (double)st->px_last / (double)all);
    }
    if (k->frames < sizeof k->draw_ms / sizeof k->draw_ms[0])
        k->draw_ms[k->frames] = (float)(kapp_mono_ms() - t);
    k->frames++;
    k->redraw = false;
    if (k->key_t0 > 0) {
        double d = kapp_mono_ms() - k->key_t0;
        k->keys++;
        k->key_sum_ms += d;
        if (d > k->key_max_ms)
            k->key_max_ms = d;
        k->key_t0 = 0;
    }
    if (k->first_frame_ms < 0) {
        k->first_frame_ms = kapp_mono_ms() - k->opt.t0_ms;
        fprintf(stderr, "qifu-kiosk: first frame after %.1f ms\n", k->first_frame_ms);
    }
}

static void kapp_update(kapp *k)
{
    ks_app_tick(&k->state, kapp_now(k));
    kapp_ticket_request(k);
    kapp_print_update(k);
    kapp_write_update(k);
    kapp_staff_update(k);
    if (k->state.ticket.queues_wanted) {
        ks_app_ticket_queues_asked(&k->state);
        kn_sync_queues_request(k->sync);   /* NULL (no server): no counts */
    }
    k->redraw |= ui_scene_animate(&k->scene, kapp_now(k));
    /* A rebuild clears the scene's pointer state, so one that a worker
     * causes (search index, sync) while a finger is down would swallow the
     * tap or drag: it waits for the release. */
    if (!k->built || (k->changes && !k->scene.down))
        kapp_rebuild(k);
    if (k->redraw)
        kapp_draw(k);
}

void kapp_pump(kapp *k)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev))
        kapp_handle_event(k, &ev);
    kapp_update(k);
}

void kapp_advance(kapp *k, uint32_t ms)
{
    while (ms > 0) {
        uint32_t step = ks_app_next_deadline_ms(&k->state, k->clock_ms);
        if (k->scene.gliding && step > UI_FRAME_MS)
            step = UI_FRAME_MS;
        if (step > ms)
            step = ms;
        if (step == 0)
            step = 1;
        k->clock_ms += step;
        ms -= step;
        if (k->search_busy || k->ime_thread || kapp_print_busy(k)) {
            /* The index worker (and the pinyin loader, and a slip on its
             * way to the printer) run in real time: while one is busy the
             * script clock moves no faster than real time, so a bounded
             * wait-text can see its result (and a print deadline means
             * real seconds). */
            SDL_Event ev;
            if (SDL_WaitEventTimeout(&ev, (int)step))
                kapp_handle_event(k, &ev);
        }
        kapp_pump(k);
    }
}

/* How long the loop may sleep: the next session timer, or the next minute
 * for the idle screen's clock. */
static int kapp_wait_ms(const kapp *k)
{
    uint32_t t = ks_app_next_deadline_ms(&k->state, kapp_now(k));
    if (k->scene.gliding)
        return UI_FRAME_MS;
    if (ks_app_screen(&k->state) == KS_SCREEN_IDLE) {
        /* Wake just after the minute turns (to the ms, plus a little so the
         * clock reads the new minute), not up to a second late. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint32_t in_minute = (uint32_t)(ts.tv_sec % 60) * 1000u + (uint32_t)(ts.tv_nsec / 1000000);
        uint32_t to_minute = 60000u - in_minute + 5u;
        if (to_minute < t)
            t = to_minute;
    }
    return t > 60000u ? 60000 : (int)t;
}

/* Events that take the kept frame's pixels away: the next draw repaints all. */
static void kapp_check_lost_frame(kapp *k, const SDL_Event *ev)
{
    if (ev->type == SDL_RENDER_TARGETS_RESET || ev->type == SDL_RENDER_DEVICE_RESET ||
        (ev->type == SDL_WINDOWEVENT && ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)) {
        ui_scene_invalidate_all(&k->scene);
        k->redraw = true;
    }
}

/* SDL_WaitEventTimeout sleeps until an event only on video drivers that
 * can block (x11, wayland, windows, cocoa); on the others (kmsdrm, dummy)
 * it polls every 1 ms, 1000 wake-ups a second on an idle kiosk. There the
 * loop polls every KAPP_POLL_MS instead (a touch waits at most that long to
 * be seen; on the idle screen, where a touch only starts a session,
 * KAPP_POLL_IDLE_MS), except while a finger is down or a list glides, when
 * frames follow the finger. Worker events (SDL_PushEvent) are polled alike. */
#define KAPP_POLL_MS 10
#define KAPP_POLL_IDLE_MS 40

static bool kapp_wait_event(kapp *k, SDL_Event *ev, int timeout_ms, bool driver_blocks)
{
    if (driver_blocks || k->scene.down || k->scene.gliding)
        return SDL_WaitEventTimeout(ev, timeout_ms) == 1;
    Uint32 end = SDL_GetTicks() + (Uint32)timeout_ms;
    Uint32 step = ks_app_screen(&k->state) == KS_SCREEN_IDLE ? KAPP_POLL_IDLE_MS : KAPP_POLL_MS;
    for (;;) {
        if (SDL_PollEvent(ev))
            return true;
        Sint32 left = (Sint32)(end - SDL_GetTicks());
        if (left <= 0)
            return false;
        SDL_Delay((Uint32)left < step ? (Uint32)left : step);
    }
}

int kapp_run(kapp *k)
{
    SDL_Event ev;
    const char *driver = SDL_GetCurrentVideoDriver();
    bool blocks = driver && (strcmp(driver, "x11") == 0 || strcmp(driver, "wayland") == 0 ||
                             strcmp(driver, "windows") == 0 || strcmp(driver, "cocoa") == 0);
    while (!k->quit) {
        kapp_update(k);
        bool idle_clock = ks_app_screen(&k->state) == KS_SCREEN_IDLE;
        if (kapp_wait_event(k, &ev, kapp_wait_ms(k), blocks)) {
            kapp_check_lost_frame(k, &ev);
            kapp_handle_event(k, &ev);
            while (SDL_PollEvent(&ev)) {
                kapp_check_lost_frame(k, &ev);
                kapp_handle_event(k, &ev);
            }
        } else if (idle_clock) {
            k->changes |= KS_CHANGE_SCREEN;   /* the idle clock moved on */
        }
    }
    const ui_draw_stats *st = &k->scene.stats;
    fprintf(stderr,
            "qifu-kiosk: %zu frames (%llu full, %llu partial, %llu unchanged), %llu px drawn\n",
            k->frames, (unsigned long long)st->full_frames, (unsigned long long)st->partial_frames,
            (unsigned long long)st->skipped_frames, (unsigned long long)st->px_total);
    return 0;
}

static int kapp_cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

void kapp_frame_stats(const kapp *k, double *p50, double *p99)
{
    static float sorted[sizeof k->draw_ms / sizeof k->draw_ms[0]];
    size_t n = k->frames < sizeof sorted / sizeof sorted[0] ? k->frames
                                                              : sizeof sorted / sizeof sorted[0];
    *p50 = *p99 = 0;
    if (n == 0)
        return;
    memcpy(sorted, k->draw_ms, n * sizeof sorted[0]);
    qsort(sorted, n, sizeof sorted[0], kapp_cmp_float);
    *p50 = sorted[n / 2];
    *p99 = sorted[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

const ui_widget *kapp_find_text(const kapp *k, const char *needle)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < k->scene.count; i++) {
            const ui_widget *w = &k->scene.w[i];
            if ((pass == 0) != w->in_dialog)
                continue;
            if (w->text && strstr(w->text, needle) && ui_widget_visible(&k->scene, w, k->w, k->h))
                return w;
        }
    return NULL;
}

qf_err kapp_dump(const kapp *k, const char *path, char *err, size_t errlen)
{
    json_t *root = json_object();
    json_t *arr = json_array();
    if (!root || !arr) {
        json_decref(root);
        json_decref(arr);
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "dump");
    }
    json_object_set_new(root, "screen", json_string(kapp_screen_name(k)));
    for (size_t i = 0; i < k->scene.count; i++) {
        const ui_widget *w = &k->scene.w[i];
        if (!ui_widget_visible(&k->scene, w, k->w, k->h) || !w->text || !*w->text)
            continue;
        SDL_Rect r = ui_widget_screen_rect(&k->scene, w);
        json_t *o = json_pack("{s:s, s:s, s:[i,i,i,i]}", "role", ui_class_get(w->role)->name,
                              "text", w->text, "rect", r.x, r.y, r.w, r.h);
        if (o)
            json_array_append_new(arr, o);
    }
    json_object_set_new(root, "widgets", arr);
    json_object_set_new(root, "large_text", json_boolean(k->state.large_text));
    json_object_set_new(root, "scroll", json_integer(k->scene.scroll_y));
    json_object_set_new(root, "high_contrast", json_boolean(k->ui.high_contrast));
    json_object_set_new(root, "size", json_pack("[i,i]", k->w, k->h));
    json_object_set_new(root, "screen_width_mm", json_integer(k->screen_width_mm));
    qf_err rc = QF_OK;
    if (json_dump_file(root, path, JSON_INDENT(1)) != 0)
        rc = qf_err_set(err, errlen, QF_ERR_IO, "cannot write %s", path);
    json_decref(root);
    return rc;
}

qf_err kapp_screenshot(kapp *k, const char *path, char *err, size_t errlen)
{
    if (k->redraw || !k->built)
        kapp_update(k);
    /* The software renderer keeps the last frame in its target. */
    return ui_png_write(k->ren, k->w, k->h, path, err, errlen);
}
