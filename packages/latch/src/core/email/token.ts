import type { Adapter, VerificationToken } from "../../adapters/types.js";
import type { RequestContext } from "../config.js";
import { sha256Hex } from "../digest.js";
import type { InternalEmailProvider } from "../providers.js";

/**
 * What the adapter stores instead of a link's token: `sha256hex(token + secret)`, Auth.js's
 * format, so a database leak gives no usable link and tokens stored by Auth.js stay comparable.
 */
export function hashVerificationToken(token: string, secret: string): Promise<string> {
  return sha256Hex(`${token}${secret}`);
}

/** The secrets a token may be hashed with: the provider's own, else the auth secrets, newest first. */
function tokenSecrets(ctx: RequestContext, provider: InternalEmailProvider): string[] {
  return provider.secret !== undefined ? [provider.secret] : ctx.secrets;
}

/**
 * Stores a new token for `identifier`, hashed with the newest secret, valid for the provider's
 * maxAge. A code the app makes itself (`generateVerificationToken`) replaces the address's older
 * tokens when the adapter can (`replaceVerificationToken`): a guess then has one live code to hit,
 * not one per code requested. latch's own tokens leave older links working: with 256 random bits
 * there is nothing to guess, and the first email may be the one the user opens.
 */
export async function storeVerificationToken(
  ctx: RequestContext,
  provider: InternalEmailProvider,
  adapter: Required<Pick<Adapter, "createVerificationToken">> & Pick<Adapter, "replaceVerificationToken">,
  identifier: string,
  token: string,
): Promise<Date> {
  const expires = new Date(Date.now() + provider.maxAge * 1000);
  const secret = tokenSecrets(ctx, provider)[0] ?? "";
  const stored = { identifier, token: await hashVerificationToken(token, secret), expires };
  if (provider.config.generateVerificationToken && adapter.replaceVerificationToken) await adapter.replaceVerificationToken(stored);
  else await adapter.createVerificationToken(stored);
  return expires;
}

/**
 * Uses a link's token: the adapter matches identifier AND hash and deletes the row in one atomic
 * step, so a token works once and only for the address it was sent to. A token hashed with an
 * older secret (rotation) is tried with each; a miss burns nothing. The row's identifier must be
 * the one asked for: some adapters (and Auth.js's docs allow it) look the token up by itself, and
 * would otherwise let one address's link sign in as any other.
 */
export async function consumeVerificationToken(ctx: RequestContext, provider: InternalEmailProvider, adapter: Required<Pick<Adapter, "useVerificationToken">>, identifier: string, token: string): Promise<VerificationToken | null> {
  for (const secret of tokenSecrets(ctx, provider)) {
    const used = await adapter.useVerificationToken({ identifier, token: await hashVerificationToken(token, secret) });
    if (used) return used.identifier === identifier ? used : null;
  }
  return null;
}
