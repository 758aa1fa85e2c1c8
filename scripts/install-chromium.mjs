#!/usr/bin/env node
// Makes Debian's headless Chromium available to scripts/ui-screenshots.ts and its test.
// Idempotent: nothing happens when /usr/bin/chromium exists. As root it runs apt-get (an `apt-get update`
// only if the install fails on stale package lists); anyone else is told the command and gets exit code 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = ['install', '-y', '--no-install-recommends', 'chromium'];

function say(message) {
  if (!process.argv.includes('--quiet')) console.error(`[chromium] ${message}`);
}

/** apt-get with its chatter kept back; returns its exit status and the tail of what it said. */
function aptGet(args) {
  const run = spawnSync('apt-get', ['-q', ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? run.error.message : ''}`;
  return { ok: run.status === 0, tail: output.trim().split('\n').slice(-5).join('\n') };
}

if (existsSync(CHROMIUM)) {
  say(`using ${CHROMIUM}`);
} else if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error(
    `[chromium] ${CHROMIUM} not found. Install Debian's Chromium first, e.g.\n` +
      `  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium`,
  );
  process.exit(1);
} else {
  say(`installing chromium with apt-get (${INSTALL.join(' ')}) ...`);
  let result = aptGet(INSTALL);
  if (!result.ok) {
    say('install failed, running apt-get update and trying again');
    const update = aptGet(['update']);
    result = update.ok ? aptGet(INSTALL) : update;
  }
  if (!result.ok || !existsSync(CHROMIUM)) {
    console.error(`[chromium] could not install chromium:\n${result.tail}`);
    process.exit(1);
  }
  say(`installed ${CHROMIUM}`);
}
