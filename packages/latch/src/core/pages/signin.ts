import type { Theme } from "../../types.js";
import { randomHex } from "../digest.js";
import type { InternalCredentialsProvider, InternalEmailProvider, InternalProvider } from "../providers.js";
import type { ResponseInternal } from "../response.js";
import { escapeHtml, hiddenInput, originOf, pageHeaders, renderDocument } from "./html.js";
import type { PageLanguage } from "./locale.js";
import type { Messages } from "./messages/index.js";
import { PASSKEY_SCRIPT, passkeyForm } from "./passkey.js";

// The id of the page's error message, which the fields it is about point to (aria-describedby).
const ERROR_ID = "latch-error";

/** Which form an error is about: its fields are marked invalid and described by the message. */
const ERROR_FORM: Partial<Record<string, InternalProvider["type"]>> = {
  CredentialsSignin: "credentials",
  EmailSignin: "email",
  WebAuthnVerificationError: "webauthn",
};

/** What the page says for an `?error=` value; an unknown value reads as `default`. */
function errorText(messages: Messages, error: string): string {
  const errors: Readonly<Record<string, string>> = messages.signIn.errors;
  // A passkey of another user: the same advice as for another provider's account.
  if (error === "AccountNotLinked") return messages.signIn.errors.OAuthAccountNotLinked;
  return (Object.hasOwn(errors, error) ? errors[error] : undefined) ?? messages.signIn.errors.default;
}

/** The attributes that tie a field to the page's error message, when the error is about its form. */
function errorAttributes(describedBy: string | undefined): string {
  return describedBy ? ` aria-describedby="${describedBy}" aria-invalid="true"` : "";
}

interface FormParams {
  authUrl: string;
  csrfToken: string;
  callbackUrl: string;
  messages: Messages;
  /** The id of the error message when it concerns this kind of form. */
  describedBy: string | undefined;
}

/** The form of a credentials provider: its fields in order (labels from the config), posted with the CSRF token. */
function credentialsForm(provider: InternalCredentialsProvider, { authUrl, csrfToken, callbackUrl, messages, describedBy }: FormParams): string {
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
        type === "email" || autocomplete === "username" ? 'autocapitalize="off" spellcheck="false"' : "",
        input.value !== undefined ? `value="${escapeHtml(input.value)}"` : "",
        input.required === false ? "" : "required",
      ].filter(Boolean);
      return `<label for="${escapeHtml(id)}">${escapeHtml(input.label ?? name)}</label><input ${attributes.join(" ")}${errorAttributes(describedBy)}>`;
    })
    .join("\n");
  return `<form class="credentials" action="${escapeHtml(`${authUrl}/callback/${encodeURIComponent(provider.id)}`)}" method="POST">
${hiddenInput("csrfToken", csrfToken)}${hiddenInput("callbackUrl", callbackUrl)}
${fields}
<button type="submit">${escapeHtml(messages.signIn.withProvider(provider.name))}</button></form>`;
}

/** The form of an email provider: one address, posted with the CSRF token to `/signin/:id`. */
function emailForm(provider: InternalEmailProvider, { authUrl, csrfToken, callbackUrl, messages, describedBy }: FormParams): string {
  const id = escapeHtml(`${provider.id}-email`);
  return `<form class="email" action="${escapeHtml(`${authUrl}/signin/${encodeURIComponent(provider.id)}`)}" method="POST">
${hiddenInput("csrfToken", csrfToken)}${hiddenInput("callbackUrl", callbackUrl)}
<label for="${id}">${escapeHtml(messages.signIn.email)}</label><input id="${id}" name="email" type="email" autocomplete="email" autocapitalize="off" spellcheck="false" placeholder="${escapeHtml(messages.signIn.emailPlaceholder)}" required${errorAttributes(describedBy)}>
<button type="submit">${escapeHtml(messages.signIn.withProvider(provider.name))}</button></form>`;
}

/** The button of an OAuth provider: a CSRF-protected POST to `/signin/:id`; outlined below other forms. */
function oauthButton(provider: InternalProvider, { authUrl, csrfToken, callbackUrl, messages }: FormParams, secondary: boolean): string {
  return `<form action="${escapeHtml(`${authUrl}/signin/${encodeURIComponent(provider.id)}`)}" method="POST">
${hiddenInput("csrfToken", csrfToken)}${hiddenInput("callbackUrl", callbackUrl)}
<button type="submit"${secondary ? ' class="secondary"' : ""}>${escapeHtml(messages.signIn.withProvider(provider.name))}</button></form>`;
}

/**
 * The built-in sign-in page: a form per credentials provider, then a form per email provider,
 * then the passkey section, then a button per OAuth provider — each a CSRF-protected POST. An
 * error shows first, as an alert that the fields of the form it concerns point to. With a
 * passkey provider the page carries one inline script, allowed by a fresh CSP nonce;
 * `signedInAs` (the signed-in user's address or name) turns its registration into "add a passkey".
 */
export function signInPage(params: {
  providers: InternalProvider[];
  authUrl: string;
  csrfToken: string;
  callbackUrl: string;
  error: string | undefined;
  theme: Theme;
  language: PageLanguage;
  signedInAs?: string | undefined;
}): ResponseInternal {
  const { providers, authUrl, csrfToken, callbackUrl, error, theme, language, signedInAs } = params;
  const { messages } = language;
  const errorForm = error === undefined ? undefined : ERROR_FORM[error];
  const form = (type: InternalProvider["type"]): FormParams => ({ authUrl, csrfToken, callbackUrl, messages, describedBy: errorForm === type ? ERROR_ID : undefined });
  const passkeys = providers.flatMap((p) =>
    p.type === "webauthn" ? [passkeyForm(p, { authUrl, csrfToken, callbackUrl, signedInAs, language, describedBy: form("webauthn").describedBy })] : [],
  );
  const forms = [
    providers.flatMap((p) => (p.type === "credentials" ? [credentialsForm(p, form("credentials"))] : [])),
    providers.flatMap((p) => (p.type === "email" ? [emailForm(p, form("email"))] : [])),
    passkeys,
  ].filter((group) => group.length > 0);
  const oauth = providers.flatMap((p) => (p.type === "oauth" || p.type === "oidc" ? [oauthButton(p, form(p.type), forms.length > 0)] : []));
  const groups = oauth.length > 0 ? [...forms, oauth] : forms;
  const methods = groups.map((group) => group.join("\n")).join(`\n<p class="divider">${escapeHtml(messages.signIn.or)}</p>\n`);
  const alert = error ? `<p class="error" id="${ERROR_ID}" role="alert">${escapeHtml(errorText(messages, error))}</p>` : "";
  let body = `<h1>${escapeHtml(messages.signIn.title)}</h1>${alert}${methods || `<p>${escapeHtml(messages.signIn.noMethods)}</p>`}`;
  const document = { title: messages.signIn.title, theme, language, origin: originOf(authUrl) };
  if (passkeys.length === 0) return { status: 200, headers: pageHeaders(language), body: renderDocument({ ...document, body }) };
  const nonce = randomHex(16);
  body += `<script nonce="${nonce}">${PASSKEY_SCRIPT}</script>`;
  return { status: 200, headers: pageHeaders(language, nonce), body: renderDocument({ ...document, body }) };
}
