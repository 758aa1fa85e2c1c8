import type { Scenario } from '../lib/types';

const JOB = (index: number) => ({
  phases: [
    { status: 'pending', ms: 100 },
    { status: 'running', ms: 4_000 },
  ],
  rowsSynced: 3_000 + index * 11,
});

export const webhookScenarios: Scenario[] = [
  {
    name: 'webhooks-faulty-and-crash',
    summary:
      "syncs wait on Airbyte's webhooks (each connection has one past job): the worker, receiver inside, is SIGKILLed and restarted while the jobs run; " +
      "then one job's webhook is lost, one duplicated, one late, and a forged failure names another's running job",
    syncs: { small: 4, full: 8 },
    webhooks: true,
    history: 1,
    script: JOB,
    input: { poll: { webhooks: true } },
    fault: async (ctx) => {
      const [lost, duplicated, late, forged] = ctx.plans;
      if (lost) ctx.mock.injectWebhookFault({ kind: 'lost', connectionId: lost.connectionId, times: 1 });
      if (duplicated) ctx.mock.injectWebhookFault({ kind: 'duplicate', connectionId: duplicated.connectionId, times: 1 });
      if (late) ctx.mock.injectWebhookFault({ kind: 'late', ms: 3_000, connectionId: late.connectionId, times: 1 });
      await ctx.started;
      await ctx.until(() => ctx.everyJob((j) => j.status === 'running'), 'every sync job running'); // the history jobs have ended
      await ctx.worker.kill('SIGKILL');
      ctx.note('worker (and its webhook receiver) SIGKILLed');
      await ctx.worker.start();
      ctx.note('new worker and receiver ready');
      const job = forged && ctx.jobsOf(forged).at(-1);
      if (forged && job && ctx.webhookUrl) {
        // Anyone who learnt the URL can say a running job failed: a hint, which the owner checks with Airbyte.
        const delivery = await ctx.mock.sendForgedWebhook(ctx.webhookUrl, ctx.mock.forgeWebhookBody({ connectionId: forged.connectionId, jobId: job.jobId, success: false }));
        ctx.note(`forged a failure webhook for job #${job.jobId}: answered ${delivery.status}`);
      }
    },
  },
];
