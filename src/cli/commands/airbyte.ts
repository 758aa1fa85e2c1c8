import type { Command } from 'commander';
import type { AirbyteConnection, AirbyteJob } from '../../airbyte';
import { CliError, ExitCode } from '../exit-codes';
import { table } from '../io';
import type { Action } from '../program';

// Commands that read Airbyte itself, configured by the same AIRBYTE_* variables as the worker.

const positiveInt = (name: string, text: string, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--${name} must be an integer from 1 to ${max}`, ExitCode.BadInput);
  return n;
};

export function registerAirbyteCommands(program: Command, action: Action): void {
  program
    .command('connections')
    .description("Airbyte's connections (reads Airbyte with the AIRBYTE_* variables)")
    .command('list')
    .description('connections of the workspaces the credentials see')
    .option('--instance <name>', 'the Airbyte instance', 'default')
    .option('--workspace <id...>', 'only these workspaces')
    .option('--limit <n>', 'at most this many', '100')
    .action(
      action(async (ctx, opts: { instance: string; workspace?: string[]; limit: string }) => {
        const max = positiveInt('limit', opts.limit, 10_000);
        const found: AirbyteConnection[] = [];
        for await (const c of ctx.airbyte(opts.instance).connections.iterate({ workspaceIds: opts.workspace }, { max })) found.push(c);
        const rows = found.map((c) => ({ connectionId: c.connectionId, name: c.name, status: c.status, workspaceId: c.workspaceId, schedule: c.schedule?.scheduleType }));
        ctx.output.result(rows, () =>
          rows.length === 0 ? 'no connections' : table([['CONNECTION', 'STATUS', 'SCHEDULE', 'NAME'], ...rows.map((r) => [r.connectionId, r.status, r.schedule ?? '-', r.name])]),
        );
        return ExitCode.Succeeded;
      }),
    );

  const jobs = program.command('jobs').description("Airbyte's jobs of a connection, and their logs");
  jobs
    .command('list')
    .description("a connection's jobs, newest first")
    .argument('<connectionId>')
    .option('--instance <name>', 'the Airbyte instance', 'default')
    .option('--status <status>', 'pending, running, incomplete, failed, succeeded or cancelled')
    .option('--job-type <type>', 'sync, reset, refresh or clear')
    .option('--limit <n>', 'at most this many', '20')
    .action(
      action(async (ctx, connectionId: string, opts: { instance: string; status?: string; jobType?: string; limit: string }) => {
        const max = positiveInt('limit', opts.limit, 1_000);
        const found: AirbyteJob[] = [];
        const filter = { status: opts.status, jobType: opts.jobType };
        for await (const j of ctx.airbyte(opts.instance).jobHistory.iterate(connectionId, filter, { max })) found.push(j);
        ctx.output.result(found, () =>
          found.length === 0
            ? `no jobs for connection ${connectionId}`
            : table([['JOB', 'TYPE', 'STATUS', 'STARTED', 'ROWS', 'DURATION'], ...found.map((j) => [String(j.jobId), j.jobType, j.status, j.startTime, String(j.rowsSynced ?? '-'), j.duration ?? '-'])]),
        );
        return ExitCode.Succeeded;
      }),
    );
  jobs
    .command('logs')
    .description("the end of a job attempt's log (the last attempt by default)")
    .argument('<jobId>')
    .option('--instance <name>', 'the Airbyte instance', 'default')
    .option('--attempt <n>', '0-based attempt number')
    .option('--max-bytes <n>', 'keep the last this many bytes', '262144')
    .action(
      action(async (ctx, jobIdText: string, opts: { instance: string; attempt?: string; maxBytes: string }) => {
        const jobId = Number(jobIdText);
        if (!Number.isInteger(jobId) || jobId < 0) throw new CliError('<jobId> must be a job number', ExitCode.BadInput);
        const maxBytes = positiveInt('max-bytes', opts.maxBytes, 64 * 1024 * 1024);
        const api = ctx.airbyte(opts.instance).jobHistory;
        const attempt = opts.attempt !== undefined ? Number(opts.attempt) : Math.max(0, (await api.attempts(jobId)).attempts.length - 1);
        if (!Number.isInteger(attempt) || attempt < 0) throw new CliError('--attempt must be a non-negative integer', ExitCode.BadInput);
        const logs = await api.attemptLogs(jobId, attempt, { maxBytes });
        ctx.output.result({ jobId, attemptNumber: attempt, ...logs }, () => [
          ...(logs.truncated ? [`... (only the last ${logs.bytes} bytes)`] : []),
          ...logs.lines,
        ]);
        return ExitCode.Succeeded;
      }),
    );
}
