import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DbtNodeResult } from './types';

// Only the fields we use; dbt adds fields between versions, and z.object drops unknown keys.
const nodeResultSchema = z.object({
  unique_id: z.string(),
  status: z.string(),
  execution_time: z.number().nullish(),
  message: z.string().nullish(),
  failures: z.number().nullish(),
});

const runResultsSchema = z.object({
  metadata: z.object({ invocation_id: z.string().nullish() }).nullish(),
  elapsed_time: z.number().nullish(),
  results: z.array(nodeResultSchema),
});

export interface RunResults {
  nodes: DbtNodeResult[];
  elapsedS?: number;
  invocationId?: string;
}

export class RunResultsError extends Error {
  override readonly name = 'RunResultsError';
}

/** dbt's run_results.json, or undefined when dbt wrote none (it stopped before running any node). */
export async function readRunResults(path: string, redact: (text: string) => string): Promise<RunResults | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RunResultsError(`${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = runResultsSchema.safeParse(json);
  if (!parsed.success) throw new RunResultsError(`${path} is not a dbt run_results.json: ${z.prettifyError(parsed.error)}`);
  return {
    nodes: parsed.data.results.map((r) => toNodeResult(r, redact)),
    elapsedS: parsed.data.elapsed_time ?? undefined,
    invocationId: parsed.data.metadata?.invocation_id ?? undefined,
  };
}

function toNodeResult(r: z.infer<typeof nodeResultSchema>, redact: (text: string) => string): DbtNodeResult {
  const node: DbtNodeResult = {
    uniqueId: r.unique_id,
    name: nodeName(r.unique_id),
    resourceType: r.unique_id.split('.')[0] ?? r.unique_id,
    status: r.status,
    executionTimeS: r.execution_time ?? 0,
  };
  // Database errors may quote whatever dbt sent, credentials included.
  if (r.message) node.message = redact(r.message);
  if (r.failures !== null && r.failures !== undefined) node.failures = r.failures;
  return node;
}

/** Generic tests' unique_ids end in a hash (`test.pkg.not_null_customers_id.5c9bf9911d`): name them by the segment before. */
function nodeName(uniqueId: string): string {
  const segments = uniqueId.split('.');
  const last = segments.at(-1) ?? uniqueId;
  if (segments[0] === 'test' && segments.length > 3 && /^[0-9a-f]{10}$/.test(last)) return segments.at(-2) ?? last;
  return last;
}
