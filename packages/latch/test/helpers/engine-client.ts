import { Auth } from "../../src/index.js";
import type { AuthConfig } from "../../src/types.js";

/** One parsed `Set-Cookie`. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** Parses a `Set-Cookie` header value as a browser would read it. */
export function parseSetCookie(header: string): SetCookie {
  const [pair = "", ...attrs] = header.split(";");
  const eq = pair.indexOf("=");
  const attributes: Record<string, string | true> = {};
  for (const attr of attrs) {
    const [key = "", ...rest] = attr.trim().split("=");
    attributes[key.toLowerCase()] = rest.length ? rest.join("=") : true;
  }
  return { name: pair.slice(0, eq).trim(), value: decodeURIComponent(pair.slice(eq + 1).trim()), attributes };
}

/**
 * A minimal browser in front of the engine: keeps cookies the way a browser does (Max-Age=0
 * deletes) and sends them back. No HTTP server: requests go straight into `Auth()`.
 */
/** A browser's cookies by name, for tests that drive an engine by hand (next-auth's, say). */
export type CookieJar = Map<string, string>;

/** The `Cookie` header a browser holding `jar` sends. */
export function cookieHeaderOf(jar: CookieJar): string {
  return [...jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; ");
}

/** Takes a response's `Set-Cookie` headers into `jar`, as a browser does (a deletion removes). */
export function absorbCookies(jar: CookieJar, response: Response): void {
  for (const cookie of response.headers.getSetCookie().map(parseSetCookie)) {
    if (cookie.attributes["max-age"] === "0" || cookie.value === "") jar.delete(cookie.name);
    else jar.set(cookie.name, cookie.value);
  }
}

export class EngineClient {
  readonly jar = new Map<string, string>();

  constructor(
    readonly origin: string,
    readonly config: AuthConfig,
  ) {}

  cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; ");
  }

  /** Sends a request to the engine and stores the cookies it sets. */
  async fetch(pathOrUrl: string, init: { method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<{ response: Response; cookies: SetCookie[] }> {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${this.origin}${pathOrUrl}`;
    const headers = new Headers(init.headers);
    headers.set("host", new URL(url).host);
    if (this.jar.size > 0 && !headers.has("cookie")) headers.set("cookie", this.cookieHeader());
    let body: string | undefined;
    if (init.form) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    const response = await Auth(new Request(url, { method: init.method ?? (body ? "POST" : "GET"), headers, ...(body !== undefined ? { body } : {}) }), this.config);
    const cookies = response.headers.getSetCookie().map(parseSetCookie);
    for (const cookie of cookies) {
      if (cookie.attributes["max-age"] === "0") this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value);
    }
    return { response, cookies };
  }

  /** `GET /csrf` → the token to send in forms. */
  async csrfToken(basePath = "/api/auth"): Promise<string> {
    const { response } = await this.fetch(`${basePath}/csrf`);
    const body = (await response.json()) as { csrfToken: string };
    return body.csrfToken;
  }

  /** `GET /session` → the session JSON, or null. */
  async session(basePath = "/api/auth"): Promise<unknown> {
    const { response } = await this.fetch(`${basePath}/session`);
    return response.json();
  }
}
