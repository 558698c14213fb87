/* model.h - the one walker of the model descriptors (desc.h): validate a Lua table and write its
 * JSON in model order (model.c), turn a decoded response into typed values and mask sensitive
 * fields for printing (model_read.c).
 *
 * The walker only uses raw table access, so it runs no user code; it raises only on memory
 * errors, which is why its output buffer must live in a userdata. */
#ifndef HWC_MODEL_H
#define HWC_MODEL_H

#include <stddef.h>
#include "lua.h"
#include "desc.h"
#include "sbuf.h"
#include "secrets.h"

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

#endif
