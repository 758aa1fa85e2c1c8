export { airbyteReconcile } from './reconcile';
export {
  checkReconcileInput,
  DEFAULT_RECONCILE_MAX_CONNECTIONS,
  MAX_RECONCILE_CONNECTIONS,
  type CancelledJob,
  type ParsedReconcileInput,
  type ReconcileInput,
  type ReconcileInputCheck,
  type ReconcileReport,
  type ReconciledJob,
} from './input';
