-- huaweicloud.transport.curl: the default transport outside nginx. One call: core.<op> (prepare,
-- libcurl, parse in one C call, on the client's kept-alive handle). Many (create_many): libcurl's
-- multi interface on one thread.
-- A transport is { name, call = function(client, op, cfg, params, limit?) -> result, meta | nil, err,
--                  sleep = function(seconds), many? = function(client, op, concurrency, jobs) };
-- limit: seconds the call may take at most.
local core = require("huaweicloud.core")
local log = require("huaweicloud.log")

-- Many requests at once for create_many: next_job() -> i, params, attempt | nil (nothing ready
-- now; `wake` is when a retry becomes due) and finish(i, res, meta, attempt) record results.

-- libcurl's multi interface: up to `concurrency` transfers on one thread, each signed just
-- before it starts (a long batch never sends a stale X-Sdk-Date).
local function curl_many(client, op, concurrency, jobs)
  -- a batch already running on this client (create_many from two coroutines) keeps its handle;
  -- this one gets its own, so neither takes the other's transfers
  local http, own = client:http(), nil
  if client.batching then
    own = client:new_http()
    http = own
  else
    client.batching = true
  end
  local inflight, slots = 0, {}
  local ok, err = pcall(function()
    while not jobs.done() do
      while inflight < concurrency do
        local i, params, attempt = jobs.next()
        if not i then break end
        local cfg, cerr = client:config()
        local req
        if cfg then req, cerr = core.prepare(op, cfg, params) end
        if req then
          local added, aerr = http:batch_add(i, req)
          if not added then req, cerr = nil, aerr end
        end
        if req then
          slots[i] = { req = req, attempt = attempt, started = core.clock() }
          inflight = inflight + 1
        else
          jobs.finish(i, nil, cerr, attempt)
        end
      end
      if inflight > 0 then
        local finished = http:batch_run(0.1)
        for _, f in ipairs(finished) do
          inflight = inflight - 1
          local slot = slots[f.id]
          slots[f.id] = nil
          local res, meta = nil, f.err
          if not f.err then res, meta = core.parse(op, f.status, f.headers, f.body, slot.req) end
          if res == nil then client:explain(op, meta) end
          if client.log then
            client.log(log.event(client, op, log.masked_url(slot.req.url), slot.attempt, slot.started, res, meta))
          end
          jobs.finish(f.id, res, meta, slot.attempt)
        end
      elseif not jobs.done() then
        core.sleep(math.max(0.001, jobs.wake() - core.clock()))
      end
    end
  end)
  if own then own:close() else client.batching = nil end
  if not ok then -- e.g. on_progress raised: nothing may stay in flight for the next batch
    if not own then http:batch_abort() end
    error(err, 0)
  end
end

return {
  name = "curl",
  call = function(client, op, cfg, params, limit)
    return core[op](client:http(), cfg, params, limit)
  end,
  sleep = core.sleep,
  many = curl_many,
}
