import { isTerminal } from '../lib/judge';
import type { Scenario } from '../lib/types';

export const temporalOutageScenarios: Scenario[] = [
  {
    name: 'dev-server-restart',
    summary: 'the Temporal dev server is SIGKILLed mid-wait and restarted on the same database once the jobs ended',
    syncs: { small: 3, full: 12 },
    // It kills the dev server every scenario shares: it runs alone.
    exclusive: true,
    script: (index) => ({
      phases: [
        { status: 'pending', ms: 100 },
        { status: 'running', ms: 4_000 },
      ],
      rowsSynced: 3_000 + index * 11,
    }),
    fault: async (ctx) => {
      await ctx.started;
      await ctx.until(() => ctx.everyJob((j) => j.status === 'running'), 'every job running');
      await ctx.devServer.stop();
      ctx.note('dev server SIGKILLed');
      await ctx.until(() => ctx.everyJob((j) => isTerminal(j.status)), 'every job ended');
      ctx.note('every job ended on Airbyte');
      await ctx.devServer.start();
      ctx.note('dev server serving again');
    },
  },
];
