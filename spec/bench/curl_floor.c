/* curl_floor.c - the floor the SDK is measured against: one libcurl easy handle posting the same
 * prebuilt request N times over a kept-alive connection, doing nothing else.
 *   curl_floor URL HEADERS_FILE BODY_FILE N [WARM]  ->  "calls/s cpu_us_per_call"
 * (WARM calls first, default N/10 + 1, not counted: connect, caches)
 * HEADERS_FILE holds "Name: value" lines (the SDK's signed headers); BODY_FILE the exact body.
 * With FLOOR_SDK_OPTIONS=1 in the environment it also sets what the SDK's transport needs of
 * libcurl on every call (timeouts, a header callback, the send-once guard, an error buffer): the
 * share of the transport's cost that is libcurl's own work for those features. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "floor.h"

static size_t sink(char *p, size_t size, size_t n, void *ud) {
  (void)p;
  (void)ud;
  return size * n;
}

static size_t header_sink(char *p, size_t size, size_t n, void *ud) {
  (void)p;
  (void)ud;
  return size * n;
}

#if LIBCURL_VERSION_NUM >= 0x075000 /* CURLOPT_PREREQFUNCTION: libcurl 7.80, as in csrc/http.c */
static int prereq(void *ud, char *ip, char *local_ip, int port, int local_port) {
  (void)ud, (void)ip, (void)local_ip, (void)port, (void)local_port;
  return CURL_PREREQFUNC_OK;
}
#endif

static void sdk_options(CURL *c, char *errbuf) {
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_sink);
#if LIBCURL_VERSION_NUM >= 0x075000
  curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, prereq);
#endif
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
}

int main(int argc, char **argv) {
  static char errbuf[CURL_ERROR_SIZE];
  size_t hlen = 0, blen = 0;
  long n, i, warm;
  char *headers, *body, *line;
  struct curl_slist *list = NULL;
  struct timespec t0, t1;
  double c0, wall;
  CURL *c;
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: %s URL HEADERS_FILE BODY_FILE N [WARM]\n", argv[0]);
    return 2;
  }
  headers = slurp(argv[2], &hlen);
  body = slurp(argv[3], &blen);
  n = atol(argv[4]);
  warm = argc == 6 ? atol(argv[5]) : n / 10 + 1;
  if (!headers || !body || n < 1) return 2;
  for (line = strtok(headers, "\n"); line; line = strtok(NULL, "\n")) list = curl_slist_append(list, line);
  list = curl_slist_append(list, "Expect:");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, argv[1]);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)blen);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  if (getenv("FLOOR_SDK_OPTIONS")) sdk_options(c, errbuf);
  for (i = 0; i < warm; i++) curl_easy_perform(c);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  c0 = cpu_seconds();
  for (i = 0; i < n; i++) {
    long status = 0;
    if (curl_easy_perform(c) != CURLE_OK) return 1;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.1f %.2f\n", n / wall, (cpu_seconds() - c0) / n * 1e6);
  curl_easy_cleanup(c);
  curl_slist_free_all(list);
  free(headers);
  free(body);
  return 0;
}
