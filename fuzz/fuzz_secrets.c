/* fuzz_secrets.c - libFuzzer harness whose oracle is "no secret, in any encoding, in any output".
 * The input chooses the secrets (AK, SK, security token, a password, an OBS access key), what a
 * server answers (status, request id, body, which may echo any of them) and what the request
 * carries; everything the SDK then shows is searched for every form of every secret: the masked
 * dry run (core.mask), the error value with all its fields, its tostring, the canonical-request
 * diff, hw.inspect-style redaction of the body, a success's request id (log lines show it). A
 * secret found is a crash. (A successful result and its headers are the server's own data and
 * are not searched.)
 *
 * Input: fields separated by NUL bytes: status (3 digits), ak, sk, token, password, access_key,
 * task_name, response body, request id. Each secret is prefixed with the marker "Zq9%" (so it
 * is never a word of the SDK's own output), and searched for when it holds no '*' (a mask "***"
 * next to other text could spell it by chance). */
#include <stdint.h>
#include <string.h>
#include "fuzz_lua.h"

static const char *const script =
  "local core, cjson = core, cjson\n"
  "local function forms(s)\n"
  "  local json = cjson.encode(s):sub(2, -2)\n"
  "  return { s, json, (json:gsub('\\\\/', '/')) }\n"
  "end\n"
  "local function collect(v, out, seen)\n"
  "  if type(v) == 'table' then\n"
  "    if seen[v] then return end\n"
  "    seen[v] = true\n"
  "    for k, x in pairs(v) do collect(k, out, seen) collect(x, out, seen) end\n"
  "  elseif type(v) == 'string' then out[#out + 1] = v end\n"
  "end\n"
  "return function(f)\n"
  "  -- a marker no field name, header or JSON text of the SDK holds: a secret is never mistaken\n"
  "  -- for the SDK's own vocabulary (a secret 'user_name' would be 'shown' as a key)\n"
  "  for _, k in ipairs({ 'ak', 'sk', 'token', 'password', 'access_key' }) do f[k] = 'Zq9%' .. f[k] end\n"
  "  local secrets = {}\n"
  "  for _, k in ipairs({ 'ak', 'sk', 'token', 'password', 'access_key' }) do\n"
  "    local s = f[k]\n"
  "    if #s >= 8 and not s:find('*', 1, true) then secrets[#secrets + 1] = s end\n"
  "  end\n"
  "  local cfg = { endpoint = 'http://127.0.0.1:1', date = '20240207T123456Z',\n"
  "    credentials = { ak = f.ak, sk = f.sk, security_token = f.token ~= '' and f.token or nil, project_id = 'p' } }\n"
  "  local body = { task_name = f.task_name, source_type = 'KAFKA_REPLICATOR_SOURCE',\n"
  "    source_task = { current_cluster_name = 'A', cluster_name = 'B', direction = 'pull', instance_id = 'x',\n"
  "      security_protocol = 'SASL_SSL', user_name = 'u', password = f.password, sasl_mechanism = 'PLAIN' },\n"
  "    sink_type = 'OBS_SINK', sink_task = { access_key = f.access_key, secret_key = f.sk, obs_bucket_name = 'b',\n"
  "      obs_path = 'p' } }\n"
  "  local shown = {}\n"
  "  for _, validate in ipairs({ true, false }) do\n"
  "    local req, err = core.prepare('create_connector_task', cfg, { instance_id = 'i', body = body,\n"
  "      validate = validate, headers = { ['X-Trace'] = f.task_name } })\n"
  "    if req then\n"
  "      collect(core.mask(req), shown, {})\n"
  "      local res, e = core.parse('create_connector_task', f.status, { ['X-Request-Id'] = f.request_id },\n"
  "        f.response, req)\n"
  "      if res == nil then\n"
  "        collect(e, shown, {})\n"
  "        shown[#shown + 1] = tostring(e)\n"
  "      else -- a result and its headers are the server's data; its request id is logged\n"
  "        collect({ e.request_id, e.note }, shown, {})\n"
  "      end\n"
  "      shown[#shown + 1] = core.scrub(f.response, req)\n"
  "    else\n"
  "      collect(err, shown, {}) shown[#shown + 1] = tostring(err)\n"
  "    end\n"
  "  end\n"
  "  -- inspect of a plain body masks its secret fields; a value the caller also put in task_name\n"
  "  -- is the caller's own data there\n"
  "  local plain = {}\n"
  "  collect(core.redact('CreateSmartConnectTaskReq', body), plain, {})\n"
  "  for _, s in ipairs({ f.password, f.access_key, f.sk }) do\n"
  "    if #s >= 8 and not s:find('*', 1, true) then\n"
  "      local mine = false\n"
  "      for _, form in ipairs(forms(s)) do mine = mine or f.task_name:find(form, 1, true) ~= nil end\n"
  "      for _, form in ipairs(forms(s)) do\n"
  "        if not mine and table.concat(plain, '\\0'):find(form, 1, true) then error('secret shown by redact', 0) end\n"
  "      end\n"
  "    end\n"
  "  end\n"
  "  local all = table.concat(shown, '\\0') -- no secret holds a NUL: they are split on it\n"
  "  for _, s in ipairs(secrets) do\n"
  "    for _, form in ipairs(forms(s)) do\n"
  "      local at = all:find(form, 1, true)\n"
  "      if at then error('secret shown: ' .. ('%q'):format(s) .. ' at ' .. ('%q'):format(all:sub(at - 20, at + 40)), 0) end\n"
  "    end\n"
  "  end\n"
  "end\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const names[] = {"status", "ak", "sk", "token", "password", "access_key", "task_name",
                                      "response", "request_id"};
  static int fn = LUA_NOREF;
  lua_State *L = fuzz_state();
  const char *p = (const char *)data, *end = p + size;
  int top = lua_gettop(L), i;
  long status;
  if (fn == LUA_NOREF) {
    if (luaL_loadstring(L, script) != 0 || lua_pcall(L, 0, 1, 0) != 0) fuzz_check(L, 1);
    fn = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  lua_createtable(L, 0, 9);
  for (i = 0; i < 9; i++) {
    const char *z = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
    size_t n = p < end ? (z ? (size_t)(z - p) : (size_t)(end - p)) : 0;
    if (i == 0) {
      char num[4] = {0};
      memcpy(num, p, n < 3 ? n : 3);
      status = strtol(num, NULL, 10);
      if (status < 100 || status > 999) status = 200;
      lua_pushinteger(L, status);
    } else {
      lua_pushlstring(L, p < end ? p : "", n);
    }
    lua_setfield(L, -2, names[i]);
    p += n + 1;
  }
  if (lua_pcall(L, 1, 0, 0) != 0) {
    fprintf(stderr, "fuzz_secrets: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_settop(L, top);
  lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}
