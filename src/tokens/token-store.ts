/**
 * The provider-token port: OAuth access tokens per (company, provider), shared by every instance.
 * A caller asks for a live token and says how to issue one; the store decides whether the stored
 * token will do or a refresh is due, and makes sure only one instance refreshes at a time.
 *
 * Errors: whatever `issue` throws passes through unchanged (the connector classifies its token
 * endpoint); a stored token that cannot be opened (key missing, ciphertext tampered with, row
 * moved to another id) is CONFIG_INVALID, retryable once the operator fixes it — never a garbage
 * token; the store's own database failing is DEPENDENCY_UNAVAILABLE (nothing was sent).
 */

/** A token as the platform's token endpoint issued it. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresInSeconds: number;
  /** A rotated refresh token, when the endpoint returned one (it replaces the stored one). */
  readonly refreshToken?: string;
}

/** Calls the token endpoint. `storedRefreshToken` is the last refresh token the store kept. */
export type IssueToken = (storedRefreshToken: string | null) => Promise<IssuedToken>;

export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresAt: Date;
}

export interface ProviderTokenStore {
  /**
   * A live access token: from this process's cache, else PostgreSQL, else `issue` (under a lock
   * one instance holds at a time; the others then read what it stored). `rejected` is a token the
   * platform just refused with 401: it is not returned again — refreshed unless another instance
   * already replaced it.
   */
  get(companyId: string, provider: string, issue: IssueToken, options?: { readonly rejected?: string }): Promise<AccessToken>;
  /**
   * Re-seals every stored token under the current key (after a key rotation). A token that does
   * not open is left as it is and named in the report; every other one is re-sealed.
   */
  reseal(): Promise<ResealReport>;
}

/** What a re-seal after a key rotation did. */
export interface ResealReport {
  readonly resealed: number;
  /** Rows that did not open (key not configured, altered, moved), as `owner/platform`: left as they were. */
  readonly unreadable: readonly string[];
}

/** What the refresh rule needs to know of a held token. */
export interface HeldToken {
  readonly token: AccessToken;
  /** The lifetime the token was issued for. */
  readonly issuedForMs: number;
}

/**
 * Whether a held token may still be used: not the one the platform just refused, and not within
 * the refresh margin of its expiry. The margin is capped at a tenth of the token's lifetime, so a
 * short-lived token is not refreshed on every call. Pure.
 */
export function isUsable(held: HeldToken, refreshMarginMs: number, nowMs: number, rejected?: string): boolean {
  if (rejected !== undefined && held.token.accessToken === rejected) return false;
  const margin = Math.min(refreshMarginMs, held.issuedForMs / 10);
  return held.token.expiresAt.getTime() - nowMs > margin;
}
