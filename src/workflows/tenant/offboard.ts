import { ApplicationFailure, setHandler, sleep } from '@temporalio/workflow';
import { exactNamePattern } from '../../common/name-pattern';
import { TenantFailureType } from '../failure-types';
import { innermostMessage } from '../failure-message';
import { checkOffboardInput, tenantNames, type OffboardTenantInput } from './input';
import { tenantProgressQuery, type OffboardTenantResult, type TenantProgress, type TenantStep } from './progress';
import { jobs, manage } from './proxies';

const ACTIVE = ['pending', 'running', 'incomplete'];

/**
 * Removes a tenant: cancels its running sync, then deletes its connection, destination, source and (unless it
 * lives in a shared workspace) its workspace. Objects are found by the tenant's names and every delete is
 * guarded by the exact name, so nothing of another tenant is touched. Idempotent: what is gone is skipped.
 */
export async function offboardTenant(input: OffboardTenantInput): Promise<OffboardTenantResult> {
  const check = checkOffboardInput(input);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.message, TenantFailureType.InvalidInput);
  const v = check.value;
  const instance = v.instance ?? 'default';
  const names = tenantNames(v.tenantId, v.names);
  const steps: TenantStep[] = (['connection', 'destination', 'source', 'workspace'] as const).map((step) => ({ step, state: 'pending' }));
  const progress: TenantProgress = { tenantId: v.tenantId, instance, phase: 'offboarding', steps };
  setHandler(tenantProgressQuery, () => ({ ...progress, steps: steps.map((s) => ({ ...s })) }));
  const result: OffboardTenantResult = { tenantId: v.tenantId, instance, deleted: [], cancelledJobs: [] };
  const at = (name: TenantStep['step']) => steps.find((s) => s.step === name) as TenantStep;

  try {
    const workspaceId = v.workspaceId ?? (await manage.airbyteFindWorkspace({ instance, name: names.workspace }))?.workspaceId;
    if (workspaceId === undefined) {
      for (const s of steps) s.state = 'skipped'; // nothing left: offboarded already, or never onboarded
      progress.phase = 'done';
      return result;
    }

    const connection = await manage.airbyteFindConnectionByName({ instance, workspaceId, name: names.connection });
    if (connection) {
      await stopRunningJobs(instance, connection.connectionId, v.cancelRunningSync ?? true, result);
      await remove(at('connection'), connection.connectionId, connection.name, () =>
        manage.airbyteDeleteConnection({ instance, id: connection.connectionId, guard: { namePattern: exactNamePattern(connection.name) } }),
      );
    } else at('connection').state = 'skipped';

    for (const kind of ['destination', 'source'] as const) {
      const found = await manage.airbyteFindConnector({ instance, kind, workspaceId, name: names[kind] });
      if (!found) {
        at(kind).state = 'skipped';
        continue;
      }
      await remove(at(kind), found.id, found.name, () => manage.airbyteDeleteConnector({ instance, kind, id: found.id, guard: { namePattern: exactNamePattern(found.name) } }));
    }

    if (v.workspaceId === undefined) {
      await remove(at('workspace'), workspaceId, names.workspace, () =>
        manage.airbyteDeleteWorkspace({ instance, id: workspaceId, guard: { namePattern: exactNamePattern(names.workspace) } }),
      );
    } else at('workspace').state = 'skipped'; // shared: not the tenant's to delete
    progress.phase = 'done';
    return result;
  } catch (err) {
    progress.phase = 'failed';
    const failed = steps.find((s) => s.state === 'running' || s.state === 'pending');
    if (failed) Object.assign(failed, { state: 'failed', error: innermostMessage(err) });
    throw ApplicationFailure.nonRetryable(
      `offboarding tenant '${v.tenantId}' stopped${failed ? ` at the ${failed.step} step` : ''}: ${innermostMessage(err)}; start offboardTenant again to go on`,
      TenantFailureType.OffboardingFailed,
      { steps },
    );
  }

  async function remove(s: TenantStep, id: string, name: string, del: () => Promise<{ deleted: boolean }>): Promise<void> {
    Object.assign(s, { state: 'running', id, name });
    const { deleted } = await del();
    s.state = deleted ? 'deleted' : 'skipped';
    if (deleted) result.deleted.push({ kind: s.step as OffboardTenantResult['deleted'][number]['kind'], id, name });
  }
}

/** Cancels the connection's live jobs and waits until Airbyte has ended them (it cancels asynchronously). */
async function stopRunningJobs(instance: string, connectionId: string, cancel: boolean, result: OffboardTenantResult): Promise<void> {
  for (let round = 0; ; round++) {
    const live = (await jobs.airbyteListJobs({ instance, filter: { connectionId, orderBy: 'createdAt|DESC' }, max: 20 })).filter((j) => ACTIVE.includes(j.status));
    if (live.length === 0) return;
    if (!cancel) throw ApplicationFailure.nonRetryable(`job ${live[0]?.jobId} of connection ${connectionId} is running (cancelRunningSync is false)`, 'AirbyteSyncRunning');
    for (const job of live) {
      if (!result.cancelledJobs.includes(job.jobId)) {
        await jobs.airbyteCancelJob({ instance, jobId: job.jobId });
        result.cancelledJobs.push(job.jobId);
      }
    }
    await sleep(Math.min(30_000, 1_000 * 2 ** Math.min(round, 5)));
  }
}
