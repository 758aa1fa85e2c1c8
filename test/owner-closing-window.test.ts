import { temporal } from '@temporalio/proto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { InjectedSinks } from '@temporalio/worker';
import { jobOwnerWorkflowId } from '../src';
import { joinJobOwner } from '../src/activities/owner/join-owner';
import type { JoinRequest } from '../src/activities/owner/types';
import { OwnerMessages } from '../src/common/job-owner';
import type { AirbyteTestEnvironment } from '../src/testing';
import { startTestEnvironment } from './helpers/environment';
import type { ClosingGateSinks } from './workflows/closing-gate';

// A join by signal that lands while the owner's closing workflow task is in hand: Temporal refuses that task's
// completion (the signal is new to it), and the owner must take the join rather than close on it. The gate holds
// the first owner closing task open until the test has sent its signal, so the window is hit every run.
let env: AirbyteTestEnvironment;
let reached: () => void;
const atGate = new Promise<void>((resolve) => (reached = resolve));
let release: () => void;
const released = new Promise<void>((resolve) => (release = resolve));
let armed = true;

const sinks: InjectedSinks<ClosingGateSinks> = {
  closingGate: {
    reached: {
      fn: async () => {
        if (!armed) return;
        armed = false;
        reached();
        await released;
      },
    },
  },
};

beforeAll(async () => {
  env = await startTestEnvironment({
    workerOptions: {
      workflowBundle: undefined,
      workflowsPath: require.resolve('../src/workflows'),
      interceptors: { workflowModules: [require.resolve('./workflows/closing-gate')] },
      sinks,
    },
  });
});
afterAll(async () => {
  release();
  await env?.close();
});

const request = (waiterId: string): JoinRequest => ({
  waiterId,
  waiterRunId: 'its-run',
  replyTo: 'a-wide-pipeline', // not running: the owner's words to it are recorded in its history, then shrugged off
  quiet: true,
  jobType: 'sync',
  poll: { initialMs: 50, maxMs: 100, latenessRatio: 0.1 },
  retry: { initialIntervalMs: 50, maximumIntervalMs: 200 },
  report: false,
  searchAttributes: false,
  historyBound: 2000,
});

const joinBySignal = (connectionId: string, r: JoinRequest) =>
  new MockActivityEnvironment({ taskQueue: env.taskQueue }, { client: env.client }).run(joinJobOwner, { connectionId, request: r, by: 'signal' as const });

test('a join that lands in the owner\'s closing task is taken: the completion is refused, the waiter gets a job and its word', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 50 }], rowsSynced: 3 } });
  const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId));
  expect(await joinBySignal(connectionId, request('first'))).toMatchObject({ state: 'sent' });
  await atGate; // the owner ran the first job, told its waiter, and holds the task that completes it
  const { runId } = await owner.describe();
  expect(await joinBySignal(connectionId, request('second'))).toMatchObject({ state: 'sent' }); // the run is open: the signal lands on it
  release();
  await owner.result();

  // The run was not closed on the second join: its closing task was refused, and it ran a job for it and told it.
  expect((await owner.describe()).runId).toBe(runId);
  const events = (await owner.fetchHistory()).events ?? [];
  expect(events.some((e) => e.workflowTaskFailedEventAttributes?.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND)).toBe(true);
  const told = events
    .map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)
    .filter((a) => a?.signalName === OwnerMessages.jobEnded)
    .map((a) => JSON.parse(Buffer.from(a?.input?.payloads?.[0]?.data ?? []).toString()) as { waiterId: string; kind: string; job?: { jobId: number } });
  const jobs = env.mock.jobs({ connectionId });
  expect(jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded']);
  expect(told.map((t) => [t.waiterId, t.kind, t.job?.jobId])).toEqual([
    ['first', 'terminal', jobs[0]?.jobId],
    ['second', 'terminal', jobs[1]?.jobId],
  ]);
});
