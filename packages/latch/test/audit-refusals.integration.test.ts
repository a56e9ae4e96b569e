/**
 * The audit stream sees every refusal — a `signIn` callback that sends the user elsewhere is one,
 * as `false` is — and records a client address, never free text a client wrote after it.
 */
import { describe, expect, it } from "vitest";
import Credentials from "../src/providers/credentials.js";
import type { AuditEvent, AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3990";
const SECRET = "audit-refusals-secret-of-enough-length-0123456789";
const quiet = { error: () => undefined, warn: () => undefined };
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

function config(events: AuditEvent[], extra: Partial<AuthConfig> = {}): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    logger: quiet,
    audit: (event) => void events.push(event),
    providers: [
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        authorize: ({ email, password }) => (email === alice.email && password === "alice-password" ? { ...alice } : null),
      }),
    ],
    ...extra,
  };
}

async function attempt(client: EngineClient, headers: Record<string, string> = {}) {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "alice-password" }, headers });
  return response;
}

describe("audit of refused sign-ins", () => {
  it("records sign-in-failed when the signIn callback refuses by sending the user elsewhere (a URL), as it does for false", async () => {
    const refusedByFalse: AuditEvent[] = [];
    const byFalse = await attempt(new EngineClient(ORIGIN, config(refusedByFalse, { callbacks: { signIn: () => false } })));
    expect(byFalse.status).toBe(303);
    expect(refusedByFalse.map((event) => event.type)).toEqual(["sign-in-failed"]);

    // The same refusal written the other documented way: "a string sends the user there instead".
    const refusedByUrl: AuditEvent[] = [];
    const client = new EngineClient(ORIGIN, config(refusedByUrl, { callbacks: { signIn: () => "/not-allowed" } }));
    const byUrl = await attempt(client);
    expect(byUrl.headers.get("location")).toBe(`${ORIGIN}/not-allowed`);
    expect(client.jar.has("authjs.session-token")).toBe(false);
    // No sign-in happened, and the audit stream must say so.
    expect(refusedByUrl.map((event) => event.type)).toEqual(["sign-in-failed"]);
  });
});

describe("the client address an audit event records", () => {
  it("records only an IP address, not the free text after a zone separator", async () => {
    const events: AuditEvent[] = [];
    const client = new EngineClient(ORIGIN, config(events));
    // The address is checked (addressBucket) before it is recorded, but the check drops
    // everything after "%" while the recorded text keeps it.
    await attempt(client, { "x-forwarded-for": 'fe80::1%" forged="admin signed in from 10.0.0.1' });
    const [signIn] = events.filter((event) => event.type === "sign-in");
    expect(signIn).toBeDefined();
    const ip = signIn!.request?.ip;
    expect(ip === undefined || /^[0-9a-fA-F:.]+(%[A-Za-z0-9_.-]{1,32})?$/.test(ip), `recorded ip: ${JSON.stringify(ip)}`).toBe(true);
  });
});
