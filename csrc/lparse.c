/* lparse.c - reading an answer: any 2xx and what came (meta.note says how it differs from the page),
 * or a structured error as the official SDKs read them (with the gateway's canonical-request diff
 * for a 401); see lparse.h. */
#include <stdio.h>
#include <string.h>
#include "compat.h"
#include "errors.h"
#include "lop.h"
#include "lparse.h"
#include "lmodel.h"
#include "lsecrets.h"

#define MESSAGE_MAX 1024      /* an error body shown as a message is cut here */
#define JSON_MESSAGE_MAX 8192 /* and a message the body names, here */

/* Pushes meta = { status, request_id?, headers } */
static void push_meta(lua_State *L, int status, int headers) {
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, status);
  lua_setfield(L, -2, "status");
  hwc_push_header(L, headers, "x-request-id");
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

/* Pushes our canonical request's text and method (two stack slots, nil when unknown). */
static void push_ours(lua_State *L, const hwc_sent *sent, const char **ours, size_t *olen, const char **method,
                      size_t *mn) {
  if (sent->req) {
    lua_getfield(L, sent->req, "canonical_request");
    lua_getfield(L, sent->req, "method");
    *ours = lua_tolstring(L, -2, olen);
    *method = lua_tolstring(L, -1, mn);
    return;
  }
  lua_pushnil(L); /* the same two slots as above */
  lua_pushnil(L);
  *ours = sent->canonical;
  *olen = sent->canonical_len;
  *method = sent->method;
  *mn = *method ? strlen(*method) : 0;
}

/* The line (from 4) of the table on top that ends the headers (the empty one), or 0. */
static int headers_end_of(lua_State *L, int nlines) {
  int line;
  for (line = 4; line <= nlines; line++) {
    size_t n;
    lua_rawgeti(L, -1, line);
    n = lua_rawlen(L, -1);
    lua_pop(L, 1);
    if (n == 0) return line;
  }
  return 0;
}

/* Compares our lines (the table on top) with theirs from cur; pushes the diff table of the first
 * that differs, or the "identical" one. */
static void push_diff(lua_State *L, const char *cur, const char *end, int nours, int secrets) {
  int headers_end = headers_end_of(L, nours), line;
  for (line = 1; line <= nours; line++) {
    const char *a, *b = "";
    size_t ol, tl;
    int theirs = next_piece(&cur, end, &b, &tl);
    lua_rawgeti(L, -1, line);
    a = lua_tolstring(L, -1, &ol);
    lua_pop(L, 1); /* the table keeps it */
    if (!theirs) tl = 0;
    /* the echo may run on past the body hash: compare the hash's own length there */
    if (line == nours && tl > ol) tl = ol;
    if (theirs && ol == tl && memcmp(a, b, ol) == 0) continue;
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, line);
    lua_setfield(L, -2, "line");
    lua_pushstring(L, canonical_part(line, headers_end ? headers_end : nours + 1));
    lua_setfield(L, -2, "part");
    hwc_push_scrubbed(L, a, ol, secrets);
    lua_setfield(L, -2, "ours");
    if (theirs) {
      push_message(L, b, tl, DIFF_SHOWN, secrets); /* scrubbed whole, then cut */
      lua_setfield(L, -2, "theirs");
    }
    return;
  }
  lua_createtable(L, 0, 2);
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, "identical");
  lua_pushliteral(L, "the canonical requests match: the secret key (SK) is wrong or does not belong to this AK");
  lua_setfield(L, -2, "hint");
}

/* The gateway echoes its canonical request in a 401 APIGW.0301 message, '|' for newlines.
 * Sets err.canonical_request_diff to the first line where it and ours differ. */
static void canonical_diff(lua_State *L, int err, const char *message, size_t mlen, const hwc_sent *sent,
                           int secrets) {
  const char *ours, *method, *start = NULL, *q, *end = message + mlen;
  size_t olen = 0, mn = 0, ml;
  char marker[24];
  push_ours(L, sent, &ours, &olen, &method, &mn);
  if (ours == NULL || method == NULL || mn > 15) { lua_pop(L, 2); return; }
  snprintf(marker, sizeof marker, "%s|/", method);
  ml = strlen(marker);
  for (q = message; q + ml <= end; q++)
    if (memcmp(q, marker, ml) == 0) { start = q; break; }
  if (start == NULL) { lua_pop(L, 2); return; }
  lua_newtable(L); /* ours: a few lines */
  split_into(L, ours, olen, '\n');
  push_diff(L, start, end, (int)lua_rawlen(L, -1), secrets);
  lua_setfield(L, err, "canonical_request_diff");
  lua_pop(L, 3);
}

static int retryable_status(int status) { return status == 429 || status == 503; }

/* The fields of an error answer that come from its status and headers. */
static void error_head(lua_State *L, int err, int status, int headers) {
  lua_pushinteger(L, status);
  lua_setfield(L, err, "status");
  lua_pushboolean(L, retryable_status(status));
  lua_setfield(L, err, "retryable");
  hwc_push_header(L, headers, "x-request-id");
  lua_setfield(L, err, "request_id");
  hwc_push_header(L, headers, "date"); /* the server's clock, for a 401 from clock skew */
  lua_setfield(L, err, "server_date");
  hwc_push_header(L, headers, "retry-after"); /* seconds; an HTTP date is left alone */
  if (lua_isnumber(L, -1) && lua_tonumber(L, -1) >= 0) {
    lua_pushnumber(L, lua_tonumber(L, -1));
    lua_setfield(L, err, "retry_after");
  }
  lua_pop(L, 1);
}

/* code and message from a JSON error body, as the official SDKs read them. Returns the stack
 * index of the decoded body, or 0 when the body is not JSON. */
static int error_body(lua_State *L, int err, const char *body, size_t blen, int secrets) {
  int decoded;
  const char *msg;
  size_t mlen;
  if (blen == 0 || hwc_json_decode(L, body, blen) != NULL) return 0;
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
  if (find_key(L, decoded, "encoded_authorization_message", 0)) lua_setfield(L, err, "encoded_authorization_message");
  return decoded;
}

/* Without a message, the body's text stands in; without a code, the status. */
static void error_defaults(lua_State *L, int err, int status, const char *body, size_t blen, int secrets) {
  lua_getfield(L, err, "message");
  if (lua_rawlen(L, -1) == 0) {
    if (blen == 0) lua_pushliteral(L, "(empty body)");
    else push_message(L, body, blen, MESSAGE_MAX, secrets);
    lua_setfield(L, err, "message");
  }
  lua_pop(L, 1);
  lua_getfield(L, err, "code");
  if (lua_isnil(L, -1)) {
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
}

/* Pushes the secrets record of what was sent (an empty one when unknown); returns its index. */
static int push_sent_record(lua_State *L, const hwc_sent *sent) {
  if (sent && sent->req) hwc_secrets_push_of(L, sent->req);
  else if (sent && sent->sec) hwc_secrets_push_record(L, sent->sec);
  else hwc_secrets_push_of(L, 0);
  return lua_gettop(L);
}

/* Pushes nil, err for an error response. */
static int api_error(lua_State *L, int status, int headers, const char *body, size_t blen, const hwc_sent *sent) {
  int err, secrets, decoded;
  lua_pushnil(L);
  hwc_push_error(L, "api", NULL, "");
  err = lua_gettop(L);
  secrets = push_sent_record(L, sent);
  error_head(L, err, status, headers);
  decoded = error_body(L, err, body, blen, secrets);
  error_defaults(L, err, status, body, blen, secrets);
  if (status == 401 && sent && (sent->req || sent->canonical) && decoded) {
    lua_getfield(L, err, "code");
    /* the raw message (before masking) to compare, scrubbed again in the diff */
    if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "APIGW.0301") == 0 &&
        find_error(L, decoded, 0) && lua_type(L, -1) == LUA_TSTRING) {
      size_t mlen;
      const char *msg = lua_tolstring(L, -1, &mlen);
      canonical_diff(L, err, msg, mlen, sent, secrets);
    }
  }
  hwc_scrub_error(L, err, secrets); /* code, request_id and the rest came from the server */
  lua_settop(L, err);
  return 2;
}

/* Pushes nil and a decode error: the answer is not what the operation documents. */
static int decode_error(lua_State *L, const hwc_op *op, int status, int headers, const hwc_sent *sent,
                        const char *fmt, const char *detail) {
  int err;
  lua_pushnil(L);
  hwc_push_error(L, "decode", NULL, "");
  err = lua_gettop(L);
  lua_pushfstring(L, fmt, op->name, status, detail);
  lua_setfield(L, err, "message");
  lua_pushinteger(L, status);
  lua_setfield(L, err, "status");
  hwc_push_header(L, headers, "x-request-id");
  lua_setfield(L, err, "request_id");
  hwc_scrub_error(L, err, push_sent_record(L, sent));
  lua_settop(L, err);
  return 2;
}

/* 1 when s[0..n) may hold one of the secrets of what was sent, in some form. A request id is
 * short and, from a real service, made of letters, digits, '-', '_' and '.': then only a secret
 * that is the same bytes raw can be inside it (every other form carries '\\', '%' or the
 * secret's own special bytes), which is checked with no Lua value made. Anything else: maybe. */
static int may_hold_secret(lua_State *L, const char *s, size_t n, const hwc_sent *sent) {
  size_t i, k, count;
  if (n < HWC_SCRUB_MIN) return 0;
  for (i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
          s[i] == '-' || s[i] == '_' || s[i] == '.'))
      return 1;
  if (sent == NULL || (sent->req == 0 && sent->sec == NULL)) return 0;
  if (sent->req) return 1; /* a Lua record: the general path */
  count = hwc_secrec_count(sent->sec);
  for (k = 0; k < count; k++) {
    hwc_str v = hwc_secrec_at(sent->sec, k);
    for (i = 0; v.n >= HWC_SCRUB_MIN && i + v.n <= n; i++)
      if (memcmp(s + i, v.s, v.n) == 0) return 1;
  }
  (void)L;
  return 0;
}

/* meta.request_id goes into log lines: a server may echo a secret into it, on a success too. */
static void scrub_request_id(lua_State *L, int meta, const hwc_sent *sent) {
  size_t n;
  const char *rid;
  lua_getfield(L, meta, "request_id");
  rid = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &n) : NULL;
  if (rid != NULL && may_hold_secret(L, rid, n, sent)) {
    int rec = push_sent_record(L, sent);
    hwc_push_scrubbed(L, rid, n, rec);
    lua_setfield(L, meta, "request_id");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

int hwc_parse(lua_State *L, const hwc_op *op, int status, int headers, int body, const hwc_sent *sent) {
  size_t blen = 0, i;
  const char *b = lua_type(L, body) == LUA_TSTRING ? lua_tolstring(L, body, &blen) : "";
  int empty = 0;
  /* Any 2xx is a success, as in the official SDKs (they raise at >= 400): a pause answered 200
   * instead of 204 has paused. What differs from the page is said in meta.note. */
  if (status < 200 || status > 299) return api_error(L, status, headers, b, blen, sent);
  for (i = 0; i < blen && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'); i++) {}
  if (op->response == NULL || i == blen) {
    lua_newtable(L); /* nothing to read, or nothing came: what came is returned */
    empty = op->response != NULL;
  } else {
    const char *msg = hwc_json_decode(L, b, blen);
    if (msg != NULL)
      return decode_error(L, op, status, headers, sent, "%s answered %d with a body that is not JSON: %s", msg);
    if (b[i] != '{') /* an array decodes to a table too */
      return decode_error(L, op, status, headers, sent, "%s answered %d with %s, not the documented object",
                          "a JSON value that is not an object");
    hwc_model_read(L, op->response, -1);
  }
  push_meta(L, status, headers);
  scrub_request_id(L, lua_gettop(L), sent);
  if (empty) {
    lua_pushfstring(L, "%s answered %d with an empty body; the API documents %d with %s", op->name, status,
                    op->success, op->response->name);
    lua_setfield(L, -2, "note");
  } else if (status != op->success) {
    lua_pushfstring(L, "%s answered %d; the API documents %d", op->name, status, op->success);
    lua_setfield(L, -2, "note");
  }
  return 2;
}

int hwc_lua_parse(lua_State *L) {
  const hwc_op *op = hwc_check_op(L, 1);
  long long status;
  lua_settop(L, 5);
  if (!hwc_tointeger(L, 2, &status) || status < 100 || status > 999)
    return luaL_argerror(L, 2, "HTTP status expected");
  if (!lua_isnil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  if (!lua_isnil(L, 4)) luaL_checktype(L, 4, LUA_TSTRING);
  {
    hwc_sent sent;
    hwc_secrec sec;
    if (!hwc_sent_from(L, 5, &sent, &sec)) {
      memset(&sent, 0, sizeof sent);
      sent.req = lua_type(L, 5) == LUA_TTABLE ? 5 : 0;
    }
    return hwc_parse(L, op, (int)status, 3, 4, &sent);
  }
}
