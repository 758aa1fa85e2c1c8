/** The statuses Airbyte documents. Airbyte may add more: any other string is carried through as-is. */
export const KNOWN_JOB_STATUSES = ['pending', 'queued', 'running', 'incomplete', 'succeeded', 'failed', 'cancelled'] as const;
export type KnownJobStatus = (typeof KNOWN_JOB_STATUSES)[number];
// `string & {}` keeps editor completion for the known values while accepting any other string.
export type JobStatus = KnownJobStatus | (string & {});

export type TerminalJobStatus = 'succeeded' | 'failed' | 'cancelled';
const TERMINAL: ReadonlySet<string> = new Set<TerminalJobStatus>(['succeeded', 'failed', 'cancelled']);

/** Only these three end a job; anything else, including a status never seen before, means "keep waiting". */
export function isTerminalJobStatus(status: string): status is TerminalJobStatus {
  return TERMINAL.has(status);
}

/** Statuses of a job that holds the connection: the ones a second trigger would collide with. */
export const ACTIVE_JOB_STATUSES = ['running', 'pending', 'incomplete', 'queued'] as const;

export const JOB_TYPES = ['sync', 'reset', 'clear'] as const;
export type JobType = (typeof JOB_TYPES)[number];
