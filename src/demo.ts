import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { formatDuration, type Output } from './cli/io';
import { pipelineLine } from './cli/commands/syncs';
import { describePipelineResult, interruptedNote, watch } from './cli/watch';
import { AirbyteTestEnvironment } from './testing/test-environment';
import type { PipelineDefinition } from './workflows/pipeline/definition';

export interface DemoOptions {
  output: Output;
  /** Keep the dev server and its UI up after the run, until Ctrl-C. */
  stay: boolean;
  uiPort?: number;
}

/** The demo's dbt project: in the package, next to lib/. */
const DEMO_DBT_PROJECT = join(__dirname, '..', 'examples', 'demo-dbt');
const POLL = { initialInterval: '1s', maxInterval: '2s' } as const;

const PIPELINE: PipelineDefinition = {
  name: 'demo-revenue',
  steps: [
    { id: 'stripe', kind: 'sync', connection: 'Stripe -> Warehouse', poll: POLL },
    { id: 'hubspot', kind: 'sync', connection: 'HubSpot -> Warehouse', poll: POLL },
    { id: 'transform', kind: 'dbt', command: 'build', dependsOn: ['stripe', 'hubspot'] },
    { id: 'reverse-etl', kind: 'sync', connection: 'Warehouse -> Salesforce', dependsOn: ['transform'], poll: POLL },
  ],
};

/**
 * The embedded default: a Temporal dev server with its Web UI, the mock Airbyte with three connections, a
 * worker, and one pipeline through the client, as a service would run it: two syncs in parallel, a dbt
 * build once both landed, then a downstream (reverse-ETL) sync.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const { output } = options;
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the demo's own lines, not the worker's chatter
  const started = Date.now();
  output.note('temporal-airbyte demo: everything runs on this machine; nothing reaches a real Airbyte.');
  output.note('  starting a Temporal dev server with its Web UI, the mock Airbyte and a worker ...');
  const env = await AirbyteTestEnvironment.start({
    temporal: { ui: true, uiPort: options.uiPort },
    dbt: { projectDir: DEMO_DBT_PROJECT, env: { DBT_DUCKDB_PATH: join(mkdtempSync(join(tmpdir(), 'temporal-airbyte-demo-')), 'warehouse.duckdb') } },
  });
  try {
    const bundle = env.worker.options.workflowBundle ? 'prebuilt workflow bundle' : 'workflows bundled at start';
    output.note(`  Temporal ${env.temporal.address} (UI ${env.uiUrl}), mock Airbyte ${env.mock.publicApiUrl}`);
    output.note(`  worker on task queue '${env.taskQueue}' (${bundle}); ready in ${formatDuration(Date.now() - started)}`);
    const records = (name: string, n: number) => ({ name, records: n, bytes: n * 400 });
    env.mock.addConnection({ name: 'Stripe -> Warehouse', script: { phases: [{ status: 'pending', ms: 500 }, { status: 'running', ms: 3_000 }], streams: [records('customers', 1_250), records('invoices', 4_800)] } });
    env.mock.addConnection({ name: 'HubSpot -> Warehouse', script: { phases: [{ status: 'running', ms: 2_000 }], streams: [records('contacts', 3_100)] } });
    env.mock.addConnection({ name: 'Warehouse -> Salesforce', script: { phases: [{ status: 'running', ms: 1_500 }], streams: [records('revenue_by_customer', 3)] } });

    output.note(`  running pipeline '${PIPELINE.name}': stripe + hubspot in parallel -> dbt build -> reverse-etl`);
    const handle = await env.syncs.startPipeline(PIPELINE);
    const runUrl = `${env.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}/${handle.firstExecutionRunId}/timeline`;
    output.note(`  this run in the Temporal UI: ${runUrl}`);
    const watched = await watch(output, env.syncs.pipelineResult(handle.workflowId), async () => pipelineLine(await env.syncs.pipelineProgress(handle.workflowId)));
    if (watched.kind === 'interrupted') {
      interruptedNote(output, 'pipeline', handle.workflowId);
      return;
    }
    if (watched.kind === 'failed') throw watched.error;
    output.result(watched.value, () => describePipelineResult(watched.value));
    if (options.stay) {
      output.note(`\nThe Temporal UI stays up at ${runUrl}\nCtrl-C to stop everything (or run the demo with --exit).`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await env.close();
  }
}
