import { Client, Connection } from '@temporalio/client';
import { AirbyteClient } from '../airbyte';
import { AirbyteSyncClient } from '../client';
import { instancesFromEnv } from '../config/instances-from-env';
import { connectionOptionsOf, temporalTarget, unreachableTemporal, type TemporalTarget } from '../config/temporal-connection';
import { DEFAULT_TASK_QUEUE } from '../worker-defaults';
import { CliError, ExitCode } from './exit-codes';
import { Output, type CliIO } from './io';

/** Options every command takes (Temporal's own names, as the `temporal` CLI has them). */
export interface GlobalOptions {
  address?: string;
  namespace?: string;
  profile?: string;
  configFile?: string;
  taskQueue?: string;
  json?: boolean;
}

/** One command's run: its output, and Temporal and Airbyte connected on first use. */
export class CliContext {
  readonly output: Output;
  private connection?: Connection;
  private temporal?: { client: Client; syncs: AirbyteSyncClient; target: TemporalTarget };

  constructor(
    readonly options: GlobalOptions,
    readonly io: CliIO,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.output = new Output(io, options.json ?? false);
  }

  get taskQueue(): string {
    return this.options.taskQueue ?? this.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
  }

  /** Temporal, from --address/--namespace/--profile/--config-file over TEMPORAL_* and temporal.toml. */
  async connect(): Promise<{ client: Client; syncs: AirbyteSyncClient; target: TemporalTarget }> {
    if (this.temporal) return this.temporal;
    const { address, namespace, profile, configFile } = this.options;
    let target: TemporalTarget;
    try {
      target = temporalTarget({
        env: { ...this.env, ...(address ? { TEMPORAL_ADDRESS: address } : {}), ...(namespace ? { TEMPORAL_NAMESPACE: namespace } : {}) },
        profile,
        configFile,
      });
    } catch (err) {
      throw new CliError((err as Error).message, ExitCode.BadInput);
    }
    if (address) target = { ...target, source: `--address ${address}` };
    try {
      this.connection = await Connection.connect({ ...connectionOptionsOf(target), connectTimeout: '5s' });
    } catch (err) {
      throw new CliError(unreachableTemporal(target, err).message, ExitCode.TemporalUnreachable);
    }
    const client = new Client({ connection: this.connection, namespace: target.namespace });
    // Where the server has the Airbyte search attributes (the compose stack creates them), syncs keep them.
    const searchAttributes = /^(1|true|yes)$/i.test(this.env.TEMPORAL_AIRBYTE_SEARCH_ATTRIBUTES ?? '');
    this.temporal = { client, syncs: new AirbyteSyncClient(client, { taskQueue: this.taskQueue, searchAttributes }), target };
    return this.temporal;
  }

  /** Airbyte itself, configured as the worker is (AIRBYTE_* variables), for the commands that read it directly. */
  airbyte(instance = 'default'): AirbyteClient {
    let instances;
    try {
      instances = instancesFromEnv(this.env);
    } catch (err) {
      throw new CliError((err as Error).message, ExitCode.BadInput);
    }
    const config = instances[instance];
    if (!config) throw new CliError(`no Airbyte instance '${instance}' is configured (AIRBYTE_* variables); known: ${Object.keys(instances).join(', ')}`, ExitCode.BadInput);
    return new AirbyteClient(config, { label: instance });
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }
}
