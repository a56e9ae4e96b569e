import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { WebAuthnConfig, WebAuthnServer, WebAuthnUserConfig } from "../types.js";

let loading: Promise<WebAuthnServer> | undefined;

/**
 * Loads `@simplewebauthn/server` the first time a passkey route runs, so apps without passkeys
 * never need it. A failed load is not cached: installing the package fixes the next request.
 */
function loadSimpleWebAuthn(): Promise<WebAuthnServer> {
  loading ??= import("@simplewebauthn/server").then(
    (module): WebAuthnServer => ({
      generateRegistrationOptions: (options) => module.generateRegistrationOptions(options),
      generateAuthenticationOptions: (options) => module.generateAuthenticationOptions(options),
      // The responses come from the client as they are: @simplewebauthn checks their shape and
      // throws on anything malformed, which latch reports as WebAuthnVerificationError.
      verifyRegistrationResponse: (options) => module.verifyRegistrationResponse({ ...options, response: options.response as RegistrationResponseJSON }),
      verifyAuthenticationResponse: (options) => module.verifyAuthenticationResponse({ ...options, response: options.response as AuthenticationResponseJSON }),
    }),
    (error: unknown) => {
      loading = undefined;
      throw new Error('latch: the Passkey provider needs the "@simplewebauthn/server" package (>= 14): npm install @simplewebauthn/server', { cause: error });
    },
  );
  return loading;
}

/**
 * Sign-in with passkeys (WebAuthn), Auth.js's `Passkey` provider (`type: "webauthn"`). The built-in
 * sign-in page gets a "Sign in with passkey" button, passkeys in the browser's autofill
 * (conditional UI), and — with `registration` (default true) — an email field to create an
 * account with a passkey; a signed-in user who opens the sign-in page can add a passkey to their
 * own account. Install `@simplewebauthn/server` next to latch; it is loaded on first use.
 *
 * latch's version: challenges are 32 random bytes, sealed in an HttpOnly cookie bound to the
 * provider, usable once (a replayed response is refused); the origin and RP ID come from
 * `AUTH_URL`; user verification is required; a counter that goes backwards is refused, also
 * between sign-ins at the same moment (each passkey's counter is stored by one sign-in at a time,
 * through the rate-limit store); an email that belongs to a user cannot be registered by anyone
 * but that user, signed in; another user's passkey does not replace the signed-in user
 * (`AccountNotLinked`, as in Auth.js); a registration is all or nothing;
 * sign-in is usernameless. Needs no `experimental.enableWebAuthn`. A server action cannot run a passkey
 * ceremony (it needs the browser): send users to the sign-in page.
 *
 * @example
 * ```ts
 * import NextAuth from "latch/next";
 * import Passkey from "latch/providers/passkey";
 * import { SQLiteAdapter } from "latch/adapters/sqlite";
 * export const { handlers, auth } = NextAuth({ adapter: SQLiteAdapter(db), providers: [Passkey({})] });
 * ```
 */
export default function Passkey<const Id extends string = "passkey">(options?: WebAuthnUserConfig<Id>): WebAuthnConfig<NoInfer<Id>>;
export default function Passkey(options?: undefined): WebAuthnConfig<"passkey">;
export default function Passkey(options: WebAuthnUserConfig = {}): WebAuthnConfig {
  return { id: "passkey", name: "Passkey", webAuthnServer: loadSimpleWebAuthn, ...options, type: "webauthn" };
}
