export { AirbyteClient, DEFAULT_MAX_PAGES } from './client';
export {
  AIRBYTE_CLOUD_API_URL,
  AIRBYTE_CLOUD_WEB_URL,
  AirbyteConfigError,
  DEFAULT_MAX_RESPONSE_BYTES,
  deriveConfigApiUrl,
  deriveWebUrl,
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
export * from './resources';
export * from './types';
export { jobWebUrl, type JobLinkTarget } from './web-url';
