import type { Account, AccountClaims } from "oidc-provider";

/** Claims a test may pin for one login name instead of the derived defaults. */
export interface AccountOverrides {
  name?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
}

/**
 * The deterministic claims of a login name: every name signs in, so tests and
 * the demo need no user table, and the same name always yields the same profile.
 *
 * @example
 * accountClaims("alice", "http://127.0.0.1:4000")
 * // { sub: "alice", name: "Alice", email: "alice@example.test", email_verified: true, picture: "http://127.0.0.1:4000/avatar/alice.png" }
 */
export function accountClaims(login: string, issuer: string, overrides: AccountOverrides = {}): AccountClaims {
  return {
    sub: login,
    name: overrides.name ?? login.charAt(0).toUpperCase() + login.slice(1),
    email: overrides.email ?? `${login}@example.test`,
    email_verified: overrides.email_verified ?? true,
    picture: overrides.picture ?? `${issuer}/avatar/${encodeURIComponent(login)}.png`,
  };
}

/**
 * Builds oidc-provider's `findAccount`: any account id is accepted, because the
 * login page already accepted any name and oidc-provider looks the account up
 * again at the token and userinfo endpoints.
 */
export function createFindAccount(
  issuer: string,
  accounts: Readonly<Record<string, AccountOverrides>>,
): (ctx: unknown, sub: string) => Account {
  return (_ctx, sub) => ({
    accountId: sub,
    // oidc-provider filters the returned claims by the granted scopes itself.
    claims: () => accountClaims(sub, issuer, Object.hasOwn(accounts, sub) ? accounts[sub] : undefined),
  });
}
