import { Client, Connection } from '@temporalio/client';
import { AirbyteSyncClient, type PipelineStep } from '../src';
import { MockAirbyteServer, WorkerProcess } from '../src/testing';

// A wide pipeline (inline steps: the pipeline joins each owner with a local activity) on a worker in a child
// process, SIGKILLed while its joins are in flight: the joins' results die with the workflow task, the owners they
// reached go on (on the next worker), and the pipeline joins again on replay. Each sync still runs exactly once.
let mock: MockAirbyteServer;
let connection: Connection;
let worker: WorkerProcess;
let client: Client;
let syncs: AirbyteSyncClient;
const taskQueue = `pipeline-crash-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  mock = await MockAirbyteServer.start({ defaultScript: { phases: [{ status: 'running', ms: 300 }], rowsSynced: 2 } });
  connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  worker = await WorkerProcess.start({
    address: process.env.TEMPORAL_TEST_ADDRESS as string,
    taskQueue,
    instances: { default: { url: mock.publicApiUrl, ...mock.credentials } },
    workflowBundlePath: process.env.TEMPORAL_TEST_BUNDLE as string,
    maxAirbyteCallsPerSecond: 1_000,
    // The dead worker's cached workflows move to the next one after this, rather than Temporal's default 10 s.
    workerOptions: { stickyQueueScheduleToStartTimeout: '1s' },
  });
  client = new Client({ connection });
  syncs = new AirbyteSyncClient(client, { taskQueue });
});
afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await mock?.close();
});

test('a worker killed while a wide pipeline joins its owners: every sync runs exactly once, and the pipeline ends', async () => {
  const connections = Array.from({ length: 40 }, () => mock.addConnection({}).connectionId);
  const steps: PipelineStep[] = connections.map((connectionId, i) => ({ id: `s${i}`, kind: 'sync', connectionId, poll: { initialInterval: '200ms', maxInterval: '500ms' } }));
  // Airbyte refuses creates for now (429: a definite no, so no create is left in doubt by the crash below).
  mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 429, retryAfterSeconds: 1, times: Infinity });
  const handle = await syncs.startPipeline({ name: 'crash', syncSteps: 'inline', maxParallel: 40, steps });
  // The first owner has its join (it looks for a running job first); the task that sends the pipeline's joins is
  // most likely still open, waiting for the other joins of its wave.
  await mock.waitFor(() => mock.requestsTo('GET', '/jobs').length > 0);
  await worker.kill('SIGKILL');
  mock.clearFaults();
  await worker.start();

  const result = await syncs.pipelineResult(handle.workflowId);
  expect(result.totals).toMatchObject({ steps: 40, succeeded: 40, rowsSynced: 80 });
  expect(connections.map((c) => mock.jobs({ connectionId: c }).length)).toEqual(connections.map(() => 1));
  expect(mock.jobs().map((j) => j.status)).toEqual(connections.map(() => 'succeeded'));
  // The join ran again for some steps: their owners answered it (the word in history, an owner told it again, or a
  // closed owner's result) rather than starting another job.
  const events = (await client.workflow.getHandle(handle.workflowId).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowTaskTimedOutEventAttributes || e.workflowTaskFailedEventAttributes).length).toBeGreaterThanOrEqual(1);
}, 180_000);
