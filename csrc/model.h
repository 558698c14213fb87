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

typedef enum hwc_type {
  HWC_T_STRING, HWC_T_BOOLEAN, HWC_T_INT32, HWC_T_INT64, HWC_T_OBJECT,
  HWC_T_ARRAY /* of objects described by `model` */
} hwc_type;

enum {
  HWC_F_REQUIRED = 1,     /* must be present (when validating) */
  HWC_F_SENSITIVE = 2,    /* never printed, echoed or logged: shown as *** */
  HWC_F_NO_LEAD_SLASH = 4 /* strings: may not start with '/' */
};

typedef struct hwc_model hwc_model;

typedef struct hwc_field {
  const char *name;
  hwc_type type;
  unsigned flags;
  const char *const *enums; /* NULL-terminated allowed values, or NULL */
  long long min, max;       /* integers: value range; strings: length in characters (max 0: none) */
  const char *charset;      /* strings: characters allowed besides letters and digits, or NULL: any */
  const hwc_model *model;   /* objects */
} hwc_field;

typedef enum hwc_rule_kind {
  HWC_R_REQUIRE,     /* every path in fields must be present */
  HWC_R_EXACTLY_ONE, /* exactly one of fields must be present */
  HWC_R_EXCLUDES     /* none of fields may be present */
} hwc_rule_kind;

/* A conditional rule from the API pages: applies when the value at `when` (a field path
 * relative to the model, NULL: always) reads as `equals` ("true"/"false" for booleans). */
typedef struct hwc_rule {
  hwc_rule_kind kind;
  const char *when, *equals;
  const char *const *fields; /* NULL-terminated field paths relative to the model */
} hwc_rule;

struct hwc_model {
  const char *name;
  const hwc_field *fields;
  size_t nfields;
  const hwc_rule *rules;
  size_t nrules;
};

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
  int secrets; /* stack index of a table that collects sensitive string values, or 0 */
  int allow;   /* validating: unknown fields let through: 0 none, -1 all, else the stack index of
                * a set of field paths ("sink_task.new_field" = true) */
} hwc_walk;

void hwc_walk_init(hwc_walk *w, lua_State *L, sbuf *out, int validate);
/* Validates the table at idx against m and appends its JSON to w->out. 1 ok, 0 failed. */
int hwc_model_write(hwc_walk *w, const hwc_model *m, int idx);

/* Pushes a typed copy of the decoded JSON value at idx (lua-cjson's output): integer fields
 * become integers, JSON null becomes absent, unknown fields are kept. */
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

/* The descriptor tables (models.c); top-level models are named for the operation table. */
extern const hwc_model hwc_model_CreateSmartConnectTaskReq;
extern const hwc_model hwc_model_CreateConnectorTaskResponse;
extern const hwc_model hwc_model_CreateTransferTaskReq;
extern const hwc_model hwc_model_KeystoneListProjectsResponse;
const hwc_model *hwc_model_find(const char *name);
const hwc_model *const *hwc_model_all(void);

#endif
