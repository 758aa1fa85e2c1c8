import { randomBytes } from 'node:crypto';
import type { AirbyteClient } from '../airbyte/client';
import type { NotificationsConfig } from '../airbyte/resources/types';
import type { RequestOptions } from '../airbyte/types';
import { DEFAULT_WEBHOOK_BASE_PATH } from './receiver';

// Pointing a workspace's success and failure webhooks at the receiver.

/** A new random token (43 URL-safe characters, 256 bits). */
export function newWebhookToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The URL Airbyte should POST to: `<baseUrl><basePath>/<instance>/<token>`. `baseUrl` is where Airbyte reaches the
 * receiver (`https://hooks.example.com`, or a path on a proxy). The result holds the token: treat it as a secret.
 */
export function webhookUrl(baseUrl: string, instance: string, token: string, basePath = DEFAULT_WEBHOOK_BASE_PATH): string {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('the webhook base URL must be http:// or https://');
  if (base.search || base.hash) throw new TypeError('the webhook base URL must have no query or fragment');
  const prefix = base.pathname.replace(/\/+$/, '');
  base.pathname = `${prefix}${basePath.replace(/\/+$/, '')}/${encodeURIComponent(instance)}/${encodeURIComponent(token)}`;
  return base.toString();
}

export interface WebhookNotificationUrls {
  /** Where sync successes are sent. */
  successUrl: string;
  /** Where sync failures are sent (the same URL as successes is fine: the body says which). */
  failureUrl: string;
}

/**
 * Enables the workspace's success and failure webhooks (public API `PATCH /workspaces/{id}`; Airbyte merges these
 * two into the settings it has, so emails and the other events stay as they are). Returns the workspace's
 * notification settings as Airbyte now answers them. Airbyte sends no test request on this call; the web UI's
 * "Test" button (or `POST /api/v1/notifications/try_webhook`) does.
 */
export async function configureWebhookNotifications(
  airbyte: AirbyteClient,
  workspaceId: string,
  urls: WebhookNotificationUrls,
  options: RequestOptions = {},
): Promise<NotificationsConfig> {
  for (const [name, url] of [['successUrl', urls.successUrl], ['failureUrl', urls.failureUrl]] as const) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // The URL carries the token: say what is wrong, not what it is.
      throw new TypeError(`${name} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`${name} must be an http:// or https:// URL`);
  }
  const webhook = (url: string) => ({ webhook: { enabled: true, url } });
  const workspace = await airbyte.workspaces.update(workspaceId, { notifications: { success: webhook(urls.successUrl), failure: webhook(urls.failureUrl) } }, options);
  return workspace.notifications;
}
