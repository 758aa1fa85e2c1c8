import { BadInput } from './problems';
import type { MockStreamConfiguration, MockStreamSpec } from './types';

// The streams a mock source offers, and how a connection's stream configurations are checked against them.
// The checks follow Airbyte's AirbyteCatalogHelper (airbyte-server, public API); the wording is ours.

export type SyncMode = 'full_refresh' | 'incremental';
export type DestinationSyncMode = 'append' | 'overwrite' | 'append_dedup' | 'overwrite_dedup' | 'update' | 'soft_delete';

export interface CatalogStream {
  name: string;
  namespace?: string;
  fields: string[];
  syncModes: SyncMode[];
  defaultCursorField: string[];
  sourceDefinedCursor: boolean;
  primaryKey: string[][];
}

export const DEFAULT_STREAMS = ['customers', 'orders'];

/** What every mock destination supports: a warehouse-like destination (no update / soft_delete). */
export const DESTINATION_SYNC_MODES: DestinationSyncMode[] = ['overwrite', 'append', 'append_dedup', 'overwrite_dedup'];

/** The public API's combined sync modes, as ConnectionReadMapper maps them to the Config API's pair. */
export const CONNECTION_SYNC_MODES: Record<string, [SyncMode, DestinationSyncMode]> = {
  full_refresh_overwrite: ['full_refresh', 'overwrite'],
  full_refresh_overwrite_deduped: ['full_refresh', 'overwrite_dedup'],
  full_refresh_append: ['full_refresh', 'append'],
  full_refresh_update: ['full_refresh', 'update'],
  full_refresh_soft_delete: ['full_refresh', 'soft_delete'],
  incremental_append: ['incremental', 'append'],
  incremental_deduped_history: ['incremental', 'append_dedup'],
  incremental_update: ['incremental', 'update'],
  incremental_soft_delete: ['incremental', 'soft_delete'],
};

export function catalogStream(spec: string | MockStreamSpec): CatalogStream {
  const s = typeof spec === 'string' ? { name: spec } : spec;
  if (typeof s.name !== 'string' || s.name === '') throw new Error(`A stream needs a name, got ${JSON.stringify(spec)}`);
  return {
    name: s.name,
    ...(s.namespace !== undefined && { namespace: s.namespace }),
    fields: s.fields ?? ['id', 'name', 'updated_at'],
    syncModes: s.syncModes ?? ['full_refresh', 'incremental'],
    defaultCursorField: s.defaultCursorField ?? ['updated_at'],
    sourceDefinedCursor: s.sourceDefinedCursor ?? false,
    primaryKey: s.primaryKey ?? [['id']],
  };
}

export function jsonSchema(stream: CatalogStream): Record<string, unknown> {
  const type = (field: string) =>
    field === 'id' ? { type: 'integer' } : field.endsWith('_at') ? { type: 'string', format: 'date-time' } : { type: 'string' };
  return { type: 'object', properties: Object.fromEntries(stream.fields.map((field) => [field, type(field)])) };
}

const fieldPaths = (stream: CatalogStream) => stream.fields.map((field) => [field]);
const samePath = (a: string[], b: string[]) => a.length === b.length && a.every((part, i) => part === b[i]);
const sameKeys = (a: string[][], b: string[][]) => a.length === b.length && a.every((key, i) => samePath(key, b[i] ?? []));

/** The public API's StreamProperties. `syncModes` only when a destination was named: Airbyte leaves it out otherwise. */
export function streamProperties(stream: CatalogStream, destinationModes?: DestinationSyncMode[]) {
  // StreamsController.getValidSyncModes lists them in this order (and never full_refresh_overwrite_deduped).
  const order: [SyncMode, DestinationSyncMode, string][] = [
    ['full_refresh', 'append', 'full_refresh_append'],
    ['full_refresh', 'overwrite', 'full_refresh_overwrite'],
    ['full_refresh', 'update', 'full_refresh_update'],
    ['full_refresh', 'soft_delete', 'full_refresh_soft_delete'],
    ['incremental', 'append', 'incremental_append'],
    ['incremental', 'append_dedup', 'incremental_deduped_history'],
    ['incremental', 'update', 'incremental_update'],
    ['incremental', 'soft_delete', 'incremental_soft_delete'],
  ];
  const syncModes = destinationModes
    ? order.filter(([source, destination]) => stream.syncModes.includes(source) && destinationModes.includes(destination)).map(([, , mode]) => mode)
    : undefined;
  return {
    streamName: stream.name,
    ...(syncModes && { syncModes }),
    ...(stream.namespace !== undefined && { streamnamespace: stream.namespace }),
    defaultCursorField: stream.defaultCursorField,
    sourceDefinedCursorField: stream.sourceDefinedCursor,
    sourceDefinedPrimaryKey: stream.primaryKey,
    propertyFields: fieldPaths(stream),
  };
}

/** Every stream, full refresh overwrite: what Airbyte configures when a create names no streams. */
export function allStreams(catalog: CatalogStream[]): MockStreamConfiguration[] {
  return catalog.map((stream) => ({
    name: stream.name,
    ...(stream.namespace !== undefined && { namespace: stream.namespace }),
    syncMode: 'full_refresh_overwrite',
    cursorField: stream.defaultCursorField,
    primaryKey: stream.primaryKey,
  }));
}

interface Requested { name: string; namespace?: string; syncMode?: string; cursorField?: string[]; primaryKey?: string[][] }

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function parseRequested(value: unknown): Requested {
  const fail = (why: string) => new BadInput(`configurations.streams: ${why} (${JSON.stringify(value)}).`);
  if (typeof value !== 'object' || value === null) throw fail('each stream must be an object');
  const { name, namespace, syncMode, cursorField, primaryKey } = value as Record<string, unknown>;
  if (typeof name !== 'string') throw fail('a stream needs a name');
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') throw fail('namespace must be a string');
  const mode = typeof syncMode === 'string' ? syncMode.toLowerCase() : syncMode;
  if (mode !== undefined && mode !== null && !(typeof mode === 'string' && mode in CONNECTION_SYNC_MODES)) throw fail('unknown syncMode');
  if (cursorField !== undefined && cursorField !== null && !isStringArray(cursorField)) throw fail('cursorField must be a list of strings');
  if (primaryKey !== undefined && primaryKey !== null && !(Array.isArray(primaryKey) && primaryKey.every(isStringArray))) {
    throw fail('primaryKey must be a list of lists of strings');
  }
  return {
    name,
    ...(typeof namespace === 'string' && { namespace }),
    ...(typeof mode === 'string' && { syncMode: mode }),
    ...(cursorField && { cursorField }),
    ...(primaryKey && { primaryKey }),
  };
}

function findStream(catalog: CatalogStream[], wanted: Requested): CatalogStream {
  const byName = catalog.filter((stream) => stream.name === wanted.name);
  if (byName.length === 1) return byName[0]!;
  const exact = byName.filter((stream) => stream.namespace === wanted.namespace);
  if (exact.length === 1) return exact[0]!;
  const which = `name [${wanted.name}] and namespace [${wanted.namespace ?? 'null'}]`;
  throw new BadInput(exact.length > 1 ? `Several streams have ${which}.` : `The source has no stream with ${which}; GET /streams lists them.`);
}

function checkCursor(stream: CatalogStream, cursor: string[] | undefined): void {
  const given = cursor !== undefined && cursor.length > 0;
  if (stream.sourceDefinedCursor) {
    if (given && !(new Set(cursor).size === new Set(stream.defaultCursorField).size && cursor.every((c) => stream.defaultCursorField.includes(c)))) {
      throw new BadInput(`The source defines the cursor of stream ${stream.name}; leave cursorField out.`);
    }
  } else if (given) {
    if (!fieldPaths(stream).some((path) => samePath(path, cursor))) {
      throw new BadInput(`Invalid cursor field for stream ${stream.name}; valid: ${JSON.stringify(fieldPaths(stream))}.`);
    }
  } else if (stream.defaultCursorField.length === 0) {
    throw new BadInput(`Stream ${stream.name} has no default cursor field; give a cursorField.`);
  }
}

function checkPrimaryKey(stream: CatalogStream, key: string[][] | undefined): void {
  const given = key !== undefined && key.length > 0;
  const defined = stream.primaryKey.length > 0;
  if (defined && given && !sameKeys(stream.primaryKey, key)) {
    throw new BadInput(`The source defines the primary key of stream ${stream.name} as ${JSON.stringify(stream.primaryKey)}.`);
  }
  if (!defined && !given) throw new BadInput(`Stream ${stream.name} has no default primary key; give a primaryKey.`);
  for (const path of key ?? []) {
    if (!fieldPaths(stream).some((valid) => samePath(valid, path))) {
      throw new BadInput(`Invalid primary key for stream ${stream.name}; valid fields: ${JSON.stringify(fieldPaths(stream))}.`);
    }
    if (new Set(path).size !== path.length) throw new BadInput(`Duplicate primary key column for stream ${stream.name}.`);
  }
}

/** Checks the requested streams against the catalogue and fills in what Airbyte fills in (cursor, key, namespace). */
export function configureStreams(catalog: CatalogStream[], requested: unknown[]): MockStreamConfiguration[] {
  const seen = new Set<string>();
  return requested.map((raw) => {
    const wanted = parseRequested(raw);
    const stream = findStream(catalog, wanted);
    const mode = wanted.syncMode ?? 'full_refresh_overwrite';
    const [sourceMode, destinationMode] = CONNECTION_SYNC_MODES[mode]!;
    if (mode !== 'full_refresh_overwrite') {
      if (!stream.syncModes.includes(sourceMode) || !DESTINATION_SYNC_MODES.includes(destinationMode)) {
        throw new BadInput(`Cannot set sync mode ${mode} for stream ${stream.name}.`);
      }
      if (sourceMode === 'incremental') checkCursor(stream, wanted.cursorField);
      if (mode === 'incremental_deduped_history' || destinationMode === 'update') checkPrimaryKey(stream, wanted.primaryKey);
    }
    const key = `${wanted.name}\u0000${wanted.namespace ?? ''}`;
    if (seen.has(key)) throw new BadInput(`Stream ${wanted.name} is configured twice.`);
    seen.add(key);
    // Airbyte's selectCursorField / selectPrimaryKey: the source's own wins; full refresh keeps the discovered ones.
    const cursorField =
      sourceMode === 'incremental' && !stream.sourceDefinedCursor && wanted.cursorField?.length ? wanted.cursorField : stream.defaultCursorField;
    const keepsDiscoveredKey = mode === 'full_refresh_overwrite' || mode === 'full_refresh_append';
    const primaryKey = keepsDiscoveredKey || stream.primaryKey.length > 0 ? stream.primaryKey : (wanted.primaryKey ?? []);
    return {
      name: stream.name,
      ...(stream.namespace !== undefined && { namespace: stream.namespace }),
      syncMode: mode,
      cursorField,
      primaryKey,
    };
  });
}
