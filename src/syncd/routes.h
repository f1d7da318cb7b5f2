/* routes.h — the route table: which method and path go to which handler,
 * who may call it and how large its body may be. The table itself is data
 * in routes.c; the dispatcher in http.c decides 404 vs 405 from it. */
#ifndef SD_ROUTES_H
#define SD_ROUTES_H

#include <stddef.h>

#include "syncd.h"

typedef struct sd_route {
    const char *method;
    const char *pattern;   /* "/api/v1/cases/{no}": {…} matches one segment */
    sd_handler handler;
    unsigned allow;        /* SD_ALLOW_* bits */
    size_t body_max;       /* 0: no body accepted */
} sd_route;

typedef enum sd_route_match {
    SD_ROUTE_FOUND,
    SD_ROUTE_NO_PATH,      /* 404 */
    SD_ROUTE_NO_METHOD,    /* 405; allow lists the methods */
} sd_route_match;

/* Finds the route for method and path. The path is split into scratch
 * (at least strlen(path) + 1 bytes, owned by the request), and req->params
 * point into it. On SD_ROUTE_NO_METHOD, allow lists the path's methods. */
sd_route_match sd_routes_find(const char *method, const char *path, char *scratch,
                              size_t scratchlen, sd_request *req, const sd_route **out,
                              char *allow, size_t allowlen);

/* The table, for metrics and documentation tests. */
const sd_route *sd_routes_table(size_t *count);

/* Handlers, one file per resource. */
int sd_h_healthz(sd_request *req);
int sd_h_metrics(sd_request *req);
int sd_h_device_enroll(sd_request *req);
int sd_h_device_heartbeat(sd_request *req);
int sd_h_device_list(sd_request *req);
int sd_h_device_inspection(sd_request *req);
int sd_h_device_maintenance(sd_request *req);
int sd_h_device_helper_login(sd_request *req);
int sd_h_device_technician_login(sd_request *req);
int sd_h_help_call_create(sd_request *req);
int sd_h_help_call_list(sd_request *req);
int sd_h_help_call_get(sd_request *req);
int sd_h_help_call_ack(sd_request *req);
int sd_h_help_call_close(sd_request *req);
int sd_h_catalog_get(sd_request *req);
int sd_h_case_create(sd_request *req);
int sd_h_case_get(sd_request *req);
int sd_h_case_feedback(sd_request *req);
int sd_h_ticket_create(sd_request *req);
int sd_h_ticket_lease(sd_request *req);
int sd_h_queue_call(sd_request *req);
int sd_h_queue_list(sd_request *req);
int sd_h_rating_create(sd_request *req);
int sd_h_track_page(sd_request *req);
int sd_h_queue_page(sd_request *req);
int sd_h_staff_login(sd_request *req);
int sd_h_staff_logout(sd_request *req);
int sd_h_staff_me(sd_request *req);
int sd_h_wf_list(sd_request *req);
int sd_h_wf_show(sd_request *req);
int sd_h_wf_triage(sd_request *req);
int sd_h_wf_transfer(sd_request *req);
int sd_h_wf_reply(sd_request *req);
int sd_h_wf_done(sd_request *req);
int sd_h_wf_escalate(sd_request *req);
int sd_h_wf_decide(sd_request *req);
int sd_h_wf_rate(sd_request *req);
int sd_h_wf_form(sd_request *req);
int sd_h_wf_overdue(sd_request *req);

#endif
