import { defineQuery } from '@temporalio/workflow';
import type { SyncResult } from '../sync-input';

export type TenantStepName = 'workspace' | 'source' | 'destination' | 'connection' | 'firstSync';

export interface TenantStep {
  step: TenantStepName;
  /** `found`: it existed already (an earlier run, or given); `created`: this run made it; `deleted`: compensated. */
  state: 'pending' | 'running' | 'found' | 'created' | 'succeeded' | 'skipped' | 'failed' | 'deleted';
  id?: string;
  name?: string;
  error?: string;
}

export interface TenantProgress {
  tenantId: string;
  instance: string;
  phase: 'onboarding' | 'compensating' | 'offboarding' | 'done' | 'failed';
  steps: TenantStep[];
}

export interface OnboardTenantResult {
  tenantId: string;
  instance: string;
  workspaceId: string;
  sourceId: string;
  destinationId: string;
  connectionId: string;
  steps: TenantStep[];
  /** The first sync, when this run made one (a tenant whose connection has a succeeded sync is not synced again). */
  firstSync?: SyncResult;
}

export interface OffboardTenantResult {
  tenantId: string;
  instance: string;
  /** What was deleted, by kind; an object already gone is not listed. */
  deleted: { kind: 'workspace' | 'source' | 'destination' | 'connection'; id: string; name: string }[];
  /** Jobs of the tenant's connection cancelled first. */
  cancelledJobs: number[];
}

export const tenantProgressQuery = defineQuery<TenantProgress>('airbyteTenantProgress');
