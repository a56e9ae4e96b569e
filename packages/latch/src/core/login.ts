import type { Adapter, AdapterAccount, AdapterUser } from "../adapters/types.js";
import { OAuthAccountNotLinked } from "../errors.js";
import type { Account, Profile, User } from "../types.js";
import type { RequestContext } from "./config.js";
import { runEvent } from "./events.js";
import type { InternalOAuthProvider } from "./providers.js";
import { signedInUser } from "./signed-in-user.js";

/** Who signed in: the stored user, and whether this sign-in created them. */
export interface LoginResult {
  user: AdapterUser;
  isNewUser: boolean;
  /** The account was just linked to the user signed in on this browser. */
  linkedToSignedIn?: boolean;
}

type LoginAdapter = Required<Pick<Adapter, "createUser" | "getUser" | "getUserByAccount" | "getUserByEmail" | "linkAccount">> & Pick<Adapter, "getSessionAndUser" | "updateUser">;

function loginAdapter(adapter: Adapter): LoginAdapter {
  if (!adapter.createUser || !adapter.getUser || !adapter.getUserByAccount || !adapter.getUserByEmail || !adapter.linkAccount) {
    throw new TypeError("latch: signing in with an adapter needs createUser, getUser, getUserByAccount, getUserByEmail and linkAccount");
  }
  return {
    createUser: adapter.createUser.bind(adapter),
    getUser: adapter.getUser.bind(adapter),
    getUserByAccount: adapter.getUserByAccount.bind(adapter),
    getUserByEmail: adapter.getUserByEmail.bind(adapter),
    linkAccount: adapter.linkAccount.bind(adapter),
    ...(adapter.getSessionAndUser ? { getSessionAndUser: adapter.getSessionAndUser.bind(adapter) } : {}),
    ...(adapter.updateUser ? { updateUser: adapter.updateUser.bind(adapter) } : {}),
  };
}

/** True when the provider vouches that `email` (the user's address) is the signed-in person's. */
function vouchedFor(provider: InternalOAuthProvider, profile: Profile, email: string | null | undefined): boolean {
  const vouched = provider.vouchedEmail(profile);
  return typeof email === "string" && vouched !== undefined && vouched.toLowerCase() === email.toLowerCase();
}

function toAdapterAccount(account: Account, userId: string): AdapterAccount {
  const { type } = account;
  if (type !== "oauth" && type !== "oidc" && type !== "email" && type !== "webauthn") throw new TypeError(`latch: accounts of type ${type} are not stored`);
  return { ...account, type, userId };
}

/**
 * Finds or creates the stored user for a provider account, keyed by (provider,
 * providerAccountId) — never by email (OIDC Core §5.7). A new account links to the user signed
 * in on this browser; an unknown account whose email belongs to an existing user is refused
 * (`OAuthAccountNotLinked`) unless the provider sets `allowDangerousEmailAccountLinking` and
 * vouches for that address (`vouchedEmail`).
 */
export async function loginWithAdapter(
  ctx: RequestContext,
  provider: InternalOAuthProvider,
  params: { user: User; account: Account; profile: Profile },
  cookies: Map<string, string>,
): Promise<LoginResult> {
  const { resolved } = ctx;
  const configured = resolved.adapter;
  if (!configured) throw new TypeError("latch: loginWithAdapter needs an adapter");
  const adapter = loginAdapter(configured);
  const { account, profile } = params;
  // The user signed in on this browser, if any — a live session, not a revoked or expired one:
  // linking a new account goes to them.
  const current = await signedInUser(ctx, cookies, (id) => adapter.getUser(id));
  const byAccount = await adapter.getUserByAccount({ provider: account.provider, providerAccountId: account.providerAccountId });
  if (byAccount) {
    if (current && current.id !== byAccount.id) throw new OAuthAccountNotLinked("This provider account is already linked to another user.");
    // A user stored before their provider's word counted (or linked first, then proven here):
    // the account already signs them in, and now vouches for their address too.
    if (byAccount.emailVerified == null && adapter.updateUser && vouchedFor(provider, profile, byAccount.email)) {
      const user = await adapter.updateUser({ id: byAccount.id, emailVerified: new Date() });
      await runEvent(resolved, "updateUser", { user });
      return { user, isNewUser: false };
    }
    return { user: byAccount, isNewUser: false };
  }
  if (current) {
    // A user stored with an address nobody proved (a passkey sign-up, say) may be a squatter's:
    // the address's owner can take the user over later with an email link, and an account linked
    // now would still sign the squatter in (pre-account hijacking). Linking waits for the proof.
    if (current.email && current.emailVerified == null && resolved.providers.some((p) => p.type === "email")) {
      throw new OAuthAccountNotLinked("Confirm your email address before linking another account: sign in with the link sent to it, then link this provider.");
    }
    await adapter.linkAccount(toAdapterAccount(account, current.id));
    await runEvent(resolved, "linkAccount", { user: current, account, profile });
    return { user: current, isNewUser: false, linkedToSignedIn: true };
  }
  const email = params.user.email ?? null;
  const byEmail = email ? await adapter.getUserByEmail(email) : null;
  if (byEmail) {
    if (!provider.allowDangerousEmailAccountLinking) {
      throw new OAuthAccountNotLinked("Another account already uses this email address: sign in with the provider you used before, then link this one.");
    }
    // Trusting a provider with addresses means trusting what it vouches for, not every address a
    // profile shows: GitHub displays public addresses it lists as unverified, an OpenID provider
    // may send `email` with `email_verified: false`. Linking on those hands the user to whoever
    // typed the address there.
    if (!vouchedFor(provider, profile, email)) {
      throw new OAuthAccountNotLinked("Another account already uses this email address, which this provider does not confirm is yours: sign in the way you did before, then link this one.");
    }
    // Linking by address hands the user over to whoever holds the address here; a user whose
    // address nobody proved may be a squatter's, whose passkeys and accounts would stay linked.
    if (byEmail.emailVerified == null) {
      throw new OAuthAccountNotLinked("Another account uses this email address, which it never confirmed: sign in the way you did before (or with a link sent to the address), then link this one.");
    }
    await adapter.linkAccount(toAdapterAccount(account, byEmail.id));
    await runEvent(resolved, "linkAccount", { user: byEmail, account, profile });
    return { user: byEmail, isNewUser: false };
  }
  const created = await adapter.createUser({
    id: crypto.randomUUID(),
    name: params.user.name ?? null,
    // Auth.js's type says string, but a provider may give no email; adapters store null.
    email: email as string,
    image: params.user.image ?? null,
    emailVerified: vouchedFor(provider, profile, email) ? new Date() : null,
  });
  await runEvent(resolved, "createUser", { user: created });
  await adapter.linkAccount(toAdapterAccount(account, created.id));
  await runEvent(resolved, "linkAccount", { user: created, account, profile });
  return { user: created, isNewUser: true };
}
