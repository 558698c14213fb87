-- huaweicloud.emulator.iam: the fake IAM project lookup and ECS metadata service behind the
-- emulator: projects per region name, and temporary credentials it then accepts until they expire.
local M = { handlers = {} }
local H = M.handlers

local util = require("huaweicloud.emulator.util")

local function iso8601(t)
  return os.date("!%Y-%m-%dT%H:%M:%S.000000Z", t)
end

-- GET /v3/projects?name=<region>
function H.keystone_list_projects(emu, ctx)
  emu.stats.iam_calls = emu.stats.iam_calls + 1
  local name = ctx.query.name or ""
  local ids = emu.cfg.projects and emu.cfg.projects[name]
  if ids == nil and not emu.cfg.projects then ids = { emu.cfg.project_id or "0a1b2c3d4e5f67890a1b2c3d4e5f6789" } end
  local projects = {}
  for i, id in ipairs(ids or {}) do
    projects[i] = { id = id, name = name, domain_id = "emulatordomain", parent_id = "emulatordomain", enabled = true,
      is_domain = false, description = "" }
  end
  return 200, { projects = projects, links = { self = "/v3/projects" } }, { ["X-IAM-Trace-Id"] = util.random_uuid() }
end

-- The account the emulator's credentials act in (keystone_list_projects names it as domain_id).
local DOMAIN = "emulatordomain"

-- GET /v3/auth/domains
function H.keystone_list_auth_domains(emu)
  emu.stats.iam_calls = emu.stats.iam_calls + 1
  return 200, { domains = { { id = DOMAIN, name = "emulator", enabled = true, description = "" } },
    links = { self = "/v3/auth/domains" } }
end

-- GET /v3.0/OS-AGENCY/agencies?domain_id=&name=: cfg.agencies, delegated to DIS (trust_domain_name
-- op_svc_dis, as the DIS console makes dis_admin_agency). Another domain has none here (what IAM
-- answers for a domain not one's own is not documented).
function H.list_agencies(emu, ctx)
  emu.stats.iam_calls = emu.stats.iam_calls + 1
  local q, out = ctx.query, {}
  if q.domain_id == DOMAIN then
    for i, name in ipairs(emu.cfg.agencies or {}) do
      if q.name == nil or q.name == name then
        out[#out + 1] = { id = ("%032x"):format(i), name = name, domain_id = DOMAIN, trust_domain_id = "op_svc_dis",
          trust_domain_name = "op_svc_dis", duration = "FOREVER", expire_time = util.null,
          create_time = "2026-01-01T00:00:00.000000", description = "" }
      end
    end
  end
  return 200, { agencies = util.array(out) }
end

-- PUT /meta-data/latest/api/token
function H.metadata_token(emu)
  emu.stats.metadata_token_calls = emu.stats.metadata_token_calls + 1
  if not emu.cfg.metadata_token then return 404, "" end
  local token = util.random_uuid()
  emu.metadata_tokens[token] = true
  return 200, token, { ["Content-Type"] = "text/plain" }
end

-- GET /openstack/latest/securitykey
function H.metadata_securitykey(emu, req)
  emu.stats.metadata_calls = emu.stats.metadata_calls + 1
  local given = req.headers["x-metadata-token"]
  if emu.cfg.metadata_token and not (given and emu.metadata_tokens[given]) then
    return 401, '{"error":"a valid X-Metadata-Token is needed"}'
  end
  if emu.cfg.metadata_fail then return 500, '{"error":"metadata service unavailable"}' end
  local ak = "TMP" .. util.random_uuid():gsub("%-", ""):sub(1, 17):upper()
  local t = { sk = util.random_uuid(), token = "tok-" .. util.random_uuid(),
    expires = emu.now() + emu.cfg.metadata_ttl }
  emu.temporary[ak] = t
  return 200, util.json.encode({ credential = { access = ak, secret = t.sk, securitytoken = t.token,
    expires_at = iso8601(t.expires) } })
end

return M
