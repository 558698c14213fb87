/* lmodel.c - Lua bindings of the model walker; see lmodel.h. */
#include <string.h>
#include "compat.h"
#include "errors.h"
#include "lmodel.h"
#include "ops.h"
#include "lscratch.h"

#define DECODER_KEY "huaweicloud.core.decode"

const hwc_model *hwc_check_model(lua_State *L, int arg) {
  const char *name = luaL_checkstring(L, arg);
  const hwc_model *m = hwc_model_find(name);
  if (m == NULL) luaL_argerror(L, arg, lua_pushfstring(L, "unknown model '%s'", name));
  return m;
}

/* The private decoder: cjson.new() so other users' cjson settings never apply to us. */
static int push_decoder(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, DECODER_KEY);
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "cjson");
  if (lua_pcall(L, 1, 1, 0) != 0) return 0;
  lua_getfield(L, -1, "new");
  if (lua_type(L, -1) == LUA_TFUNCTION) {
    lua_remove(L, -2);
    if (lua_pcall(L, 0, 1, 0) != 0) return 0;
  } else {
    lua_pop(L, 1); /* an old cjson without new(): share the module */
  }
  lua_getfield(L, -1, "decode_max_depth");
  if (lua_type(L, -1) == LUA_TFUNCTION) {
    lua_pushinteger(L, 64);
    lua_pcall(L, 1, 0, 0);
  } else {
    lua_pop(L, 1);
  }
  lua_getfield(L, -1, "decode");
  lua_remove(L, -2);
  if (lua_type(L, -1) != LUA_TFUNCTION) return 0;
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, DECODER_KEY);
  return 1;
}

const char *hwc_json_decode(lua_State *L, const char *s, size_t n) {
  static const char no_cjson[] = "lua-cjson is not available (require \"cjson\" failed)";
  int top = lua_gettop(L);
  if (!push_decoder(L)) {
    lua_settop(L, top);
    return no_cjson;
  }
  lua_pushlstring(L, s, n);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    /* the message stays valid: keep it referenced in the registry until the next failure */
    lua_setfield(L, LUA_REGISTRYINDEX, "huaweicloud.core.decode_error");
    lua_settop(L, top);
    lua_getfield(L, LUA_REGISTRYINDEX, "huaweicloud.core.decode_error");
    s = lua_tostring(L, -1);
    lua_pop(L, 1);
    return s ? s : "invalid JSON";
  }
  return NULL;
}

/* Sets w->allow from the allow_unknown value at idx (pushing the set it builds); 0 when bad. */
static int read_allow(lua_State *L, hwc_walk *w, int idx) {
  size_t i, n;
  if (idx == 0 || lua_isnil(L, idx)) return 1;
  if (lua_type(L, idx) == LUA_TBOOLEAN) {
    w->allow = lua_toboolean(L, idx) ? -1 : 0;
    return 1;
  }
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  idx = lua_absindex(L, idx);
  n = lua_rawlen(L, idx);
  lua_createtable(L, 0, (int)n);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, (int)i);
    if (lua_type(L, -1) != LUA_TSTRING) return 0;
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
  }
  w->allow = lua_gettop(L);
  return 1;
}

int hwc_encode_into(lua_State *L, const hwc_model *m, int idx, int validate, hwc_secrec *secrets, int allow,
                    hwc_scratch *s) {
  hwc_walk w;
  int top = lua_gettop(L);
  idx = lua_absindex(L, idx);
  hwc_walk_init(&w, L, &s->body, &s->slots, validate);
  w.secrets = secrets;
  if (!read_allow(L, &w, allow)) {
    lua_settop(L, top);
    lua_pushnil(L);
    hwc_push_error(L, "validation", "allow_unknown", "must be true, false or a list of field paths such as "
                   "{ \"sink_task.new_field\" }");
    return 0;
  }
  if (hwc_model_write(&w, m, idx)) {
    lua_settop(L, top);
    return 1;
  }
  lua_settop(L, top);
  lua_pushnil(L);
  hwc_push_error(L, "validation", w.path_len ? w.path : NULL, w.message);
  return 0;
}

/* The options table at arg: validate (a boolean) and allow_unknown, left at index 4. */
static int opt_validate(lua_State *L, int arg) {
  int v = 1;
  lua_settop(L, 3);
  if (lua_isnil(L, arg)) {
    lua_pushnil(L);
    return 1;
  }
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_getfield(L, arg, "validate");
  if (!lua_isnil(L, -1)) {
    luaL_argcheck(L, lua_type(L, -1) == LUA_TBOOLEAN, arg, "validate must be a boolean");
    v = lua_toboolean(L, -1);
  }
  lua_pop(L, 1);
  lua_getfield(L, arg, "allow_unknown");
  return v;
}

int hwc_lua_encode(lua_State *L) {
  const hwc_model *m = hwc_check_model(L, 1);
  int validate = opt_validate(L, 3);
  hwc_scratch *s;
  s = hwc_scratch_new(L);
  if (!hwc_encode_into(L, m, 2, validate, NULL, 4, s)) {
    hwc_scratch_release(s);
    return 2;
  }
  lua_pushlstring(L, s->body.p, s->body.len);
  hwc_scratch_release(s);
  return 1;
}

int hwc_lua_validate(lua_State *L) {
  if (hwc_lua_encode(L) == 2) return 2;
  lua_pushboolean(L, 1);
  return 1;
}

int hwc_lua_decode(lua_State *L) {
  const hwc_model *m = hwc_check_model(L, 1);
  size_t n;
  const char *s = luaL_checklstring(L, 2, &n);
  const char *err = hwc_json_decode(L, s, n);
  if (err != NULL) return hwc_fail(L, "decode", NULL, "response is not valid JSON: %s", err);
  hwc_model_read(L, m, -1);
  return 1;
}

int hwc_lua_redact(lua_State *L) {
  const hwc_model *m = hwc_check_model(L, 1);
  luaL_checkany(L, 2);
  hwc_model_redact(L, m, 2);
  return 1;
}

int hwc_lua_models(lua_State *L) {
  const hwc_model *const *m = hwc_model_all();
  int i = 0;
  lua_newtable(L);
  for (; *m; m++) {
    lua_pushstring(L, (*m)->name);
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}

int hwc_lua_describe(lua_State *L) {
  static const char *const types[] = {"string", "boolean", "int32", "int64", "object", "array"};
  const hwc_model *m = hwc_check_model(L, 1);
  size_t i;
  lua_createtable(L, (int)m->nfields, 0);
  for (i = 0; i < m->nfields; i++) {
    const hwc_field *f = &m->fields[i];
    lua_createtable(L, 0, 8);
    lua_pushstring(L, f->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, types[f->type]);
    lua_setfield(L, -2, "type");
    lua_pushboolean(L, (f->flags & HWC_F_REQUIRED) != 0);
    lua_setfield(L, -2, "required");
    lua_pushboolean(L, (f->flags & HWC_F_SENSITIVE) != 0);
    lua_setfield(L, -2, "sensitive");
    if (f->enums) {
      const char *const *e;
      int k = 0;
      lua_newtable(L);
      for (e = f->enums; *e; e++) {
        lua_pushstring(L, *e);
        lua_rawseti(L, -2, ++k);
      }
      lua_setfield(L, -2, "enum");
    }
    if (f->min || f->max) {
      hwc_pushint64(L, f->min);
      lua_setfield(L, -2, "min");
      hwc_pushint64(L, f->max);
      lua_setfield(L, -2, "max");
    }
    if (f->model) {
      lua_pushstring(L, f->model->name);
      lua_setfield(L, -2, "model");
    }
    if (f->type == HWC_T_ARRAY && f->elem != HWC_T_OBJECT) {
      lua_pushstring(L, types[f->elem]);
      lua_setfield(L, -2, "items");
    }
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 1;
}

int hwc_lua_closest(lua_State *L) {
  size_t n, i, len, best_d = (size_t)-1;
  const char *s = luaL_checklstring(L, 1, &n);
  int best = 0;
  luaL_checktype(L, 2, LUA_TTABLE);
  len = lua_rawlen(L, 2);
  for (i = 1; i <= len; i++) {
    size_t fn, d;
    const char *name;
    lua_rawgeti(L, 2, (int)i);
    name = lua_tolstring(L, -1, &fn);
    if (name != NULL && (d = hwc_name_distance(s, n, name, fn)) < best_d) {
      best_d = d;
      best = (int)i;
    }
    lua_pop(L, 1);
  }
  if (best && hwc_near_enough(n, best_d)) lua_rawgeti(L, 2, best);
  else lua_pushnil(L);
  return 1;
}

int hwc_lua_registry_check(lua_State *L) {
  char buf[256];
  const char *why = hwc_registry_check(buf, sizeof buf);
  if (why != NULL) {
    lua_pushnil(L);
    lua_pushstring(L, why);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}
