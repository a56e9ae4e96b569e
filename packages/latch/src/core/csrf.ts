import { constantTimeEqual, randomHex, sha256Hex } from "./digest.js";

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

function hashToken(token: string, secret: string): Promise<string> {
  return sha256Hex(`${token}${secret}`);
}

/**
 * Reads the CSRF cookie, checks it against every secret (rotation) — and, with several, against
 * the list as Auth.js hashed it — and mints a new token when it is missing or forged.
 */
export async function resolveCsrf(cookieValue: string | undefined, secrets: readonly string[], bodyToken: unknown): Promise<CsrfState> {
  if (cookieValue) {
    const bar = cookieValue.indexOf("|");
    const token = cookieValue.slice(0, bar);
    const hash = cookieValue.slice(bar + 1);
    if (bar > 0) {
      // Auth.js, given a list of secrets, hashed with the list itself (joined by commas): the
      // cookie of a page it rendered before the move to latch still counts.
      const candidates = secrets.length > 1 ? [...secrets, secrets.join(",")] : secrets;
      const expected = await Promise.all(candidates.map((secret) => hashToken(token, secret)));
      if (expected.some((value) => constantTimeEqual(hash, value))) {
        return { token, verified: typeof bodyToken === "string" && constantTimeEqual(bodyToken, token) };
      }
    }
  }
  const token = randomHex(32);
  return { token, cookie: `${token}|${await hashToken(token, secrets[0] ?? "")}`, verified: false };
}
