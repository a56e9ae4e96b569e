import { isLoopback, type SiteUrl } from "./auth-url.js";
import { checkCookies, parseSetCookie, type SetCookieInfo } from "./live-cookies.js";
import type { ProviderEnv } from "./providers.js";
import type { Finding } from "./types.js";

/** Options of {@link checkLive}; `fetch` is injectable for tests. */
export interface LiveCheckOptions {
  /** The app's origin, from --url. */
  url: string;
  site: SiteUrl;
  envProviders: readonly ProviderEnv[];
  timeout: number;
  fetch?: typeof fetch;
}

interface Answer {
  status: number;
  body: string;
  cookies: SetCookieInfo[];
  cacheControl: string | null;
}

interface ListedProvider {
  id: string;
  type: string;
  callbackUrl: string | undefined;
}

function snippet(body: string): string {
  const text = body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function json(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function listProviders(body: unknown): ListedProvider[] | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  return Object.entries(body).map(([key, entry]: [string, unknown]) => {
    const record = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {};
    return {
      id: typeof record.id === "string" ? record.id : key,
      type: typeof record.type === "string" ? record.type : "unknown",
      callbackUrl: typeof record.callbackUrl === "string" ? record.callbackUrl : undefined,
    };
  });
}

/**
 * Asks the running app (GET providers, csrf and session under the base path) whether it answers
 * without server errors, which providers it serves and with which callback URLs, and whether its
 * cookies carry the attributes the transport needs.
 *
 * @example
 * ```ts
 * await checkLive({ url: "http://127.0.0.1:3000", site, envProviders, timeout: 5000 });
 * ```
 */
export async function checkLive(options: LiveCheckOptions): Promise<Finding[]> {
  const doFetch = options.fetch ?? fetch;
  const base = `${options.url}${options.site.basePath === "/" ? "" : options.site.basePath}`;
  const findings: Finding[] = [];
  const answers: Answer[] = [];
  const ask = async (action: string): Promise<Answer | Finding> => {
    const target = `${base}/${action}`;
    let response: Response;
    try {
      response = await doFetch(target, { redirect: "manual", headers: { accept: "application/json" }, signal: AbortSignal.timeout(options.timeout) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      return { code: "live-unreachable", severity: "error", area: "live", message: `GET ${target} failed: ${cause}.`, fix: `Start the app (npm run dev, or next start) and pass the origin it listens on with --url.` };
    }
    const answer: Answer = { status: response.status, body: await response.text(), cookies: response.headers.getSetCookie().map(parseSetCookie), cacheControl: response.headers.get("cache-control") };
    if (answer.status >= 500) {
      return { code: "live-server-error", severity: "error", area: "live", message: `GET ${target} answered HTTP ${answer.status}: ${snippet(answer.body) || "(empty body)"}`, fix: "Read the server's log for the error latch logged (a configuration error names what to set)." };
    }
    if (answer.status === 404) {
      return {
        code: "live-not-found",
        severity: "error",
        area: "live",
        message: `GET ${target} answered 404: nothing serves latch's routes at ${options.site.basePath} on ${options.url}.`,
        fix: `Check the route file (app${options.site.basePath}/[...nextauth]/route.ts) and the base path (AUTH_URL's path or --base-path).`,
      };
    }
    if (answer.status !== 200) {
      return { code: "live-bad-response", severity: "error", area: "live", message: `GET ${target} answered HTTP ${answer.status}, not 200.`, fix: "Check that a proxy or middleware does not intercept latch's routes." };
    }
    answers.push(answer);
    return answer;
  };

  const providersAnswer = await ask("providers");
  if ("code" in providersAnswer) return [providersAnswer];
  const listed = listProviders(json(providersAnswer.body));
  if (!listed) return [{ code: "live-bad-response", severity: "error", area: "live", message: `GET ${base}/providers did not return a JSON object: is this a latch app?`, fix: "Check --url and the base path." }];
  findings.push({ code: "live-providers", severity: "ok", area: "live", message: `${base}/providers lists ${listed.length === 0 ? "no providers" : listed.map((p) => `${p.id} (${p.type})`).join(", ")}.` });
  for (const provider of options.envProviders) {
    if (!listed.some((p) => p.id === provider.id)) {
      findings.push({
        code: "live-provider-missing",
        severity: "warn",
        area: "live",
        message: `The env configures "${provider.id}" (AUTH_${provider.key}_*), but the running app does not serve it.`,
        fix: `Add the provider to the config's providers, or delete the unused AUTH_${provider.key}_* variables (or check that the provider's id is "${provider.id}").`,
      });
    }
  }
  for (const provider of listed) {
    if (!provider.callbackUrl || (provider.type !== "oauth" && provider.type !== "oidc")) continue;
    const expected = options.site.origin ? `${options.site.origin}${options.site.basePath === "/" ? "" : options.site.basePath}/callback/${provider.id}` : undefined;
    if (expected && provider.callbackUrl !== expected) {
      findings.push({
        code: "live-callback-mismatch",
        severity: "warn",
        area: "live",
        message: `The running app builds ${provider.callbackUrl} as ${provider.id}'s callback URL, but the env read here gives ${expected}: the app runs with other settings than these env files.`,
        fix: "Restart the app after changing env files, and check which AUTH_URL its host sets.",
      });
    } else if (!options.envProviders.some((p) => p.id === provider.id)) {
      findings.push({ code: "callback-url", severity: "ok", area: "providers", message: `${provider.id}: register ${provider.callbackUrl} as the redirect (callback) URL (as the running app builds it).` });
    }
  }

  const csrf = await ask("csrf");
  if ("code" in csrf) return [...findings, csrf];
  const csrfBody = json(csrf.body);
  if (typeof csrfBody !== "object" || csrfBody === null || !("csrfToken" in csrfBody) || typeof csrfBody.csrfToken !== "string") {
    findings.push({ code: "live-bad-response", severity: "error", area: "live", message: `GET ${base}/csrf did not return { csrfToken }.`, fix: "Check that a proxy or middleware does not rewrite latch's routes." });
  }
  const session = await ask("session");
  if ("code" in session) return [...findings, session];
  if (!/no-store|private/.test(session.cacheControl ?? "")) {
    findings.push({
      code: "live-session-cache",
      severity: "warn",
      area: "live",
      message: `GET ${base}/session answered with Cache-Control "${session.cacheControl ?? "(none)"}": a CDN or proxy could cache one user's session for another.`,
      fix: "Make sure no proxy or middleware replaces latch's Cache-Control: private, no-cache, no-store.",
    });
  }
  const origin = new URL(options.url);
  const cookieFindings = checkCookies(
    answers.flatMap((a) => a.cookies),
    { https: origin.protocol === "https:", loopback: isLoopback(origin.hostname) },
  );
  findings.push(...cookieFindings);
  if (!findings.some((f) => f.severity === "error" || f.severity === "warn")) {
    const names = [...new Set(answers.flatMap((a) => a.cookies.map((c) => c.name)))];
    findings.push({ code: "live-ok", severity: "ok", area: "live", message: `providers, csrf and session answer 200 without server errors; cookies set (${names.join(", ") || "none"}) carry the right attributes for ${origin.protocol.replace(":", "")}.` });
  }
  return findings;
}
