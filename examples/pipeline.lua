-- A pipeline as code: Smart Connect on an instance with its topic, a Kafka -> OBS dump and a
-- replication from a peer instance, a DIS stream and its OBS dump task. The names are the
-- emulator's ready-made instances (`huaweicloud emulator`); OBS keys come from the environment.
--   huaweicloud plan examples/pipeline.lua
--   huaweicloud apply examples/pipeline.lua --yes
--   huaweicloud destroy examples/pipeline.lua --yes
return {
  region = "cn-north-4",
  kafka_instances = {
    ["demo-kafka-plain"] = { smart_connect = true, topics = { orders = { partition = 3, replication = 3 } } },
  },
  kafka_tasks = {
    ["orders-to-obs"] = { instance = "demo-kafka-plain", kind = "obs_dump", topics = "orders",
      consumer_strategy = "earliest", obs_bucket_name = "my-bucket", obs_path = "kafka/orders",
      partition_format = "yyyy/MM/dd", record_delimiter = "\n",
      access_key = os.getenv("OBS_AK") or "OBS-AK", secret_key = os.getenv("OBS_SK") or "OBS-SECRET-KEY" },
    ["orders-replica"] = { instance = "demo-kafka-plain", kind = "kafka_replication", topics = "orders",
      current_cluster_name = "here", cluster_name = "peer", direction = "pull",
      bootstrap_servers = "192.168.0.10:9092", security_protocol = "PLAINTEXT" },
  },
  dis_streams = { clicks = { partition_count = 2, data_duration = 24 } },
  dis_dump_tasks = {
    ["clicks-to-obs"] = { stream = "clicks", agency_name = "dis_admin_agency", obs_bucket_path = "my-bucket",
      file_prefix = "clicks", deliver_time_interval = 300 },
  },
}
