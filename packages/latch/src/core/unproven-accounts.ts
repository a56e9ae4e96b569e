import type { RequestContext } from "./config.js";

/**
 * Unlinks what may belong to a squatter from a user whose address was stored unverified and has
 * just been proven by an email sign-in: whoever linked those accounts never proved the address,
 * so they may be someone else's (pre-account hijacking, GHSA-qq9h-g4jm-xgf3). With
 * `listAccountsByUserId` (latch's adapters) every linked account but the email one is unlinked —
 * OAuth accounts too, which no provider vouched for, or the user would be verified already — and
 * the owner links them again once signed in. Auth.js adapters cannot list accounts: then only
 * passkeys are found (through their authenticators) and unlinked, and latch warns. Without
 * `unlinkAccount` nothing can be unlinked, and latch warns.
 *
 * @example
 * ```ts
 * if (stored.emailVerified === null) await unlinkUnprovenAccounts(ctx, stored.id);
 * ```
 */
export async function unlinkUnprovenAccounts(ctx: RequestContext, userId: string): Promise<void> {
  const { resolved } = ctx;
  const adapter = resolved.adapter;
  if (!adapter) return;
  let linked: Array<{ provider: string; providerAccountId: string }>;
  if (adapter.listAccountsByUserId) {
    linked = (await adapter.listAccountsByUserId(userId)).filter((account) => account.type !== "email");
  } else {
    if (resolved.providers.some((p) => p.type === "oauth" || p.type === "oidc")) {
      resolved.logger.warn("accounts-unverified: an unverified user's OAuth accounts stay linked after their address was proven: the adapter has no listAccountsByUserId");
    }
    linked = await linkedPasskeys(ctx, userId);
  }
  if (linked.length === 0) return;
  if (!adapter.unlinkAccount) {
    resolved.logger.warn("accounts-unverified: an unverified user's accounts and passkeys stay usable after their address was proven: the adapter has no unlinkAccount");
    return;
  }
  for (const { provider, providerAccountId } of linked) await adapter.unlinkAccount({ provider, providerAccountId });
}

/** The user's passkey accounts, found through their authenticators (for adapters that cannot list accounts). */
async function linkedPasskeys(ctx: RequestContext, userId: string): Promise<Array<{ provider: string; providerAccountId: string }>> {
  const { resolved } = ctx;
  const providers = resolved.providers.filter((p) => p.type === "webauthn");
  const adapter = resolved.adapter;
  if (providers.length === 0 || !adapter?.listAuthenticatorsByUserId || !adapter.getAccount) return [];
  const found: Array<{ provider: string; providerAccountId: string }> = [];
  for (const { providerAccountId } of await adapter.listAuthenticatorsByUserId(userId)) {
    for (const provider of providers) {
      const account = await adapter.getAccount(providerAccountId, provider.id);
      if (account?.userId === userId) found.push({ provider: provider.id, providerAccountId });
    }
  }
  return found;
}
