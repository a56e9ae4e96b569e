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
import type { RateLimitStore } from "./rate-limit/types.js";
import type { ProviderTokenStore } from "./provider-tokens/types.js";
import type { RefreshTokenStore } from "./refresh-tokens/types.js";
import type { RevocationStore } from "./revocation/types.js";

/** A value or a promise of it. */
export type Awaitable<T> = T | PromiseLike<T>;

/** The user as latch's callbacks see it. */
export interface DefaultUser {
  id?: string | undefined;
  name?: string | null | undefined;
  email?: string | null | undefined;
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
  user?: User | undefined;
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
  iat?: number | undefined;
  exp?: number | undefined;
  jti?: string | undefined;
  /** Session id, set at sign-in and kept across renewals: what revocation names. */
  sid?: string | undefined;
  /** When the user signed in (seconds), kept across renewals. */
  auth_time?: number | undefined;
  name?: string | null | undefined;
  email?: string | null | undefined;
  picture?: string | null | undefined;
  sub?: string | undefined;
}
/**
 * The session token's payload: what the `jwt` callback receives and returns, and `getToken()`
 * gives. Extend it by module augmentation, in `declare module "latch"` next to {@link Session},
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
  access_token?: string | undefined;
  token_type?: string | undefined;
  id_token?: string | undefined;
  refresh_token?: string | undefined;
  scope?: string | undefined;
  expires_in?: number | undefined;
  /** Seconds since the epoch, computed from `expires_in`. */
  expires_at?: number | undefined;
  [key: string]: unknown;
}

/** The kinds of provider. */
export type ProviderType = "oauth" | "oidc" | "credentials" | "email" | "webauthn";

/** A provider account as the callbacks see it (Auth.js's `Account`). */
export interface Account extends TokenSet {
  provider: string;
  providerAccountId: string;
  type: ProviderType;
  userId?: string | undefined;
}

/** The profile a provider returned (ID-token claims or userinfo). */
export interface Profile {
  sub?: string | null | undefined;
  name?: string | null | undefined;
  email?: string | null | undefined;
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

/** Which checks protect the authorization-code flow. latch always adds `pkce` and `state`. */
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
  checks?: OAuthCheck[] | undefined;
  // Declared as methods so that a provider typed for its own profile (GitHubProfile) is still a
  // `Provider`: method parameters are compared bivariantly.
  /** Maps the provider's profile to a user; its `id` becomes `account.providerAccountId`. */
  profile?(this: void, profile: P, tokens: TokenSet): Awaitable<User>;
  /** Picks what of the token response is kept on the account. */
  account?(this: void, tokens: TokenSet): Partial<TokenSet> | undefined;
  /** OIDC only: `false` reads the profile from userinfo instead of the ID token. */
  idToken?: boolean | undefined;
  allowDangerousEmailAccountLinking?: boolean | undefined;
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
   * Attempts per account (the identifier field) in a window, counted until a sign-in succeeds.
   * Default 10 per 15 minutes; `false` turns it off.
   */
  account?: RateLimitRule | false | undefined;
  /**
   * Attempts per client address (IPv6 grouped by /64) in a window. Default 100 per 15 minutes;
   * `false` turns it off.
   */
  source?: RateLimitRule | false | undefined;
  /**
   * The account a request tries, for the per-account limit. Default: the first field declared
   * in `credentials` whose type is not `"password"`, NFKC-normalized, trimmed and lower-cased.
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
  /** Links sent to one address in a window. Default 5 per 15 minutes; `false` turns it off. */
  address?: RateLimitRule | false | undefined;
  /**
   * Links requested from one client address (IPv6 grouped by /64) in a window, whatever the
   * recipient. Default 30 per 15 minutes; `false` turns it off.
   */
  source?: RateLimitRule | false | undefined;
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
  /** The SMTP server Nodemailer sends through (the Nodemailer provider, and `Email` without `sendVerificationRequest`). */
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
  user: User;
  account: Account | null;
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
  token: JWT;
  user?: User | undefined;
  account?: Account | null | undefined;
  profile?: Profile | undefined;
  trigger?: "signIn" | "signUp" | "update" | undefined;
  isNewUser?: boolean | undefined;
  /** With `trigger: "update"`, the data the client sent. */
  session?: unknown;
}

/** What the `session` callback receives. */
export interface SessionCallbackParams {
  session: Session;
  /**
   * The session token's claims. With database sessions latch passes `{ sub, name, email,
   * picture }` of the stored user, so a callback written for JWT sessions keeps working.
   */
  token: JWT;
  /** With database sessions: the stored user. */
  user?: AdapterUser | undefined;
}

/** Callbacks that shape sign-in, tokens, sessions and redirects. */
export interface CallbacksOptions {
  signIn?: ((params: SignInCallbackParams) => Awaitable<boolean | string>) | undefined;
  redirect?: ((params: { url: string; baseUrl: string }) => Awaitable<string>) | undefined;
  jwt?: ((params: JWTCallbackParams) => Awaitable<JWT | null>) | undefined;
  session?: ((params: SessionCallbackParams) => Awaitable<Session | DefaultSession>) | undefined;
}

/** What the `signIn` event receives. */
export interface SignInEventMessage {
  user: User;
  account: Account | null;
  profile?: Profile | undefined;
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
  session?: ((message: { session: Session; token: JWT }) => Awaitable<void>) | undefined;
  /** A user was created by the adapter at their first sign-in. */
  createUser?: ((message: { user: AdapterUser }) => Awaitable<void>) | undefined;
  /** A stored user was changed at sign-in (an email sign-in set `emailVerified`). */
  updateUser?: ((message: { user: AdapterUser }) => Awaitable<void>) | undefined;
  /** A provider account was linked to a user. */
  linkAccount?: ((message: { user: AdapterUser; account: Account; profile: Profile }) => Awaitable<void>) | undefined;
}

/** Your own pages instead of the built-in ones (paths, e.g. `/login`). */
export interface PagesOptions {
  signIn?: string | undefined;
  signOut?: string | undefined;
  error?: string | undefined;
  verifyRequest?: string | undefined;
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
  error: (error: Error) => void;
  warn: (code: string) => void;
  debug: (message: string, metadata?: unknown) => void;
}

/** A cookie's name and attributes. */
export interface CookieOption {
  name: string;
  options: CookieAttributes;
}

/** Attributes of a cookie. */
export interface CookieAttributes {
  httpOnly?: boolean | undefined;
  sameSite?: "lax" | "strict" | "none" | undefined;
  path?: string | undefined;
  secure?: boolean | undefined;
  domain?: string | undefined;
  maxAge?: number | undefined;
  expires?: Date | undefined;
}

/** The cookies latch uses. */
export interface CookiesOptions {
  sessionToken: CookieOption;
  callbackUrl: CookieOption;
  csrfToken: CookieOption;
  pkceCodeVerifier: CookieOption;
  state: CookieOption;
  nonce: CookieOption;
  /** The HttpOnly fingerprint cookie bearer tokens are bound to (bearer mode only). */
  bearerFingerprint: CookieOption;
  /** The sealed, single-use challenge of a passkey ceremony (`authjs.challenge`). */
  webauthnChallenge: CookieOption;
}

/** Session settings. */
export interface SessionOptions {
  /** Only `"jwt"` for now: an encrypted token in an HttpOnly cookie. */
  /**
   * `"jwt"`: an encrypted token in the cookie, no storage. `"database"`: an opaque token in the
   * cookie and the session in the adapter. Default: `"database"` when an adapter is set.
   */
  strategy?: "jwt" | "database" | undefined;
  /** Seconds a session lives without being used. Default 30 days. */
  maxAge?: number | undefined;
  /** Seconds between session-store writes (database sessions). Default 1 day. */
  updateAge?: number | undefined;
  /** Database sessions: makes the opaque token. Default: 32 random bytes, hex. */
  generateSessionToken?: (() => string) | undefined;
}

/** Parameters of a session-token encoder. */
export interface JWTEncodeParams {
  token?: JWT | undefined;
  salt: string;
  secret: string | string[];
  maxAge?: number | undefined;
}

/** Parameters of a session-token decoder. */
export interface JWTDecodeParams {
  token?: string | undefined;
  salt: string;
  secret: string | string[];
}

/** Session-token settings. */
export interface JWTOptions {
  maxAge?: number | undefined;
  encode?: ((params: JWTEncodeParams) => Awaitable<string>) | undefined;
  decode?: ((params: JWTDecodeParams) => Awaitable<JWT | null>) | undefined;
}

/** A private signing key as a JWK: Ed25519 (`kty: "OKP"`) or P-256 (`kty: "EC"`). */
export interface SigningJwk {
  kty: "OKP" | "EC";
  crv: "Ed25519" | "P-256";
  d: string;
  x: string;
  y?: string | undefined;
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
  providers: Provider[];
  /** Where users, accounts and (with database sessions) sessions are stored. */
  adapter?: Adapter | undefined;
  /**
   * Ends JWT sessions at once on every instance: sign-out revokes the session, and
   * `signOutEverywhere` every session of a user. Checked on every session read.
   */
  revocation?: RevocationStore | undefined;
  /**
   * Milliseconds latch waits for the adapter or the revocation store before it gives up on a
   * call (no session for that request; an error page at sign-in). Default 3000; `false` waits
   * as long as the driver does.
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
  /** Secret(s) for tokens and cookies. Defaults to `AUTH_SECRET` (and `AUTH_SECRET_1..3`). The first encrypts; every one decrypts. */
  secret?: string | string[] | undefined;
  session?: SessionOptions | undefined;
  jwt?: JWTOptions | undefined;
  pages?: PagesOptions | undefined;
  callbacks?: CallbacksOptions | undefined;
  events?: EventCallbacks | undefined;
  theme?: Theme | undefined;
  /**
   * The language of the built-in pages (sign-in, sign-out, error, "check your email", the
   * sign-in link's landing page). `"auto"` (default) follows the browser's `Accept-Language`
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
  logger?: Partial<LoggerInstance> | undefined;
  debug?: boolean | undefined;
  /** Where the routes live. Default `/api/auth`, or the path of `AUTH_URL`. */
  basePath?: string | undefined;
  /** Trust the Host / X-Forwarded-* headers to build URLs. Off in production unless `AUTH_TRUST_HOST=true`; not needed when `AUTH_URL` is set. */
  trustHost?: boolean | undefined;
  /** Defaults to true when the origin is https. */
  useSecureCookies?: boolean | undefined;
  cookies?: Partial<{ [K in keyof CookiesOptions]: Partial<CookiesOptions[K]> }> | undefined;
  /**
   * Accepted for Auth.js compatibility and ignored: passkeys need no `enableWebAuthn` flag in
   * latch.
   */
  experimental?: { enableWebAuthn?: boolean | undefined } | undefined;
}
