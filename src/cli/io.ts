/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** A terminal: a live progress line instead of one line per change. */
  isTTY: boolean;
  /** Install Ctrl-C handling (only for a real process). */
  handleSignals: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  handleSignals: true,
};

/** Prints results either as JSON (one document) or as lines for people. */
export class Output {
  constructor(
    readonly io: CliIO,
    readonly json: boolean,
  ) {}

  line(text: string): void {
    this.io.stdout(`${text}\n`);
  }

  /** A note for people (progress, what started): on stderr, so `--json` output stays one parseable document. */
  note(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  /** The command's result: `value` as JSON with --json, else `human()`'s lines. */
  result(value: unknown, human: () => string | string[]): void {
    if (this.json) this.line(JSON.stringify(value, null, 2));
    else for (const l of ([] as string[]).concat(human())) this.line(l);
  }
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function table(rows: string[][]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}
