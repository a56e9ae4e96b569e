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

/** Stores a new token for `identifier`, hashed with the newest secret, valid for the provider's maxAge. */
export async function storeVerificationToken(ctx: RequestContext, provider: InternalEmailProvider, adapter: Required<Pick<Adapter, "createVerificationToken">>, identifier: string, token: string): Promise<Date> {
  const expires = new Date(Date.now() + provider.maxAge * 1000);
  const secret = tokenSecrets(ctx, provider)[0] ?? "";
  await adapter.createVerificationToken({ identifier, token: await hashVerificationToken(token, secret), expires });
  return expires;
}

/**
 * Uses a link's token: the adapter matches identifier AND hash and deletes the row in one atomic
 * step, so a token works once and only for the address it was sent to. A token hashed with an
 * older secret (rotation) is tried with each; a miss burns nothing.
 */
export async function consumeVerificationToken(ctx: RequestContext, provider: InternalEmailProvider, adapter: Required<Pick<Adapter, "useVerificationToken">>, identifier: string, token: string): Promise<VerificationToken | null> {
  for (const secret of tokenSecrets(ctx, provider)) {
    const used = await adapter.useVerificationToken({ identifier, token: await hashVerificationToken(token, secret) });
    if (used) return used;
  }
  return null;
}
