import type { InternalWebAuthnProvider } from "../providers.js";
import { escapeHtml, hiddenInput } from "./html.js";
import type { PageLanguage } from "./locale.js";

/**
 * The browser side of passkeys on the built-in sign-in page: plain JavaScript, inline (the page
 * loads nothing from elsewhere), allowed by a per-response CSP nonce. For each passkey form it
 * fetches the options, converts base64url to bytes, calls `navigator.credentials.create/get`,
 * and posts the credential as JSON in the form's `data` field with the form's CSRF token — a
 * normal form POST, so the browser follows the redirect. Conditional UI (passkeys offered in the
 * email field's autofill, `mediation: "conditional"`) starts on load; a button press aborts it
 * first, since a browser runs one WebAuthn request at a time. Without JavaScript the section
 * stays hidden and every other form works as before. What it says comes from the form's
 * `data-messages` (the page's language); the server's own explanation of a refusal is English,
 * so only an English page shows it.
 */
export const PASSKEY_SCRIPT = `(() => {
  "use strict";
  const forms = document.querySelectorAll("form[data-latch-passkey]");
  const supported = typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
  const toBytes = (text) => {
    let s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    const binary = atob(s);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  };
  const toText = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  };
  const withIds = (list) => (list || []).map((c) => ({ ...c, id: toBytes(c.id) }));
  const creation = (o) => ({ ...o, challenge: toBytes(o.challenge), user: { ...o.user, id: toBytes(o.user.id) }, excludeCredentials: withIds(o.excludeCredentials) });
  const request = (o) => ({ ...o, challenge: toBytes(o.challenge), allowCredentials: withIds(o.allowCredentials) });
  const asJson = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      if (typeof r.getTransports === "function") response.transports = r.getTransports();
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    const json = { id: credential.id, rawId: toText(credential.rawId), type: credential.type, response, clientExtensionResults: credential.getClientExtensionResults() };
    if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
    return json;
  };
  const failure = (message) => Object.assign(new Error(message), { latch: true });
  for (const form of forms) {
    let text = {};
    try {
      text = JSON.parse(form.dataset.messages || "{}");
    } catch {
      text = {};
    }
    const alert = form.querySelector("[data-latch-error]");
    const email = form.querySelector('input[name="email"]');
    if (!supported) {
      const note = form.nextElementSibling;
      if (note && note.hasAttribute("data-latch-unsupported")) note.hidden = false;
      continue;
    }
    form.hidden = false;
    let conditional = null;
    let conditionalRun = Promise.resolve();
    const show = (message) => {
      alert.textContent = message;
      alert.hidden = false;
    };
    const fetchOptions = async (action) => {
      const url = new URL(form.dataset.options, window.location.href);
      url.searchParams.set("action", action);
      if (action === "register" && email && email.value) url.searchParams.set("email", email.value);
      const answer = await fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } });
      const body = await answer.json().catch(() => null);
      if (answer.status === 429) throw failure(text.tooMany || text.failed);
      if (!answer.ok || !body || !body.options) {
        const refused = body && body.error === "WebAuthnVerificationError";
        throw failure(refused ? (text.serverWords && body.message) || text.refused : text.failed);
      }
      return body.options;
    };
    const submit = (action, credential) => {
      form.elements.namedItem("action").value = action;
      form.elements.namedItem("data").value = JSON.stringify(asJson(credential));
      HTMLFormElement.prototype.submit.call(form);
    };
    const startConditional = async () => {
      if (form.dataset.conditional !== "true" || !email || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") return;
      if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return;
      const controller = new AbortController();
      conditional = controller;
      try {
        const options = await fetchOptions("authenticate");
        if (controller.signal.aborted) return;
        const credential = await navigator.credentials.get({ publicKey: request(options), mediation: "conditional", signal: controller.signal });
        if (credential && !controller.signal.aborted) submit("authenticate", credential);
      } catch (error) {
        if (!controller.signal.aborted && error && error.name !== "AbortError" && error.name !== "NotAllowedError") show(error.latch ? error.message : text.failed);
      }
    };
    const run = async (action) => {
      if (conditional) conditional.abort();
      await conditionalRun;
      alert.hidden = true;
      if (action === "register" && form.dataset.signedIn !== "true") {
        if (!email || !email.value.trim()) {
          show(text.enterEmail);
          if (email) email.focus();
          return;
        }
        if (!email.reportValidity()) return;
      }
      try {
        const options = await fetchOptions(action);
        const credential = action === "register" ? await navigator.credentials.create({ publicKey: creation(options) }) : await navigator.credentials.get({ publicKey: request(options) });
        if (!credential) throw failure(text.noneChosen);
        submit(action, credential);
      } catch (error) {
        show(error && error.name === "NotAllowedError" ? text.cancelled : error && error.name === "InvalidStateError" ? text.alreadyRegistered : error && error.latch ? error.message : text.failed);
        conditionalRun = startConditional();
      }
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const submitter = event.submitter;
      void run(submitter && submitter.value === "register" ? "register" : "authenticate");
    });
    conditionalRun = startConditional();
  }
})();`;

/** What the script may say, in the page's language; the server's words only on an English page. */
function scriptMessages(language: PageLanguage): string {
  const { enterEmail, cancelled, alreadyRegistered, noneChosen, failed, refused } = language.messages.passkey;
  return JSON.stringify({ enterEmail, cancelled, alreadyRegistered, noneChosen, failed, refused, tooMany: language.messages.rateLimited.title, serverWords: language.locale === "en" });
}

/**
 * The passkey section of the sign-in page: hidden until the script finds WebAuthn in the browser.
 * "Sign in with passkey" (usernameless); an email field that offers passkeys in its autofill
 * (`autocomplete="username webauthn"`) and, with `registration`, creates an account; or, for a
 * signed-in user (`signedInAs`: their address or name, "" when neither is known), "Add a passkey
 * to your account". `describedBy` names the page's error message when it concerns passkeys.
 */
export function passkeyForm(
  provider: InternalWebAuthnProvider,
  params: { authUrl: string; csrfToken: string; callbackUrl: string; signedInAs: string | undefined; language: PageLanguage; describedBy: string | undefined },
): string {
  const { authUrl, csrfToken, callbackUrl, signedInAs, language, describedBy } = params;
  const text = language.messages;
  const id = encodeURIComponent(provider.id);
  const fieldId = `${provider.id}-passkey-email`;
  const alertId = `${provider.id}-passkey-error`;
  const signedIn = signedInAs !== undefined;
  const described = [alertId, describedBy].filter(Boolean).join(" ");
  const invalid = describedBy ? ' aria-invalid="true"' : "";
  const emailField =
    !signedIn && (provider.registration || provider.conditionalUI)
      ? `<label for="${escapeHtml(fieldId)}">${escapeHtml(text.signIn.email)}</label><input id="${escapeHtml(fieldId)}" name="email" type="email" autocomplete="username webauthn" autocapitalize="off" spellcheck="false" placeholder="${escapeHtml(text.signIn.emailPlaceholder)}" aria-describedby="${escapeHtml(described)}"${invalid}>`
      : "";
  const register = signedIn
    ? `<p>${escapeHtml(text.passkey.signedInAs(signedInAs || undefined))}</p><button type="submit" name="ceremony" value="register" class="secondary">${escapeHtml(text.passkey.addToAccount)}</button>`
    : provider.registration
      ? `<button type="submit" name="ceremony" value="register" class="secondary">${escapeHtml(text.passkey.createAccount)}</button>`
      : "";
  const signInLabel = provider.name.toLowerCase() === "passkey" ? text.passkey.signIn : text.signIn.withProvider(provider.name);
  return `<form class="passkey" id="latch-passkey-${escapeHtml(id)}" action="${escapeHtml(`${authUrl}/callback/${id}`)}" method="POST" data-latch-passkey="${escapeHtml(provider.id)}" data-options="${escapeHtml(`${authUrl}/webauthn-options/${id}`)}" data-conditional="${provider.conditionalUI && !signedIn ? "true" : "false"}" data-signed-in="${signedIn ? "true" : "false"}" data-messages="${escapeHtml(scriptMessages(language))}" hidden>
${hiddenInput("csrfToken", csrfToken)}${hiddenInput("callbackUrl", callbackUrl)}${hiddenInput("action", "")}${hiddenInput("data", "")}
${emailField}<p class="error" id="${escapeHtml(alertId)}" role="alert" data-latch-error hidden></p>
<button type="submit" name="ceremony" value="authenticate">${escapeHtml(signInLabel)}</button>
${register}</form>
<p data-latch-unsupported hidden>${escapeHtml(text.passkey.unsupported)}</p><noscript><p>${escapeHtml(text.passkey.needsJavaScript)}</p></noscript>`;
}
