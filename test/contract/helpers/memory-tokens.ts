/**
 * A one-process provider-token store for the consumer tests: the contract is about what goes over
 * HTTP, not about sharing tokens through PostgreSQL (test/integration/workday-shared-token.test.ts
 * proves that).
 */
import type { AccessToken, ProviderTokenStore } from '../../../src/tokens/token-store.ts';

export function memoryTokens(): ProviderTokenStore {
  let held: { token: AccessToken; refreshToken: string | null } | undefined;
  return {
    async get(_company, _provider, issue, options = {}) {
      if (held && held.token.accessToken !== options.rejected && held.token.expiresAt.getTime() > Date.now()) return held.token;
      const issued = await issue(held?.refreshToken ?? null);
      held = {
        token: { accessToken: issued.accessToken, tokenType: issued.tokenType, expiresAt: new Date(Date.now() + issued.expiresInSeconds * 1000) },
        refreshToken: issued.refreshToken ?? held?.refreshToken ?? null,
      };
      return held.token;
    },
    async reseal() {
      return { resealed: 0, unreadable: [] };
    },
  };
}
