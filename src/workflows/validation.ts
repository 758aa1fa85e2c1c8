import { msToNumber, type Duration } from '@temporalio/common';
import { z } from 'zod';

// Checks shared by the sync input and the pipeline definition (both run in the workflow sandbox too).

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ten years: longer durations are mistakes, and past ~285,000 years `new Date()` throws inside the workflow. */
export const MAX_DURATION_MS = 10 * 365.25 * 24 * 3_600_000; // '10y' as Temporal's duration parser counts years

export const DURATION_MESSAGE = 'must be a positive duration such as 30s, 5m or 1h, at most 10 years';

/** Instance names as the worker accepts them; short, since they go into workflow ids and search attributes. */
export const INSTANCE_NAME = /^[A-Za-z0-9][\w.-]{0,99}$/;

/** Milliseconds of a Temporal duration (`'30s'`, `'1h'`, or a number of ms), or undefined if it is not a positive one. */
export function positiveMs(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    const ms = msToNumber(value as Duration);
    return Number.isFinite(ms) && ms > 0 && ms <= MAX_DURATION_MS ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** A duration kept as written (for definitions stored and passed on as they are). */
export const durationSchema = z.union([z.number(), z.string()]).refine((value) => positiveMs(value) !== undefined, DURATION_MESSAGE);

export const pollSchema = z
  .object({ initialInterval: durationSchema.optional(), maxInterval: durationSchema.optional(), latenessRatio: z.number().positive().max(10).optional() })
  .strict();
