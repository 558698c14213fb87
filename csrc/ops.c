/* ops.c - the operation table; see ops.h. Data only. */
#include <string.h>
#include "ops.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const hwc_param connector_params[] = {
  {"instance_id", HWC_IN_PATH, 1, 0},
};

static const hwc_param transfer_params[] = {
  {"stream_name", HWC_IN_PATH, 1, 60},
};

static const hwc_op create_connector_task = {
  "create_connector_task", "kafka", "POST", "/v2/{project_id}/instances/{instance_id}/connector/tasks",
  connector_params, COUNT(connector_params), &hwc_model_CreateSmartConnectTaskReq,
  &hwc_model_CreateConnectorTaskResponse, 200, HWC_OP_PROJECT};

static const hwc_op create_obs_transfer_task = {
  "create_obs_transfer_task", "dis", "POST", "/v2/{project_id}/streams/{stream_name}/transfer-tasks",
  transfer_params, COUNT(transfer_params), &hwc_model_CreateTransferTaskReq, NULL, 201, HWC_OP_PROJECT};

/* IAM, for project id discovery: no project in the path, no X-Project-Id */
static const hwc_param keystone_params[] = {
  {"name", HWC_IN_QUERY, 0, 0},
};

static const hwc_op keystone_list_projects = {
  "keystone_list_projects", "iam", "GET", "/v3/projects",
  keystone_params, COUNT(keystone_params), NULL, &hwc_model_KeystoneListProjectsResponse, 200, 0};

static const hwc_op *const all_ops[] = {&create_connector_task, &create_obs_transfer_task, &keystone_list_projects,
                                        NULL};

const hwc_op *const *hwc_op_all(void) { return all_ops; }

const hwc_op *hwc_op_find(const char *name) {
  const hwc_op *const *op;
  for (op = all_ops; *op; op++)
    if (strcmp((*op)->name, name) == 0) return *op;
  return NULL;
}
