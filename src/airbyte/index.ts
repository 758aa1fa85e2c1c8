export { AirbyteClient } from './client';
export {
  AIRBYTE_CLOUD_API_URL,
  AirbyteConfigError,
  deriveConfigApiUrl,
  resolveInstanceConfig,
  selfManagedApiUrl,
  type AirbyteAuth,
  type AirbyteInstanceConfig,
  type ConfigFieldNames,
} from './config';
export { AirbyteApiError, type AirbyteErrorKind } from './errors';
export * from './job-status';
export * from './types';
