import type { AccessTokenResult } from "../core/provider-tokens.js";
import type { NextRequest } from "next/server";
import type { AuthConfig, Awaitable, CallbacksOptions, OAuthProviderId, Provider, ProviderId, Session } from "../types.js";

/** What `callbacks.authorized` receives: the request and its session (or `null`). */
export interface AuthorizedParams {
  request: NextRequest;
  auth: Session | null;
}

/**
 * latch's config for Next.js: the core config plus `callbacks.authorized`, which the proxy
 * (middleware) and the `auth(handler)` wrapper run on every request they see.
 */
export interface NextAuthConfig extends Omit<AuthConfig, "callbacks"> {
  callbacks?:
    | (CallbacksOptions & {
        /**
         * `true` lets the request through, `false` — or any falsy answer, as in Auth.js — denies
         * it (pages: redirect to sign-in with a `callbackUrl`; API routes: 401 JSON), a `Response`
         * is sent as is. Unlike Auth.js, a denial also applies when `auth(handler)` wraps a
         * handler. A throw denies.
         */
        authorized?: ((params: AuthorizedParams) => Awaitable<boolean | Response | undefined | void>) | undefined;
      })
    | undefined;
}

/** A request seen by `auth(handler)`: `req.auth` is the session, or `null`. */
export interface NextAuthRequest extends NextRequest {
  auth: Session | null;
}

/** A request seen by `protect(handler)`: there is always a session. */
export interface ProtectedRequest extends NextRequest {
  auth: Session;
}

/** The session-reading forms of the Pages Router: an API route's `req`/`res`, or `getServerSideProps`' context. */
export interface PagesRequestLike {
  headers: Record<string, string | string[] | undefined>;
  url?: string | undefined;
}
export interface PagesResponseLike {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  /** Node's `res.headersSent`: once true, no cookie can be added. */
  readonly headersSent?: boolean | undefined;
}
export interface ServerSidePropsContextLike {
  req: PagesRequestLike;
  res: PagesResponseLike;
}

/** Options of the server-side `signIn`. */
export interface SignInOptions {
  /** Where to go after signing in. Default: the page the action was called from. */
  redirectTo?: string | undefined;
  /** `false` returns the URL instead of redirecting. */
  redirect?: boolean | undefined;
  [field: string]: unknown;
}

/** Options of the server-side `signOut`. */
export interface SignOutOptions {
  redirectTo?: string | undefined;
  redirect?: boolean | undefined;
}

/** Options of `requireSession`. */
export interface RequireSessionOptions {
  /**
   * What happens without a session: `"redirect"` (default) sends the user to the sign-in page
   * and back; `"throw"` throws `SessionRequired`, for server actions that show a message.
   */
  onMissing?: "redirect" | "throw" | undefined;
  /** Where to come back to after signing in (redirect mode). Default: the current page when the proxy saw it, else "/". */
  callbackUrl?: string | undefined;
}

/** A Next.js route handler or proxy function wrapped by `auth(handler)`. */
export type WrappedHandler<C> = (request: NextAuthRequest, context: C) => Awaitable<Response | undefined | void>;

/**
 * `auth` in all its forms, as in next-auth v5:
 * - `await auth()` in a server component, route handler or server action → `Session | null`;
 * - `export { auth as proxy }` (Next 16) / `export { auth as middleware }` (Next 15);
 * - `auth((req) => …)` wraps a proxy or route handler and sets `req.auth`;
 * - `auth(req, res)` in a Pages Router API route, `auth(ctx)` in `getServerSideProps`.
 */
export interface AuthFunction {
  (): Promise<Session | null>;
  <C = unknown>(handler: WrappedHandler<C>): (request: NextRequest, context: C) => Promise<Response>;
  (request: NextRequest, context?: unknown): Promise<Response>;
  (context: ServerSidePropsContextLike): Promise<Session | null>;
  (request: PagesRequestLike, response: PagesResponseLike): Promise<Session | null>;
}

/** The form data or options of the server-side `signIn`. */
export type SignInArguments = [options?: FormData | SignInOptions, authorizationParams?: string | URLSearchParams | Record<string, string> | string[][]];

/**
 * The server-side `signIn`: `Id` is the union of the ids of the config's providers when they
 * are known, `string` otherwise. A literal id must be one of them (a typo does not compile); an
 * id only known at run time (`provider.id` of a list, a form field) may be any `string`, as in
 * next-auth; latch refuses an unknown one at run time. Declared as a method, whose parameters
 * compare bivariantly, so that a result typed for known ids is still a `NextAuthResult`.
 */
export type ServerSignIn<Id extends string = string> = {
  // First, for a `string` only (a literal matches `never` here and falls to the next): last is
  // what `Parameters<typeof signIn>` reads, as `latch/react`'s `Register` does.
  signIn<P extends string>(provider: string extends P ? P : never, ...rest: SignInArguments): Promise<string>;
  signIn(provider?: Id, ...rest: SignInArguments): Promise<string>;
}["signIn"];

/** `getAccessToken` of `NextAuth()`, typed for the OAuth/OIDC provider ids `Id` (bivariant, as {@link ServerSignIn}). */
export type GetAccessToken<Id extends string = string> = { getAccessToken(providerId: Id): Promise<AccessTokenResult> }["getAccessToken"];

/**
 * What `NextAuth()` returns. `P` is the type of the config's providers: when `NextAuth()` sees
 * them (`NextAuth({ providers: [GitHub, …] })`), `signIn()` accepts only their ids; with a config
 * typed `NextAuthConfig` or given as a function, any string.
 */
export interface NextAuthResult<P extends Provider = Provider> {
  /** The route handlers: `export const { GET, POST } = handlers` in `app/api/auth/[...nextauth]/route.ts`. */
  handlers: { GET: (request: Request) => Promise<Response>; POST: (request: Request) => Promise<Response> };
  auth: AuthFunction;
  /**
   * Starts a sign-in from a server action; redirects (throws `NEXT_REDIRECT`) unless
   * `redirect: false`. With a credentials provider a refused sign-in throws `CredentialsSignin`
   * (or `RateLimited` when throttled); with an email provider (`signIn("nodemailer", { email })`)
   * an address that is not exactly one plain address, or a failed send, throws
   * `EmailSignInError` (`RateLimited` when throttled), and success goes to "check your email".
   * A passkey provider throws `InvalidProvider`: a passkey needs the browser, so send the user
   * to the sign-in page (`signIn()` without a provider) instead.
   */
  signIn: ServerSignIn<ProviderId<P>>;
  /** Signs out from a server action; redirects unless `redirect: false`. */
  signOut: (options?: SignOutOptions) => Promise<string>;
  /** Updates the session from a server action through the `jwt` callback (`trigger: "update"`). */
  unstable_update: (data: Record<string, unknown>) => Promise<Session | null>;
  /**
   * From a server action: ends every session of the signed-in user on every device, then signs
   * out here as `signOut` does. JWT sessions need a `revocation` store; database sessions an
   * adapter with `deleteSessionsByUserId` (latch's built-in adapters have it).
   */
  signOutEverywhere: (options?: SignOutOptions) => Promise<string>;
  /**
   * Ends every session of a user on every device, from anywhere on the server (a server action,
   * a route handler, a script): when you ban a user or delete an account. Database sessions are
   * deleted (the adapter's `deleteSessionsByUserId`), with their refresh tokens; their bearer
   * tokens already issued live out `bearer.maxAge`. JWT sessions, with their bearer and refresh
   * tokens, are cut off through the `revocation` store, which JWT sessions therefore need; a
   * sign-in within the same second counts as before the cut-off. It does not stop the user
   * signing in again: block them first (delete the user, or refuse them in `callbacks.signIn`).
   * Emits `session-revoked` with reason `revoked-by-app`. Throws `UnsupportedStrategy` /
   * `MissingAdapterMethods` saying what to set. Never export it from a `"use server"` module as
   * it is: that would let anyone end anyone's sessions.
   *
   * @example
   * ```ts
   * await adapter.deleteUser?.(user.id); // first: no new sign-in as this user
   * await revokeUser(user.id);
   * ```
   */
  revokeUser: (userId: string) => Promise<void>;
  /**
   * A valid access token of the signed-in user at an OAuth provider, refreshed when near expiry —
   * once across every instance sharing `providerTokens.store`. Works in server components.
   * Answers `{ error }` instead of throwing: `NoSession`, `NoTokens`, `RefreshTokenError` (the
   * grant was revoked: ask the user to sign in again) or `RefreshUnavailable`.
   */
  getAccessToken: GetAccessToken<OAuthProviderId<P>>;
  /**
   * Defense in depth for server components and server actions: returns the session, or
   * redirects to sign-in (default) / throws `SessionRequired`.
   */
  requireSession: (options?: RequireSessionOptions) => Promise<Session>;
  /** Wraps a route handler that needs a session: without one it answers 401 JSON with `WWW-Authenticate`. */
  protect: <C = unknown>(handler: (request: ProtectedRequest, context: C) => Awaitable<Response>) => (request: NextRequest, context: C) => Promise<Response>;
}
