-- huaweicloud.iam: IAM, what a pipeline checks before a DIS dump task: the accounts (domains) its
-- credentials act in and their agencies (keystone_list_auth_domains, list_agencies; the project
-- lookup the SDK itself uses, keystone_list_projects). Its operations name no project, so a client
-- needs none: docs/api.md.
--   local iam = hw.assert(hw.iam.new{ region = "cn-north-4" | endpoint = "...", credentials = {...} })
---@type huaweicloud.iam
local M = require("huaweicloud.client").module("iam")
return M
