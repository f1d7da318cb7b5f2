/* test_ui_draw.c — partial redraw in the kiosk's widget toolkit
 * (src/kiosk/ui/ui_widget.c): after the frequent small changes (the idle
 * clock's minute, a button's pressed highlight, the countdown dialog's
 * number, typing into a field, a scroll) the scene repaints only a small
 * area, counted in its stats, and the target's pixels are then identical to
 * a full redraw of the same scene. A rebuild that changes nothing repaints
 * nothing; a theme change repaints everything.
 *
 * Scenes are built here the way the screens build them (a flat widget list
 * rebuilt from scratch on every change) at the portrait 1080x1920, drawn by
 * the software renderer into a surface, as in headless mode. The ui
 * toolkit is compiled into the qifu-kiosk program only (no library), so
 * this test compiles its sources in directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui.h"

#define W 1080
#define H 1920
#define FONT QIFU_SOURCE_DIR "/fonts/NotoSansCJK-Regular.ttc"

typedef struct fixture {
    SDL_Surface *surf;
    SDL_Renderer *ren;
    ui_ctx ctx;
    ui_scene sc;
    uint32_t *before;          /* a copy of the target's pixels */
    int taps;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || TTF_Init() != 0)
        return -1;
    f->surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_XRGB8888);
    f->ren = f->surf ? SDL_CreateSoftwareRenderer(f->surf) : NULL;
    f->before = malloc((size_t)W * H * 4);
    char err[256];
    if (!f->ren || !f->before ||
        ui_ctx_init(&f->ctx, f->ren, FONT, 2, W, H, err, sizeof err) != QF_OK ||
        ui_ctx_add_fallbacks(&f->ctx, NULL, "DejaVuSans.ttf", err, sizeof err) != QF_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ui_scene_clear(&f->sc);
    ui_ctx_cleanup(&f->ctx);
    SDL_DestroyRenderer(f->ren);
    SDL_FreeSurface(f->surf);
    free(f->before);
    free(f);
    TTF_Quit();
    return 0;
}

static int reset(void **state)
{
    fixture *f = *state;
    ui_scene_clear(&f->sc);
    ui_scene_init(&f->sc);
    f->ctx.high_contrast = false;
    f->taps = 0;
    return 0;
}

static void on_tap(void *ud, int tag)
{
    (void)tag;
    ((fixture *)ud)->taps++;
}

static void on_edit(void *ud, const char *text)
{
    (void)ud;
    (void)text;
}

static void draw(fixture *f)
{
    ui_scene_draw(&f->sc, &f->ctx, W, H);
    SDL_RenderFlush(f->ren);
}

static double drawn_share(const fixture *f)
{
    return (double)f->sc.stats.px_last / ((double)W * H);
}

/* Draws the scene as it stands (partially, after earlier frames), then the
 * same scene whole, and asserts both leave the same pixels. */
static void assert_partial_equals_full(fixture *f)
{
    draw(f);
    memcpy(f->before, f->surf->pixels, (size_t)W * H * 4);
    ui_scene_invalidate_all(&f->sc);
    uint64_t full = f->sc.stats.full_frames;
    draw(f);
    assert_int_equal(f->sc.stats.full_frames, full + 1);
    size_t diff = 0;
    const uint32_t *now = f->surf->pixels;
    for (size_t i = 0; i < (size_t)W * H; i++)
        diff += (f->before[i] & 0xFFFFFF) != (now[i] & 0xFFFFFF);
    if (diff)
        fprintf(stderr, "%zu pixels differ from a full redraw\n", diff);
    assert_int_equal(diff, 0);
}

/* The idle screen as scr_idle.c builds it, with the clock showing clock. */
static void build_idle(fixture *f, const char *clock)
{
    ui_scene *sc = &f->sc;
    ui_ctx *ctx = &f->ctx;
    int u = ctx->unit, y = H / 6;
    ui_scene_clear(sc);
    sc->bg = 0x1F5FBF;
    ui_widget *w = ui_scene_add(sc, ctx, UI_LABEL, (SDL_Rect){ u, y, W - 2 * u, 0 },
                                "钱塘区企业综合服务中心", u * 3 / 2);
    assert_non_null(w);
    w->bg = 0;
    w->fg = 0xFFFFFF;
    w->align = UI_ALIGN_CENTER;
    y += w->rect.h + 2 * u;
    w = ui_scene_add(sc, ctx, UI_LABEL, (SDL_Rect){ u, y, W - 2 * u, 0 }, clock, u * 3);
    assert_non_null(w);
    w->bg = 0;
    w->fg = 0xFFFFFF;
    w->align = UI_ALIGN_CENTER;
    y += w->rect.h + 3 * u;
    w = ui_scene_add(sc, ctx, UI_BUTTON, (SDL_Rect){ 3 * u, y, W - 6 * u, 0 },
                     "点击屏幕开始办事\nTap to start", u * 3 / 2);
    assert_non_null(w);
    w->bg = 0x2D7FF9;
    w->fg = 0xFFFFFF;
    w->align = UI_ALIGN_CENTER;
    w->pad = u;
    w->rect.h += 2 * u;
    w->on_tap = on_tap;
    w->ud = f;
    w = ui_scene_add(sc, ctx, UI_LABEL, (SDL_Rect){ u, H - 4 * u, W - 2 * u, 0 },
                     "服务热线 Hotline 0571-85901890", u);
    assert_non_null(w);
    w->bg = 0;
    w->fg = 0xDDE6F5;
    w->align = UI_ALIGN_CENTER;
}

static void test_idle_clock_tick_redraws_under_a_tenth(void **state)
{
    fixture *f = *state;
    build_idle(f, "10:41");
    draw(f);
    assert_int_equal(f->sc.stats.full_frames, 1);   /* the first frame is whole */
    assert_int_equal(f->sc.stats.px_last, (uint64_t)W * H);
    build_idle(f, "10:42");                         /* the minute moved on: a rebuild */
    draw(f);
    assert_int_equal(f->sc.stats.partial_frames, 1);
    assert_true(f->sc.stats.px_last > 0);
    assert_true(drawn_share(f) < 0.10);
    fprintf(stderr, "clock tick: %.2f%% of the screen\n", 100 * drawn_share(f));
    build_idle(f, "10:43");
    assert_partial_equals_full(f);
}

static void test_identical_rebuild_redraws_nothing(void **state)
{
    fixture *f = *state;
    build_idle(f, "10:41");
    draw(f);
    build_idle(f, "10:41");
    draw(f);
    assert_int_equal(f->sc.stats.px_last, 0);
    assert_int_equal(f->sc.stats.skipped_frames, 1);
}

static void test_pressed_highlight_redraws_only_the_button(void **state)
{
    fixture *f = *state;
    build_idle(f, "10:41");
    draw(f);
    const ui_widget *b = &f->sc.w[2];
    int x = b->rect.x + b->rect.w / 2, y = b->rect.y + b->rect.h / 2;
    assert_true(ui_scene_pointer_down(&f->sc, x, y, 1000));   /* needs a frame */
    assert_true(f->sc.w[2].pressed);
    draw(f);
    assert_int_equal(f->sc.stats.partial_frames, 1);
    uint64_t button_px = (uint64_t)(b->rect.w + 2 * UI_INK_MARGIN) * (uint64_t)b->rect.h;
    assert_true(f->sc.stats.px_last <= button_px);   /* the button, nothing more */
    /* The highlight is there: the button's centre is darker than its colour. */
    uint32_t px = ((uint32_t *)f->surf->pixels)[(size_t)(b->rect.y + 3) * W + b->rect.x + 3];
    assert_int_not_equal(px & 0xFFFFFF, 0x2D7FF9);
    assert_partial_equals_full(f);
    assert_true(ui_scene_pointer_up(&f->sc, x, y, 1050));
    assert_int_equal(f->taps, 1);
    assert_false(f->sc.w[2].pressed);
    draw(f);
    assert_true(f->sc.stats.px_last <= button_px);
    px = ((uint32_t *)f->surf->pixels)[(size_t)(b->rect.y + 3) * W + b->rect.x + 3];
    assert_int_equal(px & 0xFFFFFF, 0x2D7FF9);
    assert_partial_equals_full(f);
}

/* A screen under the idle countdown dialog, as scr_countdown_build adds it. */
static void build_countdown(fixture *f, int left)
{
    ui_scene *sc = &f->sc;
    ui_ctx *ctx = &f->ctx;
    int u = ctx->unit;
    ui_scene_clear(sc);
    sc->bg = 0;
    ui_widget *w = ui_scene_add(sc, ctx, UI_LABEL, (SDL_Rect){ u, u, W - 2 * u, 0 },
                                "企业开办 ✔ Business start-up", u * 5 / 4);
    assert_non_null(w);
    for (int i = 0; i < 8; i++) {
        w = ui_scene_add(sc, ctx, UI_TILE,
                         (SDL_Rect){ u + (i % 2) * (W / 2), 4 * u + (i / 2) * 8 * u, W / 2 - 2 * u,
                                     7 * u },
                         "人才服务\nTalent", u);
        assert_non_null(w);
        w->bg = 0xE8F0FE;
        w->align = UI_ALIGN_CENTER;
        w->on_tap = on_tap;
        w->ud = f;
    }
    char text[200];
    snprintf(text, sizeof text,
             "长时间无操作，%d 秒后返回首页\nNo activity: returning to the start screen in %d s",
             left, left);
    int dw = W - 4 * u;
    ui_widget *panel = ui_scene_add(sc, ctx, UI_DIALOG, (SDL_Rect){ 2 * u, 0, dw, 0 }, text, u);
    assert_non_null(panel);
    panel->in_dialog = true;
    ui_widget *b = ui_scene_add(sc, ctx, UI_BUTTON, (SDL_Rect){ 2 * u + dw / 4, 0, dw / 2, 0 },
                                "继续使用\nContinue", u * 3 / 4);
    assert_non_null(b);
    int text_h = panel->rect.h;
    panel->rect.h = text_h + b->rect.h + panel->pad;
    panel->rect.y = (H - panel->rect.h) / 2;
    b->rect.y = panel->rect.y + text_h;
    b->in_dialog = true;
    b->align = UI_ALIGN_CENTER;
    b->bg = 0x2D7FF9;
    b->fg = 0xFFFFFF;
    b->on_tap = on_tap;
    b->ud = f;
    sc->dialog = true;
}

static void test_countdown_number_redraws_only_the_dialog(void **state)
{
    fixture *f = *state;
    build_countdown(f, 10);
    draw(f);
    build_countdown(f, 9);
    draw(f);
    assert_int_equal(f->sc.stats.partial_frames, 1);
    assert_true(drawn_share(f) < 0.08);     /* the two text rows, not the panel */
    fprintf(stderr, "countdown second: %.2f%% of the screen\n", 100 * drawn_share(f));
    build_countdown(f, 8);
    assert_partial_equals_full(f);   /* the dimmed layer below matches too */
}

/* A search screen: a field at the top and results in the scroll view. */
static void build_search(fixture *f, const char *query, int results)
{
    ui_scene *sc = &f->sc;
    ui_ctx *ctx = &f->ctx;
    int u = ctx->unit;
    ui_scene_clear(sc);
    sc->bg = 0;
    ui_widget *fld = ui_scene_add_field(sc, ctx, (SDL_Rect){ u, u, W - 2 * u, 3 * u }, query,
                                        "输入名称或拼音 Type a name", u, on_edit, f);
    assert_non_null(fld);
    ui_scene_focus(sc, fld);
    int y = 0;
    for (int i = 0; i < results; i++) {
        char text[64];
        snprintf(text, sizeof text, "第 %d 项服务 ★ Service %d", i + 1, i + 1);
        ui_widget *w = ui_scene_add(sc, ctx, UI_ITEM, (SDL_Rect){ 0, y, W - 2 * u, 3 * u }, text,
                                    u);
        assert_non_null(w);
        w->in_scroll = true;
        w->on_tap = on_tap;
        w->ud = f;
        y += w->rect.h;
    }
    ui_scene_set_view(sc, (SDL_Rect){ u, 5 * u, W - 2 * u, H - 6 * u }, y);
}

static void test_caret_and_typing_redraw_the_field(void **state)
{
    fixture *f = *state;
    build_search(f, "", 30);
    draw(f);
    build_search(f, "q", 30);           /* typed a letter: same results */
    draw(f);
    assert_int_equal(f->sc.stats.partial_frames, 1);
    assert_true(drawn_share(f) < 0.10);
    build_search(f, "qy", 30);
    assert_partial_equals_full(f);
    build_search(f, "qyk", 12);         /* fewer results: their old places go */
    assert_partial_equals_full(f);
    ui_scene_focus(&f->sc, NULL);       /* the caret goes */
    draw(f);
    assert_true(drawn_share(f) < 0.10);
    assert_partial_equals_full(f);
}

static void test_scroll_repaints_the_view_identically(void **state)
{
    fixture *f = *state;
    build_search(f, "rencai", 80);
    draw(f);
    f->sc.scroll_y = 137;
    assert_partial_equals_full(f);
    f->sc.scroll_y = 1200;
    assert_partial_equals_full(f);
}

static void test_theme_change_redraws_everything(void **state)
{
    fixture *f = *state;
    build_idle(f, "10:41");
    draw(f);
    f->ctx.high_contrast = true;
    draw(f);
    assert_int_equal(f->sc.stats.full_frames, 2);
    assert_int_equal(f->sc.stats.px_last, (uint64_t)W * H);
}

static void test_invalidated_rect_is_repainted(void **state)
{
    fixture *f = *state;
    build_idle(f, "10:41");
    draw(f);
    /* Scribble where nothing changed; an invalidate repairs it. */
    SDL_Rect r = { 10, 10, 50, 40 };
    SDL_FillRect(f->surf, &r, 0x00FF00);
    ui_scene_invalidate(&f->sc, r);
    draw(f);
    assert_int_equal(f->sc.stats.px_last, 50 * 40);
    assert_int_equal(((uint32_t *)f->surf->pixels)[20 * W + 20] & 0xFFFFFF, 0x1F5FBF);
}

/* The software renderer's target keeps its pixels: no frame texture. */
static void test_software_renderer_needs_no_frame_texture(void **state)
{
    fixture *f = *state;
    assert_true(ui_frame_begin(&f->ctx, W, H));
    assert_null(f->ctx.frame);
    ui_frame_end(&f->ctx);
    assert_null(SDL_GetRenderTarget(f->ren));
}

/* The accelerated renderers' path: frames kept in a target texture and
 * copied to the window. The first frame has no kept pixels; later partial
 * frames reach the window identical to a full redraw. */
static void test_kept_frame_texture_gives_identical_partial_frames(void **state)
{
    fixture *f = *state;
    f->ctx.frame_always = true;
    build_idle(f, "10:41");
    assert_false(ui_frame_begin(&f->ctx, W, H));   /* new: nothing kept yet */
    assert_non_null(f->ctx.frame);
    ui_scene_invalidate_all(&f->sc);
    draw(f);
    ui_frame_end(&f->ctx);
    assert_null(SDL_GetRenderTarget(f->ren));
    build_idle(f, "10:42");
    assert_true(ui_frame_begin(&f->ctx, W, H));    /* kept */
    assert_ptr_equal(SDL_GetRenderTarget(f->ren), f->ctx.frame);
    draw(f);
    assert_int_equal(f->sc.stats.partial_frames, 1);
    ui_frame_end(&f->ctx);
    SDL_RenderFlush(f->ren);
    memcpy(f->before, f->surf->pixels, (size_t)W * H * 4);
    /* The same scene drawn whole straight onto the surface. */
    ui_scene_invalidate_all(&f->sc);
    draw(f);
    size_t diff = 0;
    const uint32_t *now = f->surf->pixels;
    for (size_t i = 0; i < (size_t)W * H; i++)
        diff += (f->before[i] & 0xFFFFFF) != (now[i] & 0xFFFFFF);
    assert_int_equal(diff, 0);
    SDL_DestroyTexture(f->ctx.frame);
    f->ctx.frame = NULL;
    f->ctx.frame_always = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_idle_clock_tick_redraws_under_a_tenth, reset),
        cmocka_unit_test_setup(test_identical_rebuild_redraws_nothing, reset),
        cmocka_unit_test_setup(test_pressed_highlight_redraws_only_the_button, reset),
        cmocka_unit_test_setup(test_countdown_number_redraws_only_the_dialog, reset),
        cmocka_unit_test_setup(test_caret_and_typing_redraw_the_field, reset),
        cmocka_unit_test_setup(test_scroll_repaints_the_view_identically, reset),
        cmocka_unit_test_setup(test_theme_change_redraws_everything, reset),
        cmocka_unit_test_setup(test_invalidated_rect_is_repainted, reset),
        cmocka_unit_test_setup(test_software_renderer_needs_no_frame_texture, reset),
        cmocka_unit_test_setup(test_kept_frame_texture_gives_identical_partial_frames, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
