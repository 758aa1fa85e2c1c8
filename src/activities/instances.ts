import { ApplicationFailure } from '@temporalio/common';
import { AirbyteClient, type AirbyteInstanceConfig, type AirbyteLogger } from '../airbyte';
import { airbyteCallMetrics } from './call-metrics';

export const DEFAULT_INSTANCE = 'default';

/** Airbyte instances by name: a config (a client is built for it) or a ready client. */
export type AirbyteInstancesInput = Record<string, AirbyteInstanceConfig | AirbyteClient>;

/**
 * The worker-side registry of Airbyte instances. Workflows name an instance; credentials stay here.
 * Configs are validated when the registry is built, so a bad one stops the worker at start.
 */
export class AirbyteInstances {
  private readonly clients = new Map<string, AirbyteClient>();

  constructor(instances: AirbyteInstancesInput, logger?: AirbyteLogger) {
    for (const [name, value] of Object.entries(instances)) {
      if (!/^[A-Za-z0-9][\w.-]*$/.test(name)) throw new Error(`Airbyte instance name '${name}' must be letters, digits, '.', '_' or '-'`);
      const client = value instanceof AirbyteClient ? value : new AirbyteClient(value, { logger, label: `Airbyte instance '${name}'`, onCall: airbyteCallMetrics(name) });
      this.clients.set(name, client);
    }
    if (this.clients.size === 0) throw new Error('configure at least one Airbyte instance');
  }

  get names(): string[] {
    return [...this.clients.keys()];
  }

  get(name: string = DEFAULT_INSTANCE): AirbyteClient {
    const client = this.clients.get(name);
    if (!client) {
      throw ApplicationFailure.nonRetryable(
        `unknown Airbyte instance '${name}'; this worker knows: ${this.names.join(', ')}`,
        'AirbyteUnknownInstance',
      );
    }
    return client;
  }
}
