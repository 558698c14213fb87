/* fuzz_model.c - libFuzzer harness for the model walker and JSON writer. The input is a small
 * program that builds a Lua table (known field names and enum values, nesting, arrays, cycles,
 * NaN, invalid UTF-8, functions...); the table is encoded against a model with and without
 * validation. Checks: no crash, no Lua error, and any JSON produced is valid (lua-cjson reads it). */
#include <stdint.h>
#include <string.h>
#include "fuzz_lua.h"
#include "model.h"

static const char *names[256];
static int nnames;

static void collect_names(void) {
  const hwc_model *const *m;
  size_t i;
  static const char *const extra[] = {"x", "", "task_nam", "obs_bucket", "\xff\xfe", "password", "sink_task.x"};
  for (m = hwc_model_all(); *m && nnames < 200; m++)
    for (i = 0; i < (*m)->nfields && nnames < 200; i++) names[nnames++] = (*m)->fields[i].name;
  for (i = 0; i < sizeof extra / sizeof *extra; i++) names[nnames++] = extra[i];
}

static const char *const words[] = {"OBS", "OBS_SINK", "NONE", "KAFKA_REPLICATOR_SOURCE", "REDIS_REPLICATOR_SOURCE",
  "REDIS_REPLICATOR_SINK", "SASL_SSL", "String", "Timestamp", "text", "parquet", "\n", "|", "yyyy/MM",
  "latest", "LATEST", "two-way", "true", "a\xc0\xafz", "yyyy-MM-dd HH:mm:ss"};

static const char *const models[] = {"CreateSmartConnectTaskReq", "CreateTransferTaskReq",
  "OBSDestinationDescriptorRequest", "SmartConnectTaskReqSourceConfig", "SmartConnectTaskEntity"};

/* One step of the table-building program at data[i]: returns where the next one starts. */
static size_t step(lua_State *L, const uint8_t *data, size_t size, size_t i, int root, int *depth) {
  uint8_t op = data[i++] % 12, k = i < size ? data[i++] : 0;
  const char *key = names[k % nnames];
  switch (op) {
    case 0: /* descend into a new table */
      if (*depth < 40) {
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, key);
        (*depth)++;
      }
      return i;
    case 1: if (*depth > 0) { lua_pop(L, 1); (*depth)--; } return i;
    case 2: {
      size_t n = i < size ? data[i++] % 40 : 0;
      if (n > size - i) n = size - i;
      lua_pushlstring(L, (const char *)data + i, n);
      lua_setfield(L, -2, key);
      return i + n;
    }
    case 3: {
      int32_t v = 0;
      if (size - i >= 4) { memcpy(&v, data + i, 4); i += 4; }
      lua_pushinteger(L, v);
      break;
    }
    case 4: {
      double d = 0;
      if (size - i >= 8) { memcpy(&d, data + i, 8); i += 8; }
      lua_pushnumber(L, d);
      break;
    }
    case 5: lua_pushboolean(L, k & 1); break;
    case 6: lua_pushstring(L, words[k % (sizeof words / sizeof *words)]); break;
    case 7: lua_pushinteger(L, k); lua_rawseti(L, -2, 1 + k % 4); return i;
    case 8: lua_pushvalue(L, root); break; /* a cycle */
    case 9: lua_pushlightuserdata(L, NULL); break; /* cjson.null */
    case 10: {
      luaL_Buffer b;
      size_t n = (size_t)k * 64, j;
      luaL_buffinit(L, &b);
      for (j = 0; j < n; j++) luaL_addchar(&b, (char)('a' + j % 26));
      luaL_pushresult(&b);
      break;
    }
    default: lua_pushcfunction(L, luaopen_huaweicloud_core); break;
  }
  lua_setfield(L, -2, key);
  return i;
}

/* The table at root encoded (validated or not), its JSON read back, and redacted. */
static void encode_and_check(lua_State *L, int root, uint8_t first) {
  lua_getglobal(L, "core");
  lua_getfield(L, -1, "encode");
  lua_pushstring(L, models[first % 5]);
  lua_pushvalue(L, root);
  lua_createtable(L, 0, 1);
  lua_pushboolean(L, first & 0x80);
  lua_setfield(L, -2, "validate");
  fuzz_check(L, lua_pcall(L, 3, 2, 0));
  if (lua_type(L, -2) == LUA_TSTRING) { /* the JSON must read back */
    lua_getglobal(L, "cjson");
    lua_getfield(L, -1, "decode");
    lua_pushvalue(L, -4);
    fuzz_check(L, lua_pcall(L, 1, 1, 0));
    lua_pop(L, 2);
  }
  lua_getfield(L, root + 1, "redact");
  lua_pushstring(L, models[first % 5]);
  lua_pushvalue(L, root);
  fuzz_check(L, lua_pcall(L, 2, 1, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lua_State *L = fuzz_state();
  size_t i = 1;
  int top, depth = 0, root;
  if (nnames == 0) collect_names();
  if (size < 1) return 0;
  top = lua_gettop(L);
  lua_newtable(L);
  root = lua_gettop(L);
  while (i < size && lua_gettop(L) < top + 60) i = step(L, data, size, i, root, &depth);
  lua_settop(L, root);
  encode_and_check(L, root, data[0]);
  lua_settop(L, top);
  lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}
