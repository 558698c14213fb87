// The official Huawei Cloud Node.js SDK (@huaweicloud/huaweicloud-sdk-kafka) takes a Smart Connect
// task through its whole life against the emulator: create, list, show, pause, resume, restart,
// delete, and a show after the delete that must fail. Between steps it polls show until the
// state the step documents (the emulator moves states on its clock). One JSON line per step;
// exit 0 only when every step did what the service documents.
// Env: EMU_ENDPOINT, EMU_AK, EMU_SK, EMU_PROJECT_ID, EMU_INSTANCE_ID (spec/node_sdk_spec.lua sets them).
'use strict';
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const kafka = require('@huaweicloud/huaweicloud-sdk-kafka');

const env = process.env;
const client = kafka.KafkaClient.newBuilder()
  .withCredential(new BasicCredentials().withAk(env.EMU_AK).withSk(env.EMU_SK).withProjectId(env.EMU_PROJECT_ID))
  .withEndpoint(env.EMU_ENDPOINT)
  .build();
const inst = env.EMU_INSTANCE_ID;
let failed = false;

function report(step, ok, detail) {
  console.log(JSON.stringify(Object.assign({ step, ok }, detail)));
  if (!ok) failed = true;
}

async function call(step, fn, expectStatus) {
  try {
    const r = await fn();
    const ok = expectStatus === undefined || r.httpStatusCode === expectStatus;
    report(step, ok, { status: r.httpStatusCode, task_status: r.status });
    return r;
  } catch (e) {
    report(step, false, { status: e.httpStatusCode, code: e.errorCode, message: e.errorMsg });
    return null;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls show until the task's status is `want` (at most 10 s).
async function until(id, want) {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await client.showConnectorTask(new kafka.ShowConnectorTaskRequest().withInstanceId(inst).withTaskId(id));
      if (r.status === want) return true;
    } catch (e) { /* polled again */ }
    await sleep(100);
  }
  report('wait for ' + want, false, {});
  return false;
}

(async () => {
  const body = new kafka.CreateSmartConnectTaskReq()
    .withTaskName('node-sdk-task').withStartLater(false).withTopics('topic-1')
    .withSourceType('NONE').withSinkType('OBS_SINK')
    .withSinkTask(new kafka.SmartConnectTaskReqSinkConfig()
      .withConsumerStrategy('earliest').withDestinationFileType('TEXT').withDeliverTimeInterval(300)
      .withAccessKey('node-ak').withSecretKey('node-sk').withObsBucketName('bucket').withObsPath('path')
      .withPartitionFormat('yyyy/MM/dd/HH/mm').withRecordDelimiter('\n').withStoreKeys(false));
  const created = await call('create', () => client.createConnectorTask(
    new kafka.CreateConnectorTaskRequest().withInstanceId(inst).withBody(body)), 200);
  if (!created || !created.id) process.exit(1);
  const id = created.id;
  const req = (Cls) => new Cls().withInstanceId(inst).withTaskId(id);
  await until(id, 'RUNNING');
  const list = await call('list', () => client.listConnectorTasks(
    new kafka.ListConnectorTasksRequest().withInstanceId(inst).withOffset(0).withLimit(10)), 200);
  if (list && !(list.tasks || []).some((t) => t.id === id)) report('list has the task', false, {});
  await call('show', () => client.showConnectorTask(req(kafka.ShowConnectorTaskRequest)), 200);
  await call('pause', () => client.pauseConnectorTask(req(kafka.PauseConnectorTaskRequest)), 204);
  await until(id, 'PAUSED');
  await call('resume', () => client.resumeConnectorTask(req(kafka.ResumeConnectorTaskRequest)), 204);
  await until(id, 'RUNNING');
  await call('restart', () => client.restartConnectorTask(req(kafka.RestartConnectorTaskRequest)), 204);
  await until(id, 'RUNNING');
  await call('delete', () => client.deleteConnectorTask(req(kafka.DeleteConnectorTaskRequest)), 204);
  try {
    const r = await client.showConnectorTask(req(kafka.ShowConnectorTaskRequest));
    report('show after delete', false, { status: r.httpStatusCode, task_status: r.status });
  } catch (e) {
    report('show after delete', e.httpStatusCode === 404, { status: e.httpStatusCode, code: e.errorCode });
  }
  process.exit(failed ? 1 : 0);
})();
