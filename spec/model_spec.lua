-- Models and marshaling: the API pages' examples byte for byte, typed responses, one failing
-- case per validation rule (asserting the field path), secrets, and random malformed input.
local core = require("huaweicloud.core")
local cjson = require("cjson")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

local KAFKA, DIS = "CreateSmartConnectTaskReq", "CreateTransferTaskReq"

local vector_body = {}
for _, case in ipairs(H.vectors()) do vector_body[case.name] = case.input.body end

-- Encodes a modified copy of an example; returns the error (asserting there is one).
local function reject(model, base, mutate, opts)
  local body = X.copy(base)
  mutate(body)
  local json, err = core.encode(model, body, opts)
  assert.is_nil(json, "expected a validation error, got " .. tostring(json))
  assert.are.equal("validation", err.kind)
  return err
end

local function expect(model, base, field, pattern, mutate)
  local err = reject(model, base, mutate)
  assert.are.equal(field, err.field, tostring(err))
  assert.truthy(err.message:find(pattern), "message '" .. err.message .. "' lacks '" .. pattern .. "'")
  return err
end

local OBS, KREP, REDIS = X.kafka[1].body, X.kafka[2].body, X.kafka[3].body
local DTEXT, DPARQ = X.dis[1].body, X.dis[2].body

describe("marshaling the API pages' examples", function()
  for _, ex in ipairs(X.kafka) do
    it(ex.name .. " marshals to the bytes the official SDK signed", function()
      assert.are.equal(vector_body[ex.name], assert(core.encode(KAFKA, ex.body)))
    end)
  end
  for _, ex in ipairs(X.dis) do
    it(ex.name .. " marshals to the bytes the official SDK signed", function()
      assert.are.equal(vector_body[ex.name], assert(core.encode(DIS, ex.body)))
    end)
  end

  it("writes the same bytes whatever order the table was built in", function()
    local a = assert(core.encode(KAFKA, X.copy(KREP)))
    local rebuilt = {}
    local keys = {}
    for k in pairs(KREP.source_task) do keys[#keys + 1] = k end
    table.sort(keys, function(x, y) return x > y end)
    for _, k in ipairs(keys) do rebuilt[k] = KREP.source_task[k] end
    local b = assert(core.encode(KAFKA, { source_task = rebuilt, task_name = KREP.task_name,
      source_type = KREP.source_type, start_later = KREP.start_later }))
    assert.are.equal(a, b)
  end)

  it("accepts integral floats for integer fields and writes them as integers", function()
    local body = X.copy(DTEXT)
    body.obs_destination_descriptor.deliver_time_interval = 30.0
    assert.truthy(assert(core.encode(DIS, body)):find('"deliver_time_interval":30}', 1, true))
  end)

  it("escapes strings per RFC 8259 and keeps UTF-8 and '/' as they are", function()
    local body = X.copy(OBS)
    body.task_name = "q\"b\\s/\1\31\127é€𝄞\t\r\n\b\f"
    local json = assert(core.encode(KAFKA, body))
    assert.truthy(json:find('"task_name":"q\\"b\\\\s/\\u0001\\u001f\127é€𝄞\\t\\r\\n\\b\\f"', 1, true), json)
    assert.are.equal(body.task_name, cjson.decode(json).task_name)
  end)

  it("validates without writing through core.validate", function()
    assert.is_true(core.validate(KAFKA, OBS))
    local ok, err = core.validate(KAFKA, { sink_type = "S3" })
    assert.is_nil(ok)
    assert.are.equal("sink_type", err.field)
  end)

  it("lists its models", function()
    local names = table.concat(core.models(), " ")
    for _, n in ipairs({ "CreateSmartConnectTaskReq", "SmartConnectTaskReqSourceConfig", "SmartConnectTaskReqSinkConfig",
      "SmartConnectTaskEntity", "SmartConnectTaskRespSourceConfig", "SmartConnectTaskRespSinkConfig",
      "CreateTransferTaskReq", "OBSDestinationDescriptorRequest", "ProcessingSchema" }) do
      assert.truthy(names:find(n, 1, true), n)
    end
  end)
end)

describe("reading responses", function()
  it("decodes the documented Kafka response with create_time as an integer", function()
    local task = assert(core.decode("SmartConnectTaskEntity", X.kafka_response))
    assert.are.equal(1708427753133, task.create_time)
    assert.are.equal(-1, task.sink_task.target_db)
    assert.are.equal(13000, task.source_task.full_sync_wait_ms)
    assert.are.equal("RDB_ONLY,", task.source_task.sync_mode) -- kept as the server sent it
    assert.are.equal("8a205bbd-7181-4b5e-9bd6-37274ce84577", task.id)
    if math.type then
      assert.are.equal("integer", math.type(task.create_time))
      assert.are.equal("integer", math.type(task.source_task.ratelimit))
      assert.are.equal("1708427753133", tostring(task.create_time))
    end
  end)

  it("drops JSON null and keeps fields it does not know", function()
    local task = assert(core.decode("SmartConnectTaskEntity",
      '{"id":"x","status":null,"new_field":{"a":1,"b":null,"c":[1,2.5]},"sink_task":{"obs_part_size":5242880,"z":true}}'))
    assert.is_nil(task.status)
    assert.are.equal(1, task.new_field.a)
    assert.is_nil(task.new_field.b)
    assert.are.same({ 1, 2.5 }, task.new_field.c)
    assert.are.equal(5242880, task.sink_task.obs_part_size)
    assert.is_true(task.sink_task.z)
  end)

  it("reports text that is not JSON as a decode error", function()
    local task, err = core.decode("SmartConnectTaskEntity", "<html>502</html>")
    assert.is_nil(task)
    assert.are.equal("decode", err.kind)
  end)
end)

describe("validation names the field and what was allowed", function()
  it("refuses wrong types", function()
    expect(KAFKA, OBS, "start_later", "expected boolean, got string", function(b) b.start_later = "false" end)
    expect(KAFKA, OBS, "sink_task.deliver_time_interval", "expected integer, got string",
      function(b) b.sink_task.deliver_time_interval = "300" end)
    expect(KAFKA, OBS, "sink_task.deliver_time_interval", "expected integer, got 1.5",
      function(b) b.sink_task.deliver_time_interval = 1.5 end)
    expect(KAFKA, OBS, "sink_task", "expected object", function(b) b.sink_task = "x" end)
    expect(KAFKA, OBS, "task_name", "expected string, got number", function(b) b.task_name = 5 end)
    expect(KAFKA, OBS, "sink_task", "string keys", function(b) b.sink_task = { 1, 2 } end)
  end)

  it("refuses unknown fields, suggesting the closest known name", function()
    local err = expect(KAFKA, OBS, "sink_task.obs_bucket", "did you mean obs_bucket_name%?",
      function(b) b.sink_task.obs_bucket = "x" end)
    assert.are.equal("huaweicloud: validation error: sink_task.obs_bucket: unknown field (did you mean obs_bucket_name?)",
      tostring(err))
    expect(KAFKA, OBS, "task_nme", "did you mean task_name", function(b) b.task_nme = "x" end)
    expect(DIS, DTEXT, "obs_destination_descriptor.delivery_time_interval", "did you mean deliver_time_interval",
      function(b) b.obs_destination_descriptor.delivery_time_interval = 60 end)
    expect(KAFKA, OBS, "zzzzzz", "unknown field of CreateSmartConnectTaskReq", function(b) b.zzzzzz = 1 end)
  end)

  local enums = {
    { KAFKA, OBS, "source_type", function(b, v) b.source_type = v end, "KAFKA_REPLICATOR_SOURCE" },
    { KAFKA, OBS, "sink_type", function(b, v) b.sink_type = v end, "OBS_SINK" },
    { KAFKA, KREP, "source_task.direction", function(b, v) b.source_task.direction = v end, "two%-way" },
    { KAFKA, REDIS, "source_task.sync_mode", function(b, v) b.source_task.sync_mode = v end, "CUSTOM_OFFSET" },
    { KAFKA, KREP, "source_task.consumer_strategy", function(b, v) b.source_task.consumer_strategy = v end, "earliest" },
    { KAFKA, KREP, "source_task.compression_type", function(b, v) b.source_task.compression_type = v end, "zstd" },
    { KAFKA, KREP, "source_task.security_protocol", function(b, v) b.source_task.security_protocol = v end, "PLAINTEXT" },
    { KAFKA, OBS, "sink_task.consumer_strategy", function(b, v) b.sink_task.consumer_strategy = v end, "latest" },
    { KAFKA, OBS, "sink_task.destination_file_type", function(b, v) b.sink_task.destination_file_type = v end, "TEXT" },
    { KAFKA, OBS, "sink_task.partition_format", function(b, v) b.sink_task.partition_format = v end, "yyyy/MM/dd/HH" },
    { KAFKA, OBS, "sink_task.record_delimiter", function(b, v) b.sink_task.record_delimiter = v end, '"|"' },
    { DIS, DTEXT, "destination_type", function(b, v) b.destination_type = v end, '"OBS"' },
    { DIS, DTEXT, "obs_destination_descriptor.consumer_strategy",
      function(b, v) b.obs_destination_descriptor.consumer_strategy = v end, "TRIM_HORIZON" },
    { DIS, DTEXT, "obs_destination_descriptor.destination_file_type",
      function(b, v) b.obs_destination_descriptor.destination_file_type = v end, "carbon" },
    { DIS, DTEXT, "obs_destination_descriptor.partition_format",
      function(b, v) b.obs_destination_descriptor.partition_format = v end, "yyyy/MM" },
    { DIS, DTEXT, "obs_destination_descriptor.record_delimiter",
      function(b, v) b.obs_destination_descriptor.record_delimiter = v end, '";"' },
    { DIS, DPARQ, "obs_destination_descriptor.processing_schema.timestamp_type",
      function(b, v) b.obs_destination_descriptor.processing_schema.timestamp_type = v end, "Timestamp" },
    { DIS, DPARQ, "obs_destination_descriptor.processing_schema.timestamp_format",
      function(b, v) b.obs_destination_descriptor.processing_schema.timestamp_format = v end, "dd%-MM%-yyyy HH:mm:ss" },
  }
  for _, e in ipairs(enums) do
    it("refuses a value outside the enum of " .. e[3], function()
      local err = expect(e[1], e[2], e[3], "must be one of", function(b) e[4](b, "bogus\n") end)
      assert.truthy(err.message:find(e[5]), err.message)
      assert.truthy(err.message:find('got "bogus\\x0A"', 1, true), err.message)
    end)
  end

  it("accepts every documented enum value (Kafka record_delimiter: , ; | newline and \"\" for NULL)", function()
    for _, v in ipairs({ ",", ";", "|", "\n", "" }) do
      local b = X.copy(OBS)
      b.sink_task.record_delimiter = v
      assert(core.encode(KAFKA, b))
    end
    for _, v in ipairs({ "text", "parquet", "carbon" }) do
      local b = X.copy(DTEXT)
      b.obs_destination_descriptor.destination_file_type = v
      assert(core.encode(DIS, b))
    end
  end)

  it("refuses numbers out of range", function()
    for _, v in ipairs({ 29, 901, -1 }) do
      local err = expect(DIS, DTEXT, "obs_destination_descriptor.deliver_time_interval", "between 30 and 900",
        function(b) b.obs_destination_descriptor.deliver_time_interval = v end)
      assert.truthy(err.message:find("got " .. v, 1, true))
    end
    for _, v in ipairs({ 30, 900 }) do
      local b = X.copy(DTEXT)
      b.obs_destination_descriptor.deliver_time_interval = v
      assert(core.encode(DIS, b))
    end
    expect(KAFKA, KREP, "source_task.replication_factor", "32%-bit integer",
      function(b) b.source_task.replication_factor = 2147483648 end)
    expect(KAFKA, REDIS, "source_task.ratelimit", "32%-bit integer", function(b) b.source_task.ratelimit = -2147483649 end)
    local b = X.copy(KREP)
    b.source_task.replication_factor, b.source_task.task_num = 2147483647, -2147483648
    assert(core.encode(KAFKA, b))
    expect(KAFKA, KREP, "source_task.task_num", "expected integer", function(x) x.source_task.task_num = 0 / 0 end)
    expect(KAFKA, KREP, "source_task.task_num", "integer", function(x) x.source_task.task_num = math.huge end)
  end)

  it("refuses strings outside their length and character limits", function()
    local D = "obs_destination_descriptor."
    expect(DIS, DTEXT, D .. "task_name", "1 to 64 characters long, got 0", function(b) b.obs_destination_descriptor.task_name = "" end)
    expect(DIS, DTEXT, D .. "task_name", "got 65", function(b) b.obs_destination_descriptor.task_name = ("a"):rep(65) end)
    expect(DIS, DTEXT, D .. "task_name", "only letters, digits, '%-', '_'",
      function(b) b.obs_destination_descriptor.task_name = "bad name!" end)
    expect(DIS, DTEXT, D .. "agency_name", "1 to 64", function(b) b.obs_destination_descriptor.agency_name = ("a"):rep(65) end)
    expect(DIS, DTEXT, D .. "file_prefix", "0 to 50", function(b) b.obs_destination_descriptor.file_prefix = ("a"):rep(51) end)
    expect(DIS, DTEXT, D .. "file_prefix", "must not start with '/'",
      function(b) b.obs_destination_descriptor.file_prefix = "/logs" end)
    expect(DIS, DTEXT, D .. "file_prefix", "only letters, digits, '_', '/'",
      function(b) b.obs_destination_descriptor.file_prefix = "a-b" end)
    -- characters, not bytes: 64 three-byte characters fit
    local b = X.copy(DTEXT)
    b.obs_destination_descriptor.agency_name = ("代"):rep(64)
    assert(core.encode(DIS, b))
    local ok = X.copy(DTEXT)
    ok.obs_destination_descriptor.file_prefix = "app_logs/2024"
    ok.obs_destination_descriptor.task_name = ("A-_9"):rep(16)
    assert(core.encode(DIS, ok))
  end)

  it("requires the fields each case needs", function()
    expect(DIS, DTEXT, "destination_type", "^required$", function(b) b.destination_type = nil end)
    for _, f in ipairs({ "task_name", "agency_name", "obs_bucket_path" }) do
      expect(DIS, DTEXT, "obs_destination_descriptor." .. f, "^required$", function(b) b.obs_destination_descriptor[f] = nil end)
    end
    expect(DIS, DPARQ, "obs_destination_descriptor.processing_schema.timestamp_format", "required when timestamp_type is String",
      function(b) b.obs_destination_descriptor.processing_schema.timestamp_format = nil end)
    local ts = X.copy(DPARQ)
    ts.obs_destination_descriptor.processing_schema = { timestamp_name = "ts", timestamp_type = "Timestamp" }
    assert(core.encode(DIS, ts))
  end)

  it("applies the Kafka page's conditional rules", function()
    expect(KAFKA, REDIS, "source_task", "required when source_type is REDIS_REPLICATOR_SOURCE", function(b) b.source_task = nil end)
    for _, f in ipairs({ "redis_address", "redis_type", "sync_mode" }) do
      expect(KAFKA, REDIS, "source_task." .. f, "required when source_type is REDIS_REPLICATOR_SOURCE",
        function(b) b.source_task[f] = nil end)
    end
    for _, f in ipairs({ "current_cluster_name", "cluster_name", "direction" }) do
      expect(KAFKA, KREP, "source_task." .. f, "required when source_type is KAFKA_REPLICATOR_SOURCE",
        function(b) b.source_task[f] = nil end)
    end
    expect(KAFKA, KREP, "source_task", "exactly one of instance_id or bootstrap_servers when source_type is KAFKA_REPLICATOR_SOURCE %(got 2%)",
      function(b) b.source_task.bootstrap_servers = "10.0.0.1:9092" end)
    expect(KAFKA, KREP, "source_task", "exactly one of instance_id or bootstrap_servers .*%(got none%)",
      function(b) b.source_task.instance_id = nil end)
    local servers = X.copy(KREP)
    servers.source_task.instance_id, servers.source_task.bootstrap_servers = nil, "10.0.0.1:9092"
    assert(core.encode(KAFKA, servers))
    expect(KAFKA, KREP, "source_task.topics_mapping", "not allowed when rename_topic_enabled is true",
      function(b) b.source_task.rename_topic_enabled = true end)
    for _, f in ipairs({ "user_name", "password", "sasl_mechanism" }) do
      expect(KAFKA, KREP, "source_task." .. f, "required when security_protocol is SASL_SSL", function(b)
        b.source_task.security_protocol = "SASL_SSL"
        b.source_task[f] = nil
      end)
    end
    local plain = X.copy(KREP)
    plain.source_task.security_protocol, plain.source_task.user_name, plain.source_task.password = "PLAINTEXT", nil, nil
    plain.source_task.sasl_mechanism = nil
    assert(core.encode(KAFKA, plain))
    expect(KAFKA, REDIS, "sink_task.redis_type", "required when sink_type is REDIS_REPLICATOR_SINK",
      function(b) b.sink_task.redis_type = nil end)
    expect(KAFKA, OBS, "sink_task", "required when sink_type is OBS_SINK", function(b) b.sink_task = nil end)
    for _, f in ipairs({ "access_key", "secret_key", "obs_bucket_name", "obs_path" }) do
      expect(KAFKA, OBS, "sink_task." .. f, "required when sink_type is OBS_SINK", function(b) b.sink_task[f] = nil end)
    end
    local default_interval = X.copy(OBS)
    default_interval.sink_task.deliver_time_interval = nil
    assert(core.encode(KAFKA, default_interval))
  end)
end)

describe("never stricter than the service", function()
  it("accepts the Kafka page's example 1 copied literally, and sends it byte for byte", function()
    -- the page's JSON, with its "\\n" (a backslash and an n) and its masked keys
    local page = [[{
      "task_name" : "smart-connect-1",
      "start_later" : false,
      "source_type" : "NONE",
      "topics_regex" : "topic-obs*",
      "sink_type" : "OBS_SINK",
      "sink_task" : {
        "consumer_strategy" : "earliest",
        "destination_file_type" : "TEXT",
        "deliver_time_interval" : 300,
        "access_key" : "********",
        "secret_key" : "********",
        "obs_bucket_name" : "obs_bucket",
        "obs_path" : "obsTransfer-1810125534",
        "partition_format" : "yyyy/MM/dd/HH/mm",
        "record_delimiter" : "\\n",
        "store_keys" : false
      }
    }]]
    local compact = page:gsub("\n%s*", ""):gsub('" : ', '":')
    assert.are.equal('{"task_name":"smart-connect-1","start_later":false,"source_type":"NONE","topics_regex":' ..
      '"topic-obs*","sink_type":"OBS_SINK","sink_task":{"consumer_strategy":"earliest","destination_file_type":"TEXT",' ..
      '"deliver_time_interval":300,"access_key":"********","secret_key":"********","obs_bucket_name":"obs_bucket",' ..
      '"obs_path":"obsTransfer-1810125534","partition_format":"yyyy/MM/dd/HH/mm","record_delimiter":"\\\\n",' ..
      '"store_keys":false}}', compact)
    local body = cjson.decode(page)
    assert.are.equal("\\n", body.sink_task.record_delimiter) -- two characters
    assert.are.equal(compact, assert(core.encode(KAFKA, body)))
  end)

  it("accepts every record_delimiter spelling the pages show and sends it exactly as given", function()
    for _, d in ipairs({ ",", ";", "|", "\n", "\\n", "NULL", "" }) do
      local b = X.copy(OBS)
      b.sink_task.record_delimiter = d
      local json = assert(core.encode(KAFKA, b))
      assert.are.equal(d, cjson.decode(json).sink_task.record_delimiter)
    end
    for _, d in ipairs({ ",", ";", "|", "\n", "\\n" }) do
      local b = X.copy(DTEXT)
      b.obs_destination_descriptor.record_delimiter = d
      assert.are.equal(d, cjson.decode((assert(core.encode(DIS, b)))).obs_destination_descriptor.record_delimiter)
    end
    expect(KAFKA, OBS, "sink_task.record_delimiter", 'must be one of ",", ";", "|", "\\x0A", "\\x5Cn", "NULL", ""; got "tab"',
      function(b) b.sink_task.record_delimiter = "tab" end)
  end)

  it("accepts values the response model or the page's prose allow", function()
    local sasl = X.copy(KREP)
    sasl.source_task.security_protocol = "SASL_PLAINTEXT"
    assert(core.encode(KAFKA, sasl))
    local blank = X.copy(DTEXT) -- "If this parameter is left blank, the time directory format will not be used"
    blank.obs_destination_descriptor.partition_format = ""
    assert.truthy(assert(core.encode(DIS, blank)):find('"partition_format":""', 1, true))
    local default = X.copy(DTEXT) -- "Mandatory: Yes" and "Default: 300": both readings
    default.obs_destination_descriptor.deliver_time_interval = nil
    assert(core.encode(DIS, default))
    -- optional on the page ("Mandatory: No") and in the Go and Python models
    assert.are.equal('{"destination_type":"OBS"}', assert(core.encode(DIS, { destination_type = "OBS" })))
    for _, t in ipairs({ "OBS", "MRS", "DLI", "CLOUDTABLE", "DWS" }) do -- the description lists all five
      local b = X.copy(DTEXT)
      b.destination_type = t
      assert(core.encode(DIS, b))
    end
  end)

  it("leaves the notes the pages contradict or qualify to the service, by one rule", function()
    -- each was "mandatory only when ..." and is not enforced: a default, a peer-dependent value,
    -- a tuning value or switch, or a field the page's own example for that case leaves out
    local cases = {
      { REDIS, "source_task", { "dcs_instance_id", "redis_password", "full_sync_wait_ms", "full_sync_max_retry", "ratelimit" } },
      { KREP, "source_task", { "security_protocol", "sync_consumer_offsets_enabled", "replication_factor", "task_num",
        "rename_topic_enabled", "provenance_header_enabled", "consumer_strategy", "compression_type", "topics_mapping" } },
      { REDIS, "sink_task", { "dcs_instance_id", "redis_password" } },
      { OBS, "sink_task", { "consumer_strategy", "destination_file_type", "deliver_time_interval", "partition_format",
        "record_delimiter", "store_keys" } },
    }
    for _, c in ipairs(cases) do
      for _, f in ipairs(c[3]) do
        local b = X.copy(c[1])
        b[c[2]][f] = nil
        local json, err = core.encode(KAFKA, b)
        assert.is_string(json, c[2] .. "." .. f .. ": " .. tostring(err))
      end
    end
  end)

  it("sends a field the SDK does not know yet with allow_unknown, keeping every other check", function()
    local b = X.copy(OBS)
    b.sink_task.compression = "gzip"
    expect(KAFKA, OBS, "sink_task.compression", "unknown field", function(x) x.sink_task.compression = "gzip" end)
    for _, allow in ipairs({ true, { "sink_task.compression" } }) do
      local json = assert(core.encode(KAFKA, b, { allow_unknown = allow }))
      assert.truthy(json:find('"store_keys":false,"compression":"gzip"}}', 1, true), json)
    end
    local other = X.copy(b)
    other.sink_task.level = 9 -- not in the list
    local err = reject(KAFKA, other, function() end, { allow_unknown = { "sink_task.compression" } })
    assert.are.equal("sink_task.level", err.field)
    local bad = X.copy(b)
    bad.sink_task.consumer_strategy = "newest" -- the enum is still checked
    err = reject(KAFKA, bad, function() end, { allow_unknown = true })
    assert.are.equal("sink_task.consumer_strategy", err.field)
    err = reject(KAFKA, b, function(x) x.sink_task.obs_path = nil end, { allow_unknown = true })
    assert.are.equal("sink_task.obs_path", err.field)
  end)
end)

describe("validate = false", function()
  local off = { validate = false }

  it("skips enums, ranges and conditional rules and writes unknown fields last, sorted", function()
    local b = X.copy(DTEXT)
    local d = b.obs_destination_descriptor
    d.deliver_time_interval, d.consumer_strategy, d.task_name = 5, "NEWEST", nil
    d.zeta, d.alpha = { 1, "two", { x = true } }, cjson.null
    b.destination_type = "DLI"
    local json = assert(core.encode(DIS, b, off))
    assert.are.equal('{"destination_type":"DLI","obs_destination_descriptor":{"consumer_strategy":"NEWEST",' ..
      '"agency_name":"dis_admin_agency","destination_file_type":"text","obs_bucket_path":"obsbucket","file_prefix":"",' ..
      '"partition_format":"yyyy/MM/dd/HH/mm","record_delimiter":"|","deliver_time_interval":5,' ..
      '"alpha":null,"zeta":[1,"two",{"x":true}]}}', json)
  end)

  it("still refuses wrong Lua types, invalid UTF-8 and unwritable values", function()
    local err = reject(KAFKA, OBS, function(b) b.start_later = 1 end, off)
    assert.are.equal("start_later", err.field)
    err = reject(KAFKA, OBS, function(b) b.topics = "a\255b" end, off)
    assert.are.equal("topics", err.field)
    assert.truthy(err.message:find("UTF%-8 %(at byte 2%)"))
    err = reject(KAFKA, OBS, function(b) b.extra = { f = print } end, off)
    assert.are.equal("extra.f", err.field)
    err = reject(KAFKA, OBS, function(b) b.extra = { 1, 0 / 0 } end, off)
    assert.are.equal("extra[2]", err.field)
    assert.truthy(err.message:find("finite"))
    err = reject(KAFKA, OBS, function(b) b.extra = { [true] = 1 } end, off)
    assert.truthy(err.message:find("string keys"))
  end)
end)

describe("hostile tables", function()
  it("refuses invalid UTF-8: overlong, surrogate, truncated, out of range", function()
    for _, s in ipairs({ "\192\175", "\237\160\128", "\226\130", "\244\144\128\128", "\128", "ok\255" }) do
      local err = reject(KAFKA, OBS, function(b) b.topics = s end)
      assert.are.equal("topics", err.field)
      assert.truthy(err.message:find("not valid UTF%-8"))
    end
  end)

  it("refuses cycles and nesting deeper than 32 levels, and strings over 1 MiB", function()
    local err = reject(KAFKA, OBS, function(b) b.sink_task.extra = b end, { validate = false })
    assert.truthy(err.message:find("cycle"), err.message)
    local deep = {}
    local cur = deep
    for _ = 1, 40 do cur.x = {} cur = cur.x end
    err = reject(KAFKA, OBS, function(b) b.deep = deep end, { validate = false })
    assert.truthy(err.message:find("deeper than 32"), err.message)
    err = reject(KAFKA, OBS, function(b) b.topics = ("x"):rep(1024 * 1024 + 1) end)
    assert.are.equal("topics", err.field)
    assert.truthy(err.message:find("1 MiB"))
    local cyc = X.copy(OBS)
    cyc.sink_task = cyc
    assert.is_nil(core.encode(KAFKA, cyc)) -- a cycle through a described field is caught too
  end)

  it("never puts a sensitive value in an error message", function()
    local secret = "hunter2-very-secret"
    local cases = {
      function(b) b.sink_task.secret_key = { secret } end,
      function(b) b.sink_task.access_key = secret .. "\255" end,
      function(b) b.sink_task.secret_key = 12345678 end,
    }
    for _, mutate in ipairs(cases) do
      local err = reject(KAFKA, OBS, mutate)
      assert.is_nil(tostring(err):find(secret, 1, true))
      assert.is_nil(tostring(err):find("12345678", 1, true))
    end
  end)

  it("masks sensitive fields in core.redact, by descriptor and by name", function()
    local b = X.copy(KREP)
    b.source_task.extra = { api_token = "t0k", nested = { db_password = "x" } }
    local r = core.redact(KAFKA, b)
    assert.are.equal("***", r.source_task.password)
    assert.are.equal("user1", r.source_task.user_name)
    assert.are.equal("***", r.source_task.extra.api_token)
    assert.are.equal("***", r.source_task.extra.nested.db_password)
    assert.are.equal("pw-EXAMPLE", b.source_task.password) -- the original is untouched
    local o = core.redact(KAFKA, OBS)
    assert.are.equal("***", o.sink_task.access_key)
    assert.are.equal("***", o.sink_task.secret_key)
    local cyc = { password = "p" }
    cyc.self = cyc
    local rc = core.redact(KAFKA, cyc)
    assert.are.equal("***", rc.password)
    assert.are.equal("<cycle>", rc.self)
  end)

  it("stays linear on shared subtables (fuzz regression: 2^depth walks hung redact)", function()
    -- each level refers to the next twice: 2^30 paths through 31 tables
    local leaf = { password = "p" }
    local node = leaf
    for _ = 1, 30 do node = { a = node, b = node } end
    local r = core.redact(KAFKA, { extra = node, task_name = "t" })
    assert.are.equal("t", r.task_name)
    local json, err = core.encode(KAFKA, { task_name = "t", extra = node }, { validate = false })
    assert.is_nil(json)
    assert.truthy(err.message:find("more than 10000 tables", 1, true), err.message)
    -- a shared subtable that is small is fine: it is simply written twice
    local shared = { x = 1 }
    assert.are.equal('{"task_name":"t","p":{"x":1},"q":{"x":1}}',
      core.encode(KAFKA, { task_name = "t", p = shared, q = shared }, { validate = false }))
  end)

  it("raises on programmer errors: unknown model, bad options", function()
    assert.error_matches(function() core.encode("NoSuchModel", {}) end, "bad argument #1 to 'encode' (unknown model 'NoSuchModel')", 1, true)
    assert.error_matches(function() core.encode(KAFKA, {}, { validate = "no" }) end,
      "bad argument #3 to 'encode' (validate must be a boolean)", 1, true)
    local json, err = core.encode(KAFKA, "not a table")
    assert.is_nil(json)
    assert.truthy(err.message:find("expected object"))
  end)
end)

describe("random malformed tables", function()
  -- Each mutation makes a valid example invalid for sure; noise on top must not hide it.
  local junk = { 1, -1, 2 ^ 40, 0.5, "", "x", "\255", true, false, {}, { 1, 2 }, { a = {} }, print, cjson.null }
  local function pick(t) return t[math.random(#t)] end
  local mutations = {
    function(b) b["no_such_" .. math.random(1000)] = pick(junk) end,
    function(b) b.task_name = pick({ 1, true, {}, "\192\128" }) end,
    function(b) b.start_later = pick({ "true", 1, {}, "" }) end,
    function(b) b.source_type = pick({ "REDIS", "", "none", 7 }) end,
    function(b) b.sink_type = pick({ "OBS", "redis", false }) end,
    function(b) b.sink_task = pick({ "x", 1, true, { 1 } }) end,
    function(b) if type(b.source_task) == "table" then b.source_task.task_num = pick({ 0.5, "2", 2 ^ 31, {} })
      else b.source_task = 3 end end,
  }
  it("every one of 3000 gives a validation error naming a field, and nothing crashes", function()
    local seed = os.time()
    math.randomseed(seed)
    for i = 1, 3000 do
      local body = X.copy(X.kafka[math.random(3)].body)
      for _ = 1, math.random(3) do pick(mutations)(body) end
      if math.random(2) == 1 then body.topics = pick({ "t", "a,b" }) end
      local json, err = core.encode(KAFKA, body)
      assert(json == nil and err.kind == "validation" and err.field, "seed " .. seed .. " case " .. i .. ": " .. tostring(json))
    end
    -- pure noise into both models, with and without validation: an error or JSON, never a crash
    for _ = 1, 2000 do
      local t = {}
      for _ = 1, math.random(6) do t[pick({ "a", "task_name", 1, "obs_destination_descriptor", true })] = pick(junk) end
      for _, model in ipairs({ KAFKA, DIS }) do
        for _, validate in ipairs({ true, false }) do
          local ok, res = pcall(core.encode, model, t, { validate = validate })
          assert(ok, res)
        end
      end
    end
  end)
end)

describe("numbers under a locale whose decimal point is a comma", function()
  it("are written and signed with '.', as in the C locale", function()
    -- a comma locale of our own (the machine may have none): localedef into a temporary folder
    local dir = H.tmpname()
    local out, ok = H.sh("mkdir -p " .. dir .. " && localedef -i de_DE -f UTF-8 " .. dir .. "/de_DE.UTF-8 2>&1")
    assert.is_true(ok, "localedef could not make de_DE.UTF-8 (Debian package locales): " .. out)
    local code = [[
      local core = require("huaweicloud.core")
      local body = { destination_type = "OBS", x = 1.5, y = { -0.25, 1e-7 } }
      local function run()
        local json = assert(core.encode("CreateTransferTaskReq", body, { validate = false }))
        local h, info = core.sign({ method = "GET", url = "https://h.example.com/x", query = { a = 2.25 },
          date = "20240207T123456Z", body = json }, { ak = "AKAK", sk = "SKSK" })
        return json .. "\n" .. info.url .. "\n" .. h.Authorization
      end
      local c = run()
      assert(os.setlocale("de_DE.UTF-8", "numeric"), "no such locale")
      -- LuaJIT formats numbers itself; PUC Lua shows the locale is in effect
      assert(jit or tostring(1.5) == "1,5", "the comma locale is not in effect: " .. tostring(1.5))
      local de = run()
      io.write(c == de and "same\n" or ("differs:\n" .. c .. "\n--\n" .. de .. "\n"), de)
    ]]
    local res = H.run_lua(code, { LOCPATH = dir })
    H.sh("rm -rf " .. dir)
    assert.are.equal("same", res:match("^[^\n]*"), res)
    assert.truthy(res:find('"x":1.5', 1, true), res)
    assert.truthy(res:find("a=2.25", 1, true), res)
  end)
end)
