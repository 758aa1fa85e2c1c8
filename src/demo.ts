import { DefaultLogger, Runtime } from '@temporalio/worker';
import { AirbyteTestEnvironment } from './testing/test-environment';

/**
 * The embedded default: a Temporal dev server with its Web UI, the mock Airbyte with one connection, a
 * worker, and one sync through the client, exactly as a service would run it.
 */
export async function runDemo(options: { stay: boolean; uiPort?: number }): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the demo's own lines, not the worker's chatter
  console.log('starting a Temporal dev server, the mock Airbyte server and a worker ...');
  const env = await AirbyteTestEnvironment.start({ temporal: { ui: true, uiPort: options.uiPort } });
  try {
    const { connectionId } = env.mock.addConnection({
      name: 'Stripe -> Warehouse',
      script: {
        phases: [
          { status: 'pending', ms: 500 },
          { status: 'running', ms: 3_000 },
        ],
        streams: [
          { name: 'customers', records: 1_250, bytes: 512_000 },
          { name: 'invoices', records: 4_800, bytes: 2_048_000 },
        ],
      },
    });
    const handle = await env.syncs.startSync({ connectionId, poll: { initialInterval: '1s', maxInterval: '5s' } });
    console.log(`Temporal UI:   ${env.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`);
    console.log(`Mock Airbyte:  ${env.mock.publicApiUrl}`);
    console.log(`syncing connection ${connectionId} (workflow ${handle.workflowId}) ...`);
    const result = await env.syncs.result(handle.workflowId);
    console.log(JSON.stringify(result, null, 2));
    console.log(`sync ${result.status}: job ${result.jobId}, ${result.rowsSynced} rows, ${result.bytesSynced} bytes`);
    if (options.stay) {
      console.log(`keeping everything up for the UI at ${env.uiUrl}; Ctrl-C to stop`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await env.close();
  }
}
