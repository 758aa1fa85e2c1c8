import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AirbytePipelineError, type StepStatus } from '../src';
import type { DbtRunResult } from '../src/activities/dbt';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, startTestEnvironment } from './helpers/environment';

// A sync gating a real dbt build (dbt Core on DuckDB) inside a pipeline on the dev server.
let env: AirbyteTestEnvironment;

beforeAll(async () => {
  if (!process.env.DBT_EXECUTABLE && !existsSync('.dbt-venv/bin/dbt')) execFileSync('node', ['scripts/install-dbt.mjs'], { stdio: 'inherit' });
  env = await startTestEnvironment({
    dbt: {
      projectDir: resolve('test/fixtures/dbt-project'),
      env: { DBT_DUCKDB_PATH: join(mkdtempSync(join(tmpdir(), 'pipeline-dbt-')), 'warehouse.duckdb') },
    },
  });
}, 300_000);
afterAll(async () => {
  await env?.close();
});

const byId = (steps: StepStatus[]) => Object.fromEntries(steps.map((s) => [s.id, s]));

test('dbt builds, after the sync, exactly the models downstream of the streams the sync moved', async () => {
  const { connectionId } = env.mock.addConnection({
    script: { phases: [{ status: 'running', ms: 100 }], streams: [{ name: 'customers', records: 3, bytes: 90 }] },
  });
  const result = await env.syncs.runPipeline({
    name: 'sync-then-dbt',
    steps: [
      { id: 'extract', kind: 'sync', connectionId, poll: FAST_POLL },
      { id: 'transform', kind: 'dbt', command: 'build', selectSyncedStreams: '{stream}+', dependsOn: ['extract'] },
    ],
  });
  const steps = byId(result.steps);
  expect(steps.transform!.state).toBe('succeeded');
  const dbt = steps.transform!.result as DbtRunResult;
  expect(dbt.success).toBe(true);
  const nodes = Object.fromEntries(dbt.nodes.map((n) => [n.name, n]));
  expect(nodes.customers).toMatchObject({ resourceType: 'model', status: 'success' });
  expect(nodes.customer_count).toMatchObject({ resourceType: 'model', status: 'success' });
  expect(nodes.fail_on_demand).toMatchObject({ resourceType: 'test', status: 'pass' });
  expect(Date.parse(steps.transform!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(steps.extract!.endedAt!));
});

test('a failing dbt test fails the step, and the steps after it are skipped', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }] } });
  const after = env.mock.addConnection().connectionId;
  const err = (await env.syncs
    .runPipeline({
      name: 'dbt-fails',
      steps: [
        { id: 'extract', kind: 'sync', connectionId, poll: FAST_POLL },
        { id: 'transform', kind: 'dbt', command: 'build', vars: { fail_test: true }, dependsOn: ['extract'] },
        { id: 'reverse-etl', kind: 'sync', connectionId: after, dependsOn: ['transform'] },
      ],
    })
    .catch((e: unknown) => e)) as AirbytePipelineError;
  expect(err).toBeInstanceOf(AirbytePipelineError);
  const steps = byId(err.result!.steps);
  expect(steps.transform!.state).toBe('failed');
  expect(steps.transform!.error).toMatch(/fail_on_demand/);
  expect(steps['reverse-etl']).toMatchObject({ state: 'skipped', reason: "upstream step 'transform' failed" });
  expect(env.mock.jobs({ connectionId: after })).toHaveLength(0);
});
