import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { AirbytePlugin, DEFAULT_MAX_CACHED_WORKFLOWS } from '../src/plugin';
import { createAirbyteWorker } from '../src/worker';
import { defaultWorkflowSource } from '../src/workflow-source';
import { sharedWorkflowModules } from '../src/workflow-bundle-options';
import * as workflows from '../src/workflows';

// What a user installs and imports: entry points that load only what they need, the SDK as peers (one copy,
// so `instanceof` holds), a workflows entry that registers workflows only, and one plugin that gives a worker
// everything createAirbyteWorker does.

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The modules a fresh Node process loads for `entry` (through tsx, from the sources). */
function modulesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

test('subpath exports for the client, the worker, the workflows, their definitions and the testing kit', () => {
  expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './client', './worker', './workflows', './definitions', './testing', './workflow-bundle']));
});

test('the Temporal SDK is a peer dependency, never a dependency of its own', () => {
  const sdk = (deps: Record<string, string> = {}) => Object.keys(deps).filter((d) => d.startsWith('@temporalio/'));
  expect(sdk(pkg.dependencies)).toEqual([]);
  expect(sdk(pkg.peerDependencies)).toEqual(expect.arrayContaining(['@temporalio/client', '@temporalio/common', '@temporalio/worker', '@temporalio/workflow', '@temporalio/activity']));
  for (const name of sdk(pkg.peerDependencies)) expect(pkg.devDependencies[name]).toBe(pkg.peerDependencies[name]);
});

test('a client-only service loads neither the worker nor the testing package', () => {
  for (const entry of ['./src/entries/client', './src/workflows/definitions']) {
    const loaded = modulesLoadedBy(entry);
    expect(loaded.some((m) => m.includes(join('@temporalio', 'client')))).toBe(entry.endsWith('client'));
    expect(loaded.filter((m) => /@temporalio[\\/](worker|testing|core-bridge)[\\/]/.test(m))).toEqual([]);
  }
});

test('the workflows entry exports workflow functions only', () => {
  expect(Object.keys(workflows).sort()).toEqual(['airbyteJobOwner', 'airbyteManage', 'airbytePipeline', 'airbyteReconcile', 'offboardTenant', 'onboardTenant', 'syncAndWait']);
  for (const value of Object.values(workflows)) expect(typeof value).toBe('function');
  // The client names a workflow type by its function's name.
  for (const [name, value] of Object.entries(workflows)) expect((value as () => unknown).name).toBe(name);
});

test("the workflows entry loads a workflow type's modules only when that type runs", () => {
  // Every workflow evaluates the modules it loads again, so loading the entry alone must load none of them.
  const ours = (loaded: string[]) => loaded.filter((m) => m.includes(join('src', 'workflows'))).map((m) => relative(join(root, 'src/workflows'), m));
  expect(ours(modulesLoadedBy('./src/workflows'))).toEqual(['index.ts']);
  const script = `const w = require('./src/workflows'); w.syncAndWait({}).catch(() => undefined); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, '-e', script], { cwd: root, encoding: 'utf8' });
  const loaded = ours(JSON.parse(out) as string[]);
  expect(loaded).toContain('sync-and-wait.ts');
  expect(loaded.filter((m) => /^(pipeline|tenant|reconcile|manage|legacy)[\\/]|owner[\\/]owner\.ts$/.test(m))).toEqual([]);
});

describe('AirbytePlugin', () => {
  const instances = { default: { url: 'http://127.0.0.1:9/api/public/v1', noAuth: true } };
  const configure = (options: Partial<WorkerOptions> = {}, bundle?: string) =>
    new AirbytePlugin({ instances, workflowBundlePath: bundle }).configureWorker({ taskQueue: 'q', ...options });

  test('gives the activities (dbt included), the Nexus service, the rate limit and the workflows', () => {
    const configured = configure();
    expect(Object.keys(configured.activities ?? {})).toEqual(expect.arrayContaining(['airbyteCreateJob', 'airbyteGetJob', 'airbyteJoinJobOwner', 'dbtRun', 'airbyteCheckWorkflowStep', 'airbyteListRunningJobs']));
    expect((configured.nexusServices ?? []).map((s) => s.definition.name)).toEqual(['temporal-airbyte']);
    expect(configured.maxTaskQueueActivitiesPerSecond).toBe(20);
    // Our workflows alone: the cache is sized for them (sleeping syncs need not all stay in memory).
    expect(configured.maxCachedWorkflows).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
    expect(configure({ maxCachedWorkflows: 3_000 }).maxCachedWorkflows).toBe(3_000);
    // From the sources there is no prebuilt bundle: the workflows module is bundled at start.
    expect(configured.workflowsPath).toBe(require.resolve('../src/workflows'));
  });

  test("keeps the worker's own workflows, rate limit and same-named activities", () => {
    const ownActivity = () => Promise.resolve('mine');
    const configured = configure({ workflowsPath: '/my/workflows', maxTaskQueueActivitiesPerSecond: 5, activities: { airbyteGetJob: ownActivity } });
    expect(configured.workflowsPath).toBe('/my/workflows');
    expect(configured.workflowBundle).toBeUndefined();
    expect(configured.maxTaskQueueActivitiesPerSecond).toBe(5);
    // Workflows of the worker's own: the SDK's cache default stands, sized for them.
    expect(configured.maxCachedWorkflows).toBeUndefined();
    expect((configured.activities as Record<string, unknown>).airbyteGetJob).toBe(ownActivity);
  });

  test('a worker bundling at start shares our stateless workflow modules, keeping its own preloads', () => {
    const shared = sharedWorkflowModules();
    expect(shared.length).toBeGreaterThan(5);
    expect(configure().bundlerOptions?.preloadModules).toEqual(shared);
    const own = configure({ workflowsPath: '/my/workflows', bundlerOptions: { preloadModules: ['/my/pure'], ignoreModules: ['fs'] } });
    expect(own.bundlerOptions).toEqual({ preloadModules: ['/my/pure', ...shared], ignoreModules: ['fs'] });
    // A prebuilt bundle was made with them (npm run build): nothing to add at start.
    expect(configure({}, process.env.TEMPORAL_TEST_BUNDLE as string).bundlerOptions).toBeUndefined();
  });

  test('the bundle a worker runs preloads every shared module (the test bundle, made as npm run build makes the packaged one)', () => {
    const code = readFileSync(process.env.TEMPORAL_TEST_BUNDLE as string, 'utf8');
    const start = code.indexOf('exports.preloadModules = function preloadModules()');
    const preload = code.slice(start, code.indexOf('exports.importWorkflows', start));
    const ids = sharedWorkflowModules().map((file) => relative(join(__dirname, '..'), file).replace(/\\/g, '/'));
    for (const id of ids) expect(preload).toContain(id);
  });

  test('uses a prebuilt bundle when given one, and refuses a path with no bundle', () => {
    const bundle = process.env.TEMPORAL_TEST_BUNDLE as string;
    expect(configure({}, bundle).workflowBundle).toEqual({ codePath: bundle });
    expect(() => defaultWorkflowSource('/nowhere/bundle.js')).toThrow('no workflow bundle at /nowhere/bundle.js');
  });

  test('createAirbyteWorker is that plugin on a worker of its own', async () => {
    const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
    const worker = await createAirbyteWorker({ instances, connection, namespace: 'default', taskQueue: 'packaging', workflowBundlePath: process.env.TEMPORAL_TEST_BUNDLE });
    try {
      const fromPlugin = configure({}, process.env.TEMPORAL_TEST_BUNDLE);
      // The worker keeps its activities in a Map.
      expect([...(worker.options.activities as unknown as Map<string, unknown>).keys()].sort()).toEqual(Object.keys(fromPlugin.activities ?? {}).sort());
      expect(worker.options.maxTaskQueueActivitiesPerSecond).toBe(fromPlugin.maxTaskQueueActivitiesPerSecond);
      expect(worker.options.workflowBundle).toEqual(fromPlugin.workflowBundle);
      const { nexusServices } = worker.options as { nexusServices?: { definition: { name: string } }[] };
      expect(nexusServices?.map((s) => s.definition.name)).toEqual(['temporal-airbyte']);
    } finally {
      await worker.runUntil(Promise.resolve()); // a worker holds its connection until it has run and stopped
      await connection.close();
    }
  });
});
