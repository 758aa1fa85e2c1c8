import { capturedLogs } from './helpers/captured-logs'; // must come first: it installs the logging runtime
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDbtActivities, dbtEnvironment, type DbtActivityOptions, type DbtRunInput, type DbtRunResult } from '../src/activities/dbt';
import type { AirbyteTestEnvironment } from '../src/testing';
import { startTestEnvironment } from './helpers/environment';

// dbt gets an explicit environment: the worker's credentials (AIRBYTE_*, TEMPORAL_API_KEY) never reach it.
const repoRoot = resolve(__dirname, '..');
const dbtExecutable = process.env.DBT_EXECUTABLE ?? join(repoRoot, '.dbt-venv', 'bin', 'dbt');
const INSTALL_TIMEOUT_MS = 600_000;

const AIRBYTE_SECRET = 'airbyte-client-secret-5b1d7e';
const TEMPORAL_KEY = 'temporal-api-key-e04c9a';
const WAREHOUSE_PASSWORD = 'warehouse-password-91f2aa';
/** The worker's environment during these tests, besides what the machine already has. */
const workerEnv: Record<string, string> = {
  AIRBYTE_CLIENT_SECRET: AIRBYTE_SECRET,
  AIRBYTE_PASSWORD: AIRBYTE_SECRET,
  TEMPORAL_API_KEY: TEMPORAL_KEY,
  WAREHOUSE_PASSWORD, // inherited by name
  DBT_PROBE: 'dbt-setting', // DBT_* reaches dbt
  DBT_ENV_SECRET_TOKEN: 'dbt-env-secret-value', // and is masked (dbt only lets profiles read these)
};
const PROBED = ['AIRBYTE_CLIENT_SECRET', 'AIRBYTE_PASSWORD', 'TEMPORAL_API_KEY', 'WAREHOUSE_PASSWORD', 'DBT_PROBE', 'OPTION_PROBE', 'HOME', 'PATH'];

const saved: Record<string, string | undefined> = {};
const tempDirs: string[] = [];
let projectDir: string;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbt-env-'));
  tempDirs.push(dir);
  return dir;
}

/** A dbt project whose model (through a macro) reports which variables it can read, and tries to print the Airbyte secret. */
function writeProbeProject(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'models'));
  mkdirSync(join(dir, 'macros'));
  writeFileSync(
    join(dir, 'dbt_project.yml'),
    ['name: env_probe', "version: '1.0.0'", 'profile: env_probe', "model-paths: ['models']", "macro-paths: ['macros']", 'flags:', '  send_anonymous_usage_stats: false', ''].join('\n'),
  );
  writeFileSync(
    join(dir, 'profiles.yml'),
    [
      'env_probe:',
      '  target: dev',
      '  outputs:',
      '    dev:',
      '      type: duckdb',
      `      path: "{{ env_var('DBT_DUCKDB_PATH') }}"`,
      '      threads: 1',
      '    leaky:', // a profile that needs the worker's Airbyte secret
      '      type: duckdb',
      `      path: "/tmp/{{ env_var('AIRBYTE_CLIENT_SECRET') }}.duckdb"`,
      '      threads: 1',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'macros', 'read_env.sql'), "{% macro read_env(name) %}{{ return(env_var(name, '')) }}{% endmacro %}\n");
  writeFileSync(
    join(dir, 'models', 'probe.sql'),
    [
      `{% for name in ${JSON.stringify(PROBED).replace(/"/g, "'")} %}`,
      "  {{ log('probe ' ~ name ~ '=' ~ ('present' if read_env(name) else 'absent'), info=True) }}",
      '{% endfor %}',
      "{{ log('leak attempt: [' ~ read_env('AIRBYTE_CLIENT_SECRET') ~ '] [' ~ read_env('TEMPORAL_API_KEY') ~ ']', info=True) }}",
      "{{ log('inherited: [' ~ read_env('WAREHOUSE_PASSWORD') ~ ']', info=True) }}",
      "select '{{ read_env('AIRBYTE_CLIENT_SECRET') }}' as leaked",
      '',
    ].join('\n'),
  );
  return dir;
}

beforeAll(() => {
  if (!existsSync(dbtExecutable)) {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'install-dbt.mjs')], { cwd: repoRoot, stdio: 'inherit', timeout: INSTALL_TIMEOUT_MS });
  }
  for (const [name, value] of Object.entries(workerEnv)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  projectDir = writeProbeProject();
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const dbtOptions = (): DbtActivityOptions => ({
  dbtExecutable,
  projectDir,
  heartbeatIntervalMs: 50,
  inheritEnv: ['WAREHOUSE_PASSWORD'],
  env: { DBT_DUCKDB_PATH: join(tempDir(), 'warehouse.duckdb'), OPTION_PROBE: 'from-the-env-option' },
});

class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  }
  trace = (m: string, meta?: LogMetadata) => this.log('TRACE', m, meta);
  debug = (m: string, meta?: LogMetadata) => this.log('DEBUG', m, meta);
  info = (m: string, meta?: LogMetadata) => this.log('INFO', m, meta);
  warn = (m: string, meta?: LogMetadata) => this.log('WARN', m, meta);
  error = (m: string, meta?: LogMetadata) => this.log('ERROR', m, meta);
}

function harness(options: DbtActivityOptions) {
  const logger = new RecordingLogger();
  const heartbeats: unknown[] = [];
  const env = new MockActivityEnvironment(undefined, { logger });
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));
  const { dbtRun } = createDbtActivities(options);
  const run = (input: DbtRunInput) => env.run<[DbtRunInput], DbtRunResult, typeof dbtRun>(dbtRun, input);
  return { run, logger, heartbeats };
}

function expectProbes(logs: string): void {
  for (const name of ['AIRBYTE_CLIENT_SECRET', 'AIRBYTE_PASSWORD', 'TEMPORAL_API_KEY']) expect(logs).toContain(`probe ${name}=absent`);
  for (const name of ['WAREHOUSE_PASSWORD', 'DBT_PROBE', 'OPTION_PROBE', 'HOME', 'PATH']) expect(logs).toContain(`probe ${name}=present`);
  expect(logs).toContain('leak attempt: [] []');
  expect(logs).toContain('inherited: [***]'); // read by dbt, masked on the way out
}

function expectNoSecret(text: string): void {
  for (const secret of [AIRBYTE_SECRET, TEMPORAL_KEY, WAREHOUSE_PASSWORD, 'dbt-env-secret-value']) expect(text).not.toContain(secret);
}

describe('dbtEnvironment', () => {
  test('the basics, DBT_*, the inherited names and the env option; nothing else of the worker', () => {
    const { env, secrets } = dbtEnvironment(
      {
        PATH: '/usr/bin',
        HOME: '/home/w',
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
        TMPDIR: '/tmp/w',
        TZ: 'UTC',
        DBT_PROFILES_DIR: '/etc/dbt',
        DBT_ENV_SECRET_PW: 'dbt-secret',
        AIRBYTE_CLIENT_ID: 'id',
        AIRBYTE_CLIENT_SECRET: 'secret',
        AIRBYTE_BEARER_TOKEN: 'token',
        TEMPORAL_API_KEY: 'key',
        TEMPORAL_ADDRESS: 'temporal:7233',
        AWS_SECRET_ACCESS_KEY: 'aws',
        SNOWFLAKE_PASSWORD: 'snow',
        NODE_OPTIONS: '--inspect',
      },
      { inheritEnv: ['SNOWFLAKE_PASSWORD', 'NOT_SET'], env: { DBT_DUCKDB_PATH: '/data/w.duckdb', PATH: '/opt/dbt/bin' } },
    );
    expect(env).toEqual({
      PATH: '/opt/dbt/bin', // the env option wins
      HOME: '/home/w',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TMPDIR: '/tmp/w',
      TZ: 'UTC',
      DBT_PROFILES_DIR: '/etc/dbt',
      DBT_ENV_SECRET_PW: 'dbt-secret',
      SNOWFLAKE_PASSWORD: 'snow',
      PYTHONUNBUFFERED: '1',
      DBT_DUCKDB_PATH: '/data/w.duckdb',
    });
    expect(secrets.sort()).toEqual(['/data/w.duckdb', '/opt/dbt/bin', 'dbt-secret', 'snow']);
  });

  test('a bad inheritEnv stops the worker at start', () => {
    expect(() => createDbtActivities({ inheritEnv: ['OK', 'NOT OK'] })).toThrow(/inheritEnv must be an array of environment variable names/);
    expect(() => createDbtActivities({ inheritEnv: 'AIRBYTE_CLIENT_SECRET' as unknown as string[] })).toThrow(/inheritEnv/);
  });
});

describe('dbt on a worker whose environment holds Airbyte and Temporal credentials', () => {
  test('a model and a macro reading them get nothing; the logs, heartbeats and result hold none of them', async () => {
    const { run, logger, heartbeats } = harness(dbtOptions());
    const result = await run({ command: 'run' });
    expect(result.success).toBe(true);
    const logs = logger.lines.join('\n');
    expectProbes(logs);
    expect(logs).toContain('envNames');
    expectNoSecret([logs, JSON.stringify(heartbeats), JSON.stringify(result)].join('\n'));
  });

  test("a profile's env_var() of the Airbyte secret is a DbtInvocationError that does not quote it", async () => {
    const { run, logger } = harness(dbtOptions());
    const failure = (await run({ command: 'run', target: 'leaky' }).catch((e: unknown) => e)) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('DbtInvocationError');
    expect(failure.message).toContain("Env var required but not provided: 'AIRBYTE_CLIENT_SECRET'");
    expectNoSecret([failure.message, failure.stack, logger.lines.join('\n')].join('\n'));
  });
});

describe('through a pipeline on a worker', () => {
  let env: AirbyteTestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment({ dbt: dbtOptions() });
  }, 300_000);
  afterAll(async () => {
    await env?.close();
  });

  test('the credentials appear in no log line, no result and no history', async () => {
    const workflowId = `dbt-env-${Date.now()}`;
    const result = await env.syncs.runPipeline({ name: 'env-probe', steps: [{ id: 'probe', kind: 'dbt', command: 'run' }] }, { workflowId });
    expect(result.status).toBe('succeeded');
    const logs = capturedLogs.join('\n');
    expectProbes(logs); // dbt's output reached the worker's log, so the search below means something
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const raw = JSON.stringify(history, (_, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
    expect(raw).toContain('dbtRun');
    expectNoSecret([logs, JSON.stringify(result), raw].join('\n'));
  });
});
