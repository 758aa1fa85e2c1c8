// Input and report of `airbyteReconcile`. Checked by hand, not with zod: this runs in every cached
// workflow's sandbox too (see the architecture notes), and the client runs the same check before starting.

/** Input of `airbyteReconcile`. Without `connectionIds` or `workspaceIds`, every connection the instance lists is checked. */
export interface ReconcileInput {
  /** Name of an Airbyte instance configured on the worker; default `default`. */
  instance?: string;
  /** Check these connections only (UUIDs). */
  connectionIds?: string[];
  /** Check every connection of these workspaces (UUIDs). Not together with `connectionIds`. */
  workspaceIds?: string[];
  /** Classify and report, cancel nothing. Default false. */
  reportOnly?: boolean;
  /** Cancel unmanaged jobs too (started by Airbyte's scheduler, the UI, another tool). Default false. */
  cancelUnmanaged?: boolean;
  /** Look at no more than this many connections (1 to 5,000, default 1,000); the report says when it stopped early. */
  maxConnections?: number;
}

export interface ParsedReconcileInput {
  instance: string;
  connectionIds?: string[];
  workspaceIds?: string[];
  reportOnly: boolean;
  cancelUnmanaged: boolean;
  maxConnections: number;
}

/** One live job and why it was put where it is. */
export interface ReconciledJob {
  jobId: number;
  connectionId: string;
  jobType: string;
  status: string;
  reason: string;
  /** The workflow the decision rests on, when there was one. */
  workflowId?: string;
}

export interface CancelledJob {
  jobId: number;
  connectionId: string;
  /** Status after the cancel, or as last seen when it was spared. */
  status: string;
  reason: string;
}

export interface ReconcileReport {
  instance: string;
  /** Live jobs looked at. */
  checked: number;
  connectionsChecked: number;
  /** True when `maxConnections` stopped the scan: some connections were not looked at. */
  truncated: boolean;
  reportOnly: boolean;
  watched: ReconciledJob[];
  orphaned: ReconciledJob[];
  unmanaged: ReconciledJob[];
  cancelled: CancelledJob[];
  /** Jobs due for cancelling that the last check spared: they ended meanwhile, or a workflow now watches them. */
  notCancelled: CancelledJob[];
}

export const DEFAULT_RECONCILE_MAX_CONNECTIONS = 1_000;
/** Every live job of the scan travels through history in one payload: keep it well under Temporal's 2 MB. */
export const MAX_RECONCILE_CONNECTIONS = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The same rule as the worker's instance registry. */
const INSTANCE_NAME = /^[A-Za-z0-9][\w.-]*$/;
const KNOWN_FIELDS = new Set<string>(['instance', 'connectionIds', 'workspaceIds', 'reportOnly', 'cancelUnmanaged', 'maxConnections']);

export type ReconcileInputCheck = { ok: true; value: ParsedReconcileInput } | { ok: false; message: string };

/** Checks the input and fills in defaults; a failure names the field. */
export function checkReconcileInput(input: unknown): ReconcileInputCheck {
  const fail = (message: string): ReconcileInputCheck => ({ ok: false, message: `invalid reconcile input: ${message}` });
  const raw: unknown = input ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('expected an object');
  const fields = raw as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length) return fail(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`);

  const { instance = 'default', connectionIds, workspaceIds, reportOnly = false, cancelUnmanaged = false, maxConnections = DEFAULT_RECONCILE_MAX_CONNECTIONS } = fields;
  if (typeof instance !== 'string' || !INSTANCE_NAME.test(instance)) return fail("instance must be an instance name (letters, digits, '.', '_' or '-')");
  if (connectionIds !== undefined && workspaceIds !== undefined) return fail('give connectionIds or workspaceIds, not both');
  for (const [name, value] of [['connectionIds', connectionIds], ['workspaceIds', workspaceIds]] as const) {
    if (value === undefined) continue;
    // An empty list must not quietly widen to "every connection".
    if (!Array.isArray(value) || value.length === 0) return fail(`${name} must be a non-empty list of UUIDs (leave it out to check every connection)`);
    const bad = (value as unknown[]).findIndex((id) => typeof id !== 'string' || !UUID.test(id));
    if (bad >= 0) return fail(`${name}[${bad}] must be a UUID, got ${JSON.stringify(value[bad])}`);
  }
  if (typeof reportOnly !== 'boolean') return fail('reportOnly must be true or false');
  if (typeof cancelUnmanaged !== 'boolean') return fail('cancelUnmanaged must be true or false');
  if (typeof maxConnections !== 'number' || !Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > MAX_RECONCILE_CONNECTIONS) {
    return fail(`maxConnections must be an integer from 1 to ${MAX_RECONCILE_CONNECTIONS}`);
  }
  return {
    ok: true,
    value: {
      instance,
      ...(connectionIds !== undefined && { connectionIds: [...new Set(connectionIds as string[])] }),
      ...(workspaceIds !== undefined && { workspaceIds: [...new Set(workspaceIds as string[])] }),
      reportOnly,
      cancelUnmanaged,
      maxConnections,
    },
  };
}
