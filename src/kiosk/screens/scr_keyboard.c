/* scr_keyboard.c — draws the on-screen keyboard from app->kb at the bottom
 * of any screen with fields: the candidate bar (the pinyin being composed,
 * a page of candidates, ◀ ▶) over four rows of keys for the layer that is
 * up. Every key is a button whose tap is one ks_app_key action; what the
 * key does (composition, full-width punctuation, layers) is the state's
 * business (state/ks_keyboard.c). Keys are at least 2.2 units tall, which
 * keeps them over 15 mm on the hall's panels (tests/integration/
 * test_kiosk_a11y.c measures it). */
#include "scr.h"

#include <stdio.h>
#include <string.h>

typedef struct scr_key {
    const char *name;          /* what ks_keyboard_press gets */
    const char *zh, *en;       /* the label; en NULL = the same */
    int span;                  /* width in key units (1 when 0) */
} scr_key;

#define SCR_KB_ROWS 4
#define SCR_KB_COLS 10

/* Letters (pinyin and latin share them); the labels are upper case when
 * shift is on in the latin layer (scr_kb_label). */
static const scr_key scr_kb_letters[SCR_KB_ROWS - 1][SCR_KB_COLS] = {
    { { "q", "q", NULL, 1 }, { "w", "w", NULL, 1 }, { "e", "e", NULL, 1 }, { "r", "r", NULL, 1 },
      { "t", "t", NULL, 1 }, { "y", "y", NULL, 1 }, { "u", "u", NULL, 1 }, { "i", "i", NULL, 1 },
      { "o", "o", NULL, 1 }, { "p", "p", NULL, 1 } },
    { { "a", "a", NULL, 1 }, { "s", "s", NULL, 1 }, { "d", "d", NULL, 1 }, { "f", "f", NULL, 1 },
      { "g", "g", NULL, 1 }, { "h", "h", NULL, 1 }, { "j", "j", NULL, 1 }, { "k", "k", NULL, 1 },
      { "l", "l", NULL, 1 }, { "-", "-", NULL, 1 } },
    { { "shift", "⇧", NULL, 1 }, { "z", "z", NULL, 1 }, { "x", "x", NULL, 1 },
      { "c", "c", NULL, 1 }, { "v", "v", NULL, 1 }, { "b", "b", NULL, 1 }, { "n", "n", NULL, 1 },
      { "m", "m", NULL, 1 }, { "backspace", "⌫", NULL, 2 }, { NULL, NULL, NULL, 0 } },
};

static const scr_key scr_kb_numbers[SCR_KB_ROWS - 1][SCR_KB_COLS] = {
    { { "1", "1", NULL, 1 }, { "2", "2", NULL, 1 }, { "3", "3", NULL, 1 }, { "4", "4", NULL, 1 },
      { "5", "5", NULL, 1 }, { "6", "6", NULL, 1 }, { "7", "7", NULL, 1 }, { "8", "8", NULL, 1 },
      { "9", "9", NULL, 1 }, { "0", "0", NULL, 1 } },
    { { "-", "-", NULL, 1 }, { "+", "+", NULL, 1 }, { "(", "(", NULL, 1 }, { ")", ")", NULL, 1 },
      { "@", "@", NULL, 1 }, { ".", ".", NULL, 1 }, { "/", "/", NULL, 1 }, { "_", "_", NULL, 1 },
      { ":", ":", NULL, 1 }, { "#", "#", NULL, 1 } },
    { { "%", "%", NULL, 1 }, { "*", "*", NULL, 1 }, { "=", "=", NULL, 1 }, { "&", "&", NULL, 1 },
      { "'", "'", NULL, 1 }, { "\"", "\"", NULL, 1 }, { ";", ";", NULL, 1 }, { ",", ",", NULL, 1 },
      { "backspace", "⌫", NULL, 2 }, { NULL, NULL, NULL, 0 } },
};

static const scr_key scr_kb_symbols[SCR_KB_ROWS - 1][SCR_KB_COLS] = {
    { { ",", ",", NULL, 1 }, { ".", ".", NULL, 1 }, { "?", "?", NULL, 1 }, { "!", "!", NULL, 1 },
      { ":", ":", NULL, 1 }, { ";", ";", NULL, 1 }, { "\"", "\"", NULL, 1 },
      { "'", "'", NULL, 1 }, { "(", "(", NULL, 1 }, { ")", ")", NULL, 1 } },
    { { "@", "@", NULL, 1 }, { "#", "#", NULL, 1 }, { "%", "%", NULL, 1 }, { "&", "&", NULL, 1 },
      { "*", "*", NULL, 1 }, { "-", "-", NULL, 1 }, { "+", "+", NULL, 1 }, { "=", "=", NULL, 1 },
      { "/", "/", NULL, 1 }, { "_", "_", NULL, 1 } },
    { { "~", "~", NULL, 1 }, { "<", "<", NULL, 1 }, { ">", ">", NULL, 1 }, { "[", "[", NULL, 1 },
      { "]", "]", NULL, 1 }, { "、", "、", NULL, 1 }, { "…", "…", NULL, 1 }, { "·", "·", NULL, 1 },
      { "backspace", "⌫", NULL, 2 }, { NULL, NULL, NULL, 0 } },
};

/* The bottom row: layers, language, space, enter, close. */
static const scr_key scr_kb_bottom[] = {
    { "layer:number", "123", NULL, 1 },   /* becomes 拼音/ABC on the number layer */
    { "layer:symbol", "符号", "Sym", 1 },
    { "lang", "中/英", "中/EN", 2 },
    { "space", "空格", "Space", 2 },
    { "enter", "确定", "OK", 2 },
    { "close", "收起", "Hide", 2 },
};

/* Every key gets a tag: its row * 16 + column, so the tap finds it again
 * in the same tables the layer was drawn from. */
static const scr_key *scr_kb_key(const ks_keyboard *kb, int tag)
{
    int row = tag / 16, col = tag % 16;
    if (row == SCR_KB_ROWS - 1)
        return col < (int)(sizeof scr_kb_bottom / sizeof scr_kb_bottom[0]) ? &scr_kb_bottom[col]
                                                                            : NULL;
    if (row < 0 || row >= SCR_KB_ROWS - 1 || col >= SCR_KB_COLS)
        return NULL;
    const scr_key(*rows)[SCR_KB_COLS] = kb->layer == KS_KB_NUMBER   ? scr_kb_numbers
                                        : kb->layer == KS_KB_SYMBOL ? scr_kb_symbols
                                                                    : scr_kb_letters;
    return rows[row][col].name ? &rows[row][col] : NULL;
}

static void scr_kb_on_key(void *ud, int tag)
{
    scr_env *env = ud;
    const scr_key *k = scr_kb_key(&env->app->kb, tag);
    if (!k)
        return;
    /* On the number layer the first bottom key leads back to letters. */
    if (strcmp(k->name, "layer:number") == 0 && env->app->kb.layer == KS_KB_NUMBER)
        ks_app_key(env->app, env->app->kb.chinese ? "layer:pinyin" : "layer:latin");
    else
        ks_app_key(env->app, k->name);
}

static void scr_kb_on_candidate(void *ud, int tag)
{
    scr_env *env = ud;
    if (tag >= 0)
        ks_app_candidate(env->app, (size_t)tag);
}

static void scr_kb_on_page(void *ud, int tag)
{
    scr_env *env = ud;
    ks_app_candidate_page(env->app, tag > 0);
}

static const char *scr_kb_label(const scr_env *env, const scr_key *k, char *buf, size_t len)
{
    const ks_keyboard *kb = &env->app->kb;
    if (strcmp(k->name, "layer:number") == 0 && kb->layer == KS_KB_NUMBER)
        return kb->chinese ? "拼音" : "ABC";
    if (strcmp(k->name, "lang") == 0)
        return kb->chinese ? "中→英" : "英→中";
    if (k->name[1] == '\0' && k->name[0] >= 'a' && k->name[0] <= 'z' && kb->layer == KS_KB_LATIN &&
        kb->shift) {
        snprintf(buf, len, "%c", k->name[0] - 'a' + 'A');
        return buf;
    }
    if (k->en && env->app->english)
        return k->en;
    return k->zh;
}

static ui_widget *scr_kb_button(scr_env *env, SDL_Rect r, const char *text, int px)
{
    ui_widget *b = ui_scene_add(env->scene, env->ui, UI_BUTTON, r, text, px);
    if (!b)
        return NULL;
    b->rect.h = r.h;               /* keys keep the row's height whatever the text */
    b->align = UI_ALIGN_CENTER;
    b->pad = 2;
    b->ud = env;
    return b;
}

/* The candidate bar: the pinyin, one page of candidates, ◀ ▶. */
static void scr_kb_candidates(scr_env *env, int y, int h, int gap)
{
    const ks_keyboard *kb = &env->app->kb;
    int u = env->ui->unit;
    size_t n = ks_keyboard_candidates(kb);
    size_t first = kb->page * KS_KB_PAGE;
    int pw = 2 * u + u / 2;        /* the paging buttons */
    ui_widget *py = ui_scene_add(env->scene, env->ui, UI_LABEL, (SDL_Rect){ gap, y, 4 * u, h },
                                 kb->pinyin, u * 3 / 4);
    if (py) {
        py->rect.h = h;
        py->bg = 0;
        py->fg = SCR_COLOR_HEADER;
    }
    int x = gap + 4 * u + gap;
    int avail = env->w - x - 2 * (pw + gap) - gap;
    int cw = avail / KS_KB_PAGE - gap;
    for (size_t i = first; i < n && i < first + KS_KB_PAGE; i++) {
        ui_widget *c = scr_kb_button(env, (SDL_Rect){ x, y, cw, h }, ks_keyboard_candidate(kb, i),
                                     u);
        if (c) {
            c->on_tap = scr_kb_on_candidate;
            c->tag = (int)i;
            c->bg = 0xFFFFFF;
        }
        x += cw + gap;
    }
    ui_widget *prev = scr_kb_button(env, (SDL_Rect){ env->w - 2 * (pw + gap), y, pw, h }, "◀", u);
    ui_widget *next = scr_kb_button(env, (SDL_Rect){ env->w - pw - gap, y, pw, h }, "▶", u);
    if (prev && first > 0) {
        prev->on_tap = scr_kb_on_page;
        prev->tag = -1;
    } else if (prev) {
        prev->fg = 0xB0B8C4;
    }
    if (next && first + KS_KB_PAGE < n) {
        next->on_tap = scr_kb_on_page;
        next->tag = 1;
    } else if (next) {
        next->fg = 0xB0B8C4;
    }
}

int scr_keyboard_build(scr_env *env)
{
    const ks_keyboard *kb = &env->app->kb;
    if (!kb->open)
        return env->h;
    int u = env->ui->unit;
    int gap = u / 5 > 2 ? u / 5 : 2;
    int key_h = u * 11 / 5;
    int bar_h = u * 2;
    int panel_h = bar_h + SCR_KB_ROWS * (key_h + gap) + 2 * gap;
    int top = env->h - panel_h;
    char buf[32];

    ui_widget *panel = ui_scene_add(env->scene, env->ui, UI_LABEL,
                                    (SDL_Rect){ 0, top, env->w, panel_h }, "", u);
    if (panel) {
        panel->rect.h = panel_h;
        panel->bg = 0xD5DCE6;
    }
    if (ks_keyboard_composing(kb))
        scr_kb_candidates(env, top + gap, bar_h - gap, gap);

    int key_w = (env->w - (SCR_KB_COLS + 1) * gap) / SCR_KB_COLS;
    int y = top + bar_h + gap;
    for (int row = 0; row < SCR_KB_ROWS; row++) {
        int x = gap;
        int ncols = row == SCR_KB_ROWS - 1 ? (int)(sizeof scr_kb_bottom / sizeof scr_kb_bottom[0])
                                           : SCR_KB_COLS;
        for (int col = 0; col < ncols; col++) {
            const scr_key *k = scr_kb_key(kb, row * 16 + col);
            if (!k)
                continue;
            int span = k->span > 0 ? k->span : 1;
            int w = key_w * span + gap * (span - 1);
            ui_widget *b = scr_kb_button(env, (SDL_Rect){ x, y, w, key_h },
                                         scr_kb_label(env, k, buf, sizeof buf), u);
            if (b) {
                b->on_tap = scr_kb_on_key;
                b->tag = row * 16 + col;
                if (strcmp(k->name, "enter") == 0) {
                    b->bg = SCR_COLOR_PRIMARY;
                    b->fg = 0xFFFFFF;
                } else if (strcmp(k->name, "shift") == 0 && kb->shift) {
                    b->bg = SCR_COLOR_HEADER;
                    b->fg = 0xFFFFFF;
                }
            }
            x += w + gap;
        }
        y += key_h + gap;
    }
    return top;
}
