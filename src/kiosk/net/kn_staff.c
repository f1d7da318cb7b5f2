/* kn_staff.c — the staff requests of the sync worker (see kn_staff.h):
 * queued from the UI thread under kn_sync's lock, one slot per op, and
 * run by the worker (kn_staff_step) between its other steps. Each answer
 * is one KN_EVENT_STAFF.
 *
 * The helper's session token lives here, worker side, from helper-login to
 * logout; it is the bearer for the help-call list, ack and close. Sign-out
 * (or a new sign-in) ends the old session on the daemon.
 *
 * Not here: retries. A help call or a sign-in that finds the daemon down is
 * answered "offline" at once (a person is waiting); inspections that must
 * not be lost go to the outbox from the runtime (app_staff.c). */
#include "kn_staff.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qf_log.h"
#include "qf_mem.h"

#define KN_STAFF_BODY_MAX (32u * 1024u)

typedef struct kn_staff_req {
    bool pending;
    uint64_t request_id;
    char id[65];               /* staff id */
    char secret[192];          /* PIN or badge; zeroed once sent */
    bool badge;
    char screen[33];
    int64_t call_id;
    bool close;
    char *body;                /* owned: inspection / maintenance JSON */
} kn_staff_req;

struct kn_staff {
    kn_staff_req req[KN_STAFF__COUNT];   /* guarded by kn_sync's lock */
    /* Worker only. */
    char session[128];         /* the helper's staff session, "" none */
};

kn_staff *kn_staff_new(void)
{
    return calloc(1, sizeof(kn_staff));
}

void kn_staff_free(kn_staff *st)
{
    if (!st)
        return;
    for (int i = 0; i < KN_STAFF__COUNT; i++)
        free(st->req[i].body);
    qf_wipe(st, sizeof *st);
    free(st);
}

bool kn_staff_pending(const kn_staff *st)
{
    for (int i = 0; st && i < KN_STAFF__COUNT; i++)
        if (st->req[i].pending)
            return true;
    return false;
}

/* Fills slot op under the lock (fill may be NULL) and wakes the worker. */
static kn_staff_req *kn_staff_slot_begin(kn_sync *sync, kn_staff_op op)
{
    kn_staff *st = kn_sync_staff(sync);
    if (!st)
        return NULL;
    kn_sync_lock(sync);
    kn_staff_req *r = &st->req[op];
    free(r->body);
    qf_wipe(r, sizeof *r);
    return r;
}

static void kn_staff_slot_end(kn_sync *sync, kn_staff_req *r)
{
    r->pending = true;
    kn_sync_unlock_wake(sync, true);
}

static bool kn_staff_str_ok(const char *s, size_t max)
{
    return s && *s && strlen(s) < max;
}

qf_err kn_staff_helper_login(kn_sync *sync, const char *staff_id, const char *pin,
                             const char *badge, uint64_t request_id)
{
    kn_staff_req probe;
    bool by_badge = badge && *badge;
    if (!sync || (by_badge ? !kn_staff_str_ok(badge, sizeof probe.secret)
                           : !kn_staff_str_ok(staff_id, sizeof probe.id) ||
                                 !kn_staff_str_ok(pin, sizeof probe.secret)))
        return QF_ERR_INVALID;
    kn_staff_req *r = kn_staff_slot_begin(sync, KN_STAFF_HELPER_LOGIN);
    if (!r)
        return QF_ERR_INVALID;
    r->request_id = request_id;
    r->badge = by_badge;
    /* A sign-out still waiting would run after this sign-in (ops run in
     * order) and end the new session: the sign-in ends the old one itself. */
    kn_sync_staff(sync)->req[KN_STAFF_HELPER_LOGOUT].pending = false;
    snprintf(r->id, sizeof r->id, "%s", by_badge ? "" : staff_id);
    snprintf(r->secret, sizeof r->secret, "%s", by_badge ? badge : pin);
    kn_staff_slot_end(sync, r);
    return QF_OK;
}

qf_err kn_staff_tech_login(kn_sync *sync, const char *staff_id, const char *pin,
                           uint64_t request_id)
{
    kn_staff_req probe;
    if (!sync || !kn_staff_str_ok(staff_id, sizeof probe.id) ||
        !kn_staff_str_ok(pin, sizeof probe.secret))
        return QF_ERR_INVALID;
    kn_staff_req *r = kn_staff_slot_begin(sync, KN_STAFF_TECH_LOGIN);
    if (!r)
        return QF_ERR_INVALID;
    r->request_id = request_id;
    snprintf(r->id, sizeof r->id, "%s", staff_id);
    snprintf(r->secret, sizeof r->secret, "%s", pin);
    kn_staff_slot_end(sync, r);
    return QF_OK;
}

void kn_staff_helper_logout(kn_sync *sync)
{
    if (!sync)
        return;
    kn_staff_req *r = kn_staff_slot_begin(sync, KN_STAFF_HELPER_LOGOUT);
    if (r)
        kn_staff_slot_end(sync, r);
}

qf_err kn_staff_help_call(kn_sync *sync, const char *screen)
{
    kn_staff_req probe;
    if (!sync || !kn_staff_str_ok(screen, sizeof probe.screen))
        return QF_ERR_INVALID;
    kn_staff_req *r = kn_staff_slot_begin(sync, KN_STAFF_HELP_CALL);
    if (!r)
        return QF_ERR_INVALID;
    snprintf(r->screen, sizeof r->screen, "%s", screen);
    kn_staff_slot_end(sync, r);
    return QF_OK;
}

static qf_err kn_staff_call_req(kn_sync *sync, kn_staff_op op, int64_t id, bool close)
{
    if (!sync || (op != KN_STAFF_HELP_LIST && id <= 0))
        return QF_ERR_INVALID;
    kn_staff_req *r = kn_staff_slot_begin(sync, op);
    if (!r)
        return QF_ERR_INVALID;
    r->call_id = id;
    r->close = close;
    kn_staff_slot_end(sync, r);
    return QF_OK;
}

qf_err kn_staff_help_poll(kn_sync *sync, int64_t call_id)
{
    return kn_staff_call_req(sync, KN_STAFF_HELP_POLL, call_id, false);
}

qf_err kn_staff_help_list(kn_sync *sync)
{
    return kn_staff_call_req(sync, KN_STAFF_HELP_LIST, 0, false);
}

qf_err kn_staff_help_act(kn_sync *sync, int64_t call_id, bool close)
{
    return kn_staff_call_req(sync, KN_STAFF_HELP_ACT, call_id, close);
}

qf_err kn_staff_device_post(kn_sync *sync, kn_staff_op op, const char *body)
{
    if (!sync || (op != KN_STAFF_INSPECTION && op != KN_STAFF_MAINTENANCE) || !body ||
        strlen(body) > KN_STAFF_BODY_MAX)
        return QF_ERR_INVALID;
    char *copy = strdup(body);
    if (!copy)
        return QF_ERR_NOMEM;
    kn_staff_req *r = kn_staff_slot_begin(sync, op);
    if (!r) {
        free(copy);
        return QF_ERR_INVALID;
    }
    r->body = copy;
    kn_staff_slot_end(sync, r);
    return QF_OK;
}

/* ---- the worker's side --------------------------------------------------- */

static void kn_staff_copy(const json_t *obj, const char *name, char *out, size_t len)
{
    const char *v = json_string_value(json_object_get(obj, name));
    snprintf(out, len, "%s", v ? v : "");
}

static void kn_staff_call_from(const json_t *c, kn_staff_answer *a)
{
    a->call_id = (int64_t)json_integer_value(json_object_get(c, "id"));
    kn_staff_copy(c, "state", a->call_state, sizeof a->call_state);
}

/* One request and its answer's common fields. Returns the parsed body (or
 * NULL); a->ok for 2xx, a->offline when no answer came. */
static json_t *kn_staff_call(kn_sync *sync, const char *path, const char *body,
                             const char *bearer, kn_staff_answer *a)
{
    char err[256] = "", *text = NULL;
    long status = 0, retry = 0;
    if (!kn_sync_enrolled(sync)) {
        a->offline = true;
        snprintf(a->message, sizeof a->message, "not enrolled");
        return NULL;
    }
    if (kn_sync_request(sync, path, body, bearer, &status, &retry, &text, err, sizeof err) !=
        QF_OK) {
        a->offline = true;
        snprintf(a->message, sizeof a->message, "%.190s", err);
        return NULL;
    }
    a->status = status;
    a->retry_after_s = retry;
    a->ok = status >= 200 && status < 300;
    json_t *root = text ? json_loads(text, 0, NULL) : NULL;
    if (text) {
        qf_wipe(text, strlen(text));   /* a session token or hash may be in it */
        free(text);
    }
    if (!a->ok) {
        json_t *e = json_object_get(root, "error");
        kn_staff_copy(e, "code", a->code, sizeof a->code);
        kn_staff_copy(e, "message_zh", a->message, sizeof a->message);
        if (!a->message[0])
            kn_staff_copy(e, "message", a->message, sizeof a->message);
        if (!a->code[0])
            snprintf(a->code, sizeof a->code, "http_%ld", status);
    }
    return root;
}

static void kn_staff_logout_now(kn_sync *sync, kn_staff *st)
{
    if (!st->session[0])
        return;
    kn_staff_answer a;
    memset(&a, 0, sizeof a);
    json_decref(kn_staff_call(sync, "/api/v1/staff/logout", "", st->session, &a));
    if (!a.ok)
        qf_warn("staff: logout answered %ld %s", a.status, a.code);
    qf_wipe(st->session, sizeof st->session);
}

static void kn_staff_login(kn_sync *sync, kn_staff *st, kn_staff_op op, kn_staff_req *r,
                           kn_staff_answer *a)
{
    json_t *body = r->badge ? json_pack("{s:s}", "badge", r->secret)
                            : json_pack("{s:s, s:s}", "staff_id", r->id, "pin", r->secret);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);         /* jansson's copy of the secret: freed (not wiped) */
    qf_wipe(r->secret, sizeof r->secret);
    if (!text) {
        snprintf(a->message, sizeof a->message, "out of memory");
        return;
    }
    if (op == KN_STAFF_HELPER_LOGIN)
        kn_staff_logout_now(sync, st);   /* one helper at a time on a kiosk */
    json_t *root = kn_staff_call(sync,
                                 op == KN_STAFF_HELPER_LOGIN ? "/api/v1/devices/helper-login"
                                                             : "/api/v1/devices/technician-login",
                                 text, NULL, a);
    qf_wipe(text, strlen(text));
    free(text);
    if (a->ok) {
        kn_staff_copy(root, "staff_id", a->staff_id, sizeof a->staff_id);
        kn_staff_copy(root, "name", a->name, sizeof a->name);
        if (op == KN_STAFF_HELPER_LOGIN) {
            const char *s = json_string_value(json_object_get(root, "session"));
            if (s && strlen(s) < sizeof st->session)
                snprintf(st->session, sizeof st->session, "%s", s);
            qf_info("staff: helper %s signed in", a->staff_id);
        } else {
            kn_staff_copy(root, "offline_hash", a->offline_hash, sizeof a->offline_hash);
            qf_info("staff: technician %s signed in", a->staff_id);
        }
    } else if (!a->offline) {
        qf_warn("staff: sign-in refused (%ld %s)", a->status, a->code);
    }
    json_decref(root);
}

static void kn_staff_calls(json_t *root, kn_staff_answer *a)
{
    json_t *arr = json_object_get(root, "help_calls"), *c;
    size_t i;
    json_array_foreach(arr, i, c) {
        if (a->calls_count >= KN_STAFF_CALLS_MAX)
            break;
        const char *state = json_string_value(json_object_get(c, "state"));
        if (!state || strcmp(state, "closed") == 0)
            continue;
        size_t k = a->calls_count++;
        a->calls[k].id = (int64_t)json_integer_value(json_object_get(c, "id"));
        kn_staff_copy(c, "device_name", a->calls[k].device_name, sizeof a->calls[k].device_name);
        kn_staff_copy(c, "screen", a->calls[k].screen, sizeof a->calls[k].screen);
        kn_staff_copy(c, "state", a->calls[k].state, sizeof a->calls[k].state);
        a->calls[k].age_s = (long)json_integer_value(json_object_get(c, "age_s"));
    }
}

static void kn_staff_run(kn_sync *sync, kn_staff *st, kn_staff_op op, kn_staff_req *r)
{
    kn_event *ev = calloc(1, sizeof *ev);
    char path[160];
    json_t *root = NULL;
    if (!ev) {
        qf_error("staff: out of memory; an answer is lost");
        return;
    }
    ev->kind = KN_EVENT_STAFF;
    kn_staff_answer *a = &ev->staff;
    a->op = (int)op;
    a->request_id = r->request_id;
    switch (op) {
    case KN_STAFF_HELPER_LOGIN:
    case KN_STAFF_TECH_LOGIN:
        kn_staff_login(sync, st, op, r, a);
        break;
    case KN_STAFF_HELPER_LOGOUT:
        kn_staff_logout_now(sync, st);
        free(ev);
        return;                    /* nobody waits for it */
    case KN_STAFF_HELP_CALL: {
        json_t *b = json_pack("{s:s}", "screen", r->screen);
        char *text = b ? json_dumps(b, JSON_COMPACT) : NULL;
        json_decref(b);
        if (text)
            root = kn_staff_call(sync, "/api/v1/help-calls", text, NULL, a);
        free(text);
        if (a->ok)
            kn_staff_call_from(root, a);
        break;
    }
    case KN_STAFF_HELP_POLL:
        snprintf(path, sizeof path, "/api/v1/help-calls/%lld", (long long)r->call_id);
        root = kn_staff_call(sync, path, NULL, NULL, a);
        if (a->ok)
            kn_staff_call_from(root, a);
        else
            a->call_id = r->call_id;
        break;
    case KN_STAFF_HELP_ACT:
    case KN_STAFF_HELP_LIST:
        if (!st->session[0]) {
            snprintf(a->code, sizeof a->code, "not_signed_in");
            snprintf(a->message, sizeof a->message, "帮办未登录");
            break;
        }
        if (op == KN_STAFF_HELP_ACT) {
            snprintf(path, sizeof path, "/api/v1/help-calls/%lld/%s", (long long)r->call_id,
                     r->close ? "close" : "ack");
            json_decref(kn_staff_call(sync, path, "{}", st->session, a));
            if (!a->ok && !a->offline) {
                qf_warn("staff: help call %lld %s answered %ld %s", (long long)r->call_id,
                        r->close ? "close" : "ack", a->status, a->code);
                break;             /* the list stays; the message says why */
            }
            a->call_id = r->call_id;
            if (a->offline)
                break;
            memset(a, 0, sizeof *a);
            a->op = (int)KN_STAFF_HELP_LIST;   /* the list as it is now */
        }
        root = kn_staff_call(sync, "/api/v1/help-calls?state=open&limit=50", NULL, st->session,
                             a);
        if (a->ok) {
            kn_staff_calls(root, a);
            json_decref(root);
            root = kn_staff_call(sync, "/api/v1/help-calls?state=acknowledged&limit=50", NULL,
                                 st->session, a);
            if (a->ok)
                kn_staff_calls(root, a);
        }
        break;
    case KN_STAFF_INSPECTION:
    case KN_STAFF_MAINTENANCE: {
        kn_sync_status s;
        kn_sync_status_get(sync, &s);
        if (!s.device_id[0]) {
            a->offline = true;     /* the daemon has not named this device yet */
            snprintf(a->message, sizeof a->message, "device id unknown");
            break;
        }
        snprintf(path, sizeof path, "/api/v1/devices/%s/%s", s.device_id,
                 op == KN_STAFF_INSPECTION ? "inspections" : "maintenance");
        root = kn_staff_call(sync, path, r->body, NULL, a);
        if (a->ok && op == KN_STAFF_MAINTENANCE) {
            kn_staff_copy(root, "planned_at", a->planned_at, sizeof a->planned_at);
            kn_staff_copy(root, "planned_end", a->planned_end, sizeof a->planned_end);
        }
        if (a->ok)
            qf_info("staff: %s recorded", op == KN_STAFF_INSPECTION ? "inspection" : "notice");
        break;
    }
    case KN_STAFF__COUNT:
        break;
    }
    json_decref(root);
    kn_sync_deliver(sync, ev);
    qf_wipe(ev, sizeof *ev);      /* the offline hash */
    free(ev);
}

void kn_staff_step(kn_sync *sync)
{
    kn_staff *st = kn_sync_staff(sync);
    if (!st)
        return;
    for (int op = 0; op < KN_STAFF__COUNT; op++) {
        kn_staff_req r;
        kn_sync_lock(sync);
        r = st->req[op];
        bool pending = r.pending;
        if (pending) {
            st->req[op].body = NULL;   /* taken */
            qf_wipe(&st->req[op], sizeof st->req[op]);
        }
        kn_sync_unlock_wake(sync, false);
        if (!pending)
            continue;
        kn_staff_run(sync, st, (kn_staff_op)op, &r);
        free(r.body);
        qf_wipe(&r, sizeof r);
    }
}
