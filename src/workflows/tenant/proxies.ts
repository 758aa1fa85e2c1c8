import { proxyActivities } from '@temporalio/workflow';
import type { AirbyteActivities } from '../../activities';
import type { ManageActivities } from '../../activities/manage';

// Unlimited attempts with back-off: an Airbyte outage delays provisioning, never fails it. Permanent answers
// (400, 404, 422, a refused guard) are non-retryable failures and stop at once. Activities heartbeat while
// their call runs, so an attempt lost with its worker is retried within seconds.
const base = {
  startToCloseTimeout: '5m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' },
} as const;

export const manage = proxyActivities<ManageActivities>({ ...base, summary: 'provision Airbyte objects' });
export const jobs = proxyActivities<AirbyteActivities>({ ...base, summary: 'Airbyte jobs of the tenant' });
