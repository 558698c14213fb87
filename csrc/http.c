/* http.c - the libcurl client userdata; see http.h. */
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <math.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "compat.h"
#include "errors.h"
#include "http.h"
#include "lhead.h"
#include "lrequest.h"
#include "sbuf.h"
#include "version.h"

#define DEFAULT_USER_AGENT "huaweicloud-sdk-lua/" HWC_VERSION
#define DEFAULT_MAX_BODY (8u * 1024u * 1024u)
#define MAX_INFLIGHT 1024 /* transfers of one client's batches at once */

/* libcurl re-sends a request by itself when a kept-alive connection dies before the answer; for
 * a create that already reached the server that is a second create. From 7.80 a pre-request
 * callback sees every start of a request within a transfer and refuses the second (the body
 * then goes with the headers, in one send); before it, the body goes through a read callback
 * that cannot rewind, which makes libcurl give up instead. Either way the call fails as
 * CONNECTION_LOST_AFTER_SEND, and only a reconnect before sending is done by libcurl. */
#if LIBCURL_VERSION_NUM >= 0x075000
#define HWC_PREREQ_GUARD 1
#else
#define HWC_PREREQ_GUARD 0
/* The request body as libcurl reads it (see on_read). */
typedef struct body_reader {
  const char *p;
  size_t len, pos;
} body_reader;
#endif

/* One transfer: an easy handle and everything it needs, owned by the client userdata so a Lua
 * error anywhere leaves nothing behind. */
typedef struct xfer {
  CURL *easy;
  struct curl_slist *slist; /* request headers: nodes in hnodes, lines in hlines */
  sbuf hlines, hnodes;
  sbuf body, head;
  sbuf copy;                /* batch: the request body, copied (the Lua string may go away) */
#if HWC_PREREQ_GUARD
  int starts;               /* requests libcurl started in this transfer */
#else
  body_reader upload;
#endif
  size_t max_body;
  double timeout, connect_timeout; /* this transfer's limits (the client's, or a caller's shorter one) */
  int too_large, busy, configured;
  int in_use;               /* send(): between the transfer and its results being pushed */
  lua_Integer id;           /* batch: the caller's id for this request */
  char errbuf[CURL_ERROR_SIZE];
} xfer;

/* The options of a client, checked once (hwc_http_options) and kept. */
typedef struct http_opts {
  double timeout, connect_timeout; /* seconds */
  size_t max_body;
  int verify_tls, proxy_off;
  char proxy[512], ca_file[1024], user_agent[256];
} http_opts;

struct hwc_http {
  xfer one;       /* send() */
  CURLM *multi;   /* batches: made on first use, kept for its connection cache */
  xfer **batch;   /* the batch's transfers (each at a fixed address libcurl holds), reused */
  int nbatch, inflight;
  http_opts o;
  int closed;
  unsigned long requests, connections;
  unsigned long generation; /* the process generation the connections belong to (see forked) */
  int *socks;               /* the sockets libcurl opened for this client and has not closed */
  size_t nsocks, capsocks;
};

/* A fork() child shares its parent's kept-alive connections: both would read each other's
 * answers. Each fork bumps the generation in the child; a client from an older generation drops
 * its connections (their descriptors first pointed at /dev/null, so nothing libcurl or OpenSSL
 * writes while closing reaches the parent's peer) and opens fresh ones. */
static unsigned long generation;
static void on_fork_child(void) { generation++; }

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK; /* what libcurl's global init said, for every client after */
static void curl_init_once(void) {
  curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  /* without the handler a forked child would reuse its parent's connections: refuse to run so */
  if (pthread_atfork(NULL, NULL, on_fork_child) != 0 && curl_init_rc == CURLE_OK) curl_init_rc = CURLE_FAILED_INIT;
}

static void xfer_init(xfer *x) {
  memset(x, 0, sizeof *x);
  sbuf_init(&x->body);
  sbuf_init(&x->head);
  sbuf_init(&x->hlines);
  sbuf_init(&x->hnodes);
  sbuf_init(&x->copy);
}

static void xfer_free(xfer *x, CURLM *multi) {
  if (x->easy && x->busy && multi) curl_multi_remove_handle(multi, x->easy);
  if (x->easy) curl_easy_cleanup(x->easy);
  x->easy = NULL;
  x->busy = 0;
  x->configured = 0; /* a new handle is set up from scratch */
  x->slist = NULL;
  sbuf_free(&x->body);
  sbuf_free(&x->head);
  sbuf_free(&x->hlines);
  sbuf_free(&x->hnodes);
  sbuf_free(&x->copy);
}

/* Frees every handle (and so every connection); the client can make new ones afterwards. */
static void drop_handles(hwc_http *h) {
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
}

static void release(hwc_http *h) {
  drop_handles(h);
  free(h->socks);
  h->socks = NULL;
  h->nsocks = h->capsocks = 0;
  h->closed = 1;
}

/* ---- the sockets libcurl opens, so a fork child can let go of them ---------------------- */

static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a) {
  hwc_http *h = (hwc_http *)ud;
  curl_socket_t fd;
  (void)purpose;
  if (h->nsocks == h->capsocks) {
    size_t cap = h->capsocks ? 2 * h->capsocks : 8;
    int *more = (int *)realloc(h->socks, cap * sizeof *more);
    if (more == NULL) return CURL_SOCKET_BAD; /* the transfer fails as COULDNT_CONNECT */
    h->socks = more;
    h->capsocks = cap;
  }
  fd = socket(a->family, a->socktype, a->protocol);
  if (fd != CURL_SOCKET_BAD) h->socks[h->nsocks++] = fd;
  return fd;
}

static int on_close_socket(void *ud, curl_socket_t fd) {
  hwc_http *h = (hwc_http *)ud;
  size_t i;
  for (i = 0; i < h->nsocks; i++)
    if (h->socks[i] == fd) {
      h->socks[i] = h->socks[--h->nsocks];
      break;
    }
  return close(fd);
}

/* In a fork child: the inherited connections are the parent's; never touch them again. */
static void forked(hwc_http *h) {
  int devnull = open("/dev/null", O_RDWR);
  size_t i;
  for (i = 0; i < h->nsocks && devnull >= 0; i++) dup2(devnull, h->socks[i]);
  if (devnull >= 0) close(devnull);
  drop_handles(h); /* closes the descriptors, which now point at /dev/null */
  h->nsocks = 0;
  h->generation = generation;
}

static int http_close(lua_State *L) {
  hwc_http *h = (hwc_http *)luaL_checkudata(L, 1, HWC_HTTP_MT);
  release(h);
  return 0;
}

hwc_http *hwc_http_check(lua_State *L, int idx) {
  hwc_http *h = (hwc_http *)luaL_checkudata(L, idx, HWC_HTTP_MT);
  if (h->closed) luaL_argerror(L, idx, "the HTTP client is closed");
  if (h->generation != generation && !h->one.in_use) forked(h);
  return h;
}

/* ---- options ------------------------------------------------------------------------ */

#define MAX_SECONDS 86400.0

/* Reads the options table at t into o. Returns NULL, or a message and the option it is about:
 * every option is checked here, when the client is made, never at its first call. */
static const char *read_seconds(lua_State *L, int t, const char *k, double dflt, double *out) {
  *out = dflt;
  lua_getfield(L, t, k);
  if (!lua_isnil(L, -1)) {
    double v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : -1;
    lua_pop(L, 1);
    if (!(v > 0) || v > MAX_SECONDS) return "must be a number of seconds greater than 0 and at most 86400";
    *out = v;
    return NULL;
  }
  lua_pop(L, 1);
  return NULL;
}

/* A string option copied into out. controls: refuse every control byte (it reaches the wire),
 * else only NUL, CR and LF. */
static const char *read_string(lua_State *L, int t, const char *k, char *out, size_t cap, int controls) {
  size_t n, i;
  const char *s, *why = NULL;
  lua_getfield(L, t, k);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return NULL;
  }
  if (lua_type(L, -1) != LUA_TSTRING) why = "must be a string";
  else {
    s = lua_tolstring(L, -1, &n);
    if (n >= cap) why = cap == 256 ? "must be at most 255 bytes" : cap == 512 ? "must be at most 511 bytes"
                                                                             : "must be at most 1023 bytes";
    for (i = 0; !why && i < n; i++)
      if (controls ? ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) : (s[i] == '\0' || s[i] == '\r' || s[i] == '\n'))
        why = controls ? "must not contain control characters" : "must not contain NUL, CR or LF";
    if (!why) {
      memcpy(out, s, n);
      out[n] = '\0';
    }
  }
  lua_pop(L, 1);
  return why;
}

static const char *read_options(lua_State *L, int t, http_opts *o, const char **field) {
  const char *why;
  memset(o, 0, sizeof *o);
  o->verify_tls = 1;
  o->max_body = DEFAULT_MAX_BODY;
  strcpy(o->user_agent, DEFAULT_USER_AGENT);
  if ((why = read_seconds(L, t, *field = "timeout", 30, &o->timeout)) != NULL) return why;
  if ((why = read_seconds(L, t, *field = "connect_timeout", 10, &o->connect_timeout)) != NULL) return why;
  lua_getfield(L, t, *field = "verify_tls");
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TBOOLEAN) why = "must be a boolean";
  else if (!lua_isnil(L, -1)) o->verify_tls = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (why) return why;
  lua_getfield(L, t, *field = "max_body");
  if (!lua_isnil(L, -1)) {
    long long v = 0;
    if (!hwc_tointeger(L, -1, &v) || v < 1 || v > (long long)1 << 40) why = "must be a whole number of bytes, at least 1";
    else o->max_body = (size_t)v;
  }
  lua_pop(L, 1);
  if (why) return why;
  lua_getfield(L, t, *field = "proxy");
  if (lua_type(L, -1) == LUA_TBOOLEAN) {
    if (lua_toboolean(L, -1)) why = "must be a URL, or false for no proxy";
    o->proxy_off = 1;
  }
  lua_pop(L, 1);
  if (why) return why;
  if (!o->proxy_off && (why = read_string(L, t, "proxy", o->proxy, sizeof o->proxy, 0)) != NULL) return why;
  if ((why = read_string(L, t, *field = "ca_file", o->ca_file, sizeof o->ca_file, 0)) != NULL) return why;
  if ((why = read_string(L, t, *field = "user_agent", o->user_agent, sizeof o->user_agent, 1)) != NULL) return why;
  *field = NULL;
  return NULL;
}

/* core.http_options(opts) -> true | nil, err (kind config, naming the option) */
int hwc_lua_http_options(lua_State *L) {
  http_opts o;
  const char *field = NULL, *why;
  luaL_checktype(L, 1, LUA_TTABLE);
  if ((why = read_options(L, 1, &o, &field)) != NULL) return hwc_fail(L, "config", field, "%s", why);
  lua_pushboolean(L, 1);
  return 1;
}

int hwc_lua_http_client(lua_State *L) {
  hwc_http *h;
  const char *field = NULL, *why;
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
  if ((why = read_options(L, 1, &h->o, &field)) != NULL) return luaL_error(L, "%s %s", field, why);
  pthread_once(&curl_once, curl_init_once);
  if (curl_init_rc != CURLE_OK)
    return luaL_error(L, "libcurl could not be initialised: %s", curl_easy_strerror(curl_init_rc));
  h->generation = generation;
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

#if HWC_PREREQ_GUARD
static int on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port, int local_port) {
  xfer *x = (xfer *)ud;
  (void)primary_ip;
  (void)local_ip;
  (void)primary_port;
  (void)local_port;
  return ++x->starts > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}
#else
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
#endif

/* ---- results --------------------------------------------------------------------------- */

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
    snprintf(msg, sizeof msg, "response body larger than max_body (%zu bytes)", h->o.max_body);
    name = "RESPONSE_TOO_LARGE";
#if HWC_PREREQ_GUARD
  } else if (rc == CURLE_ABORTED_BY_CALLBACK && x->starts > 1) { /* see on_prereq */
#else
  } else if (rc == CURLE_SEND_FAIL_REWIND) { /* see on_seek */
#endif
    snprintf(msg, sizeof msg, "the kept-alive connection closed after the request was sent; "
             "not sent again, as the server may have acted on it");
    name = "CONNECTION_LOST_AFTER_SEND";
    sent = 1;
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    /* name the limit that fired: connecting is bounded by the smaller of the two */
    int total = sent || x->timeout <= x->connect_timeout;
    const char *which = x->timeout < h->o.timeout ? "the caller's deadline" : "timeout";
    kind = "timeout";
    if (sent)
      snprintf(msg, sizeof msg, "no complete response within %.3g s (%s)", x->timeout, which);
    else
      snprintf(msg, sizeof msg, "could not connect within %.3g s (%s)", total ? x->timeout : x->connect_timeout,
               total ? which : "connect_timeout");
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

/* The request headers as libcurl takes them: a curl_slist whose nodes and lines live in the
 * transfer's own buffers, rebuilt per request without a malloc per header. */
static void hl_reset(xfer *x) {
  sbuf_reset(&x->hlines);
  sbuf_reset(&x->hnodes);
  x->slist = NULL;
}

static void hl_line(xfer *x, const char *k, size_t kn, const char *v, size_t vn, int raw) {
  struct curl_slist node;
  node.data = (char *)(uintptr_t)x->hlines.len; /* an offset until hl_done */
  node.next = NULL;
  sbuf_add(&x->hnodes, &node, sizeof node);
  sbuf_add(&x->hlines, k, kn);
  if (raw) {
    /* k is the whole line */
  } else if (vn == 0) {
    sbuf_addc(&x->hlines, ';'); /* "Name;" sends an empty header; "Name:" would drop it */
  } else {
    sbuf_add(&x->hlines, ": ", 2);
    sbuf_add(&x->hlines, v, vn);
  }
  sbuf_addc(&x->hlines, '\0');
}

/* Links the nodes (the buffers no longer move); 0 when out of memory. */
static int hl_done(xfer *x) {
  struct curl_slist *nodes = (struct curl_slist *)(void *)x->hnodes.p;
  size_t i, n = x->hnodes.len / sizeof *nodes;
  if (!sbuf_ok(&x->hlines) || !sbuf_ok(&x->hnodes)) return 0;
  for (i = 0; i < n; i++) {
    nodes[i].data = x->hlines.p + (size_t)(uintptr_t)nodes[i].data;
    nodes[i].next = i + 1 < n ? &nodes[i + 1] : NULL;
  }
  x->slist = n ? nodes : NULL;
  return 1;
}

/* Options that never change are set once per handle; each request sets only what varies
 * (libcurl re-initialises a lot after curl_easy_reset). */
static long to_ms(double seconds) { return (long)ceil(seconds * 1000); } /* never 0: 0 means no limit */

/* Every option set per request is checked: a URL libcurl refuses (too long, say) fails here. */
#define SETOPT(c, opt, v) \
  do { if (curl_easy_setopt(c, opt, v) != CURLE_OK) return "libcurl refused the request's " #opt; } while (0)

/* The request of a transfer, however it was given (a Lua table, or prepare's C parts). */
typedef struct out_req {
  const char *method, *url, *body; /* url NUL-terminated; body NULL: none */
  size_t mn, un, bn;
  int has_ua;
  double limit; /* > 0: no longer than this (a caller's deadline), below the client's timeouts */
} out_req;

/* What every transfer of a handle keeps: callbacks, TLS, proxy, protocols (set once per easy). */
static const char *configure_once(hwc_http *h, xfer *x) {
  CURL *c = x->easy;
  SETOPT(c, CURLOPT_NOSIGNAL, 1L);
  SETOPT(c, CURLOPT_SSL_VERIFYPEER, h->o.verify_tls ? 1L : 0L);
  SETOPT(c, CURLOPT_SSL_VERIFYHOST, h->o.verify_tls ? 2L : 0L);
  if (h->o.ca_file[0]) SETOPT(c, CURLOPT_CAINFO, h->o.ca_file);
  if (h->o.proxy_off) SETOPT(c, CURLOPT_PROXY, "");
  else if (h->o.proxy[0]) SETOPT(c, CURLOPT_PROXY, h->o.proxy);
#if LIBCURL_VERSION_NUM >= 0x075500
  SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  SETOPT(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  SETOPT(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  SETOPT(c, CURLOPT_OPENSOCKETDATA, h);
  SETOPT(c, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
  SETOPT(c, CURLOPT_CLOSESOCKETDATA, h);
  SETOPT(c, CURLOPT_FOLLOWLOCATION, 0L);
  SETOPT(c, CURLOPT_TCP_KEEPALIVE, 1L);
  SETOPT(c, CURLOPT_ERRORBUFFER, x->errbuf);
  SETOPT(c, CURLOPT_WRITEFUNCTION, on_body);
  SETOPT(c, CURLOPT_WRITEDATA, x);
  SETOPT(c, CURLOPT_HEADERFUNCTION, on_header);
  SETOPT(c, CURLOPT_HEADERDATA, x);
  SETOPT(c, CURLOPT_PRIVATE, x);
#if HWC_PREREQ_GUARD
  SETOPT(c, CURLOPT_PREREQFUNCTION, on_prereq);
  SETOPT(c, CURLOPT_PREREQDATA, x);
#else
  SETOPT(c, CURLOPT_READFUNCTION, on_read);
  SETOPT(c, CURLOPT_READDATA, &x->upload);
  SETOPT(c, CURLOPT_SEEKFUNCTION, on_seek);
#endif
  x->configured = 1;
  return NULL;
}

/* The method and the body: GET, HEAD, or a custom method; POST and PUT always frame a body
 * (Content-Length: 0 when there is none: gateways answer a bodiless PUT with 411). */
static const char *configure_method(lua_State *L, xfer *x, const out_req *r, int copy_body) {
  CURL *c = x->easy;
  const char *method = r->method, *body = r->body;
  size_t mn = r->mn, bn = r->bn;
  int is_post = mn == 4 && memcmp(method, "POST", 4) == 0;
  if (mn == 3 && memcmp(method, "GET", 3) == 0 && body == NULL) {
    SETOPT(c, CURLOPT_CUSTOMREQUEST, NULL);
    SETOPT(c, CURLOPT_HTTPGET, 1L);
    return NULL;
  }
  if (mn == 4 && memcmp(method, "HEAD", 4) == 0) {
    SETOPT(c, CURLOPT_CUSTOMREQUEST, NULL);
    SETOPT(c, CURLOPT_NOBODY, 1L);
    return NULL;
  }
  SETOPT(c, CURLOPT_CUSTOMREQUEST, is_post ? NULL : method);
  if (!(body != NULL || is_post || (mn == 3 && memcmp(method, "PUT", 3) == 0))) {
    SETOPT(c, CURLOPT_HTTPGET, 1L); /* a bodiless custom method: DELETE and the like */
    return NULL;
  }
  if (copy_body) {
    sbuf_reset(&x->copy);
    sbuf_add(&x->copy, body ? body : "", bn);
    if (!sbuf_ok(&x->copy)) luaL_error(L, "out of memory");
    body = x->copy.p;
  }
  SETOPT(c, CURLOPT_POST, 1L); /* also clears HTTPGET and NOBODY */
  SETOPT(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bn);
#if HWC_PREREQ_GUARD
  SETOPT(c, CURLOPT_POSTFIELDS, body ? body : ""); /* not copied: alive until the transfer ends */
#else
  x->upload.p = body ? body : "";
  x->upload.len = bn;
  x->upload.pos = 0;
#endif
  return NULL;
}

/* Sets x up for r, whose headers are in x's list already (hl_done not yet called).
 * copy_body: keep a private copy of the body (a batch outlives the call). */
static const char *xfer_configure(lua_State *L, hwc_http *h, xfer *x, const out_req *r, int copy_body) {
  CURL *c;
  const char *why;
  if (x->easy == NULL && (x->easy = curl_easy_init()) == NULL) luaL_error(L, "curl_easy_init failed");
  c = x->easy;
  /* "Expect:" removes libcurl's 100-continue round trip (and an unsigned header); without a
   * body, "Content-Type:" keeps libcurl from adding its form type to an empty POST */
  hl_line(x, "Expect:", 7, NULL, 0, 1);
  if (r->body == NULL) hl_line(x, "Content-Type:", 13, NULL, 0, 1);
  if (!hl_done(x)) luaL_error(L, "out of memory");
  sbuf_reset(&x->body);
  sbuf_reset(&x->head);
#if HWC_PREREQ_GUARD
  x->starts = 0;
#endif
  x->too_large = 0;
  x->errbuf[0] = '\0';
  x->max_body = h->o.max_body;
  /* every transfer sets its limits: a caller's deadline shortens this one only */
  x->timeout = r->limit > 0 && r->limit < h->o.timeout ? r->limit : h->o.timeout;
  x->connect_timeout = x->timeout < h->o.connect_timeout ? x->timeout : h->o.connect_timeout;
  SETOPT(c, CURLOPT_TIMEOUT_MS, to_ms(x->timeout));
  SETOPT(c, CURLOPT_CONNECTTIMEOUT_MS, to_ms(x->connect_timeout));
  if (!x->configured && (why = configure_once(h, x)) != NULL) return why;
  SETOPT(c, CURLOPT_URL, r->url);
  SETOPT(c, CURLOPT_HTTPHEADER, x->slist);
  SETOPT(c, CURLOPT_USERAGENT, r->has_ua ? NULL : h->o.user_agent);
  return configure_method(L, x, r, copy_body);
}

/* A request table { method, url, headers, body? } (a wrong type reads as absent: prepare made
 * the table; client:send checks what matters for the wire). */
static const char *xfer_setup(lua_State *L, hwc_http *h, xfer *x, int req, int copy_body) {
  out_req r;
  int bad = 0;
  req = lua_absindex(L, req);
  luaL_checktype(L, req, LUA_TTABLE);
  memset(&r, 0, sizeof r);
  r.method = hwc_opt_string(L, req, "method", &r.mn, &bad);
  r.url = hwc_opt_string(L, req, "url", &r.un, &bad);
  r.body = hwc_opt_string(L, req, "body", &r.bn, &bad);
  if (r.method == NULL || r.url == NULL) luaL_error(L, "request needs a method and a url");
  if (memchr(r.url, '\0', r.un) || memchr(r.method, '\0', r.mn)) luaL_error(L, "request url or method contains NUL");
  hl_reset(x);
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
      if (hwc_header_name_eq(k, kn, "User-Agent", 10)) r.has_ua = 1;
      hl_line(x, k, kn, v, vn, 0);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return xfer_configure(L, h, x, &r, copy_body);
}

/* A request prepare built (its headers checked when they were added). */
static const char *xfer_setup_c(lua_State *L, hwc_http *h, xfer *x, const hwc_http_req *hr, int copy_body) {
  out_req r;
  size_t i;
  memset(&r, 0, sizeof r);
  r.method = hr->method;
  r.mn = strlen(hr->method);
  r.url = hr->url;
  r.un = hr->url_len;
  r.body = hr->body;
  r.bn = hr->body_len;
  r.limit = hr->limit;
  hl_reset(x);
  for (i = 0; i < hr->nheaders; i++) {
    const hwc_kv *kv = &hr->headers[i];
    if (hwc_header_name_eq(kv->k, kv->kn, "User-Agent", 10)) r.has_ua = 1;
    hl_line(x, kv->k, kv->kn, kv->v, kv->vn, 0);
  }
  if (hr->authorization) hl_line(x, "Authorization", 13, hr->authorization, hr->authorization_len, 0);
  return xfer_configure(L, h, x, &r, copy_body);
}

/* After a transfer: counts it, frees its header list, and pushes status, headers, body (3) or
 * nil, err (2). */
static int xfer_finish(lua_State *L, hwc_http *h, xfer *x, CURLcode rc) {
  long status = 0;
  curl_off_t connects = 0;
  int n;
  h->requests++;
  if (curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) h->connections += (unsigned long)connects;
  if (rc != CURLE_OK) {
    n = transfer_error(L, h, x, rc);
  } else {
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    lua_pushinteger(L, status);
    hwc_push_head_headers(L, x->head.p ? x->head.p : "", x->head.len, 0);
    lua_pushlstring(L, x->body.p ? x->body.p : "", x->body.len);
    n = 3;
  }
  /* keep memory small between calls when a response was large */
  if (x->body.cap > 64 * 1024) sbuf_free(&x->body);
  if (x->copy.cap > 64 * 1024) sbuf_free(&x->copy);
  if (x->hlines.cap > 64 * 1024) sbuf_free(&x->hlines);
  return n;
}

#define XFER_MT "huaweicloud.http_xfer"

static int xfer_gc(lua_State *L) {
  xfer_free((xfer *)lua_touserdata(L, 1), NULL);
  return 0;
}

/* Pushes nil and a validation error for a request libcurl refused to take. */
static int refused(lua_State *L, const char *why) {
  return hwc_fail(L, "validation", NULL, "%s (is the URL or a header too long?)", why);
}

/* One transfer on the client's own handle; r is a request table (req) or C parts (hr). */
static int send_one(lua_State *L, hwc_http *h, int req, const hwc_http_req *hr) {
  xfer *x = &h->one;
  const char *why;
  int n, temp = 0;
  if (req) req = lua_absindex(L, req);
  if (x->in_use) {
    /* re-entered while pushing the results of this very handle (a __gc finalizer that calls the
     * same client): the inner call gets a transfer of its own, so neither sees the other's answer */
    x = (xfer *)lua_newuserdatauv(L, sizeof *x, 0);
    xfer_init(x);
    if (luaL_newmetatable(L, XFER_MT)) {
      lua_pushcfunction(L, xfer_gc);
      lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    temp = 1;
  }
  /* the body is the caller's string (or prepare's buffer), alive until this returns */
  why = hr ? xfer_setup_c(L, h, x, hr, 0) : xfer_setup(L, h, x, req, 0);
  if (why != NULL) n = refused(L, why);
  else {
    CURLcode rc = curl_easy_perform(x->easy);
    x->in_use = 1;
    n = xfer_finish(L, h, x, rc);
    x->in_use = 0;
  }
  if (temp) {
    xfer_free(x, NULL);
    lua_remove(L, -(n + 1));
  }
  return n;
}

int hwc_http_send(lua_State *L, hwc_http *h, int req) { return send_one(L, h, req, NULL); }

int hwc_http_send_c(lua_State *L, hwc_http *h, const hwc_http_req *r) { return send_one(L, h, 0, r); }

/* ---- batches: many transfers at once on one thread (libcurl multi) --------------------- */

/* client:batch_add(id, req) -> true | nil, err: starts sending req; its answer comes back from
 * batch_run. */
static int http_batch_add(lua_State *L) {
  hwc_http *h = hwc_http_check(L, 1);
  long long id;
  xfer *x = NULL;
  const char *why;
  int i;
  if (!hwc_tointeger(L, 2, &id)) return luaL_argerror(L, 2, "integer id expected");
  luaL_checktype(L, 3, LUA_TTABLE);
  if (h->multi == NULL) {
    if ((h->multi = curl_multi_init()) == NULL) return luaL_error(L, "curl_multi_init failed");
    /* libcurl's default cache is 4 connections per transfer still added: as a batch drains it
     * would close kept-alive connections the next batch needs. Keep as many as can be in flight. */
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)MAX_INFLIGHT);
  }
  for (i = 0; i < h->nbatch && x == NULL; i++)
    if (!h->batch[i]->busy) x = h->batch[i];
  if (x == NULL) { /* one more; no Lua call runs between the allocations and their storing */
    xfer **more;
    if (h->nbatch >= MAX_INFLIGHT) return luaL_error(L, "more than %d requests in flight", MAX_INFLIGHT);
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
  if ((why = xfer_setup(L, h, x, 3, 1)) != NULL) return refused(L, why);
  x->id = (lua_Integer)id;
  if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) return luaL_error(L, "curl_multi_add_handle failed");
  x->busy = 1;
  h->inflight++;
  lua_pushboolean(L, 1);
  return 1;
}

/* The multi interface itself failed: every transfer in flight ends with that error, pushed as
 * {id=, err=} entries into the table on top (after *done). Whether a request went out is not
 * known: it counts as sent, so nothing retries it blindly. */
static void fail_in_flight(lua_State *L, hwc_http *h, CURLMcode mc, int *done) {
  int i;
  for (i = 0; i < h->nbatch; i++) {
    xfer *x = h->batch[i];
    if (!x->busy) continue;
    curl_multi_remove_handle(h->multi, x->easy);
    x->busy = 0;
    h->inflight--;
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, x->id);
    lua_setfield(L, -2, "id");
    hwc_push_error(L, "network", NULL, curl_multi_strerror(mc));
    lua_pushfstring(L, "CURLM_%d", (int)mc);
    lua_setfield(L, -2, "code");
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "request_sent");
    lua_setfield(L, -2, "err");
    lua_rawseti(L, -2, ++*done);
  }
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
    CURLMcode mc;
    int left;
    if ((mc = curl_multi_perform(h->multi, &running)) != CURLM_OK) {
      fail_in_flight(L, h, mc, &done);
      break;
    }
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
    if ((mc = curl_multi_poll(h->multi, NULL, 0, (int)(wait * 1000), NULL)) != CURLM_OK) {
      fail_in_flight(L, h, mc, &done);
      break;
    }
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
