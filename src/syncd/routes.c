/* routes.c — the route table of qifu-syncd (data) and the matcher.
 * Authentication, rate limits and body caps are declared here once and
 * enforced by the dispatcher, so handlers only do their own work. */
#include "routes.h"

#include <stdio.h>
#include <string.h>

#define KB * 1024

static const sd_route sd_routes[] = {
    { "GET",  "/healthz",                          sd_h_healthz,           SD_ALLOW_PUBLIC, 0 },
    { "GET",  "/metrics",                          sd_h_metrics,           SD_ALLOW_OPERATOR, 0 },
    { "POST", "/api/v1/devices/enroll",            sd_h_device_enroll,     SD_ALLOW_PUBLIC, 4 KB },
    { "POST", "/api/v1/devices/heartbeat",         sd_h_device_heartbeat,  SD_ALLOW_DEVICE, 8 KB },
    { "GET",  "/api/v1/devices",                   sd_h_device_list,       SD_ALLOW_OPERATOR | SD_ALLOW_STAFF, 0 },
    { "POST", "/api/v1/devices/{id}/inspections",  sd_h_device_inspection, SD_ALLOW_DEVICE | SD_ALLOW_OPERATOR | SD_ALLOW_STAFF, 32 KB },
    { "POST", "/api/v1/devices/{id}/maintenance",  sd_h_device_maintenance, SD_ALLOW_DEVICE | SD_ALLOW_OPERATOR | SD_ALLOW_STAFF, 16 KB },
    /* helpers and technicians at the kiosk (h_help.c) */
    { "POST", "/api/v1/devices/helper-login",      sd_h_device_helper_login, SD_ALLOW_DEVICE, 1 KB },
    { "POST", "/api/v1/devices/technician-login",  sd_h_device_technician_login, SD_ALLOW_DEVICE, 1 KB },
    { "POST", "/api/v1/help-calls",                sd_h_help_call_create,  SD_ALLOW_DEVICE, 2 KB },
    { "GET",  "/api/v1/help-calls",                sd_h_help_call_list,    SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 0 },
    { "GET",  "/api/v1/help-calls/{id}",           sd_h_help_call_get,     SD_ALLOW_DEVICE | SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 0 },
    { "POST", "/api/v1/help-calls/{id}/ack",       sd_h_help_call_ack,     SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 1 KB },
    { "POST", "/api/v1/help-calls/{id}/close",     sd_h_help_call_close,   SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 2 KB },
    { "GET",  "/api/v1/catalog",                   sd_h_catalog_get,       SD_ALLOW_DEVICE | SD_ALLOW_OPERATOR | SD_ALLOW_STAFF, 0 },
    { "POST", "/api/v1/cases",                     sd_h_case_create,       SD_ALLOW_DEVICE | SD_ALLOW_STAFF, 16 KB },
    { "GET",  "/api/v1/cases/{no}",                sd_h_case_get,          SD_ALLOW_DEVICE | SD_ALLOW_STAFF, 0 },
    { "POST", "/api/v1/cases/{no}/feedback",       sd_h_case_feedback,     SD_ALLOW_DEVICE, 8 KB },
    { "POST", "/api/v1/tickets",                   sd_h_ticket_create,     SD_ALLOW_DEVICE, 4 KB },
    { "POST", "/api/v1/tickets/lease",             sd_h_ticket_lease,      SD_ALLOW_DEVICE, 4 KB },
    { "POST", "/api/v1/queues/{window}/call",      sd_h_queue_call,        SD_ALLOW_OPERATOR | SD_ALLOW_STAFF, 1 KB },
    { "GET",  "/api/v1/queues",                    sd_h_queue_list,        SD_ALLOW_DEVICE | SD_ALLOW_OPERATOR | SD_ALLOW_STAFF, 0 },
    /* service ratings (好差评) from the kiosks */
    { "POST", "/api/v1/ratings",                   sd_h_rating_create,     SD_ALLOW_DEVICE, 4 KB },
    /* the public pages behind the slips' QR codes (h_public.c) */
    { "GET",  "/track/{no}",                       sd_h_track_page,        SD_ALLOW_PUBLIC, 0 },
    { "GET",  "/queue/{number}",                   sd_h_queue_page,        SD_ALLOW_PUBLIC, 0 },
    /* staff: sessions */
    { "POST", "/api/v1/staff/login",               sd_h_staff_login,       SD_ALLOW_PUBLIC, 1 KB },
    { "POST", "/api/v1/staff/logout",              sd_h_staff_logout,      SD_ALLOW_STAFF, 0 },
    { "GET",  "/api/v1/staff/me",                  sd_h_staff_me,          SD_ALLOW_STAFF, 0 },
    /* staff: the case workflow */
    { "GET",  "/api/v1/staff/cases",               sd_h_wf_list,           SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 0 },
    { "GET",  "/api/v1/staff/cases/{no}",          sd_h_wf_show,           SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 0 },
    { "POST", "/api/v1/staff/cases/{no}/triage",   sd_h_wf_triage,         SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 4 KB },
    { "POST", "/api/v1/staff/cases/{no}/transfer", sd_h_wf_transfer,       SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 4 KB },
    { "POST", "/api/v1/staff/cases/{no}/reply",    sd_h_wf_reply,          SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 16 KB },
    { "POST", "/api/v1/staff/cases/{no}/done",     sd_h_wf_done,           SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 16 KB },
    { "POST", "/api/v1/staff/cases/{no}/escalate", sd_h_wf_escalate,       SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 16 KB },
    { "POST", "/api/v1/staff/cases/{no}/decide",   sd_h_wf_decide,         SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 16 KB },
    { "POST", "/api/v1/staff/cases/{no}/rate",     sd_h_wf_rate,           SD_ALLOW_STAFF | SD_ALLOW_DEVICE, 4 KB },
    { "GET",  "/api/v1/staff/cases/{no}/escalation-form", sd_h_wf_form,    SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 0 },
    { "GET",  "/api/v1/staff/overdue",             sd_h_wf_overdue,        SD_ALLOW_STAFF | SD_ALLOW_OPERATOR, 0 },
};

const sd_route *sd_routes_table(size_t *count)
{
    *count = sizeof sd_routes / sizeof sd_routes[0];
    return sd_routes;
}

#define SD_MAX_SEGMENTS 8

/* Splits buf ("/a/b/c") in place into NUL-terminated segments; returns the
 * count, or -1 for an empty segment ("//") or too many. */
static int sd_route_split(char *buf, char **segs)
{
    int n = 0;
    if (*buf != '/')
        return -1;
    while (*buf == '/') {
        *buf++ = '\0';
        if (n == SD_MAX_SEGMENTS || *buf == '\0' || *buf == '/')
            return *buf == '\0' && n > 0 ? n : -1;
        segs[n++] = buf;
        while (*buf && *buf != '/')
            buf++;
    }
    return n;
}

/* Does the split path match pattern? Captures {…} segments into req. */
static int sd_route_match_path(const char *pattern, char **segs, int nsegs, sd_request *req)
{
    const char *p = pattern;
    size_t nparams = 0;

    for (int i = 0; i < nsegs; i++) {
        const char *end;
        size_t len;
        if (*p != '/')
            return 0;
        p++;
        end = strchr(p, '/');
        len = end ? (size_t)(end - p) : strlen(p);
        if (len > 1 && p[0] == '{' && p[len - 1] == '}') {
            if (nparams == SD_MAX_PATH_PARAMS)
                return 0;
            req->params[nparams++] = segs[i];
        } else if (strlen(segs[i]) != len || memcmp(segs[i], p, len) != 0) {
            return 0;
        }
        p += len;
    }
    if (*p)
        return 0;
    req->nparams = nparams;
    return 1;
}

sd_route_match sd_routes_find(const char *method, const char *path, char *scratch,
                              size_t scratchlen, sd_request *req, const sd_route **out,
                              char *allow, size_t allowlen)
{
    char *segs[SD_MAX_SEGMENTS];
    int nsegs;
    int path_seen = 0;

    *out = NULL;
    if (allowlen)
        allow[0] = '\0';
    if (strlen(path) >= scratchlen)
        return SD_ROUTE_NO_PATH;
    strcpy(scratch, path);
    nsegs = sd_route_split(scratch, segs);
    if (nsegs <= 0)
        return SD_ROUTE_NO_PATH;
    for (size_t i = 0; i < sizeof sd_routes / sizeof sd_routes[0]; i++) {
        const sd_route *r = &sd_routes[i];
        if (!sd_route_match_path(r->pattern, segs, nsegs, req))
            continue;
        if (strcmp(r->method, method) == 0) {
            *out = r;
            return SD_ROUTE_FOUND;
        }
        path_seen = 1;
        if (allowlen && !strstr(allow, r->method)) {
            size_t used = strlen(allow);
            snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", r->method);
        }
    }
    req->nparams = 0;
    return path_seen ? SD_ROUTE_NO_METHOD : SD_ROUTE_NO_PATH;
}
