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

const MOCK_HELP = `
Connection ids are random at every start unless given. Each --connection-id fixes the id of the next
connection, in the order they are made: the succeeding ones (--connections), then --failing, --slow and
--incomplete. With fixed ids (and --client-id/--client-secret) a worker or script elsewhere, e.g. in
docker compose, can be configured ahead of time and still works after the mock restarts. For example:
  temporal-airbyte mock-airbyte --connections 1 --failing 1 \\
    --connection-id 00000000-0000-4000-8000-000000000001 --connection-id 00000000-0000-4000-8000-000000000002`;

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
    .description('a Temporal dev server with its UI, the mock Airbyte and a worker, here: runs a small pipeline (two syncs -> dbt -> a downstream sync) live, then keeps the UI up until Ctrl-C')
    .option('--exit', 'exit once the pipeline ends (the default when CI is set)')
    .option('--ui-port <port>', 'the Temporal UI port (default: a free one)')
    .action(
      action(async (ctx, opts: { exit?: boolean; uiPort?: string }) => {
        const { runDemo } = await import('../../demo');
        const stay = !opts.exit && !process.env.CI;
        await runDemo({ output: ctx.output, stay, uiPort: opts.uiPort ? Number(opts.uiPort) : undefined });
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
    .option('--connection-id <uuid>', 'the id of the next connection, repeatable (generated when absent)', (id: string, ids: string[] | undefined) => [...(ids ?? []), id])
    .addHelpText('after', MOCK_HELP)
    .action(
      action(async (_ctx, opts: Record<string, string | string[] | undefined>) => {
        const { runStandalone } = await import('../../testing/mock-airbyte');
        const flag = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        // Repeatable options come as arrays: one flag per value, as runStandalone parses them.
        const argv = Object.entries(opts).flatMap(([k, v]) => (v === undefined ? [] : [v].flat().flatMap((value) => [`--${flag(k)}`, value])));
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
