import type { Theme } from "../../types.js";
import type { InternalCredentialsProvider, InternalEmailProvider, InternalProvider } from "../providers.js";
import { randomHex } from "../digest.js";
import { escapeHtml, PAGE_HEADERS, renderDocument, scriptPageHeaders } from "./html.js";
import { PASSKEY_SCRIPT, passkeyForm } from "./passkey.js";
import type { ResponseInternal } from "../response.js";

// What the sign-in page says for each error it is shown with (Auth.js's wording in spirit).
const SIGNIN_ERRORS: Record<string, string> = {
  OAuthSignin: "Try signing in with a different account.",
  OAuthCallbackError: "The sign-in did not complete. Try again.",
  OAuthAccountNotLinked: "To confirm your identity, sign in with the same account you used originally.",
  CredentialsSignin: "Sign in failed. Check the details you provided are correct.",
  EmailSignin: "The e-mail could not be sent, or the address is not valid. Check the address and try again.",
  MissingCSRF: "The form expired. Try again.",
  RateLimited: "Too many sign-in attempts. Wait a few minutes, then try again.",
  SessionRequired: "Please sign in to access this page.",
  WebAuthnVerificationError: "The passkey could not be used or registered. Try again; if this email address already has an account, sign in to it first, then add a passkey.",
  default: "Unable to sign in.",
};

const ERRORS: Record<string, { status: number; heading: string; message: string }> = {
  Configuration: { status: 500, heading: "Server error", message: "There is a problem with the server configuration. Check the server logs for more information." },
  AccessDenied: { status: 403, heading: "Access denied", message: "You do not have permission to sign in." },
  Verification: { status: 403, heading: "Unable to sign in", message: "The sign in link is no longer valid. It may have been used already or it may have expired." },
  default: { status: 200, heading: "Error", message: "An error occurred while signing in." },
};

/** The origin of an absolute URL a page links to (its own origin); undefined for a path. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function page(title: string, theme: Theme, body: string, origin: string | undefined, status = 200): ResponseInternal {
  return { status, headers: PAGE_HEADERS, body: renderDocument(title, theme, body, origin) };
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/** The form of a credentials provider: its fields in order, posted with the CSRF token. */
function credentialsForm(provider: InternalCredentialsProvider, authUrl: string, csrfToken: string, callbackUrl: string): string {
  const fields = Object.entries(provider.credentials)
    .map(([name, input], index) => {
      const id = `${provider.id}-${index}`;
      const type = input.type ?? "text";
      const autocomplete = input.autocomplete ?? (type === "password" ? "current-password" : index === 0 ? "username" : undefined);
      const attributes = [
        `id="${escapeHtml(id)}"`,
        `name="${escapeHtml(name)}"`,
        `type="${escapeHtml(type)}"`,
        input.placeholder ? `placeholder="${escapeHtml(input.placeholder)}"` : "",
        autocomplete ? `autocomplete="${escapeHtml(autocomplete)}"` : "",
        input.value !== undefined ? `value="${escapeHtml(input.value)}"` : "",
        input.required === false ? "" : "required",
      ].filter(Boolean);
      return `<label for="${escapeHtml(id)}">${escapeHtml(input.label ?? name)}</label><input ${attributes.join(" ")}>`;
    })
    .join("\n");
  return `<form class="credentials" action="${escapeHtml(`${authUrl}/callback/${encodeURIComponent(provider.id)}`)}" method="POST">
${hidden("csrfToken", csrfToken)}${hidden("callbackUrl", callbackUrl)}
${fields}
<button type="submit">Sign in with ${escapeHtml(provider.name)}</button></form>`;
}

/** The form of an email provider: one address, posted with the CSRF token to `/signin/:id`. */
function emailForm(provider: InternalEmailProvider, authUrl: string, csrfToken: string, callbackUrl: string): string {
  const id = `${provider.id}-email`;
  return `<form class="email" action="${escapeHtml(`${authUrl}/signin/${encodeURIComponent(provider.id)}`)}" method="POST">
${hidden("csrfToken", csrfToken)}${hidden("callbackUrl", callbackUrl)}
<label for="${escapeHtml(id)}">Email</label><input id="${escapeHtml(id)}" name="email" type="email" autocomplete="email" placeholder="email@example.com" required>
<button type="submit">Sign in with ${escapeHtml(provider.name)}</button></form>`;
}

/** The button of an OAuth provider: a CSRF-protected POST to `/signin/:id`. */
function oauthButton(provider: InternalProvider, authUrl: string, csrfToken: string, callbackUrl: string): string {
  return `<form action="${escapeHtml(`${authUrl}/signin/${encodeURIComponent(provider.id)}`)}" method="POST">
${hidden("csrfToken", csrfToken)}${hidden("callbackUrl", callbackUrl)}
<button type="submit">Sign in with ${escapeHtml(provider.name)}</button></form>`;
}

/**
 * The built-in sign-in page: a form per credentials provider, then a form per email provider,
 * then the passkey section, then a button per OAuth provider — each a CSRF-protected POST. With
 * a passkey provider the page carries one inline script, allowed by a fresh CSP nonce;
 * `signedInAs` (the signed-in user's address) turns its registration into "add a passkey".
 */
export function signInPage(params: {
  providers: InternalProvider[];
  authUrl: string;
  csrfToken: string;
  callbackUrl: string;
  error: string | undefined;
  theme: Theme;
  signedInAs?: string | undefined;
}): ResponseInternal {
  const { providers, authUrl, csrfToken, callbackUrl, error, theme, signedInAs } = params;
  const errorText = error ? (SIGNIN_ERRORS[error] ?? SIGNIN_ERRORS.default) : undefined;
  const passkeys = providers.flatMap((p) => (p.type === "webauthn" ? [passkeyForm(p, { authUrl, csrfToken, callbackUrl, signedInAs })] : []));
  const groups = [
    providers.flatMap((p) => (p.type === "credentials" ? [credentialsForm(p, authUrl, csrfToken, callbackUrl)] : [])),
    providers.flatMap((p) => (p.type === "email" ? [emailForm(p, authUrl, csrfToken, callbackUrl)] : [])),
    passkeys,
    providers.flatMap((p) => (p.type === "oauth" || p.type === "oidc" ? [oauthButton(p, authUrl, csrfToken, callbackUrl)] : [])),
  ].filter((group) => group.length > 0);
  const methods = groups.map((group) => group.join("\n")).join('\n<p class="divider">or</p>\n');
  let body = `<h1>Sign in</h1>${errorText ? `<p class="error" role="alert">${escapeHtml(errorText)}</p>` : ""}${methods || "<p>No sign-in method is configured.</p>"}`;
  if (passkeys.length === 0) return page("Sign in", theme, body, originOf(authUrl));
  const nonce = randomHex(16);
  body += `<script nonce="${nonce}">${PASSKEY_SCRIPT}</script>`;
  return { status: 200, headers: scriptPageHeaders(nonce), body: renderDocument("Sign in", theme, body, originOf(authUrl)) };
}

/**
 * The page a sign-in link opens: a button that POSTs the link's token, so that a mail scanner
 * or a link preview that fetches the link neither uses nor burns it. It names the site, never
 * the address.
 */
export function emailLandingPage(params: { action: string; host: string; csrfToken: string; token: string; email: string; callbackUrl: string; theme: Theme }): ResponseInternal {
  const { action, host, csrfToken, token, email, callbackUrl, theme } = params;
  const body = `<h1>Continue signing in to ${escapeHtml(host)}</h1><p>Press the button to finish signing in. The link works once.</p>
<form class="email" action="${escapeHtml(action)}" method="POST">
${hidden("csrfToken", csrfToken)}${hidden("token", token)}${hidden("email", email)}${hidden("callbackUrl", callbackUrl)}
<button type="submit">Sign in</button></form>`;
  return page("Sign in", theme, body, originOf(action));
}

/** The page a throttled credentials sign-in gets (status 429, set by the caller). */
export function rateLimitedPage(params: { retryAfter: number; signInUrl: string; theme: Theme }): ResponseInternal {
  const minutes = Math.max(1, Math.ceil(params.retryAfter / 60));
  const wait = minutes === 1 ? "a minute" : `${minutes} minutes`;
  const body = `<h1>Too many attempts</h1><p role="alert">There were too many sign-in attempts. Try again in ${wait}.</p><a class="button" href="${escapeHtml(params.signInUrl)}">Back to sign in</a>`;
  return page("Too many attempts", params.theme, body, originOf(params.signInUrl), 429);
}

/** The built-in sign-out confirmation page. */
export function signOutPage(params: { authUrl: string; csrfToken: string; callbackUrl: string; theme: Theme }): ResponseInternal {
  const body = `<h1>Sign out</h1><p>Are you sure you want to sign out?</p>
<form action="${escapeHtml(`${params.authUrl}/signout`)}" method="POST"><input type="hidden" name="csrfToken" value="${escapeHtml(params.csrfToken)}">
<input type="hidden" name="callbackUrl" value="${escapeHtml(params.callbackUrl)}"><button type="submit">Sign out</button></form>`;
  return page("Sign out", params.theme, body, originOf(params.authUrl));
}

/** The built-in error page; the status follows the error (500 for Configuration, 403 for AccessDenied…). */
export function errorPage(params: { error: string | undefined; authUrl: string; theme: Theme }): ResponseInternal {
  const info = ERRORS[params.error ?? "default"] ?? ERRORS.default!;
  const body = `<h1>${escapeHtml(info.heading)}</h1><p>${escapeHtml(info.message)}</p><a class="button" href="${escapeHtml(`${params.authUrl}/signin`)}">Sign in</a>`;
  return page(info.heading, params.theme, body, originOf(params.authUrl), info.status);
}

/** The built-in "check your email" page. It never names the address (the same page whether or not it belongs to anyone). */
export function verifyRequestPage(params: { origin: string; theme: Theme }): ResponseInternal {
  const host = new URL(params.origin).host;
  const body = `<h1>Check your email</h1><p>A sign in link has been sent to your email address. It works once, for a few minutes.</p><a class="button" href="${escapeHtml(params.origin)}">${escapeHtml(host)}</a>`;
  return page("Verify request", params.theme, body, params.origin);
}
