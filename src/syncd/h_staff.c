/* h_staff.c — PLACEHOLDER while the module is written; replaced before commit. */
#include "reply.h"
#include "routes.h"
int sd_h_staff_login(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_staff_logout(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_staff_me(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
