import { randomUUID } from 'node:crypto';

// Error bodies. The public API answers RFC 9457 problem details; the Config API answers `{message, errorId}`.
// Types and titles are the constants clients match on; the wording of `detail` is ours.

/** Thrown while reading a request (query or body); answered with a 400 bad-request. */
export class BadInput extends Error {}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const DOCS = 'https://reference.airbyte.com/reference/errors';

const KINDS = {
  'bad-request': [400, `${DOCS}#bad-request`, 'bad-request', 'The request is malformed.'],
  'value-not-found': [400, DOCS, 'value-not-found', 'A value in the request is not known.'],
  'invalid-api-key': [401, `${DOCS}#invalid-api-key`, 'invalid-api-key', 'The credentials in the Authorization header are not valid.'],
  forbidden: [403, `${DOCS}#forbidden`, 'forbidden', 'This request is not allowed.'],
  'resource-not-found': [404, `${DOCS}#resource-not-found`, 'resource-not-found', 'No such resource.'],
  'try-again-later': [409, `${DOCS}#try-again-later`, 'try-again-later', 'Retry this request later.'],
  'state-conflict': [409, `${DOCS}#409-state-conflict`, 'state-conflict', 'The resource is not in a state that allows this.'],
  'connection-locked': [409, 'error:connection/locked', 'Connection is locked', 'The connection is locked.'],
  'unprocessable-entity': [422, `${DOCS}#unprocessable-entity`, 'unprocessable-entity', 'The request body could not be processed.'],
  'unexpected-problem': [500, DOCS, 'unexpected-problem', 'An unexpected problem occurred.'],
} as const;

export type ProblemKind = keyof typeof KINDS;

export function problem(kind: ProblemKind, data: Record<string, unknown> = {}): Reply {
  const [status, type, title, detail] = KINDS[kind];
  return { status, body: { type, title, status, detail, documentationUrl: type, data } };
}

/**
 * Airbyte names the missing thing by its config type (ConfigNotFoundType): STANDARD_WORKSPACE, SOURCE_CONNECTION,
 * DESTINATION_CONNECTION, STANDARD_SYNC (a connection). Jobs are ours: 'job'.
 */
export const notFound = (resourceType: string, resourceId: string): Reply =>
  problem('resource-not-found', { resourceType, resourceId });

export const badRequest = (message: string): Reply => problem('bad-request', { message });

/** A problem for an arbitrary status, used by status faults that give no body. */
export function problemForStatus(status: number): Reply {
  const known = (Object.keys(KINDS) as ProblemKind[]).find((kind) => KINDS[kind][0] === status && KINDS[kind][1].startsWith(DOCS));
  if (known) return problem(known, { message: `Injected ${status}` });
  return { status, body: { type: DOCS, title: `http-${status}`, status, detail: `Injected ${status}`, data: {} } };
}

export const configError = (status: number, message: string): Reply => ({
  status,
  body: { message, errorId: randomUUID() },
});
