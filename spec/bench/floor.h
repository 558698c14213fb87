/* floor.h - what the bench's plain-C floors (curl_floor.c, prepare_floor.c) share: reading a
 * file whole and the process's CPU time. Header-only: each floor is one C file and this. */
#ifndef HWC_BENCH_FLOOR_H
#define HWC_BENCH_FLOOR_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

/* The file at path, NUL-terminated, its length in *len; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (buf = malloc((size_t)n + 1)) != NULL) {
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
      free(buf);
      buf = NULL;
    } else {
      buf[n] = '\0';
      *len = (size_t)n;
    }
  }
  fclose(f);
  return buf;
}

/* User + system CPU time of this process, in seconds. */
static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

#endif
