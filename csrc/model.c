/* model.c - the descriptor walker, writing: validate a Lua table and marshal its JSON in model
 * order (model.h). Reading answers and redaction are model_read.c. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compat.h"
#include "json.h"
#include "secrets.h"
#include "model.h"

void hwc_walk_init(hwc_walk *w, lua_State *L, sbuf *out, sbuf *slots, int validate) {
  w->L = L;
  w->out = out;
  w->slots = slots;
  w->validate = validate;
  w->path[0] = '\0';
  w->path_len = 0;
  w->message[0] = '\0';
  w->depth = 0;
  w->tables = 0;
  w->secrets = NULL;
  w->allow = 0;
}

/* ---- field paths and messages ------------------------------------------------------- */

static size_t path_push(hwc_walk *w, const char *name, size_t n) {
  size_t saved = w->path_len, room;
  if (w->path_len && w->path_len < HWC_PATH_MAX - 1) w->path[w->path_len++] = '.';
  room = HWC_PATH_MAX - 1 - w->path_len;
  if (n > room) n = room;
  memcpy(w->path + w->path_len, name, n);
  w->path_len += n;
  w->path[w->path_len] = '\0';
  return saved;
}

static size_t path_push_index(hwc_walk *w, size_t i) {
  size_t saved = w->path_len;
  int n = snprintf(w->path + w->path_len, HWC_PATH_MAX - w->path_len, "[%zu]", i);
  if (n > 0) w->path_len += (size_t)n < HWC_PATH_MAX - w->path_len ? (size_t)n : HWC_PATH_MAX - 1 - w->path_len;
  return saved;
}

static void path_pop(hwc_walk *w, size_t saved) {
  w->path_len = saved;
  w->path[saved] = '\0';
}

/* snprintf at *o into buf, keeping *o inside buf however long the text. */
static void append(char *buf, size_t cap, size_t *o, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;
static void append(char *buf, size_t cap, size_t *o, const char *fmt, ...) {
  va_list ap;
  int n;
  if (*o >= cap - 1) return;
  va_start(ap, fmt);
  n = vsnprintf(buf + *o, cap - *o, fmt, ap);
  va_end(ap);
  if (n > 0) *o = *o + (size_t)n < cap - 1 ? *o + (size_t)n : cap - 1;
}

static int fail(hwc_walk *w, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
static int fail(hwc_walk *w, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->message, sizeof w->message, fmt, ap);
  va_end(ap);
  return 0;
}

/* A value shown in a message: quoted, at most 40 bytes, unprintable bytes as \xNN. */
static void show(char *out, size_t cap, const char *s, size_t n) {
  size_t i, o = 0;
  out[o++] = '"';
  for (i = 0; i < n && o + 6 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (i == 40) { memcpy(out + o, "...", 3); o += 3; break; }
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
      o += (size_t)snprintf(out + o, cap - o, "\\x%02X", c);
    else out[o++] = (char)c;
  }
  out[o++] = '"';
  out[o] = '\0';
}

static const char *type_name(lua_State *L, int i) {
  if (lua_type(L, i) == LUA_TLIGHTUSERDATA && lua_touserdata(L, i) == NULL) return "null";
  if (lua_type(L, i) == LUA_TTABLE) return "table";
  return luaL_typename(L, i);
}

/* ---- the closest known name, for "did you mean" ------------------------------------- */

static const char *closest(const hwc_model *m, const char *s, size_t n) {
  const char *best = NULL;
  size_t i, best_d = (size_t)-1;
  for (i = 0; i < m->nfields; i++) {
    const char *name = m->fields[i].name;
    size_t d = hwc_name_distance(s, n, name, strlen(name));
    if (d < best_d) { best_d = d; best = name; }
  }
  return hwc_near_enough(n, best_d) ? best : NULL;
}

/* ---- validation helpers -------------------------------------------------------------- */

static int enum_ok(const char *const *e, const char *s, size_t n) {
  for (; *e; e++) /* s is a Lua string: s[0] exists even when n is 0 */
    if ((*e)[0] == s[0] && strlen(*e) == n && memcmp(*e, s, n) == 0) return 1;
  return 0;
}

static int fail_enum(hwc_walk *w, const hwc_field *f, const char *s, size_t n) {
  char got[64], list[200];
  const char *const *e;
  size_t o = 0;
  list[0] = '\0';
  for (e = f->enums; *e; e++) {
    char one[64];
    show(one, sizeof one, *e, strlen(*e));
    append(list, sizeof list, &o, "%s%s", o ? ", " : "", one);
  }
  if (f->flags & HWC_F_SENSITIVE) return fail(w, "must be one of %s", list);
  show(got, sizeof got, s, n);
  return fail(w, "must be one of %s; got %s", list, got);
}

static int charset_ok(const char *set, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!isalnum(c) && strchr(set, c) == NULL) return 0;
  }
  return 1;
}

static void describe_charset(char *out, size_t cap, const char *set) {
  size_t o = 0;
  append(out, cap, &o, "letters, digits");
  for (; *set; set++) append(out, cap, &o, ", '%c'", *set);
}

/* 1 when s is a decimal integer (an optional '-', 1 to 18 digits), its value in *v. */
static int digits_value(const char *s, size_t n, long long *v) {
  size_t i = n && s[0] == '-';
  long long x = 0;
  if (n == i || n - i > 18) return 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    x = x * 10 + (s[i] - '0');
  }
  *v = s[0] == '-' ? -x : x;
  return 1;
}

static int check_string(hwc_walk *w, const hwc_field *f, const char *s, size_t n) {
  size_t chars = 0, bad = 0;
  int secret = f != NULL && (f->flags & HWC_F_SENSITIVE);
  if (n > HWC_MAX_STRING) return fail(w, "string longer than 1 MiB (%zu bytes)", n);
  if (!hwc_utf8_check(s, n, &chars, &bad)) return fail(w, "not valid UTF-8 (at byte %zu)", bad + 1);
  if (f == NULL || !w->validate) return 1;
  if (f->enums && !enum_ok(f->enums, s, n)) return fail_enum(w, f, s, n);
  if ((long long)chars < f->min || (f->max && (long long)chars > f->max)) {
    if (secret) return fail(w, "must be %lld to %lld characters long", f->min, f->max);
    return fail(w, "must be %lld to %lld characters long, got %zu", f->min, f->max, chars);
  }
  if (f->charset && !charset_ok(f->charset, s, n)) {
    char set[96];
    describe_charset(set, sizeof set, f->charset);
    return fail(w, "may contain only %s", set);
  }
  if ((f->flags & HWC_F_NO_LEAD_SLASH) && n && s[0] == '/') return fail(w, "must not start with '/'");
  return 1;
}

static int enter_table(hwc_walk *w, int idx) {
  const void *p = lua_topointer(w->L, idx);
  int i;
  if (w->depth >= HWC_MAX_DEPTH) return fail(w, "tables nested deeper than %d levels", HWC_MAX_DEPTH);
  if (++w->tables > HWC_MAX_TABLES) return fail(w, "more than %d tables in one body", HWC_MAX_TABLES);
  for (i = 0; i < w->depth; i++)
    if (w->stack[i] == p) return fail(w, "table contains itself (a cycle)");
  w->stack[w->depth++] = p;
  luaL_checkstack(w->L, 8, "model walk");
  return 1;
}

/* ---- sorted keys, for objects the model does not describe ---------------------------- */

typedef struct keyref { const char *s; size_t n; } keyref;

static int keyref_cmp(const void *a, const void *b) {
  const keyref *x = (const keyref *)a, *y = (const keyref *)b;
  int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
  return c ? c : (x->n < y->n ? -1 : x->n > y->n);
}

/* Pushes a userdata array of the string keys of the table at idx that m does not describe
 * (all keys when m is NULL), sorted; stores the count. The keys stay alive in the table.
 * Fails (returns 0, path at the key) on a non-string key. */
static int sorted_keys(hwc_walk *w, int idx, const hwc_model *m, keyref **out, size_t *count) {
  lua_State *L = w->L;
  size_t n = 0, k = 0;
  keyref *keys;
  lua_pushnil(L);
  while (lua_next(L, idx)) { n++; lua_pop(L, 1); }
  keys = (keyref *)lua_newuserdatauv(L, (n ? n : 1) * sizeof *keys, 0);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      const char *tn = type_name(L, -1); /* a static string */
      lua_pop(L, 1);
      return fail(w, "expected an object with string keys, got a %s key", tn);
    }
    keys[k].s = lua_tolstring(L, -1, &keys[k].n);
    if (m == NULL || hwc_field_find(m, keys[k].s, keys[k].n) == NULL) k++;
  }
  qsort(keys, k, sizeof *keys, keyref_cmp);
  *out = keys;
  *count = k;
  return 1;
}

/* ---- writing ------------------------------------------------------------------------- */

static int write_value(hwc_walk *w, const hwc_field *f, int vi);

static int write_object(hwc_walk *w, const hwc_model *m, int idx);

/* An array of f's element type: objects of f->model, or scalars checked as f describes. */
static int write_array(hwc_walk *w, const hwc_field *f, int idx) {
  lua_State *L = w->L;
  size_t len, n = 0, i;
  hwc_field elem = *f;
  elem.type = f->elem;
  if (lua_type(L, idx) != LUA_TTABLE) return fail(w, "expected array (a table), got %s", type_name(L, idx));
  elem.min = elem.max = 0; /* an array's range counts its items */
  len = lua_rawlen(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) { n++; lua_pop(L, 1); }
  if (n != len) return fail(w, "expected array (a sequence 1..n), got a table with other keys");
  if (w->validate && (f->min || f->max) && ((long long)len < f->min || (f->max && (long long)len > f->max)))
    return fail(w, "must have %lld to %lld items, got %zu", f->min, f->max, len);
  sbuf_addc(w->out, '[');
  for (i = 1; i <= len; i++) {
    size_t saved = path_push_index(w, i);
    if (i > 1) sbuf_addc(w->out, ',');
    lua_rawgeti(L, idx, (int)i);
    if (f->elem == HWC_T_OBJECT) {
      if (lua_type(L, -1) != LUA_TTABLE) return fail(w, "expected object (a table), got %s", type_name(L, -1));
      if (!write_object(w, f->model, lua_gettop(L))) return 0;
    } else if (!write_value(w, &elem, lua_gettop(L))) {
      return 0;
    }
    lua_pop(L, 1);
    path_pop(w, saved);
  }
  sbuf_addc(w->out, ']');
  return 1;
}

static int write_generic(hwc_walk *w, int vi);

/* Whether the unknown field at w->path may be sent while validating (allow_unknown). */
static int unknown_allowed(hwc_walk *w) {
  int ok;
  if (w->allow == 0) return 0;
  if (w->allow < 0) return 1;
  lua_pushlstring(w->L, w->path, w->path_len);
  lua_rawget(w->L, w->allow);
  ok = lua_toboolean(w->L, -1);
  lua_pop(w->L, 1);
  return ok;
}

/* "key":value pairs of the table at t for the sorted keys given, each value written as it is.
 * A value under a sensitive name (password, token, ...) is recorded as a secret like a
 * sensitive descriptor field. first: no comma before the first pair. */
static int write_members(hwc_walk *w, int t, const keyref *keys, size_t count, int first) {
  lua_State *L = w->L;
  size_t i;
  for (i = 0; i < count; i++) {
    size_t saved = path_push(w, keys[i].s, keys[i].n), start;
    if (!check_string(w, NULL, keys[i].s, keys[i].n)) return 0;
    if (!first) sbuf_addc(w->out, ',');
    first = 0;
    hwc_json_string(w->out, keys[i].s, keys[i].n);
    sbuf_addc(w->out, ':');
    lua_pushlstring(L, keys[i].s, keys[i].n);
    lua_rawget(L, t);
    start = w->out->len;
    if (!write_generic(w, lua_gettop(L))) return 0;
    if (w->secrets && hwc_sensitive_name(keys[i].s, keys[i].n)) {
      if (lua_type(L, -1) == LUA_TSTRING) {
        size_t vn;
        const char *v = lua_tolstring(L, -1, &vn);
        hwc_secrec_add(w->secrets, v, vn);
      }
      hwc_secrec_range(w->secrets, start, w->out->len);
    }
    lua_pop(L, 1);
    path_pop(w, saved);
  }
  return 1;
}

/* Any Lua value as JSON, for fields the model does not describe (validate = false). */
static int write_generic(hwc_walk *w, int vi) {
  lua_State *L = w->L;
  switch (lua_type(L, vi)) {
    case LUA_TSTRING: {
      size_t n;
      const char *s = lua_tolstring(L, vi, &n);
      if (!check_string(w, NULL, s, n)) return 0;
      hwc_json_string(w->out, s, n);
      return 1;
    }
    case LUA_TBOOLEAN:
      sbuf_adds(w->out, lua_toboolean(L, vi) ? "true" : "false");
      return 1;
    case LUA_TNUMBER: {
      long long iv;
      lua_Number d = lua_tonumber(L, vi);
      if (d != d || d == HUGE_VAL || d == -HUGE_VAL) return fail(w, "numbers must be finite (got %g)", (double)d);
      if (hwc_tointeger(L, vi, &iv) && (HWC_HAS_INTEGERS ? lua_isinteger(L, vi) : fabs(d) < 9007199254740992.0))
        hwc_json_int(w->out, iv);
      else hwc_json_number(w->out, (double)d);
      return 1;
    }
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, vi) == NULL) { sbuf_adds(w->out, "null"); return 1; }
      break;
    case LUA_TTABLE: {
      size_t len = lua_rawlen(L, vi), i, n = 0;
      vi = lua_absindex(L, vi);
      if (!enter_table(w, vi)) return 0;
      lua_pushnil(L);
      while (lua_next(L, vi)) { n++; lua_pop(L, 1); }
      if (len > 0 && n == len) { /* a sequence: an array */
        sbuf_addc(w->out, '[');
        for (i = 1; i <= len; i++) {
          size_t saved = path_push_index(w, i);
          if (i > 1) sbuf_addc(w->out, ',');
          lua_rawgeti(L, vi, (int)i);
          if (!write_generic(w, lua_gettop(L))) return 0;
          lua_pop(L, 1);
          path_pop(w, saved);
        }
        sbuf_addc(w->out, ']');
      } else {
        keyref *keys;
        size_t count;
        if (!sorted_keys(w, vi, NULL, &keys, &count)) return 0;
        sbuf_addc(w->out, '{');
        if (!write_members(w, vi, keys, count, 1)) return 0;
        sbuf_addc(w->out, '}');
        lua_pop(L, 1); /* keys */
      }
      w->depth--;
      return 1;
    }
    default: break;
  }
  return fail(w, "a %s cannot be written as JSON", type_name(L, vi));
}

/* ---- conditional rules --------------------------------------------------------------- */

/* Where the value of field i of the object being written sits on the stack (0: absent): the
 * object's frame of w->slots, one int per field of its model. */
#define SLOT(w, frame, i) (((int *)(void *)((w)->slots->p + (frame)))[i])

/* Pushes the value at path (field indices from m, -1 terminated) and returns 1, or pushes
 * nothing and returns 0 when it is absent (or JSON null). The first step comes from the slots;
 * deeper ones from the tables themselves, however deep the path. */
static int push_path(hwc_walk *w, const hwc_model *m, size_t frame, const int *path) {
  lua_State *L = w->L;
  const hwc_model *cur;
  int slot = SLOT(w, frame, path[0]), k;
  if (!slot) return 0;
  lua_pushvalue(L, slot);
  cur = m->fields[path[0]].model;
  for (k = 1; path[k] >= 0; k++) {
    if (lua_type(L, -1) != LUA_TTABLE || cur == NULL) {
      lua_pop(L, 1);
      return 0;
    }
    lua_pushstring(L, cur->fields[path[k]].name);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    cur = cur->fields[path[k]].model;
  }
  if (lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL)) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

static int is_present(hwc_walk *w, const hwc_model *m, size_t frame, const int *path) {
  if (!push_path(w, m, frame, path)) return 0;
  lua_pop(w->L, 1);
  return 1;
}

static int condition_holds(hwc_walk *w, const hwc_model *m, size_t frame, const hwc_rule *r) {
  lua_State *L = w->L;
  int holds = 0;
  if (r->when_path == NULL) return 1;
  if (!push_path(w, m, frame, r->when_path)) return 0;
  if (lua_type(L, -1) == LUA_TSTRING) holds = strcmp(lua_tostring(L, -1), r->equals) == 0;
  else if (lua_type(L, -1) == LUA_TBOOLEAN) holds = strcmp(lua_toboolean(L, -1) ? "true" : "false", r->equals) == 0;
  lua_pop(L, 1);
  return holds;
}

static int fail_rule(hwc_walk *w, const hwc_rule *r, const char *path, const char *what) {
  path_push(w, path, strlen(path));
  if (r->when == NULL) return fail(w, "%s", what);
  return fail(w, "%s when %s is %s", what, r->when, r->equals);
}

/* "set exactly one of a or b when x is y (got n)", at the paths' parent */
static int fail_exactly_one(hwc_walk *w, const hwc_rule *r, int n) {
  char what[320], parent[128] = "";
  const char *last = strrchr(r->fields[0], '.');
  size_t o = 0, k;
  if (last) snprintf(parent, sizeof parent, "%.*s", (int)(last - r->fields[0]), r->fields[0]);
  append(what, sizeof what, &o, "set exactly one of ");
  for (k = 0; k < r->npaths; k++) {
    const char *leaf = strrchr(r->fields[k], '.');
    append(what, sizeof what, &o, "%s%s", k ? " or " : "", leaf ? leaf + 1 : r->fields[k]);
  }
  if (r->when != NULL) append(what, sizeof what, &o, " when %s is %s", r->when, r->equals);
  if (n) append(what, sizeof what, &o, " (got %d)", n);
  else append(what, sizeof what, &o, " (got none)");
  if (*parent) path_push(w, parent, strlen(parent));
  return fail(w, "%s", what);
}

static int check_rules(hwc_walk *w, const hwc_model *m, size_t frame) {
  size_t i, k;
  for (i = 0; i < m->nrules; i++) {
    const hwc_rule *r = &m->rules[i];
    int n = 0;
    if (!condition_holds(w, m, frame, r)) continue;
    for (k = 0; k < r->npaths; k++) {
      int here = is_present(w, m, frame, r->paths[k]);
      if (r->kind == HWC_R_REQUIRE && !here) return fail_rule(w, r, r->fields[k], "required");
      if (r->kind == HWC_R_EXCLUDES && here) return fail_rule(w, r, r->fields[k], "not allowed");
      n += here;
    }
    if (r->kind == HWC_R_EXACTLY_ONE && n != 1) return fail_exactly_one(w, r, n);
  }
  return 1;
}

/* The fields of m for this Lua state, made on first use: a userdata whose user value is the
 * name -> index table (which keeps the names alive), and a hash of the names' string objects.
 * Lua interns short strings, so a key of the body that names a field is the very object the
 * table holds: one pointer probe finds it; any other key (a long one) is looked up by name. */
typedef struct field_index {
  size_t mask;               /* slots - 1 (a power of two) */
  const char *ptr[1];        /* slots: a name's bytes (its string object), or NULL */
} field_index;

#define SLOT_OF(p, mask) ((size_t)(((uintptr_t)(p) >> 3) * 0x9E3779B97F4A7C15ull) & (mask))

static field_index *push_field_index(lua_State *L, const hwc_model *m) {
  field_index *fx;
  size_t i, slots = 4;
  lua_pushlightuserdata(L, (void *)m);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (!lua_isnil(L, -1)) return (field_index *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  while (slots < 2 * m->nfields) slots *= 2;
  fx = (field_index *)lua_newuserdatauv(L, sizeof *fx + (slots + slots) * sizeof(const char *), 1);
  fx->mask = slots - 1;
  memset(fx->ptr, 0, 2 * slots * sizeof(const char *)); /* slots pointers, then slots indices */
  lua_createtable(L, 0, (int)m->nfields);
  for (i = 0; i < m->nfields; i++) {
    const char *key;
    size_t at;
    lua_pushstring(L, m->fields[i].name);
    key = lua_tostring(L, -1);
    lua_pushinteger(L, (lua_Integer)i);
    lua_rawset(L, -3);
    for (at = SLOT_OF(key, fx->mask); fx->ptr[at]; at = (at + 1) & fx->mask) {}
    fx->ptr[at] = key;
    fx->ptr[slots + at] = (const char *)(uintptr_t)(i + 1);
  }
  lua_setiuservalue(L, -2, 1);
  lua_pushlightuserdata(L, (void *)m);
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return fx;
}

/* The field index of the string key on top of the stack (fx's userdata at ud), or -1. */
static long field_of_key(lua_State *L, const field_index *fx, int ud) {
  const char *key = lua_tostring(L, -1);
  size_t at;
  long found = -1;
  for (at = SLOT_OF(key, fx->mask); fx->ptr[at]; at = (at + 1) & fx->mask)
    if (fx->ptr[at] == key) return (long)(uintptr_t)fx->ptr[fx->mask + 1 + at] - 1;
  lua_getiuservalue(L, ud, 1); /* not the same object: a long string, or not a field */
  lua_pushvalue(L, -2);
  lua_rawget(L, -2);
  if (!lua_isnil(L, -1)) found = (long)lua_tointeger(L, -1);
  lua_pop(L, 2);
  return found;
}

/* One pass over the body's own keys of the table at idx: each value stays on the stack, its
 * slot (in the frame) naming where; returns how many keys are no field of m, or -1. */
static long slot_values(hwc_walk *w, const hwc_model *m, int idx, size_t frame, int *map) {
  lua_State *L = w->L;
  const field_index *fx = push_field_index(L, m);
  long unknown = 0;
  *map = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    long at;
    if (lua_type(L, -2) != LUA_TSTRING) {
      const char *tn = type_name(L, -2); /* a static string */
      fail(w, "expected an object with string keys, got a %s key", tn);
      return -1;
    }
    lua_insert(L, -2); /* keep the value below the key lua_next needs */
    at = field_of_key(L, fx, *map);
    if (at < 0) {
      unknown++;
      lua_remove(L, -2);
      continue;
    }
    SLOT(w, frame, (size_t)at) = lua_gettop(L) - 1;
  }
  return unknown;
}

/* ,"name": in one append: descriptor names need no escaping (registry/gen.lua checks). */
static int write_name(hwc_walk *w, const char *name, size_t nlen, int first) {
  if (w->out->cap - w->out->len < nlen + 4 && !sbuf_grow(w->out, nlen + 4)) return fail(w, "out of memory");
  if (!first) w->out->p[w->out->len++] = ',';
  w->out->p[w->out->len++] = '"';
  memcpy(w->out->p + w->out->len, name, nlen);
  w->out->len += nlen;
  w->out->p[w->out->len++] = '"';
  w->out->p[w->out->len++] = ':';
  return 1;
}

/* The fields of m the body has, in the model's order; a missing required one fails. */
static int write_known(hwc_walk *w, const hwc_model *m, size_t frame, int *first) {
  size_t i;
  for (i = 0; i < m->nfields; i++) {
    const hwc_field *f = &m->fields[i];
    size_t saved, nlen = strlen(f->name);
    int slot = SLOT(w, frame, i);
    if (!slot) {
      if (w->validate && (f->flags & HWC_F_REQUIRED)) {
        path_push(w, f->name, nlen);
        return fail(w, "required");
      }
      continue;
    }
    if (!write_name(w, f->name, nlen, *first)) return 0;
    *first = 0;
    saved = path_push(w, f->name, nlen);
    if (!write_value(w, f, slot)) return 0;
    path_pop(w, saved);
  }
  return 1;
}

/* Keys the model does not describe: refused when validating (unless allowed), then written after
 * the known ones, sorted. */
static int write_unknown(hwc_walk *w, const hwc_model *m, int idx, int first) {
  keyref *keys;
  size_t count, i;
  if (!sorted_keys(w, idx, m, &keys, &count)) return 0;
  for (i = 0; w->validate && i < count; i++) {
    const char *near;
    size_t saved = path_push(w, keys[i].s, keys[i].n);
    if (unknown_allowed(w)) {
      path_pop(w, saved);
      continue;
    }
    near = closest(m, keys[i].s, keys[i].n);
    if (near) return fail(w, "unknown field (did you mean %s?)", near);
    return fail(w, "unknown field of %s (allow_unknown lets a field the SDK does not know yet through)", m->name);
  }
  return write_members(w, idx, keys, count, first);
}

static int write_object(hwc_walk *w, const hwc_model *m, int idx) {
  lua_State *L = w->L;
  size_t frame = w->slots->len, need = m->nfields * sizeof(int);
  int first = 1, map;
  long unknown;
  idx = lua_absindex(L, idx);
  if (!enter_table(w, idx)) return 0;
  luaL_checkstack(L, (int)m->nfields + 8, "model walk");
  if (!sbuf_grow(w->slots, need)) return fail(w, "out of memory");
  memset(w->slots->p + frame, 0, need);
  w->slots->len += need;
  if ((unknown = slot_values(w, m, idx, frame, &map)) < 0) return 0;
  sbuf_addc(w->out, '{');
  if (!write_known(w, m, frame, &first)) return 0;
  if (unknown && !write_unknown(w, m, idx, first)) return 0;
  sbuf_addc(w->out, '}');
  w->depth--;
  if (w->validate && m->nrules && !check_rules(w, m, frame)) return 0;
  lua_settop(L, map - 1);
  w->slots->len = frame;
  return 1;
}

/* A string field: a string (checked), or, where the page and the model disagree, an integer. */
static int write_string(hwc_walk *w, const hwc_field *f, int vi) {
  lua_State *L = w->L;
  size_t n;
  const char *s;
  long long iv;
  int ranged = (f->flags & HWC_F_NUMBER_OK) && (f->min || f->max); /* the number's range, however written */
  if (lua_type(L, vi) == LUA_TNUMBER && (f->flags & HWC_F_NUMBER_OK) && hwc_tointeger(L, vi, &iv)) {
    if (ranged && w->validate && (iv < f->min || iv > f->max))
      return fail(w, "must be an integer from %lld to %lld (a number or a string of digits), got %lld", f->min,
                  f->max, iv);
    hwc_json_int(w->out, iv);
    return 1;
  }
  if (lua_type(L, vi) != LUA_TSTRING)
    return fail(w, "expected string%s, got %s", (f->flags & HWC_F_NUMBER_OK) ? " or integer" : "", type_name(L, vi));
  s = lua_tolstring(L, vi, &n);
  if (!check_string(w, ranged ? NULL : f, s, n)) return 0;
  if (ranged && w->validate && !(digits_value(s, n, &iv) && iv >= f->min && iv <= f->max)) {
    char got[64];
    show(got, sizeof got, s, n);
    return fail(w, "must be an integer from %lld to %lld (a number or a string of digits), got %s", f->min,
                f->max, got);
  }
  if (w->secrets && (f->flags & HWC_F_SENSITIVE)) { /* remembered: dry runs and replies mask it */
    size_t start = w->out->len;
    hwc_json_string(w->out, s, n);
    hwc_secrec_add(w->secrets, s, n);
    hwc_secrec_range(w->secrets, start, w->out->len);
    return 1;
  }
  hwc_json_string(w->out, s, n);
  return 1;
}

static int write_integer(hwc_walk *w, const hwc_field *f, int vi) {
  lua_State *L = w->L;
  long long v;
  if (lua_type(L, vi) != LUA_TNUMBER) return fail(w, "expected integer, got %s", type_name(L, vi));
  if (!hwc_tointeger(L, vi, &v)) {
    double d = (double)lua_tonumber(L, vi);
    if (d == floor(d) && d == d) return fail(w, "integer out of the 64-bit range (got %.17g)", d);
    return fail(w, "expected integer, got %.17g", d);
  }
  if (f->type == HWC_T_INT32 && (v < -2147483647LL - 1 || v > 2147483647LL))
    return fail(w, "must be a 32-bit integer (-2147483648..2147483647), got %lld", v);
  if (w->validate && (f->min || f->max) && (v < f->min || v > f->max))
    return fail(w, "must be between %lld and %lld, got %lld", f->min, f->max, v);
  hwc_json_int(w->out, v);
  return 1;
}

static int write_value(hwc_walk *w, const hwc_field *f, int vi) {
  lua_State *L = w->L;
  switch (f->type) {
    case HWC_T_STRING: return write_string(w, f, vi);
    case HWC_T_BOOLEAN:
      if (lua_type(L, vi) != LUA_TBOOLEAN) return fail(w, "expected boolean, got %s", type_name(L, vi));
      sbuf_adds(w->out, lua_toboolean(L, vi) ? "true" : "false");
      return 1;
    case HWC_T_INT32:
    case HWC_T_INT64: return write_integer(w, f, vi);
    case HWC_T_OBJECT:
      if (lua_type(L, vi) != LUA_TTABLE) return fail(w, "expected object (a table), got %s", type_name(L, vi));
      return write_object(w, f->model, vi);
    case HWC_T_ARRAY: return write_array(w, f, vi);
  }
  return fail(w, "bad descriptor");
}

int hwc_model_write(hwc_walk *w, const hwc_model *m, int idx) {
  int top = lua_gettop(w->L), ok;
  if (lua_type(w->L, idx) != LUA_TTABLE) {
    ok = fail(w, "expected object (a table), got %s", type_name(w->L, idx));
  } else {
    ok = write_object(w, m, idx);
  }
  lua_settop(w->L, top);
  sbuf_reset(w->slots);
  if (ok && !sbuf_ok(w->out)) ok = fail(w, "out of memory");
  return ok;
}
