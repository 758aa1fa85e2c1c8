import type { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  AirbyteInputError,
  AirbytePipelineError,
  AirbyteSearchAttributes,
  parsePipeline,
  PipelineFailureType,
  type PipelineDefinition,
  type PipelineStep,
  type StepStatus,
  type SyncStep,
} from '../src';
import type { JoinOwnerInput } from '../src/activities/owner/types';
import { joinJobOwner } from '../src/activities/owner/join-owner';
import { jobOwnerWorkflowId } from '../src/common/job-owner';
import type { AirbyteTestEnvironment, MockJob } from '../src/testing';
import { JOINS_PER_TASK } from '../src/workflows/pipeline/inline-syncs';
import { FAST_POLL, startTestEnvironment } from './helpers/environment';
import { startAndExpectFailure } from './helpers/rejection';

// Pipelines on the real dev server: every sync step is a child syncAndWait against the mock Airbyte.
const received: unknown[][] = [];
let env: AirbyteTestEnvironment;
/** While set, a join that reached its owner holds its answer (and so the workflow task of a pipeline's local join) until this settles. */
let holdJoins: Promise<void> | undefined;

beforeAll(async () => {
  env = await startTestEnvironment({
    activities: {
      recordUpstream(...args: unknown[]): Promise<string> {
        received.push(args);
        return Promise.resolve('recorded');
      },
      // Ours, with the answer held back while a test asks.
      async airbyteJoinJobOwner(input: JoinOwnerInput) {
        const reply = await joinJobOwner(input);
        await holdJoins;
        return reply;
      },
    },
  });
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => env.mock.reset());

/** A connection whose job runs until the test finishes it. */
const held = () => env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 10, bytesSynced: 100 } });
const quick = (extra: object = {}) => env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }], ...extra } });
const sync = (id: string, connectionId: string, dependsOn?: string[]): PipelineStep => ({ id, kind: 'sync', connectionId, dependsOn, poll: FAST_POLL });
const jobOf = (connectionId: string): MockJob | undefined => env.mock.jobs({ connectionId })[0];
const waitForJob = (connectionId: string) => env.mock.waitFor(() => jobOf(connectionId) !== undefined);
const finish = (connectionId: string, outcome: 'succeeded' | 'failed' = 'succeeded') => env.mock.finishJob(jobOf(connectionId)!.jobId, outcome);
const stepsById = (steps: StepStatus[]) => Object.fromEntries(steps.map((s) => [s.id, s]));

test('a diamond: a step starts as soon as all its upstream steps succeeded, and never before', async () => {
  // a -> (b, c) -> d, and e depends on b only: e must not wait for c (no waves).
  const [a, b, c, d, e] = [held(), held(), held(), held(), held()].map((x) => x.connectionId) as [string, string, string, string, string];
  const handle = await env.syncs.startPipeline({
    name: 'diamond',
    steps: [sync('a', a), sync('b', b, ['a']), sync('c', c, ['a']), sync('d', d, ['b', 'c']), sync('e', e, ['b'])],
  });

  await waitForJob(a);
  expect([b, c, d, e].map(jobOf)).toEqual([undefined, undefined, undefined, undefined]);
  finish(a);
  await env.mock.waitFor(() => jobOf(b) !== undefined && jobOf(c) !== undefined);
  finish(b);
  await waitForJob(e);
  expect(jobOf(c)?.status).toBe('running'); // e started while c still ran: no waves
  expect(jobOf(d)).toBeUndefined();
  finish(c);
  await waitForJob(d);
  finish(d);
  finish(e);

  const result = await env.syncs.pipelineResult(handle.workflowId);
  expect(result.status).toBe('succeeded');
  const job = (id: string) => jobOf(id)!;
  expect(job(b).createdAt).toBeGreaterThanOrEqual(job(a).endedAt!);
  expect(job(c).createdAt).toBeGreaterThanOrEqual(job(a).endedAt!);
  expect(job(d).createdAt).toBeGreaterThanOrEqual(Math.max(job(b).endedAt!, job(c).endedAt!));
  expect(job(e).createdAt).toBeGreaterThanOrEqual(job(b).endedAt!);
  expect(result.totals).toMatchObject({ steps: 5, succeeded: 5, rowsSynced: 50, bytesSynced: 500 });
  const steps = stepsById(result.steps);
  expect(steps.d).toMatchObject({ state: 'succeeded', jobId: job(d).jobId, rowsSynced: 10, bytesSynced: 100 });
  expect(Date.parse(steps.d!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(steps.c!.endedAt!));
});

test('failFast: a failure cancels the running siblings\' Airbyte jobs and skips what is left', async () => {
  const [bad, long1, long2, after] = [held(), held(), held(), held()].map((x) => x.connectionId) as [string, string, string, string];
  const handle = await env.syncs.startPipeline({
    name: 'fail-fast',
    steps: [sync('bad', bad), sync('long1', long1), sync('long2', long2), sync('after', after, ['bad'])],
  });
  await env.mock.waitFor(() => [bad, long1, long2].every((c) => jobOf(c) !== undefined));
  finish(bad, 'failed');

  const err = (await env.syncs.pipelineResult(handle.workflowId).catch((e: unknown) => e)) as AirbytePipelineError;
  expect(err).toBeInstanceOf(AirbytePipelineError);
  expect(err.message).toMatch(/step 'bad' failed: Airbyte sync job \d+ for connection/);
  expect(jobOf(long1)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
  expect(jobOf(long2)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
  expect(jobOf(after)).toBeUndefined();
  const steps = stepsById(err.result!.steps);
  expect(steps.bad).toMatchObject({ state: 'failed', jobId: jobOf(bad)!.jobId });
  expect(steps.long1).toMatchObject({ state: 'cancelled', reason: "pipeline stopped: step 'bad' failed" });
  expect(steps.after).toMatchObject({ state: 'skipped', reason: "upstream step 'bad' failed" });
});

test('continue: only the failed branch is skipped, everything else runs', async () => {
  const [a, a2, a3, b, b2] = [quick({ outcome: 'failed' }), quick(), quick(), quick(), quick()].map((x) => x.connectionId) as [string, string, string, string, string];
  const result = await env.syncs.runPipeline({
    name: 'continue',
    failurePolicy: 'continue',
    onFailure: 'return',
    steps: [sync('a3', a3, ['a2']), sync('a2', a2, ['a']), sync('a', a), sync('b', b), sync('b2', b2, ['b'])],
  });
  expect(result.status).toBe('failed');
  const steps = stepsById(result.steps);
  expect(steps.a!.state).toBe('failed');
  expect(steps.a2).toMatchObject({ state: 'skipped', reason: "upstream step 'a' failed" });
  expect(steps.a3).toMatchObject({ state: 'skipped', reason: "upstream step 'a2' skipped" });
  expect([steps.b!.state, steps.b2!.state]).toEqual(['succeeded', 'succeeded']);
  expect([a2, a3].map(jobOf)).toEqual([undefined, undefined]);
  expect(result.totals).toMatchObject({ succeeded: 2, failed: 1, skipped: 2 });
});

test('maxParallel bounds the jobs running at once', async () => {
  const connections = Array.from({ length: 6 }, () => quick({ phases: [{ status: 'running', ms: 300 }] }).connectionId);
  const result = await env.syncs.runPipeline({
    name: 'bounded',
    maxParallel: 2,
    steps: connections.map((c, i) => sync(`s${i}`, c)),
  });
  expect(result.totals.succeeded).toBe(6);
  expect(env.mock.jobs()).toHaveLength(6);
  expect(env.mock.peakConcurrentJobs()).toBe(2);
});

describe('a bad definition is rejected before anything runs', () => {
  const id = '4c1e3a52-8f4e-4e8a-9d6c-2a1b3c4d5e6f';
  test.each<[string, unknown, RegExp]>([
    ['a cycle, named', { name: 'p', steps: [sync('a', id, ['c']), sync('b', id, ['a']), sync('c', id, ['b'])] }, /dependency cycle: a -> c -> b -> a/],
    ['an unknown dependency', { name: 'p', steps: [sync('a', id, ['nope'])] }, /step 'a' depends on unknown step 'nope'/],
    ['a duplicate id', { name: 'p', steps: [sync('a', id), sync('a', id)] }, /duplicate step id 'a'/],
    ['an unknown kind', { name: 'p', steps: [{ id: 'x', kind: 'spark' }] }, /step 'x' kind: kind must be one of sync, dbt, activity, workflow, workspace/],
    ['bad options', { name: 'p', steps: [{ id: 'x', kind: 'sync', connectionId: id, timeout: 'soon' }] }, /step 'x' timeout: must be a positive duration/],
    ['both connectionId and connection', { name: 'p', steps: [{ id: 'x', kind: 'sync', connectionId: id, connection: 'stripe' }] }, /give exactly one of connectionId and connection/],
  ])('%s', async (_, definition, message) => {
    await expect(env.syncs.startPipeline(definition as PipelineDefinition)).rejects.toThrow(AirbyteInputError);
    await expect(env.syncs.startPipeline(definition as PipelineDefinition)).rejects.toThrow(message);

    const cause = await startAndExpectFailure(env, 'airbytePipeline', [definition]);
    expect(cause.type).toBe(PipelineFailureType.InvalidDefinition);
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toMatch(message);
    expect(env.mock.requests).toHaveLength(0);
  });
});

test('a custom activity receives its upstream results; a sync can name its connection', async () => {
  const a = quick({ rowsSynced: 3 });
  env.mock.addConnection({ name: 'hubspot -> warehouse', script: { phases: [{ status: 'running', ms: 100 }], rowsSynced: 4 } });
  received.length = 0;
  const result = await env.syncs.runPipeline({
    name: 'custom',
    steps: [
      sync('a', a.connectionId),
      { id: 'b', kind: 'sync', connection: 'hubspot -> warehouse', poll: FAST_POLL },
      { id: 'notify', kind: 'activity', activity: 'recordUpstream', args: ['#data-team'], withUpstream: true, dependsOn: ['a', 'b'] },
    ],
  });
  expect(stepsById(result.steps).notify).toMatchObject({ state: 'succeeded', result: 'recorded' });
  expect(received).toHaveLength(1);
  const [channel, { upstream }] = received[0] as [string, { upstream: Record<string, { rowsSynced: number; jobId: number }> }];
  expect(channel).toBe('#data-team');
  expect(upstream.a).toMatchObject({ rowsSynced: 3, jobId: jobOf(a.connectionId)!.jobId });
  expect(upstream.b).toMatchObject({ rowsSynced: 4 });
});

test('a workflow step runs any workflow type as a child', async () => {
  const a = quick({ rowsSynced: 5 });
  const result = await env.syncs.runPipeline({
    name: 'child-workflow',
    steps: [{ id: 'w', kind: 'workflow', workflow: 'syncAndWait', args: [{ connectionId: a.connectionId, poll: FAST_POLL }] }],
  });
  expect(stepsById(result.steps).w).toMatchObject({ state: 'succeeded', result: { rowsSynced: 5 } });
});

test('cancelling the pipeline workflow cancels every running Airbyte job', async () => {
  const connections = [held(), held(), held()].map((x) => x.connectionId);
  const next = held().connectionId;
  const handle = await env.syncs.startPipeline({
    name: 'cancel-all',
    steps: [...connections.map((c, i) => sync(`s${i}`, c)), sync('next', next, ['s0'])],
  });
  await env.mock.waitFor(() => connections.every((c) => jobOf(c) !== undefined));
  await handle.cancel();

  const err = await handle.result().catch((e: unknown) => e);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  for (const c of connections) expect(jobOf(c)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
  expect(jobOf(next)).toBeUndefined();
});

test('one step can be cancelled by an update: its job is cancelled, its dependents skipped, the rest goes on', async () => {
  const [x, xAfter, y] = [held(), held(), quick()].map((c) => c.connectionId) as [string, string, string];
  const handle = await env.syncs.startPipeline({
    name: 'cancel-one',
    failurePolicy: 'continue',
    onFailure: 'return',
    steps: [sync('x', x), sync('x-after', xAfter, ['x']), sync('y', y)],
  });
  await waitForJob(x);
  const progress = await env.syncs.pipelineProgress(handle.workflowId);
  expect(stepsById(progress.steps)['x-after']!.state).toBe('pending');
  // A pipeline this small shows a running step's job id as soon as its child knows it.
  let running = stepsById(progress.steps).x;
  while (running?.jobId === undefined) running = stepsById((await env.syncs.pipelineProgress(handle.workflowId)).steps).x;
  expect(running).toMatchObject({ state: 'running', jobId: jobOf(x)!.jobId });
  expect((await env.syncs.cancelPipelineStep(handle.workflowId, 'x')).reason).toBe('cancelled by request');
  await expect(env.syncs.cancelPipelineStep(handle.workflowId, 'nope')).rejects.toThrow(/unknown step 'nope'/);

  const result = await env.syncs.pipelineResult(handle.workflowId);
  const steps = stepsById(result.steps);
  expect(jobOf(x)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
  expect(steps.x!.state).toBe('cancelled');
  expect(steps['x-after']).toMatchObject({ state: 'skipped', reason: "upstream step 'x' cancelled" });
  expect(steps.y!.state).toBe('succeeded');
});

test('a workspace step fans out to every matching connection, and its dependents wait for all of them', async () => {
  const ws = env.mock.addWorkspace({ name: 'acme' });
  const add = (name: string, extra: object = {}) =>
    env.mock.addConnection({ workspaceId: ws.workspaceId, name, script: { phases: [{ status: 'running', ms: 100 }], rowsSynced: 1 }, ...extra });
  add('stripe-prod', { tags: [{ name: 'finance' }] });
  add('hubspot-prod', { tags: [{ name: 'crm' }] });
  add('postgres-prod', { tags: [{ name: 'finance' }], status: 'inactive' });
  add('stripe-dev', { tags: [{ name: 'finance' }] });
  received.length = 0;

  const result = await env.syncs.runPipeline({
    name: 'fan-out',
    steps: [
      { id: 'prod', kind: 'workspace', workspaceId: ws.workspaceId, namePattern: '-prod$', tags: ['finance', 'crm'], poll: FAST_POLL },
      { id: 'after', kind: 'activity', activity: 'recordUpstream', withUpstream: true, dependsOn: ['prod'] },
    ],
  });
  const generated = result.steps.filter((s) => s.group === 'prod');
  expect(generated.map((s) => s.id).sort()).toEqual(['prod.hubspot-prod', 'prod.stripe-prod']);
  expect(generated.every((s) => s.state === 'succeeded')).toBe(true);
  expect(stepsById(result.steps).prod).toMatchObject({ state: 'succeeded', result: { connections: 2 } });
  expect(env.mock.jobs()).toHaveLength(2);
  expect(received).toHaveLength(1);
});

test('the same pipeline written in YAML', () => {
  const yaml = `
name: nightly
maxParallel: 3
failurePolicy: continue
steps:
  - id: stripe
    kind: sync
    connectionId: 4c1e3a52-8f4e-4e8a-9d6c-2a1b3c4d5e6f
    timeout: 2h
  - id: hubspot
    kind: sync
    connection: hubspot -> warehouse
    instance: cloud
  - id: dbt
    kind: dbt
    command: build
    selectSyncedStreams: "source:raw.{stream}+"
    dependsOn: [stripe, hubspot]
  - id: reverse-etl
    kind: sync
    connectionId: 9924bcd0-99be-453d-ba47-c2c9766f7da5
    dependsOn: [dbt]
`;
  const ts: PipelineDefinition = {
    name: 'nightly',
    maxParallel: 3,
    failurePolicy: 'continue',
    steps: [
      { id: 'stripe', kind: 'sync', connectionId: '4c1e3a52-8f4e-4e8a-9d6c-2a1b3c4d5e6f', timeout: '2h' },
      { id: 'hubspot', kind: 'sync', connection: 'hubspot -> warehouse', instance: 'cloud' },
      { id: 'dbt', kind: 'dbt', command: 'build', selectSyncedStreams: 'source:raw.{stream}+', dependsOn: ['stripe', 'hubspot'] },
      { id: 'reverse-etl', kind: 'sync', connectionId: '9924bcd0-99be-453d-ba47-c2c9766f7da5', dependsOn: ['dbt'] },
    ],
  };
  expect(parsePipeline(yaml, 'yaml')).toEqual(ts);
  expect(parsePipeline(JSON.stringify(ts), 'json')).toEqual(ts);
  expect(() => parsePipeline('name: x\nsteps: [', 'yaml', 'p.yaml')).toThrow(/p.yaml: not valid YAML/);
  expect(() => parsePipeline(yaml.replace('[stripe, hubspot]', '[stripe, hubsopt]'), 'yaml', 'p.yaml')).toThrow(
    /p.yaml: invalid pipeline 'nightly': step 'dbt' depends on unknown step 'hubsopt'/,
  );
});

test('the cancelPipeline update cancels every running job and ends the pipeline cancelled', async () => {
  const [a, b] = [held(), held()].map((x) => x.connectionId) as [string, string];
  const handle = await env.syncs.startPipeline({ name: 'cancel-update', steps: [sync('a', a), sync('b', b), sync('c', quick().connectionId, ['a'])] });
  await env.mock.waitFor(() => jobOf(a) !== undefined && jobOf(b) !== undefined);
  await env.syncs.cancelPipeline(handle.workflowId);

  const err = (await env.syncs.pipelineResult(handle.workflowId).catch((e: unknown) => e)) as AirbytePipelineError;
  expect(err).toBeInstanceOf(AirbytePipelineError);
  expect(err.result?.status).toBe('cancelled');
  expect([jobOf(a)?.status, jobOf(b)?.status]).toEqual(['cancelled', 'cancelled']);
  expect(stepsById(err.result!.steps).c).toMatchObject({ state: 'cancelled', reason: 'pipeline cancelled by request' });
});

test('a step with retries runs again after a failure, as a new child sync', async () => {
  const flaky = held().connectionId;
  const handle = await env.syncs.startPipeline({ name: 'retry', steps: [{ ...sync('flaky', flaky), retries: 1, retryDelay: '1ms' }] });
  await waitForJob(flaky);
  finish(flaky, 'failed');
  await env.mock.waitFor(() => env.mock.jobs({ connectionId: flaky }).length === 2);
  env.mock.finishJob(env.mock.jobs({ connectionId: flaky })[1]!.jobId, 'succeeded');

  const result = await env.syncs.pipelineResult(handle.workflowId);
  expect(stepsById(result.steps).flaky).toMatchObject({ state: 'succeeded', attempts: 2, jobId: env.mock.jobs({ connectionId: flaky })[1]!.jobId });
});

test('a pipeline survives a worker restart mid-run: it replays, and every job runs exactly once', async () => {
  const [a, b, c] = [held(), held(), held()].map((x) => x.connectionId) as [string, string, string];
  const handle = await env.syncs.startPipeline({ name: 'restart', steps: [sync('a', a), sync('b', b), sync('c', c, ['a', 'b'])] });
  await env.mock.waitFor(() => jobOf(a) !== undefined && jobOf(b) !== undefined);
  finish(a);
  await env.restartWorker();
  finish(b);
  // Tasks cached on the old worker's sticky queue move to the new worker after Temporal's sticky timeout (10 s).
  await env.mock.waitFor(() => jobOf(c) !== undefined, 30_000);
  finish(c);

  const result = await env.syncs.pipelineResult(handle.workflowId);
  expect(result.totals).toMatchObject({ succeeded: 3, failed: 0 });
  expect(env.mock.jobs()).toHaveLength(3);
});

test('a pipeline and its syncs carry search attributes when asked', async () => {
  const { connectionId } = quick();
  const handle = await env.syncs.startPipeline({ name: 'searchable', searchAttributes: true, steps: [sync('only', connectionId)] });
  await env.syncs.pipelineResult(handle.workflowId);
  expect((await handle.describe()).typedSearchAttributes.get(AirbyteSearchAttributes.pipeline)).toBe('searchable');
  const child = env.client.workflow.getHandle(`${handle.workflowId}/only`);
  expect((await child.describe()).typedSearchAttributes.get(AirbyteSearchAttributes.connectionId)).toBe(connectionId);
});

test('the result stays small: sync steps without their SyncResult, which the steps query pages through in full', async () => {
  const connections = [quick({ rowsSynced: 3 }), quick({ rowsSynced: 4 }), quick({ rowsSynced: 5 })].map((c) => c.connectionId);
  const handle = await env.syncs.startPipeline({ name: 'paged', steps: connections.map((c, i) => sync(`s${i}`, c)) });
  const result = await env.syncs.pipelineResult(handle.workflowId);
  expect(result.stepsOmitted).toBeUndefined();
  expect(result.steps.map((s) => [s.id, s.state, s.rowsSynced, s.result])).toEqual([
    ['s0', 'succeeded', 3, undefined],
    ['s1', 'succeeded', 4, undefined],
    ['s2', 'succeeded', 5, undefined],
  ]);

  const first = await env.syncs.pipelineSteps(handle.workflowId, { limit: 2 });
  expect(first).toMatchObject({ total: 3, offset: 0 });
  expect(first.steps.map((s) => s.id)).toEqual(['s0', 's1']);
  expect(first.steps[0]?.result).toMatchObject({ connectionId: connections[0], status: 'succeeded', rowsSynced: 3 });
  const all = [];
  for await (const step of env.syncs.allPipelineSteps(handle.workflowId)) all.push(step);
  expect(all.map((s) => (s.result as { jobId?: number }).jobId)).toEqual(result.steps.map((s) => s.jobId));
  expect((await env.syncs.pipelineSteps(handle.workflowId, { states: ['failed'] })).total).toBe(0);
});

describe("inline sync steps (syncSteps: 'inline', the default above 200 steps): the pipeline waits on each owner itself", () => {
  const childStarts = async (workflowId: string) =>
    ((await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length;

  test('the same results and failures as child steps, without a child workflow', async () => {
    const [bad, long1, ok, after] = [held(), held(), quick({ rowsSynced: 7, streams: [{ name: 'users', records: 7, bytes: 70 }] }), held()].map((x) => x.connectionId) as [string, string, string, string];
    const handle = await env.syncs.startPipeline({
      name: 'inline-fail-fast',
      syncSteps: 'inline',
      steps: [sync('ok', ok), sync('bad', bad, ['ok']), sync('long1', long1, ['ok']), sync('after', after, ['bad'])],
    });
    await env.mock.waitFor(() => [bad, long1].every((c) => jobOf(c) !== undefined));
    finish(bad, 'failed');

    const err = (await env.syncs.pipelineResult(handle.workflowId).catch((e: unknown) => e)) as AirbytePipelineError;
    expect(err).toBeInstanceOf(AirbytePipelineError);
    expect(err.message).toMatch(/step 'bad' failed: Airbyte sync job \d+ for connection .* failed/);
    expect(jobOf(long1)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' }); // failFast cancels the sibling's job
    expect(jobOf(after)).toBeUndefined();
    const steps = stepsById(err.result!.steps);
    expect(steps.ok).toMatchObject({ state: 'succeeded', jobId: jobOf(ok)!.jobId, rowsSynced: 7 });
    expect(steps.bad).toMatchObject({ state: 'failed', jobId: jobOf(bad)!.jobId });
    expect(steps.long1).toMatchObject({ state: 'cancelled', reason: "pipeline stopped: step 'bad' failed" });
    expect(steps.after).toMatchObject({ state: 'skipped', reason: "upstream step 'bad' failed" });
    const [full] = (await env.syncs.pipelineSteps(handle.workflowId, { limit: 1 })).steps;
    expect(full?.result).toMatchObject({ connectionId: ok, status: 'succeeded', rowsSynced: 7, owned: true, streams: [{ name: 'users', recordsCommitted: 7 }] });
    expect(await childStarts(handle.workflowId)).toBe(0);
  });

  test('a step\'s timeout and a cancelled step cancel their jobs; the owner answers the pipeline, not a child', async () => {
    const [slow, x, y] = [held(), held(), quick()].map((c) => c.connectionId) as [string, string, string];
    const handle = await env.syncs.startPipeline({
      name: 'inline-timeout-cancel',
      syncSteps: 'inline',
      failurePolicy: 'continue',
      onFailure: 'return',
      steps: [{ ...(sync('slow', slow) as SyncStep), timeout: '1s' }, sync('x', x), sync('y', y)],
    });
    await waitForJob(x);
    expect((await env.syncs.cancelPipelineStep(handle.workflowId, 'x')).reason).toBe('cancelled by request');
    const result = await env.syncs.pipelineResult(handle.workflowId);
    const steps = stepsById(result.steps);
    expect(steps.slow).toMatchObject({ state: 'failed' });
    expect(steps.slow!.error).toMatch(/did not finish within 1000 ms; it was cancelled/);
    expect(jobOf(slow)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
    expect(steps.x!.state).toBe('cancelled');
    expect(jobOf(x)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
    expect(steps.y!.state).toBe('succeeded');
    expect(await childStarts(handle.workflowId)).toBe(0);
  });

  test('a workflow task the server force-closes under its joins loses nothing: no step hangs, no job runs twice', async () => {
    const connections = [quick(), quick(), quick()].map((c) => c.connectionId);
    let release = () => {};
    holdJoins = new Promise<void>((resolve) => (release = resolve));
    let workflowId: string;
    try {
      workflowId = (await env.syncs.startPipeline({ name: 'inline-force-closed', syncSteps: 'inline', steps: connections.map((c, i) => sync(`s${i}`, c)) })).workflowId;
      // Every owner took its join, ran its job and told the pipeline, whose task is still open: its joins are held.
      await env.mock.waitFor(() => connections.every((c) => jobOf(c) !== undefined));
      await Promise.all(connections.map((c) => env.client.workflow.getHandle(jobOwnerWorkflowId(c, 'default')).result()));
      // Past 100 events buffered behind an open task the server force-closes it: the joins' results go with it.
      const pipeline = env.client.workflow.getHandle(workflowId);
      for (let i = 0; i < 101; i++) await pipeline.signal('airbyteJobEnded', { kind: 'nonsense' });
    } finally {
      release();
      holdJoins = undefined;
    }
    const result = await env.syncs.pipelineResult(workflowId);
    expect(result.totals).toMatchObject({ steps: 3, succeeded: 3 });
    expect(connections.map((c) => env.mock.jobs({ connectionId: c }).length)).toEqual([1, 1, 1]);
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const forceClosed = events.filter((e) => e.workflowTaskFailedEventAttributes?.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND);
    expect(forceClosed).toHaveLength(1);
    // The owners' words came before the steps waited again, and settled them: no join ran a second time.
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(0);
  });

  test(`a wide fan-out joins at most ${JOINS_PER_TASK} owners per workflow task`, async () => {
    const connections = Array.from({ length: JOINS_PER_TASK + 10 }, () => quick().connectionId);
    const handle = await env.syncs.startPipeline({ name: 'inline-paced', syncSteps: 'inline', maxParallel: connections.length, steps: connections.map((c, i) => sync(`s${i}`, c)) });
    const result = await env.syncs.pipelineResult(handle.workflowId);
    expect(result.totals).toMatchObject({ steps: connections.length, succeeded: connections.length });
    expect(env.mock.jobs()).toHaveLength(connections.length);
    // The joins' markers, by the workflow task that recorded them.
    const perTask: number[] = [];
    for (const e of (await handle.fetchHistory()).events ?? []) {
      if (e.workflowTaskCompletedEventAttributes) perTask.push(0);
      else if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') perTask[perTask.length - 1]! += 1;
    }
    expect(perTask.reduce((a, b) => a + b, 0)).toBe(connections.length);
    expect(Math.max(...perTask)).toBeLessThanOrEqual(JOINS_PER_TASK);
    // The joins went as signals (signal-with-start): no join waited for its owner's workflow task.
    const owner = (await env.client.workflow.getHandle(jobOwnerWorkflowId(connections[0]!, 'default')).fetchHistory()).events ?? [];
    expect(owner.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'airbyteJoinJobSignal')).toHaveLength(1);
    expect(owner.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
  });

  test('a forged or malformed last word does not end a step', async () => {
    const x = held().connectionId;
    const handle = await env.syncs.startPipeline({ name: 'inline-forged', syncSteps: 'inline', steps: [sync('x', x)] });
    await waitForJob(x);
    const pipeline = env.client.workflow.getHandle(handle.workflowId);
    await pipeline.signal('airbyteJobEnded', { kind: 'terminal', waiterId: 'someone-else', owned: true, attached: false, job: { jobId: 1 } });
    await pipeline.signal('airbyteJobEnded', { waiterId: `${handle.workflowId}/x`, kind: 'nonsense' });
    expect(stepsById((await env.syncs.pipelineProgress(handle.workflowId)).steps).x!.state).toBe('running');
    finish(x);
    const result = await env.syncs.pipelineResult(handle.workflowId);
    expect(stepsById(result.steps).x).toMatchObject({ state: 'succeeded', jobId: jobOf(x)!.jobId });
  });
});
