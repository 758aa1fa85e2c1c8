// Which configuration values are secrets, and how they are masked, merged and redacted.
// Airbyte knows its secrets from each connector's spec (`airbyte_secret`); the mock has no specs, so it goes by
// the key's name, which covers the connectors' common secret fields.

/** What Airbyte answers in place of a secret (AirbyteSecretConstants.SECRETS_MASK). */
export const SECRET_MASK = '**********';

const SECRET_KEYS = new Set([
  'password',
  'client_secret',
  'api_key',
  'apikey',
  'access_token',
  'refresh_token',
  'token',
  'secret',
  'credentials_json',
  'private_key',
  'service_account_info',
]);

// Any key containing these is a secret too: tunnel_user_password, ssh_private_key, x_api_key, aws_secret_access_key.
const SECRET_PARTS = /secret|password|token|private_key|api_?key|ssh_key|credentials_json|service_account_info/;

export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_KEYS.has(lower) || SECRET_PARTS.test(lower);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy with every secret value (at any depth, in arrays too) replaced by `replacement`. */
export function replaceSecrets(value: unknown, replacement: string): unknown {
  if (Array.isArray(value)) return value.map((item) => replaceSecrets(item, replacement));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      isSecretKey(key) && item !== null && item !== undefined ? replacement : replaceSecrets(item, replacement),
    ]),
  );
}

export const maskSecrets = <T>(value: T): T => replaceSecrets(value, SECRET_MASK) as T;

/** For recorded request bodies: the same secrets, shown as '[redacted]' (a token request's client_secret too). */
export const redactSecrets = (value: unknown): unknown => replaceSecrets(value, '[redacted]');

/**
 * A secret sent back as the mask keeps the stored value, as Airbyte's copySecrets does on an update (a client may
 * echo back what a GET gave it). Walks `incoming`; `stored` is the configuration before the update.
 */
export function restoreMaskedSecrets(incoming: unknown, stored: unknown): unknown {
  if (Array.isArray(incoming)) {
    return incoming.map((item, i) => restoreMaskedSecrets(item, Array.isArray(stored) ? stored[i] : undefined));
  }
  if (!isObject(incoming)) return incoming;
  const before = isObject(stored) ? stored : {};
  return Object.fromEntries(
    Object.entries(incoming).map(([key, item]) => [
      key,
      isSecretKey(key) && item === SECRET_MASK && key in before ? before[key] : restoreMaskedSecrets(item, before[key]),
    ]),
  );
}

/**
 * PATCH semantics (Airbyte's mergeNodesExceptForSecrets): a field holding an object in both merges recursively;
 * anything else given replaces the stored value. Fields not given are kept.
 */
export function mergeConfiguration(stored: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? mergeConfiguration(current, value) : value;
  }
  return merged;
}
