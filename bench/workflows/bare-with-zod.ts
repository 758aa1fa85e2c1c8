// The bare workflows in a bundle that also holds our sync input checks (zod schemas built at module load): the
// memory section's control for what module state costs per workflow. Nothing here calls parseSyncInput.
export * from './bare';
export { parseSyncInput } from '../../src/workflows/sync-input';
