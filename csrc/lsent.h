/* lsent.h - what the parse engine knows of the request an answer is to (its secrets, so no
 * error shows them; its canonical request, for a 401's diff), and that record kept as a Lua value
 * for a transport that sends the bytes itself (core.wire) (lsent.c). */
#ifndef HWC_LSENT_H
#define HWC_LSENT_H

#include <stddef.h>
#include "lua.h"
#include "secrets.h"

/* What parse knows of the request an answer is to: a prepared request table (req), or the
 * parts of one sent from C; any may be absent. Secrets come from req's record or from sec. */
typedef struct hwc_sent {
  int req;
  const hwc_secrec *sec;
  const char *canonical, *method;
  size_t canonical_len;
} hwc_sent;

#define HWC_SENT_MT "huaweicloud.sent"
/* Pushes sent as one userdata (its secrets and canonical request copied flat). */
void hwc_sent_push(lua_State *L, const hwc_sent *sent);
/* Fills sent (and sec, which it points to) from the sent userdata at idx; 0 when it is not one. */
int hwc_sent_from(lua_State *L, int idx, hwc_sent *sent, hwc_secrec *sec);

#endif
