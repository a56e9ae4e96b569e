import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defaultCookies, serializeCookie, writeChunkedCookie } from "../../core/cookies.js";
import { createSessionCodec } from "../../core/session/codec.js";
import type { JWT } from "../../types.js";
import type { Finding } from "./types.js";

/** What a browser keeps per cookie. */
export const COOKIE_LIMIT = 4096;
/** latch's own budget for a session cookie: it travels with every request to the site. */
export const SESSION_BUDGET = 1024;
// nginx's and many CDNs' default limit for one request header line: beyond it requests fail.
const HEADER_LIMIT = 8192;
const MAX_AGE = 30 * 24 * 60 * 60;

/** A session as a Google sign-in leaves it: what the size check measures by default. */
export function typicalSessionPayload(now = Math.floor(Date.now() / 1000)): JWT {
  return {
    name: "Alexandra Montgomery-Fitzgerald",
    email: "alexandra.montgomery-fitzgerald@example-company.com",
    picture: "https://lh3.googleusercontent.com/a/ACg8ocIu2x9Zb3Qk7NfLw1pVd5sTtY8mHc0RjE4aWq6KzXyB1nUoPg=s96-c",
    sub: "109876543210987654321",
    sid: randomUUID(),
    auth_time: now,
  };
}

function readPayload(file: string): JWT | string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "it is not a JSON object";
    return parsed as JWT;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Mints a session token with latch's own codec (the project's newest secret, the cookie name as
 * salt) and measures the Set-Cookie headers it takes against the 4 KB cookie limit and latch's
 * 1 KB budget.
 *
 * @example
 * ```ts
 * await checkSessionSize({ secrets: [process.env.AUTH_SECRET!], secure: true, payloadFile: undefined, dir: ".", databaseSessions: false });
 * ```
 */
export async function checkSessionSize(options: { secrets: readonly string[]; secure: boolean; payloadFile: string | undefined; dir: string; databaseSessions: boolean }): Promise<Finding[]> {
  let payload = typicalSessionPayload();
  let what = "A typical JWT session (name, email, picture URL, sub, sid, auth_time)";
  if (options.payloadFile) {
    const read = readPayload(resolve(options.dir, options.payloadFile));
    if (typeof read === "string") {
      return [{ code: "session-cookie-size", severity: "error", area: "session", message: `--session-payload ${options.payloadFile} could not be read: ${read}.`, fix: "Pass a JSON file holding one object: the token your jwt callback returns." }];
    }
    payload = read;
    what = `The session in ${options.payloadFile}`;
  }
  // The size does not depend on the key; without a project secret a throwaway one measures the same.
  const secret = options.secrets[0] ?? randomBytes(32).toString("base64");
  const option = defaultCookies(options.secure).sessionToken;
  const token = await createSessionCodec(secret, option.name).encode(payload, MAX_AGE);
  const headers = writeChunkedCookie(option, token, [], MAX_AGE).map(serializeCookie);
  const total = headers.reduce((sum, header) => sum + header.length, 0);
  const cookieBytes = option.name.length + 1 + token.length;
  const note = options.databaseSessions ? " With an adapter, sessions are database sessions by default and the cookie holds a 64-character id instead; this applies when session.strategy is \"jwt\"." : "";
  const summary = `${what} encrypts to a ${token.length}-character token: the cookie (${option.name}) is ${cookieBytes} bytes, ${headers.length === 1 ? "one Set-Cookie header" : `${headers.length} chunked cookies`} of ${total} bytes with attributes (browser limit ${COOKIE_LIMIT} per cookie, latch's budget ${SESSION_BUDGET}).${note}`;
  const trim = "Keep large or changing data (roles lists, tokens, profile blobs) out of the jwt callback's token: store it server-side and keep an id in the token.";
  if (total > HEADER_LIMIT) return [{ code: "session-cookie-size", severity: "error", area: "session", message: `${summary} Past ${HEADER_LIMIT} bytes, proxies and CDNs reject requests (HTTP 431/400).`, fix: trim }];
  if (cookieBytes > SESSION_BUDGET) return [{ code: "session-cookie-size", severity: "warn", area: "session", message: `${summary} It is over the budget: every request to the site carries it.`, fix: trim }];
  return [{ code: "session-cookie-size", severity: "ok", area: "session", message: summary }];
}
