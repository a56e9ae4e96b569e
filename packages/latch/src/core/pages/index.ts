import type { Theme } from "../../types.js";
import type { ResponseInternal } from "../response.js";
import { escapeHtml, hiddenInput, originOf, pageHeaders, renderDocument, type DocumentParts } from "./html.js";
import type { PageLanguage } from "./locale.js";
import type { ErrorPageCode, Messages } from "./messages/index.js";

export { signInPage } from "./signin.js";
export { pageLanguage, type PageLanguage } from "./locale.js";

/** The status of each error page; every other `?error=` value answers 200, as in Auth.js. */
const ERROR_STATUS: Readonly<Record<string, number>> = { Configuration: 500, AccessDenied: 403, Verification: 403 };

function page(parts: DocumentParts, status = 200): ResponseInternal {
  return { status, headers: pageHeaders(parts.language), body: renderDocument(parts) };
}

/**
 * The page a sign-in link opens: a button that POSTs the link's token, so that a mail scanner
 * or a link preview that fetches the link neither uses nor burns it. It names the site, never
 * the address.
 */
export function emailLandingPage(params: {
  action: string;
  host: string;
  csrfToken: string;
  token: string;
  email: string;
  callbackUrl: string;
  theme: Theme;
  language: PageLanguage;
}): ResponseInternal {
  const { action, host, csrfToken, token, email, callbackUrl, theme, language } = params;
  const text = language.messages.emailLanding;
  const body = `<h1>${escapeHtml(text.heading(host))}</h1><p>${escapeHtml(text.text)}</p>
<form class="email" action="${escapeHtml(action)}" method="POST">
${hiddenInput("csrfToken", csrfToken)}${hiddenInput("token", token)}${hiddenInput("email", email)}${hiddenInput("callbackUrl", callbackUrl)}
<button type="submit">${escapeHtml(text.button)}</button></form>`;
  return page({ title: text.title, theme, language, body, origin: originOf(action), icon: "key" });
}

/** The page a throttled credentials sign-in gets (status 429, set by the caller). */
export function rateLimitedPage(params: { retryAfter: number; signInUrl: string; theme: Theme; language: PageLanguage }): ResponseInternal {
  const text = params.language.messages.rateLimited;
  const minutes = Math.max(1, Math.ceil(params.retryAfter / 60));
  const body = `<h1>${escapeHtml(text.title)}</h1><p role="alert">${escapeHtml(text.text(minutes))}</p><a class="button" href="${escapeHtml(params.signInUrl)}">${escapeHtml(text.back)}</a>`;
  return page({ title: text.title, theme: params.theme, language: params.language, body, origin: originOf(params.signInUrl), icon: "clock" }, 429);
}

/** The built-in sign-out confirmation page. */
export function signOutPage(params: { authUrl: string; csrfToken: string; callbackUrl: string; theme: Theme; language: PageLanguage }): ResponseInternal {
  const text = params.language.messages.signOut;
  const body = `<h1>${escapeHtml(text.heading)}</h1><p>${escapeHtml(text.question)}</p>
<form action="${escapeHtml(`${params.authUrl}/signout`)}" method="POST">${hiddenInput("csrfToken", params.csrfToken)}
${hiddenInput("callbackUrl", params.callbackUrl)}<button type="submit">${escapeHtml(text.button)}</button></form>`;
  return page({ title: text.title, theme: params.theme, language: params.language, body, origin: originOf(params.authUrl), icon: "signOut" });
}

function isErrorPageCode(messages: Messages, error: string): error is ErrorPageCode {
  return Object.hasOwn(messages.error.messages, error);
}

/**
 * The heading and message of an `?error=` value: the error page's own codes, then the sign-in
 * codes (as "Unable to sign in" with the sign-in page's explanation), then `default`.
 */
function errorContent(messages: Messages, error: string): { code: string | undefined; heading: string; message: string } {
  const signIn: Readonly<Record<string, string>> = messages.signIn.errors;
  if (error !== "default" && isErrorPageCode(messages, error)) {
    return { code: error, heading: messages.error.headings[error], message: messages.error.messages[error] };
  }
  const fromSignIn = error !== "default" && Object.hasOwn(signIn, error) ? signIn[error] : undefined;
  if (fromSignIn !== undefined) return { code: error, heading: messages.error.headings.signIn, message: fromSignIn };
  return { code: undefined, heading: messages.error.headings.default, message: messages.error.messages.default };
}

/** The built-in error page; the status follows the error (500 for Configuration, 403 for AccessDenied…). */
export function errorPage(params: { error: string | undefined; authUrl: string; theme: Theme; language: PageLanguage }): ResponseInternal {
  const { messages } = params.language;
  const { code, heading, message } = errorContent(messages, params.error ?? "default");
  const status = code !== undefined && Object.hasOwn(ERROR_STATUS, code) ? (ERROR_STATUS[code] ?? 200) : 200;
  const codeLine = code ? `<p class="code">${escapeHtml(messages.error.code(code))}</p>` : "";
  const body = `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(message)}</p>${codeLine}<a class="button" href="${escapeHtml(`${params.authUrl}/signin`)}">${escapeHtml(messages.error.signIn)}</a>`;
  return page({ title: heading, theme: params.theme, language: params.language, body, origin: originOf(params.authUrl), icon: "alert" }, status);
}

/** The built-in "check your email" page. It never names the address (the same page whether or not it belongs to anyone). */
export function verifyRequestPage(params: { origin: string; theme: Theme; language: PageLanguage }): ResponseInternal {
  const text = params.language.messages.verifyRequest;
  const host = new URL(params.origin).host;
  const body = `<h1>${escapeHtml(text.heading)}</h1><p>${escapeHtml(text.text)}</p><a class="button" href="${escapeHtml(params.origin)}">${escapeHtml(text.goTo(host))}</a>`;
  return page({ title: text.title, theme: params.theme, language: params.language, body, origin: params.origin, icon: "mail" });
}
