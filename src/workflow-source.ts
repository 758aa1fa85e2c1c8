import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** Where `npm run build` writes the prebuilt workflow bundle: next to the compiled package (lib/workflow-bundle.js). */
export const PACKAGED_WORKFLOW_BUNDLE = join(__dirname, 'workflow-bundle.js');
/** The same with the OpenTelemetry workflow interceptors in it, for a worker with tracing on. */
export const PACKAGED_TRACED_WORKFLOW_BUNDLE = join(__dirname, 'workflow-bundle-traced.js');

export type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;

/**
 * The workflows a worker runs when it is given none: the prebuilt bundle (a worker starts in a second or two),
 * else the workflow sources (bundled at start, 10-30 s; so it is when running from the TypeScript sources).
 * An explicit `bundlePath` must exist: a deployment that names a bundle never falls back silently. With
 * tracing, the bundle must hold the OpenTelemetry workflow interceptors: the traced bundle, or bundling at start.
 */
export function defaultWorkflowSource(bundlePath?: string, traced = false): WorkflowSource {
  if (bundlePath !== undefined) {
    if (!existsSync(bundlePath)) throw new Error(`no workflow bundle at ${bundlePath} (TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE)`);
    return { workflowBundle: { codePath: bundlePath } };
  }
  const packaged = traced ? PACKAGED_TRACED_WORKFLOW_BUNDLE : PACKAGED_WORKFLOW_BUNDLE;
  if (existsSync(packaged)) return { workflowBundle: { codePath: packaged } };
  return { workflowsPath: require.resolve('./workflows') };
}
