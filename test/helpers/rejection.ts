import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { AirbyteTestEnvironment } from '../../src/testing';

/**
 * Starts a workflow straight on Temporal (bypassing our client's checks) and returns the failure it ends
 * with, after asserting that it is an ApplicationFailure that the workflow raised.
 */
export async function startAndExpectFailure(env: AirbyteTestEnvironment, workflowType: string, args: unknown[]): Promise<ApplicationFailure> {
  const handle = await env.client.workflow.start(workflowType, {
    taskQueue: env.taskQueue,
    workflowId: `rejected-${workflowType}-${Math.random().toString(36).slice(2)}`,
    args,
  });
  const err: unknown = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause as ApplicationFailure;
}
