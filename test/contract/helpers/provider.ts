/** What the provider verifications share. */

/** The named parameters of a provider state, failing clearly when the pact lacks one. */
export function stateParams(params: unknown, names: readonly string[]): Record<string, unknown> {
  const values = (params ?? {}) as Record<string, unknown>;
  for (const name of names) {
    if (values[name] === undefined) throw new Error(`provider state parameter '${name}' is missing from the pact`);
  }
  return values;
}

/**
 * Pact's verification proxy parses a form body into an object and would forward it re-encoded as
 * JSON under the form's content type (@pact-foundation/pact 17, proxy/parseBody.js): put the form
 * encoding back, so the provider sees the bytes the pact holds. Used in a request filter.
 */
export function restoreFormBody(req: { headers: Record<string, string | string[] | undefined>; body?: unknown }): void {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/x-www-form-urlencoded') || req.body === null || typeof req.body !== 'object' || Buffer.isBuffer(req.body)) return;
  const encoded = new URLSearchParams(req.body as Record<string, string>).toString();
  req.body = Buffer.from(encoded);
  req.headers['content-length'] = String(Buffer.byteLength(encoded));
}

interface FilterRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/**
 * The request filter of an OAuth provider's verification: an access token is only valid where it
 * was issued, so the pact's example bearer token is replaced by `token()` (one the provider issued,
 * or a revoked one for the 401 states); form bodies are put back as the pact holds them.
 */
export function swapBearer(token: () => Promise<string>) {
  return (req: FilterRequest, _res: unknown, next: (error?: unknown) => void): void => {
    restoreFormBody(req);
    if (!/^Bearer /.test(String(req.headers['authorization'] ?? ''))) return next();
    token().then(
      (value) => {
        req.headers['authorization'] = `Bearer ${value}`;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/** A value as the JSON a provider state's parameters hold. */
export function asJson(value: unknown): Record<string, never> {
  return JSON.parse(JSON.stringify(value)) as Record<string, never>;
}
