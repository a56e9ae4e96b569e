/**
 * Session-token keys for the engine: derived with node:crypto when the runtime has it, with
 * WebCrypto otherwise (see key-derivation.ts for the rules and the cache).
 */
import { nodeKeys, nodeRuntime } from "./jwe-fast.js";
import type { SecretKeys } from "./jwe-checks.js";
import { webCryptoKeys } from "./jwe-web.js";
import { deriveKeysWith } from "./key-derivation.js";

export { keyInfo } from "./key-derivation.js";

/**
 * The keys `secret` yields for `salt` (the cookie name), cached. Synchronous when node:crypto is
 * there, a promise otherwise. Throws `MissingSecret` for an empty secret.
 *
 * @example
 * ```ts
 * const keys = await deriveSecretKeys(process.env.AUTH_SECRET!, "authjs.session-token");
 * keys.cbc.kid; // the `kid` of every token this secret writes
 * ```
 */
export function deriveSecretKeys(secret: string, salt: string): SecretKeys | Promise<SecretKeys> {
  return deriveKeysWith(nodeRuntime ? nodeKeys(nodeRuntime) : webCryptoKeys, secret, salt);
}
