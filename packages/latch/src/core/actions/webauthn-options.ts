import { normalizeEmailAddress } from "../email/identifier.js";
import type { ActionContext } from "../action-context.js";
import { sha256Hex } from "../digest.js";
import type { InternalWebAuthnProvider } from "../providers.js";
import type { ResponseInternal } from "../response.js";
import { signedInUser } from "../signed-in-user.js";
import { throttlePasskeySignUp } from "../throttle.js";
import { webAuthnAdapter } from "../webauthn/adapter.js";
import { sealChallenge, type Registrant } from "../webauthn/challenge.js";
import { stringToTransports, wireCredentialId } from "../webauthn/encoding.js";
import { relyingParty } from "../webauthn/relying-party.js";

// 32 random bytes: more than WebAuthn's 16-byte minimum (and @simplewebauthn's default).
const CHALLENGE_BYTES = 32;

function refuse(action: ActionContext, message: string): ResponseInternal {
  return { status: 400, body: { error: "WebAuthnVerificationError", message }, cookies: action.baseCookies };
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Registration options. A signed-in user adds a passkey to their own account (their passkeys
 * excluded, so one authenticator does not hold two); anyone else starts a new account with an
 * address that belongs to nobody — when the provider allows registration.
 */
async function registrationOptions(action: ActionContext, provider: InternalWebAuthnProvider): Promise<ResponseInternal> {
  const { ctx } = action;
  const adapter = webAuthnAdapter(ctx);
  const current = await signedInUser(ctx, action.cookies, adapter.getUser);
  let registrant: Registrant;
  let userName: string;
  let displayName: string;
  let userID: Uint8Array<ArrayBuffer>;
  let exclude: Array<{ id: string; transports?: string[] }> = [];
  if (current) {
    registrant = { kind: "user", userId: current.id };
    userName = current.email || current.name || current.id;
    displayName = current.name ?? userName;
    // The same user handle for every passkey of a user: an authenticator then replaces its own
    // passkey for this account instead of keeping two. Hashed: the id itself stays here.
    userID = hexToBytes(await sha256Hex(`latch-webauthn-user:${current.id}`));
    // Only passkeys that still sign in: one whose account an email proof unlinked (a squatter's)
    // is dead, and listing it would stop its device from making the owner a new one.
    const live: typeof exclude = [];
    for (const a of await adapter.listAuthenticatorsByUserId(current.id)) {
      if (!(await adapter.getAccount(a.providerAccountId, provider.id))) continue;
      const transports = stringToTransports(a.transports);
      live.push({ id: wireCredentialId(a.credentialID), ...(transports ? { transports } : {}) });
    }
    exclude = live;
  } else {
    if (!provider.registration) return refuse(action, "Creating an account with a passkey is turned off here. Sign in, then add a passkey.");
    const email = normalizeEmailAddress(action.query.get("email"));
    if (email === undefined) return refuse(action, "Enter one valid email address to create an account with a passkey.");
    // The answer tells whether the address has an account: asking is limited, as on a sign-up form.
    const refused = await throttlePasskeySignUp(ctx, provider, action.request);
    if (refused) {
      ctx.resolved.logger.warn(`rate-limited: ${refused.message}`);
      return { status: 429, headers: { "retry-after": String(refused.retryAfter) }, body: { error: "RateLimited", message: refused.message }, cookies: action.baseCookies };
    }
    if (await adapter.getUserByEmail(email)) return refuse(action, "This email address already belongs to an account. Sign in to it, then add a passkey.");
    registrant = { kind: "new", email };
    userName = email;
    displayName = email;
    userID = crypto.getRandomValues(new Uint8Array(32));
  }
  const rp = relyingParty(ctx, provider);
  const server = await provider.loadServer();
  const options = await server.generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName,
    userID,
    userDisplayName: displayName,
    challenge: crypto.getRandomValues(new Uint8Array(CHALLENGE_BYTES)),
    timeout: provider.timeout,
    attestationType: "none",
    excludeCredentials: exclude,
    // Passkeys are discoverable credentials: they sign in without a username.
    authenticatorSelection: { residentKey: "required", userVerification: provider.userVerification },
  });
  const cookie = await sealChallenge(ctx, provider, { challenge: options.challenge, action: "register", registrant });
  return { body: { action: "register", options }, cookies: [...action.baseCookies, cookie] };
}

/** Authentication options: usernameless, so no credential ids are handed to whoever asks. */
async function authenticationOptions(action: ActionContext, provider: InternalWebAuthnProvider): Promise<ResponseInternal> {
  const { ctx } = action;
  const rp = relyingParty(ctx, provider);
  const server = await provider.loadServer();
  const options = await server.generateAuthenticationOptions({
    rpID: rp.id,
    challenge: crypto.getRandomValues(new Uint8Array(CHALLENGE_BYTES)),
    timeout: provider.timeout,
    userVerification: provider.userVerification,
    allowCredentials: [],
  });
  const cookie = await sealChallenge(ctx, provider, { challenge: options.challenge, action: "authenticate", registrant: undefined });
  return { body: { action: "authenticate", options }, cookies: [...action.baseCookies, cookie] };
}

/**
 * `GET /webauthn-options/:provider?action=register|authenticate[&email=]` — Auth.js's route: the
 * options for `navigator.credentials.create/get` as JSON `{ action, options }`, and the challenge
 * sealed in a short-lived, single-use, provider-bound HttpOnly cookie. Without `action` it is an
 * authentication. A refused registration answers 400 `{ error, message }`.
 */
export async function webAuthnOptionsAction(action: ActionContext): Promise<ResponseInternal> {
  const { provider } = action;
  if (provider?.type !== "webauthn") {
    return { status: 404, body: { error: "UnknownAction", message: `"${provider?.id ?? ""}" is not a passkey provider.` }, cookies: action.baseCookies };
  }
  const requested = action.query.get("action") ?? "authenticate";
  if (requested === "register") return registrationOptions(action, provider);
  if (requested === "authenticate") return authenticationOptions(action, provider);
  return { status: 400, body: { error: "BadRequest", message: 'action must be "register" or "authenticate".' }, cookies: action.baseCookies };
}
