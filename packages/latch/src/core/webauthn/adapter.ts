import type { Adapter } from "../../adapters/types.js";
import type { RequestContext } from "../config.js";

/** The adapter methods passkeys use (checked by `resolveConfig`), bound. */
export type WebAuthnAdapter = Required<
  Pick<
    Adapter,
    | "getUser"
    | "getUserByEmail"
    | "createUser"
    | "linkAccount"
    | "getAccount"
    | "getAuthenticator"
    | "createAuthenticator"
    | "listAuthenticatorsByUserId"
    | "updateAuthenticatorCounter"
  >
>;

/** The configured adapter's passkey methods; throws when one is missing (the config check prevents that). */
export function webAuthnAdapter(ctx: RequestContext): WebAuthnAdapter {
  const a = ctx.resolved.adapter;
  if (
    !a?.getUser ||
    !a.getUserByEmail ||
    !a.createUser ||
    !a.linkAccount ||
    !a.getAccount ||
    !a.getAuthenticator ||
    !a.createAuthenticator ||
    !a.listAuthenticatorsByUserId ||
    !a.updateAuthenticatorCounter
  ) {
    throw new TypeError("latch: passkeys need an adapter with the user, account and authenticator methods");
  }
  return {
    getUser: a.getUser.bind(a),
    getUserByEmail: a.getUserByEmail.bind(a),
    createUser: a.createUser.bind(a),
    linkAccount: a.linkAccount.bind(a),
    getAccount: a.getAccount.bind(a),
    getAuthenticator: a.getAuthenticator.bind(a),
    createAuthenticator: a.createAuthenticator.bind(a),
    listAuthenticatorsByUserId: a.listAuthenticatorsByUserId.bind(a),
    updateAuthenticatorCounter: a.updateAuthenticatorCounter.bind(a),
  };
}
