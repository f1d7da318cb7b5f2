/* kiosk_scripts.h — headless-kiosk script steps shared by the writing
 * journeys (test_kiosk_write.c, the receipt of test_kiosk_ticket.c): the
 * request form opened with the pinyin engine loaded, an enterprise code
 * scanned, the rest typed, reviewed and submitted. */
#ifndef QIFU_KIOSK_SCRIPTS_H
#define QIFU_KIOSK_SCRIPTS_H

#define GOOD_USCC "91330100716105852F"

/* From the idle screen to a focused enterprise field with the pinyin
 * engine loaded (the lang key reads 中→英 in Chinese mode). */
#define OPEN_FORM                                                     \
    "tap 540 960\n"                                                   \
    "wait-text 人才服务 20000\n"                                      \
    "tap-text 我要提诉求\n"                                           \
    "tap-text 企业名称\n"                                             \
    "wait-text 中→英 20000\n"

/* The rest of the form after the enterprise code: contact, mobile,
 * description, the keyboard closed, scrolled down, the 诉求服务 board,
 * the privacy notice, review, submit. */
#define FILL_REST                                                     \
    "tap-text 联系人\n"                                               \
    "type 王女士\n"                                                   \
    "key Return\n"                                                    \
    "type 13812345678\n"                                              \
    "key Return\n"                                                    \
    "type 厂房消防验收进度咨询，希望了解还缺哪些材料。\n"             \
    "key Escape\n"                                                    \
    "drag 540 1700 540 200 300\n"                                     \
    "wait 3000\n"                                                     \
    "tap-text 诉求服务\n"                                             \
    "tap-text 我已阅读并同意\n"                                       \
    "tap-text 下一步\n"                                               \
    "wait-text 请核对 5000\n"                                         \
    "tap-text 确认提交\n"

#define BACKSPACE10                                                   \
    "key BackSpace\nkey BackSpace\nkey BackSpace\nkey BackSpace\n"     \
    "key BackSpace\nkey BackSpace\nkey BackSpace\nkey BackSpace\n"     \
    "key BackSpace\nkey BackSpace\n"

#define SCAN_CODE \
    "scan {\"name\":\"杭州钱塘示例生物科技有限公司\",\"uscc\":\"" GOOD_USCC "\"}\n"

#endif
