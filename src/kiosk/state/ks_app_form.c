/* ks_app_form.c — the request (我要提诉求) and fallback (办不成事) form, the
 * fields' editing and validation, scanning an enterprise code, and the
 * submission's states up to the receipt (see ks_app.h). No I/O: the kiosk
 * runtime writes the outbox item when the phase is SAVE and reports the
 * daemon's answer back.
 *
 * Field rules mirror the daemon's (src/syncd/API.md, POST /api/v1/cases):
 * lengths in characters, the credit code through qf_uscc, the phone through
 * qf_phone — so what the form accepts the daemon accepts, and its reasons
 * are the same sentences. The text typed lives only in app->form and is
 * zeroed when the session ends (ks_app_form_wipe). */
#include "ks_app.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_mem.h"
#include "qf_phone.h"
#include "qf_text.h"
#include "qf_uscc.h"

/* Per field: the keyboard layer it opens, and its limits in characters. */
static const struct {
    ks_kb_layer layer;
    size_t min_chars, max_chars;
} ks_field_rules[KS_FIELD__COUNT] = {
    [KS_FIELD_ENTERPRISE]  = { KS_KB_PINYIN, 2, 100 },
    [KS_FIELD_USCC]        = { KS_KB_LATIN, 1, 24 },     /* 18 + room for spaces */
    [KS_FIELD_CONTACT]     = { KS_KB_PINYIN, 1, 50 },
    [KS_FIELD_MOBILE]      = { KS_KB_NUMBER, 1, 24 },
    [KS_FIELD_DESCRIPTION] = { KS_KB_PINYIN, 10, 1000 },
    [KS_FIELD_CASE_NO]     = { KS_KB_LATIN, 1, 20 },
    [KS_FIELD_PHONE4]      = { KS_KB_NUMBER, 4, 4 },
    [KS_FIELD_COMMENT]     = { KS_KB_PINYIN, 0, 500 },
};

static const struct {
    const char *code, *zh, *en;
} ks_fallback_names[KS_FALLBACK__COUNT] = {
    [KS_FALLBACK_NONE]          = { "", "", "" },
    [KS_FALLBACK_NO_PLACE]      = { "no_place", "无处受理", "Nowhere to apply" },
    [KS_FALLBACK_NO_LEAD]       = { "no_lead", "多部门无牵头", "Several departments, no lead" },
    [KS_FALLBACK_NO_PRECEDENT]  = { "no_precedent", "无先例", "No precedent" },
    [KS_FALLBACK_SPECIAL_GROUP] = { "special_group", "老幼孕残外特殊群体",
                                    "Elderly, children, pregnant, disabled, foreigners" },
    [KS_FALLBACK_OTHER]         = { "other", "其他非常规事项", "Other unusual matters" },
};

const char *ks_fallback_code(ks_fallback_cat cat)
{
    return cat > KS_FALLBACK_NONE && cat < KS_FALLBACK__COUNT ? ks_fallback_names[cat].code : NULL;
}

const char *ks_fallback_label(ks_fallback_cat cat, bool english)
{
    if (cat <= KS_FALLBACK_NONE || cat >= KS_FALLBACK__COUNT)
        return "";
    return english ? ks_fallback_names[cat].en : ks_fallback_names[cat].zh;
}

static size_t ks_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool ks_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\t')
            return false;
    return true;
}

/* QT + YYYYMMDD + - + 4 or 5 digits (the daemon's case numbers). */
static bool ks_case_no_ok(const char *s)
{
    size_t len = strlen(s);
    if ((len != 15 && len != 16) || s[0] != 'Q' || s[1] != 'T' || s[10] != '-')
        return false;
    for (size_t i = 2; i < len; i++)
        if (i != 10 && !isdigit((unsigned char)s[i]))
            return false;
    return true;
}

void ks_app_field_check(const ks_app *app, ks_field f, char *why, size_t len)
{
    const char *t = app->form.text[f];
    bool en = app->english;
    size_t n = ks_chars(t);
    why[0] = '\0';
    switch (f) {
    case KS_FIELD_ENTERPRISE:
        if (n < 2 || n > 100 || ks_blank(t))
            snprintf(why, len, "%s", en ? "Enter the enterprise's name (2 to 100 characters)."
                                        : "请填写企业名称（2至100个字）");
        break;
    case KS_FIELD_USCC: {
        qf_uscc_report rep;
        if (!*t) {
            snprintf(why, len, "%s", en ? "Enter the 18-character unified social credit code."
                                        : "请填写18位统一社会信用代码");
            break;
        }
        qf_uscc_inspect(t, &rep);
        if (rep.problem == QF_USCC_PROBLEM_NONE)
            break;
        if (rep.problem == QF_USCC_PROBLEM_LENGTH && rep.length < QF_USCC_LEN)
            snprintf(why, len, en ? "%zu more characters (18 in all)." : "还差%zu位（共18位）",
                     QF_USCC_LEN - rep.length);
        else if (en)
            qf_uscc_report_describe(&rep, why, len);
        else
            qf_uscc_report_describe_zh(&rep, why, len);
        break;
    }
    case KS_FIELD_CONTACT:
        if (n < 1 || n > 50 || ks_blank(t))
            snprintf(why, len, "%s", en ? "Enter a contact name (up to 50 characters)."
                                        : "请填写联系人姓名（不超过50个字）");
        break;
    case KS_FIELD_MOBILE:
        if (qf_phone_parse(t, NULL, NULL, 0, NULL, 0) != QF_OK)
            snprintf(why, len, "%s", en ? "Enter an 11-digit mobile number or a landline with "
                                          "its area code."
                                        : "请填写11位手机号码或带区号的固定电话");
        break;
    case KS_FIELD_DESCRIPTION:
        if (n < 10 || ks_blank(t))
            snprintf(why, len, en ? "Describe the matter in at least 10 characters (now %zu)."
                                  : "请至少写10个字（现在%zu个字）", n);
        else if (n > 1000)
            snprintf(why, len, en ? "At most 1000 characters (now %zu)."
                                  : "最多1000个字（现在%zu个字）", n);
        break;
    case KS_FIELD_CASE_NO:
        if (!ks_case_no_ok(t))
            snprintf(why, len, "%s", en ? "Enter the case number on your receipt, "
                                          "e.g. QT20261125-0001."
                                        : "请填写回执上的受理编号，如 QT20261125-0001");
        break;
    case KS_FIELD_PHONE4:
        if (strlen(t) != 4 || strspn(t, "0123456789") != 4)
            snprintf(why, len, "%s", en ? "Enter the last 4 digits of the phone number given."
                                        : "请输入预留电话的后4位数字");
        break;
    case KS_FIELD_COMMENT:
        if (n > 500)
            snprintf(why, len, en ? "At most 500 characters (now %zu)." : "最多500个字（现在%zu个字）",
                     n);
        break;
    default:
        break;
    }
}

/* Errors show once a field was left, and as you type for the fields a
 * citizen copies from a card (code, phone, number), where the reason helps
 * at once. An incomplete credit code shows how many are missing. */
static void ks_field_refresh(ks_app *app, ks_field f)
{
    bool live = f == KS_FIELD_USCC || f == KS_FIELD_MOBILE || f == KS_FIELD_CASE_NO ||
                f == KS_FIELD_PHONE4 || f == KS_FIELD_COMMENT;
    if (app->form.touched[f] || (live && app->form.text[f][0]))
        ks_app_field_check(app, f, app->form.error[f], sizeof app->form.error[f]);
    else
        app->form.error[f][0] = '\0';
}

static bool ks_screen_has_field(ks_screen s, ks_field f)
{
    if (s == KS_SCREEN_FORM)
        return f >= KS_FIELD_ENTERPRISE && f <= KS_FIELD_DESCRIPTION;
    if (s == KS_SCREEN_PROGRESS)
        return f == KS_FIELD_CASE_NO || f == KS_FIELD_PHONE4 || f == KS_FIELD_COMMENT;
    if (s == KS_SCREEN_RATE)
        return f == KS_FIELD_COMMENT;
    return false;
}

void ks_app_field_focus(ks_app *app, ks_field f)
{
    ks_app_form *fm = &app->form;
    if (f != KS_FIELD_NONE && (f < 0 || f >= KS_FIELD__COUNT ||
                               !ks_screen_has_field(ks_app_screen(app), f)))
        return;
    if (fm->focus != KS_FIELD_NONE && fm->focus != f) {
        fm->touched[fm->focus] = true;
        ks_field_refresh(app, fm->focus);
    }
    fm->focus = f;
    if (f == KS_FIELD_NONE) {
        ks_keyboard_close(&app->kb);
    } else {
        fm->scan_mark = strlen(fm->text[f]);
        ks_kb_layer layer = ks_field_rules[f].layer;
        if (layer == KS_KB_PINYIN && !app->kb.ime)
            layer = KS_KB_LATIN;
        ks_keyboard_open(&app->kb, layer);
        app->kb.shift = f == KS_FIELD_USCC || f == KS_FIELD_CASE_NO;
    }
    ks_app_notify(app, KS_CHANGE_FORM | KS_CHANGE_KEYBOARD | KS_CHANGE_PROGRESS);
}

/* Appends what fits: whole characters only, within the field's byte and
 * character limits; control characters are dropped (line breaks only in
 * the description). Codes and case numbers are upper case. */
static void ks_field_append(ks_app *app, ks_field f, const char *s)
{
    char *t = app->form.text[f];
    size_t len = strlen(t), chars = ks_chars(t), max = ks_field_rules[f].max_chars;
    bool upper = f == KS_FIELD_USCC || f == KS_FIELD_CASE_NO;
    /* Longer than any limit a field allows, so an overflow is visible as
     * "too long" rather than silently cut — except the short fixed ones. */
    if (f == KS_FIELD_DESCRIPTION || f == KS_FIELD_COMMENT || f == KS_FIELD_ENTERPRISE ||
        f == KS_FIELD_CONTACT)
        max += 1;
    while (*s && chars < max) {
        uint32_t cp;
        size_t n = qf_utf8_decode(s, strlen(s), &cp);
        if (n == 0)
            break;
        bool ctrl = cp < 0x20 || cp == 0x7F;
        if (ctrl && !(cp == '\n' && f == KS_FIELD_DESCRIPTION)) {
            s += n;
            continue;
        }
        if (f == KS_FIELD_PHONE4 && !(cp >= '0' && cp <= '9')) {
            s += n;
            continue;
        }
        if (len + n >= KS_FIELD_TEXT_MAX)
            break;
        memcpy(t + len, s, n);
        if (upper && n == 1)
            t[len] = (char)toupper((unsigned char)t[len]);
        len += n;
        chars++;
        s += n;
    }
    t[len] = '\0';
}

static void ks_field_backspace(char *t)
{
    size_t len = strlen(t);
    while (len > 0 && ((unsigned char)t[len - 1] & 0xC0) == 0x80)
        len--;
    if (len > 0)
        len--;
    t[len] = '\0';
}

static ks_field ks_field_next(const ks_app *app, ks_field f)
{
    ks_screen s = ks_app_screen(app);
    if (s == KS_SCREEN_FORM && f < KS_FIELD_DESCRIPTION)
        return (ks_field)(f + 1);
    if (s == KS_SCREEN_PROGRESS && f == KS_FIELD_CASE_NO)
        return KS_FIELD_PHONE4;
    return KS_FIELD_NONE;
}

void ks_app_field_edit(ks_app *app, const ks_kb_out *out)
{
    ks_app_form *fm = &app->form;
    ks_field f = fm->focus;
    unsigned changes = KS_CHANGE_KEYBOARD;
    if (f != KS_FIELD_NONE) {
        if (out->commit[0])
            ks_field_append(app, f, out->commit);
        if (out->backspace)
            ks_field_backspace(fm->text[f]);
        if (out->commit[0] || out->backspace) {
            ks_field_refresh(app, f);
            changes |= KS_CHANGE_FORM | KS_CHANGE_PROGRESS;
        }
    }
    ks_app_notify(app, changes);
    if (out->close) {
        ks_app_field_focus(app, KS_FIELD_NONE);
    } else if (out->enter && f != KS_FIELD_NONE) {
        ks_field next = ks_field_next(app, f);
        if (next == KS_FIELD_NONE && f == KS_FIELD_PHONE4 &&
            ks_app_screen(app) == KS_SCREEN_PROGRESS) {
            ks_app_field_focus(app, KS_FIELD_NONE);
            ks_app_progress_lookup(app);
        } else {
            ks_app_field_focus(app, next);
        }
    }
}

void ks_app_key(ks_app *app, const char *key)
{
    ks_kb_out out;
    ks_keyboard_press(&app->kb, key, &out);
    ks_app_field_edit(app, &out);
}

void ks_app_text(ks_app *app, const char *text)
{
    ks_kb_out out;
    if (app->form.focus == KS_FIELD_NONE)
        return;
    ks_keyboard_text(&app->kb, text, &out);
    /* A physical keyboard composes too: the candidates are in the panel. */
    if (ks_keyboard_composing(&app->kb))
        app->kb.open = true;
    ks_app_field_edit(app, &out);
}

void ks_app_candidate(ks_app *app, size_t i)
{
    ks_kb_out out;
    ks_keyboard_pick(&app->kb, i, &out);
    ks_app_field_edit(app, &out);
}

void ks_app_candidate_page(ks_app *app, bool next)
{
    if (next ? ks_keyboard_page_next(&app->kb) : ks_keyboard_page_prev(&app->kb))
        ks_app_notify(app, KS_CHANGE_KEYBOARD);
}

/* The first 18-character run of [0-9A-Z] (after upper-casing) that is a
 * valid credit code. */
static bool ks_find_uscc(const char *s, char out[QF_USCC_LEN + 1])
{
    size_t len = strlen(s);
    for (size_t i = 0; i + QF_USCC_LEN <= len; i++) {
        char cand[QF_USCC_LEN + 1];
        size_t k;
        for (k = 0; k < QF_USCC_LEN; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if (!isalnum(c))
                break;
            cand[k] = (char)toupper(c);
        }
        if (k < QF_USCC_LEN)
            continue;
        cand[QF_USCC_LEN] = '\0';
        if (qf_uscc_validate(cand, out, NULL, NULL, 0) == QF_OK)
            return true;
    }
    return false;
}

/* The first case number in s (a receipt's tracking URL carries one). */
static bool ks_find_case_no(const char *s, char *out, size_t outlen)
{
    for (const char *p = strstr(s, "QT"); p; p = strstr(p + 1, "QT")) {
        char cand[17];
        size_t n = 0;
        while (n < 16 && p[n] && (isdigit((unsigned char)p[n]) || p[n] == 'Q' || p[n] == 'T' ||
                                  p[n] == '-'))
            n++;
        memcpy(cand, p, n);
        cand[n] = '\0';
        if (n > 15 && !isdigit((unsigned char)cand[15]))
            cand[15] = '\0';
        if (ks_case_no_ok(cand) || (cand[15] = '\0', ks_case_no_ok(cand))) {
            snprintf(out, outlen, "%s", cand);
            return true;
        }
    }
    return false;
}

/* An enterprise code's name: a JSON payload's "name" / "entName" /
 * "企业名称" member, when it is JSON at all. */
static void ks_scan_name(const char *s, char *out, size_t outlen)
{
    static const char *const keys[] = { "name", "entName", "enterprise_name", "企业名称" };
    const char *brace = strchr(s, '{');   /* text typed before it is no part of it */
    json_t *root = brace ? json_loads(brace, JSON_REJECT_DUPLICATES, NULL) : NULL;
    out[0] = '\0';
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !out[0]; i++) {
        const char *v = json_string_value(json_object_get(root, keys[i]));
        if (v)
            snprintf(out, outlen, "%s", v);
    }
    json_decref(root);
}

bool ks_app_scan(ks_app *app, const char *text)
{
    ks_app_form *fm = &app->form;
    ks_screen s = ks_app_screen(app);
    char code[QF_USCC_LEN + 1], no[32], name[KS_FIELD_TEXT_MAX];
    bool used = false;

    if (s == KS_SCREEN_PROGRESS && ks_find_case_no(text, no, sizeof no)) {
        snprintf(fm->text[KS_FIELD_CASE_NO], sizeof fm->text[0], "%s", no);
        used = true;
    } else if (s == KS_SCREEN_FORM && ks_find_uscc(text, code)) {
        snprintf(fm->text[KS_FIELD_USCC], sizeof fm->text[0], "%s", code);
        ks_scan_name(text, name, sizeof name);
        if (name[0])
            snprintf(fm->text[KS_FIELD_ENTERPRISE], sizeof fm->text[0], "%s", name);
        used = true;
    }
    if (!used)
        return false;
    /* The scanner typed into whatever had the focus: take that back out
     * unless it is the field the payload belongs in. */
    if (fm->focus != KS_FIELD_NONE && fm->focus != KS_FIELD_USCC &&
        fm->focus != KS_FIELD_CASE_NO) {
        /* The field may have cut the burst at its length limit: take back
         * the longest start of the burst that the field ends with. */
        char *t = fm->text[fm->focus];
        size_t tl = strlen(t), xl = strlen(text);
        for (size_t k = tl < xl ? tl : xl; k > 0; k--) {
            if (memcmp(t + tl - k, text, k) == 0) {
                t[tl - k] = '\0';
                break;
            }
        }
    }
    for (int f = 0; f < KS_FIELD__COUNT; f++)
        ks_field_refresh(app, (ks_field)f);
    if (s == KS_SCREEN_FORM) {
        fm->touched[KS_FIELD_USCC] = true;
        ks_field_refresh(app, KS_FIELD_USCC);
    }
    ks_app_notify(app, KS_CHANGE_FORM | KS_CHANGE_PROGRESS);
    if (s == KS_SCREEN_PROGRESS)
        ks_app_field_focus(app, KS_FIELD_PHONE4);   /* the number is in: now the digits */
    return true;
}

void ks_app_form_open(ks_app *app, bool fallback)
{
    ks_app_form *fm = &app->form;
    if (fm->submitted == 0) {
        char helper[sizeof fm->helper_id];
        memcpy(helper, fm->helper_id, sizeof helper);
        ks_app_form_wipe(app);
        memcpy(fm->helper_id, helper, sizeof helper);
    } else {
        /* Another issue of the same visit: the firm and the contact stay. */
        qf_wipe(fm->text[KS_FIELD_DESCRIPTION], sizeof fm->text[0]);
        memset(fm->error, 0, sizeof fm->error);
        memset(fm->touched, 0, sizeof fm->touched);
        fm->board_id[0] = '\0';
        fm->category = KS_FALLBACK_NONE;
        fm->choose_error[0] = '\0';
    }
    fm->fallback = fallback;
    fm->phase = KS_FORM_EDIT;
    fm->focus = KS_FIELD_NONE;
    fm->ref[0] = fm->case_no[0] = fm->refusal[0] = '\0';
    ks_keyboard_close(&app->kb);
    ks_app_push(app, KS_SCREEN_FORM);
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_FORM | KS_CHANGE_KEYBOARD);
}

void ks_app_form_board(ks_app *app, const char *board_id)
{
    if (app->form.phase != KS_FORM_EDIT || !app->catalog ||
        !qf_catalog_board_get(app->catalog, board_id))
        return;
    snprintf(app->form.board_id, sizeof app->form.board_id, "%s", board_id);
    app->form.choose_error[0] = '\0';
    ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_form_category(ks_app *app, ks_fallback_cat cat)
{
    if (app->form.phase != KS_FORM_EDIT || !app->form.fallback || !ks_fallback_code(cat))
        return;
    app->form.category = cat;
    app->form.choose_error[0] = '\0';
    ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_form_agree_toggle(ks_app *app)
{
    if (app->form.phase != KS_FORM_EDIT)
        return;
    app->form.agreed = !app->form.agreed;
    app->form.choose_error[0] = '\0';
    ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_form_privacy_toggle(ks_app *app)
{
    app->form.privacy_open = !app->form.privacy_open;
    ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_form_review(ks_app *app)
{
    ks_app_form *fm = &app->form;
    ks_field first = KS_FIELD_NONE;
    if (fm->phase != KS_FORM_EDIT || ks_app_screen(app) != KS_SCREEN_FORM)
        return;
    ks_app_field_focus(app, KS_FIELD_NONE);
    for (int f = KS_FIELD_ENTERPRISE; f <= KS_FIELD_DESCRIPTION; f++) {
        fm->touched[f] = true;
        ks_app_field_check(app, (ks_field)f, fm->error[f], sizeof fm->error[f]);
        if (fm->error[f][0] && first == KS_FIELD_NONE)
            first = (ks_field)f;
    }
    fm->choose_error[0] = '\0';
    if (!fm->fallback && !fm->board_id[0])
        snprintf(fm->choose_error, sizeof fm->choose_error, "%s",
                 app->english ? "Choose the board your request belongs to." : "请选择诉求所属的服务板块");
    else if (fm->fallback && fm->category == KS_FALLBACK_NONE)
        snprintf(fm->choose_error, sizeof fm->choose_error, "%s",
                 app->english ? "Choose what kind of difficulty it is." : "请选择办不成事的类型");
    else if (!fm->agreed)
        snprintf(fm->choose_error, sizeof fm->choose_error, "%s",
                 app->english ? "Please read and agree to the privacy notice."
                              : "请阅读并同意个人信息使用说明");
    if (first != KS_FIELD_NONE || fm->choose_error[0]) {
        ks_app_notify(app, KS_CHANGE_FORM);
        return;
    }
    fm->phase = KS_FORM_REVIEW;
    ks_app_push(app, KS_SCREEN_REVIEW);
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_FORM);
}

void ks_app_form_edit(ks_app *app)
{
    if (ks_app_screen(app) != KS_SCREEN_REVIEW || app->form.phase != KS_FORM_REVIEW)
        return;
    app->form.phase = KS_FORM_EDIT;
    app->depth--;
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_FORM);
}

void ks_app_form_submit(ks_app *app)
{
    if (ks_app_screen(app) != KS_SCREEN_REVIEW || app->form.phase != KS_FORM_REVIEW)
        return;
    app->form.phase = KS_FORM_SAVE;
    ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_form_saved(ks_app *app, const char *ref, uint64_t now_ms)
{
    ks_app_form *fm = &app->form;
    if (fm->phase != KS_FORM_SAVE)
        return;
    snprintf(fm->ref, sizeof fm->ref, "%s", ref);
    fm->submitted++;
    fm->sent_ms = now_ms;
    /* Without a link there is nothing to wait for: say "saved" at once. */
    fm->phase = app->server && app->online ? KS_FORM_SENDING : KS_FORM_SAVED;
    /* The description was sent; it is not needed on screen any more. */
    qf_wipe(fm->text[KS_FIELD_DESCRIPTION], sizeof fm->text[0]);
    ks_app_reset_to(app, KS_SCREEN_HOME);
    ks_app_push(app, KS_SCREEN_RECEIPT);
    ks_app_notify(app, KS_CHANGE_SCREEN | KS_CHANGE_FORM);
}

void ks_app_form_save_failed(ks_app *app, const char *why)
{
    if (app->form.phase != KS_FORM_SAVE)
        return;
    app->form.phase = KS_FORM_FAILED;
    snprintf(app->form.refusal, sizeof app->form.refusal, "%s", why ? why : "");
    ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_form_delivered(ks_app *app, const char *ref, bool ok, const char *case_no,
                           const char *tracking_url, const char *mobile_masked,
                           const char *submitted_at, const char *rule, const char *why)
{
    ks_app_form *fm = &app->form;
    if (!ref || !fm->ref[0] || strcmp(ref, fm->ref) != 0 ||
        (fm->phase != KS_FORM_SENDING && fm->phase != KS_FORM_SAVED))
        return;
    if (ok) {
        fm->phase = KS_FORM_ACCEPTED;
        memset(&fm->receipt_print, 0, sizeof fm->receipt_print);   /* a new case, a new slip */
        snprintf(fm->case_no, sizeof fm->case_no, "%s", case_no ? case_no : "");
        snprintf(fm->tracking_url, sizeof fm->tracking_url, "%s", tracking_url ? tracking_url : "");
        snprintf(fm->mobile_masked, sizeof fm->mobile_masked, "%s",
                 mobile_masked ? mobile_masked : "");
        snprintf(fm->submitted_at, sizeof fm->submitted_at, "%s", submitted_at ? submitted_at : "");
        snprintf(fm->rule, sizeof fm->rule, "%s", rule ? rule : "");
    } else {
        fm->phase = KS_FORM_REFUSED;
        snprintf(fm->refusal, sizeof fm->refusal, "%s", why ? why : "");
    }
    ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_form_another(ks_app *app)
{
    bool fallback = app->form.fallback;
    ks_app_reset_to(app, KS_SCREEN_HOME);
    ks_app_form_open(app, fallback);
}

/* ---- 打印回执 ------------------------------------------------------------- */

void ks_app_receipt_print(ks_app *app)
{
    if (ks_app_screen(app) != KS_SCREEN_RECEIPT || app->form.phase != KS_FORM_ACCEPTED ||
        !ks_slip_ask(&app->form.receipt_print))
        return;    /* one slip per case; again only after one that did not print */
    ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_receipt_print_started(ks_app *app, uint64_t job, uint64_t now_ms,
                                  uint32_t timeout_ms)
{
    if (ks_slip_started(&app->form.receipt_print, job, now_ms, timeout_ms))
        ks_app_notify(app, KS_CHANGE_FORM);
}

void ks_app_receipt_printed(ks_app *app, uint64_t job, bool printed, const char *printer_status,
                            uint64_t now_ms)
{
    (void)now_ms;
    if (ks_slip_printed(&app->form.receipt_print, job, printed, printer_status))
        ks_app_notify(app, KS_CHANGE_FORM);
}

bool ks_app_form_tick(ks_app *app, uint64_t now_ms)
{
    ks_app_form *fm = &app->form;
    if (ks_slip_tick(&fm->receipt_print, now_ms))   /* given up: never 已打印 */
        ks_app_notify(app, KS_CHANGE_FORM);
    if (fm->phase != KS_FORM_SENDING || now_ms < fm->sent_ms + KS_FORM_ACK_WAIT_MS)
        return false;
    fm->phase = KS_FORM_SAVED;
    ks_app_notify(app, KS_CHANGE_FORM);
    return true;
}

uint32_t ks_app_form_deadline_ms(const ks_app *app, uint64_t now_ms)
{
    const ks_app_form *fm = &app->form;
    if (fm->receipt_print.phase == KS_PRINT_PRINTING)
        return ks_slip_deadline_ms(&fm->receipt_print, now_ms);
    if (fm->phase != KS_FORM_SENDING)
        return UINT32_MAX;
    uint64_t due = fm->sent_ms + KS_FORM_ACK_WAIT_MS;
    return due > now_ms ? (uint32_t)(due - now_ms) : 0;
}

void ks_app_form_wipe(ks_app *app)
{
    /* qf_wipe: the compiler may not drop it as a dead store. */
    qf_wipe(&app->form, sizeof app->form);
    app->form.focus = KS_FIELD_NONE;
    qf_wipe(&app->progress, sizeof app->progress);
    app->progress.resolved = -1;
    qf_wipe(&app->rate, sizeof app->rate);
    ks_ime *ime = app->kb.ime;      /* the engine stays loaded */
    ks_keyboard_reset(&app->kb);
    ks_keyboard_set_ime(&app->kb, ime);
}

qf_err ks_app_form_body(const ks_app *app, char **out)
{
    const ks_app_form *fm = &app->form;
    json_t *o = json_object();
    qf_err rc = QF_ERR_NOMEM;
    *out = NULL;
    if (!o)
        return rc;
    if (json_object_set_new(o, "kind", json_string(fm->fallback ? "fallback" : "request")) ||
        (fm->board_id[0] && json_object_set_new(o, "board", json_string(fm->board_id))) ||
        (fm->fallback &&
         json_object_set_new(o, "fallback_category", json_string(ks_fallback_code(fm->category) ?
                                                                 ks_fallback_code(fm->category) :
                                                                 "other"))) ||
        json_object_set_new(o, "channel", json_string(fm->helper_id[0] ? "helper" : "kiosk")) ||
        json_object_set_new(o, "enterprise_name", json_string(fm->text[KS_FIELD_ENTERPRISE])) ||
        json_object_set_new(o, "credit_code", json_string(fm->text[KS_FIELD_USCC])) ||
        json_object_set_new(o, "contact_name", json_string(fm->text[KS_FIELD_CONTACT])) ||
        json_object_set_new(o, "mobile", json_string(fm->text[KS_FIELD_MOBILE])) ||
        json_object_set_new(o, "description", json_string(fm->text[KS_FIELD_DESCRIPTION])) ||
        (fm->helper_id[0] && json_object_set_new(o, "helper_id", json_string(fm->helper_id))))
        goto done;
    *out = json_dumps(o, JSON_COMPACT);
    rc = *out ? QF_OK : QF_ERR_NOMEM;
done:
    json_decref(o);
    return rc;
}
