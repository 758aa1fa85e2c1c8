import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { AirbyteSyncClient, type SyncInput } from '../../src';
import { AirbyteClient } from '../../src/airbyte';
import { freePort, MockAirbyteServer, TcpGate, WorkerProcess, type MockConnectionScript, type MockJob, type TemporalDevServer } from '../../src/testing';
import { configureWebhookNotifications, newWebhookToken, webhookUrl } from '../../src/webhooks';
import { HttpWatch } from './http-watch';
import { attributeRequests, isTerminal, judgeSync, type JudgedCaller, type SyncVerdict } from './judge';
import { awaitOutcome, type OutcomeWithStats } from './outcome';
import type { Random } from './random';
import type { CallerSpec, Scenario, ScenarioContext, Size, SyncPlan } from './types';

/** What every scenario shares: one dev server, one Temporal client, one prebuilt workflow bundle. */
export interface Suite {
  size: Size;
  rng: Random;
  devServer: TemporalDevServer;
  client: Client;
  workflowBundlePath: string;
  logDir: string;
  verbose: boolean;
}

export interface ScenarioReport {
  name: string;
  summary: string;
  syncs: number;
  callers: number;
  jobsPerConnection: { min: number; max: number };
  duplicated: number;
  orphaned: number;
  lost: number;
  wrong: number;
  apiCalls: number;
  apiCallsPerSync: number;
  apiCallsByEndpoint: Record<string, number>;
  /** Requests the worker sent to the gate, including those that never reached the mock. */
  requestsAtGate: number;
  gate: TcpGate['stats'];
  workerStarts: number;
  passed: boolean;
  /** Why it failed, when it did: one line per problem. */
  problems: string[];
  knownIssue?: string;
  durationMs: number;
  timeline: { atMs: number; event: string }[];
  details: SyncVerdict[];
  /** Every request the mock recorded: ms after the start, method, path, status (0: reset). */
  requests: string[];
}

/**
 * The suite's fast settings, so that scenarios take seconds: short activity retries and polls, and a short
 * wait after an unanswered POST /jobs before posting again (60 s by default; 5 s still outlasts every late
 * answer the scenarios inject).
 */
export const FAST_INPUT = {
  retry: { initialInterval: '100ms', maximumInterval: '1s', createGrace: '5s' },
  poll: { initialInterval: '200ms', maxInterval: '1s' },
} as const satisfies Partial<SyncInput>;

/** Short Airbyte timeouts, so a black hole costs seconds per attempt. */
export const FAST_INSTANCE = { requestTimeoutMs: 2_000, createJobTimeoutMs: 3_000 } as const;

const DEFAULT_DEADLINE_MS = 90_000;

export function defaultScript(index: number, rng: Random): MockConnectionScript {
  const rowsSynced = 1_000 + index * 101 + rng.int(0, 99);
  return {
    phases: [
      { status: 'pending', ms: 100 },
      { status: 'running', ms: 2_000 },
    ],
    outcome: 'succeeded',
    rowsSynced,
    bytesSynced: rowsSynced * 64,
  };
}

/** Runs one scenario on its own mock, gate, worker process and task queue; judges it from the mock's state. */
export async function runScenario(scenario: Scenario, suite: Suite): Promise<ScenarioReport> {
  const t0 = Date.now();
  const timeline: { atMs: number; event: string }[] = [];
  const note = (event: string) => {
    timeline.push({ atMs: Date.now() - t0, event });
    if (suite.verbose) console.log(`  [${scenario.name}] ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${event}`);
  };
  const rng = suite.rng.fork(scenario.name);
  const mock = await MockAirbyteServer.start(scenario.mock);
  const gate = await TcpGate.start({ target: mock.origin });
  const http = new HttpWatch(gate);
  const taskQueue = `chaos-${scenario.name}-${Math.random().toString(36).slice(2, 8)}`;
  let worker: WorkerProcess | undefined;
  const problems: string[] = [];
  const webhooks = scenario.webhooks ? { port: await freePort(), token: newWebhookToken() } : undefined;
  try {
    worker = await WorkerProcess.start({
      webhooks,
      address: suite.devServer.address,
      taskQueue,
      instances: {
        default: {
          url: gate.rewrite(mock.publicApiUrl),
          ...(mock.credentials ?? { noAuth: true }),
          ...FAST_INSTANCE,
          ...scenario.instance,
        },
      },
      workflowBundlePath: suite.workflowBundlePath,
      maxAirbyteCallsPerSecond: 200,
      logFile: join(suite.logDir, `${scenario.name}.worker.log`),
    });
    note('worker ready');

    // Notifications as a deployment sets them, through the public API (PATCH /workspaces/{id}).
    const workspaceId = webhooks ? mock.addWorkspace({ name: `${scenario.name} webhooks` }).workspaceId : undefined;
    const url = webhooks ? webhookUrl(`http://127.0.0.1:${webhooks.port}`, 'default', webhooks.token) : undefined;
    if (url && workspaceId) {
      await configureWebhookNotifications(new AirbyteClient({ url: mock.publicApiUrl, ...(mock.credentials ?? { noAuth: true }) }), workspaceId, { successUrl: url, failureUrl: url });
    }

    const count = scenario.syncs[suite.size];
    const plans: SyncPlan[] = [];
    for (let index = 0; index < count; index++) {
      const script = scenario.script?.(index, rng) ?? defaultScript(index, rng);
      const { connectionId } = mock.addConnection({ name: `${scenario.name} #${index}`, script, ...(workspaceId && { workspaceId }) });
      const callers = typeof scenario.callers === 'function' ? scenario.callers(index) : (scenario.callers ?? 1);
      plans.push({ index, connectionId, script, callers });
    }
    const syncs = new AirbyteSyncClient(suite.client, { taskQueue });
    const workflowIds: string[] = [];
    const callerIds: string[][] = plans.map(() => []);
    const outsideJobIds = new Set<number>();
    const flagged = new Map<number, string[]>();
    let markStarted: () => void = () => undefined;
    let failStart: (err: unknown) => void = () => undefined;
    const started = new Promise<void>((resolve, reject) => {
      markStarted = resolve;
      failStart = reject;
    });
    started.catch(() => undefined);
    const latest = (plan: SyncPlan): MockJob | undefined => mock.jobs({ connectionId: plan.connectionId }).at(-1);
    const ctx: ScenarioContext = {
      scenario: scenario.name,
      size: suite.size,
      rng,
      mock,
      gate,
      http,
      worker,
      devServer: suite.devServer,
      syncs,
      client: suite.client,
      plans,
      started,
      workflowIds,
      callerIds,
      webhookUrl: url,
      note,
      until: (predicate, what, timeoutMs = 60_000) =>
        mock.waitFor(predicate, timeoutMs).catch((err: unknown) => {
          throw new Error(`waiting for ${what}: ${err instanceof Error ? err.message : String(err)}`);
        }),
      jobsOf: (plan) => mock.jobs({ connectionId: plan.connectionId }),
      everyJob: (test) =>
        plans.every((plan) => {
          const job = latest(plan);
          return job !== undefined && test(job);
        }),
      outage: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      startOutsideJob: (plan, jobType) => {
        const job = mock.startJob(plan.connectionId, jobType);
        outsideJobIds.add(job.jobId);
        note(`job #${job.jobId} started outside the product on sync #${plan.index}'s connection`);
        return job;
      },
      flag: (plan, problem) => {
        flagged.set(plan.index, [...(flagged.get(plan.index) ?? []), problem]);
        note(`sync #${plan.index}: ${problem}`);
      },
    };

    // History: each connection runs and ends jobs before the syncs (Airbyte's scheduler, say), so its owner knows
    // what to expect of the next one.
    for (let round = 0; round < (scenario.history ?? 0); round++) {
      for (const plan of plans) ctx.startOutsideJob(plan);
      await ctx.until(() => plans.every((plan) => ctx.jobsOf(plan).every((j) => isTerminal(j.status))), 'the history jobs to end');
    }

    // The fault goes first, so that it can arm listeners before anything reaches Airbyte.
    const fault = (scenario.fault?.(ctx) ?? Promise.resolve()).then(
      () => note('fault over'),
      (err: unknown) => {
        problems.push(`fault routine failed: ${err instanceof Error ? err.message : String(err)}`);
        note('fault routine failed');
        gate.open(); // never leave Airbyte unreachable behind a broken routine
      },
    );

    const spec = (plan: SyncPlan, caller: number): CallerSpec => scenario.caller?.(plan.index, caller) ?? {};
    const input = (plan: SyncPlan, caller: number): SyncInput => ({ connectionId: plan.connectionId, ...FAST_INPUT, ...scenario.input, ...spec(plan, caller).input });
    const deadline = Date.now() + (scenario.deadlineMs?.[suite.size] ?? DEFAULT_DEADLINE_MS);
    try {
      await Promise.all(
        plans.map(async (plan) => {
          const ids = callerIds[plan.index] ?? [];
          await Promise.all(
            Array.from({ length: plan.callers }, async (_, caller) => {
              const when = spec(plan, caller).startWhen;
              if (when) await when(ctx);
              ids[caller] = (await syncs.startSync(input(plan, caller))).workflowId;
              if (caller === 0) workflowIds[plan.index] = ids[caller];
              if (when) note(`sync #${plan.index} caller ${caller + 1} requested`);
            }),
          );
        }),
      );
      note(`${plans.length} sync(s) requested`);
      markStarted();
    } catch (err) {
      failStart(err);
      throw err;
    }
    const outcomes = await Promise.all(
      plans.map((plan) => Promise.all((callerIds[plan.index] ?? []).map((id) => awaitOutcome(suite.client, syncs, id, deadline, t0)))),
    );
    note('every wait ended');
    await fault;

    // The verdict, from the mock's record (and the scenario's own checks).
    const jobs = mock.jobs();
    const { byConnection, byEndpoint } = attributeRequests(mock.requests, jobs);
    const details = plans.map((plan) => {
      const planOutcomes = outcomes[plan.index] ?? ([] as OutcomeWithStats[]);
      const callers: JudgedCaller[] = (callerIds[plan.index] ?? []).map((workflowId, caller) => ({
        workflowId,
        expect: spec(plan, caller).expect ?? scenario.expect ?? 'job',
        jobType: input(plan, caller).jobType ?? 'sync',
      }));
      const checked = scenario.check?.(ctx, plan, planOutcomes.map((o) => o.outcome)) ?? [];
      return judgeSync(
        plan,
        callers,
        planOutcomes,
        jobs.filter((j) => j.connectionId === plan.connectionId),
        outsideJobIds,
        byConnection.get(plan.connectionId) ?? 0,
        [...(flagged.get(plan.index) ?? []), ...checked],
      );
    });
    const strangers = jobs.filter((j) => !plans.some((p) => p.connectionId === j.connectionId));
    if (strangers.length) problems.push(`${strangers.length} job(s) on connections nobody synced`);
    for (const d of details) for (const p of d.problems) problems.push(`sync #${d.index}: ${p}`);
    const perConnection = details.map((d) => d.jobs.filter((j) => !j.outside).length);
    const sum = (f: (d: SyncVerdict) => number) => details.reduce((n, d) => n + f(d), 0);
    const report: ScenarioReport = {
      name: scenario.name,
      summary: scenario.summary,
      syncs: plans.length,
      callers: plans.reduce((n, p) => n + p.callers, 0),
      jobsPerConnection: { min: Math.min(...perConnection), max: Math.max(...perConnection) },
      duplicated: sum((d) => d.duplicated),
      orphaned: sum((d) => d.orphaned) + strangers.filter((j) => !isTerminal(j.status)).length,
      lost: sum((d) => (d.lost ? 1 : 0)),
      wrong: sum((d) => (d.wrong ? 1 : 0)),
      apiCalls: mock.requests.length,
      apiCallsPerSync: plans.length ? mock.requests.length / plans.length : 0,
      apiCallsByEndpoint: byEndpoint,
      requestsAtGate: http.requests.length,
      gate: gate.stats,
      workerStarts: worker.startCount,
      passed: false,
      problems,
      knownIssue: scenario.knownIssue,
      durationMs: Date.now() - t0,
      timeline,
      details,
      requests: mock.requests.map((r) => `${r.time - t0} ${r.method} ${r.path}${r.query.connectionId ? `?connectionId=${String(r.query.connectionId)}` : ''} ${r.status}`),
    };
    report.passed = problems.length === 0 && report.duplicated + report.orphaned + report.lost + report.wrong === 0;
    await cleanUp(suite.client, details);
    return report;
  } catch (err) {
    problems.push(`scenario aborted: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return aborted(scenario, suite.size, problems, t0, timeline);
  } finally {
    await worker?.kill('SIGKILL');
    await gate.close();
    await mock.close();
  }
}

/** Terminates what a failed scenario left running, so that it cannot disturb the next ones. */
async function cleanUp(client: Client, details: SyncVerdict[]): Promise<void> {
  const open = details.filter((d) => d.outcomes.some((o) => o.kind === 'no-result'));
  await Promise.all(
    open.flatMap((d) => d.workflowIds).map((id) => client.workflow.getHandle(id).terminate('chaos scenario over').catch(() => undefined)),
  );
}

function aborted(scenario: Scenario, size: Size, problems: string[], t0: number, timeline: ScenarioReport['timeline']): ScenarioReport {
  return {
    name: scenario.name,
    summary: scenario.summary,
    syncs: scenario.syncs[size],
    callers: 0,
    jobsPerConnection: { min: 0, max: 0 },
    duplicated: 0,
    orphaned: 0,
    lost: 0,
    wrong: 0,
    apiCalls: 0,
    apiCallsPerSync: 0,
    apiCallsByEndpoint: {},
    requestsAtGate: 0,
    gate: { accepted: 0, refused: 0, cut: 0, active: 0 },
    workerStarts: 0,
    passed: false,
    problems,
    knownIssue: scenario.knownIssue,
    durationMs: Date.now() - t0,
    timeline,
    details: [],
    requests: [],
  };
}
