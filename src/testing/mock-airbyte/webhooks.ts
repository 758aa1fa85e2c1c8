import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MAX_TIMER_MS } from './jobs';
import type * as T from './types';

// Sending webhooks as Airbyte's SlackNotificationClient does: one POST with `Content-Type: application/json`, the
// JDK's User-Agent and (on http://) its HTTP/2 upgrade headers; no redirect followed, no retry, no timeout; any 2xx
// counts. Plus the faults a receiver must survive: lost, duplicated and late deliveries.

// What Java's HttpClient (Version.HTTP_2) adds on a plain-text connection: an h2c upgrade attempt.
const JDK_HEADERS = { 'User-Agent': 'Java-http-client/21.0.8' };
const H2C_UPGRADE = { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c', 'HTTP2-Settings': 'AAEAAEAAAAIAAAAAAAMAAAAAAAQBAAAAAAUAAEAA' };
const MAX_ANSWER_BYTES = 64 * 1024;

type Meta = Pick<T.MockWebhookDelivery, 'event' | 'jobId' | 'connectionId' | 'fault'>;

/** The URL with its last path segment and its query masked: a webhook URL's token (ours, Slack's) sits there. */
export function maskWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const segments = parsed.pathname.split('/');
    let last = segments.length - 1;
    while (last >= 0 && segments[last] === '') last--;
    if (last >= 0) segments[last] = '***';
    return `${parsed.origin}${segments.join('/')}${parsed.search ? '?***' : ''}`;
  } catch {
    return '***';
  }
}

export class WebhookOutbox {
  private readonly deliveries: T.MockWebhookDelivery[] = [];
  private faults: { fault: T.MockWebhookFault; left: number }[] = [];
  private readonly inFlight = new Set<ClientRequest>();
  private readonly held = new Set<{ timer?: NodeJS.Timeout; release: () => void }>();
  private closed = false;

  /** `changed` runs after every delivery recorded (the server's waitFor re-checks then). */
  constructor(private readonly changed: () => void) {}

  get list(): T.MockWebhookDelivery[] {
    return structuredClone(this.deliveries);
  }

  addFault(fault: T.MockWebhookFault): void {
    const left = fault.times ?? 1;
    if (!(left > 0)) throw new Error(`Webhook fault times must be > 0 (or Infinity), got ${left}`);
    if (fault.ms !== undefined && !(fault.ms >= 0)) throw new Error(`Webhook fault ms must be >= 0, got ${fault.ms}`);
    if (!['lost', 'duplicate', 'late'].includes(fault.kind)) throw new Error(`Unknown webhook fault ${JSON.stringify(fault.kind)}`);
    this.faults.push({ fault, left });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Drops the record and the faults; held (late) webhooks are dropped too. */
  reset(): void {
    this.deliveries.length = 0;
    this.faults = [];
    for (const entry of this.held) clearTimeout(entry.timer);
    this.held.clear();
  }

  /** A job's webhook, with the first matching fault applied. Fire and forget, as Airbyte's send is to its caller. */
  jobEnded(url: string, body: unknown, meta: Meta & { event: 'success' | 'failure' }): void {
    const fault = this.takeFault(meta.event, meta.connectionId);
    if (fault?.kind === 'lost') return this.record({ ...meta, fault: 'lost', url: maskWebhookUrl(url), time: Date.now(), sent: false, status: 0, body });
    if (fault?.kind === 'late') return this.hold(fault.ms, () => void this.post(url, body, { ...meta, fault: 'late' }));
    void this.post(url, body, { ...meta, ...(fault && { fault: fault.kind }) }).then(() => {
      if (fault?.kind === 'duplicate') return this.post(url, body, { ...meta, fault: 'duplicate' });
    });
  }

  /** Sends held (late) webhooks now. */
  release(): void {
    for (const entry of [...this.held]) {
      clearTimeout(entry.timer);
      entry.release();
    }
  }

  /** One POST, recorded; resolves with the record once answered (or failed). */
  async post(url: string, body: unknown, meta: Meta): Promise<T.MockWebhookDelivery> {
    const delivery: T.MockWebhookDelivery = { ...meta, url: maskWebhookUrl(url), time: Date.now(), sent: true, status: 0, body };
    try {
      delivery.status = await this.send(url, JSON.stringify(body));
    } catch (err) {
      delivery.error = (err as Error).message;
    }
    if (!this.closed) this.record(delivery);
    return structuredClone(delivery);
  }

  close(): void {
    this.closed = true;
    for (const entry of this.held) clearTimeout(entry.timer);
    this.held.clear();
    for (const req of this.inFlight) req.destroy();
  }

  private takeFault(event: 'success' | 'failure', connectionId: string | undefined): T.MockWebhookFault | undefined {
    const index = this.faults.findIndex(({ fault }) => (fault.event === undefined || fault.event === event) && (fault.connectionId === undefined || fault.connectionId === connectionId));
    const entry = this.faults[index];
    if (!entry) return undefined;
    if (--entry.left <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private hold(ms: number | undefined, send: () => void): void {
    const entry: { timer?: NodeJS.Timeout; release: () => void } = {
      release: () => {
        this.held.delete(entry);
        send();
      },
    };
    if (ms !== undefined && ms < MAX_TIMER_MS) entry.timer = setTimeout(entry.release, ms);
    this.held.add(entry);
  }

  private record(delivery: T.MockWebhookDelivery): void {
    this.deliveries.push(delivery);
    this.changed();
  }

  /** The answer's status; the answer's body is read and dropped. Rejects when no answer comes. */
  private send(url: string, payload: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (this.closed) return reject(new Error('the mock Airbyte server is closed'));
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') return reject(new Error(`unsupported URL scheme ${target.protocol}`));
      const headers = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)), ...JDK_HEADERS, ...(secure ? {} : H2C_UPGRADE) };
      // No agent: one connection per send, closed after, as nothing keeps Airbyte's client around.
      const req = (secure ? httpsRequest : httpRequest)(target, { method: 'POST', headers, agent: false }, (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      });
      this.inFlight.add(req);
      req.on('close', () => this.inFlight.delete(req));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
