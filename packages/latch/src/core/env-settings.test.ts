/**
 * env-settings.ts repeats config.ts's rules for secrets, AUTH_URL, AUTH_TRUST_HOST and the
 * request's origin, so the lean proxy need not load the engine's config module. This keeps the
 * two from drifting: every combination below must give the same answers (or the same error).
 */
import { describe, expect, it } from "vitest";
import type { AuthConfig, LoggerInstance } from "../types.js";
import { resolveConfig, resolveOrigin } from "./config.js";
import { readSecrets, readUrlSettings, requestOrigin, type Env } from "./env-settings.js";

const quiet: LoggerInstance = { error: () => undefined, warn: () => undefined, debug: () => undefined };

const envs: Env[] = [
  {},
  { NODE_ENV: "production" },
  { NODE_ENV: "production", VERCEL: "1" },
  { NODE_ENV: "production", CF_PAGES: "1" },
  { NODE_ENV: "production", AUTH_TRUST_HOST: "true" },
  { AUTH_TRUST_HOST: "false" },
  { AUTH_TRUST_HOST: " Off " },
  { AUTH_TRUST_HOST: "" },
  { AUTH_URL: "https://app.example" },
  { AUTH_URL: "https://app.example/custom/auth/", NODE_ENV: "production" },
  { NEXTAUTH_URL: "http://127.0.0.1:3000" },
  { AUTH_URL: "not a url", NODE_ENV: "production" },
  { AUTH_SECRET: "s0", AUTH_SECRET_1: "s1", AUTH_SECRET_3: "s3" },
  { NEXTAUTH_SECRET: "legacy" },
  { AUTH_SECRET: "", NEXTAUTH_SECRET: "legacy" },
];

const configs: Array<Partial<AuthConfig>> = [
  {},
  { trustHost: true },
  { trustHost: false },
  { basePath: "auth//x/" },
  { basePath: "/" },
  { secret: "configured" },
  { secret: ["new", "", "old"] },
];

const headerSets: Array<Record<string, string>> = [
  { host: "127.0.0.1:3000" },
  { host: "LOCALHOST:3000" },
  { host: "app.test:80" },
  { host: "app.test:443", "x-forwarded-proto": "https" },
  { host: "internal:3000", "x-forwarded-host": "public.example, proxy", "x-forwarded-proto": "https,http" },
  { host: "a b" },
  { host: "evil.example/path" },
  { "x-forwarded-proto": "gopher" },
  {},
];

const requestUrls = [undefined, "http://localhost:3000/dashboard", "https://fallback.example/x", "::"];

function outcome(run: () => string): string {
  try {
    return run();
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : "thrown";
  }
}

describe("env-settings agrees with config.ts", () => {
  it("on secrets, basePath, AUTH_URL's origin and trustHost", () => {
    for (const env of envs) {
      for (const extra of configs) {
        const config: AuthConfig = { providers: [], logger: quiet, ...extra };
        const resolved = resolveConfig(config, env);
        const url = readUrlSettings(config, env, quiet);
        const what = `${JSON.stringify(env)} ${JSON.stringify(extra)}`;
        expect(readSecrets(config, env), what).toEqual(resolved.secrets);
        expect(url, what).toEqual({ envOrigin: resolved.envOrigin, basePath: resolved.basePath, trustHost: resolved.trustHost });
      }
    }
  });

  it("on the origin of a request, and on refusing an untrusted or missing host", () => {
    let compared = 0;
    for (const env of envs) {
      for (const trustHost of [undefined, true, false]) {
        const config: AuthConfig = { providers: [], logger: quiet, ...(trustHost === undefined ? {} : { trustHost }) };
        const resolved = resolveConfig(config, env);
        const url = readUrlSettings(config, env, quiet);
        for (const headers of headerSets) {
          for (const requestUrl of requestUrls) {
            const engine = outcome(() => resolveOrigin(resolved, new Headers(headers), requestUrl));
            const lean = outcome(() => requestOrigin(url, new Headers(headers), requestUrl));
            expect(lean, `${JSON.stringify(env)} trustHost=${String(trustHost)} ${JSON.stringify(headers)} ${String(requestUrl)}`).toBe(engine);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("warns about an invalid AUTH_URL as the engine does", () => {
    const warnings: string[] = [];
    readUrlSettings({}, { AUTH_URL: "::" }, { ...quiet, warn: (code) => warnings.push(code) });
    const engine: string[] = [];
    resolveConfig({ providers: [], logger: { ...quiet, warn: (code) => engine.push(code) } }, { AUTH_URL: "::" });
    expect(warnings).toEqual(engine.filter((code) => code.startsWith("env-url-invalid")));
  });
});
