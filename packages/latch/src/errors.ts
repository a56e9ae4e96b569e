/**
 * latch's errors: one base class and one subclass per error type. Each class's `type` is its
 * own literal, one of the closed union `ErrorType`; the names are Auth.js's (they travel in
 * `?error=` URLs). `isAuthError(err)` narrows to `AnyAuthError`, so that `switch (err.type)`
 * narrows to the class. `code` is only `CredentialsSignin`'s, a string the app chooses, as in
 * Auth.js.
 */

/** Which page an error leads to: the sign-in page (the user can retry) or the error page. */
export type ErrorKind = "signIn" | "error";

/** Every error type latch raises: the `type` of each error class. Stable: safe to `switch` on. */
export type ErrorType =
  | "AccessDenied"
  | "AccountNotLinked"
  | "AdapterError"
  | "CallbackRouteError"
  | "CredentialsSignin"
  | "DuplicateConditionalUI"
  | "EmailSignInError"
  | "ErrorPageLoop"
  | "EventError"
  | "InvalidCallbackUrl"
  | "InvalidCheck"
  | "InvalidEndpoints"
  | "InvalidProvider"
  | "JWTSessionError"
  | "MissingAdapter"
  | "MissingAdapterMethods"
  | "MissingAuthorize"
  | "MissingCSRF"
  | "MissingSecret"
  | "OAuthAccountNotLinked"
  | "OAuthCallbackError"
  | "OAuthProfileParseError"
  | "OAuthSignInError"
  | "RateLimited"
  | "SessionRequired"
  | "SessionTokenError"
  | "SignOutError"
  | "UnknownAction"
  | "UnsupportedStrategy"
  | "UntrustedHost"
  | "Verification"
  | "WebAuthnVerificationError";

/** The error types that may appear in a URL as they are; every other one becomes `Configuration`. */
export const clientSafeErrorTypes: ReadonlySet<string> = new Set<ErrorType>([
  "CredentialsSignin",
  "OAuthAccountNotLinked",
  "AccountNotLinked",
  "OAuthCallbackError",
  "AccessDenied",
  "Verification",
  "MissingCSRF",
  "RateLimited",
  "EmailSignInError",
  "WebAuthnVerificationError",
]);

/**
 * The `?error=` name of a client-safe error type where it differs from the type: the sign-in
 * page knows an email refusal as `EmailSignin`, as in Auth.js's pages.
 */
export const errorUrlNames: Readonly<Partial<Record<ErrorType, string>>> = { EmailSignInError: "EmailSignin" };

/**
 * Base class of every error latch throws or logs.
 *
 * @example
 * ```ts
 * import { AuthError } from "latch/errors";
 * try { await signIn("credentials", formData); }
 * catch (err) { if (err instanceof AuthError && err.type === "CredentialsSignin") return "Wrong email or password"; throw err; }
 * ```
 */
export class AuthError extends Error {
  // Spelled out: minifiers rename classes, and error names are read in logs and by apps.
  override name = "AuthError";
  /** The error's type, as it appears in `?error=` URLs. */
  type: ErrorType = "CallbackRouteError";
  /** Which page this error leads to. */
  kind: ErrorKind = "error";

  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Errors that send the user back to the sign-in page with `?error=`. */
export class SignInError extends AuthError {
  override name = "SignInError";
  override kind: ErrorKind = "signIn";
}

/** The adapter (or revocation store) failed or did not answer in time; `cause` says why. */
export class AdapterError extends AuthError {
  override name = "AdapterError";
  override type = "AdapterError" as const;
}
/** The `signIn` callback returned `false` or threw. */
export class AccessDenied extends AuthError {
  override name = "AccessDenied";
  override type = "AccessDenied" as const;
}
/** Something went wrong in the callback route; `cause` holds the reason. */
export class CallbackRouteError extends AuthError {
  override name = "CallbackRouteError";
  override type = "CallbackRouteError" as const;
}
/**
 * `authorize` of a credentials provider returned `null`. Subclass it and set `code`
 * to show your own reason on the sign-in page (`?error=CredentialsSignin&code=…`).
 */
export class CredentialsSignin extends SignInError {
  override name = "CredentialsSignin";
  override type = "CredentialsSignin" as const;
  /** Shown in the URL as `&code=`; keep it free of secrets. */
  code = "credentials";
}
/** Two passkey providers both offer conditional UI (autofill): one page can run only one such request. */
export class DuplicateConditionalUI extends AuthError {
  override name = "DuplicateConditionalUI";
  override type = "DuplicateConditionalUI" as const;
}
/**
 * An email sign-in link was not sent: the address is not exactly one plain address, or
 * `sendVerificationRequest` failed. The sign-in page shows `?error=EmailSignin`.
 */
export class EmailSignInError extends SignInError {
  override name = "EmailSignInError";
  override type = "EmailSignInError" as const;
}
/** The error page itself is configured to an address that errors. */
export class ErrorPageLoop extends AuthError {
  override name = "ErrorPageLoop";
  override type = "ErrorPageLoop" as const;
}
/** An `events` handler threw; latch logs it and goes on. */
export class EventError extends AuthError {
  override name = "EventError";
  override type = "EventError" as const;
}
/** A `callbackUrl` could not be parsed as an http(s) URL. */
export class InvalidCallbackUrl extends AuthError {
  override name = "InvalidCallbackUrl";
  override type = "InvalidCallbackUrl" as const;
}
/** A PKCE, state or nonce check failed: missing, wrong, reused, or minted for another provider. */
export class InvalidCheck extends AuthError {
  override name = "InvalidCheck";
  override type = "InvalidCheck" as const;
}
/** A provider lacks the endpoints it needs (no issuer and no authorization/token URL). */
export class InvalidEndpoints extends AuthError {
  override name = "InvalidEndpoints";
  override type = "InvalidEndpoints" as const;
}
/** No provider has this id, or it cannot be used on this route. */
export class InvalidProvider extends AuthError {
  override name = "InvalidProvider";
  override type = "InvalidProvider" as const;
}
/** A session token could not be decoded or encoded. */
export class JWTSessionError extends AuthError {
  override name = "JWTSessionError";
  override type = "JWTSessionError" as const;
}
/** Database sessions (or another feature) need an adapter and none is set. */
export class MissingAdapter extends AuthError {
  override name = "MissingAdapter";
  override type = "MissingAdapter" as const;
}
/** The adapter lacks methods the configuration needs. */
export class MissingAdapterMethods extends AuthError {
  override name = "MissingAdapterMethods";
  override type = "MissingAdapterMethods" as const;
}
/** A credentials provider has no `authorize` function. */
export class MissingAuthorize extends AuthError {
  override name = "MissingAuthorize";
  override type = "MissingAuthorize" as const;
}
/** A state-changing POST came without a valid CSRF token. */
export class MissingCSRF extends SignInError {
  override name = "MissingCSRF";
  override type = "MissingCSRF" as const;
}
/** No secret is configured: set `AUTH_SECRET` (generate one with `openssl rand -base64 33`). */
export class MissingSecret extends AuthError {
  override name = "MissingSecret";
  override type = "MissingSecret" as const;
}
/** This provider account belongs to another user. */
export class OAuthAccountNotLinked extends SignInError {
  override name = "OAuthAccountNotLinked";
  override type = "OAuthAccountNotLinked" as const;
}
/**
 * A passkey of another user than the one signed in on this browser: signing in with it would
 * switch users silently, so it is refused and the session stays (as in Auth.js).
 */
export class AccountNotLinked extends SignInError {
  override name = "AccountNotLinked";
  override type = "AccountNotLinked" as const;
}
/** The provider answered the callback with an error, or its answer was invalid. */
export class OAuthCallbackError extends SignInError {
  override name = "OAuthCallbackError";
  override type = "OAuthCallbackError" as const;
}
/** The provider's profile could not be turned into a user. */
export class OAuthProfileParseError extends AuthError {
  override name = "OAuthProfileParseError";
  override type = "OAuthProfileParseError" as const;
}
/** Building the authorization request failed (discovery, configuration). */
export class OAuthSignInError extends SignInError {
  override name = "OAuthSignInError";
  override type = "OAuthSignInError" as const;
}
/**
 * Too many sign-in attempts for this account or from this address; the route answers 429 with
 * `Retry-After`. `retryAfter` says in how many seconds the user may try again.
 */
export class RateLimited extends SignInError {
  override name = "RateLimited";
  override type = "RateLimited" as const;
  /** Seconds until the window ends. */
  retryAfter: number;

  constructor(message: string, retryAfter: number, options?: { cause?: unknown }) {
    super(message, options);
    this.retryAfter = retryAfter;
  }
}
/**
 * A page, route or action needs a signed-in user and there is none (or the session expired).
 * Thrown by `requireSession({ onMissing: "throw" })`; catch it to show a message.
 */
export class SessionRequired extends AuthError {
  override name = "SessionRequired";
  override type = "SessionRequired" as const;
}
/** A session token was invalid. */
export class SessionTokenError extends AuthError {
  override name = "SessionTokenError";
  override type = "SessionTokenError" as const;
}
/** Signing out failed. */
export class SignOutError extends AuthError {
  override name = "SignOutError";
  override type = "SignOutError" as const;
}
/** The route does not exist under `basePath`. */
export class UnknownAction extends AuthError {
  override name = "UnknownAction";
  override type = "UnknownAction" as const;
}
/** The configuration asks for something latch does not support in this combination. */
export class UnsupportedStrategy extends AuthError {
  override name = "UnsupportedStrategy";
  override type = "UnsupportedStrategy" as const;
}
/** The request's host is not trusted: set `AUTH_URL`, or `AUTH_TRUST_HOST=true` behind a proxy you control. */
export class UntrustedHost extends AuthError {
  override name = "UntrustedHost";
  override type = "UntrustedHost" as const;
}
/** A verification token (magic link) was invalid, expired or already used. */
export class Verification extends AuthError {
  override name = "Verification";
  override type = "Verification" as const;
}

/**
 * A passkey could not be registered or used: the response did not verify (wrong origin or
 * relying party, challenge missing, reused or minted for another provider, bad signature,
 * counter gone backwards), the passkey is unknown, or the email of the new account already
 * belongs to someone (sign in first, then add a passkey). The sign-in page shows
 * `?error=WebAuthnVerificationError`; the server log says which.
 */
export class WebAuthnVerificationError extends SignInError {
  override name = "WebAuthnVerificationError";
  override type = "WebAuthnVerificationError" as const;
}

/**
 * Every error class latch raises, told apart by `type`: after `isAuthError(err)`, a
 * `switch (err.type)` narrows `err` to the class of each case.
 */
export type AnyAuthError =
  | AccessDenied
  | AccountNotLinked
  | AdapterError
  | CallbackRouteError
  | CredentialsSignin
  | DuplicateConditionalUI
  | EmailSignInError
  | ErrorPageLoop
  | EventError
  | InvalidCallbackUrl
  | InvalidCheck
  | InvalidEndpoints
  | InvalidProvider
  | JWTSessionError
  | MissingAdapter
  | MissingAdapterMethods
  | MissingAuthorize
  | MissingCSRF
  | MissingSecret
  | OAuthAccountNotLinked
  | OAuthCallbackError
  | OAuthProfileParseError
  | OAuthSignInError
  | RateLimited
  | SessionRequired
  | SessionTokenError
  | SignOutError
  | UnknownAction
  | UnsupportedStrategy
  | UntrustedHost
  | Verification
  | WebAuthnVerificationError;

/**
 * True when `value` is a latch error (an `AuthError` instance); narrows it to {@link AnyAuthError}.
 *
 * @example
 * ```ts
 * import { isAuthError } from "latch/errors";
 * try { await signIn("credentials", formData); }
 * catch (err) {
 *   if (!isAuthError(err)) throw err;
 *   switch (err.type) {
 *     case "RateLimited": return `Too many attempts: try again in ${err.retryAfter} s`;
 *     case "CredentialsSignin": return "Wrong email or password";
 *     default: throw err;
 *   }
 * }
 * ```
 */
export function isAuthError(value: unknown): value is AnyAuthError {
  return value instanceof AuthError;
}
