import { WebAuthnVerificationError } from "../../errors.js";
import type { RequestContext } from "../config.js";
import { expireCookie, type OutgoingCookie } from "../cookies.js";
import { sha256Hex } from "../digest.js";
import type { InternalWebAuthnProvider } from "../providers.js";
import { createSessionCodec } from "../session/codec.js";

/** Which ceremony a challenge was issued for. */
export type CeremonyAction = "register" | "authenticate";

/** Who a registration is for: a signed-in user adding a passkey, or a new account's email. */
export type Registrant = { kind: "user"; userId: string } | { kind: "new"; email: string };

/** What the challenge cookie holds. */
export interface Ceremony {
  challenge: string;
  action: CeremonyAction;
  registrant: Registrant | undefined;
}

// Time a used challenge is remembered past its own expiry: the codec tolerates some clock skew.
const REMEMBER_MARGIN_MS = 60_000;

/**
 * Seals a challenge into the `authjs.challenge` cookie, bound to the provider and the ceremony,
 * living as long as the ceremony may take. The cookie name is the encryption salt, so the cookie
 * can never pass as a session token or an OAuth check (GHSA-v64w-49xw-qq89).
 */
export async function sealChallenge(ctx: RequestContext, provider: InternalWebAuthnProvider, ceremony: Ceremony): Promise<OutgoingCookie> {
  const option = ctx.cookies.webauthnChallenge;
  const maxAge = Math.ceil(provider.timeout / 1000);
  const { registrant } = ceremony;
  const sealed = await createSessionCodec(ctx.secrets, option.name).encode(
    { value: ceremony.challenge, provider: provider.id, action: ceremony.action, ...(registrant ? { registrant } : {}) },
    maxAge,
  );
  return { name: option.name, value: sealed, options: { ...option.options, maxAge } };
}

function readRegistrant(value: unknown): Registrant | undefined {
  if (typeof value !== "object" || value === null || !("kind" in value)) return undefined;
  if (value.kind === "user" && "userId" in value && typeof value.userId === "string") return { kind: "user", userId: value.userId };
  if (value.kind === "new" && "email" in value && typeof value.email === "string") return { kind: "new", email: value.email };
  return undefined;
}

/**
 * Opens the challenge cookie and deletes it, then records the challenge as used in the rate-limit
 * store (atomic, shared by every instance when `rateLimit.store` is set): a response presented
 * again — even with a copy of the cookie — is refused. Throws `WebAuthnVerificationError` when the
 * cookie is missing, expired, forged, minted for another provider or another ceremony, or used.
 */
export async function useChallenge(ctx: RequestContext, provider: InternalWebAuthnProvider, action: CeremonyAction, cookies: Map<string, string>, out: OutgoingCookie[]): Promise<Ceremony> {
  const option = ctx.cookies.webauthnChallenge;
  const raw = cookies.get(option.name);
  if (raw === undefined) throw new WebAuthnVerificationError("The passkey challenge cookie is missing: the ceremony took too long, or was started in another browser.");
  out.push(expireCookie(option));
  const payload = await createSessionCodec(ctx.secrets, option.name).decode(raw);
  if (!payload || typeof payload.value !== "string" || payload.value.length === 0) throw new WebAuthnVerificationError("The passkey challenge cookie is invalid or expired.");
  if (payload.provider !== provider.id) throw new WebAuthnVerificationError("The passkey challenge was issued for another provider.");
  if (payload.action !== action) throw new WebAuthnVerificationError(`The passkey challenge was issued for another ceremony than "${action}".`);
  const used = await ctx.resolved.rateLimitStore.hit(`webauthn:challenge:${await sha256Hex(payload.value)}`, provider.timeout + REMEMBER_MARGIN_MS);
  if (used.count > 1) throw new WebAuthnVerificationError("The passkey challenge was already used.");
  return { challenge: payload.value, action, registrant: readRegistrant(payload.registrant) };
}
