import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ManageActivities } from '../../activities/manage';
import { findInlineSecret } from '../../common/secret-ref';

/** The management activities a service may run through Temporal (see AirbyteAdminClient). */
export const MANAGE_OPERATIONS = [
  'airbyteFindWorkspace',
  'airbyteCreateWorkspace',
  'airbyteGetWorkspace',
  'airbyteListWorkspaces',
  'airbyteUpdateWorkspace',
  'airbyteDeleteWorkspace',
  'airbyteFindConnector',
  'airbyteCreateConnector',
  'airbyteGetConnector',
  'airbyteListConnectors',
  'airbyteUpdateConnector',
  'airbyteDeleteConnector',
  'airbyteFindConnectionByName',
  'airbyteCreateConnection',
  'airbyteUpdateConnection',
  'airbyteDeleteConnection',
  'airbyteListStreams',
  'airbyteListJobHistory',
  'airbyteGetAttemptLogs',
] as const satisfies readonly (keyof ManageActivities)[];

export type ManageOperation = (typeof MANAGE_OPERATIONS)[number];

export interface ManageRequest<O extends ManageOperation = ManageOperation> {
  operation: O;
  input: Parameters<ManageActivities[O]>[0];
  /** Connector credentials in clear in `input` (they then sit in history): only with an encrypting payload codec. */
  allowInlineSecrets?: boolean;
}

/**
 * Why a request may not go through Temporal, or undefined: a connector configuration with a credential in clear,
 * which would sit in the workflow's history. Checked by the client before it starts and by the workflow.
 */
export function inlineSecretProblem(request: ManageRequest): string | undefined {
  if (request.allowInlineSecrets) return undefined;
  const configuration = (request.input as { configuration?: unknown }).configuration;
  const at = findInlineSecret(configuration, 'input.configuration');
  return at
    ? `${at} looks like a credential: put it behind input.secretRef (resolved on the worker), or encrypt payloads and set allowInlineSecrets`
    : undefined;
}

export type ManageResult<O extends ManageOperation> = Awaited<ReturnType<ManageActivities[O]>>;

// A call from a service: retried through transient faults for up to ten minutes, then reported.
const manage = proxyActivities<ManageActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * One management call through Temporal: the worker holds the Airbyte credentials and the secret resolver, the
 * caller holds neither, and Temporal retries transient faults. A thin, durable RPC.
 */
export async function airbyteManage(request: ManageRequest): Promise<unknown> {
  const operation = typeof request === 'object' && request !== null ? (request as { operation?: unknown }).operation : undefined;
  if (typeof operation !== 'string' || !(MANAGE_OPERATIONS as readonly string[]).includes(operation)) {
    throw ApplicationFailure.nonRetryable(`operation must be one of ${MANAGE_OPERATIONS.join(', ')}`, 'AirbyteInvalidInput');
  }
  const input = request.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw ApplicationFailure.nonRetryable('input must be an object', 'AirbyteInvalidInput');
  const problem = inlineSecretProblem(request);
  if (problem) throw ApplicationFailure.nonRetryable(problem, 'AirbyteInvalidInput');
  const call = manage[operation as ManageOperation] as (arg: unknown) => Promise<unknown>;
  return call(input);
}
