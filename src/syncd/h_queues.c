/* h_queues.c — PLACEHOLDER while the module is written; replaced before commit. */
#include "reply.h"
#include "routes.h"
int sd_h_ticket_create(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_ticket_lease(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_queue_call(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_queue_list(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
