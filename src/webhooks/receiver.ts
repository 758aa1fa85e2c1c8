import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { jobOwnerWorkflowId } from '../common/job-owner';
import { checkJobSignal, type JobHint } from '../workflows/owner/protocol';
import { RecentKeys } from './dedupe';
import { readWebhookBody, type WebhookHint } from './payload';
import { checkRateLimit, KeyedRateLimiter, TokenBucket, type RateLimit } from './rate-limit';

// Airbyte's notification webhooks, turned into `checkJob` hints for the owner workflows. Airbyte sends no
// signature, only the URL: `<basePath>/<instance>/<token>`, the token being the one credential. A body is never
// trusted for a result: the owner confirms each hint with `GET /jobs/{id}`, so a forged or replayed body costs at
// most one Airbyte call.

export const DEFAULT_WEBHOOK_BASE_PATH = '/airbyte/webhooks';
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 64 * 1024;
/** Airbyte resends when its job-status call timed out and was retried: minutes apart at most. */
export const DEFAULT_WEBHOOK_DEDUPE_WINDOW_MS = 10 * 60_000;
/** Tokens shorter than this are refused: the URL is all an attacker has to guess. */
export const MIN_WEBHOOK_TOKEN_LENGTH = 24;

const DEFAULT_PER_SOURCE: RateLimit = { burst: 100, perSecond: 20 };
const DEFAULT_GLOBAL: RateLimit = { burst: 500, perSecond: 100 };
const DEFAULT_MAX_PENDING_SIGNALS = 1_000;
// Unreserved URL characters only, so the token in the path needs no decoding and compares byte for byte.
const TOKEN_CHARS = /^[A-Za-z0-9._~-]+$/;
const INSTANCE_NAME = /^[A-Za-z0-9][\w-]*$/;

/** Where log lines go; Temporal's `Logger` (Runtime.logger, a worker's logger) fits. */
export interface WebhookLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface WebhookReceiverOptions {
  /** Signals the owner workflows; the receiver never starts a workflow. */
  client: Client;
  /** One token per Airbyte instance (names as the worker's instances): `{ default: { token } }`. */
  instances: Record<string, { token: string }>;
  /** Default `/airbyte/webhooks`. */
  basePath?: string;
  /** Largest body accepted (default 64 KiB; Airbyte's are a few KiB). */
  maxBodyBytes?: number;
  /** A hint seen again within this window is not signalled again (default 10 minutes). */
  dedupeWindowMs?: number;
  /** Per source address, on every request, before the token is checked (default burst 100, 20/s). */
  perSourceRateLimit?: RateLimit;
  /** Across all sources, on requests that carry a valid token (default burst 500, 100/s). */
  globalRateLimit?: RateLimit;
  /** Signals still on their way above which requests get 503 (default 1,000). */
  maxPendingSignals?: number;
  /** The source of a request for its rate limit (default: the socket's address; behind a proxy, its header). */
  sourceOf?: (request: IncomingMessage) => string;
  /** Default: warnings and errors to the console. */
  logger?: WebhookLogger;
  /** The clock of the rate limits and the de-duplication (for tests). */
  now?: () => number;
}

export interface StartWebhookReceiverOptions extends WebhookReceiverOptions {
  /** Default 127.0.0.1: put a TLS proxy in front to reach it from Airbyte elsewhere. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface WebhookStats {
  /** Every request. */
  received: number;
  /** Answered 202: a valid body at a valid URL. */
  accepted: number;
  /** `checkJob` signals delivered to an owner. */
  signalled: number;
  /** The same instance, connection, job and outcome again within the window. */
  duplicates: number;
  /** Accepted, but nothing to signal: a test send, a body without a job, or no owner running for it. */
  ignored: { test: number; noJob: number; noOwner: number };
  /** Signals that failed otherwise (Temporal unreachable): the owner's safety poll covers them. */
  failed: number;
  /** Signals on their way now. */
  pending: number;
  rejected: {
    notFound: number;
    method: number;
    contentType: number;
    tooLarge: number;
    invalidJson: number;
    invalidBody: number;
    rateLimited: number;
    busy: number;
  };
}

export type WebhookHandler = RequestListener & {
  /** A copy of the counters. */
  readonly stats: () => WebhookStats;
  /** Resolves once every signal started so far has been delivered or given up. */
  readonly settled: () => Promise<void>;
};

export interface RunningWebhookReceiver {
  /** `http://host:port`, without path or token: see `webhookUrl`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  stats(): WebhookStats;
  settled(): Promise<void>;
  /** Stops listening, then waits for the signals on their way. */
  close(): Promise<void>;
}

type Rejection = keyof WebhookStats['rejected'];

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly reason: Rejection,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const consoleLogger: WebhookLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, meta) => console.warn(message, meta ?? {}),
  error: (message, meta) => console.error(message, meta ?? {}),
};

/**
 * A request handler for Airbyte's notification webhooks: `POST <basePath>/<instance>/<token>` with a JSON body.
 * It answers 202 at once (Airbyte sends from inside its job-status handler and waits), then signals the owner
 * of the job's connection with `checkJob`. Mount it in your own server, or use startWebhookReceiver.
 */
export function createWebhookHandler(options: WebhookReceiverOptions): WebhookHandler {
  const now = options.now ?? Date.now;
  const log = options.logger ?? consoleLogger;
  const basePath = (options.basePath ?? DEFAULT_WEBHOOK_BASE_PATH).replace(/\/+$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  const maxPending = options.maxPendingSignals ?? DEFAULT_MAX_PENDING_SIGNALS;
  const perSourceLimit = options.perSourceRateLimit ?? DEFAULT_PER_SOURCE;
  const globalLimit = options.globalRateLimit ?? DEFAULT_GLOBAL;
  checkRateLimit('perSourceRateLimit', perSourceLimit);
  checkRateLimit('globalRateLimit', globalLimit);
  if (!basePath.startsWith('/')) throw new TypeError('basePath must start with /');
  if (!(maxBodyBytes > 0)) throw new TypeError('maxBodyBytes must be > 0');
  const digests = tokenDigests(options.instances);
  // An unknown instance is compared against this, so both mistakes cost the same and answer the same.
  const decoy = sha256(randomBytes(32).toString('base64url'));
  const perSource = new KeyedRateLimiter(perSourceLimit, now);
  const global = new TokenBucket(globalLimit, now);
  const recent = new RecentKeys(options.dedupeWindowMs ?? DEFAULT_WEBHOOK_DEDUPE_WINDOW_MS, now);
  const sourceOf = options.sourceOf ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown');
  const inFlight = new Set<Promise<void>>();

  const stats: WebhookStats = {
    received: 0,
    accepted: 0,
    signalled: 0,
    duplicates: 0,
    ignored: { test: 0, noJob: 0, noOwner: 0 },
    failed: 0,
    pending: 0,
    rejected: { notFound: 0, method: 0, contentType: 0, tooLarge: 0, invalidJson: 0, invalidBody: 0, rateLimited: 0, busy: 0 },
  };

  /** The instance a request's path and token name, or a 404 that says neither which was wrong. */
  const authenticate = (url: string): string => {
    const notFound = new Refused(404, 'notFound', 'not found');
    const pathname = new URL(url, 'http://receiver.invalid').pathname;
    if (!pathname.startsWith(`${basePath}/`)) throw notFound;
    const segments = pathname.slice(basePath.length + 1).split('/');
    if (segments.length !== 2) throw notFound;
    const [instance, token] = segments.map(safeDecode) as [string | undefined, string | undefined];
    const expected = (instance !== undefined && digests.get(instance)) || decoy;
    const matches = timingSafeEqual(expected, sha256(token ?? ''));
    if (!matches || instance === undefined || expected === decoy) throw notFound;
    return instance;
  };

  const signal = async (instance: string, hint: Extract<WebhookHint, { kind: 'job' }>, key: string): Promise<void> => {
    const workflowId = jobOwnerWorkflowId(hint.connectionId, instance);
    const what = { instance, connectionId: hint.connectionId, jobId: hint.jobId, success: hint.success };
    try {
      const message: JobHint = { jobId: hint.jobId, source: 'webhook', ...(hint.workspaceId && { workspaceId: hint.workspaceId }) };
      await options.client.workflow.getHandle(workflowId).signal(checkJobSignal, message);
      stats.signalled++;
      log.debug('airbyte webhook: owner signalled', { ...what, workflowId });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // No owner runs for it: a job we do not wait on, an owner already done, or a forged id.
        stats.ignored.noOwner++;
        log.debug('airbyte webhook: no owner running for this job', what);
        return;
      }
      stats.failed++;
      recent.forget(key); // a resend may get through once Temporal is back
      log.warn('airbyte webhook: could not signal the owner; its safety poll will see the job', { ...what, error: (err as Error).message });
    }
  };

  const dispatch = (instance: string, hint: WebhookHint): void => {
    if (hint.kind === 'test') {
      stats.ignored.test++;
      log.info('airbyte webhook: test notification received', { instance });
      return;
    }
    if (hint.kind === 'no-job') {
      stats.ignored.noJob++;
      return;
    }
    const key = JSON.stringify([instance, hint.connectionId, hint.jobId, hint.success]);
    if (recent.seen(key)) {
      stats.duplicates++;
      log.debug('airbyte webhook: duplicate ignored', { instance, connectionId: hint.connectionId, jobId: hint.jobId });
      return;
    }
    stats.pending++;
    const task = signal(instance, hint, key).finally(() => {
      stats.pending--;
      inFlight.delete(task);
    });
    inFlight.add(task);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.received++;
    const source = sourceOf(req);
    // Before the token is checked, so guessing is as slow as the limit.
    if (!perSource.take(source)) throw new Refused(429, 'rateLimited', 'too many requests', { 'Retry-After': '1' });
    const instance = authenticate(req.url ?? '/');
    if (req.method !== 'POST') throw new Refused(405, 'method', `method ${req.method ?? ''} not allowed`, { Allow: 'POST' });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') throw new Refused(415, 'contentType', 'content-type must be application/json');
    // After the token: requests without one cannot use up the budget of Airbyte's own.
    if (!global.take()) throw new Refused(429, 'rateLimited', 'too many requests', { 'Retry-After': '1' });
    if (stats.pending >= maxPending) throw new Refused(503, 'busy', 'busy; try again later', { 'Retry-After': '1' });

    const text = await readBody(req, maxBodyBytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      log.warn('airbyte webhook refused: the body is not JSON', { instance, source, bytes: Buffer.byteLength(text) });
      throw new Refused(400, 'invalidJson', 'body is not JSON');
    }
    const parsed = readWebhookBody(json);
    if (!parsed.ok) {
      log.warn('airbyte webhook refused: not an Airbyte webhook body', { instance, source, issues: parsed.issues });
      throw new Refused(400, 'invalidBody', `not an Airbyte webhook body: ${parsed.issues.join('; ')}`);
    }
    stats.accepted++;
    // Answer first: Airbyte waits for this answer inside its job-status handler.
    reply(res, 202, { status: 'accepted' });
    dispatch(instance, parsed.hint);
  };

  const listener: RequestListener = (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof Refused) stats.rejected[err.reason]++;
      else log.error('airbyte webhook: unexpected error', { error: (err as Error).message });
      if (res.headersSent) return void res.destroy();
      const [status, message, headers] = err instanceof Refused ? [err.status, err.message, err.headers] : [500, 'internal error', {}];
      // Whatever is left of a refused body is not read: close the connection rather than drain it.
      reply(res, status, { message }, { ...(req.complete ? {} : { Connection: 'close' }), ...headers });
    });
  };

  return Object.assign(listener, {
    stats: (): WebhookStats => structuredClone(stats),
    settled: async (): Promise<void> => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  });
}

/** Starts a webhook receiver (node:http) on 127.0.0.1 by default. */
export async function startWebhookReceiver(options: StartWebhookReceiverOptions): Promise<RunningWebhookReceiver> {
  const host = options.host ?? '127.0.0.1';
  const handler = createWebhookHandler(options);
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  (options.logger ?? consoleLogger).info('airbyte webhook receiver listening', { url, instances: Object.keys(options.instances) });
  return {
    url,
    port,
    server,
    stats: handler.stats,
    settled: handler.settled,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      await handler.settled();
    },
  };
}

/** Checks every instance's token; messages name the instance, never the token. */
function tokenDigests(instances: Record<string, { token: string }>): Map<string, Buffer> {
  const entries = Object.entries(instances);
  if (entries.length === 0) throw new TypeError('the webhook receiver needs at least one instance with a token');
  const digests = new Map<string, Buffer>();
  for (const [instance, { token }] of entries) {
    if (!INSTANCE_NAME.test(instance)) throw new TypeError(`webhook instance name '${instance}' is not valid (letters, digits, _ and -)`);
    if (typeof token !== 'string' || token.length < MIN_WEBHOOK_TOKEN_LENGTH) {
      throw new TypeError(`the webhook token of instance '${instance}' is too short: ${MIN_WEBHOOK_TOKEN_LENGTH} characters at least`);
    }
    if (!TOKEN_CHARS.test(token)) throw new TypeError(`the webhook token of instance '${instance}' may hold only letters, digits and . _ ~ -`);
    digests.set(instance, sha256(token));
  }
  return digests;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new Refused(413, 'tooLarge', `body larger than ${limit} bytes`);
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
