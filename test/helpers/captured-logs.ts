import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Every log line of this test file's worker, Temporal's own and our activities', at DEBUG level. */
export const capturedLogs: string[] = [];

Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) => {
    capturedLogs.push(`${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {}, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
  }),
});
