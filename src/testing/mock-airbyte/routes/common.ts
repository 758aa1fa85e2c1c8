import { BadInput, type Reply } from '../problems';
import type { QueryParams } from '../types';

// What every route needs: the call, reading the query and body, and one page of a list.

export interface ApiCall {
  method: string;
  path: string; // relative to the API base
  query: QueryParams;
  body: unknown;
  baseUrl: string; // absolute URL of the base the call came in on, for `next`/`previous` links
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const noContent: Reply = { status: 204 };

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const first = (query: QueryParams, name: string) => [query[name] ?? []].flat()[0];

/** An empty filter lets everything through. */
export const anyOf = (wanted: string[] = [], ...values: string[]) => wanted.length === 0 || values.some((value) => wanted.includes(value));

/** Array parameters may repeat (`?a=1&a=2`) or be comma-separated (`?a=1,2`). */
export const list = (query: QueryParams, name: string) =>
  [query[name] ?? []].flat().flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);

export function int(query: QueryParams, name: string, fallback: number, min: number, max: number): number {
  const raw = first(query, name) ?? '';
  if (raw === '') return fallback;
  if (!/^\d+$/.test(raw) || +raw < min || +raw > max) throw new BadInput(`${name} must be an integer from ${min} to ${max}.`);
  return +raw;
}

export function bool(query: QueryParams, name: string): boolean {
  const raw = (first(query, name) ?? '').toLowerCase();
  if (raw !== '' && raw !== 'true' && raw !== 'false') throw new BadInput(`${name} must be true or false.`);
  return raw === 'true';
}

/** Date filters take ISO-8601 or epoch milliseconds (the spec's examples use the latter). */
export function time(query: QueryParams, name: string): number | undefined {
  const raw = first(query, name) ?? '';
  const value = raw === '' ? undefined : /^\d+$/.test(raw) ? +raw : Date.parse(raw);
  if (Number.isNaN(value)) throw new BadInput(`${name} must be a date-time.`);
  return value;
}

/** An enum value as Airbyte binds one: any case, one of `allowed`; undefined when absent. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  const lower = typeof value === 'string' ? value.toLowerCase() : value;
  if (!allowed.includes(lower as T)) throw new BadInput(`${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`);
  return lower as T;
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new BadInput('The body must be a JSON object.');
  return body;
}

export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadInput(`${name} must be a string.`);
  return value;
}

export function requiredString(body: Record<string, unknown>, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined) throw new BadInput(`${name} is required.`);
  return value;
}

export function requiredObject(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = body[name];
  if (!isRecord(value)) throw new BadInput(`${name} is required (an object).`);
  return value;
}

/**
 * One page plus links, as Airbyte's PaginationMapper builds them: `next` whenever the page has items (even a
 * short last one), `previous` whenever offset > 0, and otherwise "" (an empty string is still sent). Only the
 * filters in `keep` survive into the links, and since both links come from one UriBuilder, a `previous` built
 * after a `next` carries `limit` twice.
 */
export function page(items: unknown[], call: ApiCall, resource: string, keep: [string, string | undefined][] = []): Reply {
  const limit = int(call.query, 'limit', 20, 1, 100);
  const offset = int(call.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const data = items.slice(offset, offset + limit);
  const params = keep.flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${encodeURIComponent(value)}`]));
  const link = (at: number, limits: number) =>
    `${call.baseUrl}${resource}?${[...params, ...Array<string>(limits).fill(`limit=${limit}`), `offset=${at}`].join('&')}`;
  const next = data.length > 0 ? link(offset + limit, 1) : '';
  const previous = offset > 0 ? link(Math.max(0, offset - limit), data.length > 0 ? 2 : 1) : '';
  return ok({ next, previous, data });
}

/** The workspaceIds filter as the links carry it: comma-joined, left out when empty. */
export const joined = (values: string[]) => (values.length > 0 ? values.join(',') : undefined);
