// `npm run chaos`: Airbyte syncs through the public client, against real processes (a Temporal dev server
// on a database file, a worker in a child process, the mock Airbyte behind a TCP gate), with faults
// injected; each scenario is judged from the mock's record: one job per sync, none left running, and
// every result exactly what the mock's job did.
//
//   npm run chaos -- [--size small|full] [--only name[,name]] [--seed n] [--parallel n] [--json-out file] [--verbose] [--list]
//
// Scenarios run on their own mock, gate, worker process and task queue, `--parallel` at a time (default 3
// for small runs, which mostly wait out outages, 1 for full ones); an `exclusive` one (it kills the shared
// dev server) runs alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { prebuildWorkflowBundle, TemporalDevServer } from '../src/testing';
import { runScenario, type ScenarioReport, type Suite } from './lib/harness';
import { Random } from './lib/random';
import { formatTable } from './lib/report';
import type { Scenario, Size } from './lib/types';
import { SCENARIOS } from './scenarios';

const OUT_DIR = join(__dirname, 'out');

interface Options {
  size: Size;
  only: string[] | undefined;
  seed: number;
  parallel: number;
  jsonOut: string;
  verbose: boolean;
  list: boolean;
}

/** A bad command line: the message, no stack. */
class UsageError extends Error {}

const OPTIONS = {
  size: { type: 'string', default: 'small' },
  only: { type: 'string' },
  seed: { type: 'string', default: '1' },
  parallel: { type: 'string' },
  'json-out': { type: 'string', default: join(OUT_DIR, 'results.json') },
  verbose: { type: 'boolean', default: false },
  list: { type: 'boolean', default: false },
} as const;

function parse() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function options(): Options {
  const { values } = parse();
  const size = values.size;
  if (size !== 'small' && size !== 'full') throw new UsageError(`--size must be small or full, got ${size}`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${values.seed}`);
  // Small runs mostly wait out outages: three at a time. Full runs load the CPU: one at a time.
  const parallel = Number(values.parallel ?? (size === 'small' ? 3 : 1));
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a positive integer, got ${values.parallel}`);
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length) throw new UsageError(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return { size, only, seed, parallel, jsonOut: resolve(values['json-out']), verbose: values.verbose, list: values.list };
}

async function main(): Promise<number> {
  const opts = options();
  if (opts.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(26)} ${s.summary}`);
    return 0;
  }
  const scenarios = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s.name));
  const logDir = join(OUT_DIR, 'logs');
  mkdirSync(logDir, { recursive: true });
  const started = Date.now();
  console.log(`chaos: ${scenarios.length} scenario(s), size ${opts.size}, seed ${opts.seed}, ${opts.parallel} at a time; logs in ${logDir}`);
  console.log('bundling the workflows and starting a Temporal dev server ...');
  // Outside the tree, so that no linter reads it.
  const bundleDir = mkdtempSync(join(tmpdir(), 'temporal-airbyte-chaos-'));
  const [workflowBundlePath, devServer] = await Promise.all([
    prebuildWorkflowBundle(join(bundleDir, 'workflows.js')),
    TemporalDevServer.start({ logFile: join(logDir, 'dev-server.log') }),
  ]);
  const connection = await Connection.connect({ address: devServer.address });
  const suite: Suite = {
    size: opts.size,
    rng: new Random(opts.seed),
    devServer,
    client: new Client({ connection }),
    workflowBundlePath,
    logDir,
    verbose: opts.verbose,
  };
  const byName = new Map<string, ScenarioReport>();
  const run = async (scenario: Scenario) => {
    console.log(`> ${scenario.name}: ${scenario.summary}`);
    // A scenario that killed the dev server and failed to bring it back must not take the rest down.
    if (!devServer.running) await devServer.start();
    const report = await runScenario(scenario, suite);
    byName.set(scenario.name, report);
    const counts = `duplicated ${report.duplicated}, orphaned ${report.orphaned}, lost ${report.lost}, wrong ${report.wrong}`;
    console.log(`< ${scenario.name}: ${report.passed ? 'pass' : 'FAIL'} in ${(report.durationMs / 1000).toFixed(1)} s: ${counts}, ${report.apiCallsPerSync.toFixed(1)} API calls per sync`);
    for (const p of report.problems.slice(0, 3)) console.log(`    ${p.split('\n')[0]}`);
  };
  try {
    for (const scenario of scenarios.filter((s) => s.exclusive)) await run(scenario);
    const shared = scenarios.filter((s) => !s.exclusive);
    const lane = async () => {
      for (let next = shared.shift(); next; next = shared.shift()) await run(next);
    };
    await Promise.all(Array.from({ length: opts.parallel }, lane));
  } finally {
    await connection.close().catch(() => undefined);
    await devServer.close();
    rmSync(bundleDir, { recursive: true, force: true });
  }
  const reports = scenarios.flatMap((s) => byName.get(s.name) ?? []);

  const passed = reports.filter((r) => r.passed).length;
  const failed = reports.length - passed;
  console.log(`\n${formatTable(reports)}\n`);
  console.log(`chaos: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s; details in ${opts.jsonOut}`);
  mkdirSync(dirname(opts.jsonOut), { recursive: true });
  writeFileSync(
    opts.jsonOut,
    `${JSON.stringify({ size: opts.size, seed: opts.seed, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, passed, failed, scenarios: reports }, null, 2)}\n`,
  );
  return failed ? 1 : 0;
}

// Ctrl-C: exit through process.exit so the child processes' exit hooks kill them.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`chaos: ${err.message}`);
    else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(2);
  },
);
