// Reading workflow histories: events, encoded size, the runs of a workflow that continued-as-new, event times.
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

export interface RunHistory {
  runId: string;
  events: HistoryEvent[];
  /** The history as the server stores and sends it (protobuf), bytes. */
  bytes: number;
}

export async function runHistory(client: Client, workflowId: string, runId?: string): Promise<RunHistory> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const history = await handle.fetchHistory();
  const described = runId ?? (await handle.describe()).runId;
  return { runId: described, events: history.events ?? [], bytes: temporal.api.history.v1.History.encode(history).finish().length };
}

/** Every run of a workflow, first to last, following continue-as-new back from the latest run. */
export async function allRuns(client: Client, workflowId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let run: RunHistory | undefined = await runHistory(client, workflowId);
  while (run) {
    runs.unshift(run);
    const previous: string | null | undefined = run.events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    run = previous ? await runHistory(client, workflowId, previous) : undefined;
  }
  return runs;
}

export const eventMs = (event: HistoryEvent | undefined): number => tsToMs(event?.eventTime);

export const isType = (event: HistoryEvent, type: temporal.api.enums.v1.EventType): boolean => event.eventType === type;

/** Scheduled activities of a type. */
export function activitiesOf(events: readonly HistoryEvent[], activityType: string): HistoryEvent[] {
  return events.filter((e) => isType(e, T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) && e.activityTaskScheduledEventAttributes?.activityType?.name === activityType);
}

/** The completion of the last activity of a type (e.g. the poll that saw the job terminal). */
export function lastCompletionOf(events: readonly HistoryEvent[], activityType: string): HistoryEvent | undefined {
  const scheduled = new Set(activitiesOf(events, activityType).map((e) => String(e.eventId)));
  return events.filter((e) => isType(e, T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) && scheduled.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))).at(-1);
}

/**
 * The history length the workflow saw at each of its waits: for every TimerStarted, the id of the
 * WorkflowTaskStarted before it (workflowInfo().historyLength in that task).
 */
export function lengthsAtTimers(events: readonly HistoryEvent[]): number[] {
  const lengths: number[] = [];
  let taskStarted = 0;
  for (const e of events) {
    if (isType(e, T.EVENT_TYPE_WORKFLOW_TASK_STARTED)) taskStarted = Number(e.eventId);
    if (isType(e, T.EVENT_TYPE_TIMER_STARTED)) lengths.push(taskStarted);
  }
  return lengths;
}

export function closeTimeMs(events: readonly HistoryEvent[]): number {
  return eventMs(events.at(-1));
}

export { T as EventType };
