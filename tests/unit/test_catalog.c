/* test_catalog.c — qf_catalog: decoding a small document with every section,
 * the exact path in each kind of decode error, all-or-nothing appends,
 * limits, encode/decode round trips, lookups, every validation check (each
 * reported, all reported), folder loading and the statistics.
 *
 * Documents are written with ' for " (see doc_parse) and mutated through
 * jansson, so each test shows only the field it breaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "qf_catalog.h"

/* One of each section; valid. Every optional field appears at least once
 * and is left out at least once. */
static const char base_doc[] =
    "{'meta': {'version': '2023.07-1', 'title': '测试目录', 'source': 'unit test'},"
    " 'boards': ["
    "  {'id': 'board-talent', 'name': '人才服务', 'name_en': 'Talent services',"
    "   'lead_units': ['区委人才办'], 'description': '人才服务板块'},"
    "  {'id': 'board-approval', 'name': '审批服务', 'name_en': 'Approval services',"
    "   'lead_units': ['区行政审批局'], 'description': '审批服务板块'}],"
    " 'windows': [{'id': 'win-fallback', 'name': '兜底办窗口', 'name_en': 'Fallback window',"
    "   'area': '综合服务区', 'board': 'board-approval'}],"
    " 'units': ["
    "  {'id': 'unit-001', 'name': '区委人才办', 'kind': 'department', 'aliases': ['区人才办']},"
    "  {'id': 'unit-002', 'name': '区行政审批局', 'kind': 'department'}],"
    " 'services': ["
    "  {'id': 'svc-common-001', 'row': 1, 'board': 'board-talent', 'category2': '人才认定',"
    "   'category3': '人才认定服务', 'provider': 'government', 'content': '认定人才',"
    "   'flow': ['申请', '审核'], 'units': ['区人才办'], 'frequency': 'high', 'target': '企业',"
    "   'region': '全区', 'period': '长期',"
    "   'online': {'name': '企服新干线', 'url': 'https://www.qttzzj.com/'},"
    "   'offline': '企业综合服务中心', 'contacts': [{'name': '张三', 'phone': '0571-85901890'}]},"
    "  {'id': 'svc-common-002', 'row': 2, 'board': 'board-approval', 'category2': '企业开办',"
    "   'category3': '开办帮办', 'provider': 'market', 'content': '帮办开办', 'flow': ['申请'],"
    "   'units': ['区行政审批局'], 'frequency': 'low', 'target': '企业', 'region': '全区',"
    "   'period': '长期', 'contacts': [], 'notes': ['mark unclear in the PDF']}],"
    " 'stations': [{'id': 'station-bio', 'name': '生物医药产业服务驿站', 'industry': '生物医药',"
    "   'platform': '医药港', 'address': '钱塘区', 'items': ["
    "   {'id': 'svc-bio-001', 'row': 1, 'category': '诉求服务', 'board': 'board-talent',"
    "    'provider': 'government', 'description': '一件事集成服务',"
    "    'contacts': [{'name': '汪磊', 'phone': '15088621186'}]},"
    "   {'id': 'svc-bio-002', 'row': 2, 'category': '人才服务', 'provider': 'enterprise',"
    "    'description': '人才招聘', 'contacts': []}]}],"
    " 'online_services': [{'id': 'online-01', 'row': 1, 'name': '知识产权纠纷调解',"
    "   'category': '法治服务'}],"
    " 'bundles': ["
    "  {'id': 'bundle-market-entry', 'source': '附件6', 'name': '市场准入一类事', 'needs': '开办',"
    "   'basic_items': [{'name': '公司设立登记', 'units': ['区行政审批局']}, {'name': '公章刻制备案'}],"
    "   'value_added': [{'side': 'government', 'text': '导办帮办', 'providers': ['区行政审批局']},"
    "                   {'side': 'enterprise', 'text': '中介代办', 'providers': []}],"
    "   'online_path': '浙江政务网', 'guarantees': ['合规指导']},"
    "  {'id': 'bundle-bio-rnd', 'source': '附件7', 'name': '研发一类事', 'needs': '研发',"
    "   'basic_items': [], 'value_added': [], 'guarantees': []}],"
    " 'guides': [{'id': 'guide-request-intake', 'service_id': 'svc-common-001',"
    "   'title': '企业诉求受理服务事项服务指南', 'handling_unit': '钱塘区经信科技局',"
    "   'target': '全区企业', 'online_channel': {'name': '企服新干线', 'url': 'https://www.qttzzj.com/'},"
    "   'offline_channel': '日常走访', 'phone': '0571-85901890', 'duration': '即时受理',"
    "   'conditions': ['困难问题及诉求'],"
    "   'materials': [{'name': '申请表', 'form': '原件', 'copies': '1份', 'required': true,"
    "                  'notes': '加盖公章'}, {'name': '营业执照', 'required': false}],"
    "   'responsible_unit': '区经信科技局', 'faq': [{'q': '在哪里办？', 'a': '金沙大道600号'}],"
    "   'window': {'time_limit': '1个工作日', 'fees': '不收费'}}],"
    " 'faq': [{'id': 'faq-001', 'q': '几点开门？', 'a': '九点', 'board': 'board-approval'}],"
    " 'hotlines': [{'id': 'hotline-business', 'name': '营商热线', 'number': '85901890'}],"
    " 'places': [{'id': 'place-hall', 'name': '企业综合服务中心', 'address': '金沙大道600号'}],"
    " 'policies': [{'id': 'policy-talent-2023', 'title': '人才政策', 'body': '正文',"
    "   'board': 'board-talent', 'published': '2023-07-01'}],"
    " 'notices': [{'id': 'notice-hours', 'title': '开放时间', 'body': '周一至周五'}]}";

/* --- helpers ------------------------------------------------------------- */

/* Parses a document written with ' for ". */
static json_t *doc_parse(const char *squoted)
{
    char *text = strdup(squoted);
    assert_non_null(text);
    for (char *p = text; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (!doc)
        fail_msg("test document does not parse: line %d: %s", jerr.line, jerr.text);
    free(text);
    return doc;
}

static json_t *base(void)
{
    return doc_parse(base_doc);
}

static json_t *at(json_t *doc, const char *section, size_t i)
{
    json_t *item = json_array_get(json_object_get(doc, section), i);
    assert_non_null(item);
    return item;
}

static void set_str(json_t *obj, const char *key, const char *value)
{
    assert_int_equal(json_object_set_new(obj, key, json_string(value)), 0);
}

/* Decodes doc (taken) into cat. */
static qf_err decode_into(qf_catalog *cat, json_t *doc, char *err, size_t errlen)
{
    char *text = json_dumps(doc, 0);
    assert_non_null(text);
    json_decref(doc);
    qf_err rc = qf_catalog_decode_json(cat, text, strlen(text), err, errlen);
    free(text);
    return rc;
}

/* A new catalog holding doc (taken); fails the test with the reason if doc
 * does not decode. */
static qf_catalog *decode_ok(json_t *doc)
{
    qf_catalog *cat = NULL;
    char err[512] = "";
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    qf_err rc = decode_into(cat, doc, err, sizeof err);
    if (rc != QF_OK)
        fail_msg("decode failed (%s): %s", qf_err_str(rc), err);
    return cat;
}

/* doc (taken) must fail to decode with code and exactly message, and leave
 * the catalog empty. */
static void expect_decode_error(json_t *doc, qf_err code, const char *message)
{
    qf_catalog *cat = NULL;
    char err[512] = "";
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    assert_int_equal(decode_into(cat, doc, err, sizeof err), code);
    assert_string_equal(err, message);
    for (int k = 0; k < QF_CATALOG_KIND__COUNT; k++)
        assert_int_equal(qf_catalog_count(cat, (qf_catalog_kind)k), 0);
    assert_null(cat->meta);
    qf_catalog_free(cat);
}

typedef struct seen_problem {
    qf_catalog_check check;
    char path[160];
    char id[80];
    char message[320];
} seen_problem;

typedef struct seen_list {
    seen_problem items[32];
    size_t n;
} seen_list;

static void collect(const qf_catalog_problem *p, void *ud)
{
    seen_list *s = ud;
    if (s->n < sizeof s->items / sizeof s->items[0]) {
        seen_problem *q = &s->items[s->n];
        q->check = p->check;
        snprintf(q->path, sizeof q->path, "%s", p->path);
        snprintf(q->id, sizeof q->id, "%s", p->id ? p->id : "");
        snprintf(q->message, sizeof q->message, "%s", p->message);
    }
    s->n++;
}

static size_t validate_into(const qf_catalog *cat, seen_list *seen)
{
    size_t count = 99;
    memset(seen, 0, sizeof *seen);
    qf_err rc = qf_catalog_validate(cat, collect, seen, &count);
    assert_int_equal(count, seen->n);
    assert_int_equal(rc, count ? QF_ERR_INVALID : QF_OK);
    return count;
}

static void dump_problems(const seen_list *seen)
{
    for (size_t i = 0; i < seen->n && i < 32; i++)
        print_message("  problem %zu: %s (%s): %s\n", i, seen->items[i].path, seen->items[i].id,
                      seen->items[i].message);
}

static void assert_problem(const seen_problem *p, qf_catalog_check check, const char *path,
                           const char *id, const char *message)
{
    assert_int_equal(p->check, check);
    assert_string_equal(p->path, path);
    assert_string_equal(p->id, id);
    if (message)
        assert_string_equal(p->message, message);
}

/* doc (taken) decodes and validation finds exactly one problem, this one. */
static void expect_one_problem(json_t *doc, qf_catalog_check check, const char *path,
                               const char *id, const char *message)
{
    qf_catalog *cat = decode_ok(doc);
    seen_list seen;
    if (validate_into(cat, &seen) != 1) {
        dump_problems(&seen);
        fail_msg("expected exactly one problem, got %zu", seen.n);
    }
    assert_problem(&seen.items[0], check, path, id, message);
    qf_catalog_free(cat);
}

/* --- decoding ------------------------------------------------------------ */

static void test_decode_fills_every_section(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(base());

    assert_non_null(cat->meta);
    assert_string_equal(cat->meta->version, "2023.07-1");
    assert_int_equal(cat->boards_count, 2);
    assert_string_equal(cat->boards[1].lead_units.items[0], "区行政审批局");
    assert_int_equal(cat->windows[0].area, QF_CATALOG_AREA_GENERAL);
    assert_int_equal(cat->units[0].kind, QF_CATALOG_UNIT_DEPARTMENT);
    assert_int_equal(cat->units[0].aliases.count, 1);
    assert_int_equal(cat->services_count, 2);
    const qf_catalog_service *s = &cat->services[0];
    assert_int_equal(s->row, 1);
    assert_int_equal(s->provider, QF_CATALOG_PROVIDER_GOVERNMENT);
    assert_int_equal(s->frequency, QF_CATALOG_FREQUENCY_HIGH);
    assert_int_equal(s->flow.count, 2);
    assert_string_equal(s->flow.items[1], "审核");
    assert_string_equal(s->online->url, "https://www.qttzzj.com/");
    assert_int_equal(s->contacts_count, 1);
    assert_string_equal(s->contacts[0].phone, "0571-85901890");
    assert_int_equal(cat->services[1].provider, QF_CATALOG_PROVIDER_MARKET);
    assert_int_equal(cat->services[1].notes.count, 1);
    assert_int_equal(cat->stations_count, 1);
    assert_int_equal(cat->stations[0].items_count, 2);
    assert_int_equal(cat->stations[0].items[1].provider, QF_CATALOG_PROVIDER_ENTERPRISE);
    assert_int_equal(cat->online_services_count, 1);
    assert_int_equal(cat->bundles_count, 2);
    assert_int_equal(cat->bundles[0].source, QF_CATALOG_SOURCE_ANNEX6);
    assert_int_equal(cat->bundles[1].source, QF_CATALOG_SOURCE_ANNEX7);
    assert_int_equal(cat->bundles[0].value_added[1].side, QF_CATALOG_PROVIDER_ENTERPRISE);
    assert_int_equal(cat->bundles[0].basic_items[0].units.count, 1);
    assert_string_equal(cat->bundles[0].basic_items[0].units.items[0], "区行政审批局");
    const qf_catalog_guide *g = &cat->guides[0];
    assert_int_equal(g->materials_count, 2);
    assert_int_equal(g->materials[0].required, 1);
    assert_int_equal(g->materials[1].required, 0);
    assert_string_equal(g->materials[0].notes.items[0], "加盖公章");   /* a string is one note */
    assert_int_equal(g->faq_count, 1);
    assert_non_null(g->window);
    assert_string_equal(g->window->fees, "不收费");
    assert_int_equal(cat->faq_count, 1);
    assert_int_equal(cat->hotlines_count, 1);
    assert_int_equal(cat->places_count, 1);
    assert_int_equal(cat->policies_count, 1);
    assert_int_equal(cat->notices_count, 1);
    assert_int_equal(qf_catalog_count(cat, QF_CATALOG_STATION_ITEM), 2);
    qf_catalog_free(cat);
}

static void test_decode_leaves_optional_fields_unset_when_absent_or_null(void **state)
{
    (void)state;
    json_t *doc = base();
    json_object_set_new(at(doc, "services", 0), "offline", json_null());
    json_object_set_new(at(doc, "guides", 0), "window", json_null());
    qf_catalog *cat = decode_ok(doc);

    assert_null(cat->services[0].offline);              /* null */
    assert_null(cat->services[1].online);               /* absent */
    assert_null(cat->services[1].offline);
    assert_null(cat->guides[0].window);
    assert_null(cat->stations[0].items[1].board);
    assert_null(cat->bundles[1].online_path);
    assert_int_equal(cat->units[1].aliases.count, 0);
    assert_int_equal(cat->bundles[0].basic_items[1].units.count, 0);
    assert_null(cat->guides[0].materials[1].form);
    assert_int_equal(cat->services[0].notes.count, 0);
    qf_catalog_free(cat);
}

static void test_decode_reports_wrong_type_with_path(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "services", 1), "flow", "申请--审核");
    expect_decode_error(doc, QF_ERR_INVALID, "services[1].flow: expected array");

    doc = base();
    json_object_set_new(at(doc, "boards", 0), "name", json_integer(7));
    expect_decode_error(doc, QF_ERR_INVALID, "boards[0].name: expected string");

    doc = base();
    json_array_set_new(json_object_get(at(doc, "services", 0), "units"), 0, json_integer(1));
    expect_decode_error(doc, QF_ERR_INVALID, "services[0].units[0]: expected string");

    doc = base();
    json_object_set_new(doc, "hotlines", json_object());
    expect_decode_error(doc, QF_ERR_INVALID, "hotlines: expected array");

    doc = base();
    json_array_set_new(json_object_get(doc, "places"), 0, json_string("place-hall"));
    expect_decode_error(doc, QF_ERR_INVALID, "places[0]: expected object");

    doc = base();
    json_object_set_new(at(doc, "guides", 0), "online_channel", json_string("企服新干线"));
    expect_decode_error(doc, QF_ERR_INVALID, "guides[0].online_channel: expected object");

    doc = base();
    json_t *mat = json_array_get(json_object_get(at(doc, "guides", 0), "materials"), 0);
    set_str(mat, "required", "是");
    expect_decode_error(doc, QF_ERR_INVALID, "guides[0].materials[0].required: expected true or false");
}

static void test_decode_reports_missing_required_field_with_path(void **state)
{
    (void)state;
    json_t *doc = base();
    json_object_del(at(doc, "boards", 1), "id");
    expect_decode_error(doc, QF_ERR_INVALID, "boards[1].id: required string missing");

    doc = base();
    json_object_set_new(at(doc, "services", 0), "contacts", json_null());
    expect_decode_error(doc, QF_ERR_INVALID, "services[0].contacts: required array missing");

    doc = base();
    json_object_del(json_array_get(json_object_get(at(doc, "stations", 0), "items"), 0),
                    "description");
    expect_decode_error(doc, QF_ERR_INVALID,
                        "stations[0].items[0].description: required string missing");

    doc = base();
    json_object_del(at(doc, "online_services", 0), "row");
    expect_decode_error(doc, QF_ERR_INVALID, "online_services[0].row: required integer missing");
}

static void test_decode_reports_unknown_enum_value_with_path(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(json_array_get(json_object_get(at(doc, "stations", 0), "items"), 1), "provider", "x");
    expect_decode_error(doc, QF_ERR_INVALID, "stations[0].items[1].provider: unknown value \"x\" "
                                             "(expected government, enterprise, society)");

    doc = base();
    set_str(at(doc, "bundles", 0), "source", "附件5");
    expect_decode_error(doc, QF_ERR_INVALID,
                        "bundles[0].source: unknown value \"附件5\" (expected 附件6, 附件7)");

    doc = base();
    set_str(at(doc, "services", 0), "frequency", "高频");
    expect_decode_error(doc, QF_ERR_INVALID,
                        "services[0].frequency: unknown value \"高频\" (expected high, medium, low)");
}

static void test_decode_refuses_a_provider_value_from_the_other_list(void **state)
{
    (void)state;
    /* 附件4 says market (▲); 附件5 says enterprise (▲). */
    json_t *doc = base();
    set_str(at(doc, "services", 0), "provider", "enterprise");
    expect_decode_error(doc, QF_ERR_INVALID, "services[0].provider: unknown value \"enterprise\" "
                                             "(expected government, market, society)");

    doc = base();
    set_str(json_array_get(json_object_get(at(doc, "stations", 0), "items"), 0), "provider",
            "market");
    expect_decode_error(doc, QF_ERR_INVALID, "stations[0].items[0].provider: unknown value "
                                             "\"market\" (expected government, enterprise, society)");
}

static void test_decode_refuses_unknown_fields_but_takes_notes_anywhere(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "services", 0), "categry2", "人才认定");
    expect_decode_error(doc, QF_ERR_INVALID, "services[0].categry2: unknown field");

    doc = base();
    set_str(json_object_get(at(doc, "guides", 0), "window"), "fee", "0");
    expect_decode_error(doc, QF_ERR_INVALID, "guides[0].window.fee: unknown field");

    doc = base();
    json_t *contact = json_array_get(json_object_get(at(doc, "services", 0), "contacts"), 0);
    json_object_set_new(contact, "notes", json_pack("[s]", "phone number hard to read"));
    json_object_set_new(json_object_get(doc, "meta"), "notes", json_pack("[s]", "draft"));
    qf_catalog *cat = decode_ok(doc);
    assert_string_equal(cat->services[0].contacts[0].notes.items[0], "phone number hard to read");
    assert_string_equal(cat->meta->notes.items[0], "draft");
    qf_catalog_free(cat);
}

static void test_decode_refuses_unknown_sections_and_non_objects(void **state)
{
    (void)state;
    json_t *doc = base();
    json_object_set_new(doc, "servcies", json_array());
    expect_decode_error(doc, QF_ERR_INVALID, "servcies: unknown section");

    expect_decode_error(json_array(), QF_ERR_INVALID, "top level: expected object");

    doc = base();
    json_object_set_new(doc, "meta", json_array());
    expect_decode_error(doc, QF_ERR_INVALID, "meta: expected object");
}

static void test_decode_reports_json_syntax_errors_with_line(void **state)
{
    (void)state;
    qf_catalog *cat = NULL;
    char err[256] = "";
    static const char bad[] = "{\n  \"boards\": [,]\n}";
    static const char dup[] = "{\"boards\": [], \"boards\": []}";

    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    assert_int_equal(qf_catalog_decode_json(cat, bad, strlen(bad), err, sizeof err), QF_ERR_PARSE);
    assert_non_null(strstr(err, "line 2, column "));
    assert_int_equal(qf_catalog_decode_json(cat, dup, strlen(dup), err, sizeof err), QF_ERR_PARSE);
    assert_non_null(strstr(err, "duplicate"));
    assert_int_equal(qf_catalog_decode_json(cat, "", 0, err, sizeof err), QF_ERR_PARSE);
    qf_catalog_free(cat);
}

static void test_decode_rejects_rows_that_are_not_ints(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "services", 0), "row", "1");
    expect_decode_error(doc, QF_ERR_INVALID, "services[0].row: expected integer");

    doc = base();
    json_object_set_new(at(doc, "services", 0), "row", json_real(1.5));
    expect_decode_error(doc, QF_ERR_INVALID, "services[0].row: expected integer");

    doc = base();
    json_object_set_new(at(doc, "online_services", 0), "row", json_integer(1099511627776LL));
    expect_decode_error(doc, QF_ERR_RANGE,
                        "online_services[0].row: integer 1099511627776 out of range");
}

static void test_decode_appends_sections_across_documents(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(base());
    char err[256] = "";
    json_t *more = doc_parse("{'hotlines': [{'id': 'hotline-12345', 'name': '12345', "
                             "'number': '12345'}], 'boards': []}");
    assert_int_equal(decode_into(cat, more, err, sizeof err), QF_OK);
    assert_int_equal(cat->hotlines_count, 2);
    assert_string_equal(cat->hotlines[0].id, "hotline-business");
    assert_string_equal(cat->hotlines[1].id, "hotline-12345");
    assert_int_equal(cat->boards_count, 2);
    assert_non_null(qf_catalog_hotline_get(cat, "hotline-12345"));
    qf_catalog_free(cat);
}

static void test_decode_failure_leaves_the_catalog_unchanged(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(base());
    char *before = NULL, *after = NULL, err[256] = "";
    assert_int_equal(qf_catalog_encode_json(cat, &before), QF_OK);

    /* Good sections before the bad one must not be appended either. */
    json_t *doc = doc_parse("{'hotlines': [{'id': 'hotline-12345', 'name': '12345', "
                            "'number': '12345'}], 'places': [{'id': 'place-x', 'name': 'x'}]}");
    assert_int_equal(decode_into(cat, doc, err, sizeof err), QF_ERR_INVALID);
    assert_string_equal(err, "places[0].address: required string missing");
    /* A second meta is refused at the merge. */
    doc = doc_parse("{'meta': {'version': '2', 'title': 't', 'source': 's'}, 'faq': []}");
    assert_int_equal(decode_into(cat, doc, err, sizeof err), QF_ERR_INVALID);
    assert_string_equal(err, "meta: appears in more than one document");

    assert_int_equal(qf_catalog_encode_json(cat, &after), QF_OK);
    assert_string_equal(before, after);
    free(before);
    free(after);
    qf_catalog_free(cat);
}

static void test_decode_enforces_the_string_limit(void **state)
{
    (void)state;
    char *big = malloc(QF_CATALOG_MAX_STRING + 2);
    assert_non_null(big);
    memset(big, 'a', QF_CATALOG_MAX_STRING + 1);
    big[QF_CATALOG_MAX_STRING + 1] = '\0';

    json_t *doc = base();
    set_str(at(doc, "services", 0), "content", big);
    expect_decode_error(doc, QF_ERR_LIMIT,
                        "services[0].content: string of 65537 bytes exceeds the limit of 65536");

    big[QF_CATALOG_MAX_STRING] = '\0';   /* exactly at the limit is fine */
    doc = base();
    set_str(at(doc, "services", 0), "content", big);
    qf_catalog *cat = decode_ok(doc);
    assert_int_equal(strlen(cat->services[0].content), QF_CATALOG_MAX_STRING);
    qf_catalog_free(cat);
    free(big);
}

static void test_decode_enforces_the_array_limit(void **state)
{
    (void)state;
    json_t *doc = base();
    json_t *flow = json_array();
    for (unsigned i = 0; i < QF_CATALOG_MAX_ARRAY + 1; i++)
        json_array_append_new(flow, json_string("步骤"));
    json_object_set_new(at(doc, "services", 0), "flow", flow);
    expect_decode_error(doc, QF_ERR_LIMIT,
                        "services[0].flow: array of 10001 items exceeds the limit of 10000");

    doc = json_object();
    json_t *boards = json_array();
    for (unsigned i = 0; i < QF_CATALOG_MAX_ARRAY + 1; i++)
        json_array_append_new(boards, json_object());
    json_object_set_new(doc, "boards", boards);
    expect_decode_error(doc, QF_ERR_LIMIT, "boards: array of 10001 items exceeds the limit of 10000");
}

static void test_decode_refuses_an_oversized_document_before_parsing(void **state)
{
    (void)state;
    size_t len = QF_CATALOG_MAX_DOC_BYTES + 1;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, ' ', len);
    text[0] = '{';
    text[len - 1] = '}';
    qf_catalog *cat = NULL;
    char err[256] = "";
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    assert_int_equal(qf_catalog_decode_json(cat, text, len, err, sizeof err), QF_ERR_LIMIT);
    assert_string_equal(err, "document of 8388609 bytes exceeds the limit of 8388608");
    assert_int_equal(qf_catalog_decode_json(cat, text, len - 1, err, sizeof err), QF_ERR_PARSE);
    free(text);
    qf_catalog_free(cat);
}

/* --- encoding ------------------------------------------------------------ */

static void test_encode_then_decode_gives_an_equal_catalog(void **state)
{
    (void)state;
    qf_catalog *a = decode_ok(base()), *b = NULL;
    char *text = NULL, *again = NULL, err[256] = "";

    assert_int_equal(qf_catalog_encode_json(a, &text), QF_OK);
    assert_int_equal(qf_catalog_new(&b), QF_OK);
    assert_int_equal(qf_catalog_decode_json(b, text, strlen(text), err, sizeof err), QF_OK);
    assert_true(qf_catalog_equal(a, b));
    assert_int_equal(qf_catalog_encode_json(b, &again), QF_OK);
    assert_string_equal(text, again);
    /* Tri-state and empty-vs-absent survive. */
    assert_int_equal(b->guides[0].materials[1].required, 0);
    assert_null(b->services[1].online);
    free(text);
    free(again);
    qf_catalog_free(a);
    qf_catalog_free(b);
}

static void test_equal_notices_a_single_changed_field(void **state)
{
    (void)state;
    qf_catalog *a = decode_ok(base()), *b = decode_ok(base());
    assert_true(qf_catalog_equal(a, b));
    b->stations[0].items[1].row = 3;
    assert_false(qf_catalog_equal(a, b));
    b->stations[0].items[1].row = 2;
    free(b->guides[0].window->fees);
    b->guides[0].window->fees = NULL;
    assert_false(qf_catalog_equal(a, b));
    qf_catalog_free(a);
    qf_catalog_free(b);
}

static void test_encode_writes_schema_key_order(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(doc_parse(
        "{'places': [{'address': '金沙大道600号', 'name': '中心', 'id': 'place-hall'}],"
        " 'meta': {'source': 's', 'title': 't', 'version': '1'}}"));
    char *text = NULL;
    assert_int_equal(qf_catalog_encode_json(cat, &text), QF_OK);
    assert_non_null(strstr(text, "{\n  \"meta\": {\n    \"version\": \"1\",\n    \"title\": \"t\",\n"
                                 "    \"source\": \"s\"\n  },\n  \"boards\": [],"));
    assert_non_null(strstr(text, "\"places\": [\n    {\n      \"id\": \"place-hall\",\n"
                                 "      \"name\": \"中心\",\n      \"address\": \"金沙大道600号\"\n"
                                 "    }\n  ],\n  \"policies\": [],\n  \"notices\": []\n}"));
    free(text);
    qf_catalog_free(cat);
}

static void test_encode_refuses_a_hand_built_item_without_required_fields(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(base());
    char *text = NULL;
    cat->windows[0].area = QF_CATALOG_AREA_UNSET;
    assert_int_equal(qf_catalog_encode_json(cat, &text), QF_ERR_INVALID);
    assert_null(text);
    qf_catalog_free(cat);
}

/* --- lookups ------------------------------------------------------------- */

static void test_lookups_find_each_kind_by_id(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(base());
    const qf_catalog_station *st = NULL;

    assert_string_equal(qf_catalog_board_get(cat, "board-approval")->name, "审批服务");
    assert_string_equal(qf_catalog_window_get(cat, "win-fallback")->name, "兜底办窗口");
    assert_string_equal(qf_catalog_unit_get(cat, "unit-002")->name, "区行政审批局");
    assert_string_equal(qf_catalog_unit_get_by_name(cat, "区人才办")->id, "unit-001");
    assert_int_equal(qf_catalog_service_get(cat, "svc-common-002")->row, 2);
    assert_string_equal(qf_catalog_station_get(cat, "station-bio")->industry, "生物医药");
    assert_int_equal(qf_catalog_station_item_get(cat, "svc-bio-002", &st)->row, 2);
    assert_ptr_equal(st, &cat->stations[0]);
    assert_int_equal(qf_catalog_online_get(cat, "online-01")->row, 1);
    assert_string_equal(qf_catalog_bundle_get(cat, "bundle-bio-rnd")->name, "研发一类事");
    assert_string_equal(qf_catalog_guide_get(cat, "guide-request-intake")->phone, "0571-85901890");
    assert_ptr_equal(qf_catalog_guide_for_service(cat, "svc-common-001"), &cat->guides[0]);
    assert_string_equal(qf_catalog_faq_get(cat, "faq-001")->a, "九点");
    assert_string_equal(qf_catalog_hotline_get(cat, "hotline-business")->number, "85901890");
    assert_string_equal(qf_catalog_place_get(cat, "place-hall")->name, "企业综合服务中心");
    assert_string_equal(qf_catalog_policy_get(cat, "policy-talent-2023")->published, "2023-07-01");
    assert_string_equal(qf_catalog_notice_get(cat, "notice-hours")->title, "开放时间");

    assert_null(qf_catalog_board_get(cat, "board-nope"));
    assert_null(qf_catalog_service_get(cat, "board-talent"));   /* right id, wrong kind */
    assert_null(qf_catalog_unit_get_by_name(cat, "区审批局"));
    assert_null(qf_catalog_station_item_get(cat, "svc-bio-003", NULL));
    assert_null(qf_catalog_guide_for_service(cat, "svc-common-002"));
    assert_null(qf_catalog_board_get(cat, NULL));
    qf_catalog_free(cat);
}

static void test_find_resolves_any_id_to_its_kind(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(base());
    qf_catalog_kind kind = QF_CATALOG_KIND__COUNT;
    const void *item = NULL;

    assert_int_equal(qf_catalog_find(cat, "svc-bio-001", &kind, &item), QF_OK);
    assert_int_equal(kind, QF_CATALOG_STATION_ITEM);
    assert_ptr_equal(item, &cat->stations[0].items[0]);
    assert_int_equal(qf_catalog_find(cat, "notice-hours", &kind, &item), QF_OK);
    assert_int_equal(kind, QF_CATALOG_NOTICE);
    assert_ptr_equal(item, &cat->notices[0]);
    assert_int_equal(qf_catalog_find(cat, "nothing-here", &kind, &item), QF_ERR_NOT_FOUND);
    assert_string_equal(qf_catalog_kind_name(QF_CATALOG_ONLINE), "online_services");
    assert_null(qf_catalog_kind_name(QF_CATALOG_KIND__COUNT));
    qf_catalog_free(cat);
}

/* --- validation ---------------------------------------------------------- */

static void test_validate_passes_the_clean_document(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(base());
    seen_list seen;
    size_t n = validate_into(cat, &seen);
    if (n)
        dump_problems(&seen);
    assert_int_equal(n, 0);
    assert_int_equal(qf_catalog_validate(cat, NULL, NULL, NULL), QF_OK);
    qf_catalog_free(cat);
}

static void test_validate_reports_a_duplicate_id(void **state)
{
    (void)state;
    json_t *doc = base();
    json_array_append_new(json_object_get(doc, "hotlines"),
                          json_deep_copy(at(doc, "hotlines", 0)));
    expect_one_problem(doc, QF_CATALOG_CHECK_ID_DUPLICATE, "hotlines[1].id", "hotline-business",
                       "duplicate id \"hotline-business\" (first used by hotlines[0])");

    /* Across kinds and into station items. */
    doc = base();
    set_str(json_array_get(json_object_get(at(doc, "stations", 0), "items"), 1), "id",
            "svc-bio-001");
    json_object_set_new(json_array_get(json_object_get(at(doc, "stations", 0), "items"), 1), "row",
                        json_integer(1));
    qf_catalog *cat = decode_ok(doc);
    seen_list seen;
    assert_int_equal(validate_into(cat, &seen), 2);
    assert_problem(&seen.items[0], QF_CATALOG_CHECK_ID_DUPLICATE, "stations[0].items[1].id",
                   "svc-bio-001",
                   "duplicate id \"svc-bio-001\" (first used by stations[0].items[0])");
    assert_problem(&seen.items[1], QF_CATALOG_CHECK_ROW_DUPLICATE, "stations[0].items[1].row",
                   "svc-bio-001", "row 1 repeats item [0]");
    qf_catalog_free(cat);
}

static void test_validate_reports_a_dangling_board(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "services", 0), "board", "board-nope");
    expect_one_problem(doc, QF_CATALOG_CHECK_REF_BOARD, "services[0].board", "svc-common-001",
                       "unknown board \"board-nope\"");

    doc = base();
    set_str(at(doc, "faq", 0), "board", "board-law");
    expect_one_problem(doc, QF_CATALOG_CHECK_REF_BOARD, "faq[0].board", "faq-001", NULL);
}

static void test_validate_checks_window_ticket_prefixes(void **state)
{
    (void)state;
    json_t *doc = base();
    json_t *windows = json_object_get(doc, "windows");
    json_t *second = json_deep_copy(json_array_get(windows, 0));

    /* one letter is fine; a second window with the same letter is not */
    set_str(json_array_get(windows, 0), "ticket_prefix", "A");
    set_str(second, "id", "win-tax");
    set_str(second, "ticket_prefix", "A");
    json_array_append_new(windows, second);
    expect_one_problem(doc, QF_CATALOG_CHECK_ID_DUPLICATE, "windows[1].ticket_prefix", "win-tax",
                       "ticket prefix \"A\" is already used by windows[0]");

    doc = base();
    set_str(json_array_get(json_object_get(doc, "windows"), 0), "ticket_prefix", "ab");
    expect_one_problem(doc, QF_CATALOG_CHECK_ENUM, "windows[0].ticket_prefix", "win-fallback",
                       "ticket prefix \"ab\" is not one letter A-Z");
}

static void test_validate_reports_a_dangling_unit_and_accepts_aliases(void **state)
{
    (void)state;
    json_t *doc = base();
    json_object_set_new(at(doc, "services", 1), "units", json_pack("[s]", "区审批局"));
    expect_one_problem(doc, QF_CATALOG_CHECK_REF_UNIT, "services[1].units[0]", "svc-common-002",
                       "unknown unit \"区审批局\" (not a name or alias in units)");

    doc = base();
    json_object_set_new(json_array_get(json_object_get(at(doc, "bundles", 0), "basic_items"), 0),
                        "units", json_pack("[s]", "区市场监管局"));
    expect_one_problem(doc, QF_CATALOG_CHECK_REF_UNIT, "bundles[0].basic_items[0].units[0]",
                       "bundle-market-entry", NULL);

    doc = base();   /* the unit that handles an item on commission too */
    set_str(json_array_get(json_object_get(at(doc, "bundles", 0), "basic_items"), 0),
            "delegated_to", "区审批局");
    expect_one_problem(doc, QF_CATALOG_CHECK_REF_UNIT, "bundles[0].basic_items[0].delegated_to",
                       "bundle-market-entry", NULL);

    doc = base();   /* board lead units too */
    json_object_set_new(at(doc, "boards", 0), "lead_units", json_pack("[s]", "区委组织部"));
    expect_one_problem(doc, QF_CATALOG_CHECK_REF_UNIT, "boards[0].lead_units[0]", "board-talent",
                       NULL);
}

static void test_validate_reports_a_dangling_service_id(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "guides", 0), "service_id", "svc-common-099");
    expect_one_problem(doc, QF_CATALOG_CHECK_REF_SERVICE, "guides[0].service_id",
                       "guide-request-intake", "unknown service \"svc-common-099\"");
}

static void test_validate_reports_bad_urls(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "www.qttzzj.com", "http://", "https:// www.qttzzj.com", "ftp://qttzzj.com/",
        "https://www.qttzzj.com/a b", "https://www.qttzzj.com/\xE3\x80\x80", "http://-x.com/",
        "http://x..com/", "https://x.com:abc/", "http://x.com\\path",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = base();
        set_str(json_object_get(at(doc, "services", 0), "online"), "url", bad[i]);
        expect_one_problem(doc, QF_CATALOG_CHECK_URL, "services[0].online.url", "svc-common-001",
                           NULL);
    }
    static const char *const good[] = {
        "http://a.b:8080/p?q=1#f", "https://www.qttzzj.com/index.html", "https://x.cn",
        "https://x.cn/路径",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        json_t *doc = base();
        set_str(json_object_get(at(doc, "guides", 0), "online_channel"), "url", good[i]);
        qf_catalog *cat = decode_ok(doc);
        seen_list seen;
        assert_int_equal(validate_into(cat, &seen), 0);
        qf_catalog_free(cat);
    }
}

static void test_validate_reports_enum_values_not_allowed_where_they_stand(void **state)
{
    (void)state;
    qf_catalog *cat = decode_ok(base());
    seen_list seen;
    /* Decoding cannot produce these; a hand-built catalog can. */
    cat->services[0].provider = QF_CATALOG_PROVIDER_ENTERPRISE;
    cat->bundles[1].source = (qf_catalog_source)7;
    cat->units[1].kind = QF_CATALOG_UNIT_UNSET;
    cat->guides[0].materials[0].required = 2;
    assert_int_equal(validate_into(cat, &seen), 4);
    assert_problem(&seen.items[0], QF_CATALOG_CHECK_MISSING, "units[1].kind", "unit-002",
                   "required value missing");
    assert_problem(&seen.items[1], QF_CATALOG_CHECK_ENUM, "services[0].provider", "svc-common-001",
                   "value \"enterprise\" is not allowed here (expected government, market, society)");
    assert_problem(&seen.items[2], QF_CATALOG_CHECK_ENUM, "bundles[1].source", "bundle-bio-rnd",
                   "value 7 is not one of 附件6, 附件7");
    assert_problem(&seen.items[3], QF_CATALOG_CHECK_ENUM, "guides[0].materials[0].required",
                   "guide-request-intake", "value 2 is not true, false or unset");
    qf_catalog_free(cat);
}

static void test_validate_reports_ids_that_do_not_fit_their_kind(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "services", 1), "id", "svc-common-003");
    expect_one_problem(doc, QF_CATALOG_CHECK_ID_PREFIX, "services[1].id", "svc-common-003",
                       "id \"svc-common-003\" does not fit its kind "
                       "(want \"svc-common-002\" for row 2)");

    doc = base();
    set_str(at(doc, "hotlines", 0), "id", "tel-business");
    expect_one_problem(doc, QF_CATALOG_CHECK_ID_PREFIX, "hotlines[0].id", "tel-business",
                       "id \"tel-business\" does not fit its kind (want \"hotline-\" and a name)");

    doc = base();
    set_str(json_array_get(json_object_get(at(doc, "stations", 0), "items"), 0), "id",
            "svc-ic-001");
    expect_one_problem(doc, QF_CATALOG_CHECK_ID_PREFIX, "stations[0].items[0].id", "svc-ic-001",
                       "id \"svc-ic-001\" does not fit its kind (want \"svc-bio-001\" for row 1)");

    doc = base();
    set_str(at(doc, "units", 1), "id", "unit-2");
    expect_one_problem(doc, QF_CATALOG_CHECK_ID_PREFIX, "units[1].id", "unit-2",
                       "id \"unit-2\" does not fit its kind (want \"unit-\" and 3 digits)");

    doc = base();
    set_str(at(doc, "online_services", 0), "id", "online-1");
    expect_one_problem(doc, QF_CATALOG_CHECK_ID_PREFIX, "online_services[0].id", "online-1", NULL);
}

static void test_validate_reports_malformed_ids(void **state)
{
    (void)state;
    static const char *const bad[] = { "Place-Hall", "place_hall", "place--hall", "place-hall-",
                                       "place-大厅", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = base();
        set_str(at(doc, "places", 0), "id", bad[i]);
        qf_catalog *cat = decode_ok(doc);
        seen_list seen;
        assert_int_equal(validate_into(cat, &seen), 1);
        assert_string_equal(seen.items[0].path, "places[0].id");
        /* "" is an empty required string; the rest are malformed ids. */
        assert_int_equal(seen.items[0].check,
                         bad[i][0] ? QF_CATALOG_CHECK_ID_FORMAT : QF_CATALOG_CHECK_EMPTY);
        qf_catalog_free(cat);
    }
}

static void test_validate_reports_empty_and_missing_strings(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "boards", 0), "description", "");
    json_object_set_new(at(doc, "services", 0), "flow", json_pack("[s,s]", "申请", "  "));
    set_str(at(doc, "services", 1), "offline", "");
    qf_catalog *cat = decode_ok(doc);
    free(cat->places[0].name);
    cat->places[0].name = NULL;
    seen_list seen;
    assert_int_equal(validate_into(cat, &seen), 4);
    assert_problem(&seen.items[0], QF_CATALOG_CHECK_EMPTY, "boards[0].description", "board-talent",
                   "required string is empty");
    assert_problem(&seen.items[1], QF_CATALOG_CHECK_EMPTY, "services[0].flow[1]", "svc-common-001",
                   "empty list item");
    assert_problem(&seen.items[2], QF_CATALOG_CHECK_EMPTY, "services[1].offline", "svc-common-002",
                   "empty string (leave the field out instead)");
    assert_problem(&seen.items[3], QF_CATALOG_CHECK_MISSING, "places[0].name", "place-hall",
                   "required string missing");
    qf_catalog_free(cat);
}

static void test_validate_reports_phones_without_digits(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(json_array_get(json_object_get(at(doc, "services", 0), "contacts"), 0), "phone",
            "见官网");
    expect_one_problem(doc, QF_CATALOG_CHECK_PHONE, "services[0].contacts[0].phone",
                       "svc-common-001", "phone number \"见官网\" has no digits");

    doc = base();
    set_str(at(doc, "hotlines", 0), "number", "营商热线");
    expect_one_problem(doc, QF_CATALOG_CHECK_PHONE, "hotlines[0].number", "hotline-business", NULL);
}

static void test_validate_reports_bad_and_repeated_rows(void **state)
{
    (void)state;
    json_t *doc = base();
    json_array_append_new(json_object_get(doc, "online_services"),
                          doc_parse("{'id': 'online-02', 'row': 1, 'name': 'x', 'category': 'y'}"));
    qf_catalog *cat = decode_ok(doc);
    seen_list seen;
    assert_int_equal(validate_into(cat, &seen), 2);
    assert_problem(&seen.items[0], QF_CATALOG_CHECK_ID_PREFIX, "online_services[1].id", "online-02",
                   "id \"online-02\" does not fit its kind (want \"online-01\" for row 1)");
    assert_problem(&seen.items[1], QF_CATALOG_CHECK_ROW_DUPLICATE, "online_services[1].row",
                   "online-02", "row 1 repeats item [0]");
    qf_catalog_free(cat);

    doc = base();
    set_str(at(doc, "services", 1), "id", "svc-common-000");
    json_object_set_new(at(doc, "services", 1), "row", json_integer(0));
    expect_one_problem(doc, QF_CATALOG_CHECK_ROW, "services[1].row", "svc-common-000",
                       "row 0 is below 1");
}

static void test_validate_reports_bad_dates_missing_meta_and_shared_unit_names(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "policies", 0), "published", "2023-13-01");
    expect_one_problem(doc, QF_CATALOG_CHECK_DATE, "policies[0].published", "policy-talent-2023",
                       "date \"2023-13-01\" is not YYYY-MM-DD");

    doc = base();
    json_object_del(doc, "meta");
    expect_one_problem(doc, QF_CATALOG_CHECK_MISSING, "meta", "", "section missing");

    doc = base();
    json_object_set_new(at(doc, "units", 1), "aliases", json_pack("[s]", "区人才办"));
    expect_one_problem(doc, QF_CATALOG_CHECK_UNIT_NAME, "units[1].aliases[0]", "unit-002",
                       "\"区人才办\" already names units[0] (unit-001)");
}

static void test_validate_reports_every_problem_in_catalog_order(void **state)
{
    (void)state;
    json_t *doc = base();
    set_str(at(doc, "windows", 0), "board", "board-nope");                 /* 1 */
    set_str(at(doc, "services", 0), "board", "board-gone");                /* 2 */
    json_object_set_new(at(doc, "services", 0), "units", json_pack("[s]", "某局"));  /* 3 */
    set_str(json_object_get(at(doc, "services", 0), "online"), "url", "qttzzj.com"); /* 4 */
    set_str(at(doc, "faq", 0), "id", "FAQ-1");                             /* 5 */
    json_array_append_new(json_object_get(doc, "places"),
                          json_deep_copy(at(doc, "places", 0)));           /* 6 */
    qf_catalog *cat = decode_ok(doc);
    seen_list seen;
    size_t count = 0;
    assert_int_equal(qf_catalog_validate(cat, NULL, NULL, &count), QF_ERR_INVALID);
    assert_int_equal(count, 6);
    assert_int_equal(validate_into(cat, &seen), 6);
    assert_string_equal(seen.items[0].path, "windows[0].board");
    assert_string_equal(seen.items[1].path, "services[0].board");
    assert_string_equal(seen.items[2].path, "services[0].units[0]");
    assert_string_equal(seen.items[3].path, "services[0].online.url");
    assert_string_equal(seen.items[4].path, "faq[0].id");
    assert_string_equal(seen.items[5].path, "places[1].id");
    assert_int_equal(seen.items[5].check, QF_CATALOG_CHECK_ID_DUPLICATE);
    qf_catalog_free(cat);
}

/* --- files and folders --------------------------------------------------- */

typedef struct tmpdir {
    char path[64];
    char names[8][32];
    size_t n;
} tmpdir;

static void tmpdir_make(tmpdir *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "/tmp/qf-catalog-test-XXXXXX");
    assert_non_null(mkdtemp(t->path));
}

static void tmpdir_write(tmpdir *t, const char *name, const char *squoted)
{
    char path[128];
    assert_true(t->n < 8);
    snprintf(t->names[t->n++], sizeof t->names[0], "%s", name);
    snprintf(path, sizeof path, "%s/%s", t->path, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (const char *p = squoted; *p; p++)
        fputc(*p == '\'' ? '"' : *p, f);
    assert_int_equal(fclose(f), 0);
}

static void tmpdir_remove(tmpdir *t)
{
    char path[128];
    for (size_t i = 0; i < t->n; i++) {
        snprintf(path, sizeof path, "%s/%s", t->path, t->names[i]);
        unlink(path);
    }
    rmdir(t->path);
}

static void test_load_dir_reads_json_files_in_name_order(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    tmpdir_write(&t, "2-boards.json", "{'boards': [{'id': 'board-b', 'name': 'b', 'name_en': 'b',"
                                      " 'lead_units': [], 'description': 'b'}]}");
    tmpdir_write(&t, "1-boards.json", "{'boards': [{'id': 'board-a', 'name': 'a', 'name_en': 'a',"
                                      " 'lead_units': [], 'description': 'a'}]}");
    tmpdir_write(&t, "README.md", "# not json {");
    tmpdir_write(&t, ".draft.json", "{ broken");
    tmpdir_write(&t, "notes.txt", "{ broken");

    qf_catalog *cat = NULL;
    char err[256] = "";
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    assert_int_equal(qf_catalog_load_dir(cat, t.path, err, sizeof err), QF_OK);
    assert_int_equal(cat->boards_count, 2);
    assert_string_equal(cat->boards[0].id, "board-a");
    assert_string_equal(cat->boards[1].id, "board-b");
    qf_catalog_free(cat);
    tmpdir_remove(&t);
}

static void test_load_dir_names_the_bad_file_and_loads_nothing(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    tmpdir_write(&t, "1-hotlines.json", "{'hotlines': [{'id': 'hotline-a', 'name': 'a', "
                                        "'number': '1'}]}");
    tmpdir_write(&t, "2-bad.json", "{'frobs': []}");

    qf_catalog *cat = NULL;
    char err[256] = "";
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    assert_int_equal(qf_catalog_load_dir(cat, t.path, err, sizeof err), QF_ERR_INVALID);
    assert_string_equal(err, "2-bad.json: frobs: unknown section");
    assert_int_equal(cat->hotlines_count, 0);

    char path[128];
    snprintf(path, sizeof path, "%s/2-bad.json", t.path);
    assert_int_equal(qf_catalog_load_file(cat, path, err, sizeof err), QF_ERR_INVALID);
    assert_non_null(strstr(err, "/2-bad.json: frobs: unknown section"));
    assert_int_equal(qf_catalog_load_dir(cat, "/nonexistent/qf-catalog", err, sizeof err),
                     QF_ERR_NOT_FOUND);
    qf_catalog_free(cat);
    tmpdir_remove(&t);
}

static void test_load_dir_each_reports_every_decode_error_and_keeps_good_files(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    tmpdir_write(&t, "a.json", "{'hotlines': [{'id': 'hotline-a', 'name': 'a', 'number': '1'}]}");
    tmpdir_write(&t, "b.json", "{'places': [{'id': 'place-x'}, {'id': 'place-y', 'name': 'y',"
                               " 'address': 'z', 'adress': 'z'}]}");
    tmpdir_write(&t, "c.json", "{ not json");

    qf_catalog *cat = NULL;
    seen_list seen;
    size_t failed = 0;
    char err[256] = "";
    memset(&seen, 0, sizeof seen);
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    assert_int_equal(qf_catalog_load_dir_each(cat, t.path, collect, &seen, &failed, err,
                                              sizeof err), QF_ERR_INVALID);
    assert_int_equal(failed, 2);
    assert_int_equal(seen.n, 4);
    assert_problem(&seen.items[0], QF_CATALOG_CHECK_DECODE, "b.json", "",
                   "places[0].name: required string missing");
    assert_problem(&seen.items[1], QF_CATALOG_CHECK_DECODE, "b.json", "",
                   "places[0].address: required string missing");
    assert_problem(&seen.items[2], QF_CATALOG_CHECK_DECODE, "b.json", "",
                   "places[1].adress: unknown field");
    assert_int_equal(seen.items[3].check, QF_CATALOG_CHECK_DECODE);
    assert_string_equal(seen.items[3].path, "c.json");
    assert_int_equal(cat->hotlines_count, 1);
    assert_int_equal(cat->places_count, 0);
    qf_catalog_free(cat);
    tmpdir_remove(&t);
}

static void test_load_file_refuses_a_file_over_the_limit(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    tmpdir_write(&t, "big.json", "");
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/big.json", t.path);
    assert_int_equal(truncate(path, (off_t)QF_CATALOG_MAX_DOC_BYTES + 1), 0);

    qf_catalog *cat = NULL;
    assert_int_equal(qf_catalog_new(&cat), QF_OK);
    assert_int_equal(qf_catalog_load_file(cat, path, err, sizeof err), QF_ERR_LIMIT);
    assert_non_null(strstr(err, "big.json: file of 8388609 bytes exceeds the limit of 8388608"));
    qf_catalog_free(cat);
    tmpdir_remove(&t);
}

/* --- statistics ---------------------------------------------------------- */

static void test_stats_count_by_kind_board_station_provider_and_source(void **state)
{
    (void)state;
    json_t *doc = base();
    json_array_append_new(json_object_get(doc, "services"), doc_parse(
        "{'id': 'svc-common-003', 'row': 3, 'board': 'board-gone', 'category2': 'x',"
        " 'category3': 'x', 'provider': 'society', 'content': 'x', 'flow': [], 'units': [],"
        " 'frequency': 'medium', 'target': 'x', 'region': 'x', 'period': 'x', 'contacts': []}"));
    qf_catalog *cat = decode_ok(doc);
    qf_catalog_stats *st = NULL;
    char *json = NULL;

    assert_int_equal(qf_catalog_stats_new(cat, &st), QF_OK);
    assert_int_equal(st->counts[QF_CATALOG_SERVICE], 3);
    assert_int_equal(st->counts[QF_CATALOG_STATION_ITEM], 2);
    assert_int_equal(st->by_board_count, 3);
    assert_string_equal(st->by_board[0].key, "board-talent");
    assert_int_equal(st->by_board[0].count, 1);
    assert_string_equal(st->by_board[2].key, "board-gone");
    assert_int_equal(st->by_station_count, 1);
    assert_int_equal(st->by_station[0].count, 2);
    assert_int_equal(st->by_provider[QF_CATALOG_PROVIDER_GOVERNMENT], 2);
    assert_int_equal(st->by_provider[QF_CATALOG_PROVIDER_MARKET], 1);
    assert_int_equal(st->by_provider[QF_CATALOG_PROVIDER_ENTERPRISE], 1);
    assert_int_equal(st->by_provider[QF_CATALOG_PROVIDER_SOCIETY], 1);
    assert_int_equal(st->bundles_by_source[QF_CATALOG_SOURCE_ANNEX6], 1);
    assert_int_equal(st->bundles_by_source[QF_CATALOG_SOURCE_ANNEX7], 1);

    assert_int_equal(qf_catalog_stats_encode_json(st, &json), QF_OK);
    assert_non_null(strstr(json, "{\"services\":3,\"station_items\":2,\"online_services\":1,"
                                 "\"bundles\":2,\"boards\":2,"));
    assert_non_null(strstr(json, "\"by_board\":{\"board-talent\":1,\"board-approval\":1,"
                                 "\"board-gone\":1}"));
    assert_non_null(strstr(json, "\"by_station\":{\"station-bio\":2}"));
    assert_non_null(strstr(json, "\"by_provider\":{\"government\":2,\"market\":1,"
                                 "\"enterprise\":1,\"society\":1}"));
    assert_non_null(strstr(json, "\"bundles_by_source\":{\"附件6\":1,\"附件7\":1}}"));
    free(json);
    qf_catalog_stats_free(st);
    qf_catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_fills_every_section),
        cmocka_unit_test(test_decode_leaves_optional_fields_unset_when_absent_or_null),
        cmocka_unit_test(test_decode_reports_wrong_type_with_path),
        cmocka_unit_test(test_decode_reports_missing_required_field_with_path),
        cmocka_unit_test(test_decode_reports_unknown_enum_value_with_path),
        cmocka_unit_test(test_decode_refuses_a_provider_value_from_the_other_list),
        cmocka_unit_test(test_decode_refuses_unknown_fields_but_takes_notes_anywhere),
        cmocka_unit_test(test_decode_refuses_unknown_sections_and_non_objects),
        cmocka_unit_test(test_decode_reports_json_syntax_errors_with_line),
        cmocka_unit_test(test_decode_rejects_rows_that_are_not_ints),
        cmocka_unit_test(test_decode_appends_sections_across_documents),
        cmocka_unit_test(test_decode_failure_leaves_the_catalog_unchanged),
        cmocka_unit_test(test_decode_enforces_the_string_limit),
        cmocka_unit_test(test_decode_enforces_the_array_limit),
        cmocka_unit_test(test_decode_refuses_an_oversized_document_before_parsing),
        cmocka_unit_test(test_encode_then_decode_gives_an_equal_catalog),
        cmocka_unit_test(test_equal_notices_a_single_changed_field),
        cmocka_unit_test(test_encode_writes_schema_key_order),
        cmocka_unit_test(test_encode_refuses_a_hand_built_item_without_required_fields),
        cmocka_unit_test(test_lookups_find_each_kind_by_id),
        cmocka_unit_test(test_find_resolves_any_id_to_its_kind),
        cmocka_unit_test(test_validate_passes_the_clean_document),
        cmocka_unit_test(test_validate_reports_a_duplicate_id),
        cmocka_unit_test(test_validate_reports_a_dangling_board),
        cmocka_unit_test(test_validate_checks_window_ticket_prefixes),
        cmocka_unit_test(test_validate_reports_a_dangling_unit_and_accepts_aliases),
        cmocka_unit_test(test_validate_reports_a_dangling_service_id),
        cmocka_unit_test(test_validate_reports_bad_urls),
        cmocka_unit_test(test_validate_reports_enum_values_not_allowed_where_they_stand),
        cmocka_unit_test(test_validate_reports_ids_that_do_not_fit_their_kind),
        cmocka_unit_test(test_validate_reports_malformed_ids),
        cmocka_unit_test(test_validate_reports_empty_and_missing_strings),
        cmocka_unit_test(test_validate_reports_phones_without_digits),
        cmocka_unit_test(test_validate_reports_bad_and_repeated_rows),
        cmocka_unit_test(test_validate_reports_bad_dates_missing_meta_and_shared_unit_names),
        cmocka_unit_test(test_validate_reports_every_problem_in_catalog_order),
        cmocka_unit_test(test_load_dir_reads_json_files_in_name_order),
        cmocka_unit_test(test_load_dir_names_the_bad_file_and_loads_nothing),
        cmocka_unit_test(test_load_dir_each_reports_every_decode_error_and_keeps_good_files),
        cmocka_unit_test(test_load_file_refuses_a_file_over_the_limit),
        cmocka_unit_test(test_stats_count_by_kind_board_station_provider_and_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
