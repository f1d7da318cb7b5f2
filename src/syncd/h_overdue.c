/* h_overdue.c — PLACEHOLDER while the module is written; replaced before commit. */
#include "reply.h"
#include "routes.h"
int sd_h_wf_overdue(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
