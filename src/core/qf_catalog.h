/* qf_catalog.h — the district service catalog in memory: the C types for
 * every section of the catalog JSON schema (assets/catalog/README.md is the
 * contract), loading and saving them, lookups by id, the referential and
 * content checks behind `qifu-ctl catalog validate`, and counts.
 *
 * A qf_catalog owns everything it holds: every string is a private copy,
 * every array belongs to its parent. The structs are plain data so screens
 * and handlers can walk them directly; treat them as read-only outside this
 * module (tests poke at them to build broken catalogs).
 *
 * Decoding is strict: a malformed document is refused as a whole with the
 * path of the first bad field ("services[12].flow: expected array"), and
 * unknown sections and fields are errors so typos do not pass silently.
 * Validation is lenient in the other direction: it walks the whole catalog
 * and reports every problem it finds (dangling references, duplicate ids,
 * bad URLs …) through a callback.
 *
 * Where the README leaves room, this module decides: a material's `notes`
 * may be one string or a list of strings; `copies` is a string; a window's
 * `area` is one of the four areas the README names; policies and notices
 * have ids policy-… and notice-… and `published` is YYYY-MM-DD; a bundle
 * basic item's `unit`, like every other unit field, must name a unit.
 *
 * Not here: searching text (the kiosk's job), storage in SQLite (syncd's
 * store_catalog.c), and rendering enum values in Chinese for the screens. */
#ifndef QF_CATALOG_H
#define QF_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "qf_error.h"

/* Input limits. A file or document larger than QF_CATALOG_MAX_DOC_BYTES is
 * refused before parsing; any one string longer than QF_CATALOG_MAX_STRING
 * bytes, or any one array with more than QF_CATALOG_MAX_ARRAY items, makes
 * its document invalid; a section holds at most QF_CATALOG_MAX_ITEMS items
 * over all documents; a folder holds at most QF_CATALOG_MAX_FILES files and
 * QF_CATALOG_MAX_DIR_BYTES bytes of *.json. */
#define QF_CATALOG_MAX_DOC_BYTES  (8u * 1024u * 1024u)
#define QF_CATALOG_MAX_STRING     (64u * 1024u)
#define QF_CATALOG_MAX_ARRAY      10000u
#define QF_CATALOG_MAX_ITEMS      10000u
#define QF_CATALOG_MAX_FILES      1000u
#define QF_CATALOG_MAX_DIR_BYTES  (64u * 1024u * 1024u)
#define QF_CATALOG_MAX_ID         64u    /* bytes in a well-formed id */

/* A tri-state for optional booleans: absent from the document. */
#define QF_CATALOG_UNSET (-1)

/* --- enumerations (0 is "unset"; the JSON names are the schema's) -------- */

typedef enum qf_catalog_provider {
    QF_CATALOG_PROVIDER_UNSET = 0,
    QF_CATALOG_PROVIDER_GOVERNMENT,   /* "government" ★ 政府侧 */
    QF_CATALOG_PROVIDER_MARKET,       /* "market" ▲ (附件4 only) */
    QF_CATALOG_PROVIDER_ENTERPRISE,   /* "enterprise" ▲ (附件5, 附件6/7 sides) */
    QF_CATALOG_PROVIDER_SOCIETY,      /* "society" ● 社会侧 */
    QF_CATALOG_PROVIDER__COUNT
} qf_catalog_provider;

typedef enum qf_catalog_unit_kind {
    QF_CATALOG_UNIT_UNSET = 0,
    QF_CATALOG_UNIT_DEPARTMENT,       /* "department" */
    QF_CATALOG_UNIT_PLATFORM,         /* "platform" */
    QF_CATALOG_UNIT_STREET,           /* "street" */
    QF_CATALOG_UNIT_OTHER,            /* "other" */
    QF_CATALOG_UNIT__COUNT
} qf_catalog_unit_kind;

typedef enum qf_catalog_frequency {
    QF_CATALOG_FREQUENCY_UNSET = 0,
    QF_CATALOG_FREQUENCY_HIGH,        /* "high" 高频 */
    QF_CATALOG_FREQUENCY_MEDIUM,      /* "medium" 中频 */
    QF_CATALOG_FREQUENCY_LOW,         /* "low" 低频 */
    QF_CATALOG_FREQUENCY__COUNT
} qf_catalog_frequency;

typedef enum qf_catalog_source {
    QF_CATALOG_SOURCE_UNSET = 0,
    QF_CATALOG_SOURCE_ANNEX6,         /* "附件6" 一类事 case list */
    QF_CATALOG_SOURCE_ANNEX7,         /* "附件7" */
    QF_CATALOG_SOURCE__COUNT
} qf_catalog_source;

typedef enum qf_catalog_area {
    QF_CATALOG_AREA_UNSET = 0,
    QF_CATALOG_AREA_GENERAL,          /* "综合服务区" */
    QF_CATALOG_AREA_SELFSERVICE,      /* "自助网办服务区" */
    QF_CATALOG_AREA_ACCEPTANCE,       /* "综合受理区" */
    QF_CATALOG_AREA_VALUE_ADDED,      /* "增值服务区" */
    QF_CATALOG_AREA__COUNT
} qf_catalog_area;

/* The JSON spelling of a value ("government", "附件6" …); NULL for UNSET or
 * out of range. */
const char *qf_catalog_provider_name(qf_catalog_provider v);
const char *qf_catalog_unit_kind_name(qf_catalog_unit_kind v);
const char *qf_catalog_frequency_name(qf_catalog_frequency v);
const char *qf_catalog_source_name(qf_catalog_source v);
const char *qf_catalog_area_name(qf_catalog_area v);

/* --- shared pieces ------------------------------------------------------- */

typedef struct qf_catalog_strv {      /* a list of owned strings */
    char **items;
    size_t count;
} qf_catalog_strv;

typedef struct qf_catalog_contact {   /* {"name"?, "phone"} */
    char *name;                       /* optional */
    char *phone;
    qf_catalog_strv notes;
} qf_catalog_contact;

typedef struct qf_catalog_link {      /* {"name", "url"?}: an online channel */
    char *name;
    char *url;                        /* optional */
    qf_catalog_strv notes;
} qf_catalog_link;

/* Optional fields are NULL (strings, objects), empty (lists) or
 * QF_CATALOG_UNSET (booleans) when the document leaves them out. `notes` is
 * the schema's optional list of doubts about the source text. */

typedef struct qf_catalog_meta {
    char *version;
    char *title;
    char *source;
    qf_catalog_strv notes;
} qf_catalog_meta;

typedef struct qf_catalog_board {
    char *id;                         /* board-talent … */
    char *name;
    char *name_en;
    qf_catalog_strv lead_units;       /* unit names */
    char *description;
    qf_catalog_strv notes;
} qf_catalog_board;

typedef struct qf_catalog_window {
    char *id;                         /* win-… */
    char *name;
    char *name_en;
    qf_catalog_area area;
    char *board;                      /* optional board id */
    char *ticket_prefix;              /* optional: one letter A-Z, unique among
                                         windows; queue numbers start with it */
    qf_catalog_strv notes;
} qf_catalog_window;

typedef struct qf_catalog_unit {
    char *id;                         /* unit-NNN */
    char *name;
    qf_catalog_unit_kind kind;
    qf_catalog_strv aliases;          /* optional */
    qf_catalog_strv notes;
} qf_catalog_unit;

typedef struct qf_catalog_service {   /* 附件4 企业共性服务清单 */
    char *id;                         /* svc-common-NNN, NNN = row */
    int row;
    char *board;                      /* board id */
    char *category2;
    char *category3;
    qf_catalog_provider provider;     /* government / market / society */
    char *content;
    qf_catalog_strv flow;
    qf_catalog_strv units;            /* unit names */
    qf_catalog_frequency frequency;
    char *target;
    char *region;
    char *period;
    qf_catalog_link *online;          /* optional */
    char *offline;                    /* optional */
    qf_catalog_contact *contacts;
    size_t contacts_count;
    qf_catalog_strv notes;
} qf_catalog_service;

typedef struct qf_catalog_station_item {   /* 附件5 rows */
    char *id;                         /* svc-<station>-NNN, NNN = row */
    int row;
    char *category;
    char *board;                      /* optional board id */
    qf_catalog_provider provider;     /* government / enterprise / society */
    char *description;
    qf_catalog_contact *contacts;
    size_t contacts_count;
    qf_catalog_strv notes;
} qf_catalog_station_item;

typedef struct qf_catalog_station {
    char *id;                         /* station-bio … */
    char *name;
    char *industry;
    char *platform;
    char *address;
    qf_catalog_station_item *items;
    size_t items_count;
    qf_catalog_strv notes;
} qf_catalog_station;

typedef struct qf_catalog_online {    /* 附件8 */
    char *id;                         /* online-NN, NN = row */
    int row;
    char *name;
    char *category;
    char *board;                      /* optional board id */
    qf_catalog_strv notes;
} qf_catalog_online;

typedef struct qf_catalog_basic_item {
    char *name;
    qf_catalog_strv units;            /* the unit(s) in brackets; may be empty */
    char *delegated_to;               /* optional: the unit that handles it on
                                         commission (委托…办理) */
    qf_catalog_strv notes;
} qf_catalog_basic_item;

typedef struct qf_catalog_value_added {
    qf_catalog_provider side;         /* government / enterprise / society */
    char *text;
    qf_catalog_strv providers;
    qf_catalog_strv notes;
} qf_catalog_value_added;

typedef struct qf_catalog_bundle {    /* 附件6/附件7 一类事 */
    char *id;                         /* bundle-… */
    qf_catalog_source source;
    char *name;
    char *needs;
    qf_catalog_basic_item *basic_items;
    size_t basic_items_count;
    qf_catalog_value_added *value_added;
    size_t value_added_count;
    char *online_path;                /* optional */
    char *offline_path;               /* optional */
    qf_catalog_strv guarantees;
    qf_catalog_strv notes;
} qf_catalog_bundle;

typedef struct qf_catalog_material {
    char *name;
    char *form;                       /* optional */
    char *copies;                     /* optional */
    int required;                     /* 1, 0 or QF_CATALOG_UNSET */
    qf_catalog_strv notes;            /* a single string is read as one note */
} qf_catalog_material;

typedef struct qf_catalog_qa {        /* a guide's FAQ entry */
    char *q;
    char *a;
    qf_catalog_strv notes;
} qf_catalog_qa;

typedef struct qf_catalog_guide_window {  /* 一窗受理 fields, all optional */
    char *acceptance_conditions;
    char *materials_copies;
    char *time_limit;
    char *legal_basis;
    char *signature_requirements;
    char *fees;
    char *cautions;
    qf_catalog_strv notes;
} qf_catalog_guide_window;

typedef struct qf_catalog_guide {     /* 服务指南, the 11 elements */
    char *id;                         /* guide-… */
    char *service_id;                 /* optional services[] id */
    char *title;
    char *handling_unit;
    char *target;
    qf_catalog_link *online_channel;  /* optional */
    char *offline_channel;            /* optional */
    char *phone;
    char *duration;
    qf_catalog_strv conditions;
    qf_catalog_material *materials;
    size_t materials_count;
    char *responsible_unit;
    qf_catalog_qa *faq;
    size_t faq_count;
    qf_catalog_guide_window *window;  /* optional */
    qf_catalog_strv notes;
} qf_catalog_guide;

typedef struct qf_catalog_faq {
    char *id;                         /* faq-NNN */
    char *q;
    char *a;
    char *board;                      /* optional board id */
    qf_catalog_strv notes;
} qf_catalog_faq;

typedef struct qf_catalog_hotline {
    char *id;                         /* hotline-… */
    char *name;
    char *number;
    qf_catalog_strv notes;
} qf_catalog_hotline;

typedef struct qf_catalog_place {
    char *id;                         /* place-… */
    char *name;
    char *address;
    qf_catalog_strv notes;
} qf_catalog_place;

typedef struct qf_catalog_post {      /* policies[] and notices[] */
    char *id;                         /* policy-… / notice-… */
    char *title;
    char *body;
    char *board;                      /* optional board id */
    char *published;                  /* optional, YYYY-MM-DD */
    qf_catalog_strv notes;
} qf_catalog_post;

typedef qf_catalog_post qf_catalog_policy;
typedef qf_catalog_post qf_catalog_notice;

/* Ownership: the catalog owns every array and string below it. */
typedef struct qf_catalog {
    qf_catalog_meta *meta;            /* NULL until a document has "meta" */
    qf_catalog_board *boards;          size_t boards_count;
    qf_catalog_window *windows;        size_t windows_count;
    qf_catalog_unit *units;            size_t units_count;
    qf_catalog_service *services;      size_t services_count;
    qf_catalog_station *stations;      size_t stations_count;
    qf_catalog_online *online_services; size_t online_services_count;
    qf_catalog_bundle *bundles;        size_t bundles_count;
    qf_catalog_guide *guides;          size_t guides_count;
    qf_catalog_faq *faq;               size_t faq_count;
    qf_catalog_hotline *hotlines;      size_t hotlines_count;
    qf_catalog_place *places;          size_t places_count;
    qf_catalog_policy *policies;       size_t policies_count;
    qf_catalog_notice *notices;        size_t notices_count;
} qf_catalog;

/* The kinds of item that carry an id. Station items live inside stations. */
typedef enum qf_catalog_kind {
    QF_CATALOG_BOARD = 0,
    QF_CATALOG_WINDOW,
    QF_CATALOG_UNIT,
    QF_CATALOG_SERVICE,
    QF_CATALOG_STATION,
    QF_CATALOG_STATION_ITEM,
    QF_CATALOG_ONLINE,
    QF_CATALOG_BUNDLE,
    QF_CATALOG_GUIDE,
    QF_CATALOG_FAQ,
    QF_CATALOG_HOTLINE,
    QF_CATALOG_PLACE,
    QF_CATALOG_POLICY,
    QF_CATALOG_NOTICE,
    QF_CATALOG_KIND__COUNT
} qf_catalog_kind;

/* "boards", "station_items", "online_services" …; NULL when out of range. */
const char *qf_catalog_kind_name(qf_catalog_kind kind);

/* --- life cycle ---------------------------------------------------------- */

qf_err qf_catalog_new(qf_catalog **out);
void qf_catalog_free(qf_catalog *cat);          /* NULL is fine */

/* --- JSON ---------------------------------------------------------------- */

/* Decodes one document (a JSON object whose keys are sections) and appends
 * its sections to cat. All or nothing: on error cat is unchanged and err
 * holds "PATH: reason", e.g. "services[12].flow: expected array".
 * QF_ERR_PARSE for JSON syntax, QF_ERR_INVALID for schema violations,
 * QF_ERR_LIMIT for size limits, QF_ERR_NOMEM. */
qf_err qf_catalog_decode_json(qf_catalog *cat, const char *json_text, size_t len,
                              char *err, size_t errlen);

/* Reads one file (at most QF_CATALOG_MAX_DOC_BYTES) and decodes it; the
 * reason starts with the path ("a/boards.json: boards[3].id: …"). */
qf_err qf_catalog_load_file(qf_catalog *cat, const char *path, char *err, size_t errlen);

/* Loads every *.json file of dir (not dot-files; README.md and anything else
 * is ignored) in byte-wise name order. All or nothing, like decode; the reason
 * starts with the file's name ("boards.json: boards[3].id: …") and does not
 * repeat dir. QF_ERR_NOT_FOUND when dir does not exist. */
qf_err qf_catalog_load_dir(qf_catalog *cat, const char *dir, char *err, size_t errlen);

/* Encodes the whole catalog as one document: meta (when set), then every
 * section in schema order, fields in schema order, two-space indented UTF-8.
 * Decoding the result gives an equal catalog. Ownership: *out_json is
 * malloc'd; the caller frees it. QF_ERR_INVALID when a required field is
 * NULL or an enum is unset (a catalog built by hand, not decoded). */
qf_err qf_catalog_encode_json(const qf_catalog *cat, char **out_json);

/* True when both hold the same sections, items, order and text. */
bool qf_catalog_equal(const qf_catalog *a, const qf_catalog *b);

/* --- lookups ------------------------------------------------------------- */
/* These borrow from cat and return NULL when nothing matches: a miss is an
 * answer, not a failure, so they break the qf_err convention on purpose.
 * Linear scans: the catalog holds hundreds of items, not millions. */

size_t qf_catalog_count(const qf_catalog *cat, qf_catalog_kind kind);

const qf_catalog_board *qf_catalog_board_get(const qf_catalog *cat, const char *id);
const qf_catalog_window *qf_catalog_window_get(const qf_catalog *cat, const char *id);
const qf_catalog_unit *qf_catalog_unit_get(const qf_catalog *cat, const char *id);
/* By the name a list writes (name or one of the aliases). */
const qf_catalog_unit *qf_catalog_unit_get_by_name(const qf_catalog *cat, const char *name);
const qf_catalog_service *qf_catalog_service_get(const qf_catalog *cat, const char *id);
const qf_catalog_station *qf_catalog_station_get(const qf_catalog *cat, const char *id);
/* *out_station (when out_station is non-NULL) gets the item's station. */
const qf_catalog_station_item *qf_catalog_station_item_get(const qf_catalog *cat, const char *id,
                                                           const qf_catalog_station **out_station);
const qf_catalog_online *qf_catalog_online_get(const qf_catalog *cat, const char *id);
const qf_catalog_bundle *qf_catalog_bundle_get(const qf_catalog *cat, const char *id);
const qf_catalog_guide *qf_catalog_guide_get(const qf_catalog *cat, const char *id);
/* The first guide whose service_id is service_id. */
const qf_catalog_guide *qf_catalog_guide_for_service(const qf_catalog *cat, const char *service_id);
const qf_catalog_faq *qf_catalog_faq_get(const qf_catalog *cat, const char *id);
const qf_catalog_hotline *qf_catalog_hotline_get(const qf_catalog *cat, const char *id);
const qf_catalog_place *qf_catalog_place_get(const qf_catalog *cat, const char *id);
const qf_catalog_policy *qf_catalog_policy_get(const qf_catalog *cat, const char *id);
const qf_catalog_notice *qf_catalog_notice_get(const qf_catalog *cat, const char *id);

/* Any kind by id (a scanned QR code, a deep link): QF_ERR_NOT_FOUND when no
 * item has it. out_kind and out_item may be NULL; *out_item points at the
 * qf_catalog_<kind> struct. */
qf_err qf_catalog_find(const qf_catalog *cat, const char *id, qf_catalog_kind *out_kind,
                       const void **out_item);

/* --- validation ---------------------------------------------------------- */

typedef enum qf_catalog_check {
    QF_CATALOG_CHECK_DECODE = 1,      /* a file did not decode (load_dir_each) */
    QF_CATALOG_CHECK_MISSING,         /* required field or section absent */
    QF_CATALOG_CHECK_EMPTY,           /* a string that is empty or blank */
    QF_CATALOG_CHECK_LIMIT,           /* a string or list over its limit */
    QF_CATALOG_CHECK_ID_FORMAT,       /* not lowercase ascii/digits/'-' */
    QF_CATALOG_CHECK_ID_PREFIX,       /* wrong prefix or number for its kind */
    QF_CATALOG_CHECK_ID_DUPLICATE,    /* the id is used earlier in the catalog */
    QF_CATALOG_CHECK_ROW,             /* row below 1 */
    QF_CATALOG_CHECK_ROW_DUPLICATE,   /* row repeated within its list */
    QF_CATALOG_CHECK_ENUM,            /* value not allowed for this field */
    QF_CATALOG_CHECK_URL,             /* not http(s)://host…, or has spaces */
    QF_CATALOG_CHECK_PHONE,           /* a phone field without digits */
    QF_CATALOG_CHECK_DATE,            /* not YYYY-MM-DD */
    QF_CATALOG_CHECK_REF_BOARD,       /* no board has this id */
    QF_CATALOG_CHECK_REF_UNIT,        /* no unit has this name or alias */
    QF_CATALOG_CHECK_REF_SERVICE,     /* no service has this id */
    QF_CATALOG_CHECK_UNIT_NAME,       /* two units answer to the same name */
} qf_catalog_check;

/* One problem. The strings are borrowed for the duration of the callback. */
typedef struct qf_catalog_problem {
    qf_catalog_check check;
    const char *path;      /* "services[12].board"; a file name for DECODE */
    const char *id;        /* id of the item the path is in, or NULL */
    const char *message;   /* English: "unknown board \"board-x\"" */
} qf_catalog_problem;

typedef void (*qf_catalog_problem_fn)(const qf_catalog_problem *problem, void *ud);

/* Checks the whole catalog and calls cb (may be NULL) once per problem, in
 * catalog order; *out_count (may be NULL) gets the number of problems.
 * QF_OK when there are none, QF_ERR_INVALID when there are some,
 * QF_ERR_NOMEM when the check could not finish. */
qf_err qf_catalog_validate(const qf_catalog *cat, qf_catalog_problem_fn cb, void *ud,
                           size_t *out_count);

/* Like qf_catalog_load_dir, but keeps going: every file that decodes is
 * appended; a file that does not is left out, and every error in it (not
 * just the first) is reported through cb (may be NULL) as a
 * QF_CATALOG_CHECK_DECODE problem: path = the file name, message = "PATH:
 * reason". *out_failed (may be NULL) gets the number of files left out.
 * QF_OK when all
 * loaded; QF_ERR_INVALID when some did not; QF_ERR_IO (reason in err) when
 * the folder itself cannot be read; QF_ERR_LIMIT past the folder limits. */
qf_err qf_catalog_load_dir_each(qf_catalog *cat, const char *dir, qf_catalog_problem_fn cb,
                                void *ud, size_t *out_failed, char *err, size_t errlen);

/* --- statistics ---------------------------------------------------------- */

typedef struct qf_catalog_tally {
    const char *key;       /* borrowed from the catalog */
    size_t count;
} qf_catalog_tally;

typedef struct qf_catalog_stats {
    size_t counts[QF_CATALOG_KIND__COUNT];
    /* Services per board id: every board in catalog order (zeros included),
     * then board ids services name that no board has. */
    qf_catalog_tally *by_board;
    size_t by_board_count;
    /* Station items per station id, in catalog order. */
    qf_catalog_tally *by_station;
    size_t by_station_count;
    /* Services and station items together, by provider (index UNSET counts
     * items without one). */
    size_t by_provider[QF_CATALOG_PROVIDER__COUNT];
    size_t bundles_by_source[QF_CATALOG_SOURCE__COUNT];
} qf_catalog_stats;

/* Ownership: the stats borrow keys from cat; free them before cat. */
qf_err qf_catalog_stats_new(const qf_catalog *cat, qf_catalog_stats **out);
void qf_catalog_stats_free(qf_catalog_stats *st);

/* One line of compact JSON: {"services":174,"station_items":202,
 * "online_services":40,"bundles":N,"boards":9,…,"by_board":{…},
 * "by_station":{…},"by_provider":{…},"bundles_by_source":{…}}. The caller
 * frees *out_json. */
qf_err qf_catalog_stats_encode_json(const qf_catalog_stats *st, char **out_json);

#endif
