-- huaweicloud.regions: service endpoints by region, as the official SDKs list them
-- (KafkaRegion, DisRegion, IamRegion). A custom `endpoint` option always wins over this table.
local M = {}

M.endpoints = {
  kafka = {
    ["eu-west-101"] = "https://dms.eu-west-101.myhuaweicloud.eu",
    ["cn-north-1"] = "https://dms.cn-north-1.myhuaweicloud.com",
    ["cn-north-2"] = "https://dms.cn-north-2.myhuaweicloud.com",
    ["cn-north-4"] = "https://dms.cn-north-4.myhuaweicloud.com",
    ["cn-east-3"] = "https://dms.cn-east-3.myhuaweicloud.com",
    ["cn-east-2"] = "https://dms.cn-east-2.myhuaweicloud.com",
    ["cn-south-1"] = "https://dms.cn-south-1.myhuaweicloud.com",
    ["cn-south-2"] = "https://dms.cn-south-2.myhuaweicloud.com",
    ["cn-southwest-2"] = "https://dms.cn-southwest-2.myhuaweicloud.com",
    ["ap-southeast-1"] = "https://dms.ap-southeast-1.myhuaweicloud.com",
    ["ap-southeast-2"] = "https://dms.ap-southeast-2.myhuaweicloud.com",
    ["ap-southeast-3"] = "https://dms.ap-southeast-3.myhuaweicloud.com",
    ["af-south-1"] = "https://dms.af-south-1.myhuaweicloud.com",
    ["ru-northwest-2"] = "https://dms.ru-northwest-2.myhuaweicloud.com",
    ["cn-north-9"] = "https://dms.cn-north-9.myhuaweicloud.com",
    ["la-south-2"] = "https://dms.la-south-2.myhuaweicloud.com",
    ["sa-brazil-1"] = "https://dms.sa-brazil-1.myhuaweicloud.com",
    ["la-north-2"] = "https://dms.la-north-2.myhuaweicloud.com",
    ["na-mexico-1"] = "https://dms.na-mexico-1.myhuaweicloud.com",
    ["ap-southeast-4"] = "https://dms.ap-southeast-4.myhuaweicloud.com",
    ["tr-west-1"] = "https://dms.tr-west-1.myhuaweicloud.com",
    ["ae-ad-1"] = "https://dms.ae-ad-1.myhuaweicloud.com",
    ["eu-west-0"] = "https://dms.eu-west-0.myhuaweicloud.com",
    ["me-east-1"] = "https://dms.me-east-1.myhuaweicloud.com",
    ["cn-east-5"] = "https://dms.cn-east-5.myhuaweicloud.com",
    ["my-kualalumpur-1"] = "https://dms.my-kualalumpur-1.myhuaweicloud.com",
    ["cn-east-4"] = "https://dms.cn-east-4.myhuaweicloud.com",
    ["af-north-1"] = "https://dms.af-north-1.myhuaweicloud.com",
    ["ap-southeast-5"] = "https://dms.ap-southeast-5.myhuaweicloud.com",
    ["ru-moscow-1"] = "https://dms.ru-moscow-1.myhuaweicloud.com",
    ["cn-south-4"] = "https://dms.cn-south-4.myhuaweicloud.com",
    ["cn-north-12"] = "https://dms.cn-north-12.myhuaweicloud.com",
    ["cn-north-11"] = "https://dms.cn-north-11.myhuaweicloud.com",
    ["cn-southwest-3"] = "https://dms.cn-southwest-3.myhuaweicloud.com",
  },
  dis = {
    ["cn-north-4"] = "https://dis.cn-north-4.myhuaweicloud.com",
    ["cn-north-1"] = "https://dis.cn-north-1.myhuaweicloud.com",
    ["cn-east-2"] = "https://dis.cn-east-2.myhuaweicloud.com",
    ["cn-east-3"] = "https://dis.cn-east-3.myhuaweicloud.com",
    ["cn-south-1"] = "https://dis.cn-south-1.myhuaweicloud.com",
    ["ap-southeast-2"] = "https://dis.ap-southeast-2.myhuaweicloud.com",
    ["ap-southeast-1"] = "https://dis.ap-southeast-1.myhuaweicloud.com",
  },
  -- Go services/iam/v3/region/region.go (IamRegion)
  iam = {
    ["cn-north-2"] = "https://iam.cn-north-2.myhuaweicloud.com",
    ["cn-north-4"] = "https://iam.cn-north-4.myhuaweicloud.com",
    ["cn-north-1"] = "https://iam.cn-north-1.myhuaweicloud.com",
    ["cn-east-2"] = "https://iam.cn-east-2.myhuaweicloud.com",
    ["cn-east-3"] = "https://iam.cn-east-3.myhuaweicloud.com",
    ["cn-south-1"] = "https://iam.cn-south-1.myhuaweicloud.com",
    ["cn-south-2"] = "https://iam.cn-south-2.myhuaweicloud.com",
    ["cn-southwest-2"] = "https://iam.cn-southwest-2.myhuaweicloud.com",
    ["ap-southeast-1"] = "https://iam.ap-southeast-1.myhuaweicloud.com",
    ["ap-southeast-2"] = "https://iam.ap-southeast-2.myhuaweicloud.com",
    ["ap-southeast-3"] = "https://iam.ap-southeast-3.myhuaweicloud.com",
    ["af-south-1"] = "https://iam.af-south-1.myhuaweicloud.com",
    ["sa-brazil-1"] = "https://iam.sa-brazil-1.myhuaweicloud.com",
    ["la-south-2"] = "https://iam.la-south-2.myhuaweicloud.com",
    ["na-mexico-1"] = "https://iam.na-mexico-1.myhuaweicloud.com",
    ["la-north-2"] = "https://iam.la-north-2.myhuaweicloud.com",
    ["cn-north-9"] = "https://iam.cn-north-9.myhuaweicloud.com",
    ["eu-west-101"] = "https://iam.eu-west-101.myhuaweicloud.eu",
    ["eu-west-0"] = "https://iam.eu-west-0.myhuaweicloud.com",
    ["my-kualalumpur-1"] = "https://iam.my-kualalumpur-1.myhuaweicloud.com",
    ["ru-moscow-1"] = "https://iam.ru-moscow-1.myhuaweicloud.com",
    ["me-east-1"] = "https://iam.me-east-1.myhuaweicloud.com",
    ["ap-southeast-4"] = "https://iam.ap-southeast-4.myhuaweicloud.com",
    ["ae-ad-1"] = "https://iam.ae-ad-1.myhuaweicloud.com",
    ["cn-east-4"] = "https://iam.cn-east-4.myhuaweicloud.com",
    ["cn-east-5"] = "https://iam.cn-east-5.myhuaweicloud.com",
    ["tr-west-1"] = "https://iam.tr-west-1.myhuaweicloud.com",
    ["cn-north-12"] = "https://iam.cn-north-12.myhuaweicloud.com",
  },
}

-- The endpoint URL of service in region, or nil and a config error listing the known regions.
function M.endpoint(service, region)
  local known = M.endpoints[service]
  if not known then error("unknown service '" .. tostring(service) .. "'", 2) end
  local url = known[region]
  if url then return url end
  local names = {}
  for name in pairs(known) do names[#names + 1] = name end
  table.sort(names)
  local errors = require("huaweicloud.errors")
  return errors.fail("config", "unknown " .. service .. " region '" .. tostring(region) .. "' (known: " ..
    table.concat(names, ", ") .. "; or set endpoint)", { field = "region" })
end

-- The regions known for service, sorted.
function M.list(service)
  local names = {}
  for name in pairs(M.endpoints[service] or {}) do names[#names + 1] = name end
  table.sort(names)
  return names
end

return M
