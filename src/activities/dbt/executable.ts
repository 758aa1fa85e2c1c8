import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const EXE = process.platform === 'win32' ? 'dbt.exe' : 'dbt';
const VENV_BIN = process.platform === 'win32' ? 'Scripts' : 'bin';

export interface ResolveDbtExecutableOptions {
  dbtExecutable?: string;
  /** Where to look for `.dbt-venv` (default: process.cwd()). */
  cwd?: string;
}

export class DbtExecutableNotFoundError extends Error {
  override readonly name = 'DbtExecutableNotFoundError';
}

/**
 * The dbt to run: the `dbtExecutable` option, then DBT_EXECUTABLE, then `dbt` on PATH, then the project-local
 * `<cwd>/.dbt-venv/bin/dbt` that scripts/install-dbt.mjs makes. An explicit choice that does not exist is an
 * error rather than a silent fallback to another dbt.
 */
export function resolveDbtExecutable(options: ResolveDbtExecutableOptions = {}): string {
  const explicit: [string, string | undefined][] = [
    ['the dbtExecutable option', options.dbtExecutable],
    ['DBT_EXECUTABLE', process.env.DBT_EXECUTABLE],
  ];
  for (const [source, value] of explicit) {
    if (!value) continue;
    const found = isBareName(value) ? onPath(value) : isExecutable(resolve(value)) ? resolve(value) : undefined;
    if (!found) throw new DbtExecutableNotFoundError(`${source} is '${value}', which is not an executable file`);
    return found;
  }
  const fromPath = onPath(EXE);
  if (fromPath) return fromPath;
  const venv = join(resolve(options.cwd ?? process.cwd()), '.dbt-venv', VENV_BIN, EXE);
  if (isExecutable(venv)) return venv;
  throw new DbtExecutableNotFoundError(
    `dbt not found: the dbtExecutable option is not set, DBT_EXECUTABLE is not set, there is no \`${EXE}\` on PATH, ` +
      `and ${venv} does not exist. Run \`node scripts/install-dbt.mjs\` or point DBT_EXECUTABLE at dbt.`,
  );
}

function isBareName(value: string): boolean {
  return !value.includes('/') && !value.includes('\\');
}

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
