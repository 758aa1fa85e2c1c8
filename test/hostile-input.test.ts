import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { jobOwnerWorkflowId, type SyncInput } from '../src';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, FAST_RETRY, startTestEnvironment } from './helpers/environment';
import { startAndExpectFailure } from './helpers/rejection';

// Inputs and messages sent straight to Temporal, past our client: each bad one ends in one non-retryable
// failure naming the field, with no Airbyte call and no workflow-task failure loop; malformed signals are
// ignored and the workflow carries on.
let env: AirbyteTestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => env.mock.reset());

const EventType = temporal.api.enums.v1.EventType;
const connectionId = '7d2a5f6e-3c1b-4e8a-9f0d-1a2b3c4d5e6f';

async function workflowTaskFailures(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length;
}

describe('syncAndWait refuses, by field, what Temporal or Airbyte could not take', () => {
  test.each<[string, Partial<SyncInput> & Record<string, unknown>, RegExp]>([
    ['a poll interval of a million years', { poll: { initialInterval: '1000000y' } }, /poll\.initialInterval must be a positive duration/],
    ['a poll interval of 1e16 ms', { poll: { initialInterval: 1e16 } }, /poll\.initialInterval/],
    ['a retry maximum below its initial interval', { retry: { initialInterval: '10s', maximumInterval: '1s' } }, /retry\.maximumInterval must not be shorter/],
    ['an instance name of 1,500 characters', { instance: 'x'.repeat(1_500) }, /instance must be an instance name/],
    ['a continuation supplied from outside', { continued: { jobId: 1, attached: false, startedAt: 0, deadline: 0, polls: 0, runs: 0 } }, /continued is internal/],
    ['a timeout of eleven years', { timeout: '4000d' }, /timeout must be a positive duration/],
  ])('%s', async (_name, extra, message) => {
    const failure = await startAndExpectFailure(env, 'syncAndWait', [{ connectionId, ...extra }]);
    expect(failure.type).toBe('AirbyteInvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(message);
    expect(env.mock.requests).toHaveLength(0);
  });
});

describe('the owner workflow cannot be steered from outside', () => {
  test('state supplied at start is refused', async () => {
    const failure = await startAndExpectFailure(env, 'airbyteJobOwner', [{ instance: 'default', connectionId, state: { pending: [], runs: 0, jobs: 0 } }]);
    expect(failure.message).toMatch(/state is internal/);
    expect(env.mock.requests).toHaveLength(0);
  });

  test('an owner must run under its connection\'s id', async () => {
    const failure = await startAndExpectFailure(env, 'airbyteJobOwner', [{ instance: 'default', connectionId }]);
    expect(failure.message).toMatch(/must run as airbyte-job:default:/);
  });

  test('a join with poll values a timer could not take is rejected by the validator', async () => {
    const { connectionId: id } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    const sync = await env.syncs.startSync({ connectionId: id, poll: FAST_POLL, retry: FAST_RETRY });
    await env.mock.waitFor(() => env.mock.jobs({ connectionId: id }).length === 1);
    const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(id));
    const bad = { waiterId: 'intruder', jobType: 'sync', poll: { initialMs: Number.NaN, maxMs: 1, latenessRatio: 0.1 }, retry: {}, report: false, searchAttributes: false, historyBound: 100 };
    await expect(owner.executeUpdate('airbyteJoinJob', { args: [bad] })).rejects.toThrow();
    // Malformed signals to the owner and the waiter are dropped; the sync ends normally.
    await owner.signal('airbyteLeaveJob', null);
    await sync.signal('airbyteJobEnded', { kind: 'terminal' });
    await sync.signal('airbyteJobKnown', null);
    env.mock.finishJob(env.mock.jobs({ connectionId: id })[0]!.jobId, 'succeeded');
    expect(await env.syncs.result(sync.workflowId)).toMatchObject({ status: 'succeeded' });
    expect(await workflowTaskFailures(owner)).toBe(0);
    expect(await workflowTaskFailures(sync)).toBe(0);
  });
});

test('a pipeline signalled airbyteSyncJobStarted with null carries on', async () => {
  const { connectionId: id } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const handle = await env.syncs.startPipeline({ name: 'hostile', steps: [{ id: 's', kind: 'sync', connectionId: id, poll: FAST_POLL }] });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId: id }).length === 1);
  await handle.signal('airbyteSyncJobStarted', null);
  await handle.signal('airbyteSyncJobStarted', { workflowId: 42 });
  env.mock.finishJob(env.mock.jobs({ connectionId: id })[0]!.jobId, 'succeeded');
  expect((await env.syncs.pipelineResult(handle.workflowId)).status).toBe('succeeded');
  expect(await workflowTaskFailures(handle)).toBe(0);
});

test('a workspace step over a connection with a 900-character name runs with a bounded step id', async () => {
  const workspace = env.mock.addWorkspace();
  env.mock.addConnection({ workspaceId: workspace.workspaceId, name: `stripe-${'n'.repeat(900)}`, script: { phases: [{ status: 'running', ms: 100 }] } });
  const result = await env.syncs.runPipeline({ name: 'long-names', steps: [{ id: 'all', kind: 'workspace', workspaceId: workspace.workspaceId, poll: FAST_POLL }] });
  expect(result.status).toBe('succeeded');
  const member = result.steps.find((s) => s.id !== 'all');
  expect(member?.state).toBe('succeeded');
  expect(member!.id.length).toBeLessThanOrEqual(120);
});
