/* models.c - descriptors of every request and response model of the two create operations,
 * from the API pages (Kafka: Tables 2-7; DIS: Tables 3-5). Data only.
 *
 * Field order is the order of the pages' request examples (then the tables' order for fields
 * the examples leave out), so the examples marshal to the same bytes the official SDK signed.
 *
 * Never stricter than the service. Every value a page shows is accepted and sent as given; where
 * a page contradicts itself, both readings are accepted (DIS deliver_time_interval: "Mandatory:
 * Yes" and "Default: 300"). One rule decides every "mandatory only when <case>" note: it is
 * enforced when the case is set in the body and the page's own example for that case sends the
 * field, unless the page itself shows the field may be left out: a documented default, one side
 * of an either/or or of a "cannot be configured at the same time", a value only some peers have
 * (a password or SASL setting), or a tuning value or switch (retries, waits, rate limits, replica
 * and task counts, offsets, compression, formats, delimiters, mappings, on/off flags). The
 * service decides those. */
#include <stddef.h>
#include "model.h"

#define F(name, type, flags, enums, min, max, charset, model) \
  {name, type, flags, enums, min, max, charset, model}
#define STR(name, flags) F(name, HWC_T_STRING, flags, NULL, 0, 0, NULL, NULL)
#define ENUM(name, flags, e) F(name, HWC_T_STRING, flags, e, 0, 0, NULL, NULL)
#define BOOL(name, flags) F(name, HWC_T_BOOLEAN, flags, NULL, 0, 0, NULL, NULL)
#define INT32(name, flags) F(name, HWC_T_INT32, flags, NULL, 0, 0, NULL, NULL)
#define INT64(name, flags) F(name, HWC_T_INT64, flags, NULL, 0, 0, NULL, NULL)
#define OBJ(name, flags, m) F(name, HWC_T_OBJECT, flags, NULL, 0, 0, NULL, &m)
#define ARRAY(name, flags, m) F(name, HWC_T_ARRAY, flags, NULL, 0, 0, NULL, &m)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MODEL(name, fields, rules) {name, fields, COUNT(fields), rules, COUNT(rules)}
#define MODEL_NORULES(name, fields) {name, fields, COUNT(fields), NULL, 0}
#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

enum { REQ = HWC_F_REQUIRED, SECRET = HWC_F_SENSITIVE };

/* ---- DMS for Kafka: create a Smart Connect task ------------------------------------- */

static const char *const kafka_source_types[] = {"REDIS_REPLICATOR_SOURCE", "KAFKA_REPLICATOR_SOURCE", "NONE", NULL};
static const char *const kafka_sink_types[] = {"REDIS_REPLICATOR_SINK", "OBS_SINK", "NONE", NULL};
static const char *const kafka_sync_modes[] = {"RDB_ONLY", "CUSTOM_OFFSET", NULL};
/* SASL_PLAINTEXT: the response model documents it */
static const char *const kafka_security_protocols[] = {"SASL_SSL", "PLAINTEXT", "SASL_PLAINTEXT", NULL};
static const char *const kafka_directions[] = {"pull", "push", "two-way", NULL};
static const char *const kafka_consumer_strategies[] = {"latest", "earliest", NULL};
static const char *const kafka_compression_types[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};
static const char *const kafka_file_types[] = {"TEXT", NULL};
static const char *const partition_formats[] = {"yyyy", "yyyy/MM", "yyyy/MM/dd", "yyyy/MM/dd/HH", "yyyy/MM/dd/HH/mm", NULL};
/* every spelling the page shows: its table's "Newline (\n)" read as a newline and as the two
 * characters \n (its example 1 sends "\\n"), its "NULL" as the word and as an empty string */
static const char *const kafka_record_delimiters[] = {",", ";", "|", "\n", "\\n", "NULL", "", NULL};

static const hwc_rule source_rules[] = {
  {HWC_R_REQUIRE, "security_protocol", "SASL_SSL", LIST("user_name", "password", "sasl_mechanism")},
  {HWC_R_EXCLUDES, "rename_topic_enabled", "true", LIST("topics_mapping")},
};

static const hwc_field source_fields[] = {
  STR("redis_address", 0),
  STR("redis_type", 0),
  STR("dcs_instance_id", 0),
  STR("redis_password", SECRET),
  ENUM("sync_mode", 0, kafka_sync_modes),
  INT32("full_sync_max_retry", 0),
  INT32("full_sync_wait_ms", 0),
  INT32("ratelimit", 0),
  STR("current_cluster_name", 0),
  STR("cluster_name", 0),
  STR("user_name", 0),
  STR("password", SECRET),
  STR("sasl_mechanism", 0),
  STR("instance_id", 0),
  STR("bootstrap_servers", 0),
  ENUM("security_protocol", 0, kafka_security_protocols),
  ENUM("direction", 0, kafka_directions),
  BOOL("sync_consumer_offsets_enabled", 0),
  INT32("replication_factor", 0),
  INT32("task_num", 0),
  BOOL("rename_topic_enabled", 0),
  BOOL("provenance_header_enabled", 0),
  ENUM("consumer_strategy", 0, kafka_consumer_strategies),
  ENUM("compression_type", 0, kafka_compression_types),
  STR("topics_mapping", 0),
};
static const hwc_model SmartConnectTaskReqSourceConfig =
  MODEL("SmartConnectTaskReqSourceConfig", source_fields, source_rules);

static const hwc_field sink_fields[] = {
  STR("redis_address", 0),
  STR("redis_type", 0),
  STR("dcs_instance_id", 0),
  STR("redis_password", SECRET),
  ENUM("consumer_strategy", 0, kafka_consumer_strategies),
  ENUM("destination_file_type", 0, kafka_file_types),
  INT32("deliver_time_interval", 0),
  STR("access_key", SECRET),
  STR("secret_key", SECRET),
  STR("obs_bucket_name", 0),
  STR("obs_path", 0),
  ENUM("partition_format", 0, partition_formats),
  ENUM("record_delimiter", 0, kafka_record_delimiters),
  BOOL("store_keys", 0),
};
static const hwc_model SmartConnectTaskReqSinkConfig =
  MODEL_NORULES("SmartConnectTaskReqSinkConfig", sink_fields);

static const hwc_rule task_rules[] = {
  {HWC_R_REQUIRE, "source_type", "REDIS_REPLICATOR_SOURCE",
   LIST("source_task", "source_task.redis_address", "source_task.redis_type", "source_task.sync_mode")},
  {HWC_R_REQUIRE, "source_type", "KAFKA_REPLICATOR_SOURCE",
   LIST("source_task", "source_task.current_cluster_name", "source_task.cluster_name", "source_task.direction")},
  {HWC_R_EXACTLY_ONE, "source_type", "KAFKA_REPLICATOR_SOURCE",
   LIST("source_task.instance_id", "source_task.bootstrap_servers")},
  {HWC_R_REQUIRE, "sink_type", "REDIS_REPLICATOR_SINK",
   LIST("sink_task", "sink_task.redis_address", "sink_task.redis_type")},
  {HWC_R_REQUIRE, "sink_type", "OBS_SINK",
   LIST("sink_task", "sink_task.access_key", "sink_task.secret_key", "sink_task.obs_bucket_name",
        "sink_task.obs_path")},
};

static const hwc_field task_fields[] = {
  STR("task_name", 0),
  BOOL("start_later", 0),
  ENUM("source_type", 0, kafka_source_types),
  OBJ("source_task", 0, SmartConnectTaskReqSourceConfig),
  STR("topics", 0),
  STR("topics_regex", 0),
  ENUM("sink_type", 0, kafka_sink_types),
  OBJ("sink_task", 0, SmartConnectTaskReqSinkConfig),
};
const hwc_model hwc_model_CreateSmartConnectTaskReq = MODEL("CreateSmartConnectTaskReq", task_fields, task_rules);

static const hwc_field resp_source_fields[] = {
  STR("redis_address", 0),
  STR("redis_type", 0),
  STR("dcs_instance_id", 0),
  STR("sync_mode", 0),
  INT32("full_sync_wait_ms", 0),
  INT32("full_sync_max_retry", 0),
  INT32("ratelimit", 0),
  STR("current_cluster_name", 0),
  STR("cluster_name", 0),
  STR("user_name", 0),
  STR("sasl_mechanism", 0),
  STR("instance_id", 0),
  STR("bootstrap_servers", 0),
  STR("security_protocol", 0),
  STR("direction", 0),
  BOOL("sync_consumer_offsets_enabled", 0),
  INT32("replication_factor", 0),
  INT32("task_num", 0),
  BOOL("rename_topic_enabled", 0),
  BOOL("provenance_header_enabled", 0),
  STR("consumer_strategy", 0),
  STR("compression_type", 0),
  STR("topics_mapping", 0),
};
static const hwc_model SmartConnectTaskRespSourceConfig =
  MODEL_NORULES("SmartConnectTaskRespSourceConfig", resp_source_fields);

static const hwc_field resp_sink_fields[] = {
  STR("redis_address", 0),
  STR("redis_type", 0),
  STR("dcs_instance_id", 0),
  INT32("target_db", 0),
  STR("consumer_strategy", 0),
  STR("destination_file_type", 0),
  INT32("deliver_time_interval", 0),
  STR("obs_bucket_name", 0),
  STR("obs_path", 0),
  STR("partition_format", 0),
  STR("record_delimiter", 0),
  BOOL("store_keys", 0),
  INT32("obs_part_size", 0),
  INT32("flush_size", 0),
  STR("timezone", 0),
  STR("schema_generator_class", 0),
  STR("partitioner_class", 0),
  STR("value_converter", 0),
  STR("key_converter", 0),
  STR("kv_delimiter", 0),
};
static const hwc_model SmartConnectTaskRespSinkConfig =
  MODEL_NORULES("SmartConnectTaskRespSinkConfig", resp_sink_fields);

static const hwc_field resp_task_fields[] = {
  STR("task_name", 0),
  STR("topics", 0),
  STR("topics_regex", 0),
  STR("source_type", 0),
  OBJ("source_task", 0, SmartConnectTaskRespSourceConfig),
  STR("sink_type", 0),
  OBJ("sink_task", 0, SmartConnectTaskRespSinkConfig),
  STR("id", REQ), /* a task without an id is not the created task */
  STR("status", 0),
  INT64("create_time", 0),
};
const hwc_model hwc_model_CreateConnectorTaskResponse =
  MODEL_NORULES("CreateConnectorTaskResponse", resp_task_fields);

/* ---- DIS: add an OBS dump task ------------------------------------------------------ */

/* the page's enumeration says OBS, its description lists all five: both readings */
static const char *const dis_destination_types[] = {"OBS", "MRS", "DLI", "CLOUDTABLE", "DWS", NULL};
static const char *const dis_consumer_strategies[] = {"LATEST", "TRIM_HORIZON", NULL};
static const char *const dis_file_types[] = {"text", "parquet", "carbon", NULL};
static const char *const dis_record_delimiters[] = {",", ";", "|", "\n", "\\n", NULL};
/* "If this parameter is left blank, the time directory format will not be used" */
static const char *const dis_partition_formats[] = {"", "yyyy", "yyyy/MM", "yyyy/MM/dd", "yyyy/MM/dd/HH",
                                                    "yyyy/MM/dd/HH/mm", NULL};
static const char *const dis_timestamp_types[] = {"String", "Timestamp", NULL};
static const char *const dis_timestamp_formats[] = {
  "yyyy/MM/dd HH:mm:ss", "MM/dd/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm:ss",
  "yyyy-MM-dd HH:mm:ss", "MM-dd-yyyy HH:mm:ss", "dd-MM-yyyy HH:mm:ss", NULL};

static const hwc_rule schema_rules[] = {
  {HWC_R_REQUIRE, "timestamp_type", "String", LIST("timestamp_format")},
};
static const hwc_field schema_fields[] = {
  STR("timestamp_name", REQ),
  ENUM("timestamp_type", REQ, dis_timestamp_types),
  ENUM("timestamp_format", 0, dis_timestamp_formats),
};
static const hwc_model ProcessingSchema = MODEL("ProcessingSchema", schema_fields, schema_rules);

static const hwc_field obs_fields[] = {
  F("task_name", HWC_T_STRING, REQ, NULL, 1, 64, "-_", NULL),
  ENUM("consumer_strategy", 0, dis_consumer_strategies),
  F("agency_name", HWC_T_STRING, REQ, NULL, 1, 64, NULL, NULL),
  ENUM("destination_file_type", 0, dis_file_types),
  STR("obs_bucket_path", REQ),
  F("file_prefix", HWC_T_STRING, HWC_F_NO_LEAD_SLASH, NULL, 0, 50, "_/", NULL),
  ENUM("partition_format", 0, dis_partition_formats),
  ENUM("record_delimiter", 0, dis_record_delimiters),
  F("deliver_time_interval", HWC_T_INT32, 0, NULL, 30, 900, NULL, NULL),
  OBJ("processing_schema", 0, ProcessingSchema),
};
static const hwc_model OBSDestinationDescriptorRequest =
  MODEL_NORULES("OBSDestinationDescriptorRequest", obs_fields);

static const hwc_rule transfer_rules[] = {
  {HWC_R_REQUIRE, "destination_type", "OBS", LIST("obs_destination_descriptor")},
};
static const hwc_field transfer_fields[] = {
  ENUM("destination_type", REQ, dis_destination_types),
  OBJ("obs_destination_descriptor", 0, OBSDestinationDescriptorRequest),
};
const hwc_model hwc_model_CreateTransferTaskReq = MODEL("CreateTransferTaskReq", transfer_fields, transfer_rules);

/* ---- IAM: list projects (project id discovery) --------------------------------------- */

static const hwc_field project_fields[] = {
  STR("id", 0),
  STR("name", 0),
  STR("domain_id", 0),
  STR("parent_id", 0),
  STR("description", 0),
  BOOL("enabled", 0),
  BOOL("is_domain", 0),
};
static const hwc_model ProjectResult = MODEL_NORULES("ProjectResult", project_fields);

static const hwc_field projects_fields[] = {
  ARRAY("projects", 0, ProjectResult),
};
const hwc_model hwc_model_KeystoneListProjectsResponse =
  MODEL_NORULES("KeystoneListProjectsResponse", projects_fields);

/* ---- lookup -------------------------------------------------------------------------- */

static const hwc_model *const all_models[] = {
  &hwc_model_CreateSmartConnectTaskReq, &SmartConnectTaskReqSourceConfig, &SmartConnectTaskReqSinkConfig,
  &hwc_model_CreateConnectorTaskResponse, &SmartConnectTaskRespSourceConfig, &SmartConnectTaskRespSinkConfig,
  &hwc_model_CreateTransferTaskReq, &OBSDestinationDescriptorRequest, &ProcessingSchema,
  &hwc_model_KeystoneListProjectsResponse, &ProjectResult,
  NULL
};

const hwc_model *const *hwc_model_all(void) { return all_models; }

const hwc_model *hwc_model_find(const char *name) {
  const hwc_model *const *m;
  for (m = all_models; *m; m++) {
    const char *a = (*m)->name, *b = name;
    while (*a && *a == *b) { a++; b++; }
    if (*a == *b) return *m;
  }
  return NULL;
}
