/** Which job a link points to. */
export interface JobLinkTarget {
  workspaceId: string;
  connectionId: string;
  jobId: number | string;
  /** The attempt to open; default 0, the first (as Airbyte's own job links do). */
  attemptNumber?: number;
}

/**
 * The Airbyte web app's page of a job: the connection's job history, scrolled to the job's attempt
 * (`/workspaces/<ws>/connections/<conn>/job-history#<jobId>::<attempt>`, the link Airbyte itself builds).
 * `webUrl` is the web app's base, e.g. `client.webUrl`.
 */
export function jobWebUrl(webUrl: string, { workspaceId, connectionId, jobId, attemptNumber = 0 }: JobLinkTarget): string {
  const base = webUrl.replace(/\/+$/, '');
  const ws = encodeURIComponent(workspaceId);
  const conn = encodeURIComponent(connectionId);
  return `${base}/workspaces/${ws}/connections/${conn}/job-history#${encodeURIComponent(String(jobId))}::${attemptNumber}`;
}
