/* test_ui_toast.c — the UI_TOAST role (src/kiosk/ui/ui_widget.c): a toast
 * over a button lets the tap through to the button; it is dumped as
 * "toast"; with the modal dialog up it stays visible and is painted above
 * the dialog's dimming (its own colour on screen, not darkened); when it
 * goes, a partial redraw repaints its place and the target equals a full
 * redraw of the scene without it. Software renderer into a surface at the
 * portrait 1080x1920, as in headless mode. */
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
#define TOAST_BG 0x2B2F36

typedef struct fixture {
    SDL_Surface *surf;
    SDL_Renderer *ren;
    ui_ctx ctx;
    ui_scene sc;
    int taps;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || TTF_Init() != 0)
        return -1;
    f->surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_XRGB8888);
    f->ren = f->surf ? SDL_CreateSoftwareRenderer(f->surf) : NULL;
    char err[256];
    if (!f->ren || ui_ctx_init(&f->ctx, f->ren, FONT, 2, W, H, err, sizeof err) != QF_OK)
        return -1;
    ui_scene_init(&f->sc);
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
    free(f);
    TTF_Quit();
    return 0;
}

static void on_tap(void *ud, int tag)
{
    (void)tag;
    ((fixture *)ud)->taps++;
}

static uint32_t pixel(const fixture *f, int x, int y)
{
    const uint8_t *row = (const uint8_t *)f->surf->pixels + (size_t)y * (size_t)f->surf->pitch;
    return ((const uint32_t *)row)[x] & 0xFFFFFF;
}

/* A button at the bottom and a toast over part of it (as scr_common.c
 * adds it: last, no on_tap). */
static ui_widget *build(fixture *f, bool dialog)
{
    ui_scene_clear(&f->sc);
    ui_widget *b = ui_scene_add(&f->sc, &f->ctx, UI_BUTTON, (SDL_Rect){ 36, 1700, 1008, 150 },
                                "评价这项服务", 40);
    assert_non_null(b);
    b->on_tap = on_tap;
    b->ud = f;
    if (dialog) {
        ui_widget *d = ui_scene_add(&f->sc, &f->ctx, UI_DIALOG, (SDL_Rect){ 72, 800, 936, 300 },
                                    "长时间无操作", 40);
        assert_non_null(d);
        d->in_dialog = true;
        f->sc.dialog = true;
    }
    ui_widget *t = ui_scene_add(&f->sc, &f->ctx, UI_TOAST, (SDL_Rect){ 340, 1650, 400, 100 },
                                "网络已恢复\nBack online", 22);
    assert_non_null(t);
    t->fg = 0xFFFFFF;
    t->bg = TOAST_BG;
    t->align = UI_ALIGN_CENTER;
    return t;
}

static void test_a_tap_on_a_toast_reaches_the_button_under_it(void **state)
{
    fixture *f = *state;
    build(f, false);
    assert_string_equal(ui_class_get(UI_TOAST)->name, "toast");
    ui_scene_pointer_down(&f->sc, 540, 1720, 0);    /* inside both */
    ui_scene_pointer_up(&f->sc, 540, 1720, 50);
    assert_int_equal(f->taps, 1);
}

static void test_a_toast_is_painted_above_the_dialog_and_its_dimming(void **state)
{
    fixture *f = *state;
    ui_widget *t = build(f, true);
    assert_true(ui_widget_visible(&f->sc, t, W, H));
    assert_false(ui_widget_visible(&f->sc, &f->sc.w[0], W, H));   /* the button is under it */
    ui_scene_invalidate_all(&f->sc);
    ui_scene_draw(&f->sc, &f->ctx, W, H);
    assert_int_equal(pixel(f, 345, 1655), TOAST_BG);               /* inside its edge, no text */
    /* The button's visible part is dimmed: darker than its white. */
    assert_true((pixel(f, 60, 1840) & 0xFF) < 0xC0);
}

static void test_a_toast_gone_is_repainted_as_a_full_redraw_would(void **state)
{
    fixture *f = *state;
    build(f, false);
    ui_scene_invalidate_all(&f->sc);
    ui_scene_draw(&f->sc, &f->ctx, W, H);
    assert_int_equal(pixel(f, 345, 1655), TOAST_BG);
    /* The rebuild without it: a partial repaint. */
    ui_scene_clear(&f->sc);
    ui_widget *b = ui_scene_add(&f->sc, &f->ctx, UI_BUTTON, (SDL_Rect){ 36, 1700, 1008, 150 },
                                "评价这项服务", 40);
    assert_non_null(b);
    b->on_tap = on_tap;
    uint64_t partial = f->sc.stats.partial_frames;
    ui_scene_draw(&f->sc, &f->ctx, W, H);
    assert_int_equal(f->sc.stats.partial_frames, partial + 1);
    size_t n = (size_t)W * H;
    uint32_t *after = malloc(n * 4);
    assert_non_null(after);
    for (int y = 0; y < H; y++)
        memcpy(after + (size_t)y * W, (uint8_t *)f->surf->pixels + (size_t)y * f->surf->pitch,
               (size_t)W * 4);
    ui_scene_invalidate_all(&f->sc);
    ui_scene_draw(&f->sc, &f->ctx, W, H);
    size_t diff = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            diff += (after[(size_t)y * W + x] & 0xFFFFFF) != pixel(f, x, y);
    free(after);
    assert_int_equal(diff, 0);
    assert_true(pixel(f, 345, 1655) != TOAST_BG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_tap_on_a_toast_reaches_the_button_under_it),
        cmocka_unit_test(test_a_toast_is_painted_above_the_dialog_and_its_dimming),
        cmocka_unit_test(test_a_toast_gone_is_repainted_as_a_full_redraw_would),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
