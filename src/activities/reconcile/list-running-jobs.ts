import { isTerminalJobStatus, type AirbyteClient } from '../../airbyte';
import { toSnapshot } from '../snapshot';
import type { JobSnapshot } from '../types';
import type { ListRunningJobsInput, RunningJobs } from './types';

export const DEFAULT_MAX_CONNECTIONS = 1_000;
/**
 * Airbyte runs one job per connection at a time, so its live job is among the newest; a few more cover a
 * job stuck in `running` behind newer ones. Filtering on `status` server-side would miss statuses we do not
 * know yet (`queued`, future ones), which are live too.
 */
const RECENT_JOBS_PER_CONNECTION = 20;

/**
 * The live jobs of the given connections, of every connection of the given workspaces, or of every
 * connection the instance lists: one job-list call per connection, in Airbyte's order, up to `maxConnections`.
 */
export async function listRunningJobs(client: AirbyteClient, input: ListRunningJobsInput, onProgress: () => void = () => undefined): Promise<RunningJobs> {
  const max = input.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const jobs: JobSnapshot[] = [];
  let connectionsChecked = 0;
  let truncated = false;
  for await (const connectionId of connectionsInScope(client, input, max + 1)) {
    if (connectionsChecked === max) {
      truncated = true; // one more than the bound exists: say so rather than pretend we saw everything
      break;
    }
    const { data } = await client.listJobs({ connectionId, orderBy: 'createdAt|DESC' }, { limit: RECENT_JOBS_PER_CONNECTION });
    // Another connection's job in the answer would be an Airbyte bug; never act on it.
    for (const job of data) if (job.connectionId === connectionId && !isTerminalJobStatus(job.status)) jobs.push(toSnapshot(job));
    connectionsChecked++;
    onProgress();
  }
  return { jobs, connectionsChecked, truncated };
}

async function* connectionsInScope(client: AirbyteClient, input: ListRunningJobsInput, max: number): AsyncGenerator<string> {
  if (input.connectionIds) {
    yield* new Set(input.connectionIds);
    return;
  }
  const seen = new Set<string>();
  for await (const c of client.iterateConnections({ workspaceIds: input.workspaceIds }, { max })) {
    if (seen.has(c.connectionId)) continue;
    seen.add(c.connectionId);
    yield c.connectionId;
  }
}
