import type { Client } from '@temporalio/client';
import type { AirbyteInstanceConfig, AirbyteSyncClient, SyncInput } from '../../src';
import type { MockAirbyteOptions, MockAirbyteServer, MockConnectionScript, MockJob, TcpGate, TemporalDevServer, WorkerProcess } from '../../src/testing';
import type { HttpWatch } from './http-watch';
import type { Outcome } from './outcome';
import type { Random } from './random';

export type Size = 'small' | 'full';

/** One requested sync: its own connection on the mock, with the job the mock will run for it. */
export interface SyncPlan {
  index: number;
  connectionId: string;
  script: MockConnectionScript;
  /** How many callers start (and wait for) this sync at the same time. */
  callers: number;
}

/**
 * What a scenario sees. The fault routine starts before the syncs are requested (so it can arm listeners
 * on the mock first) and runs while the harness waits for the results.
 */
export interface ScenarioContext {
  readonly scenario: string;
  readonly size: Size;
  readonly rng: Random;
  readonly mock: MockAirbyteServer;
  readonly gate: TcpGate;
  /** Complete HTTP requests the worker sent to the gate (forwarded or not). */
  readonly http: HttpWatch;
  readonly worker: WorkerProcess;
  readonly devServer: TemporalDevServer;
  readonly syncs: AirbyteSyncClient;
  /** The Temporal client the syncs use (to terminate a workflow, say). */
  readonly client: Client;
  readonly plans: readonly SyncPlan[];
  /** Resolves once every sync was requested; then `workflowIds` holds each plan's workflow id. */
  readonly started: Promise<void>;
  readonly workflowIds: readonly string[];
  /** Every caller's workflow id, by plan then caller, filled in as each one is started. */
  readonly callerIds: readonly (readonly string[])[];
  /** The receiver's URL for the `default` instance, token included, when the scenario has `webhooks`. */
  readonly webhookUrl: string | undefined;
  /** Adds a line to the scenario's timeline (printed with --verbose, kept in the JSON). */
  note(event: string): void;
  /** Resolves once `predicate` holds on the mock's state; re-checked on every request and job transition. */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  jobsOf(plan: SyncPlan): MockJob[];
  /** True when every plan's connection has a job and `test` holds for its latest job. */
  everyJob(test: (job: MockJob) => boolean): boolean;
  /** A timer that defines how long a fault lasts (not a stand-in for synchronisation). */
  outage(ms: number): Promise<void>;
  /**
   * Starts a job on the plan's connection outside the product (Airbyte's scheduler, a person in the UI).
   * The judge leaves it out of "one job per request", and counts any cancel that reached it as wrong.
   */
  startOutsideJob(plan: SyncPlan, jobType?: string): MockJob;
  /** A scenario-specific check that failed for this sync: the judge counts the sync as wrong. */
  flag(plan: SyncPlan, problem: string): void;
}

/**
 * How a sync is expected to end.
 * - `job`: as the mock's job ended.
 * - `cancelled`: the workflow was cancelled, and the job with it.
 * - `cancelled-job-kept`: the workflow was cancelled, its job was not (another waiter still wanted it, or it
 *   had ended): no cancel reached the job, which ended as scripted.
 * - `aborted`: the sync failed as AirbyteSyncAborted naming its job, and that job (ours) was cancelled.
 * - `terminated`: the workflow was terminated (no result, by design) and its job cancelled by the reconciler.
 */
export type Expectation = 'job' | 'cancelled' | 'cancelled-job-kept' | 'aborted' | 'terminated';

/** One caller of a sync, when they differ (see `Scenario.caller`). */
export interface CallerSpec {
  /** Merged into this caller's input: a different request is a workflow of its own, sharing the connection's owner. */
  input?: Partial<SyncInput>;
  /** Default: the scenario's `expect`. */
  expect?: Expectation;
  /** Start this caller only once this resolves (e.g. once another caller's job runs); default at once. */
  startWhen?: (ctx: ScenarioContext) => Promise<void>;
}

export interface Scenario {
  name: string;
  summary: string;
  syncs: Record<Size, number>;
  /** Callers per sync (default 1); more than one checks that concurrent starts join one job. */
  callers?: number | ((index: number) => number);
  /** Caller `caller` of sync `index`: its own input, expectation and start (default: all alike, started at once). */
  caller?: (index: number, caller: number) => CallerSpec;
  /** The job of sync `index` (default: pending 100 ms, running 2 s, succeeded, distinct rows). */
  script?: (index: number, rng: Random) => MockConnectionScript;
  /** Overrides of the worker's Airbyte instance (timeouts). */
  instance?: Partial<AirbyteInstanceConfig>;
  /** Options of the scenario's mock Airbyte (e.g. `cancelDelayMs`: Airbyte cancelling asynchronously). */
  mock?: Pick<MockAirbyteOptions, 'cancelDelayMs'>;
  /** Merged into every sync's input (after the suite's fast poll and retry settings). */
  input?: Partial<SyncInput>;
  expect?: Expectation;
  /** The fault. Starts before the syncs are requested; await `ctx.started` for their workflow ids. */
  fault?: (ctx: ScenarioContext) => Promise<void>;
  /** Scenario-specific checks of one sync once every wait ended and the fault is over: its problems (each counts it wrong). */
  check?: (ctx: ScenarioContext, plan: SyncPlan, outcomes: Outcome[]) => string[];
  /** How long after the first start every result must be in (default 90 s). */
  deadlineMs?: Partial<Record<Size, number>>;
  /**
   * Airbyte's webhooks: the worker process runs the receiver (on a port that stays across restarts), and the
   * connections live in a workspace whose success and failure notifications point at it.
   */
  webhooks?: boolean;
  /** Jobs each connection runs (outside the product, as scripted) and ends before the syncs start: its history. */
  history?: number;
  /** Runs alone, not alongside other scenarios (it disturbs what they share, e.g. the dev server). */
  exclusive?: boolean;
  /** Why this scenario may fail today: printed next to a failure. */
  knownIssue?: string;
}
