/* http.h - a client userdata owning one libcurl easy handle, so connections are reused
 * across calls. libcurl never calls back into Lua: the body and headers go to buffers the
 * userdata owns, so a Lua error cannot longjmp through libcurl and nothing leaks.
 *   core.http_client{ timeout = 30, connect_timeout = 10, proxy?, ca_file?, verify_tls = true,
 *                     user_agent?, max_body = 8 MiB } -> client
 *   client:send{ method, url, headers, body? } -> status, headers, body | nil, err
 *   core.http_options(opts) -> true | nil, err: the same checks, as a config error naming the option
 *   client:batch_add(id, req) -> true | nil, err; client:batch_run(wait) -> finished, in_flight (libcurl multi:
 *     many requests at once on one thread; finished = { {id, status, headers, body} | {id, err} })
 *   client:stats() -> { requests, connections }
 *   client:close()  (also __gc and __close) */
#ifndef HWC_HTTP_H
#define HWC_HTTP_H

#include "lua.h"
#include "uri.h"

#define HWC_HTTP_MT "huaweicloud.http_client"

typedef struct hwc_http hwc_http;

/* The open client at idx; raises when it is not one or is closed. */
hwc_http *hwc_http_check(lua_State *L, int idx);
/* Sends the request table at req; pushes status, headers, body and returns 3, or pushes
 * nil, err (kind network/timeout/tls) and returns 2. */
int hwc_http_send(lua_State *L, hwc_http *h, int req);

/* A request built in C (core.<op>: prepare's parts, no Lua table in between). The strings stay
 * valid until the send returns; headers were checked when they were added. */
typedef struct hwc_http_req {
  const char *method;
  const char *url; /* NUL-terminated */
  size_t url_len;
  const hwc_kv *headers;
  size_t nheaders;
  const char *authorization; /* or NULL */
  size_t authorization_len;
  const char *body; /* or NULL: none */
  size_t body_len;
  double limit; /* > 0: seconds this transfer may take at most (a caller's deadline) */
} hwc_http_req;
/* As hwc_http_send. */
int hwc_http_send_c(lua_State *L, hwc_http *h, const hwc_http_req *r);

int hwc_lua_http_client(lua_State *L);
int hwc_lua_http_options(lua_State *L);
/* Creates the client metatable (once, at luaopen). */
void hwc_http_metatable(lua_State *L);

#endif
