/**
 * The provider-token port: OAuth access tokens per (company, provider), shared by every instance.
 * A caller asks for a live token and says how to issue one; the store decides whether the stored
 * token will do or a refresh is due, and makes sure only one instance refreshes at a time.
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
  /** Re-seals every stored token under the current key (after a key rotation); returns the count. */
  reseal(): Promise<number>;
}
