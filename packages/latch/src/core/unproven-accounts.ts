import type { AdapterUser } from "../adapters/types.js";
import type { RequestContext } from "./config.js";
import { signedInUser } from "./signed-in-user.js";

/**
 * Unlinks what may belong to a squatter from a user whose address was stored unverified and has
 * just been proven by an email sign-in: whoever linked those accounts never proved the address,
 * so they may be someone else's (pre-account hijacking, GHSA-qq9h-g4jm-xgf3). With
 * `listAccountsByUserId` (latch's adapters) every linked account but the email one is unlinked —
 * OAuth accounts too, which no provider vouched for, or the user would be verified already — and
 * the owner links them again once signed in; with `providerTokens`, the user's stored provider
 * tokens are deleted too. Auth.js adapters cannot list accounts: then only
 * passkeys are found (through their authenticators) and unlinked, and latch warns. Without
 * `unlinkAccount` nothing can be unlinked, and latch warns.
 *
 * @example
 * ```ts
 * if (stored.emailVerified == null) await unlinkUnprovenAccounts(ctx, stored.id);
 * ```
 */
export async function unlinkUnprovenAccounts(ctx: RequestContext, userId: string, options: { warn: boolean } = { warn: true }): Promise<void> {
  const { resolved } = ctx;
  const adapter = resolved.adapter;
  if (!adapter) return;
  const warn = (message: string) => options.warn && resolved.logger.warn(message);
  let linked: Array<{ provider: string; providerAccountId: string }>;
  if (adapter.listAccountsByUserId) {
    linked = (await adapter.listAccountsByUserId(userId)).filter((account) => account.type !== "email");
  } else {
    if (resolved.providers.some((p) => p.type === "oauth" || p.type === "oidc")) {
      warn("accounts-unverified: an unverified user's OAuth accounts stay linked after their address was proven: the adapter has no listAccountsByUserId");
    }
    linked = await linkedPasskeys(ctx, userId);
  }
  if (linked.length > 0) {
    if (!adapter.unlinkAccount) {
      warn("accounts-unverified: an unverified user's accounts and passkeys stay usable after their address was proven: the adapter has no unlinkAccount");
      return;
    }
    for (const { provider, providerAccountId } of linked) await adapter.unlinkAccount({ provider, providerAccountId });
  }
  // The unlinked accounts' tokens would let the app act, as this user, on the squatter's account
  // (post to it, sync to it). Deleted after the unlink, for every OAuth provider rather than those
  // just unlinked: a sign-in that stored tokens before the unlink has its tokens deleted here, one
  // after it is refused (confirmStillLinked), and a proof retried after a failure here still
  // deletes what the first attempt had unlinked.
  if (resolved.providerTokens && adapter.listAccountsByUserId) {
    const { store } = resolved.providerTokens;
    for (const provider of resolved.providers) {
      if (provider.type === "oauth" || provider.type === "oidc") await store.delete(userId, provider.id);
    }
  }
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

/**
 * For a sign-in through a linked account: a check that the account is still the user's, for
 * startSession to run once the session exists and before its cookie is sent. The owner of a user's
 * address may prove it (an email link) while a squatter's sign-in runs, which unlinks the
 * squatter's account and then ends the user's sessions. If the check still finds the link, the
 * session began before the unlink, so before those sessions were ended, and it ended with them;
 * if not, the sign-in is refused here. Asked whether the user was verified or not: the user read
 * at sign-in may postdate the proof even when the account read did not (a passkey's account and
 * user are two reads, and so are some adapters' getUserByAccount). Undefined when no proof can
 * come: no email provider is configured.
 *
 * @example
 * ```ts
 * const confirm = confirmStillLinked(ctx, user.id, async () => (await adapter.getUserByAccount(account))?.id, (m) => new OAuthAccountNotLinked(m));
 * ```
 */
export function confirmStillLinked(
  ctx: RequestContext,
  userId: string,
  ownerOf: () => Promise<string | null | undefined>,
  refuse: (message: string) => Error,
): (() => Promise<void>) | undefined {
  if (!ctx.resolved.providers.some((p) => p.type === "email")) return undefined;
  return async () => {
    if ((await ownerOf()) !== userId) throw refuse("This account was unlinked while signing in: the owner of the user's email address proved it. Sign in again.");
  };
}

/**
 * For an account just linked to the user signed in on this browser: a check, for startSession to
 * run once the new session exists, that the session which vouched for the link is still live. An
 * email proof of that user's address may have ended it meanwhile (a squatter's session, read
 * live, then the user read once verified): the link is undone and the sign-in refused. A link made
 * while that session was still live was made before the proof ended it, and the proof unlinks
 * again after ending sessions (email-callback.ts). Undefined when no proof can come: no email
 * provider is configured.
 *
 * @example
 * ```ts
 * const confirm = confirmStillSignedIn(ctx, action.cookies, user.id, adapter.getUser, () => adapter.unlinkAccount(account), (m) => new OAuthAccountNotLinked(m));
 * ```
 */
export function confirmStillSignedIn(
  ctx: RequestContext,
  cookies: Map<string, string>,
  userId: string,
  getUser: (id: string) => PromiseLike<AdapterUser | null> | AdapterUser | null,
  unlink: () => Promise<unknown>,
  refuse: (message: string) => Error,
): (() => Promise<void>) | undefined {
  if (!ctx.resolved.providers.some((p) => p.type === "email")) return undefined;
  return async () => {
    if ((await signedInUser(ctx, cookies, getUser))?.id === userId) return;
    await unlink();
    throw refuse("The session this account was being linked to has ended. Sign in again, then link it.");
  };
}

/**
 * For a sign-in that `authorize` vouched for (a password): a check, for startSession to run once
 * the session exists and before its cookie is sent, that the user's address was not proven since
 * `startedAt` (milliseconds), when the sign-in began. A squatter may have set that password on a
 * user stored unverified; the owner's email link, meanwhile, ends the user's sessions, marks the
 * address verified, and the app deletes the password in `events.signIn`. A password read before
 * then would sign the squatter in after it: refused here when the stored `emailVerified` is later
 * than the sign-in's start. Compared from the start of its second, since adapters may store whole
 * seconds; an owner who signs in with a password in the second their address was proven signs in
 * again. Undefined when no proof can come (no email provider configured) or no user can be read.
 *
 * @example
 * ```ts
 * const startedAt = Date.now();
 * const user = await provider.authorize(credentials, request);
 * const confirm = confirmNotProvenSince(ctx, String(user.id), startedAt, (m) => new CredentialsSignin(m));
 * ```
 */
export function confirmNotProvenSince(ctx: RequestContext, userId: string, startedAt: number, refuse: (message: string) => Error): (() => Promise<void>) | undefined {
  const { resolved } = ctx;
  const adapter = resolved.adapter;
  if (!resolved.providers.some((p) => p.type === "email") || !adapter?.getUser) return undefined;
  const getUser = adapter.getUser.bind(adapter);
  const since = Math.floor(startedAt / 1000) * 1000;
  return async () => {
    const verified = (await getUser(userId))?.emailVerified;
    // `!= null`: an adapter that stores no null property (a graph database) leaves it out.
    if (verified != null && new Date(verified).getTime() >= since) {
      throw refuse("The owner of this user's email address proved it while signing in: the sign-in is refused. Sign in again.");
    }
  };
}
