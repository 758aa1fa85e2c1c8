import { DefaultLogger, Runtime } from '@temporalio/worker';
import { AirbyteTestEnvironment, type AirbyteTestEnvironmentOptions } from '../../src/testing';

// Fault-injection tests make activities fail on purpose: keep the worker's log to real errors
// (unless the test file installed its own runtime first, as the log-capturing test does).
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed
}

/** An AirbyteTestEnvironment on the run's shared dev server and workflow bundle (see test/setup). */
export function startTestEnvironment(options: Omit<AirbyteTestEnvironmentOptions, 'temporal'> = {}): Promise<AirbyteTestEnvironment> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  const codePath = process.env.TEMPORAL_TEST_BUNDLE;
  if (!address || !codePath) throw new Error('test/setup/global-setup.ts did not run');
  return AirbyteTestEnvironment.start({
    ...options,
    temporal: { address, searchAttributes: true }, // test/setup registers them
    workerOptions: { workflowBundle: { codePath }, ...options.workerOptions },
  });
}

/** Fast activity retries, so fault-injection tests do not wait out production back-off. */
export const FAST_RETRY = { initialInterval: '50ms', maximumInterval: '200ms' } as const;
/** Fast polling for jobs that last a few hundred milliseconds on the mock. */
export const FAST_POLL = { initialInterval: '50ms', maxInterval: '100ms' } as const;

/**
 * Reads a visibility-backed list (workflows, schedules) until it satisfies `done`: Temporal's lists
 * lag behind starts and creates a little, and nothing announces when they catch up.
 */
export async function whenListed<T>(read: () => Promise<T>, done: (listed: T) => boolean, tries = 100): Promise<T> {
  let listed = await read();
  for (let tried = 1; !done(listed) && tried < tries; tried++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    listed = await read();
  }
  return listed;
}
