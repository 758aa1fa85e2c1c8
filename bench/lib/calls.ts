// Airbyte calls as the mock recorded them, by endpoint and by the connection they were for.
import type { MockAirbyteServer, RecordedRequest } from '../../src/testing';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** 'GET /jobs/3' -> 'GET /jobs/{id}'. */
export function endpointOf(r: RecordedRequest): string {
  const path = r.path.replace(/\/\d+(?=\/|$)/g, '/{id}').replace(new RegExp(UUID.source, 'gi'), '{id}');
  return `${r.method} ${path}`;
}

export const TOKEN_ENDPOINT = 'POST /applications/token';
export const POLL_ENDPOINT = 'GET /jobs/{id}';

const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);

/** The connection a request was for, when it names one (directly, or through a job id). */
export function connectionOf(mock: MockAirbyteServer, r: RecordedRequest): string | undefined {
  const direct = [r.query.connectionId, field(r.body, 'connectionId'), UUID.exec(r.path)?.[0]].find((v): v is string => typeof v === 'string');
  if (direct) return direct;
  const jobId = Number(/\/jobs\/(\d+)/.exec(r.path)?.[1] ?? field(r.body, 'id') ?? field(r.body, 'jobId'));
  return Number.isInteger(jobId) ? mock.job(jobId)?.connectionId : undefined;
}

/** Calls per endpoint, for the given connections only, from `since` (a mock clock time) on. */
export function callsFor(mock: MockAirbyteServer, connectionIds: ReadonlySet<string>, since = 0): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of mock.requests) {
    if (r.time < since) continue;
    const endpoint = endpointOf(r);
    if (endpoint !== TOKEN_ENDPOINT) {
      const c = connectionOf(mock, r);
      if (c === undefined || !connectionIds.has(c)) continue;
    }
    counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
  }
  return counts;
}
