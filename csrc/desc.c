/* desc.c - the model descriptors without a Lua state: lookups, the check of a descriptor, names'
 * edit distance for "did you mean" (desc.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "desc.h"

static size_t edit_distance(const char *a, size_t an, const char *b, size_t bn) {
  size_t row[65], i, j;
  if (an > 64 || bn > 64) return (size_t)-1;
  for (j = 0; j <= bn; j++) row[j] = j;
  for (i = 1; i <= an; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (j = 1; j <= bn; j++) {
      size_t up = row[j], best = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      diag = up;
      row[j] = best;
    }
  }
  return row[bn];
}

size_t hwc_name_distance(const char *s, size_t n, const char *name, size_t fn) {
  size_t d = edit_distance(s, n, name, fn);
  /* a prefix or suffix of a known name is a near miss however short: obs_bucket */
  if (n >= 3 && ((fn > n && (strncmp(name, s, n) == 0 || strcmp(name + fn - n, s) == 0)) ||
                 (n > fn && strncmp(s, name, fn) == 0)))
    d = d < 2 ? d : 2;
  return d;
}

int hwc_near_enough(size_t n, size_t d) { return d <= (n / 3 > 2 ? n / 3 : 2); }

const hwc_field *hwc_field_find(const hwc_model *m, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < m->nfields; i++)
    if (strncmp(m->fields[i].name, s, n) == 0 && m->fields[i].name[n] == '\0') return &m->fields[i];
  return NULL;
}


/* ---- the descriptors --------------------------------------------------------------------- */

const hwc_model *const *hwc_model_all(void) { return hwc_models; }

const hwc_model *hwc_model_find(const char *name) {
  const hwc_model *const *m;
  for (m = hwc_models; *m; m++)
    if (strcmp((*m)->name, name) == 0) return *m;
  return NULL;
}

/* Checks that path (field indices from m) stays inside the models it walks through. */
static const char *check_path(const hwc_model *m, const int *path, char *buf, size_t cap, const char *what) {
  const hwc_model *cur = m;
  int k;
  if (path == NULL || path[0] < 0) return snprintf(buf, cap, "%s: a rule of %s has an empty path", what, m->name), buf;
  for (k = 0; path[k] >= 0; k++) {
    if (cur == NULL || (size_t)path[k] >= cur->nfields)
      return snprintf(buf, cap, "%s: a rule path of %s leaves the model", what, m->name), buf;
    cur = cur->fields[path[k]].model;
  }
  return NULL;
}

const char *hwc_model_check(const hwc_model *m, char *buf, size_t cap) {
  size_t i, k;
  if (m->name == NULL || m->fields == NULL) return snprintf(buf, cap, "a model without name or fields"), buf;
  for (i = 0; i < m->nfields; i++) {
    const hwc_field *f = &m->fields[i];
    if (f->name == NULL || !*f->name) return snprintf(buf, cap, "%s: field %zu has no name", m->name, i), buf;
    if (f->type > HWC_T_ARRAY) return snprintf(buf, cap, "%s.%s: bad type", m->name, f->name), buf;
    if ((f->type == HWC_T_OBJECT || (f->type == HWC_T_ARRAY && f->elem == HWC_T_OBJECT)) && f->model == NULL)
      return snprintf(buf, cap, "%s.%s: an object without its model", m->name, f->name), buf;
    if (f->type == HWC_T_ARRAY && f->elem == HWC_T_ARRAY)
      return snprintf(buf, cap, "%s.%s: arrays of arrays are not described", m->name, f->name), buf;
    if (f->max && f->min > f->max) return snprintf(buf, cap, "%s.%s: min > max", m->name, f->name), buf;
    if (hwc_field_find(m, f->name, strlen(f->name)) != f)
      return snprintf(buf, cap, "%s.%s: a field name twice", m->name, f->name), buf;
  }
  for (i = 0; i < m->nrules; i++) {
    const hwc_rule *r = &m->rules[i];
    const char *why;
    if ((r->when == NULL) != (r->equals == NULL) || (r->when != NULL) != (r->when_path != NULL))
      return snprintf(buf, cap, "%s: rule %zu has half a condition", m->name, i), buf;
    if (r->when_path && (why = check_path(m, r->when_path, buf, cap, "condition")) != NULL) return why;
    if (r->npaths == 0) return snprintf(buf, cap, "%s: rule %zu names no field", m->name, i), buf;
    for (k = 0; k < r->npaths; k++)
      if ((why = check_path(m, r->paths[k], buf, cap, r->fields[k])) != NULL) return why;
  }
  return NULL;
}