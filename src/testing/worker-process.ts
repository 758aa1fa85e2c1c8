import { logTail } from './log-tail';
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Duration, LogLevel } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';
import { airbyteBundlerOptions } from '../workflow-bundle-options';
import type { AirbyteInstanceConfig } from '../airbyte';

/** The environment variable that carries a child worker's configuration (credentials included): never argv. */
export const WORKER_PROCESS_ENV = 'TEMPORAL_AIRBYTE_WORKER_PROCESS';

/** Worker options that survive JSON (durations as `'10s'` strings or milliseconds). */
export interface WorkerProcessTuning {
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxCachedWorkflows?: number;
  stickyQueueScheduleToStartTimeout?: Duration;
  shutdownGraceTime?: Duration;
}

/** What the child reads from WORKER_PROCESS_ENV. */
export interface WorkerProcessConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  instances: Record<string, AirbyteInstanceConfig>;
  /** A bundle made once by prebuildWorkflowBundle(): the child starts in seconds instead of bundling. */
  workflowBundlePath: string;
  maxAirbyteCallsPerSecond?: number;
  /** Connector secrets as `<dir>/<secretRef>.json` (secretsFromDirectory): the child never gets the values themselves. */
  secretsDir?: string;
  logLevel: LogLevel;
  workerOptions?: WorkerProcessTuning;
  /**
   * Run the webhook receiver in the child, as `temporal-airbyte worker` does, on 127.0.0.1:`port` for the `default`
   * instance (a fixed port: a restarted child listens where Airbyte's notifications point).
   */
  webhooks?: { port: number; token: string };
}

export type WorkerProcessOptions = Omit<WorkerProcessConfig, 'namespace' | 'logLevel'> & {
  namespace?: string;
  /** The child's Temporal runtime log level (to stderr). Default WARN. */
  logLevel?: LogLevel;
  /** Where the child's stdout and stderr go (appended). Default: this process's stderr. */
  logFile?: string;
  /** How long start() and restart() wait for the child to report ready. Default 60 s. */
  readyTimeoutMs?: number;
  /** More environment variables for the child (the parent's environment is inherited). */
  env?: NodeJS.ProcessEnv;
};

/** Messages the child sends over IPC. */
export type WorkerProcessMessage = { type: 'ready'; pid: number } | { type: 'failed'; message: string };

const isTypeScript = extname(__filename) === '.ts';
const CHILD_ENTRY = join(__dirname, `worker-child${isTypeScript ? '.ts' : '.js'}`);

/**
 * Bundles the workflows once (webpack, ~10-20 s) and writes the bundle to `file`, so that workers started
 * with it (WorkerProcess, or `workerOptions: { workflowBundle: { codePath } }`) start in a second or two.
 */
export async function prebuildWorkflowBundle(file: string): Promise<string> {
  const noop = () => undefined;
  const logger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger, ...airbyteBundlerOptions() });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, code);
  return file;
}

/**
 * A worker (`createAirbyteWorker`) in a child process: it can be killed like a crashed host (`kill('SIGKILL')`)
 * and started again (`restart()`). The child runs on the compiled code when this module is compiled, else
 * through tsx. Its configuration, credentials included, reaches it only through its environment.
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly killOnExit = () => this.child?.kill('SIGKILL');
  private starts = 0;

  private constructor(private readonly options: WorkerProcessOptions) {}

  static async start(options: WorkerProcessOptions): Promise<WorkerProcess> {
    if (!existsSync(options.workflowBundlePath)) throw new Error(`no workflow bundle at ${options.workflowBundlePath}: use prebuildWorkflowBundle()`);
    const worker = new WorkerProcess(options);
    await worker.start();
    return worker;
  }

  get taskQueue(): string {
    return this.options.taskQueue;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many times a child was started (1 after start(), 2 after one restart, ...). */
  get startCount(): number {
    return this.starts;
  }

  /** Starts a child worker and resolves once it polls its task queue; no-op if one runs. */
  async start(): Promise<void> {
    if (this.child) return;
    const o = this.options;
    const config: WorkerProcessConfig = {
      address: o.address,
      namespace: o.namespace ?? 'default',
      taskQueue: o.taskQueue,
      instances: o.instances,
      workflowBundlePath: o.workflowBundlePath,
      maxAirbyteCallsPerSecond: o.maxAirbyteCallsPerSecond,
      secretsDir: o.secretsDir,
      logLevel: o.logLevel ?? 'WARN',
      workerOptions: o.workerOptions,
      webhooks: o.webhooks,
    };
    const log = o.logFile ? openSync(o.logFile, 'a') : undefined;
    let child: ChildProcess;
    try {
      child = fork(CHILD_ENTRY, [], {
        // tsx registers itself with --import; the compiled child needs nothing.
        execArgv: isTypeScript ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [],
        env: { ...process.env, ...o.env, [WORKER_PROCESS_ENV]: JSON.stringify(config) },
        stdio: ['ignore', log ?? 'inherit', log ?? 'inherit', 'ipc'],
      });
    } finally {
      if (log !== undefined) closeSync(log);
    }
    this.child = child;
    this.starts++;
    process.once('exit', this.killOnExit);
    let exitedWith: string | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitedWith = signal ?? String(code);
        if (this.child === child) this.child = undefined;
        process.off('exit', this.killOnExit);
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = o.readyTimeoutMs ?? 60_000;
      const timer = setTimeout(() => fail(new Error(`the worker process did not report ready within ${timeoutMs} ms${logTail(this.options.logFile)}`)), timeoutMs);
      const onMessage = (message: WorkerProcessMessage) => {
        if (message.type !== 'ready') return fail(new Error(`the worker process failed to start: ${message.message}`));
        cleanup();
        resolve();
      };
      const onExit = () => fail(new Error(`the worker process exited (${exitedWith}) before it was ready${logTail(this.options.logFile)}`));
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const fail = (err: Error) => {
        cleanup();
        child.kill('SIGKILL');
        reject(err);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  /** Sends `signal` (default SIGKILL: no graceful shutdown, as a crashed host) and waits until the child is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    await this.exited;
  }

  /** Kills the child (SIGKILL) if it runs, then starts a new one on the same task queue. */
  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    await this.start();
  }

  /** Asks the worker to shut down (SIGTERM: it finishes its tasks), killing it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

}
