// The owner's ids and memo keys live below every layer (activities and the reconciler read them too).
export { JOB_OWNER_WORKFLOW_TYPE, jobOwnerWorkflowId, OwnerMemo, OwnerMessages, waiterRunKey } from '../../common/job-owner';
