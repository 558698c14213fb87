/* lcall.c - prepare, parse and the one-call operations; see lcall.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compat.h"
#include "errors.h"
#include "http.h"
#include "json.h"
#include "lcall.h"
#include "lmodel.h"
#include "ops.h"
#include "request.h"
#include "lsecrets.h"

#define MESSAGE_MAX 1024      /* an error body shown as a message is cut here */
#define JSON_MESSAGE_MAX 8192 /* and a message the body names, here */

static const hwc_op *check_op(lua_State *L, int arg) {
  const char *name = luaL_checkstring(L, arg);
  const hwc_op *op = hwc_op_find(name);
  if (op == NULL) luaL_argerror(L, arg, lua_pushfstring(L, "unknown operation '%s'", name));
  return op;
}

/* ---- prepare --------------------------------------------------------------------------- */

/* No identifier the services take comes near this; a URL of megabytes never reaches libcurl. */
#define MAX_PATH_VALUE 4096

static const char *check_path_value(const char *s, size_t n, size_t max_len) {
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
  if (max_len && chars > max_len) return "is too long";
  return NULL;
}

static const hwc_param *find_param(const hwc_op *op, const char *name, size_t n) {
  size_t i;
  for (i = 0; i < op->nparams; i++)
    if (strlen(op->params[i].name) == n && memcmp(op->params[i].name, name, n) == 0) return &op->params[i];
  return NULL;
}

static int is_control_key(const char *k, size_t n) {
  return (n == 4 && memcmp(k, "body", 4) == 0) || (n == 7 && memcmp(k, "headers", 7) == 0) ||
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
    if (find_param(op, k, n) == NULL && !is_control_key(k, n)) {
      char hint[96] = "";
      if (op->nparams) snprintf(hint, sizeof hint, " (it takes %s%s, body, headers, validate, allow_unknown)",
                                op->params[0].name, op->nparams > 1 ? ", ..." : "");
      lua_pushnil(L);
      hwc_push_error(L, "validation", k, "");
      lua_pushfstring(L, "unknown parameter of %s%s", op->name, hint);
      lua_setfield(L, -2, "message");
      return 2;
    }
  }
  return 0;
}

/* Builds the signed request for op; pushes req and returns 1, or pushes nil, err and returns 2. */
static int prepare_with(lua_State *L, const hwc_op *op, int cfg, int params, hwc_scratch *s);

static int prepare(lua_State *L, const hwc_op *op, int cfg, int params) {
  hwc_scratch *s;
  int n;
  luaL_checktype(L, cfg, LUA_TTABLE);
  luaL_checktype(L, params, LUA_TTABLE);
  s = hwc_scratch_new(L);
  n = prepare_with(L, op, cfg, params, s);
  hwc_scratch_release(s);
  return n;
}

static int prepare_with(lua_State *L, const hwc_op *op, int cfg, int params, hwc_scratch *s) {
  hwc_reqb rb;
  hwc_cred c;
  hwc_fault f;
  hwc_url ep;
  const char *endpoint, *project = NULL, *date, *p, *msg;
  size_t elen, plen = 0, n;
  int bad = 0, validate = 1, creds, secrets, req, body = 0;

  hwc_reqb_init(&rb);
  rb.method = op->method;

  if (check_param_keys(L, op, params)) return 2;
  endpoint = hwc_opt_string(L, cfg, "endpoint", &elen, &bad);
  if (endpoint == NULL) return hwc_fail(L, "config", "endpoint", "no endpoint (set region or endpoint)");
  if ((msg = hwc_url_parse(endpoint, elen, &ep)) != NULL) return hwc_fail(L, "config", "endpoint", "%s", msg);
  if (ep.query != NULL) return hwc_fail(L, "config", "endpoint", "must not carry a query string");
  date = hwc_opt_string(L, cfg, "date", &n, &bad);
  lua_getfield(L, cfg, "validate");
  if (lua_type(L, -1) == LUA_TBOOLEAN) validate = lua_toboolean(L, -1);
  lua_getfield(L, params, "validate");
  if (lua_type(L, -1) == LUA_TBOOLEAN) validate = lua_toboolean(L, -1);
  else if (!lua_isnil(L, -1)) return hwc_fail(L, "validation", "validate", "must be a boolean");
  lua_pop(L, 2);

  lua_getfield(L, cfg, "credentials");
  creds = lua_gettop(L);
  if (!hwc_cred_read(L, creds, &c, 0, &f)) return hwc_fail_fault(L, &f);
  if (op->flags & HWC_OP_PROJECT) {
    project = hwc_opt_string(L, creds, "project_id", &plen, &bad);
    if (bad) return hwc_fail(L, "config", "credentials.project_id", "must be a string");
    if (project == NULL || plen == 0)
      return hwc_fail(L, "config", "credentials.project_id", "no project id (set credentials.project_id)");
  }

  hwc_secrets_new(L);
  secrets = lua_gettop(L);
  if (c.ak) hwc_secrets_addl(L, secrets, c.ak, c.ak_len);
  if (c.sk) hwc_secrets_addl(L, secrets, c.sk, c.sk_len);
  if (c.security_token) hwc_secrets_addl(L, secrets, c.security_token, c.security_token_len);
  if (c.token) hwc_secrets_addl(L, secrets, c.token, c.token_len);

  /* URL: the endpoint (its base path without a trailing '/') + the expanded template */
  n = (size_t)(ep.path + ep.path_len - endpoint);
  while (n > 0 && endpoint[n - 1] == '/' && endpoint + n > ep.path) n--;
  sbuf_add(&s->url, endpoint, n);
  for (p = op->path; *p;) {
    const char *close, *v;
    size_t vn, nn;
    if (*p != '{') {
      const char *next = strchr(p, '{');
      nn = next ? (size_t)(next - p) : strlen(p);
      sbuf_add(&s->url, p, nn);
      p += nn;
      continue;
    }
    close = strchr(p, '}');
    nn = (size_t)(close - p - 1);
    if (nn == 10 && memcmp(p + 1, "project_id", 10) == 0) {
      if ((msg = check_path_value(project, plen, 0)) != NULL)
        return hwc_fail(L, "config", "credentials.project_id", "%s", msg);
      hwc_pct_encode(&s->url, project, plen);
    } else {
      const hwc_param *prm = find_param(op, p + 1, nn);
      lua_pushlstring(L, p + 1, nn);
      lua_rawget(L, params);
      if (lua_type(L, -1) != LUA_TSTRING) {
        const char *got = lua_isnil(L, -1) ? "missing" : luaL_typename(L, -1);
        lua_pushlstring(L, p + 1, nn);
        return hwc_fail(L, "validation", lua_tostring(L, -1), "required (a string; got %s)", got);
      }
      v = lua_tolstring(L, -1, &vn);
      lua_pop(L, 1); /* params keeps it */
      if ((msg = check_path_value(v, vn, prm ? prm->max_len : 0)) != NULL) {
        lua_pushlstring(L, p + 1, nn);
        if (prm && prm->max_len && strcmp(msg, "is too long") == 0)
          return hwc_fail(L, "validation", lua_tostring(L, -1), "must be at most %zu characters", prm->max_len);
        return hwc_fail(L, "validation", lua_tostring(L, -1), "%s", msg);
      }
      hwc_pct_encode(&s->url, v, vn);
    }
    p = close + 1;
  }
  if (!sbuf_ok(&s->url)) return luaL_error(L, "out of memory");

  if (op->request != NULL) {
    lua_getfield(L, params, "body");
    if (lua_type(L, -1) != LUA_TTABLE)
      return hwc_fail(L, "validation", "body", "required: a table (got %s)", luaL_typename(L, -1));
    lua_getfield(L, params, "allow_unknown");
    if (!hwc_encode_into(L, op->request, -2, validate, secrets, lua_gettop(L), &s->body)) return 2;
    lua_pop(L, 2);
    rb.body = s->body.p;
    rb.body_len = s->body.len;
  }

  lua_getfield(L, params, "headers");
  if (!hwc_reqb_headers_from(L, -1, &rb, 1, &f)) return hwc_fail_fault(L, &f);
  if (op->request != NULL && !hwc_reqb_add_header(&rb, "Content-Type", 12, "application/json", 16, &f))
    return hwc_fail_fault(L, &f);
  if (project != NULL && !hwc_reqb_add_header(&rb, "X-Project-Id", 12, project, plen, &f))
    return hwc_fail(L, "config", "credentials.project_id", "%s", f.message);
  { /* query parameters: signed and sent in canonical order and encoding */
    size_t k, path_end = s->url.len;
    for (k = 0; k < op->nparams; k++) {
      const hwc_param *prm = &op->params[k];
      const char *v;
      size_t vn, chars, badpos;
      if (prm->in != HWC_IN_QUERY) continue;
      lua_getfield(L, params, prm->name);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        if (prm->required) return hwc_fail(L, "validation", prm->name, "required (a string)");
        continue;
      }
      if (lua_type(L, -1) != LUA_TSTRING)
        return hwc_fail(L, "validation", prm->name, "expected string, got %s", luaL_typename(L, -1));
      v = lua_tolstring(L, -1, &vn);
      lua_pop(L, 1); /* params keeps it */
      if (!hwc_utf8_check(v, vn, &chars, &badpos)) return hwc_fail(L, "validation", prm->name, "not valid UTF-8");
      if (prm->max_len && chars > prm->max_len)
        return hwc_fail(L, "validation", prm->name, "must be at most %zu characters", prm->max_len);
      rb.query[rb.nquery].k = prm->name;
      rb.query[rb.nquery].kn = strlen(prm->name);
      rb.query[rb.nquery].v = v;
      rb.query[rb.nquery].vn = vn;
      rb.nquery++;
    }
    if (rb.nquery) {
      sbuf_addc(&s->url, '?');
      hwc_canonical_query(&s->url, rb.query, rb.nquery);
      if (!sbuf_ok(&s->url)) return luaL_error(L, "out of memory");
    }
    rb.url = ep; /* host and port from the endpoint; the path is the one just built */
    rb.url.path = s->url.p + (ep.path - endpoint);
    rb.url.path_len = path_end - (size_t)(ep.path - endpoint);
  }
  if (!hwc_reqb_sign_push(L, &rb, &c, date, s, &f)) return hwc_fail_fault(L, &f);

  lua_createtable(L, 0, 6);
  lua_insert(L, -2);
  lua_setfield(L, -2, "headers");
  req = lua_gettop(L);
  lua_pushstring(L, op->method);
  lua_setfield(L, req, "method");
  lua_pushlstring(L, s->url.p, s->url.len);
  lua_setfield(L, req, "url");
  if (op->request != NULL) {
    lua_pushlstring(L, s->body.p, s->body.len);
    body = lua_gettop(L);
    lua_pushvalue(L, body);
    lua_setfield(L, req, "body");
  }
  if (c.ak != NULL) {
    lua_pushlstring(L, s->sig.canonical.p, s->sig.canonical.len);
    lua_setfield(L, req, "canonical_request");
  }
  lua_pushstring(L, op->name);
  lua_setfield(L, req, "operation");
  hwc_secrets_attach(L, req, secrets, body);
  lua_settop(L, req);
  return 1;
}

/* prepare, with its results moved down to just above the stack it found. */
static int prepare_tidy(lua_State *L, const hwc_op *op, int cfg, int params) {
  int base = lua_gettop(L), n = prepare(L, op, cfg, params), top = lua_gettop(L), i;
  for (i = 1; i <= n; i++) {
    lua_pushvalue(L, top - n + i);
    lua_replace(L, base + i);
  }
  lua_settop(L, base + n);
  return n;
}

int hwc_lua_prepare(lua_State *L) {
  const hwc_op *op = check_op(L, 1);
  lua_settop(L, 3);
  return prepare_tidy(L, op, 2, 3);
}

/* ---- parse ----------------------------------------------------------------------------- */

/* Pushes the value of header name (any case) from the table at idx, or nil. */
static void push_header(lua_State *L, int idx, const char *name) {
  size_t want = strlen(name);
  if (lua_type(L, idx) == LUA_TTABLE) {
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      size_t n;
      const char *k;
      if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
        k = lua_tolstring(L, -2, &n);
        if (hwc_header_name_eq(k, n, name, want)) {
          lua_remove(L, -2);
          return;
        }
      }
      lua_pop(L, 1);
    }
  }
  lua_pushnil(L);
}

/* Pushes meta = { status, request_id?, headers } */
static void push_meta(lua_State *L, int status, int headers) {
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, status);
  lua_setfield(L, -2, "status");
  push_header(L, headers, "x-request-id");
  lua_setfield(L, -2, "request_id");
  if (lua_type(L, headers) == LUA_TTABLE) lua_pushvalue(L, headers);
  else lua_newtable(L);
  lua_setfield(L, -2, "headers");
}

static int string_or_number(lua_State *L, int i) {
  return lua_type(L, i) == LUA_TSTRING || lua_type(L, i) == LUA_TNUMBER;
}

/* Looks for the error code and message in the decoded body at idx as the official SDKs do:
 * at each level error_code/error_msg, then errorCode/errorMsg, then code/message (a level
 * that mixes them, like DIS's errorCode/message, is taken as it is), then the nested objects
 * ("error" first). Pushes code, message (either may be nil) and returns 1 when found. */
static int find_error(lua_State *L, int idx, int depth) {
  static const char *const codes[] = {"error_code", "errorCode", "code"};
  static const char *const msgs[] = {"error_msg", "errorMsg", "message"};
  int i, found = 0;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE || depth > 8) return 0;
  luaL_checkstack(L, 8, "error body");
  lua_pushnil(L);
  lua_pushnil(L);
  for (i = 0; i < 3; i++) {
    if (lua_isnil(L, -2)) {
      lua_getfield(L, idx, codes[i]);
      if (string_or_number(L, -1)) { lua_replace(L, -3); found = 1; }
      else lua_pop(L, 1);
    }
    if (lua_isnil(L, -1)) {
      lua_getfield(L, idx, msgs[i]);
      if (string_or_number(L, -1)) { lua_replace(L, -2); found = 1; }
      else lua_pop(L, 1);
    }
  }
  if (found) return 1;
  lua_pop(L, 2);
  lua_getfield(L, idx, "error");
  if (find_error(L, -1, depth + 1)) {
    lua_remove(L, -3);
    return 1;
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -1) == LUA_TTABLE && find_error(L, -1, depth + 1)) {
      lua_remove(L, -3); /* value */
      lua_remove(L, -3); /* key */
      return 1;
    }
    lua_pop(L, 1);
  }
  return 0;
}

/* Pushes the value of key anywhere in the decoded body (depth-first), or nothing: 0. */
static int find_key(lua_State *L, int idx, const char *key, int depth) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE || depth > 8) return 0;
  luaL_checkstack(L, 6, "error body");
  lua_getfield(L, idx, key);
  if (lua_type(L, -1) == LUA_TSTRING) return 1;
  lua_pop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (find_key(L, -1, key, depth + 1)) {
      lua_remove(L, -2);
      lua_remove(L, -2);
      return 1;
    }
    lua_pop(L, 1);
  }
  return 0;
}

/* The length of s[0..n) cut to at most max bytes, not inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max) {
  if (n <= max) return n;
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
  return max;
}

static const char *canonical_part(int line, int headers_end) {
  if (line == 1) return "method";
  if (line == 2) return "uri";
  if (line == 3) return "query";
  if (line < headers_end) return "header";
  if (line == headers_end) return "headers end";
  if (line == headers_end + 1) return "signed_headers";
  return "body_hash";
}

/* Splits s on sep into the table on top of the stack (1-based). */
static void split_into(lua_State *L, const char *s, size_t n, char sep) {
  size_t i, start = 0;
  int k = 0;
  for (i = 0; i <= n; i++) {
    if (i == n || s[i] == sep) {
      lua_pushlstring(L, s + start, i - start);
      lua_rawseti(L, -2, ++k);
      start = i + 1;
    }
  }
}

/* The next '|'-separated piece of [*p, end): 0 when there is none. Their echo is walked in
 * place, piece by piece as ours needs them: a hostile message of megabytes costs no copy. */
static int next_piece(const char **p, const char *end, const char **piece, size_t *len) {
  const char *bar;
  if (*p == NULL || *p > end) return 0;
  bar = memchr(*p, '|', (size_t)(end - *p));
  *piece = *p;
  *len = bar ? (size_t)(bar - *p) : (size_t)(end - *p);
  *p = bar ? bar + 1 : end + 1;
  return 1;
}

#define DIFF_SHOWN 1024 /* a differing line is shown up to this many bytes */

/* The gateway echoes its canonical request in a 401 APIGW.0301 message, '|' for newlines.
 * Sets err.canonical_request_diff to the first line where it and ours differ. */
static void canonical_diff(lua_State *L, int err, const char *message, size_t mlen, int req, int secrets) {
  const char *ours, *method, *start = NULL, *q, *cur, *end = message + mlen;
  size_t olen, mn, ol, tl, hash_line;
  int headers_end = 0, line, nours, diff = 0;
  char marker[24];
  lua_getfield(L, req, "canonical_request");
  lua_getfield(L, req, "method");
  ours = lua_tolstring(L, -2, &olen);
  method = lua_tolstring(L, -1, &mn);
  if (ours == NULL || method == NULL || mn > 15) { lua_pop(L, 2); return; }
  snprintf(marker, sizeof marker, "%s|/", method);
  for (q = message; q + strlen(marker) <= end; q++)
    if (memcmp(q, marker, strlen(marker)) == 0) { start = q; break; }
  if (start == NULL) { lua_pop(L, 2); return; }
  lua_newtable(L); /* ours: a few lines */
  split_into(L, ours, olen, '\n');
  nours = (int)lua_rawlen(L, -1);
  for (line = 4; line <= nours; line++) {
    lua_rawgeti(L, -1, line);
    if (lua_rawlen(L, -1) == 0) headers_end = line;
    lua_pop(L, 1);
    if (headers_end) break;
  }
  hash_line = (size_t)nours;
  cur = start;
  for (line = 1; line <= nours; line++) {
    const char *a, *b = "";
    int theirs = next_piece(&cur, end, &b, &tl);
    lua_rawgeti(L, -1, line);
    a = lua_tolstring(L, -1, &ol);
    lua_pop(L, 1); /* the table keeps it */
    if (!theirs) tl = 0;
    /* the echo may run on past the body hash: compare the hash's own length there */
    if ((size_t)line == hash_line && tl > ol) tl = ol;
    if (!theirs || ol != tl || memcmp(a, b, ol) != 0) {
      diff = line;
      lua_createtable(L, 0, 4);
      lua_pushinteger(L, line);
      lua_setfield(L, -2, "line");
      lua_pushstring(L, canonical_part(line, headers_end ? headers_end : nours + 1));
      lua_setfield(L, -2, "part");
      hwc_push_scrubbed(L, a, ol, secrets);
      lua_setfield(L, -2, "ours");
      if (theirs) {
        hwc_push_scrubbed(L, b, utf8_cut(b, tl, DIFF_SHOWN), secrets);
        lua_setfield(L, -2, "theirs");
      }
      break;
    }
  }
  if (!diff) {
    lua_createtable(L, 0, 2);
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "identical");
    lua_pushliteral(L, "the canonical requests match: the secret key (SK) is wrong or does not belong to this AK");
    lua_setfield(L, -2, "hint");
  }
  lua_setfield(L, err, "canonical_request_diff");
  lua_pop(L, 3);
}

/* Pushes a server's text as an error message: scrubbed whole, then cut to max bytes, so a
 * secret across the cut cannot leave its prefix behind. */
static void push_message(lua_State *L, const char *s, size_t n, size_t max, int secrets) {
  size_t len, cut;
  const char *m;
  hwc_push_scrubbed(L, s, n, secrets);
  m = lua_tolstring(L, -1, &len);
  cut = utf8_cut(m, len, max);
  if (cut < len) {
    lua_pushlstring(L, m, cut);
    lua_replace(L, -2);
  }
}

static int retryable_status(int status) { return status == 429 || status == 503; }

/* Pushes nil, err for an error response. */
static int api_error(lua_State *L, int status, int headers, const char *body, size_t blen, int req) {
  int err, secrets, decoded = 0;
  const char *msg;
  size_t mlen;
  lua_pushnil(L);
  hwc_push_error(L, "api", NULL, "");
  err = lua_gettop(L);
  hwc_secrets_push_of(L, req);
  secrets = lua_gettop(L);
  lua_pushinteger(L, status);
  lua_setfield(L, err, "status");
  lua_pushboolean(L, retryable_status(status));
  lua_setfield(L, err, "retryable");
  push_header(L, headers, "x-request-id");
  lua_setfield(L, err, "request_id");
  push_header(L, headers, "retry-after"); /* seconds; an HTTP date is left alone */
  if (lua_isnumber(L, -1) && lua_tonumber(L, -1) >= 0) {
    lua_pushnumber(L, lua_tonumber(L, -1));
    lua_setfield(L, err, "retry_after");
  }
  lua_pop(L, 1);

  if (blen > 0 && hwc_json_decode(L, body, blen) == NULL) {
    decoded = lua_gettop(L);
    if (find_error(L, decoded, 0)) {
      if (!lua_isnil(L, -2)) {
        lua_pushvalue(L, -2);
        lua_setfield(L, err, "code");
      }
      if (!lua_isnil(L, -1)) {
        msg = lua_tolstring(L, -1, &mlen);
        push_message(L, msg, mlen, JSON_MESSAGE_MAX, secrets);
        lua_setfield(L, err, "message");
      }
      lua_pop(L, 2);
    }
    if (find_key(L, decoded, "encoded_authorization_message", 0)) {
      lua_setfield(L, err, "encoded_authorization_message");
    }
  }
  lua_getfield(L, err, "message");
  if (lua_rawlen(L, -1) == 0) { /* not an error body we know: the text itself */
    if (blen == 0) {
      lua_pushliteral(L, "(empty body)");
    } else {
      push_message(L, body, blen, MESSAGE_MAX, secrets);
    }
    lua_setfield(L, err, "message");
  }
  lua_pop(L, 1);
  lua_getfield(L, err, "code");
  if (lua_isnil(L, -1)) { /* no code: the status stands in */
    lua_pushfstring(L, "%d", status);
    lua_setfield(L, err, "code");
  } else if (lua_type(L, -1) == LUA_TNUMBER) { /* 1234, not "1234.0" from a float decoder */
    long long iv;
    char num[32];
    if (hwc_tointeger(L, -1, &iv)) snprintf(num, sizeof num, "%lld", iv);
    else snprintf(num, sizeof num, "%.17g", (double)lua_tonumber(L, -1));
    lua_pushstring(L, num);
    lua_setfield(L, err, "code");
  }
  lua_pop(L, 1);
  if (status == 401 && req && decoded) {
    lua_getfield(L, err, "code");
    if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "APIGW.0301") == 0) {
      /* the raw message (before masking) to compare, scrubbed again in the diff */
      if (find_error(L, decoded, 0) && lua_type(L, -1) == LUA_TSTRING) {
        msg = lua_tolstring(L, -1, &mlen);
        canonical_diff(L, err, msg, mlen, req, secrets);
      }
    }
  }
  hwc_scrub_error(L, err, secrets); /* code, request_id and the rest came from the server */
  lua_settop(L, err);
  return 2;
}

/* The answer to a sent request: result, meta or nil, err. */
/* Pushes nil and a decode error: the answer is not what the operation documents. */
static int decode_error(lua_State *L, const hwc_op *op, int status, int headers, int req, const char *field,
                        const char *fmt, const char *detail) {
  int err;
  lua_pushnil(L);
  hwc_push_error(L, "decode", field, "");
  err = lua_gettop(L);
  lua_pushfstring(L, fmt, op->name, status, detail);
  lua_setfield(L, err, "message");
  lua_pushinteger(L, status);
  lua_setfield(L, err, "status");
  push_header(L, headers, "x-request-id");
  lua_setfield(L, err, "request_id");
  hwc_secrets_push_of(L, req);
  hwc_scrub_error(L, err, -1);
  lua_settop(L, err);
  return 2;
}

/* The name of the first field the response model requires that the decoded object lacks. */
static const char *missing_field(lua_State *L, const hwc_model *m, int obj) {
  size_t i;
  for (i = 0; i < m->nfields; i++) {
    int absent;
    if (!(m->fields[i].flags & HWC_F_REQUIRED)) continue;
    lua_getfield(L, obj, m->fields[i].name);
    absent = lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL);
    lua_pop(L, 1);
    if (absent) return m->fields[i].name;
  }
  return NULL;
}

static int parse(lua_State *L, const hwc_op *op, int status, int headers, int body, int req) {
  size_t blen = 0, i;
  const char *b = lua_type(L, body) == LUA_TSTRING ? lua_tolstring(L, body, &blen) : "";
  char want[16];
  if (status < 200 || status > 299) return api_error(L, status, headers, b, blen, req);
  if (status != op->success) { /* a 202 or 204 to a create is not the created object */
    snprintf(want, sizeof want, "%d", op->success);
    return decode_error(L, op, status, headers, req, NULL, "%s answered %d; the API documents %s", want);
  }
  for (i = 0; i < blen && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'); i++) {}
  if (op->response == NULL) {
    lua_newtable(L);
  } else if (i == blen) {
    return decode_error(L, op, status, headers, req, NULL, "%s answered %d with %s, not the documented object",
                        "an empty body");
  } else {
    const char *msg = hwc_json_decode(L, b, blen), *missing;
    if (msg != NULL)
      return decode_error(L, op, status, headers, req, NULL, "%s answered %d with a body that is not JSON: %s", msg);
    if (lua_type(L, -1) != LUA_TTABLE)
      return decode_error(L, op, status, headers, req, NULL, "%s answered %d with %s, not the documented object",
                          "a JSON value that is not an object");
    if ((missing = missing_field(L, op->response, lua_gettop(L))) != NULL)
      return decode_error(L, op, status, headers, req, missing, "%s answered %d without %s, which the API documents",
                          missing);
    hwc_model_read(L, op->response, -1);
    lua_remove(L, -2);
  }
  push_meta(L, status, headers);
  return 2;
}

int hwc_lua_parse(lua_State *L) {
  const hwc_op *op = check_op(L, 1);
  long long status;
  lua_settop(L, 5);
  if (!hwc_tointeger(L, 2, &status) || status < 100 || status > 999)
    return luaL_argerror(L, 2, "HTTP status expected");
  if (!lua_isnil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  if (!lua_isnil(L, 4)) luaL_checktype(L, 4, LUA_TSTRING);
  return parse(L, op, (int)status, 3, 4, lua_isnil(L, 5) ? 0 : 5);
}

/* ---- the one-call operations ----------------------------------------------------------- */

static int call_op(lua_State *L) {
  const hwc_op *op = (const hwc_op *)lua_touserdata(L, lua_upvalueindex(1));
  hwc_http *h = hwc_http_check(L, 1);
  long long status = 0;
  lua_settop(L, 3);
  if (prepare_tidy(L, op, 2, 3) == 2) return 2; /* req at 4 */
  if (hwc_http_send(L, h, 4) == 2) return 2;      /* status, headers, body at 5, 6, 7 */
  lua_settop(L, 7);
  hwc_tointeger(L, 5, &status);
  return parse(L, op, (int)status, 6, 7, 4);
}

void hwc_register_operations(lua_State *L) {
  const hwc_op *const *op;
  for (op = hwc_op_all(); *op; op++) {
    lua_pushlightuserdata(L, (void *)*op);
    lua_pushcclosure(L, call_op, 1);
    lua_setfield(L, -2, (*op)->name);
  }
}

int hwc_lua_operations(lua_State *L) {
  const hwc_op *const *op;
  int i = 0;
  lua_newtable(L);
  for (op = hwc_op_all(); *op; op++) {
    lua_createtable(L, 0, 5);
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
    {
      size_t k;
      lua_createtable(L, (int)(*op)->nparams, 0);
      for (k = 0; k < (*op)->nparams; k++) {
        const hwc_param *prm = &(*op)->params[k];
        lua_createtable(L, 0, 4);
        lua_pushstring(L, prm->name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, prm->name);
        lua_setfield(L, -2, "wire");
        lua_pushstring(L, prm->in == HWC_IN_PATH ? "path" : "query");
        lua_setfield(L, -2, "in");
        lua_pushboolean(L, prm->required);
        lua_setfield(L, -2, "required");
        lua_rawseti(L, -2, (int)k + 1);
      }
      lua_setfield(L, -2, "params");
    }
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}
