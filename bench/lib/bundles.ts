// Workflow bundles the bench's workers run: this package's workflows from the current sources, the bare
// baseline, and the packaged lib/workflow-bundle.js. Bundling takes 10-30 s, so the first two are cached by a
// hash of their sources (node_modules/.cache/temporal-airbyte-bench).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuildWorkflowBundle } from '../../src/testing';
import { airbyteBundlerOptions } from '../../src/workflow-bundle-options';

export const ROOT = join(__dirname, '../..');
const CACHE = join(ROOT, 'node_modules/.cache/temporal-airbyte-bench');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return filesUnder(path);
      return /\.(ts|js|json)$/.test(entry.name) ? [path] : [];
    })
    .sort();
}

function hashOf(paths: string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  hash.update(readFileSync(join(ROOT, 'node_modules/@temporalio/worker/package.json')));
  return hash.digest('hex').slice(0, 16);
}

export interface Bundle {
  path: string;
  /** Time spent bundling now (0 when it came from the cache). */
  builtMs: number;
}

async function cached(name: string, sources: string[], build: (file: string) => Promise<void>): Promise<Bundle> {
  const file = join(CACHE, `${name}-${hashOf(sources)}.js`);
  if (existsSync(file)) return { path: file, builtMs: 0 };
  mkdirSync(CACHE, { recursive: true });
  const started = Date.now();
  await build(file);
  return { path: file, builtMs: Date.now() - started };
}

/** This package's workflows as they are in src/ now (other engineers' edits included). */
export function oursBundle(): Promise<Bundle> {
  return cached('ours', filesUnder(join(ROOT, 'src')), async (file) => {
    await prebuildWorkflowBundle(file);
  });
}

/** bench/workflows/bare.ts alone: what a hand-written fan-out would ship. */
export function bareBundle(): Promise<Bundle> {
  return benchBundle('bare');
}

/**
 * A bundle of one module of bench/workflows: `bare`, or the controls of the memory section (`bare-with-zod`,
 * `bare-with-ours`: the bare workflows beside some or all of our modules).
 */
export function benchBundle(name: 'bare' | 'bare-with-zod' | 'bare-with-ours'): Promise<Bundle> {
  const sources = [...filesUnder(join(ROOT, 'bench/workflows')), join(ROOT, 'bench/lib/batches.ts'), ...(name === 'bare' ? [] : filesUnder(join(ROOT, 'src')))];
  return cached(name, sources, async (file) => {
    const noop = () => undefined;
    const logger = { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error };
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve(`../workflows/${name}`), logger, ...(name === 'bare-with-ours' ? airbyteBundlerOptions() : {}) });
    writeFileSync(file, code);
  });
}

/** lib/workflow-bundle.js as `npm run build` makes it; built first when missing. */
export function packagedBundle(): { path: string; workflowsPath: string; builtAt: Date; built: boolean } {
  const path = join(ROOT, 'lib/workflow-bundle.js');
  const workflowsPath = join(ROOT, 'lib/workflows/index.js');
  let built = false;
  if (!existsSync(path) || !existsSync(workflowsPath)) {
    console.log('lib/workflow-bundle.js is missing: npm run build');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    built = true;
  }
  return { path, workflowsPath, builtAt: statSync(path).mtime, built };
}
