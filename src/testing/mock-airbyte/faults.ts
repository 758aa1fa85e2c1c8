import { problemForStatus, type Reply } from './problems';
import type { MockFault } from './types';

// Injected faults: matched by method and path, consumed in insertion order, each `times` times.

export class FaultQueue {
  private faults: { fault: MockFault; left: number }[] = [];

  add(fault: MockFault): void {
    const left = fault.times ?? 1;
    if (!(left > 0)) throw new Error(`Fault times must be > 0 (or Infinity), got ${left}`);
    if ('ms' in fault && !(fault.ms >= 0)) throw new Error(`Fault ms must be >= 0, got ${fault.ms}`);
    if ('status' in fault && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) {
      throw new Error(`Fault status must be an HTTP status (100-599), got ${fault.status}`);
    }
    this.faults.push({ fault, left });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request, counted down; undefined when none applies. */
  take(method: string, path: string): MockFault | undefined {
    const index = this.faults.findIndex(({ fault }) => matches(fault, method, path));
    const entry = this.faults[index];
    if (!entry) return undefined;
    if (--entry.left <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }
}

function matches(fault: MockFault, method: string, path: string): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  if (fault.path === undefined) return true;
  if (typeof fault.path === 'string') return fault.path === path;
  fault.path.lastIndex = 0; // a /g or /y RegExp keeps state between calls
  return fault.path.test(path);
}

/** What a 'status' fault answers: its own body, or Airbyte's load-shedding body for 429, or a problem. */
export function faultReply(fault: Extract<MockFault, { kind: 'status' }>): Reply {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.contentType !== undefined) headers['content-type'] = fault.contentType;
  if (fault.body !== undefined) return { status: fault.status, body: fault.body, headers };
  if (fault.status === 429) return { status: 429, body: { message: 'You are being rate limited.' }, headers };
  return { ...problemForStatus(fault.status), headers };
}

/** A 'handle-then-truncate' answer: the real status and headers, the first half of the JSON text. */
export function truncated(reply: Reply): Reply {
  const text = typeof reply.body === 'string' ? reply.body : (JSON.stringify(reply.body) ?? '');
  return { ...reply, body: text.slice(0, Math.floor(text.length / 2)), headers: { 'content-type': 'application/json', ...reply.headers } };
}

/** A 'handle-then-replace' answer: the fault's status and body instead of the real ones. */
export function replaced(fault: Extract<MockFault, { kind: 'handle-then-replace' }>): Reply {
  return { status: fault.status, body: fault.body, headers: fault.contentType === undefined ? {} : { 'content-type': fault.contentType } };
}
