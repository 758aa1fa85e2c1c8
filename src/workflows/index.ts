// `temporal-airbyte/workflows`: the workflow types, and nothing else, because a worker registers every function
// its workflows module exports as a workflow type. Register it with `workflowsPath`, or re-export it from your
// own workflows module (`export * from 'temporal-airbyte/workflows'`). Queries, signals, updates and types are
// in `temporal-airbyte/definitions` (workflow-safe) and the main entry.
//
// Each workflow type loads its own modules when its first call needs them, not when the bundle loads: the SDK gives
// every workflow its own copy of each module it evaluates, so a waiting sync would otherwise pay, in memory while
// cached and in CPU at each start or replay, for the pipeline's, the tenant's and the reconciler's code too
// (bench section 3). `require` of a relative path is bundled by webpack like an import; the types are the real ones.
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as SyncAndWait from './sync-and-wait';
import type * as Owner from './owner/owner';
import type * as Pipeline from './pipeline/pipeline';
import type * as Reconcile from './reconcile/reconcile';
import type * as Onboard from './tenant/onboard';
import type * as Offboard from './tenant/offboard';
import type * as Manage from './manage/manage';

export const syncAndWait: typeof SyncAndWait.syncAndWait = (input) => (require('./sync-and-wait') as typeof SyncAndWait).syncAndWait(input);
export const airbyteJobOwner: typeof Owner.airbyteJobOwner = (input) => (require('./owner/owner') as typeof Owner).airbyteJobOwner(input);
export const airbytePipeline: typeof Pipeline.airbytePipeline = (input) => (require('./pipeline/pipeline') as typeof Pipeline).airbytePipeline(input);
export const airbyteReconcile: typeof Reconcile.airbyteReconcile = (input) => (require('./reconcile/reconcile') as typeof Reconcile).airbyteReconcile(input);
export const onboardTenant: typeof Onboard.onboardTenant = (input) => (require('./tenant/onboard') as typeof Onboard).onboardTenant(input);
export const offboardTenant: typeof Offboard.offboardTenant = (input) => (require('./tenant/offboard') as typeof Offboard).offboardTenant(input);
export const airbyteManage: typeof Manage.airbyteManage = (input) => (require('./manage/manage') as typeof Manage).airbyteManage(input);
