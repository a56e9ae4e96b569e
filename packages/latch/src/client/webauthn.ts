/**
 * `latch/webauthn`: `signIn` for a sign-in page of your own that offers passkeys, as
 * `next-auth/webauthn`'s. For a passkey provider it asks latch for the options
 * (`{basePath}/webauthn-options/<id>`), lets the browser create or use a passkey
 * (`navigator.credentials`), and posts the result to `{basePath}/callback/<id>` with the CSRF
 * token; any other provider is signed in as `signIn` from `latch/react` does it. It needs no
 * other package: the conversions `@simplewebauthn/browser` makes for next-auth are done here.
 *
 * @example
 * ```ts
 * import { signIn } from "latch/webauthn";
 * await signIn("passkey"); // sign in with a passkey on this device
 * await signIn("passkey", { action: "register", email }); // create an account with one
 * ```
 */
import { decodeBase64url, encodeBase64url } from "../core/session/base64url.js";
import { authUrl, clientBasePath } from "../react/auth-url.js";
import { fetchJson } from "../react/fetch-json.js";
import { getProviders } from "../react/get-providers.js";
import { postSignIn, providerFields, signInAmong } from "../react/sign-in.js";
import type { ClientProviderId, SignInAuthorizationParams, SignInOptions, SignInResponse } from "../react/types.js";

export type { SignInAuthorizationParams, SignInOptions, SignInResponse } from "../react/types.js";

/** A base64url string as the bytes WebAuthn takes. */
const bytes = (text: string): ArrayBuffer => decodeBase64url(text).buffer;

/** Bytes as base64url. Not `instanceof ArrayBuffer`: a buffer from another realm (an iframe, an extension) fails it. */
const text = (buffer: ArrayBuffer | ArrayBufferView): string =>
  encodeBase64url(ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer));

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Credential descriptors as WebAuthn takes them: ids as bytes. */
function descriptors(list: unknown): PublicKeyCredentialDescriptor[] {
  return (Array.isArray(list) ? list : []).filter(isRecord).map((entry) => ({ ...(entry as unknown as PublicKeyCredentialDescriptor), id: bytes(String(entry.id)) }));
}

/** The JSON options of `webauthn-options` as `navigator.credentials.create` takes them. */
export function creationOptions(options: Json): PublicKeyCredentialCreationOptions {
  const user = isRecord(options.user) ? options.user : {};
  return {
    ...(options as unknown as PublicKeyCredentialCreationOptions),
    challenge: bytes(String(options.challenge)),
    user: { ...(user as unknown as PublicKeyCredentialUserEntity), id: bytes(String(user.id)) },
    excludeCredentials: descriptors(options.excludeCredentials),
  };
}

/** The JSON options of `webauthn-options` as `navigator.credentials.get` takes them. */
export function requestOptions(options: Json): PublicKeyCredentialRequestOptions {
  return { ...(options as unknown as PublicKeyCredentialRequestOptions), challenge: bytes(String(options.challenge)), allowCredentials: descriptors(options.allowCredentials) };
}

/** A credential as the callback takes it: WebAuthn's JSON form, binary fields in base64url. */
export function credentialJson(credential: PublicKeyCredential): Json {
  const response = credential.response;
  const fields: Json = { clientDataJSON: text(response.clientDataJSON) };
  if ("attestationObject" in response) {
    const attestation = response as AuthenticatorAttestationResponse;
    fields.attestationObject = text(attestation.attestationObject);
    if (typeof attestation.getTransports === "function") fields.transports = attestation.getTransports();
  } else {
    const assertion = response as AuthenticatorAssertionResponse;
    fields.authenticatorData = text(assertion.authenticatorData);
    fields.signature = text(assertion.signature);
    if (assertion.userHandle) fields.userHandle = text(assertion.userHandle);
  }
  const json: Json = { id: credential.id, rawId: text(credential.rawId), type: credential.type, response: fields, clientExtensionResults: credential.getClientExtensionResults() };
  if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
  return json;
}

/**
 * Signs in. With a passkey provider (`type: "webauthn"`): `options.action` is `"authenticate"`
 * (the default: a passkey on this device) or `"register"` (a new passkey: for an account of its
 * own, give `email`; signed in, it is added to the user's). The passkey is posted to the
 * callback, then the browser goes to `redirectTo` (default: this page), or with
 * `redirect: false` the promise resolves to `{ error, code, status, ok, url }` once this tab's
 * providers hold the new session. A refusal of the options (a throttled or refused sign-up)
 * resolves to such a result too, `ok: false`, without navigating. When the user cancels, or the
 * device has no passkey to offer, the promise rejects with the browser's `DOMException`
 * (`NotAllowedError`; `InvalidStateError` for a passkey already registered).
 *
 * Any other provider signs in as with `signIn` from `latch/react`.
 *
 * @example
 * ```ts
 * const result = await signIn("passkey", { action: "register", email, redirect: false });
 * if (result?.error) setMessage("That did not work: try again");
 * ```
 */
export async function signIn(provider: ClientProviderId | undefined, options: SignInOptions<false>, authorizationParams?: SignInAuthorizationParams): Promise<SignInResponse>;
export async function signIn(provider?: ClientProviderId, options?: SignInOptions, authorizationParams?: SignInAuthorizationParams): Promise<SignInResponse | undefined>;
export async function signIn(provider?: ClientProviderId, options: SignInOptions = {}, authorizationParams?: SignInAuthorizationParams): Promise<SignInResponse | undefined> {
  const basePath = clientBasePath(options.basePath);
  const providers = await getProviders({ basePath });
  const chosen = provider === undefined ? undefined : providers?.[provider];
  if (chosen?.type !== "webauthn") return signInAmong(providers, provider, options, authorizationParams);

  const redirect = options.redirect !== false;
  const redirectTo = options.redirectTo ?? options.callbackUrl ?? window.location.href;
  const fields = providerFields(options);
  const id = encodeURIComponent(chosen.id);
  const answer = await fetchJson(authUrl(basePath, `webauthn-options/${id}`, fields), { headers: { accept: "application/json" } });
  const body = isRecord(answer.body) ? answer.body : {};
  if (!answer.ok || !isRecord(body.options) || (body.action !== "register" && body.action !== "authenticate")) {
    return { error: typeof body.error === "string" ? body.error : "WebAuthnVerificationError", code: undefined, status: answer.status, ok: false, url: null };
  }
  const credential =
    body.action === "register" ? await navigator.credentials.create({ publicKey: creationOptions(body.options) }) : await navigator.credentials.get({ publicKey: requestOptions(body.options) });
  // Not `instanceof PublicKeyCredential`: a password manager may answer with an object of its own.
  if (!isPublicKeyCredential(credential)) throw new DOMException("No passkey was chosen.", "NotAllowedError");
  return postSignIn(basePath, `callback/${id}`, { ...fields, action: body.action, data: JSON.stringify(credentialJson(credential)) }, { redirect, redirectTo, authorizationParams });
}

function isPublicKeyCredential(credential: Credential | null): credential is PublicKeyCredential {
  return credential !== null && credential.type === "public-key" && "rawId" in credential && "response" in credential;
}
