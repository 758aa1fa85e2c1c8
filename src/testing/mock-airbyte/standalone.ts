import { parseArgs } from 'node:util';
import { UUID } from '../../workflows/validation';
import { MockAirbyteServer } from './server';
import type { MockConnectionScript } from './types';

// Runs the mock as a process, to try a client or the demo against it by hand:
//   npx tsx src/testing/mock-airbyte/standalone.ts --port 8000 --connections 3 --running-ms 5000

const USAGE =
  'Usage: mock-airbyte [--port N (8000)] [--host H (127.0.0.1)] [--connections N (3)] [--running-ms N] [--failing N] [--slow N] [--incomplete N] [--client-id ID] [--client-secret SECRET] [--connection-id UUID]...';

const string = { type: 'string' } as const;
const OPTIONS = {
  port: string,
  host: string,
  connections: string,
  'running-ms': string,
  failing: string,
  slow: string,
  incomplete: string,
  'client-id': string,
  'client-secret': string,
  // Repeatable: the ids of the connections in the order they are made (the succeeding ones, then failing, slow, incomplete).
  'connection-id': { type: 'string', multiple: true },
} as const;

/** Connections whose jobs end badly or late, to try a client's failure paths by hand. */
const SCRIPTED = {
  failing: { phases: [{ status: 'pending', ms: 20 }, { status: 'running', ms: 2_000 }], outcome: 'failed', failureMessage: 'Source connector failed: invalid credentials' },
  slow: { phases: [{ status: 'pending', ms: 20 }, { status: 'running', ms: 10 * 60_000 }] },
  // An attempt fails and Airbyte retries it: the job is `incomplete` for a while, then succeeds.
  incomplete: { phases: [{ status: 'running', ms: 1_500 }, { status: 'incomplete', ms: 1_500 }, { status: 'running', ms: 1_500 }], failureMessage: 'Connection reset by peer' },
} as const satisfies Record<string, MockConnectionScript>;

/** Starts a mock server with demo connections, prints how to reach it and keeps running until closed. */
export async function runStandalone(argv: string[]): Promise<MockAirbyteServer> {
  const values = parse(argv);
  const count = (name: Exclude<keyof typeof values, 'connection-id'>, fallback: number) => {
    const raw = values[name] ?? String(fallback);
    if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer. ${USAGE}`);
    return Number(raw);
  };
  const runningMs = values['running-ms'] === undefined ? undefined : count('running-ms', 0);
  const kinds = (['failing', 'slow', 'incomplete'] as const).map((kind) => ({ kind, n: count(kind, 0) }));
  const succeeding = count('connections', 3);
  // Checked before listening, so a bad id never leaves a half-configured server behind.
  const ids = fixedIds(values['connection-id'] ?? [], succeeding + kinds.reduce((sum, k) => sum + k.n, 0));
  const server = await MockAirbyteServer.start({
    port: count('port', 8000),
    host: values.host ?? '127.0.0.1',
    // Fixed credentials let a worker in another process (docker-compose) be configured ahead of time.
    auth: { clientId: values['client-id'], clientSecret: values['client-secret'] },
    ...(runningMs !== undefined && { defaultScript: { phases: [{ status: 'pending', ms: 20 }, { status: 'running', ms: runningMs }] } }),
  });
  const connections = Array.from({ length: succeeding }, (_, i) => server.addConnection({ connectionId: ids.shift(), name: `demo-connection-${i + 1}` }));
  for (const { kind, n } of kinds) {
    for (let i = 0; i < n; i++) connections.push(server.addConnection({ connectionId: ids.shift(), name: `${kind}-connection-${i + 1}`, script: SCRIPTED[kind] }));
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

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS }).values;
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : 'Bad arguments'}. ${USAGE}`, { cause: err });
  }
}

/**
 * The --connection-id values, checked. Fixed ids let another process (a worker in docker compose, a script)
 * name the connections ahead of time, and keep naming them after the mock restarts with its state gone.
 */
function fixedIds(ids: string[], connections: number): string[] {
  const bad = ids.find((id) => !UUID.test(id));
  if (bad !== undefined) throw new Error(`--connection-id must be a UUID, got '${bad}'. ${USAGE}`);
  const lower = ids.map((id) => id.toLowerCase());
  const twice = lower.find((id, i) => lower.indexOf(id) !== i);
  if (twice !== undefined) throw new Error(`--connection-id ${twice} is given twice`);
  if (ids.length > connections) {
    throw new Error(`${ids.length} --connection-id values for ${connections} connections: raise --connections (or --failing, --slow, --incomplete)`);
  }
  return [...ids];
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
