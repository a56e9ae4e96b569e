import { isLoopback } from "./auth-url.js";
import { measureSecret } from "./secret-strength.js";
import type { EnvMap, Finding } from "./types.js";

/** A provider as the environment describes it (`AUTH_<KEY>_ID/_SECRET/_ISSUER`). */
export interface ProviderEnv {
  id: string;
  /** The env-name part: `MICROSOFT_ENTRA_ID` for `microsoft-entra-id`. */
  key: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** AUTH_<KEY>_ISSUER, else the built-in provider's fixed issuer. */
  issuer: string | undefined;
  issuerFrom: "env" | "built-in" | undefined;
}

// The built-in OpenID providers with a fixed issuer (discovery is checked for them too), and those
// that take the issuer from the app (the tenant, realm or instance).
const FIXED_ISSUERS: Record<string, string> = {
  apple: "https://appleid.apple.com",
  google: "https://accounts.google.com",
  linkedin: "https://www.linkedin.com/oauth",
  "microsoft-entra-id": "https://login.microsoftonline.com/common/v2.0",
  salesforce: "https://login.salesforce.com",
  slack: "https://slack.com",
  twitch: "https://id.twitch.tv/oauth2",
};
const NEEDS_ISSUER = new Set(["auth0", "authentik", "cognito", "keycloak", "okta", "zitadel"]);
const BUILT_IN = [
  ...Object.keys(FIXED_ISSUERS),
  ...NEEDS_ISSUER,
  "atlassian",
  "bitbucket",
  "discord",
  "dropbox",
  "facebook",
  "github",
  "gitlab",
  "hubspot",
  "kakao",
  "notion",
  "patreon",
  "reddit",
  "spotify",
  "strava",
  "twitter",
  "workos",
  "yandex",
  "zoom",
];

function envKey(id: string): string {
  return id.toUpperCase().replace(/-/g, "_");
}

function value(env: EnvMap, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
}

/**
 * The providers the environment configures, found from `AUTH_<KEY>_ID`, `_SECRET` and `_ISSUER`.
 * A built-in provider's id is known (`MICROSOFT_ENTRA_ID` → `microsoft-entra-id`); any other key
 * is lowercased with `_` read as `-`.
 *
 * @example
 * ```ts
 * discoverProviders({ AUTH_GITHUB_ID: "…", AUTH_GITHUB_SECRET: "…" }); // [{ id: "github", … }]
 * ```
 */
export function discoverProviders(env: EnvMap): ProviderEnv[] {
  const keys = new Set<string>();
  for (const name of Object.keys(env).sort()) {
    const match = /^AUTH_([A-Z0-9_]+)_(ID|SECRET|ISSUER)$/.exec(name);
    if (match?.[1] && value(env, name) !== undefined) keys.add(match[1]);
  }
  return [...keys].map((key) => {
    const id = BUILT_IN.find((known) => envKey(known) === key) ?? key.toLowerCase().replace(/_/g, "-");
    const envIssuer = value(env, `AUTH_${key}_ISSUER`);
    const issuer = envIssuer ?? FIXED_ISSUERS[id];
    return {
      id,
      key,
      clientId: value(env, `AUTH_${key}_ID`),
      clientSecret: value(env, `AUTH_${key}_SECRET`),
      issuer,
      issuerFrom: envIssuer ? "env" : issuer ? "built-in" : undefined,
    };
  });
}

function credentialFindings(provider: ProviderEnv): Finding[] {
  const { id, key } = provider;
  const findings: Finding[] = [];
  const missing = [provider.clientId ? undefined : `AUTH_${key}_ID`, provider.clientSecret ? undefined : `AUTH_${key}_SECRET`].filter((n): n is string => n !== undefined);
  if (missing.length === 0) {
    findings.push({ code: "provider-credentials-ok", severity: "ok", area: "providers", message: `${id}: AUTH_${key}_ID and AUTH_${key}_SECRET are set (secret: ${provider.clientSecret?.length ?? 0} characters).` });
  } else {
    findings.push({
      code: "provider-credentials-incomplete",
      severity: "warn",
      area: "providers",
      message: `${id}: ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not set, while other AUTH_${key}_* variables are. Unless your config passes ${missing.length === 2 ? "clientId and clientSecret" : missing[0]?.endsWith("_ID") ? "clientId" : "clientSecret"} for "${id}" in code, sign-in with ${id} fails at the token endpoint.`,
      fix: `Set ${missing.join(" and ")} to the ${missing.length === 1 ? "value" : "values"} from ${id}'s developer console (check the spelling: latch reads exactly AUTH_${key}_ID / AUTH_${key}_SECRET).`,
    });
  }
  if (provider.clientSecret && measureSecret(provider.clientSecret).flaw === "placeholder") {
    findings.push({ code: "provider-secret-placeholder", severity: "warn", area: "providers", message: `${id}: AUTH_${key}_SECRET is a placeholder value, not the secret ${id} issued.`, fix: `Copy the client secret from ${id}'s developer console into AUTH_${key}_SECRET.` });
  }
  if (NEEDS_ISSUER.has(id) && !provider.issuer) {
    findings.push({
      code: "provider-issuer-missing",
      severity: "warn",
      area: "providers",
      message: `${id}: AUTH_${key}_ISSUER is not set; ${id} has no default issuer (it names your tenant, realm or instance), so unless the config passes issuer, sign-in fails.`,
      fix: `Set AUTH_${key}_ISSUER, e.g. the URL shown as "issuer" in ${id}'s OpenID configuration.`,
    });
  }
  return findings;
}

/** next-auth v4 names (GITHUB_ID, GOOGLE_CLIENT_SECRET…) that latch does not read by itself. */
function legacyFindings(env: EnvMap, providers: readonly ProviderEnv[]): Finding[] {
  const findings: Finding[] = [];
  for (const id of BUILT_IN) {
    const key = envKey(id);
    if (providers.some((p) => p.key === key)) continue;
    const legacy = [`${key}_ID`, `${key}_CLIENT_ID`, `${key}_SECRET`, `${key}_CLIENT_SECRET`].filter((name) => value(env, name) !== undefined);
    if (legacy.length === 0) continue;
    findings.push({
      code: "provider-env-legacy",
      severity: "warn",
      area: "providers",
      message: `${legacy.join(", ")} ${legacy.length === 1 ? "is" : "are"} set, but latch infers ${id}'s credentials from AUTH_${key}_ID and AUTH_${key}_SECRET.`,
      fix: `Rename to AUTH_${key}_ID / AUTH_${key}_SECRET, or pass them in code: ${id === "github" ? "GitHub" : id}({ clientId: process.env.${legacy[0] ?? ""}, … }).`,
    });
  }
  return findings;
}

/**
 * Checks each provider's env variables (both halves of the client credentials, an issuer where
 * one is needed) and prints the callback URL to register with it.
 *
 * @example
 * ```ts
 * checkProviders(env, discoverProviders(env), { callbackBase: "https://app.example/api/auth", production: true });
 * ```
 */
export function checkProviders(env: EnvMap, providers: readonly ProviderEnv[], options: { callbackBase: string | undefined; assumed: boolean; production: boolean }): Finding[] {
  const findings: Finding[] = [...legacyFindings(env, providers)];
  if (providers.length === 0) {
    findings.push({
      code: "provider-none",
      severity: "ok",
      area: "providers",
      message: "No AUTH_<PROVIDER>_ID/_SECRET/_ISSUER variables are set: providers configured entirely in code are not checked here (run with --url to list what the app serves).",
    });
    return findings;
  }
  for (const provider of providers) {
    findings.push(...credentialFindings(provider));
    findings.push(callbackFinding(provider.id, options));
  }
  return findings;
}

/** The redirect URI to register with a provider, flagged when it would be plain http on a network. */
export function callbackFinding(id: string, options: { callbackBase: string | undefined; assumed: boolean; production: boolean }): Finding {
  if (!options.callbackBase) {
    return { code: "callback-url", severity: "skip", area: "providers", message: `${id}: the callback URL depends on AUTH_URL, which is not set.`, fix: "Set AUTH_URL; the callback URL is then <AUTH_URL>/callback/<id>." };
  }
  const url = `${options.callbackBase}/callback/${id}`;
  const parsed = new URL(url);
  if (options.production && parsed.protocol === "http:" && !isLoopback(parsed.hostname)) {
    return { code: "callback-url", severity: "warn", area: "providers", message: `${id}: the callback URL ${url} is plain http; providers refuse (or should refuse) non-loopback http redirect URIs.`, fix: "Serve the app over https and set AUTH_URL to its https origin, then register the https callback URL." };
  }
  return {
    code: "callback-url",
    severity: "ok",
    area: "providers",
    message: `${id}: register ${url} as the redirect (callback) URL${options.assumed ? " (assumed: AUTH_URL is not set)" : ""}.`,
  };
}
