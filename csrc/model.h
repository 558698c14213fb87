/* model.h - descriptors of request/response models (data, in models.c) and the one walker
 * that uses them: validate a Lua table and write its JSON in model order, turn a decoded
 * response into typed values, and mask sensitive fields for printing.
 *
 * The walker only uses raw table access, so it runs no user code; it raises only on memory
 * errors, which is why its output buffer must live in a userdata. */
#ifndef HWC_MODEL_H
#define HWC_MODEL_H

#include <stddef.h>
#include "lua.h"
#include "sbuf.h"
#include "secrets.h"

typedef enum hwc_type {
  HWC_T_STRING, HWC_T_BOOLEAN, HWC_T_INT32, HWC_T_INT64, HWC_T_OBJECT,
  HWC_T_ARRAY /* of `elem`: objects described by `model`, or scalars */
} hwc_type;

enum {
  HWC_F_REQUIRED = 1,     /* must be present in a request (when validating); answers keep what came, as the
                           * official SDKs do (every field of their response models is optional) */
  HWC_F_SENSITIVE = 2,    /* never printed, echoed or logged: shown as *** */
  HWC_F_NO_LEAD_SLASH = 4, /* strings: may not start with '/' */
  HWC_F_NUMBER_OK = 8      /* strings: an integer is sent as the number it is (the page and the
                            * SDK model disagree on the type: both readings) */
};

typedef struct hwc_model hwc_model;

typedef struct hwc_field {
  const char *name;
  hwc_type type;
  unsigned flags;
  const char *const *enums; /* NULL-terminated allowed values, or NULL */
  long long min, max;       /* integers: value range; strings: length in characters (max 0: none) */
  const char *charset;      /* strings: characters allowed besides letters and digits, or NULL: any */
  const hwc_model *model;   /* objects, arrays of objects */
  hwc_type elem;            /* arrays: the element type */
} hwc_field;

typedef enum hwc_rule_kind {
  HWC_R_REQUIRE,     /* every path in fields must be present */
  HWC_R_EXACTLY_ONE, /* exactly one of fields must be present */
  HWC_R_EXCLUDES     /* none of fields may be present */
} hwc_rule_kind;

/* A conditional rule from the API pages: applies when the value at `when` (a field path
 * relative to the model, NULL: always) reads as `equals` ("true"/"false" for booleans). Paths
 * come resolved (registry/gen.lua): field indices from the model down, -1 terminated. */
typedef struct hwc_rule {
  hwc_rule_kind kind;
  const char *when, *equals;
  const int *when_path;      /* NULL when the rule always applies */
  const char *const *fields; /* the paths as text, for messages */
  const int *const *paths;
  size_t npaths;
} hwc_rule;

struct hwc_model {
  const char *name;
  const hwc_field *fields;
  size_t nfields;
  const hwc_rule *rules;
  size_t nrules;
};

/* Nothing here is a limit on the descriptors: any number of models, fields, rules and paths.
 * These bound what a caller's value may be (a body nested 1000 deep is refused, not walked). */
#define HWC_MAX_DEPTH 32
#define HWC_MAX_TABLES 10000 /* a table reached twice counts twice: shared subtables cannot blow up */
#define HWC_MAX_STRING (1024 * 1024)
#define HWC_PATH_MAX 256

/* State of one walk. On failure `path` names the field and `message` says what was allowed. */
typedef struct hwc_walk {
  lua_State *L;
  sbuf *out;    /* JSON goes here */
  int validate; /* 0: Lua types, UTF-8, size and depth only */
  char path[HWC_PATH_MAX];
  size_t path_len;
  char message[320];
  const void *stack[HWC_MAX_DEPTH + 1]; /* tables being walked, to catch cycles */
  int depth;
  long tables; /* tables entered so far, bounded by HWC_MAX_TABLES */
  sbuf *slots;  /* per object being written: where each field's value sits on the Lua stack */
  hwc_secrec *secrets; /* collects sensitive values and where they went, or NULL */
  int allow;   /* validating: unknown fields let through: 0 none, -1 all, else the stack index of
                * a set of field paths ("sink_task.new_field" = true) */
} hwc_walk;

/* out and slots must live in a userdata (a scratch): the walk raises on memory errors. */
void hwc_walk_init(hwc_walk *w, lua_State *L, sbuf *out, sbuf *slots, int validate);
/* Validates the table at idx against m and appends its JSON to w->out. 1 ok, 0 failed. */
int hwc_model_write(hwc_walk *w, const hwc_model *m, int idx);

/* Makes the decoded JSON value at idx (lua-cjson's output, fresh: no one else holds it) typed,
 * in place and in one pass: integral numbers become integers (exact below 2^53), JSON null in
 * an object becomes absent (kept in arrays, so positions hold), unknown fields are kept. Every
 * model reads alike today; m is where a field-specific reading would go. */
void hwc_model_read(lua_State *L, const hwc_model *m, int idx);

/* Pushes a deep copy of the table at idx with sensitive fields (by descriptor, and by name
 * for fields the model does not know) replaced by "***". Non-table values are copied. */
void hwc_model_redact(lua_State *L, const hwc_model *m, int idx);

/* Edit distance of s to a known name (prefixes and suffixes count as close), and whether a
 * distance d is close enough to suggest "did you mean" for a name of n bytes. */
size_t hwc_name_distance(const char *s, size_t n, const char *name, size_t nlen);
int hwc_near_enough(size_t n, size_t d);

/* 1 when a field name the model does not describe should still be treated as a secret. */
int hwc_sensitive_name(const char *name, size_t n);

/* The descriptors (registry.c, generated), NULL-terminated, and a lookup by name. */
extern const hwc_model *const hwc_models[];
const hwc_model *hwc_model_find(const char *name);
const hwc_model *const *hwc_model_all(void);

/* Checks one descriptor whole (names, types, models of objects, rule paths inside the models they
 * walk); NULL, or what is wrong (written into buf). hwc_registry_check (ops.h) checks them all,
 * and that every model they name is in the registry. */
const char *hwc_model_check(const hwc_model *m, char *buf, size_t cap);

#endif
