import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { isSecretRef, SECRET_REF_MESSAGE } from '../../common/secret-ref';

/**
 * Turns a secret reference (what a workflow carries, e.g. `tenant-42/stripe`) into the secret fields of a
 * connector configuration, on the worker. Workflow history only ever holds the reference. Plug in a vault,
 * a cloud secret manager or a database; `secretsFromDirectory` and `secretsFromMap` are the built-ins.
 */
export type SecretResolver = (ref: string) => Promise<Record<string, unknown>>;


/** Resolves `ref` with the worker's resolver; failures name the reference, never a value. */
export async function resolveSecretFields(resolver: SecretResolver | undefined, ref: string | undefined): Promise<Record<string, unknown>> {
  if (ref === undefined) return {};
  if (!isSecretRef(ref)) throw ApplicationFailure.nonRetryable(`secretRef: ${SECRET_REF_MESSAGE}`, 'AirbyteInvalidInput');
  if (!resolver) {
    throw ApplicationFailure.nonRetryable(
      `secretRef '${ref}' was given but this worker has no secret resolver (createAirbyteWorker({ secrets }))`,
      'AirbyteSecretUnavailable',
    );
  }
  let fields: unknown;
  try {
    fields = await resolver(ref);
  } catch (err) {
    // The resolver's own message may quote what it read: keep only its class of error.
    const retryable = (err as { retryable?: unknown }).retryable !== false;
    const failure = `secret '${ref}' could not be resolved (${(err as Error | undefined)?.name ?? 'Error'})`;
    throw retryable ? ApplicationFailure.retryable(failure, 'AirbyteSecretUnavailable') : ApplicationFailure.nonRetryable(failure, 'AirbyteSecretUnavailable');
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw ApplicationFailure.nonRetryable(`secret '${ref}' must resolve to an object of configuration fields`, 'AirbyteSecretUnavailable');
  }
  return fields as Record<string, unknown>;
}

/** Secrets from memory: for tests and for services that hold them already. */
export function secretsFromMap(secrets: Readonly<Record<string, Record<string, unknown>>>): SecretResolver {
  return (ref) => {
    const fields = Object.hasOwn(secrets, ref) ? secrets[ref] : undefined;
    if (!fields) return Promise.reject(Object.assign(new Error('unknown secret reference'), { name: 'SecretNotFound', retryable: false }));
    return Promise.resolve(fields);
  };
}

/**
 * Secrets as JSON files, `<dir>/<ref>.json`: what a Kubernetes secret volume or a Vault agent template gives.
 * Read at each use, so a rotated file is picked up without a restart.
 */
export function secretsFromDirectory(dir: string): SecretResolver {
  return async (ref) => {
    let text: string;
    try {
      text = await readFile(join(dir, `${ref}.json`), 'utf8');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw Object.assign(new Error('secret file unreadable'), { name: missing ? 'SecretNotFound' : 'SecretUnreadable', retryable: !missing });
    }
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw Object.assign(new Error('secret file is not JSON'), { name: 'SecretNotJson', retryable: false });
    }
  };
}
