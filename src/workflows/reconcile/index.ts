export { airbyteReconcile } from './reconcile';
export * from './input';
