import { MockAirbyteServer, type AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, FAST_RETRY, startTestEnvironment } from './helpers/environment';

// One worker, two Airbyte instances: the mock behind `default` (client credentials, self-managed URL)
// and a second one behind `onprem` with basic auth on a Cloud-style URL. Workflows pick one by name.
let env: AirbyteTestEnvironment;
let onprem: MockAirbyteServer;

beforeAll(async () => {
  onprem = await MockAirbyteServer.start({ auth: { basic: { username: 'airbyte', password: 'onprem-password' } } });
  env = await startTestEnvironment({ instances: { onprem: { url: onprem.cloudStyleUrl, username: 'airbyte', password: 'onprem-password' } } });
});
afterAll(async () => {
  await env?.close();
  await onprem?.close();
});

test('each sync runs on the instance it names, with that instance\'s auth', async () => {
  const a = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }], rowsSynced: 1 } });
  const b = onprem.addConnection({ script: { phases: [{ status: 'running', ms: 100 }], rowsSynced: 2 } });
  const [ra, rb] = await Promise.all([
    env.syncs.syncAndWait({ connectionId: a.connectionId, poll: FAST_POLL, retry: FAST_RETRY }),
    env.syncs.syncAndWait({ connectionId: b.connectionId, instance: 'onprem', poll: FAST_POLL, retry: FAST_RETRY }),
  ]);
  expect(ra).toMatchObject({ instance: 'default', rowsSynced: 1 });
  expect(rb).toMatchObject({ instance: 'onprem', rowsSynced: 2 });
  expect(env.mock.jobs()).toHaveLength(1);
  expect(onprem.jobs()).toHaveLength(1);
  expect(onprem.requests.every((r) => r.auth === 'basic')).toBe(true);
  expect(env.mock.requests.filter((r) => r.path !== '/applications/token').every((r) => r.auth === 'bearer')).toBe(true);
});
