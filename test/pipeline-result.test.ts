import { RESULT_STEP_LIMIT, type StepStatus } from '../src';
import { DETAILS_IDS_SHOWN, pipelineDetails, resultSteps, stepsPage } from '../src/workflows/pipeline/status';

// How a pipeline's result and its steps query stay bounded at any size (pure functions; the workflow uses them).
const step = (i: number, state: StepStatus['state']): StepStatus => ({
  id: `s${i}`,
  kind: 'sync',
  state,
  dependsOn: [],
  attempts: 1,
  connectionId: '00000000-0000-0000-0000-000000000000',
  jobId: i,
  rowsSynced: 1,
  result: { streams: Array.from({ length: 30 }, (_, n) => ({ name: `stream-${n}`, recordsEmitted: n })) },
});

test('a result lists at most RESULT_STEP_LIMIT steps, the ones that did not succeed first, and counts the rest', () => {
  const steps = Array.from({ length: 10_000 }, (_, i) => step(i, i % 1_000 === 999 ? 'failed' : 'succeeded'));
  const { steps: listed, stepsOmitted } = resultSteps(steps);
  expect(listed).toHaveLength(RESULT_STEP_LIMIT);
  expect(stepsOmitted).toBe(10_000 - RESULT_STEP_LIMIT);
  expect(listed.slice(0, 10).map((s) => s.state)).toEqual(Array(10).fill('failed'));
  expect(listed.every((s) => s.result === undefined)).toBe(true);
  expect(Buffer.byteLength(JSON.stringify(listed))).toBeLessThan(256 * 1024);
});

test('a small pipeline lists every step; non-sync results are kept', () => {
  const dbt: StepStatus = { id: 'dbt', kind: 'dbt', state: 'succeeded', dependsOn: ['s0'], attempts: 1, result: { ok: true } };
  const { steps, stepsOmitted } = resultSteps([step(0, 'succeeded'), dbt]);
  expect(stepsOmitted).toBeUndefined();
  expect(steps.map((s) => s.result)).toEqual([undefined, { ok: true }]);
});

test('the steps query pages, filters by state and reads a malformed request as the first page', () => {
  const steps = Array.from({ length: 1_200 }, (_, i) => step(i, i < 3 ? 'failed' : 'succeeded'));
  expect(stepsPage(steps, { offset: 1_000 })).toMatchObject({ total: 1_200, offset: 1_000 });
  expect(stepsPage(steps, { offset: 1_000 }).steps).toHaveLength(200);
  expect(stepsPage(steps, { limit: 10_000 }).steps).toHaveLength(RESULT_STEP_LIMIT);
  expect(stepsPage(steps, { states: ['failed'] }).steps.map((s) => s.id)).toEqual(['s0', 's1', 's2']);
  expect(stepsPage(steps, { offset: -1, limit: Number.NaN })).toMatchObject({ offset: 0, total: 1_200 });
  expect(stepsPage(steps, 'nonsense' as never).steps[0]?.result).toBeDefined();
});

test("the UI's details count every step and name at most DETAILS_IDS_SHOWN running and failed ones", () => {
  const states: StepStatus['state'][] = ['running', 'succeeded', 'failed', 'pending'];
  const steps = Array.from({ length: 1_000 }, (_, i) => step(i, states[i % 4]!));
  const details = pipelineDetails('wide', steps);
  expect(details).toMatch(/^Pipeline \*\*wide\*\*: 250\/1000 steps succeeded\n\nrunning: s0 \(job 0\), s4 \(job 4\), .* and 230 more\n\nfailed: s2, s6, .* and 230 more$/);
  expect(details.match(/\(job \d+\)/g)).toHaveLength(DETAILS_IDS_SHOWN);
  expect(pipelineDetails('small', [step(1, 'running'), { ...step(2, 'failed'), jobId: undefined }])).toBe('Pipeline **small**: 0/2 steps succeeded\n\nrunning: s1 (job 1)\n\nfailed: s2');
  expect(pipelineDetails('done', [step(1, 'succeeded')])).toBe('Pipeline **done**: 1/1 steps succeeded');
});
