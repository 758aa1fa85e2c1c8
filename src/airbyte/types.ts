import type { z } from 'zod';
import type { JobStatus, JobType } from './job-status';
import type { connectionSchema, jobSchema, workspaceSchema } from './schemas';

export type AirbyteJob = Omit<z.infer<typeof jobSchema>, 'status'> & { status: JobStatus };
export type AirbyteConnection = z.infer<typeof connectionSchema>;
export type AirbyteWorkspace = z.infer<typeof workspaceSchema>;

export interface Page<T> {
  data: T[];
  next?: string;
  previous?: string;
}

export interface CreateJobRequest {
  connectionId: string;
  jobType: JobType;
}

export type JobOrder = `${'createdAt' | 'updatedAt'}|${'ASC' | 'DESC'}`;

export interface ListJobsFilter {
  connectionId?: string;
  workspaceIds?: string[];
  jobType?: string;
  status?: string;
  createdAtStart?: string;
  createdAtEnd?: string;
  updatedAtStart?: string;
  updatedAtEnd?: string;
  orderBy?: JobOrder;
}

export interface ListConnectionsFilter {
  workspaceIds?: string[];
  tagIds?: string[];
  includeDeleted?: boolean;
}

export interface PageRequest {
  /** 1 to 100; Airbyte's default is 20. */
  limit?: number;
  offset?: number;
}

export interface RequestOptions {
  /**
   * Abandons the call when aborted (e.g. an activity's cancellation signal); the promise then rejects with the
   * signal's reason. A write abandoned in flight may still have been carried out by Airbyte.
   */
  signal?: AbortSignal;
}

export interface IterateOptions extends RequestOptions {
  /** Items per page, 1 to 100 (default 100). */
  pageSize?: number;
  /** Stop after this many items (no error). */
  max?: number;
  /**
   * Read at most this many pages (default 100). A listing that goes on beyond them throws a non-retryable
   * `AirbyteApiError` rather than end silently short. `Infinity` lifts the limit.
   */
  maxPages?: number;
}

export interface StreamStats {
  name: string;
  namespace?: string;
  recordsEmitted?: number;
  bytesEmitted?: number;
  recordsCommitted?: number;
  bytesCommitted?: number;
}

export interface AttemptFailure {
  /** `source`, `destination`, `replication`, `persistence`, `airbyte_platform`, ... */
  origin?: string;
  /** `config_error`, `system_error`, `transient_error`, ... */
  type?: string;
  /** Airbyte's `externalMessage`, meant for people. */
  message?: string;
  retryable?: boolean;
  /** Airbyte's `internalMessage` (technical); only from `jobHistory.attempts()`. */
  internalMessage?: string;
  /** Epoch milliseconds; only from `jobHistory.attempts()`. */
  timestamp?: number;
  /** The stream the failure concerns, when Airbyte says; only from `jobHistory.attempts()`. */
  stream?: { name: string; namespace?: string };
}

export interface JobAttemptDetails {
  status: string;
  recordsSynced?: number;
  bytesSynced?: number;
  streams: StreamStats[];
  failures: AttemptFailure[];
}

/** Per-attempt details from the Configuration API (optional enrichment: not every deployment exposes it). */
export interface JobDetails {
  jobId: number;
  attempts: JobAttemptDetails[];
}

/** Minimal structured logger; `console` fits, so does Temporal's activity logger. */
export interface AirbyteLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** One exchange with Airbyte, as seen by an observer (metrics): `route` has its ids replaced, e.g. `GET /jobs/{id}`. */
export interface AirbyteCall {
  route: string;
  /** The HTTP status; undefined when no answer came (refused, reset, timed out). */
  status: number | undefined;
  durationMs: number;
}

export type AirbyteCallObserver = (call: AirbyteCall) => void;

export interface AirbyteClientOptions {
  logger?: AirbyteLogger;
  /** Names the instance in errors. */
  label?: string;
  /** Told of every exchange (after it ends, whatever its outcome); it must not throw. */
  onCall?: AirbyteCallObserver;
}
