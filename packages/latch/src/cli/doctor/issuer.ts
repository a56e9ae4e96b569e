import { isLoopback } from "./auth-url.js";
import type { ProviderEnv } from "./providers.js";
import type { Finding } from "./types.js";
import { discoveryIssuerOf } from "../../core/oauth/microsoft-tenant.js";

/** Options of {@link checkIssuer}; `fetch` is injectable for tests. */
export interface IssuerCheckOptions {
  timeout: number;
  offline: boolean;
  production: boolean;
  fetch?: typeof fetch;
}

/** Where OpenID discovery looks for an issuer's metadata (as oauth4webapi's "oidc" algorithm). */
export function discoveryUrl(issuer: URL): URL {
  const url = new URL(issuer.href);
  url.pathname = `${url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`}.well-known/openid-configuration`;
  return url;
}

/** RFC 8414's location, for plain OAuth 2 servers: the well-known part goes before the path. */
function oauthMetadataUrl(issuer: URL): URL {
  const url = new URL(issuer.origin);
  url.pathname = `/.well-known/oauth-authorization-server${issuer.pathname === "/" ? "" : issuer.pathname}`;
  return url;
}

function describeFailure(error: unknown, timeout: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeout} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) return "code" in cause && typeof cause.code === "string" ? `${cause.code}: ${cause.message}` : cause.message;
  return String(cause);
}

type Fetched = { status: number; location: string | null; body: string } | { failure: string };

async function get(doFetch: typeof fetch, url: URL, timeout: number): Promise<Fetched> {
  try {
    // Not following redirects: latch's discovery does not either, so a redirect is a finding.
    const response = await doFetch(url, { redirect: "manual", headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeout) });
    return { status: response.status, location: response.headers.get("location"), body: await response.text() };
  } catch (error) {
    return { failure: describeFailure(error, timeout) };
  }
}

function metadataOf(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches the issuer's discovery document (at most `timeout` ms) and checks that it answers,
 * that its `issuer` is the configured one once both are normalised as URLs (`new URL(x).href`,
 * as oauth4webapi's discovery compares them: `https://id.example` and `https://id.example/` are
 * the same, `…/realm` and `…/realm/` are not), and that it names the endpoints latch needs.
 *
 * @example
 * ```ts
 * await checkIssuer(provider, { timeout: 5000, offline: false, production: false });
 * ```
 */
export async function checkIssuer(provider: ProviderEnv, options: IssuerCheckOptions): Promise<Finding[]> {
  const { id, issuer: configured } = provider;
  if (!configured) return [];
  const variable = provider.issuerFrom === "env" ? `AUTH_${provider.key}_ISSUER` : `${id}'s built-in issuer`;
  let issuer: URL;
  try {
    issuer = new URL(configured);
    if (issuer.protocol !== "https:" && issuer.protocol !== "http:") throw new TypeError("not http(s)");
  } catch {
    return [{ code: "issuer-invalid", severity: "error", area: "providers", message: `${id}: ${variable} is not an http(s) URL.`, fix: `Set ${variable} to the issuer URL exactly as the provider publishes it, e.g. https://id.example.com.` }];
  }
  const findings: Finding[] = [];
  if (issuer.protocol === "http:" && !isLoopback(issuer.hostname)) {
    findings.push({
      code: "issuer-invalid",
      severity: options.production ? "error" : "warn",
      area: "providers",
      message: `${id}: ${variable} is plain http on a network host (${issuer.host}): tokens and the signing keys would travel unencrypted.`,
      fix: `Use the provider's https issuer in ${variable}.`,
    });
  }
  if (options.offline) {
    return [...findings, { code: "issuer-skipped", severity: "skip", area: "providers", message: `${id}: discovery of ${configured} was not checked (--offline).` }];
  }
  const doFetch = options.fetch ?? fetch;
  const started = Date.now();
  let where = discoveryUrl(issuer);
  let fetched = await get(doFetch, where, options.timeout);
  if ("status" in fetched && fetched.status === 404) {
    const fallback = await get(doFetch, oauthMetadataUrl(issuer), options.timeout);
    if ("status" in fallback && fallback.status === 200) {
      where = oauthMetadataUrl(issuer);
      fetched = fallback;
    }
  }
  const unreachableFix = `Check ${variable} (it must be the issuer URL, not the authorization endpoint) and that this machine can reach ${issuer.host}.`;
  if ("failure" in fetched) {
    return [...findings, { code: "issuer-unreachable", severity: "error", area: "providers", message: `${id}: the issuer ${configured} is unreachable (GET ${where.href}: ${fetched.failure}); sign-in with ${id} fails at discovery.`, fix: unreachableFix }];
  }
  if (fetched.status !== 200) {
    const redirect = fetched.status >= 300 && fetched.status < 400 && fetched.location ? ` to ${fetched.location}` : "";
    return [
      ...findings,
      { code: "issuer-unreachable", severity: "error", area: "providers", message: `${id}: GET ${where.href} answered HTTP ${fetched.status}${redirect}, not a discovery document; sign-in with ${id} fails at discovery.`, fix: unreachableFix },
    ];
  }
  const metadata = metadataOf(fetched.body);
  if (!metadata) {
    return [...findings, { code: "issuer-bad-metadata", severity: "error", area: "providers", message: `${id}: ${where.href} did not return a JSON object.`, fix: unreachableFix }];
  }
  const published = typeof metadata.issuer === "string" ? metadata.issuer : undefined;
  // Microsoft's multi-tenant issuers publish a {tenantid} template, which latch accepts (core/oauth/microsoft-tenant.ts).
  if (published === undefined || normalizedUrl(published) !== discoveryIssuerOf(issuer, metadata).href) {
    const slash = published !== undefined && published.replace(/\/$/, "") === configured.replace(/\/$/, "") ? " They differ only in the trailing slash, which counts." : "";
    return [
      ...findings,
      {
        code: "issuer-mismatch",
        severity: "error",
        area: "providers",
        message: `${id}: ${variable} is "${configured}" but the provider's discovery document says issuer "${published ?? "(none)"}". latch compares them as URLs, character for character once normalised (OpenID Connect Discovery §4.3, RFC 9207), so every sign-in with ${id} is refused.${slash}`,
        fix: published ? `Set ${variable}=${published}` : `Point ${variable} at the provider's real issuer URL.`,
      },
    ];
  }
  const missing = ["authorization_endpoint", "token_endpoint"].filter((name) => typeof metadata[name] !== "string");
  if (missing.length > 0) {
    return [...findings, { code: "issuer-bad-metadata", severity: "error", area: "providers", message: `${id}: the discovery document lacks ${missing.join(" and ")}.`, fix: `Check ${variable}; if it is right, configure the endpoints in code (authorization, token).` }];
  }
  const methods = metadata.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes("S256")) {
    findings.push({
      code: "issuer-no-s256",
      severity: "warn",
      area: "providers",
      message: `${id}: the provider lists code_challenge_methods_supported without S256; latch always sends a PKCE S256 challenge, which the provider may reject.`,
      fix: `Enable PKCE (S256) for the client in ${id}'s console.`,
    });
  }
  return [...findings, { code: "issuer-ok", severity: "ok", area: "providers", message: `${id}: the issuer ${configured} answers discovery (${Date.now() - started} ms) and names itself the same.` }];
}

/** A URL as the WHATWG parser writes it (`https://id.example` → `https://id.example/`), or `undefined`. */
function normalizedUrl(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}
