import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import {
  jsonStructureProblem,
  loadPipeline,
  MAX_PIPELINE_FILE_BYTES,
  parsePipeline,
  parsePipelineBytes,
  PipelineDefinitionError,
  type PipelineFormat,
} from '../src/pipelines/load-pipeline';
import type { PipelineDefinition } from '../src/workflows/pipeline/definition';

// Pipeline files: what is read, what is refused, and that nothing but a definition or a PipelineDefinitionError
// ever comes out.

const UUID_A = '4c1e3a52-8f4e-4e8a-9d6c-2a1b3c4d5e6f';
const nightly: PipelineDefinition = {
  name: 'nightly',
  steps: [
    { id: 'stripe', kind: 'sync', connectionId: UUID_A, timeout: '2h' },
    { id: 'dbt', kind: 'dbt', command: 'build', dependsOn: ['stripe'] },
  ],
};
const YAML = `name: nightly
steps:
  - { id: stripe, kind: sync, connectionId: ${UUID_A}, timeout: 2h }
  - id: dbt
    kind: dbt
    command: build
    dependsOn: [stripe]
`;
const JSON_TEXT = JSON.stringify(nightly, null, 2);
const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const BOM = [0xef, 0xbb, 0xbf];

/** The error a call throws; fails when it returns instead. */
function refusal(fn: () => unknown): PipelineDefinitionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PipelineDefinitionError);
    return err as PipelineDefinitionError;
  }
  throw new Error('expected a PipelineDefinitionError');
}

describe('parsing', () => {
  test('YAML and JSON, with or without a BOM (bytes or text)', () => {
    for (const [text, format] of [[YAML, 'yaml'], [JSON_TEXT, 'json']] as const) {
      expect(parsePipeline(text, format)).toEqual(nightly);
      expect(parsePipeline(`\uFEFF${text}`, format)).toEqual(nightly);
      expect(parsePipelineBytes(utf8(text), format)).toEqual(nightly);
      expect(parsePipelineBytes(concat(BOM, utf8(text)), format)).toEqual(nightly);
    }
  });

  test.each<[string, string, PipelineFormat, RegExp]>([
    ['a duplicate key in JSON', '{"name":"a","name":"b","steps":[]}', 'json', /src: not valid JSON: duplicate key "name" in the top-level object/],
    ['a duplicate key in a JSON step', `{"name":"a","steps":[{"id":"x","kind":"sync","connectionId":"${UUID_A}","id":"y"}]}`, 'json', /duplicate key "id" in steps\[0\]/],
    ['a duplicate key spelt with an escape', '{"name":"a","n\\u0061me":"b"}', 'json', /duplicate key "name"/],
    ['a duplicate key deep in args', `{"name":"a","steps":[{"id":"x","kind":"activity","activity":"f","args":[1,{"k":1,"k":2}]}]}`, 'json', /duplicate key "k" in steps\[0\]\.args\[1\]/],
    ['a duplicate key in YAML', 'name: a\nname: b\nsteps: []\n', 'yaml', /src: not valid YAML: duplicate key: Map keys must be unique at line 2/],
    ['a duplicate key in a YAML step', `name: a\nsteps:\n  - id: x\n    kind: sync\n    id: y\n`, 'yaml', /duplicate key: Map keys must be unique at line 5/],
    ['keys that are equal as strings in YAML', 'name: a\n1: x\n"1": y\n', 'yaml', /duplicate key/],
    ['a YAML mapping as a key', '? {a: 1}\n: x\n', 'yaml', /keys must be strings/],
    ['an unknown YAML tag', 'name: !secret x\nsteps: []\n', 'yaml', /Unresolved tag: !secret/],
    ['two YAML documents', 'name: a\n---\nname: b\n', 'yaml', /not valid YAML/],
    ['broken YAML', 'name: x\nsteps: [', 'yaml', /not valid YAML/],
    ['broken JSON', '{"name": "x",', 'json', /not valid JSON/],
    ['JSON with a comment', '{"name": "x" /* c */}', 'json', /not valid JSON/],
    ['an empty file', '', 'yaml', /invalid pipeline: pipeline: must be an object/],
    ['a YAML list', '- a\n- b\n', 'yaml', /invalid pipeline: pipeline: must be an object/],
    ['a billion laughs', `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`, 'yaml', /not valid YAML: .*alias/i],
    ['deeply nested YAML', `${'['.repeat(200_000)}${']'.repeat(200_000)}`, 'yaml', /src: not valid YAML: nested too deeply at line 1/],
    ['deeply nested JSON', `{"name":"x","steps":[{"id":"x","kind":"activity","activity":"f","args":${'['.repeat(300_000)}${']'.repeat(300_000)}}]}`, 'json', /src: not valid JSON: nested more than 100 levels deep in steps\[0\]\.args/],
    ['a bad step', YAML.replace('[stripe]', '[strpie]'), 'yaml', /src: invalid pipeline 'nightly': step 'dbt' depends on unknown step 'strpie'/],
  ])('%s is refused', (_, text, format, message) => {
    expect(refusal(() => parsePipeline(text, format, 'src')).message).toMatch(message);
  });

  test('an object key "__proto__" is data, refused as an unknown key, and pollutes nothing', () => {
    for (const [text, format] of [['{"__proto__": {"polluted": 1}, "name": "x", "steps": []}', 'json'], ['__proto__: {polluted: 1}\nname: x\nsteps: []', 'yaml']] as const) {
      expect(refusal(() => parsePipeline(text, format)).message).toMatch(/Unrecognized key: "__proto__"/);
      expect(({} as { polluted?: number }).polluted).toBeUndefined();
    }
  });

  test.each<[string, Uint8Array, RegExp]>([
    ['invalid UTF-8', concat(utf8('name: caf'), [0xe9], utf8('\nsteps: []\n')), /f: not valid UTF-8 text \(at byte 9\); save the file as UTF-8/],
    ['a truncated character', concat(utf8('name: x'), [0xe2, 0x82]), /not valid UTF-8 text \(at byte 7\)/],
    ['an encoded surrogate', concat(utf8('name: '), [0xed, 0xa0, 0x80]), /not valid UTF-8 text \(at byte 6\)/],
    ['an overlong encoding', concat(utf8('name: '), [0xc0, 0xaf]), /not valid UTF-8 text \(at byte 6\)/],
    ['UTF-16 with a BOM', concat([0xff, 0xfe], utf8('n\0a\0')), /f: the file is UTF-16; save it as UTF-8/],
    ['more than 1 MiB', new Uint8Array(MAX_PIPELINE_FILE_BYTES + 1).fill(0x20), /f: too large \(1048577 bytes\): a pipeline file can have at most 1048576 bytes/],
  ])('%s is refused', (_, bytes, message) => {
    expect(refusal(() => parsePipelineBytes(bytes, 'yaml', 'f')).message).toMatch(message);
  });

  test('a text of more than 1 MiB characters is refused before parsing', () => {
    expect(refusal(() => parsePipeline(' '.repeat(MAX_PIPELINE_FILE_BYTES + 1), 'yaml', 't')).message).toMatch(/^t: too large \(1048577 characters\)/);
  });

  test('a file of exactly 1 MiB is read', () => {
    const text = `${JSON_TEXT}${' '.repeat(MAX_PIPELINE_FILE_BYTES - utf8(JSON_TEXT).length)}`;
    expect(utf8(text).length).toBe(MAX_PIPELINE_FILE_BYTES);
    expect(parsePipelineBytes(utf8(text), 'json')).toEqual(nightly);
  });

  test('jsonStructureProblem scans strings, escapes and nesting', () => {
    expect(jsonStructureProblem('{"a":"}{\\"a\\":1","b":{"a":1},"c":[{"a":1},{"a":2}]}')).toBeUndefined();
    expect(jsonStructureProblem('{"a":{"x":1},"b":[0,{"y":{"z":1,"z":2}}]}')).toBe('duplicate key "z" in b[1].y');
    expect(jsonStructureProblem(`${'['.repeat(100)}${']'.repeat(100)}`)).toBeUndefined();
    expect(jsonStructureProblem(`{"a":[${'['.repeat(100)}${']'.repeat(100)}]}`)).toMatch(/^nested more than 100 levels deep in a\[0\]/);
  });

  test('nesting is bounded before the YAML library recurses (deep YAML can abort the process)', () => {
    // Ten deep files in a row: a stack overflow inside the YAML composer once made V8 abort the next one.
    for (let i = 0; i < 10; i++) {
      for (const deep of [`${'['.repeat(5_000)}${']'.repeat(5_000)}`, `${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}`, '- '.repeat(5_000) + 'x', Array.from({ length: 1_000 }, (_, n) => `${' '.repeat(n)}a:`).join('\n')]) {
        expect(refusal(() => parsePipeline(deep, 'yaml', 'deep.yaml')).message).toMatch(/^deep\.yaml: not valid YAML: nested too deeply at line \d+ \(at most about 100 levels\)/);
      }
    }
    // Brackets in quotes, comments and block scalars do not count; real nesting of 60 levels is fine.
    const open = '['.repeat(500);
    const quoted = `name: x\n# ${'{'.repeat(500)}\nsteps:\n  - id: a\n    kind: activity\n    activity: "${open}"\n    args:\n      - |\n        ${open}\n      - '${open}'\n      - ${'['.repeat(60)}${']'.repeat(60)}\n`;
    expect(parsePipeline(quoted, 'yaml').steps[0]).toMatchObject({ id: 'a', activity: open, args: [`${open}\n`, open, expect.any(Array)] });
  });
});

describe('loading files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pipeline-loader-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a .yaml, a .yml and a .json file, and a JSON file with a BOM', async () => {
    await writeFile(join(dir, 'p.yaml'), YAML);
    await writeFile(join(dir, 'p.yml'), concat(BOM, utf8(YAML)));
    await writeFile(join(dir, 'p.JSON'), concat(BOM, utf8(JSON_TEXT)));
    for (const name of ['p.yaml', 'p.yml', 'p.JSON']) expect(await loadPipeline(join(dir, name))).toEqual(nightly);
  });

  const refusedFile = async (path: string): Promise<PipelineDefinitionError> => {
    const err = await loadPipeline(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineDefinitionError);
    expect((err as Error).message.startsWith(`${path}: `)).toBe(true);
    return err as PipelineDefinitionError;
  };

  test('a directory, a missing file, a path through a file and a symlink loop: each named, none a raw error', async () => {
    await mkdir(join(dir, 'pipelines.yaml'));
    await writeFile(join(dir, 'plain'), 'x');
    await symlink(join(dir, 'loop-b'), join(dir, 'loop-a'));
    await symlink(join(dir, 'loop-a'), join(dir, 'loop-b'));
    expect((await refusedFile(join(dir, 'pipelines.yaml'))).message).toMatch(/: is a directory, not a pipeline file$/);
    expect((await refusedFile(join(dir, 'missing.yaml'))).message).toMatch(/: no such file$/);
    expect((await refusedFile(join(dir, 'plain', 'p.yaml'))).message).toMatch(/: no such file \(a part of the path is not a directory\)$/);
    expect((await refusedFile(join(dir, 'loop-a'))).message).toMatch(/: cannot be read: too many symbolic links/);
  });

  test('a FIFO is refused without waiting for a writer', async () => {
    const fifo = join(dir, 'fifo.yaml');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo here: nothing to test
    }
    expect((await refusedFile(fifo)).message).toMatch(/: is not a regular file$/);
  });

  test('a device is refused, not read forever', async () => {
    expect((await refusedFile('/dev/zero')).message).toMatch(/: is not a regular file$/);
  });

  test('a file over the limit is refused before it is read', async () => {
    const big = join(dir, 'big.yaml');
    await writeFile(big, Buffer.alloc(MAX_PIPELINE_FILE_BYTES + 10, 0x20));
    expect((await refusedFile(big)).message).toMatch(/too large \(1048586 bytes\)/);
  });

  test('an invalid file names its path', async () => {
    await writeFile(join(dir, 'bad.yaml'), concat(utf8('name: '), [0xff]));
    expect((await refusedFile(join(dir, 'bad.yaml'))).message).toMatch(/not valid UTF-8/);
  });

  test('an unreadable file', async () => {
    const locked = join(dir, 'locked.yaml');
    await writeFile(locked, YAML);
    await chmod(locked, 0o000);
    expect(await refusalReading(locked)).toMatch(/cannot be read: permission denied/);
  });
});

/**
 * The loader's message for `path`. Root reads any file whatever its mode, so as root the loader runs in a child
 * process without the capabilities that override file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
 */
async function refusalReading(path: string): Promise<string> {
  if (process.getuid?.() !== 0) return ((await loadPipeline(path).catch((e: unknown) => e)) as Error).message;
  const loader = pathToFileURL(require.resolve('../src/pipelines/load-pipeline')).href;
  const script = `import(${JSON.stringify(loader)}).then((m) => (m.loadPipeline ?? m.default.loadPipeline)(${JSON.stringify(path)})).then(() => console.log('read'), (e) => console.log(e.message));`;
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const caps = '-dac_override,-dac_read_search';
  const args = [`--bounding-set=${caps}`, `--inh-caps=${caps}`, '--', process.execPath, '--import', tsx, '-e', script];
  return execFileSync('setpriv', args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }).trim();
}

// ---- property tests --------------------------------------------------------------------------------------------

const stepId = fc.stringMatching(/^[A-Za-z][\w.-]{0,10}$/);
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
const step = fc.oneof(
  fc.record({ kind: fc.constant('sync'), connectionId: fc.uuid(), timeout: fc.constantFrom('1s', '2h', 60_000) }, { requiredKeys: ['kind', 'connectionId'] }),
  fc.record({ kind: fc.constant('sync'), connection: text }),
  fc.record({ kind: fc.constant('activity'), activity: text, args: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) }, { requiredKeys: ['kind', 'activity'] }),
  fc.record({ kind: fc.constant('dbt'), command: fc.constantFrom('build', 'run', 'test'), vars: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) }, { requiredKeys: ['kind', 'command'] }),
);
const definition: fc.Arbitrary<PipelineDefinition> = fc
  .tuple(
    text.filter((n) => n.length <= 200 && ![...n].some((c) => (c.codePointAt(0) as number) < 0x20 || ((c.codePointAt(0) as number) >= 0x7f && (c.codePointAt(0) as number) <= 0x9f))),
    fc.uniqueArray(stepId, { minLength: 1, maxLength: 8 }),
    fc.array(step, { minLength: 8, maxLength: 8 }),
  )
  .map(([name, ids, bodies]) => ({ name, steps: ids.map((id, i) => ({ id, ...bodies[i], ...(i > 0 ? { dependsOn: [ids[i - 1] as string] } : {}) })) }) as PipelineDefinition)
  // What a file can hold: JSON drops -0's sign and undefined values.
  .map((d) => JSON.parse(JSON.stringify(d)) as PipelineDefinition);

/** Either a definition or a PipelineDefinitionError: any other outcome fails the property. */
function outcome(fn: () => PipelineDefinition): PipelineDefinition | PipelineDefinitionError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PipelineDefinitionError) return err;
    throw new Error(`not a PipelineDefinitionError: ${String(err)}`, { cause: err });
  }
}

describe('property tests', () => {
  test('any bytes, as YAML or JSON: a definition or a PipelineDefinitionError, nothing else', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 200 }).map(utf8),
      fc.tuple(definition, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([d, at, junk]) => {
        const good = utf8(JSON.stringify(d));
        const cut = at % good.length;
        return concat(good.subarray(0, cut), junk, good.subarray(cut));
      }),
    );
    fc.assert(
      fc.property(bytes, fc.constantFrom<PipelineFormat>('yaml', 'json'), (input, format) => {
        outcome(() => parsePipelineBytes(input, format, 'p'));
      }),
      { numRuns: 2_000 },
    );
  });

  test('a generated definition round-trips through JSON and YAML files, with or without a BOM', () => {
    fc.assert(
      fc.property(definition, fc.boolean(), fc.boolean(), (d, bom, pretty) => {
        const json = utf8(pretty ? JSON.stringify(d, null, 2) : JSON.stringify(d));
        const yaml = utf8(toYaml(d));
        for (const [body, format] of [[json, 'json'], [yaml, 'yaml']] as const) {
          const bytes = bom ? concat(BOM, body) : body;
          expect(parsePipelineBytes(bytes, format, 'p')).toEqual(d);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a duplicated key anywhere in a generated file is refused as a duplicate', () => {
    // Duplicate one `"key": value` pair of the JSON text right after itself, at a random object.
    const withDuplicate = fc.tuple(definition, fc.nat()).map(([d, n]) => {
      const json = JSON.stringify(d);
      const pairs = [...json.matchAll(/[{,]("(?:[^"\\]|\\.)*":(?:"(?:[^"\\]|\\.)*"|-?[\d.eE+-]+|true|false|null))(?=[,}])/g)];
      const pair = pairs[n % pairs.length] as RegExpMatchArray;
      const end = (pair.index as number) + pair[0].length;
      return { text: `${json.slice(0, end)},${pair[1]}${json.slice(end)}`, key: JSON.parse(`{${pair[1]}}`) as Record<string, unknown> };
    });
    fc.assert(
      fc.property(withDuplicate, ({ text: json, key }) => {
        const [name] = Object.keys(key) as [string];
        const err = outcome(() => parsePipeline(json, 'json', 'p'));
        expect(err).toBeInstanceOf(PipelineDefinitionError);
        expect((err as Error).message).toContain(`duplicate key ${JSON.stringify(name)}`);
        // The same document as YAML (JSON is YAML 1.2 flow style) is refused too.
        const yamlErr = outcome(() => parsePipeline(json, 'yaml', 'p'));
        expect(yamlErr).toBeInstanceOf(PipelineDefinitionError);
        expect((yamlErr as Error).message).toMatch(/duplicate key/);
      }),
      { numRuns: 300 },
    );
  });
});
