-- DIS -> OBS in Parquet: "Adding OBS Dump Tasks (The dump file format is Parquet.)", the second
-- example of the DIS API page, with a processing schema that builds the OBS time directories
-- from the records' own timestamp. Environment as in dis_obs_text.lua.
local hw = require("huaweicloud")

local dis = assert(hw.dis.new({
  region = os.getenv("HUAWEICLOUD_SDK_REGION") or "cn-north-4",
  endpoint = os.getenv("HUAWEICLOUD_SDK_ENDPOINT"),
}))

local body = hw.dis.obs_transfer_task({
  task_name = "newtask",
  consumer_strategy = "LATEST",
  agency_name = "dis_admin_agency",
  destination_file_type = "parquet",
  obs_bucket_path = "obsbucket",
  file_prefix = "",
  partition_format = "yyyy/MM/dd/HH/mm",
  record_delimiter = "|",
  deliver_time_interval = 30,
  processing_schema = { timestamp_name = "ts", timestamp_type = "String", timestamp_format = "yyyy-MM-dd HH:mm:ss" },
})
local stream = os.getenv("DIS_STREAM_NAME") or "dis-stream-1"
local _, meta = dis:create_obs_transfer_task({ stream_name = stream, body = body })
if not _ then
  io.stderr:write(tostring(meta), "\n")
  os.exit(1)
end
print("dump task added: HTTP " .. meta.status .. ", request " .. tostring(meta.request_id))
print("the body sent (201 answers none; secrets would show as ***):")
print(hw.inspect(body, "CreateTransferTaskReq"))
