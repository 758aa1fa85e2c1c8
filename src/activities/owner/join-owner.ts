import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy, type Workflow } from '@temporalio/common';
import { JOB_OWNER_WORKFLOW_TYPE, jobOwnerWorkflowId, OwnerMemo, OwnerMessages } from '../../common/job-owner';
import { DEFAULT_INSTANCE } from '../instances';
import type { JoinOwnerInput, JoinReply } from './types';

/**
 * Registers a waiter with the owner of the connection's jobs, starting the owner if none runs
 * (update-with-start: atomic, so two waiters never start two owners). The update id is the waiter's
 * run, so a retried attempt is answered with the first registration instead of a second one.
 */
export async function joinJobOwner(input: JoinOwnerInput): Promise<JoinReply> {
  const ctx = Context.current();
  const instance = input.instance ?? DEFAULT_INSTANCE;
  const workflowId = jobOwnerWorkflowId(input.connectionId, instance);
  const startWorkflowOperation = new WithStartWorkflowOperation(JOB_OWNER_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: ctx.info.taskQueue,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [{ instance, connectionId: input.connectionId }],
    staticSummary: `Airbyte jobs of connection ${input.connectionId} (${instance})`,
    memo: { [OwnerMemo.instance]: instance, [OwnerMemo.connectionId]: input.connectionId },
  });
  try {
    return await ctx.client.workflow.executeUpdateWithStart<Workflow, JoinReply, [JoinOwnerInput['request']]>(OwnerMessages.join, {
      args: [input.request],
      startWorkflowOperation,
      updateId: `${input.request.waiterId}/${ctx.info.workflowExecution?.runId ?? ''}`,
    });
  } catch (err) {
    // The owner refuses joins while it closes (its last job has ended): retried, the start makes a new owner.
    if (err instanceof WorkflowUpdateFailedError) {
      throw ApplicationFailure.retryable(`the owner of connection ${input.connectionId} is closing: ${err.cause?.message ?? err.message}`, 'AirbyteOwnerClosing');
    }
    throw err;
  }
}
