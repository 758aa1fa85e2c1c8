import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Authenticator, authKind } from './auth';
import { FaultQueue, faultReply, replaced, truncated } from './faults';
import { forgedWebhookBody, jobWebhook } from './job-webhooks';
import { MAX_TIMER_MS, type Outcome } from './jobs';
import { configError, problem, type Reply } from './problems';
import { destinationView, sourceView, workspaceView } from './resource-views';
import { configApi, publicApi, type ApiCall } from './routes';
import { tryWebhook } from './routes/notifications';
import { redactSecrets } from './secrets';
import { MockState, type Actor } from './state';
import type * as T from './types';
import { WebhookOutbox } from './webhooks';

// HTTP front of the mock: routing by base URL, recording, User-Agent and auth checks, fault injection.

type Api = 'public' | 'config' | 'none';

/** Splits a request path into the API it targets and the path relative to that API's base. */
/** `route` is relative to the API's base; `path` is what gets recorded (Config API calls under '/config'). */
function locate(pathname: string): { api: Api; base: string; route: string; path: string } {
  const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  for (const [api, base] of [['public', '/api/public/v1'], ['config', '/api/v1'], ['public', '/v1']] as const) {
    if (trimmed !== base && !trimmed.startsWith(`${base}/`)) continue;
    const route = trimmed.slice(base.length) || '/';
    return { api, base, route, path: api === 'config' ? `/config${route}` : route };
  }
  return { api: 'none', base: '', route: trimmed, path: trimmed };
}

function toQuery(params: URLSearchParams): T.QueryParams {
  const query: T.QueryParams = {};
  for (const [key, value] of params) query[key] = key in query ? [query[key] ?? [], value].flat() : value;
  return query;
}

/** JSON or form body; a body that does not parse is kept as its raw text (routes then answer 400). */
function parseBody(raw: string, contentType = ''): unknown {
  if (raw === '') return undefined;
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  if (reply.body === undefined) return void res.writeHead(reply.status, { ...reply.headers }).end(); // 204
  const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const type = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(reply.status, { 'content-type': type, 'content-length': Buffer.byteLength(payload), ...reply.headers }).end(payload);
}

interface Waiter { check(): void; abort(reason: string): void }

/**
 * Airbyte's health checks answer without credentials: the public API's HealthController says
 * "Successful operation" (a bare string, sent as JSON's content type), the Config API's /v1/health
 * `{available: true}` (HealthCheckRead).
 */
function health(api: Api): Reply {
  if (api === 'config') return { status: 200, body: { available: true } };
  return { status: 200, body: 'Successful operation', headers: { 'content-type': 'application/json' } };
}

/** A stateful stand-in for Airbyte's public API (and the Config API's job, attempt and connection reads), for tests. */
export class MockAirbyteServer extends EventEmitter<{ job: [T.MockJob] }> {
  readonly origin: string;
  readonly publicApiUrl: string;
  readonly cloudStyleUrl: string;
  readonly configApiUrl: string;
  readonly credentials: { clientId: string; clientSecret: string } | undefined;
  readonly defaultWorkspaceId: string;

  private readonly state: MockState;
  private readonly auth: Authenticator;
  private readonly faults = new FaultQueue();
  private readonly requireUserAgent: boolean;
  private readonly recorded: T.RecordedRequest[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly delays = new Map<NodeJS.Timeout, () => void>();
  private readonly webhooks = new WebhookOutbox(() => this.notify());
  private closing?: Promise<void>;

  static async start(options: T.MockAirbyteOptions = {}): Promise<MockAirbyteServer> {
    const http = createServer();
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
    try {
      return new MockAirbyteServer(http, options);
    } catch (err) {
      await new Promise<void>((resolve) => http.close(() => resolve())); // bad options: do not leave a listener behind
      throw err;
    }
  }

  private constructor(private readonly http: Server, options: T.MockAirbyteOptions) {
    super();
    const { address, port } = http.address() as AddressInfo;
    // A wildcard bind is reached through loopback; IPv6 literals need brackets in a URL.
    const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
    this.origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.publicApiUrl = `${this.origin}/api/public/v1`;
    this.cloudStyleUrl = `${this.origin}/v1`;
    this.configApiUrl = `${this.origin}/api/v1`;
    this.auth = new Authenticator(options.auth);
    this.credentials = this.auth.credentials;
    this.requireUserAgent = options.requireUserAgent ?? true;
    this.state = new MockState(
      options.defaultScript,
      (job) => {
        this.emit('job', job);
        this.sendJobWebhook(job);
        this.notify();
      },
      { cancelDelayMs: options.cancelDelayMs },
    );
    this.defaultWorkspaceId = this.state.defaultWorkspaceId;
    http.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res).catch(() => res.destroy()));
  }

  get requests(): readonly T.RecordedRequest[] {
    return this.recorded;
  }

  addWorkspace(seed?: { workspaceId?: string; name?: string; notifications?: unknown }): T.MockWorkspace {
    return workspaceView(this.state.addWorkspace(seed));
  }

  /** A source offering `streams` (default 'customers' and 'orders'); `sourceType` default 'faker'. */
  addSource(seed: T.MockSourceSeed = {}): T.MockSource {
    const { sourceId: id, sourceType: type, ...rest } = seed;
    return sourceView(this.state.addActor('source', { ...rest, id, type }));
  }

  /** A destination; `destinationType` default 'e2e-test'. */
  addDestination(seed: T.MockDestinationSeed = {}): T.MockDestination {
    const { destinationId: id, destinationType: type, ...rest } = seed;
    return destinationView(this.state.addActor('destination', { ...rest, id, type }));
  }

  addConnection(seed?: T.MockConnectionSeed): T.MockConnection { return this.state.addConnection(seed); }
  setScript(connectionId: string, script: T.MockConnectionScript): void { this.state.setScript(connectionId, script); }
  /** What the source offers from now on (`GET /streams`, stream checks of connection creates and patches). */
  setSourceStreams(sourceId: string, streams: (string | T.MockStreamSpec)[]): void { this.state.setSourceStreams(sourceId, streams); }

  // Every object made so far, deleted ones included (marked `deleted`, or a connection's status 'deprecated').
  workspaces(): T.MockWorkspace[] { return [...this.state.workspaces.values()].map(workspaceView); }
  workspace(workspaceId: string): T.MockWorkspace | undefined { return this.viewOf(this.state.workspaces.get(workspaceId), workspaceView); }
  sources(filter: { workspaceId?: string } = {}): T.MockSource[] { return this.actorsIn(this.state.sources, filter).map(sourceView); }
  source(sourceId: string): T.MockSource | undefined { return this.viewOf(this.state.sources.get(sourceId), sourceView); }
  destinations(filter: { workspaceId?: string } = {}): T.MockDestination[] { return this.actorsIn(this.state.destinations, filter).map(destinationView); }
  destination(destinationId: string): T.MockDestination | undefined { return this.viewOf(this.state.destinations.get(destinationId), destinationView); }

  /** The configuration as sent, secrets unmasked; null once the source is deleted (Airbyte voids it). */
  sourceConfiguration(sourceId: string): Record<string, unknown> | null | undefined {
    const configuration = this.state.sources.get(sourceId)?.configuration;
    return configuration && structuredClone(configuration);
  }

  destinationConfiguration(destinationId: string): Record<string, unknown> | null | undefined {
    const configuration = this.state.destinations.get(destinationId)?.configuration;
    return configuration && structuredClone(configuration);
  }

  connections(filter: { workspaceId?: string } = {}): T.MockConnection[] {
    const all = [...this.state.connections.values()].map((entry) => structuredClone(entry.connection));
    return all.filter((c) => filter.workspaceId === undefined || c.workspaceId === filter.workspaceId);
  }

  /** The same as connections(). */
  connectionsList(filter: { workspaceId?: string } = {}): T.MockConnection[] { return this.connections(filter); }

  connection(connectionId: string): T.MockConnection | undefined {
    const entry = this.state.connections.get(connectionId);
    return entry && structuredClone(entry.connection);
  }

  /** A job started outside the API under test (Airbyte's scheduler, the UI). Only one may run per connection. */
  startJob(connectionId: string, jobType = 'sync'): T.MockJob {
    if (!this.state.connections.has(connectionId)) throw new Error(`Unknown connection ${connectionId}`);
    if (this.state.jobs.active(connectionId)) throw new Error(`A sync is already running for: ${connectionId}`);
    return { ...this.state.createJob(connectionId, jobType).job };
  }

  /** Ends a job now; a job that has already ended is returned unchanged. */
  finishJob(jobId: number, outcome: Outcome): T.MockJob {
    const run = this.state.jobs.runs.get(jobId);
    if (!run) throw new Error(`Unknown job ${jobId}`);
    return { ...this.state.jobs.finish(run, outcome, 'mock').job };
  }

  job(jobId: number): T.MockJob | undefined {
    const run = this.state.jobs.runs.get(jobId);
    return run && { ...run.job };
  }

  jobs(filter: { connectionId?: string } = {}): T.MockJob[] {
    const all = [...this.state.jobs.runs.values()].map((run) => ({ ...run.job }));
    return all.filter((job) => filter.connectionId === undefined || job.connectionId === filter.connectionId);
  }

  requestsTo(method: string, path: string | RegExp): T.RecordedRequest[] {
    const pattern = typeof path === 'string' ? undefined : new RegExp(path.source, path.flags.replace(/[gy]/g, '')); // stateless copy
    const matches = (p: string) => (pattern ? pattern.test(p) : p === path);
    return this.recorded.filter((r) => r.method === method.toUpperCase() && matches(r.path));
  }

  /** Resolves once `predicate` holds; re-checked after every request handled and every job transition (no polling). The default limit is generous: a loaded CI machine is slow. */
  waitFor(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        if (err) reject(err);
        else resolve();
      };
      const waiter: Waiter = {
        check: () => {
          try {
            if (predicate()) settle();
          } catch (err) {
            settle(err instanceof Error ? err : new Error(`waitFor: the predicate threw ${JSON.stringify(err)}`));
          }
        },
        abort: (reason) => settle(new Error(reason)),
      };
      const jobs = () => [...this.state.jobs.runs.values()].slice(-10).map(({ job }) => `#${job.jobId} ${job.status}`).join(', ') || 'none';
      const timeout = () =>
        `waitFor: condition not met within ${timeoutMs} ms: ${predicate.toString().slice(0, 200)} ` +
        `(${this.recorded.length} requests recorded; jobs: ${jobs()})`;
      const timer = timeoutMs < MAX_TIMER_MS ? setTimeout(() => waiter.abort(timeout()), timeoutMs) : undefined;
      this.waiters.add(waiter);
      if (this.closing) waiter.abort('waitFor: the mock Airbyte server is closed');
      else waiter.check();
    });
  }

  peakConcurrentJobs(): number { return this.state.jobs.peak; }
  /** Every access token issued since start, expired ones included (e.g. to assert none leaks into logs). */
  issuedTokens(): string[] { return [...this.auth.history]; }
  expireTokens(): void { this.auth.expireAll(); }
  injectFault(fault: T.MockFault): void { this.faults.add(fault); }
  clearFaults(): void { this.faults.clear(); }

  // Airbyte's notification webhooks: a sync job that succeeds or fails POSTs to its workspace's enabled success
  // or failure webhook (set with PATCH /workspaces/{id} `notifications`), once its final status is readable.
  /** Every webhook sent (or dropped by a `lost` fault), oldest first; URLs masked, bodies as sent. */
  webhookDeliveries(): T.MockWebhookDelivery[] { return this.webhooks.list; }
  /** Loses, duplicates or delays the next matching job webhook (see MockWebhookFault). */
  injectWebhookFault(fault: T.MockWebhookFault): void { this.webhooks.addFault(fault); }
  clearWebhookFaults(): void { this.webhooks.clearFaults(); }
  /** Sends the webhooks held by `late` faults now. */
  releaseWebhooks(): void { this.webhooks.release(); }
  /** POSTs `body` to `url` as Airbyte would post a webhook: what anyone who learnt the URL can do. */
  sendForgedWebhook(url: string, body: unknown): Promise<T.MockWebhookDelivery> { return this.webhooks.post(url, body, { event: 'forged' }); }
  /** A realistic job webhook body for any ids (random ones unless given), e.g. to forge one. */
  forgeWebhookBody(given: { connectionId?: string; jobId?: number; success?: boolean; workspaceId?: string } = {}): unknown {
    return forgedWebhookBody(this.origin, given);
  }

  /** Drops jobs, recorded requests and faults; keeps workspaces, sources, destinations, connections, scripts and tokens. */
  reset(): void {
    this.state.reset();
    this.recorded.length = 0;
    this.faults.clear();
    this.webhooks.reset();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.state.jobs.clearTimers();
      this.webhooks.close();
      for (const [timer, release] of this.delays) {
        clearTimeout(timer);
        release();
      }
      for (const waiter of [...this.waiters]) waiter.abort('waitFor: the mock Airbyte server was closed');
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.origin);
    const { api, base, route, path } = locate(url.pathname);
    const query = toQuery(url.searchParams);
    const body = parseBody(await readBody(req), req.headers['content-type']);
    const record: T.RecordedRequest = { time, method, path, query, status: 0, auth: authKind(req.headers.authorization) };
    if (body !== undefined) record.body = redactSecrets(body);

    const fault = this.faults.take(method, path);
    if (fault?.kind === 'latency') await this.delay(fault.ms);
    if (this.closing) return;
    if (fault?.kind === 'reset') return this.abandon(record, res);
    const call: ApiCall = { method, path: route, query, body, baseUrl: this.origin + base };
    const handled = fault?.kind === 'status' ? faultReply(fault) : await this.dispatch(api, call, req);
    // The handle-then-* faults let the side effect happen (e.g. a job is created) and lose, delay, cut or replace the answer.
    if (fault?.kind === 'handle-then-reset') return this.abandon(record, res);
    const reply = fault?.kind === 'handle-then-truncate' ? truncated(handled) : fault?.kind === 'handle-then-replace' ? replaced(fault) : handled;
    this.record(record, reply.status);
    if (fault?.kind === 'handle-then-delay') await this.delay(fault.ms);
    if (!this.closing) send(res, reply);
  }

  private dispatch(api: Api, call: ApiCall, req: IncomingMessage): Reply | Promise<Reply> {
    const fail = (status: 403 | 401, message: string) =>
      api === 'config' ? configError(status, message) : problem(status === 403 ? 'forbidden' : 'invalid-api-key', { message });
    try {
      if (this.requireUserAgent && !req.headers['user-agent']?.trim()) return fail(403, 'A User-Agent header is required.');
      if (api === 'public' && call.path === '/applications/token' && call.method === 'POST') return this.auth.issue(call.body);
      if (api !== 'none' && call.path === '/health' && call.method === 'GET') return health(api);
      if (!this.auth.allows(req.headers.authorization)) return fail(401, 'Missing, invalid or expired credentials.');
      if (api === 'public') return publicApi(this.state, call);
      // The one route that waits on something (the test send's answer).
      if (api === 'config' && call.method === 'POST' && call.path === '/notifications/try_webhook') return tryWebhook(this.webhooks, call.body);
      if (api === 'config') return configApi(this.state, call);
      return problem('resource-not-found', { message: `No route for ${call.method} ${call.path}` });
    } catch (err) {
      return problem('unexpected-problem', { message: err instanceof Error ? err.message : String(err) });
    }
  }

  private record(record: T.RecordedRequest, status: number): void {
    record.status = status;
    this.recorded.push(record);
    this.notify();
  }

  private abandon(record: T.RecordedRequest, res: ServerResponse): void {
    this.record(record, 0);
    res.destroy();
  }

  /** A delay that close() can cut short, so no timer outlives the server. */
  private delay(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const release = () => {
        this.delays.delete(timer);
        resolve();
      };
      const timer = setTimeout(release, Math.min(ms, MAX_TIMER_MS));
      this.delays.set(timer, release);
    });
  }

  private sendJobWebhook(job: T.MockJob): void {
    const webhook = jobWebhook(this.state, job, this.origin);
    if (webhook) this.webhooks.jobEnded(webhook.url, webhook.body, { event: webhook.event, jobId: job.jobId, connectionId: job.connectionId });
  }

  private viewOf<S, V>(item: S | undefined, view: (item: S) => V): V | undefined {
    return item === undefined ? undefined : view(item);
  }

  private actorsIn(map: Map<string, Actor>, filter: { workspaceId?: string }): Actor[] {
    return [...map.values()].filter((a) => filter.workspaceId === undefined || a.workspaceId === filter.workspaceId);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }
}
