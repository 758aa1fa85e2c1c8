#!/usr/bin/env node
// Makes dbt Core with the DuckDB adapter available to the dbt tests without a manual step.
// Resolution order (mirrored by src/activities/dbt/executable.ts, which also looks on PATH): DBT_EXECUTABLE,
// then a project-local virtualenv `.dbt-venv` (made here). Nothing is installed globally or put on PATH.
// Idempotent: does nothing when dbt is already there. Prints one line. Exits 1 on failure unless --optional.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// dbt-core 1.12 builds a parser wheel from a GitHub download at install time; 1.11 installs from PyPI alone.
// duckdb is pinned to the version dbt-duckdb 1.11 itself pins for its extras.
const PACKAGES = ['dbt-core==1.11.16', 'dbt-duckdb==1.11.1', 'duckdb==1.5.5'];
const venv = join(process.cwd(), '.dbt-venv');
const bin = process.platform === 'win32' ? join(venv, 'Scripts') : join(venv, 'bin');
const localDbt = join(bin, process.platform === 'win32' ? 'dbt.exe' : 'dbt');
const optional = process.argv.includes('--optional');

function say(message) {
  console.error(`[dbt] ${message}`);
}

function fail(message) {
  say(optional ? `${message} (continuing: --optional)` : message);
  process.exit(optional ? 0 : 1);
}

if (process.env.DBT_EXECUTABLE) {
  if (!existsSync(process.env.DBT_EXECUTABLE)) fail(`DBT_EXECUTABLE points to ${process.env.DBT_EXECUTABLE}, which does not exist`);
  say(`using DBT_EXECUTABLE=${process.env.DBT_EXECUTABLE}`);
} else if (existsSync(localDbt)) {
  say(`using ${localDbt}`);
} else {
  // dbt-core 1.11 needs Python 3.10 or newer.
  const python = ['python3', 'python'].find(
    (p) => spawnSync(p, ['-c', 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 10) else 1)']).status === 0,
  );
  if (!python) fail('no python3 >= 3.10 with the venv module found: cannot install dbt');
  const started = Date.now();
  try {
    // Re-running venv over a half-made one (an interrupted install) is fine: it keeps what is there.
    execFileSync(python, ['-m', 'venv', venv], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync(
      join(bin, process.platform === 'win32' ? 'python.exe' : 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PACKAGES],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    const stderr = err.stderr?.toString().trim().split('\n').slice(-5).join('\n');
    fail(`could not install ${PACKAGES.join(' ')} into ${venv}: ${stderr || err.message}`);
  }
  if (!existsSync(localDbt)) fail(`pip finished but ${localDbt} is missing`);
  say(`installed ${PACKAGES.join(' ')} into ${venv} in ${Math.round((Date.now() - started) / 1000)}s`);
}
