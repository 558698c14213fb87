/* lcall.c - the operations as Lua functions: the one-call forms (prepare, send, parse in one C
 * call) and core.operations(); see lcall.h. */
#include <string.h>
#include "compat.h"
#include "http.h"
#include "lcall.h"
#include "lop.h"
#include "lparse.h"
#include "lprepare.h"
#include "lscratch.h"


/* ---- the one-call operations ----------------------------------------------------------- */

/* Prepare, send and parse in one C call: the request goes from prepare's buffers to libcurl
 * without becoming a Lua table; its secrets become a Lua record only if an error is shown. */
static int call_op(lua_State *L) {
  const hwc_op *op = (const hwc_op *)lua_touserdata(L, lua_upvalueindex(1));
  hwc_http *h = hwc_http_check(L, 1);
  hwc_scratch *s;
  hwc_prep p;
  hwc_http_req hr;
  long long status = 0;
  int n, at;
  lua_Number limit = 0;
  lua_settop(L, 4);
  if (!lua_isnil(L, 4)) { /* seconds this call may take at most: a wait's deadline */
    limit = luaL_checknumber(L, 4);
    luaL_argcheck(L, limit > 0, 4, "a number of seconds greater than 0 expected");
  }
  lua_settop(L, 3);
  hwc_prepare_args(L, 2, 3);
  s = hwc_scratch_new(L);
  n = hwc_prepare_build(L, op, 2, 3, s, &p);
  if (n == 0) {
    hr.method = op->method;
    hr.url = s->url.p;
    hr.url_len = p.url_len;
    hr.headers = p.rb.headers;
    hr.nheaders = p.rb.nheaders;
    hr.authorization = p.c.ak ? s->sig.authorization.p : NULL;
    hr.authorization_len = p.c.ak ? s->sig.authorization.len : 0;
    hr.body = p.rb.body;
    hr.body_len = p.rb.body_len;
    hr.limit = (double)limit;
    at = lua_gettop(L);
    n = hwc_http_send_c(L, h, &hr); /* status, headers, body at at+1.. */
    if (n == 3) {
      hwc_sent sent;
      hwc_prep_sent(&p, &sent);
      hwc_tointeger(L, at + 1, &status);
      n = hwc_parse(L, op, (int)status, at + 2, at + 3, &sent);
    }
  }
  hwc_scratch_release(s);
  hwc_results_down(L, 3, n);
  return n;
}

void hwc_register_operations(lua_State *L) {
  const hwc_op *const *op;
  for (op = hwc_op_all(); *op; op++) {
    lua_pushlightuserdata(L, (void *)*op);
    lua_pushcclosure(L, call_op, 1);
    lua_setfield(L, -2, (*op)->name);
  }
}

static const char *const param_types[] = {"string", "integer", "boolean", "list"};

/* Pushes { name, wire, in, type, required, min?, max? } for each parameter of op. */
static void push_params(lua_State *L, const hwc_op *op) {
  size_t k;
  lua_createtable(L, (int)op->nparams, 0);
  for (k = 0; k < op->nparams; k++) {
    const hwc_param *prm = &op->params[k];
    lua_createtable(L, 0, 7);
    lua_pushstring(L, prm->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, prm->wire);
    lua_setfield(L, -2, "wire");
    lua_pushstring(L, prm->in == HWC_IN_PATH ? "path" : "query");
    lua_setfield(L, -2, "in");
    lua_pushstring(L, param_types[prm->type]);
    lua_setfield(L, -2, "type");
    lua_pushboolean(L, prm->required);
    lua_setfield(L, -2, "required");
    if (prm->min || prm->max) {
      hwc_pushint64(L, prm->min);
      lua_setfield(L, -2, "min");
      hwc_pushint64(L, prm->max);
      lua_setfield(L, -2, "max");
    }
    lua_rawseti(L, -2, (int)k + 1);
  }
}

/* core.operations() -> { {name, service, method, path, success, params, request?, response?,
 * project, body_optional}, ... } in registry order */
int hwc_lua_operations(lua_State *L) {
  const hwc_op *const *op;
  int i = 0;
  lua_newtable(L);
  for (op = hwc_op_all(); *op; op++) {
    lua_createtable(L, 0, 10);
    lua_pushstring(L, (*op)->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, (*op)->service);
    lua_setfield(L, -2, "service");
    lua_pushstring(L, (*op)->method);
    lua_setfield(L, -2, "method");
    lua_pushstring(L, (*op)->path);
    lua_setfield(L, -2, "path");
    lua_pushinteger(L, (*op)->success);
    lua_setfield(L, -2, "success");
    push_params(L, *op);
    lua_setfield(L, -2, "params");
    if ((*op)->request) {
      lua_pushstring(L, (*op)->request->name);
      lua_setfield(L, -2, "request");
    }
    if ((*op)->response) {
      lua_pushstring(L, (*op)->response->name);
      lua_setfield(L, -2, "response");
    }
    lua_pushboolean(L, ((*op)->flags & HWC_OP_PROJECT) != 0);
    lua_setfield(L, -2, "project");
    lua_pushboolean(L, ((*op)->flags & HWC_OP_BODY_OPTIONAL) != 0);
    lua_setfield(L, -2, "body_optional");
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}
