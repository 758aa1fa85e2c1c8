import type { ScheduleHandle, ScheduleSpec, ScheduleSummary } from '@temporalio/client';
import type { Command } from 'commander';
import { loadPipeline } from '../../pipelines/load-pipeline';
import { CliError, ExitCode } from '../exit-codes';
import { table } from '../io';
import type { Action } from '../program';

/** Our schedules' ids start so (see AirbyteSyncClient.scheduleSync and friends). */
const OUR_SCHEDULES = /^airbyte-(sync|pipeline|reconcile)-schedule:/;

export function registerScheduleCommands(program: Command, action: Action): void {
  const schedule = program.command('schedule').description('Temporal Schedules of syncs and pipelines');

  schedule
    .command('create')
    .description('schedule a connection\'s sync (--connection) or a pipeline (--pipeline)')
    .option('--connection <id>', 'sync this connection')
    .option('--pipeline <file>', 'run this pipeline file')
    .option('--instance <name>', 'the Airbyte instance of --connection', 'default')
    .option('--cron <expression...>', "when, e.g. '0 3 * * *' (UTC)")
    .option('--every <duration>', "or at a fixed interval, e.g. '6h'")
    .option('--id <scheduleId>', 'default: derived from the connection or pipeline')
    .option('--paused', 'create it paused')
    .action(
      action(async (ctx, opts: { connection?: string; pipeline?: string; instance: string; cron?: string[]; every?: string; id?: string; paused?: boolean }) => {
        if (Boolean(opts.connection) === Boolean(opts.pipeline)) throw new CliError('give one of --connection or --pipeline', ExitCode.BadInput);
        if (!opts.cron && !opts.every) throw new CliError('give --cron or --every', ExitCode.BadInput);
        const spec: ScheduleSpec = {
          ...(opts.cron ? { cronExpressions: opts.cron } : {}),
          ...(opts.every ? { intervals: [{ every: opts.every as `${number}h` }] } : {}),
        };
        const options = { spec, scheduleId: opts.id, paused: opts.paused };
        const definition = opts.pipeline ? await loadPipeline(opts.pipeline) : undefined;
        const { syncs } = await ctx.connect();
        const handle = definition
          ? await syncs.schedulePipeline(definition, options)
          : await syncs.scheduleSync({ connectionId: opts.connection as string, instance: opts.instance }, options);
        ctx.output.result({ scheduleId: handle.scheduleId }, () => `created schedule ${handle.scheduleId}${opts.paused ? ' (paused)' : ''}`);
        return ExitCode.Succeeded;
      }),
    );

  schedule
    .command('list')
    .description("this package's schedules (from Temporal's visibility store: one created seconds ago may not show yet)")
    .option('--all', 'every schedule of the namespace')
    .action(
      action(async (ctx, opts: { all?: boolean }) => {
        const { client } = await ctx.connect();
        const found: ScheduleSummary[] = [];
        for await (const s of client.schedule.list()) if (opts.all || OUR_SCHEDULES.test(s.scheduleId)) found.push(s);
        const rows = found.map((s) => ({
          scheduleId: s.scheduleId,
          paused: s.state.paused,
          workflowType: s.action?.type === 'startWorkflow' ? s.action.workflowType : undefined,
          nextActionTimes: s.info.nextActionTimes.map((t) => t.toISOString()),
        }));
        ctx.output.result(rows, () =>
          rows.length === 0 ? 'no schedules (Temporal lists them from its visibility store, which can lag a create by a few seconds)' : table([['SCHEDULE', 'STATE', 'NEXT'], ...rows.map((r) => [r.scheduleId, r.paused ? 'paused' : 'active', r.nextActionTimes[0] ?? '-'])]),
        );
        return ExitCode.Succeeded;
      }),
    );

  schedule
    .command('describe')
    .description('a schedule: its spec, state, next and recent runs')
    .argument('<scheduleId>')
    .action(
      action(async (ctx, scheduleId: string) => {
        const { client } = await ctx.connect();
        const d = await client.schedule.getHandle(scheduleId).describe();
        const view = {
          scheduleId,
          paused: d.state.paused,
          note: d.state.note,
          spec: d.spec,
          workflowType: d.action.type === 'startWorkflow' ? d.action.workflowType : undefined,
          nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
          recentActions: d.info.recentActions.map((a) => ({ takenAt: a.takenAt.toISOString(), workflowId: a.action.workflow?.workflowId })),
          runningActions: d.info.runningActions.map((a) => a.workflow?.workflowId),
        };
        ctx.output.result(view, () => [
          `schedule ${scheduleId}: ${view.paused ? `paused${view.note ? ` (${view.note})` : ''}` : 'active'}, runs ${view.workflowType ?? '?'}`,
          `  next:    ${view.nextActionTimes.slice(0, 3).join(', ') || '-'}`,
          `  running: ${view.runningActions.join(', ') || '-'}`,
          ...view.recentActions.slice(-5).map((a) => `  ran ${a.takenAt}: ${a.workflowId ?? ''}`),
        ]);
        return ExitCode.Succeeded;
      }),
    );

  const simple = (name: string, description: string, run: (handle: ScheduleHandle, note?: string) => Promise<void>, done: string) =>
    schedule
      .command(name)
      .description(description)
      .argument('<scheduleId>')
      .option('--note <text>', 'why (shown in the UI)')
      .action(
        action(async (ctx, scheduleId: string, opts: { note?: string }) => {
          const { client } = await ctx.connect();
          await run(client.schedule.getHandle(scheduleId), opts.note);
          ctx.output.result({ scheduleId, [name]: true }, () => `${done} ${scheduleId}`);
          return ExitCode.Succeeded;
        }),
      );
  simple('pause', 'pause a schedule', (h, note) => h.pause(note), 'paused');
  simple('unpause', 'resume a schedule', (h, note) => h.unpause(note), 'unpaused');
  simple('trigger', 'run a schedule\'s action now (its overlap policy applies)', (h) => h.trigger(), 'triggered');
  simple('delete', 'delete a schedule (running syncs go on)', (h) => h.delete(), 'deleted');
}
