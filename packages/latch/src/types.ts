/**
 * Public types of latch. Types only: import them with `import type`.
 *
 * `Session`, `User` and `JWT` are the app's to extend, in one place: a `declare module "latch"`
 * block (see {@link Session}). `latch/next`, `latch/react` and `latch/jwt` re-export these same
 * interfaces, so what is added there reaches `auth()`, `useSession()`, `getToken()` and the
 * callbacks. The Auth.js spellings work too — `declare module "latch/next"` for
 * `"next-auth"`, `declare module "latch/jwt"` for `"next-auth/jwt"` — provided each interface
 * is extended through one module only: extended through two, TypeScript keeps two copies, each
 * with half the fields.
 */
import type { Adapter, AdapterSession, AdapterUser } from "./adapters/types.js";
import type { ErrorPageCode, SignInErrorCode } from "./core/pages/messages/catalogue.js";
import type { RateLimitStore } from "./rate-limit/types.js";
import type { ProviderTokenStore } from "./provider-tokens/types.js";
import type { RefreshTokenStore } from "./refresh-tokens/types.js";
import type { RevocationStore } from "./revocation/types.js";

/** A value or a promise of it. */
export type Awaitable<T> = T | PromiseLike<T>;

/** The user as latch's callbacks see it. */
export interface DefaultUser {
  /** The user's id; it becomes `token.sub`. With an adapter, the stored user's id. */
  id?: string | undefined;
  /** The display name. */
  name?: string | null | undefined;
  /** The email address (lower-cased when an OAuth provider gave it). */
  email?: string | null | undefined;
  /** A picture URL. */
  image?: string | null | undefined;
}
/**
 * The user: what `authorize` and a provider's `profile` return, and what the `signIn`, `jwt`
 * and `session` callbacks receive. Extend it by module augmentation, next to {@link Session}.
 *
 * @example
 * ```ts
 * declare module "latch" {
 *   interface User { role: "admin" | "member" }
 * }
 * ```
 */
export interface User extends DefaultUser {}

/** The session the app sees; `expires` is an ISO date string. */
export interface DefaultSession {
  /**
   * Who is signed in. By default only `name`, `email` and `image`, not the id: add it in the
   * `session` callback (e.g. from `token.sub`).
   */
  user?: User | undefined;
  /**
   * When the session ends unless it is renewed, ISO 8601. A read that renews the cookie reports
   * the new expiry; `auth()` in a server component, which cannot renew, reports the current one.
   */
  expires: string;
  /**
   * `"RefreshTokenError"` when a provider refused for good to refresh the user's access token
   * (revoked grant, see `providerTokens`): ask the user to sign in again. Absent otherwise.
   */
  error?: "RefreshTokenError" | (string & {}) | undefined;
}
/**
 * The session: what `auth()`, `useSession().data`, `getSession()` and `requireSession()` give,
 * and what the `session` callback returns. Extend it (and {@link User}, {@link JWT}) by module
 * augmentation, in one `.d.ts` or `.ts` file of the app that TypeScript sees (for example
 * `types/latch.d.ts`, or `auth.ts` itself); a file with no import or export needs `export {}` to
 * be a module. Then fill the new fields in the `jwt` and `session` callbacks.
 *
 * @example
 * ```ts
 * import type { DefaultSession } from "latch";
 *
 * declare module "latch" {
 *   interface Session { user: { id: string; role: "admin" | "member" } & DefaultSession["user"] }
 *   interface User { role: "admin" | "member" }
 *   interface JWT { role?: "admin" | "member" }
 * }
 *
 * // auth.ts
 * callbacks: {
 *   jwt({ token, user }) { if (user) token.role = user.role; return token; },
 *   session({ session, token }) {
 *     session.user.id = token.sub ?? "";
 *     session.user.role = token.role ?? "member";
 *     return session;
 *   },
 * }
 * ```
 */
export interface Session extends DefaultSession {}

/** The claims latch puts in a session token by default. */
export interface DefaultJWT {
  /** Issued at, seconds since the epoch; latch's encoder sets it at every write (each renewal). */
  iat?: number | undefined;
  /**
   * Expiry, seconds since the epoch: `iat` + `jwt.maxAge`. latch's decoder refuses the token
   * after it (15 s clock tolerance).
   */
  exp?: number | undefined;
  /** A random id, new at every write: it changes with each renewal, so it does not name the session (`sid` does). */
  jti?: string | undefined;
  /** Session id, set at sign-in and kept across renewals: what revocation names. */
  sid?: string | undefined;
  /** When the user signed in (seconds), kept across renewals. */
  auth_time?: number | undefined;
  /** The user's name at sign-in. */
  name?: string | null | undefined;
  /** The user's email address at sign-in. */
  email?: string | null | undefined;
  /** The user's `image` at sign-in. */
  picture?: string | null | undefined;
  /**
   * The user's id (`user.id` at sign-in): the stored user's with an adapter. Without one, for
   * OAuth latch derives it from the provider account, so it stays the same across sign-ins
   * (Auth.js mints a new random id each time); for credentials it is what `authorize` returned,
   * or a random UUID.
   */
  sub?: string | undefined;
}
/**
 * The session token's payload: what the `jwt` callback receives and returns, and `getToken()`
 * gives. `getToken()` only decrypts the cookie: it runs no callback and does not ask the
 * revocation store, so a revoked token (sign-out, `signOutEverywhere`) still decodes there until
 * it expires. Extend it by module augmentation, in `declare module "latch"` next to {@link Session},
 * or — as Auth.js apps do for `next-auth/jwt` — in `declare module "latch/jwt"`: the same
 * interface, but extended in one of the two only (TypeScript would keep two diverging
 * copies). Fields that are not declared still read as `unknown`.
 *
 * @example
 * ```ts
 * declare module "latch" {
 *   interface JWT { role?: "admin" | "member" }
 * }
 * ```
 */
export interface JWT extends Record<string, unknown>, DefaultJWT {}

/** What an OAuth/OIDC provider's token endpoint returned. */
export interface TokenSet {
  /**
   * The access token for the provider's API. With `providerTokens` latch keeps it on the server
   * for `getAccessToken()`, never in the session cookie.
   */
  access_token?: string | undefined;
  /** How to present the access token, usually `"Bearer"`. */
  token_type?: string | undefined;
  /**
   * OIDC: the ID token. latch verifies its signature with the issuer's published keys, as well as
   * its claims, before reading the profile from it (Auth.js checks the claims only).
   */
  id_token?: string | undefined;
  /** Exchanged for new access tokens: with `providerTokens`, `getAccessToken()` uses it near expiry. */
  refresh_token?: string | undefined;
  /** The scopes granted, space-separated; may be fewer than were asked for. */
  scope?: string | undefined;
  /** Seconds the access token lives from issue; latch turns it into `expires_at`. */
  expires_in?: number | undefined;
  /** Seconds since the epoch, computed from `expires_in`. */
  expires_at?: number | undefined;
  [key: string]: unknown;
}

/** The kinds of provider. */
export type ProviderType = "oauth" | "oidc" | "credentials" | "email" | "webauthn";

/** A provider account as the callbacks see it (Auth.js's `Account`). */
export interface Account extends TokenSet {
  /** The provider's id, e.g. `"github"`. */
  provider: string;
  /**
   * The account's id at the provider, as a string: the `id` the provider's `profile()` returned
   * (OAuth), the address (email), the user's id (credentials), the credential id (passkey).
   */
  providerAccountId: string;
  /** The kind of provider. Credentials accounts are never stored. */
  type: ProviderType;
  /**
   * The stored user's id, once the account belongs to one. Absent without an adapter, and for
   * OAuth in the `signIn` callback (the stored user is looked up after it).
   */
  userId?: string | undefined;
}

/** The profile a provider returned (ID-token claims or userinfo). */
export interface Profile {
  /** The subject: the account's id at an OpenID Connect provider; the default `profile()` takes it (else `id`). */
  sub?: string | null | undefined;
  /** The display name; the default `profile()` falls back to `nickname`, then `preferred_username`. */
  name?: string | null | undefined;
  /** The address as the provider gave it, verified or not (OIDC says which in `email_verified`). */
  email?: string | null | undefined;
  /** A picture URL, for providers that call it `image`; OIDC sends `picture`, which the default `profile()` reads. */
  image?: string | null | undefined;
  [claim: string]: unknown;
}

/** An endpoint given as a URL, with extra parameters. */
export interface EndpointConfig {
  url?: string | undefined;
  params?: Record<string, unknown> | undefined;
}

/** Context handed to a custom userinfo request. */
export interface UserinfoContext {
  tokens: TokenSet;
  provider: { id: string; clientId: string; fetch: typeof fetch };
  /** The ID token's claims, validated (OIDC). */
  claims?: Profile | undefined;
  /**
   * The authorization response's parameters as the browser delivered them (query, or the body of
   * a `form_post`): Apple's one-time `user` field arrives here. Client-controlled: display data only.
   */
  params: Record<string, string>;
}

/** The userinfo endpoint, or a function that fetches the profile itself. */
export interface UserinfoConfig extends EndpointConfig {
  request?: ((context: UserinfoContext) => Awaitable<Profile>) | undefined;
}

/**
 * A check that protects the authorization-code flow, as Auth.js names them: `pkce` (PKCE S256),
 * `state`, `nonce` (OpenID Connect). `none` is accepted for Auth.js configs but latch keeps
 * `state` (see {@link OAuthConfig.checks}).
 */
export type OAuthCheck = "pkce" | "state" | "nonce" | "none";

/** How the client authenticates at the token endpoint. */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** Button style for the built-in sign-in page. */
export interface ProviderStyle {
  logo?: string | undefined;
  bg?: string | undefined;
  text?: string | undefined;
}

/**
 * An OAuth 2.0 or OpenID Connect provider, in Auth.js's shape. `Id` is the provider's id as a
 * literal type when it is known (`"github"`), so that `signIn()` accepts only the ids of the
 * config's providers.
 *
 * @example
 * ```ts
 * const provider: OAuthConfig<Profile, "acme"> = { id: "acme", name: "Acme", type: "oidc", issuer: "https://id.acme.test" };
 * ```
 */
export interface OAuthConfig<P = Profile, Id extends string = string> {
  /** The URL segment of the provider's routes (`/signin/<id>`, `/callback/<id>`) and `account.provider`. */
  id: Id;
  name: string;
  type: "oauth" | "oidc";
  /** The authorization server's issuer; OIDC providers discover their endpoints from it. */
  issuer?: string | undefined;
  wellKnown?: string | undefined;
  authorization?: string | EndpointConfig | undefined;
  token?: string | EndpointConfig | undefined;
  userinfo?: string | UserinfoConfig | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  client?: { token_endpoint_auth_method?: TokenEndpointAuthMethod | undefined; id_token_signed_response_alg?: string | undefined } | undefined;
  /**
   * Which checks protect the sign-in, for a service that refuses one of them. Default (unset):
   * PKCE S256 and `state`, plus `nonce` for OpenID Connect — leave it so unless the service
   * fails with them. When set, PKCE and `nonce` are used only if listed; `state` is used
   * whatever the list says, since a flow without any check is open to login CSRF (`["none"]`
   * and `[]` mean "state only", with a warning, where Auth.js would check nothing). LinkedIn's
   * provider sets `["state"]`: LinkedIn refuses a web app's PKCE verifier and sends no nonce.
   *
   * @example
   * ```ts
   * checks: ["state"]
   * ```
   */
  checks?: OAuthCheck[] | undefined;
  // Declared as methods so that a provider typed for its own profile (GitHubProfile) is still a
  // `Provider`: method parameters are compared bivariantly.
  /** Maps the provider's profile to a user; its `id` becomes `account.providerAccountId`. */
  profile?(this: void, profile: P, tokens: TokenSet): Awaitable<User>;
  /** Picks what of the token response is kept on the account. */
  account?(this: void, tokens: TokenSet): Partial<TokenSet> | undefined;
  /** OIDC only: `false` reads the profile from userinfo instead of the ID token. */
  idToken?: boolean | undefined;
  /**
   * Signs a new account of this provider in as the existing user with the same address, instead
   * of refusing (`OAuthAccountNotLinked`). Only when the provider vouches for the address (GitHub
   * lists it verified, an OpenID provider says `email_verified: true`) and the stored user's own
   * address is verified: a provider that never vouches never links by email. Dangerous: whoever
   * controls the address at this provider becomes that user. Default `false`.
   */
  allowDangerousEmailAccountLinking?: boolean | undefined;
  /**
   * Whether the provider vouches that the profile's `email` belongs to whoever signed in (`true`),
   * or — for a profile that keeps its address elsewhere, as Patreon's `data.attributes.email` —
   * the address it vouches for. A user created from a vouched address is stored with
   * `emailVerified` set, so a later email link does not treat them as a squatter (unlinking their
   * accounts, ending their sessions); only the address the user is stored with counts. Default:
   * the profile's OIDC `email_verified` claim is `true`. The catalogue's providers say what each
   * service vouches for (GitHub: an address its /user/emails lists as verified).
   *
   * @example
   * ```ts
   * emailVerified: ({ data }) => (data.attributes.is_email_verified === true ? (data.attributes.email ?? false) : false)
   * ```
   */
  emailVerified?(this: void, profile: P): boolean | string;
  style?: ProviderStyle | undefined;
  /** A fetch to use for this provider's requests (discovery, token, userinfo). */
  fetch?: typeof fetch | undefined;
}

/** What a provider factory accepts: every field of the config, all optional. */
export type OAuthUserConfig<P = Profile, Id extends string = string> = Partial<OAuthConfig<P, Id>>;

/** One field of a credentials form, rendered by the built-in sign-in page. */
export interface CredentialInput {
  label?: string | undefined;
  /** The HTML input type: `"text"`, `"email"`, `"password"`… Default `"text"`. */
  type?: string | undefined;
  placeholder?: string | undefined;
  /** The HTML `autocomplete` hint, e.g. `"username"` or `"current-password"`. */
  autocomplete?: string | undefined;
  required?: boolean | undefined;
  value?: string | undefined;
}

/** At most `max` attempts in `window` seconds. */
export interface RateLimitRule {
  max: number;
  /** Seconds. */
  window: number;
}

/** How a credentials provider throttles guessing. */
export interface CredentialsRateLimit {
  /**
   * Failed attempts per account (the identifier field) in a window; a success takes back its own
   * attempt. A browser the account signed in from (its `latch.trusted` cookie) has a count of its
   * own for the name it signed in with, so guesses from elsewhere cannot lock the owner out. Default 10 per 15 minutes; `false`
   * turns it off.
   */
  account?: RateLimitRule | false | undefined;
  /**
   * Attempts per client address (IPv6 grouped by /64) in a window. Default 100 per 15 minutes;
   * `false` turns it off.
   */
  source?: RateLimitRule | false | undefined;
  /**
   * The account a request tries, for the per-account limit. Default: the first field declared
   * in `credentials` whose type is not `"password"`; without declared fields, each of `email`,
   * `username`, `login`, `user`, `identifier`, `phone` the form submits. NFKC-normalized,
   * trimmed and lower-cased. Set it when your own form names the account otherwise: a request
   * without an identifier is counted per client address only.
   */
  identifier?: ((credentials: Record<string, string>) => string | null | undefined) | undefined;
}

/**
 * Sign-in with fields the app checks itself (`authorize`), in Auth.js's shape. Unlike Auth.js it
 * works with database sessions too, requires the CSRF token, and throttles guessing per account
 * and per client address.
 *
 * @example
 * ```ts
 * import Credentials from "latch/providers/credentials";
 * import { verifyPassword } from "latch/password";
 * Credentials({
 *   credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
 *   async authorize({ email, password }) {
 *     const user = await db.findUserByEmail(String(email));
 *     return (await verifyPassword(String(password), user?.passwordHash)) ? user : null;
 *   },
 * });
 * ```
 */
export interface CredentialsConfig<C extends Record<string, CredentialInput> = Record<string, CredentialInput>, Id extends string = string> {
  id: Id;
  name: string;
  type: "credentials";
  /** The form fields, in order. */
  credentials: C;
  /**
   * Checks the submitted fields; returns the user, or `null` to refuse (`CredentialsSignin`).
   * Throw a subclass of `CredentialsSignin` to choose the `code` the app sees. With database
   * sessions the user must be one the adapter stores (its `id`).
   */
  authorize(this: void, credentials: Partial<Record<keyof C, unknown>>, request: Request): Awaitable<User | null>;
  rateLimit?: CredentialsRateLimit | false | undefined;
}

/** What `Credentials()` accepts: every field optional except `authorize`. */
export type CredentialsUserConfig<C extends Record<string, CredentialInput> = Record<string, CredentialInput>, Id extends string = string> = Partial<Omit<CredentialsConfig<C, Id>, "authorize" | "type">> &
  Pick<CredentialsConfig<C>, "authorize">;

/** How an email provider throttles sending links. */
export interface EmailRateLimit {
  /**
   * Links sent to one address in a window. Default 5 per 15 minutes; `false` turns it off. One
   * count per inbox, whichever email provider sends and however the domain is spelled (Unicode or
   * punycode), bound by the strictest rule of the email providers that set one.
   */
  address?: RateLimitRule | false | undefined;
  /**
   * Links requested from one client address (IPv6 grouped by /64) in a window, whatever the
   * recipient. Default 30 per 15 minutes; `false` turns it off.
   */
  source?: RateLimitRule | false | undefined;
  /**
   * Tries of a link's token for one address in a window, counted until one works: over the
   * limit, no token for that address is accepted until the window ends, the right one included,
   * so a short code the user types cannot be guessed. Default 5 per 15 minutes when
   * `generateVerificationToken` is set (you may make short codes); off with latch's own 256-bit
   * tokens, which nobody can guess and a stranger could otherwise use to lock an address out.
   * Tries from one client address count against `source` as well (the same limit, counted
   * apart from the links it requested). A token works at every email provider's callback, so
   * both counts are shared by the app's email providers, under the strictest of their rules.
   * `false` turns it off.
   */
  attempts?: RateLimitRule | false | undefined;
}

/** An SMTP server for Nodemailer: a connection URL (`smtp://user:pass@host:587`) or its options. */
export type EmailServer =
  | string
  | {
      host?: string | undefined;
      port?: number | undefined;
      secure?: boolean | undefined;
      auth?: { user?: string | undefined; pass?: string | undefined } | undefined;
      [option: string]: unknown;
    };

/** What `sendVerificationRequest` receives: everything needed to send one sign-in link. */
export interface SendVerificationRequestParams {
  /** The normalized address the link is for: exactly one plain address. */
  identifier: string;
  /** The sign-in link. Built from `AUTH_URL` when it is set, never from the request's Host header then. */
  url: string;
  /** When the link stops working. */
  expires: Date;
  /** The provider, defaults applied. */
  provider: EmailConfig;
  /** The token in the link (stored only hashed). Do not log it. */
  token: string;
  theme: Theme;
  request: Request;
  /**
   * The language latch's pages speak for this request (the `locale` option, or the request's
   * `Accept-Language` among those it allows): use it to localize a custom email. latch always
   * sets it; it is optional so that code calling `sendVerificationRequest` itself still compiles.
   *
   * @example
   * ```ts
   * sendVerificationRequest: ({ url, locale = "en" }) => mailApi.send({ url, template: `sign-in-${locale}` }),
   * ```
   */
  locale?: PageLocale | undefined;
}

/**
 * Sign-in by a link sent to an email address ("magic link"), in Auth.js's shape. Needs an adapter
 * with `createVerificationToken`, `useVerificationToken`, `getUserByEmail`, `createUser` and
 * `updateUser`.
 *
 * @example
 * ```ts
 * import Email from "latch/providers/email";
 * Email({ from: "Acme <login@acme.test>", sendVerificationRequest: ({ identifier, url }) => mailApi.send(identifier, url) });
 * ```
 */
export interface EmailConfig<Id extends string = string> {
  id: Id;
  name: string;
  type: "email";
  /** The sender address. Default `no-reply@<your host>`. */
  from?: string | undefined;
  /** The SMTP server the Nodemailer provider sends through (`Email` sends nothing itself: it calls your `sendVerificationRequest`). */
  server?: EmailServer | undefined;
  /** Seconds a link stays valid. Default 600 (10 minutes; Auth.js's 24 hours is too long for a sign-in link). */
  maxAge?: number | undefined;
  /** Sends the link. Throwing makes the sign-in page show `error=EmailSignin`. */
  sendVerificationRequest(this: void, params: SendVerificationRequestParams): Awaitable<void>;
  /**
   * Turns what the user typed into the stored identifier; throw to refuse it. Default: NFKC, then
   * trim and lower-case, then exactly one plain address (no quotes, commas, semicolons,
   * whitespace, angle brackets; one `@`; at most 254 characters). latch refuses control
   * characters and line breaks in what this returns, whatever it does.
   */
  normalizeIdentifier?: ((identifier: string) => string) | undefined;
  /** Makes the token in the link. Default: 32 random bytes, hex. Anything you return must be as unguessable. */
  generateVerificationToken?: (() => Awaitable<string>) | undefined;
  /** Hashes the stored token with this instead of the auth secret (Auth.js's `provider.secret`). */
  secret?: string | undefined;
  /** An API key for HTTP email services (`AUTH_<ID>_KEY` fills it). */
  apiKey?: string | undefined;
  rateLimit?: EmailRateLimit | false | undefined;
}

/** What an email provider factory accepts: every field optional. */
export type EmailUserConfig<Id extends string = string> = Partial<Omit<EmailConfig<Id>, "type">>;

/**
 * What latch uses of `@simplewebauthn/server`, typed here so that the package stays an optional
 * peer: `Passkey()` loads it when a passkey route first runs.
 */
export interface WebAuthnServer {
  generateRegistrationOptions(options: {
    rpName: string;
    rpID: string;
    userName: string;
    userID: Uint8Array<ArrayBuffer>;
    userDisplayName?: string;
    challenge: Uint8Array<ArrayBuffer>;
    timeout: number;
    attestationType: "none";
    excludeCredentials: Array<{ id: string; transports?: string[] }>;
    authenticatorSelection: { residentKey: "required"; userVerification: "required" | "preferred" };
  }): Promise<{ challenge: string }>;
  generateAuthenticationOptions(options: {
    rpID: string;
    challenge: Uint8Array<ArrayBuffer>;
    timeout: number;
    userVerification: "required" | "preferred";
    allowCredentials: Array<{ id: string; transports?: string[] }>;
  }): Promise<{ challenge: string }>;
  verifyRegistrationResponse(options: {
    response: unknown;
    expectedChallenge: string;
    expectedOrigin: string;
    expectedRPID: string;
    requireUserVerification: boolean;
  }): Promise<{
    verified: boolean;
    registrationInfo?: {
      credential: { id: string; publicKey: Uint8Array; counter: number; transports?: string[] | undefined };
      credentialDeviceType: string;
      credentialBackedUp: boolean;
    };
  }>;
  verifyAuthenticationResponse(options: {
    response: unknown;
    expectedChallenge: string;
    expectedOrigin: string;
    expectedRPID: string;
    credential: { id: string; publicKey: Uint8Array<ArrayBuffer>; counter: number; transports?: string[] };
    requireUserVerification: boolean;
  }): Promise<{ verified: boolean; authenticationInfo: { newCounter: number } }>;
}

/**
 * Sign-in with passkeys (WebAuthn), in the shape of Auth.js's `Passkey` provider (`type:
 * "webauthn"`). Needs an adapter with `getUser`, `getUserByEmail`, `createUser`, `linkAccount`,
 * `getAccount`, `getAuthenticator`, `createAuthenticator`, `listAuthenticatorsByUserId` and
 * `updateAuthenticatorCounter`, and the `@simplewebauthn/server` package.
 *
 * @example
 * ```ts
 * import Passkey from "latch/providers/passkey";
 * NextAuth({ adapter, providers: [Passkey({ registration: true })] });
 * ```
 */
export interface WebAuthnConfig<Id extends string = string> {
  id: Id;
  name: string;
  type: "webauthn";
  /**
   * The relying party (Auth.js spells it "relaying"). Default: `id` = the hostname of the site's
   * origin (`AUTH_URL`), `name` = its host, `origin` = the origin itself.
   */
  relayingParty?: { id?: string | undefined; name?: string | undefined; origin?: string | undefined } | undefined;
  /**
   * Whether someone who is not signed in may create an account with a passkey (the email field of
   * the built-in page). Default true. Signed-in users can always add a passkey to their own account.
   */
  registration?: boolean | undefined;
  /** Offer passkeys in the browser's autofill of the sign-in page (conditional UI). Default true. */
  enableConditionalUI?: boolean | undefined;
  /** Whether the authenticator must verify the user (PIN, biometrics). Default `"required"`. */
  userVerification?: "required" | "preferred" | undefined;
  /** Milliseconds the browser waits for the authenticator, and the challenge lives. Default 300 000 (5 minutes). */
  timeout?: number | undefined;
  /**
   * How often one client address (IPv6 grouped by /64) may start an account with a passkey: the
   * answer says whether an address already has an account, so asking is limited, as on a sign-up
   * form. Default `{ source: { max: 30, window: 900 } }` (30 per 15 minutes); `false` turns it off.
   */
  rateLimit?: { source?: RateLimitRule | false | undefined } | false | undefined;
  /** Loads `@simplewebauthn/server`; `Passkey()` sets it. */
  webAuthnServer?: (() => Promise<WebAuthnServer>) | undefined;
}

/** What `Passkey()` accepts: every field optional. */
export type WebAuthnUserConfig<Id extends string = string> = Partial<Omit<WebAuthnConfig<Id>, "type">>;

/** A provider's config, of any kind. */
export type ProviderConfig = OAuthConfig | CredentialsConfig | EmailConfig | WebAuthnConfig;

/** A provider: its config, or a factory that builds it. */
export type Provider = ProviderConfig | ((options?: never) => ProviderConfig);

// How a factory keeps its id literal: a first overload `<const Id extends string = "github">`
// returning `NoInfer<Id>` (else a call inside `providers: [...]` would take `string` from the
// array's context), and a last overload for the call without options, the one `infer` reads
// when the factory is passed uncalled (`providers: [GitHub]`).
type ConfigOf<P> = P extends (...args: never) => infer C ? Extract<C, ProviderConfig> : Extract<P, ProviderConfig>;

/**
 * The ids of providers, as literal types when they are known: `ProviderId<typeof GitHub>` is
 * `"github"`, and `string` for a config typed only as `Provider`. This is what `signIn()` of
 * `NextAuth()` accepts.
 *
 * @example
 * ```ts
 * const providers = [GitHub, OIDC({ id: "local", issuer })];
 * type Id = ProviderId<(typeof providers)[number]>; // "github" | "local"
 * ```
 */
export type ProviderId<P = Provider> = ConfigOf<P>["id"];

/**
 * The ids of the OAuth and OpenID Connect providers among `P`: what `getAccessToken()` accepts.
 *
 * @example
 * ```ts
 * type Id = OAuthProviderId<typeof GitHub | ReturnType<typeof Credentials>>; // "github"
 * ```
 */
export type OAuthProviderId<P = Provider> = Extract<ConfigOf<P>, { type: "oauth" | "oidc" }>["id"];

/** What the `signIn` callback receives. */
export interface SignInCallbackParams {
  /**
   * Who is signing in, as latch knows them before the callback agrees. OAuth: what the provider's
   * `profile()` returned, with an id derived from the account, not the stored user's (the adapter
   * is asked after; Auth.js passes the stored user of a returning one). Credentials: what
   * `authorize` returned. Email and passkeys: the stored user, or `{ email }` for a new one.
   */
  user: User;
  /** The account signed in with. Never `null` in latch; the type keeps Auth.js's. */
  account: Account | null;
  /** OAuth/OIDC only: the provider's profile (ID-token claims or userinfo), before `profile()` mapped it. */
  profile?: Profile | undefined;
  /** Credentials sign-in: the submitted fields (the CSRF token left out). */
  credentials?: Record<string, string> | undefined;
  /**
   * Email sign-in: `verificationRequest: true` when the link is about to be sent (return false
   * to send none); absent when the link is used.
   */
  email?: { verificationRequest?: boolean | undefined } | undefined;
}

/** What the `jwt` callback receives. */
export interface JWTCallbackParams {
  /**
   * The claims so far: at sign-in `{ name, email, picture, sub, sid, auth_time }`, afterwards the
   * decrypted cookie. Return it, changed or not: what you return is encrypted into the cookie.
   */
  token: JWT;
  /** At sign-in only: the user (with an adapter, carrying the stored user's id). Absent on later reads. */
  user?: User | undefined;
  /**
   * At sign-in only: the account signed in with. For OAuth it holds the provider's tokens; prefer
   * `providerTokens` to copying them into the token.
   */
  account?: Account | null | undefined;
  /** At OAuth/OIDC sign-in only: the provider's profile. */
  profile?: Profile | undefined;
  /**
   * `"signIn"` at sign-in, `"signUp"` at the sign-in that created the user, `"update"` when the
   * client sent data (`update(data)` of `useSession`, `unstable_update`); absent on plain reads.
   */
  trigger?: "signIn" | "signUp" | "update" | undefined;
  /** At sign-in: true when this sign-in created the stored user; `false` or absent otherwise. */
  isNewUser?: boolean | undefined;
  /** With `trigger: "update"`, the data the client sent. */
  session?: unknown;
}

/** What the `session` callback receives. */
export interface SessionCallbackParams {
  /**
   * The default session: `user` (`name`, `email`, `image`; always there, so
   * `session.user.id = token.sub` needs no check), `expires`, and `error` when a provider refused
   * for good to refresh. Return it changed, or a new object.
   */
  session: Session & { user: NonNullable<Session["user"]> };
  /**
   * The session token's claims. With database sessions latch passes `{ sub, name, email,
   * picture }` of the stored user, so a callback written for JWT sessions keeps working.
   */
  token: JWT;
  /** With database sessions: the stored user. */
  user?: AdapterUser | undefined;
  /**
   * With database sessions, `"update"` when `update(data)` (latch/react) or `unstable_update(data)`
   * asked for the session: the session is yours to change from `newSession`. With JWT sessions
   * that goes to the `jwt` callback instead (`trigger: "update"`, `session`), as in next-auth.
   */
  trigger?: "update" | undefined;
  /** With database sessions and `trigger: "update"`: the data `update()` sent, unchecked. */
  newSession?: unknown;
}

/** Callbacks that shape sign-in, tokens, sessions and redirects. */
export interface CallbacksOptions {
  /**
   * Decides whether a sign-in goes ahead: `true` continues, `false` or a throw refuses
   * (`AccessDenied`), a string sends the user there instead (through `redirect`). Called for every
   * provider once the user is identified, before latch creates, links or updates a user; for
   * email also before the link is sent (`email.verificationRequest`). Default: allow.
   */
  signIn?: ((params: SignInCallbackParams) => Awaitable<boolean | string>) | undefined;
  /**
   * Where latch may send the browser: called with every callbackUrl (form, query, cookie, a
   * `signIn` string) as `url`, and the site's origin as `baseUrl`. Default: `url` when it is on
   * that origin (paths resolve against it), else `baseUrl`. Whatever it returns, latch turns a
   * result that is not an http(s) URL into `baseUrl`.
   */
  redirect?: ((params: { url: string; baseUrl: string }) => Awaitable<string>) | undefined;
  /**
   * Shapes the session token, with JWT sessions only (not called with database sessions, nor for
   * bearer tokens): at sign-in with `user`, `account`, `profile` and `trigger`; at every session
   * read with `token` (plus `trigger: "update"` and `session` when the client sent data). Return
   * the claims to keep, or `null` to end the session (at sign-in: `AccessDenied`). The result
   * reaches the cookie only where latch renews it (`/session`, the proxy). Default: unchanged.
   */
  jwt?: ((params: JWTCallbackParams) => Awaitable<JWT | null>) | undefined;
  /**
   * Shapes what the app sees (`auth()`, `useSession()`, `GET /session`) at every read, from the
   * default session and the token's claims (with database sessions, also the stored `user`). What
   * it returns reaches the browser: leave secrets out. latch adds nothing to it (next-auth puts
   * the token in `user` when the result has none). Default: the session unchanged.
   */
  session?: ((params: SessionCallbackParams) => Awaitable<Session | DefaultSession>) | undefined;
}

/** What the `signIn` event receives. */
export interface SignInEventMessage {
  /** Who signed in: with an adapter, carrying the stored user's id, name, email and image. */
  user: User;
  /** The account signed in with; never `null` in latch. */
  account: Account | null;
  /** OAuth/OIDC only: the provider's profile. */
  profile?: Profile | undefined;
  /** True when this sign-in created the stored user. */
  isNewUser?: boolean | undefined;
  /** Email sign-in only: this sign-in verified the address of a user stored with `emailVerified: null`. */
  emailVerifiedNow?: boolean | undefined;
}

/** Handlers called after something happened; errors they throw are logged, never raised. */
export interface EventCallbacks {
  /**
   * Someone signed in. `emailVerifiedNow` is true when an email sign-in just proved the address
   * of a user who existed unverified (e.g. signed up with a password and never confirmed): wipe
   * what was set up before the owner proved the address — a password, linked provider accounts
   * (pre-account hijacking). latch has already ended that user's other sessions (database
   * sessions; JWT sessions when a revocation store is set) and unlinked their passkeys.
   */
  signIn?: ((message: SignInEventMessage) => Awaitable<void>) | undefined;
  /** `token` with JWT sessions, `session` (the deleted row) with database sessions. */
  signOut?: ((message: { token: JWT | null; session?: AdapterSession | null | undefined }) => Awaitable<void>) | undefined;
  /**
   * A session was read (`/session`, `auth()`, the proxy; not bearer tokens): the session as the
   * `session` callback returned it, and the token (with database sessions, the user's claims).
   * Awaited on every read: keep it fast.
   */
  session?: ((message: { session: Session; token: JWT }) => Awaitable<void>) | undefined;
  /** A user was created by the adapter at their first sign-in. */
  createUser?: ((message: { user: AdapterUser }) => Awaitable<void>) | undefined;
  /** A stored user was changed at sign-in (an email sign-in set `emailVerified`). */
  updateUser?: ((message: { user: AdapterUser }) => Awaitable<void>) | undefined;
  /** A provider account was linked to a user. */
  linkAccount?: ((message: { user: AdapterUser; account: Account; profile: Profile }) => Awaitable<void>) | undefined;
}

/** Your own pages instead of the built-in ones (paths, e.g. `/login`). */
/**
 * The `?error=` values `pages.error` is sent (as Auth.js's `ErrorPageParam`): `Configuration`
 * for anything not safe to show.
 */
export type ErrorPageParam = Exclude<ErrorPageCode, "default">;

/**
 * The `?error=` values latch sends `pages.signIn` (Auth.js's `SignInPageErrorParam`, as latch
 * raises them): what the user can retry, with `code` beside `CredentialsSignin`.
 */
export type SignInPageErrorParam = Exclude<SignInErrorCode, "default"> | "AccountNotLinked";

export interface PagesOptions {
  /**
   * `GET {basePath}/signin` redirects here with `callbackUrl` (and `error`); sign-in errors come
   * back here with `?error=` (and `code` for credentials); the proxy and `requireSession()` send
   * signed-out users here. The proxy's `authorized` check leaves this path alone.
   */
  signIn?: string | undefined;
  /**
   * `GET {basePath}/signout` redirects here with `callbackUrl`. The page signs out with
   * `signOut()`, or a `POST {basePath}/signout` carrying the CSRF token.
   */
  signOut?: string | undefined;
  /**
   * Errors other than sign-in errors redirect here with `?error=<type>` (`Configuration` when
   * the cause is not safe to show), and so does `GET {basePath}/error`.
   */
  error?: string | undefined;
  /** "Check your email": once a sign-in link is sent, `GET {basePath}/verify-request` redirects here with `provider` and `type=email`. */
  verifyRequest?: string | undefined;
  /** Where a user lands after the sign-in that created them (with an adapter), the intended destination as `callbackUrl`. */
  newUser?: string | undefined;
}

/** Look of the built-in pages. */
export interface Theme {
  /** `"auto"` (default) follows the browser's `prefers-color-scheme`; `"light"` or `"dark"` fixes it. */
  colorScheme?: "auto" | "dark" | "light" | undefined;
  /**
   * The app's logo on the built-in pages: a path on the site (`/logo.svg`), an absolute URL on the
   * site's own origin, or a `data:image/…` URL. A logo on another origin (a CDN) is not shown:
   * the pages load nothing from third parties, which would learn who opens them.
   */
  logo?: string | undefined;
  /** Background of the main buttons: `#rgb`, `#rrggbb`, `rgb()`, `hsl()` or a CSS color name. */
  brandColor?: string | undefined;
  /**
   * Text color on the main buttons. Without it latch picks white or near-black, whichever is
   * readable on `brandColor` (contrast of at least 4.5:1).
   */
  buttonText?: string | undefined;
}

/** A language the built-in pages speak. */
export type PageLocale = "en" | "de" | "fr" | "es" | "ja";

/** Where latch writes its logs. Tokens and secrets never reach it. */
export interface LoggerInstance {
  /** An error, redacted: usually an `AuthError` subclass whose `cause` tells more. Default: `console.error`, `[latch][error]` prefix. */
  error: (error: Error) => void;
  /**
   * A warning: a kebab-case code, then what is wrong and what to do (`"rate-limit-memory: …"`);
   * Auth.js passes the code alone. Default: `console.warn`, `[latch][warn]` prefix.
   */
  warn: (code: string) => void;
  /** A debug line and its metadata, both redacted; called only with `debug: true`. Default: `console.debug`. */
  debug: (message: string, metadata?: unknown) => void;
}

/** What latch knows of the request an audit event happened in. Never a token or cookie. */
export interface AuditRequest {
  /**
   * The client address, as the rate limits see it (`rateLimit.trustedProxies` /
   * `rateLimit.clientAddress`); absent when unknown.
   */
  ip?: string | undefined;
  /** The `User-Agent` header, at most 256 characters. */
  userAgent?: string | undefined;
}

/** What every audit event carries. */
export interface AuditEventBase {
  /** When it happened, ISO 8601. */
  time: string;
  /** The request it happened in; absent when it did not happen in one. */
  request?: AuditRequest | undefined;
}

/** A user signed in. */
export interface SignInAuditEvent extends AuditEventBase {
  type: "sign-in";
  userId: string;
  /** The provider id, e.g. `"github"`. */
  provider: string;
  providerType: ProviderType;
  isNewUser: boolean;
  /** True when this browser had not signed in as this user before (a `new-device` event follows). */
  newDevice: boolean;
}

/** A sign-in was refused or failed. */
export interface SignInFailedAuditEvent extends AuditEventBase {
  type: "sign-in-failed";
  /** The provider id, when the request named one. */
  provider?: string | undefined;
  /** The error's type, e.g. `"CredentialsSignin"`, `"AccessDenied"`, `"OAuthCallbackError"`, `"MissingCSRF"`. */
  error: string;
  /** `CredentialsSignin`'s `code`, when the app set one. */
  code?: string | undefined;
}

/** A user signed out. */
export interface SignOutAuditEvent extends AuditEventBase {
  type: "sign-out";
  /** Absent when the request carried no readable session. */
  userId?: string | undefined;
}

/** Sessions were ended by something other than their own sign-out. */
export interface SessionRevokedAuditEvent extends AuditEventBase {
  type: "session-revoked";
  userId: string;
  /** Which sessions: one (`session`), or every session of the user (`user`). */
  scope: "session" | "user";
  /**
   * Why: `sign-out-everywhere`; `refresh-token-reused` (a refresh token was presented twice —
   * stolen, or a broken client); `client-revoked` (a native client revoked its refresh token);
   * `email-proved` (an email sign-in proved an address someone had used unverified);
   * `revoked-by-app` (the app called `revokeUser()`).
   */
  reason: "sign-out-everywhere" | "refresh-token-reused" | "client-revoked" | "email-proved" | "revoked-by-app";
}

/** A token was refreshed: a provider's access token, or a bearer refresh token rotated. */
export interface TokenRefreshedAuditEvent extends AuditEventBase {
  type: "token-refreshed";
  /** Which token: a provider's access token, or a bearer refresh token (rotated). */
  kind: "provider" | "refresh-token";
  userId: string;
  /** The provider id (`kind: "provider"`). */
  provider?: string | undefined;
  /**
   * `kind: "refresh-token"`: the token had already been used, within
   * `bearer.refreshTokens.retryWindow`, and the successor its client never received was retired.
   * Many of these for one user: a client that loses answers, or someone replaying its tokens.
   */
  retried?: true | undefined;
}

/** A refresh failed: the provider refused it for good, or a refresh token was refused. */
export interface TokenRefreshFailedAuditEvent extends AuditEventBase {
  type: "token-refresh-failed";
  /** Which token: a provider's access token, or a bearer refresh token. */
  kind: "provider" | "refresh-token";
  /** Absent when a refresh token named no known user. */
  userId?: string | undefined;
  provider?: string | undefined;
  /** `RefreshTokenError` (the provider ended the grant) or `invalid_grant` (a refresh token was refused). */
  error: "RefreshTokenError" | "invalid_grant";
}

/** A throttle refused a request. */
export interface RateLimitedAuditEvent extends AuditEventBase {
  type: "rate-limited";
  /** What was throttled: credentials sign-ins, sign-in links sent, tries of a link's token, or passkey sign-ups. */
  limit: "credentials" | "email" | "email-token" | "passkey-registration";
  provider: string;
  /** Seconds until the client may try again. */
  retryAfter: number;
}

/** A user signed in from a browser that had not signed in as them before. */
export interface NewDeviceAuditEvent extends AuditEventBase {
  type: "new-device";
  userId: string;
  provider: string;
  /** A random id the device cookie holds: the same browser keeps it across sign-ins and users. */
  deviceId: string;
}

/** A structured record of a security-relevant event, for the `audit` option. Switch on `type`. */
export type AuditEvent =
  | SignInAuditEvent
  | SignInFailedAuditEvent
  | SignOutAuditEvent
  | SessionRevokedAuditEvent
  | TokenRefreshedAuditEvent
  | TokenRefreshFailedAuditEvent
  | RateLimitedAuditEvent
  | NewDeviceAuditEvent;

/** A span attribute value, as OpenTelemetry accepts it. */
export type TelemetryAttributeValue = string | number | boolean;

/** The part of an OpenTelemetry `Span` latch uses. */
export interface TelemetrySpan {
  setAttribute(key: string, value: TelemetryAttributeValue): unknown;
  /** `code`: 1 OK, 2 ERROR (OpenTelemetry's `SpanStatusCode`). */
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error): unknown;
  end(): void;
}

/**
 * The part of an OpenTelemetry `Tracer` latch uses: pass `trace.getTracer("latch")` from
 * `@opentelemetry/api`. Structural, so latch needs no OpenTelemetry package.
 */
export interface TelemetryTracer {
  /** Runs `fn` inside a new active span and returns what `fn` returns; latch ends the span. */
  startActiveSpan<F extends (span: TelemetrySpan) => unknown>(name: string, options: { kind?: number; attributes?: Record<string, TelemetryAttributeValue> }, fn: F): ReturnType<F>;
}

/** A cookie's name and attributes. */
export interface CookieOption {
  /**
   * The cookie's name, used as is over http and https (a name you set gets no `__Secure-`
   * prefix). Renaming the session cookie signs everyone out.
   */
  name: string;
  /** Its attributes; the ones you set are merged over latch's defaults for that cookie. */
  options: CookieAttributes;
}

/** Attributes of a cookie. */
export interface CookieAttributes {
  /** Hides the cookie from JavaScript; true on every cookie latch sets. */
  httpOnly?: boolean | undefined;
  /**
   * Default `"lax"` (`"strict"` for the bearer fingerprint). For a provider that POSTs its answer
   * from its own site (`response_mode=form_post`, e.g. Apple) latch itself sets the check cookies
   * and `callbackUrl` `"none"` and `secure: true`.
   */
  sameSite?: "lax" | "strict" | "none" | undefined;
  /** Default `/`. */
  path?: string | undefined;
  /** Sent over https only. Default: `useSecureCookies` (true when the site's origin is https). */
  secure?: boolean | undefined;
  /**
   * Shares the cookie with subdomains. Unset by default (this host only). Browsers refuse it on
   * the `__Host-` cookies (CSRF token, bearer fingerprint and device over https).
   */
  domain?: string | undefined;
  /**
   * Seconds until the cookie expires (`Max-Age`). The check cookies (15 minutes) and the passkey
   * challenge (the ceremony's timeout) keep their own whatever this says; on the session cookie it
   * would override the lifetime latch gives it from `session.maxAge`.
   */
  maxAge?: number | undefined;
  /** A fixed expiry date. latch sets the session cookie's itself, from `session.maxAge`, at each write. */
  expires?: Date | undefined;
}

/** The cookies latch uses. */
export interface CookiesOptions {
  /**
   * The session: the encrypted token (JWT sessions) or the opaque session id (database).
   * `authjs.session-token`, `__Secure-` prefixed over https, split into `.0`, `.1`… above 3936
   * characters. Its name is also the salt of the token's key.
   */
  sessionToken: CookieOption;
  /** Where to go after an OAuth sign-in, kept while the user is at the provider. `authjs.callback-url` (`__Secure-` over https). */
  callbackUrl: CookieOption;
  /** The CSRF token (`token|hash`) that forms and POSTs send back. `authjs.csrf-token` (`__Host-` over https). */
  csrfToken: CookieOption;
  /** The PKCE verifier of an OAuth sign-in in progress, sealed, bound to its provider, 15 minutes. `authjs.pkce.code_verifier`. */
  pkceCodeVerifier: CookieOption;
  /** The OAuth `state` of a sign-in in progress, sealed, bound to its provider, 15 minutes. `authjs.state`. */
  state: CookieOption;
  /** The OIDC nonce of a sign-in in progress, sealed, bound to its provider, 15 minutes. `authjs.nonce`. */
  nonce: CookieOption;
  /** The HttpOnly fingerprint cookie bearer tokens are bound to (bearer mode only). */
  bearerFingerprint: CookieOption;
  /** The sealed, single-use challenge of a passkey ceremony (`authjs.challenge`). */
  webauthnChallenge: CookieOption;
  /** The device cookie that tells a sign-in from a new device (only with `audit`). */
  device: CookieOption;
  /**
   * Set at a credentials sign-in: a random device id and one HMAC tag (under the secret, naming
   * no account) per account name this browser signed in with. Its attempts at that name then
   * count on their own, so guesses from elsewhere cannot lock the owner out (`latch.trusted`,
   * `__Host-` over https, 400 days).
   */
  trustedAccounts: CookieOption;
}

/** Session settings. */
export interface SessionOptions {
  /**
   * `"jwt"`: the session is an encrypted token in the cookie, nothing stored. `"database"`: the
   * cookie holds an opaque id and the session is a row in the adapter. Default `"database"` when
   * an adapter is set, else `"jwt"`. Unlike Auth.js, credentials sign-in works with either.
   */
  strategy?: "jwt" | "database" | undefined;
  /** Seconds a session lives without being used. Default 30 days. */
  maxAge?: number | undefined;
  /**
   * Seconds a session may last from its sign-in, however often it is used: renewals move
   * `maxAge` forward but never past `auth_time + absoluteMaxAge`, and then the user signs in
   * again (OWASP's absolute timeout). It caps the cookie, `session.expires`, bearer tokens and
   * refresh-token families too. A JWT without `auth_time` (a next-auth cookie) counts from
   * when it was last issued (`iat`). A database session's token says when it began
   * (`<token>.s<seconds>`); one begun before the setting is no longer renewed and counts from
   * its last renewal (from its first read when its row outlasts `maxAge`). Default: none.
   *
   * @example
   * ```ts
   * session: { maxAge: 60 * 60, absoluteMaxAge: 12 * 60 * 60 } // idle 1 h, at most 12 h
   * ```
   */
  absoluteMaxAge?: number | undefined;
  /**
   * Seconds between session-store writes (database sessions). Default 1 day; never more than
   * half of `maxAge`, so that a session in use is renewed before it expires.
   */
  updateAge?: number | undefined;
  /**
   * Database sessions: makes the opaque token. Default: 32 random bytes, hex. With
   * `absoluteMaxAge`, latch appends `.s<seconds>` (when the session began) to what it returns:
   * a token of yours that already ends that way, made before you set `absoluteMaxAge`, reads as
   * begun at that time.
   */
  generateSessionToken?: (() => string) | undefined;
}

/** Parameters of a session-token encoder. */
export interface JWTEncodeParams {
  /** The claims; `encode()` adds `iat`, `exp` and a fresh `jti` (none: `{}`). */
  token?: JWT | undefined;
  /**
   * The key-derivation salt: the session cookie's name (`authjs.session-token`, or
   * `__Secure-authjs.session-token` over https). A token decodes only with the salt it was made with.
   */
  salt: string;
  /** The secret: a string when one is set, as next-auth passes it; the list, the encrypting one first, when several are. */
  secret: string | string[];
  /** Seconds until `exp`. latch passes `jwt.maxAge`; `encode()` defaults to 30 days. */
  maxAge?: number | undefined;
}

/** Parameters of a session-token decoder. */
export interface JWTDecodeParams {
  /** The token to decode; without one, the result is `null`. */
  token?: string | undefined;
  /** The salt it was encoded with: the session cookie's name. */
  salt: string;
  /** Every secret the token may have been encrypted with (rotation). */
  secret: string | string[];
}

/** Session-token settings. */
export interface JWTOptions {
  /** Seconds a session token is valid: its `exp` is this long after each write. Default `session.maxAge`. */
  maxAge?: number | undefined;
  /**
   * Replaces latch's session-token encoder (JWT sessions); returns the cookie value. Default:
   * Auth.js's format, a JWE (`dir`, `A256CBC-HS512`) keyed from the secret and the cookie name.
   * Replace `decode` with it, and pass that to `getToken({ decode })`.
   */
  encode?: ((params: JWTEncodeParams) => Awaitable<string>) | undefined;
  /**
   * Replaces latch's decoder: returns the claims, or `null` to refuse (a throw counts as `null`).
   * latch checks nothing after it, so it must check `exp` itself.
   */
  decode?: ((params: JWTDecodeParams) => Awaitable<JWT | null>) | undefined;
}

/** A private signing key as a JWK: Ed25519 (`kty: "OKP"`) or P-256 (`kty: "EC"`). */
export interface SigningJwk {
  /** `"OKP"` with `crv: "Ed25519"` (tokens signed EdDSA), `"EC"` with `crv: "P-256"` (ES256). */
  kty: "OKP" | "EC";
  /** Must match `kty`: `"Ed25519"` with OKP, `"P-256"` with EC. */
  crv: "Ed25519" | "P-256";
  /** The private key, base64url. It signs the bearer tokens: keep it secret. */
  d: string;
  /** The public key (EC: its x coordinate), base64url. */
  x: string;
  /** EC only, and required there: the public key's y coordinate, base64url. */
  y?: string | undefined;
  /** The key id in token headers and at `{basePath}/jwks`. Default: the public key's RFC 7638 thumbprint (SHA-256). */
  kid?: string | undefined;
}

/**
 * Bearer tokens: short-lived signed access tokens a client sends as `Authorization: Bearer`,
 * which `auth()` accepts in route handlers, server actions and the proxy. Opt-in: cookie
 * sessions are the safer default (tokens readable by JavaScript are exposed to XSS).
 */
export interface BearerOptions {
  /** Seconds a bearer token lives. Default 600 (10 minutes). */
  maxAge?: number | undefined;
  /**
   * Bind tokens issued to a browser to an HttpOnly fingerprint cookie, so that a token copied
   * out of the page is useless elsewhere. Default true.
   */
  bindToBrowser?: boolean | undefined;
  /**
   * The signing key(s): the first signs, all verify and are published at `{basePath}/jwks`.
   * Default: an Ed25519 key derived from the secret (and one per older secret), so every
   * instance with the same `AUTH_SECRET` signs alike with no extra configuration.
   */
  signingKeys?: SigningJwk[] | undefined;
  /** The `aud` claim: who the tokens are for. Default: the site's origin. */
  audience?: string | undefined;
  /**
   * Refresh tokens for clients outside the browser (mobile, CLI): `POST {basePath}/token` with
   * `{ "offline": true }` (from a signed-in session) also returns a refresh token, and
   * `grant_type=refresh_token` exchanges it for a new bearer token and a new refresh token.
   * Each refresh token works once; presenting a used one revokes its family and the session.
   */
  refreshTokens?: RefreshTokenOptions | undefined;
  /**
   * Extra claims copied from the session token into the bearer token. Bearer tokens are signed,
   * not encrypted: their claims are readable by whoever holds them. Default: none beyond `sub`,
   * `sid`, `auth_time`, `name`, `email` and `picture`.
   */
  claims?: ((token: JWT) => Record<string, unknown>) | undefined;
}

/** Provider-token settings. */
export interface ProviderTokenOptions {
  /** Where the tokens live: `RedisProviderTokenStore`, `PostgresProviderTokenStore`, `SQLiteProviderTokenStore`. */
  store: ProviderTokenStore;
  /** Refresh when fewer than this many seconds are left. Default 60. */
  refreshMargin?: number | undefined;
}

/** Refresh-token settings. */
export interface RefreshTokenOptions {
  /** Where token hashes and families live: `RedisRefreshTokenStore`, `PostgresRefreshTokenStore`, `SQLiteRefreshTokenStore`. */
  store: RefreshTokenStore;
  /** Seconds an unused refresh token lives (idle lifetime). Default: the session's maxAge. */
  maxAge?: number | undefined;
  /** Seconds a family lives from sign-in, whatever the rotations (absolute lifetime). Default 90 days. */
  absoluteMaxAge?: number | undefined;
  /**
   * Seconds during which a client may use a refresh token again because the answer to its first
   * use was lost (a dropped connection, an app killed mid-request): the successor it never
   * received is retired and a new one issued, instead of revoking the whole sign-in as a reuse.
   * The retired successor counts as reused if it ever comes back, so a thief who replays a
   * token within the window keeps going only until the client's next refresh. From 0 to 60.
   * Default 0: every second use is a reuse and revokes the sign-in (RFC 9700 §4.14.2). Set it
   * (10 is plenty) for native clients on unreliable networks. A custom store that predates the
   * option ignores it.
   */
  retryWindow?: number | undefined;
}

/** Shared throttling settings. */
export interface RateLimitOptions {
  /** Where counts live: `RedisRateLimitStore`, `PostgresRateLimitStore`, `SQLiteRateLimitStore`. Default: process memory. */
  store?: RateLimitStore | undefined;
  /**
   * How many proxies you run in front of the app that append the client's address to
   * `X-Forwarded-For`: the client address is the entry that many places from the right.
   * Default 1 — your proxy, or Next.js's own server, which fills the header from the socket
   * when the client sent none. Without a proxy in front of `next start`, a client can send its
   * own header; put one there, or pass `clientAddress`.
   */
  trustedProxies?: number | undefined;
  /** Finds the client address yourself (e.g. from your platform's header); overrides `trustedProxies`. */
  clientAddress?: ((request: Request) => string | null | undefined) | undefined;
}

/**
 * latch's configuration, in Auth.js's shape.
 *
 * @example
 * ```ts
 * import GitHub from "latch/providers/github";
 * const config: AuthConfig = { providers: [GitHub] };
 * ```
 */
export interface AuthConfig {
  /**
   * How users sign in: provider configs, or factories called without options
   * (`providers: [GitHub]`). OAuth providers read an unset `clientId`, `clientSecret` and
   * `issuer` from `AUTH_<ID>_ID`, `_SECRET` and `_ISSUER`, email providers `apiKey` from
   * `AUTH_<ID>_KEY` (`<ID>`: the id upper-cased, `-` as `_`). A provider of an unknown type, or
   * whose id is already taken, is ignored with a warning.
   */
  providers: Provider[];
  /** Where users, accounts and (with database sessions) sessions are stored. */
  adapter?: Adapter | undefined;
  /**
   * Ends JWT sessions at once on every instance: sign-out revokes the session, and
   * `signOutEverywhere` every session of a user. Checked on every session read (`auth()`, the
   * proxy, `/session`, bearer tokens); not by `getToken()`, which only decrypts the cookie.
   */
  revocation?: RevocationStore | undefined;
  /**
   * Milliseconds latch waits for each call to a store — the adapter, `revocation`,
   * `rateLimit.store`, `providerTokens.store`, `bearer.refreshTokens.store` — before the call
   * fails with `AdapterError`. latch then fails closed: no session for that read (the cookie is
   * kept), an error page at sign-in, `RefreshUnavailable` from `getAccessToken`. The driver's
   * query is not cancelled: set its own timeouts too. Default 3000; `false` waits as long as the
   * driver does.
   */
  storeTimeout?: number | false | undefined;
  /**
   * Milliseconds latch waits for one request to an OAuth provider (discovery, token, userinfo,
   * JWKS, refresh), from connecting to the last byte of the answer. A provider that is down or
   * slower ends the sign-in with an error redirect (never a hang), and `getAccessToken` answers
   * `RefreshUnavailable` (or the still-valid token); the next attempt asks the provider again.
   * Default 3500; `false` waits as long as the network does. Answers over 1 MiB are refused
   * either way.
   */
  providerTimeout?: number | false | undefined;
  /**
   * Where throttling counts live and how the client address is found (credentials and email sign-in).
   * Without a `store` the counts live in this process's memory: fine for one instance, and
   * latch warns in production because several instances would each count alone.
   */
  rateLimit?: RateLimitOptions | undefined;
  /**
   * Keeps the tokens each OAuth sign-in yields (access, refresh, expiry) on the server, per user
   * and provider, so `getAccessToken(providerId)` can return a valid one — refreshed once across
   * every instance. The session cookie never carries them.
   */
  providerTokens?: ProviderTokenOptions | undefined;
  /** Bearer tokens (`Authorization: Bearer`) next to the cookie; off by default. `true` takes the defaults. */
  bearer?: BearerOptions | boolean | undefined;
  /**
   * Secret(s) for tokens and cookies: the first encrypts and signs, every one is accepted
   * (rotation). Default: those of `AUTH_SECRET_3`, `AUTH_SECRET_2`, `AUTH_SECRET_1` and
   * `AUTH_SECRET` (or `NEXTAUTH_SECRET`) that are set, in that order; next-auth ignores the
   * numbered ones whenever `AUTH_SECRET` is set.
   */
  secret?: string | string[] | undefined;
  /** How sessions are kept: strategy, lifetime, renewal. */
  session?: SessionOptions | undefined;
  /** How JWT session tokens are made: their lifetime, and an encoder/decoder to replace latch's. */
  jwt?: JWTOptions | undefined;
  /** Your own pages in place of the built-in sign-in, sign-out, error and "check your email" pages. */
  pages?: PagesOptions | undefined;
  /** What decides and shapes: `signIn` (allow?), `redirect` (where to?), `jwt` (the token), `session` (what the app sees). */
  callbacks?: CallbacksOptions | undefined;
  /** Handlers told what happened (sign-in, sign-out, new user…): awaited, and what they throw is logged, never raised. */
  events?: EventCallbacks | undefined;
  /** The look of the built-in pages and of the default sign-in email. Default `{ colorScheme: "auto" }`. */
  theme?: Theme | undefined;
  /**
   * The language of the built-in pages (sign-in, sign-out, error, "check your email", the
   * sign-in link's landing page) and of the sign-in email. `"auto"` (default) follows the browser's `Accept-Language`
   * among every language latch has (`de-CH` falls back to `de`; English when none matches); a
   * list follows it among those languages only, the first being the fallback; one language
   * fixes it. Negotiated pages say `Vary: Accept-Language`.
   *
   * @example
   * ```ts
   * locale: ["de", "en"], // German unless the browser prefers English
   * ```
   */
  locale?: PageLocale | "auto" | readonly PageLocale[] | undefined;
  /**
   * Where latch writes its logs; the console (`[latch]` prefix) by default. Whatever reaches
   * it has been through {@link redact}: tokens, cookies, secrets and passwords are replaced by
   * `[redacted]`, in messages, causes, stacks and metadata alike.
   */
  logger?: Partial<LoggerInstance> | undefined;
  /** Debug lines to the logger (redacted like every line). Default `false`. */
  debug?: boolean | undefined;
  /**
   * Receives a structured {@link AuditEvent} for each security-relevant thing that happens:
   * sign-in and failed sign-in, sign-out, revoked sessions, token refreshes, rate-limit hits,
   * a sign-in from a device not seen before. Events carry ids and outcomes, never a token or
   * secret. A handler that throws or rejects is logged and never breaks the request; it is
   * awaited for at most `storeTimeout` (3 s by default), so a slow sink slows sign-ins up to
   * that (queue inside it if that matters).
   *
   * With `audit` set, latch keeps an HttpOnly device cookie (a random id and a keyed tag per
   * user, 400 days) so that it can tell a new device; without it, no such cookie is set.
   *
   * @example
   * ```ts
   * audit: (event) => console.info(JSON.stringify(event)),
   * ```
   */
  audit?: ((event: AuditEvent) => Awaitable<void>) | undefined;
  /**
   * An OpenTelemetry tracer, e.g. `trace.getTracer("latch")` from `@opentelemetry/api`: latch
   * then wraps each route (`latch <action>`) and each session read (`latch auth`, including
   * `auth()` and the proxy) in a span. latch itself depends on no OpenTelemetry package; the
   * type is structural.
   */
  tracer?: TelemetryTracer | undefined;
  /** Where the routes live. Default `/api/auth`, or the path of `AUTH_URL`. */
  basePath?: string | undefined;
  /**
   * Whether the request's `X-Forwarded-Host` / `Host` and `X-Forwarded-Proto` headers may say the
   * site's origin when `AUTH_URL` is not set; untrusted, latch refuses every request
   * (`UntrustedHost`). With `AUTH_URL` set the headers are never read and this changes nothing:
   * the safer setup in production. Default: `AUTH_TRUST_HOST` when set (`false`, `0`, `no`, `off`
   * mean false; in Auth.js any value means true), else true with `AUTH_URL`, on Vercel or
   * Cloudflare Pages (`VERCEL`, `CF_PAGES`) and whenever `NODE_ENV` is not `"production"`.
   */
  trustHost?: boolean | undefined;
  /** Defaults to true when the origin is https. */
  useSecureCookies?: boolean | undefined;
  /**
   * Cookie names and attributes to change, per cookie: a `name` replaces latch's (over http and
   * https alike), `options` are merged over the defaults. The defaults are Auth.js's names and
   * attributes, so next-auth's cookies keep working after a migration.
   *
   * @example
   * ```ts
   * // One session cookie for app.example.com and its subdomains:
   * cookies: { sessionToken: { options: { domain: "example.com" } } },
   * ```
   */
  cookies?: Partial<{ [K in keyof CookiesOptions]: Partial<CookiesOptions[K]> }> | undefined;
  /**
   * Accepted for Auth.js compatibility and ignored: passkeys need no `enableWebAuthn` flag in
   * latch.
   */
  experimental?: { enableWebAuthn?: boolean | undefined } | undefined;
}
