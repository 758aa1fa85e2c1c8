import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, NexusOperationFailure, TimeoutFailure, type TemporalFailure } from '@temporalio/common';
// The SDK's own Duration -> protobuf conversion (the proto wants a Long, and `long` is not our dependency).
import { msToTs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HandlerError } from 'nexus-rpc';
import { syncWorkflowId } from '../src/client';
import type { NexusSyncInput } from '../src/nexus/service';
import type { AirbyteTestEnvironment } from '../src/testing';
import type { PipelineDefinition } from '../src/workflows/pipeline/definition';
import { FAST_POLL, FAST_RETRY, startTestEnvironment } from './helpers/environment';
import { operationsStartedUpdate, pipelineOverNexus, syncOverNexus } from './workflows/nexus-caller';

// The Airbyte worker serves the Nexus service in the dev server's `default` namespace; the caller workflows run in a
// namespace of their own and reach it through an endpoint, knowing neither its namespace nor its task queue.
let env: AirbyteTestEnvironment;
let caller: { client: Client; worker: Worker; running: Promise<void>; taskQueue: string };
let endpoint: temporal.api.nexus.v1.IEndpoint;

const suffix = Math.random().toString(36).slice(2, 10);
const endpointName = `airbyte-${suffix}`;

beforeAll(async () => {
  env = await startTestEnvironment(); // createAirbyteWorker serves the Nexus service by default
  const { connection } = env.client;
  const namespace = `airbyte-nexus-caller-${suffix}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  const created = await connection.operatorService.createNexusEndpoint({
    spec: { name: endpointName, target: { worker: { namespace: env.temporal.namespace ?? 'default', taskQueue: env.taskQueue } } },
  });
  endpoint = created.endpoint!;
  const taskQueue = `nexus-caller-${suffix}`;
  const worker = await Worker.create({
    connection: env.temporal.nativeConnection,
    namespace,
    taskQueue,
    workflowsPath: require.resolve('./workflows/nexus-caller'),
  });
  caller = { client: new Client({ connection, namespace }), worker, running: worker.run(), taskQueue };
});

afterAll(async () => {
  if (caller) {
    caller.worker.shutdown();
    await caller.running;
  }
  if (endpoint) await env.client.connection.operatorService.deleteNexusEndpoint({ id: endpoint.id, version: endpoint.version });
  await env?.close();
});

beforeEach(() => env.mock.reset());

let runs = 0;
const callerRun = () => ({ taskQueue: caller.taskQueue, workflowId: `nexus-caller-${suffix}-${++runs}` });
const input = (connectionId: string): NexusSyncInput => ({ connectionId, poll: FAST_POLL, retry: FAST_RETRY });

/** The failure chain under a WorkflowFailedError, outermost first. */
async function failureChain(promise: Promise<unknown>): Promise<Error[]> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const chain: Error[] = [];
  for (let e: unknown = (err as WorkflowFailedError).cause; e instanceof Error; e = (e as TemporalFailure).cause) chain.push(e);
  return chain;
}

test('a workflow in another namespace runs a sync through the endpoint and gets its result', async () => {
  const { connectionId } = env.mock.addConnection({
    script: { streams: [{ name: 'customers', records: 120, bytes: 9_000 }, { name: 'invoices', records: 30, bytes: 3_000 }] },
  });

  const [result] = await caller.client.workflow.execute(syncOverNexus, { ...callerRun(), args: [endpointName, input(connectionId)] });

  const jobs = env.mock.jobs({ connectionId });
  expect(jobs).toHaveLength(1);
  expect(result).toMatchObject({ connectionId, instance: 'default', jobId: jobs[0]!.jobId, status: 'succeeded', rowsSynced: 150, bytesSynced: 12_000 });
  // Started on the Airbyte worker's queue under the client's id: a client asking the same is the same workflow.
  const handler = await env.client.workflow.getHandle(syncWorkflowId(input(connectionId))).describe();
  expect(handler).toMatchObject({ type: 'syncAndWait', taskQueue: env.taskQueue, status: { name: 'COMPLETED' } });
});

test('two operations asking for the same sync share one workflow and one job', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 7 } });
  const run = await caller.client.workflow.start(syncOverNexus, { ...callerRun(), args: [endpointName, input(connectionId), 2] });
  // Both operations have been taken by the handler while the job still runs: the second one joined the first.
  expect(await run.executeUpdate(operationsStartedUpdate)).toBe(2);
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length > 0);
  const [job] = env.mock.jobs({ connectionId });
  env.mock.finishJob(job!.jobId, 'succeeded');

  const [first, second] = await run.result();
  expect(first).toMatchObject({ jobId: job!.jobId, status: 'succeeded', rowsSynced: 7, attached: false });
  expect(second).toEqual(first);
  expect(env.mock.requestsTo('POST', '/jobs')).toHaveLength(1);
});

test('a failed job fails the operation with the sync failure type and the job in its details', async () => {
  const { connectionId } = env.mock.addConnection({ script: { outcome: 'failed', failureMessage: 'Stripe API key is invalid' } });

  const chain = await failureChain(caller.client.workflow.execute(syncOverNexus, { ...callerRun(), args: [endpointName, input(connectionId)] }));

  expect(chain[0]).toBeInstanceOf(NexusOperationFailure);
  const failure = chain.find((e): e is ApplicationFailure => e instanceof ApplicationFailure && e.type === 'AirbyteJobFailed');
  expect(failure?.message).toContain('Stripe API key is invalid');
  expect(failure?.details?.[0]).toMatchObject({ connectionId, jobId: env.mock.jobs({ connectionId })[0]!.jobId, status: 'failed' });
});

test('a pipeline runs through the endpoint and returns every step', async () => {
  const a = env.mock.addConnection({ script: { rowsSynced: 10 } });
  const b = env.mock.addConnection({ script: { rowsSynced: 5 } });
  const definition: PipelineDefinition = {
    name: `nexus-${suffix}`,
    steps: [
      { id: 'a', kind: 'sync', connectionId: a.connectionId, poll: FAST_POLL },
      { id: 'b', kind: 'sync', connectionId: b.connectionId, poll: FAST_POLL, dependsOn: ['a'] },
    ],
  };

  const result = await caller.client.workflow.execute(pipelineOverNexus, { ...callerRun(), args: [endpointName, definition] });

  expect(result.status).toBe('succeeded');
  expect(result.steps.map((s) => [s.id, s.state, s.jobId])).toEqual([
    ['a', 'succeeded', env.mock.jobs({ connectionId: a.connectionId })[0]!.jobId],
    ['b', 'succeeded', env.mock.jobs({ connectionId: b.connectionId })[0]!.jobId],
  ]);
  expect(result.totals.rowsSynced).toBe(15);
});

test.each([
  ['a sync', 'syncOverNexus', { connectionId: 'not-a-uuid' }, 'invalid sync input: connectionId must be an Airbyte connection id (a UUID)'],
  ['an internal sync field', 'syncOverNexus', { connectionId: '9924bcd0-99be-453d-ba47-c2c9766f7da5', notifyParent: true }, 'notifyParent is internal and cannot be set over Nexus'],
  ['a pipeline', 'pipelineOverNexus', { name: 'cyclic', steps: [{ id: 'x', kind: 'sync', connectionId: '9924bcd0-99be-453d-ba47-c2c9766f7da5', dependsOn: ['x'] }] }, "step 'x' depends on itself"],
])('bad input to %s fails the operation at once, naming the problem, and starts nothing', async (_what, workflowType, bad, message) => {
  const run = caller.client.workflow.execute(workflowType, { ...callerRun(), args: [endpointName, bad] });
  const chain = await failureChain(run);

  expect(chain[0]).toBeInstanceOf(NexusOperationFailure);
  expect(chain[1]).toBeInstanceOf(HandlerError);
  expect(chain[1]).toMatchObject({ type: 'BAD_REQUEST', retryable: false });
  expect(chain[1]!.message).toContain(message);
  // Not retried until the operation's timeout: the handler error is final.
  expect(chain.some((e) => e instanceof TimeoutFailure)).toBe(false);
  expect(env.mock.requests).toHaveLength(0);
});
