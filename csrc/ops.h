/* ops.h - the operation table: everything the core needs to build, send and read one API call,
 * as data. The tables are generated from registry/<service>.lua (registry.c); adding an API is
 * an entry there, never code here. No Lua here. */
#ifndef HWC_OPS_H
#define HWC_OPS_H

#include <stddef.h>
#include "desc.h"

typedef enum hwc_param_in { HWC_IN_PATH, HWC_IN_QUERY } hwc_param_in;

/* What a parameter takes: a string (path parameters always), an integer, a boolean, or a list
 * of strings (a repeated query key). */
typedef enum hwc_ptype { HWC_P_STRING, HWC_P_INTEGER, HWC_P_BOOLEAN, HWC_P_LIST } hwc_ptype;

typedef struct hwc_param {
  const char *name;    /* as the caller passes it: limit */
  const char *wire;    /* as it is sent: start_partitionId */
  hwc_param_in in;
  hwc_ptype type;
  int required;
  long long min, max;  /* integers: the range; strings: the length in characters (max 0: none) */
} hwc_param;

/* A piece of a parsed path template: literal text, the project id, or parameter k. */
enum { HWC_SEG_TEXT = -1, HWC_SEG_PROJECT = -2 };
typedef struct hwc_seg {
  const char *text;
  size_t len;
  int param; /* >= 0: params[param]; HWC_SEG_TEXT; HWC_SEG_PROJECT */
} hwc_seg;

enum {
  HWC_OP_PROJECT = 1,      /* {project_id} from the credentials, sent as X-Project-Id too */
  HWC_OP_BODY_OPTIONAL = 2 /* the request model's body may be left out */
};

typedef struct hwc_op {
  const char *name;    /* the official SDKs' snake_case name, e.g. create_connector_task */
  const char *service; /* endpoint family: "kafka" (dms.*), "dis", "iam" */
  const char *method;
  const char *path;    /* the template, as the pages write it */
  const hwc_param *params;
  size_t nparams;
  const hwc_seg *segs; /* the template, parsed */
  size_t nsegs;
  const hwc_model *request;  /* body model, NULL: no body */
  const hwc_model *response; /* NULL: the body is ignored */
  int success;               /* the documented status; another 2xx succeeds with meta.note */
  unsigned flags;
} hwc_op;

extern const hwc_op *const hwc_ops[];
const hwc_op *hwc_op_find(const char *name);
const hwc_op *const *hwc_op_all(void);

/* Checks every operation and model of the registry (what the generator promised: parameters of
 * the path declared as path strings, segments in range, models known, statuses sane). NULL, or
 * the first problem, written into buf. */
const char *hwc_registry_check(char *buf, size_t cap);

#endif
