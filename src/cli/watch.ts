import type { AirbyteSyncClient } from '../client';
import type { SyncResult } from '../workflows/sync-input';
import type { PipelineResult } from '../workflows/pipeline/status';
import { ExitCode } from './exit-codes';
import { formatDuration, type Output } from './io';

const REFRESH_MS = 1_000;

/** What a watch ended with: the workflow's outcome, or the user stopping to watch. */
export type Watched<T> = { kind: 'ended'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'interrupted' };

/**
 * Waits for `result` while showing `describe()`: a live line on a terminal, else one line each time it changes.
 * Ctrl-C (with signal handling on) stops the watch, not the workflow.
 */
export async function watch<T>(output: Output, result: Promise<T>, describe: () => Promise<string | undefined>): Promise<Watched<T>> {
  const started = Date.now();
  const tty = output.io.isTTY && !output.json;
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<void> | undefined;
  let stopped = false;
  let onSigint: (() => void) | undefined;
  const interrupted = new Promise<Watched<T>>((resolve) => {
    if (!output.io.handleSignals) return;
    onSigint = () => resolve({ kind: 'interrupted' });
    process.once('SIGINT', onSigint);
  });
  const refresh = async () => {
    const text = await describe().catch(() => undefined);
    if (stopped) return;
    if (text !== undefined) {
      if (tty) output.io.stderr(`\r\x1b[2K${text}  ${formatDuration(Date.now() - started)}`);
      else if (text !== last) output.note(`[${formatDuration(Date.now() - started)}] ${text}`);
      last = text;
    }
    timer = setTimeout(() => {
      inflight = refresh();
    }, REFRESH_MS);
  };
  inflight = refresh();
  try {
    return await Promise.race([result.then((value): Watched<T> => ({ kind: 'ended', value }), (error: unknown): Watched<T> => ({ kind: 'failed', error })), interrupted]);
  } finally {
    stopped = true;
    clearTimeout(timer);
    // A query still on its way would outlive the connection the caller is about to close.
    await inflight;
    if (onSigint) process.removeListener('SIGINT', onSigint);
    if (tty) output.io.stderr('\r\x1b[2K');
  }
}

/** The live line of a sync: status, job, rows. */
export function syncLine(syncs: AirbyteSyncClient, workflowId: string): () => Promise<string> {
  return async () => {
    const p = await syncs.progress(workflowId);
    const job = p.jobId !== undefined ? `job ${p.jobId}` : 'no job yet';
    const rows = p.rowsSynced !== undefined ? `, ${p.rowsSynced} rows` : '';
    return `${p.status} (${job}${rows}${p.attached ? ', joined a running job' : ''})`;
  };
}

export function describeSyncResult(result: SyncResult): string {
  const took = result.durationMs !== undefined ? ` in ${formatDuration(result.durationMs)}` : '';
  return `sync ${result.status}: job ${result.jobId}, ${result.rowsSynced ?? 0} rows, ${result.bytesSynced ?? 0} bytes${took}${result.attached ? ' (joined a job already running)' : ''}`;
}

export function describePipelineResult(result: PipelineResult): string[] {
  return [
    `pipeline ${result.name} ${result.status} in ${formatDuration(result.durationMs)}`,
    ...result.steps.map((s) => `  ${s.id.padEnd(20)} ${s.state}${s.jobId !== undefined ? ` job ${s.jobId}` : ''}${s.rowsSynced ? `, ${s.rowsSynced} rows` : ''}${s.error ? `: ${s.error}` : s.reason ? `: ${s.reason}` : ''}`),
  ];
}

/** What the user reads after Ctrl-C: nothing was stopped, and how to get back to it. */
export function interruptedNote(output: Output, what: string, workflowId: string): ExitCode {
  output.note(
    [
      '',
      `Stopped watching. The ${what} goes on in Temporal (workflow ${workflowId}).`,
      `  reattach: temporal-airbyte status ${workflowId} --wait`,
      `  cancel:   temporal-airbyte cancel ${workflowId}`,
    ].join('\n'),
  );
  return ExitCode.Interrupted;
}
