import { randomUUID } from 'node:crypto';
import { catalogStream, DEFAULT_STREAMS, type CatalogStream } from './catalog';
import { definitionIdFor, type ActorKind } from './definitions';
import { JobBook, validateScript } from './jobs';
import { createNotifications } from './notifications';
import type * as T from './types';

// Workspaces, sources, destinations and connections, with Airbyte's cascades on delete; jobs live in a JobBook.
// Nothing is ever removed: a deleted object stays, marked, as Airbyte tombstones it.

export interface Workspace { workspaceId: string; name: string; notifications: T.MockNotifications; deleted: boolean }

export interface Actor {
  kind: ActorKind;
  id: string;
  name: string;
  workspaceId: string;
  definitionId: string;
  /** The real values, secrets included. Airbyte voids it (null) when the actor is deleted. */
  configuration: Record<string, unknown> | null;
  createdAt: number; // epoch seconds
  deleted: boolean;
  streams: CatalogStream[]; // a source's catalogue; empty for a destination
}

export interface ConnectionEntry { connection: T.MockConnection; script?: T.MockConnectionScript }

export interface ActorSeed {
  id?: string;
  name?: string;
  workspaceId?: string;
  type?: string;
  definitionId?: string;
  configuration?: Record<string, unknown>;
  streams?: (string | T.MockStreamSpec)[];
}

const seconds = () => Math.floor(Date.now() / 1000);

export class MockState {
  readonly workspaces = new Map<string, Workspace>();
  readonly sources = new Map<string, Actor>();
  readonly destinations = new Map<string, Actor>();
  readonly connections = new Map<string, ConnectionEntry>();
  readonly jobs: JobBook;
  readonly defaultWorkspaceId: string;

  constructor(defaultScript: T.MockConnectionScript | undefined, onTransition: (job: T.MockJob) => void, options: { cancelDelayMs?: number } = {}) {
    this.jobs = new JobBook(defaultScript, onTransition, options.cancelDelayMs ?? 0);
    this.defaultWorkspaceId = this.addWorkspace({ name: 'Default Workspace' }).workspaceId;
  }

  actors(kind: ActorKind): Map<string, Actor> {
    return kind === 'source' ? this.sources : this.destinations;
  }

  addWorkspace(seed: { workspaceId?: string; name?: string; notifications?: unknown } = {}): Workspace {
    const workspace: Workspace = {
      workspaceId: seed.workspaceId ?? randomUUID(),
      name: seed.name ?? 'Mock Workspace',
      notifications: createNotifications(seed.notifications),
      deleted: false,
    };
    this.workspaces.set(workspace.workspaceId, workspace);
    return workspace;
  }

  /** Adding an existing id replaces that source or destination. The type must be a connector name. */
  addActor(kind: ActorKind, seed: ActorSeed = {}): Actor {
    const workspaceId = seed.workspaceId ?? this.defaultWorkspaceId;
    if (!this.workspaces.has(workspaceId)) this.addWorkspace({ workspaceId });
    const type = seed.type ?? (kind === 'source' ? 'faker' : 'e2e-test');
    const definitionId = seed.definitionId ?? definitionIdFor(kind, type);
    if (!definitionId) throw new Error(`Not a connector name: ${JSON.stringify(type)}`);
    const map = this.actors(kind);
    const actor: Actor = {
      kind,
      id: seed.id ?? randomUUID(),
      name: seed.name ?? `Mock ${kind} ${map.size + 1}`,
      workspaceId,
      definitionId,
      configuration: structuredClone(seed.configuration ?? {}),
      createdAt: seconds(),
      deleted: false,
      streams: kind === 'source' ? (seed.streams ?? DEFAULT_STREAMS).map(catalogStream) : [],
    };
    map.set(actor.id, actor);
    return actor;
  }

  setSourceStreams(sourceId: string, streams: (string | T.MockStreamSpec)[]): void {
    const source = this.sources.get(sourceId);
    if (!source) throw new Error(`Unknown source ${sourceId}`);
    source.streams = streams.map(catalogStream);
  }

  /**
   * Seeds a connection, making its source and destination when they do not exist (the source offering the
   * connection's streams). Adding an existing connectionId replaces that connection (a way to change its status
   * mid-test).
   */
  addConnection(seed: T.MockConnectionSeed = {}): T.MockConnection {
    validateScript(seed.script);
    const workspaceId = seed.workspaceId ?? this.defaultWorkspaceId;
    if (!this.workspaces.has(workspaceId)) this.addWorkspace({ workspaceId });
    const streams = [...new Set(seed.streams ?? seed.script?.streams?.map((s) => s.name) ?? DEFAULT_STREAMS)];
    const source = this.sources.get(seed.sourceId ?? '') ?? this.addActor('source', { id: seed.sourceId, workspaceId, streams });
    for (const name of streams) if (!source.streams.some((s) => s.name === name)) source.streams.push(catalogStream(name));
    const destination = this.destinations.get(seed.destinationId ?? '') ?? this.addActor('destination', { id: seed.destinationId, workspaceId });
    const connection: T.MockConnection = {
      connectionId: seed.connectionId ?? randomUUID(),
      name: seed.name ?? `Mock connection ${this.connections.size + 1}`,
      sourceId: source.id,
      destinationId: destination.id,
      workspaceId,
      status: seed.status ?? 'active',
      schedule: { scheduleType: 'manual' },
      configurations: { streams: streams.map((name) => ({ name, syncMode: 'full_refresh_overwrite' })) },
      namespaceDefinition: 'destination',
      prefix: '',
      nonBreakingSchemaUpdatesBehavior: 'ignore',
      createdAt: seconds(),
      tags: (seed.tags ?? []).map((t) => ({ tagId: t.tagId ?? randomUUID(), workspaceId, name: t.name, color: t.color ?? '#7F7EFF' })),
    };
    this.connections.set(connection.connectionId, { connection, script: seed.script });
    return structuredClone(connection);
  }

  /** A connection made through the API: it runs the default script. */
  putConnection(connection: T.MockConnection): ConnectionEntry {
    const entry = { connection };
    this.connections.set(connection.connectionId, entry);
    return entry;
  }

  setScript(connectionId: string, script: T.MockConnectionScript): void {
    const entry = this.connections.get(connectionId);
    if (!entry) throw new Error(`Unknown connection ${connectionId}`);
    validateScript(script);
    entry.script = script;
  }

  createJob(connectionId: string, jobType: string) {
    const entry = this.connections.get(connectionId);
    if (!entry) throw new Error(`Unknown connection ${connectionId}`);
    return this.jobs.create(connectionId, jobType, entry.script);
  }

  /**
   * Airbyte marks a deleted connection 'deprecated' (it stays readable) and deletes its scheduling workflow,
   * which stops a sync in flight.
   */
  deleteConnection(entry: ConnectionEntry): void {
    entry.connection.status = 'deprecated';
    const running = this.jobs.active(entry.connection.connectionId);
    if (running) this.jobs.finish(running, 'cancelled', 'api');
  }

  /** SourceHandler.deleteSource (and the destination's): its connections first, then the actor, config voided. */
  deleteActor(actor: Actor): void {
    const key = actor.kind === 'source' ? 'sourceId' : 'destinationId';
    for (const entry of this.connections.values()) {
      if (entry.connection[key] === actor.id && entry.connection.status !== 'deprecated') this.deleteConnection(entry);
    }
    actor.deleted = true;
    actor.configuration = null;
  }

  /** WorkspacesHandler.deleteWorkspace: connections, destinations, sources, then the workspace itself. */
  deleteWorkspace(workspace: Workspace): void {
    const { workspaceId } = workspace;
    for (const entry of this.connections.values()) {
      if (entry.connection.workspaceId === workspaceId && entry.connection.status !== 'deprecated') this.deleteConnection(entry);
    }
    for (const actor of [...this.destinations.values(), ...this.sources.values()]) {
      if (actor.workspaceId === workspaceId && !actor.deleted) this.deleteActor(actor);
    }
    workspace.deleted = true;
  }

  reset(): void {
    this.jobs.reset();
  }
}
