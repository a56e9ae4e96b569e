/**
 * Requests and answers of a proxy (Next 16) / middleware (Next 15), called outside a Next server
 * with Next's own NextRequest: shared by the tests of `latch/proxy` and of `auth` from `latch/next`.
 */
import { NextRequest } from "next/server";
import { nodeJwe, nodeRuntime } from "../../src/core/session/jwe-fast.js";
import type { SessionJwe } from "../../src/core/session/jwe-checks.js";
import { webJwe } from "../../src/core/session/jwe-web.js";
import { parseSetCookie, type SetCookie } from "./engine-client.js";

/** The origin the tests' requests are made to. */
export const ORIGIN = "http://127.0.0.1:3000";

/** A logger that keeps what it was told, so a test can read the errors. */
export function recordingLogger(): { errors: Error[]; warnings: string[]; logger: { error: (e: Error) => void; warn: (c: string) => void } } {
  const errors: Error[] = [];
  const warnings: string[] = [];
  return { errors, warnings, logger: { error: (e) => errors.push(e), warn: (c) => warnings.push(c) } };
}

/** Every message of an error and its causes, for `toContain` checks on what was logged. */
export function logged(errors: readonly Error[]): string {
  const parts: string[] = [];
  for (const error of errors) {
    for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(`${e.name}: ${e.message}`);
  }
  return parts.join("\n");
}

/** A page request from a browser (Accept: text/html) unless the headers say otherwise. */
export function request(path: string, headers: Record<string, string> = {}, method = "GET", origin = ORIGIN): NextRequest {
  return new NextRequest(`${origin}${path}`, { method, headers: { host: new URL(origin).host, accept: "text/html", ...headers } });
}

/** A proxy as Next.js calls it. */
export type ProxyFn = (request: NextRequest, context?: unknown) => Promise<Response>;

/** The `Set-Cookie` headers of a response, parsed. */
export function setCookies(response: Response): SetCookie[] {
  return response.headers.getSetCookie().map(parseSetCookie);
}

/** The (chunked) session cookie a response sets, joined; undefined when it sets none with a value. */
export function issuedSession(response: Response, name = "authjs.session-token"): string | undefined {
  const chunks = setCookies(response).filter((c) => (c.name === name || c.name.startsWith(`${name}.`)) && c.value !== "" && c.attributes["max-age"] !== "0");
  if (chunks.length === 0) return undefined;
  const index = (c: SetCookie) => (c.name === name ? 0 : Number(c.name.slice(name.length + 1)));
  return chunks.sort((a, b) => index(a) - index(b)).map((c) => c.value).join("");
}

/** The `Cookie` header a browser holding the cookies a response set would send. */
export function cookieHeaderFrom(response: Response): string {
  return setCookies(response)
    .filter((c) => c.value !== "" && c.attributes["max-age"] !== "0")
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
}

/** The two runtimes of the lean proxy: node:crypto (Next 16's proxy on Node.js) and WebCrypto (Edge). */
export const RUNTIMES: ReadonlyArray<readonly [name: string, jwe: SessionJwe]> = [
  ...(nodeRuntime ? [["node:crypto", nodeJwe(nodeRuntime)] as const] : []),
  ["WebCrypto (Edge)", webJwe],
];
