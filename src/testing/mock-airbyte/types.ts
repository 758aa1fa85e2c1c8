// Public types of the mock Airbyte server. Response-shaped types mirror Airbyte's public API.

/** One step of a scripted job. `ms` may be Infinity: the job then holds until finishJob() or a cancel. */
export interface MockJobPhase { status: string; ms: number }

export interface MockStreamStats { name: string; namespace?: string; records: number; bytes: number }

/**
 * How a connection's jobs behave. Fields left out fall back to the server's defaultScript, then to built-ins.
 * A succeeded job reports rowsSynced/bytesSynced; a failed one the sums of `streams` (partial progress); a cancelled one 0.
 */
export interface MockConnectionScript {
  phases?: MockJobPhase[]; // default [{status:'pending',ms:20},{status:'running',ms:200}]
  outcome?: 'succeeded' | 'failed' | 'cancelled'; // default 'succeeded'
  rowsSynced?: number; // default: the sum of `streams`, else 1000
  bytesSynced?: number; // default: the sum of `streams`, else 64000
  failureMessage?: string; // externalMessage of a failed job (Config API failureSummary)
  streams?: MockStreamStats[]; // per-stream stats reported by the Config API
}

export type MockConnectionStatus = 'active' | 'inactive' | 'deprecated' | 'locked';

/** Anything left out is generated; the workspace defaults to the server's default workspace. */
export interface MockConnectionSeed {
  connectionId?: string;
  name?: string;
  workspaceId?: string;
  status?: MockConnectionStatus; // default 'active'
  tags?: { tagId?: string; name: string; color?: string }[];
  sourceId?: string;
  destinationId?: string;
  streams?: string[]; // stream names; default the script's streams, else 'customers' and 'orders'
  script?: MockConnectionScript;
}

export interface MockAuthOptions {
  clientId?: string; // generated when absent
  clientSecret?: string; // generated when absent
  tokenTtlSeconds?: number; // default 900, as Airbyte issues today
  bearerTokens?: string[]; // pre-minted tokens that never expire
  basic?: { username: string; password: string };
}

export interface MockAirbyteOptions {
  host?: string; // default '127.0.0.1': nothing is exposed beyond loopback unless asked
  port?: number; // default 0: a random free port
  auth?: 'none' | MockAuthOptions; // default: generated client credentials, 900 s tokens
  requireUserAgent?: boolean; // default true: 403 without a User-Agent, as Airbyte Cloud does
  defaultScript?: MockConnectionScript;
  /**
   * Default 0. Airbyte cancels asynchronously: after a `DELETE /jobs/{id}` the job keeps its current status (and
   * stops moving through its phases) for this long, and only then becomes `cancelled`. A client must poll until
   * the job is terminal rather than trust the DELETE's answer.
   */
  cancelDelayMs?: number;
}

/**
 * Matched by method (any case) and path (relative to the API base, as in RecordedRequest); `times` default 1.
 * "Side effects happen" means the request is handled as usual first (e.g. `POST /jobs` creates the job).
 */
export type MockFault = { method?: string; path?: string | RegExp; times?: number } & (
  // Answer this instead of handling the request (no side effects). `body` default: Airbyte's body for that status;
  // a string body is sent as text/plain unless `contentType` says otherwise, e.g. a proxy's page:
  // {kind:'status', status:200, body:'<html>...</html>', contentType:'text/html'}.
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: unknown; contentType?: string }
  | { kind: 'latency'; ms: number } // delay, then handle normally
  | { kind: 'reset' } // destroy the socket; the request is not handled
  | { kind: 'handle-then-delay'; ms: number } // side effects happen, the answer comes late
  | { kind: 'handle-then-reset' } // side effects happen, the answer is lost
  | { kind: 'handle-then-truncate' } // side effects happen; the answer keeps its status, but its JSON is cut in half
  // Side effects happen; this answer replaces the real one, e.g. {status: 200, body: {}}: a job created, no jobId.
  | { kind: 'handle-then-replace'; status: number; body: unknown; contentType?: string }
);

export type QueryParams = Record<string, string | string[]>;

export interface RecordedRequest {
  time: number;
  method: string;
  path: string; // relative to the API base: '/jobs/3', '/applications/token'; the Config API as '/config/jobs/get'
  query: QueryParams;
  status: number; // 0 when the socket was reset instead of answered
  auth: 'bearer' | 'basic' | 'none';
  body?: unknown; // parsed JSON or form body, client_secret redacted
}

export interface MockJob {
  jobId: number;
  connectionId: string;
  jobType: string;
  status: string;
  createdAt: number;
  startedAt?: number; // first time the job entered 'running'
  endedAt?: number;
  rowsSynced?: number;
  bytesSynced?: number;
  attempts: number;
  cancelledBy?: 'api' | 'mock';
  /** When a `DELETE` landed on this job (with cancelDelayMs it is still running for a while). */
  cancelRequestedAt?: number;
  /**
   * The job id the cancelling `DELETE` named. Airbyte cancels by connection, so this may be another (older,
   * already ended) job of the same connection: the hazard of cancelling a job that has ended.
   */
  cancelRequestedVia?: number;
}

export interface MockTag { tagId: string; workspaceId: string; name: string; color: string }

export interface MockWorkspace { workspaceId: string; name: string }

/** A ConnectionResponse of the public API. */
export interface MockConnection {
  connectionId: string;
  name: string;
  sourceId: string;
  destinationId: string;
  workspaceId: string;
  status: MockConnectionStatus;
  schedule: { scheduleType: 'manual' | 'cron' | 'basic'; cronExpression?: string; basicTiming?: string };
  configurations: { streams: { name: string; syncMode: string }[] };
  namespaceDefinition: 'source' | 'destination' | 'custom_format';
  prefix: string;
  nonBreakingSchemaUpdatesBehavior: string;
  createdAt: number; // epoch seconds
  tags: MockTag[];
}
