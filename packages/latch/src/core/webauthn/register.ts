import type { AdapterAccount, AdapterUser } from "../../adapters/types.js";
import { WebAuthnVerificationError } from "../../errors.js";
import type { RequestContext } from "../config.js";
import { runEvent } from "../events.js";
import type { InternalWebAuthnProvider } from "../providers.js";
import { signedInUser } from "../signed-in-user.js";
import type { WebAuthnAdapter } from "./adapter.js";
import type { Registrant } from "./challenge.js";
import type { NewAuthenticator } from "./verify.js";

/** Who a new passkey goes to: a stored user (adding a passkey), or a new account's address. */
export type RegistrationTarget = { kind: "user"; user: AdapterUser } | { kind: "new"; email: string };

/**
 * Finds who a verified registration is for, checking again what the options route checked, since
 * time has passed: a passkey added to an account needs that same user still signed in on this
 * browser; a new account needs an address that still belongs to nobody (registering someone
 * else's address is never a way into their account).
 */
export async function registrationTarget(ctx: RequestContext, provider: InternalWebAuthnProvider, adapter: WebAuthnAdapter, registrant: Registrant | undefined, cookies: Map<string, string>): Promise<RegistrationTarget> {
  if (!registrant) throw new WebAuthnVerificationError("The passkey challenge names nobody to register the passkey for.");
  if (registrant.kind === "user") {
    const current = await signedInUser(ctx, cookies, adapter.getUser);
    if (!current || current.id !== registrant.userId) throw new WebAuthnVerificationError("The user who started adding this passkey is no longer signed in on this browser.");
    return { kind: "user", user: current };
  }
  if (!provider.registration) throw new WebAuthnVerificationError(`Creating accounts with "${provider.id}" is turned off.`);
  // Someone signed in on this browser since the options: a new account would silently replace them.
  if (await signedInUser(ctx, cookies, adapter.getUser)) {
    throw new WebAuthnVerificationError("Someone signed in on this browser after the new passkey account was started: to add a passkey to that account, start again.");
  }
  if (await adapter.getUserByEmail(registrant.email)) {
    throw new WebAuthnVerificationError("The address of the new passkey account already belongs to a user: sign in to that account, then add a passkey.");
  }
  return { kind: "new", email: registrant.email };
}

/**
 * Stores a verified passkey: creates the user when the passkey starts a new account (its address
 * unverified: `emailVerified: null`), links the `webauthn` account (providerAccountId = the
 * credential id) and stores the authenticator. A credential id that is already stored is refused.
 *
 * All or nothing: when a step fails, what the earlier ones stored is removed (the user created
 * here, with what cascades from it; or the account linked to an existing user), so a failed
 * registration never leaves a user without a passkey that claims the address. The failure is a
 * `WebAuthnVerificationError` (the user may try again), its cause in the log. The `createUser` and
 * `linkAccount` events run once everything is stored.
 */
export async function storePasskey(
  ctx: RequestContext,
  provider: InternalWebAuthnProvider,
  adapter: WebAuthnAdapter,
  target: RegistrationTarget,
  authenticator: NewAuthenticator,
): Promise<{ user: AdapterUser; account: AdapterAccount; isNewUser: boolean }> {
  const { resolved } = ctx;
  if (await adapter.getAuthenticator(authenticator.credentialID)) throw new WebAuthnVerificationError("This passkey is already registered.");
  let created: AdapterUser | undefined;
  let linked: AdapterAccount | undefined;
  try {
    let user: AdapterUser;
    if (target.kind === "user") {
      user = target.user;
    } else {
      user = await adapter.createUser({ id: crypto.randomUUID(), email: target.email, emailVerified: null, name: null, image: null });
      created = user;
    }
    const account: AdapterAccount = { userId: user.id, type: "webauthn", provider: provider.id, providerAccountId: authenticator.credentialID };
    await adapter.linkAccount(account);
    linked = account;
    await adapter.createAuthenticator({ ...authenticator, userId: user.id });
    if (created) await runEvent(resolved, "createUser", { user });
    await runEvent(resolved, "linkAccount", { user, account, profile: {} });
    return { user, account, isNewUser: created !== undefined };
  } catch (error) {
    await undoRegistration(ctx, created, linked);
    throw new WebAuthnVerificationError("The new passkey could not be stored, and nothing of it was kept: try again.", { cause: error });
  }
}

/**
 * Removes what a failed registration stored: the user it created (the adapter's `deleteUser`
 * removes their accounts and authenticators too), or else the account it linked to an existing
 * user. What cannot be removed is logged, so that it can be removed by hand.
 */
async function undoRegistration(ctx: RequestContext, created: AdapterUser | undefined, linked: AdapterAccount | undefined): Promise<void> {
  const { adapter, logger } = ctx.resolved;
  try {
    if (created) {
      if (!adapter?.deleteUser) throw new Error("the adapter has no deleteUser");
      await adapter.deleteUser(created.id);
    } else if (linked) {
      if (!adapter?.unlinkAccount) throw new Error("the adapter has no unlinkAccount");
      await adapter.unlinkAccount({ provider: linked.provider, providerAccountId: linked.providerAccountId });
    }
  } catch (error) {
    const what = created ? `the user ${created.id} it created` : `the account it linked to the user ${linked?.userId ?? ""}`;
    logger.error(new Error(`latch: a passkey registration failed, and ${what} could not be removed: remove it by hand.`, { cause: error }));
  }
}
