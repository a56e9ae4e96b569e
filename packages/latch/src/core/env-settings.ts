/**
 * What latch reads from the environment for every request — the secrets, `AUTH_URL`,
 * `AUTH_TRUST_HOST` — and the origin a request was made to, with nothing else imported: the
 * lean proxy (`latch/proxy`) needs exactly this and must not load the engine's config module
 * (providers, pages, stores). The rules are config.ts's; env-settings.test.ts checks that both
 * give the same answers.
 */
import { UntrustedHost } from "../errors.js";
import type { AuthConfig, LoggerInstance } from "../types.js";

/** Environment variables latch reads; `process.env` by default. */
export type Env = Record<string, string | undefined>;

/** The URL settings of a config: where latch lives and which Host headers it believes. */
export interface UrlSettings {
  /** The origin from `AUTH_URL` (or `NEXTAUTH_URL`), when set: every URL latch builds starts with it. */
  envOrigin: string | undefined;
  /** The routes' path, e.g. `/api/auth`. */
  basePath: string;
  trustHost: boolean;
}

/**
 * The secrets, newest first: the first encrypts, all decrypt. `secret` in the config wins; else
 * `AUTH_SECRET_3` … `AUTH_SECRET_1`, then `AUTH_SECRET` (or `NEXTAUTH_SECRET`), as @auth/core
 * orders them. Empty when none is set.
 *
 * @example
 * ```ts
 * readSecrets({}, { AUTH_SECRET: "old", AUTH_SECRET_1: "new" }); // ["new", "old"]
 * ```
 */
export function readSecrets(config: Pick<AuthConfig, "secret">, env: Env): string[] {
  // An unset entry (`secret: [process.env.NEW, process.env.OLD]`) is skipped, as unset variables are.
  const listed: unknown[] =
    config.secret === undefined
      ? [env.AUTH_SECRET_3, env.AUTH_SECRET_2, env.AUTH_SECRET_1, env.AUTH_SECRET || env.NEXTAUTH_SECRET]
      : Array.isArray(config.secret)
        ? config.secret
        : [config.secret];
  return listed.filter((s): s is string => typeof s === "string" && s.length > 0);
}

/** `AUTH_TRUST_HOST=false` (or 0/no/off) means false — unlike Auth.js, where any value means true. */
export function readBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  return !["false", "0", "no", "off"].includes(value.trim().toLowerCase());
}

/** A base path with one leading slash and no trailing one (`/` stays `/`). */
export function normalizeBasePath(path: string): string {
  const trimmed = `/${path}`.replace(/\/+/g, "/").replace(/\/$/, "");
  return trimmed === "" ? "/" : trimmed;
}

/**
 * Reads `AUTH_URL` (origin, and base path when it has one), `basePath` and `trustHost` (the
 * config's, else `AUTH_TRUST_HOST`, else true with `AUTH_URL`, on Vercel or Cloudflare Pages, or
 * outside production). An invalid `AUTH_URL` is ignored with a warning.
 *
 * @example
 * ```ts
 * readUrlSettings({}, { AUTH_URL: "https://app.example/auth" }, logger); // { envOrigin: "https://app.example", basePath: "/auth", trustHost: true }
 * ```
 */
export function readUrlSettings(config: Pick<AuthConfig, "basePath" | "trustHost">, env: Env, logger: LoggerInstance): UrlSettings {
  const authUrlRaw = env.AUTH_URL ?? env.NEXTAUTH_URL;
  let envOrigin: string | undefined;
  let envPath: string | undefined;
  if (authUrlRaw) {
    try {
      const url = new URL(authUrlRaw);
      envOrigin = url.origin;
      if (url.pathname !== "/") envPath = url.pathname;
    } catch {
      logger.warn("env-url-invalid: AUTH_URL is not a valid URL; it is ignored");
    }
  }
  const trust: boolean | string | undefined = config.trustHost;
  return {
    envOrigin,
    basePath: normalizeBasePath(config.basePath ?? envPath ?? "/api/auth"),
    trustHost:
      // A string (`trustHost: process.env.AUTH_TRUST_HOST` in a JS config) reads as the variable does: "false" is false.
      (typeof trust === "string" ? readBoolean(trust) : trust) ??
      readBoolean(env.AUTH_TRUST_HOST) ??
      (envOrigin !== undefined || !!env.VERCEL || !!env.CF_PAGES || env.NODE_ENV !== "production"),
  };
}

/** A Host header value that is exactly one valid host[:port], as the URL parser reads it; else undefined. */
function validHost(value: string | null | undefined): string | undefined {
  if (!value || value.length > 300) return undefined;
  try {
    const parsed = new URL(`http://${value}`);
    return parsed.host === value.toLowerCase() || `${parsed.host}:80` === value.toLowerCase() ? value.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds the origin a request was made to: `AUTH_URL` when set; otherwise, only when the host
 * is trusted, `X-Forwarded-Host`/`Host` and `X-Forwarded-Proto`. Throws `UntrustedHost` when
 * it may not or cannot tell.
 *
 * @example
 * ```ts
 * requestOrigin({ envOrigin: undefined, trustHost: true }, new Headers({ host: "127.0.0.1:3000" })); // "http://127.0.0.1:3000"
 * ```
 */
export function requestOrigin(settings: Pick<UrlSettings, "envOrigin" | "trustHost">, headers: Headers, requestUrl?: string): string {
  if (settings.envOrigin) return settings.envOrigin;
  if (!settings.trustHost) {
    throw new UntrustedHost(
      "The request's host is not trusted. Set AUTH_URL to your site's URL (recommended), or AUTH_TRUST_HOST=true when a proxy you control sets the Host header.",
    );
  }
  const host = validHost(headers.get("x-forwarded-host")?.split(",")[0]?.trim()) ?? validHost(headers.get("host"));
  let protocol = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  let fallback: URL | undefined;
  if (requestUrl) {
    try {
      fallback = new URL(requestUrl);
    } catch {
      fallback = undefined;
    }
  }
  protocol = protocol === "https" || protocol === "http" ? protocol : fallback?.protocol.replace(":", "");
  // Through URL: a default port the header spelled out (app.test:443 over https) is dropped, as
  // browsers drop it from Origin; otherwise same-origin checks would refuse the site's own pages.
  if (host) return new URL(`${protocol ?? "http"}://${host}`).origin;
  if (fallback) return fallback.origin;
  throw new UntrustedHost("The request carries no usable Host header. Set AUTH_URL to your site's URL.");
}
