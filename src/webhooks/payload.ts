import { z } from 'zod';

// What Airbyte's notification webhooks POST (SlackNotificationClient; see ../shared/design/airbyte-webhooks.md):
// `{text, blocks, data}` with no event type, `data` only on sync success and failure (and on "sync queued").
// Only `data.connection.id`, `data.jobId` and `data.success` are read, and only as a hint: the owner confirms
// with `GET /jobs/{id}`. Everything else may be absent or null, and unknown keys are allowed.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `[THIS IS A TEST NOTIFICATION]`: the tag of `POST /api/v1/notifications/try_webhook` sends (random ids, job 10). */
export const TEST_NOTIFICATION_TAG = '[THIS IS A TEST NOTIFICATION]';

const text = z.string().nullish();
const count = z.number().nullish();
const link = z.looseObject({ id: z.string().nullish(), name: text, url: text }).nullish();

export const webhookDataSchema = z.looseObject({
  workspace: link,
  // Connection ids are UUIDs; anything else names no owner and is refused before a workflow id is built from it.
  connection: z.looseObject({ id: z.string().regex(UUID, 'must be a UUID'), name: text, url: text }),
  source: link,
  destination: link,
  jobId: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  success: z.boolean(),
  startedAt: text,
  finishedAt: text,
  bytesEmitted: count,
  bytesCommitted: count,
  recordsEmitted: count,
  recordsCommitted: count,
  recordsFilteredOut: count,
  bytesFilteredOut: count,
  errorMessage: text,
  errorType: text,
  errorOrigin: text,
  durationInSeconds: count,
  durationFormatted: text,
  bytesEmittedFormatted: text,
  bytesCommittedFormatted: text,
});

const block = z.looseObject({ type: text, text: z.looseObject({ type: text, text }).nullish() });

export const webhookBodySchema = z.looseObject({
  text,
  // Slack's blocks; only a section's text is read (to tell a test send), other shapes pass as they are.
  blocks: z.array(z.unknown()).nullish(),
  data: webhookDataSchema.nullish(),
});

export type AirbyteWebhookBody = z.output<typeof webhookBodySchema>;
export type AirbyteWebhookData = z.output<typeof webhookDataSchema>;

/** What a webhook body means to us. */
export type WebhookHint =
  /** A sync job ended (by Airbyte's word, to be confirmed). */
  | { kind: 'job'; connectionId: string; jobId: number; success: boolean; workspaceId?: string }
  /** A test send from Airbyte's settings page: answered 2xx, matches nothing. */
  | { kind: 'test' }
  /** A body without `data`: connection disabled, disable warning, schema change. Nothing to wake. */
  | { kind: 'no-job' };

export type ParsedWebhook = { ok: true; hint: WebhookHint } | { ok: false; issues: string[] };

/** Reads a parsed JSON body. The issues name paths and rules only, never values (a body is not ours to log). */
export function readWebhookBody(json: unknown): ParsedWebhook {
  const parsed = webhookBodySchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.code}`) };
  }
  const body = parsed.data;
  if (isTestSend(body)) return { ok: true, hint: { kind: 'test' } };
  if (!body.data) return { ok: true, hint: { kind: 'no-job' } };
  const { connection, jobId, success, workspace } = body.data;
  // The workspace only makes the job's UI link without a lookup: kept when it is a UUID, else left out.
  const workspaceId = typeof workspace?.id === 'string' && UUID.test(workspace.id) ? workspace.id : undefined;
  return { ok: true, hint: { kind: 'job', connectionId: connection.id, jobId, success, ...(workspaceId && { workspaceId }) } };
}

/** Airbyte puts the tag in the title section (the first block), not in `text`. */
function isTestSend(body: AirbyteWebhookBody): boolean {
  return (body.blocks ?? []).some((b) => {
    const parsed = block.safeParse(b);
    return parsed.success && (parsed.data.text?.text ?? '').startsWith(TEST_NOTIFICATION_TAG);
  });
}
