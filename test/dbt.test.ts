import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApplicationFailure, CancelledFailure, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createDbtActivities,
  resolveDbtExecutable,
  type DbtActivityOptions,
  type DbtProgress,
  type DbtRunInput,
  type DbtRunResult,
} from '../src/activities/dbt';

// The real dbt Core on DuckDB, run through the real activity in a mocked activity context.
const repoRoot = resolve(__dirname, '..');
const projectDir = join(__dirname, 'fixtures', 'dbt-project');
const dbtExecutable = process.env.DBT_EXECUTABLE ?? join(repoRoot, '.dbt-venv', 'bin', 'dbt');
const INSTALL_TIMEOUT_MS = 600_000;

beforeAll(() => {
  if (existsSync(dbtExecutable)) return;
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'install-dbt.mjs')], { cwd: repoRoot, stdio: 'inherit', timeout: INSTALL_TIMEOUT_MS });
}, INSTALL_TIMEOUT_MS);

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbt-fixture-'));
  tempDirs.push(dir);
  return dir;
}

interface LogEntry {
  level: LogLevel;
  message: string;
  meta?: LogMetadata;
}

class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.entries.push({ level, message, meta });
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
  text(): string {
    return this.entries.map((e) => `${e.level} ${e.message} ${JSON.stringify(e.meta ?? {})}`).join('\n');
  }
  /** The per-run directory the activity announced in its 'starting dbt' line. */
  targetPath(): string {
    const meta = this.entries.find((e) => e.message === 'starting dbt')?.meta;
    return String(meta?.targetPath);
  }
}

/** One activity context with its own DuckDB file, recording logs and heartbeats. */
function harness(options: DbtActivityOptions = {}) {
  const logger = new RecordingLogger();
  const env = new MockActivityEnvironment(undefined, { logger });
  const heartbeats: DbtProgress[] = [];
  env.on('heartbeat', (progress: DbtProgress) => heartbeats.push(progress));
  const { dbtRun } = createDbtActivities({
    dbtExecutable,
    projectDir,
    heartbeatIntervalMs: 50,
    ...options,
    env: { DBT_DUCKDB_PATH: join(tempDir(), 'warehouse.duckdb'), ...options.env },
  });
  const run = (input: DbtRunInput) => env.run<[DbtRunInput], DbtRunResult, typeof dbtRun>(dbtRun, input);
  return { env, logger, heartbeats, run };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => {
      throw new Error('expected the activity to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const byName = (result: DbtRunResult) => Object.fromEntries(result.nodes.map((n) => [n.name, n]));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('dbtRun against dbt Core on DuckDB', () => {
  test('build runs every model and test and reports each node with its status and timing', async () => {
    const { run, logger, heartbeats } = harness();
    const result = await run({ command: 'build' });

    expect(result.success).toBe(true);
    expect(result.command).toBe('build');
    expect(result.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof result.elapsedS).toBe('number');
    const nodes = byName(result);
    expect(Object.keys(nodes).sort()).toEqual([
      'customer_count',
      'customers',
      'fail_on_demand',
      'not_null_customer_count_customer_count',
      'not_null_customers_customer_id',
      'unique_customers_customer_id',
    ]);
    expect(nodes.customers).toMatchObject({ uniqueId: 'model.temporal_airbyte_fixture.customers', resourceType: 'model', status: 'success' });
    expect(nodes.unique_customers_customer_id).toMatchObject({ resourceType: 'test', status: 'pass', failures: 0 });
    for (const node of result.nodes) {
      expect(node.executionTimeS).toEqual(expect.any(Number));
      expect(node.executionTimeS).toBeGreaterThanOrEqual(0);
    }

    // dbt's output reached the activity log line by line, and progress was heartbeated.
    expect(logger.entries.find((e) => /Completed successfully$/.test(e.message))?.level).toBe('INFO');
    expect(logger.text()).not.toContain('\u001b[');
    expect(heartbeats.length).toBeGreaterThan(0);
    expect(heartbeats[0]!.pid).toEqual(expect.any(Number));
    expect(existsSync(logger.targetPath())).toBe(false); // the per-run directory is gone
  });

  test('select and exclude limit the nodes dbt runs', async () => {
    const { run } = harness();
    const selected = await run({ command: 'run', select: ['customers'] });
    expect(selected.nodes.map((n) => n.name)).toEqual(['customers']);

    const excluded = await run({ command: 'build', exclude: ['customer_count', 'fail_on_demand'] });
    expect(excluded.nodes.map((n) => n.name).sort()).toEqual(['customers', 'not_null_customers_customer_id', 'unique_customers_customer_id']);
  });

  test('a failing test fails the activity with DbtRunFailed naming the test, with the run as details', async () => {
    const { run } = harness();
    const failure = await failureOf(run({ command: 'build', vars: { fail_test: true } }));

    expect(failure.type).toBe('DbtRunFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('test fail_on_demand (fail: Got 3 results, configured to fail if != 0)');
    const result = failure.details?.[0] as DbtRunResult;
    expect(result.success).toBe(false);
    const nodes = byName(result);
    expect(nodes.fail_on_demand).toMatchObject({ status: 'fail', failures: 3 });
    expect(nodes.customer_count!.status).toBe('skipped'); // downstream of the failed test
    expect(failure.message).not.toContain('customer_count'); // skipped is not a failure
  });

  test('a test that only warns does not fail the run', async () => {
    const { run } = harness();
    const result = await run({ command: 'build', vars: { fail_test: true, fail_severity: 'warn' } });
    expect(result.success).toBe(true);
    expect(byName(result).fail_on_demand).toMatchObject({ status: 'warn', failures: 3 });
    expect(byName(result).customer_count!.status).toBe('success');
  });

  test.each<[string, Partial<DbtRunInput>, RegExp]>([
    ['an unknown command', { command: 'seed' as DbtRunInput['command'] }, /unknown dbt command 'seed'/],
    ['an empty select entry', { select: ['customers', ' '] }, /select\[1\] must be a non-empty dbt selector/],
    ['a selector that looks like a flag', { exclude: ['--target-path=/etc'] }, /exclude\[0\]/],
    ['zero threads', { threads: 0 }, /threads must be a positive integer, got 0/],
    ['fullRefresh on dbt test', { command: 'test', fullRefresh: true }, /fullRefresh does not apply to dbt test/],
    ['a project dir that does not exist', { projectDir: join(tmpdir(), 'no-such-dbt-project') }, /no-such-dbt-project does not exist/],
    ['a project dir without dbt_project.yml', { projectDir: __dirname }, /has no dbt_project.yml/],
  ])('%s is DbtInvalidInput before dbt is spawned', async (_, input, message) => {
    // A dbt that does not exist: reaching the spawn would fail differently.
    const { run, heartbeats } = harness({ dbtExecutable: join(tmpdir(), 'no-such-dir', 'dbt') });
    const failure = await failureOf(run({ command: 'build', ...input }));
    expect(failure.type).toBe('DbtInvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(message);
    expect(heartbeats).toEqual([]);
  });

  test('a profile dbt cannot use is a DbtInvocationError quoting dbt', async () => {
    const { run } = harness({ env: { DBT_DUCKDB_PATH: '' } });
    const failure = await failureOf(run({ command: 'build' }));
    expect(failure.type).toBe('DbtInvocationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('exit code 2');
    expect(failure.message).toContain('Credentials in profile "temporal_airbyte_fixture", target "dev" invalid');
  });

  test('a dbt that cannot be started is a DbtInvocationError', async () => {
    const broken = join(tempDir(), 'dbt');
    writeFileSync(broken, '#!/no/such/python\n');
    chmodSync(broken, 0o755);
    const { run } = harness({ dbtExecutable: broken });
    const failure = await failureOf(run({ command: 'build' }));
    expect(failure.type).toBe('DbtInvocationError');
    expect(failure.message).toContain(`could not start dbt at ${broken}: spawn ${broken} ENOENT`);
  });

  test('cancellation stops dbt and rejects with the cancellation', async () => {
    const { env, run, logger } = harness();
    const slowModelStarted = new Promise<DbtProgress>((resolveStarted) => {
      env.on('heartbeat', (progress: DbtProgress) => {
        if (/START .*slow_model/.test(progress.lastLine ?? '')) resolveStarted(progress);
      });
    });
    const running = run({ command: 'run', select: ['slow_model'], vars: { slow_model: true } });
    const progress = await Promise.race([
      slowModelStarted,
      running.then(() => {
        throw new Error('dbt finished before it could be cancelled');
      }),
    ]);
    const pid = progress.pid!;
    expect(isRunning(pid)).toBe(true);

    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(isRunning(pid)).toBe(false);
    expect(logger.text()).toContain('activity cancelled: stopping dbt');
    expect(existsSync(logger.targetPath())).toBe(false);
  });

  test('two concurrent runs of the same project both succeed, each with its own target path', async () => {
    // Same activity id and attempt in both contexts: the per-run directory must still differ.
    const first = harness();
    const second = harness();
    const results = await Promise.all([first.run({ command: 'build' }), second.run({ command: 'build' })]);

    for (const result of results) {
      expect(result.success).toBe(true);
      expect(result.nodes).toHaveLength(6);
    }
    expect(results[0].invocationId).not.toBe(results[1].invocationId);
    expect(first.logger.targetPath()).not.toBe(second.logger.targetPath());
    expect(existsSync(join(projectDir, 'target'))).toBe(false);
  });

  test('env values never reach the logs, heartbeats or failures, even when dbt prints them', async () => {
    const secret = 'hunter2_s3cr3t';
    const warehouse = join(tempDir(), 'secret-warehouse.duckdb');
    const { run, logger, heartbeats } = harness({ env: { FIXTURE_SECRET: secret, DBT_DUCKDB_PATH: warehouse } });
    const failure = await failureOf(run({ command: 'build', select: ['leaky_model'], vars: { leak_secret: true } }));

    expect(failure.type).toBe('DbtRunFailed');
    expect(failure.message).toContain('model leaky_model (error: ');
    expect(logger.text()).toContain('the secret is ***'); // dbt did print it: the redaction was exercised
    const everything = [logger.text(), JSON.stringify(heartbeats), failure.message, JSON.stringify(failure.details), failure.stack].join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(warehouse);
  });
});

describe('resolveDbtExecutable', () => {
  const saved = { PATH: process.env.PATH, DBT_EXECUTABLE: process.env.DBT_EXECUTABLE };
  beforeEach(() => {
    process.env.PATH = '';
    delete process.env.DBT_EXECUTABLE;
  });
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.DBT_EXECUTABLE === undefined) delete process.env.DBT_EXECUTABLE;
    else process.env.DBT_EXECUTABLE = saved.DBT_EXECUTABLE;
  });

  function fakeDbt(dir: string): string {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'dbt');
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
    return path;
  }

  test('names all four places it looked when there is no dbt', () => {
    const cwd = tempDir();
    expect(() => resolveDbtExecutable({ cwd })).toThrow(
      `dbt not found: the dbtExecutable option is not set, DBT_EXECUTABLE is not set, there is no \`dbt\` on PATH, and ${join(cwd, '.dbt-venv', 'bin', 'dbt')} does not exist`,
    );
  });

  test('prefers the option, then DBT_EXECUTABLE, then PATH, then the project-local venv', () => {
    const cwd = tempDir();
    const venv = fakeDbt(join(cwd, '.dbt-venv', 'bin'));
    expect(resolveDbtExecutable({ cwd })).toBe(venv);
    const onPath = fakeDbt(join(cwd, 'path-bin'));
    process.env.PATH = join(cwd, 'path-bin');
    expect(resolveDbtExecutable({ cwd })).toBe(onPath);
    const fromEnv = fakeDbt(join(cwd, 'env-bin'));
    process.env.DBT_EXECUTABLE = fromEnv;
    expect(resolveDbtExecutable({ cwd })).toBe(fromEnv);
    const fromOption = fakeDbt(join(cwd, 'option-bin'));
    expect(resolveDbtExecutable({ cwd, dbtExecutable: fromOption })).toBe(fromOption);
  });

  test('an explicit dbt that does not exist is an error, not a fallback', () => {
    const cwd = tempDir();
    fakeDbt(join(cwd, '.dbt-venv', 'bin'));
    expect(() => resolveDbtExecutable({ cwd, dbtExecutable: join(cwd, 'missing') })).toThrow(/the dbtExecutable option is '.*missing', which is not an executable file/);
    process.env.DBT_EXECUTABLE = join(cwd, 'missing');
    expect(() => resolveDbtExecutable({ cwd })).toThrow(/DBT_EXECUTABLE is '.*missing', which is not an executable file/);
  });
});
