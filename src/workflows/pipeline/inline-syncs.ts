import { CancellationScope, sleep } from '@temporalio/workflow';
import type { JobEnded } from '../owner/protocol';
import { PIPELINE_LIMITS } from './definition';

/**
 * Joins a wide pipeline sends in one workflow task. A join is a local activity, and local activities hold their
 * workflow task open until they finish; while it is open the server buffers what arrives (the owners' signals), and
 * past 100 buffered events it force-closes the task, losing every join result of it (they run again). A few dozen
 * joins end within a second, so owners rarely get a hundred words in meanwhile.
 */
export const JOINS_PER_TASK = 50;

/** The owners' last words for a pipeline's inline sync steps, by waiter id (the pipeline's signal handler fills it). */
export interface InlineSyncs {
  /**
   * The step waits under this id from now on. True when its owner's word is already here: its join was lost with a
   * workflow task the server force-closed (or a worker took down) after the owner had taken it, and must not run
   * again (the owner, closed by now, would start another job).
   */
  await(waiterId: string): boolean;
  ended(waiterId: string): JobEnded | undefined;
  /** A word from an owner (or the pipeline's own, when the owner is gone). */
  settle(waiterId: string, ended: JobEnded): void;
  /** Takes the word out (it is kept only until the step has read it). */
  take(waiterId: string): JobEnded;
  /** Resolves when the step may send its join: at most JOINS_PER_TASK per workflow task. */
  joinTurn(): Promise<void>;
  /** Joins go as signals (pipelines from the release that added it on; see joinJobOwner). */
  readonly joinBySignal: boolean;
}

/**
 * The inline waits of one pipeline run. `lean` (pipelines from the release that added it on): a word that comes
 * before its step waits is kept, for ids of this pipeline's steps only and at most one per step, and joins are
 * paced per workflow task; without it, as earlier releases ran (replay). `bySignal`: likewise for signal joins.
 */
export function createInlineSyncs(pipelineWorkflowId: string, lean: () => boolean, bySignal: () => boolean): InlineSyncs {
  const words = new Map<string, JobEnded | undefined>();
  const early = new Map<string, JobEnded>();
  const ours = (waiterId: string) => waiterId.startsWith(`${pipelineWorkflowId}/`);
  let joinsThisTask = 0;
  let nextTask: Promise<void> | undefined;

  return {
    get joinBySignal() {
      return bySignal();
    },
    await: (waiterId) => {
      const word = lean() ? early.get(waiterId) : undefined;
      early.delete(waiterId);
      words.set(waiterId, word);
      return word !== undefined;
    },
    ended: (waiterId) => words.get(waiterId),
    settle: (waiterId, ended) => {
      // A word comes with a new workflow task (a signal is never delivered into a task already open, nor is the
      // failure of the signal that made ownerGone): the joins of this task count from zero.
      joinsThisTask = 0;
      if (words.has(waiterId)) {
        if (words.get(waiterId) === undefined) words.set(waiterId, ended);
      } else if (ours(waiterId) && !early.has(waiterId) && early.size < PIPELINE_LIMITS.steps) {
        early.set(waiterId, ended);
      }
    },
    take: (waiterId) => {
      const ended = words.get(waiterId) as JobEnded;
      words.delete(waiterId);
      return ended;
    },
    joinTurn: async () => {
      if (!lean()) return;
      while (joinsThisTask >= JOINS_PER_TASK) {
        // No word came to open a new task: one timer for every step waiting its turn opens it, outside any step's
        // scope (a cancelled step must not cancel it for the others). It starts once this task's joins are done.
        nextTask ??= CancellationScope.nonCancellable(() => sleep(1)).then(() => {
          joinsThisTask = 0;
          nextTask = undefined;
        });
        await Promise.race([nextTask, CancellationScope.current().cancelRequested]);
      }
      joinsThisTask++;
    },
  };
}
