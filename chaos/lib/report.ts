import type { ScenarioReport } from './harness';

const COLUMNS = ['scenario', 'syncs', 'jobs per connection', 'duplicated', 'orphaned', 'lost', 'wrong', 'API calls per sync', 'result'] as const;

function row(r: ScenarioReport): string[] {
  const { min, max } = r.jobsPerConnection;
  return [
    r.name,
    String(r.syncs),
    min === max ? String(min) : `${min}-${max}`,
    String(r.duplicated),
    String(r.orphaned),
    String(r.lost),
    String(r.wrong),
    r.apiCallsPerSync.toFixed(1),
    r.passed ? 'pass' : 'FAIL',
  ];
}

/** The results as a Markdown table, then each failure's problems. */
export function formatTable(reports: ScenarioReport[]): string {
  const rows = [COLUMNS.map(String), ...reports.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (i: number) => i > 0 && i < COLUMNS.length - 1;
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  const out = [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)];
  const failed = reports.filter((r) => !r.passed);
  for (const r of failed) {
    out.push('', `${r.name} failed:${r.knownIssue ? ` (known issue: ${r.knownIssue})` : ''}`);
    const shown = r.problems.slice(0, 8);
    for (const p of shown) out.push(`  - ${p.split('\n')[0]}`);
    if (r.problems.length > shown.length) out.push(`  - ... ${r.problems.length - shown.length} more in the JSON`);
  }
  return out.join('\n');
}
