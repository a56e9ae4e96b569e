import * as oauth from "oauth4webapi";
import { InvalidEndpoints } from "../../errors.js";
import type { InternalOAuthProvider } from "../providers.js";
import { discoveryIssuerOf, isMicrosoftMultiTenantIssuer, resolveTenantIssuer } from "./microsoft-tenant.js";
import { providerFetch } from "./provider-fetch.js";

/**
 * Options every oauth4webapi HTTP call gets: the provider's fetch bounded in time (`timeout` ms
 * per request, `false` for none) and in size, and http allowed only where configured.
 *
 * @example
 * ```ts
 * const response = await oauth.userInfoRequest(as, client, accessToken, httpOptions(provider, as.userinfo_endpoint, 3500));
 * ```
 */
export function httpOptions(provider: InternalOAuthProvider, url: string | undefined, timeout: number | false): HttpOptions {
  const options: HttpOptions = {};
  // An http:// endpoint only comes from the app's own configuration (a local or internal IdP).
  if (url?.startsWith("http:")) options[oauth.allowInsecureRequests] = true;
  options[oauth.customFetch] = customFetchOf(providerFetch(provider, timeout));
  return options;
}

type CustomFetch = NonNullable<HttpOptions[typeof oauth.customFetch]>;

// The same function for the same provider: oauth4webapi shares an in-flight JWKS download only
// between calls that pass the same fetch.
const customFetches = new WeakMap<typeof fetch, CustomFetch>();

function customFetchOf(bounded: typeof fetch): CustomFetch {
  let custom = customFetches.get(bounded);
  if (!custom) {
    custom = (target, init) =>
      bounded(target, {
        method: init.method,
        headers: init.headers,
        body: (init.body as BodyInit | null | undefined) ?? null,
        redirect: init.redirect,
        ...(init.signal ? { signal: init.signal } : {}),
      });
    customFetches.set(bounded, custom);
  }
  return custom;
}

/** The HTTP options oauth4webapi takes. */
export interface HttpOptions {
  [oauth.allowInsecureRequests]?: boolean;
  [oauth.customFetch]?: (url: string, options: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>;
}

// Discovery documents rarely change; one fetch per issuer and process. A failure is forgotten at
// once, so the first sign-in after the provider comes back discovers again: no restart needed.
const discoveries = new Map<string, Promise<oauth.AuthorizationServer>>();

async function discover(provider: InternalOAuthProvider, issuer: string, timeout: number | false): Promise<oauth.AuthorizationServer> {
  const key = `${provider.id}\0${issuer}`;
  let pending = discoveries.get(key);
  if (!pending) {
    const issuerUrl = new URL(issuer);
    pending = oauth
      .discoveryRequest(issuerUrl, { ...httpOptions(provider, issuer, timeout), algorithm: provider.type === "oidc" ? "oidc" : "oauth2" })
      .then(async (response) => oauth.processDiscoveryResponse(await expectedIssuerOf(issuerUrl, response), response));
    discoveries.set(key, pending);
    pending.catch(() => discoveries.delete(key));
  }
  return pending;
}

/**
 * The issuer the discovery document must name: the configured one, or for Microsoft's
 * multi-tenant issuers the `{tenantid}` template (microsoft-tenant.ts). Reads a copy of the
 * answer, already in memory; an unreadable one is left to oauth4webapi to refuse.
 */
async function expectedIssuerOf(issuerUrl: URL, response: Response): Promise<URL> {
  if (!isMicrosoftMultiTenantIssuer(issuerUrl.href)) return issuerUrl;
  try {
    return discoveryIssuerOf(issuerUrl, await response.clone().json());
  } catch {
    return issuerUrl;
  }
}

/** The placeholder issuer of providers that declare none; their `iss` response parameter is ignored. */
export const NO_ISSUER = "urn:latch:no-issuer";

/**
 * The provider's authorization-server metadata: discovered from `issuer` when an endpoint is
 * missing, otherwise built from the configured URLs (GitHub and other plain OAuth 2 servers).
 * Discovery waits at most `timeout` ms; a failed one is not cached.
 *
 * @example
 * ```ts
 * const as = await getAuthorizationServer(provider, ctx.resolved.providerTimeout);
 * ```
 */
export function getAuthorizationServer(provider: InternalOAuthProvider, timeout: number | false): Promise<oauth.AuthorizationServer> {
  // One metadata object per provider: oauth4webapi caches the issuer's JWKS on it, so a new
  // object per callback would fetch the keys on every sign-in.
  let server = servers.get(provider);
  if (!server) {
    server = buildAuthorizationServer(provider, timeout);
    servers.set(provider, server);
    server.catch(() => servers.delete(provider));
  }
  return server;
}

const servers = new WeakMap<InternalOAuthProvider, Promise<oauth.AuthorizationServer>>();

async function buildAuthorizationServer(provider: InternalOAuthProvider, timeout: number | false): Promise<oauth.AuthorizationServer> {
  // OpenID Connect always discovers: even with every endpoint configured, the ID token can only be
  // verified with the keys at the issuer's `jwks_uri`.
  const needsDiscovery = !provider.authorization.url || !provider.token.url || provider.type === "oidc";
  if (needsDiscovery && provider.issuer) {
    const discovered = await discover(provider, provider.issuer, timeout);
    const overrides: { authorization_endpoint?: string; token_endpoint?: string; userinfo_endpoint?: string } = {};
    if (provider.authorization.url) overrides.authorization_endpoint = provider.authorization.url;
    if (provider.token.url) overrides.token_endpoint = provider.token.url;
    if (provider.userinfo.url) overrides.userinfo_endpoint = provider.userinfo.url;
    return resolveTenantIssuer({ ...discovered, ...overrides }, provider.id);
  }
  if (!provider.authorization.url || !provider.token.url) {
    throw new InvalidEndpoints(
      `Provider "${provider.id}" has no issuer to discover its endpoints from and no ${provider.authorization.url ? "token" : "authorization"} URL. Set \`issuer\` (e.g. AUTH_${provider.id.toUpperCase().replace(/-/g, "_")}_ISSUER) or the endpoint URLs.`,
    );
  }
  return {
    issuer: provider.issuer ?? NO_ISSUER,
    authorization_endpoint: provider.authorization.url,
    token_endpoint: provider.token.url,
    ...(provider.userinfo.url ? { userinfo_endpoint: provider.userinfo.url } : {}),
  };
}

/** The client as oauth4webapi describes it. */
export function clientOf(provider: InternalOAuthProvider): oauth.Client {
  return {
    client_id: provider.clientId,
    token_endpoint_auth_method: provider.authMethod,
    ...(provider.idTokenAlg ? { id_token_signed_response_alg: provider.idTokenAlg } : {}),
  };
}

/** How the client authenticates at the token endpoint. */
export function clientAuthOf(provider: InternalOAuthProvider): oauth.ClientAuth {
  switch (provider.authMethod) {
    case "none":
      return oauth.None();
    case "client_secret_post":
      return oauth.ClientSecretPost(provider.clientSecret ?? "");
    default:
      return oauth.ClientSecretBasic(provider.clientSecret ?? "");
  }
}
