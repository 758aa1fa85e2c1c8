import type { LogEvent } from './schemas';
import type { AttemptLogTail } from './types';

/** The default of `attemptLogs`' maxBytes: 1 MiB. */
export const DEFAULT_LOG_TAIL_BYTES = 1024 * 1024;

/** A structured log event as one line of text, the way Airbyte's UI shows them: `<time> <source> > <LEVEL> <message>`. */
export function formatLogEvent(event: LogEvent): string[] {
  const time = event.timestamp !== undefined && Number.isFinite(event.timestamp) ? new Date(event.timestamp).toISOString() : undefined;
  const head = [time, event.logSource && `${event.logSource} >`, event.level?.toUpperCase()].filter(Boolean).join(' ');
  const line = head ? `${head} ${event.message ?? ''}` : (event.message ?? '');
  return event.stackTrace ? [line, ...event.stackTrace.split(/\r?\n/)] : [line];
}

/**
 * The last `maxBytes` (UTF-8) of `lines` joined by newlines, each line cleaned (`clean`, e.g. scrubbed of secrets)
 * before it is measured. Only the lines kept are cleaned; a last line longer than the budget keeps its end.
 */
export function tailLines(lines: readonly string[], maxBytes: number, clean: (line: string) => string): AttemptLogTail {
  const budget = Math.max(0, Math.floor(maxBytes));
  const kept: string[] = [];
  let bytes = 0;
  let truncated = false;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = clean(lines[i] ?? '');
    const cost = Buffer.byteLength(line) + (kept.length > 0 ? 1 : 0); // the newline that joins it to the next
    if (bytes + cost <= budget) {
      kept.push(line);
      bytes += cost;
      continue;
    }
    truncated = true;
    // Nothing kept yet: keep the end of this (very long) line rather than return nothing.
    if (kept.length === 0 && budget > 0) {
      const end = tailBytes(line, budget);
      kept.push(end);
      bytes = Buffer.byteLength(end);
    }
    break;
  }
  kept.reverse();
  return { lines: kept, truncated, bytes };
}

/** The last at most `max` bytes of `text`, cut at a character boundary. */
function tailBytes(text: string, max: number): string {
  const buffer = Buffer.from(text);
  let start = buffer.length - max;
  // Skip UTF-8 continuation bytes (10xxxxxx) so the cut does not split a character.
  while (start < buffer.length && ((buffer[start] ?? 0) & 0xc0) === 0x80) start++;
  return buffer.subarray(start).toString();
}
