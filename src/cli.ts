#!/usr/bin/env node
// `temporal-airbyte`: the commands are in src/cli/; `--help` on any of them says what it does.
import { runCli } from './cli/program';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
