import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { DbtProgress } from './types';

const TAIL_LINES = 20;
const MAX_HEARTBEAT_LINE = 300;
/** dbt runs in its own process group so that a kill reaches its helpers too (POSIX only). */
const OWN_GROUP = process.platform !== 'win32';
// eslint-disable-next-line no-control-regex -- dbt colours its output even when it goes to a pipe
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export interface DbtProcessOptions {
  executable: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  heartbeatIntervalMs: number;
  killGraceMs: number;
  /** Applied to every output line before it is logged, heartbeated or kept for an error message. */
  redact: (text: string) => string;
}

export interface DbtProcessOutcome {
  exitCode: number | null;
  /** Set when dbt died from a signal. */
  signal: NodeJS.Signals | null;
  /** The last output lines, stdout and stderr interleaved, redacted. */
  tail: string[];
}

/** dbt processes of this worker that are still running: killed if the worker exits, so none outlives it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Runs dbt to completion in the current activity: streams its output to the activity log, heartbeats its
 * progress, and on cancellation stops it (SIGTERM, then SIGKILL to its group) before rethrowing the cancellation.
 * Rejects with the spawn error when dbt cannot be started.
 */
export async function runDbtProcess(o: DbtProcessOptions): Promise<DbtProcessOutcome> {
  const ctx = Context.current();
  // Captured: output and abort callbacks do not all run inside the activity's async context.
  const log = ctx.log;
  const cancellation = ctx.cancellationSignal;
  if (cancellation.aborted) throw cancelledFailure(cancellation);

  const child = spawn(o.executable, o.args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: OWN_GROUP });
  track(child);
  const progress: DbtProgress = { pid: child.pid, lines: 0 };
  const tail: string[] = [];
  const onLine = (level: 'info' | 'warn') => (raw: string) => {
    const line = o.redact(raw.replace(ANSI_ESCAPE, '')).trimEnd();
    if (line.trim() === '') return;
    progress.lines += 1;
    progress.lastLine = line.length > MAX_HEARTBEAT_LINE ? `${line.slice(0, MAX_HEARTBEAT_LINE)}…` : line;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    log[level](line, { dbtPid: child.pid });
  };
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', onLine('info'));
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', onLine('warn'));

  // Timer-driven, not output-driven: dbt is silent while a model runs, and cancellation only arrives with heartbeats.
  const beat = () => ctx.heartbeat({ ...progress });
  const heartbeats = setInterval(beat, o.heartbeatIntervalMs);
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    log.info('activity cancelled: stopping dbt', { dbtPid: child.pid });
    // SIGTERM to dbt alone: its multiprocessing helper cleans up after it once it is gone.
    child.kill('SIGTERM');
    killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), o.killGraceMs);
  };
  cancellation.addEventListener('abort', stop, { once: true });
  try {
    if (child.pid !== undefined) beat();
    const { exitCode, signal } = await exited(child, o.killGraceMs);
    if (cancellation.aborted) throw cancelledFailure(cancellation);
    return { exitCode, signal, tail };
  } finally {
    clearInterval(heartbeats);
    clearTimeout(killTimer);
    cancellation.removeEventListener('abort', stop);
    if (child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGKILL');
    running.delete(child);
  }
}

/** Resolves once dbt has exited and its output is drained; rejects if it could not be started. */
function exited(child: ChildProcess, graceMs: number): Promise<Pick<DbtProcessOutcome, 'exitCode' | 'signal'>> {
  return new Promise((resolve, reject) => {
    let drainTimer: NodeJS.Timeout | undefined;
    // Kept for the process's lifetime: a failed kill also emits 'error', and an unheard one would crash the worker.
    child.on('error', (err) => {
      if (child.pid === undefined) reject(err);
    });
    child.once('exit', (exitCode, signal) => {
      // A leftover grandchild holding dbt's stdout open would keep 'close' from ever coming.
      drainTimer = setTimeout(() => {
        signalGroup(child, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({ exitCode, signal });
      }, graceMs);
    });
    child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(drainTimer);
      resolve({ exitCode, signal });
    });
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(OWN_GROUP ? -child.pid : child.pid, signal);
  } catch {
    // Already gone.
  }
}

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    process.on('exit', () => running.forEach((c) => signalGroup(c, 'SIGKILL')));
    exitHookInstalled = true;
  }
  running.add(child);
}

function cancelledFailure(signal: AbortSignal): unknown {
  return signal.reason instanceof CancelledFailure ? signal.reason : new CancelledFailure(String(signal.reason ?? 'CANCELLED'));
}
