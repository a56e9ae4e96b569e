/**
 * A browser's cookie handling over a real connection: it keeps what a browser keeps — refusing,
 * as browsers do (RFC 6265bis §4.1.3), a `__Secure-` cookie without Secure, a `__Host-` cookie
 * without Secure, with a Domain or with a Path other than `/`, and a Secure cookie from an
 * insecure origin — and sends the rest back.
 */
import { parseSetCookie, type SetCookie } from "../../helpers/engine-client.js";
import { rawRequest, type RawResponse } from "./serve.js";

export interface Visit {
  response: RawResponse;
  cookies: SetCookie[];
}

/** Why a browser would drop this cookie, or undefined when it keeps it. */
export function browserRefusal(cookie: SetCookie, secureOrigin: boolean): string | undefined {
  const secure = cookie.attributes.secure === true;
  if (secure && !secureOrigin) return "Secure cookie from an insecure origin";
  if (cookie.name.startsWith("__Secure-") && !secure) return "__Secure- without Secure";
  if (cookie.name.startsWith("__Host-")) {
    if (!secure) return "__Host- without Secure";
    if (cookie.attributes.domain !== undefined) return "__Host- with a Domain";
    if (cookie.attributes.path !== "/") return "__Host- with a Path other than /";
  }
  return undefined;
}

export class SocketBrowser {
  readonly jar = new Map<string, string>();
  /** Cookies latch set that a browser would have dropped, with the reason. */
  readonly refused: string[] = [];

  constructor(
    readonly origin: string,
    readonly ca: string | undefined,
  ) {}

  async fetch(path: string, init: { method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<Visit> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.jar.size > 0) headers.cookie = [...this.jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; ");
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    const response = await rawRequest(this.origin, path, { method: init.method ?? (body !== undefined ? "POST" : "GET"), headers, ...(body !== undefined ? { body } : {}) }, this.ca);
    const cookies = response.setCookies.map(parseSetCookie);
    const secureOrigin = this.origin.startsWith("https:");
    for (const cookie of cookies) {
      const refusal = browserRefusal(cookie, secureOrigin);
      if (refusal) this.refused.push(`${cookie.name}: ${refusal}`);
      else if (cookie.attributes["max-age"] === "0") this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value);
    }
    return { response, cookies };
  }

  async csrfToken(basePath = "/api/auth"): Promise<string> {
    const { response } = await this.fetch(`${basePath}/csrf`);
    return (JSON.parse(response.body) as { csrfToken: string }).csrfToken;
  }
}
