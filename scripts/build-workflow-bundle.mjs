// `npm run build`, after tsc: bundles the compiled workflows once (webpack) into lib/workflow-bundle.js, the
// bundle a worker uses by default so that it starts in a second or two instead of bundling for 10-30 s.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const { bundleWorkflowCode } = require('@temporalio/worker');
// Our stateless workflow modules, evaluated once per worker instead of once per workflow.
const { airbyteBundlerOptions } = require(join(root, 'lib/workflow-bundle-options.js'));

const noop = () => undefined;
// The webpack module list is noise here; warnings and errors are not.
const logger = { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error };
const workflowsPath = join(root, 'lib/workflows/index.js');

async function bundle(file, workflowInterceptorModules) {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger, ...airbyteBundlerOptions() });
  const out = join(root, 'lib', file);
  writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${(code.length / 1e6).toFixed(1)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

await bundle('workflow-bundle.js', []);
// For workers with tracing on: the SDK's OpenTelemetry workflow interceptors inside (they cannot be added later).
await bundle('workflow-bundle-traced.js', require(join(root, 'lib/observability/tracing.js')).tracingWorkflowModules());
