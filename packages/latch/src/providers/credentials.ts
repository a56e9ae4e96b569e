import type { CredentialInput, CredentialsConfig, CredentialsUserConfig } from "../types.js";

export type { CredentialInput, CredentialsConfig, CredentialsUserConfig };

/**
 * Sign-in with fields your app checks itself: `authorize` returns the user or `null`.
 *
 * latch requires the CSRF token on this route, answers an unknown user and a wrong password the
 * same way, throttles guessing per account and per client address (429 with `Retry-After`), and
 * — unlike Auth.js — works with database sessions: with an adapter, `authorize` returns a user
 * the adapter stores and latch creates a session row for them.
 *
 * @example
 * ```ts
 * import Credentials from "latch/providers/credentials";
 * import { verifyPassword } from "latch/password";
 *
 * Credentials({
 *   credentials: {
 *     email: { label: "Email", type: "email", autocomplete: "username" },
 *     password: { label: "Password", type: "password", autocomplete: "current-password" },
 *   },
 *   async authorize({ email, password }) {
 *     const user = await db.findUserByEmail(String(email));
 *     // Unknown users still pay for one hash: same answer, same time.
 *     return (await verifyPassword(String(password), user?.passwordHash)) ? user : null;
 *   },
 * });
 * ```
 */
export default function Credentials<C extends Record<string, CredentialInput> = Record<string, CredentialInput>, const Id extends string = "credentials">(
  options: CredentialsUserConfig<C, Id>,
): CredentialsConfig<C, NoInfer<Id>>;
// With `C` given explicitly, `Id` is not inferred: any id, typed as string.
export default function Credentials<C extends Record<string, CredentialInput> = Record<string, CredentialInput>>(options: CredentialsUserConfig<C> & { id: string }): CredentialsConfig<C>;
export default function Credentials<C extends Record<string, CredentialInput> = Record<string, CredentialInput>>(options: CredentialsUserConfig<C>): CredentialsConfig<C> {
  return {
    id: "credentials",
    name: "Credentials",
    credentials: {} as C,
    ...options,
    type: "credentials",
  };
}
