import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { airbyteBundlerOptions } from '../../src/workflow-bundle-options';
import { resolveTemporalCli } from '../../src/testing/temporal-cli';
import { AIRBYTE_SEARCH_ATTRIBUTE_KEYS } from '../../src/workflows/search-attributes';

declare global {
  var __TEMPORAL_ENV__: TestWorkflowEnvironment | undefined;
}

/** Starts the real Temporal dev server once and bundles the workflows once for every test file. */
export default async function globalSetup(): Promise<void> {
  const [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: { executable: resolveTemporalCli(), ip: '127.0.0.1', searchAttributes: AIRBYTE_SEARCH_ATTRIBUTE_KEYS },
    }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietLogger, ...airbyteBundlerOptions() }),
  ]);
  globalThis.__TEMPORAL_ENV__ = env;
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'temporal-airbyte-')), 'workflows.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
  process.env.TEMPORAL_TEST_BUNDLE = bundlePath;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
