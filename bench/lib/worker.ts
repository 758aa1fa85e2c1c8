// The bench's side of a worker child (bench/lib/worker-child.ts): start it, time its start, ask for its usage.
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { logTail } from '../../src/testing/log-tail';
import { BENCH_WORKER_ENV, type BenchWorkerConfig, type ChildMessage, type ChildTimings, type ChildUsage, type ParentMessage } from './protocol';

const CHILD = join(__dirname, 'worker-child.ts');

export class BenchWorker {
  private nextId = 1;
  private readonly exited: Promise<void>;
  private exitedWith: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly config: BenchWorkerConfig,
    /** From fork() to the child's "polling" message. */
    readonly startMs: number,
    readonly timings: ChildTimings,
    /** The receiver's base URL (no path, no token), when the worker runs one. */
    readonly webhookUrl: string | undefined,
    readonly logFile: string,
  ) {
    this.exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else
        child.once('exit', (code, signal) => {
          this.exitedWith = signal ?? String(code);
          resolve();
        });
    });
  }

  /** `work`, unless the worker dies first: then an error with the end of its log (a crash must not hang the bench). */
  async whileAlive<T>(work: Promise<T>): Promise<T> {
    let dead: (() => void) | undefined;
    const died = new Promise<never>((_, reject) => {
      dead = () => reject(new Error(`the ${this.config.kind} worker died (${this.exitedWith ?? 'unknown'})${logTail(this.logFile)}`));
      void this.exited.then(() => dead?.());
    });
    try {
      return await Promise.race([work, died]);
    } finally {
      dead = undefined;
    }
  }

  get pid(): number {
    return this.child.pid as number;
  }

  static async start(config: BenchWorkerConfig, logFile: string, readyTimeoutMs = 180_000): Promise<BenchWorker> {
    const log = openSync(logFile, 'a');
    const started = performance.now();
    let child: ChildProcess;
    try {
      child = fork(CHILD, [], {
        execArgv: ['--expose-gc', ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []), '--import', pathToFileURL(require.resolve('tsx')).href],
        env: { ...process.env, [BENCH_WORKER_ENV]: JSON.stringify(config) },
        stdio: ['ignore', log, log, 'ipc'],
      });
    } finally {
      closeSync(log);
    }
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.once('exit', () => process.off('exit', kill));
    const ready = await new Promise<{ timings: ChildTimings; webhookUrl?: string }>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not report ready within ${readyTimeoutMs} ms`), readyTimeoutMs);
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'failed') return fail(`failed to start: ${message.message}`);
        if (message.type !== 'ready') return;
        cleanup();
        resolve(message);
      };
      const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? code}) before it was ready`);
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const fail = (why: string) => {
        cleanup();
        child.kill('SIGKILL');
        reject(new Error(`the bench worker (${config.kind}) ${why}${logTail(logFile)}`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return new BenchWorker(child, config, performance.now() - started, ready.timings, ready.webhookUrl, logFile);
  }

  /** CPU time and memory of the child; `gc` runs a full collection of its main isolate first. */
  usage(gc = false): Promise<ChildUsage> {
    const id = this.nextId++;
    return new Promise<ChildUsage>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== 'usage' || message.id !== id) return;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(message.usage);
      };
      const onExit = () => reject(new Error('the bench worker exited'));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.send({ type: 'usage', id, gc });
    });
  }

  resetPeak(): void {
    this.send({ type: 'reset-peak' });
  }

  /**
   * Resolves once the worker has been idle (under `maxCpuShare` of one core) for two consecutive windows: there
   * is no event to await for "every workflow is parked on its timer", so this samples its CPU time.
   */
  async waitIdle(windowMs = 1_000, maxCpuShare = 0.05, timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    let last = cpuMicros(await this.usage());
    while (quiet < 2) {
      if (Date.now() > deadline) throw new Error(`the worker did not go idle within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => setTimeout(resolve, windowMs)); // a sampling window, not a synchronisation
      const now = cpuMicros(await this.usage());
      quiet = now - last < windowMs * 1_000 * maxCpuShare ? quiet + 1 : 0;
      last = now;
    }
  }

  async kill(): Promise<void> {
    // A profiled worker must exit on its own to write its profiles (it exits when the IPC channel closes).
    if (process.env.BENCH_PROF) this.child.disconnect();
    else this.child.kill('SIGKILL');
    await this.exited;
  }

  private send(message: ParentMessage): void {
    this.child.send(message);
  }
}

export const cpuMicros = (u: ChildUsage): number => u.userMicros + u.systemMicros;

/** CPU time (user + system) of another process from /proc, ms; undefined where /proc is not there. */
export function procCpuMs(pid: number | undefined, statPath = `/proc/${pid}/stat`): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** CPU time (ms) of a process's threads, summed by thread name (/proc/<pid>/task/<tid>/comm; the main thread as `main`); empty without /proc. */
export function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const name = tid === String(pid) ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const ms = procCpuMs(Number(tid), `/proc/${pid}/task/${tid}/stat`) ?? 0;
      out.set(name, (out.get(name) ?? 0) + ms);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
