import type { AdapterAccount, AdapterAuthenticator, AdapterUser } from "../../adapters/types.js";
import { WebAuthnVerificationError } from "../../errors.js";
import type { RateLimitStore } from "../../rate-limit/types.js";
import type { WebAuthnServer } from "../../types.js";
import type { InternalWebAuthnProvider } from "../providers.js";
import type { WebAuthnAdapter } from "./adapter.js";
import { storeSignatureCounter } from "./counter.js";
import { base64ToBytes, bytesToBase64, storedCredentialId, stringToTransports, transportsToString, wireCredentialId } from "./encoding.js";
import type { RelyingParty } from "./relying-party.js";

/** A browser's `PublicKeyCredential` as JSON, checked only as far as latch reads it. */
export interface CredentialResponse {
  id: string;
  [key: string]: unknown;
}

/**
 * Reads the `data` field of the callback: the credential as JSON text (Auth.js's form field,
 * what next-auth/webauthn sends) or as an object (a JSON body). `undefined` when it is neither.
 */
export function parseCredentialResponse(data: unknown): CredentialResponse | undefined {
  let value: unknown = data;
  if (typeof data === "string") {
    try {
      value = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  if (!("id" in value) || typeof value.id !== "string" || value.id.length === 0) return undefined;
  return value as CredentialResponse;
}

/** The checks every ceremony makes: this challenge, this origin, this RP ID, user verification per the provider. */
interface Expected {
  challenge: string;
  relyingParty: RelyingParty;
  provider: InternalWebAuthnProvider;
}

/**
 * The longest credential id latch registers, in bytes. WebAuthn (§7.1) refuses ids over 1023
 * bytes; latch stops lower, where the stored form (standard base64, 4 characters per 3 bytes)
 * still fits 255 characters: `accounts."providerAccountId"` is VARCHAR(255) in Auth.js's SQL
 * schemas and latch's PostgreSQL one, and a passkey must survive a move between databases.
 * Passkeys (discoverable credentials, whose ids only name a key kept on the device) use far fewer.
 */
const MAX_CREDENTIAL_ID_BYTES = 189;

/** A verified new passkey, as the adapter stores it (without its user yet). */
export type NewAuthenticator = Omit<AdapterAuthenticator, "userId">;

/**
 * Verifies a registration (attestation "none" is all latch asks for): challenge, origin, RP ID
 * hash, user presence and — by default — user verification. Returns the credential in Auth.js's
 * stored format (base64 id and COSE public key, comma-separated transports).
 */
export async function verifyRegistration(server: WebAuthnServer, response: CredentialResponse, expected: Expected): Promise<NewAuthenticator> {
  let verification: Awaited<ReturnType<WebAuthnServer["verifyRegistrationResponse"]>>;
  try {
    verification = await server.verifyRegistrationResponse({
      response,
      expectedChallenge: expected.challenge,
      expectedOrigin: expected.relyingParty.origin,
      expectedRPID: expected.relyingParty.id,
      requireUserVerification: expected.provider.userVerification === "required",
    });
  } catch (error) {
    throw new WebAuthnVerificationError("The passkey registration did not verify.", { cause: error });
  }
  const info = verification.registrationInfo;
  if (!verification.verified || !info) throw new WebAuthnVerificationError("The passkey registration did not verify.");
  // The id from the signed authenticator data, not the one the client wrote next to it.
  const idBytes = base64ToBytes(info.credential.id);
  if (!idBytes || idBytes.length === 0) throw new WebAuthnVerificationError("The registered passkey has no usable credential id.");
  if (idBytes.length > MAX_CREDENTIAL_ID_BYTES) {
    throw new WebAuthnVerificationError(`The registered passkey's credential id is ${idBytes.length} bytes long; latch stores ids of at most ${MAX_CREDENTIAL_ID_BYTES} bytes (WebAuthn allows up to 1023): use another authenticator.`);
  }
  const credentialID = bytesToBase64(idBytes);
  return {
    credentialID,
    providerAccountId: credentialID,
    credentialPublicKey: bytesToBase64(info.credential.publicKey),
    counter: info.credential.counter,
    credentialDeviceType: info.credentialDeviceType,
    credentialBackedUp: info.credentialBackedUp,
    // The client's array as it sent it: only known transport names are kept.
    transports: transportsToString(info.credential.transports),
  };
}

/** Who a verified passkey sign-in is: the user, their passkey account, and the passkey. */
export interface AuthenticatedPasskey {
  user: AdapterUser;
  account: AdapterAccount;
  authenticator: AdapterAuthenticator;
}

/**
 * Verifies a sign-in with a stored passkey — found by the credential id alone, so usernameless
 * (discoverable) passkeys work — against its public key: challenge, origin, RP ID hash, user
 * verification, signature, and a signature counter that must go up when the authenticator keeps
 * one. Stores the new counter — one sign-in at a time per passkey ({@link storeSignatureCounter}),
 * so concurrent sign-ins cannot share a counter value or leave a lower one stored — then finds
 * the passkey's account and user.
 */
export async function verifyAuthentication(
  server: WebAuthnServer,
  adapter: WebAuthnAdapter,
  counters: { store: RateLimitStore; warn: (message: string) => void; storeTimeout?: number | false | undefined },
  response: CredentialResponse,
  expected: Expected,
): Promise<AuthenticatedPasskey> {
  const credentialID = storedCredentialId(response.id);
  if (!credentialID) throw new WebAuthnVerificationError("The passkey response has no valid credential id.");
  const authenticator = await adapter.getAuthenticator(credentialID);
  if (!authenticator) throw new WebAuthnVerificationError("This passkey is not registered here.");
  const publicKey = base64ToBytes(authenticator.credentialPublicKey);
  if (!publicKey) throw new WebAuthnVerificationError("The stored public key of this passkey is not valid base64.");
  const transports = stringToTransports(authenticator.transports);
  let verification: Awaited<ReturnType<WebAuthnServer["verifyAuthenticationResponse"]>>;
  try {
    verification = await server.verifyAuthenticationResponse({
      response,
      expectedChallenge: expected.challenge,
      expectedOrigin: expected.relyingParty.origin,
      expectedRPID: expected.relyingParty.id,
      credential: { id: wireCredentialId(authenticator.credentialID), publicKey, counter: authenticator.counter, ...(transports ? { transports } : {}) },
      requireUserVerification: expected.provider.userVerification === "required",
    });
  } catch (error) {
    throw new WebAuthnVerificationError("The passkey sign-in did not verify.", { cause: error });
  }
  if (!verification.verified) throw new WebAuthnVerificationError("The passkey sign-in did not verify.");
  const updated = await storeSignatureCounter(counters.store, adapter, authenticator, verification.authenticationInfo.newCounter, counters.warn, counters.storeTimeout ?? false);
  const account = await adapter.getAccount(authenticator.providerAccountId, expected.provider.id);
  if (!account) throw new WebAuthnVerificationError("The account of this passkey is missing.");
  const user = await adapter.getUser(account.userId);
  if (!user) throw new WebAuthnVerificationError("The user of this passkey is missing.");
  return { user, account, authenticator: updated };
}
