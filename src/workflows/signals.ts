import { defineSignal } from '@temporalio/workflow';

/** Sent by a child `syncAndWait` (with `notifyParent`) to its parent as soon as its Airbyte job is known. */
export interface SyncJobStarted {
  workflowId: string;
  jobId: number;
  attached: boolean;
}

export const syncJobStartedSignal = defineSignal<[SyncJobStarted]>('airbyteSyncJobStarted');
