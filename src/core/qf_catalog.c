/* qf_catalog.c — the catalog's schema tables, its life cycle (new, free,
 * merging one decoded document into it), lookups by id and the statistics.
 *
 * The tables below are the README's schema written as data; the JSON codec
 * (qf_catalog_json.c) and the checks (qf_catalog_check.c) walk them. Keep
 * each table in README order: that order is the encoder's key order. */
#include "qf_catalog.h"
#include "qf_catalog_schema.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Enum fields are read and written as int. */
_Static_assert(sizeof(qf_catalog_provider) == sizeof(int), "enum is int-sized");
_Static_assert(sizeof(qf_catalog_unit_kind) == sizeof(int), "enum is int-sized");
_Static_assert(sizeof(qf_catalog_frequency) == sizeof(int), "enum is int-sized");
_Static_assert(sizeof(qf_catalog_source) == sizeof(int), "enum is int-sized");
_Static_assert(sizeof(qf_catalog_area) == sizeof(int), "enum is int-sized");

/* --- enumerations -------------------------------------------------------- */

static const char *const qf_provider_names[] = {
    NULL, "government", "market", "enterprise", "society",
};
static const char *const qf_unit_kind_names[] = {
    NULL, "department", "platform", "street", "other",
};
static const char *const qf_frequency_names[] = {
    NULL, "high", "medium", "low",
};
static const char *const qf_source_names[] = {
    NULL, "附件6", "附件7",
};
static const char *const qf_area_names[] = {
    NULL, "综合服务区", "自助网办服务区", "综合受理区", "增值服务区",
};

_Static_assert(sizeof qf_provider_names / sizeof *qf_provider_names == QF_CATALOG_PROVIDER__COUNT,
               "provider names");
_Static_assert(sizeof qf_unit_kind_names / sizeof *qf_unit_kind_names == QF_CATALOG_UNIT__COUNT,
               "unit kind names");
_Static_assert(sizeof qf_frequency_names / sizeof *qf_frequency_names ==
               QF_CATALOG_FREQUENCY__COUNT, "frequency names");
_Static_assert(sizeof qf_source_names / sizeof *qf_source_names == QF_CATALOG_SOURCE__COUNT,
               "source names");
_Static_assert(sizeof qf_area_names / sizeof *qf_area_names == QF_CATALOG_AREA__COUNT,
               "area names");

static const qf_cenum qf_enum_provider = { qf_provider_names, QF_CATALOG_PROVIDER__COUNT };
static const qf_cenum qf_enum_unit_kind = { qf_unit_kind_names, QF_CATALOG_UNIT__COUNT };
static const qf_cenum qf_enum_frequency = { qf_frequency_names, QF_CATALOG_FREQUENCY__COUNT };
static const qf_cenum qf_enum_source = { qf_source_names, QF_CATALOG_SOURCE__COUNT };
static const qf_cenum qf_enum_area = { qf_area_names, QF_CATALOG_AREA__COUNT };

const char *qf_cenum_name(const qf_cenum *e, int v)
{
    if (v <= 0 || v >= e->count)
        return NULL;
    return e->names[v];
}

const char *qf_catalog_provider_name(qf_catalog_provider v)
{
    return qf_cenum_name(&qf_enum_provider, (int)v);
}

const char *qf_catalog_unit_kind_name(qf_catalog_unit_kind v)
{
    return qf_cenum_name(&qf_enum_unit_kind, (int)v);
}

const char *qf_catalog_frequency_name(qf_catalog_frequency v)
{
    return qf_cenum_name(&qf_enum_frequency, (int)v);
}

const char *qf_catalog_source_name(qf_catalog_source v)
{
    return qf_cenum_name(&qf_enum_source, (int)v);
}

const char *qf_catalog_area_name(qf_catalog_area v)
{
    return qf_cenum_name(&qf_enum_area, (int)v);
}

/* --- schema tables ------------------------------------------------------- */

#define BIT(v) (1u << (v))
#define REQ QF_CF_REQUIRED
#define ANY_VALUE 0xFFFFFFFEu   /* every value but UNSET */

#define F_STR(T, f, fl)   { #f, QF_CF_STR, (fl), offsetof(T, f), 0, NULL, NULL, 0 }
#define F_INT(T, f, fl)   { #f, QF_CF_INT, (fl), offsetof(T, f), 0, NULL, NULL, 0 }
#define F_BOOL(T, f, fl)  { #f, QF_CF_BOOL, (fl), offsetof(T, f), 0, NULL, NULL, 0 }
#define F_ENUM(T, f, fl, e, allow) \
    { #f, QF_CF_ENUM, (fl), offsetof(T, f), 0, NULL, &(e), (allow) }
#define F_STRV(T, f, fl)  { #f, QF_CF_STRV, (fl), offsetof(T, f), 0, NULL, NULL, 0 }
#define F_OBJ(T, f, fl, c) { #f, QF_CF_OBJ, (fl), offsetof(T, f), 0, &(c), NULL, 0 }
#define F_OBJV(T, f, fl, c) \
    { #f, QF_CF_OBJV, (fl), offsetof(T, f), offsetof(T, f##_count), &(c), NULL, 0 }
#define F_NOTES(T)        F_STRV(T, notes, 0)
#define CTYPE(var, label, T, table) \
    const qf_ctype var = { label, sizeof(T), table, sizeof table / sizeof table[0] }

static const qf_cfield qf_fields_contact[] = {
    F_STR(qf_catalog_contact, name, 0),
    F_STR(qf_catalog_contact, phone, QF_CF_PHONE),
    F_NOTES(qf_catalog_contact),
};
static CTYPE(qf_ctype_contact, "contact", qf_catalog_contact, qf_fields_contact);

static const qf_cfield qf_fields_link[] = {
    F_STR(qf_catalog_link, name, REQ),
    F_STR(qf_catalog_link, url, QF_CF_URL),
    F_NOTES(qf_catalog_link),
};
static CTYPE(qf_ctype_link, "link", qf_catalog_link, qf_fields_link);

static const qf_cfield qf_fields_meta[] = {
    F_STR(qf_catalog_meta, version, REQ),
    F_STR(qf_catalog_meta, title, REQ),
    F_STR(qf_catalog_meta, source, REQ),
    F_NOTES(qf_catalog_meta),
};
CTYPE(qf_ctype_meta, "meta", qf_catalog_meta, qf_fields_meta);

static const qf_cfield qf_fields_board[] = {
    F_STR(qf_catalog_board, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_board, name, REQ),
    F_STR(qf_catalog_board, name_en, REQ),
    F_STRV(qf_catalog_board, lead_units, REQ | QF_CF_REF_UNIT),
    F_STR(qf_catalog_board, description, REQ),
    F_NOTES(qf_catalog_board),
};
static CTYPE(qf_ctype_board, "board", qf_catalog_board, qf_fields_board);

static const qf_cfield qf_fields_window[] = {
    F_STR(qf_catalog_window, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_window, name, REQ),
    F_STR(qf_catalog_window, name_en, REQ),
    F_ENUM(qf_catalog_window, area, REQ, qf_enum_area, ANY_VALUE),
    F_STR(qf_catalog_window, board, QF_CF_REF_BOARD),
    F_STR(qf_catalog_window, ticket_prefix, 0),
    F_NOTES(qf_catalog_window),
};
static CTYPE(qf_ctype_window, "window", qf_catalog_window, qf_fields_window);

static const qf_cfield qf_fields_unit[] = {
    F_STR(qf_catalog_unit, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_unit, name, REQ),
    F_ENUM(qf_catalog_unit, kind, REQ, qf_enum_unit_kind, ANY_VALUE),
    F_STRV(qf_catalog_unit, aliases, 0),
    F_NOTES(qf_catalog_unit),
};
static CTYPE(qf_ctype_unit, "unit", qf_catalog_unit, qf_fields_unit);

static const qf_cfield qf_fields_service[] = {
    F_STR(qf_catalog_service, id, REQ | QF_CF_ID),
    F_INT(qf_catalog_service, row, REQ),
    F_STR(qf_catalog_service, board, REQ | QF_CF_REF_BOARD),
    F_STR(qf_catalog_service, category2, REQ),
    F_STR(qf_catalog_service, category3, REQ),
    F_ENUM(qf_catalog_service, provider, 0, qf_enum_provider,
           BIT(QF_CATALOG_PROVIDER_GOVERNMENT) | BIT(QF_CATALOG_PROVIDER_MARKET) |
           BIT(QF_CATALOG_PROVIDER_SOCIETY)),
    F_STR(qf_catalog_service, content, REQ),
    F_STRV(qf_catalog_service, flow, REQ),
    F_STRV(qf_catalog_service, units, REQ | QF_CF_REF_UNIT),
    F_ENUM(qf_catalog_service, frequency, 0, qf_enum_frequency, ANY_VALUE),
    F_STR(qf_catalog_service, target, REQ),
    F_STR(qf_catalog_service, region, REQ),
    F_STR(qf_catalog_service, period, REQ),
    F_OBJ(qf_catalog_service, online, 0, qf_ctype_link),
    F_STR(qf_catalog_service, offline, 0),
    F_OBJV(qf_catalog_service, contacts, REQ, qf_ctype_contact),
    F_NOTES(qf_catalog_service),
};
static CTYPE(qf_ctype_service, "service", qf_catalog_service, qf_fields_service);

static const qf_cfield qf_fields_station_item[] = {
    F_STR(qf_catalog_station_item, id, REQ | QF_CF_ID),
    F_INT(qf_catalog_station_item, row, REQ),
    F_STR(qf_catalog_station_item, category, REQ),
    F_STR(qf_catalog_station_item, board, QF_CF_REF_BOARD),
    F_ENUM(qf_catalog_station_item, provider, REQ, qf_enum_provider,
           BIT(QF_CATALOG_PROVIDER_GOVERNMENT) | BIT(QF_CATALOG_PROVIDER_ENTERPRISE) |
           BIT(QF_CATALOG_PROVIDER_SOCIETY)),
    F_STR(qf_catalog_station_item, description, REQ),
    F_OBJV(qf_catalog_station_item, contacts, REQ, qf_ctype_contact),
    F_NOTES(qf_catalog_station_item),
};
CTYPE(qf_ctype_station_item, "station item", qf_catalog_station_item, qf_fields_station_item);

static const qf_cfield qf_fields_station[] = {
    F_STR(qf_catalog_station, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_station, name, REQ),
    F_STR(qf_catalog_station, industry, REQ),
    F_STR(qf_catalog_station, platform, 0),
    F_STR(qf_catalog_station, address, REQ),
    F_OBJV(qf_catalog_station, items, REQ, qf_ctype_station_item),
    F_NOTES(qf_catalog_station),
};
static CTYPE(qf_ctype_station, "station", qf_catalog_station, qf_fields_station);

static const qf_cfield qf_fields_online[] = {
    F_STR(qf_catalog_online, id, REQ | QF_CF_ID),
    F_INT(qf_catalog_online, row, REQ),
    F_STR(qf_catalog_online, name, REQ),
    F_STR(qf_catalog_online, category, REQ),
    F_STR(qf_catalog_online, board, QF_CF_REF_BOARD),
    F_NOTES(qf_catalog_online),
};
static CTYPE(qf_ctype_online, "online service", qf_catalog_online, qf_fields_online);

static const qf_cfield qf_fields_basic_item[] = {
    F_STR(qf_catalog_basic_item, name, REQ),
    F_STRV(qf_catalog_basic_item, units, QF_CF_REF_UNIT),
    F_STR(qf_catalog_basic_item, delegated_to, QF_CF_REF_UNIT),
    F_NOTES(qf_catalog_basic_item),
};
static CTYPE(qf_ctype_basic_item, "basic item", qf_catalog_basic_item, qf_fields_basic_item);

static const qf_cfield qf_fields_value_added[] = {
    F_ENUM(qf_catalog_value_added, side, REQ, qf_enum_provider,
           BIT(QF_CATALOG_PROVIDER_GOVERNMENT) | BIT(QF_CATALOG_PROVIDER_ENTERPRISE) |
           BIT(QF_CATALOG_PROVIDER_SOCIETY)),
    F_STR(qf_catalog_value_added, text, REQ),
    F_STRV(qf_catalog_value_added, providers, REQ),
    F_NOTES(qf_catalog_value_added),
};
static CTYPE(qf_ctype_value_added, "value-added item", qf_catalog_value_added,
             qf_fields_value_added);

static const qf_cfield qf_fields_bundle[] = {
    F_STR(qf_catalog_bundle, id, REQ | QF_CF_ID),
    F_ENUM(qf_catalog_bundle, source, REQ, qf_enum_source, ANY_VALUE),
    F_STR(qf_catalog_bundle, name, REQ),
    F_STR(qf_catalog_bundle, needs, REQ),
    F_OBJV(qf_catalog_bundle, basic_items, REQ, qf_ctype_basic_item),
    F_OBJV(qf_catalog_bundle, value_added, REQ, qf_ctype_value_added),
    F_STR(qf_catalog_bundle, online_path, 0),
    F_STR(qf_catalog_bundle, offline_path, 0),
    F_STRV(qf_catalog_bundle, guarantees, REQ),
    F_NOTES(qf_catalog_bundle),
};
static CTYPE(qf_ctype_bundle, "bundle", qf_catalog_bundle, qf_fields_bundle);

static const qf_cfield qf_fields_material[] = {
    F_STR(qf_catalog_material, name, REQ),
    F_STR(qf_catalog_material, form, 0),
    F_STR(qf_catalog_material, copies, 0),
    F_BOOL(qf_catalog_material, required, 0),
    F_STRV(qf_catalog_material, notes, QF_CF_STR_OR_LIST),
};
static CTYPE(qf_ctype_material, "material", qf_catalog_material, qf_fields_material);

static const qf_cfield qf_fields_qa[] = {
    F_STR(qf_catalog_qa, q, REQ),
    F_STR(qf_catalog_qa, a, REQ),
    F_NOTES(qf_catalog_qa),
};
static CTYPE(qf_ctype_qa, "faq entry", qf_catalog_qa, qf_fields_qa);

static const qf_cfield qf_fields_guide_window[] = {
    F_STR(qf_catalog_guide_window, acceptance_conditions, 0),
    F_STR(qf_catalog_guide_window, materials_copies, 0),
    F_STR(qf_catalog_guide_window, time_limit, 0),
    F_STR(qf_catalog_guide_window, legal_basis, 0),
    F_STR(qf_catalog_guide_window, signature_requirements, 0),
    F_STR(qf_catalog_guide_window, fees, 0),
    F_STR(qf_catalog_guide_window, cautions, 0),
    F_NOTES(qf_catalog_guide_window),
};
static CTYPE(qf_ctype_guide_window, "guide window", qf_catalog_guide_window,
             qf_fields_guide_window);

static const qf_cfield qf_fields_guide[] = {
    F_STR(qf_catalog_guide, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_guide, service_id, QF_CF_REF_SERVICE),
    F_STR(qf_catalog_guide, title, REQ),
    F_STR(qf_catalog_guide, handling_unit, REQ),
    F_STR(qf_catalog_guide, target, REQ),
    F_OBJ(qf_catalog_guide, online_channel, 0, qf_ctype_link),
    F_STR(qf_catalog_guide, offline_channel, 0),
    F_STR(qf_catalog_guide, phone, REQ | QF_CF_PHONE),
    F_STR(qf_catalog_guide, duration, REQ),
    F_STRV(qf_catalog_guide, conditions, REQ),
    F_OBJV(qf_catalog_guide, materials, REQ, qf_ctype_material),
    F_STR(qf_catalog_guide, responsible_unit, REQ),
    F_OBJV(qf_catalog_guide, faq, REQ, qf_ctype_qa),
    F_OBJ(qf_catalog_guide, window, 0, qf_ctype_guide_window),
    F_NOTES(qf_catalog_guide),
};
static CTYPE(qf_ctype_guide, "guide", qf_catalog_guide, qf_fields_guide);

static const qf_cfield qf_fields_faq[] = {
    F_STR(qf_catalog_faq, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_faq, q, REQ),
    F_STR(qf_catalog_faq, a, REQ),
    F_STR(qf_catalog_faq, board, QF_CF_REF_BOARD),
    F_NOTES(qf_catalog_faq),
};
static CTYPE(qf_ctype_faq, "faq", qf_catalog_faq, qf_fields_faq);

static const qf_cfield qf_fields_hotline[] = {
    F_STR(qf_catalog_hotline, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_hotline, name, REQ),
    F_STR(qf_catalog_hotline, number, REQ | QF_CF_PHONE),
    F_NOTES(qf_catalog_hotline),
};
static CTYPE(qf_ctype_hotline, "hotline", qf_catalog_hotline, qf_fields_hotline);

static const qf_cfield qf_fields_place[] = {
    F_STR(qf_catalog_place, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_place, name, REQ),
    F_STR(qf_catalog_place, address, REQ),
    F_NOTES(qf_catalog_place),
};
static CTYPE(qf_ctype_place, "place", qf_catalog_place, qf_fields_place);

static const qf_cfield qf_fields_post[] = {
    F_STR(qf_catalog_post, id, REQ | QF_CF_ID),
    F_STR(qf_catalog_post, title, REQ),
    F_STR(qf_catalog_post, body, REQ),
    F_STR(qf_catalog_post, board, QF_CF_REF_BOARD),
    F_STR(qf_catalog_post, published, QF_CF_DATE),
    F_NOTES(qf_catalog_post),
};
static CTYPE(qf_ctype_post, "post", qf_catalog_post, qf_fields_post);

#define SECTION(key, k, type, member, prefix, digits, is_row) \
    { key, k, &(type), offsetof(qf_catalog, member), offsetof(qf_catalog, member##_count), \
      prefix, digits, is_row }

/* Encoding order; the README's order. */
const qf_csection qf_csections[] = {
    SECTION("boards", QF_CATALOG_BOARD, qf_ctype_board, boards, "board-", 0, false),
    SECTION("windows", QF_CATALOG_WINDOW, qf_ctype_window, windows, "win-", 0, false),
    SECTION("units", QF_CATALOG_UNIT, qf_ctype_unit, units, "unit-", 3, false),
    SECTION("services", QF_CATALOG_SERVICE, qf_ctype_service, services, "svc-common-", 3, true),
    SECTION("stations", QF_CATALOG_STATION, qf_ctype_station, stations, "station-", 0, false),
    SECTION("online_services", QF_CATALOG_ONLINE, qf_ctype_online, online_services, "online-", 2,
            true),
    SECTION("bundles", QF_CATALOG_BUNDLE, qf_ctype_bundle, bundles, "bundle-", 0, false),
    SECTION("guides", QF_CATALOG_GUIDE, qf_ctype_guide, guides, "guide-", 0, false),
    SECTION("faq", QF_CATALOG_FAQ, qf_ctype_faq, faq, "faq-", 3, false),
    SECTION("hotlines", QF_CATALOG_HOTLINE, qf_ctype_hotline, hotlines, "hotline-", 0, false),
    SECTION("places", QF_CATALOG_PLACE, qf_ctype_place, places, "place-", 0, false),
    SECTION("policies", QF_CATALOG_POLICY, qf_ctype_post, policies, "policy-", 0, false),
    SECTION("notices", QF_CATALOG_NOTICE, qf_ctype_post, notices, "notice-", 0, false),
};
const size_t qf_csections_count = sizeof qf_csections / sizeof qf_csections[0];

static const char *const qf_kind_names[QF_CATALOG_KIND__COUNT] = {
    [QF_CATALOG_BOARD] = "boards",
    [QF_CATALOG_WINDOW] = "windows",
    [QF_CATALOG_UNIT] = "units",
    [QF_CATALOG_SERVICE] = "services",
    [QF_CATALOG_STATION] = "stations",
    [QF_CATALOG_STATION_ITEM] = "station_items",
    [QF_CATALOG_ONLINE] = "online_services",
    [QF_CATALOG_BUNDLE] = "bundles",
    [QF_CATALOG_GUIDE] = "guides",
    [QF_CATALOG_FAQ] = "faq",
    [QF_CATALOG_HOTLINE] = "hotlines",
    [QF_CATALOG_PLACE] = "places",
    [QF_CATALOG_POLICY] = "policies",
    [QF_CATALOG_NOTICE] = "notices",
};

const char *qf_catalog_kind_name(qf_catalog_kind kind)
{
    if ((int)kind < 0 || kind >= QF_CATALOG_KIND__COUNT)
        return NULL;
    return qf_kind_names[kind];
}

const qf_csection *qf_csection_find(const char *name)
{
    for (size_t i = 0; i < qf_csections_count; i++) {
        if (strcmp(qf_csections[i].name, name) == 0)
            return &qf_csections[i];
    }
    return NULL;
}

const qf_csection *qf_csection_of_kind(qf_catalog_kind kind)
{
    for (size_t i = 0; i < qf_csections_count; i++) {
        if (qf_csections[i].kind == kind)
            return &qf_csections[i];
    }
    return NULL;
}

const qf_cfield *qf_ctype_id_field(const qf_ctype *t)
{
    for (size_t i = 0; i < t->nfields; i++) {
        if (t->fields[i].flags & QF_CF_ID)
            return &t->fields[i];
    }
    return NULL;
}

/* --- life cycle ---------------------------------------------------------- */

static void qf_strv_cleanup(qf_catalog_strv *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->count = 0;
}

void qf_cobj_cleanup(const qf_ctype *t, void *obj)
{
    for (size_t i = 0; i < t->nfields; i++) {
        const qf_cfield *f = &t->fields[i];
        switch (f->type) {
        case QF_CF_STR:
            free(qf_cf_ptr(obj, f));
            qf_cf_set_ptr(obj, f, NULL);
            break;
        case QF_CF_STRV:
            qf_strv_cleanup(qf_cf_strv(obj, f));
            break;
        case QF_CF_OBJ: {
            void *child = qf_cf_ptr(obj, f);
            if (child) {
                qf_cobj_cleanup(f->child, child);
                free(child);
            }
            qf_cf_set_ptr(obj, f, NULL);
            break;
        }
        case QF_CF_OBJV: {
            char *items = qf_cf_ptr(obj, f);
            size_t n = qf_cf_count(obj, f);
            for (size_t k = 0; k < n; k++)
                qf_cobj_cleanup(f->child, items + k * f->child->size);
            free(items);
            qf_cf_set_ptr(obj, f, NULL);
            qf_cf_set_count(obj, f, 0);
            break;
        }
        case QF_CF_INT:
        case QF_CF_BOOL:
        case QF_CF_ENUM:
            break;
        }
    }
}

static void qf_csection_set(qf_catalog *cat, const qf_csection *s, void *items, size_t n)
{
    memcpy((char *)cat + s->off, &items, sizeof items);
    memcpy((char *)cat + s->count_off, &n, sizeof n);
}

void qf_catalog_cleanup_(qf_catalog *cat)
{
    if (cat->meta) {
        qf_cobj_cleanup(&qf_ctype_meta, cat->meta);
        free(cat->meta);
        cat->meta = NULL;
    }
    for (size_t i = 0; i < qf_csections_count; i++) {
        const qf_csection *s = &qf_csections[i];
        char *items = qf_csection_items(cat, s);
        size_t n = qf_csection_count(cat, s);
        for (size_t k = 0; k < n; k++)
            qf_cobj_cleanup(s->type, items + k * s->type->size);
        free(items);
        qf_csection_set(cat, s, NULL, 0);
    }
}

qf_err qf_catalog_new(qf_catalog **out)
{
    qf_catalog *cat = calloc(1, sizeof *cat);
    if (!cat)
        return QF_ERR_NOMEM;
    *out = cat;
    return QF_OK;
}

void qf_catalog_free(qf_catalog *cat)
{
    if (!cat)
        return;
    qf_catalog_cleanup_(cat);
    free(cat);
}

qf_err qf_catalog_merge_(qf_catalog *dst, qf_catalog *src, char *err, size_t errlen)
{
    if (dst->meta && src->meta)
        return qf_err_set(err, errlen, QF_ERR_INVALID,
                          "meta: appears in more than one document");
    for (size_t i = 0; i < qf_csections_count; i++) {
        const qf_csection *s = &qf_csections[i];
        size_t dn = qf_csection_count(dst, s), sn = qf_csection_count(src, s);
        if (sn > QF_CATALOG_MAX_ITEMS || dn > QF_CATALOG_MAX_ITEMS - sn)
            return qf_err_set(err, errlen, QF_ERR_LIMIT, "%s: more than %u items in the catalog",
                              s->name, QF_CATALOG_MAX_ITEMS);
    }
    /* Grow every destination first, so a failed realloc leaves both sides
     * as they were (a grown array with an unchanged count is harmless). */
    for (size_t i = 0; i < qf_csections_count; i++) {
        const qf_csection *s = &qf_csections[i];
        size_t dn = qf_csection_count(dst, s), sn = qf_csection_count(src, s);
        if (sn == 0)
            continue;
        void *grown = realloc(qf_csection_items(dst, s), (dn + sn) * s->type->size);
        if (!grown)
            return qf_err_set(err, errlen, QF_ERR_NOMEM, "out of memory");
        qf_csection_set(dst, s, grown, dn);
    }
    for (size_t i = 0; i < qf_csections_count; i++) {
        const qf_csection *s = &qf_csections[i];
        size_t dn = qf_csection_count(dst, s), sn = qf_csection_count(src, s);
        if (sn == 0)
            continue;
        char *d = qf_csection_items(dst, s), *from = qf_csection_items(src, s);
        memcpy(d + dn * s->type->size, from, sn * s->type->size);
        qf_csection_set(dst, s, d, dn + sn);
        free(from);
        qf_csection_set(src, s, NULL, 0);
    }
    if (src->meta) {
        dst->meta = src->meta;
        src->meta = NULL;
    }
    return QF_OK;
}

/* --- lookups ------------------------------------------------------------- */

size_t qf_catalog_count(const qf_catalog *cat, qf_catalog_kind kind)
{
    if (kind == QF_CATALOG_STATION_ITEM) {
        size_t n = 0;
        for (size_t i = 0; i < cat->stations_count; i++)
            n += cat->stations[i].items_count;
        return n;
    }
    const qf_csection *s = qf_csection_of_kind(kind);
    return s ? qf_csection_count(cat, s) : 0;
}

static const void *qf_catalog_section_get(const qf_catalog *cat, qf_catalog_kind kind,
                                          const char *id)
{
    const qf_csection *s = qf_csection_of_kind(kind);
    if (!s || !id)
        return NULL;
    const qf_cfield *idf = qf_ctype_id_field(s->type);
    const char *items = qf_csection_items(cat, s);
    size_t n = qf_csection_count(cat, s);
    for (size_t i = 0; i < n; i++) {
        const char *item = items + i * s->type->size;
        const char *item_id = qf_cf_ptr(item, idf);
        if (item_id && strcmp(item_id, id) == 0)
            return item;
    }
    return NULL;
}

const qf_catalog_board *qf_catalog_board_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_BOARD, id);
}

const qf_catalog_window *qf_catalog_window_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_WINDOW, id);
}

const qf_catalog_unit *qf_catalog_unit_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_UNIT, id);
}

const qf_catalog_unit *qf_catalog_unit_get_by_name(const qf_catalog *cat, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < cat->units_count; i++) {
        const qf_catalog_unit *u = &cat->units[i];
        if (u->name && strcmp(u->name, name) == 0)
            return u;
        for (size_t k = 0; k < u->aliases.count; k++) {
            if (u->aliases.items[k] && strcmp(u->aliases.items[k], name) == 0)
                return u;
        }
    }
    return NULL;
}

const qf_catalog_service *qf_catalog_service_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_SERVICE, id);
}

const qf_catalog_station *qf_catalog_station_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_STATION, id);
}

const qf_catalog_station_item *qf_catalog_station_item_get(const qf_catalog *cat, const char *id,
                                                           const qf_catalog_station **out_station)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < cat->stations_count; i++) {
        const qf_catalog_station *st = &cat->stations[i];
        for (size_t k = 0; k < st->items_count; k++) {
            if (st->items[k].id && strcmp(st->items[k].id, id) == 0) {
                if (out_station)
                    *out_station = st;
                return &st->items[k];
            }
        }
    }
    return NULL;
}

const qf_catalog_online *qf_catalog_online_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_ONLINE, id);
}

const qf_catalog_bundle *qf_catalog_bundle_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_BUNDLE, id);
}

const qf_catalog_guide *qf_catalog_guide_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_GUIDE, id);
}

const qf_catalog_guide *qf_catalog_guide_for_service(const qf_catalog *cat, const char *service_id)
{
    if (!service_id)
        return NULL;
    for (size_t i = 0; i < cat->guides_count; i++) {
        if (cat->guides[i].service_id && strcmp(cat->guides[i].service_id, service_id) == 0)
            return &cat->guides[i];
    }
    return NULL;
}

const qf_catalog_faq *qf_catalog_faq_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_FAQ, id);
}

const qf_catalog_hotline *qf_catalog_hotline_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_HOTLINE, id);
}

const qf_catalog_place *qf_catalog_place_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_PLACE, id);
}

const qf_catalog_policy *qf_catalog_policy_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_POLICY, id);
}

const qf_catalog_notice *qf_catalog_notice_get(const qf_catalog *cat, const char *id)
{
    return qf_catalog_section_get(cat, QF_CATALOG_NOTICE, id);
}

qf_err qf_catalog_find(const qf_catalog *cat, const char *id, qf_catalog_kind *out_kind,
                       const void **out_item)
{
    const void *item = NULL;
    qf_catalog_kind kind = QF_CATALOG_BOARD;

    for (size_t i = 0; i < qf_csections_count && !item; i++) {
        kind = qf_csections[i].kind;
        item = qf_catalog_section_get(cat, kind, id);
    }
    if (!item) {
        kind = QF_CATALOG_STATION_ITEM;
        item = qf_catalog_station_item_get(cat, id, NULL);
    }
    if (!item)
        return QF_ERR_NOT_FOUND;
    if (out_kind)
        *out_kind = kind;
    if (out_item)
        *out_item = item;
    return QF_OK;
}

/* --- statistics ---------------------------------------------------------- */

/* Adds add to key's row, appending a row when key is new; tally has room. */
static void qf_tally_add(qf_catalog_tally *tally, size_t *n, const char *key, size_t add)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(tally[i].key, key) == 0) {
            tally[i].count += add;
            return;
        }
    }
    tally[*n].key = key;
    tally[*n].count = add;
    (*n)++;
}

/* v as an index into a table of count entries; 0 (UNSET) when out of range. */
static int qf_enum_slot(int v, int count)
{
    return v > 0 && v < count ? v : 0;
}

qf_err qf_catalog_stats_new(const qf_catalog *cat, qf_catalog_stats **out)
{
    qf_err rc = QF_OK;
    qf_catalog_stats *st = calloc(1, sizeof *st);
    if (!st) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    for (int k = 0; k < QF_CATALOG_KIND__COUNT; k++)
        st->counts[k] = qf_catalog_count(cat, (qf_catalog_kind)k);

    st->by_board = calloc(cat->boards_count + cat->services_count + 1, sizeof *st->by_board);
    st->by_station = calloc(cat->stations_count + 1, sizeof *st->by_station);
    if (!st->by_board || !st->by_station) {
        rc = QF_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < cat->boards_count; i++) {
        if (cat->boards[i].id)
            qf_tally_add(st->by_board, &st->by_board_count, cat->boards[i].id, 0);
    }
    for (size_t i = 0; i < cat->services_count; i++) {
        const qf_catalog_service *s = &cat->services[i];
        if (s->board)
            qf_tally_add(st->by_board, &st->by_board_count, s->board, 1);
        st->by_provider[qf_enum_slot((int)s->provider, QF_CATALOG_PROVIDER__COUNT)]++;
    }
    for (size_t i = 0; i < cat->stations_count; i++) {
        const qf_catalog_station *station = &cat->stations[i];
        if (station->id)
            qf_tally_add(st->by_station, &st->by_station_count, station->id,
                         station->items_count);
        for (size_t k = 0; k < station->items_count; k++) {
            int p = (int)station->items[k].provider;
            st->by_provider[qf_enum_slot(p, QF_CATALOG_PROVIDER__COUNT)]++;
        }
    }
    for (size_t i = 0; i < cat->bundles_count; i++) {
        int src = (int)cat->bundles[i].source;
        st->bundles_by_source[qf_enum_slot(src, QF_CATALOG_SOURCE__COUNT)]++;
    }
    *out = st;
    st = NULL;
out:
    qf_catalog_stats_free(st);
    return rc;
}

void qf_catalog_stats_free(qf_catalog_stats *st)
{
    if (!st)
        return;
    free(st->by_board);
    free(st->by_station);
    free(st);
}

/* Sets key to n, or adds n when it is already there. */
static int qf_json_count_add(json_t *obj, const char *key, size_t n)
{
    json_t *have = json_object_get(obj, key);
    if (have)
        return json_integer_set(have, json_integer_value(have) + (json_int_t)n);
    return json_object_set_new(obj, key, json_integer((json_int_t)n));
}

qf_err qf_catalog_stats_encode_json(const qf_catalog_stats *st, char **out_json)
{
    qf_err rc = QF_ERR_NOMEM;
    json_t *root = json_object();
    json_t *by_board = json_object(), *by_station = json_object();
    json_t *by_provider = json_object(), *by_source = json_object();
    int bad = !root || !by_board || !by_station || !by_provider || !by_source;
    /* The four counts people ask for first, then the rest in kind order. */
    static const qf_catalog_kind first[] = {
        QF_CATALOG_SERVICE, QF_CATALOG_STATION_ITEM, QF_CATALOG_ONLINE, QF_CATALOG_BUNDLE,
    };

    for (size_t i = 0; !bad && i < sizeof first / sizeof first[0]; i++)
        bad |= qf_json_count_add(root, qf_catalog_kind_name(first[i]), st->counts[first[i]]);
    for (int k = 0; !bad && k < QF_CATALOG_KIND__COUNT; k++) {
        const char *name = qf_catalog_kind_name((qf_catalog_kind)k);
        if (!json_object_get(root, name))
            bad |= qf_json_count_add(root, name, st->counts[k]);
    }
    for (size_t i = 0; !bad && i < st->by_board_count; i++)
        bad |= qf_json_count_add(by_board, st->by_board[i].key, st->by_board[i].count);
    for (size_t i = 0; !bad && i < st->by_station_count; i++)
        bad |= qf_json_count_add(by_station, st->by_station[i].key, st->by_station[i].count);
    for (int p = 1; !bad && p < QF_CATALOG_PROVIDER__COUNT; p++)
        bad |= qf_json_count_add(by_provider, qf_catalog_provider_name((qf_catalog_provider)p),
                                 st->by_provider[p]);
    if (!bad && st->by_provider[0])
        bad |= qf_json_count_add(by_provider, "unset", st->by_provider[0]);
    for (int s = 1; !bad && s < QF_CATALOG_SOURCE__COUNT; s++)
        bad |= qf_json_count_add(by_source, qf_catalog_source_name((qf_catalog_source)s),
                                 st->bundles_by_source[s]);
    if (!bad && st->bundles_by_source[0])
        bad |= qf_json_count_add(by_source, "unset", st->bundles_by_source[0]);
    if (bad)
        goto out;
    /* json_object_set_new takes the reference even when it fails. */
    bad |= json_object_set_new(root, "by_board", by_board);
    by_board = NULL;
    bad |= json_object_set_new(root, "by_station", by_station);
    by_station = NULL;
    bad |= json_object_set_new(root, "by_provider", by_provider);
    by_provider = NULL;
    bad |= json_object_set_new(root, "bundles_by_source", by_source);
    by_source = NULL;
    if (bad)
        goto out;
    *out_json = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (*out_json)
        rc = QF_OK;
out:
    json_decref(by_board);
    json_decref(by_station);
    json_decref(by_provider);
    json_decref(by_source);
    json_decref(root);
    return rc;
}
