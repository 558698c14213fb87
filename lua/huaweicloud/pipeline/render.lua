-- huaweicloud.pipeline.render: plans and runs as a person reads them (the `huaweicloud` command),
-- and as machines do (json). Values are written as JSON; secrets never are (a plan cannot read them
-- back, and says so). Colours only when asked (the command asks on a terminal).
local M = {}

local SIGN = { create = "+", update = "~", replace = "-/+", delete = "-", error = "!" }
local COLOR = { create = "32", update = "33", replace = "35", delete = "31", error = "31", failed = "31",
  skipped = "33", done = "32" }
local PAST = { create = "created", update = "updated", replace = "replaced", delete = "deleted", error = "failed" }
local DOING = { create = "creating", update = "updating", replace = "replacing", delete = "deleting" }

local function json(v)
  local cjson = require("cjson")
  local ok, s = pcall(cjson.encode, v)
  return ok and s or tostring(v)
end

local function paint(text, code, color)
  if not color or not code then return text end
  return "\27[" .. code .. "m" .. text .. "\27[0m"
end

-- One line of what differs: field from -> to (a value absent on either side: "(none)").
local function change(ch)
  local from = ch.from == nil and "(none)" or json(ch.from)
  local to = ch.to == nil and "(none)" or json(ch.to)
  return ch.field .. " " .. from .. " -> " .. to
end

-- The plan, one line per thing that changes (and its changes beneath), then the counts.
function M.plan(p, opts)
  opts = opts or {}
  local lines, width = {}, 0
  for _, it in ipairs(p.items) do
    if it.action ~= "none" then width = math.max(width, #it.address) end
  end
  for _, it in ipairs(p.items) do
    if it.action ~= "none" then
      local head = ("%-3s %-" .. width .. "s  %s"):format(SIGN[it.action], it.address, it.action)
      local notes = {}
      if it.note then notes[#notes + 1] = it.note end
      if it.error then notes[#notes + 1] = it.error end
      if #notes > 0 then head = head .. " (" .. table.concat(notes, "; ") .. ")" end
      lines[#lines + 1] = paint(head, COLOR[it.action], opts.color)
      for _, ch in ipairs(it.changes or {}) do lines[#lines + 1] = "      " .. change(ch) end
      if #(it.unread or {}) > 0 and it.action ~= "delete" then
        lines[#lines + 1] = "      (not compared, secrets cannot be read back: " .. table.concat(it.unread, ", ") .. ")"
      end
    end
  end
  local n = p.counts
  if #lines == 0 then lines[1] = "Nothing to do: what exists is what is declared." end
  lines[#lines + 1] = ("Plan: %d to create, %d to update, %d to replace, %d to delete, %d unchanged%s."):format(
    n.create, n.update, n.replace, n.delete, n.none, n.error > 0 and (", " .. n.error .. " in error") or "")
  return table.concat(lines, "\n") .. "\n"
end

local function one_line(err)
  if err == nil then return "" end
  return (tostring(err):gsub("\n", " "))
end

-- A progress line for an apply's event (pipeline option on_event).
function M.event(e, opts)
  opts = opts or {}
  if e.phase == "start" then return e.address .. ": " .. (DOING[e.action] or e.action) .. "..." end
  if e.phase == "done" then
    local states = {}
    if e.job_history then states[1] = "job " .. table.concat(e.job_history, " -> ") .. ", then" end
    if e.history and #e.history > 0 then states[#states + 1] = table.concat(e.history, " -> ") end
    return paint(("%s: %s in %.1f s%s"):format(e.address, PAST[e.action] or e.action, e.seconds or 0,
      #states > 0 and (" (" .. table.concat(states, " ") .. ")") or ""), COLOR.done, opts.color)
  end
  return paint(e.address .. ": " .. e.phase .. ": " .. one_line(e.error), COLOR[e.phase], opts.color)
end

-- The counts of a run's outcomes (verb: "Apply", "Destroy").
function M.summary(r, verb)
  local n = { created = 0, updated = 0, replaced = 0, deleted = 0, failed = 0, skipped = 0 }
  for _, o in ipairs(r.outcomes) do
    if o.status == "done" then
      local k = PAST[o.action]
      n[k] = n[k] + 1
    elseif o.status == "failed" or o.status == "skipped" then
      n[o.status] = n[o.status] + 1
    end
  end
  return ("%s: %d created, %d updated, %d replaced, %d deleted, %d failed, %d skipped."):format(verb or "Apply",
    n.created, n.updated, n.replaced, n.deleted, n.failed, n.skipped)
end

-- What machines read (--json): the items or outcomes without the declaration's bodies.
function M.plan_data(p)
  local items = {}
  for _, it in ipairs(p.items) do
    items[#items + 1] = { address = it.address, kind = it.kind, action = it.action, changes = it.changes,
      unread = it.unread, note = it.note, error = it.error }
  end
  return { items = items, counts = p.counts }
end

function M.run_data(r)
  local outcomes = {}
  for _, o in ipairs(r.outcomes) do
    outcomes[#outcomes + 1] = { address = o.address, action = o.action, status = o.status, seconds = o.seconds,
      history = o.history, error = o.error ~= nil and one_line(o.error) or nil }
  end
  return { ok = r.ok, outcomes = outcomes, counts = r.plan and r.plan.counts }
end

return M
