import type { BundleOptions } from '@temporalio/worker';

// The SDK's reusable V8 context gives every workflow its own copy of each module it loads: module-level state is
// paid per workflow, in memory (~100 KB for these) and in CPU each time one starts or replays after eviction (bench
// section 3; workflows/index.ts loads each workflow type's modules only when that type runs). Modules listed here
// are evaluated once and shared, frozen, by every workflow of the worker. Only modules with no state of their own
// and no runtime import of Temporal (whose workflow modules hold the workflow's state) qualify:
// test/shared-workflow-modules.test.ts walks their imports to keep it so.
const SHARED = [
  'validation',
  'sync-input',
  'poll-policy',
  'pipeline/definition',
  'tenant/input',
  'reconcile/input',
  'reconcile/format-report',
  'failure-types',
  'failure-message',
  'summaries',
  'iso-duration',
  'owner/history-bound',
  'owner/ids',
] as const;

/** Absolute paths of the workflow modules every workflow of a worker shares (`preloadModules` of the bundler). */
export function sharedWorkflowModules(): string[] {
  return SHARED.map((name) => require.resolve(`./workflows/${name}`));
}

/** Bundler options for this package's workflows: add them when you bundle workflow code that includes ours. */
export function airbyteBundlerOptions(existing: Pick<BundleOptions, 'preloadModules'> = {}): Required<Pick<BundleOptions, 'preloadModules'>> {
  return { preloadModules: [...new Set([...(existing.preloadModules ?? []), ...sharedWorkflowModules()])] };
}
