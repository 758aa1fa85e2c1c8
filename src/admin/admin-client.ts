import { WorkflowFailedError, type Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy } from '@temporalio/common';
import { AirbyteClient, type AirbyteInstanceConfig } from '../airbyte';
import { createManageActivities, type ManageActivities, type SecretResolver } from '../activities/manage';
import { tenantWorkflowId } from '../common/tenant';
import { innermostMessage } from '../workflows/failure-message';
import { inlineSecretProblem, type ManageOperation, type ManageRequest, type ManageResult } from '../workflows/manage/manage';
import { checkOffboardInput, checkOnboardInput, type OffboardTenantInput, type OnboardTenantInput } from '../workflows/tenant/input';
import type { OffboardTenantResult, OnboardTenantResult, TenantProgress } from '../workflows/tenant/progress';
import type { offboardTenant, onboardTenant } from '../workflows/tenant';
import { DEFAULT_TASK_QUEUE } from '../worker-defaults';

/** A management call or a tenant workflow that failed; `type` is the failure type (e.g. AirbyteDeleteRefused). */
export class AirbyteAdminError extends Error {
  override readonly name = 'AirbyteAdminError';
  constructor(
    message: string,
    readonly type: string | undefined,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }
}

export type AdminTarget =
  /** Through Temporal: the worker holds Airbyte's credentials and the secret resolver; calls are retried there. */
  | { temporal: Client; taskQueue?: string; allowInlineSecrets?: boolean }
  /** In this process, against Airbyte directly (scripts, notebooks): no Temporal involved. */
  | { airbyte: AirbyteClient | AirbyteInstanceConfig; secrets?: SecretResolver };

type Input<O extends ManageOperation> = Parameters<ManageActivities[O]>[0];

/**
 * Manage Airbyte objects from a service or a script, and onboard or offboard tenants. The same methods run
 * through Temporal (`{ temporal }`) or straight against Airbyte (`{ airbyte }`); the tenant workflows need
 * Temporal.
 */
export class AirbyteAdminClient {
  private readonly direct?: ManageActivities;
  private readonly temporal?: Client;
  private readonly taskQueue: string;
  private readonly allowInlineSecrets?: boolean;

  constructor(target: AdminTarget) {
    if ('temporal' in target) {
      this.temporal = target.temporal;
      this.taskQueue = target.taskQueue ?? DEFAULT_TASK_QUEUE;
      this.allowInlineSecrets = target.allowInlineSecrets;
    } else {
      const client = target.airbyte instanceof AirbyteClient ? target.airbyte : new AirbyteClient(target.airbyte);
      this.direct = createManageActivities({ default: client }, { secrets: target.secrets });
      this.taskQueue = DEFAULT_TASK_QUEUE;
    }
  }

  /** Any management operation by name (the typed methods below are shorthands). */
  async call<O extends ManageOperation>(operation: O, input: Input<O>): Promise<ManageResult<O>> {
    try {
      if (this.direct) return (await (this.direct[operation] as (arg: Input<O>) => Promise<unknown>)(input)) as ManageResult<O>;
      const request: ManageRequest<O> = { operation, input, allowInlineSecrets: this.allowInlineSecrets };
      const problem = inlineSecretProblem(request);
      if (problem) throw new AirbyteAdminError(problem, 'AirbyteInvalidInput');
      return (await this.requireTemporal().workflow.execute('airbyteManage', {
        taskQueue: this.taskQueue,
        workflowId: `airbyte-manage:${operation}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
        staticSummary: `Airbyte ${operation.replace(/^airbyte/, '')}`,
        args: [request],
      })) as ManageResult<O>;
    } catch (err) {
      throw toAdminError(err);
    }
  }

  // --- workspaces
  createWorkspace = (input: Input<'airbyteCreateWorkspace'>) => this.call('airbyteCreateWorkspace', input);
  getWorkspace = (id: string, instance?: string) => this.call('airbyteGetWorkspace', { id, instance });
  listWorkspaces = (input: Input<'airbyteListWorkspaces'> = {}) => this.call('airbyteListWorkspaces', input);
  updateWorkspace = (input: Input<'airbyteUpdateWorkspace'>) => this.call('airbyteUpdateWorkspace', input);
  deleteWorkspace = (input: Input<'airbyteDeleteWorkspace'>) => this.call('airbyteDeleteWorkspace', input);

  // --- sources and destinations (kind: 'source' | 'destination')
  createConnector = (input: Input<'airbyteCreateConnector'>) => this.call('airbyteCreateConnector', input);
  getConnector = (input: Input<'airbyteGetConnector'>) => this.call('airbyteGetConnector', input);
  listConnectors = (input: Input<'airbyteListConnectors'>) => this.call('airbyteListConnectors', input);
  updateConnector = (input: Input<'airbyteUpdateConnector'>) => this.call('airbyteUpdateConnector', input);
  deleteConnector = (input: Input<'airbyteDeleteConnector'>) => this.call('airbyteDeleteConnector', input);

  // --- connections
  createConnection = (input: Input<'airbyteCreateConnection'>) => this.call('airbyteCreateConnection', input);
  updateConnection = (input: Input<'airbyteUpdateConnection'>) => this.call('airbyteUpdateConnection', input);
  deleteConnection = (input: Input<'airbyteDeleteConnection'>) => this.call('airbyteDeleteConnection', input);
  /** Enable or disable a connection (Airbyte's `active` / `inactive`). */
  setConnectionEnabled = (connectionId: string, enabled: boolean, instance?: string) =>
    this.call('airbyteUpdateConnection', { connectionId, instance, status: enabled ? 'active' : 'inactive' });
  listStreams = (input: Input<'airbyteListStreams'>) => this.call('airbyteListStreams', input);

  // --- jobs
  jobHistory = (input: Input<'airbyteListJobHistory'>) => this.call('airbyteListJobHistory', input);
  attemptLogs = (input: Input<'airbyteGetAttemptLogs'>) => this.call('airbyteGetAttemptLogs', input);

  // --- tenants (Temporal only)

  /**
   * Starts onboarding (or joins the run already going for this tenant: one workflow id per tenant). A later
   * start after it ended finds everything it made and provisions nothing twice.
   */
  async startOnboardTenant(input: OnboardTenantInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof onboardTenant>> {
    const check = checkOnboardInput(input);
    if (!check.ok) throw new AirbyteAdminError(check.message, 'AirbyteTenantInvalidInput');
    const instance = check.value.instance ?? 'default';
    return this.requireTemporal().workflow.start<typeof onboardTenant>('onboardTenant', {
      taskQueue: this.taskQueue,
      workflowId: tenantWorkflowId(check.value.tenantId, instance),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `onboard tenant ${check.value.tenantId} (${instance})`,
      memo: { airbyteInstance: instance, airbyteTenantId: check.value.tenantId },
      args: [input],
    });
  }

  async onboardTenant(input: OnboardTenantInput): Promise<OnboardTenantResult> {
    const handle = await this.startOnboardTenant(input);
    try {
      return await handle.result();
    } catch (err) {
      throw toAdminError(err);
    }
  }

  /** Offboards a tenant; refused while its onboarding runs (the same workflow id). */
  async offboardTenant(input: OffboardTenantInput): Promise<OffboardTenantResult> {
    const check = checkOffboardInput(input);
    if (!check.ok) throw new AirbyteAdminError(check.message, 'AirbyteTenantInvalidInput');
    const instance = check.value.instance ?? 'default';
    try {
      return await this.requireTemporal().workflow.execute<typeof offboardTenant>('offboardTenant', {
        taskQueue: this.taskQueue,
        workflowId: tenantWorkflowId(check.value.tenantId, instance),
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        staticSummary: `offboard tenant ${check.value.tenantId} (${instance})`,
        memo: { airbyteInstance: instance, airbyteTenantId: check.value.tenantId },
        args: [input],
      });
    } catch (err) {
      throw toAdminError(err);
    }
  }

  /** Where the tenant's latest onboarding or offboarding stands. */
  tenantProgress(tenantId: string, instance = 'default'): Promise<TenantProgress> {
    return this.requireTemporal().workflow.getHandle(tenantWorkflowId(tenantId, instance)).query<TenantProgress>('airbyteTenantProgress');
  }

  private requireTemporal(): Client {
    if (!this.temporal) throw new AirbyteAdminError('this needs Temporal: create the AirbyteAdminClient with { temporal }', undefined);
    return this.temporal;
  }
}

function toAdminError(err: unknown): unknown {
  if (err instanceof AirbyteAdminError) return err;
  if (err instanceof ApplicationFailure) return new AirbyteAdminError(err.message, err.type ?? undefined, err.details ?? []);
  if (err instanceof WorkflowFailedError) {
    let cause: unknown = err.cause;
    while (cause instanceof Error && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
    // An activity's failure arrives wrapped: report the innermost, typed one.
    let inner: unknown = cause;
    while (inner instanceof ApplicationFailure && inner.cause instanceof ApplicationFailure) inner = inner.cause;
    if (inner instanceof ApplicationFailure) return new AirbyteAdminError(inner.message, inner.type ?? undefined, inner.details ?? []);
    return new AirbyteAdminError(innermostMessage(err), undefined);
  }
  return err;
}
