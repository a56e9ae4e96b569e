import type { RequestContext } from "../config.js";
import type { InternalWebAuthnProvider } from "../providers.js";

/** Who the passkeys are for: what the browser must report as origin and RP ID hash. */
export interface RelyingParty {
  /** The RP ID: a hostname. */
  id: string;
  name: string;
  /** The only origin a response is accepted from. */
  origin: string;
}

/**
 * The relying party of a request: the site's origin (from `AUTH_URL`, or trusted Host headers),
 * its hostname as RP ID, its host as name — unless the provider sets them.
 */
export function relyingParty(ctx: RequestContext, provider: InternalWebAuthnProvider): RelyingParty {
  const origin = provider.relyingParty.origin ?? ctx.origin;
  const url = new URL(origin);
  return { id: provider.relyingParty.id ?? url.hostname, name: provider.relyingParty.name ?? url.host, origin: url.origin };
}
