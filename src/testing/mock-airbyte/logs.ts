import type { JobRun, MockAttempt } from './jobs';

// An attempt's log as the Config API gives it: formatted lines (`logs.logLines`, logType 'formatted') or
// structured events (`logs.events`, logType 'structured'), as JobConverter.getAttemptInfoRead picks one.

type Level = 'info' | 'warn' | 'error';
type LogSource = 'platform' | 'source' | 'destination' | 'replication-orchestrator';

export interface LogEvent { timestamp: number; message: string; level: Level; logSource: LogSource }

/** A few plausible lines per attempt, or the script's own `logLines` (for size tests) in their place. */
function events(run: JobRun, attempt: MockAttempt): LogEvent[] {
  const { job, script } = run;
  const at = (timestamp: number, logSource: LogSource, message: string, level: Level = 'info'): LogEvent => ({ timestamp, message, level, logSource });
  if (script.logLines) return script.logLines.map((line) => at(attempt.createdAt, 'platform', line));
  const lines = [
    at(attempt.createdAt, 'platform', `Starting attempt ${attempt.id} of ${job.jobType} job ${job.jobId} for connection ${job.connectionId}`),
    at(attempt.createdAt, 'source', 'Starting source: reading the configured streams'),
    at(attempt.createdAt, 'destination', 'Starting destination: writing records'),
  ];
  for (const s of attempt.streams) {
    const name = s.namespace ? `${s.namespace}.${s.name}` : s.name;
    lines.push(at(attempt.updatedAt, 'replication-orchestrator', `Stream ${name}: ${s.records} records, ${s.bytes} bytes`));
  }
  if (attempt.status === 'succeeded') {
    lines.push(at(attempt.updatedAt, 'platform', `Attempt ${attempt.id} succeeded: ${attempt.records} records, ${attempt.bytes} bytes committed`));
  } else if (attempt.status === 'failed' && attempt.failure) {
    const { origin, message } = attempt.failure;
    lines.push(at(attempt.updatedAt, origin === 'source' || origin === 'destination' ? origin : 'platform', message, 'error'));
  }
  return lines;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');

/** `2026-01-02 03:04:05 source > ERROR message`, the level only when it is not info. */
const formatted = (e: LogEvent) => `${stamp(e.timestamp)} ${e.logSource} > ${e.level === 'info' ? '' : `${e.level.toUpperCase()} `}${e.message}`;

export function attemptLogs(run: JobRun, attempt: MockAttempt) {
  const list = events(run, attempt);
  if (run.script.logFormat === 'structured') return { logType: 'structured' as const, logs: { events: list, version: '1' } };
  // Lines given by the script are sent exactly as given.
  const logLines = run.script.logLines ? [...run.script.logLines] : list.map(formatted);
  return { logType: 'formatted' as const, logs: { logLines } };
}
