// `temporal-airbyte/workflows`: the workflow types, and nothing else, because a worker registers every function
// its workflows module exports as a workflow type. Register it with `workflowsPath`, or re-export it from your
// own workflows module (`export * from 'temporal-airbyte/workflows'`). Queries, signals, updates and types are
// in `temporal-airbyte/definitions` (workflow-safe) and the main entry.
export { syncAndWait } from './sync-and-wait';
export { airbyteJobOwner } from './owner/owner';
export { airbytePipeline } from './pipeline/pipeline';
export { airbyteReconcile } from './reconcile/reconcile';
export { onboardTenant } from './tenant/onboard';
export { offboardTenant } from './tenant/offboard';
export { airbyteManage } from './manage/manage';
