/* h_public.c — the two pages a citizen reaches by scanning a slip's QR code
 * with a phone, without any token:
 *
 *   GET /track/{no}[?phone4=NNNN][&format=json]   a case receipt's QR
 *   GET /queue/{number}[?hall=HALL]               a ticket slip's QR
 *
 * Both answer small, mobile-friendly HTML (UTF-8, Chinese first, English
 * second) with no script at all: the Content-Security-Policy allows
 * nothing but the page's one inline style block (by its SHA-256) and form
 * submission to this origin. Every value that reaches the page goes
 * through sd_html_esc.
 *
 * Privacy of /track: the number alone reveals nothing — without phone4 the
 * page is a form asking for the last four digits of the phone given at
 * submission, the same whether the case exists or not. With phone4 the
 * look-up follows GET /api/v1/cases/{no} exactly: the same store calls, the
 * same per-case rate-limit bucket ("case:<no>", 10 a minute; a guess costs
 * a token whether right or wrong) and one not-found page, byte for byte,
 * for an unknown number, a malformed one and wrong digits. ?format=json is
 * answered by that API handler itself. The page shows the status, the
 * times, the public timeline (labels and the notes staff marked public) and
 * the masked phone — never the enterprise, the credit code or who handled
 * it.
 *
 * /queue: ticket numbers are not personal data. The slip encodes
 * public_url + "/queue/" + number (kiosk app.c, qifu-ctl print), so the
 * hall is the daemon's own unless ?hall= names another, and the day is
 * today (Asia/Shanghai). Per-address rate limiting of both routes is the
 * dispatcher's (SD_ALLOW_PUBLIC). */
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h_body.h"
#include "qf_case.h"
#include "qf_log.h"
#include "qf_phone.h"
#include "ratelimit.h"
#include "reply.h"
#include "routes.h"
#include "store_cases.h"
#include "store_public.h"
#include "store_queues.h"

/* The per-case look-up bucket is h_body.h's (key "case:<no>"): the page
 * and the API share it, so switching between them buys a guesser nothing. */
#define SD_HTML_MAX (1024 * 1024)    /* a page never grows past this (a long timeline) */
#define SD_QUEUE_REFRESH_S 30        /* the queue page reloads itself */

/* ---- building a page ------------------------------------------------------ */

/* A growable page buffer capped at SD_HTML_MAX. Any failure (memory, cap)
 * sets failed; the page is then answered with 500 instead. Ownership: buf
 * is freed by sd_html_cleanup. */
typedef struct sd_html {
    char *buf;
    size_t len, cap;
    bool failed;
} sd_html;

static void sd_html_cleanup(sd_html *h)
{
    free(h->buf);
    memset(h, 0, sizeof *h);
}

static void sd_html_raw(sd_html *h, const char *s, size_t n)
{
    if (h->failed)
        return;
    if (h->len + n + 1 > h->cap) {
        size_t ncap = h->cap ? h->cap : 4096;
        char *grown;
        while (ncap < h->len + n + 1)
            ncap *= 2;
        if (ncap > SD_HTML_MAX || !(grown = realloc(h->buf, ncap))) {
            h->failed = true;
            return;
        }
        h->buf = grown;
        h->cap = ncap;
    }
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len] = '\0';
}

/* Trusted markup (literals of this file). */
static void sd_html_put(sd_html *h, const char *s) { sd_html_raw(h, s, strlen(s)); }

/* Text from anywhere else: the five characters that matter in content and
 * in quoted attributes become entities. */
static void sd_html_esc(sd_html *h, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *ent = NULL;
        switch (*s) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: continue;
        }
        sd_html_raw(h, run, (size_t)(s - run));
        sd_html_put(h, ent);
        run = s + 1;
    }
    sd_html_raw(h, run, (size_t)(s - run));
}

/* Formatted trusted markup; %s arguments must be trusted too (numbers,
 * this file's literals). */
static void sd_html_fmt(sd_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sd_html_fmt(sd_html *h, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) {
        h->failed = true;
        return;
    }
    sd_html_raw(h, buf, (size_t)n);
}

/* One style block for every page; the CSP names it by hash, so no other
 * style (and no script) can run even if escaping ever failed. */
static const char sd_public_css[] =
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"PingFang SC\",\"Noto Sans CJK SC\","
    "sans-serif;background:#f4f6f8;color:#1a1a1a}"
    "main{max-width:32rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.25rem;margin:.5rem 0 1rem}"
    ".en{display:block;color:#5a6570;font-size:.875rem;font-weight:400}"
    ".card{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    ".big{font-size:2.5rem;font-weight:700;letter-spacing:.05em}"
    ".status{font-size:1.25rem;font-weight:700;color:#0b5cad}"
    ".warn{color:#b3261e;font-weight:700}"
    "dl{margin:0}dt{color:#5a6570;font-size:.875rem}dd{margin:0 0 .75rem}"
    "ol{padding-left:1.25rem;margin:0}li{margin:0 0 .75rem}"
    ".note{white-space:pre-wrap;background:#f4f6f8;padding:.5rem;border-radius:.25rem;margin:.25rem 0 0}"
    "label{display:block;margin:0 0 .5rem}"
    "input{font-size:1.5rem;width:6em;padding:.25rem .5rem;letter-spacing:.2em}"
    "button{display:block;font-size:1.125rem;padding:.5rem 1.5rem;margin-top:.75rem;"
    "background:#0b5cad;color:#fff;border:0;border-radius:.25rem}"
    ".err{color:#b3261e}";

static char sd_public_csp[256];
static pthread_once_t sd_public_csp_once = PTHREAD_ONCE_INIT;

static void sd_public_csp_init(void)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                        sodium_base64_VARIANT_ORIGINAL)];
    /* sodium_init is idempotent. Should it fail, the policy allows no
     * style at all, which only makes the page plain. */
    if (sodium_init() < 0) {
        snprintf(sd_public_csp, sizeof sd_public_csp,
                 "default-src 'none'; form-action 'self'; base-uri 'none'; "
                 "frame-ancestors 'none'");
        return;
    }
    crypto_hash_sha256(digest, (const unsigned char *)sd_public_css, sizeof sd_public_css - 1);
    sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    snprintf(sd_public_csp, sizeof sd_public_csp,
             "default-src 'none'; style-src 'sha256-%s'; form-action 'self'; base-uri 'none'; "
             "frame-ancestors 'none'",
             b64);
}

/* Opens a page: head with title and, when refresh_s > 0, a reload. */
static void sd_html_begin(sd_html *h, const char *title, int refresh_s)
{
    sd_html_put(h, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                   "<meta name=\"referrer\" content=\"no-referrer\">");
    if (refresh_s > 0)
        sd_html_fmt(h, "<meta http-equiv=\"refresh\" content=\"%d\">", refresh_s);
    sd_html_put(h, "<title>");
    sd_html_esc(h, title);
    sd_html_put(h, "</title><style>");
    sd_html_put(h, sd_public_css);
    sd_html_put(h, "</style></head><body><main>");
}

static void sd_html_end(sd_html *h) { sd_html_put(h, "</main></body></html>\n"); }

/* A heading: Chinese, then English on its own line. */
static void sd_html_h1(sd_html *h, const char *zh, const char *en)
{
    sd_html_put(h, "<h1>");
    sd_html_esc(h, zh);
    sd_html_put(h, "<span class=\"en\">");
    sd_html_esc(h, en);
    sd_html_put(h, "</span></h1>");
}

/* A "<dt>zh <span>en</span></dt>" term. */
static void sd_html_dt(sd_html *h, const char *zh, const char *en)
{
    sd_html_put(h, "<dt>");
    sd_html_esc(h, zh);
    sd_html_put(h, " · ");
    sd_html_esc(h, en);
    sd_html_put(h, "</dt>");
}

/* "2026-11-24 09:30" (Asia/Shanghai) of t. */
static void sd_public_time(qf_instant t, char *buf, size_t len)
{
    char iso[32];
    qf_clock_format_iso8601(t, iso, sizeof iso);
    /* ISO 8601 with +08:00: YYYY-MM-DDTHH:MM:SS+08:00 */
    snprintf(buf, len, "%.10s %.5s", iso, strlen(iso) >= 16 ? iso + 11 : "");
}

/* Sends the page (copied) with the headers every public page carries;
 * retry_after (or NULL) becomes Retry-After. Frees nothing: the caller
 * cleans h up. */
static int sd_html_send(sd_request *req, unsigned status, sd_html *h, const char *retry_after)
{
    pthread_once(&sd_public_csp_once, sd_public_csp_init);
    if (h->failed || !h->buf) {
        static const char oops[] = "internal error\n";
        qf_error("public page %s: the page could not be built", req->route);
        return sd_reply_bytes(req, 500, "text/plain; charset=utf-8", oops, sizeof oops - 1, 1,
                              MHD_HTTP_HEADER_CACHE_CONTROL, "no-store", NULL);
    }
    return sd_reply_bytes(req, status, "text/html; charset=utf-8", h->buf, h->len, 0,
                          MHD_HTTP_HEADER_CACHE_CONTROL, "no-store",
                          "Content-Security-Policy", sd_public_csp,
                          "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer",
                          "X-Frame-Options", "DENY",
                          retry_after ? MHD_HTTP_HEADER_RETRY_AFTER : NULL, retry_after, NULL);
}

/* A page with one message card (errors, not found, rate limited). */
static int sd_public_message(sd_request *req, unsigned status, const char *zh_title,
                             const char *en_title, const char *zh, const char *en,
                             const char *retry_after, bool with_phone4_form)
{
    sd_html h = { 0 };
    int rc;

    sd_html_begin(&h, zh_title, 0);
    sd_html_h1(&h, zh_title, en_title);
    sd_html_put(&h, "<div class=\"card\"><p>");
    sd_html_esc(&h, zh);
    sd_html_put(&h, "<span class=\"en\">");
    sd_html_esc(&h, en);
    sd_html_put(&h, "</span></p></div>");
    if (with_phone4_form)
        /* No action: the browser submits to this page's own path, so the
         * page need not (and does not) repeat the number. */
        sd_html_put(&h, "<form method=\"get\" class=\"card\"><label for=\"p4\">请重新输入预留手机号"
                        "后4位<span class=\"en\">Try the last 4 digits of the phone again</span>"
                        "</label><input id=\"p4\" name=\"phone4\" inputmode=\"numeric\" "
                        "pattern=\"[0-9]{4}\" maxlength=\"4\" autocomplete=\"off\" required>"
                        "<button type=\"submit\">查询 Look up</button></form>");
    sd_html_end(&h);
    rc = sd_html_send(req, status, &h, retry_after);
    sd_html_cleanup(&h);
    return rc;
}

static int sd_public_unavailable(sd_request *req, qf_err e)
{
    qf_error("public page %s: the store failed: %s", req->route, qf_err_str(e));
    return sd_public_message(req, 503, "暂时无法查询", "Temporarily unavailable",
                             "系统暂时无法查询，请稍后再试。",
                             "The service cannot answer right now; please try again later.",
                             NULL, false);
}

/* ---- GET /track/{no} ----------------------------------------------------- */

static const char *const sd_track_status_en[QF_CASE_STATUS__COUNT] = {
    [QF_CASE_SUBMITTED] = "Submitted, awaiting assignment",
    [QF_CASE_IN_PROGRESS] = "In progress",
    [QF_CASE_LEAD_FINISHED] = "Finished, awaiting your feedback",
    [QF_CASE_CLOSED] = "Closed",
    [QF_CASE_WITHDRAWN] = "Withdrawn",
};

static const char *const sd_track_event_en[QF_CASE_EV__COUNT] = {
    [QF_CASE_EV_TRIAGE] = "Assigned",     [QF_CASE_EV_REPLY] = "Replied",
    [QF_CASE_EV_TRANSFER] = "Transferred", [QF_CASE_EV_ESCALATE] = "Escalated",
    [QF_CASE_EV_FINISH] = "Finished",     [QF_CASE_EV_RESOLVED] = "Resolved",
    [QF_CASE_EV_UNRESOLVED] = "Not resolved", [QF_CASE_EV_WITHDRAW] = "Withdrawn",
    [QF_CASE_EV_REASSIGN] = "Reassigned",
};


/* The one answer for an unknown number, a malformed one and wrong digits:
 * nothing in it depends on which. */
static int sd_track_not_found(sd_request *req)
{
    return sd_public_message(req, 404, "未找到诉求", "Not found",
                             "没有与该编号和手机号后4位相符的诉求。请核对回执上的编号和预留手机号。",
                             "No case matches that number and those phone digits. Check the "
                             "number on your receipt and the phone you gave.",
                             NULL, true);
}

/* The form: asks for phone4. bad: phone4 was given but is not 4 digits. */
static int sd_track_form(sd_request *req, const char *no, bool bad)
{
    sd_html h = { 0 };
    int rc;

    sd_html_begin(&h, "诉求办理进度查询", 0);
    sd_html_h1(&h, "诉求办理进度查询", "Track your request");
    sd_html_put(&h, "<form method=\"get\" class=\"card\">");
    if (sd_case_no_valid(no)) { /* shape only: says nothing of existence */
        sd_html_put(&h, "<p>编号 · Number: <strong>");
        sd_html_esc(&h, no);
        sd_html_put(&h, "</strong></p>");
    }
    if (bad)
        sd_html_put(&h, "<p class=\"err\">请输入4位数字。<span class=\"en\">Please enter 4 "
                        "digits.</span></p>");
    sd_html_put(&h, "<label for=\"p4\">请输入提交时预留手机号的后4位<span class=\"en\">Enter "
                    "the last 4 digits of the phone number you gave</span></label>"
                    "<input id=\"p4\" name=\"phone4\" inputmode=\"numeric\" pattern=\"[0-9]{4}\" "
                    "maxlength=\"4\" autocomplete=\"off\" required autofocus>"
                    "<button type=\"submit\">查询 Look up</button></form>");
    sd_html_end(&h);
    rc = sd_html_send(req, bad ? 400 : 200, &h, NULL);
    sd_html_cleanup(&h);
    return rc;
}

/* The public timeline: when, what (Chinese, English) and the public note. */
static void sd_track_timeline(sd_html *h, json_t *events)
{
    json_t *ev;
    size_t i;

    sd_html_put(h, "<div class=\"card\"><dl>");
    sd_html_dt(h, "办理记录", "Timeline");
    sd_html_put(h, "</dl><ol>");
    json_array_foreach(events, i, ev) {
        const char *event = json_string_value(json_object_get(ev, "event"));
        json_t *note = json_object_get(json_object_get(ev, "detail"), "note");
        const char *zh = "更新", *en = "Update";
        qf_case_event_type type;
        char when[32];

        if (!event)
            continue;
        if (strcmp(event, "submit") == 0) {
            zh = "已提交";
            en = "Submitted";
        } else if (qf_case_event_parse(event, &type) == QF_OK) {
            zh = qf_case_event_label(type);
            en = sd_track_event_en[type] ? sd_track_event_en[type] : "Update";
        }
        sd_public_time((qf_instant)json_integer_value(json_object_get(ev, "at")), when,
                       sizeof when);
        sd_html_put(h, "<li><time>");
        sd_html_esc(h, when);
        sd_html_put(h, "</time> <strong>");
        sd_html_esc(h, zh);
        sd_html_put(h, "</strong> ");
        sd_html_esc(h, en);
        if (json_is_string(note) && json_string_length(note) > 0) {
            sd_html_put(h, "<p class=\"note\">");
            sd_html_esc(h, json_string_value(note));
            sd_html_put(h, "</p>");
        }
        sd_html_put(h, "</li>");
    }
    sd_html_put(h, "</ol></div>");
}

static int sd_track_page(sd_request *req, const sd_case *c, json_t *events)
{
    const qf_case_state *st = &c->state;
    char when[32], masked[QF_PHONE_MASK_MAX];
    sd_html h = { 0 };
    int rc;

    if (qf_phone_mask(c->mobile, masked, sizeof masked) != QF_OK)
        masked[0] = '\0';
    sd_html_begin(&h, "诉求办理进度", 0);
    sd_html_h1(&h, "诉求办理进度", "Request status");
    sd_html_put(&h, "<div class=\"card\"><dl>");
    sd_html_dt(&h, "编号", "Number");
    sd_html_put(&h, "<dd>");
    sd_html_esc(&h, c->no);
    sd_html_put(&h, "</dd>");
    sd_html_dt(&h, "状态", "Status");
    sd_html_put(&h, "<dd class=\"status\">");
    sd_html_esc(&h, qf_case_status_label(st->status));
    sd_html_put(&h, "<span class=\"en\">");
    sd_html_esc(&h, sd_track_status_en[st->status] ? sd_track_status_en[st->status]
                                                   : qf_case_status_name(st->status));
    sd_html_put(&h, "</span></dd>");
    sd_html_dt(&h, "提交时间", "Submitted");
    sd_public_time(st->submitted_at, when, sizeof when);
    sd_html_put(&h, "<dd>");
    sd_html_esc(&h, when);
    sd_html_put(&h, "</dd>");
    sd_html_dt(&h, "办理时限", "Deadline");
    sd_html_put(&h, "<dd>");
    if (st->deadline != QF_CASE_NO_TIME &&
        (st->status == QF_CASE_IN_PROGRESS || st->status == QF_CASE_SUBMITTED)) {
        sd_public_time(st->deadline, when, sizeof when);
        sd_html_esc(&h, when);
        if (qf_case_is_overdue(st, qf_clock_now()))
            sd_html_put(&h, " <span class=\"warn\">已超期 Overdue</span>");
    } else if (st->status == QF_CASE_SUBMITTED) {
        sd_html_put(&h, "交办后确定（自交办次日起算）<span class=\"en\">Set when the request is "
                        "assigned (counted from the next day)</span>");
    } else {
        sd_html_put(&h, "—");
    }
    sd_html_put(&h, "</dd>");
    if (masked[0]) {
        sd_html_dt(&h, "预留手机", "Phone");
        sd_html_put(&h, "<dd>");
        sd_html_esc(&h, masked);
        sd_html_put(&h, "</dd>");
    }
    sd_html_put(&h, "</dl></div>");
    sd_track_timeline(&h, events);
    sd_html_end(&h);
    rc = sd_html_send(req, 200, &h, NULL);
    sd_html_cleanup(&h);
    return rc;
}

int sd_h_track_page(sd_request *req)
{
    const char *no = req->params[0];
    const char *phone4 = sd_request_query(req, "phone4");
    const char *format = sd_request_query(req, "format");
    char key[64], after[16];
    unsigned retry = 0;
    json_t *events = NULL;
    sd_case c;
    qf_err qrc;
    int rc;

    if (format && strcmp(format, "json") == 0)
        return sd_h_case_get(req); /* the API's own answer, rules and bucket */
    if (!phone4 || !*phone4)
        return sd_track_form(req, no, false);
    if (!sd_body_phone4_valid(phone4))
        return sd_track_form(req, no, true);
    if (!sd_case_no_valid(no))
        return sd_track_not_found(req);
    if (req->app->ratelimit) {
        snprintf(key, sizeof key, "case:%s", no);
        if (!sd_ratelimit_take(req->app->ratelimit, key, sd_monotonic_ms(),
                               SD_CASE_LOOKUP_PER_MINUTE, SD_CASE_LOOKUP_BURST, &retry)) {
            snprintf(after, sizeof after, "%u", retry);
            return sd_public_message(req, 429, "查询过于频繁", "Too many look-ups",
                                     "该编号的查询次数过多，请稍后再试。",
                                     "This number has been looked up too often; please try "
                                     "again in a minute.",
                                     after, false);
        }
    }
    qrc = sd_store_case_get(req->app->store, no, &c);
    if (qrc == QF_ERR_NOT_FOUND)
        return sd_track_not_found(req);
    if (qrc != QF_OK)
        return sd_public_unavailable(req, qrc);
    if (!sd_body_phone4_matches(c.mobile, phone4)) {
        sd_case_cleanup(&c);
        return sd_track_not_found(req);
    }
    qrc = sd_store_case_events(req->app->store, c.no, &events);
    if (qrc != QF_OK) {
        sd_case_cleanup(&c);
        return sd_public_unavailable(req, qrc);
    }
    rc = sd_track_page(req, &c, events);
    json_decref(events);
    sd_case_cleanup(&c);
    return rc;
}

/* ---- GET /queue/{number} ------------------------------------------------- */

/* A hall id: 1..64 of ASCII letters, digits, '-' and '_' (as h_queues.c). */
static bool sd_queue_page_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SD_QUEUE_ID_MAX)
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/* A printed number, letter case aside: a letter and 3 to 6 digits. Writes
 * the canonical (upper-case) form into out (SD_QUEUE_NUMBER_MAX bytes). */
static bool sd_queue_page_number(const char *s, char *out)
{
    size_t n = strlen(s);
    char first = s[0] >= 'a' && s[0] <= 'z' ? (char)(s[0] - 'a' + 'A') : s[0];
    if (n < 4 || n > 7 || first < 'A' || first > 'Z' || strspn(s + 1, "0123456789") != n - 1)
        return false;
    snprintf(out, SD_QUEUE_NUMBER_MAX, "%c%s", first, s + 1);
    return true;
}

static int sd_queue_page_not_found(sd_request *req)
{
    return sd_public_message(req, 404, "未找到该号码", "Ticket not found",
                             "今天没有这个排队号码。号码只在取号当天有效。",
                             "There is no ticket with this number today. A ticket is valid on "
                             "the day it was taken only.",
                             NULL, false);
}

int sd_h_queue_page(sd_request *req)
{
    const char *hall = sd_request_query(req, "hall");
    char number[SD_QUEUE_NUMBER_MAX], day[11], when[32];
    sd_queue_window *windows = NULL;
    size_t nwindows = 0;
    const char *window_name;
    sd_ticket_position pos;
    bool waiting, called, leased;
    qf_instant now = qf_clock_now();
    sd_html h = { 0 };
    qf_err qrc;
    int rc;

    if (!hall || !*hall)
        hall = req->app->hall;
    if (!sd_queue_page_id_ok(hall) || !sd_queue_page_number(req->params[0], number))
        return sd_queue_page_not_found(req);
    qf_day_format(qf_instant_day(now), day, sizeof day);
    qrc = sd_store_ticket_position(req->app->store, hall, day, number, &pos);
    if (qrc == QF_ERR_NOT_FOUND)
        return sd_queue_page_not_found(req);
    if (qrc != QF_OK)
        return sd_public_unavailable(req, qrc);
    /* The window's name from the catalog; its id when the catalog lost it. */
    qrc = sd_store_queue_windows(req->app->store, &windows, &nwindows);
    if (qrc != QF_OK && qrc != QF_ERR_NOT_FOUND)
        return sd_public_unavailable(req, qrc);
    window_name = pos.window;
    for (size_t i = 0; i < nwindows; i++)
        if (strcmp(windows[i].id, pos.window) == 0 && windows[i].name && *windows[i].name)
            window_name = windows[i].name;

    waiting = strcmp(pos.status, "waiting") == 0;
    called = strcmp(pos.status, "called") == 0;
    leased = strcmp(pos.status, "leased") == 0;
    sd_html_begin(&h, "排队叫号查询", waiting || leased ? SD_QUEUE_REFRESH_S : 0);
    sd_html_h1(&h, "排队叫号查询", "Queue status");
    sd_html_put(&h, "<div class=\"card\"><div class=\"big\">");
    sd_html_esc(&h, pos.number);
    sd_html_put(&h, "</div><dl>");
    sd_html_dt(&h, "窗口", "Window");
    sd_html_put(&h, "<dd>");
    sd_html_esc(&h, window_name);
    sd_html_put(&h, "</dd>");
    sd_html_dt(&h, "状态", "Status");
    sd_html_put(&h, "<dd class=\"status\">");
    if (waiting) {
        sd_html_put(&h, "等候中<span class=\"en\">Waiting</span></dd>");
        sd_html_dt(&h, "前面还有", "People ahead of you");
        sd_html_fmt(&h, "<dd class=\"big\">%lld</dd>", (long long)pos.people_ahead);
    } else if (called) {
        sd_html_put(&h, "已叫号，请前往窗口办理<span class=\"en\">Called: please go to the "
                        "window</span></dd>");
        if (pos.called_at) {
            sd_public_time(pos.called_at, when, sizeof when);
            sd_html_dt(&h, "叫号时间", "Called at");
            sd_html_put(&h, "<dd>");
            sd_html_esc(&h, when);
            sd_html_put(&h, "</dd>");
        }
    } else if (leased) {
        sd_html_put(&h, "待登记：取号机离线，恢复联网后自动登记<span class=\"en\">Not yet "
                        "registered: the kiosk that printed it is offline and will report it"
                        "</span></dd>");
    } else {
        sd_html_put(&h, "已结束<span class=\"en\">Finished</span></dd>");
    }
    sd_html_dt(&h, "当前叫号", "Now calling");
    sd_html_put(&h, "<dd>");
    if (pos.last_called[0])
        sd_html_esc(&h, pos.last_called);
    else
        sd_html_put(&h, "尚未叫号 <span class=\"en\">None called yet</span>");
    sd_html_put(&h, "</dd>");
    sd_html_dt(&h, "该窗口等候人数", "Waiting at this window");
    sd_html_fmt(&h, "<dd>%lld</dd>", (long long)pos.waiting);
    sd_public_time(now, when, sizeof when);
    sd_html_put(&h, "</dl><p class=\"en\">更新于 Updated ");
    sd_html_esc(&h, when);
    sd_html_put(&h, "</p></div>");
    sd_html_end(&h);
    rc = sd_html_send(req, 200, &h, NULL);
    sd_html_cleanup(&h);
    sd_queue_windows_free(windows, nwindows);
    return rc;
}
