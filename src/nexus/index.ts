// `temporal-airbyte`'s Nexus service. Caller workflows import the contract from './service' only (this module
// also loads the handlers, which are worker code).
export { AIRBYTE_NEXUS_SERVICE_NAME, airbyteNexusService, type AirbyteNexusService, type NexusSyncInput } from './service';
export { createAirbyteNexusHandlers, createAirbyteNexusServiceHandler } from './handlers';
export { pipelineStartOptions, syncStartOptions } from '../common/start-options';
