import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The `encoding` metadata of a payload this codec encrypted. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata key naming the key a payload was encrypted with. */
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';
/** The metadata key naming the cipher (so that a later format can be told apart). */
export const METADATA_ENCRYPTION_CIPHER = 'encryption-cipher';
export const ENCRYPTION_CIPHER = 'AES-256-GCM';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_KEY_ID_LENGTH = 200;

export interface EncryptionCodecOptions {
  /** AES-256 keys (32 bytes each) by key id. Keep every key that may still have encrypted a payload in history. */
  keys: Readonly<Record<string, Uint8Array>>;
  /** The key new payloads are encrypted with; the others only decrypt. */
  currentKeyId: string;
}

/** A payload that cannot be decrypted: unknown key, tampered or truncated data, or malformed metadata. */
export class PayloadDecryptionError extends ValueError {
  override readonly name = 'PayloadDecryptionError';
}

/**
 * A payload codec that encrypts every payload with AES-256-GCM: a random 12-byte IV per payload, the key id
 * (in the clear, in the metadata) bound to the ciphertext as additional authenticated data, and a 16-byte tag
 * that makes any change to the data or the key id fail decryption. Encodes with `currentKeyId`, decodes with
 * any key of `keys`, so keys rotate without re-encrypting history. Payloads that are not encrypted (written
 * before the codec was turned on) decode unchanged.
 *
 * Use the same codec on the worker and every client: `dataConverter: { payloadCodecs: [codec] }`.
 */
export function createEncryptionCodec(options: EncryptionCodecOptions): PayloadCodec {
  const keys = new Map<string, KeyObject>();
  for (const [id, bytes] of Object.entries(options.keys)) {
    checkKeyId(id);
    if (!(bytes instanceof Uint8Array) || bytes.length !== KEY_BYTES) {
      throw new TypeError(`encryption key '${id}' must be ${KEY_BYTES} bytes (AES-256), got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
    }
    keys.set(id, createSecretKey(Buffer.from(bytes))); // a copy: later changes to the caller's buffer do not reach it
  }
  const current = keys.get(options.currentKeyId);
  if (!current) {
    throw new TypeError(`currentKeyId '${options.currentKeyId}' is not one of the keys (${[...keys.keys()].join(', ') || 'none given'})`);
  }
  const currentKeyId = options.currentKeyId;

  return {
    // Rejects, never throws: callers of a codec await its promise.
    encode: (payloads: Payload[]): Promise<Payload[]> => Promise.resolve().then(() => payloads.map((p) => encrypt(p, currentKeyId, current))),
    decode: (payloads: Payload[]): Promise<Payload[]> => Promise.resolve().then(() => payloads.map((p) => decrypt(p, keys))),
  };
}

function encrypt(payload: Payload, keyId: string, key: KeyObject): Payload {
  const plain = temporal.api.common.v1.Payload.encode(payload).finish();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(keyId));
  const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return {
    metadata: {
      [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
      [METADATA_ENCRYPTION_CIPHER]: utf8(ENCRYPTION_CIPHER),
      [METADATA_ENCRYPTION_KEY_ID]: utf8(keyId),
    },
    data: sealed,
  };
}

function decrypt(payload: Payload, keys: ReadonlyMap<string, KeyObject>): Payload {
  const metadata = payload.metadata ?? {};
  if (text(metadata[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
  const cipherName = text(metadata[METADATA_ENCRYPTION_CIPHER]);
  if (cipherName !== undefined && cipherName !== ENCRYPTION_CIPHER) {
    throw new PayloadDecryptionError(`encrypted payload uses cipher '${cipherName}', this codec only knows ${ENCRYPTION_CIPHER}`);
  }
  const keyId = text(metadata[METADATA_ENCRYPTION_KEY_ID]);
  if (keyId === undefined) throw new PayloadDecryptionError(`encrypted payload has no '${METADATA_ENCRYPTION_KEY_ID}' metadata`);
  const key = keys.get(keyId);
  if (!key) {
    throw new PayloadDecryptionError(
      `payload was encrypted with key '${keyId}', which this codec does not have (it has: ${[...keys.keys()].join(', ')}); ` +
        'add that key to the codec to read it',
    );
  }
  const data = payload.data ?? new Uint8Array();
  if (data.length < IV_BYTES + TAG_BYTES) {
    throw new PayloadDecryptionError(`encrypted payload (key '${keyId}') is truncated: ${data.length} bytes`);
  }
  const iv = data.subarray(0, IV_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(keyId));
  decipher.setAuthTag(tag);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new PayloadDecryptionError(`encrypted payload failed authentication with key '${keyId}': it was altered, or encrypted with another key under that id`);
  }
  try {
    return temporal.api.common.v1.Payload.decode(plain);
  } catch (err) {
    throw new PayloadDecryptionError(`decrypted payload (key '${keyId}') is not a Temporal payload: ${(err as Error).message}`);
  }
}

/** The key id is authenticated with the data: a payload relabelled with another key id fails to decrypt. */
function additionalData(keyId: string): Buffer {
  return utf8(`temporal-airbyte/${ENCRYPTION_CIPHER}/${keyId}`);
}

function checkKeyId(id: string): void {
  // It travels in the clear in every payload's metadata: printable ASCII, no secrets.
  if (!/^[\x21-\x7e]+$/.test(id) || id.length > MAX_KEY_ID_LENGTH) {
    throw new TypeError(`encryption key id '${id}' must be 1 to ${MAX_KEY_ID_LENGTH} printable ASCII characters without spaces`);
  }
}

function utf8(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

function text(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}
