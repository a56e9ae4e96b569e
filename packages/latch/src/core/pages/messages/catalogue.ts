/**
 * The shape every language of the built-in pages fills in. A language that lacks a text, or
 * spells a parameter differently, does not compile; `MESSAGES` in `./index.ts` must hold one
 * catalogue per {@link PageLocale}. Texts are plain text: the pages escape them.
 */

/** The `?error=` values the sign-in page explains; anything else reads as `default`. */
export type SignInErrorCode =
  | "Configuration"
  | "CredentialsSignin"
  | "EmailSignin"
  | "MissingCSRF"
  | "OAuthAccountNotLinked"
  | "OAuthCallbackError"
  | "OAuthSignin"
  | "RateLimited"
  | "SessionRequired"
  | "WebAuthnVerificationError"
  | "default";

/** The `?error=` values with a page of their own; the sign-in codes read as "Unable to sign in". */
export type ErrorPageCode = "Configuration" | "AccessDenied" | "Verification" | "default";

/** Every text of the built-in pages in one language. */
export interface Messages {
  signIn: {
    title: string;
    /** The button of a provider, e.g. "Sign in with GitHub". */
    withProvider: (provider: string) => string;
    /** The label of an email provider's address field. */
    email: string;
    emailPlaceholder: string;
    /** Between the groups of sign-in methods. */
    or: string;
    noMethods: string;
    /** What the page says for each error it is shown with. */
    errors: Record<SignInErrorCode, string>;
  };
  passkey: {
    /** "Sign in with passkey" when the provider is simply named "Passkey". */
    signIn: string;
    createAccount: string;
    addToAccount: string;
    /** For a signed-in user adding a passkey: their address or name, when known. */
    signedInAs: (who: string | undefined) => string;
    unsupported: string;
    needsJavaScript: string;
    /** Shown by the page's script. */
    enterEmail: string;
    cancelled: string;
    alreadyRegistered: string;
    noneChosen: string;
    failed: string;
    /** A passkey request the server refused (its own explanation is in English). */
    refused: string;
  };
  emailLanding: {
    title: string;
    heading: (host: string) => string;
    text: string;
    button: string;
  };
  verifyRequest: {
    title: string;
    heading: string;
    text: string;
    /** The link back to the site. */
    goTo: (host: string) => string;
  };
  signOut: {
    title: string;
    heading: string;
    question: string;
    button: string;
  };
  error: {
    headings: Record<ErrorPageCode | "signIn", string>;
    messages: Record<ErrorPageCode, string>;
    /** The small print naming the error for support, e.g. "Error code: Verification". */
    code: (code: string) => string;
    signIn: string;
  };
  rateLimited: {
    title: string;
    /** `minutes` is at least 1. */
    text: (minutes: number) => string;
    back: string;
  };
  /** The sign-in email (`verificationMessage`), in the language of the page that asked for it. */
  email: {
    subject: (host: string) => string;
    /** Above the button; in the HTML the host is bold and broken so that it is no second link. */
    heading: (host: string) => string;
    button: string;
    /** Below the button: `validity` is `minutes(n)` or `hours(n)`. */
    text: (validity: string) => string;
    /** How long a link works, e.g. "10 minutes"; `count` is at least 1. */
    minutes: (count: number) => string;
    /** `count` is at least 1; exactly one hour reads as `hours(1)`. */
    hours: (count: number) => string;
  };
}
