import { createServer, type AddressInfo } from 'node:net';
import { runCli } from '../src/cli/program';
import { ExitCode } from '../src/cli/exit-codes';
import type { CliIO } from '../src/cli/io';
import type { AirbyteTestEnvironment } from '../src/testing';
import { startTestEnvironment, whenListed } from './helpers/environment';

// The CLI in-process (runCli is what bin/cli runs), against the dev server, a worker and the mock Airbyte:
// exit codes per outcome, --json, one progress line per change, started vs joined.
let env: AirbyteTestEnvironment;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = await startTestEnvironment();
  cliEnv = {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
    TEMPORAL_TASK_QUEUE: env.taskQueue,
    AIRBYTE_API_URL: env.mock.publicApiUrl,
    AIRBYTE_CLIENT_ID: env.mock.credentials!.clientId,
    AIRBYTE_CLIENT_SECRET: env.mock.credentials!.clientSecret,
  };
});
afterAll(async () => {
  await env?.close();
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, handleSignals: false };
  const code = await runCli(argv, io, cliEnv);
  return { code, stdout, stderr };
}

test('--help on every command, bad arguments exit 2 before anything connects', async () => {
  for (const command of [[], ['sync'], ['status'], ['cancel'], ['list'], ['pipeline', 'run'], ['schedule', 'create'], ['connections', 'list'], ['jobs', 'logs'], ['worker'], ['mock-airbyte'], ['demo']]) {
    const { code, stdout } = await cli(...command, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: temporal-airbyte ${command.join(' ')}`.trim());
  }
  expect((await cli('--help')).stdout).toMatch(/Exit codes:[\s\S]*6 {2}Temporal unreachable/);
  expect((await cli('bogus')).code).toBe(ExitCode.BadInput);
  const bad = await cli('sync', 'conn', '--timeout', '1000000y');
  expect(bad.code).toBe(ExitCode.BadInput);
  expect(bad.stderr).toMatch(/timeout/);
  expect((await cli('list', '--since', 'yesterday')).code).toBe(ExitCode.BadInput);
});

test('sync: started, one progress line per change, the result as JSON, exit 0; a failed job exits 1', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 1_500 }], streams: [{ name: 'users', records: 7, bytes: 70 }] } });
  const ok = await cli('sync', connectionId, '--json');
  expect(ok.code).toBe(ExitCode.Succeeded);
  expect(ok.stderr).toMatch(/^started sync workflow airbyte-sync:/m);
  expect(ok.stderr).toMatch(/\] running \(job \d+/);
  expect(JSON.parse(ok.stdout)).toMatchObject({ connectionId, status: 'succeeded', rowsSynced: 7, joined: false });

  const failing = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }], outcome: 'failed', failureMessage: 'bad key' } });
  const failed = await cli('sync', failing.connectionId);
  expect(failed.code).toBe(ExitCode.JobFailed);
  expect(failed.stderr).toMatch(/error: .*bad key/);

  const unknown = await cli('sync', '0b3f9c8e-2222-4aaa-8bbb-123456789abc');
  expect(unknown.code).toBe(ExitCode.AirbyteUnreachable);
  expect(unknown.stderr).toMatch(/404/);
});

test('sync --no-wait, then a second start joins it; status, list and cancel find it by workflow or connection', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const first = await cli('sync', connectionId, '--no-wait', '--json');
  expect(first.code).toBe(0);
  const { workflowId, joined } = JSON.parse(first.stdout) as { workflowId: string; joined: boolean };
  expect(joined).toBe(false);
  const second = await cli('sync', connectionId, '--no-wait');
  expect(second.stderr).toContain(`joined the running sync workflow ${workflowId}`);

  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const status = await cli('status', workflowId, '--json');
  expect(JSON.parse(status.stdout)).toMatchObject({ workflowId, workflowStatus: 'RUNNING' });
  const byConnection = await cli('status', connectionId);
  expect(byConnection.stdout).toContain(`connection ${connectionId}`);

  const listed = await cli('list', '--status', 'running', '--since', '1h', '--json');
  expect(listed.code).toBe(0);
  expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);

  const cancelled = await cli('cancel', connectionId, '--json');
  expect(JSON.parse(cancelled.stdout)).toEqual({ cancelled: [workflowId] });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId })[0]?.status === 'cancelled');
  expect((await cli('status', 'no-such-workflow')).code).toBe(ExitCode.NotFound);
});

test('schedules: create, list, describe, pause, trigger, delete', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }] } });
  const created = await cli('schedule', 'create', '--connection', connectionId, '--cron', '0 3 * * *', '--paused', '--json');
  expect(created.code).toBe(0);
  const { scheduleId } = JSON.parse(created.stdout) as { scheduleId: string };
  // Schedules are listed from visibility, which lags a create a little.
  expect((await whenListed(() => cli('schedule', 'list'), (listed) => listed.stdout.includes(scheduleId))).stdout).toContain(scheduleId);
  expect(JSON.parse((await cli('schedule', 'describe', scheduleId, '--json')).stdout)).toMatchObject({ scheduleId, paused: true, workflowType: 'syncAndWait' });
  expect((await cli('schedule', 'unpause', scheduleId)).code).toBe(0);
  expect((await cli('schedule', 'trigger', scheduleId)).code).toBe(0);
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  expect((await cli('schedule', 'delete', scheduleId)).code).toBe(0);
  expect((await cli('schedule', 'describe', scheduleId)).code).toBe(ExitCode.NotFound);
});

test('Airbyte commands: connections list, jobs list, jobs logs', async () => {
  const { connectionId } = env.mock.addConnection({ name: 'cli-listed', script: { phases: [{ status: 'running', ms: 50 }], logLines: ['first line', 'the last line'] } });
  await env.syncs.syncAndWait({ connectionId, poll: { initialInterval: '50ms', maxInterval: '100ms' } });
  const connections = await cli('connections', 'list');
  expect(connections.stdout).toMatch(new RegExp(`${connectionId}\\s+active\\s+\\S+\\s+cli-listed`));
  const jobs = JSON.parse((await cli('jobs', 'list', connectionId, '--json')).stdout) as { jobId: number; status: string }[];
  expect(jobs.map((j) => j.status)).toEqual(['succeeded']);
  const logs = await cli('jobs', 'logs', String(jobs[0]!.jobId));
  expect(logs.stdout).toContain('the last line');
});

test('Temporal unreachable exits 6 and says where it looked', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as AddressInfo;
      probe.close(() => resolve(p));
    });
  });
  const down = await cli('--address', `127.0.0.1:${port}`, 'status', 'x');
  expect(down.code).toBe(ExitCode.TemporalUnreachable);
  expect(down.stderr).toContain(`cannot connect to the Temporal server at 127.0.0.1:${port} (--address 127.0.0.1:${port})`);
});
