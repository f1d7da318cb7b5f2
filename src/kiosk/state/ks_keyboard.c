/* ks_keyboard.c — the on-screen keyboard's state machine (ks_keyboard.h):
 * layers, 中/英, shift, the pinyin composition and its candidate bar.
 *
 * Rules kept in one place (ks_kb_flush_best / ks_kb_flush_raw): whenever a
 * key produces something that is not part of the pinyin while letters are
 * composing, the composition is settled first — by its best candidates
 * (punctuation, digits, space, a capital) or by the letters as typed (enter,
 * switching to English letters, text from a physical keyboard). The engine
 * (ks_ime) always holds the candidates of kb->pinyin: every change to the
 * pinyin goes through ks_kb_recompose.
 *
 * Shift is a lock, not a one-shot: a credit code is 18 capitals, and a
 * citizen hunting for each key should not have to press shift 18 times.
 *
 * Not here: drawing, key layout, key repeat, the field's text. */
#include "ks_keyboard.h"

#include <stdint.h>
#include <string.h>

#include "qf_text.h"

/* --- output helpers -------------------------------------------------------- */

/* Appends s to out->commit; cuts at a character boundary when it does not
 * fit (KS_KB_OUT_MAX is far above one SDL text event, 32 bytes, plus a
 * composition). */
static void ks_kb_emit(ks_kb_out *out, const char *s)
{
    size_t have = strlen(out->commit);
    size_t room = sizeof out->commit - 1 - have;
    size_t len = strlen(s);
    if (len > room)
        len = qf_utf8_cut(s, len, room);
    memcpy(out->commit + have, s, len);
    out->commit[have + len] = '\0';
}

static bool ks_kb_pinyin_active(const ks_keyboard *kb)
{
    return kb->layer == KS_KB_PINYIN && kb->chinese && kb->ime;
}

static void ks_kb_recompose(ks_keyboard *kb)
{
    kb->page = 0;
    if (kb->ime)
        (void)ks_ime_compose(kb->ime, kb->pinyin); /* kb->pinyin is always valid */
}

static void ks_kb_clear(ks_keyboard *kb)
{
    memset(kb->pinyin, 0, sizeof kb->pinyin);
    ks_kb_recompose(kb);
}

/* Commits candidate i and keeps composing what it did not cover. */
static void ks_kb_pick(ks_keyboard *kb, size_t i, ks_kb_out *out)
{
    const char *c = ks_keyboard_candidate(kb, i);
    if (!c)
        return;
    size_t used = ks_ime_consumed(kb->ime, i);
    size_t len = strlen(kb->pinyin);
    if (used == 0 || used > len)
        used = len; /* defensive: a candidate always covers something */
    ks_kb_emit(out, c);
    memmove(kb->pinyin, kb->pinyin + used, len - used + 1);
    ks_kb_recompose(kb);
}

/* Commits the letters as typed. */
static void ks_kb_flush_raw(ks_keyboard *kb, ks_kb_out *out)
{
    if (!kb->pinyin[0])
        return;
    ks_kb_emit(out, kb->pinyin);
    ks_kb_clear(kb);
}

/* Commits the best candidate, then the best of what remains, until nothing
 * composes; letters no candidate covers go as typed. Each pick consumes at
 * least one byte, so this ends within KS_IME_PINYIN_MAX rounds. */
static void ks_kb_flush_best(ks_keyboard *kb, ks_kb_out *out)
{
    for (size_t round = 0; kb->pinyin[0] && round <= KS_IME_PINYIN_MAX; round++) {
        if (ks_keyboard_candidates(kb) == 0)
            break;
        ks_kb_pick(kb, 0, out);
    }
    ks_kb_flush_raw(kb, out);
}

/* Full-width forms of ASCII punctuation in Chinese mode (what the common
 * Chinese IMEs give). Quotes are left alone: their full-width forms open
 * and close, which one key cannot know. */
static const char *ks_kb_fullwidth(char c)
{
    switch (c) {
    case ',': return "，";
    case '.': return "。";
    case '?': return "？";
    case '!': return "！";
    case ':': return "：";
    case ';': return "；";
    case '(': return "（";
    case ')': return "）";
    case '[': return "【";
    case ']': return "】";
    case '<': return "《";
    case '>': return "》";
    case '\\': return "、";
    case '^': return "……";
    case '_': return "——";
    case '$': return "￥";
    case '~': return "～";
    default: return NULL;
    }
}

/* One printable code point: the length of key in bytes, else 0. */
static size_t ks_kb_one_char(const char *key)
{
    size_t len = strlen(key);
    if (len == 0 || len > 4)
        return 0;
    uint32_t cp;
    size_t n = qf_utf8_decode(key, len, &cp);
    if (n != len || cp == QF_UTF8_REPLACEMENT || cp < 0x20 || cp == 0x7F ||
        (cp >= 0x80 && cp < 0xA0))
        return 0;
    return n;
}

/* Appends one letter to the composition (ignored when full). */
static void ks_kb_compose_letter(ks_keyboard *kb, char c)
{
    size_t len = strlen(kb->pinyin);
    if (len >= KS_IME_PINYIN_MAX)
        return;
    kb->pinyin[len] = c;
    kb->pinyin[len + 1] = '\0';
    ks_kb_recompose(kb);
}

/* --- lifecycle ------------------------------------------------------------- */

void ks_keyboard_init(ks_keyboard *kb)
{
    memset(kb, 0, sizeof *kb);
    kb->layer = KS_KB_PINYIN;
    kb->chinese = true;
}

void ks_keyboard_set_ime(ks_keyboard *kb, ks_ime *ime)
{
    kb->ime = ime;
    if (!ime)
        memset(kb->pinyin, 0, sizeof kb->pinyin); /* no engine, no candidates */
    ks_kb_recompose(kb);
}

void ks_keyboard_open(ks_keyboard *kb, ks_kb_layer layer)
{
    ks_kb_clear(kb);
    kb->open = true;
    kb->shift = false;
    switch (layer) {
    case KS_KB_PINYIN:
        /* free text follows the citizen's 中/英 choice */
        kb->layer = kb->chinese ? KS_KB_PINYIN : KS_KB_LATIN;
        break;
    case KS_KB_LATIN:
        kb->layer = KS_KB_LATIN;
        kb->shift = true; /* the latin fields here are codes in capitals */
        break;
    case KS_KB_NUMBER:
    case KS_KB_SYMBOL:
        kb->layer = layer;
        break;
    default:
        kb->layer = KS_KB_PINYIN;
        break;
    }
}

void ks_keyboard_close(ks_keyboard *kb)
{
    ks_kb_clear(kb);
    kb->open = false;
}

void ks_keyboard_reset(ks_keyboard *kb)
{
    ks_ime *ime = kb->ime; /* the engine outlives sessions */
    ks_keyboard_init(kb);
    kb->ime = ime;
    ks_kb_recompose(kb); /* wipes the engine's candidates too */
}

/* --- keys ------------------------------------------------------------------ */

static void ks_kb_set_layer(ks_keyboard *kb, ks_kb_layer layer, ks_kb_out *out)
{
    if (layer == KS_KB_LATIN) {
        ks_kb_flush_raw(kb, out); /* English letters: the pinyin was English */
        kb->chinese = false;
    } else if (layer == KS_KB_PINYIN) {
        kb->chinese = true;
        kb->shift = false; /* a capital would settle the pinyin at once */
    }
    /* number and symbol keep the composition: their keys settle it */
    kb->layer = layer;
}

static void ks_kb_press_char(ks_keyboard *kb, const char *key, size_t n, ks_kb_out *out)
{
    char c = n == 1 ? key[0] : '\0';

    if (c >= 'a' && c <= 'z') {
        if (ks_kb_pinyin_active(kb) && !kb->shift) {
            ks_kb_compose_letter(kb, c);
            return;
        }
        ks_kb_flush_best(kb, out);
        char s[2] = {kb->shift ? (char)(c - 'a' + 'A') : c, '\0'};
        ks_kb_emit(out, s);
        return;
    }
    if (c == '\'' && ks_keyboard_composing(kb)) {
        ks_kb_compose_letter(kb, c); /* the syllable separator: qi'an */
        return;
    }
    ks_kb_flush_best(kb, out);
    const char *full = NULL;
    if (kb->chinese && (kb->layer == KS_KB_PINYIN || kb->layer == KS_KB_SYMBOL))
        full = ks_kb_fullwidth(c);
    ks_kb_emit(out, full ? full : key);
}

void ks_keyboard_press(ks_keyboard *kb, const char *key, ks_kb_out *out)
{
    memset(out, 0, sizeof *out);
    if (!kb || !key)
        return;

    if (strcmp(key, "space") == 0) {
        if (ks_keyboard_composing(kb)) {
            if (ks_keyboard_candidates(kb) > 0)
                ks_kb_pick(kb, 0, out);
            else
                ks_kb_flush_raw(kb, out);
        } else {
            ks_kb_emit(out, " ");
        }
    } else if (strcmp(key, "backspace") == 0) {
        size_t len = strlen(kb->pinyin);
        if (len > 0) {
            kb->pinyin[len - 1] = '\0';
            ks_kb_recompose(kb);
        } else {
            out->backspace = true;
        }
    } else if (strcmp(key, "enter") == 0) {
        if (ks_keyboard_composing(kb))
            ks_kb_flush_raw(kb, out); /* the Return is spent on the letters */
        else
            out->enter = true;
    } else if (strcmp(key, "shift") == 0) {
        kb->shift = !kb->shift;
    } else if (strcmp(key, "lang") == 0) {
        if (kb->layer == KS_KB_PINYIN || kb->layer == KS_KB_LATIN) {
            ks_kb_set_layer(kb, kb->chinese ? KS_KB_LATIN : KS_KB_PINYIN, out);
        } else {
            /* numbers and symbols stay up; only the mode flips */
            if (kb->chinese)
                ks_kb_flush_raw(kb, out);
            kb->chinese = !kb->chinese;
        }
    } else if (strcmp(key, "layer:pinyin") == 0) {
        ks_kb_set_layer(kb, KS_KB_PINYIN, out);
    } else if (strcmp(key, "layer:latin") == 0) {
        ks_kb_set_layer(kb, KS_KB_LATIN, out);
    } else if (strcmp(key, "layer:number") == 0) {
        ks_kb_set_layer(kb, KS_KB_NUMBER, out);
    } else if (strcmp(key, "layer:symbol") == 0) {
        ks_kb_set_layer(kb, KS_KB_SYMBOL, out);
    } else if (strcmp(key, "close") == 0) {
        ks_keyboard_close(kb);
        out->close = true;
    } else {
        size_t n = ks_kb_one_char(key);
        if (n > 0)
            ks_kb_press_char(kb, key, n, out);
        /* an unknown key name does nothing */
    }
}

void ks_keyboard_text(ks_keyboard *kb, const char *text, ks_kb_out *out)
{
    memset(out, 0, sizeof *out);
    if (!kb || !text || !*text)
        return;

    size_t len = strlen(text);
    if (len == 1) {
        char c = text[0];
        if (c >= 'a' && c <= 'z' && ks_kb_pinyin_active(kb)) {
            ks_kb_compose_letter(kb, c);
            return;
        }
        if (ks_keyboard_composing(kb)) {
            if (c >= '1' && c <= '9') {
                size_t i = kb->page * KS_KB_PAGE + (size_t)(c - '1');
                if (i < ks_keyboard_candidates(kb))
                    ks_kb_pick(kb, i, out);
                return; /* no such candidate: the digit is swallowed */
            }
            if (c == ' ') {
                ks_keyboard_press(kb, "space", out);
                return;
            }
            if (c == '\'') {
                ks_kb_compose_letter(kb, c);
                return;
            }
        }
    }
    /* A paste, a scanner burst, or any other character: as it is. */
    ks_kb_flush_raw(kb, out);
    ks_kb_emit(out, text);
}

/* --- candidate bar --------------------------------------------------------- */

size_t ks_keyboard_candidates(const ks_keyboard *kb)
{
    if (!kb || !kb->ime || !kb->pinyin[0])
        return 0;
    return ks_ime_count(kb->ime);
}

const char *ks_keyboard_candidate(const ks_keyboard *kb, size_t i)
{
    if (i >= ks_keyboard_candidates(kb))
        return NULL;
    return ks_ime_candidate(kb->ime, i);
}

void ks_keyboard_pick(ks_keyboard *kb, size_t i, ks_kb_out *out)
{
    memset(out, 0, sizeof *out);
    if (!kb)
        return;
    ks_kb_pick(kb, i, out);
}

bool ks_keyboard_page_next(ks_keyboard *kb)
{
    if ((kb->page + 1) * KS_KB_PAGE >= ks_keyboard_candidates(kb))
        return false;
    kb->page++;
    return true;
}

bool ks_keyboard_page_prev(ks_keyboard *kb)
{
    if (kb->page == 0)
        return false;
    kb->page--;
    return true;
}

bool ks_keyboard_composing(const ks_keyboard *kb)
{
    return kb && kb->pinyin[0] != '\0';
}
