/* desc.h - the descriptors of request and response models, as data (registry.c, generated from
 * registry/<service>.lua), and what reads them without a Lua state: lookups by name, the check
 * of a descriptor, names' edit distance for "did you mean". No Lua here. */
#ifndef HWC_DESC_H
#define HWC_DESC_H

#include <stddef.h>

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

/* Edit distance of s to a known name (prefixes and suffixes count as close), and whether a
 * distance d is close enough to suggest "did you mean" for a name of n bytes. */
size_t hwc_name_distance(const char *s, size_t n, const char *name, size_t nlen);
int hwc_near_enough(size_t n, size_t d);

/* The field of m named s (n bytes), or NULL. */
const hwc_field *hwc_field_find(const hwc_model *m, const char *s, size_t n);

/* The descriptors (registry.c, generated), NULL-terminated, and a lookup by name. */
extern const hwc_model *const hwc_models[];
const hwc_model *hwc_model_find(const char *name);
const hwc_model *const *hwc_model_all(void);

/* Checks one descriptor whole (names, types, models of objects, rule paths inside the models they
 * walk); NULL, or what is wrong (written into buf). hwc_registry_check (ops.h) checks them all,
 * and that every model they name is in the registry. */
const char *hwc_model_check(const hwc_model *m, char *buf, size_t cap);

#endif
