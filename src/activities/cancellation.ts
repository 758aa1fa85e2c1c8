import { currentActivity } from './heartbeat';

/** The running activity's cancellation, so a long call or listing stops when the workflow no longer wants it. */
export const cancellationSignal = (): AbortSignal | undefined => currentActivity()?.cancellationSignal;

/** Request options carrying that cancellation. */
export const cancellable = (): { signal?: AbortSignal } => ({ signal: cancellationSignal() });

/** Options of a paged listing inside an activity: bounded in pages, stopped when the activity is cancelled. */
export const listing = () => ({ maxPages: 500, signal: cancellationSignal() });
