/* errors.c - error tables and their one-line __tostring; see errors.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "compat.h"
#include "errors.h"

#define TOSTRING_MESSAGE_MAX 512

/* One line: control characters become spaces, long messages are cut with "...". */
static void add_flat(luaL_Buffer *b, const char *s, size_t n, size_t max) {
  size_t i;
  for (i = 0; i < n && i < max; i++) {
    unsigned char c = (unsigned char)s[i];
    luaL_addchar(b, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
  }
  if (n > max) luaL_addstring(b, "...");
}

static int field_string(lua_State *L, int t, const char *k, const char **s, size_t *n) {
  lua_getfield(L, t, k);
  if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
    *s = lua_tolstring(L, -1, n);
    return 1;
  }
  lua_pop(L, 1);
  return 0;
}

/* "huaweicloud: api error: HTTP 401 APIGW.0301: message (request_id=...)" */
static int error_tostring(lua_State *L) {
  luaL_Buffer b;
  const char *s;
  size_t n;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  /* values stay on the stack below the buffer while they are added */
  luaL_checkstack(L, 8, NULL);
  {
    const char *kind = "unknown", *msg = "", *field = NULL, *code = NULL, *rid = NULL, *status = NULL;
    size_t kn = 7, mn = 0, fn = 0, cn = 0, rn = 0, sn = 0;
    if (field_string(L, 1, "kind", &s, &n)) { kind = s; kn = n; }
    if (field_string(L, 1, "message", &s, &n)) { msg = s; mn = n; }
    if (field_string(L, 1, "field", &s, &n)) { field = s; fn = n; }
    if (field_string(L, 1, "status", &s, &n)) { status = s; sn = n; }
    if (field_string(L, 1, "code", &s, &n)) { code = s; cn = n; }
    if (field_string(L, 1, "request_id", &s, &n)) { rid = s; rn = n; }
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "huaweicloud: ");
    add_flat(&b, kind, kn, 32);
    luaL_addstring(&b, " error: ");
    if (status != NULL) {
      luaL_addstring(&b, "HTTP ");
      add_flat(&b, status, sn, 8);
      if (code != NULL && !(cn == sn && memcmp(code, status, sn) == 0)) {
        luaL_addchar(&b, ' ');
        add_flat(&b, code, cn, 64);
      }
      luaL_addstring(&b, ": ");
    } else if (code != NULL) {
      add_flat(&b, code, cn, 64);
      luaL_addstring(&b, ": ");
    }
    if (field != NULL) {
      add_flat(&b, field, fn, 128);
      luaL_addstring(&b, ": ");
    }
    add_flat(&b, msg, mn, TOSTRING_MESSAGE_MAX);
    if (rid != NULL) {
      luaL_addstring(&b, " (request_id=");
      add_flat(&b, rid, rn, 64);
      luaL_addchar(&b, ')');
    }
    luaL_pushresult(&b);
  }
  return 1;
}

void hwc_error_metatable(lua_State *L) {
  if (luaL_newmetatable(L, HWC_ERROR_MT)) {
    lua_pushcfunction(L, error_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, HWC_ERROR_MT);
    lua_setfield(L, -2, "__name");
  }
}

void hwc_push_error(lua_State *L, const char *kind, const char *field, const char *message) {
  lua_createtable(L, 0, 5);
  lua_pushstring(L, kind);
  lua_setfield(L, -2, "kind");
  lua_pushstring(L, message);
  lua_setfield(L, -2, "message");
  if (field != NULL && *field) {
    lua_pushstring(L, field);
    lua_setfield(L, -2, "field");
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "retryable");
  hwc_error_metatable(L);
  lua_setmetatable(L, -2);
}

int hwc_fail(lua_State *L, const char *kind, const char *field, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  lua_pushnil(L);
  hwc_push_error(L, kind, field, msg);
  return 2;
}

int hwc_error_new(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_getfield(L, 1, "kind");
  if (lua_type(L, -1) != LUA_TSTRING) return luaL_argerror(L, 1, "error needs a string kind");
  lua_getfield(L, 1, "retryable");
  if (lua_isnil(L, -1)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, 1, "retryable");
  }
  lua_settop(L, 1);
  hwc_error_metatable(L);
  lua_setmetatable(L, 1);
  return 1;
}
