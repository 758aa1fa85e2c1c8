import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExitCode } from '../src/cli/exit-codes';
import type { AirbyteTestEnvironment } from '../src/testing';
import { startTestEnvironment } from './helpers/environment';

// `temporal-airbyte` as a real process, where Ctrl-C is a real SIGINT: it stops watching, says the sync goes on
// and how to reattach, exits 130; and `status <connection> --wait` reattaches to the job and follows it to its end.
let env: AirbyteTestEnvironment;
const CLI = join(__dirname, '..', 'src', 'cli.ts');

beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.close();
});

interface Run {
  stdout: string;
  stderr: string;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
  until(predicate: (run: Run) => boolean): Promise<void>;
}

function run(...argv: string[]): Run {
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, CLI, ...argv], {
    env: { PATH: process.env.PATH, HOME: '/nonexistent', TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS, TEMPORAL_TASK_QUEUE: env.taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiters: (() => void)[] = [];
  const r: Run = {
    stdout: '',
    stderr: '',
    kill: (signal) => child.kill(signal),
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    until: (predicate) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate(r)) resolve();
          else waiters.push(check);
        };
        void r.exited.then(() => (predicate(r) ? resolve() : reject(new Error(`the CLI exited first:\n${r.stdout}\n${r.stderr}`))));
        check();
      }),
  };
  const wake = () => waiters.splice(0).forEach((w) => w());
  child.stdout.setEncoding('utf8').on('data', (text: string) => ((r.stdout += text), wake()));
  child.stderr.setEncoding('utf8').on('data', (text: string) => ((r.stderr += text), wake()));
  return r;
}

test('Ctrl-C stops the watching, not the sync; status <connection> --wait follows the job to its end', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], streams: [{ name: 'users', records: 42, bytes: 4200 }] } });
  const sync = run('sync', connectionId, '--poll-interval', '200ms');
  await sync.until((r) => /running \(job \d+/.test(r.stderr));
  sync.kill('SIGINT');
  expect(await sync.exited).toBe(ExitCode.Interrupted);
  const workflowId = /started sync workflow (\S+)/.exec(sync.stderr)?.[1] as string;
  expect(sync.stderr).toContain(`Stopped watching. The sync goes on in Temporal (workflow ${workflowId})`);
  expect(sync.stderr).toContain(`reattach: temporal-airbyte status ${workflowId} --wait`);
  expect((await env.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');

  const status = run('status', connectionId, '--wait', '--json');
  await status.until((r) => /following job of connection/.test(r.stderr));
  const [job] = env.mock.jobs({ connectionId });
  env.mock.finishJob(job!.jobId, 'succeeded');
  expect(await status.exited).toBe(ExitCode.Succeeded);
  expect(JSON.parse(status.stdout)).toMatchObject({ jobId: job!.jobId, status: 'succeeded', rowsSynced: 42 });
  expect((await env.syncs.result(workflowId)).status).toBe('succeeded');
});
