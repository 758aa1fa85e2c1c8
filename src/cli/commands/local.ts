import type { Command } from 'commander';
import { formatReconcileReport } from '../../workflows/reconcile/format-report';
import { checkReconcileInput } from '../../workflows/reconcile/input';
import { CliError, ExitCode } from '../exit-codes';
import type { Action } from '../program';

// Commands that run something here: a worker, the demo, the mock Airbyte; and the reconciler.
// The heavy modules (worker, test server) load only when their command runs.

const WORKER_HELP = `
Configured from the environment:
  Temporal   TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE,
             TEMPORAL_CONFIG_FILE (a temporal.toml), TEMPORAL_TASK_QUEUE
  Airbyte    AIRBYTE_API_URL, AIRBYTE_CLIENT_ID, AIRBYTE_CLIENT_SECRET (or AIRBYTE_BEARER_TOKEN, AIRBYTE_USERNAME/PASSWORD),
             AIRBYTE_INSTANCES=a,b with AIRBYTE_<NAME>_* for more instances
  Secrets    AIRBYTE_SECRETS_DIR: connector credentials as <dir>/<secretRef>.json
The global --address, --namespace, --profile, --config-file and --task-queue options override them.`;

export function registerLocalCommands(program: Command, action: Action): void {
  program
    .command('worker')
    .description('run a worker for the Airbyte workflows and activities')
    .addHelpText('after', WORKER_HELP)
    .action(
      action(async (ctx) => {
        const { runWorkerFromEnv } = await import('../../worker');
        const o = ctx.options;
        await runWorkerFromEnv({
          ...process.env,
          ...(o.address ? { TEMPORAL_ADDRESS: o.address } : {}),
          ...(o.namespace ? { TEMPORAL_NAMESPACE: o.namespace } : {}),
          ...(o.profile ? { TEMPORAL_PROFILE: o.profile } : {}),
          ...(o.configFile ? { TEMPORAL_CONFIG_FILE: o.configFile } : {}),
          TEMPORAL_TASK_QUEUE: ctx.taskQueue,
        });
        return ExitCode.Succeeded;
      }),
    );

  program
    .command('demo')
    .description('a Temporal dev server, the mock Airbyte and a worker, here; runs one sync and prints it')
    .option('--stay', 'keep everything up afterwards, for the Temporal UI')
    .option('--ui-port <port>', 'the Temporal UI port')
    .action(
      action(async (_ctx, opts: { stay?: boolean; uiPort?: string }) => {
        const { runDemo } = await import('../../demo');
        await runDemo({ stay: opts.stay ?? false, uiPort: opts.uiPort ? Number(opts.uiPort) : undefined });
        return ExitCode.Succeeded;
      }),
    );

  program
    .command('mock-airbyte')
    .description('run the mock Airbyte server (public and Configuration API) on 127.0.0.1')
    .option('--port <n>', 'port', '8000')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--connections <n>', 'connections whose jobs succeed', '3')
    .option('--running-ms <n>', 'how long their jobs run')
    .option('--failing <n>', 'connections whose jobs fail', '0')
    .option('--slow <n>', 'connections whose jobs run 10 minutes', '0')
    .option('--incomplete <n>', 'connections whose jobs fail an attempt, then succeed', '0')
    .option('--client-id <id>', 'fixed client credentials (generated when absent)')
    .option('--client-secret <secret>')
    .action(
      action(async (_ctx, opts: Record<string, string | undefined>) => {
        const { runStandalone } = await import('../../testing/mock-airbyte');
        const flag = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        const argv = Object.entries(opts).flatMap(([k, v]) => (v === undefined ? [] : [`--${flag(k)}`, v]));
        let server;
        try {
          server = await runStandalone(argv);
        } catch (err) {
          throw new CliError((err as Error).message, ExitCode.BadInput);
        }
        await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
        await server.close();
        return ExitCode.Succeeded;
      }),
    );

  program
    .command('reconcile')
    .description("find Airbyte jobs nobody watches; cancel the ones our ended workflows left running")
    .option('--instance <name>', 'the Airbyte instance')
    .option('--connection <id...>', 'only these connections')
    .option('--workspace <id...>', 'only these workspaces')
    .option('--report-only', 'cancel nothing')
    .option('--cancel-unmanaged', 'also cancel jobs started outside this package')
    .action(
      action(async (ctx, opts: { instance?: string; connection?: string[]; workspace?: string[]; reportOnly?: boolean; cancelUnmanaged?: boolean }) => {
        const input = { instance: opts.instance, connectionIds: opts.connection, workspaceIds: opts.workspace, reportOnly: opts.reportOnly, cancelUnmanaged: opts.cancelUnmanaged };
        const check = checkReconcileInput(input);
        if (!check.ok) throw new CliError(check.message, ExitCode.BadInput);
        const { syncs } = await ctx.connect();
        const report = await syncs.reconcile(input);
        ctx.output.result(report, () => formatReconcileReport(report));
        return ExitCode.Succeeded;
      }),
    );
}
