import type { Command } from 'commander';
import { loadPipeline } from '../../pipelines/load-pipeline';
import { ExitCode } from '../exit-codes';
import type { Action } from '../program';
import { describePipelineResult, interruptedNote, watch } from '../watch';
import { pipelineLine } from './syncs';

export function registerPipelineCommands(program: Command, action: Action): void {
  const pipeline = program.command('pipeline').description('run, watch and cancel pipelines (YAML or JSON files)');

  pipeline
    .command('run')
    .description('check a pipeline file, start it and wait for it')
    .argument('<file>', 'the pipeline definition (.yaml, .yml or .json)')
    .option('--no-wait', 'start it and return')
    .action(
      action(async (ctx, file: string, opts: { wait: boolean }) => {
        const definition = await loadPipeline(file); // refused before anything connects
        const { syncs } = await ctx.connect();
        const handle = await syncs.startPipeline(definition);
        ctx.output.note(`started pipeline ${definition.name}: workflow ${handle.workflowId}`);
        if (!opts.wait) {
          ctx.output.result({ workflowId: handle.workflowId }, () => handle.workflowId);
          return ExitCode.Succeeded;
        }
        const watched = await watch(ctx.output, syncs.pipelineResult(handle.workflowId), async () => pipelineLine(await syncs.pipelineProgress(handle.workflowId)));
        if (watched.kind === 'interrupted') return interruptedNote(ctx.output, 'pipeline', handle.workflowId);
        if (watched.kind === 'failed') throw watched.error;
        ctx.output.result(watched.value, () => describePipelineResult(watched.value));
        return ExitCode.Succeeded;
      }),
    );

  pipeline
    .command('status')
    .description("a pipeline's steps")
    .argument('<workflowId>')
    .action(
      action(async (ctx, workflowId: string) => {
        const { syncs } = await ctx.connect();
        const progress = await syncs.pipelineProgress(workflowId);
        ctx.output.result(progress, () => [
          `pipeline ${progress.name}: ${pipelineLine(progress)}`,
          ...progress.steps.map((s) => `  ${s.id.padEnd(20)} ${s.state}${s.jobId !== undefined ? ` job ${s.jobId}` : ''}${s.error ? `: ${s.error}` : ''}`),
        ]);
        return ExitCode.Succeeded;
      }),
    );

  pipeline
    .command('cancel')
    .description('cancel every running step (and its Airbyte job) and skip the rest, or one step with --step')
    .argument('<workflowId>')
    .option('--step <id>', 'only this step; the steps after it are skipped')
    .action(
      action(async (ctx, workflowId: string, opts: { step?: string }) => {
        const { syncs } = await ctx.connect();
        if (opts.step) {
          const step = await syncs.cancelPipelineStep(workflowId, opts.step);
          ctx.output.result(step, () => `step ${step.id}: ${step.state}`);
        } else {
          const progress = await syncs.cancelPipeline(workflowId);
          ctx.output.result(progress, () => `pipeline ${progress.name}: cancelling (${pipelineLine(progress)})`);
        }
        return ExitCode.Succeeded;
      }),
    );
}
