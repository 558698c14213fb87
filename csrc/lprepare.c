/* lprepare.c - core.prepare: a request built from the operation table and the caller's tables,
 * validated, marshaled and signed; nothing is sent. See lprepare.h. */
#include <stdio.h>
#include <string.h>
#include "compat.h"
#include "errors.h"
#include "json.h"
#include "lop.h"
#include "lprepare.h"
#include "lmodel.h"
#include "lsecrets.h"
#include "lrequest.h"
#include "lscratch.h"

/* No identifier the services take comes near this; a URL of megabytes never reaches libcurl. */
#define MAX_PATH_VALUE 4096

typedef hwc_prep prep;

static const hwc_param *find_param(const hwc_op *op, const char *name, size_t n) {
  size_t i;
  for (i = 0; i < op->nparams; i++)
    if (strlen(op->params[i].name) == n && memcmp(op->params[i].name, name, n) == 0) return &op->params[i];
  return NULL;
}

static int is_control_key(const hwc_op *op, const char *k, size_t n) {
  return (n == 4 && memcmp(k, "body", 4) == 0 && op->request != NULL) || (n == 7 && memcmp(k, "headers", 7) == 0) ||
         (n == 8 && memcmp(k, "validate", 8) == 0) || (n == 13 && memcmp(k, "allow_unknown", 13) == 0);
}

/* Fails on keys of params that the operation does not take. */
static int check_param_keys(lua_State *L, const hwc_op *op, int params) {
  lua_pushnil(L);
  while (lua_next(L, params)) {
    size_t n;
    const char *k;
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      return hwc_fail(L, "validation", NULL, "parameters of %s must have string keys", op->name);
    }
    k = lua_tolstring(L, -1, &n);
    if (find_param(op, k, n) == NULL && !is_control_key(op, k, n)) {
      char hint[160] = "";
      size_t i, o = 0;
      o += (size_t)snprintf(hint, sizeof hint, " (it takes ");
      for (i = 0; i < op->nparams && o < sizeof hint - 40; i++)
        o += (size_t)snprintf(hint + o, sizeof hint - o, "%s, ", op->params[i].name);
      snprintf(hint + o, sizeof hint - o, "%sheaders, validate, allow_unknown)", op->request ? "body, " : "");
      lua_pushnil(L);
      hwc_push_error(L, "validation", k, "");
      lua_pushfstring(L, "unknown parameter of %s%s", op->name, hint);
      lua_setfield(L, -2, "message");
      return 2;
    }
  }
  return 0;
}

/* Endpoint, fixed date, validate, credentials and project id. Returns 0, or 2 with nil, err pushed. */
static int read_config(lua_State *L, prep *p) {
  hwc_fault f;
  const char *msg;
  size_t n;
  int bad = 0;
  p->endpoint = hwc_opt_string(L, p->cfg, "endpoint", &p->elen, &bad);
  if (p->endpoint == NULL) return hwc_fail(L, "config", "endpoint", "no endpoint (set region or endpoint)");
  if ((msg = hwc_url_parse(p->endpoint, p->elen, &p->ep)) != NULL) return hwc_fail(L, "config", "endpoint", "%s", msg);
  if (p->ep.query != NULL) return hwc_fail(L, "config", "endpoint", "must not carry a query string");
  p->date = hwc_opt_string(L, p->cfg, "date", &n, &bad);
  p->validate = 1;
  lua_getfield(L, p->cfg, "validate");
  if (lua_type(L, -1) == LUA_TBOOLEAN) p->validate = lua_toboolean(L, -1);
  lua_getfield(L, p->params, "validate");
  if (lua_type(L, -1) == LUA_TBOOLEAN) p->validate = lua_toboolean(L, -1);
  else if (!lua_isnil(L, -1)) return hwc_fail(L, "validation", "validate", "must be a boolean");
  lua_pop(L, 2);
  lua_getfield(L, p->cfg, "credentials");
  if (!hwc_cred_read(L, lua_gettop(L), &p->c, 0, &f)) return hwc_fail_fault(L, &f);
  if (p->op->flags & HWC_OP_PROJECT) {
    p->project = hwc_opt_string(L, -1, "project_id", &p->plen, &bad);
    if (bad) return hwc_fail(L, "config", "credentials.project_id", "must be a string");
    if (p->project == NULL || p->plen == 0)
      return hwc_fail(L, "config", "credentials.project_id", "no project id (set credentials.project_id)");
  }
  lua_pop(L, 1); /* cfg keeps the credentials table */
  if (p->c.ak) hwc_secrec_add(&p->s->sec, p->c.ak, p->c.ak_len);
  if (p->c.sk) hwc_secrec_add(&p->s->sec, p->c.sk, p->c.sk_len);
  if (p->c.security_token) hwc_secrec_add(&p->s->sec, p->c.security_token, p->c.security_token_len);
  if (p->c.token) hwc_secrec_add(&p->s->sec, p->c.token, p->c.token_len);
  return 0;
}

/* NULL when a path value is safe to put in a path segment, else what is wrong with it. */
static const char *check_path_value(const char *s, size_t n, long long max) {
  size_t i, chars = 0, bad;
  if (n == 0) return "must not be empty";
  if (n > MAX_PATH_VALUE) return "must be at most 4096 bytes";
  if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return "must not be '.' or '..'";
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) return "must not contain control characters";
    if (c == '/' || c == '\\') return "must not contain '/' or '\\'";
    if (c == '%' && i + 2 < n && s[i + 1] == '2' && (s[i + 2] == 'f' || s[i + 2] == 'F'))
      return "must not contain an encoded '/' (%2F)";
    if (c == '%' && i + 2 < n && s[i + 1] == '5' && (s[i + 2] == 'c' || s[i + 2] == 'C'))
      return "must not contain an encoded '\\' (%5C)";
  }
  if (!hwc_utf8_check(s, n, &chars, &bad)) return "is not valid UTF-8";
  if (max && (long long)chars > max) return "is too long";
  return NULL;
}

static int fail_param(lua_State *L, const hwc_param *prm, const char *msg) {
  if (strcmp(msg, "is too long") == 0)
    return hwc_fail(L, "validation", prm->name, "must be at most %lld characters", prm->max);
  return hwc_fail(L, "validation", prm->name, "%s", msg);
}

/* The URL: the endpoint (its base path without a trailing '/') and the parsed template. */
static int build_path(lua_State *L, prep *p) {
  const hwc_op *op = p->op;
  sbuf *url = &p->s->url;
  size_t n = (size_t)(p->ep.path + p->ep.path_len - p->endpoint), i;
  const char *msg;
  while (n > 0 && p->endpoint[n - 1] == '/' && p->endpoint + n > p->ep.path) n--;
  sbuf_add(url, p->endpoint, n);
  for (i = 0; i < op->nsegs; i++) {
    const hwc_seg *sg = &op->segs[i];
    if (sg->param == HWC_SEG_TEXT) {
      sbuf_add(url, sg->text, sg->len);
    } else if (sg->param == HWC_SEG_PROJECT) {
      if ((msg = check_path_value(p->project, p->plen, 0)) != NULL)
        return hwc_fail(L, "config", "credentials.project_id", "%s", msg);
      hwc_pct_encode(url, p->project, p->plen);
    } else {
      const hwc_param *prm = &op->params[sg->param];
      size_t vn;
      const char *v;
      lua_getfield(L, p->params, prm->name);
      if (lua_type(L, -1) != LUA_TSTRING) {
        const char *got = lua_isnil(L, -1) ? "missing" : luaL_typename(L, -1);
        return hwc_fail(L, "validation", prm->name, "required (a string; got %s)", got);
      }
      v = lua_tolstring(L, -1, &vn);
      lua_pop(L, 1); /* params keeps it */
      if ((msg = check_path_value(v, vn, prm->max)) != NULL) return fail_param(L, prm, msg);
      hwc_pct_encode(url, v, vn);
    }
  }
  if (!sbuf_ok(url)) return luaL_error(L, "out of memory");
  return 0;
}

static const char *const type_words[] = {"a string", "an integer", "a boolean", "a list of strings"};

/* One query parameter's value (on top of the stack) checked as its type says, added to rb. */
static int add_typed(lua_State *L, prep *p, const hwc_param *prm, int keep) {
  const char *v;
  size_t vn, chars, bad, i, len;
  hwc_fault f;
  long long iv;
  int t = lua_type(L, -1);
  if (prm->type == HWC_P_LIST && t == LUA_TTABLE) {
    len = lua_rawlen(L, -1);
    for (i = 1; i <= len; i++) {
      lua_rawgeti(L, -1, (int)i);
      if (lua_type(L, -1) != LUA_TSTRING || !hwc_query_text(L, keep, &v, &vn))
        return hwc_fail(L, "validation", prm->name, "expected a list of strings, got a %s at [%zu]",
                        luaL_typename(L, -1), i);
      if (!hwc_reqb_add_query(&p->rb, prm->wire, strlen(prm->wire), v, vn, &f)) return hwc_fail_fault(L, &f);
      lua_pop(L, 1);
    }
    return 0;
  }
  if ((prm->type == HWC_P_STRING && t != LUA_TSTRING) || (prm->type == HWC_P_BOOLEAN && t != LUA_TBOOLEAN) ||
      (prm->type == HWC_P_INTEGER && !hwc_tointeger(L, -1, &iv)) || prm->type == HWC_P_LIST)
    return hwc_fail(L, "validation", prm->name, "expected %s, got %s", type_words[prm->type],
                    t == LUA_TNUMBER ? "a number that is not an integer" : luaL_typename(L, -1));
  /* validate = false: types only, the service judges the range */
  if (p->validate && prm->type == HWC_P_INTEGER && (prm->min || prm->max) && (iv < prm->min || iv > prm->max))
    return hwc_fail(L, "validation", prm->name, "must be between %lld and %lld, got %lld", prm->min, prm->max, iv);
  if (!hwc_query_text(L, keep, &v, &vn)) return hwc_fail(L, "validation", prm->name, "cannot be sent");
  if (prm->type == HWC_P_STRING) {
    if (!hwc_utf8_check(v, vn, &chars, &bad)) return hwc_fail(L, "validation", prm->name, "not valid UTF-8");
    if (vn > MAX_PATH_VALUE) return hwc_fail(L, "validation", prm->name, "must be at most 4096 bytes");
    if (p->validate && prm->max && (long long)chars > prm->max)
      return hwc_fail(L, "validation", prm->name, "must be at most %lld characters", prm->max);
  }
  if (!hwc_reqb_add_query(&p->rb, prm->wire, strlen(prm->wire), v, vn, &f)) return hwc_fail_fault(L, &f);
  return 0;
}

/* The query parameters, typed, appended to the URL in canonical order and encoding (what is
 * signed is what is sent). Converted values are kept alive in a table left on the stack. */
static int build_query(lua_State *L, prep *p) {
  size_t k;
  int keep;
  lua_newtable(L);
  keep = lua_gettop(L);
  for (k = 0; k < p->op->nparams; k++) {
    const hwc_param *prm = &p->op->params[k];
    if (prm->in != HWC_IN_QUERY) continue;
    lua_getfield(L, p->params, prm->name);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      if (prm->required) return hwc_fail(L, "validation", prm->name, "required (%s)", type_words[prm->type]);
      continue;
    }
    if (add_typed(L, p, prm, keep)) return 2;
    lua_pop(L, 1);
  }
  return 0;
}

/* The body, walked against the request model into s->body. */
static int encode_body(lua_State *L, prep *p) {
  const hwc_op *op = p->op;
  if (op->request == NULL) return 0;
  lua_getfield(L, p->params, "body");
  if (lua_isnil(L, -1) && (op->flags & HWC_OP_BODY_OPTIONAL)) {
    lua_pop(L, 1);
    return 0;
  }
  if (lua_type(L, -1) != LUA_TTABLE)
    return hwc_fail(L, "validation", "body", "required: a table (got %s)", luaL_typename(L, -1));
  lua_getfield(L, p->params, "allow_unknown");
  if (!hwc_encode_into(L, op->request, -2, p->validate, &p->s->sec, lua_gettop(L), p->s)) return 2;
  lua_pop(L, 2);
  p->rb.body = p->s->body.p ? p->s->body.p : "";
  p->rb.body_len = p->s->body.len;
  return 0;
}

/* The caller's headers, then the ones the SDK sets, then the signature (no Lua values made). */
static int sign(lua_State *L, prep *p, size_t path_end) {
  hwc_fault f;
  sbuf *url = &p->s->url;
  lua_getfield(L, p->params, "headers");
  if (!hwc_reqb_headers_from(L, -1, &p->rb, 1, &f)) return hwc_fail_fault(L, &f);
  lua_pop(L, 1);
  if (p->rb.body && !hwc_reqb_add_header(&p->rb, "Content-Type", 12, "application/json", 16, &f))
    return hwc_fail_fault(L, &f);
  if (p->project != NULL && !hwc_reqb_add_header(&p->rb, "X-Project-Id", 12, p->project, p->plen, &f))
    return hwc_fail(L, "config", "credentials.project_id", "%s", f.message);
  if (p->rb.nquery) {
    sbuf_addc(url, '?');
    hwc_canonical_query(url, p->rb.query, p->rb.nquery);
  }
  p->url_len = url->len;
  sbuf_addc(url, '\0'); /* libcurl takes the URL as a C string */
  if (!sbuf_ok(url) || !hwc_secrec_ok(&p->s->sec)) return luaL_error(L, "out of memory");
  p->rb.url = p->ep; /* host and port from the endpoint; the path is the one just built */
  p->rb.url.path = url->p + (p->ep.path - p->endpoint);
  p->rb.url.path_len = path_end - (size_t)(p->ep.path - p->endpoint);
  if (!hwc_reqb_sign(&p->rb, &p->c, p->date, &p->s->sig, &f)) return hwc_fail_fault(L, &f);
  return 0;
}

/* The request table { method, url, headers, body?, canonical_request?, operation }, its secrets
 * recorded for masking. */
static void push_request(lua_State *L, prep *p) {
  hwc_scratch *s = p->s;
  int req, body = 0, rec;
  lua_createtable(L, 0, 6);
  req = lua_gettop(L);
  hwc_reqb_push_headers(L, &p->rb, &p->c, s);
  lua_setfield(L, req, "headers");
  lua_pushstring(L, p->op->method);
  lua_setfield(L, req, "method");
  lua_pushlstring(L, s->url.p, p->url_len);
  lua_setfield(L, req, "url");
  if (p->rb.body != NULL) {
    lua_pushlstring(L, p->rb.body, p->rb.body_len);
    body = lua_gettop(L);
    lua_pushvalue(L, body);
    lua_setfield(L, req, "body");
  }
  if (p->c.ak != NULL) {
    lua_pushlstring(L, s->sig.canonical.p, s->sig.canonical.len);
    lua_setfield(L, req, "canonical_request");
  }
  lua_pushstring(L, p->op->name);
  lua_setfield(L, req, "operation");
  hwc_secrets_push_record(L, &s->sec);
  rec = lua_gettop(L);
  hwc_secrets_attach(L, req, rec, body);
  lua_settop(L, req);
}

void hwc_prepare_args(lua_State *L, int cfg, int params) {
  luaL_checktype(L, cfg, LUA_TTABLE);
  luaL_checktype(L, params, LUA_TTABLE);
}

int hwc_prepare_build(lua_State *L, const hwc_op *op, int cfg, int params, hwc_scratch *s, hwc_prep *p) {
  size_t path_end;
  int n;
  p->op = op;
  p->cfg = lua_absindex(L, cfg);
  p->params = lua_absindex(L, params);
  p->s = s;
  hwc_reqb_init(&p->rb);
  p->rb.method = op->method;
  p->project = NULL;
  p->plen = 0;
  if ((n = check_param_keys(L, op, p->params)) != 0) return n;
  if ((n = read_config(L, p)) != 0) return n;
  if ((n = build_path(L, p)) != 0) return n;
  path_end = s->url.len;
  if ((n = build_query(L, p)) != 0) return n;
  if ((n = encode_body(L, p)) != 0) return n;
  return sign(L, p, path_end);
}

int hwc_prepare(lua_State *L, const hwc_op *op, int cfg, int params) {
  int base = lua_gettop(L), n;
  prep p;
  hwc_scratch *s;
  hwc_prepare_args(L, cfg, params);
  s = hwc_scratch_new(L);
  n = hwc_prepare_build(L, op, cfg, params, s, &p);
  if (n == 0) {
    push_request(L, &p);
    n = 1;
  }
  hwc_scratch_release(s);
  hwc_results_down(L, base, n);
  return n;
}

void hwc_prep_sent(const hwc_prep *p, hwc_sent *sent) {
  sent->req = 0;
  sent->sec = &p->s->sec;
  sent->method = p->op->method;
  sent->canonical = p->c.ak ? p->s->sig.canonical.p : NULL;
  sent->canonical_len = p->c.ak ? p->s->sig.canonical.len : 0;
}

int hwc_lua_prepare(lua_State *L) {
  const hwc_op *op = hwc_check_op(L, 1);
  lua_settop(L, 3);
  return hwc_prepare(L, op, 2, 3);
}
