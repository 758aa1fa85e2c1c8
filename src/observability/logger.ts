import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogFormat = 'json' | 'text';

// A task token lets whoever holds it complete or fail an activity: it is a credential, not context.
const DROPPED_FIELDS = new Set(['taskToken']);

/**
 * The worker's logger: one line per entry, JSON (for log pipelines) or text (for a terminal), with the SDK's
 * context (workflow id, activity type, ...) as fields, and without task tokens.
 */
export function createWorkerLogger(level: LogLevel, format: LogFormat, write: (line: string) => void = (line) => process.stdout.write(line)): DefaultLogger {
  return new DefaultLogger(level, (entry) => write(format === 'json' ? jsonLine(entry) : textLine(entry)));
}

function fieldsOf(entry: LogEntry): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry.meta ?? {})) {
    if (!DROPPED_FIELDS.has(key) && value !== undefined) fields[key] = value instanceof Error ? (value.stack ?? value.message) : value;
  }
  return fields;
}

function timeOf(entry: LogEntry): string {
  return new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
}

function jsonLine(entry: LogEntry): string {
  return `${safeJson({ time: timeOf(entry), level: entry.level.toLowerCase(), msg: entry.message, ...fieldsOf(entry) })}\n`;
}

function textLine(entry: LogEntry): string {
  const fields = fieldsOf(entry);
  return `${timeOf(entry)} ${entry.level.padEnd(5)} ${entry.message}${Object.keys(fields).length ? ` ${safeJson(fields)}` : ''}\n`;
}

/** JSON of anything a log entry may hold (bigints, cycles) without throwing. */
function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}
