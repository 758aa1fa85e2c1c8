import { AirbyteConfigError } from '../config';

/**
 * An id as a path segment. An empty or blank id is refused before any call: `DELETE /sources/` must never
 * reach a server that might read it as something else. Non-retryable (an AirbyteConfigError).
 */
export function idPath(what: string, id: string): string {
  if (typeof id !== 'string' || id.trim() === '') throw new AirbyteConfigError(`${what} must be a non-empty string`);
  return encodeURIComponent(id);
}

/** A job id or attempt number: a non-negative integer, refused otherwise before any call. */
export function nonNegativeInt(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new AirbyteConfigError(`${what} must be a non-negative integer`);
  return value;
}
