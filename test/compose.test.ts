import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { runCli } from '../src/cli/program';
import type { CliIO } from '../src/cli/io';
import { instancesFromEnv } from '../src/config/instances-from-env';
import { temporalTarget } from '../src/config/temporal-connection';
import { isWorkerVariable, parseWorkerEnvironment } from '../src/config/worker-environment';
import { runStandalone, type MockAirbyteServer } from '../src/testing/mock-airbyte';
import { AIRBYTE_SEARCH_ATTRIBUTE_KEYS } from '../src/workflows/search-attributes';

// docker-compose.yml, the Dockerfile and .dockerignore, checked without Docker (this machine has none): the
// stack's shape, and that what it hands the worker and the mock is what they accept.

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

// The part of the Compose format the file uses; parsing with it also checks the long forms (depends_on with
// conditions, environment as a map of strings) that the checks below rely on.
const argv = z.union([z.string(), z.array(z.string())]);
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.union([z.string(), z.object({ context: z.string() })]).optional(),
  profiles: z.array(z.string()).optional(),
  entrypoint: argv.optional(),
  command: argv.optional(),
  environment: z.record(z.string(), z.string()).optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  configs: z.array(z.object({ source: z.string(), target: z.string() })).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']), required: z.boolean().optional() })).optional(),
  healthcheck: z.object({ test: z.array(z.string()) }).optional(),
  restart: z.string().optional(),
});
type Service = z.infer<typeof serviceSchema>;
const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  configs: z.record(z.string(), z.object({ content: z.string() })).optional(),
  volumes: z.record(z.string(), z.null()).optional(),
});

// `merge`: the file shares settings through YAML anchors and `<<:` keys, as Compose reads them.
const compose = composeSchema.parse(parseYaml(read('docker-compose.yml'), { merge: true }));
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const list = (value: string | string[] | undefined) => (value === undefined ? [] : typeof value === 'string' ? [value] : value);
/** `--name=value` and `--name value` alike, every occurrence. */
const flagValues = (args: string[], flag: string) =>
  args.flatMap((arg, i) => (arg === flag ? [args[i + 1] ?? ''] : arg.startsWith(`${flag}=`) ? [arg.slice(flag.length + 1)] : []));

/** Compose's variable substitution for the forms the file uses; anything else fails the test. */
const SUBSTITUTION = /\$\$|\$\{([A-Za-z_]\w*)(?:(:?-)([^}]*))?\}/g;
function interpolate(value: string, vars: Record<string, string>): string {
  if (value.replace(SUBSTITUTION, '').includes('$')) throw new Error(`unsupported substitution in '${value}'`);
  return value.replace(SUBSTITUTION, (_match, name: string | undefined, op: string | undefined, fallback: string | undefined) => {
    if (name === undefined) return '$'; // `$$`
    const set = vars[name];
    if (op === ':-') return set ? set : (fallback ?? ''); // unset or empty
    if (op === '-') return set ?? fallback ?? ''; // unset only
    return set ?? '';
  });
}

/** The worker's environment as Compose gives it, with `dotenv` as the user's .env. */
const workerEnv = (dotenv: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(service('worker').environment ?? {}).map(([key, value]) => [key, interpolate(value, dotenv)]));

const ONE_SHOT = ['temporal-schema', 'temporal-namespace', 'temporal-search-attributes'];
const LONG_RUNNING = ['postgres', 'temporal', 'temporal-ui', 'mock-airbyte', 'worker'];

test('the stack: Temporal on PostgreSQL, its setup steps and UI, the worker, and the mock Airbyte under a profile', () => {
  expect(Object.keys(compose.services).sort()).toEqual([...ONE_SHOT, ...LONG_RUNNING].sort());
  expect(service('mock-airbyte').profiles).toEqual(['mock']);
  for (const [name, s] of Object.entries(compose.services)) if (name !== 'mock-airbyte') expect([name, s.profiles]).toEqual([name, undefined]);
  expect(service('postgres').image).toMatch(/^postgres:/);
  expect(service('temporal').image).toMatch(/^temporalio\/server:/);
  expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  for (const name of ONE_SHOT) expect(service(name).image).toMatch(/^temporalio\/admin-tools:/);
  // The worker and the mock are this package, built here.
  for (const name of ['worker', 'mock-airbyte']) expect(service(name).build).toBe('.');
});

test('images are pinned: no latest; the Temporal images at one exact version', () => {
  for (const [name, s] of Object.entries(compose.services)) {
    const tag = /^[^:]+:([^:@]+)$/.exec(s.image ?? '')?.[1];
    expect([name, tag !== undefined && tag !== 'latest']).toEqual([name, true]);
    if (s.build === undefined) expect([name, tag]).toEqual([name, expect.stringMatching(/^\d+(\.\d+){0,2}$/)]);
  }
  const version = (name: string) => service(name).image!.split(':')[1];
  for (const name of ['temporal', 'temporal-ui']) expect(version(name)).toMatch(/^\d+\.\d+\.\d+$/);
  // temporal-sql-tool sets up the schema of its own version: it must be the server's.
  for (const name of ONE_SHOT) expect([name, version(name)]).toEqual([name, version('temporal')]);
});

test('published ports are bound to 127.0.0.1', () => {
  const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
  expect(ports.length).toBeGreaterThanOrEqual(4);
  for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  expect(service('temporal').ports).toContain('127.0.0.1:7233:7233');
  expect(service('temporal-ui').ports).toContain('127.0.0.1:8080:8080');
  expect(service('postgres').ports).toBeUndefined(); // only Temporal talks to it
});

test('long-running services have a healthcheck and restart; the one-shot steps do neither', () => {
  for (const name of LONG_RUNNING) {
    const s = service(name);
    expect([name, s.healthcheck?.test[0]]).toEqual([name, expect.stringMatching(/^CMD(-SHELL)?$/)]);
    expect([name, s.restart]).toEqual([name, expect.stringMatching(/^(always|unless-stopped|on-failure(:\d+)?)$/)]);
  }
  for (const name of ONE_SHOT) {
    const s = service(name);
    expect([name, s.restart, s.healthcheck, s.ports]).toEqual([name, 'no', undefined, undefined]);
  }
});

test('each service waits for what it needs: healthy services, completed steps, in an order that exists', () => {
  for (const [name, s] of Object.entries(compose.services)) {
    for (const [target, { condition, required }] of Object.entries(s.depends_on ?? {})) {
      const wanted = ONE_SHOT.includes(target) ? 'service_completed_successfully' : 'service_healthy';
      expect([name, target, condition]).toEqual([name, target, wanted]);
      // Only a dependency that a profile may leave out is optional.
      expect([name, target, required ?? true]).toEqual([name, target, service(target).profiles === undefined]);
    }
  }
  const needs = (name: string, seen: string[] = []): string[] => {
    if (seen.includes(name)) throw new Error(`dependency cycle: ${[...seen, name].join(' -> ')}`);
    return Object.keys(service(name).depends_on ?? {}).flatMap((target) => [target, ...needs(target, [...seen, name])]);
  };
  expect(new Set(needs('worker'))).toEqual(new Set(['temporal', 'temporal-schema', 'postgres', 'temporal-namespace', 'temporal-search-attributes', 'mock-airbyte']));
  expect(needs('temporal')).toEqual(['temporal-schema', 'postgres']);
  expect(needs('temporal-search-attributes')).toContain('temporal-namespace');
});

test('the search-attribute step creates exactly AIRBYTE_SEARCH_ATTRIBUTE_KEYS, with their types, in the worker\'s namespace', () => {
  const s = service('temporal-search-attributes');
  const args = [...list(s.entrypoint), ...list(s.command)];
  expect(args.slice(0, 4)).toEqual(['temporal', 'operator', 'search-attribute', 'create']);
  const names = flagValues(args, '--name');
  const types = flagValues(args, '--type');
  expect(types).toHaveLength(names.length);
  // The CLI's type names for @temporalio/common's SearchAttributeType values.
  const cliType: Record<string, string> = { TEXT: 'Text', KEYWORD: 'Keyword', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' };
  const expected = AIRBYTE_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, cliType[key.type]]);
  expect(names.map((name, i) => [name, types[i]])).toEqual(expected);

  const namespace = workerEnv().TEMPORAL_NAMESPACE;
  expect(flagValues(args, '--namespace')).toEqual([namespace]);
  expect(flagValues(args, '--address')).toEqual([workerEnv().TEMPORAL_ADDRESS]);
  expect(list(service('temporal-namespace').command).join('\n')).toContain(`namespace create --namespace ${namespace}`);
});

test('Temporal keeps its data in a volume and gets the dynamic config file it cannot start without', () => {
  const temporal = service('temporal');
  const postgres = service('postgres');
  const [volume, path] = (postgres.volumes ?? [''])[0]!.split(':');
  expect(path).toBe('/var/lib/postgresql/data');
  expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  // The server and the schema tool reach the database the postgres service makes, with its credentials.
  const env = temporal.environment!;
  expect([env.DB, env.POSTGRES_SEEDS, env.POSTGRES_USER, env.POSTGRES_PWD]).toEqual(['postgres12', 'postgres', postgres.environment!.POSTGRES_USER, postgres.environment!.POSTGRES_PASSWORD]);
  const schema = service('temporal-schema').environment!;
  expect([schema.SQL_PLUGIN, schema.SQL_HOST, schema.SQL_USER, schema.SQL_PASSWORD]).toEqual([env.DB, env.POSTGRES_SEEDS, env.POSTGRES_USER, env.POSTGRES_PWD]);

  const mounted = temporal.configs?.find((c) => c.target === env.DYNAMIC_CONFIG_FILE_PATH);
  expect(mounted).toBeDefined();
  const dynamicConfig: unknown = parseYaml(compose.configs![mounted!.source]!.content);
  const settings = z.record(z.string(), z.array(z.object({ value: z.unknown() }))).parse(dynamicConfig);
  expect(settings['limit.maxIDLength']).toEqual([{ value: 255 }]);
});

test('every variable the worker gets is one it reads, and the whole validates as the worker checks it', () => {
  const env = workerEnv();
  for (const name of Object.keys(env)) expect([name, isWorkerVariable(name)]).toEqual([name, true]);
  const settings = parseWorkerEnvironment(env);
  const target = temporalTarget({ env });
  expect([target.address, target.namespace, target.tls, target.apiKey]).toEqual(['temporal:7233', 'default', undefined, undefined]);
  expect(target.address).toBe(`temporal:${service('temporal').ports![0]!.split(':').at(-1)}`);

  // With no .env, the default instance is the mock, with the mock's credentials.
  const mockArgs = list(service('mock-airbyte').command);
  const mockPort = flagValues(mockArgs, '--port')[0];
  expect(instancesFromEnv(env)).toEqual({
    default: { url: `http://mock-airbyte:${mockPort}/api/public/v1`, clientId: flagValues(mockArgs, '--client-id')[0], clientSecret: flagValues(mockArgs, '--client-secret')[0] },
  });

  // Metrics on, where the healthcheck and the published port look for them.
  const metricsPort = settings.TEMPORAL_AIRBYTE_METRICS_ADDRESS?.split(':').at(-1);
  const check = service('worker').healthcheck!.test;
  expect(check.slice(0, 3)).toEqual(['CMD', 'node', '-e']); // node: the slim image has no curl or wget
  expect(check[3]).toContain(`'http://localhost:${metricsPort}/metrics'`);
  expect(service('worker').ports).toEqual([`127.0.0.1:${metricsPort}:${metricsPort}`]);
});

test.each<[string, Record<string, string>, object]>([
  ['Airbyte Cloud', { AIRBYTE_API_URL: 'https://api.airbyte.com/v1', AIRBYTE_CLIENT_ID: 'id', AIRBYTE_CLIENT_SECRET: 'secret' }, { url: 'https://api.airbyte.com/v1', clientId: 'id', clientSecret: 'secret' }],
  ['a bearer token', { AIRBYTE_API_URL: 'https://airbyte.example/api/public/v1', AIRBYTE_BEARER_TOKEN: 'tok', AIRBYTE_CLIENT_ID: '', AIRBYTE_CLIENT_SECRET: '' }, { url: 'https://airbyte.example/api/public/v1', bearerToken: 'tok' }],
  ['basic auth', { AIRBYTE_API_URL: 'http://airbyte:8000/api/public/v1', AIRBYTE_USERNAME: 'airbyte', AIRBYTE_PASSWORD: 'pw', AIRBYTE_CLIENT_ID: '', AIRBYTE_CLIENT_SECRET: '' }, { url: 'http://airbyte:8000/api/public/v1', username: 'airbyte', password: 'pw' }],
  ['no auth', { AIRBYTE_API_URL: 'http://airbyte:8000/api/public/v1', AIRBYTE_NO_AUTH: 'true', AIRBYTE_CLIENT_ID: '', AIRBYTE_CLIENT_SECRET: '' }, { url: 'http://airbyte:8000/api/public/v1', noAuth: true }],
])('a real Airbyte takes only a .env: %s', (_, dotenv, instance) => {
  const env = workerEnv(dotenv);
  expect(instancesFromEnv(env)).toEqual({ default: instance });
  expect(() => parseWorkerEnvironment(env)).not.toThrow();
});

describe('the mock Airbyte', () => {
  const mockArgs = list(service('mock-airbyte').command);
  const ids = flagValues(mockArgs, '--connection-id');
  let log: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => log.mockRestore());

  /** The compose service's arguments, run here: on 127.0.0.1 and a free port instead of 0.0.0.0:8000. */
  const startAsComposeDoes = () => {
    const local = mockArgs.slice(1).filter((arg) => !/^--(host|port)=/.test(arg));
    return runStandalone([...local, '--host=127.0.0.1', '--port=0']);
  };

  test('the compose service runs the mock with fixed ids, the same at every start', async () => {
    expect(mockArgs[0]).toBe('mock-airbyte');
    expect(flagValues(mockArgs, '--host')).toEqual(['0.0.0.0']); // reachable from the worker's container
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const starts: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const server: MockAirbyteServer = await startAsComposeDoes();
      try {
        starts.push(server.connections().map((c) => c.connectionId));
        // The healthcheck's URL answers on the mock (and without credentials).
        const path = /fetch\('http:\/\/127\.0\.0\.1:\d+(\/[^']*)'\)/.exec(service('mock-airbyte').healthcheck!.test.join(' '))?.[1];
        expect(path).toBeDefined();
        expect((await fetch(`${server.origin}${path}`)).status).toBe(200);
      } finally {
        await server.close();
      }
    }
    expect(starts).toEqual([ids, ids]);
  });

  test('the ids go to the connections in order: succeeding, then failing, slow, incomplete', async () => {
    const [a, b] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    const server = await runStandalone(['--port=0', '--connections=1', '--failing=1', '--slow=1', `--connection-id=${a}`, '--connection-id', b]);
    try {
      const byName = Object.fromEntries(server.connections().map((conn) => [conn.name, conn.connectionId]));
      expect(byName['demo-connection-1']).toBe(a);
      expect(byName['failing-connection-1']).toBe(b);
      expect(byName['slow-connection-1']).toMatch(/^[0-9a-f-]{36}$/); // not given: generated
      const failed = server.startJob(b);
      await server.waitFor(() => server.jobs({ connectionId: b }).some((job) => job.status === 'failed'));
      expect(failed.connectionId).toBe(b);
    } finally {
      await server.close();
    }
  });

  test.each<[string, string[], RegExp]>([
    ['not a UUID', ['--connection-id=42'], /--connection-id must be a UUID, got '42'/],
    ['given twice', ['--connection-id=11111111-1111-4111-8111-111111111111', '--connection-id=11111111-1111-4111-8111-111111111111'], /given twice/],
    ['more ids than connections', ['--connections=1', '--connection-id=11111111-1111-4111-8111-111111111111', '--connection-id=22222222-2222-4222-8222-222222222222'], /2 --connection-id values for 1 connections/],
  ])('a bad --connection-id (%s) is refused before the mock listens', async (_, args, message) => {
    await expect(runStandalone(['--port=0', ...args])).rejects.toThrow(message);
    expect(log).not.toHaveBeenCalled(); // "listening" is printed once the server is up
  });

  describe('the mock-airbyte command', () => {
    const io = (out: string[]): CliIO => ({ stdout: (t) => void out.push(t), stderr: (t) => void out.push(t), isTTY: false, handleSignals: false });

    test('documents --connection-id and refuses a bad one with exit code 2', async () => {
      const help: string[] = [];
      expect(await runCli(['mock-airbyte', '--help'], io(help), {})).toBe(0);
      expect(help.join('')).toMatch(/--connection-id <uuid>[\s\S]*Connection ids are random at every start unless given/);
      const bad: string[] = [];
      expect(await runCli(['mock-airbyte', '--port', '0', '--connection-id', 'nope'], io(bad), {})).toBe(2);
      expect(bad.join('')).toContain("--connection-id must be a UUID, got 'nope'");
    });

    test('passes every --connection-id on, and stops on SIGINT', async () => {
      const [a, b] = ['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'];
      const printed = new Promise<string>((resolve) => log.mockImplementation((text: unknown) => typeof text === 'string' && resolve(text)));
      // The command waits for SIGINT or SIGTERM once the mock is up: catch its listeners as they are added, and
      // call them, rather than signalling the test process.
      const stops: ((signal: NodeJS.Signals) => void)[] = [];
      const waiting = new Promise<void>((resolve) => {
        const onListener = (event: string | symbol) => {
          if (event !== 'SIGINT' && event !== 'SIGTERM') return;
          queueMicrotask(() => {
            // newListener fires just before the listener is added; rawListeners gives the `once` wrapper, which
            // unregisters itself when called.
            stops.push(...(process.rawListeners(event).slice(-1) as ((signal: NodeJS.Signals) => void)[]));
            if (stops.length === 2) {
              process.off('newListener', onListener);
              resolve();
            }
          });
        };
        process.on('newListener', onListener);
      });
      const exit = runCli(['mock-airbyte', '--port', '0', '--connections', '1', '--failing', '1', '--connection-id', a, '--connection-id', b], io([]), {});
      const text = await printed; // printed once it listens
      expect([...text.matchAll(/connection: +(\S+)/g)].map((m) => m[1])).toEqual([a, b]);
      await waiting;
      for (const stop of stops) stop('SIGINT');
      await expect(exit).resolves.toBe(0);
    });
  });
});

describe('the image', () => {
  /** Instructions, continuation lines joined, comments dropped, grouped by stage. */
  const instructions = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
  const args = Object.fromEntries(instructions.filter((i) => i.op === 'ARG').map((i) => i.args.split('=') as [string, string]));
  const stages: { name: string; base: string; body: { op: string; args: string }[] }[] = [];
  for (const instruction of instructions) {
    const from = instruction.op === 'FROM' ? /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args) : null;
    if (from) stages.push({ base: from[1]!.replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? name), name: from[2] ?? '', body: [] });
    else stages.at(-1)?.body.push(instruction);
  }
  const runs = (stage: (typeof stages)[number]) => stage.body.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
  const final = stages.at(-1)!;

  test('is built in stages from a pinned Node image, and the build runs npm run build', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const { base } of stages) expect(base).toMatch(/^node:\d+[\w.-]*$/); // a version, never latest
    const build = stages.find((stage) => /npm run build/.test(runs(stage)));
    expect(build).toBeDefined();
    expect(runs(build!)).toMatch(/npm ci/);
    expect(runs(build!)).toContain('test -f lib/workflow-bundle.js'); // the prebuilt bundle the worker runs
    expect(final).not.toBe(build);
  });

  test('the runtime stage holds lib and production node_modules only, runs as a non-root user, and starts the worker', () => {
    const copies = final.body.filter((i) => i.op === 'COPY').map((i) => i.args);
    const from = (what: string) => copies.find((c) => c.endsWith(` ./${what}`))?.match(/--from=(\S+)/)?.[1];
    const build = stages.find((stage) => /npm run build/.test(runs(stage)))!;
    expect(from('lib')).toBe(build.name);
    const deps = stages.find((stage) => stage.name === from('node_modules'));
    expect(runs(deps!)).toMatch(/npm (ci|install) --omit=dev/);
    expect(copies.filter((c) => !c.startsWith('--from='))).toEqual(['package.json ./']); // no sources
    expect(runs(final)).toBe('');

    const users = final.body.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const json = (op: string) => z.array(z.string()).parse(JSON.parse(final.body.find((i) => i.op === op)?.args ?? '[]'));
    expect([...json('ENTRYPOINT'), ...json('CMD')]).toEqual(['node', 'lib/cli.js', 'worker']);
    expect(z.object({ bin: z.record(z.string(), z.string()) }).parse(JSON.parse(read('package.json'))).bin['temporal-airbyte']).toBe('lib/cli.js');
    // The worker service runs the image's CMD; the mock the same image with other arguments.
    expect(service('worker').command).toBeUndefined();
  });

  test('.dockerignore keeps out installed, built and secret files, and keeps what the build needs', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'lib', '.git', '.env']));
    for (const needed of ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      expect(ignored.some((pattern) => pattern === needed || pattern === '*' || pattern === '**' || needed.startsWith(`${pattern}/`))).toBe(false);
    }
  });
});
