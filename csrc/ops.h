/* ops.h - the operation table: everything the core needs to build, send and read one API
 * call, as data. Adding an API is one entry here (plus its models in models.c). */
#ifndef HWC_OPS_H
#define HWC_OPS_H

#include <stddef.h>
#include "model.h"

typedef enum hwc_param_in { HWC_IN_PATH, HWC_IN_QUERY } hwc_param_in;

typedef struct hwc_param {
  const char *name;
  hwc_param_in in;
  int required;
  size_t max_len; /* in characters; 0: no limit */
} hwc_param;

enum {
  HWC_OP_PROJECT = 1 /* {project_id} from the credentials, sent as X-Project-Id too */
};

typedef struct hwc_op {
  const char *name;    /* the official SDKs' snake_case name, e.g. create_connector_task */
  const char *service; /* endpoint family: "kafka" (dms.*), "dis", "iam" */
  const char *method;
  const char *path;    /* template: /v2/{project_id}/instances/{instance_id}/connector/tasks */
  const hwc_param *params;
  size_t nparams;
  const hwc_model *request;  /* body model, NULL: no body */
  const hwc_model *response; /* NULL: the body is ignored */
  int success;               /* documented status */
  unsigned flags;
} hwc_op;

const hwc_op *hwc_op_find(const char *name);
const hwc_op *const *hwc_op_all(void);

#endif
