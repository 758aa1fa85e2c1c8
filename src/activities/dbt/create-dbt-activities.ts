import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context, log } from '@temporalio/activity';
import { runDbtProcess, type DbtProcessOutcome } from './dbt-process';
import { DbtExecutableNotFoundError, resolveDbtExecutable } from './executable';
import { FAILED_STATUSES, invocationError, processKilled, runFailed } from './failures';
import { buildDbtArgs, validateDbtInput } from './invocation';
import { checkInheritEnv, dbtEnvironment } from './environment';
import { secretRedactor } from './redact';
import { readRunResults, RunResultsError, type RunResults } from './run-results';
import type { DbtActivityOptions, DbtCommand, DbtRunInput, DbtRunResult } from './types';

const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
const DEFAULT_KILL_GRACE_MS = 5_000;

/**
 * Builds the dbt Core activity for a worker. dbtRun runs one dbt command to completion and fails, not
 * retryably, when a node errors or a test fails; leave retries to the workflow for infrastructure trouble.
 * Give it a heartbeat timeout: that is how a lost worker is noticed and how cancellation reaches dbt.
 */
export function createDbtActivities(options: DbtActivityOptions = {}) {
  const heartbeatIntervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
  const killGraceMs = positive('killGraceMs', options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  const inheritEnv = checkInheritEnv(options.inheritEnv);
  checkAllowedProjects(options.allowedProjects);

  return {
    async dbtRun(input: DbtRunInput): Promise<DbtRunResult> {
      const invocation = validateDbtInput(input, options);
      // An explicit environment, never the worker's: see dbtEnvironment.
      const { env, secrets } = dbtEnvironment(process.env, { env: options.env, inheritEnv });
      const redact = secretRedactor(secrets);
      const executable = findDbt(options);
      const { activityId, attempt } = Context.current().info;
      // One directory per attempt: concurrent runs of a project must not overwrite each other's run_results.json.
      const runDir = await mkdtemp(join(tmpdir(), `dbt-${activityId.replace(/[^\w-]/g, '_').slice(0, 40)}-${attempt}-`));
      try {
        const targetPath = join(runDir, 'target');
        // dbt.log goes with the run unless the deployment chose a log path: concurrent runs would interleave it.
        const logPath = env.DBT_LOG_PATH ? undefined : join(runDir, 'logs');
        const args = buildDbtArgs(invocation, { targetPath, logPath });
        log.info('starting dbt', {
          command: input.command,
          projectDir: invocation.projectDir,
          targetPath,
          args: redact(args.join(' ')),
          envNames: Object.keys(env).sort().join(' '), // names only: which variables dbt got, never their values
        });

        const started = performance.now();
        let outcome: DbtProcessOutcome;
        try {
          outcome = await runDbtProcess({ executable, args, cwd: invocation.projectDir, env, heartbeatIntervalMs, killGraceMs, redact });
        } catch (err) {
          if (isSpawnError(err)) throw invocationError(`could not start dbt at ${executable}: ${err.message}`);
          throw err;
        }
        const wallS = (performance.now() - started) / 1000;
        const result = conclude(input.command, outcome, await runResults(join(targetPath, 'run_results.json'), redact), wallS);
        log.info('dbt finished', { command: result.command, nodes: result.nodes.length, elapsedS: result.elapsedS, invocationId: result.invocationId });
        return result;
      } finally {
        await rm(runDir, { recursive: true, force: true });
      }
    },
  };
}

export type DbtActivities = ReturnType<typeof createDbtActivities>;

/** Success, or the failure that says why not: node failures, an invocation dbt refused, or an outside kill. */
function conclude(command: DbtCommand, outcome: DbtProcessOutcome, results: RunResults | undefined, wallS: number): DbtRunResult {
  const { exitCode, signal, tail } = outcome;
  if (!results) {
    if (signal) throw processKilled(command, signal, tail);
    if (exitCode !== 0) throw invocationError(`dbt ${command} could not run (exit code ${exitCode})`, tail);
    return { command, success: true, nodes: [], elapsedS: wallS };
  }
  const failed = results.nodes.some((n) => FAILED_STATUSES.has(n.status));
  const result: DbtRunResult = {
    command,
    success: exitCode === 0 && !failed,
    nodes: results.nodes,
    elapsedS: results.elapsedS ?? wallS,
    ...(results.invocationId ? { invocationId: results.invocationId } : {}),
  };
  if (signal && !failed) throw processKilled(command, signal, tail);
  if (!result.success) throw runFailed(result, exitCode, tail);
  return result;
}

async function runResults(path: string, redact: (text: string) => string): Promise<RunResults | undefined> {
  try {
    return await readRunResults(path, redact);
  } catch (err) {
    if (err instanceof RunResultsError) throw invocationError(err.message);
    throw err;
  }
}

function findDbt(options: DbtActivityOptions): string {
  try {
    return resolveDbtExecutable({ dbtExecutable: options.dbtExecutable });
  } catch (err) {
    if (err instanceof DbtExecutableNotFoundError) throw invocationError(err.message);
    throw err;
  }
}

/** Checked by shape: Node's own errors fail `instanceof Error` across realms (e.g. under jest). */
function isSpawnError(err: unknown): err is NodeJS.ErrnoException {
  const syscall: unknown = typeof err === 'object' && err !== null && 'syscall' in err ? err.syscall : undefined;
  return typeof syscall === 'string' && syscall.startsWith('spawn');
}

function checkAllowedProjects(dirs: unknown): void {
  if (dirs === undefined) return;
  if (!Array.isArray(dirs) || !dirs.every((d) => typeof d === 'string' && d.trim() !== '')) {
    throw new Error(`dbt activity option allowedProjects must be an array of directory paths, got ${JSON.stringify(dirs)}`);
  }
}

function positive(option: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`dbt activity option ${option} must be a positive number of milliseconds, got ${value}`);
  return value;
}
