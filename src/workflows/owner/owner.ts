import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  patched,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobReport, JobSnapshot } from '../../activities';
import type { OwnerOutcome } from '../../activities/owner/types';
import type { JobType } from '../../airbyte/job-status';
import { nextPollDelay } from '../poll-policy';
import { AirbyteSearchAttributes as SA } from '../search-attributes';
import { MAX_DURATION_MS, UUID } from '../validation';
import { ownerActivities, type OwnerActivities } from './proxies';
import { cancelUntilTerminal } from './cancel-job';
import { HISTORY_HEADROOM_PATCH, historyHeadroom } from './history-bound';
import { innermostMessage } from '../failure-message';
import { jobOwnerWorkflowId, OwnerMemo, waiterRunKey } from './ids';
import { mergePrefs, type OwnerPrefs } from './prefs';
import {
  checkJobSignal,
  jobEndedSignal,
  jobKnownSignal,
  joinJobSignal,
  joinJobUpdate,
  leaveJobSignal,
  ownerProgressQuery,
  type JobEnded,
  type JoinReply,
  type JoinRequest,
  type LeaveRequest,
  type OwnerProgress,
} from './protocol';
import { triggerJob, type TriggerState } from './trigger';

export interface JobOwnerInput {
  instance: string;
  connectionId: string;
  /** Internal: the owner's state, carried over continue-as-new. */
  state?: OwnerState;
}

interface Waiter {
  request: JoinRequest;
  /** Told the job id. */
  told: boolean;
  leave?: LeaveRequest;
  /** Its wait is settled (it got `jobEnded`): nothing more is owed to it. */
  done: boolean;
}

/** The job being triggered or watched, and the waiters who share it. */
interface CurrentJob {
  jobType: JobType;
  waiters: Waiter[];
  /** The waiter whose request made the job (the others joined it). */
  causedBy: string;
  job?: JobSnapshot;
  owned: boolean;
  startedAt: number;
  polls: number;
  /** The time run (since startedAt) at the last check of the job; absent before the first. */
  lastCheckMs?: number;
  trigger: TriggerState;
  /** Unanswered creates whose job we did not adopt: one may still land after ours (see lingerForStrays). */
  strayRisk: boolean;
}

export interface OwnerState {
  pending: JoinRequest[];
  current?: CurrentJob;
  runs: number;
  jobs: number;
  /** The last words told to waiter runs, by waiterRunKey (carried over continue-as-new; see toldWords). */
  told?: [string, JobEnded][];
}

/** What an owner run that closed returns: its counts, and its last words to waiter runs (see joinJobOwner). */
export type JobOwnerSummary = OwnerOutcome;

/**
 * Owners from this release on fetch the report with the check that sees the job end (one activity, not two) and
 * do not repeat an unchanged memo or search attribute: about 8 fewer events per job. Older histories replay without.
 */
const OWNER_LEAN_PATCH = 'airbyte-owner-lean';

/** Owners from this release on answer a waiter run's repeated join with the word they told it (see toldWords). */
const OWNER_RETELL_PATCH = 'airbyte-owner-retell';

/** Waiter runs whose last word an owner run remembers (the latest): a repeated join comes within seconds. */
const TOLD_WORDS_KEPT = 200;
/** Of those, the ones its result (or its next run, after continue-as-new) carries, for a join that comes after it closed. */
const TOLD_WORDS_RETURNED = 20;

// How long after an unanswered create a late landing is still looked for, once our job has ended.
const STRAY_HORIZON_MS = 5 * 60_000;
const STRAY_CHECK_MS = 10_000;

/**
 * Owns the Airbyte jobs of one connection of one instance: the only workflow that starts, watches and
 * cancels them. Callers (`syncAndWait`, hence services, schedules and pipeline steps) are waiters: they
 * join through an update (`airbyteJoinJob`, sent with update-with-start; a wide pipeline's steps send the same
 * request as the signal `airbyteJoinJobSignal`, with signal-with-start) and are signalled when their job
 * is known and when it ends. A request of the type being run shares the job; a different one (a reset
 * while a sync runs) queues behind it. The job is cancelled only when its last waiter asks, and only
 * if we created it: a job someone else started is never ours to cancel.
 */
export async function airbyteJobOwner(input: JobOwnerInput): Promise<JobOwnerSummary> {
  const { instance, connectionId } = checkOwnerInput(input);
  const ownerWorkflowId = workflowInfo().workflowId;
  const state: OwnerState = input.state ?? { pending: [], runs: 0, jobs: 0 };
  let closing = false;
  let phase: OwnerProgress['state'] = 'idle';
  let lastCheckedAt: string | undefined;
  let nextCheckAt: string | undefined;
  let wake = 0;
  // A webhook or a person said the job may have ended: look now rather than at the next scheduled check.
  let hinted = false;
  // A webhook said it has ended: one Configuration API call can bring the job and its report (see airbyteGetJob).
  let endedHint: { workspaceId?: string } | undefined;

  // The last words told to waiter runs that said which run they are, by waiterId and run: a join that comes again
  // from the same run (its first answer was lost with its workflow task) is told again instead of queueing a new job.
  const toldWords = new Map<string, JobEnded>(state.told ?? []);
  state.told = undefined;
  /** The words a closing run passes on (its result, or its next run's state). */
  const lastWords = () => [...toldWords].slice(-TOLD_WORDS_RETURNED);
  const runKey = (r: Pick<JoinRequest, 'waiterId' | 'waiterRunId'>) => (r.waiterRunId === undefined ? undefined : waiterRunKey(r.waiterId, r.waiterRunId));

  const active = (cur: CurrentJob) => cur.waiters.filter((w) => !w.leave && !w.done);
  const prefsOf = (cur: CurrentJob): OwnerPrefs => mergePrefs((active(cur).length ? active(cur) : cur.waiters).map((w) => w.request));

  setHandler(ownerProgressQuery, (): OwnerProgress => {
    const cur = state.current;
    return {
      instance,
      connectionId,
      state: phase,
      job: cur?.job,
      owned: cur?.job ? cur.owned : undefined,
      waiters: cur ? active(cur).map((w) => w.request.waiterId) : [],
      queued: state.pending.map((r) => ({ waiterId: r.waiterId, jobType: r.jobType })),
      polls: cur?.polls ?? 0,
      createAttempts: cur?.trigger.attempts ?? 0,
      lastCheckedAt,
      nextCheckAt,
      expectedMs: cur?.trigger.expectedMs,
      spread: cur?.trigger.spread,
      runs: state.runs,
    };
  });

  setHandler(checkJobSignal, (hint) => {
    // Signals cannot be refused: a malformed hint, or one for another job, is dropped.
    const job = state.current?.job;
    if (!job || job.terminal || typeof hint !== 'object' || hint === null) return;
    if (hint.jobId !== undefined && hint.jobId !== job.jobId) return;
    hinted = true;
    if (hint.source === 'webhook') endedHint = { workspaceId: typeof hint.workspaceId === 'string' && UUID.test(hint.workspaceId) ? hint.workspaceId : undefined };
  });

  /** Registers a waiter (by update or by signal). A waiter already known is answered as before, not registered twice. */
  async function admit(request: JoinRequest): Promise<JoinReply> {
    const key = runKey(request);
    const told = key === undefined ? undefined : toldWords.get(key);
    if (told && patched(OWNER_RETELL_PATCH)) {
      await tell(request, told);
      return { ownerWorkflowId, state: 'joined', jobId: told.job?.jobId };
    }
    wake++;
    const cur = state.current;
    const known = cur?.waiters.find((w) => w.request.waiterId === request.waiterId && !w.done);
    if (cur && known) return { ownerWorkflowId, state: 'joined', jobId: cur.job?.jobId };
    if (state.pending.some((r) => r.waiterId === request.waiterId)) return { ownerWorkflowId, state: 'queued' };
    // Share the current job if it is of the kind asked for and still wanted; never an ended one.
    if (cur && cur.jobType === request.jobType && !cur.job?.terminal && active(cur).length > 0) {
      cur.waiters.push({ request, told: false, done: false });
      return { ownerWorkflowId, state: 'joined', jobId: cur.job?.jobId };
    }
    state.pending.push(request);
    return { ownerWorkflowId, state: 'queued' };
  }

  setHandler(joinJobSignal, async (request) => {
    // A signal cannot be refused: a malformed request is dropped. One that comes while closing is taken (the loop
    // below runs it: a signal that lands during the closing task fails its completion, so the run sees it).
    try {
      checkJoinRequest(request);
    } catch (err) {
      return log.warn('ignored a malformed join signal', { error: err instanceof Error ? err.message : String(err) });
    }
    await admit(request);
  });

  setHandler(
    joinJobUpdate,
    admit,
    {
      validator: (request: JoinRequest) => {
        checkJoinRequest(request);
        // A closing owner still tells a waiter run its word again (the handler does not start anything).
        const key = runKey(request);
        if (closing && !(key !== undefined && toldWords.has(key))) throw new Error(`the owner of connection ${connectionId} is closing; join again`);
      },
    },
  );

  setHandler(leaveJobSignal, async (leave) => {
    // A signal cannot be refused; a malformed one is dropped rather than allowed to fail the workflow task.
    if (!isLeaveRequest(leave)) return log.warn('ignored a malformed leave signal');
    wake++;
    const queued = state.pending.findIndex((r) => r.waiterId === leave.waiterId);
    if (queued >= 0) {
      const [request] = state.pending.splice(queued, 1);
      return tell(request as JoinRequest, { kind: 'left', owned: false, attached: false, sharedWith: 0, reason: 'left before its job started' });
    }
    const cur = state.current;
    const waiter = cur?.waiters.find((w) => w.request.waiterId === leave.waiterId && !w.done);
    if (!cur || !waiter) return tell(leave, { kind: 'left', owned: false, attached: false, sharedWith: 0, reason: 'no job of this waiter is running' });
    waiter.leave ??= leave;
    const others = active(cur).length;
    // The last waiter asking to cancel a job we created (or may create): the main loop cancels it and tells.
    if (others === 0 && leave.cancelJob && (cur.job === undefined || cur.owned)) return;
    waiter.done = true;
    const reason =
      others > 0
        ? `the job goes on for ${others} other waiter(s)`
        : !leave.cancelJob
          ? 'the job was left running, as asked'
          : 'the job was started outside this owner: not ours to cancel';
    await tell(waiter.request, { kind: 'left', job: cur.job, owned: cur.owned, attached: attachedFor(cur, waiter), sharedWith: others, reason });
  });

  const describe = () => {
    const cur = state.current;
    const job = cur?.job;
    setCurrentDetails(
      job
        ? `Airbyte ${job.jobType} job **${job.jobId}** (${cur.owned ? 'started here' : 'joined'}): **${job.status}**, ` +
            `${active(cur).length} waiter(s), checked ${cur.polls} times`
        : cur
          ? `starting a ${cur.jobType} of connection \`${connectionId}\` (attempt ${cur.trigger.attempts})`
          : `idle; ${state.pending.length} queued`,
    );
  };

  /** Signals a waiter; one that no longer runs is gone (and no longer wants the job). */
  async function tell(to: WaiterAddress, ended: JobEnded): Promise<void> {
    const key = runKey(to);
    if (key !== undefined) {
      toldWords.delete(key);
      toldWords.set(key, ended);
      if (toldWords.size > TOLD_WORDS_KEPT) toldWords.delete(toldWords.keys().next().value as string);
    }
    try {
      await getExternalWorkflowHandle(addressOf(to)).signal(jobEndedSignal, addressed(to, ended));
    } catch {
      log.warn('waiter is gone', { waiterId: to.waiterId });
    }
  }

  async function announce(cur: CurrentJob): Promise<void> {
    const job = cur.job as JobSnapshot;
    for (const w of cur.waiters) {
      if (w.told || w.done) continue;
      w.told = true;
      if (w.request.quiet) continue;
      try {
        const known = { jobId: job.jobId, owned: cur.owned, attached: attachedFor(cur, w), job };
        await getExternalWorkflowHandle(addressOf(w.request)).signal(jobKnownSignal, addressed(w.request, known));
      } catch {
        // Closed (terminated, perhaps): it cannot ask for anything any more, so it counts as a waiter that left asking to cancel.
        w.leave = { waiterId: w.request.waiterId, cancelJob: true, reason: 'the waiter is gone' };
        w.done = true;
      }
    }
  }

  /** Settles every waiter still owed an answer. */
  async function settleAll(cur: CurrentJob, ended: (w: Waiter) => JobEnded): Promise<void> {
    for (const w of cur.waiters) {
      if (w.done) continue;
      w.done = true;
      await tell(w.request, ended(w));
    }
  }

  /** What this run's memo and search attributes last said: a lean owner does not repeat it (each upsert is an event). */
  let recorded: { jobId: number; owned: boolean; status: string } | undefined;

  function recordJob(cur: CurrentJob, prefs: OwnerPrefs, lean: boolean): void {
    const job = cur.job as JobSnapshot;
    const sameJob = lean && recorded?.jobId === job.jobId && recorded.owned === cur.owned;
    const sameStatus = sameJob && recorded?.status === job.status;
    recorded = { jobId: job.jobId, owned: cur.owned, status: job.status };
    if (!sameJob) upsertMemo({ [OwnerMemo.jobId]: job.jobId, [OwnerMemo.jobOwned]: cur.owned });
    if (prefs.searchAttributes && !sameStatus) {
      upsertSearchAttributes([
        { key: SA.connectionId, value: connectionId },
        { key: SA.instance, value: instance },
        { key: SA.jobId, value: job.jobId },
        { key: SA.jobStatus, value: job.status },
      ]);
    }
  }

  async function runJob(cur: CurrentJob): Promise<'done' | 'continue-as-new'> {
    const lean = patched(OWNER_LEAN_PATCH);
    let prefs = prefsOf(cur);
    let act = ownerActivities(prefs.retry);
    const lastLeave = () => cur.waiters.filter((w) => w.leave).at(-1)?.leave;
    const abandoned = () => active(cur).length === 0;

    if (!cur.job) {
      phase = 'triggering';
      describe();
      const triggered = await triggerJob({
        act,
        instance,
        connectionId,
        jobType: cur.jobType,
        retry: prefs.retry,
        maximumAttempts: prefs.maximumAttempts,
        createGraceMs: prefs.createGraceMs,
        abandoned,
        state: cur.trigger,
      });
      if (triggered.kind === 'error') {
        await settleAll(cur, (w) => ({ kind: 'error', message: triggered.message, owned: false, attached: attachedFor(cur, w) }));
        return 'done';
      }
      if (triggered.kind === 'abandoned') {
        const stray = lastLeave()?.cancelJob ? await cancelStrayOfTrigger(cur, act) : undefined;
        await settleAll(cur, () => ({ kind: 'left', job: stray, owned: stray !== undefined, attached: false, sharedWith: 0, reason: 'every waiter left before the job started' }));
        return 'done';
      }
      cur.job = triggered.job;
      cur.owned = triggered.owned;
      // Adopting the job an unanswered create made settles that create; any other may still land.
      cur.strayRisk = cur.trigger.ambiguous.filter((w) => w.inFlight !== false).length > (triggered.adopted ? 1 : 0);
      state.jobs++;
      recordJob(cur, prefs, lean);
    }

    phase = 'waiting';
    let job: JobSnapshot = cur.job;
    // The report, when the check that saw the job end brought it along (undefined: it did not).
    let endReport: JobReport | null | undefined;
    // When the next scheduled check is due. A wake (a join, a leave) re-enters the wait but never postpones it: a
    // waiter that joins again and again (or once, just after a worker's crash delayed the check) would otherwise push
    // it out each time, and with webhooks a lost one's safety check to twice the time run.
    let dueAt: number | undefined;
    for (let seen = -1; !job.terminal; ) {
      await announce(cur);
      if (abandoned()) {
        const leave = lastLeave();
        if (cur.owned && leave?.cancelJob) {
          phase = 'cancelling';
          describe();
          const jobId = job.jobId;
          job = cur.job = await CancellationScope.nonCancellable(() => cancelUntilTerminal(act, instance, jobId, prefs.poll));
          break;
        }
        if (!cur.owned) {
          const reason = 'the job was started outside this owner: not ours to cancel';
          const last = job;
          await settleAll(cur, (w) => ({ kind: 'left', job: last, owned: false, attached: true, sharedWith: 0, reason: w.leave?.reason ? `${reason} (${w.leave.reason})` : reason }));
          return 'done';
        }
        // Ours, and nobody asked to cancel it: watch it to its end (it may be joined again meanwhile).
      }
      const info = workflowInfo();
      const bound = Math.min(...cur.waiters.map((w) => w.request.historyBound));
      const headroom = patched(HISTORY_HEADROOM_PATCH) ? historyHeadroom(bound) : 0;
      if (info.continueAsNewSuggested || info.historyLength + headroom >= bound) return 'continue-as-new';
      if (seen === wake || hinted) {
        if (!hinted) {
          // Nothing changed since the last check: wait, but wake up for a join, a leave or a hint.
          const policy = { ...prefs.poll, expectedMs: cur.trigger.expectedMs, spread: cur.trigger.spread };
          const planned = Date.now() + nextPollDelay(Date.now() - cur.startedAt, policy, cur.lastCheckMs ?? 0);
          dueAt = dueAt === undefined ? planned : Math.min(dueAt, planned);
          // A timer even when the check is already due: the commands stay those of earlier releases (replay).
          nextCheckAt = new Date(dueAt).toISOString();
          const woke = await condition(() => seen !== wake || hinted, Math.max(1, dueAt - Date.now()));
          if (woke && !hinted) continue;
        }
        hinted = false;
        dueAt = undefined;
        const told = endedHint;
        endedHint = undefined;
        const previous = job;
        try {
          const withReport = lean && prefs.report ? { report: { connectionId, workspaceId: told?.workspaceId }, likelyEnded: told !== undefined } : {};
          const { report, ...checked } = await act.poll.airbyteGetJob({ instance, jobId: previous.jobId, ...withReport });
          job = cur.job = checked;
          endReport = report;
        } catch (err) {
          if (isCancellation(err)) throw err;
          return failWait(cur, act, `Airbyte job ${previous.jobId} could not be checked: ${innermostMessage(err)}`);
        }
        cur.polls++;
        cur.lastCheckMs = Date.now() - cur.startedAt;
        lastCheckedAt = new Date().toISOString();
        if (job.status !== previous.status) recordJob(cur, prefs, lean);
        describe();
      }
      seen = wake;
      prefs = prefsOf(cur);
      act = ownerActivities(prefs.retry);
    }

    recordJob(cur, prefs, lean);
    describe();
    const report = !prefs.report ? null : endReport !== undefined ? endReport : await fetchReport(act, instance, job.jobId, connectionId);
    const sharers = cur.waiters.length;
    await settleAll(cur, (w) => ({ kind: 'terminal', job, report, owned: cur.owned, attached: attachedFor(cur, w), sharedWith: sharers - 1, polls: cur.polls, ownerRuns: state.runs }));
    if (cur.strayRisk && cur.owned) await lingerForStrays(cur, act);
    return 'done';
  }

  /** A wait that cannot go on (Airbyte refuses to show the job): a job we created is cancelled, then every waiter is told why. */
  async function failWait(cur: CurrentJob, act: OwnerActivities, message: string): Promise<'done'> {
    let job = cur.job as JobSnapshot;
    let detail = message;
    if (cur.owned) {
      phase = 'cancelling';
      try {
        job = await CancellationScope.nonCancellable(() => cancelUntilTerminal(act, instance, job.jobId, prefsOf(cur).poll));
        detail += `; the job was cancelled`;
      } catch (err) {
        detail += `; cancelling it failed too: ${innermostMessage(err)}`;
      }
    }
    await settleAll(cur, (w) => ({ kind: 'error', message: detail, job, owned: cur.owned, attached: attachedFor(cur, w) }));
    return 'done';
  }

  /** After every waiter left during the trigger: a job one of our unanswered creates made is cancelled. */
  async function cancelStrayOfTrigger(cur: CurrentJob, act: OwnerActivities): Promise<JobSnapshot | undefined> {
    const since = cur.trigger.ambiguous[0]?.sentAt;
    if (since === undefined) return undefined;
    const found = await act.find.airbyteFindJobs({ instance, connectionId, jobType: cur.jobType, createdSince: since });
    const stray = found.recent && !found.recent.terminal ? found.recent : undefined;
    return stray && CancellationScope.nonCancellable(() => cancelUntilTerminal(act, instance, stray.jobId, prefsOf(cur).poll));
  }

  /**
   * An unanswered POST /jobs may land after our job has ended and start a job nobody asked for. Until a
   * landing is no longer plausible, look for a job of our type newer than ours, and cancel it. A new
   * request ends the watch: it will join (or queue behind) whatever runs then.
   */
  async function lingerForStrays(cur: CurrentJob, act: OwnerActivities): Promise<void> {
    const ours = cur.job as JobSnapshot;
    const firstSent = cur.trigger.ambiguous[0]?.sentAt as number;
    const until = (cur.trigger.ambiguous.at(-1)?.sentAt as number) + STRAY_HORIZON_MS;
    phase = 'closing';
    while (Date.now() < until && state.pending.length === 0) {
      const found = await act.find.airbyteFindJobs({ instance, connectionId, jobType: cur.jobType, createdSince: firstSent });
      const stray = found.active;
      if (stray && stray.jobType === cur.jobType && stray.jobId > ours.jobId) {
        log.warn('cancelling a job a late-landing create of ours started', { jobId: stray.jobId, ours: ours.jobId });
        await CancellationScope.nonCancellable(() => cancelUntilTerminal(act, instance, stray.jobId, prefsOf(cur).poll));
        return;
      }
      await condition(() => state.pending.length > 0, Math.min(STRAY_CHECK_MS, Math.max(1, until - Date.now())));
    }
  }

  try {
    for (;;) {
      while (state.current || state.pending.length > 0) {
        const cur = (state.current ??= takeNextGroup(state));
        let outcome: 'done' | 'continue-as-new';
        try {
          outcome = await runJob(cur);
        } catch (err) {
          if (isCancellation(err)) throw err;
          // Whatever went wrong, no waiter is left hanging; a job we created and left running is the reconciler's.
          const message = `the owner of connection ${connectionId} failed: ${innermostMessage(err)}`;
          await settleAll(cur, (w) => ({ kind: 'error', message, job: cur.job, owned: cur.owned, attached: attachedFor(cur, w) }));
          outcome = 'done';
        }
        if (outcome === 'continue-as-new') {
          await condition(allHandlersFinished);
          const told = lastWords();
          return await continueAsNew<typeof airbyteJobOwner>({ instance, connectionId, state: { ...state, runs: state.runs + 1, ...(told.length > 0 && { told }) } });
        }
        state.current = undefined;
        phase = 'idle';
        describe();
      }
      // No more work: refuse new joins (they start a new owner), then finish what the handlers were doing.
      closing = true;
      phase = 'closing';
      await condition(allHandlersFinished);
      if (state.pending.length === 0) {
        const told = lastWords();
        return { jobs: state.jobs, runs: state.runs, ...(told.length > 0 && { told: Object.fromEntries(told) }) };
      }
      closing = false;
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Someone cancelled the owner itself: cancel a job we created and release every waiter.
    await CancellationScope.nonCancellable(async () => {
      const cur = state.current;
      const act = ownerActivities(cur ? prefsOf(cur).retry : mergePrefs([]).retry);
      let job = cur?.job;
      if (cur && job && !job.terminal && cur.owned) job = await cancelUntilTerminal(act, instance, job.jobId, prefsOf(cur).poll);
      const message = 'the owner workflow of this connection was cancelled';
      if (cur) await settleAll(cur, (w) => ({ kind: 'error', message, job, owned: cur.owned, attached: attachedFor(cur, w) }));
      for (const r of state.pending.splice(0)) await tell(r, { kind: 'error', message, owned: false, attached: false });
    });
    throw err;
  }
}

/** The oldest request picks the next job's type; every queued request of that type shares it. */
function takeNextGroup(state: OwnerState): CurrentJob {
  const jobType = (state.pending[0] as JoinRequest).jobType;
  const requests = state.pending.filter((r) => r.jobType === jobType);
  state.pending = state.pending.filter((r) => r.jobType !== jobType);
  return {
    jobType,
    waiters: requests.map((request) => ({ request, told: false, done: false })),
    causedBy: (requests[0] as JoinRequest).waiterId,
    owned: false,
    startedAt: Date.now(),
    polls: 0,
    trigger: { attempts: 0, ambiguous: [] },
    strayRisk: false,
  };
}

/** Who a waiter is, and the workflow that hears for it (itself, unless it named another: see JoinRequest.replyTo). */
type WaiterAddress = Pick<JoinRequest, 'waiterId' | 'replyTo' | 'waiterRunId'>;

const addressOf = (to: WaiterAddress): string => to.replyTo ?? to.waiterId;

/** A signal for a waiter that shares its workflow with others names it; one for a waiter's own workflow is as it always was. */
const addressed = <T extends object>(to: WaiterAddress, message: T): T => (to.replyTo === undefined ? message : { ...message, waiterId: to.waiterId });

/** A waiter is attached when it did not cause the job: it shares another waiter's, or someone else's. */
function attachedFor(cur: CurrentJob, w: Waiter): boolean {
  return !cur.owned || w.request.waiterId !== cur.causedBy;
}

async function fetchReport(act: OwnerActivities, instance: string, jobId: number, connectionId: string): Promise<JobReport | null> {
  try {
    // The activity's input is not part of what replay compares: adding connectionId (for the job's UI link) is safe.
    return await act.report.airbyteGetJobReport({ jobId, instance, connectionId });
  } catch {
    return null; // enrichment only: the job's outcome stands without it
  }
}

function checkOwnerInput(input: JobOwnerInput): { instance: string; connectionId: string } {
  const bad = (message: string) => ApplicationFailure.nonRetryable(`invalid job owner input: ${message}`, 'AirbyteInvalidInput');
  if (typeof input !== 'object' || input === null) throw bad('expected an object');
  if (typeof input.connectionId !== 'string' || !UUID.test(input.connectionId)) throw bad('connectionId must be a UUID');
  if (typeof input.instance !== 'string' || !/^[A-Za-z0-9][\w.-]{0,99}$/.test(input.instance)) throw bad('instance must be an instance name');
  if (input.state !== undefined && !workflowInfo().continuedFromExecutionRunId) {
    // Only the owner's own continue-as-new carries state; from outside it could name another connection's job.
    throw bad('state is internal and cannot be set');
  }
  if (workflowInfo().workflowId !== jobOwnerWorkflowId(input.connectionId, input.instance)) {
    throw bad(`the owner of connection ${input.connectionId} must run as ${jobOwnerWorkflowId(input.connectionId, input.instance)}`);
  }
  return { instance: input.instance, connectionId: input.connectionId };
}

/** The update is public (anyone can send it): refuse anything that could later break a timer or a retry policy. */
function checkJoinRequest(request: JoinRequest): void {
  const ms = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_DURATION_MS;
  const optionalMs = (value: unknown) => value === undefined || ms(value);
  if (typeof request !== 'object' || request === null) throw new Error('a join request must be an object');
  if (typeof request.waiterId !== 'string' || request.waiterId.length === 0 || request.waiterId.length > 1000) throw new Error('waiterId must be a workflow id');
  if (request.replyTo !== undefined && (typeof request.replyTo !== 'string' || request.replyTo.length === 0 || request.replyTo.length > 1000)) throw new Error('replyTo must be a workflow id');
  if (![undefined, true, false].includes(request.quiet)) throw new Error('quiet must be a boolean');
  if (request.waiterRunId !== undefined && (typeof request.waiterRunId !== 'string' || request.waiterRunId.length === 0 || request.waiterRunId.length > 100)) throw new Error('waiterRunId must be a run id');
  if (!['sync', 'reset', 'clear'].includes(request.jobType)) throw new Error('jobType must be sync, reset or clear');
  const { poll, retry } = request;
  if (typeof poll !== 'object' || poll === null || !ms(poll.initialMs) || !ms(poll.maxMs) || poll.maxMs < poll.initialMs) throw new Error('poll must have initialMs <= maxMs, positive');
  if (typeof poll.latenessRatio !== 'number' || !(poll.latenessRatio > 0 && poll.latenessRatio <= 10)) throw new Error('poll.latenessRatio must be in (0, 10]');
  if (![undefined, true, false].includes(poll.adaptive) || ![undefined, true, false].includes(poll.webhooks)) throw new Error('poll.adaptive and poll.webhooks must be booleans');
  if (typeof retry !== 'object' || retry === null || !optionalMs(retry.initialIntervalMs) || !optionalMs(retry.maximumIntervalMs)) throw new Error('retry intervals must be positive durations');
  const attempts = retry.maximumAttempts;
  if (attempts !== undefined && !(Number.isInteger(attempts) && attempts > 0 && attempts <= 1_000_000)) throw new Error('retry.maximumAttempts must be a positive integer');
  if (!optionalMs(request.createGraceMs)) throw new Error('createGraceMs must be a positive duration');
  if (!(Number.isInteger(request.historyBound) && request.historyBound >= 50 && request.historyBound <= 40_000)) throw new Error('historyBound must be an integer from 50 to 40000');
  if (typeof request.report !== 'boolean' || typeof request.searchAttributes !== 'boolean') throw new Error('report and searchAttributes must be booleans');
}

function isLeaveRequest(value: unknown): value is LeaveRequest {
  const v = value as Partial<LeaveRequest> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.waiterId === 'string' && typeof v.cancelJob === 'boolean' && typeof v.reason === 'string' &&
    (v.replyTo === undefined || typeof v.replyTo === 'string')
  );
}
