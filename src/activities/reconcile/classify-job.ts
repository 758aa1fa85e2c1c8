import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { jobOwnerWorkflowId, OwnerMemo } from '../../common/job-owner';
import type { JobSnapshot } from '../types';
import type { ClassifiedJob } from './types';

/** Ids of earlier releases' `syncAndWait` (one per connection); the format is frozen, whatever the client does now. */
export function legacySyncWorkflowId(connectionId: string, instance: string): string {
  return `airbyte-sync:${instance}:${connectionId}`;
}

export const LEGACY_PROGRESS_QUERY = 'airbyteSyncProgress';
/** A closed workflow's query is answered by a worker replaying it; without one it would wait forever. */
const LEGACY_QUERY_DEADLINE_MS = 5_000;

type JobFacts = Pick<JobSnapshot, 'jobId' | 'connectionId' | 'jobType' | 'status'>;

/**
 * Decides whether a live Airbyte job is watched by one of our workflows, was left behind by one
 * (orphaned), or was never ours (unmanaged). A running owner counts as watching whatever its memo says:
 * it may not have recorded the job yet, and cancelling under it would fail its callers.
 */
export async function classifyJob(temporal: Client, instance: string, job: JobFacts): Promise<ClassifiedJob> {
  const ownerId = jobOwnerWorkflowId(job.connectionId, instance);
  const legacyId = legacySyncWorkflowId(job.connectionId, instance);
  const result = (classification: ClassifiedJob['classification'], reason: string, workflowId?: string): ClassifiedJob => ({
    jobId: job.jobId,
    connectionId: job.connectionId,
    jobType: job.jobType,
    status: job.status,
    classification,
    reason,
    ...(workflowId !== undefined && { workflowId }),
  });

  const owner = await describe(temporal, ownerId);
  if (owner && isLive(owner)) return result('watched', `owner workflow ${ownerId} is running`, ownerId);
  const legacy = await describe(temporal, legacyId);
  // Earlier releases kept no memo of the job: the run's own progress query says which job it triggered
  // (a closed run is replayed by a worker to answer). A progress naming an owner is a waiter of this
  // release started at the old id by an old client: it polls nothing, the owner decides.
  const progress = legacy ? await legacyProgress(temporal, legacyId) : undefined;
  const legacyWatcher = legacy && !progress?.waiter ? legacy : undefined;
  if (legacyWatcher && isLive(legacyWatcher)) {
    return result('watched', `syncAndWait workflow ${legacyId} (earlier release) is running`, legacyId);
  }

  if (owner) {
    const memo = owner.memo ?? {};
    const memoJobId = memo[OwnerMemo.jobId];
    const ended = `owner workflow ${ownerId} ended (${closedAs(owner)})`;
    if (memoJobId === job.jobId && memo[OwnerMemo.jobOwned] === true) {
      return result('orphaned', `${ended} and left running job ${job.jobId}, which it had created`, ownerId);
    }
    if (memoJobId === job.jobId) return result('unmanaged', `${ended}; it had joined job ${job.jobId}, which someone else started`, ownerId);
    if (!legacyWatcher) {
      const last = typeof memoJobId === 'number' ? `its last job was ${memoJobId}` : 'it recorded no job';
      return result('unmanaged', `${ended}; ${last}, not ${job.jobId}`, ownerId);
    }
  }

  if (legacyWatcher) {
    const ended = `syncAndWait workflow ${legacyId} (earlier release) ended (${closedAs(legacyWatcher)})`;
    if (!progress) return result('unmanaged', `${ended} and could not be asked which job it watched`, legacyId);
    if (progress.jobId === job.jobId && !progress.attached) {
      return result('orphaned', `${ended} and left running job ${job.jobId}, which it had created`, legacyId);
    }
    if (progress.jobId === job.jobId) return result('unmanaged', `${ended}; it had joined job ${job.jobId}, which someone else started`, legacyId);
    const last = progress.jobId === undefined ? 'it recorded no job' : `its last job was ${progress.jobId}`;
    return result('unmanaged', `${ended}; ${last}, not ${job.jobId}`, legacyId);
  }

  return result('unmanaged', `no workflow of ours ever owned connection ${job.connectionId} (${instance}): Airbyte's scheduler, the UI or another tool started it`);
}

async function describe(temporal: Client, workflowId: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await temporal.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** A paused workflow is still alive: it will resume and go on watching. */
function isLive(description: WorkflowExecutionDescription): boolean {
  return description.status.name === 'RUNNING' || description.status.name === 'PAUSED';
}

function closedAs(description: WorkflowExecutionDescription): string {
  const when = description.closeTime ? ` at ${description.closeTime.toISOString()}` : '';
  return `${description.status.name.toLowerCase()}${when}`;
}

interface LegacyProgress {
  jobId?: number;
  /** False only when the run said it created the job itself. */
  attached: boolean;
  /** The run is a waiter of the owner (this release), not a watcher of its own. */
  waiter: boolean;
}

async function legacyProgress(temporal: Client, workflowId: string): Promise<LegacyProgress | undefined> {
  try {
    const answer: unknown = await temporal.withDeadline(Date.now() + LEGACY_QUERY_DEADLINE_MS, () =>
      temporal.workflow.getHandle(workflowId).query<unknown>(LEGACY_PROGRESS_QUERY),
    );
    if (typeof answer !== 'object' || answer === null) return undefined;
    const { jobId, attached, ownerWorkflowId } = answer as Record<string, unknown>;
    if (jobId !== undefined && typeof jobId !== 'number') return undefined;
    // Anything but an explicit "we created it" counts as joined: never cancel on a guess.
    return { jobId, attached: attached !== false, waiter: typeof ownerWorkflowId === 'string' };
  } catch {
    // No worker can replay it, or its code changed: unknown. A live one then counts as watching, a closed one as not ours.
    return undefined;
  }
}
