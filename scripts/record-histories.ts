// Records histories of the current workflows into test/fixtures/histories (`npm run record-histories -- v3`),
// so that test/replay.test.ts checks every later change against them. Run it before changing a workflow.
import { writeFileSync } from 'node:fs';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { jobOwnerWorkflowId } from '../src';
import { AirbyteTestEnvironment } from '../src/testing';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const prefix = process.argv[2] ?? 'current';
const fast = { poll: { initialInterval: '100ms', maxInterval: '100ms' }, retry: { initialInterval: '100ms', maximumInterval: '500ms' } } as const;

async function main(): Promise<void> {
  const env = await AirbyteTestEnvironment.start();
  const save = async (workflowId: string, name: string) => {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    writeFileSync(`test/fixtures/histories/${prefix}-${name}.json`, JSON.stringify({ workflowId, history }));
  };
  try {
    // Two syncs share a job, one is cancelled; a reset queues behind them.
    const shared = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], streams: [{ name: 'users', records: 5, bytes: 50 }] } });
    const a = await env.syncs.startSync({ connectionId: shared.connectionId, ...fast });
    const b = await env.syncs.startSync({ connectionId: shared.connectionId, ...fast, timeout: '1h' });
    await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 2);
    const reset = await env.syncs.startSync({ connectionId: shared.connectionId, ...fast, jobType: 'reset' });
    await a.cancel();
    await a.result().catch(() => undefined);
    env.mock.finishJob(env.mock.jobs({ connectionId: shared.connectionId })[0]!.jobId, 'succeeded');
    await b.result();
    await env.mock.waitFor(() => env.mock.jobs({ connectionId: shared.connectionId }).length === 2);
    env.mock.finishJob(env.mock.jobs({ connectionId: shared.connectionId })[1]!.jobId, 'succeeded');
    await reset.result();
    await env.client.workflow.getHandle(jobOwnerWorkflowId(shared.connectionId)).result();
    await save(a.workflowId, 'sync-cancelled-shared');
    await save(b.workflowId, 'sync-succeeded');
    await save(reset.workflowId, 'reset-queued');
    await save(jobOwnerWorkflowId(shared.connectionId), 'owner');
    // A sole waiter cancelled: the owner cancels the job.
    const alone = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    const c = await env.syncs.startSync({ connectionId: alone.connectionId, ...fast });
    await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 5);
    await c.cancel();
    await c.result().catch(() => undefined);
    await env.client.workflow.getHandle(jobOwnerWorkflowId(alone.connectionId)).result();
    await save(jobOwnerWorkflowId(alone.connectionId), 'owner-cancelled');
  } finally {
    await env.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
