-- registry/dis.lua: DIS (Data Ingestion Service), its operations and models. See registry/kafka.lua.
-- From the API page "Adding OBS Dump Tasks" (Tables 3-5) and ../shared/api/lifecycle.md.
return {
  service = "dis",
  doc = "DIS: dump (transfer) tasks",
  host = "dis",

  -- What the service's errors mean (every DIS error is a 400: the code tells); see registry/kafka.lua.
  errors = {
    { 429, "APIG.0308", "not_processed" }, { 429, "APIGW.0308", "not_processed" },
    { 400, "DIS.4303", "not_processed" }, { 400, "DIS.4305", "not_processed" },
    { 400, "DIS.4309", "busy" }, { 400, "DIS.4205", "busy" },
    { 400, "DIS.4301", "gone" }, { 400, "DIS.4354", "gone" },
    { 400, "DIS.4307", "exists" }, { 400, "DIS.4355", "exists" },
    { 400, "DIS.4306", "never" }, { 400, "DIS.4308", "never" }, { 400, "DIS.4310", "never" },
    { 400, "DIS.4335", "never" }, { 400, "DIS.4357", "never" },
    { 400, "DIS.4601", "never" }, { 400, "DIS.4603", "gone" },
    { 441, "DIS.4100", "never" }, { 441, "DIS.4101", "never" }, { 441, "DIS.4102", "never" },
    { 441, "DIS.4103", "never" }, { 441, "DIS.4104", "never" }, { 441, "DIS.4105", "never" },
    { 441, "DIS.4106", "never" }, { 441, "DIS.4107", "never" }, { 441, "DIS.4108", "never" },
    { 441, "DIS.4109", "never" }, { 441, "DIS.4110", "never" }, { 441, "DIS.4111", "never" },
    { 441, "DIS.4112", "never" },
    { 401, "APIGW.0301", "never" },
    { 500, "DIS.5000", "idempotent" },
  },
  -- states: dump tasks, Go TransferTaskStateEnum (querying_dump_tasks.rst); streams, Go
  -- StreamInfoStatusEnum (querying_streams.rst; its prose also says TERMINATED).
  waiters = {
    transfer_task = { show = "show_transfer_task", state = "state", params = { "stream_name", "task_name" },
      done = { "RUNNING" }, failure = { "ERROR", "ABNORMAL" }, interval = 5, timeout = 1800,
      states = { "STARTING", "RUNNING", "PAUSED", "ERROR", "ABNORMAL", "DELETE" } },
    stream = { show = "show_stream", state = "status", params = { "stream_name" },
      done = { "RUNNING" }, failure = { "FROZEN" }, interval = 5, timeout = 1800,
      states = { "CREATING", "RUNNING", "TERMINATING", "TERMINATED", "FROZEN" } },
  },
  -- name: a list of names beside a list of details; each yields the details (with the name).
  -- key: what tells two items apart (the name itself for a list of names).
  pagers = {
    stream = { list = "list_streams", items = "stream_names", details = "stream_info_list", name = "stream_name",
      cursor = "start_stream_name", more = "has_more_streams", limit = "limit", page = 100 },
    transfer_task = { list = "list_transfer_tasks", items = "tasks", key = "task_name" },
  },
  -- Actions the service takes by id, offered by name: show, take the id, call with it in a list.
  actions = {
    start_transfer_task = { show = "show_transfer_task", id = "task_id", call = "batch_start_transfer_task",
      body = { action = "start" }, list = "tasks", list_key = "id" },
    stop_transfer_task = { show = "show_transfer_task", id = "task_id", call = "batch_stop_transfer_task",
      body = { action = "stop" }, list = "tasks", list_key = "id" },
  },
  -- Create only when absent: names are unique here, and the service says "exists" itself.
  ensure = {
    obs_transfer_task = { create = "create_obs_transfer_task", key = "obs_destination_descriptor.task_name",
      show = "show_transfer_task", show_param = "task_name", waiter = "transfer_task",
      wait_params = { stream_name = "stream_name", task_name = "task_name" },
      drift_map = { obs_destination_descriptor = "obs_destination_description" } },
    -- show_stream's names for what create_stream takes (writable: the ACTIVE partitions)
    stream = { create = "create_stream", key = "stream_name", show = "show_stream", show_param = "stream_name",
      waiter = "stream", wait_params = { stream_name = "stream_name" },
      drift_map = { data_duration = "retention_period", partition_count = "writable_partition_count" },
      -- ensure_stream{ grow = true }: fewer partitions than the body asks are scaled up; more are
      -- never shrunk (that is drift)
      grow = { arg = "grow", field = "partition_count", op = "update_partition_count",
        body = { stream_name = "stream_name", target_partition_count = "partition_count" } } },
  },

  -- Builders (see registry/kafka.lua): the page's documented defaults filled in.
  builders = {
    obs_transfer_task = { model = "CreateTransferTaskReq", doc = "An OBS dump task: destination OBS.",
      into = "obs_destination_descriptor", into_model = "OBSDestinationDescriptorRequest",
      fixed = { destination_type = "OBS" },
      defaults = { ["obs_destination_descriptor.consumer_strategy"] = "LATEST",
        ["obs_destination_descriptor.destination_file_type"] = "text",
        ["obs_destination_descriptor.deliver_time_interval"] = 300,
        ["obs_destination_descriptor.record_delimiter"] = "\n" } },
  },

  enums = {
    -- the page contradicts itself: its enumeration values (and the Go SDK's enum) say OBS, its
    -- description lists all five (and the Python model has no enum): both readings, the service decides
    destination_type = { "OBS", "MRS", "DLI", "CLOUDTABLE", "DWS" },
    consumer_strategy = { "LATEST", "TRIM_HORIZON" },
    file_type = { "text", "parquet", "carbon" },
    record_delimiter = { ",", ";", "|", "\n", "\\n" },
    -- "If this parameter is left blank, the time directory format will not be used"
    partition_format = { "", "yyyy", "yyyy/MM", "yyyy/MM/dd", "yyyy/MM/dd/HH", "yyyy/MM/dd/HH/mm" },
    timestamp_type = { "String", "Timestamp" },
    -- each action its own operation, as the Go SDK's BatchStart/StopTransferTaskReqAction enums
    start_action = { "start" },
    stop_action = { "stop" },
    -- BatchCreateTagsReq / BatchDeleteTagsReq: each action its own operation too
    create_action = { "create" },
    delete_action = { "delete" },
    stream_type = { "COMMON", "ADVANCED" },
    data_type = { "BLOB", "JSON", "CSV" },
    compression_format = { "snappy", "gzip", "zip" },
    timestamp_format = { "yyyy/MM/dd HH:mm:ss", "MM/dd/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss",
      "MM-dd-yyyy HH:mm:ss", "dd-MM-yyyy HH:mm:ss" },
  },

  models = {
    TransferTask = {
      doc = "A dump task as list_transfer_tasks shows it (task_id: the official SDK models drop it).",
      fields = {
        { "task_name", "string" }, { "task_id", "string", doc = "What the start and stop actions need." },
        { "state", "string", doc = "STARTING, RUNNING, PAUSED, ERROR, ABNORMAL, DELETE, ... (advisory)" },
        { "destination_type", "string" }, { "create_time", "int64" }, { "last_transfer_timestamp", "int64" },
      },
    },
    ListTransferTasksResponse = {
      doc = "The dump tasks of a stream.",
      fields = {
        { "total_number", "int32" }, { "quota", "int32", doc = "Dump tasks a stream may have." },
        { "tasks", "array", model = "TransferTask" },
      },
    },
    TransferPartition = {
      doc = "How far a dump task got in one partition.",
      fields = {
        { "partitionId", "string" }, { "discard", "int64" }, { "state", "string" },
        { "last_transfer_timestamp", "int64" }, { "last_transfer_offset", "int64" },
      },
    },
    OBSDestinationDescriptorResponse = {
      doc = "An OBS dump task's parameters as the service shows them.",
      fields = {
        { "task_name", "string" }, { "consumer_strategy", "string" }, { "agency_name", "string" },
        { "destination_file_type", "string" }, { "obs_bucket_path", "string" }, { "file_prefix", "string" },
        { "partition_format", "string" }, { "record_delimiter", "string" }, { "deliver_time_interval", "int32" },
        { "retry_duration", "int32" },
      },
    },
    ShowTransferTaskResponse = {
      doc = "One dump task (task_id and stream_id: the official SDK models drop them).",
      fields = {
        { "stream_name", "string" }, { "task_name", "string" }, { "task_id", "string" }, { "stream_id", "string" },
        { "state", "string", doc = "STARTING, RUNNING, PAUSED, ERROR, ABNORMAL, DELETE, ... (advisory)" },
        { "destination_type", "string" }, { "create_time", "int64" }, { "last_transfer_timestamp", "int64" },
        { "partitions", "array", model = "TransferPartition" },
        { "obs_destination_description", "object", model = "OBSDestinationDescriptorResponse" },
      },
    },
    BatchTransferTaskId = {
      doc = "A dump task named by its id.",
      fields = { { "id", "string", required = true, doc = "The task_id list_transfer_tasks shows." } },
    },
    BatchStartTransferTaskReq = {
      doc = "Starting dump tasks.",
      fields = {
        { "action", "string", required = true, enum = "start_action", doc = "start." },
        { "tasks", "array", model = "BatchTransferTaskId", required = true, doc = "The tasks, by id." },
      },
    },
    BatchStopTransferTaskReq = {
      doc = "Stopping dump tasks.",
      fields = {
        { "action", "string", required = true, enum = "stop_action", doc = "stop." },
        { "tasks", "array", model = "BatchTransferTaskId", required = true, doc = "The tasks, by id." },
      },
    },
    -- creating_a_stream.rst: key 1-36 characters (letters, digits, -, _ and CJK), value 0-43
    Tag = {
      doc = "A tag.",
      fields = { { "key", "string", min = 1, max = 36, doc = "Tag key." },
        { "value", "string", max = 43, doc = "Tag value." } },
    },
    -- changing_partition_quantity.rst; Go model_update_partition_count_req.go: "an integer greater
    -- than 0", "Minimum: 0" on the page: both readings
    UpdatePartitionCountReq = {
      doc = "Scaling a stream: more partitions than now scales up, fewer scales down (at most 5 times an hour).",
      fields = {
        { "stream_name", "string", required = true, min = 1, max = 64, doc = "The stream, again." },
        { "target_partition_count", "int32", required = true, min = 0, max = 2147483647,
          doc = "The partitions it should have." },
      },
    },
    -- tag_management/*.rst; Go model_create_tag_req.go, model_batch_create_tags_req.go
    CreateTagReq = {
      doc = "A tag to add to a stream.",
      fields = { { "tag", "object", model = "Tag", required = true } },
    },
    BatchCreateTagsReq = {
      doc = "Tags to add to a stream (a key that exists gets the new value).",
      fields = { { "action", "string", required = true, enum = "create_action", doc = "create." },
        { "tags", "array", model = "Tag", required = true, max = 10 } },
    },
    BatchDeleteTagsReq = {
      doc = "Tags to remove from a stream (a key that does not exist is no error).",
      fields = { { "action", "string", required = true, enum = "delete_action", doc = "delete." },
        { "tags", "array", model = "Tag", required = true } },
    },
    ShowStreamTagsResponse = {
      doc = "The tags of a stream.",
      fields = { { "tags", "array", model = "Tag" } },
    },
    TagValues = {
      doc = "A tag key and every value it has in the project.",
      fields = { { "key", "string" }, { "values", "array", items = "string" } },
    },
    ListTagsResponse = {
      doc = "Every tag of the project's streams.",
      fields = { { "tags", "array", model = "TagValues" } },
    },
    CsvProperties = {
      doc = "CSV data's properties.",
      fields = { { "delimiter", "string" } },
    },
    CreateStreamReq = {
      doc = "A stream to create.",
      fields = {
        { "stream_name", "string", required = true, min = 1, max = 64, charset = "_-",
          doc = "Stream name: letters, digits, _ and -." },
        { "partition_count", "int32", required = true, doc = "Partitions." },
        { "stream_type", "string", enum = "stream_type", doc = "COMMON or ADVANCED." },
        { "data_type", "string", enum = "data_type", default = "BLOB", doc = "Source data type." },
        { "data_duration", "int32", min = 24, max = 72, default = 24, doc = "Retention, in hours." },
        { "auto_scale_enabled", "boolean", doc = "Whether partitions scale by themselves." },
        { "auto_scale_min_partition_count", "int64" },
        { "auto_scale_max_partition_count", "int32" },
        { "data_schema", "string", doc = "Avro schema of JSON or CSV data." },
        { "csv_properties", "object", model = "CsvProperties" },
        { "compression_format", "string", enum = "compression_format" },
        { "tags", "array", model = "Tag", max = 10, doc = "Tags (DIS.4601 past 10)." },
        { "sys_tags", "array", model = "Tag" },
      },
    },
    StreamPartition = {
      doc = "A partition of a stream.",
      fields = {
        { "status", "string" }, { "partition_id", "string" }, { "hash_range", "string" },
        { "sequence_number_range", "string" }, { "parent_partitions", "string" },
      },
    },
    ShowStreamResponse = {
      doc = "A stream (stream_id: what dump task actions and tags refer to).",
      fields = {
        { "stream_name", "string" }, { "stream_id", "string" }, { "create_time", "int64" },
        { "last_modified_time", "int64" },
        { "status", "string", doc = "CREATING, RUNNING, TERMINATING, FROZEN (documented); others possible." },
        { "stream_type", "string" }, { "data_type", "string" }, { "retention_period", "int32" },
        { "partitions", "array", model = "StreamPartition" }, { "has_more_partitions", "boolean" },
        { "writable_partition_count", "int32" }, { "readable_partition_count", "int32" },
        { "compression_format", "string" }, { "data_schema", "string" }, { "tags", "array", model = "Tag" },
        { "sys_tags", "array", model = "Tag" }, { "auto_scale_enabled", "boolean" },
        { "auto_scale_min_partition_count", "int32" }, { "auto_scale_max_partition_count", "int32" },
        { "update_partition_counts", "array", model = "PartitionScaling", doc = "The stream's scalings." },
      },
    },
    PartitionScaling = {
      doc = "One scaling of a stream (Go UpdatePartitionCount; result_msg typed int32 there, a string here).",
      fields = { { "create_timestamp", "int64" }, { "src_partition_count", "int32" }, { "target_partition_count", "int32" },
        { "result_code", "int32" }, { "result_msg", "string" }, { "auto_scale", "boolean" } },
    },
    -- querying_streams.rst and Go model_stream_info.go (stream_id: the page's example)
    StreamInfo = {
      doc = "A stream in a list.",
      fields = {
        { "stream_name", "string" }, { "stream_id", "string" }, { "create_time", "int64" },
        { "retention_period", "int32" }, { "status", "string" }, { "stream_type", "string" },
        { "data_type", "string" }, { "partition_count", "int32" },
        { "auto_scale_enabled", "boolean" }, { "auto_scale_min_partition_count", "int32" },
        { "auto_scale_max_partition_count", "int32" },
        { "tags", "array", model = "Tag" }, { "sys_tags", "array", model = "Tag" },
      },
    },
    ListStreamsResponse = {
      doc = "A page of streams.",
      fields = {
        { "total_number", "int64" }, { "stream_names", "array", items = "string" },
        { "has_more_streams", "boolean", doc = "Another page follows: ask again from the last name." },
        { "stream_info_list", "array", model = "StreamInfo" },
      },
    },
    ProcessingSchema = {
      doc = "Dump time directory from the source data's timestamp (Table 5).",
      fields = {
        { "timestamp_name", "string", required = true, doc = "Attribute name of the source data timestamp." },
        { "timestamp_type", "string", required = true, enum = "timestamp_type", doc = "String or Timestamp." },
        { "timestamp_format", "string", enum = "timestamp_format", when = "timestamp_type = String",
          doc = "Timestamp format." },
      },
      rules = { { "require", when = "timestamp_type", equals = "String", "timestamp_format" } },
    },

    OBSDestinationDescriptorRequest = {
      doc = "Where and how an OBS dump task writes (Table 4).",
      fields = {
        { "task_name", "string", required = true, min = 1, max = 64, charset = "-_",
          doc = "Dump task name: letters, digits, - and _." },
        { "consumer_strategy", "string", enum = "consumer_strategy", default = "LATEST", doc = "Start offset." },
        { "agency_name", "string", required = true, min = 1, max = 64, doc = "IAM agency DIS uses to reach OBS." },
        { "destination_file_type", "string", enum = "file_type", default = "text", doc = "Dump file format." },
        { "obs_bucket_path", "string", required = true, doc = "OBS bucket name." },
        { "file_prefix", "string", max = 50, charset = "_/", no_lead_slash = true,
          doc = "Directory in the bucket; no leading /." },
        { "partition_format", "string", enum = "partition_format", doc = "Time directory format; empty: none." },
        { "record_delimiter", "string", enum = "record_delimiter", default = "\n", doc = "Delimiter between records." },
        -- "Mandatory: Yes" and "Default: 300" on the same page: both readings
        { "deliver_time_interval", "int32", min = 30, max = 900, default = 300, doc = "Dump interval, in seconds." },
        { "processing_schema", "object", model = "ProcessingSchema", doc = "Time directory from the data's timestamp." },
      },
    },

    CreateTransferTaskReq = {
      doc = "The body of a dump task create (Table 3).",
      fields = {
        { "destination_type", "string", required = true, enum = "destination_type", doc = "Dump destination." },
        -- "Mandatory: No" on the page, and optional in the Go and Python models
        { "obs_destination_descriptor", "object", model = "OBSDestinationDescriptorRequest", doc = "OBS parameters." },
      },
    },
  },

  operations = {
    {
      name = "create_obs_transfer_task", method = "POST", path = "/v2/{project_id}/streams/{stream_name}/transfer-tasks",
      doc = "Adds an OBS dump task to a stream. 201, no body.",
      params = { { "stream_name", "string", max = 60, doc = "Stream name." } },
      request = "CreateTransferTaskReq", success = 201,
    },
    {
      name = "list_transfer_tasks", method = "GET", path = "/v2/{project_id}/streams/{stream_name}/transfer-tasks",
      doc = "Lists the dump tasks of a stream, with their task_id.",
      params = { { "stream_name", "string", max = 60, doc = "Stream name." } },
      response = "ListTransferTasksResponse", success = 200,
    },
    {
      name = "show_transfer_task", method = "GET",
      path = "/v2/{project_id}/streams/{stream_name}/transfer-tasks/{task_name}",
      doc = "Shows one dump task, by name; DIS.4354 once it is deleted.",
      params = { { "stream_name", "string", max = 60, doc = "Stream name." },
        { "task_name", "string", max = 64, doc = "Dump task name." } },
      response = "ShowTransferTaskResponse", success = 200,
    },
    {
      name = "delete_transfer_task", method = "DELETE",
      path = "/v2/{project_id}/streams/{stream_name}/transfer-tasks/{task_name}",
      doc = "Deletes a dump task, by name. 204, no body.",
      params = { { "stream_name", "string", max = 60, doc = "Stream name." },
        { "task_name", "string", max = 64, doc = "Dump task name." } },
      success = 204,
    },
    {
      name = "batch_start_transfer_task", method = "POST",
      path = "/v2/{project_id}/streams/{stream_name}/transfer-tasks/action",
      doc = "Starts dump tasks, by id (body: { action = \"start\", tasks = { { id = ... } } }). 200, no body.",
      params = { { "stream_name", "string", max = 60, doc = "Stream name." } },
      request = "BatchStartTransferTaskReq", success = 200, match = { action = "start" },
    },
    {
      name = "batch_stop_transfer_task", method = "POST",
      path = "/v2/{project_id}/streams/{stream_name}/transfer-tasks/action",
      doc = "Stops dump tasks, by id (body: { action = \"stop\", tasks = { { id = ... } } }). 200, no body.",
      params = { { "stream_name", "string", max = 60, doc = "Stream name." } },
      request = "BatchStopTransferTaskReq", success = 200, match = { action = "stop" },
    },
    {
      name = "create_stream", method = "POST", path = "/v2/{project_id}/streams",
      doc = "Creates a stream (status CREATING, then RUNNING). 201, no body.",
      request = "CreateStreamReq", success = 201,
    },
    {
      name = "show_stream", method = "GET", path = "/v2/{project_id}/streams/{stream_name}",
      doc = "Shows a stream; DIS.4301 once it is deleted.",
      params = { { "stream_name", "string", max = 64, doc = "Stream name." },
        { "start_partitionId", "string", doc = "List the partitions after this one (exclusive; shardId-0000000000)." },
        { "limit_partitions", "integer", min = 1, max = 1000, doc = "Partitions per answer (default 100)." } },
      response = "ShowStreamResponse", success = 200,
    },
    {
      name = "list_streams", method = "GET", path = "/v2/{project_id}/streams",
      doc = "Lists streams, a page at a time (has_more_streams: ask again from the last name).",
      params = { { "limit", "integer", min = 1, max = 100, doc = "Streams per page (default 10)." },
        { "start_stream_name", "string", max = 64, doc = "List after this name (exclusive)." } },
      response = "ListStreamsResponse", success = 200,
    },
    {
      name = "update_partition_count", method = "PUT", path = "/v2/{project_id}/streams/{stream_name}",
      doc = "Scales a stream to target_partition_count partitions (up or down; at most 5 times an hour). 200.",
      params = { { "stream_name", "string", max = 64, doc = "Stream name." } },
      request = "UpdatePartitionCountReq", success = 200,
    },
    {
      name = "create_tag", method = "POST", path = "/v2/{project_id}/stream/{stream_id}/tags",
      doc = "Adds a tag to a stream (by stream_id: show_stream answers it). 204.",
      params = { { "stream_id", "string", max = 60, doc = "Stream ID." } },
      request = "CreateTagReq", success = 204,
    },
    {
      name = "delete_tag", method = "DELETE", path = "/v2/{project_id}/stream/{stream_id}/tags/{key}",
      doc = "Removes a tag from a stream. 204.",
      params = { { "stream_id", "string", max = 60, doc = "Stream ID." }, { "key", "string", max = 36, doc = "Tag key." } },
      success = 204,
    },
    {
      name = "show_stream_tags", method = "GET", path = "/v2/{project_id}/stream/{stream_id}/tags",
      doc = "The tags of a stream.",
      params = { { "stream_id", "string", max = 60, doc = "Stream ID." } },
      response = "ShowStreamTagsResponse", success = 200,
    },
    {
      name = "batch_create_tags", method = "POST", path = "/v2/{project_id}/stream/{stream_id}/tags/action",
      doc = "Adds tags to a stream (body: { action = \"create\", tags = { ... } }). 204.",
      params = { { "stream_id", "string", max = 60, doc = "Stream ID." } },
      request = "BatchCreateTagsReq", success = 204, match = { action = "create" },
    },
    {
      name = "batch_delete_tags", method = "POST", path = "/v2/{project_id}/stream/{stream_id}/tags/action",
      doc = "Removes tags from a stream (body: { action = \"delete\", tags = { ... } }). 204.",
      params = { { "stream_id", "string", max = 60, doc = "Stream ID." } },
      request = "BatchDeleteTagsReq", success = 204, match = { action = "delete" },
    },
    {
      name = "list_tags", method = "GET", path = "/v2/{project_id}/stream/tags",
      doc = "Every tag key, and its values, of the project's streams.",
      response = "ListTagsResponse", success = 200,
    },
    {
      name = "delete_stream", method = "DELETE", path = "/v2/{project_id}/streams/{stream_name}",
      doc = "Deletes a stream. 204, no body.",
      params = { { "stream_name", "string", max = 64, doc = "Stream name." } },
      success = 204,
    },
  },
}
