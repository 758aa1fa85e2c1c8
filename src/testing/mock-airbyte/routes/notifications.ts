import { configError, type Reply } from '../problems';
import { testWebhookBody } from '../webhook-bodies';
import type { WebhookOutbox } from '../webhooks';
import { isRecord, ok } from './common';

// Config API `POST /v1/notifications/try_webhook` (NotificationsHandler.tryNotification): sends a test body to the
// given URL and answers NotificationRead, `succeeded` only when the receiver answered 2xx. The web UI saves a
// webhook only after this succeeded.

const TRIGGERS = [
  'sync_success',
  'sync_failure',
  'sync_disabled',
  'sync_disabled_warning',
  'connection_update',
  'connection_update_action_required',
  'breaking_change_warning',
  'breaking_change_syncs_disabled',
  'connection_sync_queued',
];

const invalid = (field: string, message: string): Reply => ({
  status: 422,
  body: { message: `Invalid input: ${field} ${message}.`, validationErrors: [{ propertyPath: field, message }] },
});

export async function tryWebhook(outbox: WebhookOutbox, raw: unknown): Promise<Reply> {
  const body = isRecord(raw) ? raw : {};
  const trigger = body.notificationTrigger;
  if (typeof trigger !== 'string' || !TRIGGERS.includes(trigger)) return invalid('notificationTrigger', `must be one of ${TRIGGERS.join(', ')}`);
  const slack = body.slackConfiguration;
  if (!isRecord(slack) || typeof slack.webhook !== 'string') return invalid('slackConfiguration.webhook', 'must be a string');
  // An empty URL sends nothing: the client reports it as not sent.
  if (slack.webhook === '') return ok({ status: 'failed' });
  const sent = testWebhookBody(trigger);
  // Airbyte has no test message for the breaking-change triggers and fails on them.
  if (!sent) return configError(500, 'Internal Server Error: null');
  let url: URL;
  try {
    url = new URL(slack.webhook);
  } catch {
    return configError(500, `Internal Server Error: Illegal character in URL`);
  }
  const delivery = await outbox.post(url.toString(), sent, { event: 'test' });
  if (delivery.status >= 200 && delivery.status < 300) return ok({ status: 'succeeded' });
  // Airbyte's IOException message names the status (and the body sent); on a refused connection, Java's own message.
  const message = delivery.status === 0 ? (delivery.error ?? 'Connection refused') : `Failed to deliver notification workspaceId null (${delivery.status})`;
  return ok({ status: 'failed', message });
}
