/* ks_ime.h — the pinyin input method engine on libpinyin: given the pinyin
 * being composed ("qiyekaiban", "qykb", "qi'ye"), the Simplified Chinese
 * candidates, best first: whole-sentence and phrase candidates, then the
 * single characters of the first syllable. No SDL, no drawing: the
 * on-screen keyboard (ks_keyboard) and the physical keyboard feed it.
 *
 * libpinyin notes (see ks_ime.c): pinyin.h needs <stdbool.h> before it;
 * initials need PINYIN_INCOMPLETE; candidates whose characters are
 * traditional forms are filtered out in Simplified mode.
 *
 * One ks_ime belongs to one thread. Opening loads libpinyin's tables (tens
 * of ms): the kiosk opens it once, off the UI thread, and keeps it. */
#ifndef KS_IME_H
#define KS_IME_H

#include <stdbool.h>
#include <stddef.h>

#include "qf_error.h"

#define KS_IME_PINYIN_MAX 63         /* bytes of pinyin a composition may hold */
#define KS_IME_CANDIDATES_MAX 64     /* candidates kept per composition */
#define KS_IME_CANDIDATE_MAX 96      /* bytes of one candidate (UTF-8, NUL incl.) */

typedef struct ks_ime ks_ime;

/* Opens libpinyin with its system tables (libpinyin-data) and a private
 * user folder that is never written (no learning across citizens: what one
 * typed must not surface for the next). Ownership: ks_ime_close. */
qf_err ks_ime_open(ks_ime **out, char *err, size_t errlen);
void ks_ime_close(ks_ime *ime);          /* NULL is fine */

/* Sets the composition (ASCII a–z and ', at most KS_IME_PINYIN_MAX bytes)
 * and computes its candidates. "" clears them. QF_ERR_INVALID for other
 * characters or too long. */
qf_err ks_ime_compose(ks_ime *ime, const char *pinyin);

size_t ks_ime_count(const ks_ime *ime);
/* Candidate i (UTF-8), or NULL past the end. */
const char *ks_ime_candidate(const ks_ime *ime, size_t i);
/* How many bytes of the composition candidate i stands for: all of it for a
 * sentence, the leading syllables for a phrase or a character. Picking a
 * candidate that covers less leaves the rest composing ("qiyekaiban", pick
 * 企业 → "kaiban" remains). */
size_t ks_ime_consumed(const ks_ime *ime, size_t i);

#endif
