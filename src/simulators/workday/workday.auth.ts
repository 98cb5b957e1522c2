import { TokenIssuer, parseBasicAuth, parseBearer, parseFormBody, secretEquals as equal } from '../common/oauth.ts';
import type { SimRequest, SimResponse, SimRoute } from '../common/router.ts';

/**
 * Workday's per-tenant OAuth2: `POST /ccx/oauth2/{tenant}/token` with HTTP Basic client auth and a
 * refresh-token grant (client credentials as an option). Tokens are tenant-scoped: a token of
 * tenant A on tenant B's path is refused.
 */
export const WORKDAY_TOKEN_PATH = '/ccx/oauth2/:tenant/token';

/** One tenant's API client registration. */
export interface WorkdayTenantCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
}

export interface WorkdayAuthOptions {
  readonly tenants: ReadonlyMap<string, WorkdayTenantCredentials>;
  readonly allowClientCredentials: boolean;
  readonly tokenTtlSeconds: number;
  readonly now: () => number;
}

export interface WorkdayAuth {
  readonly tokenRoute: SimRoute;
  /** Subjects are tenants: `stats().bySubject` counts tokens issued per tenant. */
  readonly issuer: TokenIssuer;
  /** 401 `invalid_token` unless the bearer token is live and issued for the path's tenant. */
  guard(request: SimRequest): SimResponse | undefined;
}

function oauthError(status: number, error: string, description: string, headers?: Record<string, string>): SimResponse {
  return { status, body: { error, error_description: description }, ...(headers === undefined ? {} : { headers }) };
}

export function createWorkdayAuth(options: WorkdayAuthOptions, routeName: string): WorkdayAuth {
  const issuer = new TokenIssuer({ ttlSeconds: options.tokenTtlSeconds, now: options.now });

  const token = (request: SimRequest): SimResponse => {
    const tenant = request.params['tenant'] ?? '';
    const registration = options.tenants.get(tenant);
    const credentials = parseBasicAuth(request.headers);
    if (
      credentials === undefined ||
      registration === undefined ||
      !equal(registration.clientId, credentials.clientId) ||
      !equal(registration.clientSecret, credentials.clientSecret)
    ) {
      const reason = credentials === undefined ? 'HTTP Basic client authentication is required' : 'unknown client';
      return oauthError(401, 'invalid_client', reason, { 'www-authenticate': 'Basic realm="workday"' });
    }
    const form = parseFormBody(request.rawBody, request.headers['content-type']);
    if (form === undefined) {
      return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const grantType = form.get('grant_type');
    if (grantType === 'refresh_token') {
      if (!equal(registration.refreshToken, form.get('refresh_token'))) {
        return oauthError(400, 'invalid_grant', 'the refresh token is invalid');
      }
    } else if (grantType !== 'client_credentials' || !options.allowClientCredentials) {
      return oauthError(400, 'unsupported_grant_type', 'use grant_type=refresh_token');
    }
    const issued = issuer.issue(tenant);
    const body = {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresInSeconds,
      // The refresh token does not rotate; a client-credentials grant gets none (RFC 6749 §4.4.3).
      ...(grantType === 'refresh_token' ? { refresh_token: registration.refreshToken } : {}),
    };
    return { status: 200, body, headers: { 'cache-control': 'no-store' } };
  };

  const guard = (request: SimRequest): SimResponse | undefined => {
    const bearer = parseBearer(request.headers);
    const tenant = issuer.verify(bearer);
    if (tenant !== undefined && tenant === request.params['tenant']) return undefined;
    const reason =
      bearer === undefined
        ? 'a bearer token is required'
        : tenant === undefined
          ? 'the access token is invalid or expired'
          : 'the access token was issued for another tenant';
    return {
      status: 401,
      body: { error: 'invalid_token', message: reason },
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    };
  };

  return {
    tokenRoute: { name: routeName, method: 'POST', path: WORKDAY_TOKEN_PATH, accepts: 'any', handler: token },
    issuer,
    guard,
  };
}
