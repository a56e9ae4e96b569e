import { normalizeBasePath, readBoolean } from "../../core/env-settings.js";
import type { AuthRoute } from "./routes.js";
import type { EnvMap, Finding } from "./types.js";

/** Where latch's routes live, as far as the environment tells. */
export interface SiteUrl {
  /** From AUTH_URL (or NEXTAUTH_URL) when set and valid. */
  origin: string | undefined;
  basePath: string;
  /** Where basePath came from: it decides how sure a mismatch with the route is. */
  basePathFrom: "AUTH_URL" | "--base-path" | "default";
}

const DEFAULT_BASE_PATH = "/api/auth";

/** Hosts a browser treats as this machine: http there is not sent over a network. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function parse(raw: string): URL | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function hostFindings(env: EnvMap, production: boolean): Finding[] {
  if (!production) {
    return [
      {
        code: "auth-url-missing",
        severity: "ok",
        area: "url",
        message: "AUTH_URL is not set: in development latch takes the origin from each request's Host header. Set it before you deploy.",
      },
    ];
  }
  const trust = readBoolean(env.AUTH_TRUST_HOST);
  if (trust === true) {
    return [
      {
        code: "trust-host-risk",
        severity: "warn",
        area: "url",
        message:
          "AUTH_TRUST_HOST is true and AUTH_URL is not set: latch builds callback URLs, redirects and email sign-in links from the request's X-Forwarded-Host/Host and X-Forwarded-Proto headers. Unless a proxy you control overwrites those headers on every request, a client can make latch send users (and magic links) to a host of its choosing.",
        fix: "Set AUTH_URL to your site's public URL (e.g. AUTH_URL=https://app.example.com); keep AUTH_TRUST_HOST only if one deployment serves several hostnames behind such a proxy.",
      },
    ];
  }
  if (trust === undefined && (env.VERCEL || env.CF_PAGES)) {
    return [
      {
        code: "trust-host-platform",
        severity: "ok",
        area: "url",
        message: `AUTH_URL is not set; on ${env.VERCEL ? "Vercel" : "Cloudflare Pages"} latch trusts the platform's Host header, which the platform sets itself.`,
      },
    ];
  }
  return [
    {
      code: "auth-url-missing",
      severity: "error",
      area: "url",
      message: `AUTH_URL is not set in production${trust === false ? " and AUTH_TRUST_HOST is false" : ""}: latch does not trust the Host header there, so every request to its routes fails with UntrustedHost.`,
      fix: "Set AUTH_URL to your site's public URL, e.g. AUTH_URL=https://app.example.com (or AUTH_TRUST_HOST=true behind a proxy you control that sets the Host header).",
    },
  ];
}

function routeFindings(site: SiteUrl, routes: readonly AuthRoute[]): Finding[] {
  if (routes.length === 0) {
    return [
      {
        code: "route-not-found",
        severity: "warn",
        area: "url",
        message: `No route serving auth handlers was found (looked for app/**/[...nextauth]/route.ts and pages/**/[...nextauth].ts); latch's routes are expected under ${site.basePath}.`,
        fix: `Create app${site.basePath === "/" ? "" : site.basePath}/[...nextauth]/route.ts with \`export const { GET, POST } = handlers;\`, or run doctor with --dir pointing at the Next.js app.`,
      },
    ];
  }
  const match = routes.find((route) => route.basePath === site.basePath);
  if (match) return [{ code: "route-ok", severity: "ok", area: "url", message: `${match.file} serves latch's routes at ${site.basePath}.` }];
  const where = routes.map((route) => `${route.file} (${route.basePath})`).join(", ");
  const first = routes[0]?.basePath ?? DEFAULT_BASE_PATH;
  const fromDefault = site.basePathFrom === "default";
  return [
    {
      code: "base-path-mismatch",
      severity: fromDefault ? "warn" : "error",
      area: "url",
      message: fromDefault
        ? `The auth route is at ${where}, but without a basePath latch serves ${DEFAULT_BASE_PATH}.`
        : `The base path ${site.basePath} (from ${site.basePathFrom}) does not match the auth route ${where}: sign-in URLs and callbacks would point at a path nothing serves.`,
      fix: fromDefault
        ? `If your config sets basePath: "${first}", run doctor with --base-path ${first}; otherwise set basePath: "${first}" in the config or AUTH_URL=<origin>${first}.`
        : `Set AUTH_URL to ${site.origin ?? "<origin>"}${first} (or to the bare origin) or move the route to app${site.basePath}/[...nextauth]/route.ts.`,
    },
  ];
}

/**
 * Checks AUTH_URL, AUTH_TRUST_HOST and the base path against the route found in the project,
 * reading them as `core/config.ts` does (AUTH_URL's path, if any, is the base path).
 *
 * @example
 * ```ts
 * const { findings, site } = checkAuthUrl(env, sources, { production: true, routes, basePath: undefined });
 * ```
 */
export function checkAuthUrl(
  env: EnvMap,
  sources: Record<string, string>,
  options: { production: boolean; routes: readonly AuthRoute[]; basePath: string | undefined },
): { findings: Finding[]; site: SiteUrl } {
  const findings: Finding[] = [];
  const name = env.AUTH_URL ? "AUTH_URL" : env.NEXTAUTH_URL ? "NEXTAUTH_URL" : undefined;
  const raw = name ? (env[name] ?? "") : undefined;
  if (env.AUTH_URL && env.NEXTAUTH_URL && env.AUTH_URL !== env.NEXTAUTH_URL) {
    findings.push({ code: "auth-url-conflict", severity: "warn", area: "url", message: "AUTH_URL and NEXTAUTH_URL are both set and differ: latch uses AUTH_URL.", fix: "Delete NEXTAUTH_URL." });
  }
  const url = raw === undefined ? undefined : parse(raw);
  if (name && !url) {
    findings.push({
      code: "auth-url-invalid",
      severity: "error",
      area: "url",
      message: `${name}${sources[name] ? ` (from ${sources[name]})` : ""} is not an http(s) URL: latch ignores it and falls back to the request's host.`,
      fix: `Set ${name} to the app's public URL, e.g. https://app.example.com.`,
    });
  }
  const envPath = url && url.pathname !== "/" ? normalizeBasePath(url.pathname) : undefined;
  const site: SiteUrl = {
    origin: url?.origin,
    basePath: options.basePath ? normalizeBasePath(options.basePath) : (envPath ?? DEFAULT_BASE_PATH),
    basePathFrom: options.basePath ? "--base-path" : envPath ? "AUTH_URL" : "default",
  };
  if (!url || !name) {
    findings.push(...hostFindings(env, options.production));
  } else {
    if (url.search || url.hash) {
      findings.push({ code: "auth-url-ignored-parts", severity: "warn", area: "url", message: `${name} has a query or fragment, which latch ignores.`, fix: `Remove everything after the path from ${name}.` });
    }
    const plain = url.protocol === "http:";
    if (plain && options.production) {
      const loopback = isLoopback(url.hostname);
      findings.push({
        code: "auth-url-insecure",
        severity: loopback ? "warn" : "error",
        area: "url",
        message: loopback
          ? `${name} is ${url.origin} in production: fine to try a production build on this machine, not for a deployment.`
          : `${name} is ${url.origin}, plain http in production: session cookies lose their Secure flag and travel unencrypted, and providers require https redirect URIs (RFC 9700 §2.6).`,
        fix: `Serve the app over https and set ${name}=https://${url.host}${envPath ?? ""}.`,
      });
    }
    findings.push({
      code: "auth-url-ok",
      severity: "ok",
      area: "url",
      message: `${name}${sources[name] ? ` (from ${sources[name]})` : ""} is ${url.origin}${envPath ?? ""}: latch builds every URL from it and ignores the Host header${readBoolean(env.AUTH_TRUST_HOST) === true ? " (AUTH_TRUST_HOST changes nothing while it is set)" : ""}.`,
    });
  }
  findings.push(...routeFindings(site, options.routes));
  return { findings, site };
}
