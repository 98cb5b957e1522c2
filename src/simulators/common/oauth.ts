import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Client credentials from an `Authorization: Basic base64(id:secret)` header. */
export interface BasicCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Parses HTTP Basic client authentication; undefined when absent or malformed. */
export function parseBasicAuth(headers: IncomingHttpHeaders): BasicCredentials | undefined {
  const header = headers.authorization;
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator <= 0) return undefined;
  return { clientId: decoded.slice(0, separator), clientSecret: decoded.slice(separator + 1) };
}

/** Compares a secret in constant time (for equal lengths); false for a missing value. */
export function secretEquals(expected: string, actual: string | null | undefined): boolean {
  if (actual === null || actual === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent. */
export function parseBearer(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/**
 * Parses an `application/x-www-form-urlencoded` body (OAuth token requests). Undefined when the
 * request has another content type, so the caller can answer `invalid_request`.
 */
export function parseFormBody(raw: Buffer, contentType: string | undefined): URLSearchParams | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  return new URLSearchParams(raw.toString('utf8'));
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

export interface TokenIssuerOptions {
  /** Lifetime of every token issued. */
  readonly ttlSeconds: number;
  /** Clock in epoch ms; expiry follows it, so a test can jump past it. */
  readonly now: () => number;
}

/** What a token issuer reports: tokens issued in total and per subject (client or tenant). */
export interface TokenStats {
  readonly issued: number;
  readonly bySubject: Record<string, number>;
  /** Tokens issued and neither expired nor revoked. */
  readonly active: number;
  /** Times `revokeAll()` ran. */
  readonly revocations: number;
}

/**
 * Opaque bearer tokens bound to a subject (a client id, a tenant), valid until `ttlSeconds` after
 * issue by the injected clock, or until `revokeAll()`. Enough to test "reuse until expiry, refresh
 * once on 401".
 */
export class TokenIssuer {
  readonly #ttlSeconds: number;
  readonly #now: () => number;
  #tokens = new Map<string, { readonly subject: string; readonly expiresAtMs: number }>();
  #issued = new Map<string, number>();
  #revocations = 0;

  constructor(options: TokenIssuerOptions) {
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1) {
      throw new RangeError(`token TTL must be a positive integer of seconds, got ${options.ttlSeconds}`);
    }
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now;
  }

  issue(subject: string): IssuedToken {
    const accessToken = randomBytes(24).toString('base64url');
    this.#tokens.set(accessToken, { subject, expiresAtMs: this.#now() + this.#ttlSeconds * 1000 });
    this.#issued.set(subject, (this.#issued.get(subject) ?? 0) + 1);
    return { accessToken, expiresInSeconds: this.#ttlSeconds };
  }

  /** The subject of a known, unexpired token; undefined otherwise. */
  verify(token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    const entry = this.#tokens.get(token);
    if (entry === undefined) return undefined;
    if (this.#now() >= entry.expiresAtMs) {
      this.#tokens.delete(token);
      return undefined;
    }
    return entry.subject;
  }

  /** Invalidates every token issued so far; returns how many were still valid. */
  revokeAll(): number {
    const now = this.#now();
    const active = [...this.#tokens.values()].filter((entry) => now < entry.expiresAtMs).length;
    this.#tokens = new Map();
    this.#revocations += 1;
    return active;
  }

  stats(): TokenStats {
    const now = this.#now();
    return {
      issued: [...this.#issued.values()].reduce((sum, n) => sum + n, 0),
      bySubject: Object.fromEntries(this.#issued),
      active: [...this.#tokens.values()].filter((entry) => now < entry.expiresAtMs).length,
      revocations: this.#revocations,
    };
  }

  /** Clears the counters; issued tokens stay valid (a reset between tests is not a revocation). */
  resetStats(): void {
    this.#issued = new Map();
    this.#revocations = 0;
  }
}
