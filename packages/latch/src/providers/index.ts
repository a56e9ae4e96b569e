/**
 * `latch/providers`: the types of providers, as `next-auth/providers` exports them (a custom
 * sign-in page's `import type { Provider } from "next-auth/providers"` becomes this module). It
 * holds no provider: each is imported on its own from `latch/providers/<id>`, so a bundle carries
 * only the ones the app uses.
 *
 * @example
 * ```ts
 * import type { Provider } from "latch/providers";
 * import GitHub from "latch/providers/github";
 * export const providers: Provider[] = [GitHub];
 * ```
 */
export type {
  CredentialInput,
  CredentialsConfig,
  CredentialsUserConfig,
  EmailConfig,
  EmailUserConfig,
  OAuthConfig,
  OAuthProviderId,
  OAuthUserConfig,
  Profile,
  Provider,
  ProviderConfig,
  ProviderId,
  ProviderType,
  WebAuthnConfig,
  WebAuthnUserConfig,
} from "../types.js";
