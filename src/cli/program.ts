import { Command, CommanderError } from 'commander';
import { AirbyteSyncError } from '../client';
import { innermostMessage } from '../workflows/failure-message';
import { registerAirbyteCommands } from './commands/airbyte';
import { registerLocalCommands } from './commands/local';
import { registerPipelineCommands } from './commands/pipelines';
import { registerScheduleCommands } from './commands/schedules';
import { registerSyncCommands } from './commands/syncs';
import { registerWebhookCommands } from './commands/webhooks';
import { CliContext, type GlobalOptions } from './context';
import { ExitCode, exitCodeOf } from './exit-codes';
import { processIO, type CliIO } from './io';

/** Wraps a command's body: a context from the global options, its exit code, errors reported once. */
export type Action = <A extends unknown[]>(run: (ctx: CliContext, ...args: A) => Promise<ExitCode>) => (...args: unknown[]) => Promise<void>;

const EXIT_CODES = `
Exit codes:
  0  succeeded            3  cancelled              6  Temporal unreachable
  1  the job failed       4  timed out              7  not found
  2  bad input            5  Airbyte unreachable    130  stopped watching (Ctrl-C): it goes on
     or refused`;

export function buildProgram(io: CliIO, action: Action): Command {
  const program = new Command('temporal-airbyte')
    .description('Airbyte syncs as durable Temporal workflows')
    .option('--address <host:port>', 'the Temporal server (default: TEMPORAL_ADDRESS, the profile, localhost:7233)')
    .option('--namespace <name>', 'the Temporal namespace (default: TEMPORAL_NAMESPACE, the profile, default)')
    .option('--profile <name>', 'a temporal.toml profile (default: TEMPORAL_PROFILE)')
    .option('--config-file <path>', 'the temporal.toml (default: TEMPORAL_CONFIG_FILE)')
    .option('--task-queue <name>', 'the workers\' task queue (default: TEMPORAL_TASK_QUEUE, airbyte)')
    .option('--json', 'print the result as JSON (progress notes go to stderr)')
    .addHelpText('after', EXIT_CODES)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  registerSyncCommands(program, action);
  registerPipelineCommands(program, action);
  registerScheduleCommands(program, action);
  registerAirbyteCommands(program, action);
  registerLocalCommands(program, action);
  registerWebhookCommands(program, action);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and resolves to its exit code; never exits the process. */
export async function runCli(argv: string[], io: CliIO = processIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let exitCode: number = ExitCode.Succeeded;
  const action: Action =
    <A extends unknown[]>(run: (ctx: CliContext, ...args: A) => Promise<ExitCode>) =>
    async (...args: unknown[]) => {
      // Commander passes the arguments, the options, then the command itself.
      const command = args.at(-1) as Command;
      const ctx = new CliContext(command.optsWithGlobals<GlobalOptions>(), io, env);
      try {
        exitCode = await run(ctx, ...(args.slice(0, -1) as A));
      } catch (err) {
        exitCode = report(ctx, err);
      } finally {
        await ctx.close();
      }
    };
  const program = buildProgram(io, action);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Succeeded : ExitCode.BadInput;
    throw err;
  }
  return exitCode;
}

function report(ctx: CliContext, err: unknown): ExitCode {
  const code = exitCodeOf(err);
  if (err instanceof AirbyteSyncError && err.result && ctx.output.json) ctx.output.line(JSON.stringify({ ...err.result, workflowId: err.workflowId, error: err.message }, null, 2));
  const message = err instanceof AirbyteSyncError ? err.message : innermostMessage(err);
  ctx.io.stderr(`error: ${message}\n`);
  return code;
}
