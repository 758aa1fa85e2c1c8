import { AirbyteInputError } from '../src';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, startTestEnvironment } from './helpers/environment';

let env: AirbyteTestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.close();
});

test('a scheduled sync runs on the schedule (triggered now here) and syncs the connection', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 11 } });
  const schedule = await env.syncs.scheduleSync({ connectionId, poll: FAST_POLL }, { spec: { intervals: [{ every: '1d' }] } });
  try {
    await schedule.trigger();
    await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
    const { jobId } = env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');
    // The scheduled syncAndWait saw the job end: it asks for the job's per-stream report only then.
    await env.mock.waitFor(() => env.mock.requestsTo('POST', '/config/jobs/get_without_logs').some((r) => (r.body as { id?: number }).id === jobId));
    expect(env.mock.jobs({ connectionId })).toHaveLength(1);
    expect((await schedule.describe()).action).toMatchObject({ workflowType: 'syncAndWait', args: [{ connectionId }] });
  } finally {
    await schedule.delete();
  }
});

test('a schedule with bad input or a bad pipeline is refused before it is created', async () => {
  await expect(env.syncs.scheduleSync({ connectionId: 'nope' }, { spec: { intervals: [{ every: '1h' }] } })).rejects.toThrow(AirbyteInputError);
  await expect(
    env.syncs.schedulePipeline({ name: 'p', steps: [{ id: 'a', kind: 'activity', activity: 'x', dependsOn: ['a'] }] }, { spec: { intervals: [{ every: '1h' }] } }),
  ).rejects.toThrow(/step 'a' depends on itself/);
  const schedules = [];
  for await (const s of env.client.schedule.list()) schedules.push(s.scheduleId);
  expect(schedules.filter((id) => id.includes('nope') || id.endsWith(':p'))).toEqual([]);
});
