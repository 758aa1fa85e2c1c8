import { defaultPayloadConverter } from '@temporalio/common';
import { AirbyteClient } from '../src/airbyte';
import { runCli } from '../src/cli/program';
import { jobOwnerWorkflowId, OwnerMessages } from '../src/common/job-owner';
import { freePort, type AirbyteTestEnvironment } from '../src/testing';
import {
  configureWebhookNotifications,
  createWebhookHandler,
  newWebhookToken,
  startWebhookReceiver,
  startWebhookReceiverFromEnv,
  webhookTokensFromEnv,
  webhookUrl,
  type RunningWebhookReceiver,
  type WebhookLogger,
} from '../src/webhooks';
import { startTestEnvironment } from './helpers/environment';

// Airbyte's notification webhooks, received: the URL's token is the only credential, bodies are hints (never
// results), each hint becomes one `checkJob` signal to the connection's owner, at most once per job and outcome.

const TOKEN = newWebhookToken();
const OTHER_TOKEN = newWebhookToken();
const HOLD = { phases: [{ status: 'running', ms: Infinity }] };
const logs: string[] = [];
const logger: WebhookLogger = Object.fromEntries(
  (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (message: string, meta?: Record<string, unknown>) => logs.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`)]),
) as unknown as WebhookLogger;

let env: AirbyteTestEnvironment;
let receiver: RunningWebhookReceiver;
let url = '';

beforeAll(async () => {
  env = await startTestEnvironment();
  receiver = await startWebhookReceiver({ client: env.client, instances: { default: { token: TOKEN }, onprem: { token: OTHER_TOKEN } }, logger });
  url = webhookUrl(receiver.url, 'default', TOKEN);
});

afterAll(async () => {
  await receiver?.close();
  await env?.close();
});

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

async function post(to: string, body: unknown, init: { method?: string; contentType?: string } = {}): Promise<Answer> {
  const res = await fetch(to, {
    method: init.method ?? 'POST',
    headers: { 'content-type': init.contentType ?? 'application/json' },
    body: init.method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** The body Airbyte sends, for any ids. */
const bodyFor = (connectionId: string, jobId: number, success = true) => env.mock.forgeWebhookBody({ connectionId, jobId, success });

/** The `airbyteCheckJob` signals in the owner's history, decoded. */
async function checkJobSignals(connectionId: string): Promise<unknown[]> {
  const history = await env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId, 'default')).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((a) => a?.signalName === OwnerMessages.checkJob)
    .map((a) => defaultPayloadConverter.fromPayload(a!.input!.payloads![0]!));
}

/**
 * The signals once there are `count` of them. A signal that arrives while the owner runs a workflow task is written
 * to history when that task completes, so a delivered signal may show a little later.
 */
async function signalsOnceThere(connectionId: string, count: number): Promise<unknown[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const signals = await checkJobSignals(connectionId);
    if (signals.length >= count || Date.now() > deadline) return signals;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a sync whose job holds until finished, and waits until its owner watches the job. */
async function runningOwner(): Promise<{ connectionId: string; jobId: number; finish: () => Promise<void> }> {
  const { connectionId } = env.mock.addConnection({ script: HOLD });
  // A poll slow enough to leave the owner idle (its signals are written at once), quick enough to end the test.
  const handle = await env.syncs.startSync({ connectionId, poll: { initialInterval: '1s', maxInterval: '1s' } });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const { jobId } = env.mock.jobs({ connectionId })[0]!;
  return {
    connectionId,
    jobId,
    finish: async () => {
      env.mock.finishJob(jobId, 'succeeded');
      await handle.result();
    },
  };
}

describe('what the receiver accepts', () => {
  test('only the instance with its own token: anything else is the same 404', async () => {
    const body = bodyFor('00000000-0000-4000-8000-000000000001', 1);
    const wrong = [
      webhookUrl(receiver.url, 'default', OTHER_TOKEN), // another instance's token
      webhookUrl(receiver.url, 'nope', TOKEN), // an unknown instance
      webhookUrl(receiver.url, 'default', `${TOKEN}x`),
      `${receiver.url}/airbyte/webhooks/default`,
      `${url}/extra`,
      `${receiver.url}/airbyte/webhooks/default/${TOKEN.slice(0, -1)}%`,
      `${receiver.url}/`,
    ];
    const answers = await Promise.all(wrong.map((to) => post(to, body)));
    expect(answers.map((a) => a.status)).toEqual(wrong.map(() => 404));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1); // the same answer, whichever part was wrong
    expect((await post(webhookUrl(receiver.url, 'onprem', OTHER_TOKEN), body)).status).toBe(202);
  });

  test('POST with JSON only, within the size limit, shaped as Airbyte sends', async () => {
    const before = receiver.stats().rejected;
    const get = await post(url, undefined, { method: 'GET' });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await post(url, '{}', { contentType: 'text/plain' })).status).toBe(415);
    expect((await post(url, { text: 'x'.repeat(70 * 1024) })).status).toBe(413);
    expect((await post(url, '{"text": "half a bo')).status).toBe(400);
    const marker = 'do-not-log-this-body';
    const badJob = { text: marker, data: { connection: { id: '00000000-0000-4000-8000-000000000001' }, jobId: 'seven', success: true } };
    const badConnection = { text: marker, data: { connection: { id: '../../etc' }, jobId: 7, success: true } };
    const bad = [await post(url, badJob), await post(url, badConnection), await post(url, [1, 2])];
    expect(bad.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(bad[0]!.text).toContain('data.jobId');
    const after = receiver.stats().rejected;
    expect({
      method: after.method - before.method,
      contentType: after.contentType - before.contentType,
      tooLarge: after.tooLarge - before.tooLarge,
      invalidJson: after.invalidJson - before.invalidJson,
      invalidBody: after.invalidBody - before.invalidBody,
    }).toEqual({ method: 1, contentType: 1, tooLarge: 1, invalidJson: 1, invalidBody: 3 });
    // Refusals are logged, without the body.
    expect(logs.some((l) => l.startsWith('warn airbyte webhook refused: not an Airbyte webhook body'))).toBe(true);
    expect(logs.join('\n')).not.toContain(marker);
  });

  test('bodies without a job, and Airbyte test sends, get a 2xx and wake nobody', async () => {
    const before = receiver.stats();
    // A schema-change body (no `data`), and the UI's test send through the mock's try_webhook.
    expect((await post(url, { text: 'The schema of a connection has changed.', blocks: [{ type: 'divider' }] })).status).toBe(202);
    const tries = await fetch(`${env.mock.configApiUrl}/notifications/try_webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'webhooks-test/1.0', authorization: `Bearer ${await mockToken()}` },
      body: JSON.stringify({ notificationTrigger: 'sync_success', slackConfiguration: { webhook: url } }),
    });
    expect(await tries.json()).toEqual({ status: 'succeeded' });
    await receiver.settled();
    const after = receiver.stats();
    expect(after.accepted - before.accepted).toBe(2);
    expect([after.ignored.noJob - before.ignored.noJob, after.ignored.test - before.ignored.test]).toEqual([1, 1]);
    expect(after.signalled).toBe(before.signalled);
  });

  test('rate limits: per source address on every request, globally on authenticated ones', async () => {
    const perSource = await startWebhookReceiver({ client: env.client, instances: { default: { token: TOKEN } }, perSourceRateLimit: { burst: 2, perSecond: 0 }, logger });
    const global = await startWebhookReceiver({ client: env.client, instances: { default: { token: TOKEN } }, globalRateLimit: { burst: 1, perSecond: 0 }, logger });
    try {
      const noJob = { text: 'hello' };
      const a = webhookUrl(perSource.url, 'default', TOKEN);
      const statuses = [await post(`${perSource.url}/guess`, noJob), await post(a, noJob), await post(a, noJob)].map((r) => r.status);
      expect(statuses).toEqual([404, 202, 429]);
      // Guesses do not use up the budget of the real sender.
      const b = webhookUrl(global.url, 'default', TOKEN);
      const more = [await post(`${global.url}/guess`, noJob), await post(`${global.url}/guess`, noJob), await post(b, noJob), await post(b, noJob)].map((r) => r.status);
      expect(more).toEqual([404, 404, 202, 429]);
      expect([perSource.stats().rejected.rateLimited, global.stats().rejected.rateLimited]).toEqual([1, 1]);
    } finally {
      await perSource.close();
      await global.close();
    }
  });

  test('refuses short tokens and bad settings at start, without printing the token', () => {
    const short = 'short-token-123';
    const attempt = () => createWebhookHandler({ client: env.client, instances: { default: { token: short } } });
    expect(attempt).toThrow(/instance 'default' is too short/);
    try {
      attempt();
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
    expect(() => createWebhookHandler({ client: env.client, instances: {} })).toThrow(/at least one instance/);
    expect(() => createWebhookHandler({ client: env.client, instances: { default: { token: `${TOKEN}/x` } } })).toThrow(/may hold only/);
  });
});

describe('hints to the owner', () => {
  test('a webhook for a running job is one checkJob signal in its owner; a resend within the window is not', async () => {
    const owner = await runningOwner();
    const before = receiver.stats();
    const body = bodyFor(owner.connectionId, owner.jobId);
    expect((await post(url, body)).status).toBe(202);
    expect((await post(url, body)).status).toBe(202);
    await receiver.settled();
    expect(await signalsOnceThere(owner.connectionId, 1)).toMatchObject([{ jobId: owner.jobId, source: 'webhook' }]);
    const after = receiver.stats();
    expect([after.signalled - before.signalled, after.duplicates - before.duplicates]).toEqual([1, 1]);
    // Another outcome for the same job is another hint (a forged one costs the owner one look).
    expect((await post(url, bodyFor(owner.connectionId, owner.jobId, false))).status).toBe(202);
    await receiver.settled();
    expect(await signalsOnceThere(owner.connectionId, 2)).toMatchObject([1, 2].map(() => ({ jobId: owner.jobId, source: 'webhook' })));
    await owner.finish();
  });

  test('a webhook for a connection without an owner is answered 202 and ignored; no workflow is started', async () => {
    const connectionId = '00000000-0000-4000-8000-0000000000aa';
    const before = receiver.stats().ignored.noOwner;
    expect((await post(url, bodyFor(connectionId, 5))).status).toBe(202);
    await receiver.settled();
    expect(receiver.stats().ignored.noOwner - before).toBe(1);
    await expect(env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId, 'default')).describe()).rejects.toThrow(/not found/i);
  });

  test('the instance in the URL picks the owner: an onprem webhook does not reach the default owner', async () => {
    const owner = await runningOwner();
    const before = receiver.stats().ignored.noOwner;
    expect((await post(webhookUrl(receiver.url, 'onprem', OTHER_TOKEN), bodyFor(owner.connectionId, owner.jobId))).status).toBe(202);
    await receiver.settled();
    expect(receiver.stats().ignored.noOwner - before).toBe(1);
    expect(await checkJobSignals(owner.connectionId)).toEqual([]);
    await owner.finish();
  });
});

describe('end to end with the mock Airbyte', () => {
  let airbyte: AirbyteClient;
  let workspaceId = '';

  beforeAll(async () => {
    airbyte = new AirbyteClient({ url: env.mock.publicApiUrl, ...env.mock.credentials });
    workspaceId = env.mock.addWorkspace({ name: 'webhooked' }).workspaceId;
    const notifications = await configureWebhookNotifications(airbyte, workspaceId, { successUrl: url, failureUrl: url });
    expect(notifications.success?.webhook).toEqual({ enabled: true, url });
    expect(notifications.failure?.webhook).toEqual({ enabled: true, url });
    expect(notifications.failure?.email).toEqual({ enabled: true }); // merged: the rest stays as it was
  });
  afterEach(() => env.mock.clearWebhookFaults());

  const deliveriesOf = (jobId: number) => env.mock.webhookDeliveries().filter((d) => d.jobId === jobId);

  test('a sync ends, Airbyte posts, the owner gets the hint', async () => {
    const { connectionId } = env.mock.addConnection({ workspaceId });
    const before = receiver.stats().signalled;
    const result = await env.syncs.syncAndWait({ connectionId });
    await env.mock.waitFor(() => deliveriesOf(result.jobId).length === 1);
    expect(deliveriesOf(result.jobId)[0]).toMatchObject({ event: 'success', status: 202 });
    await receiver.settled();
    expect(receiver.stats().signalled - before).toBe(1);
    expect(await signalsOnceThere(connectionId, 1)).toEqual([{ jobId: result.jobId, source: 'webhook', workspaceId }]);
  });

  test('a webhook sync costs three Airbyte calls: look, create, and one check that brings the job, its report and its link', async () => {
    const streams = [{ name: 'customers', records: 7, bytes: 700 }, { name: 'orders', records: 5, bytes: 300 }];
    const { connectionId } = env.mock.addConnection({ workspaceId, script: { phases: [{ status: 'running', ms: 300 }], streams } });
    const first = env.mock.requests.length;
    const result = await env.syncs.syncAndWait({ connectionId, poll: { webhooks: true } });
    const mine = env.mock.requests.slice(first).filter((r) => r.path.includes(connectionId) || r.query.connectionId === connectionId || [connectionId, result.jobId].includes((r.body as { connectionId?: string; id?: number } | undefined)?.connectionId ?? (r.body as { id?: number } | undefined)?.id ?? '') || r.path === `/jobs/${result.jobId}`);
    expect(mine.map((r) => `${r.method} ${r.path.replace(String(result.jobId), '{id}').replace(connectionId, '{connectionId}')}`).sort()).toEqual(['GET /jobs', 'POST /config/jobs/get_without_logs', 'POST /jobs']);
    // The one check saw what GET /jobs/{id} shows (mapped from the Configuration API as Airbyte's server maps it), and the report.
    const publicView = await airbyte.getJob(result.jobId);
    expect(result).toMatchObject({ status: 'succeeded', rowsSynced: publicView.rowsSynced, bytesSynced: publicView.bytesSynced, startTime: publicView.startTime, endTime: publicView.lastUpdatedAt, polls: 1 });
    expect(result.rowsSynced).toBe(12);
    expect(result.streams?.map((s) => [s.name, s.recordsCommitted])).toEqual([['customers', 7], ['orders', 5]]);
    expect(result.jobUrl).toContain(`/workspaces/${workspaceId}/connections/${connectionId}/`);
  });

  test('lost: nothing reaches the receiver, the sync still ends (the poll sees it)', async () => {
    const { connectionId } = env.mock.addConnection({ workspaceId });
    env.mock.injectWebhookFault({ kind: 'lost', connectionId });
    const before = receiver.stats().received;
    const result = await env.syncs.syncAndWait({ connectionId, poll: { initialInterval: '100ms', maxInterval: '200ms' } });
    expect(result.status).toBe('succeeded');
    await env.mock.waitFor(() => deliveriesOf(result.jobId).length === 1);
    expect(deliveriesOf(result.jobId)[0]).toMatchObject({ sent: false, fault: 'lost' });
    expect(receiver.stats().received).toBe(before);
    expect(await checkJobSignals(connectionId)).toEqual([]);
  });

  test('duplicate: delivered twice, signalled once', async () => {
    const { connectionId } = env.mock.addConnection({ workspaceId });
    env.mock.injectWebhookFault({ kind: 'duplicate', connectionId });
    const before = receiver.stats();
    const result = await env.syncs.syncAndWait({ connectionId });
    await env.mock.waitFor(() => deliveriesOf(result.jobId).length === 2);
    expect(deliveriesOf(result.jobId).map((d) => d.status)).toEqual([202, 202]);
    await receiver.settled();
    const after = receiver.stats();
    expect([after.signalled - before.signalled, after.duplicates - before.duplicates]).toEqual([1, 1]);
    expect(await signalsOnceThere(connectionId, 1)).toHaveLength(1);
  });

  test('late: arriving after the owner ended, it is answered and ignored', async () => {
    const { connectionId } = env.mock.addConnection({ workspaceId });
    env.mock.injectWebhookFault({ kind: 'late', connectionId });
    const result = await env.syncs.syncAndWait({ connectionId, poll: { initialInterval: '100ms', maxInterval: '200ms' } });
    await env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId, 'default')).result();
    const before = receiver.stats().ignored.noOwner;
    env.mock.releaseWebhooks();
    await env.mock.waitFor(() => deliveriesOf(result.jobId).length === 1);
    expect(deliveriesOf(result.jobId)[0]).toMatchObject({ status: 202, fault: 'late' });
    await receiver.settled();
    expect(receiver.stats().ignored.noOwner - before).toBe(1);
  });

  test('forged: a body for a job nobody waits on is answered and ignored', async () => {
    const before = receiver.stats().ignored.noOwner;
    const delivery = await env.mock.sendForgedWebhook(url, env.mock.forgeWebhookBody({ success: true }));
    expect(delivery.status).toBe(202);
    await receiver.settled();
    expect(receiver.stats().ignored.noOwner - before).toBe(1);
  });
});

describe('configuration', () => {
  test('tokens from the environment, per instance; the receiver only when an address is set', async () => {
    expect(webhookTokensFromEnv({ TEMPORAL_AIRBYTE_WEBHOOK_TOKEN: 'a'.repeat(24), TEMPORAL_AIRBYTE_WEBHOOK_TOKEN_ON_PREM: 'b'.repeat(24), AIRBYTE_INSTANCES: 'on-prem', TEMPORAL_AIRBYTE_WEBHOOK_TOKEN_EU: '' })).toEqual({
      default: { token: 'a'.repeat(24) },
      'on-prem': { token: 'b'.repeat(24) },
    });
    expect(() => webhookTokensFromEnv({ TEMPORAL_AIRBYTE_WEBHOOK_TOKEN: 'a'.repeat(24), TEMPORAL_AIRBYTE_WEBHOOK_TOKEN_DEFAULT: 'b'.repeat(24) })).toThrow(/already/);
    expect(await startWebhookReceiverFromEnv({ TEMPORAL_AIRBYTE_WEBHOOK_TOKEN: TOKEN }, env.client)).toBeUndefined();
    await expect(startWebhookReceiverFromEnv({ TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS: 'localhost:8088', TEMPORAL_AIRBYTE_WEBHOOK_TOKEN: TOKEN }, env.client)).rejects.toThrow(/<ip>:<port>/);
    const address = `127.0.0.1:${await freePort()}`;
    await expect(startWebhookReceiverFromEnv({ TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS: address }, env.client)).rejects.toThrow(/no TEMPORAL_AIRBYTE_WEBHOOK_TOKEN/);
    const short = 'x'.repeat(10);
    const refused = await startWebhookReceiverFromEnv({ TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS: address, TEMPORAL_AIRBYTE_WEBHOOK_TOKEN: short }, env.client).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/too short/);
    expect((refused as Error).message).not.toContain(short);
    const started = await startWebhookReceiverFromEnv({ TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS: address, TEMPORAL_AIRBYTE_WEBHOOK_TOKEN: TOKEN }, env.client, { logger });
    try {
      expect(started?.url).toBe(`http://${address}`);
      expect((await post(webhookUrl(started!.url, 'default', TOKEN), { text: 'hi' })).status).toBe(202);
    } finally {
      await started?.close();
    }
  });

  test('webhookUrl appends to a base path; the CLI command has help and refuses to run without a token', async () => {
    expect(webhookUrl('https://hooks.example.com/prefix/', 'on-prem', 'abc')).toBe('https://hooks.example.com/prefix/airbyte/webhooks/on-prem/abc');
    expect(() => webhookUrl('ftp://x', 'default', 'abc')).toThrow(/http/);
    const out: string[] = [];
    const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void out.push(s), isTTY: false, handleSignals: false };
    expect(await runCli(['webhooks', '--help'], io)).toBe(0);
    expect(out.join('')).toContain('TEMPORAL_AIRBYTE_WEBHOOK_TOKEN_<NAME>');
    out.length = 0;
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith('TEMPORAL_AIRBYTE_WEBHOOK_TOKEN')) delete process.env[key];
    try {
      expect(await runCli(['webhooks'], io)).toBe(2);
      expect(out.join('')).toContain('no webhook token');
    } finally {
      Object.assign(process.env, saved);
    }
  });

  test('the tokens never appear in logs or stats', () => {
    const seen = [logs.join('\n'), JSON.stringify(receiver.stats())].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(seen).not.toContain(TOKEN);
    expect(seen).not.toContain(OTHER_TOKEN);
  });
});

/** A bearer token of the environment's mock (its Config API needs one). */
async function mockToken(): Promise<string> {
  const { clientId, clientSecret } = env.mock.credentials!;
  const res = await fetch(`${env.mock.publicApiUrl}/applications/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'webhooks-test/1.0' },
    body: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
