/* lsecrets.h - secrets per prepared request, and hiding them in what the SDK shows.
 * prepare keeps a record per request table (weak-keyed, so it goes with the request): the
 * request's secret values (AK, SK, tokens, every sensitive body field) and where the walker
 * wrote secret values into the body. Anything shown later (a masked dry run, an error a server
 * echoed, a canonical-request diff) is scrubbed with that record.
 *   core.mask(req) -> a copy of req with every secret shown as ***
 *   core.scrub(text [, req | { secret, ... }]) -> text with req's secrets (or those given; and
 *       tokens/signatures anywhere) masked
 *   core.sensitive_name(name) -> true when a field/header of that name holds a secret
 *   core.prepared(v) -> true when v is a request table prepare made (and knows the secrets of) */
#ifndef HWC_LSECRETS_H
#define HWC_LSECRETS_H

#include <stddef.h>
#include "lua.h"
#include "secrets.h"

/* Pushes a new, empty record. */
void hwc_secrets_new(lua_State *L);
/* Pushes a new record holding the values and ranges of r. */
void hwc_secrets_push_record(lua_State *L, const hwc_secrec *r);
/* Ties the record at rec to the request table at req, with the body string at body (or 0). */
void hwc_secrets_attach(lua_State *L, int req, int rec, int body);
/* Pushes the record of the request at req, the table at req itself when it is a list of
 * secret strings, or an empty one (req 0, or a table that is neither). */
void hwc_secrets_push_of(lua_State *L, int req);
/* Pushes s[0..n) with the secrets of the record at rec masked. */
void hwc_push_scrubbed(lua_State *L, const char *s, size_t n, int rec);
/* Replaces every string field of the error table at err by its scrubbed text. */
void hwc_scrub_error(lua_State *L, int err, int rec);

int hwc_lua_mask(lua_State *L);
int hwc_lua_scrub(lua_State *L);
int hwc_lua_sensitive_name(lua_State *L);
int hwc_lua_prepared(lua_State *L);

#endif
