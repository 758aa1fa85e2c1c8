import { ApplicationFailure } from '@temporalio/common';
import type { DbtNodeResult, DbtRunResult } from './types';

export const DBT_INVALID_INPUT = 'DbtInvalidInput';
export const DBT_RUN_FAILED = 'DbtRunFailed';
export const DBT_INVOCATION_ERROR = 'DbtInvocationError';
/** dbt died from a signal nobody in this worker sent (e.g. the OOM killer): worth a retry. */
export const DBT_PROCESS_KILLED = 'DbtProcessKilled';

/** Node statuses that fail a run; warn, skipped and no-op do not. */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['error', 'fail', 'runtime error']);

const MAX_NAMED_NODES = 10;

export function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, DBT_INVALID_INPUT);
}

/** Names the failing nodes with dbt's message for each; the whole result rides along as details. */
export function runFailed(result: DbtRunResult, exitCode: number | null, tail: string[]): ApplicationFailure {
  const failing = result.nodes.filter((n) => FAILED_STATUSES.has(n.status));
  const summary = failing.length
    ? `${failing.length} of ${result.nodes.length} nodes failed: ${describe(failing)}`
    : `dbt exited with code ${exitCode} although no node failed; last output:\n${tail.join('\n')}`;
  return ApplicationFailure.nonRetryable(`dbt ${result.command} failed: ${summary}`, DBT_RUN_FAILED, result);
}

/** dbt stopped before running nodes (bad profile, parse or compile error): retrying will not help. */
export function invocationError(message: string, tail: string[] = []): ApplicationFailure {
  const output = tail.length ? `; last output:\n${tail.join('\n')}` : '';
  return ApplicationFailure.nonRetryable(`${message}${output}`, DBT_INVOCATION_ERROR);
}

export function processKilled(command: string, signal: string, tail: string[]): ApplicationFailure {
  return ApplicationFailure.retryable(`dbt ${command} was killed by ${signal}; last output:\n${tail.join('\n')}`, DBT_PROCESS_KILLED);
}

function describe(nodes: DbtNodeResult[]): string {
  const named = nodes
    .slice(0, MAX_NAMED_NODES)
    .map((n) => `${n.resourceType} ${n.name} (${n.status}${n.message ? `: ${n.message}` : ''})`);
  if (nodes.length > MAX_NAMED_NODES) named.push(`and ${nodes.length - MAX_NAMED_NODES} more`);
  return named.join('; ');
}
