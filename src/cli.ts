#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { AirbyteSyncClient, AirbyteSyncError } from './client';
import { runDemo } from './demo';
import { runWorkerFromEnv } from './worker';
import { formatReconcileReport } from './workflows/reconcile/format-report';
import { checkReconcileInput } from './workflows/reconcile/input';
import type { Duration } from '@temporalio/common';
import type { JobType } from './airbyte';

const USAGE = `temporal-airbyte <command>

  demo [--stay] [--ui-port N]   dev server + mock Airbyte + worker, one sync; prints the result and the UI address
  worker                        run a worker configured from the environment (see README)
  sync <connectionId> [--instance NAME] [--job-type sync|reset|clear] [--timeout 2h] [--no-wait]
                                start (or join) a sync through TEMPORAL_ADDRESS and wait for it
  mock-airbyte [--port 8000] [--connections 3]
                                run the mock Airbyte server on 127.0.0.1
  reconcile [--instance NAME] [--connection ID ...] [--workspace ID ...] [--report-only] [--cancel-unmanaged] [--json]
                                find Airbyte jobs nobody watches and cancel the ones our ended workflows left running`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { stay: { type: 'boolean' }, 'ui-port': { type: 'string' } } });
      await runDemo({ stay: values.stay ?? false, uiPort: values['ui-port'] ? Number(values['ui-port']) : undefined });
      return;
    }
    case 'worker':
      await runWorkerFromEnv();
      return;
    case 'sync':
      await sync(rest);
      return;
    case 'reconcile':
      await reconcile(rest);
      return;
    case 'mock-airbyte': {
      const { runStandalone } = await import('./testing/mock-airbyte');
      await runStandalone(rest);
      return;
    }
    default:
      console.log(USAGE);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

async function sync(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      instance: { type: 'string' },
      'job-type': { type: 'string' },
      timeout: { type: 'string' },
      'task-queue': { type: 'string' },
      'no-wait': { type: 'boolean' },
    },
  });
  const [connectionId] = positionals;
  if (!connectionId) throw new Error('sync needs a connection id');
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const syncs = new AirbyteSyncClient(client, { taskQueue: values['task-queue'] ?? process.env.TEMPORAL_TASK_QUEUE });
    const input = { connectionId, instance: values.instance, jobType: values['job-type'] as JobType | undefined, timeout: values.timeout as Duration | undefined };
    const handle = await syncs.startSync(input);
    console.log(`workflow ${handle.workflowId}`);
    if (!values['no-wait']) console.log(JSON.stringify(await syncs.result(handle.workflowId), null, 2));
  } finally {
    await connection.close();
  }
}

/** `reconcile`: runs the reconciler through TEMPORAL_ADDRESS and prints its report. */
async function reconcile(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      instance: { type: 'string' },
      connection: { type: 'string', multiple: true },
      workspace: { type: 'string', multiple: true },
      'report-only': { type: 'boolean' },
      'cancel-unmanaged': { type: 'boolean' },
      json: { type: 'boolean' },
      'task-queue': { type: 'string' },
    },
  });
  const input = {
    instance: values.instance,
    connectionIds: values.connection,
    workspaceIds: values.workspace,
    reportOnly: values['report-only'],
    cancelUnmanaged: values['cancel-unmanaged'],
  };
  // Bad input is reported before anything connects (the client checks again).
  const check = checkReconcileInput(input);
  if (!check.ok) throw new Error(check.message);
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const syncs = new AirbyteSyncClient(client, { taskQueue: values['task-queue'] ?? process.env.TEMPORAL_TASK_QUEUE });
    const report = await syncs.reconcile(input);
    console.log(values.json ? JSON.stringify(report, null, 2) : formatReconcileReport(report));
  } finally {
    await connection.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof AirbyteSyncError && err.result) console.error(JSON.stringify(err.result, null, 2));
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
