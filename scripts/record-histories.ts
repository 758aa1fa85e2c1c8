// Records histories of the current workflows into test/fixtures/histories (`npm run record-histories -- v3`),
// so that test/replay.test.ts checks every later change against them. Run it before changing a workflow.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { AirbyteAdminClient, jobOwnerWorkflowId, secretsFromMap, tenantWorkflowId } from '../src';
import { AirbyteTestEnvironment } from '../src/testing';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const prefix = process.argv[2] ?? 'current';
const fast = { poll: { initialInterval: '100ms', maxInterval: '100ms' }, retry: { initialInterval: '100ms', maximumInterval: '500ms' } } as const;

async function main(): Promise<void> {
  const env = await AirbyteTestEnvironment.start({
    dbt: {
      projectDir: resolve('test/fixtures/dbt-project'),
      env: { DBT_DUCKDB_PATH: join(mkdtempSync(join(tmpdir(), 'record-')), 'warehouse.duckdb') },
    },
    secrets: secretsFromMap({ 'acme/source': { password: 'recorded-secret' } }),
  });
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
    // A long job: the owner continues-as-new (its last run is recorded).
    const long = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    const d = await env.syncs.startSync({ connectionId: long.connectionId, ...fast, historyBound: 50 });
    await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 20, 60_000);
    env.mock.finishJob(env.mock.jobs({ connectionId: long.connectionId })[0]!.jobId, 'succeeded');
    await d.result();
    await save(jobOwnerWorkflowId(long.connectionId), 'owner-continued');
    // A sync gating dbt, and a failFast pipeline.
    const src = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }], streams: [{ name: 'customers', records: 3, bytes: 90 }] } });
    const dbt = await env.syncs.startPipeline({
      name: 'record-dbt',
      steps: [
        { id: 'extract', kind: 'sync', connectionId: src.connectionId, poll: fast.poll },
        { id: 'transform', kind: 'dbt', command: 'build', selectSyncedStreams: '{stream}+', dependsOn: ['extract'] },
      ],
    });
    await dbt.result();
    await save(dbt.workflowId, 'pipeline-dbt');
    // The same failFast pipeline with child syncs, and with its syncs inline (as a wide one runs them: the owners
    // signal the pipeline).
    for (const [syncSteps, fixture] of [['child', 'pipeline-failfast'], ['inline', 'pipeline-inline']] as const) {
      const ok = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
      const bad = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 200 }], outcome: 'failed' } });
      const ff = await env.syncs.startPipeline({
        name: `record-${fixture}`,
        ...(syncSteps === 'inline' && { syncSteps }),
        steps: [
          { id: 'ok', kind: 'sync', connectionId: ok.connectionId, poll: fast.poll },
          { id: 'bad', kind: 'sync', connectionId: bad.connectionId, poll: fast.poll },
        ],
      });
      await ff.result().catch(() => undefined);
      await save(ff.workflowId, fixture);
      if (syncSteps === 'inline') {
        // An owner a wide pipeline's step joined by signal.
        await env.client.workflow.getHandle(jobOwnerWorkflowId(bad.connectionId)).result();
        await save(jobOwnerWorkflowId(bad.connectionId), 'owner-joined-by-signal');
      }
    }
    // A tenant onboarded (with its first sync), then offboarded; one management call.
    const admin = new AirbyteAdminClient({ temporal: env.client, taskQueue: env.taskQueue });
    await admin.onboardTenant({
      tenantId: 'acme',
      source: { configuration: { sourceType: 'postgres', host: 'db.acme.example' }, secretRef: 'acme/source' },
      destination: { configuration: { destinationType: 'e2e-test' } },
      connection: { streams: [{ name: 'customers' }] },
      firstSync: fast,
    });
    await save(tenantWorkflowId('acme'), 'tenant-onboard');
    await save(`${tenantWorkflowId('acme')}/first-sync`, 'tenant-first-sync');
    const offboard = await admin.offboardTenant({ tenantId: 'acme' });
    if (offboard.deleted.length !== 4) throw new Error(`offboarding deleted ${offboard.deleted.length} objects`);
    await save(tenantWorkflowId('acme'), 'tenant-offboard');
    // A connection with history, watched with webhooks: a slow safety poll, ended by a hint (a webhook's signal).
    const hooked = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 1_500 }], streams: [{ name: 'users', records: 2, bytes: 20 }] } });
    await env.syncs.syncAndWait({ connectionId: hooked.connectionId, ...fast });
    env.mock.setScript(hooked.connectionId, { phases: [{ status: 'running', ms: Infinity }], streams: [{ name: 'users', records: 3, bytes: 30 }] });
    const hinted = await env.syncs.startSync({ connectionId: hooked.connectionId, poll: { webhooks: true } });
    await env.mock.waitFor(() => env.mock.jobs({ connectionId: hooked.connectionId }).length === 2);
    env.mock.finishJob(env.mock.jobs({ connectionId: hooked.connectionId })[1]!.jobId, 'succeeded');
    for (let checked = false; !checked; ) checked = await env.syncs.checkNow(hinted.workflowId);
    await hinted.result();
    await save(hinted.workflowId, 'sync-webhooks');
    await save(jobOwnerWorkflowId(hooked.connectionId), 'owner-hinted');
  } finally {
    await env.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
