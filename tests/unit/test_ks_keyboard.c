/* test_ks_keyboard.c — the on-screen keyboard's state (state/ks_keyboard.c)
 * with the real pinyin engine: letters compose, space takes the first
 * candidate, picking a phrase leaves the rest composing, backspace edits the
 * pinyin before the field, enter commits the letters, punctuation comes out
 * full-width in Chinese mode and ASCII otherwise, shift gives capitals, the
 * number layer types digits, paging and physical digits pick on the shown
 * page, physical text composes one letter but passes a scanner burst, the
 * 中/英 switch, close and reset drop the composition.
 *
 * One engine for the group; each test starts from a fresh keyboard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ks_keyboard.h"

/* libpinyin's pinyin_init opens Berkeley DB handles that pinyin_fini never
 * releases (see tests/unit/test_search.c): a leak inside libdb, not ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdb-5.3.so\n";
}

static ks_ime *g_ime;

static int group_setup(void **state)
{
    (void)state;
    char err[256] = "";
    if (ks_ime_open(&g_ime, err, sizeof err) != QF_OK) {
        fprintf(stderr, "ks_ime_open: %s\n", err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    ks_ime_close(g_ime);
    return 0;
}

static ks_keyboard g_kb;

static int setup(void **state)
{
    ks_keyboard_init(&g_kb);
    ks_keyboard_set_ime(&g_kb, g_ime);
    ks_keyboard_open(&g_kb, KS_KB_PINYIN);
    *state = &g_kb;
    return 0;
}

/* Presses each letter of s; asserts no key reached the field. */
static void type(ks_keyboard *kb, const char *s)
{
    ks_kb_out out;
    for (; *s; s++) {
        char key[2] = {*s, '\0'};
        ks_keyboard_press(kb, key, &out);
        assert_string_equal(out.commit, "");
        assert_false(out.backspace || out.enter || out.close);
    }
}

static long find(const ks_keyboard *kb, const char *s)
{
    for (size_t i = 0; i < ks_keyboard_candidates(kb); i++)
        if (strcmp(ks_keyboard_candidate(kb, i), s) == 0)
            return (long)i;
    return -1;
}

static void test_init_defaults(void **state)
{
    (void)state;
    ks_keyboard kb;
    ks_keyboard_init(&kb);
    assert_false(kb.open);
    assert_int_equal(kb.layer, KS_KB_PINYIN);
    assert_true(kb.chinese);
    assert_false(kb.shift);
    assert_false(ks_keyboard_composing(&kb));
    assert_null(kb.ime);
    assert_int_equal(ks_keyboard_candidates(&kb), 0);
}

static void test_letters_compose_and_space_takes_the_first(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "qiye");
    assert_true(ks_keyboard_composing(kb));
    assert_string_equal(kb->pinyin, "qiye");
    long i = find(kb, "企业");
    assert_true(i >= 0 && i < KS_KB_PAGE);
    ks_keyboard_press(kb, "space", &out);
    assert_string_equal(out.commit, "企业");
    assert_false(ks_keyboard_composing(kb));
    assert_int_equal(ks_keyboard_candidates(kb), 0);
    /* not composing: space is a space */
    ks_keyboard_press(kb, "space", &out);
    assert_string_equal(out.commit, " ");
}

static void test_whole_sentence_first(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "qiyekaiban");
    assert_string_equal(ks_keyboard_candidate(kb, 0), "企业开办");
    ks_keyboard_pick(kb, 0, &out);
    assert_string_equal(out.commit, "企业开办");
    assert_false(ks_keyboard_composing(kb));
}

static void test_pick_phrase_leaves_the_rest_composing(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "qiyekaiban");
    long i = find(kb, "企业");
    assert_true(i > 0);
    ks_keyboard_pick(kb, (size_t)i, &out);
    assert_string_equal(out.commit, "企业");
    assert_true(ks_keyboard_composing(kb));
    assert_string_equal(kb->pinyin, "kaiban");
    assert_string_equal(ks_keyboard_candidate(kb, 0), "开办");
    ks_keyboard_press(kb, "space", &out);
    assert_string_equal(out.commit, "开办");
    assert_false(ks_keyboard_composing(kb));
}

static void test_initials(void **state)
{
    ks_keyboard *kb = *state;
    type(kb, "qykb");
    assert_true(find(kb, "企业开办") >= 0 || find(kb, "企业") >= 0);
}

static void test_backspace_edits_pinyin_first(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "qiy");
    ks_keyboard_press(kb, "backspace", &out);
    assert_false(out.backspace);
    assert_string_equal(out.commit, "");
    assert_string_equal(kb->pinyin, "qi");
    assert_true(ks_keyboard_candidates(kb) > 0);
    ks_keyboard_press(kb, "backspace", &out);
    ks_keyboard_press(kb, "backspace", &out);
    assert_false(out.backspace);
    assert_false(ks_keyboard_composing(kb));
    assert_int_equal(ks_keyboard_candidates(kb), 0);
    ks_keyboard_press(kb, "backspace", &out);
    assert_true(out.backspace); /* now the field's last character */
}

static void test_enter_commits_letters_as_typed(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "wifi");
    ks_keyboard_press(kb, "enter", &out);
    assert_string_equal(out.commit, "wifi");
    assert_false(out.enter);
    assert_false(ks_keyboard_composing(kb));
    ks_keyboard_press(kb, "enter", &out);
    assert_true(out.enter);
    assert_string_equal(out.commit, "");
}

static void test_punctuation_fullwidth_in_chinese(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    ks_keyboard_press(kb, ",", &out);
    assert_string_equal(out.commit, "，");
    ks_keyboard_press(kb, "?", &out);
    assert_string_equal(out.commit, "？");
    /* while composing: the best candidate first, then the punctuation */
    type(kb, "qiye");
    ks_keyboard_press(kb, ".", &out);
    assert_string_equal(out.commit, "企业。");
    assert_false(ks_keyboard_composing(kb));
    /* the symbol layer in Chinese mode, too */
    ks_keyboard_press(kb, "layer:symbol", &out);
    assert_int_equal(kb->layer, KS_KB_SYMBOL);
    ks_keyboard_press(kb, "!", &out);
    assert_string_equal(out.commit, "！");
    ks_keyboard_press(kb, "@", &out);
    assert_string_equal(out.commit, "@"); /* no full-width habit for @ */
}

static void test_punctuation_ascii_in_latin(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    ks_keyboard_press(kb, "layer:latin", &out);
    assert_int_equal(kb->layer, KS_KB_LATIN);
    assert_false(kb->chinese);
    ks_keyboard_press(kb, ",", &out);
    assert_string_equal(out.commit, ",");
    ks_keyboard_press(kb, "q", &out);
    assert_string_equal(out.commit, "q"); /* letters as typed */
    assert_false(ks_keyboard_composing(kb));
    ks_keyboard_press(kb, "layer:symbol", &out);
    ks_keyboard_press(kb, ".", &out);
    assert_string_equal(out.commit, "."); /* symbols follow the mode */
}

static void test_shift_capitals(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    ks_keyboard_press(kb, "layer:latin", &out);
    ks_keyboard_press(kb, "shift", &out);
    assert_true(kb->shift);
    ks_keyboard_press(kb, "a", &out);
    assert_string_equal(out.commit, "A");
    ks_keyboard_press(kb, "b", &out);
    assert_string_equal(out.commit, "B"); /* a lock, not one-shot */
    ks_keyboard_press(kb, "shift", &out);
    ks_keyboard_press(kb, "c", &out);
    assert_string_equal(out.commit, "c");
    /* a field for a credit code opens latin with shift */
    ks_keyboard_open(kb, KS_KB_LATIN);
    assert_true(kb->shift);
    ks_keyboard_press(kb, "f", &out);
    assert_string_equal(out.commit, "F");
}

static void test_shift_in_pinyin_commits_then_capital(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "qiye");
    ks_keyboard_press(kb, "shift", &out);
    ks_keyboard_press(kb, "a", &out);
    assert_string_equal(out.commit, "企业A");
    assert_false(ks_keyboard_composing(kb));
}

static void test_number_layer(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    ks_keyboard_open(kb, KS_KB_NUMBER);
    assert_int_equal(kb->layer, KS_KB_NUMBER);
    static const char *const keys[] = {"+", "8", "6", "space", "(", "0", ")", "-"};
    char typed[32] = "";
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        ks_keyboard_press(kb, keys[i], &out);
        strcat(typed, out.commit);
    }
    assert_string_equal(typed, "+86 (0)-"); /* ASCII even in Chinese mode */
    assert_true(kb->chinese);
}

static void test_digit_while_composing_commits_best_then_digit(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "qiye");
    ks_keyboard_press(kb, "layer:number", &out);
    assert_true(ks_keyboard_composing(kb)); /* kept until a key settles it */
    ks_keyboard_press(kb, "3", &out);
    assert_string_equal(out.commit, "企业3");
}

static void test_paging_and_physical_digit_pick(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "shi");
    size_t n = ks_keyboard_candidates(kb);
    assert_true(n > 2 * KS_KB_PAGE);
    assert_false(ks_keyboard_page_prev(kb));
    assert_true(ks_keyboard_page_next(kb));
    assert_int_equal(kb->page, 1);
    char want[KS_IME_CANDIDATE_MAX];
    snprintf(want, sizeof want, "%s", ks_keyboard_candidate(kb, KS_KB_PAGE + 1));
    ks_keyboard_text(kb, "2", &out); /* the second on the page shown */
    assert_string_equal(out.commit, want);
    assert_false(ks_keyboard_composing(kb));
    assert_int_equal(kb->page, 0);

    type(kb, "shi");
    size_t pages = 1;
    while (ks_keyboard_page_next(kb))
        pages++;
    assert_int_equal(pages, (ks_keyboard_candidates(kb) + KS_KB_PAGE - 1) / KS_KB_PAGE);
    assert_true(ks_keyboard_page_prev(kb));
    /* typing returns to the first page */
    type(kb, "j");
    assert_int_equal(kb->page, 0);
}

static void test_physical_digit_one_picks_first(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    ks_keyboard_text(kb, "q", &out);
    ks_keyboard_text(kb, "i", &out);
    ks_keyboard_text(kb, "y", &out);
    ks_keyboard_text(kb, "e", &out);
    assert_string_equal(out.commit, "");
    assert_string_equal(kb->pinyin, "qiye");
    ks_keyboard_text(kb, "1", &out);
    assert_string_equal(out.commit, "企业");
}

static void test_physical_text_single_letter_composes_burst_passes(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    ks_keyboard_text(kb, "q", &out);
    assert_string_equal(out.commit, "");
    assert_true(ks_keyboard_composing(kb));
    ks_keyboard_text(kb, "91330100716105852F", &out);
    assert_string_equal(out.commit, "q91330100716105852F");
    assert_false(ks_keyboard_composing(kb));
    ks_keyboard_text(kb, "91330100716105852F", &out);
    assert_string_equal(out.commit, "91330100716105852F");
    /* capitals and other characters go as they are */
    ks_keyboard_text(kb, "Q", &out);
    assert_string_equal(out.commit, "Q");
    ks_keyboard_text(kb, "企", &out);
    assert_string_equal(out.commit, "企");
    /* in the latin layer a letter is a letter */
    ks_keyboard_press(kb, "layer:latin", &out);
    ks_keyboard_text(kb, "q", &out);
    assert_string_equal(out.commit, "q");
}

static void test_lang_switch(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "ok");
    ks_keyboard_press(kb, "lang", &out);
    assert_string_equal(out.commit, "ok"); /* English after all */
    assert_int_equal(kb->layer, KS_KB_LATIN);
    assert_false(kb->chinese);
    ks_keyboard_press(kb, "lang", &out);
    assert_int_equal(kb->layer, KS_KB_PINYIN);
    assert_true(kb->chinese);
    /* the choice carries to the next free-text field */
    ks_keyboard_press(kb, "lang", &out);
    ks_keyboard_open(kb, KS_KB_PINYIN);
    assert_int_equal(kb->layer, KS_KB_LATIN);
}

static void test_without_engine_letters_go_as_typed(void **state)
{
    (void)state;
    ks_keyboard kb;
    ks_kb_out out;
    ks_keyboard_init(&kb);
    ks_keyboard_open(&kb, KS_KB_PINYIN);
    ks_keyboard_press(&kb, "q", &out);
    assert_string_equal(out.commit, "q");
    assert_false(ks_keyboard_composing(&kb));
    ks_keyboard_text(&kb, "q", &out);
    assert_string_equal(out.commit, "q");
}

static void test_close_drops_composition(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "qiye");
    ks_keyboard_press(kb, "close", &out);
    assert_true(out.close);
    assert_string_equal(out.commit, "");
    assert_false(kb->open);
    assert_false(ks_keyboard_composing(kb));
    assert_int_equal(ks_keyboard_candidates(kb), 0);
}

static void test_reset_wipes(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    ks_keyboard_press(kb, "layer:latin", &out);
    ks_keyboard_press(kb, "shift", &out);
    ks_keyboard_press(kb, "layer:pinyin", &out);
    type(kb, "zhang");
    ks_keyboard_reset(kb);
    assert_false(kb->open);
    assert_int_equal(kb->layer, KS_KB_PINYIN);
    assert_true(kb->chinese);
    assert_false(kb->shift);
    assert_false(ks_keyboard_composing(kb));
    assert_int_equal(kb->page, 0);
    assert_ptr_equal(kb->ime, g_ime); /* the engine stays loaded */
    assert_int_equal(ks_ime_count(g_ime), 0); /* and forgets the candidates */
}

static void test_composition_is_bounded_and_odd_keys_ignored(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    for (int i = 0; i < KS_IME_PINYIN_MAX + 10; i++)
        ks_keyboard_press(kb, "a", &out);
    assert_int_equal(strlen(kb->pinyin), KS_IME_PINYIN_MAX);
    ks_keyboard_press(kb, "enter", &out);
    ks_keyboard_press(kb, "no-such-key", &out);
    assert_string_equal(out.commit, "");
    assert_false(out.backspace || out.enter || out.close);
    ks_keyboard_press(kb, "\x01", &out);
    assert_string_equal(out.commit, "");
    ks_keyboard_press(kb, NULL, &out);
    assert_string_equal(out.commit, "");
    ks_keyboard_pick(kb, 0, &out); /* nothing composing: nothing to pick */
    assert_string_equal(out.commit, "");
}

static void test_separator_key(void **state)
{
    ks_keyboard *kb = *state;
    ks_kb_out out;
    type(kb, "xi'an");
    assert_string_equal(kb->pinyin, "xi'an");
    assert_string_equal(ks_keyboard_candidate(kb, 0), "西安");
    ks_keyboard_press(kb, "space", &out);
    assert_string_equal(out.commit, "西安");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_defaults),
        cmocka_unit_test_setup(test_letters_compose_and_space_takes_the_first, setup),
        cmocka_unit_test_setup(test_whole_sentence_first, setup),
        cmocka_unit_test_setup(test_pick_phrase_leaves_the_rest_composing, setup),
        cmocka_unit_test_setup(test_initials, setup),
        cmocka_unit_test_setup(test_backspace_edits_pinyin_first, setup),
        cmocka_unit_test_setup(test_enter_commits_letters_as_typed, setup),
        cmocka_unit_test_setup(test_punctuation_fullwidth_in_chinese, setup),
        cmocka_unit_test_setup(test_punctuation_ascii_in_latin, setup),
        cmocka_unit_test_setup(test_shift_capitals, setup),
        cmocka_unit_test_setup(test_shift_in_pinyin_commits_then_capital, setup),
        cmocka_unit_test_setup(test_number_layer, setup),
        cmocka_unit_test_setup(test_digit_while_composing_commits_best_then_digit, setup),
        cmocka_unit_test_setup(test_paging_and_physical_digit_pick, setup),
        cmocka_unit_test_setup(test_physical_digit_one_picks_first, setup),
        cmocka_unit_test_setup(test_physical_text_single_letter_composes_burst_passes, setup),
        cmocka_unit_test_setup(test_lang_switch, setup),
        cmocka_unit_test(test_without_engine_letters_go_as_typed),
        cmocka_unit_test_setup(test_close_drops_composition, setup),
        cmocka_unit_test_setup(test_reset_wipes, setup),
        cmocka_unit_test_setup(test_composition_is_bounded_and_odd_keys_ignored, setup),
        cmocka_unit_test_setup(test_separator_key, setup),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
