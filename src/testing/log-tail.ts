import { readFileSync } from 'node:fs';

/** The end of a child process's log file, to explain why it failed; empty when there is none. */
export function logTail(logFile: string | undefined, chars = 2_000): string {
  if (!logFile) return '';
  try {
    return `\n${readFileSync(logFile, 'utf8').slice(-chars)}`;
  } catch {
    return '';
  }
}
