import type { TcpGate, TcpGateData } from '../../src/testing';

export interface SeenRequest {
  time: number;
  method: string;
  /** The request target as sent, e.g. '/api/public/v1/jobs'. */
  path: string;
}

/**
 * The HTTP requests the worker sent to the gate, each counted once it arrived whole (headers and body),
 * whether it was forwarded or fell into the black hole. Event-driven: `until()` re-checks on every request.
 */
export class HttpWatch {
  readonly requests: SeenRequest[] = [];
  private readonly buffers = new Map<number, string>();
  private readonly waiters = new Set<() => void>();

  constructor(gate: TcpGate) {
    gate.on('data', (data) => this.feed(data));
  }

  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }

  until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (the gate saw ${this.requests.length} requests)`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  private feed({ connection, chunk }: TcpGateData): void {
    let buffer = (this.buffers.get(connection) ?? '') + chunk.toString('latin1');
    let found = false;
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = buffer.slice(0, end);
      const [requestLine = '', ...headers] = head.split('\r\n');
      const [method = '', path = ''] = requestLine.split(' ');
      const header = (name: string) => headers.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
      let bodyEnd: number;
      if (header('transfer-encoding')?.toLowerCase().includes('chunked')) {
        const last = buffer.indexOf('\r\n0\r\n\r\n', end);
        if (last < 0) break;
        bodyEnd = last + 7;
      } else {
        bodyEnd = end + 4 + Number(header('content-length') ?? 0);
        if (buffer.length < bodyEnd) break;
      }
      this.requests.push({ time: Date.now(), method: method.toUpperCase(), path: path.split('?')[0] ?? path });
      buffer = buffer.slice(bodyEnd);
      found = true;
    }
    this.buffers.set(connection, buffer);
    if (found) for (const check of [...this.waiters]) check();
  }
}
