import type { Duration } from '@temporalio/common';
import ms, { type StringValue } from 'ms';
import { define, refine, validate, type Failure, type Struct } from 'superstruct';

// Checks shared by the inputs every workflow checks in its sandbox (sync input, pipeline definition, tenant input).
// superstruct, not zod: the sandbox evaluates its bundle's modules again for each workflow, and zod's cost 0.5-0.8 MB
// and 5-10 ms per workflow there (bench section 3); superstruct's is too small to measure. Leaf checks return
// their own message, so what a user reads does not depend on the library's wording.

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ten years: longer durations are mistakes, and past ~285,000 years `new Date()` throws inside the workflow. */
export const MAX_DURATION_MS = 10 * 365.25 * 24 * 3_600_000; // '10y' as Temporal's duration parser counts years

export const DURATION_MESSAGE = 'must be a positive duration such as 30s, 5m or 1h, at most 10 years';

/** Instance names as the worker accepts them; short, since they go into workflow ids and search attributes. */
export const INSTANCE_NAME = /^[A-Za-z0-9][\w.-]{0,99}$/;
export const INSTANCE_MESSAGE = 'must be an instance name: letters, digits, ".", "_" or "-", at most 100 characters';

/** Milliseconds of a Temporal duration (`'30s'`, `'1h'`, or a number of ms), or undefined if it is not a positive one. */
export function positiveMs(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    // `ms`, the parser Temporal's own msToNumber uses (same version), not @temporalio/common: this module is shared
    // by every workflow of a worker (workflow-bundle-options.ts), and Temporal's modules must not be.
    const millis = typeof value === 'number' ? value : ms(value as StringValue);
    return Number.isFinite(millis) && millis > 0 && millis <= MAX_DURATION_MS ? millis : undefined;
  } catch {
    return undefined;
  }
}

/** What a value is, in the words of the messages ("received number"). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}

const expected = (what: string, value: unknown) => `Invalid input: expected ${what}, received ${kindOf(value)}`;

/** A problem found in a value, by where it is. */
type Rule<T> = (value: T) => string | undefined;

/** A string, then each rule in turn. */
export const str = (...rules: Rule<string>[]): Struct<string, null> =>
  define<string>('string', (value) => (typeof value !== 'string' ? expected('string', value) : (firstProblem(value, rules) ?? true)));

/** A finite number, then each rule in turn. */
export const num = (...rules: Rule<number>[]): Struct<number, null> =>
  define<number>('number', (value) => (typeof value !== 'number' || !Number.isFinite(value) ? expected('number', value) : (firstProblem(value, rules) ?? true)));

export const bool = (): Struct<boolean, null> => define<boolean>('boolean', (value) => typeof value === 'boolean' || expected('boolean', value));

/** One of the given values. */
export const oneOf = <T extends string>(values: readonly T[], message = `Invalid option: expected one of ${values.map((v) => JSON.stringify(v)).join('|')}`): Struct<T, null> =>
  define<T>('enum', (value) => (values as readonly unknown[]).includes(value) || message);

/** A duration kept as written (`'30s'` or milliseconds): definitions are stored and passed on as they are. */
export const duration = (): Struct<Duration, null> =>
  define<Duration>('duration', (value) => positiveMs(value) !== undefined || `${DURATION_MESSAGE} (got ${JSON.stringify(value) ?? String(value)})`);

/** A whole number within bounds. */
export const whole = (min: number, max: number, message = `must be a whole number from ${fmt(min)} to ${fmt(max)}`): Struct<number, null> =>
  num((n) => (Number.isInteger(n) && n >= min && n <= max ? undefined : message));

export const maxLength = (max: number): Rule<string> => (s) => (s.length > max ? `must be at most ${fmt(max)} characters` : undefined);
export const notEmpty: Rule<string> = (s) => (s.length === 0 ? 'must not be empty' : undefined);
export const matches = (pattern: RegExp, message: string): Rule<string> => (s) => (pattern.test(s) ? undefined : message);

/** An array of at most `max` entries (`min` at least). */
export function sized<T>(struct: Struct<T[], Struct<T>>, max: number, min = 0, tooFew = `must have at least ${fmt(min)} entries`): Struct<T[], Struct<T>> {
  return refine(struct, 'size', (list) => (list.length > max ? `must have at most ${fmt(max)} entries` : list.length < min ? tooFew : true));
}

function firstProblem<T>(value: T, rules: Rule<T>[]): string | undefined {
  for (const rule of rules) {
    const problem = rule(value);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** 1,000 rather than 1000 (no Intl: the same text in the client and the workflow sandbox). */
export function fmt(n: number): string {
  const digits = String(n);
  if (!/^\d+$/.test(digits)) return digits;
  let out = '';
  for (let i = 0; i < digits.length; i++) out += (i > 0 && (digits.length - i) % 3 === 0 ? ',' : '') + digits[i];
  return out;
}

export interface Problem {
  path: (string | number)[];
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/**
 * Every problem of `value` against `struct`, or the value. Unknown fields of an object are one problem at the
 * object ("Unrecognized key"); a wrong type reads "Invalid input: expected string, received number".
 */
export function checkShape<T, S>(value: unknown, struct: Struct<T, S>): Checked<T> {
  const [error, valid] = validate(value, struct);
  if (!error) return { ok: true, value: valid };
  const problems: Problem[] = [];
  // One problem per object for its unknown keys, where the first one was found.
  const unknown = new Map<string, { problem: Problem; keys: string[] }>();
  for (const failure of error.failures()) {
    const path = failure.path as (string | number)[];
    if (failure.type !== 'never') {
      problems.push({ path, message: messageOf(failure) });
      continue;
    }
    const objectPath = path.slice(0, -1);
    const at = JSON.stringify(objectPath);
    let entry = unknown.get(at);
    if (!entry) {
      entry = { problem: { path: objectPath, message: '' }, keys: [] };
      unknown.set(at, entry);
      problems.push(entry.problem);
    }
    entry.keys.push(String(failure.key));
    entry.problem.message = `Unrecognized key${entry.keys.length > 1 ? 's' : ''}: ${entry.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  return { ok: false, problems };
}

/** superstruct's own messages ("Expected an object, but received: 1") in the words of ours. */
function messageOf(failure: Failure): string {
  if (failure.refinement === undefined && failure.message.startsWith('Expected ')) return expected(failure.type, failure.value);
  return failure.message;
}
