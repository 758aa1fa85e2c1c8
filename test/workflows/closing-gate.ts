// A workflow interceptor for test/owner-closing-window.test.ts: when an owner's activation would complete the
// workflow, it calls the `closingGate` sink. The worker runs sinks before it sends the activation's completion,
// so a sink that waits holds the owner's closing workflow task open: a test can land a signal inside it.
import { proxySinks, workflowInfo, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { JOB_OWNER_WORKFLOW_TYPE } from '../../src/common/job-owner';

export interface ClosingGateSinks extends Sinks {
  closingGate: { reached(): void };
}

const { closingGate } = proxySinks<ClosingGateSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  internals: [
    {
      concludeActivation(input, next) {
        if (workflowInfo().workflowType === JOB_OWNER_WORKFLOW_TYPE && input.commands.some((c) => c.completeWorkflowExecution)) closingGate.reached();
        return next(input);
      },
    },
  ],
});
