import type { MockFault } from '../../src/testing';
import type { Scenario, ScenarioContext } from '../lib/types';

/** Every endpoint a sync uses, so that a storm hits the create, the polls, the report and the token alike. */
const ENDPOINTS: { method: string; path: string | RegExp }[] = [
  { method: 'POST', path: '/applications/token' },
  { method: 'POST', path: '/jobs' },
  { method: 'GET', path: '/jobs' },
  { method: 'GET', path: /^\/jobs\/\d+$/ },
  { method: 'POST', path: '/config/jobs/get' },
];

/** `perSync` bad answers per sync and endpoint, `answer` picking each one's status. */
function storm(ctx: ScenarioContext, perSync: number, answer: (i: number) => Extract<MockFault, { kind: 'status' }>): number {
  let armed = 0;
  for (const endpoint of ENDPOINTS) {
    for (let i = 0; i < perSync * ctx.plans.length; i++, armed++) ctx.mock.injectFault({ ...endpoint, ...answer(i) });
  }
  return armed;
}

export const stormScenarios: Scenario[] = [
  {
    name: 'storm-429-retry-after-0',
    summary: 'Airbyte answers 429 with `Retry-After: 0` to the next 3 calls per sync on every endpoint (token, create, list, poll, report)',
    syncs: { small: 3, full: 12 },
    deadlineMs: { full: 180_000 },
    knownIssue: 'a Retry-After of 0 must mean "retry now": a nextRetryDelay of 0 ends the activity retries',
    fault: async (ctx) => {
      const armed = storm(ctx, 3, () => ({ kind: 'status', status: 429, retryAfterSeconds: 0 }));
      ctx.note(`${armed} x 429 Retry-After: 0 armed`);
      await ctx.started;
    },
  },
  {
    name: 'storm-5xx',
    summary: 'Airbyte answers 500, 502, 503 or 504 to the next 3 calls per sync on every endpoint (token, create, list, poll, report)',
    syncs: { small: 3, full: 12 },
    // Every unanswered create is followed by the create grace (5 s here) before the next: slow by design.
    deadlineMs: { full: 180_000 },
    fault: async (ctx) => {
      const statuses = [500, 502, 503, 504];
      const armed = storm(ctx, 3, (i) => ({ kind: 'status', status: statuses[i % statuses.length] ?? 500 }));
      ctx.note(`${armed} x 5xx armed`);
      await ctx.started;
    },
  },
];
