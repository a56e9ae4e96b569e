/**
 * A sign-in the app's jwt callback refuses (returns null, or throws) stores no provider tokens:
 * for OAuth, startSession's `confirm` stores them (callback.ts, saveSignInTokens with force: true),
 * and it runs after the jwt callback. Were it first, a refused sign-in would leave its access
 * token on the server (getAccessToken would hand it out) and overwrite the tokens of the last
 * accepted sign-in. Real engine, SQLite adapter, GitHub stand-in, memory token store.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { MemoryProviderTokenStore } from "../src/provider-tokens/memory.js";
import Email from "../src/providers/email.js";
import GitHub from "../src/providers/github.js";
import type { AuthConfig } from "../src/types.js";
import { startGitHubStandIn, type GitHubStandIn } from "./fixtures/github-standin.js";
import { EngineClient } from "./helpers/engine-client.js";
import { gitHubSignIn } from "./helpers/sign-in-flows.js";

const ORIGIN = "https://app.test";
const SECRET = "refusal-order-secret-of-enough-length-0123456789abcdef";

let github: GitHubStandIn;

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  github = await startGitHubStandIn({
    callbackUrl: `${ORIGIN}/api/auth/callback/github`,
    users: [{ id: 4242, login: "octo", name: "Octo", email: "octo@example.test", emails: [{ email: "octo@example.test", primary: true, verified: true, visibility: "public" }] }],
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await github?.close();
});

describe("a sign-in the app's jwt callback refuses", () => {
  it("stores no provider tokens, and keeps those of the last accepted sign-in", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const tokens = MemoryProviderTokenStore();
    let refuse = false;
    const config: AuthConfig = {
      secret: SECRET,
      adapter: SQLiteAdapter(db),
      session: { strategy: "jwt" },
      providerTokens: { store: tokens },
      providers: [
        // An email provider: the still-linked check (confirm) is armed, as in any app offering links.
        Email({ sendVerificationRequest: () => undefined }),
        GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url } }),
      ],
      // The app refuses this sign-in in its jwt callback (e.g. a suspended user, a missing scope).
      callbacks: { jwt: ({ token, trigger }) => (refuse && (trigger === "signIn" || trigger === "signUp") ? null : token) },
      logger: { error: () => undefined, warn: () => undefined },
    };

    // An accepted sign-in: its tokens are stored.
    const first = await gitHubSignIn(new EngineClient(ORIGIN, config), github, "octo");
    expect(first.response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    const [{ id: userId }] = db.prepare("SELECT id FROM users").all() as [{ id: string }];
    const accepted = await tokens.get(userId, "github");
    expect(accepted?.accessToken).toBeTruthy();

    // A refused sign-in: no session cookie...
    refuse = true;
    const refused = await gitHubSignIn(new EngineClient(ORIGIN, config), github, "octo");
    expect(refused.response.headers.get("location")).toContain("error=AccessDenied");
    expect(refused.cookies.some((c) => c.name.includes("session-token") && c.value !== "")).toBe(false);
    // ...and, as before f103219, the tokens of the last accepted sign-in, untouched.
    const after = await tokens.get(userId, "github");
    expect(after?.accessToken).toBe(accepted?.accessToken);
  });
});
