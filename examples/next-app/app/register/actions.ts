"use server";

import { CredentialsSignin, RateLimited } from "latch/next";
import { MAX_PASSWORD_BYTES } from "latch/password";
import { signIn } from "../../auth";
import { createUserWithPassword } from "../../db";
import { isValidEmail, normalizeEmail } from "../../email";

/** What the sign-up form shows after an attempt: the address to fill back in, and what went wrong. */
export interface RegisterState {
  email: string;
  errors: {
    email?: string | undefined;
    password?: string | undefined;
    confirm?: string | undefined;
    /** About the attempt as a whole, e.g. a taken address. */
    form?: string | undefined;
  };
}

const MIN_PASSWORD_CHARACTERS = 8;

/**
 * Neutral wording: it does not say how the existing account signs in (password or OIDC), only
 * points its owner to sign-in. (Without email verification, sign-up cannot hide that an address
 * is taken.)
 */
const EMAIL_TAKEN_MESSAGE = "Could not create the account; if you already have one, sign in.";

function field(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

/** A message per invalid field; an empty object when every field is fine. */
function validate(email: string, password: string, confirm: string): RegisterState["errors"] {
  const errors: RegisterState["errors"] = {};
  if (email === "") errors.email = "Enter your email address.";
  else if (!isValidEmail(email)) errors.email = "Enter a single valid email address, such as name@example.com.";

  // latch/password hashes the NFKC form of the password; count and measure that.
  const normalized = password.normalize("NFKC");
  if ([...normalized].length < MIN_PASSWORD_CHARACTERS) {
    errors.password = `Use at least ${MIN_PASSWORD_CHARACTERS} characters for your password.`;
  } else if (Buffer.byteLength(normalized, "utf8") > MAX_PASSWORD_BYTES) {
    errors.password = `Your password is too long: use at most ${MAX_PASSWORD_BYTES} bytes (fewer characters if it has accents, symbols or emoji).`;
  } else if (/\p{Cs}/u.test(normalized)) {
    errors.password = "Your password contains characters that cannot be stored; choose another one.";
  }

  if (confirm !== password) errors.confirm = "The passwords do not match.";
  return errors;
}

/**
 * The sign-up server action (for `useActionState`): validates, creates the user and their password
 * hash, then signs them in with the credentials provider, which redirects home. Works as a plain
 * form POST too, before or without client JavaScript.
 */
export async function register(_previous: RegisterState, formData: FormData): Promise<RegisterState> {
  const email = normalizeEmail(field(formData, "email"));
  const password = field(formData, "password");
  const errors = validate(email, password, field(formData, "confirm"));
  if (Object.keys(errors).length > 0) return { email, errors };

  const user = await createUserWithPassword(email, password);
  if (!user) return { email, errors: { form: EMAIL_TAKEN_MESSAGE } };

  try {
    // Posts to the credentials callback like the sign-in form: a session row and its cookie, then
    // a redirect (thrown by Next.js, so it must not be caught below).
    await signIn("credentials", { email, password, redirectTo: "/" });
  } catch (error) {
    if (error instanceof CredentialsSignin || error instanceof RateLimited) {
      return { email, errors: { form: "Your account was created, but signing in failed. Sign in to continue." } };
    }
    throw error;
  }
  return { email, errors: {} };
}
