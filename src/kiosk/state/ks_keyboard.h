/* ks_keyboard.h — the on-screen keyboard's state: which layer is up
 * (拼音, English letters, numbers, symbols), shift, the pinyin being
 * composed with its candidate bar and paging. Plain data changed by the
 * actions below; each key press says what the focused field should do
 * (ks_kb_out): the keyboard never holds the field's text, so a field keeps
 * its content when the keyboard opens and closes.
 *
 * Key names (what a key widget passes to ks_keyboard_press):
 *   "a" … "z", "0" … "9", any one printable character ("@", "-", "，" …)
 *   "space", "backspace", "enter", "shift",
 *   "layer:pinyin", "layer:latin", "layer:number", "layer:symbol",
 *   "lang" (中/英: pinyin <-> latin), "close".
 * In the pinyin layer letters compose; space picks the first candidate;
 * enter commits the letters as typed; backspace edits the pinyin first and
 * only reaches the field when nothing is composing; ASCII punctuation comes
 * out full-width (, → ，  . → 。  ? → ？ …) and first commits the best
 * candidate. Digits 1–9 typed on a physical keyboard while composing pick
 * that candidate on the current page.
 *
 * No SDL, no drawing (screens/scr_keyboard.c draws it from this state). */
#ifndef KS_KEYBOARD_H
#define KS_KEYBOARD_H

#include <stdbool.h>
#include <stddef.h>

#include "ks_ime.h"

typedef enum ks_kb_layer {
    KS_KB_PINYIN = 0,          /* letters compose Chinese */
    KS_KB_LATIN,               /* letters as typed (shift: capitals) */
    KS_KB_NUMBER,              /* digits and + - ( ) space */
    KS_KB_SYMBOL,              /* punctuation; full-width while Chinese */
} ks_kb_layer;

#define KS_KB_PAGE 6           /* candidates per page of the bar */
#define KS_KB_OUT_MAX 160      /* bytes a press may commit */

/* What the focused field should do after a press. */
typedef struct ks_kb_out {
    char commit[KS_KB_OUT_MAX];   /* UTF-8 to append ("" none) */
    bool backspace;               /* drop the field's last character */
    bool enter;                   /* the field's Return (next field, or done) */
    bool close;                   /* hide the keyboard */
} ks_kb_out;

typedef struct ks_keyboard {
    bool open;
    ks_kb_layer layer;
    bool chinese;              /* the 中/英 switch: pinyin vs latin letters */
    bool shift;
    char pinyin[KS_IME_PINYIN_MAX + 1];   /* composing; "" none */
    size_t page;               /* candidate page shown */
    ks_ime *ime;               /* borrowed; NULL: no pinyin (latin only) */
} ks_keyboard;

void ks_keyboard_init(ks_keyboard *kb);
/* The engine arrives when it has loaded (borrowed; NULL takes it away). */
void ks_keyboard_set_ime(ks_keyboard *kb, ks_ime *ime);
/* Opens for a field that prefers layer (a credit code: latin with shift;
 * a mobile: number; free text: pinyin when chinese). Clears any
 * composition. */
void ks_keyboard_open(ks_keyboard *kb, ks_kb_layer layer);
void ks_keyboard_close(ks_keyboard *kb);   /* drops the composition */
/* Wipes everything (session end). */
void ks_keyboard_reset(ks_keyboard *kb);

/* A key of the on-screen keyboard (names above). *out is always written. */
void ks_keyboard_press(ks_keyboard *kb, const char *key, ks_kb_out *out);
/* Text from a physical keyboard (one SDL_TEXTINPUT). One a–z letter in
 * the pinyin layer composes; anything longer (a paste, a scanner burst)
 * or any other character goes to the field as it is, after committing the
 * letters composed so far. */
void ks_keyboard_text(ks_keyboard *kb, const char *text, ks_kb_out *out);

/* The candidate bar: how many candidates in all, candidate i, picking one
 * (commits it; what it did not cover stays composing), paging. */
size_t ks_keyboard_candidates(const ks_keyboard *kb);
const char *ks_keyboard_candidate(const ks_keyboard *kb, size_t i);
void ks_keyboard_pick(ks_keyboard *kb, size_t i, ks_kb_out *out);
bool ks_keyboard_page_next(ks_keyboard *kb);   /* false: no further page */
bool ks_keyboard_page_prev(ks_keyboard *kb);
bool ks_keyboard_composing(const ks_keyboard *kb);

#endif
