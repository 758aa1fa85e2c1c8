import { array, dynamic, number, object, optional, record, refine, string, union, unknown, type Infer, type Struct } from 'superstruct';
import type { NotificationsConfig, StreamConfiguration } from '../../airbyte';
import { findInlineSecret, isSecretRef, SECRET_REF_MESSAGE } from '../../common/secret-ref';
import { bool, checkShape, INSTANCE_MESSAGE, INSTANCE_NAME, matches, maxLength, notEmpty, oneOf, sized, str, UUID } from '../validation';
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

const name = str(notEmpty, maxLength(200));
const instance = str(matches(INSTANCE_NAME, INSTANCE_MESSAGE));
const tenantId = str(matches(TENANT_ID, 'must be letters, digits, ".", "_" or "-" (starting with a letter or digit), at most 100 characters'));
const uuid = (what: string) => str(matches(UUID, `must be ${what} (a UUID)`));
const json = record(string(), unknown());
const short = (max: number) => str(maxLength(max));

const connector = object({
  name: optional(name),
  definitionId: optional(uuid('a connector definition id')),
  configuration: json,
  secretRef: optional(str((ref) => (isSecretRef(ref) ? undefined : SECRET_REF_MESSAGE))),
});

const existingWorkspace = object({ workspaceId: uuid('a workspace id') });
const newWorkspace = object({ name: optional(name), organizationId: optional(uuid('an organization id')), notifications: optional(json) });

const onboardStruct = object({
  tenantId,
  instance: optional(instance),
  // An existing workspace is named by its id; any other object describes one to create.
  workspace: optional(dynamic((value) => (typeof value === 'object' && value !== null && 'workspaceId' in value ? existingWorkspace : newWorkspace) as unknown as Struct<unknown, null>)),
  source: connector,
  destination: connector,
  connection: optional(
    object({
      name: optional(name),
      streams: optional(
        sized(
          array(
            object({
              name,
              namespace: optional(short(200)),
              syncMode: optional(short(100)),
              cursorField: optional(sized(array(short(200)), 20)),
              primaryKey: optional(sized(array(sized(array(short(200)), 20)), 20)),
            }),
          ),
          10_000,
        ),
      ),
      schedule: optional(
        refine(object({ scheduleType: oneOf(['manual', 'cron'] as const), cronExpression: optional(str(notEmpty, maxLength(200))) }), 'cron needs an expression', (s, ctx) =>
          s.scheduleType !== 'cron' || s.cronExpression !== undefined || { path: [...(ctx.path as (string | number)[]), 'cronExpression'], message: 'a cron schedule needs cronExpression' },
        ),
      ),
      namespaceDefinition: optional(oneOf(['source', 'destination', 'custom_format'] as const)),
      namespaceFormat: optional(short(200)),
      prefix: optional(short(200)),
      status: optional(oneOf(['active', 'inactive'] as const)),
    }),
  ),
  firstSync: optional(
    dynamic((value) =>
      (typeof value === 'boolean' ? bool() : object({ timeout: optional(union([string(), number()])), poll: optional(json), retry: optional(json) })) as unknown as Struct<unknown, null>,
    ),
  ),
  onFailure: optional(oneOf(['keep', 'compensate'] as const)),
  allowInlineSecrets: optional(bool()),
});

const offboardStruct = object({
  tenantId,
  instance: optional(instance),
  names: optional(object({ workspace: optional(name), source: optional(name), destination: optional(name), connection: optional(name) })),
  workspaceId: optional(uuid('a workspace id')),
  cancelRunningSync: optional(bool()),
});

export type TenantInputCheck<T> = { ok: true; value: T } | { ok: false; message: string };

function check<T, Shape>(struct: Struct<Shape, unknown>, input: unknown, what: string): TenantInputCheck<T> {
  try {
    const checked = checkShape(input, struct);
    if (!checked.ok) {
      const problems = checked.problems.slice(0, 5).map((p) => `${p.path.map(String).join('.') || what}: ${p.message}`);
      return { ok: false, message: `invalid ${what}: ${problems.join('; ')}` };
    }
    return { ok: true, value: checked.value as unknown as T };
  } catch (err) {
    return { ok: false, message: `invalid ${what}: could not be checked (${String((err as Error | undefined)?.message ?? err).slice(0, 200)})` };
  }
}

/** Shape, then no credential in clear (unless allowed). Never throws: it runs inside the workflow. */
export function checkOnboardInput(input: unknown): TenantInputCheck<OnboardTenantInput> {
  const result = check<OnboardTenantInput, Infer<typeof onboardStruct>>(onboardStruct, input, 'onboardTenant input');
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
  return check<OffboardTenantInput, Infer<typeof offboardStruct>>(offboardStruct, input, 'offboardTenant input');
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
