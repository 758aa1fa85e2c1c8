import { randomUUID } from 'node:crypto';
import { jobWebhookBody, type WebhookBody, type WebhookLink, type WebhookSummary } from './webhook-bodies';
import type { JobRun } from './jobs';
import type { MockState } from './state';
import type * as T from './types';

// When a job ends, what JobNotifier sends and where: sync jobs only (not reset, clear or refresh), succeeded or
// failed only (a cancelled job sends nothing), to the workspace's enabled success or failure webhook.

const seconds = (ms: number) => Math.floor(ms / 1000);

export interface JobWebhook {
  url: string;
  event: 'success' | 'failure';
  body: WebhookBody;
}

/** WebUrlHelper's links, from the web app's base URL. */
function links(webUrl: string, workspaceId: string) {
  const workspace = `${webUrl}/workspaces/${workspaceId}`;
  return {
    workspace,
    connection: (id: string) => `${workspace}/connections/${id}`,
    source: (id: string) => `${workspace}/source/${id}`,
    destination: (id: string) => `${workspace}/destination/${id}`,
  };
}

export function jobWebhook(state: MockState, job: T.MockJob, webUrl: string): JobWebhook | undefined {
  if (job.jobType !== 'sync' || (job.status !== 'succeeded' && job.status !== 'failed')) return undefined;
  const run = state.jobs.runs.get(job.jobId);
  const entry = state.connections.get(job.connectionId);
  const workspace = entry && state.workspaces.get(entry.connection.workspaceId);
  if (!run || !entry || !workspace) return undefined;
  const event = job.status === 'succeeded' ? 'success' : 'failure';
  const hook = workspace.notifications[event].webhook;
  if (!hook.enabled || !hook.url) return undefined;
  const { connection } = entry;
  const url = links(webUrl, workspace.workspaceId);
  const link = (id: string, name: string | undefined, to: string): WebhookLink => ({ id, name: name ?? '', url: to });
  return {
    url: hook.url,
    event,
    body: jobWebhookBody(event, {
      workspace: link(workspace.workspaceId, workspace.name, url.workspace),
      connection: link(connection.connectionId, connection.name, url.connection(connection.connectionId)),
      source: link(connection.sourceId, state.sources.get(connection.sourceId)?.name, url.source(connection.sourceId)),
      destination: link(connection.destinationId, state.destinations.get(connection.destinationId)?.name, url.destination(connection.destinationId)),
      ...outcome(run),
    }),
  };
}

/** The job's part of the summary: its times (creation and last update, whole seconds), counts and first failure. */
function outcome(run: JobRun): Omit<WebhookSummary, 'workspace' | 'connection' | 'source' | 'destination'> {
  const { job } = run;
  const failure = run.attemptLog.at(-1)?.failure;
  const records = job.rowsSynced ?? 0;
  const bytes = job.bytesSynced ?? 0;
  return {
    jobId: job.jobId,
    success: job.status === 'succeeded',
    startedAt: seconds(job.createdAt),
    finishedAt: seconds(job.endedAt ?? run.updatedAt),
    // The mock moves each record once: emitted and committed are the same.
    bytesEmitted: bytes,
    bytesCommitted: bytes,
    recordsEmitted: records,
    recordsCommitted: records,
    errorMessage: failure?.message ?? null,
    errorType: failure?.type ?? null,
    errorOrigin: failure?.origin ?? null,
  };
}

/** A realistic body for a job that need not exist (ids random unless given), for forged deliveries. */
export function forgedWebhookBody(webUrl: string, given: { connectionId?: string; jobId?: number; success?: boolean; workspaceId?: string } = {}): WebhookBody {
  const workspaceId = given.workspaceId ?? randomUUID();
  const connectionId = given.connectionId ?? randomUUID();
  const [sourceId, destinationId] = [randomUUID(), randomUUID()];
  const url = links(webUrl, workspaceId);
  const success = given.success ?? true;
  const finishedAt = seconds(Date.now());
  return jobWebhookBody(success ? 'success' : 'failure', {
    workspace: { id: workspaceId, name: 'Forged workspace', url: url.workspace },
    connection: { id: connectionId, name: 'Forged connection', url: url.connection(connectionId) },
    source: { id: sourceId, name: 'Forged source', url: url.source(sourceId) },
    destination: { id: destinationId, name: 'Forged destination', url: url.destination(destinationId) },
    jobId: given.jobId ?? 1_000_000 + Math.floor(Math.random() * 1_000_000),
    success,
    startedAt: finishedAt - 60,
    finishedAt,
    bytesEmitted: 1024,
    bytesCommitted: 1024,
    recordsEmitted: 10,
    recordsCommitted: 10,
    errorMessage: success ? null : 'Forged failure.',
    errorType: success ? null : 'system_error',
    errorOrigin: success ? null : 'source',
  });
}
