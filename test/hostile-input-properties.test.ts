import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import fc from 'fast-check';
import { checkPipeline, instancesFromEnv, parseSyncInput } from '../src';
import type { AirbyteTestEnvironment } from '../src/testing';
import { startTestEnvironment } from './helpers/environment';

// Generated inputs started straight on the dev server (past our client): every one the client's check
// refuses must end the workflow in one non-retryable failure, with no workflow-task failure and no call to
// Airbyte. Generated environments must give a config or an Error naming a variable, never anything else.
let env: AirbyteTestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.close();
});

const EventType = temporal.api.enums.v1.EventType;
const duration = fc.oneof(
  fc.constantFrom('1000000y', '-5s', '0s', 'soon', '', '1e400ms', '3650d', '5s', '1h'),
  fc.double({ noNaN: false }),
  fc.integer(),
);
const hostileValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(1_500)), fc.integer(), fc.constant(null), fc.boolean(), fc.object({ maxDepth: 1 }));

const syncInput = fc.record(
  {
    connectionId: fc.oneof(fc.constant('7d2a5f6e-3c1b-4e8a-9f0d-1a2b3c4d5e6f'), fc.string({ maxLength: 50 })),
    jobType: fc.oneof(fc.constantFrom('sync', 'reset', 'clear', 'refresh'), hostileValue),
    instance: fc.oneof(fc.constantFrom('default', 'nope', 'x'.repeat(1_500), 'on prem'), hostileValue),
    poll: fc.record({ initialInterval: duration, maxInterval: duration, latenessRatio: fc.double() }, { requiredKeys: [] }),
    timeout: duration,
    retry: fc.record({ initialInterval: duration, maximumInterval: duration, maximumAttempts: fc.integer(), createGrace: duration }, { requiredKeys: [] }),
    historyBound: fc.integer(),
    continued: fc.record({ jobId: fc.integer(), attached: fc.boolean(), startedAt: fc.integer(), polls: fc.integer(), runs: fc.integer() }),
    unknownOption: hostileValue,
  },
  { requiredKeys: ['connectionId'] },
);

test('every generated sync input the client refuses ends at once in the workflow, with no task failure and no Airbyte call', async () => {
  const invalid = fc.sample(syncInput, { numRuns: 400, seed: 7 }).filter((input) => !parseSyncInput(input).ok);
  expect(invalid.length).toBeGreaterThanOrEqual(40);
  env.mock.reset();
  const handles = await Promise.all(
    invalid.slice(0, 40).map((input, i) =>
      env.client.workflow.start('syncAndWait', { taskQueue: env.taskQueue, workflowId: `generated-${Date.now()}-${i}`, args: [input] }),
    ),
  );
  for (const handle of handles) {
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect((cause as ApplicationFailure).type).toBe('AirbyteInvalidInput');
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toHaveLength(0);
    expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toHaveLength(1); // one task, then failed
  }
  expect(env.mock.requests).toHaveLength(0);
});

const pipelineStep = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b', 'c', 'x'.repeat(300)), fc.string({ maxLength: 20 })),
    kind: fc.oneof(fc.constantFrom('sync', 'dbt', 'activity', 'workflow', 'workspace', 'teleport'), hostileValue),
    connectionId: fc.oneof(fc.constant('7d2a5f6e-3c1b-4e8a-9f0d-1a2b3c4d5e6f'), fc.string({ maxLength: 10 })),
    dependsOn: fc.array(fc.constantFrom('a', 'b', 'c', 'missing'), { maxLength: 3 }),
    activity: fc.oneof(fc.constant('x'.repeat(1_500)), fc.string({ maxLength: 10 })),
    timeout: duration,
    retries: fc.integer(),
    namePattern: fc.constantFrom('^(.*.*)*X$', '(a)\\1', '[', 'glob:*-prod'),
  },
  { requiredKeys: ['id', 'kind'] },
);
const pipeline = fc.record(
  {
    name: fc.oneof(fc.constantFrom('nightly', 'x'.repeat(3_000), ''), fc.string({ maxLength: 20 })),
    maxParallel: fc.oneof(fc.integer(), fc.double()),
    failurePolicy: fc.oneof(fc.constantFrom('failFast', 'continue'), hostileValue),
    steps: fc.array(pipelineStep, { maxLength: 4 }),
  },
  { requiredKeys: ['name', 'steps'] },
);

test('every generated pipeline the client refuses ends at once in the workflow, with no task failure and no Airbyte call', async () => {
  const invalid = fc.sample(pipeline, { numRuns: 300, seed: 5 }).filter((definition) => !checkPipeline(definition).ok);
  expect(invalid.length).toBeGreaterThanOrEqual(30);
  env.mock.reset();
  const handles = await Promise.all(
    invalid.slice(0, 30).map((definition, i) =>
      env.client.workflow.start('airbytePipeline', { taskQueue: env.taskQueue, workflowId: `generated-pipeline-${Date.now()}-${i}`, args: [definition] }),
    ),
  );
  for (const handle of handles) {
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.nonRetryable).toBe(true);
    expect(cause.type).toBe('AirbytePipelineInvalid');
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toHaveLength(0);
  }
  expect(env.mock.requests).toHaveLength(0);
});

const SECRET_VARIABLES = ['AIRBYTE_CLIENT_SECRET', 'AIRBYTE_PASSWORD', 'AIRBYTE_BEARER_TOKEN', 'AIRBYTE_ON_PREM_BEARER_TOKEN'];

test('generated environments give instances or an Error naming an AIRBYTE_ variable', () => {
  const variable = fc.constantFrom(
    'AIRBYTE_API_URL', 'AIRBYTE_CLIENT_ID', 'AIRBYTE_CLIENT_SECRET', 'AIRBYTE_BEARER_TOKEN', 'AIRBYTE_USERNAME', 'AIRBYTE_PASSWORD',
    'AIRBYTE_NO_AUTH', 'AIRBYTE_REQUEST_TIMEOUT_MS', 'AIRBYTE_INSTANCES', 'AIRBYTE_ON_PREM_API_URL', 'AIRBYTE_ON_PREM_BEARER_TOKEN',
  );
  const value = fc.oneof(
    fc.constantFrom('https://api.airbyte.com/v1', 'http://user:pass@host/api/public/v1', 'file:///etc/passwd', 'javascript:alert(1)', 'true', '3000000000', 'on-prem,on_prem', 'on-prem', ''),
    fc.string({ maxLength: 30 }),
  );
  fc.assert(
    fc.property(fc.dictionary(variable, value), fc.stringMatching(/^sekret-[a-f0-9]{12}$/), (generated, secret) => {
      // Secrets get values of their own, so the check below is about leaking, not about coincidences.
      const vars: Record<string, string> = { ...generated };
      for (const name of SECRET_VARIABLES) if (name in vars) vars[name] = secret;
      try {
        instancesFromEnv(vars);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/AIRBYTE_|instance/);
        // The message names variables, never the values of secret ones.
        expect((err as Error).message).not.toContain(secret);
      }
    }),
    { numRuns: 500, seed: 11 },
  );
});
