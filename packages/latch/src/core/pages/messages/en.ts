import type { Messages } from "./catalogue.js";

/** English: the default, and the fallback when no language the browser accepts is available. */
export const en: Messages = {
  signIn: {
    title: "Sign in",
    withProvider: (provider) => `Sign in with ${provider}`,
    email: "Email",
    emailPlaceholder: "email@example.com",
    or: "or",
    noMethods: "No sign-in method is configured.",
    errors: {
      Configuration: "Signing in failed because of a problem on the server. Try again later, or choose another way to sign in.",
      CredentialsSignin: "Sign in failed. Check the details you provided are correct.",
      EmailSignin: "The e-mail could not be sent, or the address is not valid. Check the address and try again.",
      MissingCSRF: "The form expired. Try again.",
      OAuthAccountNotLinked: "To confirm your identity, sign in with the same account you used originally.",
      OAuthCallbackError: "The sign-in did not complete. Try again.",
      OAuthSignin: "Try signing in with a different account.",
      RateLimited: "Too many sign-in attempts. Wait a few minutes, then try again.",
      SessionRequired: "Please sign in to access this page.",
      WebAuthnVerificationError:
        "The passkey could not be used or registered. Try again; if this email address already has an account, sign in to it first, then add a passkey.",
      default: "Unable to sign in.",
    },
  },
  passkey: {
    signIn: "Sign in with passkey",
    createAccount: "Create an account with a passkey",
    addToAccount: "Add a passkey to your account",
    signedInAs: (who) => (who ? `Signed in as ${who}.` : "You are signed in."),
    unsupported: "This browser cannot use passkeys.",
    needsJavaScript: "Signing in with a passkey needs JavaScript.",
    enterEmail: "Enter your email address to create an account with a passkey.",
    cancelled: "The passkey request was cancelled or timed out.",
    alreadyRegistered: "This authenticator already holds a passkey for this account.",
    noneChosen: "No passkey was chosen.",
    failed: "The passkey request failed. Try again.",
    refused: "The passkey request was refused. If this email address already has an account, sign in to it first, then add a passkey.",
  },
  emailLanding: {
    title: "Sign in",
    heading: (host) => `Continue signing in to ${host}`,
    text: "Press the button to finish signing in. The link works once.",
    button: "Sign in",
  },
  verifyRequest: {
    title: "Check your email",
    heading: "Check your email",
    text: "A sign-in link has been sent to your email address. It works once, for a few minutes.",
    goTo: (host) => `Go to ${host}`,
  },
  signOut: {
    title: "Sign out",
    heading: "Sign out",
    question: "Are you sure you want to sign out?",
    button: "Sign out",
  },
  error: {
    headings: { Configuration: "Server error", AccessDenied: "Access denied", Verification: "Unable to sign in", signIn: "Unable to sign in", default: "Error" },
    messages: {
      Configuration: "There is a problem with the server configuration. Check the server logs for more information.",
      AccessDenied: "You do not have permission to sign in.",
      Verification: "The sign-in link is no longer valid. It may have been used already or it may have expired.",
      default: "An error occurred while signing in.",
    },
    code: (code) => `Error code: ${code}`,
    signIn: "Sign in",
  },
  rateLimited: {
    title: "Too many attempts",
    text: (minutes) => `There were too many sign-in attempts. Try again in ${minutes === 1 ? "a minute" : `${minutes} minutes`}.`,
    back: "Back to sign in",
  },
  email: {
    subject: (host) => `Sign in to ${host}`,
    heading: (host) => `Sign in to ${host}`,
    button: "Sign in",
    text: (validity) => `The link works once, for ${validity}. If you did not ask to sign in, ignore this email: nothing happens without the link.`,
    minutes: (count) => (count === 1 ? "1 minute" : `${count} minutes`),
    hours: (count) => (count === 1 ? "1 hour" : `${count} hours`),
  },
};
