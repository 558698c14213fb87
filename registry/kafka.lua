-- registry/kafka.lua: DMS for Kafka (Smart Connect), the one source of truth for its operations
-- and models. `make gen` turns it into csrc/registry.c, lua/huaweicloud/registry.lua,
-- lua/huaweicloud/types.lua and docs/api.md (see registry/README.md for the format).
--
-- From the API page "Creating a Smart Connect Task" (Tables 2-7) and ../shared/api/lifecycle.md.
-- Field order is the order of the page's request examples (then its tables' order), so the
-- examples marshal to the bytes the official SDK signed.
return {
  service = "kafka",
  doc = "DMS for Kafka: Smart Connect tasks",
  host = "dms",

  -- What the service's errors mean, by status and code (the status alone misleads: DMS throttles
  -- with a 404). not_processed: retry later, even a create; busy: retry with a longer step;
  -- idempotent: retry only calls that can be repeated; gone, exists, never: do not retry.
  errors = {
    { 429, "APIG.0308", "not_processed" }, { 429, "APIGW.0308", "not_processed" },
    { 404, "DMS.10240407", "not_processed" },
    { 400, "DMS.00400017", "busy" }, { 400, "DMS.00400026", "busy" },
    { 400, "DMS.00400035", "never" }, { 400, "DMS.00400039", "never" },
    { 400, "DMS.00400062", "never" }, { 400, "DMS.00400800", "never" }, { 400, "DMS.00400070", "never" },
    { 404, "DMS.00404022", "gone" },
    { 400, "DMS.00400101", "never" }, { 400, "DMS.00400102", "never" }, { 400, "DMS.00400103", "never" },
    { 400, "DMS.00400105", "never" }, { 400, "DMS.00400861", "never" },
    { 401, "APIGW.0301", "never" },
    { 500, "DMS.00500000", "idempotent" },
  },
  -- Polling a show operation until a state: what is done and what is failure by default (any
  -- other state, documented or not, is pending), and Terraform's steps and limits.
  -- states: every state a wait may ask for (`until`); conditions: named targets that read more
  -- than the state.
  waiters = {
    -- RUNNING, PAUSED, WAITING, RESTARTING: Go model_smart_connect_task_entity.go; CREATING: seen by
    -- Terraform (resource_huaweicloud_dms_kafkav2_smart_connect_task.go). ERROR and FAILED are not
    -- documented: the SDK's own reading of a task that reports them.
    connector_task = { show = "show_connector_task", state = "status", params = { "instance_id", "task_id" },
      done = { "RUNNING", "WAITING" }, failure = { "ERROR", "FAILED" }, interval = 5, timeout = 1800,
      states = { "CREATING", "RUNNING", "WAITING", "PAUSED", "RESTARTING", "ERROR", "FAILED" } },
    -- CREATING, RUNNING, ERROR, RESTARTING, EXTENDING, EXTENDEDFAILED: DMS appendix/instance_status.rst;
    -- CONNECTOR_DELETING: Terraform (resource_huaweicloud_dms_kafka_smart_connect.go). RUNNING alone is
    -- also the state before EXTENDING: "enabled" and "disabled" wait for Smart Connect itself.
    instance = { show = "show_instance", state = "status", params = { "instance_id" },
      done = { "RUNNING" }, failure = { "EXTENDEDFAILED", "ERROR" }, interval = 10, timeout = 3000,
      states = { "CREATING", "RUNNING", "ERROR", "RESTARTING", "EXTENDING", "EXTENDEDFAILED", "CONNECTOR_DELETING" },
      conditions = { enabled = { status = "RUNNING", connector_enable = true },
        disabled = { status = "RUNNING", connector_enable = false } },
      -- wait_instance{ job_id = ... }: the job create_connector or delete_connector answered is
      -- followed first (wait_job), then the instance
      job = "job" },
    -- A background job (listing_background_tasks.rst): show answers { task_count, tasks = { the job } }.
    -- CREATED, EXECUTING, SUCCESS, FAILED, DELETED, CANCELLED: the SDKs' descriptions (the docs'
    -- examples show EXECUTING and SUCCESS). wait_job{ instance_id, job_id }: job_id is show's task_id.
    job = { show = "show_background_task", state = "tasks.1.status", params = { "instance_id", "task_id" },
      aliases = { job_id = "task_id" }, done = { "SUCCESS" }, failure = { "FAILED", "CANCELLED", "DELETED" },
      interval = 5, timeout = 3000, states = { "CREATED", "EXECUTING", "SUCCESS", "FAILED", "DELETED", "CANCELLED" } },
  },
  -- Walking every page of a list (key: what tells two items apart, to see that pages advance).
  -- defaults: parameters every page takes unless given (list_instances needs engine = "kafka").
  pagers = {
    connector_task = { list = "list_connector_tasks", items = "tasks", key = "id", offset = "offset", limit = "limit",
      page = 50 },
    instance = { list = "list_instances", items = "instances", key = "instance_id", offset = "offset", limit = "limit",
      page = 50, defaults = { engine = "kafka" }, total = "instance_num" },
    topic = { list = "list_instance_topics", items = "topics", key = "name", offset = "offset", limit = "limit",
      page = 50, total = "total" },
  },
  -- Finding one thing by a field that should name one (none, or several: a clear error).
  finders = {
    instance = { pager = "instance", key = "name", id = "instance_id",
      query = { name = "name", exact_match_name = true } },
  },
  -- Create only when absent: Smart Connect task names are not unique in the API, so a task is
  -- found by listing and comparing the name. After a create, ensure looks until its task shows
  -- (how soon a list shows a new task is not documented: settle), and where a racing caller made
  -- another of the name, the first made wins and the loser deletes its own (delete).
  ensure = {
    connector_task = { create = "create_connector_task", key = "task_name", find = "connector_task",
      id = "id", waiter = "connector_task", wait_params = { instance_id = "instance_id", task_id = "id" },
      settle = { tries = 30, interval = 1 }, delete = "delete_connector_task",
      delete_params = { instance_id = "instance_id", task_id = "id" },
      -- ensure_connector_task{ validate_first = true }: the peer or sink checked before a create
      validate = { op = "validate_connector_connectivity", model = "SmartConnectValidateTask", cases = {
        { when = "source_type", equals = "KAFKA_REPLICATOR_SOURCE", type = "KAFKA_REPLICATOR_SOURCE", task = "source_task" },
        { when = "sink_type", equals = "OBS_SINK", type = "OBS_SINK", task = "sink_task" } } } },
    -- Topic names are unique in an instance: found by listing (the body's id is the list's name),
    -- created once; what exists is compared (partitions, replicas, retention); nothing to wait for.
    topic = { create = "create_instance_topic", key = "id", item_key = "name", find = "topic", unique = true,
      id = "name" },
  },

  -- Builders: a flat table of options -> a request body with its type fields fixed and the page's
  -- documented defaults (huaweicloud.builders). top: fields kept at the top of the body; into: the
  -- object every other option goes into (its model: into_model); nested: objects given whole.
  builders = {
    obs_dump_task = { model = "CreateSmartConnectTaskReq", doc = "A Kafka -> OBS dump: source NONE, sink OBS_SINK.",
      top = { "task_name", "start_later", "topics", "topics_regex" }, into = "sink_task",
      into_model = "SmartConnectTaskReqSinkConfig", fixed = { source_type = "NONE", sink_type = "OBS_SINK" },
      -- destination_file_type TEXT (the only one), deliver_time_interval 300 s: the page's defaults
      defaults = { ["sink_task.destination_file_type"] = "TEXT", ["sink_task.deliver_time_interval"] = 300 } },
    kafka_replication_task = { model = "CreateSmartConnectTaskReq",
      doc = "Kafka -> Kafka replication: source KAFKA_REPLICATOR_SOURCE.",
      top = { "task_name", "start_later", "topics", "topics_regex" }, into = "source_task",
      into_model = "SmartConnectTaskReqSourceConfig", fixed = { source_type = "KAFKA_REPLICATOR_SOURCE" },
      defaults = { ["source_task.task_num"] = 2 } },
    redis_replication_task = { model = "CreateSmartConnectTaskReq",
      doc = "Redis -> Redis replication: source_task and sink_task given as tables.",
      top = { "task_name", "start_later", "topics", "topics_regex" }, nested = { "source_task", "sink_task" },
      fixed = { source_type = "REDIS_REPLICATOR_SOURCE", sink_type = "REDIS_REPLICATOR_SINK" } },
  },

  enums = {
    source_type = { "REDIS_REPLICATOR_SOURCE", "KAFKA_REPLICATOR_SOURCE", "NONE" },
    sink_type = { "REDIS_REPLICATOR_SINK", "OBS_SINK", "NONE" },
    sync_mode = { "RDB_ONLY", "CUSTOM_OFFSET" },
    -- SASL_PLAINTEXT: the response model documents it
    security_protocol = { "SASL_SSL", "PLAINTEXT", "SASL_PLAINTEXT" },
    direction = { "pull", "push", "two-way" },
    consumer_strategy = { "latest", "earliest" },
    compression_type = { "none", "gzip", "snappy", "lz4", "zstd" },
    file_type = { "TEXT" },
    partition_format = { "yyyy", "yyyy/MM", "yyyy/MM/dd", "yyyy/MM/dd/HH", "yyyy/MM/dd/HH/mm" },
    -- every spelling the page shows: its table's "Newline (\n)" read as a newline and as the two
    -- characters \n (its example 1 sends "\\n"), its "NULL" as the word and as an empty string
    record_delimiter = { ",", ";", "|", "\n", "\\n", "NULL", "" },
    specification = { "100MB", "300MB", "600MB", "1200MB" },
    engine = { "kafka" },
    -- the SDKs' ListInstancesRequestStatusEnum
    instance_status = { "CREATING", "RUNNING", "RESTARTING", "DELETING", "ERROR", "CREATEFAILED", "FREEZING", "FROZEN",
      "EXTENDING", "SHRINKING", "EXTENDEDFAILED", "CONFIGURING", "ROLLBACK", "ROLLBACKFAILED", "VOLUMETYPECHANGING" },
    validate_type = { "OBS_SINK", "KAFKA_REPLICATOR_SOURCE" },
    sasl_mechanism = { "PLAIN", "SCRAM-SHA-512" },
    task_status = { "PAUSED", "RUNNING", "WAITING", "RESTARTING" },
  },

  models = {
    ListConnectorTasksResponse = {
      doc = "A page of Smart Connect tasks.",
      fields = {
        { "tasks", "array", model = "SmartConnectTaskEntity", doc = "The tasks of the page." },
        { "total_number", "int32", doc = "Tasks of the instance." },
        { "max_tasks", "int32", doc = "Tasks an instance may have (18)." },
        { "quota_tasks", "int32", doc = "The quota of tasks (the docs' example: max_tasks 18, quota_tasks 18)." },
      },
    },
    CreateConnectorReq = {
      doc = "Enabling Smart Connect (all optional; the old flavours name a specification).",
      fields = {
        { "specification", "string", enum = "specification", doc = "Bandwidth of the old flavours." },
        -- a string in the SDK model, a number in the page's example: both readings
        { "node_cnt", "string", number_ok = true, min = 2, max = 2147483647,
          doc = "Connector nodes (at least 2; default 2): a number or a string of digits." },
        { "spec_code", "string", doc = "Connector node flavour." },
      },
    },
    CreateConnectorResponse = {
      doc = "The job that enables Smart Connect.",
      fields = { { "job_id", "string" }, { "connector_id", "string" } },
    },
    DeleteConnectorResponse = {
      doc = "The job that disables Smart Connect.",
      fields = { { "job_id", "string" } },
    },
    ShowInstanceResponse = {
      doc = "A Kafka instance: the fields a pipeline needs (every other field is kept as the service sends it).",
      fields = {
        { "instance_id", "string" }, { "name", "string" }, { "engine", "string" }, { "engine_version", "string" },
        { "specification", "string" },
        { "status", "string", doc = "CREATING, RUNNING, EXTENDING, CONNECTOR_DELETING, EXTENDEDFAILED, ERROR, ..." },
        { "type", "string" },
        { "connector_enable", "boolean", doc = "Whether Smart Connect is enabled." },
        { "connector_id", "string" },
        { "connector_node_num", "int32" },
        { "storage_space", "int32" }, { "used_storage_space", "int32" }, { "partition_num", "string" },
        { "created_at", "string" },
      },
    },
    -- listing_all_instances.rst; Go model_list_instances_response.go
    ListInstancesResponse = {
      doc = "A page of Kafka instances.",
      fields = { { "instances", "array", model = "ShowInstanceResponse" }, { "instance_num", "int32" } },
    },
    -- topic_management/*.rst; Go model_create_instance_topic_req.go, model_topic_entity.go. The ranges
    -- are the pages' (the error table's older ones, 4-64 characters, 1-168 h, are narrower)
    CreateInstanceTopicReq = {
      doc = "A topic to create.",
      fields = {
        { "id", "string", required = true, min = 3, max = 200, charset = "-_.",
          doc = "Topic name: 3-200 of letters, digits, -, _ and ., starting with a letter." },
        { "replication", "int32", min = 1, max = 20, doc = "Replicas (the page: 1 to 3; the error table: 1 to 20)." },
        { "sync_message_flush", "boolean", default = false, doc = "Flush messages to disk synchronously." },
        { "partition", "int32", min = 1, max = 200, doc = "Partitions." },
        { "sync_replication", "boolean", default = false, doc = "Replicate synchronously (acks=-1)." },
        { "retention_time", "int32", min = 1, max = 720, default = 72, doc = "Hours messages are kept." },
        { "topic_other_configs", "array", model = "TopicConfig", doc = "Other settings (max.message.bytes, ...)." },
        { "topic_desc", "string", max = 200, doc = "A description." },
      },
    },
    TopicConfig = {
      doc = "A topic setting.",
      fields = { { "name", "string" }, { "value", "string" } },
    },
    CreateInstanceTopicResponse = {
      doc = "The topic created.",
      fields = { { "name", "string" } },
    },
    TopicEntity = {
      doc = "A topic as the list shows it.",
      fields = {
        { "name", "string" }, { "replication", "int32" }, { "partition", "int32" }, { "retention_time", "int32" },
        { "sync_replication", "boolean" }, { "sync_message_flush", "boolean" }, { "topic_type", "int32" },
        { "policiesOnly", "boolean" }, { "topic_desc", "string" }, { "created_at", "int64" },
      },
    },
    ListInstanceTopicsResponse = {
      doc = "A page of an instance's topics, and its partition quota.",
      fields = {
        { "total", "int32" }, { "size", "int32" }, { "remain_partitions", "int32" }, { "max_partitions", "int32" },
        { "topic_max_partitions", "int32" }, { "topics", "array", model = "TopicEntity" },
      },
    },
    BatchDeleteInstanceTopicReq = {
      doc = "Topics to delete.",
      fields = { { "topics", "array", items = "string", doc = "Topic names." } },
    },
    TopicDeleted = {
      doc = "Whether one topic was deleted.",
      fields = { { "id", "string" }, { "success", "boolean" } },
    },
    BatchDeleteInstanceTopicResponse = {
      doc = "What was deleted (200 even when some failed: see success).",
      fields = { { "topics", "array", model = "TopicDeleted" } },
    },
    -- background_task_management/*.rst; Go model_list_background_tasks_*.go: task_count a string
    BackgroundTask = {
      doc = "A background job of an instance (enabling Smart Connect is one).",
      fields = {
        { "id", "string" }, { "name", "string" }, { "user_name", "string" }, { "user_id", "string" },
        { "params", "string", doc = "Its parameters, as JSON text." },
        { "status", "string", doc = "CREATED, EXECUTING, SUCCESS, FAILED, DELETED, CANCELLED." },
        { "created_at", "string" }, { "updated_at", "string" },
      },
    },
    ListBackgroundTasksResponse = {
      doc = "Background jobs of an instance (show_background_task answers this too, with the one job).",
      fields = { { "task_count", "string" }, { "tasks", "array", model = "BackgroundTask" } },
    },
    -- validate_connector_connectivity: Go model_smart_connect_validate_entity.go (task: the response
    -- source config; password: what Terraform's validate resource sends besides)
    SmartConnectValidateEntity = {
      doc = "A replication peer or a sink to check before a task is created.",
      fields = {
        { "type", "string", enum = "validate_type", doc = "KAFKA_REPLICATOR_SOURCE or OBS_SINK." },
        { "task", "object", model = "SmartConnectValidateTask", doc = "What the task would connect to." },
      },
    },
    SmartConnectValidateTask = {
      doc = "The peer of a replication, as a task's source_task names it.",
      fields = {
        { "current_cluster_name", "string" }, { "cluster_name", "string" }, { "user_name", "string" },
        { "password", "string", secret = true }, { "sasl_mechanism", "string", enum = "sasl_mechanism" },
        { "instance_id", "string" }, { "bootstrap_servers", "string" },
        { "security_protocol", "string", enum = "security_protocol" }, { "direction", "string", enum = "direction" },
        { "sync_consumer_offsets_enabled", "boolean" }, { "replication_factor", "int32" }, { "task_num", "int32" },
        { "rename_topic_enabled", "boolean" }, { "provenance_header_enabled", "boolean" },
        { "consumer_strategy", "string", enum = "consumer_strategy" },
        { "compression_type", "string", enum = "compression_type" }, { "topics_mapping", "string" },
      },
    },
    ShowConnectorResourceInfoResponse = {
      doc = "Whether Smart Connect's resources are sold out where the instance is.",
      fields = { { "soldOut", "boolean" } },
    },
    -- modify_connector_task: Go model_modify_connector_task_request.go takes a SmartConnectTaskEntity
    ModifyConnectorTaskReq = {
      doc = "A task's fields to change (the user guide says a task's parameters cannot be modified).",
      fields = {
        { "task_name", "string" }, { "topics", "string" }, { "topics_regex", "string" },
        { "source_type", "string", enum = "source_type" }, { "source_task", "object", model = "SmartConnectTaskRespSourceConfig" },
        { "sink_type", "string", enum = "sink_type" }, { "sink_task", "object", model = "SmartConnectTaskRespSinkConfig" },
        { "id", "string" }, { "status", "string", enum = "task_status" }, { "create_time", "int64" },
      },
    },
    SmartConnectTaskReqSourceConfig = {
      doc = "Source configuration of a Smart Connect task (Table 3).",
      fields = {
        { "redis_address", "string", when = "source_type = REDIS_REPLICATOR_SOURCE", doc = "Redis instance address." },
        { "redis_type", "string", when = "source_type = REDIS_REPLICATOR_SOURCE", doc = "Redis instance type." },
        { "dcs_instance_id", "string", when = "source_type = REDIS_REPLICATOR_SOURCE", unenforced = "example",
          doc = "DCS instance ID." },
        { "redis_password", "string", secret = true, when = "source_type = REDIS_REPLICATOR_SOURCE",
          unenforced = "peer", doc = "Redis password." },
        { "sync_mode", "string", enum = "sync_mode", when = "source_type = REDIS_REPLICATOR_SOURCE",
          doc = "RDB_ONLY: full synchronization; CUSTOM_OFFSET: full and incremental." },
        { "full_sync_max_retry", "int32", when = "source_type = REDIS_REPLICATOR_SOURCE", unenforced = "tuning",
          doc = "Max. retries of full synchronization." },
        { "full_sync_wait_ms", "int32", when = "source_type = REDIS_REPLICATOR_SOURCE", unenforced = "tuning",
          doc = "Interval of full synchronization retries, in ms." },
        { "ratelimit", "int32", when = "source_type = REDIS_REPLICATOR_SOURCE", unenforced = "tuning",
          doc = "Rate limit, in KB/s; -1: no limit." },
        { "current_cluster_name", "string", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          doc = "Current Kafka instance name." },
        { "cluster_name", "string", when = "source_type = KAFKA_REPLICATOR_SOURCE", doc = "Target Kafka instance name." },
        { "user_name", "string", when = "security_protocol = SASL_SSL", doc = "SASL_SSL user name of the target." },
        { "password", "string", secret = true, when = "security_protocol = SASL_SSL",
          doc = "SASL_SSL password of the target." },
        { "sasl_mechanism", "string", when = "security_protocol = SASL_SSL", doc = "Target Kafka authentication mode." },
        { "instance_id", "string", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          doc = "Target Kafka instance ID (either this or bootstrap_servers)." },
        { "bootstrap_servers", "string", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          doc = "Target Kafka instance address (either this or instance_id)." },
        { "security_protocol", "string", enum = "security_protocol", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          unenforced = "example", doc = "Target Kafka authentication: SASL_SSL or PLAINTEXT." },
        { "direction", "string", enum = "direction", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          doc = "Sync direction." },
        { "sync_consumer_offsets_enabled", "boolean", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          unenforced = "switch", doc = "Whether to sync the consumption progress." },
        { "replication_factor", "int32", when = "source_type = KAFKA_REPLICATOR_SOURCE", unenforced = "tuning",
          doc = "Topic replicas when a topic is created in the peer instance." },
        { "task_num", "int32", when = "source_type = KAFKA_REPLICATOR_SOURCE", unenforced = "default",
          default = 2, doc = "Number of data replication tasks." },
        { "rename_topic_enabled", "boolean", when = "source_type = KAFKA_REPLICATOR_SOURCE", unenforced = "switch",
          doc = "Whether to prefix target topics with the source instance's alias." },
        { "provenance_header_enabled", "boolean", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          unenforced = "switch", doc = "Whether to add the source header." },
        { "consumer_strategy", "string", enum = "consumer_strategy", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          unenforced = "tuning", doc = "Start offset: latest or earliest." },
        { "compression_type", "string", enum = "compression_type", when = "source_type = KAFKA_REPLICATOR_SOURCE",
          unenforced = "tuning", doc = "Compression for copied messages." },
        { "topics_mapping", "string", when = "source_type = KAFKA_REPLICATOR_SOURCE", unenforced = "either",
          doc = "Topic mapping source:target,...; not together with rename_topic_enabled." },
      },
      rules = {
        { "require", when = "security_protocol", equals = "SASL_SSL", "user_name", "password", "sasl_mechanism" },
        { "excludes", when = "rename_topic_enabled", equals = "true", "topics_mapping" },
      },
    },

    SmartConnectTaskReqSinkConfig = {
      doc = "Target configuration of a Smart Connect task (Table 4).",
      fields = {
        { "redis_address", "string", when = "sink_type = REDIS_REPLICATOR_SINK", doc = "Redis instance address." },
        { "redis_type", "string", when = "sink_type = REDIS_REPLICATOR_SINK", doc = "Redis instance type." },
        { "dcs_instance_id", "string", when = "sink_type = REDIS_REPLICATOR_SINK", unenforced = "example",
          doc = "DCS instance ID." },
        { "redis_password", "string", secret = true, when = "sink_type = REDIS_REPLICATOR_SINK", unenforced = "peer",
          doc = "Redis password." },
        { "consumer_strategy", "string", enum = "consumer_strategy", when = "sink_type = OBS_SINK",
          unenforced = "tuning", doc = "Start offset: latest or earliest." },
        { "destination_file_type", "string", enum = "file_type", when = "sink_type = OBS_SINK", unenforced = "tuning",
          doc = "Dump file format; only TEXT." },
        { "deliver_time_interval", "int32", when = "sink_type = OBS_SINK", unenforced = "default", default = 300,
          doc = "Dumping interval, in seconds." },
        { "access_key", "string", secret = true, when = "sink_type = OBS_SINK", doc = "AK for OBS." },
        { "secret_key", "string", secret = true, when = "sink_type = OBS_SINK", doc = "SK for OBS." },
        { "obs_bucket_name", "string", when = "sink_type = OBS_SINK", doc = "OBS bucket that stores the topic data." },
        { "obs_path", "string", when = "sink_type = OBS_SINK", doc = "Directory in the bucket, levels separated by /." },
        { "partition_format", "string", enum = "partition_format", when = "sink_type = OBS_SINK",
          unenforced = "tuning", doc = "Time directory format." },
        { "record_delimiter", "string", enum = "record_delimiter", when = "sink_type = OBS_SINK",
          unenforced = "tuning", doc = "Line break between records." },
        { "store_keys", "boolean", when = "sink_type = OBS_SINK", unenforced = "switch", doc = "Whether to dump keys." },
      },
    },

    CreateSmartConnectTaskReq = {
      doc = "The body of a Smart Connect task create (Table 2).",
      fields = {
        { "task_name", "string", doc = "Smart Connect task name." },
        { "start_later", "boolean", doc = "true: create the task and start it later (status WAITING)." },
        { "source_type", "string", enum = "source_type", doc = "Source type." },
        { "source_task", "object", model = "SmartConnectTaskReqSourceConfig", doc = "Source configuration." },
        { "topics", "string", doc = "Topics, comma-separated." },
        { "topics_regex", "string", doc = "Regular expression of the topics." },
        { "sink_type", "string", enum = "sink_type", doc = "Target type." },
        { "sink_task", "object", model = "SmartConnectTaskReqSinkConfig", doc = "Target configuration." },
      },
      rules = {
        { "require", when = "source_type", equals = "REDIS_REPLICATOR_SOURCE", "source_task",
          "source_task.redis_address", "source_task.redis_type", "source_task.sync_mode" },
        { "require", when = "source_type", equals = "KAFKA_REPLICATOR_SOURCE", "source_task",
          "source_task.current_cluster_name", "source_task.cluster_name", "source_task.direction" },
        { "exactly_one", when = "source_type", equals = "KAFKA_REPLICATOR_SOURCE", "source_task.instance_id",
          "source_task.bootstrap_servers" },
        { "require", when = "sink_type", equals = "REDIS_REPLICATOR_SINK", "sink_task", "sink_task.redis_address",
          "sink_task.redis_type" },
        { "require", when = "sink_type", equals = "OBS_SINK", "sink_task", "sink_task.access_key",
          "sink_task.secret_key", "sink_task.obs_bucket_name", "sink_task.obs_path" },
      },
    },

    SmartConnectTaskRespSourceConfig = {
      doc = "Source configuration as the service shows it (Table 6); no password.",
      fields = {
        { "redis_address", "string" }, { "redis_type", "string" }, { "dcs_instance_id", "string" },
        { "sync_mode", "string" }, { "full_sync_wait_ms", "int32" }, { "full_sync_max_retry", "int32" },
        { "ratelimit", "int32" }, { "current_cluster_name", "string" }, { "cluster_name", "string" },
        { "user_name", "string" }, { "sasl_mechanism", "string" }, { "instance_id", "string" },
        { "bootstrap_servers", "string" }, { "security_protocol", "string" }, { "direction", "string" },
        { "sync_consumer_offsets_enabled", "boolean" }, { "replication_factor", "int32" }, { "task_num", "int32" },
        { "rename_topic_enabled", "boolean" }, { "provenance_header_enabled", "boolean" },
        { "consumer_strategy", "string" }, { "compression_type", "string" }, { "topics_mapping", "string" },
      },
    },

    SmartConnectTaskRespSinkConfig = {
      doc = "Target configuration as the service shows it (Table 7); no access_key or secret_key.",
      fields = {
        { "redis_address", "string" }, { "redis_type", "string" }, { "dcs_instance_id", "string" },
        { "target_db", "int32" }, { "consumer_strategy", "string" }, { "destination_file_type", "string" },
        { "deliver_time_interval", "int32" }, { "obs_bucket_name", "string" }, { "obs_path", "string" },
        { "partition_format", "string" }, { "record_delimiter", "string" }, { "store_keys", "boolean" },
        { "obs_part_size", "int32" }, { "flush_size", "int32" }, { "timezone", "string" },
        { "schema_generator_class", "string" }, { "partitioner_class", "string" }, { "value_converter", "string" },
        { "key_converter", "string" }, { "kv_delimiter", "string" },
      },
    },

    SmartConnectTaskEntity = {
      doc = "A Smart Connect task, as create and show return it (Table 5).",
      fields = {
        { "task_name", "string", doc = "Smart Connect task name." },
        { "topics", "string" },
        { "topics_regex", "string" },
        { "source_type", "string" },
        { "source_task", "object", model = "SmartConnectTaskRespSourceConfig" },
        { "sink_type", "string" },
        { "sink_task", "object", model = "SmartConnectTaskRespSinkConfig" },
        { "id", "string", doc = "Task ID (optional in every official model: ensure looks a task without one up by name)." },
        { "status", "string", doc = "Task status: RUNNING, PAUSED, WAITING, RESTARTING (documented); others possible." },
        { "create_time", "int64", doc = "Creation time, ms since the epoch." },
      },
    },
  },

  operations = {
    {
      name = "create_connector_task", method = "POST", path = "/v2/{project_id}/instances/{instance_id}/connector/tasks",
      doc = "Creates a Smart Connect task (Kafka to Kafka, Redis to Redis, Kafka to OBS).",
      params = { { "instance_id", "string", doc = "Kafka instance ID." } },
      request = "CreateSmartConnectTaskReq", response = "SmartConnectTaskEntity", success = 200,
    },
    {
      name = "list_connector_tasks", method = "GET", path = "/v2/{project_id}/instances/{instance_id}/connector/tasks",
      doc = "Lists the Smart Connect tasks of an instance, a page at a time.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." },
        { "offset", "integer", min = 0, max = 2147483647, doc = "Where the page starts (0: the first task)." },
        { "limit", "integer", min = 1, max = 50, doc = "Tasks per page (the service's default: 10)." } },
      response = "ListConnectorTasksResponse", success = 200,
    },
    {
      name = "show_connector_task", method = "GET",
      path = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}",
      doc = "Shows one Smart Connect task; 404 once it is deleted.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." }, { "task_id", "string", doc = "Task ID." } },
      response = "SmartConnectTaskEntity", success = 200,
    },
    {
      name = "delete_connector_task", method = "DELETE",
      path = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}",
      doc = "Deletes a Smart Connect task. 204, no body.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." }, { "task_id", "string", doc = "Task ID." } },
      success = 204,
    },
    {
      name = "pause_connector_task", method = "PUT",
      path = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/pause",
      doc = "Pauses a running task (RUNNING -> PAUSED). 204, no body.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." }, { "task_id", "string", doc = "Task ID." } },
      success = 204,
    },
    {
      name = "resume_connector_task", method = "PUT",
      path = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/resume",
      doc = "Resumes a paused task (PAUSED -> RUNNING). 204, no body.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." }, { "task_id", "string", doc = "Task ID." } },
      success = 204,
    },
    {
      name = "restart_connector_task", method = "PUT",
      path = "/v2/{project_id}/kafka/instances/{instance_id}/connector/tasks/{task_id}/restart",
      doc = "Starts a WAITING task, or restarts a paused or running one (its sync progress starts over). 204.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." }, { "task_id", "string", doc = "Task ID." } },
      success = 204,
    },
    {
      name = "create_connector", method = "POST", path = "/v2/{project_id}/instances/{instance_id}/connector",
      doc = "Enables Smart Connect on an instance (status EXTENDING, then RUNNING).",
      params = { { "instance_id", "string", doc = "Kafka instance ID." } },
      request = "CreateConnectorReq", body = "optional", response = "CreateConnectorResponse", success = 200,
    },
    {
      name = "delete_connector", method = "POST", path = "/v2/{project_id}/kafka/instances/{instance_id}/delete-connector",
      doc = "Disables Smart Connect on an instance (status CONNECTOR_DELETING, then RUNNING).",
      params = { { "instance_id", "string", doc = "Kafka instance ID." } },
      response = "DeleteConnectorResponse", success = 200,
    },
    {
      name = "list_instances", method = "GET", path = "/v2/{project_id}/instances",
      doc = "Lists Kafka instances, a page at a time (engine = \"kafka\"; by name, status, ...).",
      params = { { "engine", "string", required = true, doc = "kafka." },
        { "name", "string", doc = "Instance name (a part of it, unless exact_match_name)." },
        { "instance_id", "string", doc = "Instance ID." },
        { "status", "string", doc = "Instance status (CREATING, RUNNING, ...)." },
        { "include_failure", "boolean", doc = "Also instances whose creation failed." },
        { "exact_match_name", "boolean", doc = "name matches whole names only (default false)." },
        { "enterprise_project_id", "string", doc = "Enterprise project ID." },
        { "offset", "integer", min = 0, max = 2147483647, doc = "Where the page starts." },
        { "limit", "integer", min = 1, max = 50, doc = "Instances per page (default 10)." } },
      response = "ListInstancesResponse", success = 200,
    },
    {
      name = "list_instance_topics", method = "GET", path = "/v2/{project_id}/instances/{instance_id}/topics",
      doc = "Lists an instance's topics, a page at a time, with its partition quota.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." },
        { "offset", "integer", min = 0, max = 2147483647, doc = "Where the page starts." },
        { "limit", "integer", min = 0, max = 200, doc = "Topics per page (the SDKs: 0-200, default 50)." } },
      response = "ListInstanceTopicsResponse", success = 200,
    },
    {
      name = "create_instance_topic", method = "POST", path = "/v2/{project_id}/instances/{instance_id}/topics",
      doc = "Creates a topic.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." } },
      request = "CreateInstanceTopicReq", response = "CreateInstanceTopicResponse", success = 200,
    },
    {
      name = "batch_delete_instance_topic", method = "POST",
      path = "/v2/{project_id}/instances/{instance_id}/topics/delete",
      doc = "Deletes topics; 200 with each topic's success.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." } },
      request = "BatchDeleteInstanceTopicReq", response = "BatchDeleteInstanceTopicResponse", success = 200,
    },
    {
      name = "list_background_tasks", method = "GET", path = "/v2/{project_id}/instances/{instance_id}/tasks",
      doc = "Lists an instance's background jobs. The paging parameter is start on the wire (the docs, Python, " ..
        "Node, Terraform; Go 0.1.188 sends offset).",
      params = { { "instance_id", "string", doc = "Kafka instance ID." },
        { "start", "integer", min = 0, max = 2147483647, doc = "The job the page starts at (from 1)." },
        { "limit", "integer", min = 1, max = 2147483647, doc = "Jobs per page." },
        { "begin_time", "string", doc = "From, as YYYYMMDDHHmmss." },
        { "end_time", "string", doc = "Until, as YYYYMMDDHHmmss." } },
      response = "ListBackgroundTasksResponse", success = 200,
    },
    {
      name = "show_background_task", method = "GET",
      path = "/v2/{project_id}/instances/{instance_id}/tasks/{task_id}",
      doc = "Shows one background job (the job_id create_connector answers): { task_count, tasks = { job } }.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." }, { "task_id", "string", doc = "Job ID." } },
      response = "ListBackgroundTasksResponse", success = 200,
    },
    {
      name = "validate_connector_connectivity", method = "POST",
      path = "/v2/{project_id}/instances/{instance_id}/connector/validate",
      doc = "Checks that a replication peer or a sink can be reached, before a task is created.",
      params = { { "instance_id", "string", doc = "Kafka instance ID." } },
      request = "SmartConnectValidateEntity", success = 200,
    },
    {
      name = "show_connector_resource_info", method = "GET", path = "/v2/{project_id}/instances/{instance_id}/connector",
      doc = "Whether Smart Connect can be enabled where the instance is (soldOut).",
      params = { { "instance_id", "string", doc = "Kafka instance ID." } },
      response = "ShowConnectorResourceInfoResponse", success = 200,
    },
    {
      name = "modify_connector_task", method = "PUT",
      path = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}",
      doc = "Changes a Smart Connect task (in the SDKs; the user guide says its parameters cannot be modified).",
      params = { { "instance_id", "string", doc = "Kafka instance ID." }, { "task_id", "string", doc = "Task ID." } },
      request = "ModifyConnectorTaskReq", response = "SmartConnectTaskEntity", success = 200,
    },
    {
      name = "show_instance", method = "GET", path = "/v2/{project_id}/instances/{instance_id}",
      doc = "Shows a Kafka instance (its status and whether Smart Connect is on; every other field kept).",
      params = { { "instance_id", "string", doc = "Kafka instance ID." } },
      response = "ShowInstanceResponse", success = 200,
    },
  },
}
