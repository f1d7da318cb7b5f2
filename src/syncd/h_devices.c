/* h_devices.c — PLACEHOLDER while the module is written; replaced before commit. */
#include "reply.h"
#include "routes.h"
int sd_h_device_enroll(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_device_heartbeat(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_device_list(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_device_inspection(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
int sd_h_device_maintenance(sd_request *req)
{
    return sd_reply_error(req, 501, "not_implemented", "not built yet");
}
