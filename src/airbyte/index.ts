export { AirbyteClient, DEFAULT_MAX_PAGES } from './client';
export {
  AIRBYTE_CLOUD_API_URL,
  AirbyteConfigError,
  DEFAULT_MAX_RESPONSE_BYTES,
  deriveConfigApiUrl,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  resolveInstanceConfig,
  selfManagedApiUrl,
  type AirbyteAuth,
  type AirbyteInstanceConfig,
  type ConfigFieldNames,
} from './config';
export { AirbyteApiError, type AirbyteErrorKind } from './errors';
export * from './job-status';
export * from './types';
