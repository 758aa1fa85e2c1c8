import type { Duration } from '@temporalio/common';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { Command } from 'commander';
import { syncWorkflowId } from '../../client';
import { jobOwnerWorkflowId } from '../../common/job-owner';
import type { JobType } from '../../airbyte';
import type { OwnerProgress } from '../../workflows/owner/protocol';
import type { PipelineProgress } from '../../workflows/pipeline/status';
import type { SyncInput } from '../../workflows/sync-input';
import { CliError, ExitCode } from '../exit-codes';
import { table } from '../io';
import type { Action } from '../program';
import { describePipelineResult, describeSyncResult, interruptedNote, syncLine, watch } from '../watch';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerSyncCommands(program: Command, action: Action): void {
  program
    .command('sync')
    .description('start a sync of a connection (or join the one running) and wait for it')
    .argument('<connectionId>', 'the Airbyte connection')
    .option('--instance <name>', 'the Airbyte instance, as the worker names it', 'default')
    .option('--job-type <type>', 'sync, reset or clear', 'sync')
    .option('--timeout <duration>', "give up (and cancel the job) after this long, e.g. '2h'")
    .option('--poll-interval <duration>', "check the job this often, e.g. '30s' (default: 10 % of its running time, from 5 s to 60 s)")
    .option('--no-wait', 'start it and return')
    .action(
      action(async (ctx, connectionId: string, opts: { instance: string; jobType: string; timeout?: string; pollInterval?: string; wait: boolean }) => {
        const every = opts.pollInterval as Duration | undefined;
        const input: SyncInput = {
          connectionId,
          instance: opts.instance,
          jobType: opts.jobType as JobType,
          timeout: opts.timeout as SyncInput['timeout'],
          ...(every !== undefined && { poll: { initialInterval: every, maxInterval: every } }),
        };
        const workflowId = syncWorkflowId(input); // checks the input before anything connects
        const { client, syncs } = await ctx.connect();
        const joined = await isRunning(client, workflowId);
        const handle = await syncs.startSync(input);
        ctx.output.note(`${joined ? 'joined the running' : 'started'} sync workflow ${handle.workflowId}`);
        if (!opts.wait) {
          ctx.output.result({ workflowId: handle.workflowId, joined }, () => handle.workflowId);
          return ExitCode.Succeeded;
        }
        const watched = await watch(ctx.output, syncs.result(handle.workflowId), syncLine(syncs, handle.workflowId));
        if (watched.kind === 'interrupted') return interruptedNote(ctx.output, 'sync', handle.workflowId);
        if (watched.kind === 'failed') throw watched.error;
        ctx.output.result({ ...watched.value, workflowId: handle.workflowId, joined }, () => describeSyncResult(watched.value));
        return ExitCode.Succeeded;
      }),
    );

  program
    .command('status')
    .description("a sync's, pipeline's or connection's progress (a connection id shows its running job)")
    .argument('<id>', 'a workflow id, or a connection id')
    .option('--instance <name>', 'for a connection id: its Airbyte instance', 'default')
    .option('--wait', 'follow it until it ends')
    .action(
      action(async (ctx, id: string, opts: { instance: string; wait?: boolean }) => {
        const { client, syncs } = await ctx.connect();
        const found = await describeOrOwner(client, id, opts.instance);
        const { workflowId, type, status } = found;
        if (type === 'syncAndWait') {
          if (opts.wait && status === 'RUNNING') {
            const watched = await watch(ctx.output, syncs.result(workflowId), syncLine(syncs, workflowId));
            if (watched.kind === 'interrupted') return interruptedNote(ctx.output, 'sync', workflowId);
            if (watched.kind === 'failed') throw watched.error;
            ctx.output.result(watched.value, () => describeSyncResult(watched.value));
            return ExitCode.Succeeded;
          }
          const progress = await syncs.progress(workflowId).catch(() => undefined);
          ctx.output.result({ workflowId, workflowStatus: status, progress }, () => [
            `sync workflow ${workflowId}: ${status.toLowerCase()}`,
            ...(progress ? [`  ${progress.status}${progress.jobId !== undefined ? `, job ${progress.jobId}` : ''}, ${progress.polls} checks${progress.attached ? ', joined a running job' : ''}`] : []),
          ]);
          return ExitCode.Succeeded;
        }
        if (type === 'airbytePipeline') {
          if (opts.wait && status === 'RUNNING') {
            const watched = await watch(ctx.output, syncs.pipelineResult(workflowId), async () => pipelineLine(await syncs.pipelineProgress(workflowId)));
            if (watched.kind === 'interrupted') return interruptedNote(ctx.output, 'pipeline', workflowId);
            if (watched.kind === 'failed') throw watched.error;
            ctx.output.result(watched.value, () => describePipelineResult(watched.value));
            return ExitCode.Succeeded;
          }
          const progress = await syncs.pipelineProgress(workflowId).catch(() => undefined);
          ctx.output.result({ workflowId, workflowStatus: status, progress }, () => [
            `pipeline workflow ${workflowId}: ${status.toLowerCase()}`,
            ...(progress ? progress.steps.map((s) => `  ${s.id.padEnd(20)} ${s.state}${s.jobId !== undefined ? ` job ${s.jobId}` : ''}`) : []),
          ]);
          return ExitCode.Succeeded;
        }
        if (type === 'airbyteJobOwner') {
          const ownerProgress = () => client.workflow.getHandle(workflowId).query<OwnerProgress>('airbyteJobOwnerProgress');
          if (opts.wait && status === 'RUNNING') {
            // Follow the connection's current job through a sync waiting on it: its result is the job's end.
            const waiter = (await ownerProgress().catch(() => undefined))?.waiters[0];
            if (waiter) {
              ctx.output.note(`following job of connection ${id} through sync workflow ${waiter}`);
              const watched = await watch(ctx.output, syncs.result(waiter), syncLine(syncs, waiter));
              if (watched.kind === 'interrupted') return interruptedNote(ctx.output, 'sync', waiter);
              if (watched.kind === 'failed') throw watched.error;
              ctx.output.result({ ...watched.value, workflowId: waiter }, () => describeSyncResult(watched.value));
              return ExitCode.Succeeded;
            }
          }
          const progress = await ownerProgress().catch(() => undefined);
          ctx.output.result({ workflowId, workflowStatus: status, progress }, () => [
            `connection ${progress?.connectionId ?? id}: ${progress?.job ? `job ${progress.job.jobId} ${progress.job.status}` : (progress?.state ?? status.toLowerCase())}`,
            ...(progress?.waiters.length ? [`  waiting on it: ${progress.waiters.join(', ')}`] : []),
          ]);
          return ExitCode.Succeeded;
        }
        ctx.output.result({ workflowId, type, workflowStatus: status }, () => `${type} workflow ${workflowId}: ${status.toLowerCase()}`);
        return ExitCode.Succeeded;
      }),
    );

  program
    .command('cancel')
    .description('cancel a sync or pipeline workflow (it cancels its Airbyte jobs), or every sync of a connection')
    .argument('<id>', 'a workflow id, or a connection id')
    .option('--instance <name>', 'for a connection id: its Airbyte instance', 'default')
    .action(
      action(async (ctx, id: string, opts: { instance: string }) => {
        const { client, syncs } = await ctx.connect();
        const found = await describeOrOwner(client, id, opts.instance);
        if (found.status !== 'RUNNING') throw new CliError(`${found.workflowId} is not running (${found.status.toLowerCase()})`, ExitCode.NotFound);
        let cancelled: string[];
        if (found.type === 'airbyteJobOwner') {
          const progress = await client.workflow.getHandle(found.workflowId).query<OwnerProgress>('airbyteJobOwnerProgress');
          cancelled = [...progress.waiters, ...progress.queued.map((q) => q.waiterId)];
          for (const waiter of cancelled) await syncs.cancel(waiter);
        } else {
          await syncs.cancel(found.workflowId);
          cancelled = [found.workflowId];
        }
        ctx.output.result({ cancelled }, () => (cancelled.length ? cancelled.map((w) => `cancelled ${w}`) : 'nothing to cancel'));
        return ExitCode.Succeeded;
      }),
    );

  program
    .command('list')
    .description('syncs and pipelines, newest first (Temporal visibility)')
    .option('--connection <id>', 'only this connection (needs the AirbyteConnectionId search attribute)')
    .option('--status <status>', 'Running, Completed, Failed, Canceled, Terminated, TimedOut')
    .option('--since <duration>', "started within this long, e.g. '1h', '7d'")
    .option('--type <type>', 'sync or pipeline (default both)')
    .option('--limit <n>', 'at most this many', '20')
    .action(
      action(async (ctx, opts: { connection?: string; status?: string; since?: string; type?: string; limit: string }) => {
        const query = listQuery(opts);
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive integer', ExitCode.BadInput);
        const { client } = await ctx.connect();
        const found: WorkflowExecutionInfo[] = [];
        try {
          for await (const w of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
            found.push(w);
            if (found.length >= limit) break;
          }
        } catch (err) {
          const hint = opts.connection ? ' (is the AirbyteConnectionId search attribute registered? see the README)' : '';
          throw new CliError(`listing workflows failed${hint}: ${(err as Error).message}`, ExitCode.BadInput);
        }
        const rows = found.map((w) => ({
          workflowId: w.workflowId,
          type: w.type,
          status: w.status.name,
          startTime: w.startTime.toISOString(),
          closeTime: w.closeTime?.toISOString(),
          connectionId: (w.memo?.airbyteConnectionId as string | undefined) ?? undefined,
          pipeline: (w.memo?.airbytePipeline as string | undefined) ?? undefined,
        }));
        ctx.output.result(rows, () =>
          rows.length === 0 ? 'no workflows found' : table([['STATUS', 'TYPE', 'STARTED', 'WORKFLOW'], ...rows.map((r) => [r.status, r.type, r.startTime, r.workflowId])]),
        );
        return ExitCode.Succeeded;
      }),
    );
}

/** The Temporal visibility query of `list`; its values are checked, so nothing can be injected into it. */
export function listQuery(opts: { connection?: string; status?: string; since?: string; type?: string }): string {
  const types = opts.type === undefined ? ['syncAndWait', 'airbytePipeline'] : opts.type === 'sync' ? ['syncAndWait'] : opts.type === 'pipeline' ? ['airbytePipeline'] : undefined;
  if (!types) throw new CliError("--type must be 'sync' or 'pipeline'", ExitCode.BadInput);
  const parts = [`WorkflowType IN (${types.map((t) => `'${t}'`).join(', ')})`];
  if (opts.connection !== undefined) {
    if (!/^[\w-]{1,100}$/.test(opts.connection)) throw new CliError('--connection must be a connection id', ExitCode.BadInput);
    parts.push(`AirbyteConnectionId = '${opts.connection}'`);
  }
  if (opts.status !== undefined) {
    const status = STATUSES.find((s) => s.toLowerCase() === opts.status!.toLowerCase().replace(/[_ ]/g, ''));
    if (!status) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`, ExitCode.BadInput);
    parts.push(`ExecutionStatus = '${status}'`);
  }
  if (opts.since !== undefined) {
    const ms = parseSince(opts.since);
    parts.push(`StartTime > '${new Date(Date.now() - ms).toISOString()}'`);
  }
  return parts.join(' AND ');
}

const STATUSES = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'];

function parseSince(text: string): number {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new CliError("--since must be a number and a unit: s, m, h, d or w (e.g. '1h', '7d')", ExitCode.BadInput);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's'];
  return Number(m[1]) * unit;
}

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** The workflow named `id`, or, for a connection id, the connection's job owner. */
async function describeOrOwner(client: Client, id: string, instance: string): Promise<{ workflowId: string; type: string; status: string }> {
  const candidates = UUID.test(id) ? [id, jobOwnerWorkflowId(id, instance)] : [id];
  for (const workflowId of candidates) {
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      return { workflowId, type: d.type, status: d.status.name };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  throw new CliError(UUID.test(id) ? `no workflow ${id}, and no sync of connection ${id} (instance ${instance}) has run` : `no workflow ${id}`, ExitCode.NotFound);
}

export function pipelineLine(p: PipelineProgress): string {
  const count = (state: string) => p.steps.filter((s) => s.state === state).length;
  const running = p.steps.filter((s) => s.state === 'running').map((s) => s.id);
  return `${count('succeeded')}/${p.steps.length} steps done${running.length ? `, running: ${running.slice(0, 5).join(', ')}${running.length > 5 ? ', ...' : ''}` : ''}${count('failed') ? `, ${count('failed')} failed` : ''}`;
}

