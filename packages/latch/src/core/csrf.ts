import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * CSRF double-submit token in Auth.js's format: the cookie holds `token|sha256hex(token + secret)`,
 * the form or JSON body sends `token`. The hash proves latch minted the cookie.
 */
export interface CsrfState {
  /** The token the page must send back. */
  token: string;
  /** The cookie value to set, when a new token was minted. */
  cookie?: string | undefined;
  /** True when the request is a POST whose body token matches a valid cookie. */
  verified: boolean;
}

function hashToken(token: string, secret: string): string {
  return createHash("sha256").update(`${token}${secret}`).digest("hex");
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Reads the CSRF cookie, checks it against every secret (rotation), and mints a new token
 * when it is missing or forged.
 */
export function resolveCsrf(cookieValue: string | undefined, secrets: readonly string[], bodyToken: unknown): CsrfState {
  if (cookieValue) {
    const bar = cookieValue.indexOf("|");
    const token = cookieValue.slice(0, bar);
    const hash = cookieValue.slice(bar + 1);
    if (bar > 0 && secrets.some((secret) => safeEqual(hash, hashToken(token, secret)))) {
      return { token, verified: typeof bodyToken === "string" && safeEqual(bodyToken, token) };
    }
  }
  const token = randomBytes(32).toString("hex");
  return { token, cookie: `${token}|${hashToken(token, secrets[0] ?? "")}`, verified: false };
}
