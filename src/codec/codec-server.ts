import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const PREFLIGHT_MAX_AGE_S = 600;
/** What Temporal's Web UI sends: the namespace, JSON, and the user's access token when `passAccessToken` is on. */
const ALLOWED_REQUEST_HEADERS = 'Content-Type, X-Namespace, Authorization';

export interface CodecServerOptions {
  /** The codec(s) of your data converter, in the same order as its `payloadCodecs`. */
  codec: PayloadCodec | readonly PayloadCodec[];
  /**
   * Require `Authorization: Bearer <token>` on every encode/decode (the CLI: `--codec-auth 'Bearer <token>'`).
   * Compared in constant time.
   */
  token?: string;
  /**
   * Your own check, e.g. verifying the OIDC access token the Web UI passes with `codec.passAccessToken`.
   * Runs after `token`, when both are set. Return false to refuse with 401.
   */
  authorize?: (request: IncomingMessage) => boolean | Promise<boolean>;
  /**
   * Browser origins allowed to call the server (the Web UI's, e.g. `http://localhost:8233`). Requests that
   * carry any other Origin are refused, so a web page cannot use a codec server on your machine.
   * Default: none (the CLI sends no Origin and works without this).
   */
  corsOrigins?: readonly string[];
  /** Answer preflights with `Access-Control-Allow-Credentials: true` (the UI's `codec.includeCredentials`). */
  corsCredentials?: boolean;
  /** Largest request body accepted (default 16 MiB). */
  maxBodyBytes?: number;
}

export interface StartCodecServerOptions extends CodecServerOptions {
  /** Default 127.0.0.1: the codec server can decrypt everything, keep it off the network unless it is protected. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface RunningCodecServer {
  /** `http://host:port`: give it to the CLI as `--codec-endpoint` and to the UI as its codec endpoint. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

// Proto3 JSON of temporal.api.common.v1.Payload: bytes as base64. protobufjs checks the fields themselves.
const bodySchema = z.object({ payloads: z.array(z.looseObject({})) });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A request handler implementing Temporal's codec server protocol for the Web UI and the CLI
 * (`temporal ... --codec-endpoint`): `POST /encode` and `POST /decode` (also under a namespace segment,
 * `/{namespace}/decode`), with a JSON body `{ "payloads": [ { "metadata": { k: base64 }, "data": base64 } ] }`
 * answered in the same shape. Mount it in your own server, or use startCodecServer.
 */
export function createCodecHandler(options: CodecServerOptions): RequestListener {
  const codecs = codecList(options.codec);
  if (codecs.length === 0) throw new TypeError('codec server needs at least one codec');
  const origins = new Set(options.corsOrigins ?? []);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const tokenDigest = options.token === undefined ? undefined : sha256(`Bearer ${options.token}`);
  if (options.token !== undefined && options.token.trim() === '') throw new TypeError('codec server token must not be empty');

  const run = async (action: 'encode' | 'decode', payloads: Payload[]): Promise<Payload[]> => {
    let current = payloads;
    // As the data converter does: encode through the codecs in order, decode in reverse.
    for (const codec of action === 'encode' ? codecs : [...codecs].reverse()) current = await codec[action](current);
    return current;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      // Every browser call is cross-origin here (this server serves no pages): only the listed origins.
      if (!origins.has(origin)) throw new HttpError(403, `origin ${origin} is not allowed`);
      res.setHeader('Access-Control-Allow-Origin', origin);
      if (options.corsCredentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.setHeader('Vary', 'Origin');

    const action = actionOf(req.url ?? '/');
    if (!action) throw new HttpError(404, 'not found: the codec server answers POST /encode and POST /decode');
    if (req.method === 'OPTIONS' && origin !== undefined) {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS,
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
      });
      res.end();
      return;
    }
    if (req.method !== 'POST') throw new HttpError(405, `method ${req.method ?? ''} not allowed`, { Allow: 'POST, OPTIONS' });

    if (tokenDigest && !sameDigest(tokenDigest, sha256(req.headers.authorization ?? ''))) {
      throw new HttpError(401, 'missing or wrong bearer token', { 'WWW-Authenticate': 'Bearer' });
    }
    if (options.authorize && !(await options.authorize(req))) throw new HttpError(401, 'not authorized', { 'WWW-Authenticate': 'Bearer' });

    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') throw new HttpError(415, 'content-type must be application/json');

    const payloads = parseBody(await readBody(req, maxBodyBytes));
    let result: Payload[];
    try {
      result = await run(action, payloads);
    } catch (err) {
      // The codec's own message (unknown key id, failed authentication); it names no key material.
      throw new HttpError(422, `could not ${action} the payloads: ${(err as Error).message}`);
    }
    const body = JSON.stringify({ payloads: result.map(toJson) });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(body);
  };

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'internal error';
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status, {
        'Content-Type': 'application/json',
        // Whatever is left of a refused body is not read: close the connection rather than drain it.
        ...(req.complete ? {} : { Connection: 'close' }),
        ...(err instanceof HttpError ? err.headers : {}),
      });
      res.end(JSON.stringify({ message }));
    });
  };
}

/** Starts a codec server (node:http) on 127.0.0.1 by default. */
export async function startCodecServer(options: StartCodecServerOptions): Promise<RunningCodecServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(createCodecHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function codecList(codec: PayloadCodec | readonly PayloadCodec[]): PayloadCodec[] {
  return 'encode' in codec ? [codec] : [...codec];
}

/** `/encode`, `/decode`, or either under a prefix (`/{namespace}/decode`, a proxy's base path). */
function actionOf(url: string): 'encode' | 'decode' | undefined {
  const last = new URL(url, 'http://codec.invalid').pathname.split('/').filter(Boolean).at(-1);
  return last === 'encode' || last === 'decode' ? last : undefined;
}

function parseBody(text: string): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, `body must be {"payloads": [...]}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.payloads.map((payload, i) => {
    try {
      return temporal.api.common.v1.Payload.fromObject(payload);
    } catch (err) {
      throw new HttpError(400, `payloads[${i}] is not a Temporal payload: ${(err as Error).message}`);
    }
  });
}

function toJson(payload: Payload): Record<string, unknown> {
  const P = temporal.api.common.v1.Payload;
  return P.toObject(P.create(payload), { bytes: String, longs: String });
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new HttpError(413, `body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `body larger than ${limit} bytes`));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
