import type { CancelledJob, ReconcileReport, ReconciledJob } from './input';

/** The report as a person reads it in a terminal (the CLI's default output). */
export function formatReconcileReport(report: ReconcileReport): string {
  const lines = [
    `Airbyte instance '${report.instance}': ${report.checked} running job${report.checked === 1 ? '' : 's'} on ${report.connectionsChecked} connection${report.connectionsChecked === 1 ? '' : 's'}` +
      (report.reportOnly ? ' (report only: nothing was cancelled)' : ''),
  ];
  if (report.truncated) lines.push('  the scan stopped at maxConnections: some connections were not checked');
  const section = (title: string, jobs: (ReconciledJob | CancelledJob)[]) => {
    if (jobs.length === 0) return;
    lines.push(`${title} (${jobs.length}):`);
    for (const j of jobs) lines.push(`  job ${j.jobId}  connection ${j.connectionId}  ${j.status}  ${j.reason}`);
  };
  section('watched', report.watched);
  section('orphaned', report.orphaned);
  section('unmanaged', report.unmanaged);
  section('cancelled', report.cancelled);
  section('not cancelled', report.notCancelled);
  if (report.checked === 0) lines.push('nothing is running');
  return lines.join('\n');
}
