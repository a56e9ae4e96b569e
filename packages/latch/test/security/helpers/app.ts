/**
 * The application the security suite attacks: every route latch can serve without an outside
 * service — OAuth (GitHub: starting a sign-in needs no network), credentials, sign-in links by
 * email (a sender that keeps the links), passkeys, bearer tokens with refresh tokens — over an
 * in-memory SQLite adapter. Each call builds a fresh config object, so each test resolves the
 * environment (AUTH_URL, AUTH_TRUST_HOST) it set up, and has rate-limit counts of its own.
 */
import Database from "better-sqlite3";
import { afterEach, beforeEach, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../../../src/adapters/sqlite.js";
import Credentials from "../../../src/providers/credentials.js";
import Email from "../../../src/providers/email.js";
import GitHub from "../../../src/providers/github.js";
import Passkey from "../../../src/providers/passkey.js";
import { MemoryRefreshTokenStore } from "../../../src/refresh-tokens/memory.js";
import type { AuthConfig, SendVerificationRequestParams } from "../../../src/types.js";

export const SECRET = "security-suite-secret-of-enough-length-0123456789";
export const BASE_PATH = "/api/auth";
export const ALICE = { id: "user-alice", name: "Alice", email: "alice@example.com", password: "alice-password" };

// Variables that change how a config resolves; every test starts with all of them unset.
const AUTH_ENV = [
  "AUTH_URL",
  "NEXTAUTH_URL",
  "AUTH_TRUST_HOST",
  "AUTH_SECRET",
  "AUTH_SECRET_1",
  "AUTH_SECRET_2",
  "AUTH_SECRET_3",
  "NEXTAUTH_SECRET",
  "AUTH_GITHUB_ID",
  "AUTH_GITHUB_SECRET",
  "VERCEL",
  "CF_PAGES",
  "NODE_ENV",
] as const;

/** Registers hooks that clear the auth variables before each test and restore them after. */
export function isolateAuthEnv(): void {
  beforeEach(() => {
    for (const key of AUTH_ENV) vi.stubEnv(key, undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
}

export interface SuiteApp {
  config: AuthConfig;
  /** What latch logged as errors. */
  errors: Error[];
  /** The sign-in links the email provider was asked to send. */
  sent: SendVerificationRequestParams[];
  /** Every `trigger` the jwt callback saw ("signIn", "update"…): a session update shows here. */
  triggers: string[];
  adapter: ReturnType<typeof SQLiteAdapter>;
}

export interface SuiteAppOptions {
  trustHost?: boolean | undefined;
  strategy?: "jwt" | "database";
  /** Failed credentials attempts per account before a 429 (default: latch's 10). */
  accountAttempts?: number;
  extra?: Partial<AuthConfig>;
}

/** A fresh application with every provider and bearer tokens; alice/alice-password signs in. */
export function suiteApp(options: SuiteAppOptions = {}): SuiteApp {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const adapter = SQLiteAdapter(db);
  const errors: Error[] = [];
  const sent: SendVerificationRequestParams[] = [];
  const triggers: string[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter,
    session: { strategy: options.strategy ?? "jwt" },
    providers: [
      GitHub({ clientId: "suite-client", clientSecret: "suite-client-secret" }),
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: ({ email, password }) => (email === ALICE.email && password === ALICE.password ? { id: ALICE.id, name: ALICE.name, email: ALICE.email } : null),
        ...(options.accountAttempts !== undefined ? { rateLimit: { account: { max: options.accountAttempts, window: 600 } } } : {}),
      }),
      Email({ sendVerificationRequest: (params) => void sent.push(params) }),
      Passkey({}),
    ],
    bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } },
    callbacks: {
      // An update may rename the user: what an attacker forging POST /session would be after.
      jwt: ({ token, trigger, session }) => {
        if (trigger) triggers.push(trigger);
        if (trigger === "update" && typeof session === "object" && session !== null && "name" in session && typeof session.name === "string") token.name = session.name;
        return token;
      },
    },
    logger: { error: (error) => void errors.push(error), warn: () => undefined },
    ...(options.trustHost !== undefined ? { trustHost: options.trustHost } : {}),
    ...options.extra,
  };
  return { config, errors, sent, triggers, adapter };
}
