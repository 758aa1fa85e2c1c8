// The Airbyte client against servers that misbehave on purpose: redirects, huge and endless answers, bodies
// that trickle in, listings that never end, error bodies that echo our credentials. Each server is a real
// node:http server on 127.0.0.1, started by the test.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { AirbyteApiError, AirbyteClient, type AirbyteInstanceConfig } from '../src/airbyte';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

class LocalServer {
  readonly requests: Recorded[] = [];
  private handler: Handler = (_req, res) => json(res, 404, { title: 'resource-not-found' });

  private constructor(private readonly server: Server) {}

  static async start(): Promise<LocalServer> {
    const server = createServer();
    const local = new LocalServer(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        local.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        local.handler(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return local;
  }

  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get origin(): string {
    return `http://${this.host}`;
  }

  get apiUrl(): string {
    return `${this.origin}/api/public/v1`;
  }

  handle(handler: Handler): void {
    this.handler = handler;
  }

  requestsTo(method: string, path: string): Recorded[] {
    return this.requests.filter((r) => r.method === method && r.url.split('?')[0] === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const job = (jobId: number) => ({ jobId, status: 'running', jobType: 'sync', startTime: '2026-01-01T00:00:00Z', connectionId: 'c' });

/** A deferred: resolved from a server handler, awaited by the test (synchronisation by events, never by sleeping). */
function signalled<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const failure = async (call: Promise<unknown>): Promise<AirbyteApiError> => {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirbyteApiError);
  return err as AirbyteApiError;
};

/** Everything an error can show: message, fields, stack, inspection, JSON. */
const everything = (err: unknown) => `${inspect(err, { depth: 20, showHidden: true })} ${JSON.stringify(err)} ${(err as Error).stack ?? ''}`;

let airbyte: LocalServer;
let elsewhere: LocalServer;

beforeEach(async () => {
  [airbyte, elsewhere] = await Promise.all([LocalServer.start(), LocalServer.start()]);
  elsewhere.handle((_req, res) => json(res, 200, { access_token: 'stolen', expires_in: 900, data: [] }));
});
afterEach(async () => {
  await Promise.all([airbyte.close(), elsewhere.close()]);
});

const clientFor = (config: Partial<AirbyteInstanceConfig> = {}) =>
  new AirbyteClient({ url: airbyte.apiUrl, bearerToken: 'static-bearer-token', requestTimeoutMs: 5_000, ...config });

describe('redirects are never followed', () => {
  test('a 307 from the token endpoint to another host: the secret goes nowhere, the error names the host only', async () => {
    const secret = 'client-secret-value-7f3a';
    airbyte.handle((req, res) => {
      if (req.url === '/api/public/v1/applications/token') {
        res.writeHead(307, { location: `${elsewhere.origin}/collect?secret=${secret}&session=abc123` });
        res.end();
      } else json(res, 200, { data: [] });
    });
    const client = new AirbyteClient({ url: airbyte.apiUrl, clientId: 'app', clientSecret: secret });
    const err = await failure(client.listJobs());
    expect(err).toMatchObject({ kind: 'http', status: 307, retryable: false, ambiguous: false, endpoint: 'POST /applications/token' });
    expect(err.message).toContain(`redirect to ${elsewhere.origin}`);
    expect(err.message).toMatch(/not followed/);
    expect(everything(err)).not.toMatch(/collect|session|abc123/);
    expect(everything(err)).not.toContain(secret);
    expect(elsewhere.requests).toEqual([]); // the other host never heard from us
    expect(airbyte.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/public/v1/applications/token']); // no call without a token
  });

  test('a 302 on GET /jobs is a non-retryable error, and the Authorization header is not sent on', async () => {
    airbyte.handle((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.origin}/api/public/v1/jobs?token=leak` });
      res.end();
    });
    const err = await failure(clientFor().listJobs());
    expect(err).toMatchObject({ kind: 'http', status: 302, retryable: false, ambiguous: false, endpoint: 'GET /jobs' });
    expect(err.message).toContain(elsewhere.host);
    expect(err.message).not.toContain('leak');
    expect(elsewhere.requests).toEqual([]);
    expect(airbyte.requests).toHaveLength(1);
  });

  test('a 308 on POST /jobs is neither retried nor ambiguous; a relative Location names our own host', async () => {
    airbyte.handle((_req, res) => {
      res.writeHead(308, { location: '/somewhere/else' });
      res.end();
    });
    const err = await failure(clientFor().createJob({ connectionId: 'c', jobType: 'sync' }));
    expect(err).toMatchObject({ status: 308, retryable: false, ambiguous: false });
    expect(err.message).toContain(`redirect to ${airbyte.origin}`);
    expect(airbyte.requests).toHaveLength(1);
  });
});

test('client credentials are posted to tokenUrl when one is given, and nowhere else', async () => {
  elsewhere.handle((_req, res) => json(res, 200, { access_token: 'from-the-token-url', expires_in: 900 }));
  airbyte.handle((req, res) => json(res, req.headers.authorization === 'Bearer from-the-token-url' ? 200 : 401, { data: [] }));
  const client = new AirbyteClient({ url: airbyte.apiUrl, clientId: 'app', clientSecret: 'secret', tokenUrl: `${elsewhere.origin}/oauth/token` });
  await expect(client.listJobs()).resolves.toEqual({ data: [] });
  expect(elsewhere.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /oauth/token']);
  expect(airbyte.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual(['GET /api/public/v1/jobs']);
});

describe('the size of an answer is capped', () => {
  test('a 150 MB body is refused as it streams in, without reading it all', async () => {
    const total = 150 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20); // whitespace: valid JSON padding, however much of it arrives
    const done = signalled<{ sent: number; finished: boolean }>();
    airbyte.handle((_req, res) => {
      let sent = 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('close', () => done.resolve({ sent, finished: res.writableFinished }));
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const err = await failure(clientFor().listJobs());
    expect(err).toMatchObject({ kind: 'invalid-response', retryable: true, ambiguous: false, endpoint: 'GET /jobs' });
    expect(err.message).toContain('response larger than 10485760 bytes');
    const server = await done.promise; // the client hung up long before the end
    expect(server.finished).toBe(false);
    expect(server.sent).toBeLessThan(total / 2);
  });

  test('maxResponseBytes is per instance; a write with an oversized answer is ambiguous', async () => {
    const big = { ...job(1), padding: 'x'.repeat(5_000) };
    airbyte.handle((_req, res) => json(res, 200, big));
    const small = clientFor({ maxResponseBytes: 4_096 });
    const read = await failure(small.getJob(1));
    expect(read).toMatchObject({ kind: 'invalid-response', retryable: true, ambiguous: false });
    expect(read.message).toContain('response larger than 4096 bytes');
    expect(await failure(small.createJob({ connectionId: 'c', jobType: 'sync' }))).toMatchObject({ kind: 'invalid-response', ambiguous: true });
    await expect(clientFor({ maxResponseBytes: 8_192 }).getJob(1)).resolves.toMatchObject({ jobId: 1 });
  });

  test('the cap counts decompressed bytes: a small gzip bomb is refused', async () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20));
    airbyte.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    const err = await failure(clientFor({ maxResponseBytes: 1_048_576 }).listJobs());
    expect(err).toMatchObject({ kind: 'invalid-response', retryable: true });
    expect(err.message).toContain('response larger than 1048576 bytes');
  });
});

describe('the total time of an exchange is capped', () => {
  /**
   * Answers at once, then sends one byte every few milliseconds: never idle for long, and done only after many
   * seconds (so a client without a total cap gets a valid answer, and the test fails rather than hangs).
   */
  function trickle(): Promise<void> {
    const closed = signalled();
    airbyte.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":[');
      let left = 3_000;
      const timer = setInterval(() => {
        if (--left > 0) res.write(' ');
        else {
          clearInterval(timer);
          res.end(']}');
        }
      }, 5);
      res.on('close', () => {
        clearInterval(timer);
        closed.resolve();
      });
    });
    return closed.promise;
  }

  test('a server that trickles bytes times out on the total cap, not only when idle', async () => {
    const closed = trickle();
    const err = await failure(clientFor({ requestTimeoutMs: 400 }).listJobs());
    expect(err).toMatchObject({ kind: 'timeout', retryable: true, ambiguous: false });
    expect(err.message).toContain('no complete answer within 400 ms');
    await closed; // and the connection was dropped
  });

  test('a write that times out this way stays ambiguous', async () => {
    const closed = trickle();
    const err = await failure(clientFor({ createJobTimeoutMs: 400 }).createJob({ connectionId: 'c', jobType: 'sync' }));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true, ambiguous: true, endpoint: 'POST /jobs' });
    await closed;
  });

  test('the token request is capped too, and its timeout is never ambiguous', async () => {
    const closed = trickle();
    const err = await failure(new AirbyteClient({ url: airbyte.apiUrl, clientId: 'a', clientSecret: 'b', requestTimeoutMs: 400 }).createJob({ connectionId: 'c', jobType: 'sync' }));
    expect(err).toMatchObject({ kind: 'timeout', endpoint: 'POST /applications/token', retryable: true, ambiguous: false });
    await closed;
  });
});

describe('pagination is bounded and can be stopped', () => {
  /** Every page is full and links to a next one, whatever the offset: a listing without end. */
  function endless(): void {
    airbyte.handle((req, res) => {
      const url = new URL(req.url ?? '/', airbyte.origin);
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const data = Array.from({ length: limit }, (_, i) => ({
        ...job(offset + i + 1),
        connectionId: `c${offset + i}`,
        name: `n${offset + i}`,
        sourceId: 's',
        destinationId: 'd',
        workspaceId: 'w',
      }));
      json(res, 200, { data, next: `${airbyte.apiUrl}/jobs?limit=${limit}&offset=${offset + limit}` });
    });
  }

  test('an endless next chain stops at the page limit with a clear, non-retryable error', async () => {
    endless();
    const seen: number[] = [];
    const err = await failure(
      (async () => {
        for await (const j of clientFor().iterateJobs({}, { pageSize: 5, maxPages: 3 })) seen.push(j.jobId);
      })(),
    );
    expect(err).toMatchObject({ kind: 'invalid-response', retryable: false, endpoint: 'GET /jobs' });
    expect(err.message).toMatch(/still more after 3 full pages of 5 \(maxPages\)/);
    expect(seen).toHaveLength(15);
    expect(airbyte.requestsTo('GET', '/api/public/v1/jobs')).toHaveLength(3);
  });

  test('the default limit is 100 pages; connections too; max still ends early without an error', async () => {
    endless();
    let count = 0;
    const err = await failure(
      (async () => {
        for await (const c of clientFor().iterateConnections()) count += c.name ? 1 : 0;
      })(),
    );
    expect(err.message).toMatch(/still more after 100 full pages of 100/);
    expect(count).toBe(10_000);
    expect(airbyte.requestsTo('GET', '/api/public/v1/connections')).toHaveLength(100);

    const few: number[] = [];
    for await (const j of clientFor().iterateJobs({}, { pageSize: 10, max: 25, maxPages: 3 })) few.push(j.jobId);
    expect(few).toHaveLength(25);
  });

  test('an aborted signal stops the iteration before the next page', async () => {
    endless();
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const seen: number[] = [];
    const stopped = await (async () => {
      for await (const j of clientFor().iterateJobs({}, { pageSize: 5, signal: controller.signal })) {
        seen.push(j.jobId);
        if (seen.length === 2) controller.abort(reason);
      }
    })().catch((e: unknown) => e);
    expect(stopped).toBe(reason);
    expect(seen).toHaveLength(5); // the page in hand is handed out; no other is fetched
    expect(airbyte.requests).toHaveLength(1);
  });

  test('aborting a request in flight abandons it at once; an aborted signal sends nothing', async () => {
    const arrived = signalled();
    const closed = signalled();
    airbyte.handle((_req, res) => {
      res.on('close', () => closed.resolve());
      arrived.resolve(); // and never answer
    });
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const call = clientFor().listJobs({}, {}, { signal: controller.signal });
    await arrived.promise;
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await closed.promise;

    await expect(clientFor().getJob(1, { signal: controller.signal })).rejects.toBe(reason);
    expect(airbyte.requests).toHaveLength(1);
  });
});

describe('secrets are scrubbed from upstream text', () => {
  /** A 400 whose body echoes the request's Authorization header in every field it has. */
  function echoAuthorization(status = 400): void {
    airbyte.handle((req, res, body) => {
      if (req.url === '/api/public/v1/applications/token') {
        json(res, 200, { access_token: 'issued-access-token-91d2', token_type: 'Bearer', expires_in: 900 });
        return;
      }
      const auth = req.headers.authorization ?? '';
      json(res, status, {
        type: 'about:blank',
        title: `bad header ${auth}`,
        status,
        detail: `The header was "${auth}", the body ${body}`,
        data: { message: `Authorization: ${auth}` },
      });
    });
  }

  test.each<[string, Partial<AirbyteInstanceConfig>, string[]]>([
    ['a bearer token', { bearerToken: 'static-bearer-token' }, ['static-bearer-token']],
    ['an issued access token', { bearerToken: undefined, clientId: 'app', clientSecret: 'the-client-secret' }, ['issued-access-token-91d2']],
    ['a password and its basic header', { bearerToken: undefined, username: 'airbyte', password: 'pa55word!' }, ['pa55word!', Buffer.from('airbyte:pa55word!').toString('base64')]],
  ])('%s echoed in a 400 is not in the error', async (_, auth, secrets) => {
    echoAuthorization();
    const err = await failure(clientFor(auth).listJobs());
    expect(err).toMatchObject({ status: 400, retryable: false });
    for (const secret of secrets) expect(everything(err)).not.toContain(secret);
    expect(err.airbyteMessage).toMatch(/^Authorization: (Bearer|Basic) \[redacted\]$/);
    expect(err.detail).toContain('[redacted]');
    expect(err.title).toContain('[redacted]');
  });

  test('the Config API message and a 409 are scrubbed, and the 409 is still classified', async () => {
    airbyte.handle((req, res) => json(res, 409, { message: `A sync is already running for: c (sent with ${req.headers.authorization ?? ''})` }));
    const err = await failure(clientFor().createJob({ connectionId: 'c', jobType: 'sync' }));
    expect(err).toMatchObject({ status: 409, retryable: true, isAlreadyRunning: true });
    expect(everything(err)).not.toContain('static-bearer-token');
  });

  test('a token endpoint that echoes the client secret (plain, form- or JSON-encoded) does not leak it', async () => {
    const secret = 'se cret/+"value';
    airbyte.handle((_req, res, body) =>
      json(res, 400, {
        message: `bad credentials ${body} | ${encodeURIComponent(secret)} | ${new URLSearchParams({ s: secret }).toString()} | ${secret}`,
      }),
    );
    const err = await failure(new AirbyteClient({ url: airbyte.apiUrl, clientId: 'app', clientSecret: secret }).listJobs());
    expect(err).toMatchObject({ status: 400, retryable: false, endpoint: 'POST /applications/token' });
    expect(err.message).toMatch(/client credentials were rejected.*the server said: bad credentials/);
    const seen = everything(err);
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), 'se+cret%2F%2B%22value']) {
      expect(seen).not.toContain(form);
    }
  });

  test('a huge upstream message is cut after scrubbing', async () => {
    // The token straddles the cut at 1,000 characters: cutting before scrubbing would leave its first letters.
    airbyte.handle((req, res) => json(res, 400, { detail: `${'x'.repeat(990)}${req.headers.authorization ?? ''}${'y'.repeat(50_000)}` }));
    const err = await failure(clientFor().listJobs());
    expect(err.detail?.length).toBeLessThan(1_100);
    expect(err.detail).toContain('Bearer [re');
    expect(err.detail).not.toMatch(/Bearer s/);
    expect(err.detail).toMatch(/more characters\)$/);
  });
});
