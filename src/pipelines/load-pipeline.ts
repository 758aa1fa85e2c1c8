import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { checkPipeline, type PipelineDefinition } from '../workflows/pipeline/definition';

export class PipelineDefinitionError extends Error {
  override readonly name = 'PipelineDefinitionError';
}

/** Parses and checks a pipeline written as YAML or JSON; the error names the file and the bad step. */
export function parsePipeline(text: string, format: 'yaml' | 'json', source = 'pipeline'): PipelineDefinition {
  let data: unknown;
  try {
    data = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new PipelineDefinitionError(`${source}: not valid ${format.toUpperCase()}: ${(err as Error).message}`);
  }
  const check = checkPipeline(data);
  if (!check.ok) throw new PipelineDefinitionError(`${source}: ${check.message}`);
  return check.value;
}

/** Reads a `.yaml`/`.yml` or `.json` pipeline file. */
export async function loadPipeline(path: string): Promise<PipelineDefinition> {
  const format = extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
  return parsePipeline(await readFile(path, 'utf8'), format, path);
}
