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
  /** Each attempt's log (Config API `attempt/get_for_job`, `jobs/get`); default a few generated lines. Any size. */
  logLines?: string[];
  /** `formatted` (default): `logs.logLines`; `structured`: `logs.events`, as Airbyte sends either. */
  logFormat?: 'formatted' | 'structured';
}

export type MockConnectionStatus = 'active' | 'inactive' | 'deprecated' | 'locked';

/** Anything left out is generated; the workspace defaults to the server's default workspace. */
export interface MockConnectionSeed {
  connectionId?: string;
  name?: string;
  workspaceId?: string;
  status?: MockConnectionStatus; // default 'active'
  tags?: { tagId?: string; name: string; color?: string }[];
  /** An existing source, or the id for a new one (made in the connection's workspace, offering `streams`). */
  sourceId?: string;
  /** An existing destination, or the id for a new one. */
  destinationId?: string;
  streams?: string[]; // stream names; default the script's streams, else 'customers' and 'orders'
  script?: MockConnectionScript;
}

/** A stream a mock source offers (`GET /streams`, connection catalogues). Only `name` is needed. */
export interface MockStreamSpec {
  name: string;
  namespace?: string;
  fields?: string[]; // top-level fields; default ['id', 'name', 'updated_at']
  syncModes?: ('full_refresh' | 'incremental')[]; // default both
  defaultCursorField?: string[]; // default ['updated_at']
  sourceDefinedCursor?: boolean; // default false
  primaryKey?: string[][]; // source-defined; default [['id']]
}

export interface MockSourceSeed {
  sourceId?: string;
  name?: string;
  workspaceId?: string; // default: the default workspace
  sourceType?: string; // default 'faker'
  configuration?: Record<string, unknown>;
  streams?: (string | MockStreamSpec)[]; // default 'customers' and 'orders'
}

export interface MockDestinationSeed {
  destinationId?: string;
  name?: string;
  workspaceId?: string;
  destinationType?: string; // default 'e2e-test'
  configuration?: Record<string, unknown>;
}

export type MockNotificationKind =
  | 'failure'
  | 'success'
  | 'connectionUpdate'
  | 'connectionUpdateActionRequired'
  | 'syncDisabled'
  | 'syncDisabledWarning';

export interface MockNotificationConfig { email: { enabled: boolean }; webhook: { enabled: boolean; url?: string } }

/** A workspace's NotificationsConfig, every kind filled in as Airbyte answers it. */
export type MockNotifications = Record<MockNotificationKind, MockNotificationConfig>;

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
  body?: unknown; // parsed JSON or form body, secret values (client_secret, passwords, tokens...) redacted
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

/** A WorkspaceResponse, plus whether it was deleted. */
export interface MockWorkspace {
  workspaceId: string;
  name: string;
  dataResidency: string;
  notifications: MockNotifications;
  deleted: boolean;
}

/** A SourceResponse (configuration masked; null once deleted), plus what the mock keeps about it. */
export interface MockSource {
  sourceId: string;
  name: string;
  sourceType: string;
  definitionId: string;
  workspaceId: string;
  configuration: Record<string, unknown> | null;
  createdAt: number; // epoch seconds
  deleted: boolean;
  streams: string[];
}

export interface MockDestination {
  destinationId: string;
  name: string;
  destinationType: string;
  definitionId: string;
  workspaceId: string;
  configuration: Record<string, unknown> | null;
  createdAt: number;
  deleted: boolean;
}

export interface MockStreamConfiguration {
  name: string;
  namespace?: string;
  syncMode: string;
  cursorField?: string[];
  primaryKey?: string[][];
}

/** A ConnectionResponse of the public API. A deleted connection stays, with status 'deprecated', as in Airbyte. */
export interface MockConnection {
  connectionId: string;
  name: string;
  sourceId: string;
  destinationId: string;
  workspaceId: string;
  status: MockConnectionStatus;
  schedule: { scheduleType: 'manual' | 'cron' | 'basic'; cronExpression?: string; basicTiming?: string };
  configurations: { streams: MockStreamConfiguration[] };
  namespaceDefinition: 'source' | 'destination' | 'custom_format';
  namespaceFormat?: string;
  prefix: string;
  nonBreakingSchemaUpdatesBehavior: string;
  createdAt: number; // epoch seconds
  tags: MockTag[];
}

/**
 * What happens to the next matching job webhook (success or failure); `times` default 1. Matched by `event` and
 * `connectionId` when given. `lost`: never sent (Airbyte keeps no outbox and never retries). `duplicate`: sent
 * twice, the second once the first was answered (a retried job-status call sends again). `late`: held `ms`, or
 * without `ms` until releaseWebhooks().
 */
export interface MockWebhookFault {
  kind: 'lost' | 'duplicate' | 'late';
  ms?: number;
  times?: number;
  event?: 'success' | 'failure';
  connectionId?: string;
}

/** One webhook the mock sent, or dropped on purpose. */
export interface MockWebhookDelivery {
  /** When it was sent (or dropped); epoch ms. */
  time: number;
  /** A job's success or failure, a `try_webhook` test send, or one a test forged (sendForgedWebhook). */
  event: 'success' | 'failure' | 'test' | 'forged';
  /** The URL posted to, its last path segment (where a token goes) and its query masked as `***`. */
  url: string;
  jobId?: number;
  connectionId?: string;
  /** False for a `lost` one. */
  sent: boolean;
  /** The status answered; 0 when nothing was (not sent, refused, reset). Any 2xx counts as delivered. */
  status: number;
  /** Why no answer came (connection refused, reset). */
  error?: string;
  fault?: MockWebhookFault['kind'];
  /** The JSON body, as sent. */
  body: unknown;
}
