import type { Scenario } from '../lib/types';
import { airbyteOutageScenarios } from './airbyte-outage';
import { edgeScenarios } from './edges';
import { randomScenarios } from './random';
import { stormScenarios } from './storms';
import { temporalOutageScenarios } from './temporal-outage';
import { webhookScenarios } from './webhooks';
import { workerCrashScenarios } from './worker-crash';

/** Every scenario, in the order they run. Add one by adding it to a list here (or a new file's list). */
export const SCENARIOS: Scenario[] = [
  // Long but mostly waiting: first, so that it overlaps the others rather than running alone at the end.
  ...webhookScenarios,
  ...workerCrashScenarios,
  ...temporalOutageScenarios,
  ...airbyteOutageScenarios,
  ...stormScenarios,
  ...randomScenarios,
  ...edgeScenarios,
];
