/* scratch.h - the buffers one request is built in (URL, body, decoded query, the walker's slots,
 * the signer's output, the request's secrets): reused from call to call, owned by a userdata so a
 * Lua error halfway leaks nothing (lscratch.c lends them). No Lua here. */
#ifndef HWC_SCRATCH_H
#define HWC_SCRATCH_H

#include "sbuf.h"
#include "secrets.h"
#include "signer.h"

typedef struct hwc_scratch {
  sbuf arena; /* decoded query bytes */
  sbuf body;  /* the JSON body prepare writes */
  sbuf slots; /* the model walker's per-object field slots */
  sbuf url;   /* the URL prepare builds */
  hwc_secrec sec; /* the request's secrets (prepare) */
  hwc_sign_out sig;
  int busy, shared;
  struct hwc_lease *lease; /* the shared scratch, while lent: the lease on the borrower's stack */
} hwc_scratch;

#endif
