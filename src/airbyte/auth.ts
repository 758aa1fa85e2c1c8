import type { AirbyteAuth } from './config';
import { AirbyteApiError } from './errors';
import { errorBodySchema, tokenSchema } from './schemas';
import type { HttpTransport } from './transport';

/** Supplies the Authorization header; `invalidate` drops a cached token after a 401. */
export interface Authenticator {
  header(): Promise<string | undefined>;
  /** Whether a 401 is worth one retry with fresh credentials. */
  readonly refreshable: boolean;
  invalidate(): void;
}

export interface AuthenticatorOptions {
  /** Where client credentials are exchanged for a token (absolute). */
  tokenUrl: string;
  now?: () => number;
}

/** The value of a basic-auth Authorization header, without the scheme: itself a secret (the redactor knows it). */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/**
 * The authenticator of one auth mode. The token request goes through `transport`, so it follows no redirect
 * (the client secret is posted to `tokenUrl` and nowhere else), and every token it is issued is added to the
 * transport's redactor.
 */
export function createAuthenticator(auth: AirbyteAuth, transport: HttpTransport, options: AuthenticatorOptions): Authenticator {
  switch (auth.type) {
    case 'clientCredentials':
      return new ClientCredentialsAuthenticator(auth.clientId, auth.clientSecret, transport, options.tokenUrl, options.now ?? Date.now);
    case 'bearer':
      return staticHeader(`Bearer ${auth.token}`);
    case 'basic':
      return staticHeader(`Basic ${basicCredentials(auth.username, auth.password)}`);
    case 'none':
      return staticHeader(undefined);
  }
}

function staticHeader(value: string | undefined): Authenticator {
  return { header: () => Promise.resolve(value), refreshable: false, invalidate: () => undefined };
}

const DEFAULT_EXPIRES_IN_S = 180; // the shortest lifetime Airbyte has documented, if a server omits expires_in

/**
 * OAuth client credentials against `POST /applications/token`. One token is shared by all calls and
 * renewed shortly before `expires_in` runs out; concurrent callers wait on the same token request.
 */
class ClientCredentialsAuthenticator implements Authenticator {
  readonly refreshable = true;
  private token?: { value: string; renewAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly transport: HttpTransport,
    private readonly tokenUrl: string,
    private readonly now: () => number,
  ) {}

  async header(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return `Bearer ${this.token.value}`;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return `Bearer ${await this.pending}`;
  }

  invalidate(): void {
    this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const endpoint = 'POST /applications/token';
    const requestedAt = this.now();
    const response = await this.transport.exchange({
      endpoint,
      method: 'POST',
      url: this.tokenUrl,
      data: { client_id: this.clientId, client_secret: this.clientSecret, grant_type: 'client_credentials' },
      idempotent: true,
    });
    if (response.status !== 200) {
      const retryable = response.status === 429 || response.status >= 500;
      const said = this.transport.redactor.scrub(upstreamMessage(response.data));
      const reason = retryable ? 'token request failed' : 'the client credentials were rejected (check the client id and secret)';
      throw new AirbyteApiError({ kind: 'http', endpoint, status: response.status, retryable, reason: said ? `${reason}; the server said: ${said}` : reason });
    }
    const parsed = tokenSchema.safeParse(response.data);
    if (!parsed.success) {
      throw new AirbyteApiError({ kind: 'invalid-response', endpoint, retryable: false, reason: 'no access_token in the token response' });
    }
    this.transport.redactor.addIssued(parsed.data.access_token);
    const lifetimeS = parsed.data.expires_in ?? DEFAULT_EXPIRES_IN_S;
    // Renew about a minute early (a quarter of the lifetime for short-lived tokens), so no call carries a token that expires in flight.
    const marginS = Math.min(60, lifetimeS / 4);
    this.token = { value: parsed.data.access_token, renewAt: requestedAt + (lifetimeS - marginS) * 1000 };
    return parsed.data.access_token;
  }
}

/** The message of an error body (problem details or `{message}`), unscrubbed: the caller scrubs it. */
function upstreamMessage(body: unknown): string | undefined {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  return parsed.data.data?.message ?? parsed.data.detail ?? parsed.data.message ?? parsed.data.title;
}

/** The configured secret values of an auth mode, for the redactor (issued tokens are added as they come). */
export function secretsOf(auth: AirbyteAuth): string[] {
  switch (auth.type) {
    case 'clientCredentials':
      return [auth.clientSecret];
    case 'bearer':
      return [auth.token];
    case 'basic':
      return [auth.password, basicCredentials(auth.username, auth.password)];
    case 'none':
      return [];
  }
}
