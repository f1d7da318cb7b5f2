/* test_ui_text.c — the kiosk's text through a fallback chain of faces
 * (src/kiosk/ui/ui_text.c): every character the shipped catalog
 * (every JSON file of assets/catalog) and the screens' UI strings
 * (string literals of src/kiosk/screens) use has a face in the shipped chain
 * (Noto Sans CJK SC, then DejaVu Sans); symbols the CJK face lacks come
 * from the fallback; a line mixing faces measures as wide as it draws; the
 * [kiosk] font_fallback list parses and rejects bad entries.
 *
 * The ui toolkit is compiled into the qifu-kiosk program only (no library),
 * so this test compiles its text source in directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>

#include "ui.h"

#define FONT_DIR QIFU_SOURCE_DIR "/fonts/"
#define MAX_CPS 8192

typedef struct fixture {
    SDL_Surface *surf;
    SDL_Renderer *ren;
    ui_ctx ctx;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || TTF_Init() != 0)
        return -1;
    f->surf = SDL_CreateRGBSurfaceWithFormat(0, 640, 200, 32, SDL_PIXELFORMAT_XRGB8888);
    f->ren = f->surf ? SDL_CreateSoftwareRenderer(f->surf) : NULL;
    if (!f->ren)
        return -1;
    char err[256];
    if (ui_ctx_init(&f->ctx, f->ren, FONT_DIR "NotoSansCJK-Regular.ttc", 2, 1080, 1920, err,
                    sizeof err) != QF_OK ||
        ui_ctx_add_fallbacks(&f->ctx, NULL, "DejaVuSans.ttf", err, sizeof err) != QF_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ui_ctx_cleanup(&f->ctx);
    SDL_DestroyRenderer(f->ren);
    SDL_FreeSurface(f->surf);
    free(f);
    TTF_Quit();
    return 0;
}

/* ---- collecting the characters -------------------------------------------- */

typedef struct cpset {
    uint32_t cp[MAX_CPS];
    size_t n;
    char where[MAX_CPS][64];   /* the first file each came from */
} cpset;

static void cpset_add_text(cpset *set, const char *s, size_t len, const char *where)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        i += qf_utf8_decode(s + i, len - i, &cp);
        if (cp < 0x20 || cp == 0x7F)
            continue;                  /* controls (\n) are not drawn */
        bool seen = false;
        for (size_t j = 0; j < set->n && !seen; j++)
            seen = set->cp[j] == cp;
        if (seen)
            continue;
        assert_true(set->n < MAX_CPS);
        snprintf(set->where[set->n], sizeof set->where[0], "%s", where);
        set->cp[set->n++] = cp;
    }
}

static void cpset_add_json(cpset *set, json_t *v, const char *where)
{
    const char *key;
    json_t *item;
    size_t i;
    if (json_is_string(v)) {
        cpset_add_text(set, json_string_value(v), json_string_length(v), where);
    } else if (json_is_object(v)) {
        json_object_foreach(v, key, item) {
            cpset_add_text(set, key, strlen(key), where);
            cpset_add_json(set, item, where);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
            cpset_add_json(set, item, where);
    }
}

/* The string literals of a C file (comments skipped; escapes kept as their
 * ASCII spelling, which the primary face has anyway). */
static void cpset_add_c_literals(cpset *set, const char *src, const char *where)
{
    const char *p = src;
    while (*p) {
        if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else if (p[0] == '/' && p[1] == '/') {
            p += strcspn(p, "\n");
        } else if (*p == '\'') {
            p++;
            while (*p && *p != '\'')
                p += (*p == '\\' && p[1]) ? 2 : 1;
            if (*p)
                p++;
        } else if (*p == '"') {
            const char *start = ++p;
            while (*p && *p != '"' && *p != '\n')
                p += (*p == '\\' && p[1]) ? 2 : 1;
            cpset_add_text(set, start, (size_t)(p - start), where);
            if (*p)
                p++;
        } else {
            p++;
        }
    }
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* Every file of dir ending in ext, through add. Returns how many. */
static size_t cpset_add_dir(cpset *set, const char *dir, const char *ext, bool json)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t files = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name), el = strlen(ext);
        if (de->d_name[0] == '.' || len <= el || strcmp(de->d_name + len - el, ext) != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (json) {
            json_error_t jerr;
            json_t *root = json_load_file(path, 0, &jerr);
            if (!root)
                fail_msg("%s: %s", path, jerr.text);
            cpset_add_json(set, root, de->d_name);
            json_decref(root);
        } else {
            char *src = slurp(path);
            cpset_add_c_literals(set, src, de->d_name);
            free(src);
        }
        files++;
    }
    closedir(d);
    return files;
}

/* ---- tests ------------------------------------------------------------ */

static void test_every_catalog_and_ui_character_has_a_face(void **state)
{
    fixture *f = *state;
    cpset *set = calloc(1, sizeof *set);
    assert_non_null(set);
    assert_true(cpset_add_dir(set, QIFU_SOURCE_DIR "/assets/catalog", ".json", true) > 0);
    assert_true(cpset_add_dir(set, QIFU_SOURCE_DIR "/src/kiosk/screens", ".c", false) > 0);
    assert_true(set->n > 500);         /* the catalog really was read */
    size_t missing = 0, from_fallback = 0;
    for (size_t i = 0; i < set->n; i++) {
        size_t face = 99;
        if (!ui_glyph_face(&f->ctx, set->cp[i], &face)) {
            char utf8[8] = "";
            uint32_t c = set->cp[i];
            if (c < 0x10000)
                snprintf(utf8, sizeof utf8, "%c%c%c", 0xE0 | (c >> 12), 0x80 | ((c >> 6) & 63),
                         0x80 | (c & 63));
            fprintf(stderr, "no face has U+%04X %s (first in %s)\n", (unsigned)c, utf8,
                    set->where[i]);
            missing++;
        } else if (face > 0) {
            fprintf(stderr, "U+%04X (first in %s) comes from face %zu\n", (unsigned)set->cp[i],
                    set->where[i], face);
            from_fallback++;
        }
    }
    fprintf(stderr, "%zu characters checked, %zu from a fallback face\n", set->n, from_fallback);
    assert_int_equal(missing, 0);
    free(set);
}

/* The point of the chain: marks the CJK face lacks come from DejaVu Sans. */
static void test_symbols_missing_from_cjk_face_come_from_fallback(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->ctx.faces_count, 2);
    const uint32_t symbols[] = { 0x2714 /* ✔ */, 0x2717 /* ✗ */, 0x267F /* ♿ */,
                                 0x2611 /* ☑ */, 0x232B /* ⌫ */ };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        TTF_Font *primary = ui_font(&f->ctx, 24);
        assert_non_null(primary);
        assert_false(TTF_GlyphIsProvided32(primary, symbols[i]));
        size_t face = 99;
        assert_true(ui_glyph_face(&f->ctx, symbols[i], &face));
        assert_int_equal(face, 1);
    }
    size_t face = 99;
    assert_true(ui_glyph_face(&f->ctx, 0x529E /* 办 */, &face));
    assert_int_equal(face, 0);
    /* Nothing shipped has CJK extension B: the primary face's box shows. */
    assert_false(ui_glyph_face(&f->ctx, 0x20000, &face));
    assert_int_equal(face, 0);
}

static void test_mixed_line_splits_into_runs(void **state)
{
    fixture *f = *state;
    const char *s = "办事 ✔ OK ♿";
    ui_run runs[UI_RUNS_MAX];
    size_t n = ui_runs_split(&f->ctx, s, strlen(s), runs, UI_RUNS_MAX);
    /* 办事␠ | ✔␠ | OK␠ | ♿ : spaces stay with the run they follow. */
    assert_int_equal(n, 4);
    assert_int_equal(runs[0].face, 0);
    assert_int_equal(runs[1].face, 1);
    assert_int_equal(runs[2].face, 0);
    assert_int_equal(runs[3].face, 1);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(runs[i].start, total);
        total += runs[i].len;
    }
    assert_int_equal(total, strlen(s));
}

/* Wrapping and centring measure what is drawn: the width of a mixed line
 * equals its rendered texture's, and is not the primary-only width. */
static void test_mixed_line_measures_as_drawn(void **state)
{
    fixture *f = *state;
    const char *s = "已提交 ✔ 无障碍 ♿ ☑";
    int w = ui_text_width(&f->ctx, s, strlen(s), 30);
    int drawn = ui_text_draw(&f->ctx, s, strlen(s), 30, 0x000000, 0, 0);
    assert_true(w > 0);
    assert_int_equal(w, drawn);
    size_t misses = f->ctx.cache_misses;
    assert_int_equal(ui_text_draw(&f->ctx, s, strlen(s), 30, 0x000000, 0, 0), drawn);
    assert_int_equal(f->ctx.cache_misses, misses);     /* the cache keeps the line */
    int h = 0, primary_w = 0;
    assert_int_equal(TTF_SizeUTF8(ui_font(&f->ctx, 30), s, &primary_w, &h), 0);
    assert_int_not_equal(w, primary_w);   /* the symbols were measured in DejaVu */
}

/* The symbol draws ink from the fallback, not the primary face's box. */
static void test_fallback_glyph_differs_from_missing_box(void **state)
{
    fixture *f = *state;
    char err[256];
    ui_ctx solo;
    assert_int_equal(ui_ctx_init(&solo, f->ren, FONT_DIR "NotoSansCJK-Regular.ttc", 2, 1080, 1920,
                                 err, sizeof err),
                     QF_OK);
    assert_int_equal(ui_ctx_add_fallbacks(&solo, "", "DejaVuSans.ttf", err, sizeof err), QF_OK);
    assert_int_equal(solo.faces_count, 1);   /* "" configures none */
    uint32_t cp = 0x2714;
    bool a = ui_glyph_face(&solo, cp, NULL), b = ui_glyph_face(&f->ctx, cp, NULL);
    assert_false(a);
    assert_true(b);
    int wa = ui_text_width(&solo, "✔", 3, 40), wb = ui_text_width(&f->ctx, "✔", 3, 40);
    assert_true(wa > 0 && wb > 0);
    assert_int_not_equal(wa, wb);
    ui_ctx_cleanup(&solo);
}

static void test_fallback_list_parsing(void **state)
{
    fixture *f = *state;
    char err[256] = "";
    ui_ctx c;
    assert_int_equal(ui_ctx_init(&c, f->ren, FONT_DIR "NotoSansCJK-Regular.ttc", 2, 1080, 1920,
                                 err, sizeof err),
                     QF_OK);
    assert_int_equal(ui_ctx_add_fallbacks(&c, " " FONT_DIR "DejaVuSans.ttf#0 ; ", NULL, err,
                                          sizeof err),
                     QF_OK);
    assert_int_equal(c.faces_count, 2);
    assert_int_equal(ui_ctx_add_fallbacks(&c, FONT_DIR "DejaVuSans.ttf#x", NULL, err, sizeof err),
                     QF_ERR_INVALID);
    assert_int_equal(ui_ctx_add_fallbacks(&c, FONT_DIR "no-such-font.ttf", NULL, err, sizeof err),
                     QF_ERR_IO);
    assert_non_null(strstr(err, "no-such-font.ttf"));
    assert_int_equal(c.faces_count, 2);     /* a failed face is not kept */
    ui_ctx_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_catalog_and_ui_character_has_a_face),
        cmocka_unit_test(test_symbols_missing_from_cjk_face_come_from_fallback),
        cmocka_unit_test(test_mixed_line_splits_into_runs),
        cmocka_unit_test(test_mixed_line_measures_as_drawn),
        cmocka_unit_test(test_fallback_glyph_differs_from_missing_box),
        cmocka_unit_test(test_fallback_list_parsing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
