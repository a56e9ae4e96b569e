/**
 * `latch/webauthn`'s `signIn` against the real engine: a page of the app's own asks for the
 * options, the "browser" (a stand-in authenticator behind `navigator.credentials`, which gets
 * and returns what a browser does: ArrayBuffers) creates or uses a passkey, and the result is
 * posted to the callback. Every byte goes through the client's conversions both ways and the
 * server verifies it, so a conversion that drops or mangles a field fails here. Chromium runs the
 * same module in e2e/passkey.test.ts.
 */
import { runInNewContext } from "node:vm";
import Database from "better-sqlite3";
import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { credentialJson, signIn } from "../src/client/webauthn.js";
import Credentials from "../src/providers/credentials.js";
import Passkey from "../src/providers/passkey.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { StandinAuthenticator, type CreationOptionsJSON, type RequestOptionsJSON } from "./helpers/standin-authenticator.js";

const ORIGIN = "https://app.test";
const SECRET = "webauthn-client-test-secret-of-enough-length-0123456789";
const PAGE = `${ORIGIN}/login`;

beforeAll(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
});
afterAll(() => {
  vi.unstubAllEnvs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const base64url = (buffer: ArrayBuffer | ArrayBufferView | undefined) =>
  buffer === undefined ? "" : Buffer.from(buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)).toString("base64url");
const arrayBuffer = (text: unknown) => {
  const bytes = Buffer.from(String(text), "base64url");
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};

/** What the browser's PublicKeyCredential is, for `instanceof`: fields as ArrayBuffers. */
class FakePublicKeyCredential {
  readonly type = "public-key";
  readonly id: string;
  readonly rawId: ArrayBuffer;
  readonly authenticatorAttachment: string;
  readonly response: Record<string, unknown>;
  constructor(json: Record<string, unknown>) {
    const response = json.response as Record<string, unknown>;
    this.id = String(json.id);
    this.rawId = arrayBuffer(json.rawId);
    this.authenticatorAttachment = String(json.authenticatorAttachment);
    const binary = Object.fromEntries(Object.entries(response).filter(([key]) => key !== "transports").map(([key, value]) => [key, arrayBuffer(value)]));
    this.response = "attestationObject" in response ? { ...binary, getTransports: () => response.transports } : binary;
  }
  getClientExtensionResults() {
    return {};
  }
}

/**
 * A browser page at PAGE: its fetch goes into the engine with the client's cookies, its passkeys
 * live on `device`. `plain`: the credentials come back as plain objects, not instances of the
 * page's PublicKeyCredential, as from a password manager's own implementation.
 */
function browser(config: AuthConfig, device = new StandinAuthenticator(ORIGIN), plain = false) {
  const answer = (json: Record<string, unknown>) => (plain ? { ...new FakePublicKeyCredential(json), getClientExtensionResults: () => ({}) } : new FakePublicKeyCredential(json));
  const client = new EngineClient(ORIGIN, config);
  const requests: Array<{ method: string; url: string; body?: Record<string, string>; headers: Headers }> = [];
  const navigations: string[] = [];
  const ceremonies: Array<"create" | "get"> = [];
  vi.stubGlobal("window", { location: { href: PAGE, assign: (url: string) => void navigations.push(url), reload: () => undefined } });
  vi.stubGlobal("PublicKeyCredential", FakePublicKeyCredential);
  // latch's client calls fetch with a URL string.
  vi.stubGlobal("fetch", async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, PAGE);
    const headers = new Headers(init.headers);
    const form = init.body instanceof URLSearchParams ? Object.fromEntries(init.body) : undefined;
    requests.push({ method: init.method ?? "GET", url: url.href, ...(form ? { body: form } : {}), headers });
    // The address Next.js's server puts in X-Forwarded-For: the client throttles count by it.
    const { response } = await client.fetch(url.href, { method: init.method ?? "GET", headers: { ...Object.fromEntries(headers), "x-forwarded-for": "203.0.113.7" }, ...(form ? { form } : {}) });
    return response;
  });
  vi.stubGlobal("navigator", {
    credentials: {
      // The options come in as the browser takes them (ArrayBuffers); the stand-in reads JSON.
      create: async ({ publicKey }: { publicKey: PublicKeyCredentialCreationOptions }) => {
        ceremonies.push("create");
        const options: CreationOptionsJSON = {
          challenge: base64url(publicKey.challenge),
          rp: publicKey.rp,
          user: { id: base64url(publicKey.user.id), name: publicKey.user.name, displayName: publicKey.user.displayName },
          excludeCredentials: (publicKey.excludeCredentials ?? []).map((c) => ({ id: base64url(c.id as ArrayBuffer) })),
        };
        return answer(device.register(options));
      },
      get: async ({ publicKey }: { publicKey: PublicKeyCredentialRequestOptions }) => {
        ceremonies.push("get");
        const options: RequestOptionsJSON = {
          challenge: base64url(publicKey.challenge),
          ...(publicKey.rpId ? { rpId: publicKey.rpId } : {}),
          allowCredentials: (publicKey.allowCredentials ?? []).map((c) => ({ id: base64url(c.id as ArrayBuffer) })),
        };
        return answer(device.authenticate(options));
      },
    },
  });
  return { client, requests, navigations, ceremonies, device };
}

function setup(extra: Partial<AuthConfig> = {}) {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const config: AuthConfig = {
    secret: SECRET,
    adapter: SQLiteAdapter(db),
    providers: [
      Passkey({}),
      Credentials({ credentials: { username: {}, password: { type: "password" } }, authorize: ({ password }) => (password === "pw" ? { id: "user-pw", name: "Pat" } : null) }),
    ],
    logger: { error: () => undefined, warn: () => undefined },
    ...extra,
  };
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { config, count };
}

describe("signIn from latch/webauthn", () => {
  it("creates an account with a passkey, then signs in with it after a sign-out", async () => {
    const { config, count } = setup();
    const page = browser(config);
    const created = await signIn("passkey", { action: "register", email: "ada@example.com", redirect: false, redirectTo: `${ORIGIN}/welcome` });
    expect(created).toEqual({ error: undefined, code: undefined, status: 200, ok: true, url: `${ORIGIN}/welcome` });
    expect(page.ceremonies).toEqual(["create"]);
    expect(count("authenticators")).toBe(1);
    expect(await page.client.session()).toMatchObject({ user: { email: "ada@example.com" } });

    // The options were asked with the app's fields; the credential was posted with the CSRF token.
    const options = page.requests.find((request) => request.url.includes("/webauthn-options/"));
    const callback = page.requests.find((request) => request.method === "POST");
    expect(options?.url).toBe(`${ORIGIN}/api/auth/webauthn-options/passkey?action=register&email=ada%40example.com`);
    expect(callback?.url).toBe(`${ORIGIN}/api/auth/callback/passkey`);
    expect(callback?.headers.get("x-auth-return-redirect")).toBe("1");
    expect(callback?.body).toMatchObject({ action: "register", email: "ada@example.com", callbackUrl: `${ORIGIN}/welcome` });
    expect(callback?.body?.csrfToken).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(callback?.body?.data ?? "{}")).toMatchObject({ type: "public-key", response: { transports: ["internal"] }, authenticatorAttachment: "platform" });

    page.client.jar.clear();
    const again = await signIn("passkey", { redirect: false, redirectTo: `${ORIGIN}/home` });
    expect(again).toMatchObject({ ok: true, error: undefined, url: `${ORIGIN}/home` });
    expect(page.ceremonies).toEqual(["create", "get"]);
    expect(await page.client.session()).toMatchObject({ user: { email: "ada@example.com" } });
  });

  it("navigates to where the callback sends the user, by default the page it was called on", async () => {
    const { config } = setup();
    const page = browser(config);
    await signIn("passkey", { action: "register", email: "bob@example.com" });
    expect(page.navigations).toEqual([PAGE]);
    expect(await page.client.session()).toMatchObject({ user: { email: "bob@example.com" } });
  });

  it("resolves a refused request for options to the server's error, asks the device nothing and navigates nowhere", async () => {
    const { config, count } = setup();
    const page = browser(config);
    expect(await signIn("passkey", { action: "register", redirect: false })).toEqual({ error: "WebAuthnVerificationError", code: undefined, status: 400, ok: false, url: null });
    expect(await signIn("passkey", { action: "register" })).toMatchObject({ error: "WebAuthnVerificationError", ok: false });
    expect(page.ceremonies).toEqual([]);
    expect(page.navigations).toEqual([]);
    expect(count("users")).toBe(0);
  });

  it("resolves a throttled sign-up to RateLimited", async () => {
    const { config } = setup({ providers: [Passkey({ rateLimit: { source: { max: 1, window: 900 } } })] });
    const page = browser(config);
    await signIn("passkey", { action: "register", email: "one@example.com", redirect: false });
    page.client.jar.clear();
    expect(await signIn("passkey", { action: "register", email: "two@example.com", redirect: false })).toMatchObject({ error: "RateLimited", status: 429, ok: false });
  });

  it("reports a passkey the server refuses as WebAuthnVerificationError, signed out", async () => {
    const { config } = setup();
    const page = browser(config);
    await signIn("passkey", { action: "register", email: "eve@example.com", redirect: false });
    page.client.jar.clear();
    // Another device, whose passkey the server has never seen, answers the sign-in.
    browser(config, new StandinAuthenticator(ORIGIN)).device.register({ challenge: "AAAA", rp: { name: "x" }, user: { id: "AAAA", name: "x", displayName: "x" } });
    const refused = await signIn("passkey", { redirect: false });
    expect(refused).toMatchObject({ error: "WebAuthnVerificationError", ok: true, url: null });
  });

  it("rejects with the browser's error when the user cancels, posting nothing", async () => {
    const { config } = setup();
    const page = browser(config);
    const cancelled = new DOMException("The operation either timed out or was not allowed.", "NotAllowedError");
    vi.stubGlobal("navigator", { credentials: { get: async () => Promise.reject(cancelled) } });
    await expect(signIn("passkey")).rejects.toBe(cancelled);
    expect(page.requests.some((request) => request.method === "POST")).toBe(false);
    expect(page.navigations).toEqual([]);
  });

  it("posts a credential that is no instance of the page's PublicKeyCredential (a password manager's)", async () => {
    const { config } = setup();
    const page = browser(config, new StandinAuthenticator(ORIGIN), true);
    expect(await signIn("passkey", { action: "register", email: "pm@example.com", redirect: false })).toMatchObject({ ok: true, error: undefined });
    expect(await page.client.session()).toMatchObject({ user: { email: "pm@example.com" } });
  });

  it("encodes buffers from another realm (an iframe, an extension) as their bytes", () => {
    const foreign = runInNewContext("new Uint8Array([1, 2, 3]).buffer") as ArrayBuffer;
    expect(foreign instanceof ArrayBuffer).toBe(false);
    const json = credentialJson({
      id: "AQID",
      rawId: foreign,
      type: "public-key",
      authenticatorAttachment: null,
      response: { clientDataJSON: foreign, authenticatorData: foreign, signature: foreign, userHandle: null },
      getClientExtensionResults: () => ({}),
    } as unknown as PublicKeyCredential);
    expect(json).toEqual({ id: "AQID", rawId: "AQID", type: "public-key", response: { clientDataJSON: "AQID", authenticatorData: "AQID", signature: "AQID" }, clientExtensionResults: {} });
  });

  it("signs in with any other provider as latch/react's signIn does", async () => {
    const { config } = setup({ session: { strategy: "jwt" } });
    const page = browser(config);
    const result = await signIn("credentials", { username: "pat", password: "pw", redirect: false, redirectTo: `${ORIGIN}/home` });
    expect(result).toMatchObject({ ok: true, error: undefined, url: `${ORIGIN}/home` });
    expect(page.requests.find((request) => request.method === "POST")?.url).toBe(`${ORIGIN}/api/auth/callback/credentials`);
    expect(page.requests.filter((request) => request.url.endsWith("/api/auth/providers")), "the providers are asked once").toHaveLength(1);
    expect(page.ceremonies).toEqual([]);
  });
});
