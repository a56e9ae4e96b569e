import type { EndpointConfig, OAuthConfig, OAuthUserConfig } from "../types.js";

function mergeEndpoint<E extends EndpointConfig>(base: string | E | undefined, override: string | E | undefined): string | E | undefined {
  if (override === undefined) return base;
  if (typeof override === "string" || base === undefined || typeof base === "string") return override;
  return { ...base, ...override, params: { ...base.params, ...override.params } };
}

/**
 * Merges the app's options over a provider's defaults; endpoint `params` merge key by key so
 * that `authorization: { params: { prompt: "login" } }` keeps the default scope.
 */
export function mergeProvider<P>(defaults: OAuthConfig<P>, options: OAuthUserConfig<P>): OAuthConfig<P> {
  const merged: OAuthConfig<P> = { ...defaults, ...options };
  merged.authorization = mergeEndpoint(defaults.authorization, options.authorization);
  merged.token = mergeEndpoint(defaults.token, options.token);
  merged.userinfo = mergeEndpoint(defaults.userinfo, options.userinfo);
  return merged;
}
