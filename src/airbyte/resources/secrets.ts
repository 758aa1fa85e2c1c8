import type { NotificationConfig, NotificationsConfig, StreamConfiguration } from './types';

// What in a request may be a secret, for the redactor of that request (see SecretRedactor.withExtra, which leaves
// out values too short or too common to be one).

/** Airbyte's connector-type discriminators: names such as `postgres`, never secrets, and common in messages. */
const CONNECTOR_TYPE_KEYS = new Set(['sourceType', 'destinationType']);

/** Every string value inside a connector configuration, at any depth, but its connector type. */
export function configurationSecrets(configuration: unknown): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const walk = (value: unknown, key: string | undefined, depth: number): void => {
    if (typeof value === 'string') {
      if (!(depth === 1 && key !== undefined && CONNECTOR_TYPE_KEYS.has(key))) found.push(value);
      return;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) for (const item of value) walk(item, undefined, depth + 1);
    else for (const [k, v] of Object.entries(value)) walk(v, k, depth + 1);
  };
  walk(configuration, undefined, 0);
  return found;
}

const NOTIFICATION_KINDS = [
  'failure',
  'success',
  'connectionUpdate',
  'connectionUpdateActionRequired',
  'syncDisabled',
  'syncDisabledWarning',
] as const satisfies readonly (keyof NotificationsConfig)[];

/** Webhook URLs of notification settings: a Slack incoming-webhook URL carries its token. */
export function notificationSecrets(notifications: NotificationsConfig | undefined): string[] {
  const configs: (NotificationConfig | undefined)[] = NOTIFICATION_KINDS.map((kind) => notifications?.[kind]);
  return configs.flatMap((n) => (n?.webhook?.url ? [n.webhook.url] : []));
}

/** The keys of encryption mappers. */
export function streamSecrets(streams: readonly StreamConfiguration[] | undefined): string[] {
  return (streams ?? []).flatMap((s) => s.mappers ?? []).flatMap((m) => {
    const key = m.mapperConfiguration.key;
    return typeof key === 'string' ? [key] : [];
  });
}
