import { logTail } from './log-tail';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributeType } from '@temporalio/common';
import { AIRBYTE_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { resolveTemporalCli } from './temporal-cli';

export interface TemporalDevServerOptions {
  /** The persisted store. Default: a file in a new temporary directory, removed by close(). */
  dbFilename?: string;
  /** Front-end gRPC port; default a free one. It stays the same across stop() and start(). */
  port?: number;
  /** Namespaces created besides `default`. */
  namespaces?: string[];
  /** Registered at every start (the server accepts them again). Default: the Airbyte search attributes. */
  searchAttributes?: { name: string; type: SearchAttributeType }[];
  /** The `temporal` executable. Default: resolveTemporalCli(). */
  executable?: string;
  /** Where the server's output goes (appended). Default: discarded. */
  logFile?: string;
  /** How long start() waits for the server to answer. Default 30 s. */
  readyTimeoutMs?: number;
  extraArgs?: string[];
  /** Serve the Temporal Web UI too (on `uiPort`, default a free one): see `uiUrl`. Default false. */
  ui?: boolean;
  uiPort?: number;
}

/**
 * A Temporal dev server (`temporal server start-dev`) in a child process on a persisted database file, on
 * 127.0.0.1 only, that can be killed (`stop()`, SIGKILL: no graceful shutdown) and started again on the
 * same file and port, as a crashed and restarted Temporal would be.
 */
export class TemporalDevServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  readonly address: string;

  private constructor(
    readonly executable: string,
    readonly dbFilename: string,
    readonly port: number,
    private readonly options: TemporalDevServerOptions,
    private readonly tempDir: string | undefined,
    private readonly uiPort: number | undefined,
  ) {
    this.address = `127.0.0.1:${port}`;
  }

  /** The Web UI, when started with `ui: true`. */
  get uiUrl(): string | undefined {
    return this.uiPort === undefined ? undefined : `http://127.0.0.1:${this.uiPort}`;
  }

  static async start(options: TemporalDevServerOptions = {}): Promise<TemporalDevServer> {
    const executable = options.executable ?? cliPath();
    const tempDir = options.dbFilename ? undefined : mkdtempSync(join(tmpdir(), 'temporal-dev-server-'));
    const dbFilename = options.dbFilename ?? join(tempDir as string, 'temporal.sqlite');
    const port = options.port ?? (await freePort());
    const uiPort = options.ui ? (options.uiPort ?? (await freePort())) : undefined;
    const server = new TemporalDevServer(executable, dbFilename, port, options, tempDir, uiPort);
    try {
      await server.start();
    } catch (err) {
      await server.close();
      throw err;
    }
    return server;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server (again) on the same file and port and resolves once it answers; no-op if running. */
  async start(): Promise<void> {
    if (this.child) return;
    const args = ['server', 'start-dev', '--db-filename', this.dbFilename, '--ip', '127.0.0.1', '--port', String(this.port)];
    args.push(...(this.uiPort === undefined ? ['--headless'] : ['--ui-ip', '127.0.0.1', '--ui-port', String(this.uiPort), '--ui-disable-news-fetch']));
    args.push('--log-level', 'warn');
    for (const ns of this.options.namespaces ?? []) args.push('--namespace', ns);
    for (const key of this.options.searchAttributes ?? AIRBYTE_SEARCH_ATTRIBUTE_KEYS) {
      args.push('--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`);
    }
    args.push(...(this.options.extraArgs ?? []));
    const log = this.options.logFile ? openSync(this.options.logFile, 'a') : undefined;
    let child: ChildProcess;
    try {
      child = spawn(this.executable, args, { stdio: ['ignore', log ?? 'ignore', log ?? 'ignore'] });
    } finally {
      if (log !== undefined) closeSync(log);
    }
    this.child = child;
    process.once('exit', this.killOnExit);
    let exitCode: string | undefined;
    this.exited = new Promise<void>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        exitCode = signal ?? String(code);
        if (this.child === child) this.child = undefined;
        process.off('exit', this.killOnExit);
        resolve();
      };
      child.once('exit', done);
      child.once('error', () => done(null, null));
    });
    await this.waitUntilServing(() => exitCode);
  }

  /** Kills the server at once (SIGKILL) and waits for the process to be gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Kills the server and removes the database file if this class created it. */
  async close(): Promise<void> {
    await this.stop();
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }

  private async waitUntilServing(exitedWith: () => string | undefined): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 30_000);
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      const code = exitedWith();
      if (code !== undefined) throw new Error(`temporal server start-dev exited (${code}) before it served${logTail(this.options.logFile)}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`temporal server start-dev did not answer on ${this.address} within ${this.options.readyTimeoutMs ?? 30_000} ms: ${String(lastError)}${logTail(this.options.logFile)}`);
      }
      try {
        const connection = await Connection.connect({ address: this.address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        lastError = err;
      }
      // Back off between attempts to connect (not a wait for some event: the server gives none).
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
    }
  }

}

function cliPath(): string {
  const cli = resolveTemporalCli();
  if (cli.type !== 'existing-path') {
    throw new Error('No Temporal CLI found: set TEMPORAL_CLI_PATH, put `temporal` on PATH, or run `npm run temporal-cli`');
  }
  return cli.path;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
