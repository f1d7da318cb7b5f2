/* ks_search.c — the kiosk's search index: Chinese text, full pinyin and
 * pinyin initials over services, station items, bundles and FAQ entries.
 *
 * Build (once per catalog): every distinct ideograph of the indexed text is
 * looked up in libpinyin's character tables (pinyin_lookup_tokens →
 * pinyin_token_get_n/nth_pronunciation → pinyin_get_pinyin_string), and its
 * readings are cached in a small per-character set; the libpinyin context is
 * freed before the build returns. Each indexed field then becomes a key: its
 * normalised text (ASCII lowercased, white space dropped) for substring
 * matches, and a sequence of units (one per ideograph, ASCII letter or digit;
 * punctuation is transparent), each unit pointing at its reading set and
 * carrying a bit mask of its readings' initials.
 *
 * Query (every keystroke): a scan over the keys. A query holding anything
 * but ASCII letters/digits is matched as text; an ASCII query is matched as
 * text, as initials (each letter is the initial of one reading of
 * consecutive units) and as full pinyin (a concatenation of readings of
 * consecutive units, the last one possibly cut short), with a small
 * backtracking over each unit's readings — polyphones match on every reading
 * and the cartesian product is never expanded.
 *
 * Scoring: title exact > title prefix > title substring > secondary field
 * (a service's category2/content, a station item's category, a bundle's
 * needs, an FAQ answer); then shorter titles; then catalog order.
 *
 * Not here: fuzzy matching, tones, ranking by popularity, highlighting. */
#include "ks_search.h"

#include <stdbool.h> /* before pinyin.h, which uses bool without it */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinyin.h>

#include "qf_text.h"

#define KS_QUERY_MAX     64u   /* bytes of query considered */
#define KS_READINGS_MAX  8u    /* readings kept per character */
#define KS_READING_LEN   8u    /* "zhuang" + NUL fits */
#define KS_SEC_MAX       3u    /* secondary keys per item */
#define KS_UNITS_MAX     (1u << 24) /* total units in one index */

/* Score levels (score = level * KS_LEVEL_STEP - title length in chars). */
enum { KS_LEVEL_NONE = 0, KS_LEVEL_SECONDARY, KS_LEVEL_SUBSTRING, KS_LEVEL_PREFIX, KS_LEVEL_EXACT };
#define KS_LEVEL_STEP 10000

typedef struct ks_readings {         /* the readings of one symbol */
    uint8_t n;
    char r[KS_READINGS_MAX][KS_READING_LEN];
} ks_readings;

typedef struct ks_unit {             /* one matchable character of a key */
    uint64_t initials;               /* bit per a-z (0..25) and 0-9 (26..35) */
    uint32_t set;                    /* index into idx->sets */
} ks_unit;

typedef struct ks_key {
    char *norm;                      /* owned: lowercased, no white space */
    size_t norm_len;
    size_t units_off, units_n;       /* into idx->units */
} ks_key;

typedef struct ks_item {
    ks_hit_kind kind;
    const char *id;                  /* borrowed */
    const char *title;               /* borrowed */
    int title_chars;
    ks_key title_key;
    ks_key sec[KS_SEC_MAX];
    size_t sec_n;
} ks_item;

typedef struct ks_sym {              /* code point → reading set */
    uint32_t cp;
    uint32_t set;
} ks_sym;

struct ks_search {
    ks_item *items;
    size_t items_n;
    ks_unit *units;
    size_t units_n, units_cap;
    ks_readings *sets;
    size_t sets_n;
    ks_sym *syms;                    /* sorted by cp */
    size_t syms_n;
};

/* --- text helpers -------------------------------------------------------- */

static bool ks_is_ideograph(uint32_t cp)
{
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF) || cp == 0x3007;
}

static bool ks_is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
           cp == 0x3000 || cp == 0xA0;
}

/* Full-width ASCII folds to ASCII, ASCII letters to lower case. */
static uint32_t ks_fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0;
    if (cp >= 'A' && cp <= 'Z')
        cp += 'a' - 'A';
    return cp;
}

static bool ks_is_alnum(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
}

static int ks_bit(char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '0' && c <= '9')
        return 26 + (c - '0');
    return -1;
}

static size_t ks_utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Normalises s[0, len) into out (room for len + 1 bytes: folding never
 * grows the text): ASCII lowercased, full-width ASCII folded, white space
 * dropped. Returns the length written. */
static size_t ks_normalise(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = qf_utf8_decode(s + i, len - i, &cp);
        if (cp == QF_UTF8_REPLACEMENT) {
            i += n;
            continue;
        }
        i += n;
        if (ks_is_space(cp))
            continue;
        o += ks_utf8_put(ks_fold(cp), out + o);
    }
    out[o] = '\0';
    return o;
}

/* --- symbol table -------------------------------------------------------- */

static int ks_cp_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static const ks_sym *ks_sym_find(const ks_search *idx, uint32_t cp)
{
    size_t lo = 0, hi = idx->syms_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx->syms[mid].cp == cp)
            return &idx->syms[mid];
        if (idx->syms[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void ks_readings_add(ks_readings *set, const char *r)
{
    size_t len = strlen(r);
    if (len == 0 || len >= KS_READING_LEN || set->n >= KS_READINGS_MAX)
        return;
    for (size_t i = 0; i < len; i++)
        if (ks_bit(r[i]) < 0)
            return;
    for (uint8_t i = 0; i < set->n; i++)
        if (strcmp(set->r[i], r) == 0)
            return;
    memcpy(set->r[set->n++], r, len + 1);
}

/* The collected code points (in a growable array). */
typedef struct ks_cps {
    uint32_t *v;
    size_t n, cap;
} ks_cps;

static qf_err ks_cps_collect(ks_cps *cps, const char *s)
{
    if (!s)
        return QF_OK;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += qf_utf8_decode(s + i, len - i, &cp);
        cp = ks_fold(cp);
        if (!ks_is_ideograph(cp) && !ks_is_alnum(cp))
            continue;
        if (cps->n == cps->cap) {
            size_t cap = cps->cap ? cps->cap * 2 : 1024;
            uint32_t *v = realloc(cps->v, cap * sizeof *v);
            if (!v)
                return QF_ERR_NOMEM;
            cps->v = v;
            cps->cap = cap;
        }
        cps->v[cps->n++] = cp;
    }
    return QF_OK;
}

/* Where libpinyin's system tables live: $QIFU_PINYIN_DATA, else the path
 * the build found (KS_PINYIN_DATADIR, from pkg-config's pkgdatadir + /data),
 * else the Debian multiarch path, else the other usual places. */
const char *ks_pinyin_datadir(void)
{
    static const char *const candidates[] = {
#ifdef KS_PINYIN_DATADIR
        KS_PINYIN_DATADIR,
#endif
        "/usr/lib/x86_64-linux-gnu/libpinyin/data",
        "/usr/lib/aarch64-linux-gnu/libpinyin/data",
        "/usr/lib/libpinyin/data",
        "/usr/lib64/libpinyin/data",
        "/usr/share/libpinyin/data",
    };
    const char *env = getenv("QIFU_PINYIN_DATA");
    if (env && *env)
        return env;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/table.conf", candidates[i]);
        if (access(path, R_OK) == 0)
            return candidates[i];
    }
    return NULL;
}

/* Looks up the readings of every ideograph in cps (sorted, unique) and fills
 * idx->syms / idx->sets. ASCII letters and digits read as themselves. */
static qf_err ks_syms_build(ks_search *idx, const ks_cps *cps, char *err, size_t errlen)
{
    qf_err rc = QF_OK;
    pinyin_context_t *ctx = NULL;
    pinyin_instance_t *inst = NULL;
    GArray *tokens = NULL;
    GArray *keys = NULL;
    char userdir[] = "/tmp/qifu-pinyin-XXXXXX";
    bool have_userdir = false;

    idx->syms = calloc(cps->n ? cps->n : 1, sizeof *idx->syms);
    idx->sets = calloc(cps->n ? cps->n : 1, sizeof *idx->sets);
    if (!idx->syms || !idx->sets)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");

    bool any_cjk = false;
    for (size_t i = 0; i < cps->n; i++)
        any_cjk |= ks_is_ideograph(cps->v[i]);
    if (any_cjk) {
        const char *datadir = ks_pinyin_datadir();
        if (!datadir)
            return qf_err_set(err, errlen, QF_ERR_NOT_FOUND,
                              "libpinyin data not found (set QIFU_PINYIN_DATA)");
        /* libpinyin wants a user folder; ours is empty and thrown away
         * (it only reads there: we never train or save). */
        if (!mkdtemp(userdir))
            return qf_err_set(err, errlen, QF_ERR_IO, "cannot make a temporary folder");
        have_userdir = true;
        ctx = pinyin_init(datadir, userdir);
        if (!ctx) {
            rc = qf_err_set(err, errlen, QF_ERR_IO, "pinyin_init(%s) failed", datadir);
            goto out;
        }
        inst = pinyin_alloc_instance(ctx);
        tokens = g_array_new(FALSE, FALSE, sizeof(phrase_token_t));
        /* ChewingKey is an opaque 16-bit bit-field struct in libpinyin's C
         * API (initial:5 middle:2 final:5 tone:3); the array only carries
         * them back to pinyin_get_pinyin_string. */
        keys = g_array_new(FALSE, FALSE, sizeof(guint16));
        if (!inst || !tokens || !keys) {
            rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "libpinyin instance failed");
            goto out;
        }
    }

    for (size_t i = 0; i < cps->n; i++) {
        uint32_t cp = cps->v[i];
        ks_readings *set = &idx->sets[idx->sets_n];
        memset(set, 0, sizeof *set);
        if (ks_is_alnum(cp)) {
            char r[2] = {(char)cp, '\0'};
            ks_readings_add(set, r);
        } else {
            char chr[5];
            chr[ks_utf8_put(cp, chr)] = '\0';
            g_array_set_size(tokens, 0);
            /* pinyin_lookup_tokens leaks its UCS-4 copy of the phrase, so the
             * character goes through pinyin_phrase_segment, which for one
             * character yields its single-character token. */
            if (pinyin_phrase_segment(inst, chr)) {
                guint n_phrase = 0;
                pinyin_get_n_phrase(inst, &n_phrase);
                for (guint p = 0; p < n_phrase; p++) {
                    phrase_token_t tok = 0;
                    if (pinyin_get_phrase_token(inst, p, &tok) && tok)
                        g_array_append_val(tokens, tok);
                }
            }
            for (guint t = 0; t < tokens->len; t++) {
                phrase_token_t tok = g_array_index(tokens, phrase_token_t, t);
                guint npron = 0;
                if (!pinyin_token_get_n_pronunciation(inst, tok, &npron))
                    continue;
                for (guint k = 0; k < npron; k++) {
                    if (!pinyin_token_get_nth_pronunciation(inst, tok, k, keys) || keys->len != 1)
                        continue;
                    gchar *py = NULL;
                    if (!pinyin_get_pinyin_string(inst, (ChewingKey *)(void *)keys->data, &py) ||
                        !py)
                        continue;
                    /* Strip a tone digit, if the scheme gives one. */
                    size_t pl = strlen(py);
                    while (pl > 0 && py[pl - 1] >= '0' && py[pl - 1] <= '9')
                        py[--pl] = '\0';
                    ks_readings_add(set, py);
                    /* ü is typed as v (lv) by most, as u (lu) by some. */
                    char *v = strchr(py, 'v');
                    if (v) {
                        *v = 'u';
                        ks_readings_add(set, py);
                    }
                    g_free(py);
                }
            }
        }
        idx->syms[idx->syms_n].cp = cp;
        idx->syms[idx->syms_n].set = (uint32_t)idx->sets_n;
        idx->syms_n++;
        idx->sets_n++;
    }

out:
    if (keys)
        g_array_free(keys, TRUE);
    if (tokens)
        g_array_free(tokens, TRUE);
    if (inst)
        pinyin_free_instance(inst);
    if (ctx)
        pinyin_fini(ctx);
    if (have_userdir)
        rmdir(userdir);
    return rc;
}

/* --- keys ---------------------------------------------------------------- */

static qf_err ks_key_build(ks_search *idx, ks_key *key, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    key->norm = malloc(len + 1);
    if (!key->norm)
        return QF_ERR_NOMEM;
    key->norm_len = ks_normalise(s ? s : "", len, key->norm);
    key->units_off = idx->units_n;
    key->units_n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += qf_utf8_decode(s + i, len - i, &cp);
        cp = ks_fold(cp);
        if (!ks_is_ideograph(cp) && !ks_is_alnum(cp))
            continue; /* punctuation and spaces are transparent */
        const ks_sym *sym = ks_sym_find(idx, cp);
        if (!sym)
            continue;
        if (idx->units_n == idx->units_cap) {
            if (idx->units_cap >= KS_UNITS_MAX)
                return QF_ERR_LIMIT;
            size_t cap = idx->units_cap ? idx->units_cap * 2 : 4096;
            ks_unit *u = realloc(idx->units, cap * sizeof *u);
            if (!u)
                return QF_ERR_NOMEM;
            idx->units = u;
            idx->units_cap = cap;
        }
        const ks_readings *set = &idx->sets[sym->set];
        uint64_t mask = 0;
        for (uint8_t r = 0; r < set->n; r++)
            mask |= UINT64_C(1) << ks_bit(set->r[r][0]);
        idx->units[idx->units_n].initials = mask;
        idx->units[idx->units_n].set = sym->set;
        idx->units_n++;
        key->units_n++;
    }
    return QF_OK;
}

static int ks_count_chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The fields of every item, in one place for both build passes. */
typedef struct ks_fields {
    ks_hit_kind kind;
    const char *id, *title;
    const char *sec[KS_SEC_MAX];
} ks_fields;

typedef qf_err (*ks_field_fn)(ks_search *idx, const ks_fields *f, void *ud);

static qf_err ks_walk(const qf_catalog *cat, ks_search *idx, ks_field_fn fn, void *ud)
{
    qf_err rc;
    for (size_t i = 0; i < cat->services_count; i++) {
        const qf_catalog_service *s = &cat->services[i];
        ks_fields f = {KS_HIT_SERVICE, s->id, s->category3, {s->category2, s->content, NULL}};
        if ((rc = fn(idx, &f, ud)))
            return rc;
    }
    for (size_t i = 0; i < cat->stations_count; i++) {
        const qf_catalog_station *st = &cat->stations[i];
        for (size_t j = 0; j < st->items_count; j++) {
            const qf_catalog_station_item *it = &st->items[j];
            ks_fields f = {KS_HIT_STATION_ITEM, it->id, it->description, {it->category, NULL, NULL}};
            if ((rc = fn(idx, &f, ud)))
                return rc;
        }
    }
    for (size_t i = 0; i < cat->bundles_count; i++) {
        const qf_catalog_bundle *b = &cat->bundles[i];
        ks_fields f = {KS_HIT_BUNDLE, b->id, b->name, {b->needs, NULL, NULL}};
        if ((rc = fn(idx, &f, ud)))
            return rc;
    }
    for (size_t i = 0; i < cat->faq_count; i++) {
        const qf_catalog_faq *q = &cat->faq[i];
        ks_fields f = {KS_HIT_FAQ, q->id, q->q, {q->a, NULL, NULL}};
        if ((rc = fn(idx, &f, ud)))
            return rc;
    }
    return QF_OK;
}

static qf_err ks_collect_fn(ks_search *idx, const ks_fields *f, void *ud)
{
    ks_cps *cps = ud;
    qf_err rc = ks_cps_collect(cps, f->title);
    for (size_t k = 0; !rc && k < KS_SEC_MAX; k++)
        rc = ks_cps_collect(cps, f->sec[k]);
    idx->items_n++;
    return rc;
}

static qf_err ks_item_fn(ks_search *idx, const ks_fields *f, void *ud)
{
    size_t *next = ud;
    ks_item *it = &idx->items[(*next)++];
    it->kind = f->kind;
    it->id = f->id;
    it->title = f->title ? f->title : "";
    it->title_chars = ks_count_chars(it->title);
    qf_err rc = ks_key_build(idx, &it->title_key, it->title);
    for (size_t k = 0; !rc && k < KS_SEC_MAX; k++) {
        if (!f->sec[k] || !*f->sec[k])
            continue;
        rc = ks_key_build(idx, &it->sec[it->sec_n], f->sec[k]);
        it->sec_n++; /* counted even on failure so free sees the buffer */
    }
    return rc;
}

void ks_search_free(ks_search *idx)
{
    if (!idx)
        return;
    for (size_t i = 0; idx->items && i < idx->items_n; i++) {
        free(idx->items[i].title_key.norm);
        for (size_t k = 0; k < idx->items[i].sec_n; k++)
            free(idx->items[i].sec[k].norm);
    }
    free(idx->items);
    free(idx->units);
    free(idx->sets);
    free(idx->syms);
    free(idx);
}

qf_err ks_search_build(const qf_catalog *cat, ks_search **out, char *err, size_t errlen)
{
    qf_err rc = QF_OK;
    ks_cps cps = {0};
    ks_search *idx = NULL;

    if (!cat || !out)
        return qf_err_set(err, errlen, QF_ERR_INVALID, "no catalog");
    *out = NULL;
    idx = calloc(1, sizeof *idx);
    if (!idx)
        return qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");

    /* Pass 1: count items and collect the symbols they use. */
    rc = ks_walk(cat, idx, ks_collect_fn, &cps);
    if (rc) {
        qf_err_set(err, errlen, rc, "out of memory");
        goto out;
    }
    if (cps.n) {
        qsort(cps.v, cps.n, sizeof *cps.v, ks_cp_cmp);
        size_t u = 1;
        for (size_t i = 1; i < cps.n; i++)
            if (cps.v[i] != cps.v[u - 1])
                cps.v[u++] = cps.v[i];
        cps.n = u;
    }
    rc = ks_syms_build(idx, &cps, err, errlen);
    if (rc)
        goto out;

    /* Pass 2: the keys. */
    idx->items = calloc(idx->items_n ? idx->items_n : 1, sizeof *idx->items);
    if (!idx->items) {
        idx->items_n = 0;
        rc = qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
        goto out;
    }
    size_t next = 0;
    rc = ks_walk(cat, idx, ks_item_fn, &next);
    if (rc) {
        qf_err_set(err, errlen, rc, "%s", rc == QF_ERR_LIMIT ? "catalog text too large to index"
                                                              : "out of memory");
        goto out;
    }
    *out = idx;
    idx = NULL;
out:
    free(cps.v);
    ks_search_free(idx);
    return rc;
}

/* --- query --------------------------------------------------------------- */

typedef struct ks_query {
    char norm[KS_QUERY_MAX * 4 + 1]; /* folding may not grow, but be generous */
    size_t norm_len;
    char py[KS_QUERY_MAX + 1];       /* [a-z0-9] only, for pinyin modes */
    size_t py_len;
    bool pinyin;                     /* the query is ASCII letters/digits */
} ks_query;

/* Full pinyin from query offset q over units u[i..n): 0 no match, 1 match,
 * 2 match that ends exactly at the end of the units with a whole reading. */
static int ks_full_from(const ks_search *idx, const ks_unit *u, size_t n, size_t i,
                        const char *q, size_t qlen, bool want_exact)
{
    if (qlen == 0)
        return i == n ? 2 : 1;
    if (i == n)
        return 0;
    if (!(u[i].initials & (UINT64_C(1) << ks_bit(q[0]))))
        return 0;
    int best = 0;
    const ks_readings *set = &idx->sets[u[i].set];
    for (uint8_t r = 0; r < set->n; r++) {
        const char *rd = set->r[r];
        size_t rl = strlen(rd);
        int got = 0;
        if (qlen >= rl) {
            if (memcmp(q, rd, rl) == 0)
                got = ks_full_from(idx, u, n, i + 1, q + rl, qlen - rl, want_exact);
        } else if (memcmp(q, rd, qlen) == 0) {
            got = 1; /* the last reading typed so far */
        }
        if (got > best)
            best = got;
        if (best == 2 || (best == 1 && !want_exact))
            break;
    }
    return best;
}

static int ks_match_pinyin(const ks_search *idx, const ks_key *key, const ks_query *q)
{
    const ks_unit *u = idx->units + key->units_off;
    size_t n = key->units_n, m = q->py_len;
    int level = KS_LEVEL_NONE;
    if (m == 0 || n == 0)
        return level;
    uint64_t first = UINT64_C(1) << ks_bit(q->py[0]);
    for (size_t s = 0; s < n; s++) {
        if (!(u[s].initials & first))
            continue;
        /* initials: one query letter per unit */
        if (m <= n - s) {
            size_t k = 1;
            while (k < m && (u[s + k].initials & (UINT64_C(1) << ks_bit(q->py[k]))))
                k++;
            if (k == m) {
                int l = s > 0 ? KS_LEVEL_SUBSTRING : (m == n ? KS_LEVEL_EXACT : KS_LEVEL_PREFIX);
                if (l > level)
                    level = l;
            }
        }
        if (level == KS_LEVEL_EXACT)
            return level;
        /* full pinyin, the last reading possibly cut short */
        int got = ks_full_from(idx, u, n, s, q->py, m, s == 0);
        if (got) {
            int l = s > 0 ? KS_LEVEL_SUBSTRING : (got == 2 ? KS_LEVEL_EXACT : KS_LEVEL_PREFIX);
            if (l > level)
                level = l;
        }
        if (level >= KS_LEVEL_PREFIX)
            return level; /* later starts can only give a substring */
        if (level == KS_LEVEL_SUBSTRING)
            return level;
    }
    return level;
}

static int ks_match_text(const ks_key *key, const ks_query *q)
{
    const char *p = strstr(key->norm, q->norm);
    if (!p)
        return KS_LEVEL_NONE;
    if (p == key->norm)
        return key->norm_len == q->norm_len ? KS_LEVEL_EXACT : KS_LEVEL_PREFIX;
    return KS_LEVEL_SUBSTRING;
}

static int ks_match_key(const ks_search *idx, const ks_key *key, const ks_query *q)
{
    int level = ks_match_text(key, q);
    if (q->pinyin && level < KS_LEVEL_EXACT) {
        int l = ks_match_pinyin(idx, key, q);
        if (l > level)
            level = l;
    }
    return level;
}

static bool ks_query_prepare(const char *query, ks_query *q)
{
    memset(q, 0, sizeof *q);
    if (!query)
        return false;
    size_t len = strnlen(query, KS_QUERY_MAX + 1);
    len = qf_utf8_cut(query, len, KS_QUERY_MAX);
    q->norm_len = ks_normalise(query, len, q->norm);
    if (q->norm_len == 0)
        return false;
    q->pinyin = true;
    for (size_t i = 0; i < q->norm_len; i++) {
        char c = q->norm[i];
        if (c == '\'' || c == '-')
            continue; /* syllable separators: xi'an */
        if (ks_bit(c) < 0) {
            q->pinyin = false;
            break;
        }
        q->py[q->py_len++] = c;
    }
    if (q->py_len == 0)
        q->pinyin = false;
    return true;
}

size_t ks_search_query(const ks_search *idx, const char *query, ks_hit *hits, size_t max)
{
    ks_query q;
    if (!idx || !hits || max == 0 || !ks_query_prepare(query, &q))
        return 0;
    size_t count = 0;
    for (size_t i = 0; i < idx->items_n; i++) {
        const ks_item *it = &idx->items[i];
        int level = ks_match_key(idx, &it->title_key, &q);
        if (level == KS_LEVEL_NONE) {
            for (size_t k = 0; k < it->sec_n; k++) {
                if (ks_match_key(idx, &it->sec[k], &q) != KS_LEVEL_NONE) {
                    level = KS_LEVEL_SECONDARY;
                    break;
                }
            }
        }
        if (level == KS_LEVEL_NONE)
            continue;
        int len = it->title_chars < KS_LEVEL_STEP - 1 ? it->title_chars : KS_LEVEL_STEP - 1;
        int score = level * KS_LEVEL_STEP - len;
        /* Bounded insertion: hits stays sorted by score, ties in catalog
         * order (an item goes after every earlier item of equal score). */
        size_t pos = count;
        while (pos > 0 && hits[pos - 1].score < score)
            pos--;
        if (pos >= max)
            continue;
        size_t last = count < max ? count : max - 1;
        memmove(&hits[pos + 1], &hits[pos], (last - pos) * sizeof *hits);
        hits[pos] = (ks_hit){it->kind, it->id, it->title, score};
        if (count < max)
            count++;
    }
    return count;
}
