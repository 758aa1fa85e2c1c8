// Airbyte's notification webhooks as wake-ups for the owner workflows: the receiver, the body it reads, and the
// workspace settings that point Airbyte at it. Client side only (no workflow code here).
export { configureWebhookNotifications, newWebhookToken, webhookUrl, type WebhookNotificationUrls } from './configure';
export { startWebhookReceiverFromEnv, WEBHOOK_ADDRESS_VARIABLE, WEBHOOK_TOKEN_VARIABLE, webhookTokensFromEnv } from './from-env';
export { readWebhookBody, TEST_NOTIFICATION_TAG, webhookBodySchema, type AirbyteWebhookBody, type AirbyteWebhookData, type ParsedWebhook, type WebhookHint } from './payload';
export type { RateLimit } from './rate-limit';
export {
  createWebhookHandler,
  DEFAULT_WEBHOOK_BASE_PATH,
  DEFAULT_WEBHOOK_DEDUPE_WINDOW_MS,
  DEFAULT_WEBHOOK_MAX_BODY_BYTES,
  MIN_WEBHOOK_TOKEN_LENGTH,
  startWebhookReceiver,
  type RunningWebhookReceiver,
  type StartWebhookReceiverOptions,
  type WebhookHandler,
  type WebhookLogger,
  type WebhookReceiverOptions,
  type WebhookStats,
} from './receiver';
