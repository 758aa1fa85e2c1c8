import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import './helpers/environment';

// Histories recorded from earlier releases must replay on today's workflow code: syncs run for days and a
// deploy must not break the ones in flight. Record new ones with `npm run record-histories -- v3` before changing
// a workflow, and guard behaviour changes with `patched()`.
const dir = join(__dirname, 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('there are recorded histories of every workflow type', () => {
  expect(files.length).toBeGreaterThanOrEqual(5);
});

test.each(files)('%s replays on the current workflow code', async (file) => {
  const recorded = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { workflowId: string; history: object };
  const history = temporal.api.history.v1.History.fromObject(recorded.history);
  const codePath = process.env.TEMPORAL_TEST_BUNDLE as string;
  await Worker.runReplayHistory({ workflowBundle: { codePath } }, history, recorded.workflowId);
});
