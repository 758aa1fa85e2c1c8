import { ApplicationFailure, CancellationScope, executeChild, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CreateResult } from '../../activities/manage/types';
import { exactNamePattern } from '../../common/name-pattern';
import { TenantFailureType } from '../failure-types';
import { innermostMessage } from '../failure-message';
import { syncAndWait } from '../sync-and-wait';
import type { SyncResult } from '../sync-input';
import { checkOnboardInput, tenantNames, type ConnectorSpec, type OnboardTenantInput } from './input';
import { tenantProgressQuery, type OnboardTenantResult, type TenantProgress, type TenantStep, type TenantStepName } from './progress';
import { jobs, manage } from './proxies';

type ObjectStep = Exclude<TenantStepName, 'firstSync'>;

/**
 * Provisions a customer of a product built on Airbyte: workspace, source, destination, connection, then a first
 * sync. Keyed by the tenant (start it with `tenantWorkflowId`): every object is found by its name before it is
 * created, so a second start, a crash or a retried create never makes two. Credentials stay on the worker
 * (`secretRef`). On a permanent failure it keeps what it made and says where it stopped (start it again to
 * resume) or, with `onFailure: 'compensate'`, deletes what this run created, newest first.
 */
export async function onboardTenant(input: OnboardTenantInput): Promise<OnboardTenantResult> {
  const check = checkOnboardInput(input);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.message, TenantFailureType.InvalidInput);
  const v = check.value;
  const instance = v.instance ?? 'default';
  const given = v.workspace && 'workspaceId' in v.workspace ? v.workspace : undefined;
  const wanted = v.workspace && !('workspaceId' in v.workspace) ? v.workspace : {};
  const names = tenantNames(v.tenantId, { workspace: wanted.name, source: v.source.name, destination: v.destination.name, connection: v.connection?.name });

  const order: TenantStepName[] = ['workspace', 'source', 'destination', 'connection', 'firstSync'];
  const steps = new Map<TenantStepName, TenantStep>(order.map((step) => [step, { step, state: 'pending' }]));
  const progress: TenantProgress = { tenantId: v.tenantId, instance, phase: 'onboarding', steps: [] };
  const snapshot = (): TenantStep[] => order.map((s) => ({ ...(steps.get(s) as TenantStep) }));
  setHandler(tenantProgressQuery, () => ({ ...progress, steps: snapshot() }));
  const step = (name: TenantStepName) => steps.get(name) as TenantStep;
  let current: TenantStepName = 'workspace';

  /** Finds the object by name, else creates it; records which, for the progress query and compensation. */
  async function ensure<T extends { name: string }>(
    name: ObjectStep,
    idOf: (value: T) => string,
    find: () => Promise<T | null>,
    create: () => Promise<CreateResult<T>>,
  ): Promise<T> {
    current = name;
    const s = step(name);
    s.state = 'running';
    const found = await find();
    // Absent just now, and no one else provisions this tenant (one workflow id): whatever the create returns,
    // even an object an earlier attempt of the same create made, is this run's own.
    const value = found ?? (await create()).value;
    Object.assign(s, { state: found ? 'found' : 'created', id: idOf(value), name: value.name });
    return value;
  }

  const connector = (kind: 'source' | 'destination', spec: ConnectorSpec, workspaceId: string) =>
    ensure(
      kind,
      (c) => c.id,
      () => manage.airbyteFindConnector({ instance, kind, workspaceId, name: names[kind] }),
      () =>
        manage.airbyteCreateConnector({
          instance,
          kind,
          workspaceId,
          name: names[kind],
          definitionId: spec.definitionId,
          configuration: spec.configuration,
          secretRef: spec.secretRef,
        }),
    );

  try {
    let workspaceId: string;
    if (given) {
      current = 'workspace';
      const w = await manage.airbyteGetWorkspace({ instance, id: given.workspaceId });
      Object.assign(step('workspace'), { state: 'found', id: w.workspaceId, name: w.name });
      workspaceId = w.workspaceId;
    } else {
      const w = await ensure(
        'workspace',
        (x) => x.workspaceId,
        () => manage.airbyteFindWorkspace({ instance, name: names.workspace }),
        () => manage.airbyteCreateWorkspace({ instance, name: names.workspace, organizationId: wanted.organizationId, notifications: wanted.notifications }),
      );
      workspaceId = w.workspaceId;
    }
    const source = await connector('source', v.source, workspaceId);
    const destination = await connector('destination', v.destination, workspaceId);
    const c = v.connection ?? {};
    const connection = await ensure(
      'connection',
      (x) => x.connectionId,
      () => manage.airbyteFindConnectionByName({ instance, workspaceId, name: names.connection }),
      () =>
        manage.airbyteCreateConnection({
          instance,
          workspaceId,
          name: names.connection,
          sourceId: source.id,
          destinationId: destination.id,
          configurations: c.streams ? { streams: c.streams } : undefined,
          schedule: c.schedule,
          namespaceDefinition: c.namespaceDefinition,
          namespaceFormat: c.namespaceFormat,
          prefix: c.prefix,
          status: c.status,
        }),
    );

    current = 'firstSync';
    const firstSync = await runFirstSync(v, instance, connection.connectionId, step('firstSync'));
    progress.phase = 'done';
    return {
      tenantId: v.tenantId,
      instance,
      workspaceId,
      sourceId: source.id,
      destinationId: destination.id,
      connectionId: connection.connectionId,
      steps: snapshot(),
      firstSync,
    };
  } catch (err) {
    if (isCancellation(err)) throw err; // cancelled: what exists stays, and a new start resumes
    Object.assign(step(current), { state: 'failed', error: innermostMessage(err) });
    const failedStep = current;
    let outcome: string;
    if (v.onFailure === 'compensate') {
      progress.phase = 'compensating';
      outcome = await CancellationScope.nonCancellable(() => compensate(instance, steps));
    } else {
      const kept = snapshot().filter((s) => s.state === 'found' || s.state === 'created').map((s) => `${s.step} ${s.id}`);
      outcome = `kept ${kept.length ? kept.join(', ') : 'nothing'}; start onboardTenant again with the same tenantId to resume`;
    }
    progress.phase = 'failed';
    throw ApplicationFailure.nonRetryable(
      `onboarding tenant '${v.tenantId}' stopped at the ${failedStep} step: ${innermostMessage(err)}; ${outcome}`,
      TenantFailureType.OnboardingFailed,
      { steps: snapshot() },
    );
  }
}

/** Syncs a connection that has never synced successfully; a connection that has is left alone (a re-run). */
async function runFirstSync(v: OnboardTenantInput, instance: string, connectionId: string, s: TenantStep): Promise<SyncResult | undefined> {
  if (v.firstSync === false) {
    s.state = 'skipped';
    return undefined;
  }
  s.state = 'running';
  const succeeded = await jobs.airbyteListJobs({ instance, filter: { connectionId, jobType: 'sync', status: 'succeeded' }, max: 1 });
  if (succeeded.length > 0) {
    Object.assign(s, { state: 'skipped', id: String(succeeded[0]?.jobId) });
    return undefined;
  }
  const options = typeof v.firstSync === 'object' ? v.firstSync : {};
  const result = await executeChild(syncAndWait, {
    workflowId: `${workflowInfo().workflowId}/first-sync`,
    staticSummary: `first sync of tenant ${v.tenantId}`,
    args: [{ ...options, connectionId, instance, onFailure: 'return' }],
  });
  s.id = String(result.jobId);
  if (result.status !== 'succeeded') {
    throw ApplicationFailure.nonRetryable(`the first sync (job ${result.jobId}) ended ${result.status}${result.failureMessage ? `: ${result.failureMessage}` : ''}`, 'AirbyteJobFailed');
  }
  s.state = 'succeeded';
  return result;
}

/** Deletes what this run created, newest first; each delete is guarded by the object's exact name. */
async function compensate(instance: string, steps: Map<TenantStepName, TenantStep>): Promise<string> {
  const done: string[] = [];
  const left: string[] = [];
  for (const name of ['connection', 'destination', 'source', 'workspace'] as const) {
    const s = steps.get(name);
    if (s?.state !== 'created' || !s.id || !s.name) continue;
    const guard = { namePattern: exactNamePattern(s.name) };
    try {
      if (name === 'connection') await manage.airbyteDeleteConnection({ instance, id: s.id, guard });
      else if (name === 'workspace') await manage.airbyteDeleteWorkspace({ instance, id: s.id, guard });
      else await manage.airbyteDeleteConnector({ instance, kind: name, id: s.id, guard });
      s.state = 'deleted';
      done.push(`${name} ${s.id}`);
    } catch (err) {
      left.push(`${name} ${s.id} (${innermostMessage(err)})`);
    }
  }
  const deleted = `compensated: deleted ${done.length ? done.join(', ') : 'nothing (this run created nothing)'}`;
  return left.length ? `${deleted}; could not delete ${left.join(', ')}` : deleted;
}
