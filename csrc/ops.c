/* ops.c - finding operations, and checking the generated registry whole; see ops.h. */
#include <stdio.h>
#include <string.h>
#include "ops.h"

const hwc_op *const *hwc_op_all(void) { return hwc_ops; }

const hwc_op *hwc_op_find(const char *name) {
  const hwc_op *const *op;
  for (op = hwc_ops; *op; op++)
    if (strcmp((*op)->name, name) == 0) return *op;
  return NULL;
}

static const char *check_op(const hwc_op *op, char *buf, size_t cap) {
  size_t i, k;
  int has_project = 0;
  if (op->name == NULL || op->service == NULL || op->method == NULL || op->path == NULL)
    return snprintf(buf, cap, "an operation without name, service, method or path"), buf;
  if (op->success < 100 || op->success > 599) return snprintf(buf, cap, "%s: bad success status", op->name), buf;
  for (i = 0; i < op->nsegs; i++) {
    const hwc_seg *sg = &op->segs[i];
    if (sg->param == HWC_SEG_TEXT && (sg->text == NULL || strlen(sg->text) != sg->len))
      return snprintf(buf, cap, "%s: a text segment without its text", op->name), buf;
    if (sg->param == HWC_SEG_PROJECT) has_project = 1;
    if (sg->param >= 0 && ((size_t)sg->param >= op->nparams || op->params[sg->param].in != HWC_IN_PATH))
      return snprintf(buf, cap, "%s: a path segment names no path parameter", op->name), buf;
    if (sg->param < HWC_SEG_PROJECT) return snprintf(buf, cap, "%s: a bad segment", op->name), buf;
  }
  if (has_project != ((op->flags & HWC_OP_PROJECT) != 0))
    return snprintf(buf, cap, "%s: {project_id} and the project flag disagree", op->name), buf;
  for (i = 0; i < op->nparams; i++) {
    const hwc_param *p = &op->params[i];
    int used = 0;
    if (p->name == NULL || p->wire == NULL) return snprintf(buf, cap, "%s: a parameter without name", op->name), buf;
    for (k = 0; k < op->nsegs; k++) used |= op->segs[k].param == (int)i;
    if ((p->in == HWC_IN_PATH) != used)
      return snprintf(buf, cap, "%s.%s: in the path exactly when the template names it", op->name, p->name), buf;
    if (p->in == HWC_IN_PATH && (p->type != HWC_P_STRING || !p->required))
      return snprintf(buf, cap, "%s.%s: a path parameter is a required string", op->name, p->name), buf;
    if (p->max && p->min > p->max) return snprintf(buf, cap, "%s.%s: min > max", op->name, p->name), buf;
    for (k = 0; k < i; k++)
      if (strcmp(op->params[k].name, p->name) == 0)
        return snprintf(buf, cap, "%s.%s: a parameter twice", op->name, p->name), buf;
  }
  return NULL;
}

static int model_listed(const hwc_model *m) {
  const hwc_model *const *all;
  for (all = hwc_models; *all; all++)
    if (*all == m) return 1;
  return 0;
}

const char *hwc_registry_check(char *buf, size_t cap) {
  const hwc_op *const *op;
  const hwc_model *const *m;
  const char *why;
  size_t i;
  for (m = hwc_models; *m; m++) {
    if ((why = hwc_model_check(*m, buf, cap)) != NULL) return why;
    if (hwc_model_find((*m)->name) != *m) return snprintf(buf, cap, "%s: a model name twice", (*m)->name), buf;
    for (i = 0; i < (*m)->nfields; i++)
      if ((*m)->fields[i].model && !model_listed((*m)->fields[i].model))
        return snprintf(buf, cap, "%s.%s: its model is not in the registry", (*m)->name, (*m)->fields[i].name), buf;
  }
  for (op = hwc_ops; *op; op++) {
    if ((why = check_op(*op, buf, cap)) != NULL) return why;
    if (hwc_op_find((*op)->name) != *op) return snprintf(buf, cap, "%s: an operation name twice", (*op)->name), buf;
    if (((*op)->request && hwc_model_find((*op)->request->name) != (*op)->request) ||
        ((*op)->response && hwc_model_find((*op)->response->name) != (*op)->response))
      return snprintf(buf, cap, "%s: its models are not in the registry", (*op)->name), buf;
  }
  return NULL;
}
