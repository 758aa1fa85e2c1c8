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
 *
 * `by: 'signal'` sends the request as a signal-with-start: done once the server has it, without waiting for the owner's
 * workflow task to take it (a wide pipeline sends dozens in one of its tasks, which stays open until they are done).
 * A signal cannot be refused, so a closing owner takes it too (its completion then fails, and it runs the new job).
 */
export async function joinJobOwner(input: JoinOwnerInput): Promise<JoinReply> {
  const ctx = Context.current();
  const instance = input.instance ?? DEFAULT_INSTANCE;
  const workflowId = jobOwnerWorkflowId(input.connectionId, instance);
  const { waiterId, waiterRunId } = input.request;
  const start = {
    workflowId,
    taskQueue: ctx.info.taskQueue,
    args: [{ instance, connectionId: input.connectionId }],
    staticSummary: `Airbyte jobs of connection ${input.connectionId} (${instance})`,
    memo: { [OwnerMemo.instance]: instance, [OwnerMemo.connectionId]: input.connectionId },
  };
  const join = async (workflowIdReusePolicy: WorkflowIdReusePolicy): Promise<JoinReply> => {
    if (input.by === 'signal') {
      await ctx.client.workflow.signalWithStart(JOB_OWNER_WORKFLOW_TYPE, { ...start, workflowIdReusePolicy, signal: OwnerMessages.joinBySignal, signalArgs: [input.request] });
      return { ownerWorkflowId: workflowId, state: 'sent' };
    }
    return await ctx.client.workflow.executeUpdateWithStart<Workflow, JoinReply, [JoinOwnerInput['request']]>(OwnerMessages.join, {
      args: [input.request],
      startWorkflowOperation: new WithStartWorkflowOperation(JOB_OWNER_WORKFLOW_TYPE, { ...start, workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING, workflowIdReusePolicy }),
      updateId: `${waiterId}/${ctx.info.workflowExecution?.runId ?? ''}`,
    });
  };
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
