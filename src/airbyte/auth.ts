import type { AxiosInstance } from 'axios';
import type { AirbyteAuth } from './config';
import { AirbyteApiError } from './errors';
import { tokenSchema } from './schemas';

/** Supplies the Authorization header; `invalidate` drops a cached token after a 401. */
export interface Authenticator {
  header(): Promise<string | undefined>;
  /** Whether a 401 is worth one retry with fresh credentials. */
  readonly refreshable: boolean;
  invalidate(): void;
}

export function createAuthenticator(auth: AirbyteAuth, http: AxiosInstance, now: () => number = Date.now): Authenticator {
  switch (auth.type) {
    case 'clientCredentials':
      return new ClientCredentialsAuthenticator(auth.clientId, auth.clientSecret, http, now);
    case 'bearer':
      return staticHeader(`Bearer ${auth.token}`);
    case 'basic':
      return staticHeader(`Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`);
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
    private readonly http: AxiosInstance,
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
    let response;
    try {
      response = await this.http.post(
        '/applications/token',
        { client_id: this.clientId, client_secret: this.clientSecret, grant_type: 'client_credentials' },
        { validateStatus: () => true },
      );
    } catch (err) {
      throw new AirbyteApiError({ kind: 'network', endpoint, retryable: true, reason: (err as { code?: string }).code ?? 'no response' });
    }
    if (response.status !== 200) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new AirbyteApiError({
        kind: 'http',
        endpoint,
        status: response.status,
        retryable,
        reason: retryable ? 'token request failed' : 'the client credentials were rejected (check the client id and secret)',
      });
    }
    const parsed = tokenSchema.safeParse(response.data);
    if (!parsed.success) {
      throw new AirbyteApiError({ kind: 'invalid-response', endpoint, retryable: false, reason: 'no access_token in the token response' });
    }
    const lifetimeS = parsed.data.expires_in ?? DEFAULT_EXPIRES_IN_S;
    // Renew about a minute early (a quarter of the lifetime for short-lived tokens), so no call carries a token that expires in flight.
    const marginS = Math.min(60, lifetimeS / 4);
    this.token = { value: parsed.data.access_token, renewAt: requestedAt + (lifetimeS - marginS) * 1000 };
    return parsed.data.access_token;
  }
}
