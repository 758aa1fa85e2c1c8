/** The innermost message of a failure chain: "Airbyte GET /jobs/3 answered 404 ..." rather than "Activity task failed". */
export function innermostMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause;
  return e?.message ?? String(err);
}
