/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers are typed any */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockAirbyteServer } from '../src/testing/mock-airbyte';

// The mock sends Airbyte's notification webhooks as Airbyte's platform does (SlackNotificationClient, JobNotifier):
// sync jobs that succeed or fail, to the workspace's enabled URL, after the final status is readable, once, with
// no retry; plus the faults a receiver must survive, and the Config API's test send.

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The job's status as `GET /jobs/{id}` answered it while the webhook was being received. */
  statusOnReceipt?: string;
}

const HOLD = { phases: [{ status: 'running', ms: Infinity }] };
const TOKEN = 'tok_0123456789abcdefghijklmnop';
let mock: MockAirbyteServer;
let hook: Server;
let hookUrl = '';
const received: Received[] = [];
let answer = 202;

const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(path.startsWith('http') ? path : `${mock.publicApiUrl}${path}`, {
    method,
    headers: { 'user-agent': 'mock-airbyte-webhooks-test/1.0', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};

beforeAll(async () => {
  mock = await MockAirbyteServer.start({ auth: 'none' });
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const jobId = (body.data as { jobId?: number } | undefined)?.jobId;
      const entry: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      const finish = () => {
        received.push(entry);
        res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
      };
      if (jobId === undefined || !mock.job(jobId)) return finish();
      // Look through the public API, as a receiver would, before answering.
      void api('GET', `/jobs/${jobId}`).then((job) => {
        entry.statusOnReceipt = job.body.status as string;
        finish();
      });
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/airbyte/webhooks/default/${TOKEN}`;
});

afterAll(async () => {
  await mock?.close();
  await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  mock.reset();
  received.length = 0;
  answer = 202;
});

/** A workspace whose success and failure webhooks point at the capturing server, set through PATCH as a user would. */
async function workspaceWithWebhooks(which: { success?: boolean; failure?: boolean } = { success: true, failure: true }): Promise<string> {
  const { workspaceId } = mock.addWorkspace({ name: 'hooked' });
  const webhook = (on: boolean | undefined) => ({ webhook: { enabled: on === true, url: hookUrl } });
  const patched = await api('PATCH', `/workspaces/${workspaceId}`, { notifications: { success: webhook(which.success), failure: webhook(which.failure) } });
  expect(patched.status).toBe(200);
  return workspaceId;
}

const deliveriesOf = (jobId: number) => mock.webhookDeliveries().filter((d) => d.jobId === jobId);

test('a succeeded sync posts the body Airbyte sends, after its final status is readable', async () => {
  const workspaceId = await workspaceWithWebhooks();
  const { connectionId, sourceId, destinationId } = mock.addConnection({ workspaceId, name: 'Stripe <> Warehouse & co', script: { rowsSynced: 1234, bytesSynced: 5_000_000 } });
  const job = mock.startJob(connectionId);
  await mock.waitFor(() => deliveriesOf(job.jobId).length === 1);

  const [delivery] = deliveriesOf(job.jobId);
  expect(delivery).toMatchObject({ event: 'success', connectionId, sent: true, status: 202 });
  expect(delivery!.url).toBe(hookUrl.replace(TOKEN, '***'));
  expect(JSON.stringify(mock.webhookDeliveries())).not.toContain(TOKEN);

  expect(received).toHaveLength(1);
  const [got] = received;
  expect(got!.method).toBe('POST');
  expect(got!.path).toBe(`/airbyte/webhooks/default/${TOKEN}`);
  expect(got!.statusOnReceipt).toBe('succeeded');
  expect(got!.headers['content-type']).toBe('application/json');
  expect(got!.headers['user-agent']).toMatch(/^Java-http-client\//);
  expect(got!.headers.upgrade).toBe('h2c'); // the JDK's HTTP/2 attempt on http://

  const data = got!.body.data as Record<string, unknown>;
  const base = `${mock.origin}/workspaces/${workspaceId}`;
  expect(data).toEqual({
    workspace: { id: workspaceId, name: 'hooked', url: base },
    connection: { id: connectionId, name: 'Stripe <> Warehouse & co', url: `${base}/connections/${connectionId}` },
    source: { id: sourceId, name: expect.any(String), url: `${base}/source/${sourceId}` },
    destination: { id: destinationId, name: expect.any(String), url: `${base}/destination/${destinationId}` },
    jobId: job.jobId,
    success: true,
    startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    bytesEmitted: 5_000_000,
    bytesCommitted: 5_000_000,
    recordsEmitted: 1234,
    recordsCommitted: 1234,
    recordsFilteredOut: 0,
    bytesFilteredOut: 0,
    // Null fields are present, not left out.
    errorMessage: null,
    errorType: null,
    errorOrigin: null,
    durationInSeconds: expect.any(Number),
    durationFormatted: expect.stringMatching(/sec$/),
    bytesEmittedFormatted: '4 MB',
    bytesCommittedFormatted: '4 MB',
  });
  const blocks = got!.body.blocks as { text?: { text: string } }[];
  expect(blocks[0]!.text!.text).toBe(`Sync completed: <${base}/connections/${connectionId}|Stripe &lt;&gt; Warehouse $amp; co>`);
  expect(got!.body.text).toContain(`Job ID: ${job.jobId}`);
});

test('a failed sync posts to the failure URL with the failure; cancelled syncs, resets and disabled events send nothing', async () => {
  const workspaceId = await workspaceWithWebhooks({ success: false, failure: true });
  const failing = mock.addConnection({ workspaceId, script: { outcome: 'failed', failureMessage: 'Source said no.' } });
  const failed = mock.startJob(failing.connectionId);
  await mock.waitFor(() => deliveriesOf(failed.jobId).length === 1);
  const data = received[0]!.body.data as Record<string, unknown>;
  expect(data).toMatchObject({ jobId: failed.jobId, success: false, errorMessage: 'Source said no.', errorType: 'system_error', errorOrigin: 'source' });
  expect(received[0]!.statusOnReceipt).toBe('failed');
  expect(JSON.stringify(received[0]!.body.blocks)).toContain('[system_error] Source said no.');

  // The success webhook is off here; a cancelled sync and a reset send nothing either way.
  const held = mock.addConnection({ workspaceId, script: HOLD });
  const succeeded = mock.startJob(held.connectionId);
  mock.finishJob(succeeded.jobId, 'succeeded');
  const cancelled = mock.startJob(held.connectionId);
  mock.finishJob(cancelled.jobId, 'cancelled');
  const reset = mock.startJob(held.connectionId, 'reset');
  mock.finishJob(reset.jobId, 'failed');
  // A later failure is delivered: had any of the above sent, it would be recorded before it.
  const last = mock.startJob(failing.connectionId);
  await mock.waitFor(() => deliveriesOf(last.jobId).length === 1);
  expect(mock.webhookDeliveries().map((d) => d.jobId)).toEqual([failed.jobId, last.jobId]);
});

test('a refused delivery is recorded once and never retried', async () => {
  answer = 500;
  const workspaceId = await workspaceWithWebhooks();
  const { connectionId } = mock.addConnection({ workspaceId });
  const first = mock.startJob(connectionId);
  await mock.waitFor(() => deliveriesOf(first.jobId).length === 1);
  answer = 202;
  const second = mock.startJob(connectionId);
  await mock.waitFor(() => deliveriesOf(second.jobId).length === 1);
  expect(mock.webhookDeliveries().map((d) => [d.jobId, d.status])).toEqual([[first.jobId, 500], [second.jobId, 202]]);
  expect(received).toHaveLength(2);
});

test('faults: lost, duplicated and late (held until released) deliveries', async () => {
  const workspaceId = await workspaceWithWebhooks();
  const { connectionId } = mock.addConnection({ workspaceId });
  mock.injectWebhookFault({ kind: 'lost' });
  mock.injectWebhookFault({ kind: 'duplicate' });
  mock.injectWebhookFault({ kind: 'late' });

  const lost = mock.startJob(connectionId);
  await mock.waitFor(() => deliveriesOf(lost.jobId).length === 1);
  expect(deliveriesOf(lost.jobId)).toEqual([expect.objectContaining({ sent: false, status: 0, fault: 'lost' })]);

  const doubled = mock.startJob(connectionId);
  await mock.waitFor(() => deliveriesOf(doubled.jobId).length === 2);
  expect(deliveriesOf(doubled.jobId).map((d) => [d.status, d.fault ?? 'none'])).toEqual([[202, 'duplicate'], [202, 'duplicate']]);

  const late = mock.startJob(connectionId);
  await mock.waitFor(() => mock.job(late.jobId)?.status === 'succeeded');
  // Faults are used up: the next job's webhook goes straight out, ahead of the held one.
  const next = mock.startJob(connectionId);
  await mock.waitFor(() => deliveriesOf(next.jobId).length === 1);
  expect(deliveriesOf(late.jobId)).toHaveLength(0);
  mock.releaseWebhooks();
  await mock.waitFor(() => deliveriesOf(late.jobId).length === 1);
  expect(deliveriesOf(late.jobId)[0]).toMatchObject({ status: 202, fault: 'late' });
  expect(received.map((r) => (r.body.data as { jobId: number }).jobId)).toEqual([doubled.jobId, doubled.jobId, next.jobId, late.jobId]);
});

test('forged deliveries post any body to any URL, recorded as forged', async () => {
  const body = mock.forgeWebhookBody({ jobId: 77, success: false });
  const delivery = await mock.sendForgedWebhook(hookUrl, body);
  expect(delivery).toMatchObject({ event: 'forged', status: 202, sent: true });
  expect(received[0]!.body).toEqual(body);
  expect(received[0]!.body.data).toMatchObject({ jobId: 77, success: false, errorType: 'system_error' });
  // Nothing listens there: no answer, and the reason.
  const closed = await mock.sendForgedWebhook('http://127.0.0.1:1/x', body);
  expect(closed).toMatchObject({ status: 0, error: expect.stringMatching(/ECONNREFUSED/) });
});

test('POST /api/v1/notifications/try_webhook sends a test body and says whether it got a 2xx', async () => {
  const tryIt = (notificationTrigger: string, webhook: string) => api('POST', `${mock.configApiUrl}/notifications/try_webhook`, { notificationTrigger, slackConfiguration: { webhook } });
  expect((await tryIt('sync_success', hookUrl)).body).toEqual({ status: 'succeeded' });
  const sent = received[0]!.body;
  expect((sent.blocks as { text: { text: string } }[])[0]!.text.text).toMatch(/^\[THIS IS A TEST NOTIFICATION\] Sync completed: /);
  expect(sent.data).toMatchObject({ jobId: 10, success: true, errorMessage: null });
  expect(mock.webhookDeliveries()).toEqual([expect.objectContaining({ event: 'test', status: 202 })]);

  answer = 500;
  expect((await tryIt('sync_failure', hookUrl)).body).toEqual({ status: 'failed', message: expect.stringContaining('(500)') });
  expect(received[1]!.body.data).toMatchObject({ jobId: 10, success: false, errorType: 'transient_error', errorOrigin: 'source' });
  expect((await tryIt('sync_success', '')).body).toEqual({ status: 'failed' });
  expect((await tryIt('nonsense', hookUrl)).status).toBe(422);
  expect(received).toHaveLength(2);
});
