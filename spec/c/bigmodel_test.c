/* bigmodel_test.c - the walker has no fixed limit on a descriptor: a model of 200 fields and 40
 * rules (the old walker kept 64 slots and 8 rules per model) built here at run time, walked with
 * a real Lua state: every field written in model order, every rule applied, including the
 * last ones and paths three levels deep. Prints "ok". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lauxlib.h"
#include "lualib.h"
#include "model.h"

#define NF 200
#define NR 40

static int failures;
static void expect(int ok, const char *what) {
  if (!ok) {
    printf("FAIL %s\n", what);
    failures++;
  }
}

static char names[NF][16], rule_fields[NR][2][32];
static hwc_field fields[NF], leaf_fields[1], mid_fields[1];
static hwc_rule rules[NR];
static int paths[NR][2][5];
static const char *field_text[NR][2];
static const int *path_ptr[NR][2];
static hwc_model leaf = {"Leaf", leaf_fields, 1, NULL, 0}, mid = {"Mid", mid_fields, 1, NULL, 0};
static hwc_model big = {"Big", fields, NF, rules, NR};

/* f000..f198 integers, f199 { leaf = { deep } }; rule r < 39 requires f<160 + r>, rule 39
 * f199.leaf.deep (unconditional) */
static void build_model(void) {
  int i;
  leaf_fields[0] = (hwc_field){"deep", HWC_T_STRING, 0, NULL, 0, 0, NULL, NULL, HWC_T_STRING};
  mid_fields[0] = (hwc_field){"leaf", HWC_T_OBJECT, 0, NULL, 0, 0, NULL, &leaf, HWC_T_STRING};
  for (i = 0; i < NF; i++) {
    snprintf(names[i], sizeof names[i], "f%03d", i);
    fields[i].name = names[i];
    fields[i].type = HWC_T_INT32;
  }
  fields[NF - 1].type = HWC_T_OBJECT;
  fields[NF - 1].model = &mid;
  for (i = 0; i < NR; i++) {
    int target = 160 + i;
    rules[i].kind = HWC_R_REQUIRE;
    if (i < NR - 1) {
      paths[i][0][0] = target;
      paths[i][0][1] = -1;
      snprintf(rule_fields[i][0], sizeof rule_fields[i][0], "f%03d", target);
    } else {
      paths[i][0][0] = NF - 1; paths[i][0][1] = 0; paths[i][0][2] = 0; paths[i][0][3] = -1;
      snprintf(rule_fields[i][0], sizeof rule_fields[i][0], "f199.leaf.deep");
    }
    field_text[i][0] = rule_fields[i][0];
    path_ptr[i][0] = paths[i][0];
    rules[i].fields = field_text[i];
    rules[i].paths = path_ptr[i];
    rules[i].npaths = 1;
  }
}

static int write(lua_State *L, sbuf *out, sbuf *slots, hwc_walk *w) {
  sbuf_reset(out);
  hwc_walk_init(w, L, out, slots, 1);
  return hwc_model_write(w, &big, lua_gettop(L));
}

/* A body with every field, written in model order. */
static void check_order(lua_State *L, sbuf *out, sbuf *slots) {
  hwc_walk w;
  char expect_json[8192];
  size_t o = 0;
  int i, ok;
  lua_newtable(L);
  for (i = 0; i < NF - 1; i++) {
    lua_pushinteger(L, i);
    lua_setfield(L, -2, names[i]);
  }
  if (luaL_dostring(L, "return { leaf = { deep = 'x' } }") != 0) exit(2);
  lua_setfield(L, -2, names[NF - 1]);
  ok = write(L, out, slots, &w);
  expect(ok, w.message);
  o += (size_t)snprintf(expect_json + o, sizeof expect_json - o, "{");
  for (i = 0; i < NF - 1; i++) o += (size_t)snprintf(expect_json + o, sizeof expect_json - o, "\"f%03d\":%d,", i, i);
  snprintf(expect_json + o, sizeof expect_json - o, "\"f199\":{\"leaf\":{\"deep\":\"x\"}}}");
  expect(ok && out->len == strlen(expect_json) && memcmp(out->p, expect_json, out->len) == 0, "model order, every field");
}

/* The last plain rule, and the deep one, still apply (the body of check_order on the stack). */
static void check_rules(lua_State *L, sbuf *out, sbuf *slots) {
  hwc_walk w;
  int ok;
  lua_pushnil(L);
  lua_setfield(L, -2, "f198");
  ok = write(L, out, slots, &w);
  expect(!ok && strcmp(w.path, "f198") == 0 && strcmp(w.message, "required") == 0, "rule 39 of 40 (f198)");
  lua_pushinteger(L, 198);
  lua_setfield(L, -2, "f198");
  if (luaL_dostring(L, "return { leaf = {} }") != 0) exit(2);
  lua_setfield(L, -2, "f199");
  ok = write(L, out, slots, &w);
  expect(!ok && strcmp(w.path, "f199.leaf.deep") == 0, "rule 40 of 40, three levels deep");
}

int main(void) {
  lua_State *L = luaL_newstate();
  sbuf out, slots;
  char buf[256];
  luaL_openlibs(L);
  sbuf_init(&out);
  sbuf_init(&slots);
  build_model();
  check_order(L, &out, &slots);
  check_rules(L, &out, &slots);
  /* checked whole */
  expect(hwc_model_check(&big, buf, sizeof buf) == NULL, "a sound model passes the check");
  paths[3][0][0] = NF + 5;
  expect(hwc_model_check(&big, buf, sizeof buf) != NULL, "a rule path out of the model is caught");
  sbuf_free(&out);
  sbuf_free(&slots);
  lua_close(L);
  if (failures) return 1;
  printf("ok\n");
  return 0;
}
