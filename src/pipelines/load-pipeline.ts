import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { CST, Lexer, parseDocument } from 'yaml';
import { checkPipeline, type PipelineDefinition } from '../workflows/pipeline/definition';

export class PipelineDefinitionError extends Error {
  override readonly name = 'PipelineDefinitionError';
}

/**
 * Largest pipeline file read, in bytes. A definition is the pipeline workflow's input (Temporal refuses payloads
 * over 2 MB) and `checkPipeline` allows 1 MiB of it as JSON; a file larger than that is a mistake.
 */
export const MAX_PIPELINE_FILE_BYTES = 1_048_576;

export type PipelineFormat = 'yaml' | 'json';

const BOM = '\uFEFF';

/**
 * Parses and checks a pipeline written as YAML or JSON; the error names the source and the bad field or step.
 * Duplicate keys are refused in both (JSON.parse would keep the last one silently); a leading BOM is ignored.
 * Throws only `PipelineDefinitionError`.
 */
export function parsePipeline(text: string, format: PipelineFormat, source = 'pipeline'): PipelineDefinition {
  if (typeof text !== 'string') throw new PipelineDefinitionError(`${source}: the pipeline text must be a string`);
  if (text.length > MAX_PIPELINE_FILE_BYTES) throw new PipelineDefinitionError(`${source}: too large (${text.length} characters): a pipeline can have at most ${MAX_PIPELINE_FILE_BYTES}`);
  const body = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  let data: unknown;
  try {
    data = format === 'json' ? parseJson(body) : parseYaml(body);
  } catch (err) {
    const reason = err instanceof RangeError ? `nested too deeply (${err.message})` : firstLines(err instanceof Error ? err.message : String(err));
    throw new PipelineDefinitionError(`${source}: not valid ${format.toUpperCase()}: ${reason}`, { cause: err });
  }
  const check = checkPipeline(data);
  if (!check.ok) throw new PipelineDefinitionError(`${source}: ${check.message}`);
  return check.value;
}

/**
 * Decodes a pipeline file's bytes (UTF-8, with or without a BOM) and parses it; invalid UTF-8 and files over
 * `MAX_PIPELINE_FILE_BYTES` are refused. Throws only `PipelineDefinitionError`.
 */
export function parsePipelineBytes(bytes: Uint8Array, format: PipelineFormat, source = 'pipeline'): PipelineDefinition {
  if (bytes.byteLength > MAX_PIPELINE_FILE_BYTES) throw tooLarge(source, bytes.byteLength);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new PipelineDefinitionError(`${source}: the file is UTF-16; save it as UTF-8`);
  }
  let text: string;
  try {
    // Strips a leading BOM; `fatal` refuses malformed bytes instead of replacing them with U+FFFD.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new PipelineDefinitionError(`${source}: not valid UTF-8 text (at byte ${firstInvalidUtf8(bytes)}); save the file as UTF-8`, { cause: err });
  }
  return parsePipeline(text, format, source);
}

/** Reads a `.yaml`/`.yml` or `.json` pipeline file (any other extension is read as YAML). */
export async function loadPipeline(path: string): Promise<PipelineDefinition> {
  const format: PipelineFormat = extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
  return parsePipelineBytes(await readPipelineFile(path), format, path);
}

/** The file's bytes, refusing what is not a regular file or is too large, before reading it all. */
async function readPipelineFile(path: string): Promise<Uint8Array> {
  const fail = (err: unknown): never => {
    throw err instanceof PipelineDefinitionError ? err : new PipelineDefinitionError(`${path}: ${describeFsError(err)}`, { cause: err });
  };
  // stat before open: opening a FIFO for reading would wait for a writer.
  const info = await stat(path).catch(fail);
  if (info.isDirectory()) throw new PipelineDefinitionError(`${path}: is a directory, not a pipeline file`);
  if (!info.isFile()) throw new PipelineDefinitionError(`${path}: is not a regular file`);
  if (info.size > MAX_PIPELINE_FILE_BYTES) throw tooLarge(path, info.size);
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(fail);
  try {
    // Read one byte past the limit, so a file that grew since stat is still refused rather than truncated.
    const buffer = new Uint8Array(MAX_PIPELINE_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null).catch(fail);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_PIPELINE_FILE_BYTES) throw tooLarge(path);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function tooLarge(source: string, bytes?: number): PipelineDefinitionError {
  const size = bytes === undefined ? `more than ${MAX_PIPELINE_FILE_BYTES} bytes` : `${bytes} bytes`;
  return new PipelineDefinitionError(`${source}: too large (${size}): a pipeline file can have at most ${MAX_PIPELINE_FILE_BYTES} bytes (1 MiB)`);
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'ENOTDIR':
      return 'no such file (a part of the path is not a directory)';
    case 'ELOOP':
      return 'cannot be read: too many symbolic links (a loop?)';
    case 'EISDIR':
      return 'is a directory, not a pipeline file';
    case 'ENAMETOOLONG':
      return 'cannot be read: the path is too long';
    default:
      return `cannot be read: ${code ?? (err instanceof Error ? err.message : String(err))}`;
  }
}

/**
 * Deepest nesting of collections a pipeline file may have (a definition needs about 6; args and vars add theirs).
 * The YAML library composes documents recursively: thousands of levels overflow the stack, and V8 can then abort
 * the whole process ("RegExpCompiler Allocation failed"), which no catch can stop. So depth is bounded first.
 */
export const MAX_PIPELINE_NESTING = 100;

/** YAML 1.2: duplicate keys, non-string keys and any warning (an unknown tag, say) are errors. */
function parseYaml(text: string): unknown {
  const deep = yamlTooDeep(text);
  if (deep !== undefined) throw new Error(`nested too deeply at line ${deep} (at most about ${MAX_PIPELINE_NESTING} levels)`);
  const doc = parseDocument(text, { uniqueKeys: true, stringKeys: true, prettyErrors: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new Error(problem.code === 'DUPLICATE_KEY' ? `duplicate key: ${problem.message}` : problem.message);
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * The line where the YAML text may nest deeper than MAX_PIPELINE_NESTING, from its tokens (the lexer is iterative,
 * and knows quotes, comments and block scalars). An upper bound, never an underestimate: in block context a level
 * needs more indentation or an indicator (`- `, `? `, `: `) on the line, so a line's depth is at most
 * 2 × (indentation + 1) + its indicators; in flow context each bracket opens at most two (`[a: [b: ...]]`).
 */
function yamlTooDeep(text: string): number | undefined {
  const limit = 2 * MAX_PIPELINE_NESTING + 56;
  let line = 1;
  let indent = 0;
  let indicators = 0;
  let flow = 0;
  let lineStart = true;
  let scalarSource = false;
  for (const token of new Lexer().lex(text)) {
    for (let i = token.indexOf('\n'); i >= 0; i = token.indexOf('\n', i + 1)) line++;
    if (scalarSource) {
      // The source of the scalar announced by the previous token: text, whatever its characters.
      scalarSource = false;
      lineStart = false;
      continue;
    }
    switch (CST.tokenType(token)) {
      case 'scalar':
        scalarSource = token === CST.SCALAR;
        lineStart = false;
        break;
      case 'newline':
        indent = 0;
        indicators = 0;
        lineStart = true;
        break;
      case 'space':
        if (lineStart) indent += token.length;
        break;
      case 'flow-seq-start':
      case 'flow-map-start':
        flow++;
        lineStart = false;
        break;
      case 'flow-seq-end':
      case 'flow-map-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        if (flow === 0) indicators++;
        lineStart = false;
        break;
      default:
        lineStart = false;
    }
    if (2 * (indent + 1) + indicators + 2 * flow > limit) return line;
  }
  return undefined;
}

/** Strict JSON, then one scan for duplicate keys (JSON.parse keeps the last of them without a word) and depth. */
function parseJson(text: string): unknown {
  const data: unknown = JSON.parse(text);
  const problem = jsonStructureProblem(text);
  if (problem) throw new Error(problem);
  return data;
}

type Container = { kind: 'object'; keys: Set<string>; key?: string; expectKey: boolean } | { kind: 'array'; index: number };

/**
 * The first key that an object of `text` (already known to be valid JSON) repeats, or the first place nested
 * deeper than MAX_PIPELINE_NESTING, described with its path; undefined when neither. One pass, an explicit stack.
 */
export function jsonStructureProblem(text: string): string | undefined {
  const stack: Container[] = [];
  /** Where the innermost container is: each enclosing container's current key or index. */
  const pathOf = () =>
    stack
      .slice(0, -1)
      .map((c) => (c.kind === 'array' ? `[${c.index}]` : `.${c.key ?? ''}`))
      .join('')
      .replace(/^\./, '') || 'the top-level value';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? { kind: 'object', keys: new Set(), expectKey: true } : { kind: 'array', index: 0 });
      if (stack.length > MAX_PIPELINE_NESTING) return `nested more than ${MAX_PIPELINE_NESTING} levels deep in ${pathOf()}`;
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      if (top?.kind === 'object') top.expectKey = true;
      else if (top?.kind === 'array') top.index++;
    } else if (c === ':') {
      if (top?.kind === 'object') top.expectKey = false;
    } else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return `duplicate key ${JSON.stringify(key)} in ${pathOf() === 'the top-level value' ? 'the top-level object' : pathOf()}`;
        top.keys.add(key);
        top.key = key;
      }
      i = end;
    }
  }
  return undefined;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (for the message only). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const more = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (more === 0) return i;
    let cp = lead & (0x3f >> more);
    for (let k = 1; k <= more; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (next & 0x3f);
    }
    const shortest = [0, 0x80, 0x800, 0x10000][more] as number;
    if (cp < shortest || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += more + 1;
  }
  return bytes.length;
}

function firstLines(message: string): string {
  const lines = message.split('\n');
  return lines.slice(0, 4).join('\n').trimEnd();
}
