import type { Finding } from "./types.js";

/** One `Set-Cookie` header as a browser reads it: the name and the attributes that matter here. */
export interface SetCookieInfo {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
  path: string | undefined;
  domain: string | undefined;
}

/** Parses a `Set-Cookie` value (the value itself is dropped: it may be a token). */
export function parseSetCookie(header: string): SetCookieInfo {
  const [pair = "", ...attributes] = header.split(";");
  const info: SetCookieInfo = { name: pair.slice(0, Math.max(pair.indexOf("="), 0)).trim(), secure: false, httpOnly: false, sameSite: undefined, path: undefined, domain: undefined };
  for (const attribute of attributes) {
    const [key = "", ...rest] = attribute.trim().split("=");
    const value = rest.join("=");
    switch (key.toLowerCase()) {
      case "secure":
        info.secure = true;
        break;
      case "httponly":
        info.httpOnly = true;
        break;
      case "samesite":
        info.sameSite = value.toLowerCase();
        break;
      case "path":
        info.path = value;
        break;
      case "domain":
        info.domain = value;
        break;
    }
  }
  return info;
}

/**
 * Checks the cookies the app set against what the transport needs: Secure and a `__Host-` or
 * `__Secure-` prefix over https, no Secure over plain http on a network host (browsers drop such
 * cookies), HttpOnly, and a SameSite other than None.
 *
 * @example
 * ```ts
 * checkCookies(response.headers.getSetCookie().map(parseSetCookie), { https: true, loopback: false });
 * ```
 */
export function checkCookies(cookies: readonly SetCookieInfo[], transport: { https: boolean; loopback: boolean }): Finding[] {
  const problems: Finding[] = [];
  const add = (severity: "error" | "warn", code: "live-cookie-insecure" | "live-cookie-attributes", message: string, fix: string) => problems.push({ code, severity, area: "live", message, fix });
  for (const cookie of cookies) {
    const { name } = cookie;
    if (transport.https && !cookie.secure) {
      add("error", "live-cookie-insecure", `The app is served over https but sets ${name} without Secure: the cookie would also travel over plain http.`, "Remove useSecureCookies: false (or the cookies override dropping secure) from the config.");
    }
    if (!transport.https && cookie.secure) {
      add(
        transport.loopback ? "warn" : "error",
        "live-cookie-insecure",
        `The app is served over plain http but sets ${name} with Secure: ${transport.loopback ? "Safari drops such cookies even on localhost" : "browsers drop it"}, so sign-in never sticks.`,
        "Serve the app over https, or remove useSecureCookies: true for local development.",
      );
    }
    if (transport.https && !name.startsWith("__Host-") && !name.startsWith("__Secure-")) {
      add("warn", "live-cookie-attributes", `${name} has no __Host- or __Secure- prefix over https: a sibling subdomain or a plain-http page can overwrite it.`, "Keep latch's default cookie names (the cookies option overrides them).");
    }
    if (name.startsWith("__Host-") && (cookie.domain !== undefined || cookie.path !== "/" || !cookie.secure)) {
      add("error", "live-cookie-attributes", `${name} breaks the __Host- rules (Secure, Path=/, no Domain): browsers refuse to store it.`, "Remove the domain or path override for this cookie.");
    }
    if (!cookie.httpOnly) {
      add("error", "live-cookie-attributes", `${name} is not HttpOnly: page scripts (and so any XSS) can read it.`, "Remove the cookies override that turns httpOnly off.");
    }
    if (cookie.sameSite === undefined || cookie.sameSite === "none") {
      add("warn", "live-cookie-attributes", `${name} has SameSite=${cookie.sameSite ?? "(unset)"}: other sites' requests carry it.`, 'Use sameSite: "lax" (latch\'s default).');
    }
  }
  return problems;
}
