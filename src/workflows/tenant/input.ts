import { z } from 'zod';
import type { NotificationsConfig, StreamConfiguration } from '../../airbyte';
import { findInlineSecret, isSecretRef, SECRET_REF_MESSAGE } from '../../common/secret-ref';
import { INSTANCE_NAME, UUID } from '../validation';
import { parseSyncInput, type SyncInput } from '../sync-input';

// Inputs of onboardTenant and offboardTenant, checked by the client and again in the workflow.

/** Tenant ids go into workflow ids and object names: short and plain. */
export const TENANT_ID = /^[A-Za-z0-9][\w.-]{0,99}$/;

export interface ConnectorSpec {
  /** Default `tenant-<tenantId>-source` / `-destination`. Names are how a resumed run finds what it made. */
  name?: string;
  /** The connector definition; optional when `configuration.sourceType` / `destinationType` names it. */
  definitionId?: string;
  /** Everything that is not a credential. A field that looks like one is refused here (it would sit in history). */
  configuration: Record<string, unknown>;
  /** Credentials, resolved on the worker by its SecretResolver and merged over `configuration`. */
  secretRef?: string;
}

export interface OnboardTenantInput {
  tenantId: string;
  instance?: string;
  /** A workspace of the tenant's own (created, default name `tenant-<tenantId>`), or an existing one by id. */
  workspace?: { name?: string; organizationId?: string; notifications?: NotificationsConfig } | { workspaceId: string };
  source: ConnectorSpec;
  destination: ConnectorSpec;
  connection?: {
    /** Default `tenant-<tenantId>`. */
    name?: string;
    /** Streams and sync modes; all of the source's streams, as Airbyte chooses, when omitted. */
    streams?: StreamConfiguration[];
    schedule?: { scheduleType: 'manual' | 'cron'; cronExpression?: string };
    namespaceDefinition?: 'source' | 'destination' | 'custom_format';
    namespaceFormat?: string;
    prefix?: string;
    status?: 'active' | 'inactive';
  };
  /** Run a first sync once provisioned (default true), with these sync options. */
  firstSync?: boolean | Pick<SyncInput, 'timeout' | 'poll' | 'retry'>;
  /**
   * On a permanent failure: `keep` (default) leaves what was made and fails with where it stopped (start the
   * workflow again with the same input to resume); `compensate` deletes what this run created, newest first.
   */
  onFailure?: 'keep' | 'compensate';
  /** Allow credentials in `configuration` (only with an encrypting payload codec: see the README). */
  allowInlineSecrets?: boolean;
}

export interface OffboardTenantInput {
  tenantId: string;
  instance?: string;
  /** The names used at onboarding, when they were not the defaults. */
  names?: { workspace?: string; source?: string; destination?: string; connection?: string };
  /** The tenant lives in a shared workspace: delete its objects, keep the workspace. */
  workspaceId?: string;
  /** Cancel a running sync of the tenant's connection first (default true); otherwise a running sync stops offboarding. */
  cancelRunningSync?: boolean;
}

const name = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const instance = z.string().regex(INSTANCE_NAME, 'must be an instance name: letters, digits, ".", "_" or "-", at most 100 characters');
const tenantId = z.string().regex(TENANT_ID, 'must be letters, digits, ".", "_" or "-" (starting with a letter or digit), at most 100 characters');
const json = z.record(z.string(), z.unknown());

const connector = z
  .object({
    name: name.optional(),
    definitionId: z.string().regex(UUID, 'must be a connector definition id (a UUID)').optional(),
    configuration: json,
    secretRef: z.string().refine(isSecretRef, SECRET_REF_MESSAGE).optional(),
  })
  .strict();

const duration = z.union([z.string(), z.number()]);

const onboardSchema = z
  .object({
    tenantId,
    instance: instance.optional(),
    workspace: z
      .union([
        z.object({ workspaceId: z.string().regex(UUID, 'must be a workspace id (a UUID)') }).strict(),
        z.object({ name: name.optional(), organizationId: z.string().regex(UUID, 'must be an organization id (a UUID)').optional(), notifications: json.optional() }).strict(),
      ])
      .optional(),
    source: connector,
    destination: connector,
    connection: z
      .object({
        name: name.optional(),
        streams: z
          .array(
            z
              .object({
                name: name,
                namespace: z.string().max(200).optional(),
                syncMode: z.string().max(100).optional(),
                cursorField: z.array(z.string().max(200)).max(20).optional(),
                primaryKey: z.array(z.array(z.string().max(200)).max(20)).max(20).optional(),
              })
              .strict(),
          )
          .max(10_000)
          .optional(),
        schedule: z
          .object({ scheduleType: z.enum(['manual', 'cron']), cronExpression: z.string().min(1).max(200).optional() })
          .strict()
          .refine((s) => s.scheduleType !== 'cron' || s.cronExpression !== undefined, { message: 'a cron schedule needs cronExpression', path: ['cronExpression'] })
          .optional(),
        namespaceDefinition: z.enum(['source', 'destination', 'custom_format']).optional(),
        namespaceFormat: z.string().max(200).optional(),
        prefix: z.string().max(200).optional(),
        status: z.enum(['active', 'inactive']).optional(),
      })
      .strict()
      .optional(),
    firstSync: z.union([z.boolean(), z.object({ timeout: duration.optional(), poll: json.optional(), retry: json.optional() }).strict()]).optional(),
    onFailure: z.enum(['keep', 'compensate']).optional(),
    allowInlineSecrets: z.boolean().optional(),
  })
  .strict();

const offboardSchema = z
  .object({
    tenantId,
    instance: instance.optional(),
    names: z.object({ workspace: name.optional(), source: name.optional(), destination: name.optional(), connection: name.optional() }).strict().optional(),
    workspaceId: z.string().regex(UUID, 'must be a workspace id (a UUID)').optional(),
    cancelRunningSync: z.boolean().optional(),
  })
  .strict();

export type TenantInputCheck<T> = { ok: true; value: T } | { ok: false; message: string };

function check<T>(schema: z.ZodType, input: unknown, what: string): TenantInputCheck<T> {
  try {
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || what}: ${i.message}`);
      return { ok: false, message: `invalid ${what}: ${problems.join('; ')}` };
    }
    return { ok: true, value: parsed.data as T };
  } catch (err) {
    return { ok: false, message: `invalid ${what}: could not be checked (${String((err as Error | undefined)?.message ?? err).slice(0, 200)})` };
  }
}

/** Shape, then no credential in clear (unless allowed). Never throws: it runs inside the workflow. */
export function checkOnboardInput(input: unknown): TenantInputCheck<OnboardTenantInput> {
  const result = check<OnboardTenantInput>(onboardSchema, input, 'onboardTenant input');
  if (!result.ok) return result;
  const { firstSync } = result.value;
  if (typeof firstSync === 'object') {
    // The first sync's options are checked now, not after everything has been provisioned.
    const sync = parseSyncInput({ connectionId: '00000000-0000-0000-0000-000000000000', ...firstSync });
    if (!sync.ok) return { ok: false, message: `invalid onboardTenant input: firstSync: ${sync.message.replace(/^invalid sync input: /, '')}` };
  }
  if (result.value.allowInlineSecrets) return result;
  for (const kind of ['source', 'destination'] as const) {
    const at = findInlineSecret(result.value[kind].configuration, `${kind}.configuration`);
    if (at) {
      return {
        ok: false,
        message:
          `invalid onboardTenant input: ${at} looks like a credential; workflow inputs sit in history in clear: ` +
          `put it behind ${kind}.secretRef (resolved on the worker), or encrypt payloads and set allowInlineSecrets`,
      };
    }
  }
  return result;
}

export function checkOffboardInput(input: unknown): TenantInputCheck<OffboardTenantInput> {
  return check<OffboardTenantInput>(offboardSchema, input, 'offboardTenant input');
}

/** The names a tenant's objects get unless the input names them: how a resumed or repeated run finds them. */
export function tenantNames(tenantId: string, given: { workspace?: string; source?: string; destination?: string; connection?: string } = {}) {
  return {
    workspace: given.workspace ?? `tenant-${tenantId}`,
    source: given.source ?? `tenant-${tenantId}-source`,
    destination: given.destination ?? `tenant-${tenantId}-destination`,
    connection: given.connection ?? `tenant-${tenantId}`,
  };
}
