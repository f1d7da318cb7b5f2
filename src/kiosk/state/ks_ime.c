/* ks_ime.c — the pinyin input method engine: libpinyin turns the pinyin
 * being composed into Simplified Chinese candidates, best first.
 *
 * One composition is computed whole on every change (ks_ime_compose): the
 * instance is reset, the pinyin parsed (full pinyin; PINYIN_INCOMPLETE lets
 * "qykb" stand for initials), the sentence guessed, then the candidates at
 * offset 0 listed. libpinyin's own list already starts with its n-best
 * sentences (NBEST_MATCH_CANDIDATE) and is de-duplicated by string; the
 * phrases and characters follow, longer phrases first, then by frequency.
 * We keep the first KS_IME_CANDIDATES_MAX of them that are Simplified (see
 * ks_ime_is_simplified) and unique.
 *
 * How much of the pinyin a candidate covers: a sentence covers what
 * libpinyin parsed (pinyin_get_parsed_input_length: all of "qiyekaiban",
 * "qiye" of "qiyev"). A phrase or character covers [m_begin, m_end) of the
 * input, which the C API does not expose directly; pinyin_choose_candidate
 * returns exactly that end (offset + the constraint's length), and
 * pinyin_clear_constraint undoes the choice at once. For a NORMAL candidate
 * that only records a constraint on this instance: no frequency is trained
 * and nothing is written (only ADDON candidates would add to the tables, and
 * the addon libraries are never loaded here).
 *
 * No learning across citizens: the user folder is a fresh mkdtemp folder
 * under $TMPDIR, removed on close; we never call pinyin_train, pinyin_save
 * or pinyin_remember_user_input, and DYNAMIC_ADJUST is off.
 *
 * Not here: double pinyin, zhuyin, tones typed as digits, prediction of the
 * next word, user phrases. */
#include "ks_ime.h"
#include "ks_search.h"   /* ks_pinyin_datadir */

#include <stdbool.h> /* before pinyin.h, which uses bool without it */
#include <dirent.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libpinyin's novel_types.h *defines* five constants (not static), so a
 * second file including pinyin.h (ks_search.c does) collides with it at
 * link time. Renamed here; ks_search.c keeps the header's names. */
#define null_token ks_ime_null_token
#define sentence_start ks_ime_sentence_start
#define token_min ks_ime_token_min
#define token_max ks_ime_token_max
#define c_separate ks_ime_c_separate
#include <pinyin.h>
#undef null_token
#undef sentence_start
#undef token_min
#undef token_max
#undef c_separate

#define KS_IME_DIR_MAX 512

struct ks_ime {
    pinyin_context_t *ctx;             /* owned: pinyin_fini */
    pinyin_instance_t *inst;           /* owned: pinyin_free_instance */
    iconv_t gb;                        /* owned: UTF-8 → GB2312, the Simplified check */
    char userdir[KS_IME_DIR_MAX];      /* our throw-away folder; "" none */
    size_t n;                          /* candidates kept */
    char cand[KS_IME_CANDIDATES_MAX][KS_IME_CANDIDATE_MAX];
    size_t consumed[KS_IME_CANDIDATES_MAX];
};

/* Empties and removes our user folder. libpinyin only reads there (we never
 * save), but whatever it may have created goes with it. */
static void ks_ime_userdir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            (void)unlinkat(dirfd(d), e->d_name, 0);
        }
        closedir(d);
    }
    (void)rmdir(dir);
}

qf_err ks_ime_open(ks_ime **out, char *err, size_t errlen)
{
    qf_err rc = QF_OK;
    ks_ime *ime = NULL;

    if (!out)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no output pointer");
    *out = NULL;

    const char *datadir = ks_pinyin_datadir();
    if (!datadir)
        return qf_err_set(err, errlen, QF_ERR_NOT_FOUND,
                          "libpinyin data not found (set QIFU_PINYIN_DATA)");

    ime = calloc(1, sizeof *ime);
    if (!ime)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
    ime->gb = (iconv_t)-1;

    /* Simplified check: glibc's GB2312 converter (see ks_ime_is_simplified). */
    ime->gb = iconv_open("GB2312", "UTF-8");
    if (ime->gb == (iconv_t)-1) {
        rc = qf_err_set(err, errlen, QF_ERR_NOT_FOUND, "iconv has no GB2312 converter");
        goto out;
    }

    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    int n = snprintf(ime->userdir, sizeof ime->userdir, "%s/qifu-ime-XXXXXX", tmp);
    if (n < 0 || (size_t)n >= sizeof ime->userdir) {
        ime->userdir[0] = '\0';
        rc = qf_err_set(err, errlen, QF_ERR_LIMIT, "TMPDIR is too long");
        goto out;
    }
    if (!mkdtemp(ime->userdir)) {
        ime->userdir[0] = '\0';
        rc = qf_err_set(err, errlen, QF_ERR_IO, "cannot make a folder under %s", tmp);
        goto out;
    }

    ime->ctx = pinyin_init(datadir, ime->userdir);
    if (!ime->ctx) {
        rc = qf_err_set(err, errlen, QF_ERR_IO, "pinyin_init(%s) failed", datadir);
        goto out;
    }
    /* PINYIN_INCOMPLETE: a lone initial ("q", "qykb") stands for any
     * syllable. USE_TONE: tones are optional (pinyin_init's default).
     * USE_DIVIDED_TABLE / USE_RESPLIT_TABLE: "xian" also reads "xi'an",
     * "fangan" also "fang'an". PINYIN_CORRECT_ALL: common slips (ng/gn,
     * iou/iu, ue/ve, v/u …) are forgiven, as in ibus-libpinyin. No
     * DYNAMIC_ADJUST: nothing adapts to what was typed. */
    pinyin_set_options(ime->ctx, PINYIN_INCOMPLETE | USE_TONE | USE_DIVIDED_TABLE |
                                     USE_RESPLIT_TABLE | PINYIN_CORRECT_ALL);
    /* The GBK table holds the characters outside GB2312 — mostly
     * traditional forms and rare characters that the Simplified check would
     * drop anyway; without it sentences are built from GB2312 characters
     * and the candidate lists are about a tenth as long (faster). */
    (void)pinyin_unload_phrase_library(ime->ctx, GBK_DICTIONARY);

    ime->inst = pinyin_alloc_instance(ime->ctx);
    if (!ime->inst) {
        rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "pinyin_alloc_instance failed");
        goto out;
    }

out:
    if (rc != QF_OK) {
        ks_ime_close(ime);
        return rc;
    }
    *out = ime;
    return QF_OK;
}

void ks_ime_close(ks_ime *ime)
{
    if (!ime)
        return;
    if (ime->inst)
        pinyin_free_instance(ime->inst);
    if (ime->ctx)
        pinyin_fini(ime->ctx);
    if (ime->gb != (iconv_t)-1)
        iconv_close(ime->gb);
    if (ime->userdir[0])
        ks_ime_userdir_remove(ime->userdir);
    /* What a citizen composed goes with the memory. */
    memset(ime->cand, 0, sizeof ime->cand);
    free(ime);
}

/* True when every character of s is in GB2312.
 *
 * Why GB2312: libpinyin's candidate lists (even its gb_char table) contain
 * traditional forms (國, 開, 辦) next to the simplified ones, and neither
 * libpinyin nor GLib flags which is which. GB2312 is the national standard
 * set of Simplified Chinese: its 6,763 hanzi cover practically all modern
 * Simplified text and contain no traditional-only forms. glibc's converter
 * is a maintained dataset, not a hand-typed list, and costs one call per
 * candidate. The price: rare characters outside GB2312 that some personal
 * and company names use (堃, 喆, 玥) are not offered. */
static bool ks_ime_is_simplified(ks_ime *ime, const char *s)
{
    char buf[2 * KS_IME_CANDIDATE_MAX];
    char *in = (char *)s;
    size_t inlen = strlen(s);
    char *outp = buf;
    size_t outlen = sizeof buf;

    (void)iconv(ime->gb, NULL, NULL, NULL, NULL); /* reset shift state */
    size_t r = iconv(ime->gb, &in, &inlen, &outp, &outlen);
    return r != (size_t)-1 && inlen == 0;
}

static bool ks_ime_seen(const ks_ime *ime, const char *s)
{
    for (size_t i = 0; i < ime->n; i++)
        if (strcmp(ime->cand[i], s) == 0)
            return true;
    return false;
}

static bool ks_ime_pinyin_valid(const char *pinyin)
{
    size_t len = strnlen(pinyin, KS_IME_PINYIN_MAX + 1);
    if (len > KS_IME_PINYIN_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = pinyin[i];
        if (!((c >= 'a' && c <= 'z') || c == '\''))
            return false;
    }
    return true;
}

qf_err ks_ime_compose(ks_ime *ime, const char *pinyin)
{
    if (!ime || !pinyin || !ks_ime_pinyin_valid(pinyin))
        return QF_ERR_INVALID;

    memset(ime->cand, 0, sizeof ime->cand);
    ime->n = 0;
    pinyin_reset(ime->inst);

    size_t len = strlen(pinyin);
    if (len == 0)
        return QF_OK;

    pinyin_parse_more_full_pinyins(ime->inst, pinyin);
    size_t parsed = pinyin_get_parsed_input_length(ime->inst);
    if (parsed > len)
        parsed = len;
    if (parsed == 0)
        return QF_OK;
    /* guess_sentence fills the n-best results that guess_candidates puts
     * at the head of its list. */
    pinyin_guess_sentence(ime->inst);
    if (!pinyin_guess_candidates(ime->inst, 0, SORT_BY_PHRASE_LENGTH_AND_FREQUENCY))
        return QF_OK;

    guint total = 0;
    pinyin_get_n_candidate(ime->inst, &total);
    for (guint i = 0; i < total && ime->n < KS_IME_CANDIDATES_MAX; i++) {
        lookup_candidate_t *c = NULL;
        const gchar *str = NULL;
        lookup_candidate_type_t type = 0;
        if (!pinyin_get_candidate(ime->inst, i, &c) || !c)
            continue;
        if (!pinyin_get_candidate_type(ime->inst, c, &type))
            continue;
        if (!pinyin_get_candidate_string(ime->inst, c, &str) || !str || !*str)
            continue;
        size_t slen = strlen(str);
        if (slen >= KS_IME_CANDIDATE_MAX || ks_ime_seen(ime, str) ||
            !ks_ime_is_simplified(ime, str))
            continue;

        size_t used;
        if (type == NBEST_MATCH_CANDIDATE) {
            used = parsed;
        } else if (type == NORMAL_CANDIDATE) {
            int end = pinyin_choose_candidate(ime->inst, 0, c);
            pinyin_clear_constraint(ime->inst, 0);
            if (end <= 0)
                continue;
            used = (size_t)end;
        } else {
            continue; /* predicted, longer or addon: none are asked for */
        }
        if (used > parsed)
            used = parsed;
        /* The separator after a phrase belongs to it: what remains starts
         * on a syllable. */
        while (used < len && pinyin[used] == '\'')
            used++;

        memcpy(ime->cand[ime->n], str, slen + 1);
        ime->consumed[ime->n] = used;
        ime->n++;
    }
    return QF_OK;
}

size_t ks_ime_count(const ks_ime *ime)
{
    return ime ? ime->n : 0;
}

const char *ks_ime_candidate(const ks_ime *ime, size_t i)
{
    if (!ime || i >= ime->n)
        return NULL;
    return ime->cand[i];
}

size_t ks_ime_consumed(const ks_ime *ime, size_t i)
{
    if (!ime || i >= ime->n)
        return 0;
    return ime->consumed[i];
}
