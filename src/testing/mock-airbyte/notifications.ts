import { BadInput } from './problems';
import type { MockNotificationKind, MockNotifications } from './types';

// A workspace's notification settings, created and patched as Airbyte's WorkspaceService (public API) and
// WorkspacesHandler do it.

export const NOTIFICATION_KINDS: MockNotificationKind[] = [
  'failure',
  'success',
  'connectionUpdate',
  'connectionUpdateActionRequired',
  'syncDisabled',
  'syncDisabledWarning',
];

// patchNotificationSettingsWithDefaultValue: every kind but success sends an email unless told otherwise.
const emailByDefault = (kind: MockNotificationKind) => kind !== 'success';

interface Given { email?: { enabled?: boolean }; webhook?: { enabled?: boolean; url?: string } }

export function defaultNotifications(): MockNotifications {
  return Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => [kind, { email: { enabled: emailByDefault(kind) }, webhook: { enabled: false } }]),
  ) as MockNotifications;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The kinds given, checked; kinds Airbyte does not know are ignored as its JSON reader ignores them. */
function read(value: unknown): Partial<Record<MockNotificationKind, Given>> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new BadInput('notifications must be an object.');
  const given: Partial<Record<MockNotificationKind, Given>> = {};
  for (const kind of NOTIFICATION_KINDS) {
    const item = value[kind];
    if (item === undefined || item === null) continue;
    if (!isObject(item)) throw new BadInput(`notifications.${kind} must be an object.`);
    const { email, webhook } = item;
    if (email !== undefined && email !== null && !(isObject(email) && ['boolean', 'undefined'].includes(typeof email.enabled))) {
      throw new BadInput(`notifications.${kind}.email must be {enabled: boolean}.`);
    }
    if (webhook !== undefined && webhook !== null) {
      const ok = isObject(webhook) && ['boolean', 'undefined'].includes(typeof webhook.enabled) && ['string', 'undefined'].includes(typeof webhook.url);
      if (!ok) throw new BadInput(`notifications.${kind}.webhook must be {enabled: boolean, url: string}.`);
    }
    given[kind] = { ...(isObject(email) && { email }), ...(isObject(webhook) && { webhook }) };
  }
  return given;
}

/** On create a given kind is taken as a whole (a webhook URL is kept only if enabled); the rest get defaults. */
export function createNotifications(value: unknown): MockNotifications {
  const given = read(value);
  const settings = defaultNotifications();
  for (const kind of NOTIFICATION_KINDS) {
    const item = given[kind];
    if (!item) continue;
    const webhookOn = item.webhook?.enabled === true;
    settings[kind] = {
      email: { enabled: item.email?.enabled === true || (emailByDefault(kind) && item.email === undefined) },
      webhook: { enabled: webhookOn, ...(webhookOn && item.webhook?.url !== undefined && { url: item.webhook.url }) },
    };
  }
  return settings;
}

/** On PATCH only what is given changes: each `enabled` flag, and the URL whenever one is given. */
export function patchNotifications(current: MockNotifications, value: unknown): MockNotifications {
  const given = read(value);
  const settings = structuredClone(current);
  for (const kind of NOTIFICATION_KINDS) {
    const item = given[kind];
    if (!item) continue;
    const next = settings[kind];
    if (item.email?.enabled !== undefined) next.email.enabled = item.email.enabled;
    if (item.webhook?.enabled !== undefined) next.webhook.enabled = item.webhook.enabled;
    if (item.webhook?.url !== undefined) next.webhook.url = item.webhook.url;
  }
  return settings;
}
