import { EventEmitter } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * - `open`: bytes flow both ways.
 * - `refuse`: a new connection is reset at once; open connections are destroyed when the mode is set.
 * - `blackhole`: connections are accepted and held open, and nothing is forwarded either way: what either
 *   side sends is dropped, as on a network that loses every packet. A request already forwarded before
 *   the black hole opened is still handled by the target; only its answer is lost. When the gate opens
 *   again, the connections that lost bytes are reset (their stream is broken) and new ones flow.
 */
export type TcpGateMode = 'open' | 'refuse' | 'blackhole';

export interface TcpGateOptions {
  /** Where `open` connections go: `http://127.0.0.1:8000` (an origin or any URL) or a host and port. */
  target: string | { host: string; port: number };
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 'open'. */
  mode?: TcpGateMode;
}

/** Bytes a client sent to the gate (emitted after they were forwarded, or dropped by the black hole). */
export interface TcpGateData {
  connection: number;
  chunk: Buffer;
}

export interface TcpGateStats {
  /** Connections accepted (in `open` or `blackhole` mode). */
  accepted: number;
  /** Connections reset on arrival (`refuse` mode). */
  refused: number;
  /** Open connections destroyed when the gate switched to `refuse`. */
  cut: number;
  /** Connections alive now. */
  active: number;
}

interface Link {
  id: number;
  client: Socket;
  upstream: Socket | undefined;
  /** Client bytes waiting for the upstream connection. */
  pending: Buffer[];
  /** The link lost bytes to the black hole: it is reset when the gate opens. */
  holed: boolean;
}

/**
 * A TCP proxy on loopback in front of a server (e.g. the mock Airbyte), whose behaviour can be switched at
 * run time to simulate an outage: `refuse` (connection reset), `blackhole` (no answer, ever), or `open`.
 */
export class TcpGate extends EventEmitter<{ data: [TcpGateData]; mode: [TcpGateMode] }> {
  private current: TcpGateMode;
  private readonly links = new Map<number, Link>();
  private nextId = 1;
  private readonly counters = { accepted: 0, refused: 0, cut: 0 };
  private closing?: Promise<void>;
  readonly host: string;
  readonly port: number;
  private readonly target: { host: string; port: number };

  static async start(options: TcpGateOptions): Promise<TcpGate> {
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpGate(server, options);
  }

  private constructor(
    private readonly server: Server,
    options: TcpGateOptions,
  ) {
    super();
    const { address, port } = server.address() as AddressInfo;
    this.host = address;
    this.port = port;
    this.target = typeof options.target === 'string' ? parseTarget(options.target) : options.target;
    this.current = options.mode ?? 'open';
    server.on('connection', (socket: Socket) => this.accept(socket));
  }

  /** `http://host:port` of the gate: put it where the target's origin would go. */
  get origin(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  get mode(): TcpGateMode {
    return this.current;
  }

  get stats(): TcpGateStats {
    return { ...this.counters, active: this.links.size };
  }

  /** `targetUrl` with its origin replaced by the gate's: `http://127.0.0.1:<mock>/api/public/v1` -> through the gate. */
  rewrite(targetUrl: string): string {
    const url = new URL(targetUrl);
    return `${this.origin}${url.pathname.replace(/\/$/, '')}${url.search}`;
  }

  setMode(mode: TcpGateMode): void {
    if (this.closing || mode === this.current) return;
    this.current = mode;
    for (const link of [...this.links.values()]) {
      if (mode === 'refuse') {
        this.counters.cut++;
        this.drop(link, true);
      } else if (mode === 'blackhole') {
        link.holed = true;
      } else if (link.holed) {
        this.drop(link, true);
      }
    }
    this.emit('mode', mode);
  }

  open(): void {
    this.setMode('open');
  }

  refuse(): void {
    this.setMode('refuse');
  }

  blackhole(): void {
    this.setMode('blackhole');
  }

  /** Sets `mode` for `ms` milliseconds (the length of the outage), then opens the gate again. */
  async hold(mode: Exclude<TcpGateMode, 'open'>, ms: number): Promise<void> {
    this.setMode(mode);
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
    this.setMode('open');
  }

  /** Resolves with the first client chunk, seen after this call, for which `predicate` holds. */
  waitForData(predicate: (data: TcpGateData) => boolean, timeoutMs = 10_000): Promise<TcpGateData> {
    return new Promise<TcpGateData>((resolve, reject) => {
      const onData = (data: TcpGateData) => {
        if (!predicate(data)) return;
        cleanup();
        resolve(data);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`TcpGate.waitForData: nothing matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('data', onData);
      };
      this.on('data', onData);
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const link of [...this.links.values()]) this.drop(link, false);
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.closing || this.current === 'refuse') {
      this.counters.refused++;
      client.resetAndDestroy();
      return;
    }
    this.counters.accepted++;
    const link: Link = { id: this.nextId++, client, upstream: undefined, pending: [], holed: this.current === 'blackhole' };
    this.links.set(link.id, link);
    client.on('close', () => this.drop(link, false));
    client.on('end', () => {
      if (link.holed) return;
      if (link.upstream && link.pending.length === 0) link.upstream.end();
    });
    client.on('data', (chunk: Buffer) => {
      if (!link.holed) this.forward(link, chunk);
      this.emit('data', { connection: link.id, chunk });
    });
    if (!link.holed) this.connectUpstream(link);
  }

  private connectUpstream(link: Link): void {
    const upstream = connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    link.upstream = upstream;
    upstream.on('error', () => undefined); // 'close' follows
    upstream.on('close', () => {
      // Inside the black hole the client must not learn that the target went away: only detach it.
      if (link.holed) link.upstream = undefined;
      else this.drop(link, false);
    });
    upstream.on('connect', () => {
      if (link.holed) return;
      for (const chunk of link.pending.splice(0)) this.forward(link, chunk);
      if (link.client.readableEnded) upstream.end();
    });
    upstream.on('end', () => {
      if (!link.holed) link.client.end();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.holed) return;
      if (!link.client.write(chunk)) {
        upstream.pause();
        link.client.once('drain', () => upstream.resume());
      }
    });
  }

  private forward(link: Link, chunk: Buffer): void {
    const upstream = link.upstream;
    if (!upstream || upstream.connecting) {
      link.pending.push(chunk);
      return;
    }
    if (!upstream.write(chunk)) {
      link.client.pause();
      upstream.once('drain', () => link.client.resume());
    }
  }

  private drop(link: Link, reset: boolean): void {
    if (!this.links.delete(link.id)) return;
    link.pending.length = 0;
    const { client } = link;
    // A reset (RST) tells the client at once that the connection is gone. Not on a half-closed socket: Node
    // then never releases its handle, which keeps the process alive.
    if (reset && !client.destroyed && !client.readableEnded && !client.writableEnded) client.resetAndDestroy();
    else client.destroy();
    link.upstream?.destroy();
  }
}

function parseTarget(target: string): { host: string; port: number } {
  const url = new URL(target);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}
