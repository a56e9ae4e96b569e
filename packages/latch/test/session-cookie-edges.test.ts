/**
 * Two session-cookie edges: a chunk planted beside the user's whole session cookie (cookie tossing
 * from a sibling subdomain) never replaces it — both are joined and read as no session, as in
 * Auth.js — and `auth()` in a server component, after the lean proxy renewed the cookie, reports
 * an expiry that is not in the past.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRequestContext, resolveConfig } from "../src/core/config.js";
import { readRequestAuth } from "../src/core/session/read-session.js";
import { decode } from "../src/jwt.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { RUNTIMES, issuedSession, request } from "./helpers/proxy-requests.js";

const ORIGIN = "http://127.0.0.1:3000";
const SECRET = "session-edges-secret-of-enough-length-0123456789";
const SALT = "authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined };

function config(extra: Partial<AuthConfig> = {}): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    logger: quiet,
    providers: [Credentials({ credentials: { email: {} }, authorize: ({ email }) => ({ id: `id-${String(email)}`, email: String(email) }) })],
    ...extra,
  };
}

async function signIn(client: EngineClient, email: string): Promise<void> {
  const csrfToken = await client.csrfToken();
  await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email } });
}

afterEach(() => vi.useRealTimers());

describe("readChunkedCookie: a planted chunk beside the user's whole session cookie", () => {
  it("does not replace the user's session with the one in a tossed `authjs.session-token.0` (Auth.js joins both and fails closed)", async () => {
    const cfg = config();
    const victim = new EngineClient(ORIGIN, cfg);
    await signIn(victim, "alice@example.com");
    expect(victim.jar.get(SALT)).toBeTruthy();
    // The attacker's own valid session, tossed from a sibling subdomain (Domain=example.com; a
    // `__Secure-` cookie can be set so too) under the first chunk's name: it fits in one chunk.
    const attacker = new EngineClient(ORIGIN, cfg);
    await signIn(attacker, "mallory@example.com");
    victim.jar.set(`${SALT}.0`, attacker.jar.get(SALT) ?? "");

    const session = (await (await victim.fetch("/api/auth/session")).response.json()) as { user?: { email?: string } } | null;
    // Today: the chunk is read, the user's own cookie left out — and the answer rewrites the
    // whole cookie with the attacker's token (the tossed chunk is deleted, the swap stays).
    expect(session?.user?.email).not.toBe("mallory@example.com");
    const kept = await decode({ token: victim.jar.get(SALT), secret: SECRET, salt: SALT });
    expect(kept?.email).not.toBe("mallory@example.com");
  });
});

describe.each(RUNTIMES)("auth() in a server component after latch/proxy renewed the cookie (%s)", (_name, jwe) => {
  it("reports an expiry that is not in the past while the cookie is valid", async () => {
    const HOUR = 3600;
    const start = Math.floor(Date.now() / 1000);
    vi.useFakeTimers({ toFake: ["Date"], now: start * 1000 });
    const cfg = config({ session: { maxAge: HOUR } });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client, "alice@example.com");
    let token = client.jar.get(SALT) ?? "";
    expect(token).toBeTruthy();

    // 40 minutes later a page navigation goes through the lean proxy, which renews the cookie
    // for another hour but keeps the engine's `iat` (session-codec.ts lightCodec).
    vi.setSystemTime((start + 40 * 60) * 1000);
    const lean = createProxyAuth({ ...cfg, callbacks: { authorized: ({ auth }: { auth: unknown }) => !!auth } }, { jwe, env: () => ({}) }).auth;
    const renewed = await lean(request("/dashboard", { cookie: `${SALT}=${token}` }));
    token = issuedSession(renewed) ?? "";
    expect(token).toBeTruthy();
    const claims = await decode({ token, secret: SECRET, salt: SALT });
    expect(claims?.exp).toBeGreaterThanOrEqual(start + 40 * 60 + HOUR);

    // 70 minutes after sign-in the cookie is valid (until 100 min), and auth() sees the user…
    vi.setSystemTime((start + 70 * 60) * 1000);
    const ctx = createRequestContext(resolveConfig(cfg, {}), new Headers({ host: new URL(ORIGIN).host }), ORIGIN);
    const read = await readRequestAuth(ctx, null, new Map([[SALT, token]]), { renew: false });
    expect(read.session?.user?.email).toBe("alice@example.com");
    // …but reports `expires` = iat + maxAge = 60 min: ten minutes in the past.
    expect(Date.parse(read.session?.expires ?? "")).toBeGreaterThan(Date.now());
  });
});
