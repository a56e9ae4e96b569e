/** Each error class's `type` is its own literal, so `switch (err.type)` after `isAuthError` narrows. */
import { CredentialsSignin, RateLimited, isAuthError, type AnyAuthError, type AuthError, type ErrorType } from "latch/errors";
import { expectTypeOf } from "vitest";

// The classes cover the closed union exactly.
expectTypeOf<AnyAuthError["type"]>().toEqualTypeOf<ErrorType>();
// No class has a wider `type` than its own literal (that one would never narrow).
type HasLiteralType<E> = E extends { type: infer T } ? (ErrorType extends T ? false : true) : false;
expectTypeOf<HasLiteralType<AnyAuthError>>().toEqualTypeOf<true>();
expectTypeOf(new RateLimited("slow down", 60).type).toEqualTypeOf<"RateLimited">();
expectTypeOf<AuthError["type"]>().toEqualTypeOf<ErrorType>();

// Auth.js's `CredentialsSignin.code` stays a string the app sets in a subclass.
class InvalidLogin extends CredentialsSignin {
  override code = "invalid_login";
}
expectTypeOf(new InvalidLogin().code).toEqualTypeOf<string>();
expectTypeOf(new InvalidLogin().type).toEqualTypeOf<"CredentialsSignin">();

export function message(err: unknown): string {
  if (!isAuthError(err)) throw err;
  expectTypeOf(err).toEqualTypeOf<AnyAuthError>();
  switch (err.type) {
    case "RateLimited":
      expectTypeOf(err).toEqualTypeOf<RateLimited>();
      return `Try again in ${err.retryAfter} s`;
    case "CredentialsSignin":
      expectTypeOf(err).toEqualTypeOf<CredentialsSignin>();
      return err.code;
    case "AccessDenied":
      expectTypeOf(err).not.toHaveProperty("retryAfter");
      return "Access denied";
    default:
      expectTypeOf(err.type).toEqualTypeOf<Exclude<ErrorType, "RateLimited" | "CredentialsSignin" | "AccessDenied">>();
      return "Something went wrong";
  }
}
