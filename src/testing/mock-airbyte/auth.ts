import { randomBytes, randomUUID } from 'node:crypto';
import { badRequest, problem, type Reply } from './problems';
import type { MockAirbyteOptions, RecordedRequest } from './types';

// Client-credentials tokens (real clock expiry), static bearer tokens and basic auth.

export function authKind(header: string | undefined): RecordedRequest['auth'] {
  if (/^bearer /i.test(header ?? '')) return 'bearer';
  if (/^basic /i.test(header ?? '')) return 'basic';
  return 'none';
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class Authenticator {
  readonly credentials: { clientId: string; clientSecret: string } | undefined;
  private readonly ttlSeconds: number;
  private readonly issued = new Map<string, number>(); // token -> expiry (epoch ms)
  readonly history: string[] = []; // every token ever issued, so tests can check none leaked
  private readonly staticTokens: ReadonlySet<string>;
  private readonly basic?: string;
  private readonly open: boolean;

  constructor(auth: MockAirbyteOptions['auth'] = {}) {
    this.open = auth === 'none';
    const options = auth === 'none' ? {} : auth;
    this.credentials = this.open
      ? undefined
      : { clientId: options.clientId ?? randomUUID(), clientSecret: options.clientSecret ?? randomBytes(24).toString('base64url') };
    this.ttlSeconds = options.tokenTtlSeconds ?? 900;
    this.staticTokens = new Set(options.bearerTokens ?? []);
    if (options.basic) this.basic = `${options.basic.username}:${options.basic.password}`;
  }

  /** POST /applications/token with a JSON or form body. With auth 'none' any credentials get a token. */
  issue(body: unknown): Reply {
    if (typeof body !== 'object' || body === null) return badRequest('Expected client_id and client_secret.');
    const { client_id: clientId, client_secret: secret, grant_type: grantType } = body as Record<string, unknown>;
    if (typeof clientId !== 'string' || typeof secret !== 'string') return badRequest('client_id and client_secret are required.');
    if (grantType !== undefined && grantType !== 'client_credentials') return badRequest('grant_type must be client_credentials.');
    const { credentials } = this;
    if (credentials && (clientId !== credentials.clientId || secret !== credentials.clientSecret)) {
      return problem('invalid-api-key', { message: 'Invalid client credentials.' });
    }
    const expiresAt = Date.now() + this.ttlSeconds * 1000;
    // Shaped like a JWT (Airbyte issues JWTs) so clients that peek at `exp` work; the signature is random.
    const claims = { sub: clientId, exp: Math.floor(expiresAt / 1000) };
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.${randomBytes(16).toString('base64url')}`;
    this.issued.set(token, expiresAt);
    this.history.push(token);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds } };
  }

  allows(header: string | undefined): boolean {
    if (this.open) return true;
    const [scheme = '', value = ''] = (header ?? '').trim().split(/\s+/, 2);
    if (scheme.toLowerCase() === 'bearer') {
      const expiresAt = this.issued.get(value);
      return this.staticTokens.has(value) || (expiresAt !== undefined && Date.now() < expiresAt);
    }
    if (scheme.toLowerCase() === 'basic' && this.basic !== undefined) {
      return Buffer.from(value, 'base64').toString('utf8') === this.basic;
    }
    return false;
  }

  /** Every issued token stops working; static bearer tokens and basic auth are unaffected. */
  expireAll(): void {
    this.issued.clear();
  }
}
