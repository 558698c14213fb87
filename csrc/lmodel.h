/* lmodel.h - Lua bindings of the model walker and the JSON decoder the core shares.
 *   core.encode(model, tbl [, {validate=}]) -> json | nil, err
 *   core.validate(model, tbl [, {validate=}]) -> true | nil, err
 *   core.decode(model, json) -> typed table | nil, err
 *   core.redact(model, tbl) -> masked copy
 *   core.models() -> list of model names
 *   core.closest(name, names) -> the near-miss of name among names, or nil ("did you mean")
 *   core.describe(model) -> { {name, type, required, sensitive, enum?, min?, max?, model?, items?}, ... }
 *   core.registry_check() -> true | nil, message: every descriptor checked whole
 * `model` is a descriptor name such as "CreateSmartConnectTaskReq". */
#ifndef HWC_LMODEL_H
#define HWC_LMODEL_H

#include "lua.h"
#include "model.h"
#include "reqb.h"
#include "scratch.h"

/* Checks argument arg is a known model name; raises otherwise (a programmer error). */
const hwc_model *hwc_check_model(lua_State *L, int arg);
/* Decodes JSON text with a private lua-cjson instance (created on first use). Pushes the
 * value and returns NULL, or pushes nothing and returns a message (valid until the next call). */
const char *hwc_json_decode(lua_State *L, const char *s, size_t n);
/* Runs the walker on the table at idx into s->body; on failure pushes nil, err and returns 0.
 * secrets: collects the sensitive values and their body ranges, or NULL. allow: stack index of an
 * allow_unknown value (true, or a list of field paths), or 0; a bad one fails as "allow_unknown". */
int hwc_encode_into(lua_State *L, const hwc_model *m, int idx, int validate, hwc_secrec *secrets, int allow,
                    hwc_scratch *s);

int hwc_lua_encode(lua_State *L);
int hwc_lua_validate(lua_State *L);
int hwc_lua_decode(lua_State *L);
int hwc_lua_redact(lua_State *L);
int hwc_lua_models(lua_State *L);
int hwc_lua_describe(lua_State *L);
int hwc_lua_closest(lua_State *L);
int hwc_lua_registry_check(lua_State *L);

#endif
