import { TokenIssuer, parseBasicAuth, parseBearer, parseFormBody, secretEquals } from '../common/oauth.ts';
import type { SimRequest, SimResponse, SimRoute } from '../common/router.ts';

/**
 * Benevity's OAuth2 client-credentials flow: `POST /oauth2/token` with HTTP Basic client auth and a
 * form body, answering an opaque bearer token that every `/v1` route requires.
 */
export const BENEVITY_TOKEN_PATH = '/oauth2/token';

export interface BenevityAuthOptions {
  /** client id → client secret. */
  readonly clients: ReadonlyMap<string, string>;
  readonly tokenTtlSeconds: number;
  readonly now: () => number;
}

export interface BenevityAuth {
  readonly tokenRoute: SimRoute;
  readonly issuer: TokenIssuer;
  /** Refuses a missing, unknown, expired or revoked bearer token with 401 `invalid_token`. */
  guard(request: SimRequest): SimResponse | undefined;
  /** The client the (already verified) bearer token belongs to. */
  clientOf(request: SimRequest): string;
}

function oauthError(status: number, error: string, description: string, headers?: Record<string, string>): SimResponse {
  return { status, body: { error, error_description: description }, ...(headers === undefined ? {} : { headers }) };
}

export function createBenevityAuth(options: BenevityAuthOptions, routeName: string): BenevityAuth {
  const issuer = new TokenIssuer({ ttlSeconds: options.tokenTtlSeconds, now: options.now });

  const token = (request: SimRequest): SimResponse => {
    const credentials = parseBasicAuth(request.headers);
    const secret = credentials === undefined ? undefined : options.clients.get(credentials.clientId);
    if (credentials === undefined || secret === undefined || !secretEquals(secret, credentials.clientSecret)) {
      const reason = credentials === undefined ? 'HTTP Basic client authentication is required' : 'unknown client';
      return oauthError(401, 'invalid_client', reason, { 'www-authenticate': 'Basic realm="benevity"' });
    }
    const form = parseFormBody(request.rawBody, request.headers['content-type']);
    if (form === undefined) {
      return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
    }
    const issued = issuer.issue(credentials.clientId);
    return {
      status: 200,
      body: { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresInSeconds },
      headers: { 'cache-control': 'no-store' },
    };
  };

  // The client a request authenticated as, remembered by the guard: the clock may pass the token's
  // expiry between the guard and the handler, and the handler must not fail then.
  const authenticated = new WeakMap<SimRequest, string>();

  const guard = (request: SimRequest): SimResponse | undefined => {
    const bearer = parseBearer(request.headers);
    const client = issuer.verify(bearer);
    if (client !== undefined) {
      authenticated.set(request, client);
      return undefined;
    }
    const reason = bearer === undefined ? 'a bearer token is required' : 'the access token is invalid or expired';
    return {
      status: 401,
      body: { error: 'invalid_token', message: reason },
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    };
  };

  const clientOf = (request: SimRequest): string => {
    const client = authenticated.get(request);
    // The guard runs first and refuses bad tokens, so this is a programming error.
    if (client === undefined) throw new Error('request reached a Benevity handler without a valid token');
    return client;
  };

  return {
    tokenRoute: { name: routeName, method: 'POST', path: BENEVITY_TOKEN_PATH, accepts: 'any', handler: token },
    issuer,
    guard,
    clientOf,
  };
}
