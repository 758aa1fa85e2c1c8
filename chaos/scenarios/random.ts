import type { MockConnectionScript, MockFault } from '../../src/testing';
import type { Random } from '../lib/random';
import type { Scenario } from '../lib/types';

const JOB = /^\/jobs\/\d+$/;

/**
 * Faults drawn at random (seeded): each is one bad answer somewhere. Retry-After 0 is left to its own
 * scenario, so that this one says something about everything else.
 */
const FAULTS: ((rng: Random) => MockFault)[] = [
  (rng) => ({ method: 'POST', path: '/jobs', kind: 'status', status: rng.pick([500, 502, 503]) }),
  () => ({ method: 'POST', path: '/jobs', kind: 'status', status: 429, retryAfterSeconds: 1 }),
  () => ({ method: 'POST', path: '/jobs', kind: 'reset' }),
  // The job is created, the answer is lost: the create looks failed but landed.
  () => ({ method: 'POST', path: '/jobs', kind: 'handle-then-reset' }),
  // The job is created, the answer comes after createJobTimeoutMs (3 s).
  () => ({ method: 'POST', path: '/jobs', kind: 'handle-then-delay', ms: 3_500 }),
  () => ({ method: 'GET', path: '/jobs', kind: 'status', status: 500 }),
  (rng) => ({ method: 'GET', path: JOB, kind: 'status', status: rng.pick([500, 502, 503]) }),
  () => ({ method: 'GET', path: JOB, kind: 'reset' }),
  // Longer than requestTimeoutMs (2 s): the poll times out.
  () => ({ method: 'GET', path: JOB, kind: 'latency', ms: 2_500 }),
  () => ({ method: 'GET', path: JOB, kind: 'status', status: 429, retryAfterSeconds: 1 }),
  () => ({ method: 'POST', path: '/applications/token', kind: 'status', status: 503 }),
  () => ({ method: 'POST', path: '/config/jobs/get', kind: 'status', status: 500 }),
];

function randomScript(index: number, rng: Random): MockConnectionScript {
  const rowsSynced = 10_000 + index * 13 + rng.int(0, 9);
  const roll = rng.next();
  const outcome = roll < 0.8 ? 'succeeded' : roll < 0.9 ? 'failed' : 'cancelled';
  return {
    phases: [
      { status: 'pending', ms: rng.int(0, 300) },
      ...(rng.chance(0.2) ? [{ status: 'queued', ms: rng.int(100, 500) }] : []),
      { status: 'running', ms: rng.int(500, 4_000) },
    ],
    outcome,
    rowsSynced,
    bytesSynced: rowsSynced * 80,
    ...(outcome === 'failed' ? { streams: [{ name: 'customers', records: rng.int(1, 500), bytes: 4_096 }] } : {}),
  };
}

export const randomScenarios: Scenario[] = [
  {
    name: 'concurrent-random',
    summary: 'many syncs at once (every third one started by two callers), random jobs (some fail or are cancelled on Airbyte), random bad answers, and a 1-3 s refusal at the gate',
    syncs: { small: 8, full: 60 },
    callers: (index) => (index % 3 === 0 ? 2 : 1),
    script: randomScript,
    deadlineMs: { small: 90_000, full: 180_000 },
    fault: async (ctx) => {
      const faults = Array.from({ length: 2 * ctx.plans.length }, () => ctx.rng.pick(FAULTS)(ctx.rng));
      for (const fault of faults) ctx.mock.injectFault(fault);
      ctx.note(`${faults.length} random faults armed: ${faults.map((f) => f.kind + ('status' in f ? ` ${f.status}` : '')).join(', ')}`);
      await ctx.started;
      await ctx.until(() => ctx.mock.jobs().some((j) => j.status === 'running'), 'a job running');
      const ms = ctx.rng.int(1_000, 3_000);
      ctx.note(`gate: refuse for ${ms} ms`);
      await ctx.gate.hold('refuse', ms);
      ctx.note('gate: open');
    },
  },
];
