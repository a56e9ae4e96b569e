import type { RequestContext } from "../config.js";

/**
 * Disables the passkeys of a user whose address was stored unverified and has just been proven
 * by an email sign-in: whoever registered them never proved the address, so they may be someone
 * else's (pre-account hijacking, GHSA-qq9h-g4jm-xgf3). Their `webauthn` accounts are unlinked, so
 * the passkeys no longer sign in; the owner adds a passkey again once signed in. Without
 * `unlinkAccount` in the adapter they stay usable, and latch warns.
 *
 * @example
 * ```ts
 * if (stored.emailVerified === null) await unlinkUnverifiedPasskeys(ctx, stored.id);
 * ```
 */
export async function unlinkUnverifiedPasskeys(ctx: RequestContext, userId: string): Promise<void> {
  const { resolved } = ctx;
  const providers = resolved.providers.filter((p) => p.type === "webauthn");
  const adapter = resolved.adapter;
  if (providers.length === 0 || !adapter?.listAuthenticatorsByUserId || !adapter.getAccount) return;
  const authenticators = await adapter.listAuthenticatorsByUserId(userId);
  if (authenticators.length === 0) return;
  if (!adapter.unlinkAccount) {
    resolved.logger.warn("passkeys-unverified: an unverified user's passkeys stay usable after their address was proven: the adapter has no unlinkAccount");
    return;
  }
  for (const { providerAccountId } of authenticators) {
    for (const provider of providers) {
      const account = await adapter.getAccount(providerAccountId, provider.id);
      if (account?.userId === userId) await adapter.unlinkAccount({ provider: provider.id, providerAccountId });
    }
  }
}
