/**
 * The public types of `latch/react`, in next-auth/react v5's shapes so an app migrates by
 * changing the import path.
 */
import type { ReactNode } from "react";
import type { Session } from "../types.js";

/**
 * Types the client: the browser cannot see the config, so declare here, by module augmentation,
 * the ids of the providers the client `signIn()` accepts. Without it, any string.
 *
 * @example
 * ```ts
 * declare module "latch/react" {
 *   interface Register { providerId: "github" | "credentials" }
 * }
 * // or, from the server config (a type-only import: no server code reaches the client):
 * declare module "latch/react" {
 *   interface Register { providerId: NonNullable<Parameters<typeof import("./auth").signIn>[0]> }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty until the app augments it
export interface Register {}

/** The provider ids the client `signIn()` accepts: `Register["providerId"]`, or any string. */
export type ClientProviderId = Register extends { providerId: infer Id extends string } ? Id : string;

/** What `useSession()` reports: `"loading"` until the provider knows whether there is a session. */
export type SessionStatus = "loading" | "authenticated" | "unauthenticated";

/**
 * `update()` of `useSession()`: `update(data)` sends `data` to the server, where the `jwt`
 * callback gets it as `session` with `trigger: "update"`; `update()` without data, as in
 * next-auth, only fetches the session again (no trigger). Resolves to the fresh session (`null`
 * when signed out or when the server could not be reached).
 */
export type UpdateSession = (data?: unknown) => Promise<Session | null>;

/** What `useSession()` returns; with `required: true` the status is never `"unauthenticated"`. */
export type SessionContextValue<R extends boolean = false> = R extends true
  ? { data: Session; status: "authenticated"; update: UpdateSession } | { data: null; status: "loading"; update: UpdateSession }
  : { data: Session; status: "authenticated"; update: UpdateSession } | { data: null; status: "unauthenticated" | "loading"; update: UpdateSession };

/** Options of `useSession()`. */
export interface UseSessionOptions<R extends boolean = boolean> {
  /** Leave the page when there is no session: to the sign-in page, or through `onUnauthenticated`. */
  required?: R | undefined;
  /** Called instead of the redirect to the sign-in page when `required` and signed out. */
  onUnauthenticated?: (() => void) | undefined;
}

/** Props of `<SessionProvider>`. */
export interface SessionProviderProps {
  children?: ReactNode;
  /** The session the server rendered with (`await auth()`); `undefined` makes the provider fetch it. */
  session?: Session | null | undefined;
  /** Where latch's routes live. Default `"/api/auth"`. The standalone functions use it too. */
  basePath?: string | undefined;
  /** Seconds between refetches while signed in; `0` (default) turns polling off. Each refetch extends the session. */
  refetchInterval?: number | undefined;
  /** Refetch when the tab becomes visible again. Default `true`. */
  refetchOnWindowFocus?: boolean | undefined;
  /** Poll even when `navigator.onLine` is `false`. Default `false`. */
  refetchWhenOffline?: boolean | undefined;
  /**
   * Accepted for next-auth compatibility and not used: latch's routes are asked on the page's
   * own origin, where its cookies are (set `basePath` for another path).
   */
  baseUrl?: string | undefined;
}

/** Options every standalone function takes. */
export interface ClientOptions {
  /**
   * Where latch's routes live. Default: the `basePath` of the `<SessionProvider>` last rendered
   * with one (as in next-auth), else `"/api/auth"`.
   */
  basePath?: string | undefined;
}

/** Options of `getSession()`. */
export interface GetSessionOptions extends ClientOptions {
  /**
   * `false`: do not tell the other `<SessionProvider>`s (this tab's and the other tabs') what
   * was found, as next-auth's `broadcast: false`. Default `true`.
   */
  broadcast?: boolean | undefined;
}

/** A provider as `GET {basePath}/providers` describes it. */
export interface ClientSafeProvider {
  id: string;
  name: string;
  type: string;
  signinUrl: string;
  callbackUrl: string;
}

/**
 * Options of `signIn()`. Every other string, number or boolean field is sent to the provider:
 * the credentials of a Credentials provider, `email` of an email provider.
 */
export interface SignInOptions<Redirect extends boolean = boolean> extends Record<string, unknown>, ClientOptions {
  /** Where the user lands after signing in. Default: the current page. */
  redirectTo?: string | undefined;
  /** @deprecated The name next-auth v4 used; use `redirectTo`. */
  callbackUrl?: string | undefined;
  /** `false` resolves to a {@link SignInResponse} instead of navigating. Default `true`. */
  redirect?: Redirect | undefined;
}

/** Extra parameters for the provider's authorization request (`prompt`, `login_hint`, …). */
export type SignInAuthorizationParams = string | string[][] | Record<string, string> | URLSearchParams;

/**
 * What `signIn(…, { redirect: false })` resolves to. As in next-auth, `ok` is the HTTP outcome:
 * a refused password is `ok: true` with `error: "CredentialsSignin"`; check `error`.
 */
export interface SignInResponse {
  /** The `?error=` of the URL the server answered with (`"CredentialsSignin"`, `"RateLimited"`, …). */
  error: string | undefined;
  /** The `?code=` of that URL (a `CredentialsSignin` subclass's code). */
  code: string | undefined;
  status: number;
  ok: boolean;
  /** Where to send the user next; `null` when there is an error. */
  url: string | null;
}

/** Options of `signOut()`. */
export interface SignOutOptions<Redirect extends boolean = boolean> extends ClientOptions {
  /** Where the user lands after signing out. Default: the current page. */
  redirectTo?: string | undefined;
  /** @deprecated The name next-auth v4 used; use `redirectTo`. */
  callbackUrl?: string | undefined;
  /** `false` resolves to a {@link SignOutResponse} instead of navigating. Default `true`. */
  redirect?: Redirect | undefined;
}

/** next-auth/react's name for {@link SignOutOptions}. */
export type SignOutParams<Redirect extends boolean = boolean> = SignOutOptions<Redirect>;

/** What `signOut({ redirect: false })` resolves to. */
export interface SignOutResponse {
  /** Where the server would have sent the user. */
  url: string;
}
