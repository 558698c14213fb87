/* http.c - the libcurl client userdata; see http.h. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "compat.h"
#include "errors.h"
#include "http.h"
#include "request.h"
#include "sbuf.h"
#include "version.h"

#define DEFAULT_USER_AGENT "huaweicloud-sdk-lua/" HWC_VERSION
#define DEFAULT_MAX_BODY (8u * 1024u * 1024u)

/* The request body as libcurl reads it (see on_read). */
typedef struct body_reader {
  const char *p;
  size_t len, pos;
} body_reader;

/* One transfer: an easy handle and everything it needs, owned by the client userdata so a Lua
 * error anywhere leaves nothing behind. */
typedef struct xfer {
  CURL *easy;
  struct curl_slist *slist; /* request headers */
  sbuf body, head, line;
  sbuf copy;                /* batch: the request body, copied (the Lua string may go away) */
  body_reader upload;
  size_t max_body;
  int too_large, busy, configured;
  lua_Integer id;           /* batch: the caller's id for this request */
  char errbuf[CURL_ERROR_SIZE];
} xfer;

struct hwc_http {
  xfer one;       /* send() */
  CURLM *multi;   /* batches: made on first use, kept for its connection cache */
  xfer **batch;   /* the batch's transfers (each at a fixed address libcurl holds), reused */
  int nbatch, inflight;
  double timeout, connect_timeout; /* seconds */
  size_t max_body;
  int verify_tls, closed, proxy_off;
  unsigned long requests, connections;
  char proxy[512], ca_file[1024], user_agent[256];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static void xfer_init(xfer *x) {
  memset(x, 0, sizeof *x);
  sbuf_init(&x->body);
  sbuf_init(&x->head);
  sbuf_init(&x->line);
  sbuf_init(&x->copy);
}

static void xfer_free(xfer *x, CURLM *multi) {
  if (x->easy && x->busy && multi) curl_multi_remove_handle(multi, x->easy);
  if (x->easy) curl_easy_cleanup(x->easy);
  x->easy = NULL;
  x->busy = 0;
  if (x->slist) curl_slist_free_all(x->slist);
  x->slist = NULL;
  sbuf_free(&x->body);
  sbuf_free(&x->head);
  sbuf_free(&x->line);
  sbuf_free(&x->copy);
}

static void release(hwc_http *h) {
  int i;
  xfer_free(&h->one, NULL);
  for (i = 0; i < h->nbatch; i++) {
    xfer_free(h->batch[i], h->multi);
    free(h->batch[i]);
  }
  free(h->batch);
  h->batch = NULL;
  h->nbatch = h->inflight = 0;
  if (h->multi) curl_multi_cleanup(h->multi);
  h->multi = NULL;
  h->closed = 1;
}

static int http_close(lua_State *L) {
  hwc_http *h = (hwc_http *)luaL_checkudata(L, 1, HWC_HTTP_MT);
  release(h);
  return 0;
}

hwc_http *hwc_http_check(lua_State *L, int idx) {
  hwc_http *h = (hwc_http *)luaL_checkudata(L, idx, HWC_HTTP_MT);
  if (h->closed) luaL_argerror(L, idx, "the HTTP client is closed");
  return h;
}

/* ---- options -------------------------------------------------------------------------- */

static double opt_seconds(lua_State *L, int t, const char *k, double dflt) {
  double v = dflt;
  lua_getfield(L, t, k);
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TNUMBER || !(lua_tonumber(L, -1) > 0) || lua_tonumber(L, -1) > 86400)
      luaL_error(L, "%s must be a number of seconds in (0, 86400]", k);
    v = (double)lua_tonumber(L, -1);
  }
  lua_pop(L, 1);
  return v;
}

/* A string option copied into out. controls: refuse every control byte (it reaches the wire),
 * else only NUL, CR and LF. */
static void opt_copy(lua_State *L, int t, const char *k, char *out, size_t cap, int controls) {
  size_t n, i;
  const char *s;
  lua_getfield(L, t, k);
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "%s must be a string", k);
    s = lua_tolstring(L, -1, &n);
    if (n >= cap) luaL_error(L, "%s is longer than %d bytes", k, (int)cap - 1);
    for (i = 0; controls && i < n; i++)
      if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) luaL_error(L, "%s must not contain control characters", k);
    if (memchr(s, '\0', n) || memchr(s, '\r', n) || memchr(s, '\n', n))
      luaL_error(L, "%s must not contain NUL, CR or LF", k);
    memcpy(out, s, n);
    out[n] = '\0';
  }
  lua_pop(L, 1);
}

int hwc_lua_http_client(lua_State *L) {
  hwc_http *h;
  int opts = lua_gettop(L) >= 1 && !lua_isnil(L, 1);
  if (opts) luaL_checktype(L, 1, LUA_TTABLE);
  else {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  lua_settop(L, 1);
  h = (hwc_http *)lua_newuserdatauv(L, sizeof *h, 0);
  memset(h, 0, sizeof *h);
  xfer_init(&h->one);
  h->closed = 1; /* until the handle exists; __gc is safe on a half-made client */
  luaL_setmetatable(L, HWC_HTTP_MT);

  h->timeout = opt_seconds(L, 1, "timeout", 30);
  h->connect_timeout = opt_seconds(L, 1, "connect_timeout", 10);
  h->verify_tls = 1;
  lua_getfield(L, 1, "verify_tls");
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TBOOLEAN) luaL_error(L, "verify_tls must be a boolean");
    h->verify_tls = lua_toboolean(L, -1);
  }
  lua_pop(L, 1);
  h->max_body = DEFAULT_MAX_BODY;
  lua_getfield(L, 1, "max_body");
  if (!lua_isnil(L, -1)) {
    long long v = 0;
    if (!hwc_tointeger(L, -1, &v) || v < 1) luaL_error(L, "max_body must be a positive integer (bytes)");
    h->max_body = (size_t)v;
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "proxy");
  if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)) h->proxy_off = 1;
  lua_pop(L, 1);
  if (!h->proxy_off) opt_copy(L, 1, "proxy", h->proxy, sizeof h->proxy, 0);
  opt_copy(L, 1, "ca_file", h->ca_file, sizeof h->ca_file, 0);
  strcpy(h->user_agent, DEFAULT_USER_AGENT);
  opt_copy(L, 1, "user_agent", h->user_agent, sizeof h->user_agent, 1);

  pthread_once(&curl_once, curl_init_once);
  h->one.easy = curl_easy_init();
  if (h->one.easy == NULL) luaL_error(L, "curl_easy_init failed");
  h->closed = 0;
  return 1;
}

/* ---- callbacks: C only, never Lua ------------------------------------------------------ */

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
  xfer *x = (xfer *)ud;
  size_t len = size * n;
  if (len > x->max_body - x->body.len || x->body.len > x->max_body) {
    x->too_large = 1;
    return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
  }
  sbuf_add(&x->body, p, len);
  return sbuf_ok(&x->body) ? len : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
  xfer *x = (xfer *)ud;
  size_t len = size * n;
  if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) sbuf_reset(&x->head); /* a new response: 100, redirect */
  if (x->head.len + len > 256 * 1024) return 0;                       /* absurd headers */
  sbuf_add(&x->head, p, len);
  return sbuf_ok(&x->head) ? len : 0;
}

/* The body goes through a read callback rather than POSTFIELDS so that libcurl cannot replay
 * it: on a reused connection that dies before the answer, libcurl re-sends the request on a new
 * one, which for a create that already reached the server means a second create. It must
 * rewind the body to do that; on_seek refuses, so the call fails instead (nothing was written
 * yet: no rewind is needed and the safe reconnect still happens). */
static size_t on_read(char *buf, size_t size, size_t n, void *ud) {
  body_reader *r = (body_reader *)ud;
  size_t room = size * n, left = r->len - r->pos;
  if (room > left) room = left;
  if (room) memcpy(buf, r->p + r->pos, room);
  r->pos += room;
  return room;
}

static int on_seek(void *ud, curl_off_t offset, int origin) {
  (void)ud;
  (void)offset;
  (void)origin;
  return CURL_SEEKFUNC_CANTSEEK;
}

/* ---- results --------------------------------------------------------------------------- */

/* Pushes the response headers as a table: lower-case names, repeated ones joined by ", ". */
static void push_headers(lua_State *L, const sbuf *head) {
  size_t i = 0;
  lua_newtable(L);
  while (i < head->len) {
    const char *line = head->p + i, *colon, *eol = memchr(line, '\n', head->len - i);
    size_t n = eol ? (size_t)(eol - line) : head->len - i, k;
    i += n + 1;
    if (n && line[n - 1] == '\r') n--;
    colon = memchr(line, ':', n);
    if (colon == NULL || colon == line) continue; /* the status line, the blank line */
    {
      const char *v = colon + 1;
      size_t vn = n - (size_t)(v - line), kn = (size_t)(colon - line);
      char name[128];
      if (kn >= sizeof name) continue;
      for (k = 0; k < kn; k++) name[k] = (char)tolower((unsigned char)line[k]);
      while (vn && (*v == ' ' || *v == '\t')) { v++; vn--; }
      while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t')) vn--;
      lua_pushlstring(L, name, kn);
      lua_pushvalue(L, -1);
      lua_rawget(L, -3);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushlstring(L, v, vn);
      } else {
        lua_pushliteral(L, ", ");
        lua_pushlstring(L, v, vn);
        lua_concat(L, 3);
      }
      lua_rawset(L, -3);
    }
  }
}

static const char *curl_code_name(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL: return "UNSUPPORTED_PROTOCOL";
    case CURLE_URL_MALFORMAT: return "URL_MALFORMAT";
    case CURLE_COULDNT_RESOLVE_PROXY: return "COULDNT_RESOLVE_PROXY";
    case CURLE_COULDNT_RESOLVE_HOST: return "COULDNT_RESOLVE_HOST";
    case CURLE_COULDNT_CONNECT: return "COULDNT_CONNECT";
    case CURLE_WEIRD_SERVER_REPLY: return "WEIRD_SERVER_REPLY";
    case CURLE_PARTIAL_FILE: return "PARTIAL_FILE";
    case CURLE_WRITE_ERROR: return "WRITE_ERROR";
    case CURLE_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case CURLE_OPERATION_TIMEDOUT: return "OPERATION_TIMEDOUT";
    case CURLE_SSL_CONNECT_ERROR: return "SSL_CONNECT_ERROR";
    case CURLE_GOT_NOTHING: return "GOT_NOTHING";
    case CURLE_SEND_ERROR: return "SEND_ERROR";
    case CURLE_RECV_ERROR: return "RECV_ERROR";
    case CURLE_SSL_CERTPROBLEM: return "SSL_CERTPROBLEM";
    case CURLE_SSL_CIPHER: return "SSL_CIPHER";
    case CURLE_PEER_FAILED_VERIFICATION: return "PEER_FAILED_VERIFICATION";
    case CURLE_SSL_CACERT_BADFILE: return "SSL_CACERT_BADFILE";
    case CURLE_SSL_ISSUER_ERROR: return "SSL_ISSUER_ERROR";
    default: return NULL;
  }
}

static int is_tls_error(CURLcode rc) {
  return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM ||
         rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR ||
         rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || rc == CURLE_SSL_CRL_BADFILE || rc == CURLE_SSL_ENGINE_NOTFOUND ||
         rc == CURLE_SSL_ENGINE_SETFAILED || rc == CURLE_SSL_SHUTDOWN_FAILED || rc == CURLE_SSL_INVALIDCERTSTATUS;
}

/* Pushes nil, err for a failed transfer. `sent` says whether the request may have reached
 * the server: a create that may have happened must not be retried blindly. */
static int transfer_error(lua_State *L, const hwc_http *h, xfer *x, CURLcode rc) {
  curl_off_t pretransfer = 0;
  const char *name = curl_code_name(rc), *kind = "network";
  char msg[CURL_ERROR_SIZE + 128];
  int sent;
  curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  sent = pretransfer > 0 && rc != CURLE_COULDNT_CONNECT && rc != CURLE_COULDNT_RESOLVE_HOST &&
         rc != CURLE_COULDNT_RESOLVE_PROXY;
  if (x->too_large) {
    snprintf(msg, sizeof msg, "response body larger than max_body (%zu bytes)", h->max_body);
    name = "RESPONSE_TOO_LARGE";
  } else if (rc == CURLE_SEND_FAIL_REWIND) { /* see on_seek */
    snprintf(msg, sizeof msg, "the kept-alive connection closed after the request was sent; "
             "not sent again, as the server may have acted on it");
    name = "CONNECTION_LOST_AFTER_SEND";
    sent = 1;
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    kind = "timeout";
    snprintf(msg, sizeof msg, "%s after %.3g s (%s)", sent ? "no complete response" : "could not connect",
             sent ? h->timeout : h->connect_timeout, x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
  } else {
    if (is_tls_error(rc)) kind = "tls";
    snprintf(msg, sizeof msg, "%s%s%s", curl_easy_strerror(rc), x->errbuf[0] ? ": " : "", x->errbuf);
  }
  lua_pushnil(L);
  hwc_push_error(L, kind, NULL, msg);
  if (name) lua_pushstring(L, name);
  else lua_pushfstring(L, "CURLE_%d", (int)rc);
  lua_setfield(L, -2, "code");
  lua_pushinteger(L, (lua_Integer)rc);
  lua_setfield(L, -2, "curl_code");
  lua_pushboolean(L, sent);
  lua_setfield(L, -2, "request_sent");
  lua_pushboolean(L, !sent);
  lua_setfield(L, -2, "retryable");
  return 2;
}

/* ---- sending ------------------------------------------------------------------------- */

static int add_header_line(xfer *x, const char *k, size_t kn, const char *v, size_t vn) {
  struct curl_slist *next;
  sbuf_reset(&x->line);
  sbuf_add(&x->line, k, kn);
  if (vn == 0) sbuf_addc(&x->line, ';'); /* "Name;" sends an empty header; "Name:" would drop it */
  else {
    sbuf_add(&x->line, ": ", 2);
    sbuf_add(&x->line, v, vn);
  }
  sbuf_addc(&x->line, '\0');
  if (!sbuf_ok(&x->line)) return 0;
  next = curl_slist_append(x->slist, x->line.p);
  if (next == NULL) return 0;
  x->slist = next;
  return 1;
}

/* Sets x up for the request table at req. Options that never change are set once per handle;
 * each request sets only what varies (libcurl re-initialises a lot after curl_easy_reset).
 * copy_body: keep a private copy of the body (a batch outlives the call). */
static void xfer_setup(lua_State *L, hwc_http *h, xfer *x, int req, int copy_body) {
  const char *method, *url, *body;
  size_t mn, un, bn = 0;
  int has_ua = 0, is_post, bad = 0; /* a wrong type reads as absent: prepare made the table */
  CURL *c;

  req = lua_absindex(L, req);
  luaL_checktype(L, req, LUA_TTABLE);
  method = hwc_opt_string(L, req, "method", &mn, &bad);
  url = hwc_opt_string(L, req, "url", &un, &bad);
  body = hwc_opt_string(L, req, "body", &bn, &bad);
  if (method == NULL || url == NULL) luaL_error(L, "request needs a method and a url");
  if (memchr(url, '\0', un) || memchr(method, '\0', mn)) luaL_error(L, "request url or method contains NUL");
  if (x->easy == NULL && (x->easy = curl_easy_init()) == NULL) luaL_error(L, "curl_easy_init failed");
  c = x->easy;
  if (x->slist) curl_slist_free_all(x->slist);
  x->slist = NULL;
  lua_getfield(L, req, "headers");
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      size_t kn, vn;
      const char *k, *v;
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "request headers must map strings to strings");
      k = lua_tolstring(L, -2, &kn);
      v = lua_tolstring(L, -1, &vn);
      if (memchr(k, '\0', kn) || memchr(v, '\r', vn) || memchr(v, '\n', vn) || memchr(v, '\0', vn) ||
          memchr(k, ':', kn) || memchr(k, '\r', kn) || memchr(k, '\n', kn))
        luaL_error(L, "request header contains CR, LF, NUL or a bad name");
      if (kn == 10 && strncasecmp(k, "user-agent", 10) == 0) has_ua = 1;
      if (!add_header_line(x, k, kn, v, vn)) luaL_error(L, "out of memory");
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  { /* "Expect:" removes libcurl's 100-continue round trip (and an unsigned header) */
    struct curl_slist *next = curl_slist_append(x->slist, "Expect:");
    if (next == NULL) luaL_error(L, "out of memory");
    x->slist = next;
  }
  sbuf_reset(&x->body);
  sbuf_reset(&x->head);
  x->too_large = 0;
  x->errbuf[0] = '\0';
  x->max_body = h->max_body;
  if (!x->configured) {
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(h->timeout * 1000));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->connect_timeout * 1000));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->verify_tls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->verify_tls ? 2L : 0L);
    if (h->ca_file[0]) curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    if (h->proxy_off) curl_easy_setopt(c, CURLOPT_PROXY, "");
    else if (h->proxy[0]) curl_easy_setopt(c, CURLOPT_PROXY, h->proxy);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_PRIVATE, x);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &x->upload);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
    x->configured = 1;
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->slist);
  curl_easy_setopt(c, CURLOPT_USERAGENT, has_ua ? NULL : h->user_agent);
  is_post = mn == 4 && memcmp(method, "POST", 4) == 0;
  if (mn == 3 && memcmp(method, "GET", 3) == 0 && body == NULL) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (mn == 4 && memcmp(method, "HEAD", 4) == 0) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, is_post ? NULL : method);
    if (body != NULL || is_post) {
      if (copy_body) {
        sbuf_reset(&x->copy);
        sbuf_add(&x->copy, body ? body : "", bn);
        if (!sbuf_ok(&x->copy)) luaL_error(L, "out of memory");
        body = x->copy.p;
      }
      x->upload.p = body ? body : "";
      x->upload.len = bn;
      x->upload.pos = 0;
      curl_easy_setopt(c, CURLOPT_POST, 1L); /* also clears HTTPGET and NOBODY */
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bn);
    } else {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L); /* a bodiless custom method: DELETE and the like */
    }
  }
}

/* After a transfer: counts it, frees its header list, and pushes status, headers, body (3) or
 * nil, err (2). */
static int xfer_finish(lua_State *L, hwc_http *h, xfer *x, CURLcode rc) {
  long status = 0;
  curl_off_t connects = 0;
  int n;
  curl_slist_free_all(x->slist);
  x->slist = NULL;
  h->requests++;
  if (curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) h->connections += (unsigned long)connects;
  if (rc != CURLE_OK) {
    n = transfer_error(L, h, x, rc);
  } else {
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    lua_pushinteger(L, status);
    push_headers(L, &x->head);
    lua_pushlstring(L, x->body.p ? x->body.p : "", x->body.len);
    n = 3;
  }
  /* keep memory small between calls when a response was large */
  if (x->body.cap > 64 * 1024) sbuf_free(&x->body);
  if (x->copy.cap > 64 * 1024) sbuf_free(&x->copy);
  return n;
}

int hwc_http_send(lua_State *L, hwc_http *h, int req) {
  xfer_setup(L, h, &h->one, req, 0); /* the body is the caller's string, alive during the call */
  return xfer_finish(L, h, &h->one, curl_easy_perform(h->one.easy));
}

/* ---- batches: many transfers at once on one thread (libcurl multi) --------------------- */

/* client:batch_add(id, req): starts sending req; its answer comes back from batch_run. */
static int http_batch_add(lua_State *L) {
  hwc_http *h = hwc_http_check(L, 1);
  long long id;
  xfer *x = NULL;
  int i;
  if (!hwc_tointeger(L, 2, &id)) return luaL_argerror(L, 2, "integer id expected");
  luaL_checktype(L, 3, LUA_TTABLE);
  if (h->multi == NULL && (h->multi = curl_multi_init()) == NULL) return luaL_error(L, "curl_multi_init failed");
  for (i = 0; i < h->nbatch && x == NULL; i++)
    if (!h->batch[i]->busy) x = h->batch[i];
  if (x == NULL) { /* one more; no Lua call runs between the allocations and their storing */
    xfer **more;
    if (h->nbatch >= 1024) return luaL_error(L, "more than 1024 requests in flight");
    x = (xfer *)malloc(sizeof *x);
    if (x == NULL) return luaL_error(L, "out of memory");
    more = (xfer **)realloc(h->batch, (size_t)(h->nbatch + 1) * sizeof *more);
    if (more == NULL) {
      free(x);
      return luaL_error(L, "out of memory");
    }
    xfer_init(x);
    h->batch = more;
    h->batch[h->nbatch++] = x;
  }
  xfer_setup(L, h, x, 3, 1);
  x->id = (lua_Integer)id;
  if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) return luaL_error(L, "curl_multi_add_handle failed");
  x->busy = 1;
  h->inflight++;
  return 0;
}

/* client:batch_run(wait) -> { {id=, status=, headers=, body=} | {id=, err=} ... }, in flight:
 * moves every transfer along, waiting up to `wait` seconds for activity when none finished. */
static int http_batch_run(lua_State *L) {
  hwc_http *h = hwc_http_check(L, 1);
  double wait = luaL_optnumber(L, 2, 0);
  int running = 0, pass, done = 0;
  lua_newtable(L);
  if (h->multi == NULL || h->inflight == 0) {
    lua_pushinteger(L, 0);
    return 2;
  }
  for (pass = 0; pass < 2; pass++) {
    CURLMsg *msg;
    int left;
    curl_multi_perform(h->multi, &running);
    while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
      xfer *x = NULL;
      int n;
      if (msg->msg != CURLMSG_DONE) continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
      if (x == NULL) continue;
      curl_multi_remove_handle(h->multi, x->easy);
      x->busy = 0;
      h->inflight--;
      lua_createtable(L, 0, 4);
      lua_pushinteger(L, x->id);
      lua_setfield(L, -2, "id");
      n = xfer_finish(L, h, x, msg->data.result);
      if (n == 3) {
        lua_setfield(L, -4, "body");
        lua_setfield(L, -3, "headers");
        lua_setfield(L, -2, "status");
      } else {
        lua_setfield(L, -3, "err");
        lua_pop(L, 1);
      }
      lua_rawseti(L, -2, ++done);
    }
    if (done || h->inflight == 0 || wait <= 0 || pass == 1) break;
    curl_multi_poll(h->multi, NULL, 0, (int)(wait * 1000), NULL);
  }
  lua_pushinteger(L, h->inflight);
  return 2;
}

/* client:batch_abort(): drops every transfer in flight (their answers are never read). */
static int http_batch_abort(lua_State *L) {
  hwc_http *h = (hwc_http *)luaL_checkudata(L, 1, HWC_HTTP_MT);
  int i;
  for (i = 0; i < h->nbatch; i++) {
    xfer *x = h->batch[i];
    if (x->busy) {
      curl_multi_remove_handle(h->multi, x->easy);
      x->busy = 0;
      if (x->slist) curl_slist_free_all(x->slist);
      x->slist = NULL;
    }
  }
  h->inflight = 0;
  return 0;
}

static int http_send(lua_State *L) {
  hwc_http *h = hwc_http_check(L, 1);
  return hwc_http_send(L, h, 2);
}

static int http_stats(lua_State *L) {
  hwc_http *h = (hwc_http *)luaL_checkudata(L, 1, HWC_HTTP_MT);
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, (lua_Integer)h->requests);
  lua_setfield(L, -2, "requests");
  lua_pushinteger(L, (lua_Integer)h->connections);
  lua_setfield(L, -2, "connections");
  return 1;
}

static int http_tostring(lua_State *L) {
  hwc_http *h = (hwc_http *)luaL_checkudata(L, 1, HWC_HTTP_MT);
  lua_pushfstring(L, "huaweicloud.http_client (%s, %p)", h->closed ? "closed" : "open", (void *)h);
  return 1;
}

static const luaL_Reg http_methods[] = {
  {"send", http_send},
  {"batch_add", http_batch_add},
  {"batch_run", http_batch_run},
  {"batch_abort", http_batch_abort},
  {"stats", http_stats},
  {"close", http_close},
  {NULL, NULL}
};

void hwc_http_metatable(lua_State *L) {
  if (luaL_newmetatable(L, HWC_HTTP_MT)) {
    luaL_newlib(L, http_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, http_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, http_close);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, http_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
}
