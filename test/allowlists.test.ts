import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { AirbytePipelineError, type PipelineDefinition, type PipelineResult, type StepStatus } from '../src';
import { createDbtActivities, type DbtActivityOptions, type DbtRunInput, type DbtRunResult } from '../src/activities/dbt';
import { ACTIVITY_NOT_ALLOWED, AirbyteAllowlistPlugin, AirbytePlugin, WORKFLOW_NOT_ALLOWED } from '../src/plugin';
import { AirbyteSyncClient } from '../src/client';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, startTestEnvironment } from './helpers/environment';

// Allowlists on the worker: what a pipeline started by anyone on the task queue may make the worker do.
const repoRoot = resolve(__dirname, '..');
const fixtureProject = join(__dirname, 'fixtures', 'dbt-project');
const dbtExecutable = process.env.DBT_EXECUTABLE ?? join(repoRoot, '.dbt-venv', 'bin', 'dbt');
const INSTALL_TIMEOUT_MS = 600_000;

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'allowlists-'));
  tempDirs.push(dir);
  return dir;
}
/** A second dbt project on the worker's disk, which nobody allowed. */
function otherProject(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'dbt_project.yml'), "name: other\nversion: '1.0.0'\nprofile: other\n");
  return dir;
}

const calls: Record<string, number> = { postToSlack: 0, dropWarehouse: 0 };
const userActivities = {
  postToSlack: (channel: string) => {
    calls.postToSlack! += 1;
    return Promise.resolve(`posted to ${channel}`);
  },
  dropWarehouse: () => {
    calls.dropWarehouse! += 1;
    return Promise.resolve('dropped');
  },
};

beforeAll(() => {
  if (existsSync(dbtExecutable)) return;
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'install-dbt.mjs')], { cwd: repoRoot, stdio: 'inherit', timeout: INSTALL_TIMEOUT_MS });
}, INSTALL_TIMEOUT_MS);
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const stepsById = (steps: StepStatus[]) => Object.fromEntries(steps.map((s) => [s.id, s]));

/** Runs a pipeline to its end (failed or not) with failurePolicy `continue`. */
async function pipelineOutcome(syncs: AirbyteSyncClient, definition: PipelineDefinition): Promise<PipelineResult & { workflowId: string }> {
  const { workflowId } = await syncs.startPipeline({ failurePolicy: 'continue', ...definition });
  const outcome = await syncs.pipelineResult(workflowId).then(
    (result) => result,
    (e: unknown) => e,
  );
  if (outcome instanceof AirbytePipelineError) return { ...outcome.result!, workflowId };
  if (outcome instanceof Error) throw outcome;
  return { ...(outcome as PipelineResult), workflowId };
}

describe('allowedDbtProjects (the dbt activity)', () => {
  function harness(options: DbtActivityOptions) {
    const env = new MockActivityEnvironment();
    const spawned: unknown[] = [];
    env.on('heartbeat', (d: unknown) => spawned.push(d));
    // A dbt that does not exist: a refused input must fail before any spawn.
    const { dbtRun } = createDbtActivities({ dbtExecutable: join(tmpdir(), 'no-such-dir', 'dbt'), ...options });
    const run = (input: DbtRunInput) => env.run<[DbtRunInput], DbtRunResult, typeof dbtRun>(dbtRun, input);
    return { run, spawned };
  }
  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }

  test('a project dir that is not allowed is a non-retryable DbtInvalidInput naming it, whether or not it exists', async () => {
    const other = otherProject();
    const { run, spawned } = harness({ projectDir: fixtureProject, allowedProjects: [] });
    for (const projectDir of [other, join(tmpdir(), 'no-such-project'), '/etc']) {
      const failure = await failureOf(run({ command: 'build', projectDir }));
      expect(failure.type).toBe('DbtInvalidInput');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(`dbt project dir ${resolve(projectDir)} is not allowed on this worker: it is not in the worker's allowedDbtProjects`);
    }
    expect(spawned).toEqual([]);
  });

  test('the default project and the listed ones are allowed, however the path is spelled', async () => {
    const listed = otherProject();
    const { run } = harness({ projectDir: fixtureProject, allowedProjects: [listed] });
    // They pass the allowlist and fail later, at the spawn of the dbt that does not exist.
    for (const projectDir of [undefined, fixtureProject, `${fixtureProject}/`, join(fixtureProject, '..', 'dbt-project'), listed]) {
      const failure = await failureOf(run({ command: 'build', projectDir }));
      expect([projectDir, failure.type]).toEqual([projectDir, 'DbtInvocationError']);
    }
  });

  test('a profiles dir that is neither the configured one nor an allowed project is refused', async () => {
    const profiles = tempDir();
    const { run } = harness({ projectDir: fixtureProject, allowedProjects: [], profilesDir: profiles });
    const elsewhere = tempDir();
    const failure = await failureOf(run({ command: 'build', profilesDir: elsewhere }));
    expect(failure.type).toBe('DbtInvalidInput');
    expect(failure.message).toContain(`dbt profiles dir ${elsewhere} is not allowed on this worker`);
    for (const profilesDir of [profiles, fixtureProject]) {
      expect((await failureOf(run({ command: 'build', profilesDir }))).type).toBe('DbtInvocationError');
    }
  });

  test('without allowedProjects any project may run (unchanged behaviour)', async () => {
    const { run } = harness({});
    expect((await failureOf(run({ command: 'build', projectDir: otherProject() }))).type).toBe('DbtInvocationError');
  });

  test('a bad allowedProjects option stops the worker at start', () => {
    expect(() => createDbtActivities({ allowedProjects: '/opt' as unknown as string[] })).toThrow(/allowedProjects must be an array of directory paths/);
    expect(() => createDbtActivities({ allowedProjects: [''] })).toThrow(/allowedProjects/);
  });
});

describe('allowlists on a createAirbyteWorker worker (AirbyteAllowlistPlugin)', () => {
  let env: AirbyteTestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment({
      activities: userActivities,
      dbt: {
        dbtExecutable,
        projectDir: fixtureProject,
        allowedProjects: [],
        env: { DBT_DUCKDB_PATH: join(tempDir(), 'warehouse.duckdb') },
      },
      workerOptions: { plugins: [new AirbyteAllowlistPlugin({ allowedActivities: ['postToSlack'], allowedWorkflows: ['syncAndWait'] })] },
    });
  }, 300_000);
  afterAll(async () => {
    await env?.close();
  });

  test('activity steps: an allowed activity runs; any other, even one of this package, is refused once, naming it', async () => {
    const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }] } });
    const before = { ...calls };
    const result = await pipelineOutcome(env.syncs, {
      name: 'activity-allowlist',
      steps: [
        { id: 'slack', kind: 'activity', activity: 'postToSlack', args: ['#data'] },
        { id: 'drop', kind: 'activity', activity: 'dropWarehouse' },
        { id: 'cancel', kind: 'activity', activity: 'airbyteCancelJob', args: [{ jobId: 1 }] },
        { id: 'sync', kind: 'sync', connectionId, poll: FAST_POLL }, // a child syncAndWait: its own activities are not affected
      ],
    });
    const steps = stepsById(result.steps);
    expect(steps.slack).toMatchObject({ state: 'succeeded', result: 'posted to #data' });
    expect(steps.sync!.state).toBe('succeeded');
    expect(steps.drop).toMatchObject({
      state: 'failed',
      error: "activity 'dropWarehouse' may not be called by a pipeline step on this worker: it is not in the worker's allowedActivities",
    });
    expect(steps.cancel).toMatchObject({ state: 'failed', error: expect.stringContaining("activity 'airbyteCancelJob' may not be called") as unknown });
    expect(calls.dropWarehouse).toBe(before.dropWarehouse);
    expect(calls.postToSlack).toBe(before.postToSlack! + 1);
    expect(env.mock.requests.some((r) => r.method === 'DELETE')).toBe(false);

    // Refused for good: one attempt, a non-retryable failure of its own type.
    const history = await env.client.workflow.getHandle(result.workflowId).fetchHistory();
    const failures = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes).map((e) => e.activityTaskFailedEventAttributes!.failure!);
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure.applicationFailureInfo).toMatchObject({ type: ACTIVITY_NOT_ALLOWED, nonRetryable: true });
    }
  });

  test("the engine's own activities still run: a sync by connection name, a workspace step, a dbt step", async () => {
    const ws = env.mock.addWorkspace();
    env.mock.addConnection({ name: 'named-conn', workspaceId: ws.workspaceId, script: { phases: [{ status: 'running', ms: 100 }] } });
    const result = await env.syncs.runPipeline({
      name: 'engine-activities',
      steps: [
        { id: 'by-name', kind: 'sync', connection: 'named-conn', workspaceId: ws.workspaceId, poll: FAST_POLL },
        { id: 'ws', kind: 'workspace', workspaceId: ws.workspaceId, poll: FAST_POLL, dependsOn: ['by-name'] },
        { id: 'dbt', kind: 'dbt', command: 'run', select: ['customers'], dependsOn: ['ws'] },
      ],
    });
    expect(result.status).toBe('succeeded');
    expect((stepsById(result.steps).dbt!.result as DbtRunResult).success).toBe(true);
  });

  test('workflow steps: an allowed type runs as a child; another is refused before any child starts', async () => {
    const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }] } });
    const result = await pipelineOutcome(env.syncs, {
      name: 'workflow-allowlist',
      steps: [
        { id: 'allowed', kind: 'workflow', workflow: 'syncAndWait', args: [{ connectionId, poll: FAST_POLL }] },
        { id: 'reconcile', kind: 'workflow', workflow: 'airbyteReconcile', args: [{}] },
        { id: 'unknown', kind: 'workflow', workflow: 'someoneElsesWorkflow' },
      ],
    });
    const steps = stepsById(result.steps);
    expect(steps.allowed!.state).toBe('succeeded');
    expect(steps.reconcile).toMatchObject({
      state: 'failed',
      error: "workflow type 'airbyteReconcile' may not be started by a pipeline step on this worker: it is not in the worker's allowedWorkflows",
    });
    expect(steps.unknown).toMatchObject({ state: 'failed', error: expect.stringContaining("workflow type 'someoneElsesWorkflow' may not be started") as unknown });
    const history = await env.client.workflow.getHandle(result.workflowId).fetchHistory();
    const started = (history.events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
    expect(started.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowType!.name)).toEqual(['syncAndWait']);
    // One attempt each: the refusal is not retryable.
    const refusals = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes);
    expect(refusals.map((e) => e.activityTaskFailedEventAttributes!.failure!.applicationFailureInfo)).toEqual([
      expect.objectContaining({ type: WORKFLOW_NOT_ALLOWED, nonRetryable: true }),
      expect.objectContaining({ type: WORKFLOW_NOT_ALLOWED, nonRetryable: true }),
    ]);
  });

  test('dbt steps: a project dir that is not allowed fails the step with DbtInvalidInput naming it', async () => {
    const other = otherProject();
    const result = await pipelineOutcome(env.syncs, { name: 'dbt-allowlist', steps: [{ id: 'dbt', kind: 'dbt', command: 'build', projectDir: other }] });
    expect(stepsById(result.steps).dbt).toMatchObject({
      state: 'failed',
      error: `dbt project dir ${other} is not allowed on this worker: it is not in the worker's allowedDbtProjects`,
    });
  });
});

describe('allowlists on AirbytePlugin', () => {
  let env: AirbyteTestEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let syncs: AirbyteSyncClient;
  beforeAll(async () => {
    env = await startTestEnvironment();
    const taskQueue = `plugin-allowlists-${Math.random().toString(36).slice(2, 8)}`;
    const credentials = env.mock.credentials;
    worker = await Worker.create({
      connection: env.temporal.nativeConnection,
      namespace: env.temporal.namespace ?? 'default',
      taskQueue,
      workflowBundle: { codePath: process.env.TEMPORAL_TEST_BUNDLE! },
      activities: userActivities,
      plugins: [
        new AirbytePlugin({
          instances: { default: credentials ? { url: env.mock.publicApiUrl, ...credentials } : { url: env.mock.publicApiUrl, noAuth: true } },
          dbt: { dbtExecutable, projectDir: fixtureProject, env: { DBT_DUCKDB_PATH: join(tempDir(), 'warehouse.duckdb') } },
          allowedActivities: ['postToSlack'],
          allowedWorkflows: [],
          allowedDbtProjects: [],
        }),
      ],
    });
    running = worker.run();
    syncs = new AirbyteSyncClient(env.client, { taskQueue });
  }, 300_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.close();
  });

  test('the plugin registers dbt and applies all three lists', async () => {
    const result = await pipelineOutcome(syncs, {
      name: 'plugin-allowlists',
      steps: [
        { id: 'slack', kind: 'activity', activity: 'postToSlack', args: ['#ops'] },
        { id: 'drop', kind: 'activity', activity: 'dropWarehouse' },
        { id: 'child', kind: 'workflow', workflow: 'syncAndWait', args: [{ connectionId: '4c1e3a52-8f4e-4e8a-9d6c-2a1b3c4d5e6f' }] },
        { id: 'dbt', kind: 'dbt', command: 'run', select: ['customers'] },
        { id: 'dbt-elsewhere', kind: 'dbt', command: 'run', projectDir: otherProject() },
      ],
    });
    const steps = stepsById(result.steps);
    expect(steps.slack).toMatchObject({ state: 'succeeded', result: 'posted to #ops' });
    expect(steps.drop!.error).toMatch(/activity 'dropWarehouse' may not be called/);
    expect(steps.child!.error).toMatch(/workflow type 'syncAndWait' may not be started/);
    expect(steps.dbt!.state).toBe('succeeded');
    expect(steps['dbt-elsewhere']!.error).toMatch(/is not allowed on this worker: it is not in the worker's allowedDbtProjects/);
  });
});

describe('without allowlists', () => {
  let env: AirbyteTestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment({ activities: userActivities });
  });
  afterAll(async () => {
    await env?.close();
  });

  test('any registered activity and any workflow type may run (a worker without the check activity included)', async () => {
    const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }] } });
    const result = await env.syncs.runPipeline({
      name: 'open',
      steps: [
        { id: 'drop', kind: 'activity', activity: 'dropWarehouse' },
        { id: 'child', kind: 'workflow', workflow: 'syncAndWait', args: [{ connectionId, poll: FAST_POLL }] },
      ],
    });
    expect(result.status).toBe('succeeded');
  });

  test('AirbytePlugin without lists refuses nothing', () => {
    const plugin = new AirbytePlugin({ instances: { default: { url: 'http://127.0.0.1:1/api/public/v1', noAuth: true } } });
    const options = plugin.configureWorker({ taskQueue: 'x', activities: {} });
    expect(options.interceptors?.activity ?? []).toEqual([]);
    expect(Object.keys(options.activities as object)).toEqual(expect.arrayContaining(['dbtRun', 'airbyteCheckWorkflowStep', 'airbyteCreateJob']));
  });

  test('a bad list stops the worker at start', () => {
    expect(() => new AirbyteAllowlistPlugin({ allowedActivities: 'postToSlack' as unknown as string[] })).toThrow(/allowedActivities must be an array of non-empty names/);
  });
});
