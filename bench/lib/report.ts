// Markdown output: the bench prints what it writes, section by section.

export type Cell = string | number;

export function table(header: readonly string[], rows: readonly (readonly Cell[])[], align?: readonly ('l' | 'r')[]): string {
  const rule = header.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '--:' : '---'));
  const line = (cells: readonly Cell[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${rule.join('|')}|`, ...rows.map(line)].join('\n');
}

export interface Target {
  section: string;
  name: string;
  /** What was measured, with its figure. */
  measured: string;
  met: boolean;
  /** What limits it, when missed (or a caveat when met). */
  note?: string;
}

/** Collects the markdown of a run and the targets checked in it. */
export class Report {
  private readonly parts: string[] = [];
  readonly targets: Target[] = [];
  /** The compact table for the README, filled by the sections that run. */
  readonly compact: { what: string; ours: string; baseline: string; target: string; verdict: string }[] = [];

  add(markdown: string): void {
    this.parts.push(markdown);
    console.log(`\n${markdown}`);
  }

  target(t: Target): Target {
    this.targets.push(t);
    return t;
  }

  get markdown(): string {
    return this.parts.join('\n\n');
  }
}

export const verdict = (met: boolean): string => (met ? 'met' : '**MISSED**');

export function targetsTable(targets: readonly Target[]): string {
  return table(
    ['section', 'target', 'measured', 'verdict', 'what limits it'],
    targets.map((t) => [t.section, t.name, t.measured, verdict(t.met), t.note ?? '']),
    ['l', 'l', 'l', 'l', 'l'],
  );
}
