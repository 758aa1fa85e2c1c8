import { defineQuery } from '@temporalio/workflow';

/** What `syncProgressQuery` answers while the workflow waits. */
export interface SyncProgress {
  instance: string;
  connectionId: string;
  jobId?: number;
  /** `triggering` until the job is known (`queued` behind another job of the connection), then Airbyte's status. */
  status: string;
  /** True when this sync did not start the job: it joined one started for another caller, or outside this product. */
  attached: boolean;
  /** True when our owner workflow created the job (false when it joined one someone else started). */
  owned?: boolean;
  polls: number;
  startedAt: string;
  lastCheckedAt?: string;
  nextCheckAt?: string;
  continuedAsNew: number;
  /** The workflow that owns the connection's jobs and polls Airbyte; `AirbyteSyncClient.progress` merges its live view. */
  ownerWorkflowId?: string;
  /** Live counts of the running job, merged in from the owner by `AirbyteSyncClient.progress`. */
  rowsSynced?: number;
  bytesSynced?: number;
}

export const syncProgressQuery = defineQuery<SyncProgress>('airbyteSyncProgress');
