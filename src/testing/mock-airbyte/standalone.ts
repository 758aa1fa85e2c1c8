import { parseArgs } from 'node:util';
import { MockAirbyteServer } from './server';
import type { MockConnectionScript } from './types';

// Runs the mock as a process, to try a client or the demo against it by hand:
//   npx tsx src/testing/mock-airbyte/standalone.ts --port 8000 --connections 3 --running-ms 5000

const USAGE =
  'Usage: mock-airbyte [--port N (8000)] [--host H (127.0.0.1)] [--connections N (3)] [--running-ms N] [--failing N] [--slow N] [--incomplete N] [--client-id ID] [--client-secret SECRET]';

/** Connections whose jobs end badly or late, to try a client's failure paths by hand. */
const SCRIPTED = {
  failing: { phases: [{ status: 'pending', ms: 20 }, { status: 'running', ms: 2_000 }], outcome: 'failed', failureMessage: 'Source connector failed: invalid credentials' },
  slow: { phases: [{ status: 'pending', ms: 20 }, { status: 'running', ms: 10 * 60_000 }] },
  // An attempt fails and Airbyte retries it: the job is `incomplete` for a while, then succeeds.
  incomplete: { phases: [{ status: 'running', ms: 1_500 }, { status: 'incomplete', ms: 1_500 }, { status: 'running', ms: 1_500 }], failureMessage: 'Connection reset by peer' },
} as const satisfies Record<string, MockConnectionScript>;

/** Starts a mock server with demo connections, prints how to reach it and keeps running until closed. */
export async function runStandalone(argv: string[]): Promise<MockAirbyteServer> {
  const string = { type: 'string' } as const;
  let values: Partial<Record<'port' | 'host' | 'connections' | 'running-ms' | 'failing' | 'slow' | 'incomplete' | 'client-id' | 'client-secret', string>>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: string, host: string, connections: string, 'running-ms': string, failing: string, slow: string, incomplete: string, 'client-id': string, 'client-secret': string },
    }));
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : 'Bad arguments'}. ${USAGE}`, { cause: err });
  }
  const count = (name: keyof typeof values, fallback: number) => {
    const raw = values[name] ?? String(fallback);
    if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer. ${USAGE}`);
    return Number(raw);
  };
  const runningMs = values['running-ms'] === undefined ? undefined : count('running-ms', 0);
  const server = await MockAirbyteServer.start({
    port: count('port', 8000),
    host: values.host ?? '127.0.0.1',
    // Fixed credentials let a worker in another process (docker-compose) be configured ahead of time.
    auth: { clientId: values['client-id'], clientSecret: values['client-secret'] },
    ...(runningMs !== undefined && { defaultScript: { phases: [{ status: 'pending', ms: 20 }, { status: 'running', ms: runningMs }] } }),
  });
  const connections = Array.from({ length: count('connections', 3) }, (_, i) => server.addConnection({ name: `demo-connection-${i + 1}` }));
  for (const kind of ['failing', 'slow', 'incomplete'] as const) {
    for (let i = 0; i < count(kind, 0); i++) connections.push(server.addConnection({ name: `${kind}-connection-${i + 1}`, script: SCRIPTED[kind] }));
  }
  console.log(
    [
      `Mock Airbyte listening on ${server.origin}`,
      `  public API:    ${server.publicApiUrl}  (also ${server.cloudStyleUrl})`,
      `  config API:    ${server.configApiUrl}`,
      `  client id:     ${server.credentials?.clientId ?? '(no auth)'}`,
      `  client secret: ${server.credentials?.clientSecret ?? '(no auth)'}`,
      `  workspace:     ${server.defaultWorkspaceId}`,
      ...connections.map((c) => `  connection:    ${c.connectionId}  ${c.name}`),
    ].join('\n'),
  );
  return server;
}

if (require.main === module) {
  runStandalone(process.argv.slice(2)).then(
    (server) => {
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop).once('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
