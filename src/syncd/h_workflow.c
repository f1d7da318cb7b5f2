/* h_workflow.c — PLACEHOLDER while the module is written; replaced before commit. */
#include "reply.h"
#include "routes.h"
int sd_h_wf_list(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_show(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_triage(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_transfer(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_reply(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_done(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_escalate(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_decide(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_rate(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_wf_form(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
