/**
 * Fault injection, identity-provider half: a provider that answers, but not usably — HTML, HTTP
 * 500, garbage JSON, a body without end, a huge body, a body that drips, no answer at all, a
 * dropped connection — at each endpoint latch calls (discovery, token, userinfo, JWKS), played
 * by the hostile stand-in (test/helpers/malicious-op.ts) with a short `providerTimeout`.
 *
 * The contract: every fault ends in an error redirect within the deadline plus a margin, with no
 * session; an answer latch refuses leads to the sign-in page (`OAuthCallbackError`, retry), no
 * answer at all to the error page, as an unreachable provider does; and once the stand-in tells
 * the truth again, the same config signs in.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import OAuth from "../../src/providers/oauth.js";
import OIDC from "../../src/providers/oidc.js";
import type { AuthConfig, Profile } from "../../src/types.js";
import { EngineClient } from "../helpers/engine-client.js";
import { startMaliciousOP, type MaliciousOP, type Script, type ScriptedAnswer } from "../helpers/malicious-op.js";

const ORIGIN = "http://127.0.0.1:3982";
const SECRET = "idp-answers-integration-secret-of-enough-length-0";
/** Short, so that the hanging cases stay quick; the default (3.5 s) is exercised by idp-faults. */
const TIMEOUT_MS = 400;
/** Time allowed beyond the deadline for everything else a callback does. */
const MARGIN_MS = 1000;
const CODE = "any-code";

let op: MaliciousOP;
let config: AuthConfig;
const logged: Error[] = [];
const timings: Array<[string, number]> = [];

/** A fetch that drops the caller's signal, as a careless custom fetch would. */
const deafFetch: typeof fetch = (input, init) => fetch(input, { method: init?.method ?? "GET", headers: init?.headers ?? {}, body: init?.body ?? null, redirect: init?.redirect ?? "follow" });

beforeAll(async () => {
  op = await startMaliciousOP();
  const client = { issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret };
  config = {
    secret: SECRET,
    trustHost: true,
    providerTimeout: TIMEOUT_MS,
    logger: { error: (error) => logged.push(error), warn: () => undefined, debug: () => undefined },
    providers: [
      OIDC({ id: "evil", name: "Evil", ...client }),
      OIDC({ id: "evil-jwks", name: "Evil (JWKS)", ...client }),
      OIDC({ id: "evil-userinfo", name: "Evil (userinfo)", idToken: false, ...client }),
      OIDC({ id: "evil-deaf", name: "Evil (deaf fetch)", fetch: deafFetch, ...client }),
      // A profile read by the app's own function with the fetch latch hands it.
      OAuth({
        id: "evil-request",
        name: "Evil (userinfo.request)",
        authorization: `${op.url}/authorize`,
        token: `${op.url}/token`,
        userinfo: { request: async ({ provider }) => (await provider.fetch(`${op.url}/userinfo`)).json() as Promise<Profile> },
        profile: (profile) => ({ id: String(profile.sub), name: profile.name ?? null, email: profile.email ?? null }),
        ...client,
      }),
    ],
  };
});

afterEach(() => {
  op.answerDiscovery();
  op.answerJwks();
});

afterAll(async () => {
  console.info(`idp-answers timings (ms): ${timings.map(([label, ms]) => `${label}=${ms}`).join(", ")}`);
  await op?.close();
});

interface Fault {
  label: string;
  answer: Script;
  /** `refused`: latch read an answer and refused it; `unanswered`: no usable answer in time. */
  kind: "refused" | "unanswered";
  /** What the logged cause chain must name. */
  reason: RegExp;
}

const FAULTS: Fault[] = [
  { label: "an HTML page", kind: "refused", reason: /content-type must be application\/json/, answer: () => ({ status: 200, headers: { "Content-Type": "text/html" }, body: "<!DOCTYPE html><h1>Maintenance</h1>" }) },
  { label: "HTTP 500", kind: "refused", reason: /unexpected HTTP status code/, answer: () => ({ status: 500, headers: { "Content-Type": "text/html" }, body: "<h1>Internal Server Error</h1>" }) },
  { label: "garbage JSON", kind: "refused", reason: /failed to parse "response" body as JSON/, answer: () => ({ status: 200, headers: { "Content-Type": "application/json" }, body: '{"keys": [{"kty": ' }) },
  { label: "a huge body (2 MiB)", kind: "refused", reason: /ProviderAnswerTooLarge: .*more than 1048576 bytes/, answer: () => ({ body: `{"pad":"${"A".repeat(2 * 1024 * 1024)}"}` }) },
  { label: "a body without end", kind: "refused", reason: /ProviderAnswerTooLarge: .*more than 1048576 bytes/, answer: () => ({ endless: { chunk: "A".repeat(16 * 1024) } }) },
  { label: "a body that drips", kind: "unanswered", reason: /ProviderUnreachable: .*did not answer within 400 ms/, answer: () => ({ endless: { chunk: " ", everyMs: 50 } }) },
  { label: "no answer", kind: "unanswered", reason: /ProviderUnreachable: .*did not answer within 400 ms/, answer: () => new Promise<ScriptedAnswer>(() => undefined) },
  { label: "a dropped connection", kind: "unanswered", reason: /ProviderUnreachable: .*could not be reached/, answer: () => ({ destroy: true }) },
];

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await run();
  const ms = Math.round(performance.now() - started);
  timings.push([label, ms]);
  expect(ms, `${label} took too long`).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  return value;
}

function loggedReason(): string {
  const parts: string[] = [];
  let current: unknown = logged.at(-1);
  while (current instanceof Error && parts.length < 10) {
    parts.push(`${current.name}: ${current.message}`);
    current = current.cause;
  }
  return parts.join(" <- ");
}

async function startSignIn(client: EngineClient, provider: string): Promise<Response> {
  const csrfToken = await client.csrfToken();
  return (await client.fetch(`/api/auth/signin/${provider}`, { form: { csrfToken, callbackUrl: "/dashboard" } })).response;
}

/** Starts a sign-in and scripts an honest token answer; returns the callback to call. */
async function startFlow(provider: string): Promise<{ client: EngineClient; callback: () => Promise<Response> }> {
  logged.length = 0;
  const client = new EngineClient(ORIGIN, config);
  const start = await startSignIn(client, provider);
  expect(start.status).toBe(302);
  const authorization = new URL(start.headers.get("location") ?? "");
  expect(authorization.origin).toBe(op.url);
  const state = authorization.searchParams.get("state") ?? "";
  const nonce = authorization.searchParams.get("nonce") ?? undefined;
  const idToken = await op.sign(op.idTokenClaims(nonce));
  op.answerToken(() => ({ body: { access_token: "opaque-access-token", token_type: "Bearer", expires_in: 300, id_token: idToken } }));
  op.answerUserInfo(() => ({ body: { sub: "alice", name: "Alice", email: "alice@example.test" } }));
  const query = new URLSearchParams({ code: CODE, state }).toString();
  return { client, callback: async () => (await client.fetch(`/api/auth/callback/${provider}?${query}`)).response };
}

async function expectOutcome(client: EngineClient, response: Response, fault: Fault): Promise<void> {
  expect(response.status).toBe(302);
  const expected = fault.kind === "refused" ? "/api/auth/signin?error=OAuthCallbackError" : "/api/auth/error?error=Configuration";
  expect(response.headers.get("location")).toBe(`${ORIGIN}${expected}`);
  expect(await client.session()).toBeNull();
  expect(loggedReason()).toMatch(fault.reason);
}

async function expectSignIn(provider: string): Promise<void> {
  const { client, callback } = await startFlow(provider);
  expect((await callback()).headers.get("location")).toBe(`${ORIGIN}/dashboard`);
  expect(await client.session()).toMatchObject({ user: { name: "Alice" } });
}

describe("discovery answers that cannot be used end on the sign-in page; no failure is cached", () => {
  for (const fault of FAULTS) {
    it(`${fault.label}`, async () => {
      op.answerDiscovery(fault.answer);
      logged.length = 0;
      const client = new EngineClient(ORIGIN, config);
      const response = await timed(`discovery: ${fault.label}`, () => startSignIn(client, "evil"));
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?error=Configuration`);
      expect(client.jar.has("authjs.state")).toBe(false);
      expect(loggedReason()).toMatch(/^OAuthSignInError: /);
      expect(loggedReason()).toMatch(fault.reason);
    });
  }

  it("the honest document again: the same config signs in", async () => {
    await expectSignIn("evil");
  });
});

const endpoints: Array<{ endpoint: string; provider: string; script: (answer: Script) => void }> = [
  { endpoint: "token", provider: "evil", script: (answer) => op.answerToken(answer) },
  { endpoint: "userinfo", provider: "evil-userinfo", script: (answer) => op.answerUserInfo(answer) },
  // Its own provider: its keys are not cached until it signs in, and a failed download is not cached.
  { endpoint: "JWKS", provider: "evil-jwks", script: (answer) => op.answerJwks(answer) },
];

for (const { endpoint, provider, script } of endpoints) {
  describe(`${endpoint} answers that cannot be used end in an error redirect`, () => {
    for (const fault of FAULTS) {
      it(`${fault.label}`, async () => {
        const { client, callback } = await startFlow(provider);
        script(fault.answer);
        await expectOutcome(client, await timed(`${endpoint}: ${fault.label}`, callback), fault);
      });
    }

    it("honest answers again: the same config signs in", async () => {
      await expectSignIn(provider);
    });
  });
}

describe("the deadline does not depend on the fetch honouring it", () => {
  it("a custom fetch that drops the signal: the token request still ends at the deadline", async () => {
    const { client, callback } = await startFlow("evil-deaf");
    op.answerToken(() => new Promise<ScriptedAnswer>(() => undefined));
    await expectOutcome(client, await timed("token, deaf fetch: no answer", callback), FAULTS.find((f) => f.label === "no answer") as Fault);
  });

  it("an app's userinfo.request gets a fetch bounded by the same deadline", async () => {
    const { client, callback } = await startFlow("evil-request");
    op.answerToken(() => ({ body: { access_token: "opaque-access-token", token_type: "Bearer" } }));
    op.answerUserInfo(() => new Promise<ScriptedAnswer>(() => undefined));
    await expectOutcome(client, await timed("userinfo.request: no answer", callback), FAULTS.find((f) => f.label === "no answer") as Fault);
    op.answerUserInfo(() => ({ body: { sub: "alice", name: "Alice", email: "alice@example.test" } }));
    const again = await startFlow("evil-request");
    op.answerToken(() => ({ body: { access_token: "opaque-access-token", token_type: "Bearer" } }));
    expect((await again.callback()).headers.get("location")).toBe(`${ORIGIN}/dashboard`);
  });
});
