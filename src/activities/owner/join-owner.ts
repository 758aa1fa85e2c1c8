import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Workflow } from '@temporalio/common';
import { JOB_OWNER_WORKFLOW_TYPE, jobOwnerWorkflowId, OwnerMemo, OwnerMessages, waiterRunKey } from '../../common/job-owner';
import { DEFAULT_INSTANCE } from '../instances';
import type { JobEnded, JoinOwnerInput, JoinReply, OwnerOutcome } from './types';

/**
 * Registers a waiter with the owner of the connection's jobs, starting the owner if none runs
 * (update-with-start: atomic, so two waiters never start two owners). The update id is the waiter's
 * run, so a retried attempt is answered with the first registration instead of a second one.
 *
 * A waiter run that names itself (`waiterRunId`) may be joining again: its first join's answer was lost (a local
 * activity's workflow task lost with its worker, or force-closed), and the owner that took it may have told it its
 * word and closed since. A new owner would start another job; so a closed owner is not replaced before its result
 * was read, and a word it told this run is returned instead (`ended`). Only a join that finds the owner closed pays
 * for that: one failed start and one read.
 */
export async function joinJobOwner(input: JoinOwnerInput): Promise<JoinReply> {
  const ctx = Context.current();
  const instance = input.instance ?? DEFAULT_INSTANCE;
  const workflowId = jobOwnerWorkflowId(input.connectionId, instance);
  const { waiterId, waiterRunId } = input.request;
  const join = (workflowIdReusePolicy: WorkflowIdReusePolicy) =>
    ctx.client.workflow.executeUpdateWithStart<Workflow, JoinReply, [JoinOwnerInput['request']]>(OwnerMessages.join, {
      args: [input.request],
      startWorkflowOperation: new WithStartWorkflowOperation(JOB_OWNER_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: ctx.info.taskQueue,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy,
        args: [{ instance, connectionId: input.connectionId }],
        staticSummary: `Airbyte jobs of connection ${input.connectionId} (${instance})`,
        memo: { [OwnerMemo.instance]: instance, [OwnerMemo.connectionId]: input.connectionId },
      }),
      updateId: `${waiterId}/${ctx.info.workflowExecution?.runId ?? ''}`,
    });
  try {
    if (waiterRunId === undefined) return await join(WorkflowIdReusePolicy.ALLOW_DUPLICATE);
    try {
      return await join(WorkflowIdReusePolicy.REJECT_DUPLICATE);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    const told = await toldByClosedOwner(ctx.client, workflowId, waiterRunKey(waiterId, waiterRunId));
    if (told) return { ownerWorkflowId: workflowId, state: 'ended', jobId: told.job?.jobId, told };
    return await join(WorkflowIdReusePolicy.ALLOW_DUPLICATE);
  } catch (err) {
    // The owner refuses joins while it closes (its last job has ended): retried, the start makes a new owner.
    if (err instanceof WorkflowUpdateFailedError) {
      throw ApplicationFailure.retryable(`the owner of connection ${input.connectionId} is closing: ${err.cause?.message ?? err.message}`, 'AirbyteOwnerClosing');
    }
    throw err;
  }
}

/** The word the latest owner run told this waiter run, when that run has completed (a failed or terminated one says nothing). */
async function toldByClosedOwner(client: Client, workflowId: string, key: string): Promise<JobEnded | undefined> {
  const { runId, status } = await client.workflow.getHandle(workflowId).describe();
  if (status.name !== 'COMPLETED') return undefined;
  const outcome = (await client.workflow.getHandle(workflowId, runId, { followRuns: false }).result()) as OwnerOutcome | undefined;
  return outcome?.told?.[key];
}
