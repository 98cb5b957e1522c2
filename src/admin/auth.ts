/**
 * Bearer tokens with scopes. Only the SHA-256 of each token is configured (ADMIN_TOKENS); a
 * presented token is hashed and compared with every configured hash in constant time (no early
 * exit, so the time taken says nothing about which or how much matched). `operate` includes
 * `read`. No token — nor its hash — is ever logged or returned.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminToken } from '../config/config.ts';

export type Scope = 'read' | 'operate';

export type AuthResult =
  | { readonly ok: true; readonly name: string; readonly scope: Scope }
  | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function authenticate(tokens: readonly AdminToken[], authorization: string | undefined, needed: Scope): AuthResult {
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization ?? '');
  if (!match) return { ok: false, status: 401, message: 'a bearer token is required (Authorization: Bearer <token>)' };
  const presented = createHash('sha256').update(match[1]!, 'utf8').digest();
  let found: AdminToken | null = null;
  for (const token of tokens) {
    const equal = timingSafeEqual(presented, token.sha256);
    if (equal && found === null) found = token;
  }
  if (!found) return { ok: false, status: 401, message: 'the bearer token is not valid' };
  if (needed === 'operate' && found.scope !== 'operate') {
    return { ok: false, status: 403, message: `token "${found.name}" has scope read; this call needs operate` };
  }
  return { ok: true, name: found.name, scope: found.scope };
}
