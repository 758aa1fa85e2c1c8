// Payload encryption for Temporal: what workflows and activities exchange (dbt vars, activity args, results)
// is stored in Temporal's history encrypted, and a codec server lets the Web UI and the CLI read it.
export {
  createEncryptionCodec,
  ENCRYPTED_ENCODING,
  ENCRYPTION_CIPHER,
  METADATA_ENCRYPTION_CIPHER,
  METADATA_ENCRYPTION_KEY_ID,
  PayloadDecryptionError,
  type EncryptionCodecOptions,
} from './encryption-codec';
export { createCodecHandler, startCodecServer, type CodecServerOptions, type RunningCodecServer, type StartCodecServerOptions } from './codec-server';
