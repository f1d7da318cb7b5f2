/* test_kiosk_staff.c — helpers and technicians at the qifu-kiosk program,
 * against the real qifu-syncd over TLS (kiosk_site in kiosk_run.c):
 *   a helper signs in from the header (工作人员 → staff number + PIN), the
 *     helper bar shows the name, and a request filed meanwhile carries the
 *     helper's id and the channel "helper" on the daemon;
 *   a citizen's 呼叫帮办 reaches the daemon (qifu-ctl help list), is
 *     acknowledged with qifu-ctl help ack, and the kiosk then shows
 *     帮办人员正在赶来;
 *   five taps in the hidden corner open the technician sign-in; the
 *     inspection checklist submitted from maintenance mode takes the kiosk
 *     off `qifu-ctl device inspections --overdue`;
 *   a maintenance notice filed from maintenance mode puts the kiosk on the
 *     out-of-service screen for the notice's window;
 *   a wrong technician PIN is refused, and after five wrong answers the
 *     kiosk refuses locally (even the right PIN) without asking the daemon.
 * Nothing sleeps to pass: scripts wait on text with limits, the test polls
 * the daemon with deadlines. */
#include <jansson.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kiosk_run.h"

#define DEADLINE_MS 30000u

static kiosk_site site;
static char usb_extra[700];    /* [kiosk] usb_dir = SITE/usb, no mount check */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int run_kiosk(const char *name, const char *script)
{
    return kiosk_finish_in(site.dir, kiosk_start_in(site.dir, name, script), name);
}

static void staff_add(const char *id, const char *name, const char *role, const char *pin)
{
    char input[64];
    const char *args[] = { "staff", "add", id, "--name", name, "--role", role, NULL };
    snprintf(input, sizeof input, "%s\n", pin);
    assert_int_equal(harness_ctl_stdin(&site.h, input, NULL, args), 0);
}

static json_t *ctl_json(const char *const *args)
{
    char *out = NULL;
    kiosk_site_ctl(&site, args, &out);
    json_error_t e;
    json_t *j = json_loads(out ? out : "", 0, &e);
    if (!j)
        fail_msg("qifu-ctl %s %s: not JSON: %s", args[0], args[1], out ? out : "");
    free(out);
    return j;
}

/* The id the daemon gave the kiosk (the kiosk keeps it in state/device_id
 * from its first heartbeat). */
static const char *kiosk_device_id(void)
{
    static char id[64];
    char path[512];
    snprintf(path, sizeof path, "%s/state/device_id", site.dir);
    uint64_t end = now_ms() + DEADLINE_MS;
    for (;;) {
        FILE *fp = fopen(path, "r");
        id[0] = '\0';
        if (fp) {
            if (fgets(id, sizeof id, fp))
                id[strcspn(id, "\r\n")] = '\0';
            fclose(fp);
        }
        if (id[0] || now_ms() > end)
            break;
        poll(NULL, 0, 50);
    }
    if (!id[0])
        fail_msg("the kiosk did not record its device id");
    return id;
}

/* Whether this kiosk is on the overdue-inspection list. */
static bool kiosk_overdue(void)
{
    const char *args[] = { "device", "inspections", "--overdue", "--json", NULL };
    json_t *j = ctl_json(args), *d;
    size_t i;
    bool found = false;
    json_array_foreach(json_object_get(j, "overdue"), i, d) {
        const char *id = json_string_value(json_object_get(d, "id"));
        found = found || (id && strcmp(id, kiosk_device_id()) == 0);
    }
    json_decref(j);
    return found;
}

static size_t count_in(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static int group_setup(void **state)
{
    (void)state;
    if (kiosk_site_setup(&site, "staff") != 0)
        return -1;
    snprintf(usb_extra, sizeof usb_extra, "[kiosk]\nusb_dir = %s/usb\nusb_require_mount = false\n",
             site.dir);
    kiosk_site_config(&site, NULL, 600, NULL, usb_extra);
    staff_add("H1", "帮办小李", "helper", "246810");
    staff_add("T1", "技术员老张", "technician", "135790");
    staff_add("T2", "技术员小王", "technician", "975310");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return kiosk_site_teardown(&site);
}

/* From the idle screen: a session, the catalog in. */
#define START "tap 540 960\nwait-text 人才服务 20000\n"
/* The hidden corner (bottom left), five taps. */
#define CORNER "tap 20 1900\ntap 20 1900\ntap 20 1900\ntap 20 1900\ntap 20 1900\n"
#define TECH_T1 CORNER "type T1\nkey Return\ntype 135790\nkey Return\nwait-text 运维模式 20000\n"

static void test_a_helper_signs_in_and_the_request_carries_the_helpers_id(void **state)
{
    (void)state;
    assert_int_equal(run_kiosk("helper", START
                                         "tap-text 工作人员\n"
                                         "wait-text 工作人员登录\n"
                                         "type H1\n"
                                         "key Return\n"
                                         "type 246810\n"
                                         "dump helper-pin.json\n"
                                         "key Return\n"
                                         "wait-text 帮办小李 20000\n"
                                         "dump helper-bar.json\n"
                                         "tap-text 呼叫帮办\n"
                                         "wait-text 已呼叫帮办 20000\n"
                                         "tap-text 呼叫列表\n"
                                         "wait-text 前往处理 20000\n"
                                         "dump helper-calls.json\n"
                                         "tap-text 前往处理\n"
                                         "wait-text 帮办人员正在赶来 20000\n"
                                         "tap-text 关闭呼叫\n"
                                         "wait-text 暂无待处理的呼叫 20000\n"
                                         "tap-text 返回\n"
                                         "tap-text 我要提诉求\n"
                                         "tap-text 企业名称\n"
                                         "type 杭州钱塘示例生物科技有限公司\n"
                                         "tap-text 统一社会信用代码\n"
                                         "type 91330100716105852F\n"
                                         "tap-text 联系人\n"
                                         "type 王女士\n"
                                         "key Return\n"
                                         "type 13812345678\n"
                                         "key Return\n"
                                         "type 厂房消防验收进度咨询，希望了解还缺哪些材料。\n"
                                         "key Escape\n"
                                         "drag 540 1700 540 200 300\n"
                                         "wait 3000\n"
                                         "tap-text 诉求服务\n"
                                         "tap-text 我已阅读并同意\n"
                                         "tap-text 下一步\n"
                                         "wait-text 请核对 5000\n"
                                         "tap-text 确认提交\n"
                                         "wait-text 已受理 20000\n"
                                         "dump helper-receipt.json\n"
                                         "tap-text Sign out\n"
                                         "dump helper-out.json\n"
                                         "quit\n"),
                     0);
    json_t *d = kiosk_load_dump_in(site.dir, "helper-pin.json");
    assert_string_equal(kiosk_dump_screen(d), "staff_login");
    assert_null(kiosk_dump_find(d, NULL, "246810"));   /* the PIN shows as dots */
    assert_non_null(kiosk_dump_find(d, NULL, "●●●●●●"));
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "helper-bar.json");
    assert_string_equal(kiosk_dump_screen(d), "home");
    assert_non_null(kiosk_dump_find(d, NULL, "帮办 Helper: 帮办小李"));
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "helper-calls.json");
    assert_string_equal(kiosk_dump_screen(d), "help_calls");
    assert_non_null(kiosk_dump_find(d, NULL, " · home · "));
    json_decref(d);
    /* Answered and closed from the kiosk's helper screen, as H1. */
    const char *calls[] = { "help", "list", "--json", NULL };
    json_t *cl = ctl_json(calls), *c0 = json_array_get(cl, 0);
    assert_string_equal(json_string_value(json_object_get(c0, "state")), "closed");
    assert_string_equal(json_string_value(json_object_get(c0, "helper_id")), "H1");
    assert_string_equal(json_string_value(json_object_get(c0, "acknowledged_by")), "staff:H1");
    json_decref(cl);
    d = kiosk_load_dump_in(site.dir, "helper-receipt.json");
    json_t *w = kiosk_dump_find(d, "label", "受理编号 QT");
    assert_non_null(w);
    const char *t = strstr(json_string_value(json_object_get(w, "text")), "QT");
    char no[32];
    size_t n = strspn(t, "QT0123456789-");
    assert_true(n >= 15 && n < sizeof no);
    memcpy(no, t, n);
    no[n] = '\0';
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "helper-out.json");
    assert_null(kiosk_dump_find(d, NULL, "帮办小李"));   /* signed out */
    json_decref(d);

    const char *show[] = { "case", "show", no, "--json", NULL };
    json_t *c = ctl_json(show);
    json_t *cs = json_object_get(c, "case") ? json_object_get(c, "case") : c;
    assert_string_equal(json_string_value(json_object_get(cs, "helper_id")), "H1");
    assert_string_equal(json_string_value(json_object_get(cs, "channel")), "helper");
    json_decref(c);
}

static void test_a_help_call_acknowledged_from_ctl_shows_the_helper_is_coming(void **state)
{
    (void)state;
    pid_t pid = kiosk_start_in(site.dir, "call", START
                                                 "tap-text 呼叫帮办\n"
                                                 "wait-text 已呼叫帮办 20000\n"
                                                 "dump call-open.json\n"
                                                 "wait-text 帮办人员正在赶来 60000\n"
                                                 "dump call-ack.json\n"
                                                 "quit\n");
    assert_true(pid > 0);
    /* The call reaches the daemon: acknowledge it as helper H1. */
    long long id = 0;
    uint64_t end = now_ms() + DEADLINE_MS;
    while (id == 0 && now_ms() < end) {
        const char *list[] = { "help", "list", "--open", "--json", NULL };
        json_t *j = ctl_json(list), *c;
        size_t i;
        json_array_foreach(j, i, c) {
            const char *dn = json_string_value(json_object_get(c, "device_id"));
            if (dn && strcmp(dn, kiosk_device_id()) == 0)
                id = (long long)json_integer_value(json_object_get(c, "id"));
        }
        json_decref(j);
        if (id == 0)
            poll(NULL, 0, 100);
    }
    assert_true(id > 0);
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *ack[] = { "help", "ack", ids, "--staff", "H1", NULL };
    kiosk_site_ctl(&site, ack, NULL);
    assert_int_equal(kiosk_finish_in(site.dir, pid, "call"), 0);
    json_t *d = kiosk_load_dump_in(site.dir, "call-open.json");
    assert_non_null(kiosk_dump_find(d, NULL, "已呼叫帮办"));
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "call-ack.json");
    assert_string_equal(kiosk_dump_screen(d), "home");
    assert_non_null(kiosk_dump_find(d, NULL, "帮办人员正在赶来"));
    json_decref(d);
    const char *close[] = { "help", "close", ids, NULL };
    kiosk_site_ctl(&site, close, NULL);
}

static void test_an_inspection_from_maintenance_mode_clears_the_overdue_listing(void **state)
{
    (void)state;
    /* Enrolled by the earlier runs (or now, on the way to the catalog). */
    assert_int_equal(run_kiosk("enrol", START "quit\n"), 0);
    assert_true(kiosk_overdue());
    assert_int_equal(run_kiosk("inspect", TECH_T1
                                          "dump inspect-menu.json\n"
                                          "tap-text 季度联合巡检\n"
                                          "tap-text 通过 screen\n"
                                          "tap-text 通过 touch\n"
                                          "tap-text 通过 printer\n"
                                          "tap-text 通过 scanner\n"
                                          "tap-text 通过 network\n"
                                          "tap-text 通过 casing\n"
                                          "tap-text 通过 power\n"
                                          "tap-text 通过 software\n"
                                          "screenshot inspect-form.png\n"
                                          "tap-text 备注 Notes\n"
                                          "type 外观清洁，运行正常\n"
                                          "tap-text 提交巡检\n"
                                          "wait-text 巡检记录已提交 20000\n"
                                          "dump inspect-done.json\n"
                                          "quit\n"),
                     0);
    json_t *d = kiosk_load_dump_in(site.dir, "inspect-menu.json");
    assert_string_equal(kiosk_dump_screen(d), "tech");
    assert_non_null(kiosk_dump_find(d, NULL, "技术员老张"));
    json_decref(d);
    assert_false(kiosk_overdue());
    const char *list[] = { "device", "inspections", "--json", NULL };
    json_t *j = ctl_json(list), *i0 = json_array_get(j, 0);
    assert_string_equal(json_string_value(json_object_get(i0, "inspector")), "技术员老张");
    assert_string_equal(json_string_value(json_object_get(i0, "result")), "pass");
    assert_string_equal(json_string_value(json_object_get(i0, "notes")), "外观清洁，运行正常");
    json_decref(j);
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    char *text = calloc(1, 1 << 20);
    size_t got = text ? fread(text, 1, (1 << 20) - 1, fp) : 0;
    fclose(fp);
    if (text)
        text[got] = '\0';
    return text;
}

static void test_diagnostics_touch_test_test_slip_and_log_export(void **state)
{
    (void)state;
    char usb[300], cmd[1200];
    snprintf(usb, sizeof usb, "%s/usb", site.dir);
    assert_int_equal(mkdir(usb, 0700), 0);
    assert_int_equal(run_kiosk("diag", TECH_T1
                                       "tap-text 设备诊断\n"
                                       "wait-text 软件版本 5000\n"
                                       "dump diag.json\n"
                                       "tap-text 打印测试页\n"
                                       "wait-text 测试页已打印 20000\n"
                                       "tap-text 导出日志到U盘\n"
                                       "wait-text 已导出 5000\n"
                                       "dump diag-export.json\n"
                                       "tap-text 触摸测试\n"
                                       "tap 96 90\ntap 990 98\ntap 90 1830\ntap 990 1830\n"
                                       "tap 540 960\n"
                                       "dump diag-touch.json\n"
                                       "key Escape\n"
                                       "tap-text 色条与坏点检测\n"
                                       "dump diag-bars.json\n"
                                       "tap 540 960\ntap 540 960\ntap 540 960\n"
                                       "tap 540 960\ntap 540 960\ntap 540 960\n"
                                       "tap 540 960\n"
                                       "dump diag-back.json\n"
                                       "quit\n"),
                     0);
    json_t *d = kiosk_load_dump_in(site.dir, "diag.json");
    assert_string_equal(kiosk_dump_screen(d), "diag");
    assert_non_null(kiosk_dump_find(d, NULL, "网络 Network: online"));
    assert_non_null(kiosk_dump_find(d, NULL, "最近日志 Last log lines"));
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "diag-touch.json");
    assert_non_null(kiosk_dump_find(d, NULL, "5/5，最大偏差 8 px"));
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "diag-bars.json");
    assert_non_null(kiosk_dump_find(d, NULL, "色条 Colour bars"));
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "diag-back.json");
    assert_non_null(kiosk_dump_find(d, NULL, "触摸测试"));   /* the last colour's tap ends it */
    json_decref(d);
    /* One export file with the report and the kiosk's own log lines. */
    snprintf(cmd, sizeof cmd, "cat '%s'/qifu-kiosk-*.txt > '%s/export.txt'", usb, site.dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/export.txt", site.dir);
    char *text = read_text(cmd);
    assert_non_null(text);
    assert_non_null(strstr(text, "软件版本 Version: qifu-kiosk"));
    assert_non_null(strstr(text, "staff: technician T1 signed in"));
    free(text);
    snprintf(cmd, sizeof cmd, "ls '%s'/slips/*.png >/dev/null 2>&1", site.dir);
    assert_int_equal(system(cmd), 0);
}

/* The daemon away: the PIN is checked against the hash stored at the last
 * online sign-in; an export without the stick is refused. */
static void test_offline_the_stored_technician_hash_admits_the_right_pin_only(void **state)
{
    (void)state;
    char extra[700], path[600];
    snprintf(extra, sizeof extra, "[kiosk]\nusb_dir = %s/no-stick\n", site.dir);
    kiosk_site_config(&site, "https://127.0.0.1:9", 600, NULL, extra);
    int rc = run_kiosk("offline", CORNER
                                  "type T1\nkey Return\ntype 111111\nkey Return\n"
                                  "wait-text 离线校验 20000\n"
                                  "type 135790\nkey Return\n"
                                  "wait-text 运维模式 20000\n"
                                  "tap-text 设备诊断\n"
                                  "tap-text 导出日志到U盘\n"
                                  "wait-text 未找到U盘 5000\n"
                                  "dump offline-export.json\n"
                                  "quit\n");
    kiosk_site_config(&site, NULL, 600, NULL, usb_extra);
    assert_int_equal(rc, 0);
    snprintf(path, sizeof path, "%s/offline.err", site.dir);
    char *err = read_text(path);
    assert_non_null(err);
    assert_non_null(strstr(err, "offline technician check: refused"));
    assert_non_null(strstr(err, "offline technician check: accepted"));
    free(err);
    struct stat st;
    snprintf(path, sizeof path, "%s/state/tech/T1", site.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_a_wrong_technician_pin_is_refused_and_then_locked_locally(void **state)
{
    (void)state;
    assert_int_equal(run_kiosk("wrongpin", CORNER
                                           "type T2\n"
                                           "key Return\n"
                                           "type 000000\n"
                                           "key Return\n"
                                           "wait-text 工号或密码错误 20000\n"
                                           "dump wrong-1.json\n"
                                           "type 000001\nkey Return\nwait-text 错误 20000\n"
                                           "type 000002\nkey Return\nwait-text 错误 20000\n"
                                           "type 000003\nkey Return\nwait-text 错误 20000\n"
                                           "type 000004\nkey Return\n"
                                           "wait-text 尝试次数过多 20000\n"
                                           "type 975310\nkey Return\n"
                                           "wait 500\n"
                                           "dump wrong-locked.json\n"
                                           "quit\n"),
                     0);
    json_t *d = kiosk_load_dump_in(site.dir, "wrong-1.json");
    assert_string_equal(kiosk_dump_screen(d), "staff_login");
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "wrong-locked.json");
    assert_string_equal(kiosk_dump_screen(d), "staff_login");   /* the right PIN did not open it */
    assert_non_null(kiosk_dump_find(d, NULL, "尝试次数过多"));
    json_decref(d);
    char path[512];
    snprintf(path, sizeof path, "%s/wrongpin.err", site.dir);
    char *err = read_text(path);
    assert_non_null(err);
    /* Five answers from the daemon, the sixth attempt never left the kiosk. */
    assert_int_equal(count_in(err, "staff: sign-in refused"), 5);
    assert_null(strstr(err, "technician T2 signed in"));
    free(err);
}

static void test_a_maintenance_notice_puts_the_kiosk_out_of_service(void **state)
{
    (void)state;
    assert_int_equal(run_kiosk("notice", TECH_T1
                                         "tap-text 维护报备\n"
                                         "type 更换打印机\n"
                                         "tap-text 1 小时\n"
                                         "tap-text 提交报备\n"
                                         "wait-text 已报备 20000\n"
                                         "dump notice-done.json\n"
                                         "tap-text 返回\n"
                                         "tap-text 退出运维模式\n"
                                         "wait-text 暂停服务 5000\n"
                                         "dump notice-oos.json\n"
                                         "tap 540 960\n"
                                         "dump notice-oos-tap.json\n"
                                         "quit\n"),
                     0);
    json_t *d = kiosk_load_dump_in(site.dir, "notice-oos.json");
    assert_string_equal(kiosk_dump_screen(d), "out_of_service");
    json_decref(d);
    d = kiosk_load_dump_in(site.dir, "notice-oos-tap.json");
    assert_string_equal(kiosk_dump_screen(d), "out_of_service");   /* no session starts */
    json_decref(d);
    /* A restarted kiosk keeps the window. */
    assert_int_equal(run_kiosk("notice-again", "wait 200\ndump notice-again.json\nquit\n"), 0);
    d = kiosk_load_dump_in(site.dir, "notice-again.json");
    assert_string_equal(kiosk_dump_screen(d), "out_of_service");
    json_decref(d);
    char path[512];
    snprintf(path, sizeof path, "%s/state/maintenance", site.dir);
    unlink(path);                  /* the later runs serve citizens again */
}

/* A helper's badge QR scanned on the sign-in screen (on a site of its
 * own: the kiosk's sign-in budget on the daemon is shared by the others). */
static void test_a_scanned_staff_badge_signs_a_helper_in(void **state)
{
    (void)state;
    kiosk_site b;
    assert_int_equal(kiosk_site_setup(&b, "badge"), 0);
    kiosk_site_config(&b, NULL, 600, NULL, NULL);
    char input[32];
    snprintf(input, sizeof input, "%s\n", "112233");
    const char *add[] = { "staff", "add", "H2", "--name", "导办小周", "--role", "helper", NULL };
    assert_int_equal(harness_ctl_stdin(&b.h, input, NULL, add), 0);
    const char *badge[] = { "staff", "badge", "H2", NULL };
    char *out = NULL, script[1024];
    kiosk_site_ctl(&b, badge, &out);
    assert_non_null(out);
    out[strcspn(out, "\r\n")] = '\0';
    assert_non_null(strstr(out, "QIFU-STAFF:H2:"));
    snprintf(script, sizeof script,
             START "tap-text 工作人员\nwait-text 工作人员登录\nscan %s\n"
                   "wait-text 导办小周 20000\ndump badge.json\nquit\n",
             out);
    free(out);
    int rc = kiosk_finish_in(b.dir, kiosk_start_in(b.dir, "badge", script), "badge");
    json_t *d = rc == 0 ? kiosk_load_dump_in(b.dir, "badge.json") : NULL;
    bool shown = d && kiosk_dump_find(d, NULL, "帮办 Helper: 导办小周") != NULL;
    bool leaked = d && kiosk_dump_find(d, NULL, "QIFU-STAFF") != NULL;
    json_decref(d);
    kiosk_site_teardown(&b);
    assert_int_equal(rc, 0);
    assert_true(shown);
    assert_false(leaked);          /* the scanned secret is not left on screen */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_helper_signs_in_and_the_request_carries_the_helpers_id),
        cmocka_unit_test(test_a_help_call_acknowledged_from_ctl_shows_the_helper_is_coming),
        cmocka_unit_test(test_an_inspection_from_maintenance_mode_clears_the_overdue_listing),
        cmocka_unit_test(test_diagnostics_touch_test_test_slip_and_log_export),
        cmocka_unit_test(test_offline_the_stored_technician_hash_admits_the_right_pin_only),
        cmocka_unit_test(test_a_wrong_technician_pin_is_refused_and_then_locked_locally),
        cmocka_unit_test(test_a_maintenance_notice_puts_the_kiosk_out_of_service),
        cmocka_unit_test(test_a_scanned_staff_badge_signs_a_helper_in),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
