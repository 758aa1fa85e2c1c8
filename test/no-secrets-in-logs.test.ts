import { capturedLogs } from './helpers/captured-logs'; // must come first: it installs the logging runtime
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, FAST_RETRY, startTestEnvironment } from './helpers/environment';

let env: AirbyteTestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.close();
});

test('no client secret, token or Authorization header reaches the logs, even when calls fail', async () => {
  const { connectionId } = env.mock.addConnection({
    script: { phases: [{ status: 'running', ms: Infinity }], outcome: 'failed', failureMessage: 'source said no' },
  });
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 503 });
  env.mock.injectFault({ method: 'GET', path: /^\/jobs\/\d+$/, kind: 'reset' });
  const handle = await env.syncs.startSync({ connectionId, poll: FAST_POLL, retry: FAST_RETRY, onFailure: 'return' });
  await env.mock.waitFor(() => env.mock.requests.some((r) => r.status === 0));
  env.mock.expireTokens();
  await env.mock.waitFor(() => env.mock.requests.some((r) => r.status === 401));
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'failed');
  expect((await env.syncs.result(handle.workflowId)).status).toBe('failed');

  const logs = capturedLogs.join('\n');
  expect(logs).toContain('airbyte request'); // our request log is captured, so the search below means something
  expect(logs).toContain('"endpoint":"POST /jobs","status":503'); // and so are the failures
  expect(logs).not.toContain(env.mock.credentials!.clientSecret);
  for (const token of env.mock.issuedTokens()) expect(logs).not.toContain(token);
  expect(logs).not.toMatch(/authorization|bearer /i);
});
