import type { Client } from '@temporalio/client';
import { AirbyteConfigError } from '../airbyte/config';
import { isSocketAddress } from '../config/worker-environment';
import { startWebhookReceiver, type RunningWebhookReceiver, type WebhookLogger } from './receiver';

// The receiver configured from the environment, as `temporal-airbyte worker` and `temporal-airbyte webhooks` run it.

export const WEBHOOK_TOKEN_VARIABLE = 'TEMPORAL_AIRBYTE_WEBHOOK_TOKEN';
export const WEBHOOK_ADDRESS_VARIABLE = 'TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS';

/** `AIRBYTE_<NAME>_*`'s <NAME> of an instance name: upper-cased, anything but letters and digits as `_`. */
const variableName = (instance: string) => instance.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * Tokens per instance: TEMPORAL_AIRBYTE_WEBHOOK_TOKEN for `default`, TEMPORAL_AIRBYTE_WEBHOOK_TOKEN_<NAME> for the
 * others, <NAME> as in AIRBYTE_<NAME>_* (an instance listed in AIRBYTE_INSTANCES keeps its name there; any other
 * is <NAME> lower-cased). Empty values count as unset.
 */
export function webhookTokensFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, { token: string }> {
  const listed = (env.AIRBYTE_INSTANCES ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const byVariable = new Map(listed.map((name) => [variableName(name), name]));
  const tokens: Record<string, { token: string }> = {};
  for (const [key, value] of Object.entries(env)) {
    const suffix = key === WEBHOOK_TOKEN_VARIABLE ? 'DEFAULT' : /^TEMPORAL_AIRBYTE_WEBHOOK_TOKEN_([A-Z0-9_]+)$/.exec(key)?.[1];
    if (!value || suffix === undefined) continue;
    const name = byVariable.get(suffix) ?? suffix.toLowerCase();
    if (tokens[name]) throw new AirbyteConfigError(`${key}: instance '${name}' has a webhook token in another variable already`);
    tokens[name] = { token: value };
  }
  return tokens;
}

/**
 * The receiver the environment asks for: on TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS (ip:port), with the tokens of
 * webhookTokensFromEnv; undefined when no address is set. Throws, naming variables and never their values, when
 * the address is not ip:port, no token is set, or a token is too short.
 */
export async function startWebhookReceiverFromEnv(
  env: NodeJS.ProcessEnv,
  client: Client,
  options: { logger?: WebhookLogger } = {},
): Promise<RunningWebhookReceiver | undefined> {
  const address = env[WEBHOOK_ADDRESS_VARIABLE]?.trim();
  if (!address) return undefined;
  if (!isSocketAddress(address)) throw new AirbyteConfigError(`${WEBHOOK_ADDRESS_VARIABLE} must be <ip>:<port> such as 0.0.0.0:8088 or 127.0.0.1:8088`);
  const instances = webhookTokensFromEnv(env);
  if (Object.keys(instances).length === 0) {
    throw new AirbyteConfigError(`${WEBHOOK_ADDRESS_VARIABLE} is set but no ${WEBHOOK_TOKEN_VARIABLE} or ${WEBHOOK_TOKEN_VARIABLE}_<NAME> is`);
  }
  const { host, port } = splitAddress(address);
  try {
    return await startWebhookReceiver({ client, instances, host, port, logger: options.logger });
  } catch (err) {
    if (err instanceof TypeError) throw new AirbyteConfigError(`${WEBHOOK_TOKEN_VARIABLE}*: ${err.message}`);
    throw err;
  }
}

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}
