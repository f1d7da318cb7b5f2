/* h_cases.c — PLACEHOLDER while the module is written; replaced before commit. */
#include "reply.h"
#include "routes.h"
int sd_h_case_create(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_case_get(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_case_feedback(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
