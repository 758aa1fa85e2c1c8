import { randomUUID } from 'node:crypto';

// Error bodies. The public API answers RFC 9457 problem details; the Config API answers `{message, errorId}`.
// Types and titles are the constants clients match on; the wording of `detail` is ours.

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const DOCS = 'https://reference.airbyte.com/reference/errors';

const KINDS = {
  'bad-request': [400, `${DOCS}#bad-request`, 'The request is malformed.'],
  'invalid-api-key': [401, `${DOCS}#invalid-api-key`, 'The credentials in the Authorization header are not valid.'],
  forbidden: [403, `${DOCS}#forbidden`, 'This request is not allowed.'],
  'resource-not-found': [404, `${DOCS}#resource-not-found`, 'No such resource.'],
  'try-again-later': [409, `${DOCS}#try-again-later`, 'Retry this request later.'],
  'state-conflict': [409, `${DOCS}#409-state-conflict`, 'The resource is not in a state that allows this.'],
  'unprocessable-entity': [422, `${DOCS}#unprocessable-entity`, 'The request body could not be processed.'],
  'unexpected-problem': [500, DOCS, 'An unexpected problem occurred.'],
} as const;

export type ProblemTitle = keyof typeof KINDS;

export function problem(title: ProblemTitle, data: Record<string, unknown> = {}): Reply {
  const [status, type, detail] = KINDS[title];
  return { status, body: { type, title, status, detail, documentationUrl: type, data } };
}

export const notFound = (resourceType: string, resourceId: string): Reply =>
  problem('resource-not-found', { resourceType, resourceId });

export const badRequest = (message: string): Reply => problem('bad-request', { message });

/** A problem for an arbitrary status, used by status faults that give no body. */
export function problemForStatus(status: number): Reply {
  const known = (Object.keys(KINDS) as ProblemTitle[]).find((title) => KINDS[title][0] === status);
  if (known) return problem(known, { message: `Injected ${status}` });
  return { status, body: { type: DOCS, title: `http-${status}`, status, detail: `Injected ${status}`, data: {} } };
}

export const configError = (status: number, message: string): Reply => ({
  status,
  body: { message, errorId: randomUUID() },
});
