import { ApplicationFailure } from '@temporalio/common';
import { compileNamePattern } from '../../common/name-pattern';
import type { DeleteGuard } from './types';

export const DELETE_REFUSED = 'AirbyteDeleteRefused';

/**
 * PyAirbyte's `safe_mode`, made explicit: a delete names the objects it may touch by a name pattern, or says
 * `force`. Checked against the object's current name, read just before the delete.
 */
export function checkDeleteGuard(guard: DeleteGuard | undefined, what: string, name: string): void {
  if (guard?.force === true) return;
  if (guard?.namePattern === undefined) {
    throw ApplicationFailure.nonRetryable(`refusing to delete ${what} '${name}': give guard.namePattern (its name must match) or guard.force`, DELETE_REFUSED);
  }
  let matches: boolean;
  try {
    matches = compileNamePattern(guard.namePattern).test(name);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`guard.namePattern: ${(err as Error).message}`, 'AirbyteInvalidInput');
  }
  if (!matches) {
    throw ApplicationFailure.nonRetryable(`refusing to delete ${what} '${name}': its name does not match guard.namePattern '${guard.namePattern}'`, DELETE_REFUSED);
  }
}
