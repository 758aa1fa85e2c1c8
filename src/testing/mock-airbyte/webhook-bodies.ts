import { randomUUID } from 'node:crypto';

// The bodies Airbyte's webhook channel (SlackNotificationClient, "slack" for any URL) posts: Slack `text` and
// `blocks`, plus `data`, the job's SyncSummary as Jackson writes it (every field present, null when unknown,
// Instants as ISO-8601, failure type and origin in their lower-case JSON form).

export interface WebhookLink { id: string; name: string; url: string }

/** SyncSummary: what JobNotifier gathers when a sync job ends. */
export interface WebhookSummary {
  workspace: WebhookLink;
  connection: WebhookLink;
  source: WebhookLink;
  destination: WebhookLink;
  jobId: number;
  success: boolean;
  /** Epoch seconds: the job's creation (queue time included) and its last update. */
  startedAt: number | null;
  finishedAt: number | null;
  bytesEmitted: number;
  bytesCommitted: number;
  recordsEmitted: number;
  recordsCommitted: number;
  errorMessage: string | null;
  errorType: string | null;
  errorOrigin: string | null;
}

export interface WebhookBody {
  text: string;
  /** Absent from a bare test message, as Notification.toJsonNode leaves out an empty list. */
  blocks?: Record<string, unknown>[];
  data?: Record<string, unknown>;
}

/** The two job events the public API can enable, and the two auto-disable ones that share the layout. */
export type JobEvent = 'success' | 'failure' | 'syncDisabled' | 'syncDisabledWarning';

// Notification.createLink: Slack's <url|text>, with Airbyte's own escaping (its '&' becomes the literal "$amp;").
const link = (text: string, url: string) => `<${url}|${text.replace(/&/g, '$amp;').replace(/>/g, '&gt;').replace(/</g, '&lt;')}>`;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** SyncSummary.formatDuration. */
export function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(seconds / 3600);
  const days = Math.floor(seconds / 86_400);
  if (minutes === 0) return `${seconds % 60} sec`;
  if (hours === 0) return `${minutes % 60} min ${seconds % 60} sec`;
  if (days === 0) return `${hours % 24} hours ${minutes % 60} min`;
  return `${days} days ${hours} hours`; // Airbyte prints the total hours here
}

/** SyncSummary.formatVolume: whole units of 1024, truncated. */
export function formatVolume(bytes: number): string {
  let value = bytes;
  for (const unit of ['B', 'kB', 'MB', 'GB']) {
    if (value < 1024) return `${value} ${unit}`;
    value = Math.floor(value / 1024);
  }
  return `${value} TB`;
}

const durationOf = (s: WebhookSummary) => (s.startedAt !== null && s.finishedAt !== null ? s.finishedAt - s.startedAt : null);

/** The `data` object: Jackson's view of SyncSummary, getters included. Key order is Airbyte's business, not ours. */
export function summaryData(s: WebhookSummary): Record<string, unknown> {
  const duration = durationOf(s);
  return {
    workspace: { ...s.workspace },
    connection: { ...s.connection },
    source: { ...s.source },
    destination: { ...s.destination },
    jobId: s.jobId,
    startedAt: s.startedAt === null ? null : iso(s.startedAt),
    finishedAt: s.finishedAt === null ? null : iso(s.finishedAt),
    bytesEmitted: s.bytesEmitted,
    bytesCommitted: s.bytesCommitted,
    recordsEmitted: s.recordsEmitted,
    recordsCommitted: s.recordsCommitted,
    recordsFilteredOut: 0,
    bytesFilteredOut: 0,
    errorMessage: s.errorMessage,
    errorType: s.errorType,
    errorOrigin: s.errorOrigin,
    durationInSeconds: duration,
    durationFormatted: duration === null ? null : formatDuration(duration),
    bytesEmittedFormatted: formatVolume(s.bytesEmitted),
    bytesCommittedFormatted: formatVolume(s.bytesCommitted),
    success: s.success,
  };
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const field = (text: string) => ({ type: 'mrkdwn', text });

const TITLES: Record<JobEvent, string> = {
  success: 'Sync completed',
  failure: 'Sync failure occurred',
  syncDisabled: 'Connection disabled',
  syncDisabledWarning: 'Warning - repeated connection failures',
};

const TOP_CONTENT: Partial<Record<JobEvent, string>> = {
  syncDisabled: 'Your connection has been repeatedly failing and has been automatically disabled.\n',
  syncDisabledWarning: 'Your connection has been repeatedly failing. Please address any issues to ensure your syncs continue to run.\n',
};

/** The legacy `text`, from Airbyte's templates (a success says "This was for null": its error message). */
function legacyText(event: JobEvent, s: WebhookSummary): string {
  const { connection, source, destination } = s;
  switch (event) {
    case 'success':
      return `Your connection ${connection.name} from ${source.name} to ${destination.name} succeeded\nThis was for ${s.errorMessage}\n\nYou can access its logs here: ${connection.url}\n\nJob ID: ${s.jobId}`;
    case 'failure':
      return `Your connection ${connection.name} from ${source.name} to ${destination.name} just failed...\nThis happened with ${s.errorMessage}\n\nYou can access its logs here: ${connection.url}\n\nJob ID: ${s.jobId}`;
    case 'syncDisabled':
      return `Your connection from ${source.name} to ${destination.name} was automatically disabled because it failed 20 times consecutively or has been failing for 14 days in a row.\n\nPlease address the failing issues to ensure your syncs continue to run. The most recent attempted ${s.errorMessage}\n\nWorkspace ID: ${s.workspace.id}\nConnection ID: ${s.connection.id}`;
    case 'syncDisabledWarning':
      return `Your connection from ${source.name} to ${destination.name} is scheduled to be automatically disabled because it either failed 10 times consecutively or there were only failed jobs in the past 7 days. Once it has failed 20 times consecutively or has been failing for 14 days in a row, the connection will be automatically disabled.\n\nPlease address the failing issues to ensure your syncs continue to run. The most recent attempted ${s.errorMessage}\n\nWorkspace ID: ${s.workspace.id}\nConnection ID: ${s.connection.id}`;
  }
}

/**
 * SlackNotificationClient.buildJobCompletedNotification: a title section (with `[tag] ` first when the client has
 * a tag, as test sends do), source, destination and duration fields, the failure reason, the record and byte
 * counts. Only success and failure carry `data`.
 */
export function jobWebhookBody(event: JobEvent, s: WebhookSummary, tag?: string): WebhookBody {
  const blocks: Record<string, unknown>[] = [section(`${tag ? `[${tag}] ` : ''}${TITLES[event]}: ${link(s.connection.name, s.connection.url)}`)];
  const top = TOP_CONTENT[event];
  if (top) blocks.push(section(top));
  const fields = [field('*Source:*'), field(link(s.source.name, s.source.url)), field('*Destination:*'), field(link(s.destination.name, s.destination.url))];
  const duration = durationOf(s);
  if (duration !== null) fields.push(field('*Duration:*'), field(formatDuration(duration)));
  blocks.push({ type: 'section', fields });
  if (!s.success && s.errorMessage !== null) blocks.push(section(`*Failure reason:*\n\n\`\`\`\n[${s.errorType}] ${s.errorMessage}\n\`\`\`\n`));
  blocks.push(
    section(
      `*Sync Summary:*\n${s.recordsEmitted} record(s) extracted / ${s.recordsCommitted} record(s) loaded\n` +
        `${formatVolume(s.bytesEmitted)} extracted / ${formatVolume(s.bytesCommitted)} loaded\n`,
    ),
  );
  const body: WebhookBody = { text: legacyText(event, s), blocks };
  if (event === 'success' || event === 'failure') body.data = summaryData(s);
  return body;
}

// ------------------------------------------------------------------------------------------------ test sends

export const TEST_TAG = 'THIS IS A TEST NOTIFICATION';
const AIRBYTE_URL = 'https://airbyte.com/';

const testLink = (name: string): WebhookLink => ({ id: randomUUID(), name, url: AIRBYTE_URL });

/** NotificationsHandler's TEST_SUCCESS_SUMMARY and TEST_FAILURE_SUMMARY: random ids, job 10, an hour long. */
export function testSummary(success: boolean): WebhookSummary {
  const finishedAt = Math.floor(Date.now() / 1000);
  const names = success ? ['Workspace', 'Connection', 'Source', 'Destination'] : ['Main Workspace', 'Test Connection', 'The Source', 'The Destination'];
  const [workspace, connection, source, destination] = names.map(testLink) as [WebhookLink, WebhookLink, WebhookLink, WebhookLink];
  return {
    workspace,
    connection,
    source,
    destination,
    jobId: 10,
    success,
    startedAt: finishedAt - 3600,
    finishedAt,
    bytesEmitted: 159_341_141,
    bytesCommitted: success ? 159_341_141 : 1_893_412,
    recordsEmitted: 10_000,
    recordsCommitted: success ? 1_000 : 10,
    errorMessage: success ? null : 'This is test notification. Everything is fine! This is where the error message will show up when an actual sync fails.',
    errorType: success ? null : 'transient_error',
    errorOrigin: success ? null : 'source',
  };
}

/** What `try_webhook` sends for each trigger (NotificationsHandler.tryNotification). */
export function testWebhookBody(trigger: string): WebhookBody | undefined {
  switch (trigger) {
    case 'sync_success':
      return jobWebhookBody('success', testSummary(true), TEST_TAG);
    case 'sync_failure':
      return jobWebhookBody('failure', testSummary(false), TEST_TAG);
    case 'sync_disabled':
      return jobWebhookBody('syncDisabled', testSummary(false), TEST_TAG);
    case 'sync_disabled_warning':
      return jobWebhookBody('syncDisabledWarning', testSummary(false), TEST_TAG);
    case 'connection_update': {
      const header = `[${TEST_TAG}] The schema of '${link('Some Connection', AIRBYTE_URL)}' has changed.`;
      const summary = ' • Streams (+1/-1/~0)\n   ＋ ns.some_new_stream\n   － deprecated_stream\n • Fields (+1/~0/-1)\n   • altered_stream\n     ＋ new_field\n     － path.field\n';
      return {
        text: header,
        blocks: [
          section(header),
          { type: 'section', fields: [field('*Workspace*'), field(link('Test notification workspace', AIRBYTE_URL)), field('*Source*'), field(link('Some Source', AIRBYTE_URL))] },
          { type: 'divider' },
          section(summary),
        ],
      };
    }
    default: {
      // notifyTest: a bare `{text}`. The breaking-change triggers have no test message (Airbyte fails on them).
      const text = TEST_MESSAGES[trigger];
      return text === undefined ? undefined : { text };
    }
  }
}

const TEST_MESSAGES: Record<string, string> = {
  connection_update_action_required:
    'Hello World! This is a test from Airbyte to try slack notification settings about your connection has been updated and action is required.',
  connection_sync_queued: 'Hello World! This is a test from Airbyte to try slack notification settings for queued syncs.',
};
