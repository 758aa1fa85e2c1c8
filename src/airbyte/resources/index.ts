export { ConnectionsResource } from './connections';
export { ConnectorResource, type AnyConnectorResource, type ConnectorResourceKind } from './connector-resource';
export { destinationsResource, type DestinationsResource } from './destinations';
export { JobHistoryResource } from './job-history';
export { DEFAULT_LOG_TAIL_BYTES } from './log-tail';
export { sourcesResource, type SourcesResource } from './sources';
export { StreamsResource } from './streams';
export { WorkspacesResource } from './workspaces';
export * from './types';
