import type { Scenario } from '../lib/types';

/** How long Airbyte stays unreachable in these scenarios. */
const OUTAGE_MS = 20_000;

export const airbyteOutageScenarios: Scenario[] = [
  {
    name: 'airbyte-refused',
    summary: `every connection to Airbyte is reset for ${OUTAGE_MS / 1000} s while the jobs run (and end)`,
    syncs: { small: 3, full: 12 },
    fault: async (ctx) => {
      await ctx.started;
      await ctx.until(() => ctx.everyJob((j) => j.status === 'running'), 'every job running');
      ctx.note('gate: refuse');
      await ctx.gate.hold('refuse', OUTAGE_MS);
      ctx.note('gate: open');
    },
  },
  {
    name: 'airbyte-blackholed',
    summary: `Airbyte stops answering (black hole) for ${OUTAGE_MS / 1000} s, from the moment the first job is created: that create's answer is lost`,
    syncs: { small: 3, full: 12 },
    fault: async (ctx) => {
      // Switched from the mock's own 'job' event, before it writes the answer to POST /jobs.
      await new Promise<void>((resolve) =>
        ctx.mock.once('job', () => {
          ctx.gate.blackhole();
          resolve();
        }),
      );
      ctx.note('gate: blackhole (first job created, its answer swallowed)');
      await ctx.outage(OUTAGE_MS);
      ctx.gate.open();
      ctx.note('gate: open');
    },
  },
  {
    name: 'cancel-while-refused',
    summary: `the syncs are cancelled while Airbyte refuses connections (${OUTAGE_MS / 1000} s); the jobs must be cancelled once it is back`,
    syncs: { small: 2, full: 8 },
    expect: 'cancelled',
    script: () => ({ phases: [{ status: 'running', ms: Infinity }] }),
    fault: async (ctx) => {
      await ctx.started;
      await ctx.until(() => ctx.everyJob((j) => j.status === 'running'), 'every job running');
      ctx.gate.refuse();
      ctx.note('gate: refuse');
      await Promise.all(ctx.workflowIds.map((id) => ctx.syncs.cancel(id)));
      ctx.note('every workflow cancelled through the client');
      await ctx.outage(OUTAGE_MS);
      ctx.gate.open();
      ctx.note('gate: open');
    },
  },
];
